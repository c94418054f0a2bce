"""A request body is parsed once: the plumbing middleware's strict parse is the one routes use (``parse_json``).
Starlette's ``Request.body()`` hands routes a copy of the replayed bytes, which used to miss the reuse and parse
every JSON body twice (a bulk import paid for two parses of each 1,000-sample body)."""

from __future__ import annotations

import labelhouse_server.http as plumbing
from support import CountingApp, unique


def test_each_json_body_is_parsed_once(app, tmp_path, monkeypatch):
    # the fixture's app gives the database and the user; the requests go to a second app on that database
    _, key = app.create_user(unique("p"))
    counting = CountingApp(app, tmp_path)
    parses: list[int] = []
    real = plumbing.strict_json

    def spy(raw: bytes):
        parses.append(len(raw))
        return real(raw)

    monkeypatch.setattr(plumbing, "strict_json", spy)
    try:
        r = counting.request("POST", "/user/datasets/", key, json={"name": unique("d"), "task_type": "vector"})
        assert r.status_code == 201, r.text
        assert len(parses) == 1
        full = r.json()["full_name"]
        parses.clear()
        items = [{"name": f"s{i}", "attributes": {"image": {"url": f"https://example.com/{i}.jpg"}}}
                 for i in range(50)]
        r = counting.request("POST", f"/datasets/{full}/samples_bulk/", key, json=items)
        assert r.status_code == 201, r.text
        assert len(r.json()) == 50
        assert len(parses) == 1
    finally:
        counting.close()
