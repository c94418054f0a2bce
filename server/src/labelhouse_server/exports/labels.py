"""The one seam between exports and the annotation conversion (``labelbox/annotations.py``, shared with label
imports): a project's label attributes -> the export's ``annotations`` object (contract §3.4)."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.orm import Session

from ..labelbox.annotations import OntologyIndex, export_annotations


class LabelConverter(Protocol):
    def __call__(self, attributes: Any, *, categories: Any, label_key: str) -> dict[str, Any]:
        """``attributes``: the stored label document; ``categories``: the dataset's Segments categories (labels
        written through the Segments API find their tool through them); ``label_key``: a stable id for
        annotations that carry no feature id of their own."""
        ...


def converter_for(session: Session, ontology_id: int | None) -> LabelConverter:
    """The converter for labels of a project with this ontology (its features loaded once per export)."""
    ontology = OntologyIndex.load(session, ontology_id)

    def convert(attributes: Any, *, categories: Any, label_key: str) -> dict[str, Any]:
        return export_annotations(attributes, ontology, categories=categories, label_key=label_key)

    return convert
