"""Accounts: create users and organizations, manage membership."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import Account, OrganizationMember
from ..db.integrity import violated_constraint
from ..errors import AlreadyExists, Invalid, NotFound
from ..timeutil import now_iso

ORG_ROLES = ("labeler", "reviewer", "manager", "admin")
# Matched whole (``fullmatch``): with ``match`` and ``$`` a trailing newline passed ("alice\n").
USERNAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,149}")


def validate_username(name: str, what: str = "username") -> str:
    if not isinstance(name, str) or not USERNAME_RE.fullmatch(name):
        raise Invalid(
            f"{what} must be 1-150 characters: letters, digits, '_', '.', '-', starting with a letter or digit.",
            field=what,
        )
    return name


def get_account(session: Session, username: str) -> Account:
    account = session.scalars(select(Account).where(Account.username == username)).first()
    if account is None:
        raise NotFound(f"User '{username}' not found.")
    return account


def _create_account(session: Session, username: str, email: str | None, *, is_org: bool, is_admin: bool) -> Account:
    validate_username(username)
    if session.scalars(select(Account.id).where(Account.username == username)).first() is not None:
        raise AlreadyExists(f"An account with username '{username}' already exists.", field="username")
    account = Account(username=username, email=email, is_organization=is_org, is_admin=is_admin,
                      created_at=now_iso())
    session.add(account)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        if violated_constraint(exc) != "uq_accounts_username":
            raise
        raise AlreadyExists(f"An account with username '{username}' already exists.", field="username") from None
    return account


def create_user(session: Session, username: str, email: str | None = None, *, is_admin: bool = False) -> Account:
    return _create_account(session, username, email, is_org=False, is_admin=is_admin)


def create_organization(session: Session, name: str, admin: Account, email: str | None = None) -> Account:
    org = _create_account(session, name, email, is_org=True, is_admin=False)
    session.add(OrganizationMember(organization_id=org.id, user_id=admin.id, role="admin", created_at=now_iso()))
    session.flush()
    return org


def set_member(session: Session, org: Account, user: Account, role: str) -> OrganizationMember:
    if not org.is_organization:
        raise Invalid(f"'{org.username}' is not an organization.", field="organization")
    if user.is_organization:
        raise Invalid(f"'{user.username}' is an organization and cannot be a member.", field="user")
    if role not in ORG_ROLES:
        raise Invalid(f"role must be one of {', '.join(ORG_ROLES)}.", field="role")
    member = session.scalars(
        select(OrganizationMember).where(
            OrganizationMember.organization_id == org.id, OrganizationMember.user_id == user.id
        )
    ).first()
    if member is None:
        member = OrganizationMember(organization_id=org.id, user_id=user.id, role=role, created_at=now_iso())
        session.add(member)
    else:
        member.role = role
    session.flush()
    return member


def remove_member(session: Session, org: Account, user: Account) -> None:
    member = session.scalars(
        select(OrganizationMember).where(
            OrganizationMember.organization_id == org.id, OrganizationMember.user_id == user.id
        )
    ).first()
    if member is None:
        raise NotFound(f"User '{user.username}' is not a member of '{org.username}'; membership not found.")
    session.delete(member)
    session.flush()


def memberships(session: Session, user: Account) -> list[tuple[Account, str]]:
    rows = session.execute(
        select(Account, OrganizationMember.role)
        .join(OrganizationMember, OrganizationMember.organization_id == Account.id)
        .where(OrganizationMember.user_id == user.id)
        .order_by(Account.username)
    ).all()
    return [(org, role) for org, role in rows]


def members(session: Session, org: Account) -> list[tuple[Account, str]]:
    rows = session.execute(
        select(Account, OrganizationMember.role)
        .join(OrganizationMember, OrganizationMember.user_id == Account.id)
        .where(OrganizationMember.organization_id == org.id)
        .order_by(Account.username)
    ).all()
    return [(user, role) for user, role in rows]


def member_role(session: Session, org_id: int, user_id: int) -> str | None:
    return session.scalars(
        select(OrganizationMember.role).where(
            OrganizationMember.organization_id == org_id, OrganizationMember.user_id == user_id
        )
    ).first()
