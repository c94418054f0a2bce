"""Datasets, their collaborators and labelsets."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JSONText
from .users import Account


class Dataset(Base):
    __tablename__ = "datasets"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(40), default="other")
    public: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    task_type: Mapped[str] = mapped_column(String(64))
    data_type: Mapped[str] = mapped_column(String(32), default="IMAGE")
    task_attributes: Mapped[Any] = mapped_column(JSONText, nullable=True)
    readme: Mapped[str] = mapped_column(Text, default="")
    metadata_: Mapped[Any] = mapped_column("metadata", JSONText, default=dict)
    # enable_* flags, labeling_inactivity_timeout_seconds, region_of_interest ...: one JSON document so new
    # Segments options need no migration.
    options: Mapped[Any] = mapped_column(JSONText, default=dict)
    # The name shown through the Labelbox API when it differs from ``name`` (Labelbox names are free text and
    # need not be unique; ``name`` stays the Segments path segment). Migration 0004_labelbox added it, so it is the
    # table's last column (``sort_order``), in a database created from the models too (``db/migrate.py``).
    display_name: Mapped[str | None] = mapped_column(String(255), nullable=True, sort_order=1)
    cloned_from: Mapped[str | None] = mapped_column(String(320), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))

    owner: Mapped[Account] = relationship(foreign_keys=[owner_id], lazy="joined")
    labelsets: Mapped[list[Labelset]] = relationship(
        back_populates="dataset", cascade="all, delete-orphan", order_by="Labelset.id"
    )


class Collaborator(Base):
    __tablename__ = "collaborators"
    __table_args__ = (UniqueConstraint("dataset_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[str] = mapped_column(String(32))

    user: Mapped[Account] = relationship(lazy="joined")


class Labelset(Base):
    __tablename__ = "labelsets"
    __table_args__ = (UniqueConstraint("dataset_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    is_groundtruth: Mapped[bool] = mapped_column(Boolean, default=False)
    attributes: Mapped[Any] = mapped_column(JSONText, nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))

    dataset: Mapped[Dataset] = relationship(back_populates="labelsets")
