"""Sign-in request and response bodies."""

from __future__ import annotations

from pydantic import BaseModel, Field


class LoginRequest(BaseModel):
    """Either ``username`` and ``password``, or ``api_key``."""

    username: str | None = Field(default=None, max_length=150)
    password: str | None = Field(default=None, max_length=1024)
    api_key: str | None = Field(default=None, max_length=200)


class SessionPublic(BaseModel):
    """The signed-in user, and the token every cookie-authenticated write must send as ``X-CSRF-Token``."""

    username: str
    csrf_token: str
