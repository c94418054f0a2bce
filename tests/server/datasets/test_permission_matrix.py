"""The permission matrix as a test: every role x public/private x user-/organization-owned x action.

Expected outcomes are written out literally here (not derived from the server's table): an allowed action
succeeds, a visible-but-forbidden one answers 403, and an invisible dataset answers 404 with exactly the body a
non-existent dataset gets, so nothing leaks."""

from __future__ import annotations

import itertools

import pytest
from support import unique

# role -> actions it may perform (literal copy of the documented matrix in datasets/permissions.py)
ALLOWED = {
    "owner": {"read", "review", "manage", "administer", "delete"},
    "admin": {"read", "review", "manage", "administer", "delete"},
    "manager": {"read", "review", "manage"},
    "reviewer": {"read", "review"},
    "labeler": {"read"},
    "public-viewer": {"read"},
    "outsider": set(),
}
ACTIONS = ["read", "review", "manage", "administer", "delete"]
ROLES = ["labeler", "reviewer", "manager", "admin"]


def _do(http, action: str, full: str):
    if action == "read":
        return http.get(f"/datasets/{full}/")
    if action == "review":
        return http.get(f"/datasets/{full}/collaborators/")
    if action == "manage":
        return http.post(f"/datasets/{full}/labelsets/", json={"name": unique("ls"), "description": ""})
    if action == "administer":
        return http.patch(f"/datasets/{full}/", json={"description": unique("d")})
    if action == "delete":
        return http.delete(f"/datasets/{full}/")
    raise AssertionError(action)


@pytest.fixture(scope="module")
def world(app):
    """Owner, an organization with one member per role, one collaborator per role, and an outsider."""
    owner, owner_key = app.create_user(unique("owner"))
    people = {"owner": owner_key}
    members = {}
    for role in ROLES:
        collab_name, people[f"collab-{role}"] = app.create_user(unique(f"c-{role}"))
        members_name, people[f"org-{role}"] = app.create_user(unique(f"m-{role}"))
        members[members_name] = role
        people[f"_collab_user_{role}"] = collab_name
    _, people["outsider"] = app.create_user(unique("out"))
    org = app.create_org(unique("org"), owner, members)
    return {"owner": owner, "org": org, "keys": people}


def _make_dataset(app, world, *, org_owned: bool, public: bool) -> str:
    with app.client(world["keys"]["owner"]) as http:
        name = unique("pm")
        path = f"/organizations/{world['org']}/datasets/" if org_owned else "/user/datasets/"
        assert http.post(path, json={"name": name, "public": public}).status_code == 201
        full = f"{world['org'] if org_owned else world['owner']}/{name}"
        for role in ROLES:
            r = http.post(f"/datasets/{full}/collaborators/",
                          json={"user": world["keys"][f"_collab_user_{role}"], "role": role})
            assert r.status_code == 201, r.text
        return full


def _expected_role(subject: str, *, org_owned: bool, public: bool) -> str:
    if subject == "owner":
        return "admin" if org_owned else "owner"  # the org's creator is its admin
    kind, _, role = subject.partition("-")
    if kind == "collab":
        return role
    if kind == "org" and org_owned:
        return role
    return "public-viewer" if public else "outsider"


SUBJECTS = ["owner"] + [f"collab-{r}" for r in ROLES] + [f"org-{r}" for r in ROLES] + ["outsider"]


@pytest.mark.parametrize("org_owned, public", list(itertools.product([False, True], [False, True])))
def test_matrix(app, world, org_owned, public):
    shared = _make_dataset(app, world, org_owned=org_owned, public=public)
    with app.client(world["keys"]["owner"]) as http:
        missing_body = http.get(f"/datasets/{world['owner']}/{unique('nothing')}/").json()
    failures = []
    for subject in SUBJECTS:
        role = _expected_role(subject, org_owned=org_owned, public=public)
        with app.client(world["keys"][subject]) as http:
            for action in ACTIONS:
                # deletion gets its own dataset so the others survive
                full = _make_dataset(app, world, org_owned=org_owned, public=public) if action == "delete" \
                    else shared
                r = _do(http, action, full)
                if action in ALLOWED[role]:
                    ok = r.status_code < 300
                elif role == "outsider":
                    body = r.json()
                    ok = r.status_code == 404 and body["detail"] == missing_body["detail"] \
                        and body["code"] == missing_body["code"]
                else:
                    ok = r.status_code == 403 and "do not have permission" in r.text
                if not ok:
                    failures.append(f"{subject} ({role}) {action} on {'org' if org_owned else 'user'}/"
                                    f"{'public' if public else 'private'}: {r.status_code} {r.text[:120]}")
    assert not failures, "\n".join(failures)


def test_listing_does_not_leak_private_datasets(app, world):
    private = _make_dataset(app, world, org_owned=False, public=False)
    public = _make_dataset(app, world, org_owned=False, public=True)
    with app.client(world["keys"]["outsider"]) as http:
        mine = [d["full_name"] for d in http.get("/user/datasets/").json()]
        theirs = [d["full_name"] for d in http.get(f"/users/{world['owner']}/datasets/").json()]
    assert private not in mine and public not in mine
    assert public in theirs and private not in theirs
    with app.client(world["keys"]["collab-labeler"]) as http:
        mine = [d["full_name"] for d in http.get("/user/datasets/").json()]
    assert private in mine and public in mine


def test_outsider_cannot_clone_private_but_can_clone_public(app, world):
    private = _make_dataset(app, world, org_owned=False, public=False)
    public = _make_dataset(app, world, org_owned=False, public=True)
    with app.client(world["keys"]["outsider"]) as http:
        assert http.post(f"/datasets/{private}/clone/", json={"name": unique("c")}).status_code == 404
        r = http.post(f"/datasets/{public}/clone/", json={"name": unique("c")})
        assert r.status_code == 201, r.text
        assert r.json()["role"] == "admin"  # the clone belongs to the outsider


def test_cloning_a_private_dataset_needs_the_manager_role(app, world):
    """Decided in ``datasets/permissions.py``: labelers and reviewers work on a private dataset but may not take a
    copy of its samples and labels away; managers and above may. A public dataset: any reader may clone it."""
    private = _make_dataset(app, world, org_owned=False, public=False)
    public = _make_dataset(app, world, org_owned=False, public=True)
    for subject, allowed in (("collab-labeler", False), ("collab-reviewer", False), ("collab-manager", True),
                             ("collab-admin", True), ("owner", True)):
        with app.client(world["keys"][subject]) as http:
            r = http.post(f"/datasets/{private}/clone/", json={"name": unique("c"), "clone_labels": True})
            assert r.status_code == (201 if allowed else 403), (subject, r.text)
            assert http.post(f"/datasets/{public}/clone/", json={"name": unique("c")}).status_code == 201
