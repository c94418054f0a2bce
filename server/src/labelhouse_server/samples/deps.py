"""Named permission dependencies for routes addressed by sample uuid (``/samples/{sample_uuid}/``,
``/labels/{sample_uuid}/{labelset}/``): the sample is resolved to its dataset and the caller's role is checked
through the one permission matrix (404 when the sample or its dataset is invisible, 403 when not allowed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..datasets.permissions import DatasetAccess, access
from ..db import Account, Dataset, Sample
from ..deps import DB, CurrentUser
from ..errors import NotFound


@dataclass(frozen=True)
class SampleAccess:
    sample: Sample
    access: DatasetAccess

    @property
    def dataset(self) -> Dataset:
        return self.access.dataset

    @property
    def user(self) -> Account:
        return self.access.user

    @property
    def full_name(self) -> str:
        return f"{self.dataset.owner.username}/{self.dataset.name}"


def sample_access(session: Session, user: Account, sample_uuid: str, action: str) -> SampleAccess:
    sample = session.scalars(select(Sample).where(Sample.uuid == sample_uuid)).first()
    if sample is None:
        raise NotFound("Sample not found.")
    dataset = session.get(Dataset, sample.dataset_id)
    return SampleAccess(sample, access(session, user, dataset, action))


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
