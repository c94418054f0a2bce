"""§2.1 users, organization, roles (and the empty ``iamIntegrations`` the SDK asks for on create_dataset)."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType, QueryType

from ...catalog import orgs
from ...db import Account
from ...db.transaction import write_transaction
from .. import ids
from ..context import ctx
from ..errors import InvalidInput, Unauthorized
from ..where import where_sdl

USER_FIELDS = {"id": "ID", "email": "String", "nickname": "String", "name": "String", "createdAt": "DateTime",
               "updatedAt": "DateTime", "lastLoginAt": "DateTime", "isViewer": "Boolean",
               "isExternalUser": "Boolean", "picture": "String"}
EXTRA_SDL = where_sdl("User", USER_FIELDS, deletable=False)

# Labelbox's organization roles, by our membership role. Ids are fixed (no rows); the SDK upper-cases names.
ROLE_NAMES = {"none": "None", "labeler": "Labeler", "reviewer": "Reviewer", "manager": "Team Manager",
              "admin": "Admin"}
ROLE_IDS = {role: ids.fixed("user", f"role:{role}") for role in ROLE_NAMES}
ROLE_BY_ID = {rid: role for role, rid in ROLE_IDS.items()}

query = QueryType()
mutation = ObjectType("Mutation")
user_type = ObjectType("User")
organization_type = ObjectType("Organization")


def role_public(role: str) -> dict[str, Any]:
    role = "admin" if role == "owner" else role
    return {"id": ROLE_IDS[role], "name": ROLE_NAMES[role]}


def user_public(account: Account, role: str | None = None) -> dict[str, Any]:
    return {"id": ids.encode("user", account.id), "createdAt": account.created_at, "updatedAt": account.created_at,
            "email": account.email, "isExternalUser": False, "isViewer": False, "lastLoginAt": None,
            "nickname": account.username, "name": account.username, "picture": None,
            "_account": account, "_role": role}


def organization_public(scope: orgs.OrgScope) -> dict[str, Any]:
    org = scope.org
    name = f"{org.username}'s organization" if scope.personal else org.username
    return {"id": ids.encode("organization", org.id), "name": name, "createdAt": org.created_at,
            "updatedAt": org.created_at}


def _members(info: Any) -> list[dict[str, Any]]:
    c = ctx(info)
    if "members" not in c.cache:
        c.cache["members"] = [user_public(u, r) for u, r in orgs.org_members(c.session, c.scope)]
    return c.cache["members"]


def _filter_users(users: list[dict[str, Any]], where: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The organization has few members: filter in Python with the same operators as ``where.compile_where``."""
    if not where:
        return users
    def matches(u: dict[str, Any], w: dict[str, Any]) -> bool:
        for key, value in w.items():
            if key == "AND":
                if not all(matches(u, x) for x in value or []):
                    return False
            elif key == "OR":
                if not any(matches(u, x) for x in value or []):
                    return False
            elif key == "NOT":
                if all(matches(u, x) for x in value or []):
                    return False
            elif key.endswith("_in"):
                if u.get(key[:-3]) not in (value or []):
                    return False
            elif key.endswith("_not"):
                if u.get(key[:-4]) == value:
                    return False
            elif key.endswith("_contains"):
                if value not in (u.get(key[:-9]) or ""):
                    return False
            elif key in USER_FIELDS:
                if u.get(key) != value:
                    return False
            else:
                raise InvalidInput(f"Filtering users on '{key}' is not supported.")
        return True

    return [u for u in users if matches(u, where)]


def _page(items: list[Any], skip: int | None, first: int | None) -> list[Any]:
    start = skip or 0
    return items[start:start + first] if first is not None else items[start:]


@query.field("user")
def resolve_user(_: Any, info: Any, where: dict[str, Any] | None = None) -> dict[str, Any] | None:
    c = ctx(info)
    if where is None:
        return user_public(c.user, c.scope.role)
    for member in _members(info):
        if member["id"] == where.get("id"):
            return member
    return None


@query.field("organization")
def resolve_organization(_: Any, info: Any) -> dict[str, Any]:
    return organization_public(ctx(info).scope)


@query.field("users")
def resolve_users(_: Any, info: Any, where: dict[str, Any] | None = None, skip: int | None = None,
                  first: int | None = None, orderBy: str | None = None) -> list[dict[str, Any]]:
    return _page(_filter_users(_members(info), where), skip, first)


@organization_type.field("users")
def resolve_organization_users(_: Any, info: Any, where: dict[str, Any] | None = None, skip: int | None = None,
                               first: int | None = None, orderBy: str | None = None) -> list[dict[str, Any]]:
    return _page(_filter_users(_members(info), where), skip, first)


@query.field("roles")
def resolve_roles(*_: Any) -> list[dict[str, Any]]:
    return [{"id": ROLE_IDS[role], "name": name} for role, name in ROLE_NAMES.items()]


@query.field("iamIntegrations")
def resolve_iam_integrations(*_: Any) -> list[Any]:
    return []  # cloud-bucket delegated access is out of scope (contract §5): create_dataset then skips it


@user_type.field("orgRole")
def resolve_org_role(user: dict[str, Any], info: Any) -> dict[str, Any] | None:
    role = user.get("_role")
    return role_public(role) if role else None


@user_type.field("organization")
def resolve_user_organization(_: dict[str, Any], info: Any) -> dict[str, Any]:
    return organization_public(ctx(info).scope)


@mutation.field("setOrganizationRole")
def resolve_set_organization_role(_: Any, info: Any, data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    if not c.scope.can_administer() or c.scope.personal:
        raise Unauthorized("Only an admin of an organization may change its members' roles.")
    target = next((m for m in _members(info) if m["id"] == data.get("userId")), None)
    role = ROLE_BY_ID.get(data.get("roleId", ""))
    if target is None:
        raise Unauthorized("That user is not a member of your organization.")
    if role is None:
        raise InvalidInput(f"Unknown role id '{data.get('roleId')}'; see the `roles` query.")
    with write_transaction(c.session):
        orgs.set_role(c.session, c.scope, target["_account"], role)
    return user_public(target["_account"], None if role == "none" else role)


BINDABLES = [query, mutation, user_type, organization_type]
__all__ = ["BINDABLES", "EXTRA_SDL", "user_public"]
