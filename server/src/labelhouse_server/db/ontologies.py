"""Ontologies and feature schemas (Labelbox concepts; labelhouse datasets keep their own ``task_attributes``).

A *feature schema* is one reusable top-level tool or classification of an organization. Its full definition
(the Labelbox ``normalized`` JSON, with ids on every nested classification and option) is stored on the feature
schema; an *ontology* is an ordered list of feature schemas (``ontology_features``), so renaming a feature shows
in every ontology that uses it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONText


class Ontology(Base):
    __tablename__ = "ontologies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    media_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    editor_task_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Relationship definitions of the ontology (kept as sent; the SDK reads ``normalized.relationships``).
    relationships: Mapped[Any] = mapped_column(JSONText, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))


class FeatureSchema(Base):
    """Public ids (``labelbox/ids.py``): ``featureSchemaId`` = ``encode("feature_schema", id)``, its root node's
    ``schemaNodeId`` = ``encode("schema_node", id)``; nested nodes carry random ids inside ``normalized``."""

    __tablename__ = "feature_schemas"
    __table_args__ = (Index("ix_feature_schemas_organization_name", "organization_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))  # "tool" or "classification"
    normalized: Mapped[Any] = mapped_column(JSONText)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))


class OntologyFeature(Base):
    """A feature schema's place in an ontology. Archived features stay (labels may use them) but are hidden
    from the ontology's ``normalized``."""

    __tablename__ = "ontology_features"

    ontology_id: Mapped[int] = mapped_column(ForeignKey("ontologies.id", ondelete="CASCADE"), primary_key=True,
                                             autoincrement=False)
    feature_schema_id: Mapped[int] = mapped_column(ForeignKey("feature_schemas.id", ondelete="CASCADE"),
                                                   primary_key=True, index=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
