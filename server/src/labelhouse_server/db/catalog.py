"""The Labelbox catalog's own data, beside (never inside) the Segments hot tables.

A data row IS a sample (``samples``); what only Labelbox has lives in side tables keyed by the sample id, so the
Segments bulk import and label paths never touch them: ``data_rows`` (global key, unique per organization among
live rows; external id; media type), ``data_row_attachments``, ``data_row_metadata`` (one row per data row and
metadata schema). A sample without a ``data_rows`` row is a data row with no global key and no external id.
Deleting a sample deletes all of it (``ON DELETE CASCADE``), which frees its global key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONText

MAX_GLOBAL_KEY = 200


class DataRowInfo(Base):
    __tablename__ = "data_rows"
    __table_args__ = (
        UniqueConstraint("org_id", "global_key"),
        Index("ix_data_rows_org_external", "org_id", "external_id"),
    )

    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    # The dataset owner's account (the Labelbox organization): global keys are unique per organization.
    org_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    global_key: Mapped[str | None] = mapped_column(String(MAX_GLOBAL_KEY), nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    media_type: Mapped[str | None] = mapped_column(String(32), nullable=True)


class DataRowAttachment(Base):
    __tablename__ = "data_row_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))


class DataRowMetadata(Base):
    """One metadata value of a data row. ``schema_id`` is the schema's public id (custom or reserved); an enum's
    value is the chosen option's public id."""

    __tablename__ = "data_row_metadata"

    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    schema_id: Mapped[str] = mapped_column(String(25), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONText)


class MetadataSchema(Base):
    """A custom metadata field of an organization (reserved ones — tag, split, captureDateTime, skipNFrames —
    are built in and have no row)."""

    __tablename__ = "metadata_schemas"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[str] = mapped_column(String(32))


class MetadataOption(Base):
    __tablename__ = "metadata_options"
    __table_args__ = (UniqueConstraint("schema_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schema_id: Mapped[int] = mapped_column(ForeignKey("metadata_schemas.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[str] = mapped_column(String(32))


class Task(Base):
    """A Labelbox task: what the SDK polls (through ``user.createdTasks``) for long operations. Heavy work runs as
    a ``jobs`` row (``job_id``); cheap work completes before the task is first returned. ``details`` holds what
    the result queries page through (failed rows, ids of rows written, global-key outcomes)."""

    __tablename__ = "lb_tasks"
    __table_args__ = (Index("ix_lb_tasks_created_by", "created_by_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="IN_PROGRESS")  # IN_PROGRESS COMPLETE FAILED CANCELED
    completion_percentage: Mapped[float] = mapped_column(Float, default=0.0)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)
    errors: Mapped[str | None] = mapped_column(Text, nullable=True)
    metadata_: Mapped[Any] = mapped_column("metadata", JSONText, nullable=True)
    details: Mapped[Any] = mapped_column(JSONText, nullable=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))
