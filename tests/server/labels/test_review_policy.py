"""The label review rule (``labels/policy.py``) on every transition, by role, through PUT, PATCH and DELETE.

The expectation is written out literally here, not derived from the server's function: a labeler may not set a
review decision (REVIEWED, REJECTED, VERIFIED), may not change or delete an accepted label (REVIEWED, VERIFIED)
and may not delete a REJECTED one; reviewers and above may do every transition."""

from __future__ import annotations

from typing import Any

import pytest
from labelhouse_server.labels.policy import may_write
from server.samples.payloads import TASK_ATTRIBUTES, label_attributes, sample_attributes
from support import unique

STATUSES = ["PRELABELED", "LABELING_IN_PROGRESS", "LABELED", "REVIEWING_IN_PROGRESS", "SKIPPED", "REJECTED",
            "REVIEWED", "VERIFIED"]
OLD = [None, *STATUSES]   # None: no label yet
NEW = [*STATUSES, None]   # None: delete


def labeler_may(old: str | None, new: str | None) -> bool:
    if new in ("REVIEWED", "REJECTED", "VERIFIED"):
        return False
    if old in ("REVIEWED", "VERIFIED"):
        return False
    return not (new is None and old == "REJECTED")


EXPECTED = {
    "viewer": lambda old, new: False,
    "labeler": labeler_may,
    "reviewer": lambda old, new: True,
    "manager": lambda old, new: True,
    "admin": lambda old, new: True,
    "owner": lambda old, new: True,
}


def test_may_write_matches_the_documented_rule_for_every_role_and_transition():
    wrong = [(role, old, new) for role, rule in EXPECTED.items() for old in OLD for new in NEW
             if may_write(role, old, new) != rule(old, new)]
    assert not wrong


@pytest.fixture(scope="module")
def world(app) -> dict[str, Any]:
    _, owner_key = app.create_user(unique("owner"))
    keys = {"owner": owner_key}
    with app.client(owner_key) as http:
        full = http.post("/user/datasets/", json={"name": unique("rp"), "task_type": "vector",
                                                  "task_attributes": TASK_ATTRIBUTES}).json()["full_name"]
        for role in ("labeler", "reviewer", "manager"):
            name, keys[role] = app.create_user(unique(role))
            assert http.post(f"/datasets/{full}/collaborators/", json={"user": name, "role": role}).status_code == 201
        samples = {}
        for role in keys:
            r = http.post(f"/datasets/{full}/samples/", json={"name": unique("s"),
                                                              "attributes": sample_attributes("vector")})
            samples[role] = r.json()["uuid"]
    return {"keys": keys, "samples": samples, "full": full}


def _set_old(owner, path: str, old: str | None) -> None:
    if old is None:
        owner.delete(path)
        assert owner.get(path).status_code == 404
    else:
        r = owner.put(path, json={"attributes": label_attributes("vector"), "label_status": old})
        assert r.status_code in (200, 201), r.text


@pytest.mark.parametrize("role", ["labeler", "reviewer", "manager", "owner"])
def test_every_transition_through_put_patch_and_delete(app, world, role):
    path = f"/labels/{world['samples'][role]}/ground-truth/"
    attrs = label_attributes("vector")
    rule = EXPECTED[role]
    failures = []
    with app.client(world["keys"]["owner"]) as owner, app.client(world["keys"][role]) as http:
        for old in OLD:
            for new in NEW:
                attempts = []
                if new is None:
                    attempts.append(("DELETE", lambda: http.delete(path)))
                else:
                    attempts.append(("PUT", lambda new=new: http.put(path, json={"attributes": attrs,
                                                                                "label_status": new})))
                    if old is not None:
                        attempts.append(("PATCH", lambda new=new: http.patch(path, json={"label_status": new})))
                        if new == old:  # a write that keeps the status: attributes only
                            attempts.append(("PATCH attributes", lambda: http.patch(path, json={"attributes": attrs})))
                for method, call in attempts:
                    _set_old(owner, path, old)
                    r = call()
                    if old is None and new is None:
                        ok = r.status_code == 404  # nothing to delete
                    elif rule(old, new):
                        ok = r.status_code in (200, 201, 204)
                        after = owner.get(path)
                        ok = ok and (after.status_code == 404 if new is None
                                     else after.json()["label_status"] == new)
                    else:
                        after = owner.get(path)
                        unchanged = after.status_code == 404 if old is None else after.json()["label_status"] == old
                        ok = r.status_code == 403 and "do not have permission" in r.json()["detail"] and unchanged
                    if not ok:
                        failures.append(f"{role} {method} {old} -> {new}: {r.status_code} {r.text[:100]}")
    assert not failures, "\n".join(failures)


def test_labeler_put_over_a_review_keeps_the_review(app, world):
    """The reproduction from the issue: a labeler's PUT with LABELED over a REVIEWED label used to answer 200 and
    keep the reviewer's ``reviewed_by`` on a label nobody reviewed."""
    path = f"/labels/{world['samples']['labeler']}/ground-truth/"
    with app.client(world["keys"]["reviewer"]) as reviewer, app.client(world["keys"]["labeler"]) as labeler:
        assert reviewer.put(path, json={"attributes": label_attributes("vector"),
                                        "label_status": "REVIEWED"}).status_code in (200, 201)
        r = labeler.put(path, json={"attributes": label_attributes("vector"), "label_status": "LABELED"})
        assert r.status_code == 403
        assert "may change a REVIEWED label" in r.json()["detail"]
        assert labeler.patch(path, json={"label_status": "LABELED"}).status_code == 403
        assert reviewer.get(path).json()["label_status"] == "REVIEWED"
