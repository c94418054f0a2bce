"""Dataset request bodies and response shapes (the Segments ``Dataset``, ``Collaborator``, ``Labelset`` models)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..errors import Invalid
from ..users.schemas import TIME, OwnerPublic, UserPublic

TASK_TYPES = (
    "segmentation-bitmap", "segmentation-bitmap-highres", "image-segmentation-sequence", "bboxes", "vector",
    "image-vector-sequence", "keypoints", "pointcloud-cuboid", "pointcloud-cuboid-sequence",
    "pointcloud-segmentation", "pointcloud-segmentation-sequence", "pointcloud-vector",
    "pointcloud-vector-sequence", "multisensor-sequence", "text-named-entities", "text-span-categorization", "",
)
CATEGORIES = ("street_scenery", "garden", "agriculture", "satellite", "people", "medical", "fruit", "other")
DATA_TYPES = ("IMAGE", "POINTCLOUD", "TEXT", "SEQUENCE", "MULTISENSOR")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,149}$")

# Flags and settings kept in ``Dataset.options``, with the defaults of seed 001 / the SDK's add_dataset body.
OPTION_DEFAULTS: dict[str, Any] = {
    "labeling_inactivity_timeout_seconds": 300,
    "enable_skip_labeling": True,
    "enable_skip_reviewing": False,
    "enable_ratings": False,
    "enable_interpolation": True,
    "enable_same_dimensions_track_constraint": False,
    "enable_save_button": False,
    "enable_label_status_verified": False,
    "enable_3d_cuboid_rotation": False,
    "enable_3d_region_of_interest": False,
    "enable_confirm_on_submit": False,
    "use_timestamps_for_interpolation": False,
    "enable_object_linking": False,
    "enable_object_link_category_restrictions": False,
    "enable_extrapolation": False,
    "noncollaborator_can_label": False,
    "noncollaborator_can_review": False,
    "region_of_interest": None,
}
BOOL_OPTIONS = tuple(k for k, v in OPTION_DEFAULTS.items() if isinstance(v, bool))
DEFAULT_TASK_ATTRIBUTES = {"format_version": "0.1", "categories": [{"id": 1, "name": "object"}]}


class DatasetBase(BaseModel):
    model_config = ConfigDict(extra="ignore")

    description: str | None = None
    task_type: str | None = None
    task_attributes: dict[str, Any] | None = None
    category: str | None = None
    public: bool | None = None
    readme: str | None = None
    metadata: dict[str, Any] | None = None
    archived: bool | None = None
    data_type: str | None = None
    labeling_inactivity_timeout_seconds: int | None = Field(default=None, ge=0)
    enable_skip_labeling: bool | None = None
    enable_skip_reviewing: bool | None = None
    enable_ratings: bool | None = None
    enable_interpolation: bool | None = None
    enable_same_dimensions_track_constraint: bool | None = None
    enable_save_button: bool | None = None
    enable_label_status_verified: bool | None = None
    enable_3d_cuboid_rotation: bool | None = None
    enable_3d_region_of_interest: bool | None = None
    enable_confirm_on_submit: bool | None = None
    use_timestamps_for_interpolation: bool | None = None
    enable_object_linking: bool | None = None
    enable_object_link_category_restrictions: bool | None = None
    enable_extrapolation: bool | None = None
    noncollaborator_can_label: bool | None = None
    noncollaborator_can_review: bool | None = None
    region_of_interest: dict[str, Any] | None = None


class DatasetCreate(DatasetBase):
    name: str = Field(description="Dataset name, unique per owner")


class DatasetUpdate(DatasetBase):
    """PATCH: only the fields present are applied (``exclude_unset``)."""


class DatasetClone(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str | None = None
    task_type: str | None = None
    public: bool | None = None
    owner: str | None = None
    clone_labels: bool = False


class CollaboratorCreate(BaseModel):
    user: str
    role: str = "labeler"


class CollaboratorUpdate(BaseModel):
    role: str


class LabelsetCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str
    description: str = ""
    attributes: dict[str, Any] | str | None = None
    task_type: str | None = None


def check_name(name: str, field: str = "name") -> str:
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise Invalid(
            f"{field} '{name}' is not valid: use 1-150 letters, digits, '_', '.', '-', starting with a letter or digit.",
            field=field,
        )
    return name


def check_task_type(value: str) -> str:
    if value not in TASK_TYPES:
        raise Invalid(f"task_type '{value}' is not valid; expected one of: {', '.join(t for t in TASK_TYPES if t)}.",
                      field="task_type")
    return value


def check_category(value: str) -> str:
    if value not in CATEGORIES:
        raise Invalid(f"category '{value}' is not valid; expected one of: {', '.join(CATEGORIES)}.",
                      field="category")
    return value


def check_data_type(value: str) -> str:
    if value not in DATA_TYPES:
        raise Invalid(f"data_type '{value}' is not valid; expected one of: {', '.join(DATA_TYPES)}.",
                      field="data_type")
    return value


_ATTR_INPUT_TYPES = ("select", "multiselect", "text", "number", "checkbox", "vector3", "quaternion", "points")


def _check_attribute_defs(defs: Any, where: str) -> None:
    if not isinstance(defs, list):
        raise Invalid(f"{where} must be a list.", field=where)
    for i, attr in enumerate(defs):
        f = f"{where}[{i}]"
        if not isinstance(attr, dict):
            raise Invalid(f"{f} must be an object.", field=f)
        if not isinstance(attr.get("name"), str):
            raise Invalid(f"{f}.name is required and must be a string.", field=f"{f}.name")
        if attr.get("input_type") not in _ATTR_INPUT_TYPES:
            raise Invalid(f"{f}.input_type must be one of {', '.join(_ATTR_INPUT_TYPES)}.", field=f"{f}.input_type")
        if attr["input_type"] in ("select", "multiselect"):
            values = attr.get("values")
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise Invalid(f"{f}.values must be a list of strings.", field=f"{f}.values")


def check_task_attributes(value: Any) -> dict[str, Any]:
    """Structural validation of ``task_attributes`` (categories with unique integer ids, attribute definitions).
    Unknown keys are kept, as the SDK's ``TaskAttributes`` allows extras."""
    if not isinstance(value, dict):
        raise Invalid("task_attributes must be an object.", field="task_attributes")
    fv = value.get("format_version")
    if fv is not None and not isinstance(fv, (str, int, float)):
        raise Invalid("task_attributes.format_version must be a string or number.",
                      field="task_attributes.format_version")
    cats = value.get("categories")
    if cats is not None:
        if not isinstance(cats, list):
            raise Invalid("task_attributes.categories must be a list.", field="task_attributes.categories")
        seen: set[int] = set()
        for i, cat in enumerate(cats):
            f = f"task_attributes.categories[{i}]"
            if not isinstance(cat, dict):
                raise Invalid(f"{f} must be an object.", field=f)
            cid = cat.get("id")
            if isinstance(cid, bool) or not isinstance(cid, int):
                raise Invalid(f"{f}.id is required and must be an integer.", field=f"{f}.id")
            if cid in seen:
                raise Invalid(f"{f}.id {cid} is used by two categories.", field=f"{f}.id")
            seen.add(cid)
            if not isinstance(cat.get("name"), str):
                raise Invalid(f"{f}.name is required and must be a string.", field=f"{f}.name")
            color = cat.get("color")
            if color is not None and (
                not isinstance(color, list) or len(color) not in (3, 4)
                or not all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 255 for c in color)
            ):
                raise Invalid(f"{f}.color must be [r, g, b] or [r, g, b, a] with values 0-255.", field=f"{f}.color")
            if "attributes" in cat and cat["attributes"] is not None:
                _check_attribute_defs(cat["attributes"], f"{f}.attributes")
    if value.get("image_attributes") is not None:
        _check_attribute_defs(value["image_attributes"], "task_attributes.image_attributes")
    return value


# ---- response models --------------------------------------------------------------------------------------------
class LabelsetPublic(BaseModel):
    name: str
    description: str
    is_groundtruth: bool
    created_at: str = Field(description=TIME)


class CollaboratorPublic(BaseModel):
    user: UserPublic
    role: str = Field(description="labeler, reviewer, manager or admin")


class DatasetPublic(BaseModel):
    name: str
    full_name: str = Field(description="owner/name, the identifier the API takes")
    cloned_from: str | None
    description: str
    category: str
    public: bool
    archived: bool
    owner: OwnerPublic
    created_at: str = Field(description=TIME)
    updated_at: str | None = Field(description=TIME)
    task_type: str
    data_type: str
    label_stats: dict[str, int] = Field(description="Samples per ground-truth label status, UNLABELED and TOTAL")
    samples_count: int
    collaborators_count: int
    task_attributes: dict[str, Any] | None
    labelsets: list[LabelsetPublic]
    role: str | None = Field(description="The caller's role on the dataset (null: public dataset, no role)")
    readme: str
    metadata: dict[str, Any]
    insights_urls: Any
    labeling_inactivity_timeout_seconds: int | None
    enable_skip_labeling: bool
    enable_skip_reviewing: bool
    enable_ratings: bool
    enable_interpolation: bool
    enable_same_dimensions_track_constraint: bool
    enable_save_button: bool
    enable_label_status_verified: bool
    enable_3d_cuboid_rotation: bool
    enable_3d_region_of_interest: bool
    enable_confirm_on_submit: bool
    use_timestamps_for_interpolation: bool
    enable_object_linking: bool
    enable_object_link_category_restrictions: bool
    enable_extrapolation: bool
    noncollaborator_can_label: bool
    noncollaborator_can_review: bool
    region_of_interest: Any
