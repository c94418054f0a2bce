"""Labelbox annotation imports (contract §2.9, §3.2): ``LabelImport`` (ground truth) and ``MALPredictionImport``
(pre-labels) into a project, from an uploaded NDJSON file (the SDK's multipart upload, also for
``create_from_objects``) or from a URL — only URLs of files uploaded to this server; we never fetch a foreign URL.

Every line is checked (``labelbox/annotations.py``) against the project's ontology, the data row (it must exist in
the caller's organization and be in a batch of the project) and the media (geometry inside the image when its size
is known: images uploaded to this server). Good lines of one data row become, or are merged into, that row's label
in the project labelset (``project-<projectId>`` of the row's dataset): status LABELED for a LabelImport,
PRELABELED for a MAL import. A MAL import never touches a row that already has a real label (that line fails and
says so); a LabelImport replaces pre-labels. Re-importing a line with the same ``uuid`` replaces that annotation
(idempotent). Who may write which label is the Segments rule (``labels/policy.py``): a labeler's line on a
REVIEWED label fails with the reason. Every label write records a revision (``labels/history.py``).

Per-line outcomes go to the status file (one line per input line) and the error file (failures only), NDJSON
without blank lines (trap 12). Imports of at most ``settings.labelbox_sync_rows`` lines finish inside the request
(state FINISHED on the SDK's first read: no 10 s poll sleep); larger ones run as a background job.
"""

from __future__ import annotations

import base64
import io
import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

import orjson
from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..catalog import files
from ..catalog.orgs import OrgScope
from ..datasets.permissions import can
from ..db import (
    AnnotationImport,
    Dataset,
    Label,
    LabelRevision,
    Project,
    ProjectDataRow,
    ProjectLabelset,
    Sample,
)
from ..db.catalog import DataRowInfo
from ..db.integrity import violated_constraint
from ..db.transaction import write_transaction
from ..errors import AlreadyExists, Forbidden, Invalid
from ..jobs import enqueue
from ..labelbox import annotations as A
from ..labelbox import ids
from ..labels import history
from ..labels.policy import may_write
from ..ontologies.service import check_name
from ..projects.service import get_project
from ..settings import Settings
from ..storage import ObjectStore
from ..timeutil import now_iso
from ..validation import validate_label_attributes

log = logging.getLogger("labelhouse.labelimports")

IMPORT_JOB = "labelbox.annotation_import"
# import kind -> the status its labels get; ``meamal``: a model run's predictions sent to the project as pre-labels
# (``upsert_predictions_and_send_to_project``), named apart from the project's own MAL imports.
KINDS = {"label": "LABELED", "mal": "PRELABELED", "meamal": "PRELABELED"}
RUNNING, FINISHED, FAILED = "RUNNING", "FINISHED", "FAILED"
# Dataset task types whose labels take Segments ``vector`` annotations ("" = no task yet: it becomes "vector").
VECTOR_TASK_TYPES = ("", "vector")
MAX_LINES = 1_000_000
_CHUNK_ROWS = 500  # data rows per transaction
_MAX_IMAGE_PROBE = 64 * 1024 * 1024
LABELS = cast(Table, Label.__table__)  # for Core inserts


# --------------------------------------------------------------------------------------------------- creating
def require_label_role(scope: OrgScope) -> None:
    """Importing writes labels: labelers and above (each line then follows the label review rule)."""
    if not can(scope.role if scope.role in ("labeler", "reviewer", "manager", "admin", "owner") else "viewer",
               "label"):
        raise Forbidden("Your role in this organization may not write labels.")


def _read_source(store: ObjectStore, settings: Settings, content: bytes | None, url: Any) -> bytes:
    if content is not None:
        return content
    if not isinstance(url, str) or not url:
        raise Invalid("Give the NDJSON either as a file upload or as 'fileUrl'.", field="fileUrl")
    if files.key_for_url(store, url) is None:
        raise Invalid(f"fileUrl '{url}' is not a file uploaded to this server: this server only imports files "
                      "uploaded to it (client.upload_data / upload_file), it never fetches other URLs.",
                      field="fileUrl")
    return files.read_upload(store, url, settings.max_upload_bytes)


def split_lines(content: bytes) -> list[bytes]:
    """The non-blank lines of an NDJSON document."""
    return [line for line in content.split(b"\n") if line.strip()]


def store_file(store: ObjectStore, data: bytes, filename: str, content_type: str) -> str:
    """Store a file the SDK will GET (served like uploads) under a fresh unguessable key; returns the key."""
    key = f"{files.PREFIX}/{secrets.token_urlsafe(24).replace('-', 'x').replace('_', 'y')}/{filename}"
    store.put(key, io.BytesIO(data), content_type)
    return key


def store_ndjson(store: ObjectStore, items: Iterable[bytes], filename: str) -> str:
    """NDJSON lines joined without any blank line (trap 12: the SDK parses ``",".join(text.splitlines())``)."""
    return store_file(store, b"\n".join(items), filename, "application/x-ndjson")


def create_import(session: Session, scope: OrgScope, project_pk: int | None, kind: str, name: Any, *,
                  content: bytes | None, url: Any, store: ObjectStore, settings: Settings,
                  runner: Any) -> AnnotationImport:
    """Create the import and process it (in the request when small, else as a job). The import row is written
    once the input has been checked and stored; a refused import leaves nothing behind in the database."""
    require_label_role(scope)
    project = get_project(session, scope, project_pk)
    name = check_name(name, "name")
    if session.scalar(select(AnnotationImport.id).where(AnnotationImport.project_id == project.id,
                                                        AnnotationImport.kind == kind,
                                                        AnnotationImport.name == name)) is not None:
        raise AlreadyExists(f"An import named '{name}' already exists in this project.", field="name")
    data = _read_source(store, settings, content, url)
    lines = split_lines(data)
    if not lines:
        raise Invalid("The import has no annotations (an empty NDJSON file).", field="file")
    if len(lines) > MAX_LINES:
        raise Invalid(f"An import holds at most {MAX_LINES} annotations; split it.", field="file")
    input_key = store_ndjson(store, lines, "input.ndjson")
    in_request = len(lines) <= settings.labelbox_sync_rows
    now = now_iso()
    imp = AnnotationImport(project_id=project.id, kind=kind, name=name, state=RUNNING, total_lines=len(lines),
                           done_lines=0, failed_lines=0, input_key=input_key, created_by_id=scope.user.id,
                           created_at=now, updated_at=now)
    try:
        with write_transaction(session):
            session.add(imp)
            session.flush()
            if not in_request:
                job = enqueue(session, IMPORT_JOB, {"import_id": imp.id, "org_id": scope.org.id}, max_attempts=1,
                              on_commit=getattr(runner, "notify", None))
                imp.job_id = job.id
    except IntegrityError as exc:
        if violated_constraint(exc) == "uq_annotation_imports_project_id_kind_name":
            raise AlreadyExists(f"An import named '{name}' already exists in this project.", field="name") from None
        raise
    if in_request:
        process(session, scope, imp.id, lines, store)
        session.refresh(imp)
    return imp


# ------------------------------------------------------------------------------------------------- processing
@dataclass
class _Row:
    """A data row named by the import's lines, once resolved."""

    sample_id: int
    dataset_id: int
    data_row_id: str
    global_key: str | None
    media_type: str | None
    attributes: Any


@dataclass
class _Outcome:
    line_no: int
    uuid: str | None
    data_row: dict[str, Any]
    errors: list[dict[str, str]] = field(default_factory=list)

    def fail(self, name: str, message: str) -> None:
        self.errors.append({"name": name, "message": message})

    def status_line(self) -> bytes:
        out: dict[str, Any] = {"uuid": self.uuid, "dataRow": self.data_row,
                               "status": "FAILURE" if self.errors else "SUCCESS"}
        if self.errors:
            out["errors"] = self.errors
        return orjson.dumps(out)


def _resolve_rows(session: Session, scope: OrgScope, project: Project, refs: set[tuple[str, str]]) -> dict[
        tuple[str, str], _Row | str]:
    """Each (``id``|``globalKey``, value) -> the row, or the reason it cannot take a label of this project."""
    out: dict[tuple[str, str], _Row | str] = {}
    by_sample: dict[int, list[tuple[str, str]]] = {}
    keys = [v for k, v in refs if k == "globalKey"]
    for i in range(0, len(keys), 500):
        for sample_id, key in session.execute(select(DataRowInfo.sample_id, DataRowInfo.global_key).where(
                DataRowInfo.org_id == scope.org_id, DataRowInfo.global_key.in_(keys[i:i + 500]))):
            if key is not None:
                by_sample.setdefault(sample_id, []).append(("globalKey", key))
    for kind, value in refs:
        if kind == "id":
            pk = ids.decode("data_row", value)
            if pk is not None:
                by_sample.setdefault(pk, []).append((kind, value))
    sample_ids = list(by_sample)
    found: dict[int, _Row] = {}
    in_project: set[int] = set()
    for i in range(0, len(sample_ids), 500):
        chunk = sample_ids[i:i + 500]
        rows = session.execute(
            select(Sample.id, Sample.dataset_id, Sample.attributes, DataRowInfo.global_key, DataRowInfo.media_type)
            .join(Dataset, Dataset.id == Sample.dataset_id)
            .outerjoin(DataRowInfo, DataRowInfo.sample_id == Sample.id)
            .where(Sample.id.in_(chunk), Dataset.owner_id == scope.org_id)).all()
        for sample_id, dataset_id, attributes, key, media_type in rows:
            found[sample_id] = _Row(sample_id, dataset_id, ids.encode("data_row", sample_id), key, media_type,
                                    attributes)
        in_project.update(session.scalars(select(ProjectDataRow.sample_id).where(
            ProjectDataRow.project_id == project.id, ProjectDataRow.sample_id.in_(chunk))))
    for sample_id, sample_refs in by_sample.items():
        row = found.get(sample_id)
        if row is None:
            continue
        for ref in sample_refs:
            out[ref] = row if sample_id in in_project else (
                f"Data row {row.data_row_id} is not in a batch of this project (add it with project.create_batch).")
    for ref in refs:
        if ref not in out:
            what = "global key" if ref[0] == "globalKey" else "data row id"
            out[ref] = f"No data row with {what} {ref[1]!r} in your organization."
    return out


class _ImageSizes:
    """Image sizes, known for images uploaded to this server (read from the file header; never fetched)."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self.cache: dict[str, tuple[int, int] | None] = {}

    def __call__(self, url: str | None) -> tuple[int, int] | None:
        if not url:
            return None
        if url not in self.cache:
            self.cache[url] = self._probe(url)
        return self.cache[url]

    def _probe(self, url: str) -> tuple[int, int] | None:
        key = files.key_for_url(self.store, url)
        if key is None:
            return None
        try:
            size = self.store.size(key)
            if size is None or size > _MAX_IMAGE_PROBE:
                return None
            from PIL import Image

            with Image.open(io.BytesIO(self.store.get(key))) as image:
                return int(image.width), int(image.height)
        except Exception:  # noqa: BLE001 - not an image we can read: size unknown
            return None


def _image_url(attributes: Any) -> str | None:
    doc = A.parse_attributes(attributes) if not isinstance(attributes, dict) else attributes
    image = (doc or {}).get("image")
    return image.get("url") if isinstance(image, dict) and isinstance(image.get("url"), str) else None


def _store_png_mask(store: ObjectStore, line: dict[str, Any], size: tuple[int, int] | None) -> None:
    """A mask sent inline (``mask.png``, base64) is stored as a file of ours; ``instanceURI`` then points to it
    (a mask given by URL is kept as a reference and never fetched)."""
    mask = line.get("mask")
    if not isinstance(mask, dict) or not isinstance(mask.get("png"), str):
        return
    try:
        data = base64.b64decode(mask["png"], validate=True)
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise ValueError("not a PNG")
            dims = (image.width, image.height)
    except Exception:  # noqa: BLE001
        raise A.LineError("InvalidGeometry", "mask.png must be a base64-encoded PNG image.") from None
    if size is not None and dims != size:
        raise A.LineError("GeometryOutOfBounds", f"The mask is {dims[0]}x{dims[1]}; the image is "
                                                 f"{size[0]}x{size[1]}.")
    key = store_file(store, data, "mask.png", "image/png")
    line["mask"] = {k: v for k, v in mask.items() if k != "png"} | {"instanceURI": store.public_url(key)}


def process(session: Session, scope: OrgScope, import_id: int, lines: list[bytes], store: ObjectStore,
            progress: Callable[[int], None] | None = None) -> None:
    """Run the import: write the good lines' labels (one ``write_transaction`` per chunk of data rows), then the
    status and error files; the import ends FINISHED (FAILED only if processing itself broke). The lines are
    checked before the first write transaction: reads only until then."""
    imp = session.get(AnnotationImport, import_id)
    assert imp is not None
    project = session.get(Project, imp.project_id)
    assert project is not None
    status = KINDS[imp.kind]
    ontology = A.OntologyIndex.load(session, project.ontology_id)
    outcomes: list[_Outcome] = []
    parsed: list[tuple[_Outcome, dict[str, Any], tuple[str, str]]] = []
    for number, raw in enumerate(lines):
        outcome = _Outcome(number, None, {})
        outcomes.append(outcome)
        try:
            line = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            outcome.fail("InvalidJson", f"Line {number + 1} is not JSON: {exc}")
            continue
        try:
            ref = A.line_data_row(line)
            outcome.data_row = {ref[0]: ref[1]}
            outcome.uuid = A.line_uuid(line)
        except A.LineError as exc:
            outcome.fail(exc.name, exc.message)
            continue
        if outcome.uuid is None:
            outcome.uuid = A.derived_id("import", imp.id, number)
            line["uuid"] = outcome.uuid
        parsed.append((outcome, line, ref))
    if ontology.features == [] and parsed:
        for outcome, _, _ in parsed:
            outcome.fail("NoOntology", "The project has no ontology: connect one (project.connect_ontology).")
        parsed = []
    rows = _resolve_rows(session, scope, project, {ref for _, _, ref in parsed})
    sizes = _ImageSizes(store)
    per_sample: dict[int, list[tuple[_Outcome, A.Converted]]] = {}
    row_of: dict[int, _Row] = {}
    for outcome, line, ref in parsed:
        row = rows[ref]
        if isinstance(row, str):
            outcome.fail("DataRowNotFound" if row.startswith("No data row") else "DataRowNotInProject", row)
            continue
        outcome.data_row = {"id": row.data_row_id, "globalKey": row.global_key}
        media = row.media_type or project.media_type or "IMAGE"
        size = sizes(_image_url(row.attributes)) if media.upper() == "IMAGE" else None
        try:
            _store_png_mask(store, line, size)
            converted = A.convert_line(line, ontology, media_type=media, size=size)
        except A.LineError as exc:
            outcome.fail(exc.name, exc.message)
            continue
        per_sample.setdefault(row.sample_id, []).append((outcome, converted))
        row_of[row.sample_id] = row
    session.rollback()  # end the read snapshot before the write transactions
    samples = list(per_sample)
    done = len(outcomes) - sum(len(v) for v in per_sample.values())
    for i in range(0, len(samples), _CHUNK_ROWS):
        chunk = {s: per_sample[s] for s in samples[i:i + _CHUNK_ROWS]}
        done += sum(len(entries) for entries in chunk.values())
        with write_transaction(session):
            _write_chunk_retrying(session, scope, project.id, status, ontology, chunk, row_of)
            session.execute(update(AnnotationImport).where(AnnotationImport.id == import_id)
                            .values(done_lines=done, updated_at=now_iso()))
        if progress is not None:
            progress(done)
    failures = [o for o in outcomes if o.errors]
    status_key = store_ndjson(store, (o.status_line() for o in outcomes), "status.ndjson")
    error_key = store_ndjson(store, (o.status_line() for o in failures), "errors.ndjson")
    with write_transaction(session):
        session.execute(update(AnnotationImport).where(AnnotationImport.id == import_id).values(
            status_key=status_key, error_key=error_key, done_lines=len(outcomes), failed_lines=len(failures),
            state=FINISHED, updated_at=now_iso()))


def _labelsets(session: Session, project_id: int) -> dict[int, int]:
    return dict(session.execute(select(ProjectLabelset.dataset_id, ProjectLabelset.labelset_id)
                                .where(ProjectLabelset.project_id == project_id)).all())


def _dataset_categories(session: Session, dataset_id: int, ontology: A.OntologyIndex, vector: bool,
                        cache: dict[int, tuple[str, Any, dict[str, int]]]) -> tuple[str, Any, dict[str, int]]:
    """(task type, task attributes, featureSchemaId -> category id) of a dataset. With ``vector`` (image objects
    are coming) a dataset without a task, or a ``vector`` one, gets the ontology's image tools as categories (and
    task type ``vector``); other task types are left alone (their rows refuse image objects)."""
    cached = cache.get(dataset_id)
    if cached is not None and (cached[2] or not vector):
        return cached
    # Locked: two imports into one dataset must not both add categories (PostgreSQL: only the datasets row,
    # not the eagerly joined owner).
    dataset = session.scalars(select(Dataset).where(Dataset.id == dataset_id)
                              .with_for_update(of=Dataset.__table__)).one()
    category_ids: dict[str, int] = {}
    if vector and dataset.task_type in VECTOR_TASK_TYPES:
        attrs, category_ids, changed = A.merge_categories(dataset.task_attributes, ontology)
        if changed or dataset.task_type != "vector":
            dataset.task_type, dataset.task_attributes, dataset.updated_at = "vector", attrs, now_iso()
    cache[dataset_id] = (dataset.task_type, dataset.task_attributes, category_ids)
    return cache[dataset_id]


def _write_chunk_retrying(session: Session, scope: OrgScope, project_id: int, status: str,
                          ontology: A.OntologyIndex, items: dict[int, list[tuple[_Outcome, A.Converted]]],
                          row_of: dict[int, _Row]) -> None:
    """``_write_chunk``, once more if another writer created one of its labels meanwhile (the unique (sample,
    labelset) key refused our insert; the second pass sees and locks that label). Flushes, does not commit."""
    for attempt in range(2):
        marks = [(outcome, len(outcome.errors)) for entries in items.values() for outcome, _ in entries]
        try:
            with session.begin_nested():
                _write_chunk(session, scope, project_id, status, ontology, items, row_of)
            return
        except IntegrityError:
            for outcome, n in marks:
                del outcome.errors[n:]
            if attempt == 1:
                for outcome, _ in marks:
                    outcome.fail("ConcurrentWrite", "Another write to this data row's label raced with the import; "
                                                    "import the line again.")


def _write_chunk(session: Session, scope: OrgScope, project_id: int, status: str, ontology: A.OntologyIndex,
                 items: dict[int, list[tuple[_Outcome, A.Converted]]], row_of: dict[int, _Row]) -> None:
    labelsets = _labelsets(session, project_id)
    existing = {lab.sample_id: lab for lab in session.scalars(
        select(Label).where(Label.sample_id.in_(list(items)), Label.labelset_id.in_(list(labelsets.values())))
        .with_for_update())}
    datasets: dict[int, tuple[str, Any, dict[str, int]]] = {}
    now = now_iso()
    done_queue: list[int] = []
    created: dict[int, list[tuple[int, int, str]]] = {}  # dataset id -> (sample id, labelset id, attributes)
    for sample_id, entries in items.items():
        row = row_of[sample_id]
        labelset_id = labelsets.get(row.dataset_id)
        if labelset_id is None:  # pragma: no cover - a batch always creates it
            for outcome, _ in entries:
                outcome.fail("DataRowNotInProject", "The project has no labelset for this data row's dataset.")
            continue
        vector = any(c.segments is not None for _, c in entries)
        task_type, task_attributes, category_ids = _dataset_categories(session, row.dataset_id, ontology, vector,
                                                                       datasets)
        good = []
        for outcome, converted in entries:
            if converted.segments is not None and converted.feature.feature_schema_id not in category_ids:
                outcome.fail("UnsupportedTaskType",
                             f"The data row's dataset has Segments task type '{task_type}'; Labelbox image objects "
                             "are stored in 'vector' datasets (or datasets without a task type).")
            else:
                good.append((outcome, converted))
        if not good:
            continue
        label = existing.get(sample_id)
        old_status = label.label_status if label is not None else None
        # Ground truth replaces pre-labels; otherwise lines merge into the label (by uuid).
        replaces = label is None or (old_status == "PRELABELED" and status != "PRELABELED")
        base = None if replaces else label.attributes  # type: ignore[union-attr]
        doc = A.apply(base, [c for _, c in good], category_ids)
        if not replaces and (old_status == status or status == "LABELED") \
                and A.parse_attributes(label.attributes) == doc:  # type: ignore[union-attr]
            continue  # the same lines again: nothing changes, no revision
        reason = _refusal(scope, status, old_status)
        if reason is not None:
            for outcome, _ in good:
                outcome.fail("LabelNotWritable", reason)
            continue
        try:
            validate_label_attributes(task_type, task_attributes, doc)
        except Invalid as exc:
            for outcome, _ in good:
                outcome.fail("InvalidLabel", exc.detail)
            continue
        text = orjson.dumps(doc).decode()
        if status == "LABELED":
            done_queue.append(sample_id)
        if label is None:  # new labels are inserted together below (most rows of an import have none yet)
            created.setdefault(row.dataset_id, []).append((sample_id, labelset_id, text))
            continue
        label.label_status, label.attributes = status, text
        label.updated_by_id, label.updated_at = scope.user.id, now
        session.flush()
        history.record_revision(session, dataset_id=row.dataset_id, sample_id=sample_id, labelset_id=labelset_id,
                                action="updated", label_status=status, attributes=text, score=label.score,
                                user_id=scope.user.id, created_at=now)
    user_id = scope.user.id
    for dataset_id, new in created.items():
        # One executemany per dataset; a label another writer created meanwhile violates the unique (sample,
        # labelset) key and the chunk is retried (``_write_chunk_retrying``).
        session.execute(insert(LABELS), [
            {"sample_id": sample_id, "labelset_id": labelset_id, "dataset_id": dataset_id, "label_status": status,
             "attributes": text, "created_by_id": user_id, "updated_by_id": user_id, "created_at": now,
             "updated_at": now} for sample_id, labelset_id, text in new])
        # Revision 1 in bulk for labels without history; a label deleted earlier continues its numbering.
        had_history = set(session.execute(select(LabelRevision.sample_id, LabelRevision.labelset_id).where(
            LabelRevision.sample_id.in_([n[0] for n in new]),
            LabelRevision.labelset_id.in_({n[1] for n in new})).distinct()).tuples())
        history.record_created(session, dataset_id, [(sample_id, labelset_id, status, text, None, user_id, now)
                                                     for sample_id, labelset_id, text in new
                                                     if (sample_id, labelset_id) not in had_history])
        for sample_id, labelset_id, text in new:
            if (sample_id, labelset_id) in had_history:
                history.record_revision(session, dataset_id=dataset_id, sample_id=sample_id,
                                        labelset_id=labelset_id, action="created", label_status=status,
                                        attributes=text, score=None, user_id=user_id, created_at=now)
    if done_queue:  # ground truth is Done: the rows leave the labeling queues
        session.execute(update(ProjectDataRow).where(ProjectDataRow.project_id == project_id,
                                                     ProjectDataRow.sample_id.in_(done_queue))
                        .values(task_queue_id=None))
    project = session.get(Project, project_id)
    if project is not None:
        project.last_activity_time = now


def _refusal(scope: OrgScope, status: str, old_status: str | None) -> str | None:
    if status == "PRELABELED" and old_status not in (None, "PRELABELED"):
        return (f"The data row already has a label ({old_status}) in this project; pre-labels only go to rows "
                "without one.")
    if not may_write(scope.role, old_status, status):
        return f"Your role ({scope.role}) may not replace a {old_status} label (the label review rule)."
    return None


def raise_failed(session: Session, imp: AnnotationImport, reason: str) -> None:
    imp.state, imp.error, imp.updated_at = FAILED, reason, now_iso()
    session.flush()


# ---------------------------------------------------------------------------------------------------- reading
def get_import(session: Session, scope: OrgScope, project_pk: int | None, kind: str, name: Any) -> AnnotationImport | None:
    project = get_project(session, scope, project_pk)
    return session.scalars(select(AnnotationImport).where(
        AnnotationImport.project_id == project.id, AnnotationImport.kind == kind,
        AnnotationImport.name == name)).first()


def list_imports(session: Session, scope: OrgScope, project_pk: int | None, kind: str, skip: int = 0,
                 first: int | None = None) -> list[AnnotationImport]:
    project = get_project(session, scope, project_pk)
    query = select(AnnotationImport).where(AnnotationImport.project_id == project.id,
                                           AnnotationImport.kind == kind).order_by(AnnotationImport.id)
    query = query.offset(max(skip, 0))
    if first is not None:
        query = query.limit(max(first, 0))
    return list(session.scalars(query))


def delete_import(session: Session, scope: OrgScope, import_pk: int | None, kind: str) -> AnnotationImport:
    """Forget a MAL import (its pre-labels stay: they are labels of the project's rows now)."""
    require_label_role(scope)
    imp = session.get(AnnotationImport, import_pk) if isinstance(import_pk, int) else None
    if imp is None or imp.kind != kind:
        raise Forbidden()
    get_project(session, scope, imp.project_id)
    with write_transaction(session):
        session.delete(imp)
    return imp


def import_public(store: ObjectStore, imp: AnnotationImport) -> dict[str, Any]:
    def url(key: str | None, fallback: str) -> str:
        return store.public_url(key) if key else fallback

    total = max(imp.total_lines, 1)
    # Until the files exist (RUNNING) the URLs are those the import will write: the SDK only reads them after
    # the import finished.
    pending = store.public_url(f"{files.PREFIX}/pending-{imp.id}/status.ndjson")
    return {"id": ids.encode("annotation_import", imp.id), "name": imp.name, "state": imp.state,
            "progress": f"{100 if imp.state != RUNNING else (imp.done_lines * 100) // total}%",
            "inputFileUrl": url(imp.input_key, pending), "statusFileUrl": url(imp.status_key, pending),
            "errorFileUrl": url(imp.error_key, pending), "createdAt": imp.created_at, "updatedAt": imp.updated_at,
            "_project_pk": imp.project_id}

