"""Named permission dependencies: ``DatasetFor("manage")`` resolves ``/datasets/{owner}/{dataset}/...``
to the dataset and checks the caller's role (404 when invisible, 403 when not allowed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from ..deps import DB, CurrentUser
from .permissions import DatasetAccess, dataset_access

_cache: dict[str, Any] = {}


def require_dataset(action: str) -> Any:
    if action not in _cache:

        def dependency(owner: str, dataset: str, user: CurrentUser, session: DB) -> DatasetAccess:
            return dataset_access(session, user, owner, dataset, action)

        dependency.__name__ = f"require_dataset_{action}"
        _cache[action] = Annotated[DatasetAccess, Depends(dependency)]
    return _cache[action]


DatasetRead = require_dataset("read")
DatasetReview = require_dataset("review")
DatasetManage = require_dataset("manage")
DatasetAdmin = require_dataset("administer")
DatasetDelete = require_dataset("delete")
