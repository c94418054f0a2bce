"""The single-item paths addressed by sample uuid (``/samples/{uuid}/``, ``/labels/{uuid}/{labelset}/``): the
caller's role is resolved in one statement there, so the permission matrix is checked again on these paths; and
the one-statement label upsert (201 created / 200 replaced, unknown labelset, who created/updated/reviewed)."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

import pytest
from server.samples.payloads import TASK_ATTRIBUTES, label_attributes, sample_attributes
from support import unique

ROLES = ["labeler", "reviewer", "manager", "admin"]
# role -> what it may do on a sample (literal: read < label < review < manage)
ALLOWED = {
    "owner": {"read", "label", "review", "manage"},
    "admin": {"read", "label", "review", "manage"},
    "manager": {"read", "label", "review", "manage"},
    "reviewer": {"read", "label", "review"},
    "labeler": {"read", "label"},
    "public-viewer": {"read"},
    "outsider": set(),
}
ACTIONS = ["read", "label", "review", "manage"]
IMAGE = sample_attributes("vector")


@pytest.fixture(scope="module")
def world(app):
    owner, owner_key = app.create_user(unique("owner"))
    keys = {"owner": owner_key}
    members, collaborators = {}, {}
    for role in ROLES:
        collaborators[role], keys[f"collab-{role}"] = app.create_user(unique(f"c-{role}"))
        member, keys[f"org-{role}"] = app.create_user(unique(f"m-{role}"))
        members[member] = role
    _, keys["outsider"] = app.create_user(unique("out"))
    org = app.create_org(unique("org"), owner, members)
    return {"owner": owner, "org": org, "keys": keys, "collaborators": collaborators}


def _sample(app, world, *, org_owned: bool, public: bool) -> tuple[str, str]:
    with app.client(world["keys"]["owner"]) as http:
        path = f"/organizations/{world['org']}/datasets/" if org_owned else "/user/datasets/"
        r = http.post(path, json={"name": unique("sp"), "public": public, "task_type": "vector",
                                  "task_attributes": TASK_ATTRIBUTES})
        assert r.status_code == 201, r.text
        full = r.json()["full_name"]
        for role, user in world["collaborators"].items():
            assert http.post(f"/datasets/{full}/collaborators/", json={"user": user, "role": role}).status_code == 201
        r = http.post(f"/datasets/{full}/samples/", json={"name": "a", "attributes": IMAGE})
        assert r.status_code == 201, r.text
        return full, r.json()["uuid"]


def _expected_role(subject: str, *, org_owned: bool, public: bool) -> str:
    if subject == "owner":
        return "admin" if org_owned else "owner"
    kind, _, role = subject.partition("-")
    if kind == "collab" or (kind == "org" and org_owned):
        return role
    return "public-viewer" if public else "outsider"


def _do(http, action: str, uuid: str):
    if action == "read":
        return http.get(f"/samples/{uuid}/", params={"labelset": "ground-truth"})
    if action == "label":
        return http.put(f"/labels/{uuid}/ground-truth/",
                        json={"label_status": "LABELED", "attributes": label_attributes("vector")})
    if action == "review":
        return http.put(f"/labels/{uuid}/ground-truth/",
                        json={"label_status": "REVIEWED", "attributes": label_attributes("vector")})
    if action == "manage":
        return http.patch(f"/samples/{uuid}/", json={"priority": 2})
    raise AssertionError(action)


SUBJECTS = ["owner"] + [f"collab-{r}" for r in ROLES] + [f"org-{r}" for r in ROLES] + ["outsider"]


@pytest.mark.parametrize("org_owned, public", list(itertools.product([False, True], [False, True])))
def test_matrix_on_sample_paths(app, world, org_owned, public):
    _full, uuid = _sample(app, world, org_owned=org_owned, public=public)
    with app.client(world["keys"]["owner"]) as http:
        missing = http.get(f"/samples/{unique('no-such-uuid')}/").json()
    failures = []
    for subject in SUBJECTS:
        # Each subject starts from a LABELED label: a labeler may label over LABELED, never over REVIEWED
        # (labels/policy.py), and the previous subject may have left a review behind.
        with app.client(world["keys"]["owner"]) as http:
            assert _do(http, "label", uuid).status_code < 300
        role = _expected_role(subject, org_owned=org_owned, public=public)
        with app.client(world["keys"][subject]) as http:
            for action in ACTIONS:
                r = _do(http, action, uuid)
                if action in ALLOWED[role]:
                    ok = r.status_code < 300
                elif role == "outsider":
                    body = r.json()
                    ok = r.status_code == 404 and (body["detail"], body["code"]) == (missing["detail"],
                                                                                     missing["code"])
                else:
                    ok = r.status_code == 403 and "do not have permission" in r.text
                if not ok:
                    failures.append(f"{subject} ({role}) {action}: {r.status_code} {r.text[:120]}")
    assert not failures, "\n".join(failures)


def test_upsert_created_replaced_and_authors(app, world):
    full, uuid = _sample(app, world, org_owned=False, public=False)
    labeler_name = world["collaborators"]["labeler"]
    reviewer_name = world["collaborators"]["reviewer"]
    label = {"label_status": "LABELED", "attributes": label_attributes("vector"), "score": 0.25}
    with app.client(world["keys"]["collab-labeler"]) as labeler, \
            app.client(world["keys"]["collab-reviewer"]) as reviewer, \
            app.client(world["keys"]["owner"]) as owner:
        r = labeler.put(f"/labels/{uuid}/no-such-labelset/", json=label)
        assert r.status_code == 404 and "Labelset not found" in r.json()["detail"]
        assert owner.get(f"/datasets/{full}/workunits/").json() == []  # nothing recorded for the failed write
        r = labeler.put(f"/labels/{uuid}/ground-truth/", json={**label, "label_status": "VERIFIED"})
        assert r.status_code == 403
        assert labeler.get(f"/labels/{uuid}/ground-truth/").status_code == 404

        r = labeler.put(f"/labels/{uuid}/ground-truth/", json=label)
        assert r.status_code == 201, r.text
        first = r.json()
        assert (first["created_by"], first["updated_by"], first["reviewed_by"], first["score"]) == \
            (labeler_name, labeler_name, None, 0.25)
        assert first["created_at"] == first["updated_at"] and first["labelset"] == "ground-truth"

        r = reviewer.put(f"/labels/{uuid}/ground-truth/", json={**label, "label_status": "REVIEWED", "score": None})
        assert r.status_code == 200, r.text
        second = r.json()
        assert (second["created_by"], second["updated_by"], second["reviewed_by"], second["score"]) == \
            (labeler_name, reviewer_name, reviewer_name, None)
        assert second["created_at"] == first["created_at"] and second["updated_at"] > first["updated_at"]
        assert second["reviewed_at"] == second["updated_at"]

        r = labeler.put(f"/labels/{uuid}/ground-truth/", json=label)  # a labeler may not change a REVIEWED label
        assert r.status_code == 403 and "do not have permission" in r.text
        assert labeler.get(f"/labels/{uuid}/ground-truth/").json() == second
        r = reviewer.put(f"/labels/{uuid}/ground-truth/", json=label)  # not a review: the review stays recorded
        assert r.status_code == 200
        third = r.json()
        assert (third["updated_by"], third["reviewed_by"], third["reviewed_at"]) == \
            (reviewer_name, reviewer_name, second["reviewed_at"])
        assert labeler.get(f"/labels/{uuid}/ground-truth/").json() == third
        sample = owner.get(f"/samples/{uuid}/", params={"labelset": "ground-truth"}).json()
        assert sample["label"] == third and sample["uuid"] == uuid and sample["dataset_full_name"] == full
        assert owner.get(f"/samples/{uuid}/", params={"labelset": "nope"}).json()["label"] is None
        assert "label" not in owner.get(f"/samples/{uuid}/").json()

        r = reviewer.patch(f"/labels/{uuid}/ground-truth/", json={"score": 0.5})
        assert r.status_code == 200 and r.json()["score"] == 0.5 and r.json()["label_status"] == "LABELED"
        assert r.json()["created_at"] == first["created_at"] and r.json()["updated_by"] == reviewer_name
        works = owner.get(f"/datasets/{full}/workunits/", params={"sort": "created_at"}).json()
        assert sorted(w["next_label_status"] for w in works) == ["LABELED", "LABELED", "LABELED", "REVIEWED"]
        assert {w["sample_uuid"] for w in works} == {uuid} and {w["labelset"] for w in works} == {"ground-truth"}


def test_concurrent_creates_of_one_label(app, world):
    full, uuid = _sample(app, world, org_owned=False, public=False)
    label = {"label_status": "LABELED", "attributes": label_attributes("vector")}

    def put(_: int) -> int:
        with app.client(world["keys"]["owner"]) as http:
            return http.put(f"/labels/{uuid}/ground-truth/", json=label).status_code

    with ThreadPoolExecutor(4) as pool:
        codes = sorted(pool.map(put, range(8)))
    assert codes == [200] * 7 + [201]
    with app.client(world["keys"]["owner"]) as http:
        assert len(http.get(f"/datasets/{full}/workunits/").json()) == 8
        assert http.get(f"/datasets/{full}/samples/", params={"labelset": "ground-truth"}).json()[0]["label"][
            "label_status"] == "LABELED"
