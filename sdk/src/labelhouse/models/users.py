"""Users and organizations."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from ._base import Model
from .enums import Role, Subscription


class User(Model):
    """A user or an organization (``is_organization``)."""

    username: str
    created_at: Optional[datetime] = None
    is_organization: bool = False
    email: Optional[str] = None
    webhooks_enabled: Optional[bool] = None
    private_upload_count: Optional[int] = None
    public_upload_count: Optional[int] = None
    subscription: Optional[Subscription] = None
    is_trial_expired: Optional[bool] = None
    organizations: Optional[list[User]] = None
    organization_created_by: Optional[str] = None
    organization_role: Optional[Role] = None
    members: Optional[list[User]] = None
    insights_urls: Optional[dict[str, str]] = None


class Owner(Model):
    """The owner of a dataset, as embedded in ``Dataset.owner``."""

    username: str
    created_at: Optional[datetime] = None
    email: Optional[str] = None
