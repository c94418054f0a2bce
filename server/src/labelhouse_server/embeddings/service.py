"""Embeddings: who may use them, creating and deleting them, and writing vectors.

An embedding belongs to an account (a user or an organization). Its *role* for a caller: ``owner`` for the owning
user, the membership role for members of the owning organization, otherwise none — and then the embedding
answers exactly like a missing one (404). Reading (get, list, count, search) needs any role; writing vectors
and deleting need ``manager`` or above (and writing a sample's vector needs ``manage`` on its dataset).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..datasets.permissions import ROLE_RANK, role_from
from ..db import Account, Collaborator, Dataset, Embedding, Job, OrganizationMember
from ..db.integrity import violated_constraint
from ..db.rows import EMBEDDING_OWNER, EMBEDDING_PENDING, EMBEDDING_STATE, SAMPLE_KEY, EmbeddingState, split
from ..db.sql import in_list, run, run_many
from ..db.transaction import write_transaction
from ..errors import AlreadyExists, Forbidden, Invalid, NotFound
from ..jobs import enqueue
from ..lazy import numpy as np
from ..settings import Settings
from ..timeutil import now_iso
from ..users.service import member_role
from .vectors import DTYPE, MAX_DIMS, METRICS

INDEX_JOB = "embedding.index"
MAX_NAME = 150


@dataclass(frozen=True)
class EmbeddingAccess:
    embedding: Embedding
    user: Account
    role: str

    @property
    def full_name(self) -> str:
        return f"{self.embedding.owner.username}/{self.embedding.name}"

    def require_write(self) -> EmbeddingAccess:
        if ROLE_RANK[self.role] < ROLE_RANK["manager"]:
            raise Forbidden()
        return self


def embedding_role(session: Session, user: Account, embedding: Embedding) -> str | None:
    if embedding.owner_id == user.id:
        return "owner"
    if embedding.owner.is_organization:
        return member_role(session, embedding.owner_id, user.id)
    return None


def access(session: Session, user: Account, embedding: Embedding | None) -> EmbeddingAccess:
    role = embedding_role(session, user, embedding) if embedding is not None else None
    if embedding is None or role is None:
        raise NotFound("Embedding not found.")
    return EmbeddingAccess(embedding, user, role)


def find(session: Session, owner: str, name: str) -> Embedding | None:
    return session.scalars(select(Embedding).join(Account, Account.id == Embedding.owner_id)
                           .where(Account.username == owner, Embedding.name == name)).first()


def embedding_access(session: Session, user: Account, owner: str, name: str) -> EmbeddingAccess:
    return access(session, user, find(session, owner, name))


@dataclass(frozen=True)
class SearchTarget:
    """What a search needs of an embedding the caller may read (one prebuilt statement: the ORM lookup cost more
    than the search itself)."""

    id: int
    dims: int
    metric: str
    full_name: str
    state: EmbeddingState  # the index pointer, read in the same statement (the search needs no second read)


_SEARCH_TARGET = (f"SELECT {EMBEDDING_STATE.sql('e')}, "
                  f"{EMBEDDING_OWNER.sql('e', owner_is_organization='a.is_organization', member_role='m.role')} "
                  "FROM embeddings e JOIN accounts a ON a.id = e.owner_id LEFT JOIN organization_members m "
                  "ON m.organization_id = e.owner_id AND m.user_id = ? WHERE a.username = ? AND e.name = ?")


def search_target(session: Session, user: Account, owner: str, name: str) -> SearchTarget:
    row = run(session, _SEARCH_TARGET, (user.id, owner, name)).first()
    if row is None:
        raise NotFound("Embedding not found.")
    state, who, _ = split(row, EMBEDDING_STATE, EMBEDDING_OWNER)
    if not (who.owner_id == user.id or (who.owner_is_organization and who.member_role is not None)):
        raise NotFound("Embedding not found.")
    return SearchTarget(id=state.id, dims=state.dims, metric=state.metric, full_name=f"{owner}/{name}",
                        state=state)


def list_embeddings(session: Session, user: Account, owner: Account | None = None) -> list[Embedding]:
    """Embeddings the caller may use: their own and their organizations' (or only ``owner``'s)."""
    orgs = select(OrganizationMember.organization_id).where(OrganizationMember.user_id == user.id)
    query = select(Embedding).where(or_(Embedding.owner_id == user.id, Embedding.owner_id.in_(orgs)))
    if owner is not None:
        query = query.where(Embedding.owner_id == owner.id)
    return list(session.scalars(query.order_by(Embedding.created_at, Embedding.id)))


def vectors_count(session: Session, embedding_id: int) -> int:
    return int(run(session, "SELECT count(*) FROM embedding_vectors WHERE embedding_id = ?", (embedding_id,)).scalar())


def embedding_public(session: Session, acc: EmbeddingAccess) -> dict[str, Any]:
    e = acc.embedding
    return {
        "name": e.name, "full_name": acc.full_name, "owner": e.owner.username, "description": e.description,
        "dims": e.dims, "metric": e.metric, "vectors_count": vectors_count(session, e.id), "role": acc.role,
        "index": {"version": e.index_version, "vectors": e.index_count, "built_at": e.index_built_at,
                  "rebuilding": e.index_job_id is not None},
        "created_at": e.created_at, "updated_at": e.updated_at,
    }


# ------------------------------------------------------------------------------------------------- writing
def _owner_for_create(session: Session, user: Account, organization: str | None) -> Account:
    if organization is None:
        return user
    org = session.scalars(select(Account).where(Account.username == organization)).first()
    role = member_role(session, org.id, user.id) if org is not None and org.is_organization else None
    if org is None or role is None:
        raise NotFound(f"Organization '{organization}' not found.")
    if ROLE_RANK[role] < ROLE_RANK["manager"]:
        raise Forbidden()
    return org


def check_definition(name: Any, dims: Any, metric: Any) -> tuple[str, int, str]:
    if type(name) is not str or not name.strip() or len(name) > MAX_NAME or "/" in name:
        raise Invalid(f"name: a non-empty name of at most {MAX_NAME} characters without '/' is required.",
                      field="name")
    if type(dims) is not int or not 1 <= dims <= MAX_DIMS:
        raise Invalid(f"dims: an integer from 1 to {MAX_DIMS} is required.", field="dims")
    if metric not in METRICS:
        raise Invalid(f"metric: one of {', '.join(METRICS)} is required.", field="metric")
    return name, dims, metric


def create_embedding(session: Session, user: Account, name: Any, dims: Any, metric: Any = "cosine",
                     description: str = "", organization: str | None = None) -> EmbeddingAccess:
    name, dims, metric = check_definition(name, dims, metric)
    owner = _owner_for_create(session, user, organization)
    taken = f"An embedding named '{name}' already exists for {owner.username}."
    if session.scalar(select(Embedding.id).where(Embedding.owner_id == owner.id, Embedding.name == name)):
        raise AlreadyExists(taken, field="name")
    now = now_iso()
    embedding = Embedding(owner_id=owner.id, name=name, description=description or "", dims=dims, metric=metric,
                          vector_seq=0, vectors_written=0, index_written=0, index_version=0, index_seq=0,
                          index_count=0, created_by_id=user.id,
                          created_at=now, updated_at=now)
    embedding.owner = owner
    try:
        with write_transaction(session):
            session.add(embedding)
    except IntegrityError as exc:
        if violated_constraint(exc) == "uq_embeddings_owner_id_name":
            raise AlreadyExists(taken, field="name") from None
        raise
    return access(session, user, embedding)


def delete_embedding(session: Session, acc: EmbeddingAccess) -> str | None:
    """Delete the embedding and its vectors; returns the index file's key for the caller to remove after."""
    acc.require_write()
    key = acc.embedding.index_key
    with write_transaction(session):
        run(session, "DELETE FROM embedding_vectors WHERE embedding_id = ?", (acc.embedding.id,))
        run(session, "DELETE FROM embeddings WHERE id = ?", (acc.embedding.id,))
    return key


_id_dataset = SAMPLE_KEY.getter("id", "dataset_id")


def samples_for_write(session: Session, user: Account, sample_ids: list[int]) -> dict[int, int]:
    """sample id -> dataset id for the samples the caller may manage; others (absent, invisible) are left out,
    a visible dataset without the role raises 403."""
    found: dict[int, int] = {}
    for start in range(0, len(sample_ids), 500):
        chunk = sample_ids[start:start + 500]
        rows = run(session, f"SELECT {SAMPLE_KEY.sql()} FROM samples WHERE id IN ({in_list(len(chunk))})", chunk)
        found.update(map(_id_dataset, rows))
    return writable_samples(session, user, found)


def writable_samples(session: Session, user: Account, found: dict[int, int]) -> dict[int, int]:
    """``found`` (sample id -> dataset id, as read) less the samples of datasets the caller cannot see; a visible
    dataset without the manager role raises 403."""
    roles: dict[int, str | None] = {}
    for dataset_id in set(found.values()):
        roles[dataset_id] = dataset_role(session, user, dataset_id)
    for dataset_id, role in roles.items():
        if role is not None and ROLE_RANK[role] < ROLE_RANK["manager"]:
            raise Forbidden()
    return {sid: did for sid, did in found.items() if roles[did] is not None}


def dataset_role(session: Session, user: Account, dataset_id: int) -> str | None:
    row = session.execute(select(Dataset.owner_id, Dataset.public, Account.is_organization)
                          .join(Account, Account.id == Dataset.owner_id).where(Dataset.id == dataset_id)).first()
    if row is None:
        return None
    owner_id, public, owner_is_org = row
    collab = session.scalar(select(Collaborator.role).where(Collaborator.dataset_id == dataset_id,
                                                            Collaborator.user_id == user.id))
    member = member_role(session, owner_id, user.id) if owner_is_org else None
    return role_from(is_owner=owner_id == user.id, collaborator_role=collab, owner_is_organization=owner_is_org,
                     member_role=member, public=bool(public))


_UPSERT = ("INSERT INTO embedding_vectors (embedding_id, sample_id, dataset_id, seq, vector) VALUES (?, ?, ?, ?, ?) "
           "ON CONFLICT (embedding_id, sample_id) DO UPDATE SET dataset_id = excluded.dataset_id, seq = excluded.seq, "
           "vector = excluded.vector")


# ``sample id -> vector``, or (sample ids, their vectors as the rows of one matrix): no per-vector objects.
Vectors: TypeAlias = "dict[int, np.ndarray] | tuple[list[int], np.ndarray]"  # a string: numpy is imported on first use


def put_vectors(session: Session, acc: EmbeddingAccess, vectors: Vectors, datasets: dict[int, int],
                settings: Settings, on_commit: Any = None) -> int:
    """Insert or replace the vectors of samples (``vectors``, each sample once; ``datasets``: sample id ->
    dataset id) as one batch with the embedding's next ``seq``; schedules an index rebuild when enough has changed.
    Committed."""
    with write_transaction(session):
        return write_vectors(session, acc, vectors, datasets, settings, on_commit)


def write_vectors(session: Session, acc: EmbeddingAccess, vectors: Vectors, datasets: dict[int, int],
                  settings: Settings | None, on_commit: Any = None) -> int:
    """``put_vectors`` in the caller's transaction (not committed); without ``settings`` no rebuild is
    scheduled here (the next write or build does)."""
    acc.require_write()
    embedding = acc.embedding
    if isinstance(vectors, dict):
        sample_ids = list(vectors)
        matrix = np.stack(list(vectors.values())) if vectors else np.empty((0, embedding.dims), DTYPE)
    else:
        sample_ids, matrix = vectors
    if not sample_ids:
        return 0
    seq = run(session, "UPDATE embeddings SET vector_seq = vector_seq + 1, vectors_written = vectors_written + ?, "
                       "updated_at = ? WHERE id = ? RETURNING vector_seq",
              (len(sample_ids), now_iso(), embedding.id)).scalar()
    # One executemany on the driver's cursor (SQLAlchemy's per-row parameter processing cost more than SQLite);
    # each row's bytes are a slice of the matrix's.
    blob = np.ascontiguousarray(matrix, dtype=DTYPE).tobytes()
    width = len(blob) // len(sample_ids)
    e = embedding.id
    run_many(session, _UPSERT, [(e, sid, datasets[sid], seq, blob[i * width:(i + 1) * width])
                                for i, sid in enumerate(sample_ids)])
    if settings is not None:
        schedule_rebuild(session, embedding.id, settings, on_commit)
    return len(sample_ids)


_PENDING = f"SELECT {EMBEDDING_PENDING.sql(pending='vectors_written - index_written')} FROM embeddings WHERE id = ?"


def schedule_rebuild(session: Session, embedding_id: int, settings: Settings, on_commit: Any = None) -> int | None:
    """Queue an index build when the vectors written since the last one (``vectors_written - index_written``: two
    counters, so deciding costs nothing however many are pending) reach the threshold (the larger of
    ``embedding_index_min_pending`` and 10 % of the indexed count) and no build is queued or running. In the
    caller's transaction: the job commits with the vectors it will index."""
    row = run(session, _PENDING, (embedding_id,)).first()
    if row is None:
        return None
    due = EMBEDDING_PENDING.make(row)
    if due.pending < max(settings.embedding_index_min_pending, due.index_count // 10):
        return None
    if due.index_job_id is not None and session.scalar(select(Job.status).where(Job.id == due.index_job_id)) in (
            "queued", "running"):
        return None
    job = enqueue(session, INDEX_JOB, {"embedding_id": embedding_id}, max_attempts=settings.job_max_attempts,
                  on_commit=on_commit)
    run(session, "UPDATE embeddings SET index_job_id = ? WHERE id = ?", (job.id, embedding_id))
    return job.id


def delete_index_file(store: Any, key: str | None) -> None:
    """Best effort: the row no longer points at it, so a leftover file is only wasted space (logged)."""
    if not key:
        return
    try:
        store.delete(key)
    except Exception:
        import logging

        logging.getLogger("labelhouse.embeddings").exception("could not delete index file %s", key)
