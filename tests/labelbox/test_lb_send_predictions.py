"""A model run's predictions sent to a project through the official Labelbox SDK:
``model_run.upsert_predictions_and_send_to_project`` (MEA -> MAL: a batch plus a MEAToMALPredictionImport of
pre-labels), ``model_run.send_to_annotate_from_model`` (into Done as labels, into a queue as pre-labels, feature
schema mapping, rows outside the run reported) and ``send_to_annotate_from_catalog`` with a slice's rows; read back
through ``project.labels()``, export v2 and the Segments label of the project's labelset."""

from __future__ import annotations

import uuid

import pytest
from labelbox import MediaType, OntologyBuilder, Tool
from labelbox.schema.annotation_import import AnnotationImportState, MEAToMALPredictionImport
from labelbox.schema.identifiables import GlobalKeys, UniqueIds
from lbox.exceptions import AuthorizationError, ResourceNotFoundError
from lbsupport import labelbox_client
from support import unique
from test_lb_exports import stream_rows
from test_lb_imports import segments_label

BOX = {"top": 10.0, "left": 20.0, "height": 30.0, "width": 40.0}


class World:
    """An ontology {car, truck boxes}, a model on it with a run holding ``n`` image rows, and a project on the
    same ontology."""

    def __init__(self, client, n: int = 3) -> None:
        self.client = client
        self.ontology = client.create_ontology(unique("o"), OntologyBuilder(tools=[
            Tool(tool=Tool.Type.BBOX, name="car"), Tool(tool=Tool.Type.BBOX, name="truck")]).asdict(),
            media_type=MediaType.Image)
        self.model = client.create_model(unique("m"), self.ontology.uid)
        self.run = self.model.create_model_run(unique("r"))
        self.dataset = client.create_dataset(name=unique("ds"))
        prefix = unique("k")
        self.keys = [f"{prefix}-{i}" for i in range(n)]
        self.dataset.create_data_rows([{"row_data": f"https://example.com/{k}.jpg", "global_key": k}
                                       for k in self.keys]).wait_till_done()
        self.ids = client.get_data_row_ids_for_global_keys(self.keys)["results"]
        self.project = self.new_project()

    def new_project(self, ontology=None):
        project = self.client.create_project(name=unique("p"), media_type=MediaType.Image)
        with pytest.warns(UserWarning, match="Connecting default labeling editor"):
            project.connect_ontology(ontology or self.ontology)
        return project


def box(row_id: str, name: str = "car", confidence: float | None = 0.9, **extra) -> dict:
    line = {"uuid": str(uuid.uuid4()), "dataRow": {"id": row_id}, "name": name, "bbox": BOX, **extra}
    if confidence is not None:
        line["confidence"] = confidence
    return line


def project_annotations(project) -> dict[str, list[tuple[str, str, dict]]]:
    """data row id -> [(feature_id, name, bounding box)] of the project's exported labels."""
    task = project.export(params={"label_details": True})
    task.wait_till_done()
    out = {}
    for row in stream_rows(task):
        labels = row["projects"][project.uid]["labels"]
        out[row["data_row"]["id"]] = [(o["feature_id"], o["name"], o["bounding_box"])
                                      for label in labels for o in label["annotations"]["objects"]]
    return out


def test_upsert_predictions_and_send_to_project(server, user, lb_client):
    w = World(lb_client)
    w.run.upsert_data_rows(data_row_ids=w.ids[:2])
    lines = [box(w.ids[0]), box(w.ids[1], "truck", 0.4),
             {"uuid": str(uuid.uuid4()), "dataRow": {"id": w.ids[0]}, "metricValue": 0.8, "metricName": "iou"},
             box(w.ids[2])]  # not in the run: fails in the model run, never reaches the project
    name = unique("mea")
    mea, batch, mal = w.run.upsert_predictions_and_send_to_project(name, lines, w.project.uid)
    assert mea.state == AnnotationImportState.FINISHED
    assert [s["status"] for s in mea.statuses] == ["SUCCESS", "SUCCESS", "SUCCESS", "FAILURE"]
    # the batch holds the rows with a successful prediction
    assert batch is not None and batch.name == name and batch.size == 2
    assert isinstance(mal, MEAToMALPredictionImport) and mal.state == AnnotationImportState.FINISHED
    assert mal.name == name and mal.progress == "100%"
    statuses = sorted((s["dataRow"]["id"], s["status"]) for s in mal.statuses)
    assert statuses == sorted([(w.ids[0], "SUCCESS"), (w.ids[1], "SUCCESS")])  # annotations only, no metric
    assert mal.errors == []
    assert {line["uuid"] for line in mal.inputs} == {lines[0]["uuid"], lines[1]["uuid"]}
    # pre-labels: not labels of the project, but the Segments label of the project's labelset is PRELABELED
    assert w.project.get_label_count() == 0
    assert project_annotations(w.project) == {w.ids[0]: [], w.ids[1]: []}
    label, _, _ = segments_label(server, user[1], _Labelset(w.project), w.keys[1])
    assert label is not None and label["label_status"] == "PRELABELED"
    [annotation] = label["attributes"]["annotations"]
    assert annotation["type"] == "bbox"
    assert MEAToMALPredictionImport.from_name(lb_client, w.project.uid, name).uid == mal.uid
    with pytest.raises(ResourceNotFoundError):
        MEAToMALPredictionImport.from_name(lb_client, w.project.uid, "no such import")
    # a run without predictions for any row: the MEA import reports it and nothing is sent
    empty = w.model.create_model_run(unique("empty"))
    empty.upsert_data_rows(data_row_ids=w.ids[2:])
    mea2, batch2, mal2 = empty.upsert_predictions_and_send_to_project(unique("x"), [box(w.ids[0])], w.project.uid)
    assert [s["status"] for s in mea2.statuses] == ["FAILURE"] and (batch2, mal2) == (None, None)


class _Labelset:
    def __init__(self, project) -> None:
        self.labelset = f"project-{project.uid}"


def test_mea_to_mal_import_checks_the_caller_and_the_rows(server, user, lb_client):
    w = World(lb_client, 2)
    w.run.upsert_data_rows(data_row_ids=w.ids)
    w.run.add_predictions(unique("p"), [box(w.ids[0]), box(w.ids[1])]).wait_until_done()
    # rows not in a batch of the project: each line fails with the reason
    mal = MEAToMALPredictionImport.create_for_model_run_data_rows(
        client=lb_client, model_run_id=w.run.uid, data_row_ids=w.ids, project_id=w.project.uid, name=unique("n"))
    assert {e["errors"][0]["name"] for e in mal.errors} == {"DataRowNotInProject"} and len(mal.errors) == 2
    # another organization reaches neither the run nor the project
    _, other_key = server.create_user()
    other = labelbox_client(server, other_key)
    theirs = World(other, 1)
    with pytest.raises(AuthorizationError):
        MEAToMALPredictionImport.create_for_model_run_data_rows(
            client=other, model_run_id=w.run.uid, data_row_ids=w.ids, project_id=theirs.project.uid, name="x")
    with pytest.raises(AuthorizationError):
        MEAToMALPredictionImport.create_for_model_run_data_rows(
            client=other, model_run_id=theirs.run.uid, data_row_ids=w.ids, project_id=w.project.uid, name="x")


def test_send_to_annotate_from_model(server, user, lb_client):
    w = World(lb_client, 4)
    w.run.upsert_data_rows(data_row_ids=w.ids[:3])
    preds = [box(w.ids[0]), box(w.ids[0], "truck", 0.3), box(w.ids[1], confidence=None), box(w.ids[2])]
    w.run.add_predictions(unique("p"), preds).wait_until_done()
    # into Done: the predictions become labels; the row outside the run is reported
    task = w.run.send_to_annotate_from_model(
        destination_project_id=w.project.uid, task_queue_id=None, batch_name=unique("done"),
        data_rows=UniqueIds([w.ids[0], w.ids[1], w.ids[3]]), params={})
    task.wait_till_done()
    assert task.status == "COMPLETE" and task.type == "send-to-annotate"
    [batch] = list(w.project.batches())
    assert batch.size == 2  # the SDK reads a COMPLETE task's failures nowhere (task.errors is None)
    assert w.project.get_label_count() == 2
    got = project_annotations(w.project)
    assert sorted((n, b) for _, n, b in got[w.ids[0]]) == [("car", BOX), ("truck", BOX)]
    assert {f for f, _, _ in got[w.ids[0]]} == {preds[0]["uuid"], preds[1]["uuid"]}  # feature ids kept
    assert [n for _, n, _ in got[w.ids[1]]] == ["car"]
    # into a queue, by global key, with a confidence floor: pre-labels of the predictions above it
    second = w.new_project()
    queue = second.task_queues()[0]
    task = w.run.send_to_annotate_from_model(
        destination_project_id=second.uid, task_queue_id=queue.uid, batch_name=unique("q"),
        data_rows=GlobalKeys(w.keys[:3]), params={"predictions_ontology_mapping": {}, "batch_priority": 2})
    task.wait_till_done()
    assert task.status == "COMPLETE"
    assert second.get_label_count() == 0
    assert {q.queue_type: q.data_row_count for q in second.task_queues()}["INITIAL_LABELING_QUEUE"] == 3
    label, _, _ = segments_label(server, user[1], _Labelset(second), w.keys[0])
    assert label["label_status"] == "PRELABELED" and len(label["attributes"]["annotations"]) == 2


def test_send_to_annotate_from_model_maps_feature_schemas(lb_client):
    w = World(lb_client, 1)
    w.run.upsert_data_rows(data_row_ids=w.ids)
    model_car = next(t for t in w.ontology.tools() if t.name == "car").feature_schema_id
    w.run.add_predictions(unique("p"), [{"uuid": str(uuid.uuid4()), "dataRow": {"id": w.ids[0]},
                                         "schemaId": model_car, "bbox": BOX}]).wait_until_done()
    vehicles = lb_client.create_ontology(unique("v"), OntologyBuilder(tools=[
        Tool(tool=Tool.Type.BBOX, name="vehicle")]).asdict(), media_type=MediaType.Image)
    vehicle = vehicles.tools()[0].feature_schema_id
    project = w.new_project(vehicles)
    task = w.run.send_to_annotate_from_model(
        destination_project_id=project.uid, task_queue_id=None, batch_name=unique("m"),
        data_rows=UniqueIds(w.ids), params={"predictions_ontology_mapping": {model_car: vehicle}})
    task.wait_till_done()
    assert task.status == "COMPLETE"
    assert [n for _, n, _ in project_annotations(project)[w.ids[0]]] == ["vehicle"]


def test_send_to_annotate_from_catalog_with_a_slice(lb_client):
    """The SDK sends data row ids or global keys only: a slice's rows go by its data row identifiers."""
    w = World(lb_client, 5)
    created = lb_client.execute(
        """mutation CreateSlice($data: CreateCatalogSavedQueryInput!) {
        createCatalogSavedQuery(data: $data) { id } }""",
        {"data": {"name": unique("s"), "description": "", "filter": [
            {"type": "global_key", "operator": "is", "ids": w.keys[1:4]}]}})
    catalog_slice = lb_client.get_catalog_slice(slice_id=created["createCatalogSavedQuery"]["id"])
    picked = [r.id.key for r in catalog_slice.get_data_row_identifiers()]
    assert sorted(picked) == sorted(w.ids[1:4])
    task = lb_client.send_to_annotate_from_catalog(
        destination_project_id=w.project.uid, task_queue_id=None, batch_name=unique("sl"),
        data_rows=UniqueIds(picked), params={"source_model_run_id": w.run.uid})
    task.wait_till_done()
    # the rows are not in the model run: reported, nothing sent
    assert task.status == "FAILED" and sorted(task.errors["failedDataRowIds"]) == sorted(picked)
    w.run.upsert_data_rows(data_row_ids=picked)
    w.run.add_predictions(unique("p"), [box(i) for i in picked]).wait_until_done()
    task = lb_client.send_to_annotate_from_catalog(
        destination_project_id=w.project.uid, task_queue_id=None, batch_name=unique("sl"),
        data_rows=UniqueIds(picked), params={"source_model_run_id": w.run.uid})
    task.wait_till_done()
    assert task.status == "COMPLETE"
    assert w.project.get_label_count() == 3
