"""A listing read with an API key (``db.sql.PlainReads``, no ``Session``: ``samples/routes.py``) names every user on
its page, however many: more than the six ids of a single sample's prebuilt lookup (``lookups.usernames``) are
read in one array statement. The Python shaping (PostgreSQL, full labels) and the page written by SQLite must both
name the samples' creators, assignees and the labels' writers."""

from __future__ import annotations

from server.samples.payloads import TASK_ATTRIBUTES, label_attributes, sample_attributes
from support import unique

USERS = 8


def test_a_page_names_more_users_than_one_sample_has(app):
    _, owner_key = app.create_user(unique("owner"))
    users = [app.create_user(unique(f"u{i}")) for i in range(USERS)]
    with app.client(owner_key) as http:
        r = http.post("/user/datasets/", json={"name": unique("names"), "task_type": "vector",
                                               "task_attributes": TASK_ATTRIBUTES})
        assert r.status_code == 201, r.text
        full = r.json()["full_name"]
        for name, _ in users:
            r = http.post(f"/datasets/{full}/collaborators/", json={"user": name, "role": "manager"})
            assert r.status_code == 201, r.text
    expected = {}
    for i, (name, key) in enumerate(users):
        assignee = users[(i + 1) % USERS][0]
        with app.client(key) as http:
            r = http.post(f"/datasets/{full}/samples/", json={
                "name": f"s{i}", "attributes": sample_attributes("vector"), "assigned_labeler": assignee})
            assert r.status_code == 201, r.text
        reviewer, reviewer_key = users[(i + 2) % USERS]
        with app.client(reviewer_key) as http:
            r = http.put(f"/labels/{r.json()['uuid']}/ground-truth/", json={
                "attributes": label_attributes("vector"), "label_status": "REVIEWED"})
            assert r.status_code == 201, r.text
        expected[f"s{i}"] = (name, assignee, reviewer)
    with app.client(owner_key) as http:
        for query in ("?labelset=ground-truth", "?labelset=ground-truth&include_full_label=1"):
            r = http.get(f"/datasets/{full}/samples/{query}")
            assert r.status_code == 200, r.text
            listed = {s["name"]: (s["created_by"], s["assigned_labeler"], s["label"]["created_by"])
                      for s in r.json()}
            assert listed == expected, query
