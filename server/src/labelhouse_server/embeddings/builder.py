"""The ``embedding.index`` job: build an embedding's HNSW index (usearch) from the database into the object store.

Streams the vectors with ``seq <= vector_seq`` (as read when the build starts) in batches, adds them to a fresh
index (multi-threaded), saves it to a temporary file, uploads it under a new key, and flips the embedding's
pointer (``index_version + 1``, ``index_key``, ``index_seq``, ``index_count``) in the transaction that completes
the job. The previous file is deleted after that commit. Vectors written during the build have a higher ``seq``:
searches keep finding them in their exact delta, and the build queues its successor when they are many.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from ..db.engine import READ_ONLY
from ..jobs import JobContext, register
from ..timeutil import now_iso
from .index import new_index
from .service import INDEX_JOB, delete_index_file, schedule_rebuild
from .vectors import unpack_many

log = logging.getLogger("labelhouse.embeddings")
BATCH = 20_000


@register(INDEX_JOB)
class BuildIndex:
    def run(self, ctx: JobContext, payload: dict[str, Any]) -> Any:
        embedding_id = int(payload["embedding_id"])
        with ctx.sessionmaker() as session:
            session.connection(execution_options=READ_ONLY)
            row = session.execute(text("SELECT dims, metric, vector_seq FROM embeddings WHERE id = :e"),
                                  {"e": embedding_id}).first()
            if row is None:
                return {"skipped": "embedding deleted"}
            dims, metric, upto = row
        index = new_index(dims, metric)
        count = self._fill(ctx, index, embedding_id, dims, upto)
        fd, path = tempfile.mkstemp(suffix=".usearch", dir=ctx.settings.data_dir)
        os.close(fd)
        try:
            index.save(path)
            key = f"embeddings/{embedding_id}/index-{ctx.job_id}-{secrets.token_hex(16)}.usearch"
            ctx.check()
            ctx.store.put(key, path, "application/octet-stream")
        finally:
            os.unlink(path)
        with ctx.sessionmaker() as session:
            old = session.execute(text("SELECT index_key FROM embeddings WHERE id = :e AND index_job_id = :j"),
                                  {"e": embedding_id, "j": ctx.job_id}).first()
            flipped = old is not None and session.execute(text(
                "UPDATE embeddings SET index_version = index_version + 1, index_key = :k, index_seq = :q, "
                "index_count = :n, index_built_at = :now, index_job_id = NULL WHERE id = :e AND index_job_id = :j"),
                {"k": key, "q": upto, "n": count, "now": now_iso(), "e": embedding_id, "j": ctx.job_id}).rowcount == 1
            if not flipped or not ctx.complete_in(session, {"embedding_id": embedding_id, "vectors": count,
                                                            "seq": upto, "key": key}):
                session.rollback()
                delete_index_file(ctx.store, key)  # deleted embedding, or this job lost its lease
                return {"skipped": "embedding deleted or job superseded"}
            schedule_rebuild(session, embedding_id, ctx.settings)  # what arrived during the build, if much
            session.commit()
        delete_index_file(ctx.store, old[0])
        log.info("embedding %s: index of %d vectors built (seq %s)", embedding_id, count, upto)
        return None

    def _fill(self, ctx: JobContext, index: Any, embedding_id: int, dims: int, upto: int) -> int:
        count = 0
        last = 0
        threads = max(1, ctx.settings.embedding_index_threads)
        while True:
            with ctx.sessionmaker() as session:
                session.connection(execution_options=READ_ONLY)
                rows = session.execute(text(
                    "SELECT sample_id, vector FROM embedding_vectors WHERE embedding_id = :e AND seq <= :q "
                    "AND sample_id > :last ORDER BY sample_id LIMIT :n"),
                    {"e": embedding_id, "q": upto, "last": last, "n": BATCH}).all()
            if not rows:
                return count
            keys = np.fromiter((r[0] for r in rows), dtype=np.uint64, count=len(rows))
            index.add(keys, unpack_many([bytes(r[1]) for r in rows], dims), threads=threads)
            count += len(rows)
            last = rows[-1][0]
            ctx.progress = count
            ctx.check()

    def on_failed(self, session: Session, payload: dict[str, Any], reason: str) -> None:
        log.error("embedding %s: index build failed: %s", payload.get("embedding_id"), reason)
        session.execute(text("UPDATE embeddings SET index_job_id = NULL WHERE id = :e"),
                        {"e": payload.get("embedding_id")})
