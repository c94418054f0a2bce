"""``/user``, ``/users/{username}``, ``/organizations/...`` and ``/api_status/``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ..contract import WRITE_ERRORS
from ..db.transaction import write_transaction
from ..deps import DB, CurrentUser
from ..http import route
from ..routing import Routes
from . import service
from .deps import OrgAdmin, OrgMember
from .schemas import AccountPublic, ApiStatus, CurrentUserPublic, MemberPublic, user_public

router = Routes(tags=["users"])


@route(router, "/api_status/", ["GET"], model=ApiStatus, errors=(400, 401),
       summary="Check the API key (called by SDK construction)")
def api_status(user: CurrentUser, lib_version: str | None = None) -> dict[str, Any]:
    return {"status": "ok", "user": user.username}


@route(router, "/user", ["GET"], model=CurrentUserPublic, errors=(401,), summary="The authenticated user")
def get_current_user(user: CurrentUser, session: DB) -> dict[str, Any]:
    out = user_public(user, include_email=True)
    out["organizations"] = [
        {**user_public(org), "organization_role": role} for org, role in service.memberships(session, user)
    ]
    return out


@route(router, "/users/{username}", ["GET"], model=AccountPublic, summary="A user or organization by name")
def get_user(username: str, user: CurrentUser, session: DB) -> dict[str, Any]:
    account = service.get_account(session, username)
    out = user_public(account, include_email=account.id == user.id)
    if account.is_organization:
        role = service.member_role(session, account.id, user.id)
        if role is not None:
            out["organization_role"] = role
            out["members"] = [user_public(m) for m, _ in service.members(session, account)]
    return out


class MemberIn(BaseModel):
    user: str = Field(description="Username of the member")
    role: str = Field(default="labeler", description="labeler, reviewer, manager or admin")


@route(router, "/organizations/{org}/members/", ["GET"], model=list[MemberPublic],
       summary="Members of an organization")
def list_members(oacc: OrgMember, session: DB) -> list[dict[str, Any]]:
    return [{"user": user_public(m), "role": r} for m, r in service.members(session, oacc.organization)]


@route(router, "/organizations/{org}/members/", ["POST"], model=MemberPublic, errors=WRITE_ERRORS,
       status_code=201, summary="Add or update a member")
def add_member(oacc: OrgAdmin, body: MemberIn, session: DB) -> dict[str, Any]:
    member = service.get_account(session, body.user)
    with write_transaction(session):
        service.set_member(session, oacc.organization, member, body.role)
    return {"user": user_public(member), "role": body.role}


@route(router, "/organizations/{org}/members/{username}", ["DELETE"], errors=WRITE_ERRORS, status_code=204,
       summary="Remove a member")
def delete_member(oacc: OrgAdmin, username: str, session: DB) -> None:
    member = service.get_account(session, username)
    with write_transaction(session):
        service.remove_member(session, oacc.organization, member)
