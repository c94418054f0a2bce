"""Users and organizations."""

from __future__ import annotations

from datetime import datetime

from ._base import Model
from .enums import Role, Subscription


class User(Model):
    """A user or an organization (``is_organization``)."""

    username: str
    created_at: datetime | None = None
    is_organization: bool = False
    email: str | None = None
    webhooks_enabled: bool | None = None
    private_upload_count: int | None = None
    public_upload_count: int | None = None
    subscription: Subscription | None = None
    is_trial_expired: bool | None = None
    organizations: list[User] | None = None
    organization_created_by: str | None = None
    organization_role: Role | None = None
    members: list[User] | None = None
    insights_urls: dict[str, str] | None = None


class Owner(Model):
    """The owner of a dataset, as embedded in ``Dataset.owner``."""

    username: str
    created_at: datetime | None = None
    email: str | None = None
