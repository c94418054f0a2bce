"""Labelbox projects: batches of data rows (samples) sent to labeling, task queues.

A data row is in at most one batch of a project (``project_data_rows`` is both the batch membership and the
row's workflow state: the task queue it waits in, NULL once Done). A project's labels live in labelhouse
labelsets, one per dataset the project draws rows from (``project_labelsets``), so they are ordinary labels
to the Segments API too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONText


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (Index("ix_projects_organization_created", "organization_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    media_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    editor_task_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    upload_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    auto_audit_number_of_labels: Mapped[int | None] = mapped_column(Integer, nullable=True)
    auto_audit_percentage: Mapped[float | None] = mapped_column(Float, nullable=True)
    is_benchmark_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    is_consensus_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    ontology_id: Mapped[int | None] = mapped_column(ForeignKey("ontologies.id", ondelete="SET NULL"),
                                                    nullable=True, index=True)
    # The labeling frontend is a fixed one (``Editor``); its per-project options are one JSON text.
    labeling_frontend_id: Mapped[str | None] = mapped_column(String(25), nullable=True)
    frontend_options: Mapped[str | None] = mapped_column(Text, nullable=True)
    setup_complete: Mapped[str | None] = mapped_column(String(32), nullable=True)
    model_setup_complete: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))
    last_activity_time: Mapped[str] = mapped_column(String(32))


class TaskQueue(Base):
    __tablename__ = "task_queues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    queue_type: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)


class Batch(Base):
    __tablename__ = "batches"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    priority: Mapped[int] = mapped_column(Integer, default=5)
    consensus_settings: Mapped[Any] = mapped_column(JSONText, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))


class ProjectDataRow(Base):
    __tablename__ = "project_data_rows"
    __table_args__ = (
        Index("ix_project_data_rows_batch_id", "batch_id"),
        Index("ix_project_data_rows_sample_id", "sample_id"),
        Index("ix_project_data_rows_project_queue", "project_id", "task_queue_id"),
    )

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True,
                                            autoincrement=False)
    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"))
    # NULL = the Done state (no queue).
    task_queue_id: Mapped[int | None] = mapped_column(ForeignKey("task_queues.id", ondelete="SET NULL"),
                                                      nullable=True)
    priority: Mapped[int] = mapped_column(Integer, default=5)
    created_at: Mapped[str] = mapped_column(String(32))


class ProjectLabelset(Base):
    """The labelset holding a project's labels for the rows of one dataset (created with the first batch that
    brings rows of that dataset into the project)."""

    __tablename__ = "project_labelsets"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True,
                                            autoincrement=False)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True,
                                            autoincrement=False)
    labelset_id: Mapped[int] = mapped_column(ForeignKey("labelsets.id", ondelete="CASCADE"), unique=True)


class AnnotationImport(Base):
    """A Labelbox ``LabelImport`` (kind ``label``: ground truth) or ``MALPredictionImport`` (kind ``mal``:
    pre-labels) into a project. Its input, per-line status and error files are objects in the store; the counters
    give ``progress``. Names are unique per project and kind (``from_name`` finds an import by name)."""

    __tablename__ = "annotation_imports"
    __table_args__ = (UniqueConstraint("project_id", "kind", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # label | mal | meamal (a model run's predictions as pre-labels)
    name: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16))  # RUNNING | FINISHED | FAILED
    total_lines: Mapped[int] = mapped_column(Integer, default=0)
    done_lines: Mapped[int] = mapped_column(Integer, default=0)
    failed_lines: Mapped[int] = mapped_column(Integer, default=0)
    input_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    status_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    error_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)  # why a FAILED import failed as a whole
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))


class LabelFeedback(Base):
    """``upsert_label_feedback``: free-text feedback and named scores on a label (one row per label, replaced
    on each upsert; ``scores`` is ``[{"name", "score"}]``)."""

    __tablename__ = "label_feedback"

    label_id: Mapped[int] = mapped_column(ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True,
                                          autoincrement=False)
    feedback: Mapped[str] = mapped_column(Text, default="")
    scores: Mapped[Any] = mapped_column(JSONText)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    updated_at: Mapped[str] = mapped_column(String(32))
