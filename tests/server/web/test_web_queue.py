"""The label and review queues: order, reservations (two labelers never get the same sample, also when they
ask at the same moment), permissions. The app in-process, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from support import InProcessApp, unique


@pytest.fixture
def project(app: InProcessApp):
    """A bboxes dataset of 6 samples owned by a manager, with labelers and a reviewer as collaborators."""
    owner, owner_key = app.create_user()
    labelers = [app.create_user() for _ in range(4)]
    reviewer = app.create_user()
    ds = unique("ds")
    with app.client(owner_key) as c:
        assert c.post("/user/datasets/", json={"name": ds, "task_type": "bboxes"}).status_code == 201
        for user, _ in labelers:
            assert c.post(f"/datasets/{owner}/{ds}/collaborators/", json={"user": user, "role": "labeler"}).status_code == 201
        assert c.post(f"/datasets/{owner}/{ds}/collaborators/",
                      json={"user": reviewer[0], "role": "reviewer"}).status_code == 201
        uuids = {}
        for i, prio in enumerate([0, 5, 0, 1, 0, 0]):
            r = c.post(f"/datasets/{owner}/{ds}/samples/", json={
                "name": f"s{i}.jpg", "priority": prio, "attributes": {"image": {"url": f"https://example.com/{i}.jpg"}}})
            assert r.status_code == 201, r.text
            uuids[f"s{i}.jpg"] = r.json()["uuid"]
    return {"owner": owner, "owner_key": owner_key, "ds": ds, "labelers": labelers, "reviewer": reviewer,
            "uuids": uuids, "names": {v: k for k, v in uuids.items()}}


def ask(app: InProcessApp, key: str, p: dict, mode: str = "label", **extra) -> str | None:
    with app.client(key) as c:
        r = c.post(f"/datasets/{p['owner']}/{p['ds']}/queue/", json={"mode": mode, **extra})
    assert r.status_code == 200, r.text
    return r.json()["sample_uuid"]


def put_label(app: InProcessApp, key: str, uuid: str, status: str) -> None:
    with app.client(key) as c:
        r = c.put(f"/labels/{uuid}/ground-truth/", json={
            "label_status": status, "attributes": {"format_version": "0.1", "annotations": []}})
    assert r.status_code in (200, 201), r.text


def test_queue_order_is_priority_then_name_and_reservations_keep_labelers_apart(app, project):
    p = project
    (_, a_key), (_, b_key) = p["labelers"][:2]
    first = ask(app, a_key, p)
    assert p["names"][first] == "s1.jpg"  # priority 5
    # asking again (a reload) gives the same sample back: it is reserved for a
    assert ask(app, a_key, p) == first
    second = ask(app, b_key, p)
    assert p["names"][second] == "s3.jpg"  # priority 1; s1 is a's
    # a moves on (exclude the one they leave): next by name among priority 0, s0; s1 goes back to the queue
    third = ask(app, a_key, p, exclude=[first])
    assert p["names"][third] == "s0.jpg"
    assert p["names"][ask(app, p["labelers"][2][1], p)] == "s1.jpg"


def test_simultaneous_requests_never_share_a_sample(app, project):
    p = project
    keys = [k for _, k in p["labelers"]] + [p["owner_key"]]
    with ThreadPoolExecutor(len(keys)) as pool:
        got = list(pool.map(lambda k: ask(app, k, p), keys))
    assert None not in got
    assert len(set(got)) == len(got) == 5


def test_in_progress_then_rejected_come_first_and_done_samples_leave_the_queue(app, project):
    p = project
    a_key = p["labelers"][0][1]
    u = p["uuids"]
    put_label(app, a_key, u["s5.jpg"], "LABELED")
    # the reviewer takes it from the review queue and rejects it: their reservation must not keep it from a
    assert ask(app, p["reviewer"][1], p, mode="review") == u["s5.jpg"]
    put_label(app, p["reviewer"][1], u["s5.jpg"], "REJECTED")
    put_label(app, a_key, u["s4.jpg"], "LABELING_IN_PROGRESS")
    put_label(app, a_key, u["s2.jpg"], "LABELED")
    assert p["names"][ask(app, a_key, p)] == "s4.jpg"
    assert p["names"][ask(app, a_key, p, exclude=[u["s4.jpg"]])] == "s5.jpg"
    # another labeler: neither a's in-progress nor a's rejected sample, nor the labeled one
    other = ask(app, p["labelers"][1][1], p)
    assert p["names"][other] == "s1.jpg"


def test_review_queue_hands_out_labeled_samples_to_reviewers_only(app, project):
    p = project
    a_key = p["labelers"][0][1]
    assert ask(app, p["reviewer"][1], p, mode="review") is None
    put_label(app, a_key, p["uuids"]["s2.jpg"], "LABELED")
    assert ask(app, p["reviewer"][1], p, mode="review") == p["uuids"]["s2.jpg"]
    with app.client(a_key) as c:
        r = c.post(f"/datasets/{p['owner']}/{p['ds']}/queue/", json={"mode": "review"})
    assert r.status_code == 403


def test_queue_of_an_invisible_dataset_answers_like_a_missing_one(app, project):
    p = project
    _, stranger_key = app.create_user()
    with app.client(stranger_key) as c:
        hidden = c.post(f"/datasets/{p['owner']}/{p['ds']}/queue/", json={"mode": "label"})
        missing = c.post(f"/datasets/{p['owner']}/{unique('nope')}/queue/", json={"mode": "label"})
        bad = c.post(f"/datasets/{p['owner']}/{p['ds']}/queue/", json={"mode": "dance"})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"] == missing.json()["detail"]
    assert bad.status_code in (400, 404, 422)
    with app.client(p["owner_key"]) as c:
        r = c.post(f"/datasets/{p['owner']}/{p['ds']}/queue/", json={"mode": "dance"})
        assert r.status_code in (400, 422) and "mode" in r.text
        r = c.post(f"/datasets/{p['owner']}/{p['ds']}/queue/", json={"mode": "label", "labelset": "nope"})
        assert r.status_code == 404 and "nope" in r.json()["detail"]
