"""Every listing runs a constant number of SQL statements per page, whatever the number of rows on the page
(``GET /user/datasets/`` has its own test in tests/server/datasets/test_listing_statements.py): each listing is
counted with one row and again with many, on a second in-process app built on the ``app`` fixture's database."""

from __future__ import annotations

from server.samples.payloads import TASK_ATTRIBUTES, label_attributes, sample_attributes
from support import CountingApp, unique

MANY = 12


def test_every_listing_is_constant_in_statements(app, tmp_path):
    me, key = app.create_user(unique("me"))
    org = app.create_org(unique("org"), me)
    counting = CountingApp(app, tmp_path)
    with app.client(key) as http:
        full = http.post("/user/datasets/", json={"name": unique("ls"), "task_type": "vector",
                                                  "task_attributes": TASK_ATTRIBUTES}).json()["full_name"]
        http.post(f"/organizations/{org}/datasets/", json={"name": unique("o"), "task_type": "vector"})
        first = {}

        def add(n: int) -> None:
            for _ in range(n):
                sample = http.post(f"/datasets/{full}/samples/", json={
                    "name": unique("s"), "attributes": sample_attributes("vector")}).json()["uuid"]
                first.setdefault("sample", sample)
                assert http.put(f"/labels/{sample}/ground-truth/", json={
                    "attributes": label_attributes("vector"), "label_status": "LABELED"}).status_code == 201
                http.put(f"/labels/{first['sample']}/ground-truth/", json={   # history of one label grows
                    "attributes": label_attributes("vector"), "label_status": "LABELED"})
                issue = http.post(f"/samples/{sample}/issues/", json={"description": "d"}).json()["uuid"]
                first.setdefault("issue", issue)
                http.post(f"/issues/{first['issue']}/comments/", json={"text": "c"})
                http.post(f"/datasets/{full}/labelsets/", json={"name": unique("set")})
                http.post(f"/datasets/{full}/releases/", json={"name": unique("v")})
                name, _ = app.create_user(unique("c"))
                assert http.post(f"/datasets/{full}/collaborators/", json={"user": name, "role": "labeler"}
                                 ).status_code == 201
                assert http.post(f"/organizations/{org}/members/", json={"user": name, "role": "labeler"}
                                 ).status_code == 201
                http.post("/user/api-keys/", json={"name": unique("k")})
                http.post(f"/organizations/{org}/datasets/", json={"name": unique("o"), "task_type": "vector"})

        listings = [f"/datasets/{full}/samples/?labelset=ground-truth", f"/datasets/{full}/samples/",
                    f"/datasets/{full}/issues/", f"/datasets/{full}/labelsets/", f"/datasets/{full}/releases/",
                    f"/datasets/{full}/workunits/", f"/datasets/{full}/collaborators/",
                    f"/organizations/{org}/members/", "/user/api-keys/", f"/users/{org}/datasets/",
                    "/user/datasets/"]

        def counts() -> dict[str, tuple[int, int]]:
            out = {}
            for path in [*listings, f"/issues/{first['issue']}/comments/",
                         f"/labels/{first['sample']}/ground-truth/history/"]:
                r = counting.request("GET", path, key)
                assert r.status_code == 200, (path, r.text)
                out[path] = (len(counting.statements), len(r.json()))
            return out

        add(1)
        few = counts()
        add(MANY)
        many = counts()
    counting.close()
    grown = {p for p in many if many[p][1] > few[p][1]}
    assert grown == set(many), f"listings that did not grow (test set-up): {set(many) - grown}"
    changed = {p: (few[p][0], many[p][0]) for p in many if few[p][0] != many[p][0]}
    assert not changed, f"statements (few rows, many rows): {changed}"
