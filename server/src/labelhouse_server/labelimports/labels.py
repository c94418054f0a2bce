"""A project's labels as Labelbox sees them (§2.9): listed by ``project.labels()``, counted by ``labelCount``,
deleted by ``deleteLabels``, scored by ``upsertAutoQaLabelFeedback``.

A project's labels are the labels of its labelsets (``project-<projectId>`` per dataset) whose status is not
PRELABELED: pre-labels (MAL imports, send-to-annotate copies into a queue) are not Labels to Labelbox. The label
id is ``ids.encode("label", labels.id)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..catalog.orgs import OrgScope
from ..db import Dataset, Label, LabelFeedback, Project, ProjectLabelset
from ..db.transaction import write_transaction
from ..errors import Forbidden, Invalid
from ..labelbox import annotations as A
from ..labelbox import ids
from ..labels import history
from ..labels.policy import may_write
from ..projects.service import get_project
from ..timeutil import now_iso

PRELABELED = "PRELABELED"
MAX_DELETE = 10_000


def project_labelsets(project_id: int) -> Any:
    return select(ProjectLabelset.labelset_id).where(ProjectLabelset.project_id == project_id)


def _project_labels(project_id: int) -> Any:
    return (Label.labelset_id.in_(project_labelsets(project_id)), Label.label_status != PRELABELED)


def list_labels(session: Session, scope: OrgScope, project_pk: int | None, *, created_by: int | None = None,
                dataset_ids: Sequence[int] | None = None, order: str | None = None, skip: int = 0,
                first: int | None = None) -> list[Label]:
    """``order``: ``createdAt_ASC`` ... (``LabelOrderByInput``); label id order otherwise."""
    project = get_project(session, scope, project_pk)
    query = select(Label).where(*_project_labels(project.id))
    if created_by is not None:
        query = query.where(Label.created_by_id == created_by)
    if dataset_ids is not None:
        query = query.where(Label.dataset_id.in_(list(dataset_ids)))
    if order:
        field, direction = order.rsplit("_", 1)
        column = {"createdAt": Label.created_at, "updatedAt": Label.updated_at, "id": Label.id}[field]
        query = query.order_by(column.desc() if direction == "DESC" else column.asc())
    query = query.order_by(Label.id).offset(max(skip, 0))
    if first is not None:
        query = query.limit(max(first, 0))
    return list(session.scalars(query))


def project_of_label(session: Session, scope: OrgScope, label: Label) -> Project | None:
    """The live project of the caller's organization whose labelset holds ``label``, or None."""
    project = session.scalars(select(Project).join(ProjectLabelset, ProjectLabelset.project_id == Project.id).where(
        ProjectLabelset.labelset_id == label.labelset_id, Project.organization_id == scope.org_id,
        Project.deleted.is_(False))).first()
    return project


def get_label(session: Session, scope: OrgScope, public_id: Any) -> tuple[Label, Project] | None:
    """A (non-pre-)label of a live project of the caller's organization, or None."""
    pk = ids.decode("label", public_id)
    label = session.get(Label, pk) if pk is not None else None
    if label is None or label.label_status == PRELABELED:
        return None
    project = project_of_label(session, scope, label)
    return None if project is None else (label, project)


class LabelView:
    """Renders labels for one project: the ``label`` JSON text is the export-v2 annotations (§3.4)."""

    def __init__(self, session: Session, scope: OrgScope, project: Project) -> None:
        self.ontology = A.OntologyIndex.load(session, project.ontology_id)
        self.session = session
        self.categories: dict[int, Any] = {}
        self.project = project

    def _categories(self, dataset_id: int) -> Any:
        if dataset_id not in self.categories:
            dataset = self.session.get(Dataset, dataset_id)
            attrs = dataset.task_attributes if dataset is not None else None
            self.categories[dataset_id] = attrs.get("categories") if isinstance(attrs, dict) else None
        return self.categories[dataset_id]

    def public(self, label: Label) -> dict[str, Any]:
        label_id = ids.encode("label", label.id)
        annotations = A.export_annotations(label.attributes, self.ontology,
                                           categories=self._categories(label.dataset_id), label_key=label_id)
        return {"id": label_id, "label": _dumps(annotations), "createdAt": label.created_at,
                "updatedAt": label.updated_at, "agreement": None, "benchmarkAgreement": None,
                "isBenchmarkReference": False, "secondsToLabel": 0.0, "deleted": False,
                "_pk": label.id, "_sample_id": label.sample_id, "_created_by": label.created_by_id,
                "_project_pk": self.project.id}


def _dumps(value: Any) -> str:
    import orjson

    return orjson.dumps(value).decode()


def delete_labels(session: Session, scope: OrgScope, public_ids: Sequence[Any]) -> list[str]:
    """Delete labels of the caller's organization's projects (all or nothing); each deletion follows the label
    review rule and is recorded in the label's history. Returns the deleted ids."""
    if len(public_ids) > MAX_DELETE:
        raise Invalid(f"Delete at most {MAX_DELETE} labels per call.", field="labelIds")
    labels = []
    for public_id in dict.fromkeys(public_ids):
        found = get_label(session, scope, public_id)
        if found is None:
            raise Forbidden(f"Label {public_id} does not exist or is not yours to delete.")
        label = found[0]
        if not may_write(scope.role, label.label_status, None):
            raise Forbidden(f"Your role ({scope.role}) may not delete a {label.label_status} label (the label "
                            "review rule).")
        labels.append((public_id, label))
    now = now_iso()
    with write_transaction(session):
        for _, label in labels:
            session.execute(delete(Label).where(Label.id == label.id))
            history.record_revision(session, dataset_id=label.dataset_id, sample_id=label.sample_id,
                                    labelset_id=label.labelset_id, action="deleted", label_status=None,
                                    attributes=None, score=None, user_id=scope.user.id, created_at=now)
    return [str(public_id) for public_id, _ in labels]


def upsert_feedback(session: Session, scope: OrgScope, public_id: Any, feedback: Any,
                    scores: Any) -> dict[str, Any]:
    """Store (replace) the feedback text and scores of a label; reviewers and above (it is a review)."""
    found = get_label(session, scope, public_id)
    if found is None or not may_write(scope.role, "LABELED", "REVIEWED"):
        raise Forbidden("You may not give feedback on this label, or it does not exist.")
    if not isinstance(feedback, str):
        raise Invalid("feedback must be a string.", field="feedback")
    if not isinstance(scores, dict) or not all(
            isinstance(k, str) and k and isinstance(v, (int, float)) and not isinstance(v, bool)
            for k, v in scores.items()):
        raise Invalid("scores must be an object of score name -> number.", field="scores")
    label = found[0]
    values = [{"name": k, "score": float(v)} for k, v in scores.items()]
    with write_transaction(session):  # looked for in it: two first feedbacks cannot both insert
        row = session.get(LabelFeedback, label.id)
        if row is None:
            row = LabelFeedback(label_id=label.id)
            session.add(row)
        row.feedback, row.scores, row.updated_by_id, row.updated_at = feedback, values, scope.user.id, now_iso()
    return feedback_public(label.id, row)


def feedback_public(label_pk: int, row: LabelFeedback) -> dict[str, Any]:
    return {"id": ids.encode("label", label_pk), "feedback": row.feedback,
            "scores": [{"id": ids.fixed("label", f"score:{label_pk}:{s['name']}"), "name": s["name"],
                        "score": s["score"]} for s in row.scores or []]}


def feedback_for(session: Session, label_pks: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Stored feedback of labels (for exports): label pk -> ``{"id", "feedback", "scores": [{id, name, score}]}``."""
    out: dict[int, dict[str, Any]] = {}
    for i in range(0, len(label_pks), 500):
        for row in session.scalars(select(LabelFeedback).where(LabelFeedback.label_id.in_(label_pks[i:i + 500]))):
            out[row.label_id] = feedback_public(row.label_id, row)
    return out

