"""Release diffs (issue 15): counts and the ordered change list between two SUCCEEDED releases, what is and is
not a change, 409 for releases not SUCCEEDED, 404s and the read permission."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text
from support import unique

TASK = {"format_version": "0.1", "categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "person"}]}
IMAGE = {"image": {"url": "https://example.com/a.png"}}


def _box(i: int, x: int = 5, category: int = 1) -> dict:
    return {"id": i, "category_id": category, "type": "bbox", "points": [[1, 1], [x, x]]}


def _label(*annotations) -> dict:
    return {"format_version": "0.1", "annotations": list(annotations)}


@pytest.fixture
def owner(app):
    username, key = app.create_user()
    with app.client(key) as http:
        yield username, http


def _release(http, ds: str, name: str) -> None:
    assert http.post(f"/datasets/{ds}/releases/", json={"name": name}).status_code == 201
    deadline = time.monotonic() + 60
    while (status := http.get(f"/datasets/{ds}/releases/{name}/").json()["status"]) == "PENDING":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert status == "SUCCEEDED"


def _changes(http, ds, a, b, **params):
    r = http.get(f"/datasets/{ds}/releases/{a}/diff/{b}/changes/", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_diff_counts_and_changes(owner):
    _, http = owner
    ds = http.post("/user/datasets/", json={"name": unique("ds"), "task_type": "vector",
                                           "task_attributes": TASK}).json()["full_name"]
    assert http.post(f"/datasets/{ds}/labelsets/", json={"name": "predictions"}).status_code == 201
    uuids = {}
    for name in ("b", "c", "d", "e", "f"):
        r = http.post(f"/datasets/{ds}/samples/", json={"name": name, "attributes": IMAGE, "metadata": {"k": 1}})
        uuids[name] = r.json()["uuid"]
    put = lambda name, labelset, body: http.put(f"/labels/{uuids[name]}/{labelset}/", json=body)
    put("b", "ground-truth", {"label_status": "LABELED", "attributes": _label(_box(1), _box(3))})
    put("c", "ground-truth", {"label_status": "LABELED", "attributes": _label(_box(1)), "score": 0.5})
    put("d", "ground-truth", {"label_status": "LABELED", "attributes": _label(_box(1))})
    put("d", "predictions", {"label_status": "PRELABELED", "attributes": _label(_box(1))})
    put("e", "ground-truth", {"label_status": "LABELED", "attributes": _label(_box(1))})
    _release(http, ds, "v1")

    # b: annotation 1 moved, 2 added, 3 removed -> label changed
    put("b", "ground-truth", {"label_status": "LABELED", "attributes": _label(_box(1, 9), _box(2))})
    # c: identical rewrite, keys in another order -> no change; sample priority alone -> no change
    http.put(f"/labels/{uuids['c']}/ground-truth/", content=b'{"score": 0.5, "attributes": {"annotations": '
             b'[{"points": [[1, 1], [5, 5]], "type": "bbox", "category_id": 1, "id": 1}], "format_version": "0.1"},'
             b' "label_status": "LABELED"}', headers={"Content-Type": "application/json"})
    assert http.patch(f"/samples/{uuids['c']}/", json={"priority": 7}).status_code == 200
    # d: status change of one label, the other deleted; the sample's metadata changed
    http.patch(f"/labels/{uuids['d']}/ground-truth/", json={"label_status": "REVIEWED"})
    http.delete(f"/labels/{uuids['d']}/predictions/")
    http.patch(f"/samples/{uuids['d']}/", json={"metadata": {"k": 2}})
    # e: removed with its label; f: gains a label; a: new sample with a label
    http.delete(f"/samples/{uuids['e']}/")
    put("f", "predictions", {"label_status": "PRELABELED", "attributes": _label(_box(4))})
    uuids["a"] = http.post(f"/datasets/{ds}/samples/", json={"name": "a", "attributes": IMAGE}).json()["uuid"]
    put("a", "ground-truth", {"label_status": "LABELED", "attributes": _label(_box(1))})
    _release(http, ds, "v2")

    r = http.get(f"/datasets/{ds}/releases/v1/diff/v2/")
    assert r.status_code == 200, r.text
    assert r.json() == {"from": "v1", "to": "v2", "samples": {"added": 1, "removed": 1, "changed": 1},
                        "labels": {"added": 2, "removed": 2, "changed": 2}}
    changes = _changes(http, ds, "v1", "v2")
    assert [(c["kind"], c["change"], c["sample_uuid"], c.get("labelset")) for c in changes] == [
        ("sample", "added", uuids["a"], None),
        ("label", "added", uuids["a"], "ground-truth"),
        ("label", "changed", uuids["b"], "ground-truth"),
        ("sample", "changed", uuids["d"], None),
        ("label", "changed", uuids["d"], "ground-truth"),
        ("label", "removed", uuids["d"], "predictions"),
        ("sample", "removed", uuids["e"], None),
        ("label", "removed", uuids["e"], "ground-truth"),
        ("label", "added", uuids["f"], "predictions"),
    ]
    assert changes[2]["annotations"] == {"added": [2], "removed": [3], "changed": [1]}
    assert changes[4]["annotations"] == {"added": [], "removed": [], "changed": []}  # the status changed
    assert "annotations" not in changes[0] and "annotations" not in changes[1]
    assert _changes(http, ds, "v1", "v2", per_page=4, page=2) == changes[4:8]
    assert _changes(http, ds, "v1", "v2", per_page=4, page=4) == []
    # the other way round, and a release against itself
    back = http.get(f"/datasets/{ds}/releases/v2/diff/v1").json()
    assert back["samples"] == {"added": 1, "removed": 1, "changed": 1} and back["labels"]["added"] == 2
    same = http.get(f"/datasets/{ds}/releases/v2/diff/v2/").json()
    assert same["samples"] == same["labels"] == {"added": 0, "removed": 0, "changed": 0}
    assert _changes(http, ds, "v2", "v2") == []
    for params in ({"page": 0}, {"per_page": 1001}, {"per_page": "x"}):
        r = http.get(f"/datasets/{ds}/releases/v1/diff/v2/changes/", params=params)
        assert r.status_code == 400 and r.json()["field"] in params


def test_not_succeeded_is_409_unknown_is_404_strangers_get_404(owner, app):
    _, http = owner
    ds = http.post("/user/datasets/", json={"name": unique("ds"), "task_type": "vector",
                                           "task_attributes": TASK}).json()["full_name"]
    http.post(f"/datasets/{ds}/samples/", json={"name": "x", "attributes": IMAGE})
    _release(http, ds, "v1")
    _release(http, ds, "v2")
    engine = create_engine(app.database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE releases SET status = 'FAILED' WHERE name = 'v2' AND dataset_id = "
                              "(SELECT dataset_id FROM releases WHERE name = 'v1' ORDER BY id DESC LIMIT 1)"))
    finally:
        engine.dispose()
    for path in ("diff/v2/", "diff/v2/changes/"):
        r = http.get(f"/datasets/{ds}/releases/v1/{path}")
        assert r.status_code == 409 and "FAILED" in r.json()["detail"] and r.json()["code"] == "conflict"
    r = http.get(f"/datasets/{ds}/releases/v1/diff/nope/")
    assert r.status_code == 404 and "nope" in r.json()["detail"]
    assert http.get(f"/datasets/{ds}/releases/nope/diff/v1/changes/").status_code == 404
    _, key = app.create_user()
    with app.client(key) as stranger:
        theirs = stranger.get(f"/datasets/{ds}/releases/v1/diff/v1/")
        missing = stranger.get(f"/datasets/{ds}-missing/releases/v1/diff/v1/")
        assert theirs.status_code == missing.status_code == 404
        assert {k: v for k, v in theirs.json().items() if k != "request_id"} == \
               {k: v for k, v in missing.json().items() if k != "request_id"}
