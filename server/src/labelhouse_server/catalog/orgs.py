"""The caller's Labelbox *organization*.

A Labelbox user belongs to exactly one organization and sees everything it owns. labelhouse accounts may belong to
several organizations (or none), so the rule is: the caller's organization is the first organization they joined
(lowest membership id); an account that belongs to none is its own one-member organization. Datasets, metadata
schemas and tasks created through the Labelbox API are owned by that account, and only objects owned by it are
visible through the Labelbox API. Roles come from the membership (labeler, reviewer, manager, admin); the account
itself is ``owner``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..datasets.permissions import ROLE_RANK
from ..db import Account, OrganizationMember


@dataclass(frozen=True)
class OrgScope:
    """Who is calling, and on behalf of which organization."""

    user: Account
    org: Account  # an organization account, or the user's own account (one-member organization)
    role: str  # labeler | reviewer | manager | admin | owner

    @property
    def org_id(self) -> int:
        return self.org.id

    @property
    def personal(self) -> bool:
        return self.org.id == self.user.id

    def can_write(self) -> bool:
        """Create and change catalog objects (datasets, data rows, metadata schemas): manager and above."""
        return ROLE_RANK[self.role] >= ROLE_RANK["manager"]

    def can_administer(self) -> bool:
        """Change members' roles: admin and owner."""
        return ROLE_RANK[self.role] >= ROLE_RANK["admin"]


def scope_for(session: Session, user: Account) -> OrgScope:
    row = session.execute(
        select(Account, OrganizationMember.role)
        .join(OrganizationMember, OrganizationMember.organization_id == Account.id)
        .where(OrganizationMember.user_id == user.id)
        .order_by(OrganizationMember.id)
        .limit(1)
    ).first()
    if row is None:
        return OrgScope(user=user, org=user, role="owner")
    return OrgScope(user=user, org=row.Account, role=row.role)


def org_members(session: Session, scope: OrgScope) -> list[tuple[Account, str]]:
    """(user, role) of every member, in joining order; a one-member organization has just its owner."""
    if scope.personal:
        return [(scope.user, "owner")]
    rows = session.execute(
        select(Account, OrganizationMember.role)
        .join(OrganizationMember, OrganizationMember.user_id == Account.id)
        .where(OrganizationMember.organization_id == scope.org.id)
        .order_by(OrganizationMember.id)
    ).all()
    return [(user, role) for user, role in rows]


def set_role(session: Session, scope: OrgScope, member: Account, role: str) -> None:
    """Give ``member`` ``role`` in the caller's organization; ``none`` removes the membership."""
    from ..users.service import remove_member, set_member

    if role == "none":
        remove_member(session, scope.org, member)
    else:
        set_member(session, scope.org, member, role)
