"""The Labelbox ``normalized`` ontology JSON (contract §3.3): validation, defaults and server-assigned ids.

Every tool, classification and option carries a ``featureSchemaId`` (the reusable feature) and a
``schemaNodeId`` (its node). Ids the caller sent are kept; missing ones are assigned, reusing the ids of the same
nested node (same name, or same option value) in the previous definition of a feature, so editing a feature
never orphans the labels that reference its nested classifications and options.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

import orjson

from ..errors import Invalid

TOOL_TYPES = frozenset({
    "rectangle", "polygon", "point", "line", "superpixel", "raster-segmentation", "named-entity", "edge",
    "marker", "message-single-selection", "message-multi-selection", "message-ranking", "step-reasoning",
    "fact-checking", "prompt-issue",
})
CLASSIFICATION_TYPES = frozenset({
    "text", "checklist", "radio", "group", "prompt", "response-text", "response-checklist", "response-radio",
})
_NEEDS_OPTIONS = frozenset({"checklist", "radio", "response-checklist", "response-radio"})
SCOPES = frozenset({"global", "index"})
MAX_NAME = 255
_CUID = re.compile(r"^c[0-9a-z]{24}$")
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def _new_node_id() -> str:
    """A nested node's id: random, in the 25-character Labelbox shape. (Top-level features get the public ids
    of their rows, ``labelbox/ids.py``, once stored.)"""
    return "c" + "".join(secrets.choice(_ALPHABET) for _ in range(24))
# Colours given to tools sent without one (the SDK reads ``color`` back on every tool).
_PALETTE = ("#ff0000", "#00ff00", "#0000ff", "#ffff00", "#ff00ff", "#00ffff", "#ff8000", "#8000ff",
            "#0080ff", "#ff0080", "#80ff00", "#00ff80")


def parse_document(value: Any, what: str = "normalized") -> dict[str, Any]:
    """``normalized`` arrives as a JSON string (the SDK dumps it); a JSON object is accepted too."""
    if isinstance(value, (str, bytes)):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            raise Invalid(f"{what} is not valid JSON: {exc}", field=what) from None
    if not isinstance(value, dict):
        raise Invalid(f"{what} must be a JSON object.", field=what)
    return value


def kind_of(node: dict[str, Any]) -> str:
    """``tool`` or ``classification``: what a top-level feature definition is."""
    if "tool" in node and node.get("tool") is not None:
        return "tool"
    if "type" in node and node.get("type") is not None:
        return "classification"
    raise Invalid("A feature needs either 'tool' (a tool) or 'type' (a classification).", field="normalized")


def _name(node: dict[str, Any], path: str, *keys: str) -> str:
    for key in keys:
        value = node.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            raise Invalid(f"{path}.{key} must be a non-empty string.", field=f"{path}.{key}")
        if len(value) > MAX_NAME:
            raise Invalid(f"{path}.{key} is longer than {MAX_NAME} characters.", field=f"{path}.{key}")
        return value
    raise Invalid(f"{path} needs a '{keys[0]}'.", field=f"{path}.{keys[0]}")


class _Ids:
    """Assigns ids and checks that no id is used twice within one document."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def take(self, node: dict[str, Any], previous: dict[str, Any] | None, path: str, root: bool = False) -> None:
        for key in ("featureSchemaId", "schemaNodeId"):
            value = node.get(key)
            if value is None and root:
                continue  # the caller sets a new feature's ids from its row
            if value is None:
                value = (previous or {}).get(key) or _new_node_id()
            elif not isinstance(value, str) or not _CUID.match(value):
                raise Invalid(f"{path}.{key} is not a valid id: {value!r}.", field=f"{path}.{key}")
            if value in self.seen:
                raise Invalid(f"{path}.{key} {value} is used twice in this ontology.", field=f"{path}.{key}")
            self.seen.add(value)
            node[key] = value


def _list(node: dict[str, Any], key: str, path: str) -> list[Any]:
    value = node.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid(f"{path}.{key} must be a list.", field=f"{path}.{key}")
    return value


def _match(previous: list[dict[str, Any]], key: str, value: Any) -> dict[str, Any] | None:
    for candidate in previous:
        if isinstance(candidate, dict) and candidate.get(key) == value:
            return candidate
    return None


def _classifications(items: list[Any], previous: list[dict[str, Any]], path: str, ids: _Ids,
                     root: bool = False) -> list[dict[str, Any]]:
    out, names = [], set()
    for i, item in enumerate(items):
        node = _classification(item, _prev_by_name(previous, item), f"{path}[{i}]", ids, root)
        if node["name"] in names:
            raise Invalid(f"{path}[{i}]: two classifications are named '{node['name']}'.", field=f"{path}[{i}].name")
        names.add(node["name"])
        out.append(node)
    return out


def _prev_by_name(previous: list[dict[str, Any]], item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict):
        return None
    return _match(previous, "name", item.get("name") or item.get("instructions"))


def _classification(item: Any, previous: dict[str, Any] | None, path: str, ids: _Ids,
                    root: bool) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise Invalid(f"{path} must be an object.", field=path)
    node = dict(item)
    ctype = node.get("type")
    if ctype not in CLASSIFICATION_TYPES:
        raise Invalid(f"{path}.type must be one of {', '.join(sorted(CLASSIFICATION_TYPES))}; got {ctype!r}.",
                      field=f"{path}.type")
    name = _name(node, path, "name", "instructions")
    node["name"] = name
    if not isinstance(node.get("instructions"), str) or not node["instructions"].strip():
        node["instructions"] = name
    node["required"] = bool(node.get("required") or False)
    if root:
        node["scope"] = node.get("scope") or "global"
        if node["scope"] not in SCOPES:
            raise Invalid(f"{path}.scope must be 'global' or 'index'.", field=f"{path}.scope")
    options = _list(node, "options", path)
    if ctype in _NEEDS_OPTIONS and not options:
        raise Invalid(f"{path}: a {ctype} classification needs at least one option.", field=f"{path}.options")
    prev_options = (previous or {}).get("options") or []
    out, values = [], set()
    for i, option in enumerate(options):
        opt_path = f"{path}.options[{i}]"
        prev = _match(prev_options, "value", option.get("value") if isinstance(option, dict) else None)
        opt = _option(option, prev, opt_path, ids)
        if opt["value"] in values:
            raise Invalid(f"{opt_path}: two options have the value '{opt['value']}'.", field=f"{opt_path}.value")
        values.add(opt["value"])
        out.append(opt)
    node["options"] = out
    ids.take(node, previous, path, root)
    return node


def _option(item: Any, previous: dict[str, Any] | None, path: str, ids: _Ids) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise Invalid(f"{path} must be an object.", field=path)
    node = dict(item)
    value = _name(node, path, "value", "label")
    node["value"] = value
    if not isinstance(node.get("label"), str) or not node["label"].strip():
        node["label"] = value
    node["options"] = _classifications(_list(node, "options", path), (previous or {}).get("options") or [],
                                       f"{path}.options", ids)
    ids.take(node, previous, path)
    return node


def _tool(item: Any, previous: dict[str, Any] | None, path: str, ids: _Ids, index: int) -> dict[str, Any]:
    """A top-level tool."""
    if not isinstance(item, dict):
        raise Invalid(f"{path} must be an object.", field=path)
    node = dict(item)
    if node.get("tool") not in TOOL_TYPES:
        raise Invalid(f"{path}.tool must be one of {', '.join(sorted(TOOL_TYPES))}; got {node.get('tool')!r}.",
                      field=f"{path}.tool")
    node["name"] = _name(node, path, "name")
    node["required"] = bool(node.get("required") or False)
    color = node.get("color")
    if color is None or color == "":
        node["color"] = (previous or {}).get("color") or _PALETTE[index % len(_PALETTE)]
    elif not isinstance(color, str):
        raise Invalid(f"{path}.color must be a string such as '#ff0000'.", field=f"{path}.color")
    node["classifications"] = _classifications(_list(node, "classifications", path),
                                               (previous or {}).get("classifications") or [],
                                               f"{path}.classifications", ids)
    ids.take(node, previous, path, root=True)
    return node


def prepare_feature(item: Any, previous: dict[str, Any] | None = None, *, ids: _Ids | None = None,
                    path: str = "normalized", index: int = 0) -> dict[str, Any]:
    """One top-level tool or classification, validated, with defaults and nested ids filled in (its own ids are
    kept when given; a new feature gets them from its row). ``previous`` is the stored definition of the same
    feature (when it is being updated)."""
    if not isinstance(item, dict):
        raise Invalid(f"{path} must be a JSON object.", field=path)
    ids = ids or _Ids()
    if kind_of(item) == "tool":
        return _tool(item, previous, path, ids, index)
    return _classification(item, previous, path, ids, root=True)


def new_id_tracker() -> _Ids:
    return _Ids()


def check_unique_names(nodes: list[dict[str, Any]], path: str) -> None:
    names: set[str] = set()
    for i, node in enumerate(nodes):
        if node["name"] in names:
            raise Invalid(f"{path}[{i}]: two features are named '{node['name']}'.", field=f"{path}[{i}].name")
        names.add(node["name"])
