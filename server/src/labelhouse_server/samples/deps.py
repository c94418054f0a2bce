"""Named permission dependencies for routes addressed by sample uuid (``/samples/{sample_uuid}/``,
``/labels/{sample_uuid}/{labelset}/``): the sample is resolved to its dataset and the caller's role is checked
through the one permission matrix (404 when the sample or its dataset is invisible, 403 when not allowed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import Depends
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from ..datasets.permissions import DatasetAccess, access_with_role, role_from
from ..db import Account, Dataset, Sample
from ..db.sql import run
from ..deps import DB, CurrentUser
from ..errors import NotFound

_T = TypeVar("_T")


@dataclass(frozen=True)
class SampleAccess:
    sample: Sample
    access: DatasetAccess
    # The sample's columns in ``samples.service.SAMPLE_COLUMNS`` order, JSON as raw text (None: not fetched).
    row: tuple[Any, ...] | None = None

    @property
    def dataset(self) -> Dataset:
        return self.access.dataset

    @property
    def user(self) -> Account:
        return self.access.user

    @property
    def full_name(self) -> str:
        return f"{self.dataset.owner.username}/{self.dataset.name}"


# Every request addressed by sample uuid runs this: the sample, its dataset, the dataset's owner and the caller's
# collaborator and organization-member roles in one statement (unique keys: at most one row).
_SAMPLE_ACCESS = (
    "SELECT s.id, s.uuid, s.name, s.attributes, s.metadata, s.priority, s.readme, s.embedding, "
    "s.assigned_labeler_id, s.assigned_reviewer_id, s.created_by_id, s.created_at, s.updated_at, "
    "d.id, d.owner_id, d.name, d.description, d.category, d.public, d.archived, d.task_type, d.data_type, "
    "d.task_attributes, d.readme, d.metadata, d.options, d.cloned_from, d.created_by_id, d.created_at, "
    "d.updated_at, "
    "o.id, o.username, o.email, o.is_organization, o.is_admin, o.created_at, "
    "c.role, m.role "
    "FROM samples s JOIN datasets d ON d.id = s.dataset_id JOIN accounts o ON o.id = d.owner_id "
    "LEFT JOIN collaborators c ON c.dataset_id = d.id AND c.user_id = ? "
    "LEFT JOIN organization_members m ON m.organization_id = d.owner_id AND m.user_id = ? "
    "WHERE s.uuid = ?"
)
_SAMPLE_WIDTH = 13
_NOT_FOUND = "Sample not found."


def _attached(session: Session, cls: type[_T], obj_id: int, build: Callable[[], _T]) -> _T:
    """The session's instance of ``cls`` with primary key ``obj_id``, or ``build()`` attached without a load."""
    existing = session.identity_map.get(identity_key(cls, obj_id))
    if existing is not None:
        return existing  # type: ignore[return-value]
    obj = build()
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


def _json(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)


def sample_access(session: Session, user: Account, sample_uuid: str, action: str) -> SampleAccess:
    r = run(session, _SAMPLE_ACCESS, (user.id, user.id, sample_uuid)).first()
    if r is None:
        raise NotFound(_NOT_FOUND)
    owner = _attached(session, Account, r[30], lambda: Account(
        id=r[30], username=r[31], email=r[32], is_organization=bool(r[33]), is_admin=bool(r[34]), created_at=r[35]))
    dataset = _attached(session, Dataset, r[13], lambda: Dataset(
        id=r[13], owner_id=r[14], name=r[15], description=r[16], category=r[17], public=bool(r[18]),
        archived=bool(r[19]), task_type=r[20], data_type=r[21], task_attributes=_json(r[22]), readme=r[23],
        metadata_=_json(r[24]), options=_json(r[25]), cloned_from=r[26], created_by_id=r[27], created_at=r[28],
        updated_at=r[29], owner=owner))
    # JSON columns are left unloaded on the ORM object (loaded on first access); ``row`` carries them raw.
    sample = _attached(session, Sample, r[0], lambda: Sample(
        id=r[0], uuid=r[1], dataset_id=r[13], name=r[2], priority=r[5], readme=r[6], assigned_labeler_id=r[8],
        assigned_reviewer_id=r[9], created_by_id=r[10], created_at=r[11], updated_at=r[12]))
    role = role_from(is_owner=dataset.owner_id == user.id, collaborator_role=r[36],
                     owner_is_organization=owner.is_organization, member_role=r[37], public=dataset.public)
    if role is None:
        raise NotFound(_NOT_FOUND)  # a sample the caller cannot see answers exactly like a missing one
    return SampleAccess(sample, access_with_role(dataset, user, role, action), tuple(r[:_SAMPLE_WIDTH]))


_cache: dict[str, Any] = {}


def require_sample(action: str) -> Any:
    if action not in _cache:

        def dependency(sample_uuid: str, user: CurrentUser, session: DB) -> SampleAccess:
            return sample_access(session, user, sample_uuid, action)

        dependency.__name__ = f"require_sample_{action}"
        _cache[action] = Annotated[SampleAccess, Depends(dependency)]
    return _cache[action]


SampleRead = require_sample("read")
SampleLabel = require_sample("label")
SampleManage = require_sample("manage")
