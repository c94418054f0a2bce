"""Who may do what on a dataset — the one place this is decided.

A caller's *effective role* on a dataset is the highest of:
  - ``owner``   — the dataset belongs to the caller's own account;
  - the caller's role in the organization that owns the dataset (labeler, reviewer, manager, admin);
  - the caller's collaborator role on the dataset (labeler, reviewer, manager, admin);
  - ``viewer``  — the dataset is public (any authenticated user).
With none of these the dataset is invisible: every request answers 404, exactly like a missing dataset.

Permission matrix (minimum role per action; ranks viewer < labeler < reviewer < manager < admin < owner):

| action            | what it covers                                                          | minimum  |
|-------------------|-------------------------------------------------------------------------|----------|
| ``read``          | dataset, samples, labels, labelsets, issues, releases; clone a PUBLIC   | viewer   |
|                   | dataset into an account of the caller's                                 |          |
| ``label``         | create/update/delete labels (the review rule: ``labels/policy.py``),    | labeler  |
|                   | issues and their comments                                               |          |
| ``review``        | set REVIEWED, REJECTED, VERIFIED; list workunits; see collaborators     | reviewer |
| ``manage``        | add/update/delete samples and labelsets, create/delete releases; clone  | manager  |
|                   | a PRIVATE dataset (``clone_action``)                                    |          |
| ``administer``    | update dataset settings, add/update/remove collaborators                | admin    |
| ``delete``        | delete the dataset                                                      | admin    |

A caller who can see a dataset but lacks the role gets 403 ("You do not have permission ...").

Cloning a private dataset takes a copy of its samples and labels into an account the caller controls, where it
outlives the caller's access: labelers and reviewers work on a private dataset but may not take it away, so
cloning one needs the manager role. A public dataset is readable by everyone anyway: any reader may clone it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import Account, Collaborator, Dataset, OrganizationMember
from ..errors import Forbidden, NotFound

COLLABORATOR_ROLES = ("labeler", "reviewer", "manager", "admin")
ROLE_RANK = {"viewer": 0, "labeler": 1, "reviewer": 2, "manager": 3, "admin": 4, "owner": 5}
ACTION_MIN_ROLE = {
    "read": "viewer",
    "label": "labeler",
    "review": "reviewer",
    "manage": "manager",
    "administer": "admin",
    "delete": "admin",
}


@dataclass(frozen=True)
class DatasetAccess:
    dataset: Dataset
    user: Account
    role: str

    def can(self, action: str) -> bool:
        return can(self.role, action)

    def require(self, action: str) -> DatasetAccess:
        require_role(self.role, action)
        return self


def can(role: str, action: str) -> bool:
    """Whether ``role`` may do ``action`` (the matrix above)."""
    return ROLE_RANK[role] >= ROLE_RANK[ACTION_MIN_ROLE[action]]


def clone_action(dataset: Dataset) -> str:
    """The action cloning ``dataset`` needs (see the module docstring)."""
    return "read" if dataset.public else "manage"


def require_role(role: str, action: str) -> None:
    """403 unless ``role`` may do ``action``."""
    if not can(role, action):
        raise Forbidden()


def role_from(*, is_owner: bool, collaborator_role: str | None, owner_is_organization: bool,
              member_role: str | None, public: bool) -> str | None:
    """The effective-role rule on already-fetched facts (one query may fetch them all: see
    ``access.py``). ``member_role`` counts only when the dataset's owner is an organization."""
    if is_owner:
        return "owner"
    best = collaborator_role or None
    if owner_is_organization and member_role and (best is None or ROLE_RANK[member_role] > ROLE_RANK[best]):
        best = member_role
    if best is None and public:
        best = "viewer"
    return best


def effective_role(session: Session, user: Account, dataset: Dataset) -> str | None:
    if dataset.owner_id == user.id:
        return "owner"
    collab = session.scalars(
        select(Collaborator.role).where(Collaborator.dataset_id == dataset.id, Collaborator.user_id == user.id)
    ).first()
    member = None
    if dataset.owner.is_organization:
        member = session.scalars(
            select(OrganizationMember.role).where(
                OrganizationMember.organization_id == dataset.owner_id, OrganizationMember.user_id == user.id
            )
        ).first()
    return role_from(is_owner=False, collaborator_role=collab, owner_is_organization=dataset.owner.is_organization,
                     member_role=member, public=dataset.public)


def effective_roles(session: Session, user: Account, datasets: list[Dataset]) -> dict[int, str | None]:
    """``effective_role`` of each of ``datasets`` (owners loaded), in two statements whatever their number."""
    ids = [d.id for d in datasets]
    collab = dict(session.execute(select(Collaborator.dataset_id, Collaborator.role)
                                  .where(Collaborator.dataset_id.in_(ids), Collaborator.user_id == user.id)).all())
    org_ids = {d.owner_id for d in datasets if d.owner.is_organization}
    member = dict(session.execute(select(OrganizationMember.organization_id, OrganizationMember.role)
                                  .where(OrganizationMember.organization_id.in_(org_ids),
                                         OrganizationMember.user_id == user.id)).all())
    return {d.id: role_from(is_owner=d.owner_id == user.id, collaborator_role=collab.get(d.id),
                            owner_is_organization=d.owner.is_organization, member_role=member.get(d.owner_id),
                            public=d.public) for d in datasets}


def access(session: Session, user: Account, dataset: Dataset | None, action: str = "read") -> DatasetAccess:
    """Resolve the caller's access; invisible datasets raise 404, visible-but-forbidden raise 403."""
    if dataset is None:
        raise NotFound()
    return access_with_role(dataset, user, effective_role(session, user, dataset), action)


def access_with_role(dataset: Dataset, user: Account, role: str | None, action: str) -> DatasetAccess:
    """``role`` from ``effective_role``/``role_from``: None (invisible) is 404, too low a role is 403."""
    if role is None:
        raise NotFound()
    return DatasetAccess(dataset, user, role).require(action)


def find_dataset(session: Session, owner: str, name: str) -> Dataset | None:
    return session.scalars(
        select(Dataset).join(Account, Account.id == Dataset.owner_id).where(Account.username == owner,
                                                                            Dataset.name == name)
    ).first()


def dataset_access(session: Session, user: Account, owner: str, name: str, action: str = "read") -> DatasetAccess:
    return access(session, user, find_dataset(session, owner, name), action)
