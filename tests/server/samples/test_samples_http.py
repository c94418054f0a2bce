"""Raw-HTTP behaviour of samples, labels, issues and workunits that the official SDK cannot show on its own:
gzip bodies, status codes, slash-less paths (seed 003), text samples (seed 002), atomic bulk writes, bad input,
roles, cascades and concurrent bulk imports."""

from __future__ import annotations

import gzip
from concurrent.futures import ThreadPoolExecutor

import orjson
import pytest
from server.samples.payloads import TASK_ATTRIBUTES, label_attributes, sample_attributes
from support import unique

IMAGE = sample_attributes("vector")


@pytest.fixture
def owner(app):
    username, key = app.create_user()
    with app.client(key) as http:
        yield username, http


def _dataset(http, task_type: str = "vector", **extra) -> str:
    r = http.post("/user/datasets/", json={"name": unique("ds"), "task_type": task_type,
                                          "task_attributes": TASK_ATTRIBUTES, **extra})
    assert r.status_code == 201, r.text
    return r.json()["full_name"]


def _gz(document) -> tuple[bytes, dict]:
    return gzip.compress(orjson.dumps(document)), {"Content-Encoding": "gzip", "Content-Type": "application/json"}


def test_gzip_bodies_and_status_codes(owner):
    _, http = owner
    ds = _dataset(http)
    body, headers = _gz([{"name": f"s{i}", "attributes": IMAGE} for i in range(3)])
    r = http.post(f"/datasets/{ds}/samples_bulk/", content=body, headers=headers)
    assert r.status_code == 201 and [s["dataset_full_name"] for s in r.json()] == [ds] * 3
    uuid = r.json()[0]["uuid"]
    body, headers = _gz({"name": "one", "attributes": IMAGE, "embedding": [0.5, 1.5]})
    r = http.post(f"/datasets/{ds}/samples/", content=body, headers=headers)
    assert r.status_code == 201 and r.json()["embedding"] == [0.5, 1.5] and r.json()["data_type"] == "IMAGE"
    body, headers = _gz({"label_status": "PRELABELED", "attributes": label_attributes("vector"), "score": 0.5})
    assert http.put(f"/labels/{uuid}/ground-truth/", content=body, headers=headers).status_code == 201
    assert http.put(f"/labels/{uuid}/ground-truth/", content=body, headers=headers).status_code == 200
    body, headers = _gz({"priority": 9})
    r = http.patch(f"/samples/{uuid}/", content=body, headers=headers)
    assert r.status_code == 200 and r.json()["priority"] == 9
    r = http.delete(f"/labels/{uuid}/ground-truth/")
    assert r.status_code == 204 and r.content == b""
    r = http.delete(f"/samples/{uuid}/")
    assert r.status_code == 204 and r.content == b""


def test_slashless_paths_of_seed_003(owner):
    _, http = owner
    ds = _dataset(http)
    r = http.post(f"/datasets/{ds}/samples", json={"name": "flowers.png", "attributes": IMAGE,
                                                   "metadata": {"city": "London"}, "priority": 10})
    assert r.status_code == 201
    uuid = r.json()["uuid"]
    assert http.get(f"/datasets/{ds}/samples").json()[0]["uuid"] == uuid
    assert http.get(f"/samples/{uuid}").json()["metadata"] == {"city": "London"}
    assert http.put(f"/labels/{uuid}/ground-truth", json={"label_status": "LABELED",
                                                          "attributes": label_attributes("vector")}).status_code == 201
    assert http.get(f"/labels/{uuid}/ground-truth").json()["label_status"] == "LABELED"
    assert http.delete(f"/labels/{uuid}/ground-truth").status_code == 204
    assert http.get(f"/datasets/{ds}/issues").status_code == 200
    assert http.get(f"/datasets/{ds}/workunits").status_code == 200
    assert http.delete(f"/samples/{uuid}").status_code == 204


@pytest.mark.parametrize("task_type", ["text-named-entities", "text-span-categorization"])
def test_text_samples_of_seed_002(owner, task_type):
    _, http = owner
    ds = _dataset(http, task_type)
    r = http.post(f"/datasets/{ds}/samples/", json={"name": "t1", "attributes": {"text": "Jane lives in Ghent"}})
    assert r.status_code == 201, r.text
    uuid = r.json()["uuid"]
    label = {"format_version": "0.1", "annotations": [{"start": 0, "end": 4, "category_id": 2},
                                                      {"start": 14, "end": 19, "category_id": 1}]}
    r = http.put(f"/labels/{uuid}/ground-truth/", json={"label_status": "LABELED", "attributes": label})
    assert r.status_code == 201, r.text
    assert r.json()["label_type"] == task_type and r.json()["attributes"] == label
    bad = {"annotations": [{"start": 0, "end": 4, "category_id": 77}]}
    r = http.put(f"/labels/{uuid}/ground-truth/", json={"attributes": bad})
    assert r.status_code == 400 and r.json()["field"] == "attributes.annotations[0].category_id"
    r = http.post(f"/datasets/{ds}/samples/", json={"name": "t2", "attributes": IMAGE})
    assert r.status_code == 400 and "attributes" in r.json()["field"]


@pytest.mark.parametrize("item, field", [
    ({"attributes": IMAGE}, "[2].name"),
    ({"name": "", "attributes": IMAGE}, "[2].name"),
    ({"name": "x"}, "[2].attributes"),
    ({"name": "x", "attributes": IMAGE, "metadata": [1]}, "[2].metadata"),
    ({"name": "x", "attributes": IMAGE, "priority": "high"}, "[2].priority"),
    ({"name": "x", "attributes": IMAGE, "assigned_labeler": "nobody-" + unique()}, "[2].assigned_labeler"),
    ({"name": "x", "attributes": IMAGE, "embedding": ["a"]}, "[2].embedding"),
    ({"name": "x", "attributes": {"image": {"url": 5}}}, "[2].attributes.image.url"),
    ("not an object", "[2]"),
])
def test_bulk_add_is_all_or_nothing(owner, item, field):
    _, http = owner
    ds = _dataset(http)
    items = [{"name": "a", "attributes": IMAGE}, {"name": "b", "attributes": IMAGE}, item]
    r = http.post(f"/datasets/{ds}/samples_bulk/", json=items)
    assert r.status_code == 400, r.text
    assert r.json()["field"] == field and r.json()["code"] == "invalid"
    assert http.get(f"/datasets/{ds}/samples/").json() == []


def test_bad_bodies_are_400_never_500(owner):
    _, http = owner
    ds = _dataset(http)
    uuid = http.post(f"/datasets/{ds}/samples/", json={"name": "a", "attributes": IMAGE}).json()["uuid"]
    cases = [
        ("POST", f"/datasets/{ds}/samples_bulk/", b"{not json"),
        ("POST", f"/datasets/{ds}/samples_bulk/", b'{"name": "a"}'),
        ("POST", f"/datasets/{ds}/samples/", b"[]"),
        ("POST", f"/datasets/{ds}/samples/", b""),
        ("PATCH", f"/samples/{uuid}/", b'"x"'),
        ("PATCH", f"/samples/{uuid}/", b'{"name": 3}'),
        ("PUT", f"/labels/{uuid}/ground-truth/", b'{"label_status": "LABELED"}'),
        ("PUT", f"/labels/{uuid}/ground-truth/", b'{"label_status": "DONE", "attributes": {"annotations": []}}'),
        ("PUT", f"/labels/{uuid}/ground-truth/", b'{"attributes": {"annotations": []}, "score": "high"}'),
        ("DELETE", f"/datasets/{ds}/samples_bulk/", b'{"uuids": "abc"}'),
        ("POST", f"/samples/{uuid}/issues/", b'{"description": 5}'),
        ("POST", f"/samples/{uuid}/issues/", b'{"description": "d", "status": "MAYBE"}'),
    ]
    for method, path, body in cases:
        r = http.request(method, path, content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 400, (method, path, body, r.text)
        assert r.json()["detail"]
    r = http.post(f"/datasets/{ds}/samples/", content=b"\x1f\x8b garbage", headers={"Content-Encoding": "gzip"})
    assert r.status_code == 400


def test_roles_on_samples_and_labels(app, owner):
    _, http = owner
    ds = _dataset(http)
    uuid = http.post(f"/datasets/{ds}/samples/", json={"name": "a", "attributes": IMAGE}).json()["uuid"]
    label = {"label_status": "LABELED", "attributes": label_attributes("vector")}
    keys = {}
    for role in ("labeler", "reviewer", "manager"):
        username, key = app.create_user()
        assert http.post(f"/datasets/{ds}/collaborators/", json={"user": username, "role": role}).status_code == 201
        keys[role] = key
    with app.client(keys["labeler"]) as labeler, app.client(keys["reviewer"]) as reviewer, \
            app.client(keys["manager"]) as manager:
        assert labeler.get(f"/datasets/{ds}/samples/").status_code == 200
        assert labeler.post(f"/datasets/{ds}/samples/", json={"name": "x", "attributes": IMAGE}).status_code == 403
        assert labeler.patch(f"/samples/{uuid}/", json={"priority": 3}).status_code == 403
        assert labeler.delete(f"/samples/{uuid}/").status_code == 403
        assert labeler.put(f"/labels/{uuid}/ground-truth/", json=label).status_code == 201
        assert labeler.patch(f"/labels/{uuid}/ground-truth/", json={"label_status": "REVIEWED"}).status_code == 403
        assert reviewer.patch(f"/labels/{uuid}/ground-truth/", json={"label_status": "REVIEWED"}).status_code == 200
        assert labeler.delete(f"/labels/{uuid}/ground-truth/").status_code == 403  # a review decision stands
        assert reviewer.post(f"/datasets/{ds}/samples/", json={"name": "x", "attributes": IMAGE}).status_code == 403
        assert manager.post(f"/datasets/{ds}/samples/", json={"name": "x", "attributes": IMAGE}).status_code == 201
        assert manager.request("DELETE", f"/datasets/{ds}/samples_bulk/",
                               json={"uuids": [uuid]}).json() == {"deleted_count": 1}
    public = _dataset(http, public=True)
    puuid = http.post(f"/datasets/{public}/samples/", json={"name": "p", "attributes": IMAGE}).json()["uuid"]
    _, viewer_key = app.create_user()
    with app.client(viewer_key) as viewer:
        assert viewer.get(f"/samples/{puuid}/").status_code == 200
        assert viewer.put(f"/labels/{puuid}/ground-truth/", json=label).status_code == 403
        assert viewer.get(f"/samples/{uuid}/").status_code == 404


def test_deleting_samples_removes_labels_and_issues_keeps_workunits(owner):
    _, http = owner
    ds = _dataset(http)
    samples = http.post(f"/datasets/{ds}/samples_bulk/", json=[{"name": f"s{i}", "attributes": IMAGE}
                                                               for i in range(3)]).json()
    for s in samples:
        http.put(f"/labels/{s['uuid']}/ground-truth/", json={"label_status": "LABELED",
                                                             "attributes": label_attributes("vector")})
        http.post(f"/samples/{s['uuid']}/issues/", json={"description": "d", "status": "OPEN"})
    r = http.request("DELETE", f"/datasets/{ds}/samples_bulk/", json={"uuids": [s["uuid"] for s in samples[:2]]})
    assert r.json() == {"deleted_count": 2}
    assert len(http.get(f"/datasets/{ds}/issues/").json()) == 1
    assert http.get(f"/datasets/{ds}/").json()["label_stats"]["LABELED"] == 1
    units = http.get(f"/datasets/{ds}/workunits/").json()
    assert len(units) == 3 and {u["sample_name"] for u in units} == {"s0", "s1", "s2"}


def test_concurrent_bulk_imports_of_the_same_names_do_not_duplicate(owner):
    _, http = owner
    ds = _dataset(http)
    items = [{"name": f"n{i:04d}", "attributes": IMAGE} for i in range(300)]

    def post(_):
        r = http.post(f"/datasets/{ds}/samples_bulk/", json=items)
        assert r.status_code == 201, r.text
        return [s["uuid"] for s in r.json()]

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(post, range(4)))
    assert all(r == results[0] for r in results)
    assert len(http.get(f"/datasets/{ds}/samples/").json()) == 300


def test_get_sample_with_sdk_bug_query_and_label(owner):
    owner_name, http = owner
    ds = _dataset(http)
    uuid = http.post(f"/datasets/{ds}/samples/", json={"name": "a", "attributes": IMAGE}).json()["uuid"]
    r = http.get(f"/samples/{uuid}/?labelset=ground-truth?include_signed_urls=1")
    assert r.status_code == 200 and r.json()["label"] is None
    http.put(f"/labels/{uuid}/ground-truth/", json={"label_status": "LABELED",
                                                    "attributes": label_attributes("vector")})
    r = http.get(f"/samples/{uuid}/?labelset=ground-truth?include_signed_urls=1")
    assert r.json()["label"]["label_status"] == "LABELED"
    assert r.json()["label"]["created_by"] == owner_name
    listed = orjson.loads(http.get(f"/datasets/{ds}/samples/?labelset=ground-truth").content)
    assert set(listed[0]["label"]) == {"label_status", "score", "updated_at", "created_by", "reviewed_by"}


def test_sort_by_update_time_both_directions(owner):
    _, http = owner
    ds = _dataset(http)
    samples = http.post(f"/datasets/{ds}/samples_bulk/", json=[{"name": n, "attributes": IMAGE}
                                                               for n in ("c", "a", "b")]).json()
    by_name = {s["name"]: s["uuid"] for s in samples}
    for name in ("b", "c", "a"):  # touch in this order
        assert http.patch(f"/samples/{by_name[name]}/", json={"readme": name}).status_code == 200
    for sort, expected in (("updated_at", ["b", "c", "a"]), ("-updated_at", ["a", "c", "b"]),
                           ("-name", ["c", "b", "a"]), ("priority", ["c", "a", "b"])):
        r = http.get(f"/datasets/{ds}/samples/?sort={sort}")
        assert [s["name"] for s in r.json()] == expected, sort


@pytest.mark.parametrize("sort", ["name", "-name", "created_at", "-created_at", "priority", "-priority",
                                  "updated_at", "-updated_at"])
def test_walking_pages_equals_one_full_listing(owner, sort):
    """Page after page (served by seeking past the previous page) gives exactly the one-page listing."""
    _, http = owner
    ds = _dataset(http)
    for batch in range(3):
        http.post(f"/datasets/{ds}/samples_bulk/", json=[
            {"name": f"s{(i * 7919) % 1000:03d}-{batch}", "attributes": IMAGE, "priority": i % 3,
             "metadata": {"even": i % 2 == 0}} for i in range(batch * 17, batch * 17 + 17)])
    for extra in ("", "&filters=even:true", "&labelset=ground-truth"):
        full = [s["uuid"] for s in http.get(f"/datasets/{ds}/samples/?sort={sort}{extra}").json()]
        walked, page = [], 1
        while True:
            items = http.get(f"/datasets/{ds}/samples/?sort={sort}&per_page=4&page={page}{extra}").json()
            if not items:
                break
            walked += [s["uuid"] for s in items]
            page += 1
        assert walked == full, (sort, extra)
        again = http.get(f"/datasets/{ds}/samples/?sort={sort}&per_page=4&page=3{extra}").json()
        assert [s["uuid"] for s in again] == full[8:12]
