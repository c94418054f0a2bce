"""Export-v2 rows (contract §3.4), built page by page straight from the database.

``ExportReader`` resolves what is fixed for the whole export once (the projects in scope with their labelsets,
queues, batches and label converters; the organization's metadata schemas; the id filters), then walks the
selected data rows in keyset pages of ``PAGE`` sample ids. Each page costs a fixed number of queries (the page
of ids, then rows, attachments, metadata, project memberships and labels of those ids) and yields its NDJSON
lines, so memory depends on the page size, never on the export's size. Dataset names, categories and user
names are memoised as they are met (their number grows with datasets and people, not with rows).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Text, and_, case, exists, func, select, type_coerce
from sqlalchemy.orm import Session

from ..catalog import metadata as md
from ..catalog import slices
from ..catalog.datarows import ASSET_TYPE, EXT_MEDIA, media_type_for, row_data_of
from ..db import (
    Account,
    Batch,
    DataRowAttachment,
    DataRowInfo,
    DataRowMetadata,
    Dataset,
    Label,
    LabelFeedback,
    Model,
    ModelRun,
    ModelRunDataRow,
    Project,
    ProjectDataRow,
    ProjectLabelset,
    Sample,
    TaskQueue,
)
from ..db.engine import READ_ONLY
from ..db.rows import Selected
from ..labelbox import ids
from ..storage.base import content_type_for
from .labels import LabelConverter, converter_for, predictions_converter_for
from .spec import decode_ids

PAGE = 1000

ST = Sample.__table__
DT = DataRowInfo.__table__
DST = Dataset.__table__
PDR = ProjectDataRow.__table__
LT = Label.__table__
MRT = ModelRunDataRow.__table__

# The row shapes of the page statements (``db/rows.py``). A page row is a DATA_ROW followed, in a project export,
# by its MEMBERSHIP in the project or, in a model-run export, by its RUN_ROW. JSON columns come as their text.
DATA_ROW = Selected("ExportDataRow", id=ST.c.id, dataset_id=ST.c.dataset_id,
                    attributes=type_coerce(ST.c.attributes, Text), created_at=ST.c.created_at,
                    updated_at=ST.c.updated_at, created_by_id=ST.c.created_by_id, global_key=DT.c.global_key,
                    external_id=DT.c.external_id, media_type=DT.c.media_type)
MEMBERSHIP = Selected("ExportMembership", sample_id=PDR.c.sample_id, project_id=PDR.c.project_id,
                      batch_id=PDR.c.batch_id, task_queue_id=PDR.c.task_queue_id, priority=PDR.c.priority)
RUN_ROW = Selected("ExportRunRow", run_row_id=MRT.c.id, label_id=MRT.c.label_id, data_split=MRT.c.data_split,
                   predictions=type_coerce(MRT.c.predictions, Text))
LABEL_ROW = Selected("ExportLabelRow", sample_id=LT.c.sample_id, labelset_id=LT.c.labelset_id, id=LT.c.id,
                     label_status=LT.c.label_status, attributes=type_coerce(LT.c.attributes, Text),
                     created_by_id=LT.c.created_by_id, created_at=LT.c.created_at, updated_at=LT.c.updated_at)

# Readers of those rows (``itemgetter``s: the page loop reads thousands of rows).
_ROW_ID = DATA_ROW.getter("id")
_DATA_ROW_FIELDS = DATA_ROW.getter("id", "dataset_id", "attributes", "created_at", "updated_at", "created_by_id",
                                   "global_key", "external_id", "media_type")
_PAGE_MEMBERSHIP = MEMBERSHIP.getter(*MEMBERSHIP.columns, offset=DATA_ROW.width)  # -> a MEMBERSHIP tuple
_PROJECT_ID = MEMBERSHIP.getter("project_id")
_SAMPLE_PROJECT = MEMBERSHIP.getter("sample_id", "project_id")
_MEMBER_FIELDS = MEMBERSHIP.getter("batch_id", "task_queue_id", "priority")
_RUN_LABEL_ID = RUN_ROW.getter("label_id", offset=DATA_ROW.width)
_RUN_FIELDS = RUN_ROW.getter("run_row_id", "label_id", "data_split", "predictions", offset=DATA_ROW.width)
_LABEL_ID = LABEL_ROW.getter("id")
_LABEL_PLACE = LABEL_ROW.getter("sample_id", "labelset_id")
_LABEL_FIELDS = LABEL_ROW.getter("sample_id", "id", "label_status", "attributes", "created_by_id", "created_at",
                                 "updated_at")

# workflow_status of a project row from its task queue's type (NULL queue = Done)
_STATUS_OF_QUEUE = {"INITIAL_LABELING_QUEUE": "TO_LABEL", "MANUAL_REVIEW_QUEUE": "IN_REVIEW",
                    "MANUAL_REWORK_QUEUE": "IN_REWORK"}
_QUEUE_OF_FILTER = {"ToLabel": "INITIAL_LABELING_QUEUE", "InReview": "MANUAL_REVIEW_QUEUE",
                    "InRework": "MANUAL_REWORK_QUEUE"}


class ExportGone(Exception):
    """The export's project was deleted (or moved out of reach) before the job ran."""


class QueueInfo(NamedTuple):
    queue_type: str
    name: str
    public_id: str


class BatchInfo(NamedTuple):
    public_id: str
    name: str | None


class DatasetInfo(NamedTuple):
    name: str  # as Labelbox shows it
    categories: Any  # Segments task categories
    public_id: str


@dataclass
class ProjectInfo:
    pk: int
    public_id: str
    name: str
    ontology_id: str | None
    labelsets: dict[int, int]  # dataset id -> labelset id
    queues: dict[int, QueueInfo]
    batches: dict[int, BatchInfo]
    converter: LabelConverter


@dataclass
class RunInfo:
    pk: int
    public_id: str
    name: str
    model_public_id: str
    model_name: str
    converter: LabelConverter
    predictions: Any  # (NDJSON lines, id) -> export annotations


@dataclass
class Page:
    lines: list[bytes] = field(default_factory=list)
    errors: list[bytes] = field(default_factory=list)


def _label_select() -> Any:
    """A label row as ``_label`` reads it (attributes as raw JSON text: the converter parses it once)."""
    return select(*LABEL_ROW.select_list)


def _last_activity() -> Any:
    """A data row's last activity: its own update or the newest update of any label on it (portable SQL: no
    GREATEST on SQLite)."""
    newest_label = select(func.max(LT.c.updated_at)).where(LT.c.sample_id == ST.c.id).scalar_subquery()
    return case((newest_label.is_(None), ST.c.updated_at), (ST.c.updated_at >= newest_label, ST.c.updated_at),
                else_=newest_label)


def _in_range(column: Any, bounds: list[str | None]) -> Any:
    low, high = bounds
    conds = []
    if low is not None:
        conds.append(column >= low)
    if high is not None:
        conds.append(column <= high)
    return and_(*conds)


class ExportReader:
    def __init__(self, session: Session, spec: dict[str, Any], org_id: int) -> None:
        self.spec = spec
        self.org_id = org_id
        self.keys = decode_ids(spec)
        self.project_export = spec["kind"] == "project"
        self.projects = self._projects(session)
        if self.project_export and not self.projects:
            raise ExportGone("The project was deleted before the export ran.")
        self.run = self._model_run(session) if spec["kind"] == "model_run" else None
        if spec["kind"] == "model_run" and self.run is None:
            raise ExportGone("The model run was deleted before the export ran.")
        self.onto = md.org_ontology(session, org_id) if spec.get("metadata") else None
        self.errors: list[bytes] = []
        self.only_samples: list[int] | None = self._selected_samples(session)
        self._datasets: dict[int, DatasetInfo] = {}
        self._users: dict[int | None, str | None] = {None: None}
        self._feedback: dict[int, tuple[str, Any]] = {}  # the page's labels' feedback (label_details)

    # ------------------------------------------------------------------------------------------ set-up
    def _projects(self, session: Session) -> list[ProjectInfo]:
        query = select(Project).where(Project.organization_id == self.org_id, Project.deleted.is_(False))
        if not self.spec.get("all_projects"):
            wanted = self.keys.get("project_ids") or []
            if not wanted:
                return []
            query = query.where(Project.id.in_(wanted))
        out = []
        for project in session.scalars(query.order_by(Project.id)):
            labelsets = dict(session.execute(select(ProjectLabelset.dataset_id, ProjectLabelset.labelset_id)
                                             .where(ProjectLabelset.project_id == project.id)).all())
            queues = {q.id: QueueInfo(q.queue_type, q.name, ids.encode("task_queue", q.id))
                      for q in session.scalars(select(TaskQueue).where(TaskQueue.project_id == project.id))}
            batches = {pk: BatchInfo(ids.encode("batch", pk), name) for pk, name in
                       session.execute(select(Batch.id, Batch.name).where(Batch.project_id == project.id))}
            out.append(ProjectInfo(
                pk=project.id, public_id=ids.encode("project", project.id), name=project.name,
                ontology_id=ids.encode("ontology", project.ontology_id) if project.ontology_id else None,
                labelsets=labelsets, queues=queues, batches=batches,
                converter=converter_for(session, project.ontology_id)))
        return out

    def _model_run(self, session: Session) -> RunInfo | None:
        pks = self.keys.get("model_run_ids") or []
        run = session.get(ModelRun, pks[0]) if pks else None
        model = session.get(Model, run.model_id) if run is not None else None
        if run is None or model is None or model.organization_id != self.org_id:
            return None
        return RunInfo(pk=run.id, public_id=ids.encode("model_run", run.id), name=run.name,
                       model_public_id=ids.encode("model", model.id), model_name=model.name,
                       converter=converter_for(session, model.ontology_id),
                       predictions=predictions_converter_for(session, model.ontology_id))

    def _error(self, **fields: Any) -> None:
        self.errors.append(orjson.dumps(fields) + b"\n")

    def _selected_samples(self, session: Session) -> list[int] | None:
        """Sample ids named by a data-row-id or global-key filter (those found in reach); None without one.
        Ids and keys that select nothing are reported on the ERRORS stream."""
        if self.spec.get("global_keys") is not None:
            keys = self.spec["global_keys"]
            found = dict(session.execute(select(DT.c.global_key, DT.c.sample_id).where(
                DT.c.org_id == self.org_id, DT.c.global_key.in_(keys))).all())
            for key in keys:
                if key not in found:
                    self._error(global_key=key, error="No data row with this global key in your organization.")
            return sorted(set(found.values()))
        if self.spec.get("data_row_ids") is not None:
            wanted = {pk: public for public in self.spec["data_row_ids"]
                      if (pk := ids.decode("data_row", public)) is not None}
            present = set(session.scalars(
                select(ST.c.id).select_from(ST.join(DST, DST.c.id == ST.c.dataset_id))
                .where(ST.c.id.in_(list(wanted)), DST.c.owner_id == self.org_id)).all()) if wanted else set()
            for public in self.spec["data_row_ids"]:
                if ids.decode("data_row", public) not in present:
                    self._error(data_row_id=public, error="No data row with this id in your organization.")
            return sorted(present)
        return None

    # ------------------------------------------------------------------------------------------ paging
    def _page_query(self, after: int) -> Any:
        spec = self.spec
        if self.run is not None:
            query = (select(*DATA_ROW.select_list, *RUN_ROW.select_list)
                     .select_from(MRT.join(ST, ST.c.id == MRT.c.sample_id).outerjoin(DT, DT.c.sample_id == ST.c.id))
                     .where(MRT.c.model_run_id == self.run.pk, MRT.c.sample_id > after))
            order = MRT.c.sample_id
        elif self.project_export:
            project = self.projects[0]
            # the row's membership comes with it (``_project_rows`` then reads no membership table)
            query = (select(*DATA_ROW.select_list, *MEMBERSHIP.select_list)
                     .select_from(PDR.join(ST, ST.c.id == PDR.c.sample_id).outerjoin(DT, DT.c.sample_id == ST.c.id))
                     .where(PDR.c.project_id == project.pk, PDR.c.sample_id > after))
            if self.keys.get("batch_ids") is not None:
                query = query.where(PDR.c.batch_id.in_(self.keys["batch_ids"] or [-1]))
            status = spec.get("workflow_status")
            if status == "Done":
                query = query.where(PDR.c.task_queue_id.is_(None))
            elif status is not None:
                queue_ids = [q for q, info in project.queues.items()
                             if info.queue_type == _QUEUE_OF_FILTER[status]]
                query = query.where(PDR.c.task_queue_id.in_(queue_ids or [-1]))
            order = PDR.c.sample_id
        else:
            query = (select(*DATA_ROW.select_list)
                     .select_from(ST.join(DST, DST.c.id == ST.c.dataset_id).outerjoin(DT, DT.c.sample_id == ST.c.id))
                     .where(DST.c.owner_id == self.org_id, ST.c.id > after))
            if self.keys.get("dataset_ids") is not None:
                query = query.where(ST.c.dataset_id.in_(self.keys["dataset_ids"] or [-1]))
            if spec.get("slice_filter") is not None:
                query = query.where(*slices.sql_conditions(_Org(self.org_id), spec["slice_filter"]))
            order = ST.c.id
        if self.only_samples is not None:
            query = query.where(ST.c.id.in_(self.only_samples or [-1]))
        if spec.get("last_activity_at"):
            query = query.where(_in_range(_last_activity(), spec["last_activity_at"]))
        if spec.get("labeled_at"):
            label_filter = [LT.c.sample_id == ST.c.id, _in_range(LT.c.created_at, spec["labeled_at"])]
            labelsets = [ls for p in self.projects for ls in p.labelsets.values()]
            if self.project_export:
                label_filter.append(LT.c.labelset_id.in_(labelsets or [-1]))
            query = query.where(exists(select(LT.c.id).where(*label_filter)))
        return query.order_by(order).limit(PAGE)

    def pages(self, sessions: Any) -> Iterator[Page]:
        """Every page of the export; the first carries the errors found while resolving the filters.

        All pages are read on one pinned connection, each in its own short read transaction (no snapshot is held
        across pages): a session per page would take the pool's next idle connection each time, and over a long
        export every pooled SQLite connection would fill its own page cache."""
        first: Page | None = Page(errors=self.errors)
        after = -1
        with sessions.kw["bind"].connect() as connection:
            connection.execution_options(**READ_ONLY)
            while True:
                with connection.begin(), Session(bind=connection) as session:
                    rows = session.execute(self._page_query(after)).all()
                    page = self._build(session, rows, after) if rows else None
                if page is None:
                    break
                if first is not None:
                    page.errors[:0] = first.errors
                    first = None
                yield page
                after = _ROW_ID(rows[-1])
        if first is not None and first.errors:
            yield first

    # ------------------------------------------------------------------------------------------ rows
    def _dataset(self, session: Session, dataset_id: int) -> DatasetInfo:
        if dataset_id not in self._datasets:
            ds = session.get(Dataset, dataset_id)
            attrs = ds.task_attributes if ds is not None else None
            if isinstance(attrs, str):
                attrs = orjson.loads(attrs)
            categories = attrs.get("categories") if isinstance(attrs, dict) else None
            self._datasets[dataset_id] = DatasetInfo((ds.display_name or ds.name) if ds is not None else "",
                                                     categories, ids.encode("dataset", dataset_id))
        return self._datasets[dataset_id]

    def _user(self, session: Session, user_id: int | None) -> str | None:
        if user_id not in self._users:
            account = session.get(Account, user_id)
            self._users[user_id] = (account.email or account.username) if account is not None else None
        return self._users[user_id]

    def _build(self, session: Session, rows: Sequence[Any], after: int) -> Page:
        """The page's lines. Side tables are read by the page's id range (``after``, last id] — an index range
        scan, cheaper than a list of a thousand ids; rows of the range outside the page are simply not used."""
        spec = self.spec
        hi = _ROW_ID(rows[-1])
        attachments: dict[int, list[dict[str, Any]]] = {}
        if spec.get("attachments"):
            for sample_id, kind, value, name in session.execute(
                    select(DataRowAttachment.sample_id, DataRowAttachment.type, DataRowAttachment.value,
                           DataRowAttachment.name)
                    .where(DataRowAttachment.sample_id > after, DataRowAttachment.sample_id <= hi)
                    .order_by(DataRowAttachment.id)):
                attachments.setdefault(sample_id, []).append({"type": kind, "value": value, "name": name or ""})
        metadata: dict[int, list[dict[str, Any]]] = {}
        if self.onto is not None:
            for sample_id, schema_id, value in session.execute(
                    select(DataRowMetadata.sample_id, DataRowMetadata.schema_id, DataRowMetadata.value)
                    .where(DataRowMetadata.sample_id > after, DataRowMetadata.sample_id <= hi)
                    .order_by(DataRowMetadata.sample_id, DataRowMetadata.schema_id)):
                field_ = self._metadata_field(schema_id, value)
                if field_ is not None:
                    metadata.setdefault(sample_id, []).append(field_)
        activity: dict[int, str] = {}
        if spec.get("data_row_details"):
            activity = dict(session.execute(select(LT.c.sample_id, func.max(LT.c.updated_at))
                                            .where(LT.c.sample_id > after, LT.c.sample_id <= hi)
                                            .group_by(LT.c.sample_id)).all())
        memberships, labels = self._project_rows(session, after, hi, rows)
        run_labels: dict[int, Any] = {}
        if self.run is not None:
            wanted = [label_pk for label_pk in map(_RUN_LABEL_ID, rows) if label_pk is not None]
            if wanted:
                run_labels = {_LABEL_ID(lab): lab
                              for lab in session.execute(_label_select().where(LT.c.id.in_(wanted)))}
        self._feedback = {}
        if spec.get("label_details"):
            label_pks = [_LABEL_ID(lab) for by_set in labels.values() for lab in by_set.values()] + list(run_labels)
            for i in range(0, len(label_pks), PAGE):
                for label_pk, text, scores in session.execute(
                        select(LabelFeedback.label_id, LabelFeedback.feedback, LabelFeedback.scores)
                        .where(LabelFeedback.label_id.in_(label_pks[i:i + PAGE]))):
                    self._feedback[label_pk] = (text, scores)
        page = Page()
        dumps, loads = orjson.dumps, orjson.loads
        for page_row in rows:
            sid, dataset_id, attrs, created_at, updated_at, created_by, gkey, ext_id, media = \
                _DATA_ROW_FIELDS(page_row)
            attributes = loads(attrs) if attrs else None
            row_data = row_data_of(attributes)
            data_row: dict[str, Any] = {"id": ids.encode("data_row", sid), "global_key": gkey,
                                        "external_id": ext_id, "row_data": row_data}
            if spec.get("data_row_details"):
                label_activity = activity.get(sid)
                data_row["details"] = {
                    "dataset_id": self._dataset(session, dataset_id).public_id,
                    "dataset_name": self._dataset(session, dataset_id).name,
                    "created_at": created_at, "updated_at": updated_at,
                    "last_activity_at": label_activity if label_activity and label_activity > updated_at
                    else updated_at,
                    "created_by": self._user(session, created_by)}
            row: dict[str, Any] = {"data_row": data_row,
                                   "media_attributes": _media_attributes(attributes, row_data, media)}
            if spec.get("attachments"):
                row["attachments"] = attachments.get(sid, [])
            if self.onto is not None:
                row["metadata_fields"] = metadata.get(sid, [])
            if spec.get("embeddings"):
                row["embeddings"] = []
            video = media == "VIDEO"
            if self.run is not None:
                row["experiments"] = self._experiments_of(session, dataset_id, page_row, run_labels, page, video)
            else:
                row["projects"] = self._projects_of(session, sid, dataset_id, memberships.get(sid, {}),
                                                    labels.get(sid, {}), page, video)
            page.lines.append(dumps(row) + b"\n")
        return page

    def _metadata_field(self, schema_id: str, raw: Any) -> dict[str, Any] | None:
        assert self.onto is not None
        value = raw  # JSONText decodes
        schema = self.onto.by_id.get(schema_id)
        if schema is None:
            return None
        if schema.kind == md.ENUM:
            option = self.onto.option_by_id.get(value)
            if option is None:
                return None
            value = {"schema_id": option.id, "schema_name": option.name}
        return {"schema_id": schema.id, "schema_name": schema.name, "schema_kind": schema.kind, "value": value}

    def _project_rows(self, session: Session, after: int, hi: int, rows: Sequence[Any]) -> tuple[
            dict[int, dict[int, Any]], dict[int, dict[int, Any]]]:
        """(sample -> project -> membership row, sample -> labelset -> label row) for the projects in scope. A
        project export's page rows carry their membership (``_page_query``)."""
        if not self.projects:
            return {}, {}
        memberships: dict[int, dict[int, Any]] = {}
        if self.project_export:
            for r in rows:
                member = _PAGE_MEMBERSHIP(r)
                memberships[_ROW_ID(r)] = {_PROJECT_ID(member): member}
        else:
            for m in session.execute(select(*MEMBERSHIP.select_list)
                                     .where(PDR.c.project_id.in_([p.pk for p in self.projects]),
                                            PDR.c.sample_id > after, PDR.c.sample_id <= hi)).all():
                sample_id, project_id = _SAMPLE_PROJECT(m)
                memberships.setdefault(sample_id, {})[project_id] = m
        labelsets = [ls for p in self.projects for ls in p.labelsets.values()]
        labels: dict[int, dict[int, Any]] = {}
        if labelsets:
            # ``labelset_id + 0``: no index on labelset_id may drive this query. SQLite's planner otherwise picks
            # (labelset_id, updated_at) and reads every label of the labelset for every page (quadratic in the
            # export's size); the page's sample-id range on the (sample_id, labelset_id) key reads only its own.
            for lab in session.execute(_label_select().where(LT.c.sample_id > after, LT.c.sample_id <= hi,
                                                             (LT.c.labelset_id + 0).in_(labelsets),
                                                             LT.c.label_status != "PRELABELED")).all():  # not labels
                sample_id, labelset_id = _LABEL_PLACE(lab)
                labels.setdefault(sample_id, {})[labelset_id] = lab
        return memberships, labels

    def _projects_of(self, session: Session, sid: int, dataset_id: int, memberships: dict[int, Any],
                     labels: dict[int, Any], page: Page, video: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {}
        spec = self.spec
        for project in self.projects:
            member = memberships.get(project.pk)
            if member is None:
                continue
            labelset = project.labelsets.get(dataset_id)
            label = labels.get(labelset) if labelset is not None else None
            exported = []
            if label is not None:
                exported.append(self._label(session, project.converter, dataset_id, label, page, video))
            entry: dict[str, Any] = {"name": project.name, "labels": exported}
            if spec.get("project_details"):
                batch_id, queue_id, priority = _MEMBER_FIELDS(member)
                queue = project.queues.get(queue_id) if queue_id is not None else None
                batch = project.batches.get(batch_id) or BatchInfo(ids.encode("batch", batch_id), None)
                entry["project_details"] = {
                    "ontology_id": project.ontology_id,
                    "task_id": queue.public_id if queue else None,
                    "task_name": queue.name if queue else None,
                    "batch_id": batch.public_id,
                    "batch_name": batch.name,
                    "workflow_status": _STATUS_OF_QUEUE.get(queue.queue_type, "IN_REVIEW") if queue else "DONE",
                    "priority": priority,
                    "consensus_expected_label_count": 1,
                    "workflow_history": [],
                    "selected_label_id": exported[0]["id"] if exported else None}
            entry["project_tags"] = []
            out[project.public_id] = entry
        return out

    def _experiments_of(self, session: Session, dataset_id: int, page_row: Any, run_labels: dict[int, Any],
                        page: Page, video: bool = False) -> dict[str, Any]:
        """``experiments.<model id>.runs.<run id>`` of a model-run page row: its split, registered label and (when
        asked for) its predictions."""
        run = self.run
        assert run is not None
        run_row_pk, label_pk, split, predictions = _RUN_FIELDS(page_row)
        label = run_labels.get(label_pk) if label_pk is not None else None
        entry: dict[str, Any] = {
            "name": run.name, "run_data_row_id": ids.encode("model_run_data_row", run_row_pk), "split": split,
            "labels": [self._label(session, run.converter, dataset_id, label, page, video)] if label is not None
            else []}
        if self.spec.get("predictions"):
            entry["predictions"] = self._predictions(run, run_row_pk, predictions, page)
        return {run.model_public_id: {"name": run.model_name, "runs": {run.public_id: entry}}}

    def _predictions(self, run: RunInfo, run_row_pk: int, raw: str | None, page: Page) -> list[dict[str, Any]]:
        """The row's imported prediction lines (NDJSON of §3.2, validated at import) as one export-form
        prediction; metric lines are not annotations and are left out."""
        lines = [line for line in (orjson.loads(raw) if raw else {}).values()
                 if isinstance(line, dict) and "metricValue" not in line]
        if not lines:
            return []
        prediction_id = ids.encode("model_run_data_row", run_row_pk)
        try:
            annotations = run.predictions(lines, prediction_id)
        except Exception as exc:  # noqa: BLE001 - one unreadable prediction must not fail the whole export
            page.errors.append(orjson.dumps({"run_data_row_id": prediction_id,
                                             "error": f"The predictions could not be converted: {exc}"}) + b"\n")
            return []
        return [{"label_kind": "Default", "version": "1.0.0", "id": prediction_id, "annotations": annotations}]

    def _label(self, session: Session, converter: LabelConverter, dataset_id: int, label: Any,
               page: Page, video: bool = False) -> dict[str, Any]:
        sample_id, label_pk, status, attrs, created_by, created_at, updated_at = _LABEL_FIELDS(label)
        label_id = ids.encode("label", label_pk)
        try:
            annotations = converter(attrs, categories=self._dataset(session, dataset_id).categories,
                                            label_key=label_id)
        except Exception as exc:  # noqa: BLE001 - one unreadable label must not fail the whole export
            page.errors.append(orjson.dumps({"data_row_id": ids.encode("data_row", sample_id), "label_id": label_id,
                                             "error": f"The label could not be converted: {exc}"}) + b"\n")
            annotations = {"objects": [], "classifications": [], "relationships": []}
        if video:
            # §3.4's video shape. Key frames and frame-range classifications are refused at import (not stored),
            # so a video label holds global classifications only; image objects cannot be on a video row.
            annotations = {"frames": {}, "segments": {}, "key_frame_feature_map": {},
                           "classifications": annotations["classifications"]}
        out: dict[str, Any] = {"label_kind": "Default", "version": "1.0.0", "id": label_id,
                               "annotations": annotations}
        if self.spec.get("label_details"):
            who = self._user(session, created_by)
            feedback, scores = self._feedback.get(label_pk, (None, None))
            out["label_details"] = {"created_at": created_at, "updated_at": updated_at, "created_by": who,
                                    "content_last_updated_at": updated_at, "reviews": [],
                                    "feedback": feedback,
                                    "scores": [{"name": s["name"], "score": s["score"]} for s in scores or []]}
        if self.spec.get("performance_details"):
            out["performance_details"] = {"seconds_to_create": 0, "seconds_to_review": 0,
                                          "skipped": status == "SKIPPED", "consensus_score": None}
        return out


@dataclass(frozen=True)
class _Org:
    """The slice of an OrgScope a saved slice filter reads (`slices.sql_conditions`)."""

    id: int

    @property
    def org(self) -> _Org:
        return self


def _extension_of(row_data: str) -> str:
    """``catalog.datarows._extension`` without urlparse (a per-row cost here): the path's extension."""
    path = row_data.split("?", 1)[0].split("#", 1)[0]
    name = path[path.rfind("/") + 1:]
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def _media_attributes(attributes: Any, row_data: str | None, media: str | None) -> dict[str, Any]:
    kind = media or (media_type_for(row_data, None) if row_data else "IMAGE")
    mime = EXT_MEDIA.get(_extension_of(row_data or ""), (None, None))[1]
    if mime is None:
        guessed = content_type_for(row_data or "")
        mime = guessed if guessed != "application/octet-stream" or kind != "IMAGE" else "image/*"
    out: dict[str, Any] = {"mime_type": mime, "asset_type": ASSET_TYPE.get(kind, kind.lower())}
    image = attributes.get("image") if isinstance(attributes, dict) else None
    if isinstance(image, dict):
        for key in ("width", "height"):
            if isinstance(image.get(key), int):
                out[key] = image[key]
    return out


