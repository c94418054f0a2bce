"""§2.1 through the official Labelbox SDK: user, organization, roles, members, role changes, bad keys."""

from __future__ import annotations

import pytest
from lbox.exceptions import AuthenticationError, AuthorizationError
from lbsupport import labelbox_client
from support import unique


def test_user_and_personal_organization(server, user, lb_client):
    username, _ = user
    me = lb_client.get_user()
    assert me.name == username and me.nickname == username
    assert len(me.uid) == 25 and me.uid.startswith("c")
    assert me.created_at.tzinfo is not None  # parsed as a datetime (trap 5)
    org = lb_client.get_organization()
    assert org.name == f"{username}'s organization" and len(org.uid) == 25
    assert [u.uid for u in org.users()] == [me.uid]
    assert [u.uid for u in lb_client.get_users()] == [me.uid]
    assert me.org_role().name == "Admin"


def test_roles_include_what_the_sdk_looks_up(lb_client):
    roles = lb_client.get_roles()
    assert {"NONE", "LABELER", "REVIEWER", "TEAM_MANAGER", "ADMIN"} <= set(roles)
    assert all(len(r.uid) == 25 for r in roles.values())


def test_organization_members_and_role_changes(server):
    admin, admin_key = server.create_user()
    member, member_key = server.create_user(email="m@example.com")
    org = server.create_org(unique("org"), admin, {member: "labeler"})
    client = labelbox_client(server, admin_key)
    assert client.get_organization().name == org
    users = {u.name: u for u in client.get_organization().users()}
    assert set(users) == {admin, member}
    assert users[member].email == "m@example.com"
    assert users[member].org_role().name == "Labeler"
    found = list(client.get_users(where=__import__("labelbox").User.email == "m@example.com"))
    assert [u.name for u in found] == [member]

    roles = client.get_roles()
    users[member].update_org_role(roles["REVIEWER"])
    assert users[member].org_role().name == "Reviewer"

    # a labeler/reviewer may not change roles
    member_client = labelbox_client(server, member_key)
    me = member_client.get_user()
    assert member_client.get_organization().name == org
    with pytest.raises(AuthorizationError):
        me.update_org_role(roles["ADMIN"])

    users[member].update_org_role(roles["NONE"])  # leaves the organization
    assert {u.name for u in client.get_organization().users()} == {admin}
    assert labelbox_client(server, member_key).get_organization().name == f"{member}'s organization"


def test_other_organizations_users_are_invisible(server, lb_client):
    other, _ = server.create_user()
    assert other not in {u.name for u in lb_client.get_users()}


def test_bad_key_raises_authentication_error(server):
    client = labelbox_client(server, "lh_not-a-key")
    with pytest.raises(AuthenticationError):
        client.get_user()
    with pytest.raises(AuthenticationError):
        client.get_datasets().get_one()
