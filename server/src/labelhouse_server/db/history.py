"""Label history: every create, update, delete and restore of a label appends one immutable revision.

Revisions are keyed by (sample, labelset), not by label row, so they outlive the label's deletion (until the
sample, its labelset or its dataset is deleted: cascades). Attribute documents are stored once per dataset by
content hash (``label_contents``): a revision that only changes the status or the score points at the same
document as the revision before it.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class LabelContent(Base):
    """A label attributes document (compact JSON text as stored on the label), once per dataset and content."""

    __tablename__ = "label_contents"

    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True)
    hash: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)  # blake2b-128 of the text
    attributes: Mapped[str] = mapped_column(Text)


class LabelRevision(Base):
    __tablename__ = "label_revisions"
    __table_args__ = (UniqueConstraint("sample_id", "labelset_id", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id", ondelete="CASCADE"))
    labelset_id: Mapped[int] = mapped_column(ForeignKey("labelsets.id", ondelete="CASCADE"), index=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)  # 1..n per (sample, labelset), no gaps
    action: Mapped[str] = mapped_column(String(16))  # created, updated, deleted, restored
    label_status: Mapped[str | None] = mapped_column(String(32), nullable=True)  # NULL for a deletion
    attributes_hash: Mapped[bytes | None] = mapped_column(LargeBinary(16), nullable=True)  # NULL for a deletion
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
