"""Comments on issues: ``POST /issues/{uuid}/comments/`` appends ``{text, created_by, created_at}`` (the Segments
``IssueComment``), ``GET`` lists them oldest first, and the issue's own ``comments`` shows them. Who may: labelers
and above comment, whoever reads the dataset reads them, others get the missing issue's 404."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from server.samples.payloads import TASK_ATTRIBUTES, sample_attributes
from support import unique


@pytest.fixture(scope="module")
def world(app):
    owner, owner_key = app.create_user(unique("owner"))
    labeler, labeler_key = app.create_user(unique("labeler"))
    _, reader_key = app.create_user(unique("reader"))
    with app.client(owner_key) as http:
        full = http.post("/user/datasets/", json={"name": unique("ic"), "task_type": "vector", "public": True,
                                                  "task_attributes": TASK_ATTRIBUTES}).json()["full_name"]
        assert http.post(f"/datasets/{full}/collaborators/", json={"user": labeler, "role": "labeler"}
                         ).status_code == 201
        sample = http.post(f"/datasets/{full}/samples/", json={"name": "s", "attributes":
                                                               sample_attributes("vector")}).json()["uuid"]
        private = http.post("/user/datasets/", json={"name": unique("icp"), "task_type": "vector",
                                                     "task_attributes": TASK_ATTRIBUTES}).json()["full_name"]
        psample = http.post(f"/datasets/{private}/samples/", json={"name": "s", "attributes":
                                                                   sample_attributes("vector")}).json()["uuid"]
        private_issue = http.post(f"/samples/{psample}/issues/", json={"description": "p"}).json()["uuid"]
    return {"owner": (owner, owner_key), "labeler": (labeler, labeler_key), "reader_key": reader_key,
            "full": full, "sample": sample, "private_issue": private_issue}


def test_add_and_list_comments(app, world):
    owner, owner_key = world["owner"]
    labeler, labeler_key = world["labeler"]
    with app.client(owner_key) as http:
        issue = http.post(f"/samples/{world['sample']}/issues/", json={"description": "car missing"}).json()
        assert issue["comments"] == []
        first = http.post(f"/issues/{issue['uuid']}/comments/", json={"text": "where exactly?"})
        assert first.status_code == 201, first.text
        assert first.json()["text"] == "where exactly?" and first.json()["created_by"] == owner
        assert first.json()["created_at"].endswith("Z")
    with app.client(labeler_key) as http:
        r = http.post(f"/issues/{issue['uuid']}/comments", json={"text": "left edge, frame 3 ✓"})
        assert r.status_code == 201, r.text
    with app.client(world["reader_key"]) as http:  # a public dataset: anyone reads, nobody else writes
        listed = http.get(f"/issues/{issue['uuid']}/comments/")
        assert listed.status_code == 200
        assert [(c["text"], c["created_by"]) for c in listed.json()] == [("where exactly?", owner),
                                                                        ("left edge, frame 3 ✓", labeler)]
        refused = http.post(f"/issues/{issue['uuid']}/comments/", json={"text": "me too"})
        assert refused.status_code == 403
        issues = {i["uuid"]: i for i in http.get(f"/datasets/{world['full']}/issues/").json()}
        assert issues[issue["uuid"]]["comments"] == listed.json()
    with app.client(owner_key) as http:
        assert len(http.get(f"/issues/{issue['uuid']}/comments/").json()) == 2  # the refused one was not added


def test_bad_comments_are_refused(app, world):
    _, owner_key = world["owner"]
    with app.client(owner_key) as http:
        issue = http.post(f"/samples/{world['sample']}/issues/", json={"description": "d"}).json()["uuid"]
        for body in ({}, {"text": ""}, {"text": "   "}, {"text": 5}, {"text": "x" * 10_001}, [], {"text": None}):
            r = http.post(f"/issues/{issue}/comments/", json=body)
            assert r.status_code == 400, (body, r.status_code, r.text)
            assert r.json()["field"] in ("text", "body"), r.json()
        assert http.get(f"/issues/{issue}/comments/").json() == []


def test_invisible_issue_comments_answer_like_a_missing_issue(app, world):
    with app.client(world["reader_key"]) as http:
        for method, kwargs in (("GET", {}), ("POST", {"json": {"text": "hi"}})):
            hidden = http.request(method, f"/issues/{world['private_issue']}/comments/", **kwargs)
            missing = http.request(method, f"/issues/{uuid.uuid4()}/comments/", **kwargs)
            assert hidden.status_code == missing.status_code == 404
            assert {k: v for k, v in hidden.json().items() if k != "request_id"} == \
                {k: v for k, v in missing.json().items() if k != "request_id"}


def test_concurrent_comments_are_all_kept(app, world):
    _, owner_key = world["owner"]
    with app.client(owner_key) as http:
        issue = http.post(f"/samples/{world['sample']}/issues/", json={"description": "busy"}).json()["uuid"]

    def comment(i: int) -> int:
        with app.client(owner_key) as http:
            return http.post(f"/issues/{issue}/comments/", json={"text": f"c{i}"}).status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(comment, range(24))) == {201}
    with app.client(owner_key) as http:
        texts = [c["text"] for c in http.get(f"/issues/{issue}/comments/").json()]
    assert sorted(texts) == sorted(f"c{i}" for i in range(24))
