"""The fast lane (``labelhouse_server/fastlane.py``) answers exactly like FastAPI would.

Two real servers share one database: the module's ``server`` (fast lane on, the default) and a second one started
with ``LABELHOUSE_FAST_LANE=false``, which serves the same endpoints through their FastAPI routes. Every request
below goes to both, with the same ``X-Request-ID``; status, content type, request-id header and body must be
identical (for writes, after dropping the timestamps that differ between two writes). The requests cover every
outcome of the three fast endpoints: success, 401 (no key, malformed header, unknown and revoked keys), 403, 404
(missing, invisible, unknown labelset, unlabeled), 400 (empty, invalid JSON, gzip, invalid attributes, bad status)
and the trailing-slash twins.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from server.samples.payloads import TASK_ATTRIBUTES, label_attributes, sample_attributes
from support import LiveServer, unique

# Differ between two writes to two samples: when, and which sample (checked against the path instead).
VOLATILE = {"created_at", "updated_at", "reviewed_at", "sample_uuid"}


@pytest.fixture(scope="module")
def plain(server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A second server on the same database with the fast lane off."""
    other = LiveServer(backend=server.backend, database_url=server.database_url,
                       data_dir=tmp_path_factory.mktemp("no-fast-lane"), env={"LABELHOUSE_FAST_LANE": "false"})
    other.env["LABELHOUSE_PUBLIC_URL"] = other.url
    try:
        yield other.start()
    finally:
        other.stop()


@pytest.fixture(scope="module")
def world(server: LiveServer) -> dict[str, Any]:
    _, owner_key = server.create_user(unique("owner"))
    labeler, labeler_key = server.create_user(unique("labeler"))
    reviewer, reviewer_key = server.create_user(unique("reviewer"))
    _, outsider_key = server.create_user(unique("outsider"))
    _, revoked_key = server.create_user(unique("revoked"))
    with server.client(revoked_key) as http:
        key_id = http.get("/user/api-keys/").json()[0]["id"]
    with server.client(owner_key) as http:
        r = http.post("/user/datasets/", json={"name": unique("fl"), "task_type": "vector",
                                               "task_attributes": TASK_ATTRIBUTES})
        assert r.status_code == 201, r.text
        full = r.json()["full_name"]
        for user, role in ((labeler, "labeler"), (reviewer, "reviewer")):
            assert http.post(f"/datasets/{full}/collaborators/", json={"user": user, "role": role}).status_code == 201
        uuids = []
        for i in range(12):
            r = http.post(f"/datasets/{full}/samples/", json={"name": f"s{i}", "attributes": sample_attributes("vector"),
                                                              "metadata": {"i": i}})
            assert r.status_code == 201, r.text
            uuids.append(r.json()["uuid"])
        r = http.put(f"/labels/{uuids[0]}/ground-truth/",
                     json={"label_status": "LABELED", "attributes": label_attributes("vector"), "score": 0.5})
        assert r.status_code == 201, r.text
        # a public dataset: everybody may read its samples, nobody else may label them
        r = http.post("/user/datasets/", json={"name": unique("fl-public"), "task_type": "vector", "public": True,
                                               "task_attributes": TASK_ATTRIBUTES})
        assert r.status_code == 201, r.text
        r = http.post(f"/datasets/{r.json()['full_name']}/samples/",
                      json={"name": "p", "attributes": sample_attributes("vector")})
        assert r.status_code == 201, r.text
        public_uuid = r.json()["uuid"]
    return {"keys": {"owner": owner_key, "labeler": labeler_key, "reviewer": reviewer_key,
                     "outsider": outsider_key, "revoked": revoked_key},
            "revoked_key_id": key_id, "uuids": uuids, "public_uuid": public_uuid, "dataset": full}


def _normalized(body: bytes, strip: bool) -> Any:
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body
    if strip:
        def walk(x: Any) -> Any:
            if isinstance(x, dict):
                return {k: walk(v) for k, v in x.items() if k not in VOLATILE}
            if isinstance(x, list):
                return [walk(v) for v in x]
            return x
        return walk(doc)
    return doc


def _both(server: LiveServer, plain: LiveServer, method: str, path: str, *, key: str | None,
          headers: dict[str, str] | None = None, content: bytes | None = None, params: dict | None = None,
          write: bool = False, paths: tuple[str, str] | None = None) -> httpx.Response:
    """Send the request to both servers (``paths``: a different path on each, for writes that must not see each
    other's effects); assert identical answers; return the fast lane's."""
    targets = paths or (path, path)
    answers = []
    for srv, p in zip((server, plain), targets):
        h = {"X-Request-ID": "parity-request"}
        if key is not None:
            h["Authorization"] = f"APIKey {key}"
        h.update(headers or {})
        answers.append(httpx.request(method, srv.url + p, headers=h, content=content, params=params, timeout=30))
    fast, slow = answers
    where = f"{method} {path} {params or ''}"
    assert fast.status_code == slow.status_code, (where, fast.text, slow.text)
    assert fast.headers.get("content-type") == slow.headers.get("content-type"), where
    assert fast.headers.get("x-request-id") == slow.headers.get("x-request-id") == "parity-request", where
    assert _normalized(fast.content, write) == _normalized(slow.content, write), (where, fast.text, slow.text)
    if not write:
        assert fast.content == slow.content, where
    elif fast.status_code < 300:
        for answer, p in zip(answers, targets):
            assert answer.json()["sample_uuid"] == p.split("/")[2], where
    return fast


def test_reads_answer_identically(server, plain, world):
    keys, uuids = world["keys"], world["uuids"]
    labeled, unlabeled = uuids[0], uuids[1]
    cases: list[tuple[str, str | None, dict | None, int]] = [
        (f"/samples/{labeled}/", keys["owner"], None, 200),
        (f"/samples/{labeled}", keys["owner"], None, 200),
        (f"/samples/{labeled}/", keys["labeler"], {"labelset": "ground-truth"}, 200),
        (f"/samples/{unlabeled}/", keys["owner"], {"labelset": "ground-truth"}, 200),
        (f"/samples/{labeled}/", keys["owner"], {"labelset": "no-such-labelset"}, 200),
        (f"/samples/{labeled}/", keys["owner"], {"labelset": "ground-truth?include_signed_urls=1"}, 200),
        (f"/samples/{labeled}/", keys["outsider"], None, 404),
        (f"/samples/{unique('missing')}/", keys["owner"], None, 404),
        (f"/samples/{labeled}/", None, None, 401),
        (f"/samples/{labeled}/", "lh_not-a-key", None, 401),
        (f"/labels/{labeled}/ground-truth/", keys["labeler"], None, 200),
        (f"/labels/{labeled}/ground-truth", keys["reviewer"], None, 200),
        (f"/samples/{world['public_uuid']}/", keys["outsider"], {"labelset": "ground-truth"}, 200),
        (f"/labels/{world['public_uuid']}/ground-truth/", keys["outsider"], None, 404),
        (f"/labels/{unlabeled}/ground-truth/", keys["owner"], None, 404),
        (f"/labels/{labeled}/no-such-labelset/", keys["owner"], None, 404),
        (f"/labels/{labeled}/ground-truth/", keys["outsider"], None, 404),
        (f"/labels/{labeled}/ground-truth/", None, None, 401),
    ]
    for path, key, params, expected in cases:
        r = _both(server, plain, "GET", path, key=key, params=params)
        assert r.status_code == expected, (path, r.text)
    r = _both(server, plain, "GET", f"/samples/{labeled}/", key=None, headers={"Authorization": "Basic abc"})
    assert r.status_code == 401
    # A revoked key is refused at once, by both.
    assert _both(server, plain, "GET", f"/samples/{labeled}/", key=keys["revoked"]).status_code == 404
    with httpx.Client(base_url=server.url, headers={"Authorization": f"APIKey {keys['revoked']}"}) as http:
        assert http.delete(f"/user/api-keys/{world['revoked_key_id']}/").status_code in (200, 204)
    r = _both(server, plain, "GET", f"/samples/{labeled}/", key=keys["revoked"])
    assert r.status_code == 401


def test_writes_answer_identically(server, plain, world):
    keys, uuids = world["keys"], world["uuids"]
    body = orjson.dumps({"label_status": "LABELED", "attributes": label_attributes("vector"), "score": 0.75})
    json_h = {"Content-Type": "application/json"}
    pair = iter(zip(uuids[2::2], uuids[3::2]))

    def twin(template: str) -> tuple[str, str]:
        a, b = next(pair)
        return template.format(a), template.format(b)

    # created (201), then replaced (200), by the labeler, through gzip too
    paths = twin("/labels/{}/ground-truth/")
    assert _both(server, plain, "PUT", "", key=keys["labeler"], headers=json_h, content=body, paths=paths,
                 write=True).status_code == 201
    assert _both(server, plain, "PUT", "", key=keys["labeler"], headers={**json_h, "Content-Encoding": "gzip"},
                 content=gzip.compress(body), paths=paths, write=True).status_code == 200
    paths_noslash = tuple(p.rstrip("/") for p in twin("/labels/{}/ground-truth/"))
    assert _both(server, plain, "PUT", "", key=keys["owner"], headers=json_h, content=body, paths=paths_noslash,
                 write=True).status_code == 201
    # every refusal, on samples that stay unlabeled
    paths = twin("/labels/{}/ground-truth/")
    refusals = [
        (keys["labeler"], json_h, b"", 400),
        (keys["labeler"], json_h, b"{not json", 400),
        (keys["labeler"], {**json_h, "Content-Encoding": "gzip"}, b"not gzip", 400),
        (keys["labeler"], json_h, b"[1, 2]", 400),
        (keys["labeler"], json_h, orjson.dumps({"label_status": "LABELED"}), 400),
        (keys["labeler"], json_h, orjson.dumps({"label_status": "DONE", "attributes": {}}), 400),
        (keys["labeler"], json_h, orjson.dumps({"label_status": "LABELED", "score": "high",
                                                "attributes": label_attributes("vector")}), 400),
        (keys["labeler"], json_h, orjson.dumps({"label_status": "LABELED", "attributes": {
            "format_version": "0.1", "annotations": [{"id": 1, "category_id": 999, "type": "bbox",
                                                      "points": [[0, 0], [1, 1]]}]}}), 400),
        (keys["labeler"], json_h, orjson.dumps({"label_status": "REVIEWED",
                                                "attributes": label_attributes("vector")}), 403),
        (keys["outsider"], json_h, body, 404),
        (None, json_h, body, 401),
        ("lh_not-a-key", json_h, body, 401),
    ]
    for key, headers, content, expected in refusals:
        r = _both(server, plain, "PUT", "", key=key, headers=headers, content=content, paths=paths, write=True)
        assert r.status_code == expected, (content[:80], r.text)
    r = _both(server, plain, "PUT", f"/labels/{world['public_uuid']}/ground-truth/", key=keys["outsider"],
              headers=json_h, content=body, write=True)
    assert r.status_code == 403 and "do not have permission" in r.text
    missing = unique("missing")
    r = _both(server, plain, "PUT", f"/labels/{missing}/ground-truth/", key=keys["owner"], headers=json_h,
              content=body, write=True)
    assert r.status_code == 404
    r = _both(server, plain, "PUT", "", key=keys["owner"], headers=json_h, content=body, write=True,
              paths=(paths[0].replace("ground-truth", "nope"), paths[1].replace("ground-truth", "nope")))
    assert r.status_code == 404 and "Labelset not found" in r.json()["detail"]
    # nothing of the refused writes was stored
    with server.client(keys["owner"]) as http:
        for uuid in (p.split("/")[2] for p in paths):
            assert http.get(f"/labels/{uuid}/ground-truth/").status_code == 404


def test_a_revoked_key_writes_nothing(server, plain, world):
    """The fast lane's label PUT reads the key on every request (no cache): a key revoked through the OTHER
    process is refused by both at once."""
    owner = world["keys"]["owner"]
    username, key = server.create_user(unique("writer"))
    with httpx.Client(base_url=server.url, headers={"Authorization": f"APIKey {owner}"}) as http:
        r = http.post(f"/datasets/{world['dataset']}/collaborators/", json={"user": username, "role": "labeler"})
        assert r.status_code == 201, r.text
    body = orjson.dumps({"label_status": "LABELED", "attributes": label_attributes("vector")})
    json_h = {"Content-Type": "application/json"}
    a, b = world["uuids"][-2:]
    paths = (f"/labels/{a}/ground-truth/", f"/labels/{b}/ground-truth/")
    assert _both(server, plain, "PUT", "", key=key, headers=json_h, content=body, paths=paths,
                 write=True).status_code == 201
    with httpx.Client(base_url=plain.url, headers={"Authorization": f"APIKey {key}"}) as http:
        key_id = http.get("/user/api-keys/").json()[0]["id"]
        assert http.delete(f"/user/api-keys/{key_id}/").status_code in (200, 204)
    r = _both(server, plain, "PUT", "", key=key, headers=json_h, content=body, paths=paths, write=True)
    assert r.status_code == 401
    with server.client(owner) as http:  # the refused writes left no revision
        for p in paths:
            revisions = http.get(p + "history/").json()
            assert [rev["action"] for rev in revisions] == ["created"], revisions


def test_other_methods_and_paths_fall_through(server, plain, world):
    uuid, key = world["uuids"][0], world["keys"]["owner"]
    for method, path in [("POST", f"/labels/{uuid}/ground-truth/"), ("HEAD", f"/samples/{uuid}/"),
                         ("GET", f"/labels/{uuid}/ground-truth/extra/"), ("GET", "/samples/")]:
        _both(server, plain, method, path, key=key)


def test_similarity_search_answers_identically(server, plain, world):
    keys, uuids = world["keys"], world["uuids"]
    with httpx.Client(base_url=server.url, headers={"Authorization": f"APIKey {keys['owner']}"}) as http:
        r = http.post("/user/embeddings/", json={"name": unique("fl-emb"), "dims": 4})
        assert r.status_code == 201, r.text
        emb = r.json()["full_name"]
        r = http.put(f"/embeddings/{emb}/vectors/", json={"vectors": [
            {"sample_uuid": u, "vector": [1.0, i, i % 3, -i]} for i, u in enumerate(uuids)]})
        assert r.status_code == 200, r.text
    dataset = world["dataset"]
    path = f"/embeddings/{emb}/similar-samples/"
    json_h = {"Content-Type": "application/json"}
    cases: list[tuple[str | None, bytes, int]] = [
        (keys["owner"], orjson.dumps({"vector": [1, 2, 0, -2], "k": 3}), 200),
        (keys["owner"], orjson.dumps({"sample_uuid": uuids[4], "k": 5, "dataset": dataset}), 200),
        (keys["owner"], orjson.dumps({"vector": [1, 2, 0, -2], "metadata": {"i": 7}}), 200),
        (keys["owner"], orjson.dumps({"vector": [1, 2, 0]}), 400),
        (keys["owner"], orjson.dumps({"vector": [1, 2, 0, -2], "k": 0}), 400),
        (keys["owner"], orjson.dumps({"vector": [1, 2, 0, -2], "sample_uuid": uuids[1]}), 400),
        (keys["owner"], orjson.dumps({"vector": [1, 2, 0, -2], "extra": 1}), 400),
        (keys["owner"], orjson.dumps({"sample_uuid": unique("missing")}), 404),
        (keys["owner"], b"", 400),
        (keys["owner"], b"{not json", 400),
        (keys["labeler"], orjson.dumps({"vector": [1, 2, 0, -2]}), 404),
        (None, orjson.dumps({"vector": [1, 2, 0, -2]}), 401),
        ("lh_not-a-key", orjson.dumps({"vector": [1, 2, 0, -2]}), 401),
    ]
    for key, content, expected in cases:
        for p in (path, path.rstrip("/")):
            r = _both(server, plain, "POST", p, key=key, headers=json_h, content=content)
            assert r.status_code == expected, (content[:80], r.text)
    hits = _both(server, plain, "POST", path, key=keys["owner"], headers=json_h,
                 content=orjson.dumps({"vector": [1, 2, 0, -2], "k": 3})).json()["results"]
    assert [h["sample"]["uuid"] for h in hits] == [uuids[3], uuids[6], uuids[4]]  # cosine 0.994, 0.975, 0.972
