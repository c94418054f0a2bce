"""Models, model runs, model-run data rows and model configs of an organization (contract §2.12).

Everything belongs to the caller's organization (``OrgScope``): a model and, through it, its runs and configs.
Reads need any role in the organization; writes need manager or above (``scope.can_write``). An object that is
absent, deleted or another organization's is ``None`` to readers and ``NotFound`` to writers (the Labelbox layer
answers AUTHORIZATION_ERROR for that). Registration of data rows and labels is cheap and done in the request; the
SDK polls a task id for it, so each registration leaves a finished ``lb_tasks`` row (``tasks/service.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..catalog.datarows import ids_for_global_keys, load_rows
from ..catalog.orgs import OrgScope
from ..db import Label, Model, ModelConfig, ModelRun, ModelRunDataRow, Ontology, Project, ProjectLabelset
from ..db import ProjectModelConfig as ProjectConfig
from ..db.integrity import violated_constraint
from ..db.transaction import write_transaction
from ..errors import AlreadyExists, Forbidden, Invalid, NotFound
from ..tasks import service as tasks
from ..timeutil import now_iso

SPLITS = ("TRAINING", "VALIDATION", "TEST", "UNASSIGNED")
STATUSES = ("EXPORTING_DATA", "PREPARING_DATA", "TRAINING_MODEL", "COMPLETE", "FAILED")
MAX_NAME = 255
MAX_ROWS = 100_000  # per registration call
IN_CHUNK = 500


def _require_write(scope: OrgScope) -> None:
    if not scope.can_write():
        raise Forbidden("Your role in this organization may not change models.")


def _name(value: Any, what: str) -> str:
    if type(value) is not str or not value.strip() or len(value) > MAX_NAME:
        raise Invalid(f"{what} name: a non-empty name of at most {MAX_NAME} characters is required.", field="name")
    return value


def _add_unique(session: Session, row: Any, constraint: str, message: str) -> None:
    """Insert ``row`` in a write transaction; the name taken meanwhile (``constraint``) is ``AlreadyExists``."""
    try:
        with write_transaction(session):
            session.add(row)
            session.flush()
    except IntegrityError as exc:
        if violated_constraint(exc) == constraint:
            raise AlreadyExists(message, field="name") from None
        raise


# ---------------------------------------------------------------------------------------------------- models
def get_model(session: Session, scope: OrgScope, pk: int | None) -> Model | None:
    model = session.get(Model, pk) if pk is not None else None
    return model if model is not None and model.organization_id == scope.org.id else None


def writable_model(session: Session, scope: OrgScope, pk: int | None) -> Model:
    model = get_model(session, scope, pk)
    if model is None:
        raise NotFound("Model not found.")
    _require_write(scope)
    return model


def list_models(session: Session, scope: OrgScope, condition: Any, order: list[Any], skip: int,
                first: int | None) -> list[Model]:
    query = (select(Model).where(Model.organization_id == scope.org.id, condition)
             .order_by(*order, Model.created_at, Model.id).offset(skip))
    return list(session.scalars(query.limit(first) if first is not None else query))


def create_model(session: Session, scope: OrgScope, name: Any, ontology_id: int | None) -> Model:
    _require_write(scope)
    name = _name(name, "Model")
    ontology = session.get(Ontology, ontology_id) if ontology_id is not None else None
    if ontology is None or ontology.organization_id != scope.org.id:
        raise NotFound("Ontology not found.")
    taken = f"A model named '{name}' already exists."
    if session.scalar(select(Model.id).where(Model.organization_id == scope.org.id, Model.name == name)):
        raise AlreadyExists(taken, field="name")
    now = now_iso()
    model = Model(organization_id=scope.org.id, name=name, ontology_id=ontology.id, created_by_id=scope.user.id,
                  created_at=now, updated_at=now)
    _add_unique(session, model, "uq_lb_models_organization_id_name", taken)
    return model


def delete_models(session: Session, scope: OrgScope, pks: list[int | None]) -> None:
    """All or nothing: every id must be a model of the organization."""
    models = [writable_model(session, scope, pk) for pk in pks]
    with write_transaction(session):
        for model in models:
            session.delete(model)


# ------------------------------------------------------------------------------------------------ model runs
def get_run(session: Session, scope: OrgScope, pk: int | None) -> ModelRun | None:
    run = session.get(ModelRun, pk) if pk is not None else None
    if run is None or get_model(session, scope, run.model_id) is None:
        return None
    return run


def writable_run(session: Session, scope: OrgScope, pk: int | None) -> ModelRun:
    run = get_run(session, scope, pk)
    if run is None:
        raise NotFound("Model run not found.")
    _require_write(scope)
    return run


def runs_of(session: Session, model: Model, skip: int, first: int | None) -> list[ModelRun]:
    query = (select(ModelRun).where(ModelRun.model_id == model.id)
             .order_by(ModelRun.created_at, ModelRun.id).offset(skip))
    return list(session.scalars(query.limit(first) if first is not None else query))


def _json_object(value: Any, what: str) -> Any:
    if value is not None and not isinstance(value, dict):
        raise Invalid(f"{what}: a JSON object is required.", field=what)
    return value


def create_run(session: Session, scope: OrgScope, model_pk: int | None, name: Any, config: Any) -> ModelRun:
    model = writable_model(session, scope, model_pk)
    name = _name(name, "Model run")
    taken = f"Model '{model.name}' already has a run named '{name}'."
    if session.scalar(select(ModelRun.id).where(ModelRun.model_id == model.id, ModelRun.name == name)):
        raise AlreadyExists(taken, field="name")
    now = now_iso()
    run = ModelRun(model_id=model.id, name=name, training_metadata=_json_object(config, "trainingMetadata"),
                   created_by_id=scope.user.id, created_at=now, updated_at=now)
    _add_unique(session, run, "uq_lb_model_runs_model_id_name", taken)
    return run


def delete_runs(session: Session, scope: OrgScope, pks: list[int | None]) -> None:
    runs = [writable_run(session, scope, pk) for pk in pks]
    with write_transaction(session):
        for run in runs:
            session.delete(run)


def set_config(session: Session, scope: OrgScope, run_pk: int | None, config: Any) -> ModelRun:
    """``update_config`` merges ``config`` into the training metadata; ``None`` resets it (``reset_config``)."""
    run = writable_run(session, scope, run_pk)
    changes = _json_object(config, "config")
    with write_transaction(session):
        run.training_metadata = None if changes is None else {**(run.training_metadata or {}), **changes}
        run.updated_at = now_iso()
    return run


def set_status(session: Session, scope: OrgScope, run_pk: int | None, status: Any, metadata: Any,
               error_message: Any) -> ModelRun:
    run = writable_run(session, scope, run_pk)
    if status not in STATUSES:
        raise Invalid(f"status: one of {', '.join(STATUSES)} is required.", field="status")
    if error_message is not None and type(error_message) is not str:
        raise Invalid("errorMessage: a string is required.", field="errorMessage")
    status_metadata = _json_object(metadata, "metadata")
    with write_transaction(session):
        run.status = status
        run.status_metadata = status_metadata
        run.error_message = error_message
        run.updated_at = now_iso()
    return run


# -------------------------------------------------------------------------------------- model-run data rows
def _resolve_rows(session: Session, scope: OrgScope, row_pks: Iterable[int | None], public_ids: list[Any],
                  global_keys: list[Any]) -> list[int]:
    """Sample ids of the organization's data rows named by id or global key; any unknown one raises (naming
    it)."""
    if len(public_ids) + len(global_keys) > MAX_ROWS:
        raise Invalid(f"At most {MAX_ROWS} data rows per call.")
    pks = list(row_pks)
    views = load_rows(session, scope, [pk for pk in pks if pk is not None])
    missing = [str(p) for p, pk in zip(public_ids, pks) if pk is None or pk not in views]
    keys = [k for k in global_keys if type(k) is str]
    found = ids_for_global_keys(session, scope, keys)
    missing += [str(k) for k in global_keys if type(k) is not str or k not in found]
    if missing:
        raise Invalid(f"Data rows not found: {', '.join(missing[:5])}" + (" ..." if len(missing) > 5 else ""),
                      field="dataRowIds")
    ordered = [pk for pk in pks if pk is not None] + [found[k] for k in keys]
    return list(dict.fromkeys(ordered))  # the caller's order, each row once


def _upsert_rows(session: Session, run: ModelRun, rows: dict[int, int | None], split: str | None = None) -> int:
    """Add rows to the run (existing ones keep their split unless ``split``; ``rows`` maps a sample to its
    label, None keeping the current label). Inside the caller's ``write_transaction``: the rows already in the
    run are read in it."""
    now = now_iso()
    existing: dict[int, ModelRunDataRow] = {}
    sample_ids = list(rows)
    for start in range(0, len(sample_ids), IN_CHUNK):
        chunk = sample_ids[start:start + IN_CHUNK]
        existing.update((r.sample_id, r) for r in session.scalars(
            select(ModelRunDataRow).where(ModelRunDataRow.model_run_id == run.id,
                                          ModelRunDataRow.sample_id.in_(chunk))))
    for sample_id, label_id in rows.items():
        row = existing.get(sample_id)
        if row is None:
            session.add(ModelRunDataRow(model_run_id=run.id, sample_id=sample_id, label_id=label_id,
                                        data_split=split or "UNASSIGNED", created_at=now, updated_at=now))
            continue
        if label_id is not None:
            row.label_id = label_id
        if split is not None:
            row.data_split = split
        row.updated_at = now
    run.updated_at = now
    session.flush()
    return len(rows)


def register_data_rows(session: Session, scope: OrgScope, run_pk: int | None, data_row_pks: list[int | None],
                       public_ids: list[Any], global_keys: list[Any]) -> int:
    """Add data rows to a run (no labels); returns the id of the finished task the SDK polls."""
    run = writable_run(session, scope, run_pk)
    if not public_ids and not global_keys:
        raise Invalid("Give data row ids or global keys.", field="dataRowIds")
    rows = _resolve_rows(session, scope, data_row_pks, public_ids, global_keys)
    with write_transaction(session):
        count = _upsert_rows(session, run, dict.fromkeys(rows))
        task = tasks.create_task(session, scope, name=f"Model run {run.name}: data rows", type="mea-data-rows",
                                 status=tasks.COMPLETE, result={"count": count})
    return task.id


def _labels_of_org(session: Session, scope: OrgScope, label_pks: list[int]) -> dict[int, int]:
    """label id -> sample id for labels in the labelsets of the organization's projects."""
    out: dict[int, int] = {}
    for start in range(0, len(label_pks), IN_CHUNK):
        chunk = label_pks[start:start + IN_CHUNK]
        out.update(session.execute(
            select(Label.id, Label.sample_id)
            .join(ProjectLabelset, ProjectLabelset.labelset_id == Label.labelset_id)
            .join(Project, Project.id == ProjectLabelset.project_id)
            .where(Label.id.in_(chunk), Project.organization_id == scope.org.id, Project.deleted.is_(False)))
            .tuples().all())
    return out


def register_labels(session: Session, scope: OrgScope, run_pk: int | None, label_pks: list[int | None],
                    public_ids: list[Any]) -> int:
    """Add the data rows of project labels to a run, each with its label; returns the finished task's id."""
    run = writable_run(session, scope, run_pk)
    if not public_ids:
        raise Invalid("Give label ids.", field="labelIds")
    if len(public_ids) > MAX_ROWS:
        raise Invalid(f"At most {MAX_ROWS} labels per call.", field="labelIds")
    found = _labels_of_org(session, scope, [pk for pk in label_pks if pk is not None])
    missing = [str(p) for p, pk in zip(public_ids, label_pks) if pk is None or pk not in found]
    if missing:
        raise Invalid(f"Labels not found: {', '.join(missing[:5])}" + (" ..." if len(missing) > 5 else ""),
                      field="labelIds")
    with write_transaction(session):
        count = _upsert_rows(session, run, {sample_id: label_id for label_id, sample_id in found.items()})
        task = tasks.create_task(session, scope, name=f"Model run {run.name}: labels", type="mea-labels",
                                 status=tasks.COMPLETE, result={"count": count})
    return task.id


def register_project_labels(session: Session, scope: OrgScope, run_pk: int | None, project_pk: int | None) -> int:
    """Every label of a project (of the organization) into the run."""
    run = writable_run(session, scope, run_pk)
    project = session.get(Project, project_pk) if project_pk is not None else None
    if project is None or project.deleted or project.organization_id != scope.org.id:
        raise NotFound("Project not found.")
    with write_transaction(session):  # the project's labels are read in it
        labels = dict(session.execute(
            select(Label.sample_id, Label.id).join(ProjectLabelset, ProjectLabelset.labelset_id == Label.labelset_id)
            .where(ProjectLabelset.project_id == project.id)).tuples().all())
        count = _upsert_rows(session, run, {sample_id: label_id for sample_id, label_id in labels.items()})
        task = tasks.create_task(session, scope, name=f"Model run {run.name}: labels of project {project.name}",
                                 type="mea-labels", status=tasks.COMPLETE, result={"count": count})
    return task.id


def registration_status(session: Session, scope: OrgScope, task_pk: int | None) -> dict[str, Any] | None:
    task = tasks.get_task(session, scope, task_pk)
    if task is None or task.type not in ("mea-data-rows", "mea-labels", "mea-split"):
        return None
    return {"status": task.status, "errorMessage": task.errors}


def assign_split(session: Session, scope: OrgScope, run_pk: int | None, assignments: Any,
                 decode: Any) -> int:
    """Set the split of rows already in the run (``assignments``: ``[{split, dataRowIds, globalKeys}]``; rows not
    in the run are added). ``decode`` turns a public data row id into a sample id. Returns the task's id."""
    run = writable_run(session, scope, run_pk)
    if not isinstance(assignments, list) or not assignments:
        raise Invalid("assignments: a non-empty list is required.", field="assignments")
    splits: list[tuple[str, list[int]]] = []
    for item in assignments:  # every assignment checked before anything is written
        if not isinstance(item, dict) or item.get("split") not in SPLITS:
            raise Invalid(f"split: one of {', '.join(SPLITS)} is required.", field="split")
        public_ids = list(item.get("dataRowIds") or [])
        global_keys = list(item.get("globalKeys") or [])
        if not public_ids and not global_keys:
            raise Invalid("Give data row ids or global keys.", field="dataRowIds")
        splits.append((item["split"], _resolve_rows(session, scope, [decode(p) for p in public_ids], public_ids,
                                                    global_keys)))
    with write_transaction(session):
        for split, rows in splits:
            _upsert_rows(session, run, dict.fromkeys(rows), split=split)
        task = tasks.create_task(session, scope, name=f"Model run {run.name}: splits", type="mea-split",
                                 status=tasks.COMPLETE)
    return task.id


def run_rows(session: Session, run: ModelRun, after: int | None, first: int) -> tuple[list[ModelRunDataRow], bool]:
    """One page of the run's data rows in insertion order, after the row ``after``; and whether more follow."""
    query = select(ModelRunDataRow).where(ModelRunDataRow.model_run_id == run.id)
    if after is not None:
        query = query.where(ModelRunDataRow.id > after)
    found = list(session.scalars(query.order_by(ModelRunDataRow.id).limit(first + 1)))
    return found[:first], len(found) > first


def run_row_count(session: Session, run: ModelRun) -> int:
    return int(session.scalar(select(func.count()).select_from(ModelRunDataRow)
                              .where(ModelRunDataRow.model_run_id == run.id)) or 0)


def delete_run_rows(session: Session, scope: OrgScope, run_pk: int | None, sample_pks: list[int]) -> int:
    run = writable_run(session, scope, run_pk)
    removed = 0
    with write_transaction(session):
        for start in range(0, len(sample_pks), IN_CHUNK):
            chunk = sample_pks[start:start + IN_CHUNK]
            result = session.execute(delete(ModelRunDataRow).where(ModelRunDataRow.model_run_id == run.id,
                                                                   ModelRunDataRow.sample_id.in_(chunk)))
            removed += result.rowcount  # type: ignore[attr-defined]
        session.execute(update(ModelRun).where(ModelRun.id == run.id).values(updated_at=now_iso()))
    return removed


# --------------------------------------------------------------------------------------------- model configs
def get_config(session: Session, scope: OrgScope, pk: int | None) -> ModelConfig | None:
    config = session.get(ModelConfig, pk) if pk is not None else None
    if config is None or get_model(session, scope, config.model_id) is None:
        return None
    return config


def create_config(session: Session, scope: OrgScope, model_pk: int | None, name: Any,
                  inference_params: Any) -> ModelConfig:
    model = writable_model(session, scope, model_pk)
    config = ModelConfig(model_id=model.id, name=_name(name, "Model config"),
                         inference_params=_json_object(inference_params, "inferenceParams"),
                         created_by_id=scope.user.id, created_at=now_iso())
    with write_transaction(session):
        session.add(config)
    return config


def delete_config(session: Session, scope: OrgScope, pk: int | None) -> None:
    config = get_config(session, scope, pk)
    if config is None:
        raise NotFound("Model config not found.")
    _require_write(scope)
    with write_transaction(session):
        session.delete(config)


def _project(session: Session, scope: OrgScope, pk: int | None) -> Project | None:
    project = session.get(Project, pk) if pk is not None else None
    if project is None or project.deleted or project.organization_id != scope.org.id:
        return None
    return project


def attach_config(session: Session, scope: OrgScope, project_pk: int | None, config_pk: int | None,
                  response_count: Any) -> ProjectConfig:
    """Attach a model config to a project (again: the existing attachment, its response count updated)."""
    project = _project(session, scope, project_pk)
    config = get_config(session, scope, config_pk)
    if project is None or config is None:
        raise NotFound("Project or model config not found.")
    _require_write(scope)
    if response_count is not None and (type(response_count) is not int or response_count < 1):
        raise Invalid("responseCount: a positive integer is required.", field="responseCount")
    with write_transaction(session):  # looked for in it: two attachments of one config cannot both insert
        link = session.scalar(select(ProjectConfig).where(ProjectConfig.project_id == project.id,
                                                          ProjectConfig.model_config_id == config.id))
        if link is None:
            link = ProjectConfig(project_id=project.id, model_config_id=config.id, response_count=response_count,
                                 created_at=now_iso())
            session.add(link)
        else:
            link.response_count = response_count
    return link


def detach_config(session: Session, scope: OrgScope, link_pk: int | None) -> None:
    link = session.get(ProjectConfig, link_pk) if link_pk is not None else None
    if link is None or _project(session, scope, link.project_id) is None:
        raise NotFound("Project model config not found.")
    _require_write(scope)
    with write_transaction(session):
        session.delete(link)


def project_configs(session: Session, project_pk: int) -> list[tuple[ProjectConfig, ModelConfig]]:
    return [(link, config) for link, config in session.execute(
        select(ProjectConfig, ModelConfig).join(ModelConfig, ModelConfig.id == ProjectConfig.model_config_id)
        .where(ProjectConfig.project_id == project_pk).order_by(ProjectConfig.id)).tuples()]

