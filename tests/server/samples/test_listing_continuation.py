"""Sample listings continue correctly across callers and server processes (issue 10 §5), on both databases.

Two real server processes share one database. A full page names its successor in a ``Link: <...after=TOKEN>;
rel="next"`` header; following it continues exactly after the last row served — whoever else listed meanwhile,
whichever process answers, and whatever rows were added or deleted in between. ``page=N`` is the N-th slice of
the listing as it is when asked, the same from every process (no per-process state that a later walk could
trip over).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from server.samples.payloads import TASK_ATTRIBUTES, sample_attributes
from support import LiveServer, unique


@pytest.fixture(scope="module")
def second(server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Another server process on the same database (as with ``labelhouse serve --workers 2``)."""
    other = LiveServer(backend=server.backend, database_url=server.database_url,
                       data_dir=tmp_path_factory.mktemp("second-process"))
    other.env["LABELHOUSE_PUBLIC_URL"] = other.url
    try:
        yield other.start()
    finally:
        other.stop()


def _dataset(server: LiveServer, n: int = 25) -> tuple[str, str, str]:
    """A dataset of samples s00..s{n-1} (priority i % 3), its owner's key and a manager collaborator's key."""
    _, owner_key = server.create_user(unique("owner"))
    manager, manager_key = server.create_user(unique("manager"))
    with server.client(owner_key) as http:
        r = http.post("/user/datasets/", json={"name": unique("list"), "task_type": "vector",
                                               "task_attributes": TASK_ATTRIBUTES})
        assert r.status_code == 201, r.text
        full = r.json()["full_name"]
        r = http.post(f"/datasets/{full}/collaborators/", json={"user": manager, "role": "manager"})
        assert r.status_code == 201, r.text
        r = http.post(f"/datasets/{full}/samples_bulk/", json=[
            {"name": f"s{i:02d}", "attributes": sample_attributes("vector"), "priority": i % 3} for i in range(n)])
        assert r.status_code == 201, r.text
    return full, owner_key, manager_key


def _get(url: str, key: str, params: dict[str, Any] | None = None) -> tuple[list[str], str | None]:
    r = httpx.get(url, params=params, headers={"Authorization": f"APIKey {key}"}, timeout=30)
    assert r.status_code == 200, r.text
    nxt = r.links.get("next", {}).get("url")
    return [s["name"] for s in r.json()], nxt


def _on(server: LiveServer, link: str) -> str:
    """The same next-page URL, sent to ``server`` (links name the process that wrote them)."""
    return server.url + link[link.index("/datasets/"):]


def test_two_callers_interleaved(server: LiveServer) -> None:
    full, a_key, b_key = _dataset(server)
    url = f"{server.url}/datasets/{full}/samples/"
    a1, a_next = _get(url, a_key, {"per_page": 10})
    assert a1 == [f"s{i:02d}" for i in range(10)] and a_next
    with server.client(b_key) as http:  # caller B adds a sample that sorts first, then lists page 1
        r = http.post(f"/datasets/{full}/samples/", json={"name": "a-first", "attributes": sample_attributes("vector")})
        assert r.status_code == 201, r.text
    b1, b_next = _get(url, b_key, {"per_page": 10})
    assert b1 == ["a-first"] + [f"s{i:02d}" for i in range(9)]
    a2, a_next = _get(_on(server, a_next), a_key)  # A's page 2: right after A's page 1, B changes nothing
    assert a2 == [f"s{i:02d}" for i in range(10, 20)]
    a3, a_next = _get(_on(server, a_next), a_key)
    assert a3 == [f"s{i:02d}" for i in range(20, 25)] and a_next is None  # a short page: the end
    b2, _ = _get(_on(server, b_next), b_key)
    assert b2 == [f"s{i:02d}" for i in range(9, 19)]
    # page numbers: the N-th slice of the listing as it is now, for everybody
    assert _get(url, a_key, {"per_page": 10, "page": 2})[0] == _get(url, b_key, {"per_page": 10, "page": 2})[0] \
        == [f"s{i:02d}" for i in range(9, 19)]


def test_walks_across_two_processes(server: LiveServer, second: LiveServer) -> None:
    full, key, _ = _dataset(server)
    path = f"/datasets/{full}/samples/"
    names = [f"s{i:02d}" for i in range(25)]
    # 1. a continuation walk alternating processes, with rows added and deleted between its pages
    seen, nxt = _get(server.url + path, key, {"per_page": 6})
    with server.client(key) as http:
        uuids = {s["name"]: s["uuid"] for s in http.get(path, params={"per_page": 100}).json()}
        r = http.request("DELETE", f"/datasets/{full}/samples_bulk/", json={"uuids": [uuids["s02"], uuids["s15"]]})
        assert r.json() == {"deleted_count": 2}
        r = http.post(f"/datasets/{full}/samples/", json={"name": "a-new", "attributes": sample_attributes("vector")})
        assert r.status_code == 201
    hops = [second, server, second, server, second]
    while nxt:
        page, nxt = _get(_on(hops.pop(0), nxt), key)
        seen += page
    assert seen == [n for n in names if n != "s15"]  # every row once, in order; only the deleted one is missing
    # 2. page-number walks: the same slices from either process, even after another walk of the same listing
    #    on one process and deletions since (no state left behind to continue from)
    for page in (1, 2, 3):
        _get(server.url + path, key, {"per_page": 8, "page": page})
    with server.client(key) as http:
        current = [s["name"] for s in http.get(path, params={"per_page": 100}).json()]
        doomed = [s["uuid"] for s in http.get(path, params={"per_page": 100}).json()[:3]]
        assert http.request("DELETE", f"/datasets/{full}/samples_bulk/", json={"uuids": doomed}).status_code == 200
    current = current[3:]
    walked: list[str] = []
    for page, srv in zip((1, 2, 3, 4), (second, server, second, server)):
        walked += _get(srv.url + path, key, {"per_page": 8, "page": page})[0]
    assert walked == current


def test_continuation_of_every_sort_order(server: LiveServer, second: LiveServer) -> None:
    """Ties in the sort key (priority 0, 1, 2 repeated) are broken by id, identically on both processes."""
    full, key, _ = _dataset(server)
    path = f"/datasets/{full}/samples/"
    for sort in ("priority", "-priority", "created_at", "-created_at", "-name", "updated_at"):
        everything, _ = _get(server.url + path, key, {"per_page": 1000, "sort": sort})
        walked, nxt = _get(server.url + path, key, {"per_page": 4, "sort": sort})
        hop = 0
        while nxt:
            hop += 1
            page, nxt = _get(_on(second if hop % 2 else server, nxt), key)
            walked += page
        assert walked == everything, sort
        assert len(set(walked)) == 25


def test_foreign_or_broken_tokens_are_refused(server: LiveServer) -> None:
    full, key, _ = _dataset(server)
    path = f"/datasets/{full}/samples/"
    _, nxt = _get(server.url + path, key, {"per_page": 5})
    token = httpx.URL(nxt).params["after"]
    with server.client(key) as http:
        for params in ({"per_page": 5, "after": token, "sort": "-name"},  # another listing's token
                       {"per_page": 7, "after": token},  # another page size
                       {"per_page": 5, "after": "not-a-token"},
                       {"per_page": 5, "after": token, "sort": "gt_label__updated_at"}):
            r = http.get(path, params=params)
            assert r.status_code == 400, (params, r.text)
            assert r.json()["field"] == "after" and r.json()["code"] == "invalid"
        other, _, _ = _dataset(server, n=6)
        r = http.get(f"/datasets/{other}/samples/", params={"per_page": 5, "after": token})
        assert r.status_code in (400, 404)  # another dataset's token (404: not this caller's dataset)
