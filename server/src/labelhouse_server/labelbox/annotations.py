"""Labelbox annotations <-> labelhouse labels: the one conversion module, both directions.

A project's label on a data row is the Segments label of labelset ``project-<projectId>`` of the row's dataset
(``docs/labelbox-mapping.md``). Its ``attributes`` document is the Segments ``vector`` label format, so the same
label is visible (and editable) through the Segments API and lands in releases; what Segments has no form for is
kept under ``labelbox`` keys (unknown keys are allowed by the Segments format)::

    {"format_version": "0.1",
     "annotations": [                                   # image rectangle / polygon / line / point tools
       {"id": 1, "category_id": 2, "type": "bbox", "points": [[left, top], [left + width, top + height]],
        "attributes": {"plate": "ABC123"},              # nested classifications: radio -> str,
                                                        # checklist -> [str], text -> str
        "labelbox": {"feature_id": "<uuid>", "feature_schema_id": "<featureSchemaId>"}}],
     "image_attributes": {"weather": "sunny", "flags": ["blurry", "dark"]},   # global classifications
     "labelbox": {"classification_ids": {"weather": "<uuid>", ...},           # their feature ids
                  "objects": [<export-form objects Segments cannot hold: masks, text entities>]}}

Categories: every image tool of the ontology that maps (rectangle -> bbox, polygon, line -> polyline, point) is a
category of the dataset's ``task_attributes`` (matched by ``feature_schema_id``, then name; ids never reused);
its nested classifications become the category's attribute definitions (radio -> select, checklist ->
multiselect, text -> text) and global classifications the dataset's ``image_attributes`` definitions.

Public functions (the export-v2 builder uses the last one):

    OntologyIndex.load(session, ontology_id) -> OntologyIndex          # every feature, archived ones too
    merge_categories(task_attributes, ontology) -> (task_attributes, {featureSchemaId: category id}, changed)
    line_data_row(line) -> ("id" | "globalKey", value)                 # raises LineError
    convert_line(line, ontology, *, media_type, size=None) -> Converted  # raises LineError (name, message)
    apply(attributes, converted, category_ids) -> dict                 # merge into a label, idempotent per uuid
    export_annotations(attributes, ontology, *, categories=None, label_key="", text=None) -> dict
        # -> {"objects": [...], "classifications": [...], "relationships": []}, contract §3.4
        #    ``attributes``: the stored label attributes (dict or JSON text; None -> empty);
        #    ``categories``: the dataset's task_attributes["categories"] (for labels written through Segments);
        #    ``label_key``: a stable string (e.g. the label id) for feature ids of annotations that have none;
        #    ``text``: the row's text, for named-entity tokens.
"""

from __future__ import annotations

import hashlib
import math
import re
import uuid as uuidlib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import FeatureSchema, OntologyFeature

FORMAT_VERSION = "0.1"
# Ontology tool -> Segments ``vector`` annotation type.
SEGMENTS_TYPE = {"rectangle": "bbox", "polygon": "polygon", "line": "polyline", "point": "point"}
TOOL_OF_TYPE = {v: k for k, v in SEGMENTS_TYPE.items()}
# Ontology tool -> the NDJSON geometry key that carries it, and the export's annotation_kind.
GEOMETRY_KEY = {"rectangle": "bbox", "polygon": "polygon", "line": "line", "point": "point",
                "raster-segmentation": "mask", "named-entity": "location"}
ANNOTATION_KIND = {"rectangle": "ImageBoundingBox", "polygon": "ImagePolygon", "line": "ImagePolyline",
                   "point": "ImagePoint", "raster-segmentation": "ImageSegmentationMask",
                   "named-entity": "TextEntity"}
GEOMETRY_KEYS = ("bbox", "polygon", "line", "point", "mask", "location", "segments")
ATTRIBUTE_INPUT = {"radio": "select", "checklist": "multiselect", "text": "text"}
_NAMESPACE = uuidlib.UUID("6b1f1d3e-8f0e-4b6a-9a55-1c0c5f1e7a11")
_NAMESPACE_BYTES = _NAMESPACE.bytes
MAX_POINTS = 100_000


class LineError(Exception):
    """One NDJSON line that cannot be imported: ``name`` is a short error kind, ``message`` says why."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


@lru_cache(maxsize=4096)
def value_of(name: str) -> str:
    """The export's ``value`` of a feature: the name lower-cased, non-alphanumerics -> ``_`` (memoised: an export
    asks for the same few feature names on every row)."""
    return re.sub(r"[^0-9a-z]", "_", name.lower())


def _dict(value: Any) -> dict[str, Any]:
    """``value`` if it is an object, else empty: stored documents may hold anything under keys Segments does not
    check (a label written through the Segments API into a dataset without a task type)."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def derived_id(*parts: Any) -> str:
    """A stable uuid for a feature that was stored without one (nested classifications, answers, labels
    written through Segments)."""
    # uuid5 by hand (the same value as ``str(uuid.uuid5(_NAMESPACE, name))``, about twice as fast: exports derive
    # one per annotation written through the Segments API)
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + "/".join([str(p) for p in parts]).encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# ---------------------------------------------------------------------------------------------- the ontology
@dataclass(frozen=True)
class Feature:
    feature_schema_id: str
    name: str
    kind: str  # "tool" | "classification"
    node: dict[str, Any]
    archived: bool = False

    @cached_property
    def tool(self) -> str | None:
        return self.node.get("tool") if self.kind == "tool" else None

    @cached_property
    def type(self) -> str | None:
        return self.node.get("type") if self.kind == "classification" else None


@dataclass
class OntologyIndex:
    """The features of a project's ontology, looked up by featureSchemaId or name (archived ones too: labels
    may still use them, but imports refuse them)."""

    features: list[Feature] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_id = {f.feature_schema_id: f for f in self.features}
        self.tools = {f.name: f for f in self.features if f.kind == "tool" and not f.archived}
        self.classifications = {f.name: f for f in self.features if f.kind == "classification" and not f.archived}
        # (name, tool) -> the first such tool, archived or not (a Segments category finds its tool by name)
        self.tool_by_name: dict[tuple[str, str | None], Feature] = {}
        for f in self.features:
            if f.kind == "tool":
                self.tool_by_name.setdefault((f.name, f.tool), f)

    @classmethod
    def load(cls, session: Session, ontology_id: int | None) -> OntologyIndex:
        if ontology_id is None:
            return cls([])
        rows = session.execute(
            select(OntologyFeature.kind, OntologyFeature.archived, FeatureSchema.normalized)
            .join(FeatureSchema, FeatureSchema.id == OntologyFeature.feature_schema_id)
            .where(OntologyFeature.ontology_id == ontology_id)
            .order_by(OntologyFeature.kind.desc(), OntologyFeature.position)).all()
        return cls.from_nodes([(kind, node, bool(archived)) for kind, archived, node in rows])

    @classmethod
    def from_normalized(cls, normalized: dict[str, Any]) -> OntologyIndex:
        """From an ontology's ``normalized`` document (tools, then classifications)."""
        nodes = [("tool", n, False) for n in normalized.get("tools") or []]
        nodes += [("classification", n, False) for n in normalized.get("classifications") or []]
        return cls.from_nodes(nodes)

    @classmethod
    def from_nodes(cls, nodes: list[tuple[str, Any, bool]]) -> OntologyIndex:
        features = []
        for kind, node, archived in nodes:
            if isinstance(node, str):
                node = orjson.loads(node)
            name = node.get("name") or node.get("instructions") or ""
            features.append(Feature(node.get("featureSchemaId") or "", name, kind, node, archived))
        return cls(features)

    def find(self, line: dict[str, Any], kind: str) -> Feature:
        """The feature a line names (``schemaId`` first, then ``name``) among tools or classifications."""
        schema_id = line.get("schemaId") or line.get("featureSchemaId")
        name = line.get("name")
        if schema_id is not None:
            feature = self.by_id.get(schema_id) if isinstance(schema_id, str) else None
            if feature is None:
                raise LineError("UnknownFeatureSchema",
                                f"schemaId {schema_id!r} is not a feature of the project's ontology.")
            if feature.archived:
                raise LineError("ArchivedFeatureSchema", f"Feature '{feature.name}' is archived in the ontology.")
        elif isinstance(name, str):
            table = self.tools if kind == "tool" else self.classifications
            feature = table.get(name)
            if feature is None:
                what = "tool" if kind == "tool" else "classification"
                raise LineError("UnknownFeatureSchema", f"The project's ontology has no {what} named {name!r}.")
        else:
            raise LineError("MissingFeature", "The annotation needs 'name' or 'schemaId' naming an ontology "
                                              "feature.")
        if feature.kind != kind:
            raise LineError("FeatureKindMismatch",
                            f"Feature '{feature.name}' is a {feature.kind}, but the line is a{'n object' if kind == 'tool' else ' classification'}.")
        return feature


# ------------------------------------------------------------------------------------------------ categories
def _rgb(color: Any) -> list[int] | None:
    if isinstance(color, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", color):
        return [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    return None


def _attribute_defs(classifications: list[Any]) -> list[dict[str, Any]]:
    defs = []
    for node in classifications or []:
        if not isinstance(node, dict) or node.get("type") not in ATTRIBUTE_INPUT:
            continue
        name = node.get("name") or node.get("instructions")
        item: dict[str, Any] = {"name": name, "input_type": ATTRIBUTE_INPUT[node["type"]]}
        if node["type"] != "text":
            item["values"] = [o.get("value") or o.get("label") for o in node.get("options") or []]
        defs.append(item)
    return defs


def merge_categories(task_attributes: Any, ontology: OntologyIndex) -> tuple[dict[str, Any], dict[str, int], bool]:
    """The dataset's ``task_attributes`` with a category for every mappable image tool of the ontology (existing
    categories kept, matched by feature schema id then by name) and attribute definitions for classifications;
    returns (task attributes, featureSchemaId -> category id, whether anything changed)."""
    attrs = dict(task_attributes) if isinstance(task_attributes, dict) else {"format_version": FORMAT_VERSION}
    categories = [dict(c) for c in attrs.get("categories") or [] if isinstance(c, dict)]
    changed = not isinstance(task_attributes, dict)
    next_id = max([c["id"] for c in categories if isinstance(c.get("id"), int)] + [0]) + 1
    ids: dict[str, int] = {}
    for feature in ontology.features:
        if feature.kind != "tool" or feature.tool not in SEGMENTS_TYPE:
            continue
        found = next((c for c in categories if c.get("feature_schema_id") == feature.feature_schema_id), None) \
            or next((c for c in categories if c.get("name") == feature.name and "feature_schema_id" not in c), None)
        if found is None:
            found = {"id": next_id, "name": feature.name}
            next_id += 1
            categories.append(found)
            changed = True
        wanted: dict[str, Any] = {"feature_schema_id": feature.feature_schema_id}
        color = _rgb(feature.node.get("color"))
        if color is not None and "color" not in found:
            wanted["color"] = color
        defs = _attribute_defs(feature.node.get("classifications") or [])
        if defs and "attributes" not in found:
            wanted["attributes"] = defs
        if any(found.get(k) != v for k, v in wanted.items()):
            found.update(wanted)
            changed = True
        ids[feature.feature_schema_id] = found["id"]
    attrs["categories"] = categories
    globals_ = _attribute_defs([f.node for f in ontology.features if f.kind == "classification"])
    have = {d.get("name") for d in attrs.get("image_attributes") or [] if isinstance(d, dict)}
    extra = [d for d in globals_ if d["name"] not in have]
    if extra:
        attrs["image_attributes"] = list(attrs.get("image_attributes") or []) + extra
        changed = True
    attrs.setdefault("format_version", FORMAT_VERSION)
    return attrs, ids, changed


# ------------------------------------------------------------------------------------------- NDJSON -> label
@dataclass
class Converted:
    """One import line, converted. Exactly one of ``segments`` (an object with a Segments form), ``lb_object``
    (an object kept in Labelbox form) or ``global_value`` (a global classification) is set."""

    uuid: str
    feature: Feature
    segments: dict[str, Any] | None = None
    lb_object: dict[str, Any] | None = None
    global_value: Any = None
    is_classification: bool = False


def line_data_row(line: Any) -> tuple[str, str]:
    """The data row a line names: ("id", value) or ("globalKey", value)."""
    if not isinstance(line, dict):
        raise LineError("InvalidLine", "Each line must be a JSON object.")
    ref = line.get("dataRow")
    if not isinstance(ref, dict):
        raise LineError("MissingDataRow", "The line needs 'dataRow': {\"id\": ...} or {\"globalKey\": ...}.")
    keys = [k for k in ("id", "globalKey") if ref.get(k) is not None]
    if len(keys) != 1 or not isinstance(ref[keys[0]], str):
        raise LineError("MissingDataRow", "'dataRow' needs exactly one of 'id' or 'globalKey' (a string).")
    return keys[0], ref[keys[0]]


def line_uuid(line: dict[str, Any]) -> str | None:
    value = line.get("uuid")
    if value is None:
        return None
    try:
        return str(uuidlib.UUID(str(value)))
    except ValueError:
        raise LineError("InvalidUuid", f"uuid {value!r} is not a UUID.") from None


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise LineError("InvalidGeometry", f"{where} must be a finite number, got {value!r}.")
    return float(value)


def _xy(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, dict):
        raise LineError("InvalidGeometry", f"{where} must be {{\"x\": number, \"y\": number}}.")
    return _number(value.get("x"), f"{where}.x"), _number(value.get("y"), f"{where}.y")


def _inside(points: list[tuple[float, float]], size: tuple[int, int] | None, what: str) -> None:
    for x, y in points:
        if x < 0 or y < 0:
            raise LineError("GeometryOutOfBounds", f"The {what} has a negative coordinate ({x}, {y}).")
        if size is not None and (x > size[0] or y > size[1]):
            raise LineError("GeometryOutOfBounds",
                            f"The {what} reaches ({x}, {y}), outside the {size[0]}x{size[1]} image.")


def _segments_geometry(tool: str, line: dict[str, Any], size: tuple[int, int] | None) -> list[list[float]]:
    key = GEOMETRY_KEY[tool]
    value = line.get(key)
    if tool == "rectangle":
        if not isinstance(value, dict):
            raise LineError("InvalidGeometry", "bbox must be {\"top\", \"left\", \"height\", \"width\"}.")
        top, left = _number(value.get("top"), "bbox.top"), _number(value.get("left"), "bbox.left")
        height, width = _number(value.get("height"), "bbox.height"), _number(value.get("width"), "bbox.width")
        if height <= 0 or width <= 0:
            raise LineError("InvalidGeometry", "bbox height and width must be positive.")
        points = [(left, top), (left + width, top + height)]
    elif tool == "point":
        points = [_xy(value, "point")]
    else:
        low = 3 if tool == "polygon" else 2
        if not isinstance(value, list) or not low <= len(value) <= MAX_POINTS:
            raise LineError("InvalidGeometry", f"{key} must be a list of at least {low} points {{\"x\", \"y\"}}.")
        points = [_xy(p, f"{key}[{i}]") for i, p in enumerate(value)]
    _inside(points, size, key)
    return [[x, y] for x, y in points]


def _option(node: dict[str, Any], answer: Any, where: str) -> dict[str, Any]:
    if not isinstance(answer, dict):
        raise LineError("InvalidAnswer", f"{where}: an answer must be {{\"name\": <option>}}.")
    if answer.get("classifications"):
        raise LineError("UnsupportedAnswer", f"{where}: classifications nested under an answer are not supported.")
    schema_id = answer.get("schemaId") or answer.get("featureSchemaId")
    name = answer.get("name")
    for option in node.get("options") or []:
        if schema_id is not None and option.get("featureSchemaId") == schema_id:
            return option
        if schema_id is None and name is not None and name in (option.get("value"), option.get("label")):
            return option
    shown = ", ".join(repr(o.get("value")) for o in node.get("options") or [])
    raise LineError("InvalidAnswer", f"{where}: {schema_id or name!r} is not an option of "
                                     f"'{node.get('name')}' (options: {shown}).")


def _answer(node: dict[str, Any], line: dict[str, Any], where: str) -> Any:
    """The Segments attribute value of a classification answer: radio -> str, checklist -> [str], text -> str."""
    kind = node.get("type")
    answer = line.get("answer", line.get("answers"))
    if kind == "text":
        if not isinstance(answer, str):
            raise LineError("InvalidAnswer", f"{where}: a text classification's answer is a string.")
        return answer
    if kind == "radio":
        if isinstance(answer, list) and len(answer) == 1:
            answer = answer[0]
        return _option(node, answer, where)["value"]
    if kind == "checklist":
        if not isinstance(answer, list) or not answer:
            raise LineError("InvalidAnswer", f"{where}: a checklist's answer is a non-empty list of options.")
        values = [_option(node, a, f"{where}[{i}]")["value"] for i, a in enumerate(answer)]
        return list(dict.fromkeys(values))
    raise LineError("UnsupportedClassification", f"{where}: classifications of type {kind!r} are not supported.")


def _nested(feature: Feature, line: dict[str, Any]) -> dict[str, Any]:
    """An object's nested classifications as Segments attribute values, by classification name."""
    items = line.get("classifications") or []
    if not isinstance(items, list):
        raise LineError("InvalidLine", "'classifications' must be a list.")
    nodes = [n for n in feature.node.get("classifications") or [] if isinstance(n, dict)]
    out: dict[str, Any] = {}
    for i, item in enumerate(items):
        where = f"classifications[{i}]"
        if not isinstance(item, dict):
            raise LineError("InvalidLine", f"{where} must be an object.")
        schema_id, name = item.get("schemaId") or item.get("featureSchemaId"), item.get("name")
        node = next((n for n in nodes if (schema_id is not None and n.get("featureSchemaId") == schema_id)
                     or (schema_id is None and name is not None and n.get("name") == name)), None)
        if node is None:
            raise LineError("UnknownFeatureSchema",
                            f"{where}: '{feature.name}' has no nested classification {schema_id or name!r}.")
        out[str(node.get("name"))] = _answer(node, item, where)
    return out


def convert_line(line: dict[str, Any], ontology: OntologyIndex, *, media_type: str | None,
                 size: tuple[int, int] | None = None) -> Converted:
    """Validate one NDJSON line (§3.2) against the ontology and the media; ``size`` (width, height) when known."""
    uid = line_uuid(line) or derived_id("line", orjson.dumps(line, option=orjson.OPT_SORT_KEYS).decode())
    geometry = [k for k in GEOMETRY_KEYS if k in line]
    media = (media_type or "IMAGE").upper()
    if not geometry:
        feature = ontology.find(line, "classification")
        if "frames" in line:
            raise LineError("UnsupportedMedia", "Frame-range (video) classifications are not supported yet.")
        return Converted(uid, feature, global_value=_answer(feature.node, line, "answer"), is_classification=True)
    if len(geometry) > 1:
        raise LineError("InvalidGeometry", f"The line carries several geometries ({', '.join(geometry)}).")
    feature = ontology.find(line, "tool")
    tool = feature.tool or ""
    if geometry[0] == "segments":
        raise LineError("UnsupportedMedia", "Video key-frame annotations are not supported yet.")
    if GEOMETRY_KEY.get(tool) != geometry[0]:
        raise LineError("ToolMismatch", f"Feature '{feature.name}' is a {tool} tool; the line carries "
                                        f"'{geometry[0]}'.")
    attributes = _nested(feature, line)
    if tool in SEGMENTS_TYPE:
        if media != "IMAGE":
            raise LineError("UnsupportedMedia", f"{tool} annotations need an image data row (this one is {media}).")
        ann: dict[str, Any] = {"type": SEGMENTS_TYPE[tool], "points": _segments_geometry(tool, line, size)}
        if attributes:
            ann["attributes"] = attributes
        return Converted(uid, feature, segments=ann)
    if tool == "named-entity":
        loc = line.get("location")
        if not isinstance(loc, dict):
            raise LineError("InvalidGeometry", "location must be {\"start\": int, \"end\": int}.")
        start, end = loc.get("start"), loc.get("end")
        if (not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool)
                or isinstance(end, bool) or not 0 <= start <= end):
            raise LineError("InvalidGeometry", "location needs integers 0 <= start <= end (end inclusive).")
        obj = _lb_object(feature, uid, attributes)
        obj["location"] = {"start": start, "end": end}
        return Converted(uid, feature, lb_object=obj)
    if tool == "raster-segmentation":
        mask = line.get("mask")
        if not isinstance(mask, dict):
            raise LineError("InvalidGeometry", "mask must be {\"instanceURI\" | \"png\", \"colorRGB\": [r, g, b]}.")
        rgb = mask.get("colorRGB") or mask.get("color_rgb") or [255, 255, 255]
        if not (isinstance(rgb, list) and len(rgb) == 3
                and all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 255 for c in rgb)):
            raise LineError("InvalidGeometry", "mask.colorRGB must be [r, g, b] with values 0-255.")
        url = mask.get("instanceURI") or mask.get("url")
        if not isinstance(url, str) or not url:
            raise LineError("InvalidGeometry", "mask needs 'instanceURI' (the import stores 'png' masks and sets "
                                               "it before conversion).")
        obj = _lb_object(feature, uid, attributes)
        obj["mask"] = {"url": url, "color_rgb": rgb}
        return Converted(uid, feature, lb_object=obj)
    raise LineError("UnsupportedTool", f"Importing '{tool}' annotations is not supported.")


def _lb_object(feature: Feature, uid: str, attributes: dict[str, Any]) -> dict[str, Any]:
    return {"feature_id": uid, "feature_schema_id": feature.feature_schema_id, "name": feature.name,
            "value": value_of(feature.name), "annotation_kind": ANNOTATION_KIND[feature.tool or ""],
            "classifications": attributes}  # attribute values here; expanded on export


def parse_attributes(attributes: Any) -> dict[str, Any] | None:
    if attributes is None:
        return None
    if isinstance(attributes, (str, bytes)):
        attributes = orjson.loads(attributes)
    return attributes if isinstance(attributes, dict) else None


def apply(attributes: Any, converted: list[Converted], category_ids: dict[str, int]) -> dict[str, Any]:
    """Merge converted lines of one data row into a label's attributes (a new document when None): an
    annotation whose uuid is already there is replaced in place, so importing the same lines twice changes
    nothing. A global classification replaces the previous answer of the same classification."""
    doc = dict(parse_attributes(attributes) or {})
    doc.setdefault("format_version", FORMAT_VERSION)
    annotations = [dict(a) for a in _list(doc.get("annotations")) if isinstance(a, dict)]
    image_attributes = dict(_dict(doc.get("image_attributes")))
    lb = dict(_dict(doc.get("labelbox")))
    class_ids = dict(_dict(lb.get("classification_ids")))
    objects = [o for o in _list(lb.get("objects")) if isinstance(o, dict)]
    by_uuid = {_dict(a.get("labelbox")).get("feature_id"): i for i, a in enumerate(annotations)}
    next_id = max([a["id"] for a in annotations if isinstance(a.get("id"), int)] + [0]) + 1
    for item in converted:
        if item.segments is not None:
            ann = {"category_id": category_ids[item.feature.feature_schema_id], **item.segments,
                   "labelbox": {"feature_id": item.uuid, "feature_schema_id": item.feature.feature_schema_id}}
            at = by_uuid.get(item.uuid)
            if at is not None:
                annotations[at] = {"id": annotations[at].get("id", next_id), **ann}
            else:
                annotations.append({"id": next_id, **ann})
                by_uuid[item.uuid] = len(annotations) - 1
                next_id += 1
        elif item.lb_object is not None:
            objects = [o for o in objects if o.get("feature_id") != item.uuid] + [item.lb_object]
        else:
            image_attributes[item.feature.name] = item.global_value
            class_ids[item.feature.name] = item.uuid
    doc["annotations"] = annotations
    if image_attributes:
        doc["image_attributes"] = image_attributes
    if class_ids:
        lb["classification_ids"] = class_ids
    if objects:
        lb["objects"] = objects
    if lb:
        doc["labelbox"] = lb
    return doc


def annotation_uuids(attributes: Any) -> set[str]:
    """The feature ids (import uuids) a label holds."""
    doc = parse_attributes(attributes) or {}
    out = {_dict(a.get("labelbox")).get("feature_id") for a in _list(doc.get("annotations")) if isinstance(a, dict)}
    lb = _dict(doc.get("labelbox"))
    out |= {o.get("feature_id") for o in _list(lb.get("objects")) if isinstance(o, dict)}
    out |= {v for v in _dict(lb.get("classification_ids")).values() if isinstance(v, str)}
    out.discard(None)
    return out  # type: ignore[return-value]


# ------------------------------------------------------------------------------------------ label -> export
def _export_answer(node: dict[str, Any], value: Any, feature_id: str) -> dict[str, Any] | None:
    """An export classification (§3.4) from a Segments attribute value, or None when it does not fit."""
    name = node.get("name") or node.get("instructions") or ""
    out: dict[str, Any] = {"feature_id": feature_id, "feature_schema_id": node.get("featureSchemaId"),
                           "name": name, "value": value_of(name)}
    kind = node.get("type")
    options = {o.get("value"): o for o in node.get("options") or [] if isinstance(o, dict)}

    def option(v: Any) -> dict[str, Any] | None:
        o = options.get(v) if isinstance(v, str) else None
        if o is None:
            return None
        return {"feature_id": derived_id(feature_id, v), "feature_schema_id": o.get("featureSchemaId"),
                "name": o.get("label") or v, "value": v, "classifications": []}

    if kind == "text" and isinstance(value, str):
        out["text_answer"] = {"content": value}
    elif kind == "radio" and isinstance(value, str) and option(value) is not None:
        out["radio_answer"] = option(value)
    elif kind == "checklist" and isinstance(value, list):
        answers = [option(v) for v in value]
        if not answers or any(a is None for a in answers):
            return None
        out["checklist_answers"] = answers
    else:
        return None
    return out


def _export_nested(feature_node: dict[str, Any] | None, values: Any, parent_id: str) -> list[dict[str, Any]]:
    if not isinstance(values, dict) or not values:
        return []
    nodes = {n.get("name"): n for n in _list(_dict(feature_node).get("classifications")) if isinstance(n, dict)}
    out = []
    for name, value in values.items():
        node = nodes.get(name)
        if node is not None:
            item = _export_answer(node, value, derived_id(parent_id, name))
            if item is not None:
                out.append(item)
    return out


def _feature_for_annotation(ann: dict[str, Any], ontology: OntologyIndex,
                            categories: dict[int, dict[str, Any]], lb: dict[str, Any]) -> Feature | None:
    """``lb``: the annotation's ``labelbox`` object (empty when it was written through the Segments API)."""
    schema_id = lb.get("feature_schema_id") if lb else None
    if isinstance(schema_id, str) and schema_id in ontology.by_id:
        return ontology.by_id[schema_id]
    category_id = ann.get("category_id")
    category = categories.get(category_id) if isinstance(category_id, int) else None
    if category is None:
        return None
    if isinstance(category.get("feature_schema_id"), str) and category["feature_schema_id"] in ontology.by_id:
        return ontology.by_id[category["feature_schema_id"]]
    name, kind = category.get("name"), ann.get("type")
    if not isinstance(name, str) or not isinstance(kind, str):
        return None
    return ontology.tool_by_name.get((name, TOOL_OF_TYPE.get(kind)))


_NUMBER = (int, float)  # JSON numbers (``type() in``: not bool, which is an int)


def _round(v: float) -> float:
    return round(v, 9)


def export_annotations(attributes: Any, ontology: OntologyIndex, *, categories: Any = None, label_key: str = "",
                       text: str | None = None) -> dict[str, Any]:
    """A label's ``annotations`` in export-v2 form (contract §3.4): ``{"objects", "classifications",
    "relationships"}``. Annotations written through the Segments API export too (their tool found through the
    category); ones whose category maps to no tool of the ontology are left out."""
    doc = parse_attributes(attributes) or {}
    cats = {c["id"]: c for c in _list(categories) if isinstance(c, dict) and isinstance(c.get("id"), int)}
    lb = _dict(doc.get("labelbox"))
    objects: list[dict[str, Any]] = []
    for ann in _list(doc.get("annotations")):
        if not isinstance(ann, dict) or not isinstance(ann.get("points"), list):
            continue
        ann_lb = _dict(ann.get("labelbox"))
        feature = _feature_for_annotation(ann, ontology, cats, ann_lb)
        tool = feature.tool if feature is not None else None
        if feature is None or tool not in SEGMENTS_TYPE or SEGMENTS_TYPE[tool] != ann.get("type"):
            continue
        fid = ann_lb.get("feature_id")
        fid = fid if isinstance(fid, str) else derived_id(label_key, ann.get("id"))
        obj: dict[str, Any] = {"feature_id": fid, "feature_schema_id": feature.feature_schema_id,
                               "name": feature.name, "value": value_of(feature.name),
                               "annotation_kind": ANNOTATION_KIND[tool or ""],
                               "classifications": _export_nested(feature.node, ann.get("attributes"), fid)}
        pts = [(float(p[0]), float(p[1])) for p in ann["points"] if isinstance(p, list) and len(p) >= 2
               and type(p[0]) in _NUMBER and type(p[1]) in _NUMBER]
        if not pts:
            continue
        if tool == "rectangle":
            (x0, y0), (x1, y1) = pts[0], pts[-1]
            obj["bounding_box"] = {"top": _round(min(y0, y1)), "left": _round(min(x0, x1)),
                                   "height": _round(abs(y1 - y0)), "width": _round(abs(x1 - x0))}
        elif tool == "point":
            obj["point"] = {"x": pts[0][0], "y": pts[0][1]}
        else:
            obj["polygon" if tool == "polygon" else "line"] = [{"x": x, "y": y} for x, y in pts]
        objects.append(obj)
    for stored in _list(lb.get("objects")):
        if not isinstance(stored, dict) or not isinstance(stored.get("feature_id"), str):
            continue
        schema_id = stored.get("feature_schema_id")
        feature = ontology.by_id.get(schema_id) if isinstance(schema_id, str) else None
        obj = {k: v for k, v in stored.items() if k != "classifications"}
        obj["classifications"] = _export_nested(feature.node if feature else None, stored.get("classifications"),
                                                stored.get("feature_id", ""))
        loc = obj.get("location")
        if text is not None and isinstance(loc, dict) and isinstance(loc.get("start"), int) \
                and isinstance(loc.get("end"), int):
            obj["location"] = {**loc, "token": text[loc["start"]:loc["end"] + 1]}
        objects.append(obj)
    classifications = []
    class_ids = _dict(lb.get("classification_ids"))
    for name, value in _dict(doc.get("image_attributes")).items():
        feature = ontology.classifications.get(name) or next(
            (f for f in ontology.features if f.kind == "classification" and f.name == name), None)
        if feature is None:
            continue
        fid = class_ids.get(name)
        fid = fid if isinstance(fid, str) else derived_id(label_key, "classification", name)
        item = _export_answer(feature.node, value, fid)
        if item is not None:
            item["feature_schema_id"] = feature.feature_schema_id
            classifications.append(item)
    return {"objects": objects, "classifications": classifications, "relationships": []}


__all__ = ["Converted", "Feature", "LineError", "OntologyIndex", "annotation_uuids", "apply", "convert_line",
           "derived_id", "export_annotations", "line_data_row", "merge_categories", "parse_attributes",
           "value_of"]
