"""Group commit of label PUTs (issue 16, ``db.group``): concurrent PUTs of the fast lane share one write transaction
and one COMMIT on SQLite, each in a savepoint of its own and answered after that COMMIT. A PUT that fails (bad
body, no such labelset, a revoked key) changes nothing and leaves the others of its group committed. PostgreSQL
(no groups: each PUT its own transaction) must answer the same."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from support import unique

TASK = {"format_version": "0.1", "categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "person"}]}
IMAGE = {"image": {"url": "https://example.com/a.png"}}


def _box(n: int) -> dict[str, Any]:
    return {"format_version": "0.1", "annotations": [{"id": 1, "category_id": 1, "type": "bbox",
                                                     "points": [[n, 1], [n + 5, 5]]}]}


def _samples(http: httpx.Client, n: int) -> list[str]:
    ds = http.post("/user/datasets/", json={"name": unique("ds"), "task_type": "vector",
                                            "task_attributes": TASK}).json()["full_name"]
    r = http.post(f"/datasets/{ds}/samples_bulk/", json=[{"name": unique("s"), "attributes": IMAGE}
                                                         for _ in range(n)])
    assert r.status_code in (200, 201), r.text
    page = http.get(f"/datasets/{ds}/samples/", params={"per_page": n}).json()
    return [s["uuid"] for s in page]


def _concurrently(app: Any, requests: list[tuple[str, str, Any]]) -> list[httpx.Response]:
    """``requests`` (key, path, JSON body) as PUTs sent at once, on the app's own event loop."""

    async def send() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app.app)
        async with httpx.AsyncClient(transport=transport, base_url=app.url) as http:
            return list(await asyncio.gather(*(
                http.put(path, json=body, headers={"Authorization": f"APIKey {key}"})
                for key, path, body in requests)))

    return app.portal.call(send)


def _groups(app: Any) -> tuple[int, int]:
    groups = app.app.state.write_groups
    return (groups.commits, groups.members) if groups is not None else (0, 0)


def test_concurrent_puts_share_a_commit_and_a_failing_one_changes_nothing(app):
    _, key = app.create_user()
    with app.client(key) as http:
        uuids = _samples(http, 10)
        before = _groups(app)
        good = [(key, f"/labels/{u}/ground-truth/", {"label_status": "LABELED", "attributes": _box(i)})
                for i, u in enumerate(uuids[:8])]
        bad = [(key, f"/labels/{uuids[8]}/ground-truth/", {"label_status": "LABELED"}),  # no attributes: 400
               (key, f"/labels/{uuids[9]}/no-such-labelset/", {"attributes": _box(0)})]  # 404
        answers = _concurrently(app, good[:4] + bad[:1] + good[4:6] + bad[1:] + good[6:])
        statuses = [r.status_code for r in answers]
        assert statuses == [201] * 4 + [400] + [201] * 2 + [404] + [201] * 2, [r.text for r in answers]
        for i, u in enumerate(uuids[:8]):
            r = http.get(f"/labels/{u}/ground-truth/")
            assert r.status_code == 200 and r.json()["attributes"] == _box(i), r.text
            assert len(http.get(f"/labels/{u}/ground-truth/history/").json()) == 1
        for u in uuids[8:]:
            assert http.get(f"/labels/{u}/ground-truth/").status_code == 404
            assert http.get(f"/labels/{u}/ground-truth/history/").status_code == 404  # no revision
        commits, members = (a - b for a, b in zip(_groups(app), before, strict=True))
        if app.backend == "sqlite":
            assert members == 8  # the failed PUTs are no members: they were answered before any commit
            assert commits < members  # shared: 8 PUTs sent at once did not take 8 commits


def test_a_revoked_key_is_refused_beside_a_group(app):
    _, key = app.create_user()
    with app.client(key) as http:
        uuids = _samples(http, 4)
    _, other = app.create_user()
    with app.client(other) as revoked:
        other_id = revoked.get("/user/api-keys/").json()[0]["id"]
        assert revoked.delete(f"/user/api-keys/{other_id}").status_code in (200, 204)
    with app.client(key) as http:
        answers = _concurrently(app, [
            (key, f"/labels/{uuids[0]}/ground-truth/", {"attributes": _box(1)}),
            (other, f"/labels/{uuids[1]}/ground-truth/", {"attributes": _box(2)}),
            (key, f"/labels/{uuids[2]}/ground-truth/", {"attributes": _box(3)}),
            (other, f"/labels/{uuids[3]}/ground-truth/", {"attributes": _box(4)})])
        assert [r.status_code for r in answers] == [201, 401, 201, 401], [r.text for r in answers]
        assert http.get(f"/labels/{uuids[0]}/ground-truth/").json()["attributes"] == _box(1)
        assert http.get(f"/labels/{uuids[2]}/ground-truth/").json()["attributes"] == _box(3)
        for u in (uuids[1], uuids[3]):
            assert http.get(f"/labels/{u}/ground-truth/").status_code == 404
            assert http.get(f"/labels/{u}/ground-truth/history/").status_code == 404  # no revision
