"""Label history (issue 15): every create/update/delete/restore through the Segments routes (the fast lane's PUT
too) appends a revision; the history and restore endpoints; permissions and 404 parity; numbering without gaps
under concurrent writers."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from support import unique

BOX = {"format_version": "0.1", "annotations": [{"id": 1, "category_id": 1, "type": "bbox",
                                                 "points": [[1, 1], [5, 5]]}]}
BOX2 = {"format_version": "0.1", "annotations": [
    {"id": 1, "category_id": 1, "type": "bbox", "points": [[1, 1], [6, 6]]},
    {"id": 2, "category_id": 2, "type": "bbox", "points": [[2, 2], [3, 3]]}]}
TASK = {"format_version": "0.1", "categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "person"}]}
IMAGE = {"image": {"url": "https://example.com/a.png"}}


@pytest.fixture
def owner(app):
    username, key = app.create_user()
    with app.client(key) as http:
        yield username, http


def _sample(http, public: bool = False) -> tuple[str, str]:
    ds = http.post("/user/datasets/", json={"name": unique("ds"), "task_type": "vector", "task_attributes": TASK,
                                           "public": public}).json()["full_name"]
    r = http.post(f"/datasets/{ds}/samples/", json={"name": unique("s"), "attributes": IMAGE})
    assert r.status_code == 201, r.text
    return ds, r.json()["uuid"]


def _history(http, sample_uuid, labelset="ground-truth", **params):
    r = http.get(f"/labels/{sample_uuid}/{labelset}/history/", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_every_change_is_a_revision_newest_first(owner):
    username, http = owner
    _, s = _sample(http)
    url = f"/labels/{s}/ground-truth/"
    assert http.put(url, json={"label_status": "PRELABELED", "attributes": BOX, "score": 0.5}).status_code == 201
    assert http.put(url, json={"label_status": "LABELED", "attributes": BOX2}).status_code == 200
    assert http.patch(url, json={"label_status": "REVIEWED"}).status_code == 200
    assert http.delete(url).status_code == 204
    revs = _history(http, s)
    assert [r["revision"] for r in revs] == [4, 3, 2, 1]
    assert [r["action"] for r in revs] == ["deleted", "updated", "updated", "created"]
    assert [r["label_status"] for r in revs] == [None, "REVIEWED", "LABELED", "PRELABELED"]
    assert [r["attributes"] for r in revs] == [None, BOX2, BOX2, BOX]
    assert [r["score"] for r in revs] == [None, None, None, 0.5]
    assert {r["created_by"] for r in revs} == {username}
    assert all(r["created_at"].endswith("Z") and "T" in r["created_at"] for r in revs)
    assert [r["created_at"] for r in revs] == sorted((r["created_at"] for r in revs), reverse=True)
    # history outlives the label; restoring a revision of the deleted label recreates it
    assert http.get(url).status_code == 404
    r = http.post(f"/labels/{s}/ground-truth/history/2/restore/")
    assert r.status_code == 200, r.text
    restored = r.json()
    assert restored["label_status"] == "LABELED" and restored["attributes"] == BOX2
    assert http.get(url).json() == restored  # same shape as GET /labels/...
    top = _history(http, s)[0]
    assert (top["revision"], top["action"], top["label_status"], top["attributes"]) == (5, "restored", "LABELED",
                                                                                         BOX2)
    r = http.post(f"/labels/{s}/ground-truth/history/1/restore")  # slash-less twin
    assert r.status_code == 200 and r.json()["attributes"] == BOX and r.json()["score"] == 0.5


def test_pages_and_bad_paging(owner):
    _, http = owner
    _, s = _sample(http)
    for i in range(7):
        assert http.put(f"/labels/{s}/ground-truth/", json={"attributes": BOX, "score": i}).status_code in (200, 201)
    assert [r["revision"] for r in _history(http, s, per_page=3)] == [7, 6, 5]
    assert [r["revision"] for r in _history(http, s, per_page=3, page=3)] == [1]
    assert _history(http, s, per_page=3, page=4) == []
    assert len(_history(http, s)) == 7
    for params in ({"page": 0}, {"per_page": 0}, {"per_page": 1001}, {"page": "x"}):
        r = http.get(f"/labels/{s}/ground-truth/history/", params=params)
        assert r.status_code == 400 and r.json()["field"] in params, (params, r.text)


def test_missing_things_answer_404(owner, app):
    _, http = owner
    _, s = _sample(http)
    # never labeled: like a missing label
    r = http.get(f"/labels/{s}/ground-truth/history/")
    assert r.status_code == 404 and r.json()["detail"] == http.get(f"/labels/{s}/ground-truth/").json()["detail"]
    assert http.get(f"/labels/{s}/no-such-labelset/history/").status_code == 404
    http.put(f"/labels/{s}/ground-truth/", json={"attributes": BOX})
    for revision in ("2", "0", "abc", "-1"):
        r = http.post(f"/labels/{s}/ground-truth/history/{revision}/restore/")
        assert r.status_code == 404 and r.json()["code"] == "not_found", (revision, r.text)
    # a stranger: exactly like a sample that does not exist
    _, key = app.create_user()
    missing = str(uuid.uuid4())
    with app.client(key) as stranger:
        for path in ("history/", "history/1/restore/"):
            method = stranger.get if path == "history/" else stranger.post
            theirs, nothing = method(f"/labels/{s}/ground-truth/{path}"), method(f"/labels/{missing}/ground-truth/{path}")
            assert theirs.status_code == nothing.status_code == 404
            body, other = theirs.json(), nothing.json()
            body.pop("request_id"), other.pop("request_id")
            assert body == other
    assert len(_history(http, s)) == 1  # the stranger's attempt recorded nothing


def test_restoring_a_deletion_is_a_conflict(owner):
    _, http = owner
    _, s = _sample(http)
    http.put(f"/labels/{s}/ground-truth/", json={"attributes": BOX})
    http.delete(f"/labels/{s}/ground-truth/")
    r = http.post(f"/labels/{s}/ground-truth/history/2/restore/")
    assert r.status_code == 409 and "deletion" in r.json()["detail"]


def test_restore_needs_the_label_write_permission(owner, app):
    _, http = owner
    ds, s = _sample(http, public=True)
    url = f"/labels/{s}/ground-truth/"
    http.put(url, json={"label_status": "REVIEWED", "attributes": BOX})
    http.put(url, json={"label_status": "LABELED", "attributes": BOX2})
    labeler, lkey = app.create_user()
    _viewer, vkey = app.create_user()
    assert http.post(f"/datasets/{ds}/collaborators/", json={"user": labeler, "role": "labeler"}).status_code == 201
    with app.client(lkey) as lab, app.client(vkey) as view:
        assert len(_history(view, s)) == 2  # readable by whoever may read the label (public dataset)
        assert view.post(f"{url}history/2/restore/").status_code == 403
        r = lab.post(f"{url}history/1/restore/")  # revision 1 is REVIEWED: a review decision
        assert r.status_code == 403 and r.json()["code"] == "permission_denied"
        assert lab.post(f"{url}history/2/restore/").status_code == 200
        assert _history(lab, s)[0]["created_by"] == labeler
    assert len(_history(http, s)) == 3
    assert http.post(f"{url}history/1/restore/").json()["label_status"] == "REVIEWED"  # the owner may


def test_fast_lane_and_concurrent_writers_number_without_gaps(owner):
    _, http = owner
    _, s = _sample(http)
    n = 40

    def write(i: int) -> int:
        if i % 10 == 9:
            return http.patch(f"/labels/{s}/ground-truth/", json={"score": i}).status_code
        return http.put(f"/labels/{s}/ground-truth/", json={"attributes": BOX if i % 2 else BOX2,
                                                           "score": i}).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(write, range(n)))
    ok = sum(code in (200, 201) for code in codes)
    assert set(codes) <= {200, 201, 404}  # a PATCH may come before the first PUT created the label
    revs = _history(http, s, per_page=1000)
    assert [r["revision"] for r in revs] == list(range(ok, 0, -1))
    assert [r["action"] for r in revs].count("created") == 1
    label = http.get(f"/labels/{s}/ground-truth/").json()
    assert (revs[0]["score"], revs[0]["attributes"]) == (label["score"], label["attributes"])


def test_cloned_labels_start_their_own_history(owner):
    username, http = owner
    ds, s = _sample(http)
    http.put(f"/labels/{s}/ground-truth/", json={"label_status": "LABELED", "attributes": BOX})
    http.put(f"/labels/{s}/ground-truth/", json={"label_status": "LABELED", "attributes": BOX2, "score": 2})
    r = http.post(f"/datasets/{ds}/clone/", json={"name": unique("copy"), "clone_labels": True})
    assert r.status_code in (200, 201), r.text
    copy = r.json()["full_name"]
    (sample,) = http.get(f"/datasets/{copy}/samples/").json()
    revs = _history(http, sample["uuid"])
    assert [(r["revision"], r["action"], r["attributes"], r["score"], r["created_by"]) for r in revs] == [
        (1, "created", BOX2, 2.0, username)]
    assert len(_history(http, s)) == 2  # the original keeps its own
