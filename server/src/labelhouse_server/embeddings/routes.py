"""Embedding and similarity-search routes (REST, Segments-style paths: ``/user/...``, ``/embeddings/{owner}/{name}/``).

See docs/embeddings.md for the API with examples."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from ..datasets.permissions import dataset_access
from ..db.rows import SAMPLE, split
from ..db.sql import in_list, run
from ..deps import DB, CurrentUser, authenticate
from ..errors import Invalid, NotFound
from ..http import empty_response, json_response, parse_json, route
from ..lookups import usernames
from ..samples import schemas as sample_schemas
from . import service
from .schemas import (
    EmbeddingCreate,
    EmbeddingPublic,
    SimilarSamplesPublic,
    SimilarSamplesQuery,
    VectorsUpload,
    VectorsWritten,
)
from .search import MAX_K, Scope, nearest_samples, query_vector_of
from .vectors import check_vector

router = APIRouter(tags=["embeddings"])
MAX_VECTORS_PER_REQUEST = 10_000
EMBEDDING = "/embeddings/{owner}/{name}/"


@contextmanager
def read_session(request: Request) -> Iterator[Session]:
    """A read-only session for a POST that only reads (search): never takes SQLite's write lock."""
    state = request.app.state
    session = state.sessionmaker()
    session.connection(execution_options=state.read_options)
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@route(router, "/user/embeddings/", ["GET"], response_model=list[EmbeddingPublic],
       summary="Embeddings the caller can use (own and organizations')")
def list_embeddings(user: CurrentUser, session: DB) -> list[dict]:
    return [service.embedding_public(session, service.access(session, user, e))
            for e in service.list_embeddings(session, user)]


@route(router, "/user/embeddings/", ["POST"], status_code=201, response_model=EmbeddingPublic,
       summary="Create an embedding owned by the caller")
def create_embedding(body: EmbeddingCreate, user: CurrentUser, session: DB) -> dict:
    acc = service.create_embedding(session, user, body.name, body.dims, body.metric, body.description)
    return service.embedding_public(session, acc)


@route(router, "/organizations/{organization}/embeddings/", ["POST"], status_code=201,
       response_model=EmbeddingPublic, summary="Create an embedding owned by an organization (manager or admin)")
def create_org_embedding(organization: str, body: EmbeddingCreate, user: CurrentUser, session: DB) -> dict:
    acc = service.create_embedding(session, user, body.name, body.dims, body.metric, body.description, organization)
    return service.embedding_public(session, acc)


@route(router, EMBEDDING, ["GET"], response_model=EmbeddingPublic, summary="Get an embedding")
def get_embedding(owner: str, name: str, user: CurrentUser, session: DB) -> dict:
    return service.embedding_public(session, service.embedding_access(session, user, owner, name))


@route(router, EMBEDDING, ["DELETE"], status_code=204, response_class=Response,
       summary="Delete an embedding and its vectors")
def delete_embedding(owner: str, name: str, user: CurrentUser, session: DB, request: Request) -> Response:
    acc = service.embedding_access(session, user, owner, name)
    embedding_id = acc.embedding.id
    key = service.delete_embedding(session, acc)
    request.app.state.embedding_indexes.forget(embedding_id)
    service.delete_index_file(request.app.state.store, key)
    return empty_response()


@route(router, EMBEDDING + "vectors/", ["PUT"], response_model=VectorsWritten,
       openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
           "schema": VectorsUpload.model_json_schema()}}}},
       summary="Insert or replace the vectors of samples")
async def put_vectors(owner: str, name: str, request: Request, user: CurrentUser, session: DB) -> Response:
    body = parse_json(await request.body())
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_put_vectors, owner, name, body, request, user, session)


def _put_vectors(owner: str, name: str, body: Any, request: Request, user: Any, session: Session) -> Response:
    acc = service.embedding_access(session, user, owner, name).require_write()
    items = body.get("vectors") if isinstance(body, dict) else None
    if type(items) is not list:
        raise Invalid("vectors: a list of {\"sample_uuid\": ..., \"vector\": [...]} is required.", field="vectors")
    if len(items) > MAX_VECTORS_PER_REQUEST:
        raise Invalid(f"vectors: at most {MAX_VECTORS_PER_REQUEST} per request.", field="vectors")
    by_uuid: dict[str, np.ndarray] = {}
    e = acc.embedding
    for i, item in enumerate(items):
        uuid = item.get("sample_uuid") if isinstance(item, dict) else None
        if type(uuid) is not str:
            raise Invalid(f"vectors[{i}].sample_uuid: a sample uuid is required.", field=f"vectors[{i}].sample_uuid")
        by_uuid[uuid] = check_vector(item.get("vector"), e.dims, e.metric, f"vectors[{i}].vector")
    ids = _sample_ids(session, list(by_uuid))
    allowed = service.samples_for_write(session, user, list(ids.values()))
    missing = [u for u, sid in ids.items() if sid not in allowed] + [u for u in by_uuid if u not in ids]
    if missing:
        raise NotFound(f"Sample not found: {', '.join(missing[:5])}" + (" ..." if len(missing) > 5 else ""),
                       field="vectors")
    written = service.put_vectors(session, acc, {ids[u]: v for u, v in by_uuid.items()}, allowed,
                                  request.app.state.settings, on_commit=request.app.state.job_runner.notify)
    return json_response({"written": written})


def _sample_ids(session: Session, uuids: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for start in range(0, len(uuids), 500):
        chunk = uuids[start:start + 500]
        out.update(run(session, f"SELECT uuid, id FROM samples WHERE uuid IN ({in_list(len(chunk))})", chunk))
    return out


@route(router, EMBEDDING + "similar-samples/", ["POST"], response_model=SimilarSamplesPublic,
       summary="The k samples nearest to a vector or to a sample's own vector")
def similar_samples(owner: str, name: str, body: SimilarSamplesQuery, request: Request) -> Response:
    with read_session(request) as session:
        user = authenticate(request, session)
        e = service.search_target(session, user, owner, name)
        if not 1 <= body.k <= MAX_K:
            raise Invalid(f"k: from 1 to {MAX_K}.", field="k")
        if (body.vector is None) == (body.sample_uuid is None):
            raise Invalid("Give exactly one of 'vector' and 'sample_uuid'.", field="vector")
        dataset_id = None
        if body.dataset is not None:
            ds_owner, _, ds_name = body.dataset.partition("/")
            if not ds_name:
                raise Invalid("dataset: 'owner/name' is required.", field="dataset")
            dataset_id = dataset_access(session, user, ds_owner, ds_name).dataset.id
        exclude = None
        if body.sample_uuid is not None:
            exclude, query = _sample_query(session, user, e, body.sample_uuid)
        else:
            query = check_vector(body.vector, e.dims, e.metric)
        metadata = tuple((str(k), _as_text(v)) for k, v in (body.metadata or {}).items())
        scope = Scope(user=user, dataset_id=dataset_id, metadata=metadata, exclude_sample_id=exclude)
        hits = nearest_samples(session, request.app.state.embedding_indexes, e.id, query, body.k, scope)
        return json_response({"embedding": e.full_name, "metric": e.metric,
                              "results": _results(session, user, hits)})


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _sample_query(session: Session, user: Any, embedding: Any, sample_uuid: str) -> tuple[int, np.ndarray]:
    found = run(session, "SELECT id, dataset_id FROM samples WHERE uuid = ?", (sample_uuid,)).first()
    if found is None:
        raise NotFound("Sample not found.", field="sample_uuid")
    sample_id, dataset_id = found
    if service.dataset_role(session, user, dataset_id) is None:
        raise NotFound("Sample not found.", field="sample_uuid")
    vector = query_vector_of(session, embedding.id, sample_id, embedding.dims)
    if vector is None:
        raise Invalid(f"Sample {sample_uuid} has no vector in this embedding.", field="sample_uuid")
    return sample_id, vector


def _results(session: Session, user: Any, hits: list[tuple[int, float]]) -> list[dict[str, Any]]:
    if not hits:
        return []
    ids = [sid for sid, _ in hits]
    rows: dict[int, tuple[Any, int]] = {}  # sample id -> (its db.rows.SAMPLE row, its dataset id)
    for found in run(session, f"SELECT {SAMPLE.sql()}, dataset_id FROM samples WHERE id IN ({in_list(len(ids))})",
                     ids):
        row, (dataset_id,) = split(found, SAMPLE)
        rows[row.id] = (row, dataset_id)
    dataset_ids = sorted({dataset_id for _row, dataset_id in rows.values()})
    datasets = {dataset_id: (f"{owner}/{name}", data_type) for dataset_id, owner, name, data_type in run(
        session, f"SELECT d.id, a.username, d.name, d.data_type FROM datasets d JOIN accounts a ON a.id = d.owner_id "
                 f"WHERE d.id IN ({in_list(len(dataset_ids))})", dataset_ids)}
    users = usernames(session, {u for row, _ in rows.values() for u in sample_schemas.sample_user_ids(row)}, user)
    out = []
    for sid, distance in hits:
        if sid not in rows:  # deleted between the search and this read
            continue
        row, dataset_id = rows[sid]
        full_name, data_type = datasets[dataset_id]
        out.append({"distance": distance, "sample": sample_schemas.sample_public(row, users, full_name, data_type)})
    return out
