"""Named permission dependencies for routes addressed by sample uuid (``/samples/{sample_uuid}/``,
``/labels/{sample_uuid}/{labelset}/``): the sample is resolved to its dataset and the caller's role is checked
through the one permission matrix (404 when the sample or its dataset is invisible, 403 when not allowed)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import Depends
from sqlalchemy.orm import Session

from ..datasets.permissions import DatasetAccess, require_role, role_from
from ..db import Account, Dataset, Sample
from ..db.sql import ACCOUNT_COLUMNS, attached, attached_account, run
from ..deps import DB, CurrentUser
from ..errors import NotFound


class SampleAccess:
    """The caller's access to one sample, from the one ``_SAMPLE_ACCESS`` row.

    The hot single-item paths (label writes, sample reads) need only plain columns: ``sample_id``,
    ``dataset_id``, ``task_type``, ``role`` and the raw ``row``. The ORM objects ``sample``, ``dataset`` (with its
    ``owner``) and ``access`` are built from the same row, without a query, the first time something asks for
    them (building and attaching them cost more than the query itself)."""

    __slots__ = ("_access", "_dataset", "_r", "_sample", "_session", "_task_attributes", "role", "row", "user")

    def __init__(self, session: Session, r: Any, user: Account, role: str) -> None:
        self._session, self._r, self.user, self.role = session, r, user, role
        # The sample's columns in ``samples.service.SAMPLE_COLUMNS`` order, JSON as raw text.
        self.row: tuple[Any, ...] = tuple(r[:_SAMPLE_WIDTH])
        self._sample: Sample | None = None
        self._dataset: Dataset | None = None
        self._access: DatasetAccess | None = None
        self._task_attributes: Any = _UNSET

    # plain columns
    @property
    def sample_id(self) -> int:
        return self._r[0]

    @property
    def sample_uuid(self) -> str:
        return self._r[1]

    @property
    def sample_name(self) -> str:
        return self._r[2]

    @property
    def dataset_id(self) -> int:
        return self._r[13]

    @property
    def task_type(self) -> str:
        return self._r[20]

    @property
    def data_type(self) -> str:
        return self._r[21]

    @property
    def task_attributes(self) -> Any:
        if self._task_attributes is _UNSET:
            self._task_attributes = (self._dataset.task_attributes if self._dataset is not None
                                     else _json(self._r[22]))
        return self._task_attributes

    @property
    def full_name(self) -> str:
        return f"{self._r[31]}/{self._r[15]}"

    def require(self, action: str) -> None:
        """403 unless the caller's role allows ``action`` on the dataset."""
        require_role(self.role, action)

    # ORM objects, built on first use
    @property
    def sample(self) -> Sample:
        if self._sample is None:
            r = self._r
            self._sample = attached(self._session, Sample, r[0], lambda: Sample(
                id=r[0], uuid=r[1], dataset_id=r[13], name=r[2], priority=r[5], readme=r[6],
                assigned_labeler_id=r[8], assigned_reviewer_id=r[9], created_by_id=r[10], created_at=r[11],
                updated_at=r[12]))  # JSON columns are left unloaded (loaded on first access); ``row`` has them raw
        return self._sample

    @property
    def dataset(self) -> Dataset:
        if self._dataset is None:
            r, session = self._r, self._session
            owner = attached_account(session, r[30:36])
            self._dataset = attached(session, Dataset, r[13], lambda: Dataset(
                id=r[13], owner_id=r[14], name=r[15], description=r[16], category=r[17], public=bool(r[18]),
                archived=bool(r[19]), task_type=r[20], data_type=r[21], task_attributes=_json(r[22]),
                readme=r[23], metadata_=_json(r[24]), options=_json(r[25]), cloned_from=r[26],
                created_by_id=r[27], created_at=r[28], updated_at=r[29], owner=owner))
        return self._dataset

    @property
    def access(self) -> DatasetAccess:
        if self._access is None:
            self._access = DatasetAccess(self.dataset, self.user, self.role)
        return self._access


_UNSET = object()


# Every request addressed by sample uuid runs this: the sample, its dataset, the dataset's owner and the caller's
# collaborator and organization-member roles in one statement (unique keys: at most one row).
_SAMPLE_ACCESS = (
    "SELECT s.id, s.uuid, s.name, s.attributes, s.metadata, s.priority, s.readme, s.embedding, "
    "s.assigned_labeler_id, s.assigned_reviewer_id, s.created_by_id, s.created_at, s.updated_at, "
    "d.id, d.owner_id, d.name, d.description, d.category, d.public, d.archived, d.task_type, d.data_type, "
    "d.task_attributes, d.readme, d.metadata, d.options, d.cloned_from, d.created_by_id, d.created_at, "
    "d.updated_at, "
    f"{ACCOUNT_COLUMNS.format(a='o')}, "
    "c.role, m.role "
    "FROM samples s JOIN datasets d ON d.id = s.dataset_id JOIN accounts o ON o.id = d.owner_id "
    "LEFT JOIN collaborators c ON c.dataset_id = d.id AND c.user_id = ? "
    "LEFT JOIN organization_members m ON m.organization_id = d.owner_id AND m.user_id = ? "
    "WHERE s.uuid = ?"
)
_SAMPLE_WIDTH = 13
_NOT_FOUND = "Sample not found."


def _json(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)


def sample_access(session: Session, user: Account, sample_uuid: str, action: str) -> SampleAccess:
    r = run(session, _SAMPLE_ACCESS, (user.id, user.id, sample_uuid)).first()
    if r is None:
        raise NotFound(_NOT_FOUND)
    role = role_from(is_owner=r[14] == user.id, collaborator_role=r[36], owner_is_organization=bool(r[33]),
                     member_role=r[37], public=bool(r[18]))
    if role is None:
        raise NotFound(_NOT_FOUND)  # a sample the caller cannot see answers exactly like a missing one
    sacc = SampleAccess(session, r, user, role)
    sacc.require(action)
    return sacc


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
