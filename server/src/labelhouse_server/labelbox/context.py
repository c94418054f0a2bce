"""What every resolver receives as ``info.context``: the request's session, the caller's organization scope, and
the app's services (object store, settings, job runner)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ..catalog.orgs import OrgScope
from ..db import Account
from ..settings import Settings
from .errors import Unauthorized


@dataclass
class Context:
    session: Session
    scope: OrgScope
    settings: Settings
    store: Any
    sessionmaker: sessionmaker[Session]
    job_runner: Any
    base_url: str
    cache: dict[str, Any] = field(default_factory=dict)  # per-request memo (e.g. the metadata ontology)
    embedding_indexes: Any = None  # the process's embeddings.index.IndexCache

    @property
    def user(self) -> Account:
        return self.scope.user

    @property
    def org(self) -> Account:
        return self.scope.org

    def require_write(self) -> None:
        """Catalog writes need manager or above in the caller's organization."""
        if not self.scope.can_write():
            raise Unauthorized("Your role in this organization may not make this change.")


def ctx(info: Any) -> Context:
    """The typed context of a resolver's ``info``."""
    context: Context = info.context
    return context
