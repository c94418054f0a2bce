"""Samples, their labels (one per labelset), issues and workunits.

JSON documents (attributes, metadata) are stored as text exactly as received. Indexes serve the listing queries
(by name, created time, priority, label status, label update time) so they stay fast as datasets grow.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONText


class Sample(Base):
    __tablename__ = "samples"
    __table_args__ = (
        UniqueConstraint("dataset_id", "name"),
        Index("ix_samples_dataset_created", "dataset_id", "created_at", "id"),
        Index("ix_samples_dataset_priority", "dataset_id", "priority", "id"),
        Index("ix_samples_dataset_updated", "dataset_id", "updated_at", "id"),  # migration 0002_samples
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(1024))
    attributes: Mapped[Any] = mapped_column(JSONText, nullable=True)
    metadata_: Mapped[Any] = mapped_column("metadata", JSONText, default=dict)
    priority: Mapped[float] = mapped_column(Float, default=0.0)
    readme: Mapped[str] = mapped_column(Text, default="")
    embedding: Mapped[Any] = mapped_column(JSONText, nullable=True)
    assigned_labeler_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    assigned_reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))


class Label(Base):
    __tablename__ = "labels"
    __table_args__ = (
        UniqueConstraint("sample_id", "labelset_id"),
        Index("ix_labels_labelset_status", "labelset_id", "label_status"),
        Index("ix_labels_labelset_updated", "labelset_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id", ondelete="CASCADE"))
    labelset_id: Mapped[int] = mapped_column(ForeignKey("labelsets.id", ondelete="CASCADE"))
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    label_status: Mapped[str] = mapped_column(String(32))
    attributes: Mapped[Any] = mapped_column(JSONText, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    rating: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))
    reviewed_at: Mapped[str | None] = mapped_column(String(32), nullable=True)


class Issue(Base):
    __tablename__ = "issues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id", ondelete="CASCADE"), index=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="OPEN")
    anchor: Mapped[Any] = mapped_column(JSONText, nullable=True)
    comments: Mapped[Any] = mapped_column(JSONText, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))


class Workunit(Base):
    """One unit of work by a user on a sample: a label created, changed, or its status moved."""

    __tablename__ = "workunits"
    __table_args__ = (
        Index("ix_workunits_dataset_created", "dataset_id", "created_at"),
        Index("ix_workunits_sample_id", "sample_id"),  # migration 0002_samples
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    sample_id: Mapped[int | None] = mapped_column(ForeignKey("samples.id", ondelete="SET NULL"), nullable=True)
    sample_uuid: Mapped[str] = mapped_column(String(36))
    sample_name: Mapped[str] = mapped_column(String(1024))
    labelset: Mapped[str] = mapped_column(String(150), default="ground-truth")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    work_type: Mapped[str] = mapped_column(String(32))
    next_label_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    time: Mapped[int] = mapped_column(Integer, default=0)
    inactive_time: Mapped[int] = mapped_column(Integer, default=0)
    label_rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
