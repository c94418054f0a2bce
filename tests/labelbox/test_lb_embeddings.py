"""§2.13 through the official Labelbox SDK: custom embeddings (create, list, get by id/name, delete), vectors
uploaded through the SDK's ADV routes and counted, and similarity search over the organization's data rows checked
against exact (NumPy) search, before and after the background index build; other organizations' embeddings
invisible; bad input -> the SDK's error, never a 5xx."""

from __future__ import annotations

import itertools
import json
import time

import httpx
import numpy as np
import pytest
import requests
from lbox.exceptions import (
    AuthorizationError,
    InvalidQueryError,
    LabelboxError,
    ResourceConflict,
    ResourceNotFoundError,
)
from lbsupport import gql, labelbox_client
from support import backends, live_server, unique

REBUILD_AT = 100  # LABELHOUSE_EMBEDDING_INDEX_MIN_PENDING for this module's server
DIMS = 16


@pytest.fixture(scope="module", params=backends())
def server(request, tmp_path_factory):
    env = {"LABELHOUSE_EMBEDDING_INDEX_MIN_PENDING": str(REBUILD_AT)}
    with live_server(request.param, tmp_path_factory.mktemp(f"lbemb-{request.param}"), env=env) as srv:
        yield srv


def _rows(lb_client, n: int, prefix: str):
    """A dataset of ``n`` data rows with global keys ``<prefix>-<i>``: (dataset, {global key: data row id})."""
    dataset = lb_client.create_dataset(name=unique("emb"))
    task = dataset.create_data_rows([{"row_data": f"https://example.com/{prefix}/{i}.jpg",
                                      "global_key": f"{prefix}-{i}"} for i in range(n)])
    task.wait_till_done()
    assert task.status == "COMPLETE" and not task.failed_data_rows
    found = lb_client.get_data_row_ids_for_global_keys([f"{prefix}-{i}" for i in range(n)])
    assert not found["errors"]
    return dataset, dict(zip([f"{prefix}-{i}" for i in range(n)], found["results"]))


def _clustered(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(6, DIMS)) * 4
    return (centres[rng.integers(0, 6, n)] + rng.normal(size=(n, DIMS))).astype(np.float32)


def _write_ndjson(path, ids: list[str], vectors: np.ndarray) -> None:
    path.write_text("".join(json.dumps({"id": i, "vector": v.tolist()}) + "\n" for i, v in zip(ids, vectors)))


def _exact(vectors: np.ndarray, query: np.ndarray, k: int, exclude: int | None = None) -> list[int]:
    """Positions of the k nearest rows by cosine distance (float32, ties by position)."""
    cos = 1 - (vectors @ query) / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(query))
    order = [int(i) for i in np.lexsort((np.arange(len(cos)), cos)) if i != exclude]
    return order[:k]


def _search(server, key: str, embedding_id: str, body: dict) -> httpx.Response:
    return httpx.post(f"{server.url}/adv/adv/v1/embeddings/{embedding_id}/_search", json=body,
                      headers={"Authorization": f"Bearer {key}"}, timeout=60)


def test_embedding_lifecycle(lb_client):
    name = unique("clip")
    embedding = lb_client.create_embedding(name, 8)
    assert len(embedding.id) == 25 and (embedding.name, embedding.dims, embedding.custom) == (name, 8, True)
    assert embedding.id in [e.id for e in lb_client.get_embeddings()]
    assert lb_client.get_embedding_by_id(embedding.id).name == name
    assert lb_client.get_embedding_by_name(name).id == embedding.id
    assert embedding.get_imported_vector_count() == 0
    with pytest.raises(ResourceConflict):
        lb_client.create_embedding(name, 8)
    other = lb_client.create_embedding(unique("other"), 3)
    embedding.delete()
    with pytest.raises(ResourceNotFoundError):
        lb_client.get_embedding_by_id(embedding.id)
    with pytest.raises(ResourceNotFoundError):
        lb_client.get_embedding_by_name(name)
    assert [e.id for e in lb_client.get_embeddings()] == [other.id]
    lb_client.delete_embedding(other.id)
    assert lb_client.get_embeddings() == []


def test_vectors_count_and_search_match_exact_search(server, user, lb_client, tmp_path):
    key = user[1]
    n = 300  # > REBUILD_AT: the upload queues an index build
    dataset, rows = _rows(lb_client, n, unique("r"))
    ids = list(rows.values())
    vectors = _clustered(n, seed=1)
    embedding = lb_client.create_embedding(unique("clip"), DIMS)
    path = tmp_path / "vectors.ndjson"
    _write_ndjson(path, ids[:250], vectors[:250])
    replies = []
    embedding.import_vectors_from_file(str(path), callback=replies.append)
    assert replies == [{"count": 250}]
    assert embedding.get_imported_vector_count() == 250
    _write_ndjson(path, ids[250:], vectors[250:])
    embedding.import_vectors_from_file(str(path))
    assert lb_client.get_embedding_by_id(embedding.id).get_imported_vector_count() == n

    def check_searches():
        rng = np.random.default_rng(7)
        for q in range(5):
            query = vectors[rng.integers(0, n)] + rng.normal(size=DIMS).astype(np.float32) * 0.3
            answer = _search(server, key, embedding.id, {"vector": query.tolist(), "k": 10})
            assert answer.status_code == 200, answer.text
            results = answer.json()["results"]
            assert [r["id"] for r in results] == [ids[i] for i in _exact(vectors, query, 10)], q
            keys = {v: k for k, v in rows.items()}
            assert [r["globalKey"] for r in results] == [keys[r["id"]] for r in results]
            assert all(a["distance"] <= b["distance"] for a, b in itertools.pairwise(results))
        # by a data row's own vector: the row itself is left out
        answer = _search(server, key, embedding.id, {"dataRowId": ids[3], "k": 5, "datasetId": dataset.uid})
        assert [r["id"] for r in answer.json()["results"]] == [ids[i] for i in _exact(vectors, vectors[3], 5, 3)]

    check_searches()  # the index may or may not be built yet: results are exact either way
    # the same embedding through the Segments REST API: the background job builds the HNSW index
    owner = user[0]
    with server.client(key) as http:
        deadline = time.monotonic() + 90
        while True:
            info = http.get(f"/embeddings/{owner}/{embedding.name}/").json()
            if info["index"]["version"] >= 1 and not info["index"]["rebuilding"]:
                break
            assert time.monotonic() < deadline, info
            time.sleep(0.5)
        assert info["vectors_count"] == n and info["dims"] == DIMS and info["metric"] == "cosine"
    check_searches()  # now from the usearch index (plus the exact delta)

    # replacing a vector moves its row
    target = vectors[0] * -1
    _write_ndjson(path, [ids[5]], target[None, :])
    embedding.import_vectors_from_file(str(path))
    assert embedding.get_imported_vector_count() == n
    answer = _search(server, key, embedding.id, {"vector": target.tolist(), "k": 1})
    assert [r["id"] for r in answer.json()["results"]] == [ids[5]]
    # deleting the dataset's rows removes their vectors from counts and results
    dataset.delete()
    assert embedding.get_imported_vector_count() == 0
    assert _search(server, key, embedding.id, {"vector": target.tolist(), "k": 3}).json()["results"] == []


def test_bad_input(server, user, lb_client, tmp_path):
    key = user[1]
    _, rows = _rows(lb_client, 3, unique("b"))
    ids = list(rows.values())
    embedding = lb_client.create_embedding(unique("e"), 4)
    path = tmp_path / "v.ndjson"
    cases = [
        [{"id": ids[0], "vector": [1, 2, 3]}],                      # wrong length
        [{"id": ids[0], "vector": [0, 0, 0, 0]}],                   # no direction under cosine
        [{"id": ids[0], "vector": ["a", 1, 2, 3]}],                 # not numbers
        [{"id": ids[0], "vector": [1, 2, 3, 4]}, {"vector": [1, 2, 3, 4]}],  # no id
        [{"id": "c" + "r" * 24, "vector": [1, 2, 3, 4]}],           # no such data row
    ]
    for lines in cases:
        path.write_text("".join(json.dumps(line) + "\n" for line in lines))
        with pytest.raises(requests.HTTPError) as raised:
            embedding.import_vectors_from_file(str(path))
        assert 400 <= raised.value.response.status_code < 500, lines
        assert raised.value.response.json()["message"]
    path.write_text("{not json\n")
    with pytest.raises(requests.HTTPError):
        embedding.import_vectors_from_file(str(path))
    assert embedding.get_imported_vector_count() == 0  # a bad chunk writes nothing
    # unknown embedding: the count raises LabelboxError with our message, the import an HTTPError
    with pytest.raises(LabelboxError, match="not found"):
        lb_client.get_imported_vector_count("c" + "e" * 24)
    path.write_text(json.dumps({"id": ids[0], "vector": [1, 2, 3, 4]}) + "\n")
    with pytest.raises(requests.HTTPError):
        lb_client.import_vectors_from_file("c" + "e" * 24, str(path))
    # GraphQL: bad dims, empty name -> InvalidQueryError; unknown id -> AuthorizationError
    with pytest.raises(InvalidQueryError, match="dims"):
        lb_client.create_embedding(unique("e"), 0)
    with pytest.raises(InvalidQueryError, match="dims"):
        lb_client.create_embedding(unique("e"), 100_000)
    with pytest.raises(InvalidQueryError, match="name"):
        lb_client.create_embedding("", 4)
    with pytest.raises(AuthorizationError):
        lb_client.delete_embedding("c" + "e" * 24)
    with pytest.raises(AuthorizationError):
        lb_client.delete_embedding('not "an" id')
    answer = gql(server, key, 'mutation { createEmbedding(data: {name: "x", dims: "four"}) { id } }')
    assert answer.status_code == 400 and answer.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    # search: bad bodies
    for body in [{"vector": [1, 2], "k": 3}, {"vector": [1, 2, 3, 4], "k": 0}, {"k": 3},
                 {"vector": [1, 2, 3, 4], "dataRowId": ids[0]}, {"dataRowId": ids[0]},  # no vector yet
                 {"vector": [1, 2, 3, 4], "datasetId": "c" + "d" * 24}, [1, 2]]:
        answer = _search(server, key, embedding.id, body)
        assert 400 <= answer.status_code < 500 and answer.json()["message"], (body, answer.text)
    answer = httpx.post(f"{server.url}/adv/adv/v1/embeddings/{embedding.id}/_search", content=b"{",
                        headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 400 and answer.json()["message"]
    # a bad key: 401 with a message on every ADV route
    bad = labelbox_client(server, "lh_not_a_key")
    with pytest.raises(LabelboxError):
        bad.get_imported_vector_count(embedding.id)
    assert _search(server, "lh_not_a_key", embedding.id, {"vector": [1, 2, 3, 4]}).status_code == 401


def test_other_organizations_and_roles(server, tmp_path):
    admin, admin_key = server.create_user()
    labeler, labeler_key = server.create_user()
    org = server.create_org(unique("org"), admin, {labeler: "labeler"})
    as_admin = labelbox_client(server, admin_key)
    _, rows = _rows(as_admin, 2, unique("o"))
    ids = list(rows.values())
    embedding = as_admin.create_embedding(unique("e"), 4)
    path = tmp_path / "v.ndjson"
    _write_ndjson(path, ids, np.array([[1, 0, 0, 0], [0, 1, 0, 0]], dtype=np.float32))
    embedding.import_vectors_from_file(str(path))
    # a member sees the organization's embedding, may search, but not write
    as_labeler = labelbox_client(server, labeler_key)
    assert [e.id for e in as_labeler.get_embeddings()] == [embedding.id]
    assert as_labeler.get_imported_vector_count(embedding.id) == 2
    answer = _search(server, labeler_key, embedding.id, {"vector": [1, 0.1, 0, 0], "k": 1})
    assert [r["id"] for r in answer.json()["results"]] == [ids[0]]
    with pytest.raises(AuthorizationError):
        as_labeler.create_embedding(unique("mine"), 4)
    with pytest.raises(AuthorizationError):
        as_labeler.delete_embedding(embedding.id)
    with pytest.raises(requests.HTTPError) as raised:
        as_labeler.import_vectors_from_file(embedding.id, str(path))
    assert raised.value.response.status_code == 403
    # the organization's embedding is visible through the Segments API as <org>/<name>
    with server.client(admin_key) as http:
        assert http.get(f"/embeddings/{org}/{embedding.name}/").json()["vectors_count"] == 2
    # another organization sees nothing and can touch nothing
    _, outsider_key = server.create_user()
    outsider = labelbox_client(server, outsider_key)
    assert outsider.get_embeddings() == []
    with pytest.raises(ResourceNotFoundError):
        outsider.get_embedding_by_id(embedding.id)
    with pytest.raises(LabelboxError, match="not found"):
        outsider.get_imported_vector_count(embedding.id)
    with pytest.raises(requests.HTTPError) as raised:
        outsider.import_vectors_from_file(embedding.id, str(path))
    assert raised.value.response.status_code == 404
    with pytest.raises(AuthorizationError):
        outsider.delete_embedding(embedding.id)
    assert _search(server, outsider_key, embedding.id, {"vector": [1, 0, 0, 0]}).status_code == 404
    # ... and cannot write vectors of our data rows into its own embedding
    theirs = outsider.create_embedding(embedding.name, 4)  # names are per organization
    with pytest.raises(requests.HTTPError) as raised:
        theirs.import_vectors_from_file(str(path))
    assert raised.value.response.status_code == 404 and "Data rows not found" in raised.value.response.text
    assert as_admin.get_imported_vector_count(embedding.id) == 2


def test_vectors_given_with_new_data_rows(server, user, lb_client):
    """``create_data_rows(... embeddings=[{embedding_id, vector}])`` stores the vectors (§3.1); a bad one fails its
    item only (the SDK's partial success)."""
    embedding = lb_client.create_embedding(unique("e"), 3)
    other = lb_client.create_embedding(unique("e2"), 2)
    dataset = lb_client.create_dataset(name=unique("withvec"))
    prefix = unique("v")
    task = dataset.create_data_rows([
        {"row_data": "https://example.com/a.jpg", "global_key": f"{prefix}-a",
         "embeddings": [{"embedding_id": embedding.id, "vector": [1.0, 0.0, 0.0]},
                        {"embedding_id": other.id, "vector": [0.5, 0.5]}]},
        {"row_data": "https://example.com/b.jpg", "global_key": f"{prefix}-b",
         "embeddings": [{"embedding_id": embedding.id, "vector": [0.0, 1.0, 0.0]}]},
        {"row_data": "https://example.com/c.jpg", "global_key": f"{prefix}-c",
         "embeddings": [{"embedding_id": embedding.id, "vector": [1.0, 2.0]}]},         # wrong length
        {"row_data": "https://example.com/d.jpg", "global_key": f"{prefix}-d",
         "embeddings": [{"embedding_id": "c" + "e" * 24, "vector": [1.0, 2.0, 3.0]}]},  # no such embedding
    ])
    task.wait_till_done()
    assert task.status == "COMPLETE"
    failed = sorted(f["message"] for f in task.failed_data_rows)
    assert len(failed) == 2 and "3 dimensions" in failed[0] + failed[1] and "not found" in failed[0] + failed[1]
    assert embedding.get_imported_vector_count() == 2 and other.get_imported_vector_count() == 1
    found = lb_client.get_data_row_ids_for_global_keys([f"{prefix}-a", f"{prefix}-b", f"{prefix}-c"])
    a_id, b_id = found["results"][:2]
    assert found["errors"][0]["global_key"] == f"{prefix}-c"  # its row was not created
    answer = _search(server, user[1], embedding.id, {"vector": [0.1, 1.0, 0.0], "k": 2})
    assert [r["id"] for r in answer.json()["results"]] == [b_id, a_id]
