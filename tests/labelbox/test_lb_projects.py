"""§2.7 through the official Labelbox SDK: projects with media types, update and delete, connect_ontology (and the
`Editor` frontend it connects), members, task queues, label counts; errors as the SDK raises them."""

from __future__ import annotations

import labelbox as lb
import pytest
from labelbox import MediaType, OntologyBuilder, Tool
from lbox.exceptions import AuthorizationError, ResourceNotFoundError
from lbsupport import gql, labelbox_client
from support import unique


def test_project_lifecycle(lb_client):
    name = unique("proj")
    project = lb_client.create_project(name=name, media_type=MediaType.Image, description="Boxes.")
    assert len(project.uid) == 25 and project.name == name and project.description == "Boxes."
    assert project.media_type == MediaType.Image and project.data_row_count == 0
    assert project.created_at is not None and project.setup_complete is None
    got = lb_client.get_project(project.uid)
    assert (got.uid, got.name, got.media_type, got.created_at) == (project.uid, name, MediaType.Image,
                                                                   project.created_at)
    assert [p.uid for p in lb_client.get_projects(where=lb.Project.name == name)] == [project.uid]
    assert project.uid in [p.uid for p in lb_client.get_projects()]
    project.update(name=name + " v2", description="Boxes and polygons.")
    got = lb_client.get_project(project.uid)
    assert (got.name, got.description) == (name + " v2", "Boxes and polygons.")
    assert got.updated_at >= got.created_at
    project.delete()
    with pytest.raises(ResourceNotFoundError):
        lb_client.get_project(project.uid)
    assert project.uid not in [p.uid for p in lb_client.get_projects()]


@pytest.mark.parametrize("media_type", [MediaType.Video, MediaType.Text, MediaType.Conversational,
                                        MediaType.Audio, MediaType.Html, MediaType.Document])
def test_media_types(lb_client, media_type):
    project = lb_client.create_project(name=unique("m"), media_type=media_type)
    assert lb_client.get_project(project.uid).media_type == media_type


def test_connect_ontology_queues_and_members(lb_client, user):
    project = lb_client.create_project(name=unique("p"), media_type=MediaType.Image)
    ontology = lb_client.create_ontology(unique("o"), OntologyBuilder(tools=[Tool(tool=Tool.Type.BBOX,
                                                                                    name="car")]).asdict(),
                                         media_type=MediaType.Image)
    assert project.ontology() is None and project.labeling_frontend() is None
    with pytest.warns(UserWarning, match="Connecting default labeling editor"):
        project.connect_ontology(ontology)
    assert project.labeling_frontend().name == "Editor"
    assert project.ontology().uid == ontology.uid
    assert lb_client.get_project(project.uid).setup_complete is not None
    assert project.get_label_count() == 0
    # connecting again (another ontology) keeps the editor and replaces the ontology
    other = lb_client.create_ontology(unique("o2"), {"tools": [], "classifications": []})
    project.connect_ontology(other)
    assert project.ontology().uid == other.uid
    video = lb_client.create_ontology(unique("v"), {"tools": [], "classifications": []}, media_type=MediaType.Video)
    with pytest.raises(ValueError, match="same type"):  # refused by the SDK itself
        project.connect_ontology(video)
    queues = project.task_queues()
    assert [(q.name, q.queue_type, q.data_row_count) for q in queues] == [
        ("Initial labeling task", "INITIAL_LABELING_QUEUE", 0), ("Initial review task", "MANUAL_REVIEW_QUEUE", 0)]
    members = list(project.members())
    assert [(m.user().name, m.role().name, m.access_from) for m in members] == [(user[0], "Admin", "ORGANIZATION")]


def test_members_of_an_organization(server):
    admin, admin_key = server.create_user()
    labeler, _ = server.create_user()
    server.create_org(unique("org"), admin, {labeler: "labeler"})
    project = labelbox_client(server, admin_key).create_project(name=unique("p"), media_type=MediaType.Text)
    assert {(m.user().name, m.role().name) for m in project.members()} == {(admin, "Admin"), (labeler, "Labeler")}


def test_errors_and_other_organizations(server, lb_client, user):
    key = user[1]
    project = lb_client.create_project(name=unique("p"), media_type=MediaType.Image)
    ontology = lb_client.create_ontology(unique("o"), {"tools": [], "classifications": []})
    _, other_key = server.create_user()
    other = labelbox_client(server, other_key)
    with pytest.raises(ResourceNotFoundError):
        other.get_project(project.uid)
    assert project.uid not in [p.uid for p in other.get_projects()]
    foreign = other.create_project(name=unique("theirs"), media_type=MediaType.Image)
    theirs = other.create_ontology(unique("theirs"), {"tools": [], "classifications": []})
    # writes on another organization's objects: our project object pointed at their project's id
    hijack = lb_client.get_project(project.uid)
    hijack.uid = foreign.uid
    with pytest.raises(AuthorizationError):
        hijack.update(name="hijacked")
    with pytest.raises(AuthorizationError):
        hijack.delete()
    assert other.get_project(foreign.uid).name == foreign.name
    with pytest.raises(AuthorizationError), pytest.warns(UserWarning, match="default labeling editor"):
        project.connect_ontology(theirs)
    with pytest.raises(ResourceNotFoundError):
        lb_client.get_project("c" + "x" * 24)
    with pytest.raises(ResourceNotFoundError):
        lb_client.get_project('not "an" id')
    project.connect_ontology(ontology)
    # what the SDK refuses itself never reaches us; the server refuses it too, with the §4 envelope
    with pytest.raises(ValueError, match="project name"):
        lb_client.create_project(name=" ", media_type=MediaType.Image)
    answer = gql(server, key, 'mutation { createProject(data: {name: " ", allowedMediaType: IMAGE}) { id } }')
    assert answer.status_code == 200
    [error] = answer.json()["errors"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "exception": {"status": 400}}
    assert "name" in error["message"]
    answer = gql(server, key, 'mutation { createProject(data: {name: "x", allowedMediaType: SMELL}) { id } }')
    assert answer.status_code == 400 and answer.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_labelers_read_projects_but_do_not_change_them(server):
    admin, admin_key = server.create_user()
    labeler, labeler_key = server.create_user()
    server.create_org(unique("org"), admin, {labeler: "labeler"})
    project = labelbox_client(server, admin_key).create_project(name=unique("p"), media_type=MediaType.Image)
    as_labeler = labelbox_client(server, labeler_key)
    mine = as_labeler.get_project(project.uid)
    assert mine.name == project.name
    with pytest.raises(AuthorizationError):
        as_labeler.create_project(name=unique("x"), media_type=MediaType.Image)
    with pytest.raises(AuthorizationError):
        mine.update(name="renamed")
