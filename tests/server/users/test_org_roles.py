"""Organization roles, decided by one rule (``users/permissions.py``) and checked by named dependencies: member
listing needs membership, member changes need the admin role, creating an organization dataset needs manager.
A non-member gets the same 404 as for a missing organization."""

from __future__ import annotations

import pytest
from support import unique

ROLES = ("labeler", "reviewer", "manager", "admin")


@pytest.fixture(scope="module")
def org(app):
    admin, admin_key = app.create_user(unique("admin"))
    people = {"admin": admin_key}
    members = {}
    for role in ROLES[:-1]:
        name, people[role] = app.create_user(unique(role))
        members[name] = role
    _, people["outsider"] = app.create_user(unique("out"))
    return {"name": app.create_org(unique("org"), admin, members), "keys": people}


@pytest.mark.parametrize("role", [*ROLES, "outsider"])
def test_org_actions_by_role(app, org, role):
    name = org["name"]
    with app.client(org["keys"][role]) as http:
        missing = http.get(f"/organizations/{unique('nope')}/members/")
        listing = http.get(f"/organizations/{name}/members/")
        newbie, _ = app.create_user(unique("newbie"))
        add = http.post(f"/organizations/{name}/members/", json={"user": newbie, "role": "labeler"})
        remove = http.delete(f"/organizations/{name}/members/{newbie}")
        create = http.post(f"/organizations/{name}/datasets/", json={"name": unique("d")})
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    if role == "outsider":
        for r in (listing, add, remove, create):
            assert r.status_code == 404, r.text
            assert (r.json()["detail"], r.json()["code"]) == (f"Organization '{name}' not found.", "not_found")
        return
    assert listing.status_code == 200
    assert (add.status_code, remove.status_code) == ((201, 204) if role == "admin" else (403, 403))
    assert create.status_code == (201 if role in ("manager", "admin") else 403), create.text
