"""Projects on a real database: create with media types and the two initial queues, update, soft delete,
ontology and editor, members, label counts through the project's labelsets, organizations isolated."""

from __future__ import annotations

import pytest
from labelhouse_server.batches import service as batches
from labelhouse_server.catalog.orgs import scope_for
from labelhouse_server.db import Label, Labelset, ProjectLabelset
from labelhouse_server.errors import Forbidden, Invalid, NotFound
from labelhouse_server.labelbox import ids
from labelhouse_server.ontologies import service as ont
from labelhouse_server.projects import service as projects
from labelhouse_server.timeutil import now_iso
from labelhouse_server.users.service import create_user
from projectsupport import make_dataset
from sqlalchemy import select


def test_create_read_update_delete(session, org):
    p = projects.create_project(session, org.manager, "boxes", description="Boxes.", media_type="IMAGE",
                                auto_audit_percentage=0, auto_audit_number_of_labels=3, is_benchmark_enabled=True,
                                is_consensus_enabled=True)
    public = projects.project_public(session, p)
    assert public["id"] == ids.encode("project", p.id)
    assert {k: public[k] for k in ("name", "description", "allowedMediaType", "autoAuditPercentage",
                                   "autoAuditNumberOfLabels", "isBenchmarkEnabled", "isConsensusEnabled",
                                   "dataRowCount", "setupComplete", "editorTaskType", "uploadType")} == {
        "name": "boxes", "description": "Boxes.", "allowedMediaType": "IMAGE", "autoAuditPercentage": 0.0,
        "autoAuditNumberOfLabels": 3, "isBenchmarkEnabled": True, "isConsensusEnabled": True, "dataRowCount": 0,
        "setupComplete": None, "editorTaskType": None, "uploadType": None}
    queues = projects.task_queues(session, p)
    assert [(q["name"], q["queueType"], q["dataRowCount"]) for q in queues] == [
        ("Initial labeling task", "INITIAL_LABELING_QUEUE", 0), ("Initial review task", "MANUAL_REVIEW_QUEUE", 0)]
    projects.update_project(session, org.manager, p.id, {"description": "Polygons.", "allowedMediaType": "VIDEO"})
    again = projects.get_project(session, org.manager, p.id)
    assert (again.description, again.media_type) == ("Polygons.", "VIDEO")
    assert [x.id for x in projects.list_projects(session, org.manager)] == [p.id]
    projects.delete_project(session, org.manager, p.id)
    with pytest.raises(NotFound):
        projects.get_project(session, org.manager, p.id)
    assert projects.list_projects(session, org.manager) == []
    with pytest.raises(NotFound):
        projects.update_project(session, org.manager, p.id, {"name": "x"})


@pytest.mark.parametrize("kwargs, field", [
    ({"name": ""}, "name"),
    ({"name": "p", "media_type": "SMELLS"}, "allowedMediaType"),
    ({"name": "p", "auto_audit_percentage": 2}, "autoAuditPercentage"),
    ({"name": "p", "auto_audit_number_of_labels": -1}, "autoAuditNumberOfLabels"),
    ({"name": "p", "editor_task_type": "DANCE"}, "editorTaskType"),
])
def test_bad_project_input(session, org, kwargs, field):
    with pytest.raises(Invalid) as exc:
        projects.create_project(session, org.manager, **kwargs)
    assert exc.value.field == field


def test_update_refuses_unknown_fields(session, org):
    p = projects.create_project(session, org.manager, "p", media_type="IMAGE")
    with pytest.raises(Invalid, match="cannot be updated: color"):
        projects.update_project(session, org.manager, p.id, {"color": "red"})


def test_connect_ontology_and_editor(session, org):
    p = projects.create_project(session, org.manager, "p", media_type="IMAGE")
    o = ont.create_ontology(session, org.manager, "o", {"tools": [{"tool": "point", "name": "pt"}]}, "IMAGE")
    assert projects.project_frontend(p) is None
    editor = projects.labeling_frontends("Editor")
    assert [f["name"] for f in editor] == ["Editor"] and projects.labeling_frontends("Other") == []
    projects.connect_frontend(session, org.manager, p.id, editor[0]["id"])
    assert projects.project_frontend(p)["name"] == "Editor"
    options = projects.create_frontend_options(session, org.manager, p.id, editor[0]["id"],
                                               '{"tools": [], "classifications": []}')
    assert options["customizationOptions"] == '{"tools": [], "classifications": []}'
    with pytest.raises(NotFound):
        projects.connect_frontend(session, org.manager, p.id, "c" + "x" * 24)
    projects.connect_ontology(session, org.manager, p.id, o.id)
    assert p.ontology_id == o.id and p.setup_complete is not None
    video = ont.create_ontology(session, org.manager, "v", {"tools": []}, "VIDEO")
    with pytest.raises(Invalid, match="media type"):
        projects.connect_ontology(session, org.manager, p.id, video.id)
    # an ontology in use cannot be deleted; once its project is deleted it can
    with pytest.raises(Exception, match="connected to a project"):
        ont.delete_unused_ontology(session, org.manager, o.id)
    projects.delete_project(session, org.manager, p.id)
    ont.delete_unused_ontology(session, org.manager, o.id)


def test_members(session, org):
    p = projects.create_project(session, org.manager, "p", media_type="IMAGE")
    members = projects.members(session, org.manager, p)
    assert [(m.user.id, m.role, m.access_from) for m in members] == [
        (org.manager.user.id, "admin", "ORGANIZATION"), (org.labeler.user.id, "labeler", "ORGANIZATION")]
    assert len({m.id for m in members}) == 2
    outsider = create_user(session, f"outsider-{p.id}")
    session.commit()
    # a personal account is a one-member organization
    solo = scope_for(session, outsider)
    mine = projects.create_project(session, solo, "solo", media_type="TEXT")
    assert [(m.user.id, m.role) for m in projects.members(session, solo, mine)] == [(outsider.id, "owner")]


def test_label_count_counts_the_project_labelsets(session, org):
    p = projects.create_project(session, org.manager, "p", media_type="IMAGE")
    dataset, samples = make_dataset(session, org.account, 3)
    batches.create_batch(session, org.manager, p.id, "b", [(str(s), s) for s in samples])
    link = session.scalars(select(ProjectLabelset).where(ProjectLabelset.project_id == p.id)).one()
    labelset = session.get(Labelset, link.labelset_id)
    assert labelset.dataset_id == dataset.id and labelset.name == f"project-{ids.encode('project', p.id)}"
    assert projects.label_count(session, p) == 0
    now = now_iso()
    ground_truth = session.scalars(select(Labelset).where(Labelset.dataset_id == dataset.id,
                                                          Labelset.name == "ground-truth")).one()
    for labelset_id in (labelset.id, ground_truth.id):  # only the project's labelset counts
        session.add(Label(sample_id=samples[0], labelset_id=labelset_id, dataset_id=dataset.id,
                          label_status="LABELED", attributes={}, created_at=now, updated_at=now))
    session.commit()
    assert projects.label_count(session, p) == 1


def test_isolation_and_roles(session, org, other_org):
    p = projects.create_project(session, org.manager, "p", media_type="IMAGE")
    with pytest.raises(NotFound):
        projects.get_project(session, other_org.manager, p.id)
    assert projects.list_projects(session, other_org.manager) == []
    with pytest.raises(NotFound):
        projects.delete_project(session, other_org.manager, p.id)
    foreign = ont.create_ontology(session, other_org.manager, "theirs", {"tools": []}, None)
    with pytest.raises(NotFound):
        projects.connect_ontology(session, org.manager, p.id, foreign.id)
    assert projects.get_project(session, org.labeler, p.id).id == p.id
    with pytest.raises(Forbidden):
        projects.create_project(session, org.labeler, "mine", media_type="IMAGE")
    with pytest.raises(Forbidden):
        projects.delete_project(session, org.labeler, p.id)
