"""Projects of an organization. Each write checks its input first, then runs in one ``write_transaction``.

A project is soft-deleted (Labelbox deletes through ``updateProject(data: {deleted: true})``); a deleted project
answers like a missing one everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..catalog.orgs import OrgScope, org_members
from ..db import Account, Label, Project, ProjectDataRow, ProjectLabelset, TaskQueue
from ..db.transaction import write_transaction
from ..errors import Invalid, NotFound
from ..labelbox import ids
from ..ontologies.service import check_media_type, check_name, get_ontology, require_write
from ..timeutil import now_iso

EDITOR_TASK_TYPES = frozenset({"MODEL_CHAT_EVALUATION", "OFFLINE_MODEL_CHAT_EVALUATION", "RESPONSE_CREATION"})
UPLOAD_TYPES = frozenset({"Auto", "Manual"})

# The one labeling frontend (contract §0 trap 15: connect_ontology looks for a frontend named "Editor").
EDITOR = {"id": "clabelhouseeditor00000000", "name": "Editor", "description": "labelhouse editor",
          "iframeUrlPath": "/editor"}
LABELING_FRONTENDS = (EDITOR,)

# Every project starts with these queues; new batches put their rows in the first.
INITIAL_QUEUES = (
    ("Initial labeling task", "INITIAL_LABELING_QUEUE"),
    ("Initial review task", "MANUAL_REVIEW_QUEUE"),
)


def get_project(session: Session, scope: OrgScope, pk: int | None) -> Project:
    project = session.get(Project, pk) if isinstance(pk, int) else None
    if project is None or project.organization_id != scope.org_id or project.deleted:
        raise NotFound("Project not found.")
    return project


def _check_percentage(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise Invalid("autoAuditPercentage must be a number from 0 to 1.", field="autoAuditPercentage")
    return float(value)


def _check_count(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Invalid("autoAuditNumberOfLabels must be a non-negative integer.", field="autoAuditNumberOfLabels")
    return value


def _check_choice(value: Any, choices: frozenset[str], field: str) -> str | None:
    if value is not None and value not in choices:
        raise Invalid(f"{field} must be one of {', '.join(sorted(choices))}; got {value!r}.", field=field)
    return value


def create_project(session: Session, scope: OrgScope, name: Any, *, description: Any = None,
                   media_type: Any = None, auto_audit_percentage: Any = None,
                   auto_audit_number_of_labels: Any = None, is_benchmark_enabled: Any = None,
                   is_consensus_enabled: Any = None, editor_task_type: Any = None,
                   upload_type: Any = None) -> Project:
    require_write(scope)
    if description is not None and not isinstance(description, str):
        raise Invalid("description must be a string.", field="description")
    now = now_iso()
    project = Project(
        organization_id=scope.org_id, name=check_name(name, "name"), description=description or "",
        media_type=check_media_type(media_type, "allowedMediaType"),
        editor_task_type=_check_choice(editor_task_type, EDITOR_TASK_TYPES, "editorTaskType"),
        upload_type=_check_choice(upload_type, UPLOAD_TYPES, "uploadType"),
        auto_audit_percentage=_check_percentage(auto_audit_percentage),
        auto_audit_number_of_labels=_check_count(auto_audit_number_of_labels),
        is_benchmark_enabled=bool(is_benchmark_enabled), is_consensus_enabled=bool(is_consensus_enabled),
        model_setup_complete=False, deleted=False, created_by_id=scope.user.id, created_at=now, updated_at=now,
        last_activity_time=now,
    )
    with write_transaction(session):
        session.add(project)
        session.flush()
        for position, (queue_name, queue_type) in enumerate(INITIAL_QUEUES):
            session.add(TaskQueue(project_id=project.id, name=queue_name, description=queue_name,
                                  queue_type=queue_type, position=position))
    return project


# Project.update(**fields) through the SDK: GraphQL field -> (column, checker).
_UPDATABLE = {
    "name": ("name", lambda v: check_name(v, "name")),
    "description": ("description", lambda v: v if isinstance(v, str) else _bad("description", "a string")),
    "allowedMediaType": ("media_type", lambda v: check_media_type(v, "allowedMediaType")),
    "autoAuditPercentage": ("auto_audit_percentage", _check_percentage),
    "autoAuditNumberOfLabels": ("auto_audit_number_of_labels", _check_count),
    "isBenchmarkEnabled": ("is_benchmark_enabled", lambda v: bool(v)),
    "isConsensusEnabled": ("is_consensus_enabled", lambda v: bool(v)),
    "uploadType": ("upload_type", lambda v: _check_choice(v, UPLOAD_TYPES, "uploadType")),
    "modelSetupComplete": ("model_setup_complete", lambda v: bool(v)),
}


def _bad(field: str, what: str) -> Any:
    raise Invalid(f"{field} must be {what}.", field=field)


def update_project(session: Session, scope: OrgScope, pk: int | None, fields: dict[str, Any]) -> Project:
    """``fields`` by their GraphQL names; unknown ones are refused (never silently dropped)."""
    require_write(scope)
    project = get_project(session, scope, pk)
    unknown = sorted(set(fields) - set(_UPDATABLE))
    if unknown:
        raise Invalid(f"Project fields that cannot be updated: {', '.join(unknown)}.", field=unknown[0])
    values = {_UPDATABLE[key][0]: _UPDATABLE[key][1](value) for key, value in fields.items()}
    with write_transaction(session):
        for column, value in values.items():
            setattr(project, column, value)
        project.updated_at = now_iso()
    return project


def delete_project(session: Session, scope: OrgScope, pk: int | None) -> Project:
    require_write(scope)
    project = get_project(session, scope, pk)
    with write_transaction(session):
        project.deleted = True
        project.updated_at = now_iso()
    return project


def list_projects(session: Session, scope: OrgScope, condition: Any = None, order: Sequence[Any] = (),
                  skip: int = 0, first: int | None = None) -> list[Project]:
    """Live projects of the organization matching ``condition`` (SQL), in ``order`` then creation order."""
    query = select(Project).where(Project.organization_id == scope.org_id, Project.deleted.is_(False))
    if condition is not None:
        query = query.where(condition)
    query = query.order_by(*order, Project.id).offset(max(skip, 0))
    if first is not None:
        query = query.limit(max(first, 0))
    return list(session.scalars(query))


def data_row_counts(session: Session, project_ids: Sequence[int]) -> dict[int, int]:
    if not project_ids:
        return {}
    rows = session.execute(select(ProjectDataRow.project_id, func.count()).where(
        ProjectDataRow.project_id.in_(list(project_ids))).group_by(ProjectDataRow.project_id)).all()
    counts = {pid: 0 for pid in project_ids}
    counts.update({pid: n for pid, n in rows})
    return counts


def projects_public(session: Session, projects: Sequence[Project]) -> list[dict[str, Any]]:
    """GraphQL ``Project`` scalar fields (one count query for all)."""
    counts = data_row_counts(session, [p.id for p in projects])
    return [{
        "id": ids.encode("project", p.id), "name": p.name, "description": p.description,
        "allowedMediaType": p.media_type, "editorTaskType": p.editor_task_type, "uploadType": p.upload_type,
        "autoAuditNumberOfLabels": p.auto_audit_number_of_labels, "autoAuditPercentage": p.auto_audit_percentage,
        "isBenchmarkEnabled": bool(p.is_benchmark_enabled), "isConsensusEnabled": bool(p.is_consensus_enabled),
        "setupComplete": p.setup_complete, "modelSetupComplete": bool(p.model_setup_complete),
        "dataRowCount": counts[p.id], "createdAt": p.created_at, "updatedAt": p.updated_at,
        "lastActivityTime": p.last_activity_time, "deleted": bool(p.deleted),
    } for p in projects]


def project_public(session: Session, project: Project) -> dict[str, Any]:
    return projects_public(session, [project])[0]


def label_count(session: Session, project: Project) -> int:
    """Labels in the project's labelsets (one per dataset the project draws rows from); pre-labels (PRELABELED:
    MAL imports) are not labels to Labelbox."""
    labelsets = select(ProjectLabelset.labelset_id).where(ProjectLabelset.project_id == project.id)
    return session.scalar(select(func.count()).select_from(Label).where(
        Label.labelset_id.in_(labelsets), Label.label_status != "PRELABELED")) or 0


# ------------------------------------------------------------------------------------ ontology and frontend
def connect_ontology(session: Session, scope: OrgScope, pk: int | None, ontology_pk: int | None) -> Project:
    require_write(scope)
    project = get_project(session, scope, pk)
    ontology = get_ontology(session, scope, ontology_pk)
    if ontology.media_type is not None and project.media_type is not None and ontology.media_type != project.media_type:
        raise Invalid(f"Ontology media type {ontology.media_type} does not match the project's "
                      f"({project.media_type}).", field="ontologyId")
    now = now_iso()
    with write_transaction(session):
        project.ontology_id = ontology.id
        project.setup_complete = project.setup_complete or now
        project.updated_at = now
    return project


def labeling_frontends(name: str | None = None) -> list[dict[str, Any]]:
    return [dict(f) for f in LABELING_FRONTENDS if name is None or f["name"] == name]


def _frontend(frontend_id: Any) -> dict[str, Any]:
    for frontend in LABELING_FRONTENDS:
        if frontend["id"] == frontend_id:
            return frontend
    raise NotFound(f"Labeling frontend {frontend_id!r} not found.")


def project_frontend(project: Project) -> dict[str, Any] | None:
    return dict(_frontend(project.labeling_frontend_id)) if project.labeling_frontend_id else None


def connect_frontend(session: Session, scope: OrgScope, pk: int | None, frontend_id: Any) -> Project:
    require_write(scope)
    project = get_project(session, scope, pk)
    frontend = _frontend(frontend_id)
    with write_transaction(session):
        project.labeling_frontend_id = frontend["id"]
        project.updated_at = now_iso()
    return project


def create_frontend_options(session: Session, scope: OrgScope, pk: int | None, frontend_id: Any,
                            customization_options: Any) -> dict[str, Any]:
    require_write(scope)
    project = get_project(session, scope, pk)
    _frontend(frontend_id)
    if not isinstance(customization_options, str):
        raise Invalid("customizationOptions must be a string.", field="customizationOptions")
    with write_transaction(session):
        project.frontend_options = customization_options
        project.updated_at = now_iso()
    return frontend_options(project)[0]


def frontend_options(project: Project) -> list[dict[str, Any]]:
    if project.frontend_options is None:
        return []
    return [{"id": ids.fixed("project", f"frontend-options:{project.id}"),
             "customizationOptions": project.frontend_options}]


# ---------------------------------------------------------------------------------------------- task queues
def task_queues(session: Session, project: Project) -> list[dict[str, Any]]:
    queues = list(session.scalars(select(TaskQueue).where(TaskQueue.project_id == project.id)
                                  .order_by(TaskQueue.position)))
    counts = dict(session.execute(
        select(ProjectDataRow.task_queue_id, func.count()).where(ProjectDataRow.project_id == project.id)
        .group_by(ProjectDataRow.task_queue_id)).all())
    return [{"id": ids.encode("task_queue", q.id), "name": q.name, "description": q.description, "queueType": q.queue_type,
             "dataRowCount": counts.get(q.id, 0)} for q in queues]


def get_task_queue(session: Session, project: Project, pk: int | None) -> TaskQueue:
    queue = session.get(TaskQueue, pk) if isinstance(pk, int) else None
    if queue is None or queue.project_id != project.id:
        raise NotFound("Task queue not found in this project.")
    return queue


def initial_queue(session: Session, project: Project) -> TaskQueue:
    return session.scalars(select(TaskQueue).where(TaskQueue.project_id == project.id)
                           .order_by(TaskQueue.position).limit(1)).one()


# -------------------------------------------------------------------------------------------------- members
@dataclass(frozen=True)
class Member:
    id: str
    user: Account
    role: str  # labelhouse role: labeler, reviewer, manager, admin, owner (the one-member organization)
    access_from: str  # ORGANIZATION


def _member_id(project: Project, user: Account) -> str:
    """A stable public id for a user's access to a project (organization members have no row)."""
    return ids.fixed("project", f"member:{project.id}:{user.id}")


def members(session: Session, scope: OrgScope, project: Project) -> list[Member]:
    """Every member of the organization works on every project of it (Labelbox ``accessFrom: ORGANIZATION``).
    Project-level memberships (Labelbox users whose organization role is None) do not exist here: a labelhouse
    account outside the organization sees none of its projects."""
    return [Member(_member_id(project, user), user, role, "ORGANIZATION") for user, role in org_members(session, scope)]
