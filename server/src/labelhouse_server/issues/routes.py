"""Issue routes (Segments API rows 30-33) and their comments. Labelers and above may raise, update, close and
comment on issues; whoever can read the dataset may read them."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import Body, Depends
from starlette.responses import Response

from ..access import SampleLabel
from ..contract import WRITE_ERRORS
from ..datasets.deps import DatasetRead
from ..deps import DB, CurrentUser
from ..http import empty_response, json_response, route
from ..routing import Routes
from . import service
from .schemas import IssueCommentCreate, IssueCommentPublic, IssuePublic
from .service import IssueAccess

router = Routes(tags=["issues"])


def _issue_label(issue_uuid: str, user: CurrentUser, session: DB) -> IssueAccess:
    return service.issue_access(session, user, issue_uuid, "label")


def _issue_read(issue_uuid: str, user: CurrentUser, session: DB) -> IssueAccess:
    return service.issue_access(session, user, issue_uuid, "read")


IssueLabel = Annotated[IssueAccess, Depends(_issue_label)]
IssueRead = Annotated[IssueAccess, Depends(_issue_read)]
IssueBody = Body(default=None, examples=[{"description": "car missing on the left", "status": "OPEN",
                                          "anchor": {"type": "location", "frame": 0, "sensor": "Lidar",
                                                     "location": {"type": "2d", "x": 1.2, "y": 3.5}}}])


@route(router, "/datasets/{owner}/{dataset}/issues/", ["GET"], model=list[IssuePublic],
       summary="List the issues of a dataset")
def get_issues(acc: DatasetRead, session: DB) -> Response:
    return json_response(orjson.dumps(service.list_issues(session, acc.dataset.id)))


@route(router, "/samples/{sample_uuid}/issues/", ["POST"], model=IssuePublic, errors=WRITE_ERRORS,
       status_code=201, summary="Raise an issue on a sample")
def add_issue(sacc: SampleLabel, session: DB, body: dict | None = IssueBody) -> Response:
    return json_response(orjson.dumps(service.add_issue(session, sacc, body)), status_code=201)


@route(router, "/issues/{issue_uuid}/", ["PATCH"], model=IssuePublic, errors=WRITE_ERRORS,
       summary="Update an issue (only the fields given)")
def update_issue(iacc: IssueLabel, session: DB, body: dict | None = IssueBody) -> Response:
    return json_response(orjson.dumps(service.update_issue(session, iacc, body)))


@route(router, "/issues/{issue_uuid}/", ["DELETE"], errors=WRITE_ERRORS,
       status_code=204, summary="Delete an issue")
def delete_issue(iacc: IssueLabel, session: DB) -> Response:
    service.delete_issue(session, iacc)
    return empty_response()


@route(router, "/issues/{issue_uuid}/comments/", ["GET"], model=list[IssueCommentPublic],
       summary="The comments of an issue, oldest first")
def get_issue_comments(iacc: IssueRead, session: DB) -> Response:
    return json_response(service.list_comments(session, iacc))


@route(router, "/issues/{issue_uuid}/comments/", ["POST"], model=IssueCommentPublic, errors=WRITE_ERRORS,
       status_code=201, summary="Comment on an issue")
def add_issue_comment(iacc: IssueLabel, body: IssueCommentCreate, session: DB) -> Response:
    return json_response(orjson.dumps(service.add_comment(session, iacc, body.text)), status_code=201)
