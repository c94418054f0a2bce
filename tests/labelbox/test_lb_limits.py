"""Bounded input and rate limits on the Labelbox API (issue 10 §2, §3): ``/graphql`` and ``/api/v1`` are refused by
the same limits as the Segments routes (``limits.py``, ``ratelimit.py``), but in the dialect the official SDK reads
(``labelbox.errors.plumbing_error_body``): the GraphQL envelope, REST ``message`` bodies, and a 429 the SDK raises as
``ApiLimitError`` (7.17 does not retry it) — never a 5xx, which the SDK would retry for two minutes."""

from __future__ import annotations

import zlib
from pathlib import Path

import httpx
import pytest
from lbox.exceptions import ApiLimitError, MalformedQueryException
from lbsupport import labelbox_client
from support import LiveServer, backends, fresh_database, unique

MiB = 1024 * 1024
LIMITS = {"LABELHOUSE_MAX_UPLOAD_BYTES": str(200 * 1024), "LABELHOUSE_MAX_BODY_BYTES": str(MiB),
          "LABELHOUSE_MAX_JSON_DEPTH": "40", "LABELHOUSE_MAX_NDJSON_BODY_BYTES": str(3 * MiB)}


def _start(backend: str, url: str, data_dir: Path, env: dict[str, str]) -> LiveServer:
    srv = LiveServer(backend=backend, database_url=url, data_dir=data_dir, env=dict(env))
    srv.env["LABELHOUSE_PUBLIC_URL"] = srv.url
    return srv.start()


@pytest.fixture(scope="module", params=backends())
def limited(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lb-limits")
    (tmp / "srv").mkdir()
    with fresh_database(request.param, tmp) as url:
        srv = _start(request.param, url, tmp / "srv", LIMITS)
        try:
            yield srv
        finally:
            srv.stop()


def _codes(r: httpx.Response) -> list[str]:
    return [e["extensions"]["code"] for e in r.json()["errors"]]


def _bomb() -> bytes:
    c = zlib.compressobj(9)
    return b"".join([c.compress(b" " * MiB) for _ in range(64)] + [c.flush()])


def test_graphql_bodies_are_bounded_in_the_graphql_envelope(limited):
    _, key = limited.create_user(unique("u"))
    auth = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    with httpx.Client(base_url=limited.url, timeout=60) as http:
        for headers in ({}, auth):  # before authentication and after
            big = http.post("/graphql", content=b'{"query": "' + b"x" * (2 * MiB) + b'"}',
                            headers={"Content-Type": "application/json", **headers})
            assert big.status_code == 413 and _codes(big) == ["MALFORMED_REQUEST"], big.text[:300]
            assert big.json()["errors"][0]["extensions"]["limit"] == "max_body_bytes"
            bomb = http.post("/_gql", content=_bomb(),
                             headers={"Content-Type": "application/json", "Content-Encoding": "deflate", **headers})
            assert bomb.status_code == 413 and _codes(bomb) == ["MALFORMED_REQUEST"]
            deep = http.post("/graphql", content=b'{"query": "{ user { id } }", "variables": {"a": '
                             + b"[" * 100 + b"]" * 100 + b"}}", headers={"Content-Type": "application/json", **headers})
            assert deep.status_code == 400 and deep.json()["errors"][0]["extensions"]["limit"] == "max_json_depth"
            br = http.post("/graphql", content=b"{}", headers={"Content-Encoding": "br", **headers})
            assert br.status_code == 415 and _codes(br) == ["MALFORMED_REQUEST"]


def test_uploads_through_the_sdk_are_bounded_while_they_stream(limited):
    _, key = limited.create_user(unique("u"))
    client = labelbox_client(limited, key)
    url = client.upload_data(b"a" * (100 * 1024), filename="small.txt", content_type="text/plain")
    assert httpx.get(url).content == b"a" * (100 * 1024)
    with pytest.raises(MalformedQueryException, match=f"Upload exceeds {200 * 1024} bytes .limit max_upload_bytes"):
        client.upload_data(b"a" * (2 * MiB), filename="big.txt", content_type="text/plain")
    # the same refusal on the wire, before the key is checked too (no Authorization header at all: 401 unread)
    for key_sent in (key, "lh_not-a-key"):
        r = httpx.post(limited.url + "/graphql", headers={"Authorization": f"Bearer {key_sent}"},
                       files={"operations": (None, "{}"), "map": (None, "{}"), "1": ("big.bin", b"\0" * (2 * MiB))})
        assert r.status_code == 413 and _codes(r) == ["MALFORMED_REQUEST"], r.text[:300]
        assert r.json()["errors"][0]["extensions"]["limit"] == "max_upload_bytes"


def test_rest_routes_answer_limits_with_message_bodies(limited):
    _, key = limited.create_user(unique("u"))
    with httpx.Client(base_url=limited.url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as http:
        r = http.put("/api/v1/feature-schemas/new", content=b'{"x": "' + b"y" * (2 * MiB) + b'"}',
                     headers={"Content-Type": "application/json"})
        assert r.status_code == 413 and "max_body_bytes" in r.json()["message"], r.text[:300]
        r = http.put("/api/v1/feature-schemas/new", content=b'{"x": NaN}', headers={"Content-Type": "application/json"})
        assert r.status_code == 400 and r.json()["message"]
        # the SDK's NDJSON vector import (sent as application/json): JSON lines pass the plumbing unparsed, bounded
        # by their own limit
        lines = b"".join(b'{"id": "%d", "vector": [0.5, 0.25]}\n' % i for i in range(1000))
        r = http.put("/adv/adv/v1/embeddings/cnosuchembedding/_import_ndjson", content=lines,
                     headers={"Content-Type": "application/json"})
        # through to the route (no such embedding), not refused as invalid JSON (tests/labelbox/test_lb_embeddings.py
        # imports real vectors through the SDK)
        assert r.status_code in (400, 404) and "not valid JSON" not in r.json()["message"], r.text[:300]
        r = http.put("/adv/adv/v1/embeddings/cnosuchembedding/_import_ndjson", content=lines * 100,
                     headers={"Content-Type": "application/json"})
        assert r.status_code == 413 and "max_ndjson_body_bytes" in r.json()["message"], r.text[:300]


@pytest.mark.parametrize("backend", backends())
def test_rate_limited_sdk_calls_raise_api_limit_error(backend, tmp_path):
    env = {"LABELHOUSE_RATE_LIMIT_ENABLED": "true", "LABELHOUSE_RATE_LIMIT_PER_KEY_BURST": "4",
           "LABELHOUSE_RATE_LIMIT_PER_KEY_PER_SECOND": "0.001", "LABELHOUSE_RATE_LIMIT_LEASE": "1"}
    (tmp_path / "srv").mkdir()
    with fresh_database(backend, tmp_path) as url:
        srv = _start(backend, url, tmp_path / "srv", env)
        try:
            _, key = srv.create_user(unique("u"))
            client = labelbox_client(srv, key)  # the SDK's constructor sends no request
            for _ in range(4):
                client.get_user()
            with pytest.raises(ApiLimitError):
                client.get_user()
            r = httpx.get(srv.url + "/api/v1/status", headers={"Authorization": f"Bearer {key}"})
            assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1 and "throttled" in r.json()["message"]
        finally:
            srv.stop()
