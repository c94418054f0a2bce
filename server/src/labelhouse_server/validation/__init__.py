"""Validation of sample and label ``attributes`` documents (first version: dict check only)."""

from __future__ import annotations

from typing import Any

from labelhouse_server.errors import Invalid

__all__ = ["validate_label_attributes", "validate_sample_attributes"]


def validate_sample_attributes(task_type: str, attributes: Any) -> None:
    if not isinstance(attributes, dict):
        raise Invalid(f"attributes: expected an object, got {type(attributes).__name__}", field="attributes")


def validate_label_attributes(task_type: str, task_attributes: dict | None, attributes: Any) -> None:
    if not isinstance(attributes, dict):
        raise Invalid(f"attributes: expected an object, got {type(attributes).__name__}", field="attributes")
