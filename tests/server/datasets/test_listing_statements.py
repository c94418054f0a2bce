"""``GET /user/datasets/`` runs a constant number of SQL statements per page, whatever the number of datasets on
it (it used to run ~5 per dataset), and still renders each dataset's counts and the caller's role correctly.

The statements are counted on a second in-process app built on the ``app`` fixture's database (same code, same
real database, no job runner polling; the engine's ``before_cursor_execute`` event sees every statement the
listing runs)."""

from __future__ import annotations

from server.samples.payloads import TASK_ATTRIBUTES, label_attributes, sample_attributes
from support import CountingApp, unique


def test_listing_runs_constant_statements_per_page(app, tmp_path):
    me, key = app.create_user(unique("me"))
    other, other_key = app.create_user(unique("other"))
    org = app.create_org(unique("org"), other, {me: "reviewer"})
    counting = CountingApp(app, tmp_path)

    def count() -> tuple[int, list[dict]]:
        r = counting.request("GET", "/user/datasets/?per_page=1000", key)
        assert r.status_code == 200, r.text
        return len(counting.statements), r.json()

    with app.client(key) as http, app.client(other_key) as theirs:
        def make(owner_http, path: str, samples: int) -> str:
            full = owner_http.post(path, json={"name": unique("d"), "task_type": "vector",
                                               "task_attributes": TASK_ATTRIBUTES}).json()["full_name"]
            for i in range(samples):
                uuid = owner_http.post(f"/datasets/{full}/samples/", json={
                    "name": f"s{i}", "attributes": sample_attributes("vector")}).json()["uuid"]
                if i % 2 == 0:
                    assert owner_http.put(f"/labels/{uuid}/ground-truth/", json={
                        "attributes": label_attributes("vector"), "label_status": "LABELED"}).status_code == 201
            return full

        first = make(http, "/user/datasets/", 3)
        few, _ = count()
        shared = make(theirs, "/user/datasets/", 1)
        assert theirs.post(f"/datasets/{shared}/collaborators/", json={"user": me, "role": "labeler"}).status_code \
            == 201
        org_full = make(theirs, f"/organizations/{org}/datasets/", 2)
        for _ in range(12):
            make(http, "/user/datasets/", 1)
        many, listing = count()
    counting.close()

    assert len(listing) == 15
    assert many == few, f"{few} statements for 1 dataset, {many} for 15"
    assert many <= 12
    by_name = {d["full_name"]: d for d in listing}
    assert by_name[first]["samples_count"] == 3
    assert by_name[first]["label_stats"] == {"LABELED": 2, "UNLABELED": 1, "TOTAL": 3}
    assert by_name[first]["role"] == "admin"
    assert by_name[shared]["role"] == "labeler" and by_name[shared]["collaborators_count"] == 1
    assert by_name[org_full]["role"] == "reviewer" and by_name[org_full]["samples_count"] == 2
    assert [ls["name"] for ls in by_name[first]["labelsets"]] == ["ground-truth"]
