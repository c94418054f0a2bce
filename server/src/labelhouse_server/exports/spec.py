"""What an export selects and includes, parsed once from the mutation's ``input`` (contract §2.11, §3.4).

The spec is a plain JSON-able dict so it travels as the job's payload unchanged. Every malformed value is an
``Invalid`` (the SDK raises InvalidQueryError), never a server fault. Ids that are well-formed but unknown or
foreign are kept: they select nothing and are reported in the export's ERRORS stream.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import Invalid
from ..labelbox import ids

MAX_IDS = 2_000  # per id filter (the SDK checks it too)
WORKFLOW_STATUSES = ("InReview", "InRework", "Done")
_FLAGS = {  # GraphQL param name -> our spec key
    "includeAttachments": "attachments", "includeEmbeddings": "embeddings", "includeMetadata": "metadata",
    "includeDataRowDetails": "data_row_details", "includeProjectDetails": "project_details",
    "includePerformanceDetails": "performance_details", "includeLabelDetails": "label_details",
    "includeInterpolatedFrames": "interpolated_frames", "includePredictions": "predictions",
}
_ID_FILTERS = {"data_row_id": "data_row_ids", "global_key": "global_keys", "batch": "batch_ids",
               "dataset": "dataset_ids"}
_TIME_FILTERS = {"data_row_last_activity_at": "last_activity_at", "labeled_at": "labeled_at"}
_DATE_FORMATS = ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S.%fZ",
                 "%Y-%m-%dT%H:%M:%SZ")


def _bool(params: dict[str, Any], name: str) -> bool:
    value = params.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise Invalid(f"params.{name} must be true or false.", field=f"params.{name}")
    return value


def _instant(value: Any, tz: ZoneInfo | timezone, where: str) -> str:
    """A filter bound as our stored timestamp text (UTC, ``%Y-%m-%dT%H:%M:%S.%fZ``: compares as a string)."""
    if not isinstance(value, str):
        raise Invalid(f"{where} must be a date string.", field=where)
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc if fmt.endswith("Z") else tz)
        return parsed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"
    raise Invalid(f"{where}: '{value}' is not a date ('YYYY-MM-DD', 'YYYY-MM-DD hh:mm:ss' or ISO 8601).",
                  field=where)


def _time_range(entry: dict[str, Any], where: str) -> list[str | None]:
    spec = entry.get("value")
    if not isinstance(spec, dict):
        raise Invalid(f"{where}.value must be an object {{operator, timezone, value}}.", field=where)
    tz_name = spec.get("timezone") or "UTC"
    try:
        tz: ZoneInfo | timezone = ZoneInfo(tz_name) if tz_name != "UTC" else timezone.utc
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise Invalid(f"{where}.value.timezone: unknown time zone '{tz_name}'.", field=where) from None
    operator, value = spec.get("operator"), spec.get("value")
    if operator == "BETWEEN":
        if not isinstance(value, dict):
            raise Invalid(f"{where}: BETWEEN needs {{min, max}}.", field=where)
        low, high = _instant(value.get("min"), tz, where), _instant(value.get("max"), tz, where)
        return [low, high]
    if operator == "GREATER_THAN_OR_EQUAL":
        return [_instant(value, tz, where), None]
    if operator == "LESS_THAN_OR_EQUAL":
        return [None, _instant(value, tz, where)]
    raise Invalid(f"{where}: operator must be BETWEEN, GREATER_THAN_OR_EQUAL or LESS_THAN_OR_EQUAL.", field=where)


def _ids(entry: dict[str, Any], where: str) -> list[str]:
    values = entry.get("ids")
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise Invalid(f"{where}.ids must be a non-empty list of strings.", field=where)
    if len(values) > MAX_IDS:
        raise Invalid(f"{where}: at most {MAX_IDS} ids per filter.", field=where)
    if entry.get("operator", "is") != "is":
        raise Invalid(f"{where}.operator must be 'is'.", field=where)
    return list(dict.fromkeys(values))


def parse_query(query: Any, *, project: bool) -> dict[str, Any]:
    """The ``searchQuery.query`` list (ANDed) as spec keys."""
    out: dict[str, Any] = {}
    if query is None:
        return out
    if not isinstance(query, list):
        raise Invalid("filters.searchQuery.query must be a list.", field="filters.searchQuery.query")
    for n, entry in enumerate(query):
        where = f"filters.searchQuery.query[{n}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
            raise Invalid(f"{where} must be an object with a 'type'.", field=where)
        kind = entry["type"]
        if kind in _ID_FILTERS and (kind != "batch" or project) and (kind != "dataset" or not project):
            key = _ID_FILTERS[kind]
            if key in out:
                raise Invalid(f"{where}: only one '{kind}' filter per export.", field=where)
            out[key] = _ids(entry, where)
        elif kind in _TIME_FILTERS:
            out[_TIME_FILTERS[kind]] = _time_range(entry, where)
        elif kind == "task_queue_not_exist" and project:
            out["workflow_status"] = "ToLabel"
        elif kind == "task_queue_status" and project:
            if entry.get("status") not in WORKFLOW_STATUSES:
                raise Invalid(f"{where}.status must be one of {', '.join(WORKFLOW_STATUSES)}.", field=where)
            out["workflow_status"] = entry["status"]
        else:
            raise Invalid(f"{where}: filter type '{kind}' is not supported in this export.", field=where)
    if "data_row_ids" in out and "global_keys" in out:
        raise Invalid("Filter by data row ids or by global keys, not both.", field="filters.searchQuery.query")
    return out


def parse_input(data: Any, *, project: bool) -> dict[str, Any]:
    """The export spec for ``exportDataRowsInProject`` (``project=True``) or ``exportDataRowsInCatalog``."""
    if not isinstance(data, dict):
        raise Invalid("input must be an object.", field="input")
    filters = data.get("filters") or {}
    params = data.get("params") or {}
    if not isinstance(filters, dict) or not isinstance(params, dict):
        raise Invalid("input.filters and input.params must be objects.", field="input")
    search = filters.get("searchQuery") or {}
    if not isinstance(search, dict):
        raise Invalid("filters.searchQuery must be an object.", field="filters.searchQuery")
    spec: dict[str, Any] = {"kind": "project" if project else "catalog",
                            **{key: _bool(params, name) for name, key in _FLAGS.items()}}
    spec.update(parse_query(search.get("query"), project=project))
    override = params.get("mediaTypeOverride")
    if override is not None and not isinstance(override, str):
        raise Invalid("params.mediaTypeOverride must be a media type name.", field="params.mediaTypeOverride")
    if project:
        spec["project_ids"] = [filters.get("projectId")]
        spec["all_projects"] = False
    else:
        project_ids = params.get("projectIds")
        if project_ids is not None and (not isinstance(project_ids, list)
                                        or not all(isinstance(p, str) for p in project_ids)):
            raise Invalid("params.projectIds must be a list of project ids.", field="params.projectIds")
        spec["project_ids"] = list(dict.fromkeys(project_ids or []))
        spec["all_projects"] = _bool(params, "allProjects")
    name = data.get("taskName")
    if name is not None and (not isinstance(name, str) or len(name) > 255):
        raise Invalid("taskName must be a string of at most 255 characters.", field="taskName")
    spec["task_name"] = name
    return spec


def parse_slice_input(data: Any) -> dict[str, Any]:
    """The export spec for ``exportDataRowsInSlice``: a catalog export of the slice's rows (its filter is
    evaluated when the export starts, ``exports.service``)."""
    spec = parse_input(data, project=False)
    slice_id = data["filters"].get("sliceId") if isinstance(data.get("filters"), dict) else None
    if not isinstance(slice_id, str):
        raise Invalid("filters.sliceId must be a slice id.", field="filters.sliceId")
    spec["slice_id"] = slice_id
    return spec


def parse_model_run_input(data: Any) -> dict[str, Any]:
    """The export spec for ``exportDataRowsInModelRun`` (rows carry ``experiments`` instead of ``projects``)."""
    if not isinstance(data, dict):
        raise Invalid("input must be an object.", field="input")
    filters = data.get("filters") or {}
    params = data.get("params") or {}
    if not isinstance(filters, dict) or not isinstance(params, dict):
        raise Invalid("input.filters and input.params must be objects.", field="input")
    run_id = filters.get("modelRunId")
    if not isinstance(run_id, str):
        raise Invalid("filters.modelRunId must be a model run id.", field="filters.modelRunId")
    spec: dict[str, Any] = {"kind": "model_run", **{key: _bool(params, name) for name, key in _FLAGS.items()},
                            "model_run_details": _bool(params, "includeModelRunDetails"),
                            "model_run_ids": [run_id], "project_ids": [], "all_projects": False}
    name = data.get("taskName")
    if name is not None and (not isinstance(name, str) or len(name) > 255):
        raise Invalid("taskName must be a string of at most 255 characters.", field="taskName")
    spec["task_name"] = name
    return spec


def decode_ids(spec: dict[str, Any]) -> dict[str, Any]:
    """Integer keys for the id filters (malformed ids decode to nothing: they select nothing)."""
    out: dict[str, Any] = {}
    for key, kind in (("data_row_ids", "data_row"), ("batch_ids", "batch"), ("dataset_ids", "dataset"),
                      ("project_ids", "project"), ("model_run_ids", "model_run")):
        if spec.get(key) is not None:
            out[key] = ids.decode_many(kind, spec[key])
    return out
