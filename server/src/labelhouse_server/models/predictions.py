"""Prediction imports into model runs (the SDK's ``MEAPredictionImport``: ``model_run.add_predictions``).

The input is the annotation-import NDJSON of contract §3.2 (uploaded by the SDK, or the URL of a file uploaded to
this server — never a foreign URL), plus metric lines (``ScalarMetric`` / ``ConfusionMatrixMetric``: a
``metricValue``). Every line is checked: annotations against the model's ontology with the same converter as
label imports (``labelbox/annotations.py``), metrics by shape; the data row must be in the model run (add it with
``upsert_data_rows`` first). Good lines are stored on their model-run data row by uuid (a line with the same uuid
replaces the earlier one: imports are idempotent); every line gets a status line (SUCCESS / FAILURE with its
errors) in the status file, failures also in the error file — NDJSON without blank lines (trap 12). Imports are
processed in the request (up to ``MAX_LINES`` lines), so the SDK's first poll finds them FINISHED.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import orjson
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..catalog import files
from ..catalog.orgs import OrgScope
from ..db import DataRowInfo, Model, ModelRunDataRow, ModelRunImport, Sample
from ..db.integrity import violated_constraint
from ..db.transaction import write_transaction
from ..errors import AlreadyExists, Invalid, NotFound
from ..labelbox import annotations as A
from ..labelbox import ids
from ..labelimports.service import split_lines, store_ndjson
from ..settings import Settings
from ..storage import ObjectStore
from ..timeutil import now_iso
from .service import _name, get_run, writable_run

MAX_LINES = 100_000
FINISHED, RUNNING = "FINISHED", "RUNNING"
SCALAR_AGGREGATIONS = ("ARITHMETIC_MEAN", "GEOMETRIC_MEAN", "HARMONIC_MEAN", "SUM")
IN_CHUNK = 500


def _source(store: ObjectStore, settings: Settings, content: bytes | None, url: Any) -> bytes:
    if content is not None:
        return content
    if not isinstance(url, str) or not url:
        raise Invalid("Give the NDJSON either as a file upload or as 'fileUrl'.", field="fileUrl")
    if files.key_for_url(store, url) is None:
        raise Invalid(f"fileUrl '{url}' is not a file uploaded to this server: this server only imports files "
                      "uploaded to it, it never fetches other URLs.", field="fileUrl")
    return files.read_upload(store, url, settings.max_upload_bytes)


# -------------------------------------------------------------------------------------------------- metrics
def _number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _confusion(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 4 and all(type(v) is int and v >= 0 for v in value)


def check_metric(line: dict[str, Any]) -> None:
    """A ``ScalarMetric`` or ``ConfusionMatrixMetric`` line (as the SDK's NDJSON serializer writes them)."""
    value = line["metricValue"]
    for key in ("metricName", "featureName", "subclassName"):
        if line.get(key) is not None and type(line[key]) is not str:
            raise A.LineError("InvalidMetric", f"'{key}' must be a string.")
    aggregation = line.get("aggregation")
    if aggregation == "CONFUSION_MATRIX":
        if not line.get("metricName"):
            raise A.LineError("InvalidMetric", "A confusion-matrix metric needs 'metricName'.")
        ok = _confusion(value) or (isinstance(value, dict) and bool(value)
                                   and all(_confusion(v) for v in value.values()))
        if not ok:
            raise A.LineError("InvalidMetric", "A confusion-matrix 'metricValue' is [tp, fp, tn, fn] (counts), or "
                                               "an object of them by confidence.")
        return
    if aggregation is not None and aggregation not in SCALAR_AGGREGATIONS:
        raise A.LineError("InvalidMetric", f"'aggregation' must be one of {', '.join(SCALAR_AGGREGATIONS)} or "
                                           "CONFUSION_MATRIX.")
    if not (_number(value) or (isinstance(value, dict) and bool(value) and all(_number(v) for v in value.values()))):
        raise A.LineError("InvalidMetric", "A scalar 'metricValue' is a finite number, or an object of them by "
                                           "confidence.")


# --------------------------------------------------------------------------------------------------- import
def create_import(session: Session, scope: OrgScope, run_pk: int | None, name: Any, *, content: bytes | None,
                  url: Any, store: ObjectStore, settings: Settings) -> ModelRunImport:
    run = writable_run(session, scope, run_pk)
    name = _name(name, "Import")
    taken = f"An import named '{name}' already exists in this model run."
    if session.scalar(select(ModelRunImport.id).where(ModelRunImport.model_run_id == run.id,
                                                      ModelRunImport.name == name)) is not None:
        raise AlreadyExists(taken, field="name")
    lines = split_lines(_source(store, settings, content, url))
    if not lines:
        raise Invalid("The import has no predictions (an empty NDJSON file).", field="file")
    if len(lines) > MAX_LINES:
        raise Invalid(f"An import holds at most {MAX_LINES} lines; split it.", field="file")
    created_at = now_iso()
    input_key = store_ndjson(store, lines, "input.ndjson")
    model = session.get(Model, run.model_id)
    ontology = A.OntologyIndex.load(session, model.ontology_id if model is not None else None)
    statuses, good = _check_lines(session, scope, run.id, ontology, lines)  # reads only
    failures = [s for s in statuses if s["status"] == "FAILURE"]
    now = now_iso()
    imp = ModelRunImport(model_run_id=run.id, name=name, state=FINISHED, total_lines=len(lines),
                         failed_lines=len(failures), input_key=input_key,
                         status_key=store_ndjson(store, (orjson.dumps(s) for s in statuses), "status.ndjson"),
                         error_key=store_ndjson(store, (orjson.dumps(s) for s in failures), "errors.ndjson"),
                         created_by_id=scope.user.id, created_at=created_at, updated_at=now)
    try:
        with write_transaction(session):  # the import row, the predictions and the run's time: all or nothing
            session.add(imp)
            session.flush()
            _store(session, good)
            run.updated_at = now
    except IntegrityError as exc:
        if violated_constraint(exc) == "uq_lb_model_run_imports_model_run_id_name":
            raise AlreadyExists(taken, field="name") from None
        raise
    return imp


class RunRow(NamedTuple):
    """A data row of the model run named by a prediction line."""

    run_row_id: int  # ModelRunDataRow.id
    data_row_id: str  # public id
    global_key: str | None
    media_type: str | None


def _rows(session: Session, scope: OrgScope, run_id: int,
          refs: set[tuple[str, str]]) -> dict[tuple[str, str], RunRow | str]:
    """Each (``id``|``globalKey``, value) -> the model run's row, or why not."""
    by_sample: dict[int, list[tuple[str, str]]] = {}
    keys = [v for k, v in refs if k == "globalKey"]
    for i in range(0, len(keys), IN_CHUNK):
        for sample_id, key in session.execute(select(DataRowInfo.sample_id, DataRowInfo.global_key).where(
                DataRowInfo.org_id == scope.org_id, DataRowInfo.global_key.in_(keys[i:i + IN_CHUNK]))):
            if key is not None:
                by_sample.setdefault(sample_id, []).append(("globalKey", key))
    for kind, value in refs:
        pk = ids.decode("data_row", value) if kind == "id" else None
        if pk is not None:
            by_sample.setdefault(pk, []).append((kind, value))
    found: dict[int, RunRow] = {}
    samples = list(by_sample)
    for i in range(0, len(samples), IN_CHUNK):
        for row_id, sample_id, key, media in session.execute(
                select(ModelRunDataRow.id, ModelRunDataRow.sample_id, DataRowInfo.global_key, DataRowInfo.media_type)
                .join(Sample, Sample.id == ModelRunDataRow.sample_id)
                .outerjoin(DataRowInfo, DataRowInfo.sample_id == Sample.id)
                .where(ModelRunDataRow.model_run_id == run_id, ModelRunDataRow.sample_id.in_(samples[i:i + IN_CHUNK]))):
            found[sample_id] = RunRow(row_id, ids.encode("data_row", sample_id), key, media)
    out: dict[tuple[str, str], RunRow | str] = {}
    for sample_id, sample_refs in by_sample.items():
        if sample_id in found:
            for ref in sample_refs:
                out[ref] = found[sample_id]
    for kind, value in refs:
        if (kind, value) not in out:
            what = "global key" if kind == "globalKey" else "data row id"
            out[kind, value] = (f"No data row with {what} {value!r} in this model run (add it with "
                                "model_run.upsert_data_rows).")
    return out


def _check_lines(session: Session, scope: OrgScope, run_id: int, ontology: A.OntologyIndex,
                 lines: list[bytes]) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]]]:
    """The status line of every input line, and the good lines by model-run data row id (then uuid)."""
    statuses: list[dict[str, Any]] = []
    parsed: list[tuple[dict[str, Any], dict[str, Any], tuple[str, str]]] = []
    for number, raw in enumerate(lines, start=1):
        status: dict[str, Any] = {"uuid": None, "dataRow": {}, "status": "SUCCESS"}
        statuses.append(status)
        try:
            line = orjson.loads(raw)
            ref = A.line_data_row(line)
        except orjson.JSONDecodeError as exc:
            _fail(status, "InvalidJson", f"Line {number} is not JSON: {exc}")
            continue
        except A.LineError as exc:
            _fail(status, exc.name, exc.message)
            continue
        kind, value = ref
        status["dataRow"] = {kind: value}
        status["uuid"] = A.line_uuid(line) or A.derived_id("prediction", run_id, raw.decode(errors="replace"))
        line["uuid"] = status["uuid"]
        parsed.append((status, line, ref))
    rows = _rows(session, scope, run_id, {ref for _, _, ref in parsed})
    good: dict[int, dict[str, Any]] = {}
    for status, line, ref in parsed:
        row = rows[ref]
        if isinstance(row, str):
            _fail(status, "DataRowNotInModelRun", row)
            continue
        status["dataRow"] = {"id": row.data_row_id, "globalKey": row.global_key}
        try:
            if "metricValue" in line:
                check_metric(line)
            elif not ontology.features:
                raise A.LineError("NoOntology", "The model's ontology has no features (or was deleted).")
            else:
                A.convert_line(line, ontology, media_type=row.media_type or "IMAGE")
        except A.LineError as exc:
            _fail(status, exc.name, exc.message)
            continue
        line["dataRow"] = {"id": row.data_row_id}
        good.setdefault(row.run_row_id, {})[status["uuid"]] = line
    return statuses, good


def _fail(status: dict[str, Any], name: str, message: str) -> None:
    status["status"] = "FAILURE"
    status.setdefault("errors", []).append({"name": name, "message": message})


def _store(session: Session, good: dict[int, dict[str, Any]]) -> None:
    row_ids = list(good)
    now = now_iso()
    for i in range(0, len(row_ids), IN_CHUNK):
        for row in session.scalars(select(ModelRunDataRow).where(ModelRunDataRow.id.in_(row_ids[i:i + IN_CHUNK]))
                                   .with_for_update()):
            row.predictions = {**(row.predictions or {}), **good[row.id]}
            row.updated_at = now
    session.flush()


# ---------------------------------------------------------------------------------------------------- reading
def get_import(session: Session, scope: OrgScope, run_pk: int | None, name: Any) -> ModelRunImport | None:
    run = get_run(session, scope, run_pk)
    if run is None:
        return None
    return session.scalars(select(ModelRunImport).where(ModelRunImport.model_run_id == run.id,
                                                        ModelRunImport.name == name)).first()


def import_public(store: ObjectStore, imp: ModelRunImport) -> dict[str, Any]:
    pending = store.public_url(f"{files.PREFIX}/pending-mea-{imp.id}/status.ndjson")

    def url(key: str | None) -> str:
        return store.public_url(key) if key else pending

    return {"id": ids.encode("model_run_import", imp.id), "name": imp.name, "state": imp.state,
            "progress": "100%" if imp.state != RUNNING else "0%", "inputFileUrl": url(imp.input_key),
            "statusFileUrl": url(imp.status_key), "errorFileUrl": url(imp.error_key),
            "modelRunId": ids.encode("model_run", imp.model_run_id), "createdAt": imp.created_at,
            "updatedAt": imp.updated_at}


def predictions_of(row: ModelRunDataRow) -> list[dict[str, Any]]:
    """The stored prediction and metric lines of a model-run data row (for exports)."""
    return list((row.predictions or {}).values())


# ------------------------------------------------------------------------------------ predictions to a project
def _remap(value: Any, mapping: dict[str, str]) -> Any:
    """A prediction line with every ``schemaId`` in ``mapping`` (model feature schema id -> the destination
    project's) replaced, in nested classifications and answers too."""
    if isinstance(value, dict):
        return {k: (mapping.get(v, v) if k == "schemaId" and isinstance(v, str) else _remap(v, mapping))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_remap(v, mapping) for v in value]
    return value


def _confidence_ok(line: dict[str, Any], low: float, high: float) -> bool:
    confidence: Any = line.get("confidence")
    return not _number(confidence) or bool(low <= confidence <= high)


def annotation_lines(session: Session, scope: OrgScope, run_pk: int | None, sample_ids: list[int], *,
                     mapping: dict[str, str] | None = None, min_confidence: Any = None,
                     max_confidence: Any = None) -> list[bytes]:
    """The model run's stored prediction lines (annotations, not metrics) of ``sample_ids``, as annotation-import
    NDJSON lines for a project (``dataRow.id``, the prediction's uuid kept: re-sending is idempotent), with feature
    schema ids mapped and predictions outside the confidence range left out."""
    run = get_run(session, scope, run_pk)
    if run is None:
        raise NotFound("Model run not found.")
    if mapping is not None and not (isinstance(mapping, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in mapping.items())):
        raise Invalid("featureSchemaIdsMapping must map feature schema ids to feature schema ids.",
                      field="featureSchemaIdsMapping")
    low: Any = 0.0 if min_confidence is None else min_confidence
    high: Any = 1.0 if max_confidence is None else max_confidence
    if not (_number(low) and _number(high)):
        raise Invalid("minConfidence and maxConfidence must be numbers.", field="minConfidence")
    out: list[bytes] = []
    for i in range(0, len(sample_ids), IN_CHUNK):
        for row in session.scalars(select(ModelRunDataRow).where(
                ModelRunDataRow.model_run_id == run.id, ModelRunDataRow.sample_id.in_(sample_ids[i:i + IN_CHUNK]))
                .order_by(ModelRunDataRow.sample_id)):
            for line in predictions_of(row):
                if not isinstance(line, dict) or "metricValue" in line or not _confidence_ok(line, low, high):
                    continue
                line = {**line, "dataRow": {"id": ids.encode("data_row", row.sample_id)}}
                out.append(orjson.dumps(_remap(line, mapping) if mapping else line))
    return out
