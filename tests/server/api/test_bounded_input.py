"""Bounded input (``limits.py``, ``http.RequestPlumbingMiddleware``): the shapes of issue 10 §2 — compression bombs,
unknown encodings, oversized and endless bodies, ten million items, deep nesting, huge integers, lone surrogates,
NaN, page numbers past the integer range, thousands of filters — each answered by a 4xx JSON error naming the
limit and the field, before authentication and after; fed to every route, none answers 5xx; and the bombs leave
the server's peak memory within 100 MiB of idle."""

from __future__ import annotations

import gzip
import re
import socket
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server.samples.payloads import TASK_ATTRIBUTES, sample_attributes
from support import LiveServer, backends, live_server, unique

MiB = 1024 * 1024


def deflate(data: bytes) -> bytes:
    return zlib.compress(data, 9)


def zeros_deflate(size: int) -> bytes:
    """``size`` bytes of spaces, deflated in pieces (never held whole in the test either)."""
    c = zlib.compressobj(9)
    piece = b" " * MiB
    out = [c.compress(piece) for _ in range(size // MiB)]
    out.append(c.flush())
    return b"".join(out)


def gzip_of(data: bytes) -> bytes:
    return gzip.compress(data, 9)


def many_items_gzip(count: int) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = [c.compress(b"[")]
    block = b"{}," * 100_000
    for _ in range(count // 100_000):
        out.append(c.compress(block))
    out.append(c.compress(b"{}]"))
    out.append(c.flush())
    return b"".join(out)


@pytest.fixture(scope="module")
def world(server: LiveServer) -> dict:
    owner, key = server.create_user(unique("owner"))
    with server.client(key) as http:
        full = http.post("/user/datasets/", json={"name": unique("bi"), "task_type": "vector",
                                                  "task_attributes": TASK_ATTRIBUTES}).json()["full_name"]
        sample = http.post(f"/datasets/{full}/samples/", json={"name": "s", "attributes":
                                                                sample_attributes("vector")}).json()["uuid"]
    return {"owner": owner, "key": key, "full": full, "sample": sample}


def _error(r: httpx.Response, status: int, code: str, limit: str | None = None, field: str | None = None) -> dict:
    assert r.status_code == status, (r.status_code, r.text[:300])
    body = r.json()
    assert body["code"] == code, body
    if limit is not None:
        assert body["limit"] == limit, body
        assert isinstance(body["max"], int)
    if field is not None:
        assert body["field"] == field, body
    return body


# ----------------------------------------------------------------------------------------- each shape, exactly
@pytest.mark.parametrize("authenticated", [False, True])
def test_compression_bombs_are_bounded(server, world, authenticated):
    headers = {"Authorization": f"APIKey {world['key']}"} if authenticated else {}
    bulk = f"/datasets/{world['full']}/samples_bulk/"
    with httpx.Client(base_url=server.url, headers=headers, timeout=120) as http:
        # deflate: 270 MiB of spaces in ~270 KB
        r = http.post(bulk, content=zeros_deflate(270 * MiB), headers={"Content-Encoding": "deflate",
                                                                       "Content-Type": "application/json"})
        _error(r, 413, "limit_exceeded", "max_bulk_body_bytes", "body")
        # gzip: 10 MB of zeros on a single-item route (limit 16 MiB: fine) and 40 MB (over)
        r = http.post(f"/datasets/{world['full']}/samples/", content=gzip_of(b"[" + b" " * 40 * MiB + b"]"),
                      headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
        _error(r, 413, "limit_exceeded", "max_body_bytes", "body")
        # ten million empty objects in ~30 KB of gzip: refused after max_bulk_items, never materialised
        r = http.post(bulk, content=many_items_gzip(10_000_000), headers={"Content-Encoding": "gzip",
                                                                           "Content-Type": "application/json"})
        _error(r, 400, "limit_exceeded", "max_bulk_items", "body")


@pytest.mark.parametrize("encoding", ["br", "gzip, gzip", "compress", "zstd"])
def test_unknown_encodings_are_refused(server, world, encoding):
    with server.client(world["key"]) as http:
        r = http.post(f"/datasets/{world['full']}/samples/", content=b'{"name": "x"}',
                      headers={"Content-Encoding": encoding, "Content-Type": "application/json"})
    body = _error(r, 415, "unsupported_media_type", field="Content-Encoding")
    assert encoding in body["detail"]


def test_broken_compressed_bodies_are_400(server, world):
    with server.client(world["key"]) as http:
        for encoding, content in (("gzip", b"not gzip"), ("gzip", gzip_of(b'{"a": 1}')[:-6]),
                                  ("deflate", b"\x00\x01junk")):
            r = http.post(f"/datasets/{world['full']}/samples/", content=content,
                          headers={"Content-Encoding": encoding, "Content-Type": "application/json"})
            _error(r, 400, "invalid", field="body")


def test_oversized_bodies_are_413_declared_or_streamed(server, world):
    big = b'{"name": "x", "attributes": {"image": {"url": "u"}}, "metadata": {"blob": "' + b"x" * 20 * MiB + b'"}}'
    with server.client(world["key"]) as http:
        r = http.post(f"/datasets/{world['full']}/samples/", content=big,
                      headers={"Content-Type": "application/json"})
        _error(r, 413, "limit_exceeded", "max_body_bytes", "body")

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
            for i in range(0, len(big), MiB):
                yield big[i:i + MiB]

        r = http.post(f"/datasets/{world['full']}/samples/", content=chunks(),
                      headers={"Content-Type": "application/json"})
        _error(r, 413, "limit_exceeded", "max_body_bytes", "body")
        for path, method in ((f"/datasets/{world['full']}/", "PATCH"), (f"/labels/{world['sample']}/ground-truth/",
                                                                        "PUT")):
            r = http.request(method, path, content=b'{"description": "' + b"d" * 20 * MiB + b'"}',
                             headers={"Content-Type": "application/json"})
            _error(r, 413, "limit_exceeded", "max_body_bytes", "body")


@pytest.mark.parametrize("body, detail", [
    (b"[" * 300 + b"]" * 300, "nested deeper"),
    (b'{"name": "d", "metadata": ' + b'{"a": ' * 100 + b"1" + b"}" * 100 + b"}", "nested deeper"),
    (b'{"name": "d", "metadata": {"n": 123456789012345678901234567890}}', "64 bits"),
    (b'{"name": "d", "metadata": {"n": 18446744073709551615}}', "64 bits"),
    (b'{"name": "d\\ud800"}', "surrogate"),
    (b'{"name": "d", "metadata": {"n": NaN}}', "not valid JSON"),
    (b'{"name": "d", "metadata": {"n": Infinity}}', "not valid JSON"),
    (b'{"name": "\xff\xfe"}', "not valid JSON"),
])
def test_json_the_stores_cannot_hold_is_400(server, world, body, detail):
    routes = [("POST", "/user/datasets/"), ("POST", f"/datasets/{world['full']}/labelsets/"),
              ("POST", f"/samples/{world['sample']}/issues/"), ("POST", f"/datasets/{world['full']}/collaborators/"),
              ("POST", f"/datasets/{world['full']}/clone/"), ("PATCH", f"/datasets/{world['full']}/"),
              ("PUT", f"/labels/{world['sample']}/ground-truth/"), ("POST", f"/datasets/{world['full']}/samples/")]
    with server.client(world["key"]) as http:
        for method, path in routes:
            r = http.request(method, path, content=body, headers={"Content-Type": "application/json"})
            assert r.status_code == 400, (method, path, r.status_code, r.text[:200])
            assert detail in r.json()["detail"], (method, path, r.json())


def test_page_numbers_past_the_range_and_too_many_filters_are_400(server, world):
    with server.client(world["key"]) as http:
        for path in ("/user/datasets/", f"/datasets/{world['full']}/samples/", f"/datasets/{world['full']}/workunits/",
                     f"/users/{world['owner']}/datasets/"):
            r = http.get(path, params={"page": "99999999999999999999"})
            _error(r, 400, "limit_exceeded", "max_page", "page")
        filters = ",".join(f"k{i}:v{i}" for i in range(1200))
        r = http.get(f"/datasets/{world['full']}/samples/", params={"filters": filters})
        _error(r, 400, "limit_exceeded", "max_filters", "filters")
        # within the limits: answered normally
        assert http.get(f"/datasets/{world['full']}/samples/", params={"page": "1000000"}).json() == []


def test_uploads_check_the_signature_before_spooling(server, world):
    """A forged form is refused as soon as its file part starts: the server answers 403 while 59 of the 60 MiB it
    was promised have not even been sent (it used to read and spool the whole body first)."""
    head = (b"--B\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nassets/x.png\r\n"
            b"--B\r\nContent-Disposition: form-data; name=\"policy\"\r\n\r\nforged\r\n"
            b"--B\r\nContent-Disposition: form-data; name=\"x-amz-signature\"\r\n\r\nforged\r\n"
            b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.png\"\r\n"
            b"Content-Type: image/png\r\n\r\n")
    length = len(head) + 60 * MiB + len(b"\r\n--B--\r\n")
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(b"POST /uploads/ HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\n"
                     + f"Content-Length: {length}\r\n\r\n".encode() + head + b"\0" * MiB)
        answer = _read_response(sock)
    status_line, _, rest = answer.partition(b"\r\n")
    assert b" 403 " in status_line, answer[:300]
    assert b"signature" in rest


def _read_response(sock: socket.socket) -> bytes:
    """One whole HTTP response (head and Content-Length body): it may arrive in several packets."""
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(65536)
        if not chunk:
            return answer
        answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


# ------------------------------------------------------------------------------------ every route, every shape
SHAPES = {
    "deflate-bomb": ({"Content-Encoding": "deflate"}, lambda: zeros_deflate(64 * MiB)),
    "gzip-items": ({"Content-Encoding": "gzip"}, lambda: many_items_gzip(1_000_000)),
    "br": ({"Content-Encoding": "br"}, lambda: b"{}"),
    "gzip-gzip": ({"Content-Encoding": "gzip, gzip"}, lambda: gzip_of(gzip_of(b"{}"))),
    "deep": ({}, lambda: b"[" * 2000 + b"]" * 2000),
    "huge-int": ({}, lambda: b'{"name": 123456789012345678901234567890, "user": 1e400}'),
    "surrogate": ({}, lambda: b'{"name": "\\udc00", "description": "\\ud800"}'),
    "nan": ({}, lambda: b'{"name": NaN, "priority": -Infinity}'),
    "oversized": ({}, lambda: b'{"name": "' + b"n" * 17 * MiB + b'"}'),
    "not-json": ({}, lambda: b"\xff\x00garbage"),
}


def _operations(server: LiveServer) -> list[tuple[str, str]]:
    schema = httpx.get(server.url + "/openapi.json").json()
    return [(method.upper(), path) for path, item in schema["paths"].items() for method in item
            if method in ("post", "put", "patch", "delete")]


def test_every_route_answers_every_shape_without_5xx(server, world):
    values = {"owner": world["owner"], "dataset": world["full"].split("/")[1], "sample_uuid": world["sample"],
              "labelset": "ground-truth", "org": unique("org"), "organization": unique("org"), "username": "nobody",
              "issue_uuid": "00000000-0000-0000-0000-000000000000", "name": "v1", "release": "v1",
              "key_id": "1", "uuid": "00000000-0000-0000-0000-000000000000"}
    operations = _operations(server)
    assert len(operations) >= 20
    bodies = {name: (headers, make()) for name, (headers, make) in SHAPES.items()}
    failures = []
    with httpx.Client(base_url=server.url, timeout=120) as anonymous, server.client(world["key"]) as http:
        for method, template in operations:
            path = re.sub(r"\{([a-z_]+)(:path)?\}", lambda m: values.get(m.group(1), "x"), template)
            for name, (headers, content) in bodies.items():
                for client in (anonymous, http):
                    r = client.request(method, path, content=content,
                                       headers={"Content-Type": "application/json", **headers})
                    if not 400 <= r.status_code < 500:  # every shape is refused, whatever the route
                        failures.append(f"{method} {path} {name}: {r.status_code} {r.text[:150]}")
    assert not failures, "\n".join(failures)


# ------------------------------------------------------------------------------------------------- memory
def _peak_rss(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) * 1024


@pytest.mark.parametrize("backend", backends())
def test_bombs_leave_peak_memory_within_100_mib_of_idle(backend, tmp_path):
    """The real server process's peak RSS (``VmHWM`` in /proc), idle after warm-up and after the bombs."""
    with live_server(backend, tmp_path) as srv:
        _, key = srv.create_user(unique("u"))
        with srv.client(key) as http:
            full = http.post("/user/datasets/", json={"name": "m"}).json()["full_name"]
            for _ in range(20):  # warm up: imports, caches, pools
                http.get("/user/datasets/")
                http.post(f"/datasets/{full}/samples_bulk/", json=[{"name": unique("s"), "attributes": {
                    "image": {"url": "https://example.com/a.png"}}}])
        idle = _peak_rss(srv.proc.pid)
        bulk = f"/datasets/{full}/samples_bulk/"
        with httpx.Client(base_url=srv.url, timeout=120) as anonymous:
            shots = [
                ("POST", bulk, {"Content-Encoding": "deflate"}, zeros_deflate(270 * MiB)),
                ("POST", bulk, {"Content-Encoding": "gzip"}, gzip_of(b"\0" * 10 * 1000 * 1000)),
                ("POST", bulk, {"Content-Encoding": "gzip"}, many_items_gzip(10_000_000)),
                ("POST", f"/datasets/{full}/samples/", {},
                 b'{"name": "x", "metadata": {"m": "' + b"m" * 50 * MiB + b'"}}'),
                ("PATCH", f"/datasets/{full}/", {}, b'{"description": "' + b"d" * 50 * MiB + b'"}'),
            ]
            for method, path, headers, content in shots:
                for auth in ({}, {"Authorization": f"APIKey {key}"}):
                    r = anonymous.request(method, path, content=content,
                                          headers={"Content-Type": "application/json", **auth, **headers})
                    assert 400 <= r.status_code < 500, (path, r.status_code, r.text[:200])
            del shots
        peak = _peak_rss(srv.proc.pid)
    assert peak - idle < 100 * MiB, f"idle peak {idle / MiB:.0f} MiB, after the bombs {peak / MiB:.0f} MiB"
