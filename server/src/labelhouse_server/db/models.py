"""Labelbox models, model runs and model configs (contract §2.12), per organization.

A model names an ontology; its runs are experiments that hold data rows (samples) with a split and optionally
the label they were trained on (``model_run_data_rows``), a free training-metadata JSON and a pipeline status.
Model configs are named inference parameters of a model, attached to projects (``project_model_configs``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONText


class Model(Base):
    __tablename__ = "lb_models"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    ontology_id: Mapped[int | None] = mapped_column(ForeignKey("ontologies.id", ondelete="SET NULL"),
                                                    nullable=True, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))


class ModelRun(Base):
    __tablename__ = "lb_model_runs"
    __table_args__ = (UniqueConstraint("model_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("lb_models.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    training_metadata: Mapped[Any] = mapped_column(JSONText, nullable=True)
    # ModelRun.update_status: EXPORTING_DATA | PREPARING_DATA | TRAINING_MODEL | COMPLETE | FAILED
    status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status_metadata: Mapped[Any] = mapped_column(JSONText, nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))


class ModelRunDataRow(Base):
    """A data row of a model run: its split, and the label registered with it (if any)."""

    __tablename__ = "lb_model_run_data_rows"
    __table_args__ = (
        UniqueConstraint("model_run_id", "sample_id"),
        Index("ix_lb_model_run_data_rows_sample_id", "sample_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_run_id: Mapped[int] = mapped_column(ForeignKey("lb_model_runs.id", ondelete="CASCADE"))
    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id", ondelete="CASCADE"))
    label_id: Mapped[int | None] = mapped_column(ForeignKey("labels.id", ondelete="SET NULL"), nullable=True)
    data_split: Mapped[str] = mapped_column(String(16), default="UNASSIGNED")
    # The row's predictions and metrics: the validated NDJSON lines of the run's prediction imports, by their
    # uuid (``{"<uuid>": {...line...}}``; a later line with the same uuid replaces it). Added by migration
    # 0009: the table's last column (``sort_order``), as in a database created from the models (``db/migrate.py``).
    predictions: Mapped[Any] = mapped_column(JSONText, nullable=True, sort_order=1)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))


class ModelConfig(Base):
    __tablename__ = "lb_model_configs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("lb_models.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    inference_params: Mapped[Any] = mapped_column(JSONText, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))


class ProjectModelConfig(Base):
    __tablename__ = "lb_project_model_configs"
    __table_args__ = (UniqueConstraint("project_id", "model_config_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    model_config_id: Mapped[int] = mapped_column(ForeignKey("lb_model_configs.id", ondelete="CASCADE"), index=True)
    response_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))


class CatalogSlice(Base):
    """A saved catalog query ("slice"): a name and a filter over the organization's data rows, evaluated when read
    (``catalog/slices.py`` has the filter language)."""

    __tablename__ = "lb_catalog_slices"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    filter: Mapped[Any] = mapped_column(JSONText)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))


class ModelRunImport(Base):
    """A prediction import into a model run (the SDK's ``MEAPredictionImport``): its input, per-line status and
    error files are objects in the store. Names are unique per run (``from_name`` finds an import by name)."""

    __tablename__ = "lb_model_run_imports"
    __table_args__ = (UniqueConstraint("model_run_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_run_id: Mapped[int] = mapped_column(ForeignKey("lb_model_runs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16))  # RUNNING | FINISHED | FAILED
    total_lines: Mapped[int] = mapped_column(Integer, default=0)
    failed_lines: Mapped[int] = mapped_column(Integer, default=0)
    input_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    status_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    error_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))
