"""The one seam between exports and the annotation conversion (``labelbox/annotations.py``, owned by the label
import work): a project's label attributes -> the export's ``annotations`` object (contract §3.4)."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.orm import Session

EMPTY: dict[str, Any] = {"objects": [], "classifications": [], "relationships": []}


class LabelConverter(Protocol):
    def __call__(self, attributes: Any, *, categories: Any, label_key: str) -> dict[str, Any]:
        """``attributes``: the stored label document (JSON text or dict); ``categories``: the dataset's Segments
        categories (labels written through the Segments API); ``label_key``: a stable id for annotations that
        carry no feature id of their own."""
        ...


def converter_for(session: Session, ontology_id: int | None) -> LabelConverter:
    """The converter for labels of a project with this ontology (loaded once per export)."""

    def convert(attributes: Any, *, categories: Any, label_key: str) -> dict[str, Any]:
        return {key: list(value) for key, value in EMPTY.items()}

    return convert
