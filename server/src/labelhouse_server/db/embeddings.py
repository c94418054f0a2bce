"""Custom embeddings (named vector spaces owned by a user or an organization) and their vectors, one per sample.

Vectors are float32 little-endian bytes. ``seq`` orders changes: each write batch takes the next value of its
embedding's ``vector_seq``, so "vectors changed since the index was built" is ``seq > index_seq`` (see
``embeddings/index.py`` for the consistency rules)."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .users import Account


class Embedding(Base):
    __tablename__ = "embeddings"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    dims: Mapped[int] = mapped_column(Integer)
    metric: Mapped[str] = mapped_column(String(16), default="cosine")  # cosine | euclidean | dot
    # The last write batch's number (``EmbeddingVector.seq``).
    vector_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    # Rows written in all (each insert or replace counts), and that count as the current index's build read it:
    # the difference is what a rebuild would add (``embeddings.service.schedule_rebuild``). Added by migration
    # 0011: the table's last columns (``sort_order``), as in a database created from the models (``db/migrate.py``).
    vectors_written: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0", sort_order=1)
    index_written: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0", sort_order=1)
    # The current approximate-nearest-neighbour index: a file in the object store, built from every vector with
    # seq <= index_seq. ``index_version`` grows with each build; API processes reload when it changes.
    index_version: Mapped[int] = mapped_column(Integer, default=0)
    index_key: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    index_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    index_count: Mapped[int] = mapped_column(Integer, default=0)
    index_built_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The rebuild job queued or running, if any (one at a time per embedding).
    index_job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))

    owner: Mapped[Account] = relationship(foreign_keys=[owner_id], lazy="joined")


class EmbeddingVector(Base):
    __tablename__ = "embedding_vectors"
    __table_args__ = (
        Index("ix_embedding_vectors_embedding_id_seq", "embedding_id", "seq"),
        Index("ix_embedding_vectors_embedding_id_dataset_id", "embedding_id", "dataset_id"),
        Index("ix_embedding_vectors_sample_id", "sample_id"),
    )

    embedding_id: Mapped[int] = mapped_column(ForeignKey("embeddings.id", ondelete="CASCADE"), primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    # The sample's dataset, copied so searches restrict by dataset without joining samples.
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
