"""Releases, uploaded files (assets) and background jobs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONText


class Release(Base):
    __tablename__ = "releases"
    __table_args__ = (UniqueConstraint("dataset_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    release_type: Mapped[str] = mapped_column(String(16), default="JSON")
    status: Mapped[str] = mapped_column(String(16), default="PENDING")
    status_info: Mapped[str] = mapped_column(Text, default="")
    file_key: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    checksum: Mapped[str | None] = mapped_column(String(64), nullable=True)
    samples_count: Mapped[int] = mapped_column(Integer, default=0)
    # The snapshot: labels changed after this instant are not part of the release (see releases/ builder).
    snapshot_at: Mapped[str] = mapped_column(String(32))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))


class Asset(Base):
    """An uploaded file. ``uploaded_at`` is set once the bytes have arrived (local store) or been seen (S3)."""

    __tablename__ = "assets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(1024))
    key: Mapped[str] = mapped_column(String(1024), unique=True)
    content_type: Mapped[str] = mapped_column(String(255), default="application/octet-stream")
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    url: Mapped[str] = mapped_column(Text)
    upload_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(32))
    uploaded_at: Mapped[str | None] = mapped_column(String(32), nullable=True)


class Job(Base):
    """A background job is a row: status, attempts, heartbeat, error, result. Enqueued after its row commits."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_created", "status", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[Any] = mapped_column(JSONText, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued, running, succeeded, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    worker_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[Any] = mapped_column(JSONText, nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    heartbeat_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    finished_at: Mapped[str | None] = mapped_column(String(32), nullable=True)


class ReleaseSample(Base):
    """A sample as it was when its release was created (migration 0002_jobs), on PostgreSQL (SQLite: a snapshot
    file, ``releases.snapshot``). Copied in the creating transaction, so edits and deletes after creation never
    reach the release file; removed once the file is built (the file is then the snapshot). No foreign key to
    ``releases`` (migration 0012: its check cost half of the copy); removed explicitly with its release."""

    __tablename__ = "release_samples"

    release_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sample_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    uuid: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(1024))
    attributes: Mapped[Any] = mapped_column(JSONText, nullable=True)
    metadata_: Mapped[Any] = mapped_column("metadata", JSONText, nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))


class ReleaseLabel(Base):
    """A label as it was when its release was created (see ReleaseSample)."""

    __tablename__ = "release_labels"

    release_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sample_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    labelset_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    label_status: Mapped[str] = mapped_column(String(32))
    attributes: Mapped[Any] = mapped_column(JSONText, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(150), nullable=True)
    updated_by: Mapped[str | None] = mapped_column(String(150), nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(150), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))


class ReleaseSampleDigest(Base):
    """What a release holds of one sample, for release diffs (migration 0005): a digest of its name, attributes
    and metadata (canonical JSON, sorted keys). Written by the build job before the release turns SUCCEEDED."""

    __tablename__ = "release_sample_digests"

    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True)
    sample_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    uuid: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(1024))
    digest: Mapped[bytes] = mapped_column(LargeBinary(16))


class ReleaseLabelDigest(Base):
    """What a release holds of one label (see ReleaseSampleDigest): a digest of its status, score and
    attributes (canonical JSON), and the key of its attributes document in ``label_contents``."""

    __tablename__ = "release_label_digests"

    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True)
    sample_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    labelset: Mapped[str] = mapped_column(String(150), primary_key=True)
    digest: Mapped[bytes] = mapped_column(LargeBinary(16))
    attributes_hash: Mapped[bytes] = mapped_column(LargeBinary(16))
