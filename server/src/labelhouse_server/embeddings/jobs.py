"""The ``embedding.index`` job: bring an embedding's HNSW index (usearch) in the object store up to date.

Incremental when it can be: the current index file is loaded and only the rows written since it was built
(``index_seq < seq <= vector_seq``) are applied (a changed sample's old entry is removed, its new vector added).
Deleted samples leave stale entries behind (searches drop them: every hit is checked in the database); when
those exceed ``MAX_STALE`` of the index, or there is no index yet, the index is rebuilt from scratch by
streaming every vector in batches. Either way the result is saved to a temporary file, uploaded under a new key,
and the embedding's pointer (``index_version + 1``, ``index_key``, ``index_seq``, ``index_count``) flips in the
transaction that completes the job; the previous file is deleted after that commit. Vectors written during the
build have a higher ``seq``: searches keep finding them in their exact delta, and the build queues its successor
when they are many.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from typing import Any

from sqlalchemy.orm import Session

from ..db.engine import READ_ONLY
from ..db.rows import EMBEDDING_BUILD, EMBEDDING_VECTOR
from ..db.sql import run
from ..jobs import JobContext, register
from ..lazy import numpy as np
from ..timeutil import now_iso
from .index import for_index, new_index
from .service import INDEX_JOB, delete_index_file, schedule_rebuild
from .vectors import unpack_many

log = logging.getLogger("labelhouse.embeddings")
BATCH = 20_000
MAX_STALE = 0.2  # stale entries (deleted samples) above this share of the index: rebuild from scratch

_SOURCE = f"SELECT {EMBEDDING_BUILD.sql()} FROM embeddings WHERE id = ?"
_FLIP = ("UPDATE embeddings SET index_version = index_version + 1, index_key = ?, index_seq = ?, index_count = ?, "
         "index_written = ?, index_built_at = ?, index_job_id = NULL WHERE id = ? AND index_job_id = ?")
_NEXT_VECTORS = (f"SELECT {EMBEDDING_VECTOR.sql()} FROM embedding_vectors WHERE embedding_id = ? AND seq > ? "
                 "AND seq <= ? AND sample_id > ? ORDER BY sample_id LIMIT ?")
_sample_id, _vector = EMBEDDING_VECTOR.getter("sample_id"), EMBEDDING_VECTOR.getter("vector")


@register(INDEX_JOB)
class BuildIndex:
    def run(self, ctx: JobContext, payload: dict[str, Any]) -> Any:
        embedding_id = int(payload["embedding_id"])
        with ctx.sessionmaker() as session:
            session.connection(execution_options=READ_ONLY)
            row = run(session, _SOURCE, (embedding_id,)).first()
            if row is None:
                return {"skipped": "embedding deleted"}
            source = EMBEDDING_BUILD.make(row)
            dims, metric, upto, old_key, old_seq = (source.dims, source.metric, source.vector_seq, source.index_key,
                                                    source.index_seq)
            live = run(session, "SELECT count(*) FROM embedding_vectors WHERE embedding_id = ? AND seq <= ?",
                       (embedding_id, upto)).scalar()
        fd, path = tempfile.mkstemp(suffix=".usearch", dir=ctx.settings.data_dir)
        os.close(fd)
        try:
            index = self._previous(ctx, old_key, path, dims, live) if old_key else None
            mode = "incremental" if index is not None else "full"
            if index is None:
                index = new_index(dims, metric)
            self._fill(ctx, index, embedding_id, dims, metric, old_seq if mode == "incremental" else 0, upto)
            count = len(index)
            index.save(path)
            key = f"embeddings/{embedding_id}/index-{ctx.job_id}-{secrets.token_hex(16)}.usearch"
            ctx.check()
            ctx.store.put(key, path, "application/octet-stream")
        finally:
            os.unlink(path)
        with ctx.sessionmaker() as session:
            current = run(session, "SELECT index_key FROM embeddings WHERE id = ? AND index_job_id = ?",
                          (embedding_id, ctx.job_id))  # the file the flip replaces (a row: the job still owns it)
            flipped = bool(current) and run(session, _FLIP, (key, upto, count, source.vectors_written, now_iso(),
                                                             embedding_id, ctx.job_id)).rowcount == 1
            result = {"embedding_id": embedding_id, "vectors": count, "live": live, "seq": upto, "key": key,
                      "mode": mode}
            if not flipped or not ctx.complete_in(session, result):
                session.rollback()
                delete_index_file(ctx.store, key)  # deleted embedding, or this job lost its lease
                return {"skipped": "embedding deleted or job superseded"}
            schedule_rebuild(session, embedding_id, ctx.settings)  # what arrived during the build, if much
            session.commit()
        delete_index_file(ctx.store, current.scalar())
        log.info("embedding %s: %s index build, %d entries (%d live vectors, seq %s)", embedding_id, mode, count,
                 live, upto)
        return None

    def _previous(self, ctx: JobContext, key: str, path: str, dims: int, live: int) -> Any:
        """The current index file, loaded for updating; None when a full rebuild is due (too many stale entries,
        or the file is unreadable)."""
        from usearch.index import Index

        try:
            with ctx.store.open(key) as src, open(path, "wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
            index = Index.restore(path)
        except Exception:
            log.exception("index file %s unreadable: rebuilding from scratch", key)
            return None
        if index is None or index.ndim != dims or len(index) > live * (1 + MAX_STALE):
            return None
        return index

    def _fill(self, ctx: JobContext, index: Any, embedding_id: int, dims: int, metric: str, after_seq: int,
              upto: int) -> None:
        """Add every vector with ``after_seq < seq <= upto``, replacing entries of the same samples."""
        last = 0
        threads = max(1, ctx.settings.embedding_index_threads)
        while True:
            with ctx.sessionmaker() as session:
                session.connection(execution_options=READ_ONLY)
                rows = run(session, _NEXT_VECTORS, (embedding_id, after_seq, upto, last, BATCH))
            if not rows:
                return
            keys = np.fromiter(map(_sample_id, rows), dtype=np.uint64, count=len(rows))
            if after_seq and len(index):
                present = keys[np.asarray(index.contains(keys), dtype=bool)]
                if len(present):
                    index.remove(present)
            index.add(keys, for_index(metric, unpack_many([bytes(v) for v in map(_vector, rows)], dims)),
                      threads=threads)
            last = _sample_id(rows[-1])
            ctx.progress += len(rows)
            ctx.check()

    def on_failed(self, session: Session, payload: dict[str, Any], reason: str) -> None:
        log.error("embedding %s: index build failed: %s", payload.get("embedding_id"), reason)
        run(session, "UPDATE embeddings SET index_job_id = NULL WHERE id = ?", (payload.get("embedding_id"),))
