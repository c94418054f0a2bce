"""``/user/api-keys/`` (the caller's keys) and ``/admin/users/`` (server administrators create users)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select

from ..auth.keys import issue_key, revoke_key
from ..db import ApiKey
from ..db.transaction import write_transaction
from ..deps import DB, CurrentUser
from ..errors import Forbidden
from ..http import route
from ..routing import Routes
from ..users.schemas import TIME, UserPublic, user_public
from ..users.service import create_user

router = Routes(tags=["account"])


class ApiKeyCreate(BaseModel):
    name: str = Field(default="default", max_length=150)


class UserCreate(BaseModel):
    username: str
    email: str | None = None
    is_admin: bool = False


class ApiKeyPublic(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="The key's first characters, to tell keys apart")
    created_at: str = Field(description=TIME)
    revoked_at: str | None = Field(description=TIME)


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="The key itself, shown this once")


class UserCreated(UserPublic):
    api_key: str = Field(description="The new user's first API key, shown this once")


def _key_public(row: ApiKey) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "prefix": row.prefix, "created_at": row.created_at,
            "revoked_at": row.revoked_at}


@route(router, "/user/api-keys/", ["GET"], model=list[ApiKeyPublic], errors=(401,),
       summary="List the caller's API keys (never the keys themselves)")
def list_keys(user: CurrentUser, session: DB) -> list[dict[str, Any]]:
    rows = session.scalars(select(ApiKey).where(ApiKey.account_id == user.id).order_by(ApiKey.id))
    return [_key_public(r) for r in rows]


@route(router, "/user/api-keys/", ["POST"], model=ApiKeyCreated, errors=(400, 401, 413),
       status_code=201, summary="Issue a new API key (shown once)")
def create_key(body: ApiKeyCreate, user: CurrentUser, session: DB) -> dict[str, Any]:
    with write_transaction(session):
        row, plain = issue_key(session, user, body.name)
    return {**_key_public(row), "key": plain}


@route(router, "/user/api-keys/{key_id}", ["DELETE"], errors=(400, 401, 404),
       status_code=204, summary="Revoke one of the caller's keys")
def delete_key(key_id: str, user: CurrentUser, session: DB) -> None:
    with write_transaction(session):
        revoke_key(session, user, key_id)


@route(router, "/admin/users/", ["POST"], model=UserCreated, errors=(400, 401, 403, 413),
       status_code=201, summary="Create a user (server administrators)")
def admin_create_user(body: UserCreate, user: CurrentUser, session: DB) -> dict[str, Any]:
    if not user.is_admin:
        raise Forbidden()
    with write_transaction(session):
        account = create_user(session, body.username, body.email, is_admin=body.is_admin)
        _, plain = issue_key(session, account, "default")
    return {**user_public(account, include_email=True), "api_key": plain}
