"""Validation of sample and label ``attributes`` documents, by dataset task type.

Two entry points, used by the samples and labels services (single and bulk writes)::

    validate_sample_attributes(task_type, attributes)
    validate_label_attributes(task_type, task_attributes, attributes)

Both return ``None`` when the document is valid and raise ``Invalid(detail, field=...)`` on the first problem, with
``field`` a precise path (``attributes.frames[0].annotations[1].points``) and ``detail`` saying what is wrong. They
never modify their input: the server stores the document exactly as received.

The rules are those of the official SDK's pydantic models (segments-ai 1.33.0 ``segments.typing``, contract §7, §9
and Appendix A) — required keys, nullability, enums; unknown keys are allowed — plus the checks of
``labels.py`` (categories, unique ids, point counts, finite numbers). The text task types of seed 002 are served
too. A task type without a known format (e.g. the empty task type) accepts any object.

Validation is hand-written (plain ``type()`` checks, no pydantic per request) because the bulk-insert path
validates tens of thousands of samples per second.
"""

from __future__ import annotations

from typing import Any

from ._checks import expected
from .labels import LABEL_VALIDATORS, Categories
from .samples import SAMPLE_VALIDATORS

__all__ = ["validate_label_attributes", "validate_sample_attributes"]

ROOT = "attributes"


def validate_sample_attributes(task_type: str, attributes: Any) -> None:
    """Check a sample's ``attributes`` against the sample format of ``task_type``."""
    if type(attributes) is not dict:
        expected(ROOT, "an object", attributes)
    validator = SAMPLE_VALIDATORS.get(task_type)
    if validator is not None:
        validator(attributes, ROOT)


def validate_label_attributes(task_type: str, task_attributes: dict | None, attributes: Any) -> None:
    """Check a label's ``attributes`` against the label format of ``task_type`` and the dataset's
    ``task_attributes`` (its categories)."""
    if type(attributes) is not dict:
        expected(ROOT, "an object", attributes)
    validator = LABEL_VALIDATORS.get(task_type)
    if validator is not None:
        validator(attributes, ROOT, Categories(task_attributes))
