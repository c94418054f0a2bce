"""``Authorization: Bearer <key>``: the Labelbox SDK's header, for ``/graphql``, ``/_gql``, ``/api/v1`` and the
embedding (``/adv``) routes. The keys are the same API keys as the Segments routes' ``APIKey <key>``; either
scheme is accepted on either family of routes.

Use ``BearerUser`` as a FastAPI dependency in REST routes; its failures are ``LabelhouseError``s (401), which
``labelbox.rest.MessageErrorRoute`` renders as the ``{"message": ...}`` body the Labelbox SDK reads. The GraphQL
endpoint calls ``authenticate_bearer`` itself to answer with its own envelope.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from ..db import Account
from ..deps import DB, authenticate


def authenticate_bearer(request: Request, session: Session) -> Account:
    """The caller, or ``NotAuthenticated`` (no header) / ``InvalidApiKey`` (bad, revoked or organization key)."""
    return authenticate(request, session)


async def bearer_account(request: Request, session: DB) -> Account:
    return authenticate_bearer(request, session)  # the request session reads: it never waits for a lock


BearerUser = Annotated[Account, Depends(bearer_account)]
