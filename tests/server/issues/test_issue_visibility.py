"""An issue the caller may not see answers exactly like a missing one (status and body, apart from the request
id), on PATCH and DELETE."""

from __future__ import annotations

import uuid

from server.samples.payloads import TASK_ATTRIBUTES, sample_attributes
from support import unique


def _strip(body: dict) -> dict:
    return {k: v for k, v in body.items() if k != "request_id"}


def test_invisible_issue_answers_like_a_missing_one(app):
    _, owner_key = app.create_user(unique("owner"))
    _, outsider_key = app.create_user(unique("outsider"))
    with app.client(owner_key) as owner:
        full = owner.post("/user/datasets/", json={"name": unique("iv"), "task_type": "vector",
                                                   "task_attributes": TASK_ATTRIBUTES}).json()["full_name"]
        sample = owner.post(f"/datasets/{full}/samples/", json={"name": "s", "attributes":
                                                                 sample_attributes("vector")}).json()["uuid"]
        issue = owner.post(f"/samples/{sample}/issues/", json={"description": "d"}).json()["uuid"]
    with app.client(outsider_key) as http:
        for method, kwargs in (("PATCH", {"json": {"status": "CLOSED"}}), ("DELETE", {})):
            hidden = http.request(method, f"/issues/{issue}/", **kwargs)
            missing = http.request(method, f"/issues/{uuid.uuid4()}/", **kwargs)
            assert hidden.status_code == missing.status_code == 404
            assert _strip(hidden.json()) == _strip(missing.json())
    with app.client(owner_key) as owner:  # untouched
        assert owner.get(f"/datasets/{full}/issues/").json()[0]["status"] == "OPEN"
