"""Wire shapes of accounts (Segments ``User`` / ``Owner`` models)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ..db import Account


def user_public(account: Account, *, include_email: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "username": account.username,
        "created_at": account.created_at,
        "is_organization": bool(account.is_organization),
    }
    if include_email:
        out["email"] = account.email
    return out


def owner_public(account: Account) -> dict[str, Any]:
    return {"username": account.username, "created_at": account.created_at, "email": None}


# ---- response models (published in the OpenAPI description; the routes render the dicts above) ----------------
TIME = "UTC time, ISO 8601 (e.g. 2024-01-01T00:00:00.000000Z)"


class OwnerPublic(BaseModel):
    username: str
    created_at: str = Field(description=TIME)
    email: str | None


class UserPublic(BaseModel):
    username: str
    created_at: str = Field(description=TIME)
    is_organization: bool
    email: str | None = Field(default=None, description="Only in the caller's own account")


class OrganizationMembership(UserPublic):
    organization_role: str


class CurrentUserPublic(UserPublic):
    organizations: list[OrganizationMembership]


class AccountPublic(UserPublic):
    organization_role: str | None = Field(default=None, description="The caller's role, for an organization "
                                                                    "the caller belongs to")
    members: list[UserPublic] | None = Field(default=None, description="Members, for an organization the caller "
                                                                       "belongs to")


class MemberPublic(BaseModel):
    user: UserPublic
    role: str = Field(description="labeler, reviewer, manager or admin")


class ApiStatus(BaseModel):
    status: str
    user: str
