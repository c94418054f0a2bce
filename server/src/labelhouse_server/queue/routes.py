"""``POST /datasets/{owner}/{dataset}/queue/``: the next sample of the label or review queue, reserved."""

from __future__ import annotations

from ..datasets.deps import DatasetRead
from ..deps import DB
from ..http import route
from ..routing import Routes
from . import service
from .schemas import QueuePublic, QueueRequest

router = Routes(tags=["queue"])


@route(router, "/datasets/{owner}/{dataset}/queue/", ["POST"], response_model=QueuePublic,
       summary="Reserve the next sample of the label or review queue for the caller (null when none is left)")
def next_in_queue(body: QueueRequest, acc: DatasetRead, session: DB) -> QueuePublic:
    sample_uuid, until = service.next_sample(session, acc, body.mode, body.labelset, body.exclude)
    return QueuePublic(sample_uuid=sample_uuid, reserved_until=until)
