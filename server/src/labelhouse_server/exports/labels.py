"""The one seam between exports and the annotation conversion (``labelbox/annotations.py``, shared with label
imports): a project's label attributes -> the export's ``annotations`` object (contract §3.4)."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.orm import Session

from ..labelbox.annotations import OntologyIndex, apply, convert_line, export_annotations


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


def predictions_converter_for(session: Session, ontology_id: int | None) -> Any:
    """Model-run predictions are stored as their import lines (§3.2): convert them as a label import would
    (``convert_line`` + ``apply``), then export that document like a label."""
    ontology = OntologyIndex.load(session, ontology_id)
    category_ids = {f.feature_schema_id: n for n, f in enumerate(ontology.features, start=1)}

    def convert(lines: list[dict[str, Any]], key: str) -> dict[str, Any]:
        document = apply(None, [convert_line(line, ontology, media_type="IMAGE") for line in lines], category_ids)
        return export_annotations(document, ontology, label_key=key)

    return convert
