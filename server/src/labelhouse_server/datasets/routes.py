"""Dataset, collaborator and labelset routes (Segments API rows 3-14 and 26-29)."""

from __future__ import annotations

from typing import Any

from fastapi import Query, Request

from ..contract import WRITE_ERRORS
from ..deps import DB, CurrentUser
from ..http import route
from ..limits import check_page
from ..routing import Routes
from ..users.service import get_account
from . import schemas as s
from . import service
from .deps import DatasetAdmin, DatasetDelete, DatasetManage, DatasetRead, DatasetReview
from .permissions import clone_action

router = Routes(tags=["datasets"])

PerPage = Query(default=1000, description="Page size (1-1000; larger values are capped)")
Page = Query(default=1, description="1-based page number")


def _page_args(page: Any, per_page: Any) -> tuple[int, int]:
    """Junk pagination values fall back to defaults, as the contract asks (§4)."""
    try:
        p = max(int(page), 1)
    except (TypeError, ValueError):
        p = 1
    try:
        pp = min(max(int(per_page), 1), 1000)
    except (TypeError, ValueError):
        pp = 1000
    return p, pp


@route(router, "/user/datasets/", ["GET"], model=list[s.DatasetPublic],
       summary="Datasets of the caller (own, organizations, collaborations)")
def list_my_datasets(request: Request, user: CurrentUser, session: DB, per_page: str = PerPage,
                     page: str = Page) -> list[dict]:
    p, pp = _page_args(page, per_page)
    check_page(p, request.app.state.settings)
    datasets = service.list_datasets(session, user, None, p, pp)
    return service.datasets_public(session, datasets, service.roles_of(session, user, datasets))


@route(router, "/users/{username}/datasets/", ["GET"], model=list[s.DatasetPublic],
       summary="Datasets of a user that the caller can see")
def list_user_datasets(request: Request, username: str, user: CurrentUser, session: DB, per_page: str = PerPage,
                       page: str = Page) -> list[dict]:
    p, pp = _page_args(page, per_page)
    check_page(p, request.app.state.settings)
    owner = get_account(session, username)
    datasets = service.list_datasets(session, user, owner, p, pp)
    return service.datasets_public(session, datasets, service.roles_of(session, user, datasets))


@route(router, "/user/datasets/", ["POST"], model=s.DatasetPublic, errors=WRITE_ERRORS,
       status_code=201, summary="Create a dataset for the caller")
def create_dataset(body: s.DatasetCreate, user: CurrentUser, session: DB) -> dict:
    dataset = service.create_dataset(session, user, body, None)
    return service.dataset_public(session, dataset, "owner")


@route(router, "/organizations/{organization}/datasets/", ["POST"], model=s.DatasetPublic, errors=WRITE_ERRORS,
       status_code=201,
       summary="Create a dataset owned by an organization")
def create_org_dataset(organization: str, body: s.DatasetCreate, user: CurrentUser, session: DB) -> dict:
    dataset = service.create_dataset(session, user, body, organization)
    return service.dataset_public(session, dataset, service.role_of(session, user, dataset))


@route(router, "/datasets/{owner}/{dataset}/", ["GET"], model=s.DatasetPublic, summary="Get a dataset")
def get_dataset(acc: DatasetRead, session: DB) -> dict:
    return service.dataset_public(session, acc.dataset, acc.role)


@route(router, "/datasets/{owner}/{dataset}/", ["PATCH"], model=s.DatasetPublic, errors=WRITE_ERRORS,
       summary="Update a dataset (only the fields given)")
def update_dataset(body: s.DatasetUpdate, acc: DatasetAdmin, session: DB) -> dict:
    dataset = service.update_dataset(session, acc, body)
    return service.dataset_public(session, dataset, acc.role)


@route(router, "/datasets/{owner}/{dataset}/", ["DELETE"], errors=WRITE_ERRORS,
       status_code=204, summary="Delete a dataset")
def delete_dataset(acc: DatasetDelete, session: DB, request: Request) -> None:
    service.delete_dataset(session, acc, request.app.state.job_runner.notify)


@route(router, "/datasets/{owner}/{dataset}/clone/", ["POST"], model=s.DatasetPublic, errors=WRITE_ERRORS,
       status_code=201, summary="Clone a dataset")
def clone_dataset(body: s.DatasetClone, acc: DatasetRead, session: DB) -> dict:
    acc.require(clone_action(acc.dataset))
    clone = service.clone_dataset(session, acc, body)
    return service.dataset_public(session, clone, service.role_of(session, acc.user, clone))


# ------------------------------------------------------------------------------------------------ collaborators
@route(router, "/datasets/{owner}/{dataset}/collaborators/", ["GET"], model=list[s.CollaboratorPublic], errors=(400, 401, 403, 404),
       summary="List collaborators")
def list_collaborators(acc: DatasetReview, session: DB) -> list[dict]:
    return [service.collaborator_public(c) for c in service.list_collaborators(session, acc.dataset)]


@route(router, "/datasets/{owner}/{dataset}/collaborators/{username}", ["GET"], model=s.CollaboratorPublic, errors=(400, 401, 403, 404),
       summary="Get a collaborator")
def get_collaborator(username: str, acc: DatasetReview, session: DB) -> dict:
    return service.collaborator_public(service.get_collaborator(session, acc.dataset, username))


@route(router, "/datasets/{owner}/{dataset}/collaborators/", ["POST"], model=s.CollaboratorPublic, errors=WRITE_ERRORS,
       status_code=201,
       summary="Add a collaborator")
def add_collaborator(body: s.CollaboratorCreate, acc: DatasetAdmin, session: DB) -> dict:
    return service.collaborator_public(service.add_collaborator(session, acc, body.user, body.role))


@route(router, "/datasets/{owner}/{dataset}/collaborators/{username}", ["PATCH"], model=s.CollaboratorPublic,
       errors=WRITE_ERRORS,
       summary="Change a collaborator's role")
def update_collaborator(username: str, body: s.CollaboratorUpdate, acc: DatasetAdmin, session: DB) -> dict:
    return service.collaborator_public(service.update_collaborator(session, acc, username, body.role))


@route(router, "/datasets/{owner}/{dataset}/collaborators/{username}", ["DELETE"], errors=WRITE_ERRORS,
       status_code=204,
       summary="Remove a collaborator")
def delete_collaborator(username: str, acc: DatasetAdmin, session: DB) -> None:
    service.delete_collaborator(session, acc, username)


# ---------------------------------------------------------------------------------------------------- labelsets
@route(router, "/datasets/{owner}/{dataset}/labelsets/", ["GET"], model=list[s.LabelsetPublic],
       summary="List labelsets")
def list_labelsets(acc: DatasetRead) -> list[dict]:
    return [service.labelset_public(ls) for ls in acc.dataset.labelsets]


@route(router, "/datasets/{owner}/{dataset}/labelsets/{name}/", ["GET"], model=s.LabelsetPublic,
       summary="Get a labelset")
def get_labelset(name: str, acc: DatasetRead, session: DB) -> dict:
    return service.labelset_public(service.get_labelset(session, acc.dataset, name))


@route(router, "/datasets/{owner}/{dataset}/labelsets/", ["POST"], model=s.LabelsetPublic, errors=WRITE_ERRORS,
       status_code=201, summary="Add a labelset")
def add_labelset(body: s.LabelsetCreate, acc: DatasetManage, session: DB) -> dict:
    return service.labelset_public(service.add_labelset(session, acc, body))


@route(router, "/datasets/{owner}/{dataset}/labelsets/{name}/", ["DELETE"], errors=WRITE_ERRORS,
       status_code=204,
       summary="Delete a labelset and its labels")
def delete_labelset(name: str, acc: DatasetManage, session: DB) -> None:
    service.delete_labelset(session, acc, name)
