"""Property tests: random VALID attributes are accepted by our validator AND by the official SDK models; random
INVALID mutations (wrong type, unknown category id, malformed points, missing required key) are rejected by ours
with the exact field path. The input is never modified."""

from __future__ import annotations

import copy

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from labelhouse_server.errors import Invalid
from labelhouse_server.validation import validate_label_attributes, validate_sample_attributes
from pydantic import TypeAdapter
from segments import typing as t
from server.validation.strategies import (
    LABEL_TASK_TYPES,
    TEXT_TASK_TYPES,
    invalid_label_case,
    invalid_sample_case,
    label_case,
    sample_case,
)

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FORBIDDEN = ("not found", "does not exist", "already exists")
LABEL_UNION: TypeAdapter = TypeAdapter(t.LabelAttributes)
SAMPLE_UNION: TypeAdapter = TypeAdapter(t.SampleAttributes)

SDK_LABEL_MODEL = {
    "segmentation-bitmap": t.ImageSegmentationLabelAttributes,
    "segmentation-bitmap-highres": t.ImageSegmentationLabelAttributes,
    "bboxes": t.ImageVectorLabelAttributes,
    "vector": t.ImageVectorLabelAttributes,
    "keypoints": t.ImageVectorLabelAttributes,
    "image-vector-sequence": t.ImageSequenceVectorLabelAttributes,
    "image-segmentation-sequence": t.ImageSequenceSegmentationLabelAttributes,
    "pointcloud-cuboid": t.PointcloudCuboidLabelAttributes,
    "pointcloud-vector": t.PointcloudVectorLabelAttributes,
    "pointcloud-segmentation": t.PointcloudSegmentationLabelAttributes,
    "pointcloud-cuboid-sequence": t.PointcloudSequenceCuboidLabelAttributes,
    "pointcloud-vector-sequence": t.PointcloudSequenceVectorLabelAttributes,
    "pointcloud-segmentation-sequence": t.PointcloudSequenceSegmentationLabelAttributes,
    "multisensor-sequence": t.MultiSensorLabelAttributes,
}
SDK_SAMPLE_MODEL = {
    **{tt: t.ImageSampleAttributes for tt in ("segmentation-bitmap", "segmentation-bitmap-highres", "bboxes",
                                              "vector", "keypoints")},
    "image-vector-sequence": t.ImageSequenceSampleAttributes,
    "image-segmentation-sequence": t.ImageSequenceSampleAttributes,
    **{tt: t.PointcloudSampleAttributes for tt in ("pointcloud-cuboid", "pointcloud-vector",
                                                   "pointcloud-segmentation")},
    **{tt: t.PointcloudSequenceSampleAttributes for tt in ("pointcloud-cuboid-sequence", "pointcloud-vector-sequence",
                                                           "pointcloud-segmentation-sequence")},
    "multisensor-sequence": t.MultiSensorSampleAttributes,
}
# The task types the brief singles out get their own run so each is exercised often.
FOCUS = ("vector", "bboxes", "segmentation-bitmap", "pointcloud-cuboid", "image-vector-sequence", "keypoints")


def _accepted_by_both(task_type: str, task_attributes: dict, attributes: dict) -> None:
    raw = orjson.dumps(attributes)
    validate_label_attributes(task_type, task_attributes, attributes)
    assert orjson.dumps(attributes) == raw  # untouched
    if task_type in SDK_LABEL_MODEL:
        SDK_LABEL_MODEL[task_type].model_validate(attributes)
        # What SegmentsClient.add_label actually sends: the dict re-validated against the LabelAttributes union
        # and dumped from whichever model matched. That must pass too.
        sent = LABEL_UNION.validate_python(attributes).model_dump(mode="json", exclude_unset=True)
        validate_label_attributes(task_type, task_attributes, sent)


@SETTINGS
@given(label_case(FOCUS))
def test_valid_labels_of_the_main_task_types_are_accepted_by_us_and_the_sdk(case: tuple) -> None:
    _accepted_by_both(*case)


@SETTINGS
@given(label_case(LABEL_TASK_TYPES + TEXT_TASK_TYPES))
def test_valid_labels_of_every_task_type_are_accepted_by_us_and_the_sdk(case: tuple) -> None:
    _accepted_by_both(*case)


@SETTINGS
@given(invalid_label_case(LABEL_TASK_TYPES + TEXT_TASK_TYPES))
def test_invalid_labels_are_rejected_with_the_field_path(case: tuple) -> None:
    task_type, task_attributes, attributes, field = case
    before = copy.deepcopy(attributes)
    with pytest.raises(Invalid) as caught:
        validate_label_attributes(task_type, task_attributes, attributes)
    assert caught.value.field == field, caught.value.detail
    assert caught.value.detail.startswith(f"{field}: ")
    assert not any(phrase in caught.value.detail.lower() for phrase in FORBIDDEN)
    assert attributes == before


@SETTINGS
@given(sample_case())
def test_valid_samples_are_accepted_by_us_and_the_sdk(case: tuple) -> None:
    task_type, attributes = case
    raw = orjson.dumps(attributes)
    validate_sample_attributes(task_type, attributes)
    assert orjson.dumps(attributes) == raw
    SDK_SAMPLE_MODEL[task_type].model_validate(attributes)
    # What SegmentsClient.add_sample actually sends (re-validated against the SampleAttributes union).
    sent = SAMPLE_UNION.validate_python(attributes).model_dump(mode="json", exclude_unset=True)
    validate_sample_attributes(task_type, sent)


@SETTINGS
@given(invalid_sample_case())
def test_invalid_samples_are_rejected_with_the_field_path(case: tuple) -> None:
    task_type, attributes, field = case
    before = copy.deepcopy(attributes)
    with pytest.raises(Invalid) as caught:
        validate_sample_attributes(task_type, attributes)
    assert caught.value.field == field, caught.value.detail
    assert not any(phrase in caught.value.detail.lower() for phrase in FORBIDDEN)
    assert attributes == before
