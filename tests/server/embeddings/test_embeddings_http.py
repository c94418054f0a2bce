"""Embeddings and similarity search over HTTP (the app in-process), on SQLite and PostgreSQL: results are
checked against exact (NumPy) search on small sets, before and after the background index build, with filters,
permissions, updates and deletes."""

from __future__ import annotations

import base64
import time

import numpy as np
import pytest
from server.samples.payloads import TASK_ATTRIBUTES, sample_attributes
from support import backends, in_process_app, unique

IMAGE = sample_attributes("vector")
DIMS = 16
REBUILD_AT = 300  # Settings.embedding_index_min_pending for this module's app


@pytest.fixture(scope="module", params=backends())
def app(request, tmp_path_factory):
    with in_process_app(request.param, tmp_path_factory.mktemp(f"emb-{request.param}"),
                        embedding_index_min_pending=REBUILD_AT) as application:
        yield application


@pytest.fixture
def owner(app):
    username, key = app.create_user()
    with app.client(key) as http:
        yield username, http


def clustered(n: int, dims: int = DIMS, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(max(2, n // 50), dims))
    return (centers[rng.integers(0, len(centers), n)] + 0.3 * rng.normal(size=(n, dims))).astype(np.float32)


def exact(query: np.ndarray, matrix: np.ndarray, k: int) -> list[int]:
    sims = (matrix @ query) / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(query))
    return [int(i) for i in np.argsort(-sims, kind="stable")[:k]]


def make_dataset(http, n: int, metadata=None) -> tuple[str, list[str]]:
    r = http.post("/user/datasets/", json={"name": unique("ds"), "task_type": "vector",
                                          "task_attributes": TASK_ATTRIBUTES})
    assert r.status_code == 201, r.text
    full = r.json()["full_name"]
    uuids: list[str] = []
    for start in range(0, n, 500):
        items = [{"name": f"s{i}", "attributes": IMAGE, "metadata": (metadata(i) if metadata else {})}
                 for i in range(start, min(n, start + 500))]
        r = http.post(f"/datasets/{full}/samples_bulk/", json=items)
        assert r.status_code == 201, r.text
        uuids += [s["uuid"] for s in r.json()]
    return full, uuids


def make_embedding(http, dims: int = DIMS, **extra) -> str:
    r = http.post("/user/embeddings/", json={"name": unique("emb"), "dims": dims, **extra})
    assert r.status_code == 201, r.text
    return r.json()["full_name"]


def upload(http, emb: str, uuids: list[str], vectors: np.ndarray) -> None:
    for start in range(0, len(uuids), 1000):
        r = http.put(f"/embeddings/{emb}/vectors/", json={"vectors": [
            {"sample_uuid": u, "vector": v.tolist()} for u, v in zip(uuids[start:start + 1000],
                                                                     vectors[start:start + 1000])]})
        assert r.status_code == 200, r.text


def search(http, emb: str, **body) -> list[dict]:
    r = http.post(f"/embeddings/{emb}/similar-samples/", json=body)
    assert r.status_code == 200, r.text
    return r.json()["results"]


def wait_for_index(http, emb: str, version: int = 1, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = http.get(f"/embeddings/{emb}/").json()
        if info["index"]["version"] >= version and not info["index"]["rebuilding"]:
            return info
        time.sleep(0.2)
    raise AssertionError(f"index of {emb} not built: {info}")


def test_create_get_list_delete(owner, app):
    username, http = owner
    emb = make_embedding(http, metric="euclidean", description="clip")
    info = http.get(f"/embeddings/{emb}/").json()
    assert (info["owner"], info["dims"], info["metric"], info["vectors_count"], info["role"]) == \
        (username, DIMS, "euclidean", 0, "owner")
    assert info["index"] == {"version": 0, "vectors": 0, "built_at": None, "rebuilding": False}
    assert emb in [e["full_name"] for e in http.get("/user/embeddings/").json()]
    name = emb.split("/")[1]
    r = http.post("/user/embeddings/", json={"name": name, "dims": 4})
    assert r.status_code == 400 and r.json()["code"] == "already_exists"
    for bad, field in [({"name": "x", "dims": 0}, "dims"), ({"name": "x", "dims": 8, "metric": "hamming"}, "metric"),
                       ({"name": "a/b", "dims": 8}, "name"), ({"dims": 8}, "name")]:
        r = http.post("/user/embeddings/", json=bad)
        assert r.status_code == 400 and r.json()["field"] == field, (bad, r.text)
    # someone else's embedding is missing for an outsider: every route answers 404
    _, other_key = app.create_user()
    with app.client(other_key) as other:
        assert other.get(f"/embeddings/{emb}/").status_code == 404
        assert other.post(f"/embeddings/{emb}/similar-samples/", json={"vector": [0.0] * DIMS}).status_code == 404
        assert other.delete(f"/embeddings/{emb}/").status_code == 404
        assert emb not in [e["full_name"] for e in other.get("/user/embeddings/").json()]
    assert http.delete(f"/embeddings/{emb}/").status_code == 204
    assert http.get(f"/embeddings/{emb}/").status_code == 404


def packed(uuids: list[str], vectors: np.ndarray) -> dict:
    return {"sample_uuids": uuids, "vectors_base64": base64.b64encode(vectors.astype("<f4").tobytes()).decode()}


def test_packed_vectors(owner):
    """The packed upload form (float32 bytes, base64) writes what the JSON form writes, and refuses bad input
    naming the field and the row."""
    _, http = owner
    emb = make_embedding(http)
    _ds, uuids = make_dataset(http, 40)
    vectors = clustered(40)
    r = http.put(f"/embeddings/{emb}/vectors/", json=packed(uuids, vectors))
    assert r.status_code == 200 and r.json() == {"written": 40}
    # the stored vectors are the packed ones: searching by a sample's own vector finds its exact neighbours
    hits = search(http, emb, sample_uuid=uuids[3], k=5)
    assert [h["sample"]["uuid"] for h in hits] == [uuids[i] for i in exact(vectors[3], vectors, 6)[1:]]
    # a uuid given twice: its last vector wins
    again = np.stack([vectors[5], -vectors[5]])
    assert http.put(f"/embeddings/{emb}/vectors/", json=packed([uuids[0], uuids[0]], again)).json() == {"written": 1}
    top = search(http, emb, vector=(-vectors[5]).tolist(), k=1)[0]
    assert top["sample"]["uuid"] == uuids[0] and top["distance"] == pytest.approx(0, abs=1e-5)
    zero = vectors[:2].copy()
    zero[1] = 0
    nan = vectors[:2].copy()
    nan[0, 3] = np.nan
    for body, field, words in [
        (packed(uuids[:2], vectors[:3]), "vectors_base64", "2 vectors of 16 float32 are 128 bytes, got 192"),
        ({"sample_uuids": uuids[:1], "vectors_base64": "not base64!"}, "vectors_base64", "base64"),
        ({"sample_uuids": uuids[:1]}, "vectors_base64", "required"),
        ({"sample_uuids": [1], "vectors_base64": ""}, "sample_uuids", "sample uuids"),
        (packed(uuids[:2], zero), "vectors_base64", f"vector 1 ({uuids[1]}): an all-zero vector"),
        (packed(uuids[:2], nan), "vectors_base64", "vector 0"),
        ({**packed(uuids[:1], vectors[:1]), "vectors": []}, "vectors", "either"),
    ]:
        r = http.put(f"/embeddings/{emb}/vectors/", json=body)
        assert r.status_code == 400 and r.json()["field"] == field and words in r.json()["detail"], r.text
    r = http.put(f"/embeddings/{emb}/vectors/", json=packed(["nope"], vectors[:1]))
    assert r.status_code == 404 and "nope" in r.json()["detail"]
    assert http.get(f"/embeddings/{emb}/").json()["vectors_count"] == 40


def test_search_body_validation(owner):
    _, http = owner
    emb = make_embedding(http)
    _ds, uuids = make_dataset(http, 2)
    http.put(f"/embeddings/{emb}/vectors/", json=packed(uuids, clustered(2)))
    v = [1.0] * DIMS
    for body, field in [({"vector": v, "kk": 3}, "kk"), ({"vector": v, "k": True}, "k"), ({"vector": v, "k": 1001}, "k"),
                        ({"vector": ["1"] * DIMS}, "vector"), ({"vector": v, "dataset": 3}, "dataset"),
                        ({"vector": v, "dataset": "nameonly"}, "dataset"), ({"vector": v, "metadata": [1]}, "metadata"),
                        ({"sample_uuid": 5}, "sample_uuid"), ({}, "vector")]:
        r = http.post(f"/embeddings/{emb}/similar-samples/", json=body)
        assert r.status_code == 400 and r.json()["field"] == field, (body, r.text)
    r = http.post(f"/embeddings/{emb}/similar-samples/", json=[1, 2])
    assert r.status_code == 400
    assert len(search(http, emb, vector=v, k=5)) == 2


def test_vectors_validation_and_permissions(owner, app):
    username, http = owner
    emb = make_embedding(http)
    _ds, uuids = make_dataset(http, 3)
    r = http.put(f"/embeddings/{emb}/vectors/", json={"vectors": [{"sample_uuid": uuids[0], "vector": [1.0] * 3}]})
    assert r.status_code == 400 and r.json()["field"] == "vectors[0].vector" and "16 dimensions" in r.json()["detail"]
    r = http.put(f"/embeddings/{emb}/vectors/", json={"vectors": [{"sample_uuid": uuids[0], "vector": [0.0] * DIMS}]})
    assert r.status_code == 400 and "all-zero" in r.json()["detail"]
    r = http.put(f"/embeddings/{emb}/vectors/", json={"vectors": [{"sample_uuid": "nope", "vector": [1.0] * DIMS}]})
    assert r.status_code == 404 and "nope" in r.json()["detail"]
    r = http.put(f"/embeddings/{emb}/vectors/", content=b"{oops", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    r = http.put(f"/embeddings/{emb}/vectors/", json={"vectors": [{"sample_uuid": u, "vector": [i + 1.0] * DIMS}
                                                                  for i, u in enumerate(uuids)]})
    assert r.status_code == 200 and r.json() == {"written": 3}
    assert http.get(f"/embeddings/{emb}/").json()["vectors_count"] == 3
    r = http.post(f"/embeddings/{emb}/similar-samples/", json={"vector": [1.0] * DIMS, "sample_uuid": uuids[0]})
    assert r.status_code == 400
    r = http.post(f"/embeddings/{emb}/similar-samples/", json={"vector": [1.0] * DIMS, "k": 0})
    assert r.status_code == 400 and r.json()["field"] == "k"
    # an organization embedding: a labeler member may search but not write; an outsider's sample is "not found"
    labeler, labeler_key = app.create_user()
    org = app.create_org(unique("org"), username, {labeler: "labeler"})
    r = http.post(f"/organizations/{org}/embeddings/", json={"name": "org-emb", "dims": DIMS})
    assert r.status_code == 201 and r.json()["full_name"] == f"{org}/org-emb"
    with app.client(labeler_key) as lab:
        assert lab.get(f"/embeddings/{org}/org-emb/").json()["role"] == "labeler"
        r = lab.put(f"/embeddings/{org}/org-emb/vectors/", json={"vectors": []})
        assert r.status_code == 403
        assert lab.post(f"/organizations/{org}/embeddings/", json={"name": "x", "dims": 4}).status_code == 403
        _own_ds, own = make_dataset(lab, 1)
    r = http.put(f"/embeddings/{org}/org-emb/vectors/", json={"vectors": [{"sample_uuid": own[0],
                                                                           "vector": [1.0] * DIMS}]})
    assert r.status_code == 404  # the labeler's private dataset is invisible to the org admin


def test_search_matches_exact_before_and_after_index_build(owner):
    _, http = owner
    emb = make_embedding(http)
    n = 1200  # > REBUILD_AT: the first uploads queue an index build
    vectors = clustered(n)
    _ds_a, uuids_a = make_dataset(http, n // 2, metadata=lambda i: {"camera": f"cam{i % 3}"})
    ds_b, uuids_b = make_dataset(http, n // 2)
    uuids = uuids_a + uuids_b
    rng = np.random.default_rng(9)  # queries near the data, as real ones are (an image like those indexed)
    queries = (vectors[rng.integers(0, n, 20)] + 0.1 * rng.normal(size=(20, DIMS))).astype(np.float32)

    # Only the first 200 vectors: below the rebuild threshold, so searches are exact over the delta.
    upload(http, emb, uuids[:200], vectors[:200])
    assert http.get(f"/embeddings/{emb}/").json()["index"]["version"] == 0
    for q in queries[:5]:
        got = [r["sample"]["uuid"] for r in search(http, emb, vector=q.tolist(), k=10)]
        assert got == [uuids[i] for i in exact(q, vectors[:200], 10)]

    upload(http, emb, uuids[200:], vectors[200:])
    info = wait_for_index(http, emb)
    assert info["index"]["vectors"] >= 200 and info["vectors_count"] == n
    hits = 0
    for q in queries:
        results = search(http, emb, vector=q.tolist(), k=10)
        truth = [uuids[i] for i in exact(q, vectors, 10)]
        hits += len({r["sample"]["uuid"] for r in results} & set(truth))
        distances = [r["distance"] for r in results]
        assert distances == sorted(distances) and len(results) == 10
    assert hits / (10 * len(queries)) >= 0.95

    # dataset filter, metadata filter: compared with exact search over the same subset
    q = queries[0]
    got = [r["sample"]["uuid"] for r in search(http, emb, vector=q.tolist(), k=10, dataset=ds_b)]
    sub = np.arange(n // 2, n)
    assert set(got) <= set(uuids_b)  # approximate: at least 9 of the exact 10
    assert len(set(got) & {uuids[sub[i]] for i in exact(q, vectors[sub], 10)}) >= 9
    got = search(http, emb, vector=q.tolist(), k=5, metadata={"camera": "cam1"})
    sub = np.array([i for i in range(n // 2) if i % 3 == 1])
    assert len({r["sample"]["uuid"] for r in got} & {uuids[sub[i]] for i in exact(q, vectors[sub], 5)}) >= 4
    assert all(r["sample"]["metadata"] == {"camera": "cam1"} for r in got)

    # by a sample's own vector: the sample itself is left out, its nearest others come back
    got = [r["sample"]["uuid"] for r in search(http, emb, sample_uuid=uuids[7], k=5)]
    assert uuids[7] not in got and set(got) <= set(uuids)
    assert len(set(got) & {uuids[i] for i in exact(vectors[7], vectors, 6) if i != 7}) >= 4

    # a replaced vector (after the build) is found at once; a deleted sample never comes back
    far = np.full(DIMS, -7.0, dtype=np.float32)
    far[0] = 50
    upload(http, emb, [uuids[3]], far[None, :])
    assert search(http, emb, vector=far.tolist(), k=1)[0]["sample"]["uuid"] == uuids[3]
    assert http.delete(f"/samples/{uuids[3]}/").status_code == 204
    assert uuids[3] not in [r["sample"]["uuid"] for r in search(http, emb, vector=far.tolist(), k=10)]


def test_results_respect_dataset_visibility(owner, app):
    username, http = owner
    emb_owner, emb_key = app.create_user()
    org = app.create_org(unique("org"), emb_owner, {username: "manager"})
    with app.client(emb_key) as boss:
        r = boss.post(f"/organizations/{org}/embeddings/", json={"name": "shared", "dims": DIMS})
        assert r.status_code == 201
        _boss_ds, boss_uuids = make_dataset(boss, 20)
    # the manager may write vectors of the samples they can manage only
    mine_ds, mine = make_dataset(http, 20)
    vectors = clustered(40, seed=3)
    upload(http, f"{org}/shared", mine, vectors[:20])
    r = http.put(f"/embeddings/{org}/shared/vectors/", json={"vectors": [{"sample_uuid": boss_uuids[0],
                                                                          "vector": vectors[20].tolist()}]})
    assert r.status_code == 404
    with app.client(emb_key) as boss:
        upload(boss, f"{org}/shared", boss_uuids, vectors[20:])
        # the organization's owner sees its own dataset's samples only: the manager's private ones stay hidden
        got = search(boss, f"{org}/shared", vector=vectors[0].tolist(), k=40)
        assert {r["sample"]["uuid"] for r in got} == set(boss_uuids)
        r = boss.post(f"/embeddings/{org}/shared/similar-samples/", json={"vector": vectors[0].tolist(),
                                                                          "dataset": mine_ds})
        assert r.status_code == 404
    got = search(http, f"{org}/shared", vector=vectors[0].tolist(), k=40)
    assert {r["sample"]["uuid"] for r in got} == set(mine)
