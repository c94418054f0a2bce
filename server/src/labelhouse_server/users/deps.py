"""Named organization permission dependencies for routes addressed by ``/organizations/{org}/...``: the rule is
``users.permissions.org_access``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from ..deps import DB, CurrentUser
from .permissions import OrgAccess, org_access

_cache: dict[str, Any] = {}


def require_org(min_role: str) -> Any:
    if min_role not in _cache:

        def dependency(org: str, user: CurrentUser, session: DB) -> OrgAccess:
            return org_access(session, user, org, min_role)

        dependency.__name__ = f"require_org_{min_role}"
        _cache[min_role] = Annotated[OrgAccess, Depends(dependency)]
    return _cache[min_role]


OrgMember = require_org("labeler")
OrgAdmin = require_org("admin")
