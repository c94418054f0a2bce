"""GET of a sample with an API key reads the key, the sample and the caller's roles in one statement, without a
session (``access.sample_access_by_key``). No key cache: a key revoked through one process is refused by another
on the very next request. Two apps on one database stand for two server processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from server.samples.payloads import TASK_ATTRIBUTES, sample_attributes
from support import InProcessApp, backends, fresh_database, unique


@pytest.fixture(scope="module", params=backends())
def two_apps(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
        tuple[InProcessApp, InProcessApp]]:
    tmp: Path = tmp_path_factory.mktemp(f"get-by-key-{request.param}")
    with fresh_database(request.param, tmp) as url, InProcessApp(request.param, url, tmp / "a").running() as a, \
            InProcessApp(request.param, url, tmp / "b").running() as b:
        yield a, b


def test_a_key_revoked_in_one_process_is_refused_by_the_other_at_once(
        two_apps: tuple[InProcessApp, InProcessApp]) -> None:
    a, b = two_apps
    _, owner_key = a.create_user(unique("owner"))
    _, outsider_key = a.create_user(unique("outsider"))
    with a.client(owner_key) as http:
        r = http.post("/user/datasets/", json={"name": unique("ds"), "task_type": "vector",
                                               "task_attributes": TASK_ATTRIBUTES})
        assert r.status_code == 201, r.text
        full = r.json()["full_name"]
        r = http.post(f"/datasets/{full}/samples/", json={"name": "s", "attributes": sample_attributes("vector")})
        assert r.status_code == 201, r.text
        uuid = r.json()["uuid"]
        r = http.post("/user/api-keys/", json={"name": "second"})
        assert r.status_code == 201, r.text
        second, second_id = r.json()["key"], r.json()["id"]
    with b.client(second) as http:
        assert http.get(f"/samples/{uuid}/").status_code == 200  # b has served this key
        assert http.get(f"/samples/{uuid}/?labelset=ground-truth").json()["label"] is None
    with a.client(owner_key) as http:
        assert http.delete(f"/user/api-keys/{second_id}/").status_code == 204
    with b.client(second, raise_server_errors=False) as http:
        r = http.get(f"/samples/{uuid}/")
        assert r.status_code == 401, r.text
        assert r.json()["code"] == b.client(owner_key).get("/samples/00000000-0000-0000-0000-000000000000/",
                                                            headers={"Authorization": "APIKey lh_nope"}).json()["code"]
    # The owner's other key still works; an outsider's sample answer is exactly a missing sample's.
    with b.client(owner_key) as http:
        assert http.get(f"/samples/{uuid}/").status_code == 200
    with b.client(outsider_key) as http:
        hidden = http.get(f"/samples/{uuid}/")
        missing = http.get("/samples/00000000-0000-0000-0000-000000000000/")
    assert hidden.status_code == missing.status_code == 404
    assert {k: v for k, v in hidden.json().items() if k != "request_id"} == \
        {k: v for k, v in missing.json().items() if k != "request_id"}
