"""Embedding and similarity-search routes (REST, Segments-style paths: ``/user/...``, ``/embeddings/{owner}/{name}/``).

See docs/embeddings.md for the API with examples."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..datasets.permissions import dataset_access
from ..db.rows import SAMPLE, SAMPLE_KEY, split
from ..db.sql import in_list, run
from ..deps import DB, CurrentUser, authenticate
from ..errors import Invalid, NotFound
from ..fastlane import Handler
from ..http import empty_response, json_response, parse_json, route
from ..lazy import numpy as np
from ..lookups import usernames
from ..routing import Routes
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
from .vectors import DTYPE, ITEMSIZE, check_rows, check_vector

router = Routes(tags=["embeddings"])
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
    return await run_in_threadpool(_put_vectors, owner, name, body, request, user, session)


def _put_vectors(owner: str, name: str, body: Any, request: Request, user: Any, session: Session) -> Response:
    acc = service.embedding_access(session, user, owner, name).require_write()
    e = acc.embedding
    uuids, matrix = _upload(body, e.dims, e.metric)
    last = {u: i for i, u in enumerate(uuids)}  # a uuid given twice: its last vector wins
    found = _samples(session, list(last))
    allowed = service.writable_samples(session, user, {sid: did for sid, did in found.values()})
    missing = [u for u in last if u not in found or found[u][0] not in allowed]
    if missing:
        raise NotFound(f"Sample not found: {', '.join(missing[:5])}" + (" ..." if len(missing) > 5 else ""),
                       field="vectors")
    sample_ids = [found[u][0] for u in last]
    written = service.put_vectors(session, acc, (sample_ids, matrix[list(last.values())]), allowed,
                                  request.app.state.settings, on_commit=request.app.state.job_runner.notify)
    return json_response({"written": written})


def _upload(body: Any, dims: int, metric: str) -> tuple[list[str], np.ndarray]:
    """(sample uuids, their vectors as rows) of either upload form: ``{"vectors": [{"sample_uuid", "vector"}]}``
    or the packed ``{"sample_uuids": [...], "vectors_base64": <little-endian float32, row after row>}``."""
    if not isinstance(body, dict) or ("vectors" in body) == ("sample_uuids" in body):
        raise Invalid('Give either "vectors": [{"sample_uuid": ..., "vector": [...]}, ...] or "sample_uuids" '
                      'with "vectors_base64".', field="vectors")
    if "sample_uuids" in body:
        return _packed(body, dims, metric)
    items = body["vectors"]
    if type(items) is not list:
        raise Invalid("vectors: a list of {\"sample_uuid\": ..., \"vector\": [...]} is required.", field="vectors")
    if len(items) > MAX_VECTORS_PER_REQUEST:
        raise Invalid(f"vectors: at most {MAX_VECTORS_PER_REQUEST} per request.", field="vectors")
    uuids: list[str] = []
    matrix = np.empty((len(items), dims), dtype=DTYPE)
    for i, item in enumerate(items):
        uuid = item.get("sample_uuid") if isinstance(item, dict) else None
        if type(uuid) is not str:
            raise Invalid(f"vectors[{i}].sample_uuid: a sample uuid is required.", field=f"vectors[{i}].sample_uuid")
        uuids.append(uuid)
        matrix[i] = check_vector(item.get("vector"), dims, metric, f"vectors[{i}].vector")
    return uuids, matrix


def _packed(body: dict[str, Any], dims: int, metric: str) -> tuple[list[str], np.ndarray]:
    uuids = body["sample_uuids"]
    if type(uuids) is not list or not all(type(u) is str for u in uuids):
        raise Invalid("sample_uuids: a list of sample uuids is required.", field="sample_uuids")
    if len(uuids) > MAX_VECTORS_PER_REQUEST:
        raise Invalid(f"sample_uuids: at most {MAX_VECTORS_PER_REQUEST} per request.", field="sample_uuids")
    data = body.get("vectors_base64")
    if type(data) is not str:
        raise Invalid("vectors_base64: the vectors as base64 of little-endian float32, row after row, are "
                      "required.", field="vectors_base64")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("vectors_base64: not valid base64.", field="vectors_base64") from None
    if len(raw) != len(uuids) * dims * ITEMSIZE:
        raise Invalid(f"vectors_base64: {len(uuids)} vectors of {dims} float32 are {len(uuids) * dims * 4} bytes, "
                      f"got {len(raw)}.", field="vectors_base64")
    matrix = np.frombuffer(raw, dtype=DTYPE).reshape(len(uuids), dims)
    bad = check_rows(matrix, metric)
    if bad is not None:
        row, problem = bad
        raise Invalid(f"vectors_base64: vector {row} ({uuids[row]}): {problem}", field="vectors_base64")
    return uuids, matrix


_uuid, _id_dataset = SAMPLE_KEY.getter("uuid"), SAMPLE_KEY.getter("id", "dataset_id")


def _samples(session: Session, uuids: list[str]) -> dict[str, tuple[int, int]]:
    """uuid -> (sample id, dataset id) of the samples that exist among ``uuids``."""
    out: dict[str, tuple[int, int]] = {}
    for start in range(0, len(uuids), 500):
        chunk = uuids[start:start + 500]
        rows = run(session, f"SELECT {SAMPLE_KEY.sql()} FROM samples WHERE uuid IN ({in_list(len(chunk))})", chunk)
        out.update(zip(map(_uuid, rows), map(_id_dataset, rows)))
    return out


# The search is served by the fast lane (``fastlane.py``; FastAPI's route matching alone cost more CPU than the
# search) and by the route below, which documents it. On SQLite it runs on the event loop (in-process reads and
# a few hundred microseconds of index search: a worker-thread hop would only add to them); on PostgreSQL, whose
# reads wait on the network, in a worker thread.
async def similar_samples_handler(request: Request, session: Session, owner: str, name: str) -> Response:
    raw = await request.body()
    if request.app.state.inline_writes:
        return _similar_samples(request, session, owner, name, raw)
    return await run_in_threadpool(_similar_samples, request, session, owner, name, raw)


FAST_LANE: list[tuple[str, str, Handler]] = [("POST", EMBEDDING + "similar-samples/", similar_samples_handler)]
_SEARCH_FIELDS = ("vector", "sample_uuid", "k", "dataset", "metadata")


@route(router, EMBEDDING + "similar-samples/", ["POST"], response_model=SimilarSamplesPublic,
       openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
           "schema": SimilarSamplesQuery.model_json_schema()}}}},
       summary="The k samples nearest to a vector or to a sample's own vector")
async def similar_samples(owner: str, name: str, request: Request, session: DB) -> Response:
    return await similar_samples_handler(request, session, owner, name)


def _similar_samples(request: Request, session: Session, owner: str, name: str, raw: bytes) -> Response:
    # A read-only transaction (never takes SQLite's write lock), begun before the first query.
    session.connection(execution_options=request.app.state.read_options)
    user = authenticate(request, session)
    e = service.search_target(session, user, owner, name)
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise Invalid('A JSON object {"vector" | "sample_uuid", "k", "dataset", "metadata"} is required.',
                      field="body")
    for key in body:
        if key not in _SEARCH_FIELDS:
            raise Invalid(f"{key}: unknown field (expected {', '.join(_SEARCH_FIELDS)}).", field=str(key))
    k = body.get("k", 10)
    if type(k) is not int or not 1 <= k <= MAX_K:
        raise Invalid(f"k: an integer from 1 to {MAX_K} is required.", field="k")
    vector, sample_uuid = body.get("vector"), body.get("sample_uuid")
    if (vector is None) == (sample_uuid is None):
        raise Invalid("Give exactly one of 'vector' and 'sample_uuid'.", field="vector")
    dataset_id = None
    dataset = body.get("dataset")
    if dataset is not None:
        ds_owner, _, ds_name = dataset.partition("/") if type(dataset) is str else ("", "", "")
        if not ds_owner or not ds_name:
            raise Invalid("dataset: 'owner/name' is required.", field="dataset")
        dataset_id = dataset_access(session, user, ds_owner, ds_name).dataset.id
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise Invalid("metadata: an object of metadata values is required.", field="metadata")
    exclude = None
    if sample_uuid is not None:
        if type(sample_uuid) is not str:
            raise Invalid("sample_uuid: a sample uuid is required.", field="sample_uuid")
        exclude, query = _sample_query(session, user, e, sample_uuid)
    else:
        query = check_vector(vector, e.dims, e.metric)
    filters = tuple((str(key), _as_text(value)) for key, value in (metadata or {}).items())
    scope = Scope(user=user, dataset_id=dataset_id, metadata=filters, exclude_sample_id=exclude)
    hits = nearest_samples(session, request.app.state.embedding_indexes, e.id, query, k, scope, e.state)
    return json_response({"embedding": e.full_name, "metric": e.metric, "results": _results(session, user, hits)})


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
