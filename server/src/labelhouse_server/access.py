"""The caller's access to one sample: the access object of every route addressed by sample uuid (samples,
labels, issues, workunits, thumbnails), and its named permission dependencies.

The sample is resolved to its dataset and the caller's role is checked through the one permission matrix
(``datasets/permissions.py``): 404 when the sample or its dataset is invisible, 403 when not allowed."""

from __future__ import annotations

import functools
from typing import Annotated, Any

import orjson
from fastapi import Depends
from sqlalchemy.orm import Session

from .auth.keys import hash_key
from .datasets.permissions import DatasetAccess, require_role, role_from
from .db import Account, Dataset, Sample
from .db.rows import ACCOUNT, DATASET, SAMPLE, split
from .db.sql import PlainReads, attached, attached_account, run
from .deps import DB, CurrentUser
from .errors import InvalidApiKey, NotFound

_UNSET = object()


class SampleAccess:
    """The caller's access to one sample, from the one ``_SAMPLE_ACCESS`` row.

    The hot single-item paths (label writes, sample reads) need only plain columns: the named rows ``row``
    (``db.rows.SAMPLE``, JSON as raw text), ``dataset_row`` and ``owner_row``, and ``role``. The ORM objects
    ``sample``, ``dataset`` (with its ``owner``) and ``access`` are built from the same rows, without a query, the
    first time something asks for them (building and attaching them cost more than the query itself)."""

    __slots__ = ("_access", "_dataset", "_sample", "_session", "_task_attributes", "dataset_row", "owner_row",
                 "role", "row", "user")

    def __init__(self, session: Session | None, row: Any, dataset_row: Any, owner_row: Any, user: Account,
                 role: str) -> None:
        self._session, self.user, self.role = session, user, role
        self.row, self.dataset_row, self.owner_row = row, dataset_row, owner_row
        self._sample: Sample | None = None
        self._dataset: Dataset | None = None
        self._access: DatasetAccess | None = None
        self._task_attributes: Any = _UNSET

    # plain columns
    @property
    def sample_id(self) -> int:
        return self.row.id

    @property
    def sample_uuid(self) -> str:
        return self.row.uuid

    @property
    def sample_name(self) -> str:
        return self.row.name

    @property
    def dataset_id(self) -> int:
        return self.dataset_row.id

    @property
    def task_type(self) -> str:
        return self.dataset_row.task_type

    @property
    def data_type(self) -> str:
        return self.dataset_row.data_type

    @property
    def task_attributes(self) -> Any:
        if self._task_attributes is _UNSET:
            self._task_attributes = (self._dataset.task_attributes if self._dataset is not None
                                     else _json(self.dataset_row.task_attributes))
        return self._task_attributes

    @property
    def full_name(self) -> str:
        return f"{self.owner_row.username}/{self.dataset_row.name}"

    def require(self, action: str) -> None:
        """403 unless the caller's role allows ``action`` on the dataset."""
        require_role(self.role, action)

    # ORM objects, built on first use (not for an access read through ``PlainReads``: no session)
    def _orm_session(self) -> Session:
        if self._session is None:
            raise RuntimeError("this sample access was read without a session: no ORM objects")
        return self._session

    @property
    def sample(self) -> Sample:
        if self._sample is None:
            r, dataset_id = self.row, self.dataset_row.id
            self._sample = attached(self._orm_session(), Sample, r.id, lambda: Sample(
                id=r.id, uuid=r.uuid, dataset_id=dataset_id, name=r.name, priority=r.priority, readme=r.readme,
                assigned_labeler_id=r.assigned_labeler_id, assigned_reviewer_id=r.assigned_reviewer_id,
                created_by_id=r.created_by_id, created_at=r.created_at,
                updated_at=r.updated_at))  # JSON columns are left unloaded (loaded on first access); ``row`` has them
        return self._sample

    @property
    def dataset(self) -> Dataset:
        if self._dataset is None:
            d, session = self.dataset_row, self._orm_session()
            owner = attached_account(session, self.owner_row)
            self._dataset = attached(session, Dataset, d.id, lambda: Dataset(
                id=d.id, owner_id=d.owner_id, name=d.name, description=d.description, category=d.category,
                public=bool(d.public), archived=bool(d.archived), task_type=d.task_type, data_type=d.data_type,
                task_attributes=_json(d.task_attributes), readme=d.readme, metadata_=_json(d.metadata),
                options=_json(d.options), cloned_from=d.cloned_from, created_by_id=d.created_by_id,
                created_at=d.created_at, updated_at=d.updated_at, owner=owner))
        return self._dataset

    @property
    def access(self) -> DatasetAccess:
        if self._access is None:
            self._access = DatasetAccess(self.dataset, self.user, self.role)
        return self._access


# Every request addressed by sample uuid runs this: the sample, its dataset, the dataset's owner and the caller's
# collaborator and organization-member roles in one statement (unique keys: at most one row).
_SAMPLE_ACCESS = (
    f"SELECT {SAMPLE.sql('s')}, {DATASET.sql('d')}, {ACCOUNT.sql('o')}, c.role, m.role "
    "FROM samples s JOIN datasets d ON d.id = s.dataset_id JOIN accounts o ON o.id = d.owner_id "
    "LEFT JOIN collaborators c ON c.dataset_id = d.id AND c.user_id = ? "
    "LEFT JOIN organization_members m ON m.organization_id = d.owner_id AND m.user_id = ? "
    "WHERE s.uuid = ?"
)
_NOT_FOUND = "Sample not found."


def _json(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)


def sample_access(session: Session, user: Account, sample_uuid: str, action: str) -> SampleAccess:
    r = run(session, _SAMPLE_ACCESS, (user.id, user.id, sample_uuid)).first()
    if r is None:
        raise NotFound(_NOT_FOUND)
    row, dataset_row, owner_row, (collaborator_role, member_role) = split(r, SAMPLE, DATASET, ACCOUNT)
    role = role_from(is_owner=dataset_row.owner_id == user.id, collaborator_role=collaborator_role,
                     owner_is_organization=bool(owner_row.is_organization), member_role=member_role,
                     public=bool(dataset_row.public))
    if role is None:
        raise NotFound(_NOT_FOUND)  # a sample the caller cannot see answers exactly like a missing one
    sacc = SampleAccess(session, row, dataset_row, owner_row, user, role)
    sacc.require(action)
    return sacc


# ``sample_access`` and the caller's API key in one statement: the key's account (no row: the key is unknown or
# revoked, checked on every request, so a revocation is seen at once by every process), then the sample's row as
# above (NULLs: no such sample).
_SAMPLE_ACCESS_BY_KEY = (
    f"SELECT {ACCOUNT.sql('a')}, {SAMPLE.sql('s')}, {DATASET.sql('d')}, {ACCOUNT.sql('o')}, c.role, m.role "
    "FROM api_keys k JOIN accounts a ON a.id = k.account_id "
    "LEFT JOIN samples s ON s.uuid = ? "
    "LEFT JOIN datasets d ON d.id = s.dataset_id LEFT JOIN accounts o ON o.id = d.owner_id "
    "LEFT JOIN collaborators c ON c.dataset_id = d.id AND c.user_id = a.id "
    "LEFT JOIN organization_members m ON m.organization_id = d.owner_id AND m.user_id = a.id "
    "WHERE k.key_hash = ? AND k.revoked_at IS NULL"
)


# A client sends the same key again and again: its hash memoised, bounded (as ``ratelimit._bucket_name`` does for
# the Authorization header; junk keys cannot grow it).
_key_hash = functools.lru_cache(maxsize=4096)(hash_key)


def sample_access_by_key(reads: PlainReads, api_key: str, sample_uuid: str, action: str) -> SampleAccess:
    """``deps.authenticate`` (API key) and ``sample_access`` in one statement, without a session (the hot GET of
    a sample, ``samples.routes``): the same errors in the same order (401 for an unknown, revoked or
    organization key; then 404 for a sample missing or invisible; then 403)."""
    r = run(reads, _SAMPLE_ACCESS_BY_KEY, (sample_uuid, _key_hash(api_key))).first()
    if r is None:
        raise InvalidApiKey()
    caller, row, dataset_row, owner_row, (collaborator_role, member_role) = split(r, ACCOUNT, SAMPLE, DATASET,
                                                                                  ACCOUNT)
    if caller.is_organization:
        raise InvalidApiKey()
    if row.id is None:
        raise NotFound(_NOT_FOUND)
    user = _caller(caller)
    role = role_from(is_owner=dataset_row.owner_id == user.id, collaborator_role=collaborator_role,
                     owner_is_organization=bool(owner_row.is_organization), member_role=member_role,
                     public=bool(dataset_row.public))
    if role is None:
        raise NotFound(_NOT_FOUND)
    sacc = SampleAccess(None, row, dataset_row, owner_row, user, role)
    sacc.require(action)
    return sacc


# The callers of ``sample_access_by_key``: transient ``Account``s (no session ever holds them; read, never changed)
# by their columns as read with the key. Building an ORM instance per request was ~20 % of the GET of a sample.
# The key is every column the object carries, so a renamed or demoted account is a new entry; bounded.
_callers: dict[tuple[Any, ...], Account] = {}
_CALLERS_MAX = 1024


def _caller(caller: Any) -> Account:
    key = (caller.id, caller.username, caller.email, bool(caller.is_admin), caller.created_at)
    user = _callers.get(key)
    if user is None:
        if len(_callers) >= _CALLERS_MAX:
            _callers.clear()
        user = _callers[key] = Account(id=caller.id, username=caller.username, email=caller.email,
                                       is_organization=False, is_admin=bool(caller.is_admin),
                                       created_at=caller.created_at)
    return user


_cache: dict[str, Any] = {}


def require_sample(action: str) -> Any:
    """``Annotated[SampleAccess, Depends(...)]`` checking ``action`` on ``/.../{sample_uuid}/...`` routes."""
    if action not in _cache:

        def dependency(sample_uuid: str, user: CurrentUser, session: DB) -> SampleAccess:
            return sample_access(session, user, sample_uuid, action)

        dependency.__name__ = f"require_sample_{action}"
        _cache[action] = Annotated[SampleAccess, Depends(dependency)]
    return _cache[action]


SampleRead = require_sample("read")
SampleLabel = require_sample("label")
SampleManage = require_sample("manage")

__all__ = ["SampleAccess", "SampleLabel", "SampleManage", "SampleRead", "require_sample", "sample_access",
           "sample_access_by_key"]
