"""Who may do what in an organization — the one place this is decided, used through the named dependencies
``OrgMember`` / ``OrgAdmin`` (``users/deps.py``) and by services (creating a dataset for an organization).

| action                                         | minimum organization role                     |
|------------------------------------------------|-----------------------------------------------|
| see the organization's members                 | labeler (any member)                          |
| create a dataset owned by the organization     | manager                                       |
| add, change or remove members                  | admin                                         |

A site administrator (``is_admin``) may do all of these without being a member. A caller who is not a member
(and not a site administrator) gets 404 ``Organization '<name>' not found.``, exactly like a missing
organization; a member whose role is too low gets 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..datasets.permissions import ROLE_RANK
from ..db import Account, OrganizationMember
from ..errors import Forbidden, NotFound


@dataclass(frozen=True)
class OrgAccess:
    organization: Account
    user: Account
    role: str | None  # None: a site administrator who is not a member


def org_access(session: Session, user: Account, org_name: str, min_role: str) -> OrgAccess:
    """The caller's access to organization ``org_name``: 404 when it is missing or the caller is no member,
    403 when the caller's role is below ``min_role``."""
    row = session.execute(
        select(Account, OrganizationMember.role)
        .outerjoin(OrganizationMember, (OrganizationMember.organization_id == Account.id)
                   & (OrganizationMember.user_id == user.id))
        .where(Account.username == org_name, Account.is_organization.is_(True))
    ).first()
    org, role = row if row is not None else (None, None)
    if org is None or (role is None and not user.is_admin):
        raise NotFound(f"Organization '{org_name}' not found.")
    if not user.is_admin and (role is None or ROLE_RANK[role] < ROLE_RANK[min_role]):
        raise Forbidden()
    return OrgAccess(org, user, role)
