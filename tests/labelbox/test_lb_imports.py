"""§2.9 through the official Labelbox SDK: LabelImport and MALPredictionImport from objects, NDJSON files and our
own upload URLs; valid, invalid and mixed lines with per-line statuses; the labels read back through both APIs
(``project.labels()`` and the Segments label of labelset ``project-<id>``), idempotency per uuid, label history,
deletes, feedback, permissions, and a large import that runs as a background job."""

from __future__ import annotations

import json
import threading
import uuid
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from labelbox import Classification, MediaType, OntologyBuilder, Option, Tool
from labelbox.schema.annotation_import import AnnotationImportState, LabelImport, MALPredictionImport
from labelbox.schema.label import Label
from lbox.exceptions import AuthorizationError, InvalidQueryError, ResourceConflict, ResourceNotFoundError
from lbsupport import labelbox_client
from support import unique


def _ontology():
    return OntologyBuilder(
        tools=[Tool(tool=Tool.Type.BBOX, name="car", classifications=[
                   Classification(class_type=Classification.Type.TEXT, name="plate")]),
               Tool(tool=Tool.Type.POLYGON, name="road"),
               Tool(tool=Tool.Type.POINT, name="person"),
               Tool(tool=Tool.Type.LINE, name="lane")],
        classifications=[
            Classification(class_type=Classification.Type.RADIO, name="weather",
                           options=[Option(value="sunny"), Option(value="rain")]),
            Classification(class_type=Classification.Type.CHECKLIST, name="flags",
                           options=[Option(value="blurry"), Option(value="dark")]),
            Classification(class_type=Classification.Type.TEXT, name="caption")])


class Setup:
    def __init__(self, client, n_rows: int = 3) -> None:
        self.client = client
        self.ontology = client.create_ontology(unique("onto"), _ontology().asdict(), media_type=MediaType.Image)
        self.project = client.create_project(name=unique("p"), media_type=MediaType.Image)
        with pytest.warns(UserWarning, match="Connecting default labeling editor"):
            self.project.connect_ontology(self.ontology)
        self.dataset = client.create_dataset(name=unique("ds"))
        prefix = unique("gk")
        self.keys = [f"{prefix}-{i}" for i in range(n_rows)]
        task = self.dataset.create_data_rows([{"row_data": f"https://example.com/{k}.jpg", "global_key": k}
                                              for k in self.keys])
        task.wait_till_done()
        assert task.status == "COMPLETE", task.errors
        self.row_ids = client.get_data_row_ids_for_global_keys(self.keys)["results"]
        self.batch = self.project.create_batch(unique("b"), global_keys=self.keys)

    @property
    def labelset(self) -> str:
        return f"project-{self.project.uid}"


def image_lines(key: str) -> list[dict]:
    """The §3.2 image lines (the SDK serializer's shapes) for one data row, with fresh uuids."""
    def u() -> str:
        return str(uuid.uuid4())
    row = {"globalKey": key}
    return [
        {"uuid": u(), "dataRow": row, "name": "car", "classifications": [{"name": "plate", "answer": "ABC123"}],
         "bbox": {"top": 20.0, "left": 10.0, "height": 60.0, "width": 50.0}},
        {"uuid": u(), "dataRow": row, "name": "road", "classifications": [],
         "polygon": [{"x": 1.0, "y": 1.0}, {"x": 50.0, "y": 1.0}, {"x": 25.0, "y": 40.0}, {"x": 1.0, "y": 1.0}]},
        {"uuid": u(), "dataRow": row, "name": "person", "classifications": [], "point": {"x": 5.0, "y": 6.0}},
        {"uuid": u(), "dataRow": row, "name": "lane", "classifications": [],
         "line": [{"x": 1.0, "y": 1.0}, {"x": 5.0, "y": 5.0}]},
        {"name": "weather", "answer": {"name": "sunny"}, "uuid": u(), "dataRow": row},
        {"name": "flags", "answer": [{"name": "blurry"}, {"name": "dark"}], "uuid": u(), "dataRow": row},
        {"name": "caption", "answer": "a car", "uuid": u(), "dataRow": row},
    ]


def sample_of(server, global_key: str) -> tuple[str, str]:
    """(sample uuid, dataset full name ``owner/name``) of a data row, read from the server's database."""
    from labelhouse_server.db import Account, Dataset, Sample
    from labelhouse_server.db.catalog import DataRowInfo
    from sqlalchemy import select

    with server._session() as session:
        sample = session.scalars(select(Sample).join(DataRowInfo, DataRowInfo.sample_id == Sample.id)
                                 .where(DataRowInfo.global_key == global_key)).one()
        dataset = session.get(Dataset, sample.dataset_id)
        owner = session.get(Account, dataset.owner_id)
        return sample.uuid, f"{owner.username}/{dataset.name}"


def segments_label(server, key: str, setup: Setup, global_key: str) -> tuple[dict | None, str, str]:
    """The Segments label of a data row in the project's labelset (None when unlabeled), the sample uuid and
    the dataset's full name."""
    sample_uuid, full_name = sample_of(server, global_key)
    with server.client(key) as http:
        r = http.get(f"/labels/{sample_uuid}/{setup.labelset}")
    assert r.status_code in (200, 404), r.text
    return (None if r.status_code == 404 else r.json()), sample_uuid, full_name


def history_actions(server, key: str, setup: Setup, sample_uuid: str) -> list[str]:
    with server.client(key) as http:
        r = http.get(f"/labels/{sample_uuid}/{setup.labelset}/history/")
    assert r.status_code == 200, r.text
    return [revision["action"] for revision in r.json()]


@contextmanager
def foreign_host():
    """A web server that is not labelhouse, serving an NDJSON file; records the methods it was asked for."""
    seen: list[str] = []
    body = json.dumps({"dataRow": {"globalKey": "x"}, "name": "person", "point": {"x": 1, "y": 1}}).encode()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, with_body: bool) -> None:
            seen.append(self.command)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def do_HEAD(self) -> None:
            self._answer(False)

        def do_GET(self) -> None:
            self._answer(True)

        def log_message(self, *_args) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/preds.ndjson", seen
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def setup(lb_client):
    return Setup(lb_client)


def test_label_import_from_objects_reads_back_through_both_apis(server, user, lb_client, setup):
    _, key = user
    lines = image_lines(setup.keys[0]) + image_lines(setup.keys[1])
    job = LabelImport.create_from_objects(lb_client, setup.project.uid, unique("imp"), lines)
    assert job.state == AnnotationImportState.FINISHED  # processed in the request: no 10 s poll
    job.wait_till_done()
    assert job.errors == []
    statuses = job.statuses
    assert len(statuses) == len(lines) and {s["status"] for s in statuses} == {"SUCCESS"}
    assert [s["uuid"] for s in statuses] == [line["uuid"] for line in lines]
    assert statuses[0]["dataRow"] == {"id": setup.row_ids[0], "globalKey": setup.keys[0]}
    assert len(job.inputs) == len(lines)

    assert setup.project.get_label_count() == 2
    labels = list(setup.project.labels())
    assert len(labels) == 2
    by_row = {label.data_row().global_key: label for label in labels}
    content = json.loads(by_row[setup.keys[0]].label)
    objects = {o["feature_id"]: o for o in content["objects"]}
    car = objects[lines[0]["uuid"]]
    assert car["name"] == "car" and car["annotation_kind"] == "ImageBoundingBox"
    assert car["bounding_box"] == lines[0]["bbox"]
    assert car["classifications"][0]["text_answer"] == {"content": "ABC123"}
    assert objects[lines[1]["uuid"]]["polygon"] == lines[1]["polygon"]
    assert {c["name"]: c for c in content["classifications"]}["weather"]["radio_answer"]["value"] == "sunny"
    assert by_row[setup.keys[0]].created_by().uid == lb_client.get_user().uid
    assert {label.uid for label in setup.project.labels(created_by=lb_client.get_user())} == \
        {label.uid for label in labels}

    # the same label through the Segments API: a `vector` label with the ontology's tools as categories
    label, sample_uuid, full_name = segments_label(server, key, setup, setup.keys[0])
    assert label["label_status"] == "LABELED" and label["label_type"] == "vector"
    anns = label["attributes"]["annotations"]
    assert [a["type"] for a in anns] == ["bbox", "polygon", "point", "polyline"]
    assert anns[0]["points"] == [[10.0, 20.0], [60.0, 80.0]] and anns[0]["attributes"] == {"plate": "ABC123"}
    assert label["attributes"]["image_attributes"] == {"weather": "sunny", "flags": ["blurry", "dark"],
                                                      "caption": "a car"}
    with server.client(key) as http:
        dataset = http.get(f"/datasets/{full_name}").json()
    assert dataset["task_type"] == "vector"
    categories = {c["name"]: c["id"] for c in dataset["task_attributes"]["categories"]}
    assert set(categories) == {"car", "road", "person", "lane"}
    assert anns[0]["category_id"] == categories["car"]
    assert history_actions(server, key, setup, sample_uuid) == ["created"]
    # rows with ground truth are Done
    queues = {q.queue_type: q.data_row_count for q in setup.project.task_queues()}
    assert queues["INITIAL_LABELING_QUEUE"] == 1


def test_import_is_idempotent_per_uuid_and_merges_new_annotations(server, user, lb_client, setup):
    _, key = user
    lines = image_lines(setup.keys[0])
    LabelImport.create_from_objects(lb_client, setup.project.uid, unique("a"), lines).wait_till_done()
    again = LabelImport.create_from_objects(lb_client, setup.project.uid, unique("b"), lines)
    assert again.errors == [] and len(again.statuses) == len(lines)
    label, sample_uuid, _ = segments_label(server, key, setup, setup.keys[0])
    assert len(label["attributes"]["annotations"]) == 4
    assert history_actions(server, key, setup, sample_uuid) == ["created"]  # nothing changed
    moved = dict(lines[0], bbox={"top": 1.0, "left": 2.0, "height": 3.0, "width": 4.0})
    extra = {"uuid": str(uuid.uuid4()), "dataRow": {"id": setup.row_ids[0]}, "name": "person",
             "point": {"x": 9.0, "y": 9.0}}
    third = LabelImport.create_from_objects(lb_client, setup.project.uid, unique("c"), [moved, extra])
    assert third.errors == []
    label, _, _ = segments_label(server, key, setup, setup.keys[0])
    anns = label["attributes"]["annotations"]
    assert len(anns) == 5 and anns[0]["points"] == [[2.0, 1.0], [6.0, 4.0]] and anns[0]["id"] == 1
    assert setup.project.get_label_count() == 1
    assert history_actions(server, key, setup, sample_uuid) == ["updated", "created"]
    with pytest.raises(ResourceConflict):
        LabelImport.create_from_objects(lb_client, setup.project.uid, third.name, [extra])


def test_mixed_import_reports_each_bad_line_with_its_reason(lb_client, setup):
    other = Setup(lb_client, n_rows=1)  # a row of the organization that is not in this project
    good = image_lines(setup.keys[0])[:2]
    bad = [
        {"uuid": str(uuid.uuid4()), "dataRow": {"globalKey": setup.keys[1]}, "name": "truck",
         "bbox": {"top": 1, "left": 1, "height": 2, "width": 2}},
        {"uuid": str(uuid.uuid4()), "dataRow": {"globalKey": setup.keys[1]}, "name": "car", "point": {"x": 1, "y": 1}},
        {"uuid": str(uuid.uuid4()), "dataRow": {"globalKey": setup.keys[1]}, "name": "weather",
         "answer": {"name": "snow"}},
        {"uuid": str(uuid.uuid4()), "dataRow": {"globalKey": setup.keys[1]}, "name": "person",
         "point": {"x": -5, "y": 1}},
        {"uuid": str(uuid.uuid4()), "dataRow": {"globalKey": "no-such-key-" + unique()}, "name": "person",
         "point": {"x": 1, "y": 1}},
        {"uuid": str(uuid.uuid4()), "dataRow": {"globalKey": other.keys[0]}, "name": "person",
         "point": {"x": 1, "y": 1}},
        {"uuid": str(uuid.uuid4()), "dataRow": {"id": "c" + "0" * 24}, "name": "person", "point": {"x": 1, "y": 1}},
    ]
    job = LabelImport.create_from_objects(lb_client, setup.project.uid, unique("mixed"), good + bad)
    assert job.state == AnnotationImportState.FINISHED
    errors = {e["uuid"]: e for e in job.errors}
    assert set(errors) == {line["uuid"] for line in bad}
    assert all(e["status"] == "FAILURE" and e["errors"][0]["message"] for e in errors.values())
    names = [errors[line["uuid"]]["errors"][0]["name"] for line in bad]
    assert names == ["UnknownFeatureSchema", "ToolMismatch", "InvalidAnswer", "GeometryOutOfBounds",
                     "DataRowNotFound", "DataRowNotInProject", "DataRowNotFound"]
    assert "truck" in errors[bad[0]["uuid"]]["errors"][0]["message"]
    statuses = job.statuses
    assert [s["status"] for s in statuses] == ["SUCCESS"] * 2 + ["FAILURE"] * len(bad)
    assert setup.project.get_label_count() == 1  # only the good row's label


def test_file_and_url_imports(tmp_path, lb_client, setup, server):
    lines = image_lines(setup.keys[0])
    path = tmp_path / "labels.ndjson"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")  # blank lines are ignored
    job = LabelImport.create_from_file(lb_client, setup.project.uid, unique("file"), str(path))
    assert job.errors == [] and len(job.statuses) == len(lines)
    url = lb_client.upload_data("\n".join(json.dumps(line) for line in image_lines(setup.keys[1])),
                                content_type="application/x-ndjson", filename="more.ndjson")
    by_url = LabelImport.create_from_url(lb_client, setup.project.uid, unique("url"), url)
    assert by_url.state == AnnotationImportState.FINISHED and by_url.errors == []
    assert setup.project.get_label_count() == 2
    assert {i.name for i in setup.project.get_label_imports()} == {job.name, by_url.name}
    assert LabelImport.from_name(lb_client, setup.project.uid, job.name).uid == job.uid
    # a URL that is not one of our uploads is refused and never fetched: the foreign host sees only the SDK's HEAD
    with foreign_host() as (url, seen):
        with pytest.raises(InvalidQueryError, match="not a file uploaded to this server"):
            LabelImport.create_from_url(lb_client, setup.project.uid, unique("foreign"), url)
        with pytest.raises(InvalidQueryError, match="not a file uploaded to this server"):
            MALPredictionImport.create_from_url(lb_client, setup.project.uid, unique("foreign"), url)
    assert seen == ["HEAD", "HEAD"]


def test_mal_import_makes_prelabels_that_are_not_labels(tmp_path, server, user, lb_client, setup):
    _, key = user
    preds = image_lines(setup.keys[0])
    mal = MALPredictionImport.create_from_objects(lb_client, setup.project.uid, unique("mal"), preds)
    assert mal.state == AnnotationImportState.FINISHED and mal.errors == []
    label, _, _ = segments_label(server, key, setup, setup.keys[0])
    assert label["label_status"] == "PRELABELED" and len(label["attributes"]["annotations"]) == 4
    assert setup.project.get_label_count() == 0 and list(setup.project.labels()) == []
    export = setup.project.export()
    export.wait_till_done()
    rows = {row.json["data_row"]["global_key"]: row.json for row in export.get_buffered_stream()}
    assert rows[setup.keys[0]]["projects"][setup.project.uid]["labels"] == []  # nor do exports show them
    assert [m.name for m in setup.project.get_mal_prediction_imports()] == [mal.name]
    # ground truth replaces the pre-labels; pre-labels never overwrite a label
    truth = image_lines(setup.keys[0])[:1]
    LabelImport.create_from_objects(lb_client, setup.project.uid, unique("gt"), truth).wait_till_done()
    label, _, _ = segments_label(server, key, setup, setup.keys[0])
    assert label["label_status"] == "LABELED" and len(label["attributes"]["annotations"]) == 1
    late = MALPredictionImport.create_from_objects(lb_client, setup.project.uid, unique("late"), preds[:1])
    assert late.errors[0]["errors"][0]["name"] == "LabelNotWritable"
    path = tmp_path / "preds.ndjson"
    path.write_text("\n".join(json.dumps(line) for line in image_lines(setup.keys[1])))
    from_file = MALPredictionImport.create_from_file(lb_client, setup.project.uid, unique("malfile"), str(path))
    assert from_file.errors == [] and len(from_file.statuses) == 7
    mal.delete()
    assert sorted(m.name for m in setup.project.get_mal_prediction_imports()) == sorted([late.name, from_file.name])


def test_delete_labels_feedback_and_history(server, user, lb_client, setup):
    _, key = user
    lines = image_lines(setup.keys[0]) + image_lines(setup.keys[1])
    LabelImport.create_from_objects(lb_client, setup.project.uid, unique("d"), lines).wait_till_done()
    labels = list(setup.project.labels())
    scores = lb_client.upsert_label_feedback(labels[0].uid, "Looks right.", {"iou": 0.9, "precision": 1})
    assert sorted((s.name, s.score) for s in scores) == [("iou", 0.9), ("precision", 1.0)]
    first_key = labels[0].data_row().global_key
    second_key = labels[1].data_row().global_key
    Label.bulk_delete(labels[:1])
    assert setup.project.get_label_count() == 1
    assert [label.uid for label in setup.project.labels()] == [labels[1].uid]
    sample_uuid, _ = sample_of(server, first_key)
    assert history_actions(server, key, setup, sample_uuid) == ["deleted", "created"]
    with pytest.raises(AuthorizationError):
        Label.bulk_delete(labels[:1])  # gone
    # Label.delete and delete_labels_by_user use the same mutation
    LabelImport.create_from_objects(lb_client, setup.project.uid, unique("d2"), image_lines(setup.keys[2]))
    third = next(label for label in setup.project.labels() if label.uid != labels[1].uid)
    third.delete()
    assert setup.project.get_label_count() == 1
    assert setup.project.delete_labels_by_user(lb_client.get_user().uid) == 1
    assert setup.project.get_label_count() == 0
    LabelImport.create_from_objects(lb_client, setup.project.uid, unique("d3"), image_lines(setup.keys[1]))
    # deleteBatchLabels records the deletions too
    setup.batch.delete_labels()
    assert setup.project.get_label_count() == 0
    sample_uuid, _ = sample_of(server, second_key)
    assert history_actions(server, key, setup, sample_uuid) == ["deleted", "created", "deleted", "created"]


def test_another_organization_cannot_import_or_read(server, lb_client, setup):
    _, other_key = server.create_user()
    other = labelbox_client(server, other_key)
    with pytest.raises(AuthorizationError):
        LabelImport.create_from_objects(other, setup.project.uid, unique("x"), image_lines(setup.keys[0]))
    with pytest.raises(AuthorizationError):
        MALPredictionImport.create_from_objects(other, setup.project.uid, unique("x"), image_lines(setup.keys[0]))
    mine = LabelImport.create_from_objects(lb_client, setup.project.uid, unique("mine"), image_lines(setup.keys[0]))
    label = next(iter(setup.project.labels()))
    with pytest.raises(AuthorizationError):
        other.upsert_label_feedback(label.uid, "no", {"x": 1})
    with pytest.raises(AuthorizationError):
        other.execute(f'mutation deleteLabelsPyApi{{deleteLabels(labelIds: ["{label.uid}"]){{id}}}}')
    with pytest.raises(ResourceNotFoundError):
        LabelImport.from_name(other, setup.project.uid, mine.name)
    assert setup.project.get_label_count() == 1


def test_labelers_import_but_do_not_overwrite_reviewed_labels(server):
    admin, admin_key = server.create_user()
    labeler, labeler_key = server.create_user()
    server.create_org(unique("org"), admin, {labeler: "labeler"})
    as_admin, as_labeler = labelbox_client(server, admin_key), labelbox_client(server, labeler_key)
    setup = Setup(as_admin)
    job = LabelImport.create_from_objects(as_labeler, setup.project.uid, unique("lab"), image_lines(setup.keys[0]))
    assert job.errors == []
    # the admin accepts the label through the Segments API; the labeler's next import on that row fails
    label = next(iter(setup.project.labels()))
    assert label.created_by().uid == as_labeler.get_user().uid
    sample_uuid, _ = sample_of(server, setup.keys[0])
    with server.client(admin_key) as http:
        r = http.patch(f"/labels/{sample_uuid}/{setup.labelset}", json={"label_status": "REVIEWED"})
        assert r.status_code == 200, r.text
    late = LabelImport.create_from_objects(as_labeler, setup.project.uid, unique("late"),
                                           [dict(image_lines(setup.keys[0])[0])])
    assert late.errors[0]["errors"][0]["name"] == "LabelNotWritable"
    with pytest.raises(AuthorizationError):  # feedback is a review: reviewers and above
        as_labeler.upsert_label_feedback(label.uid, "mine is fine", {"iou": 1.0})
    assert [s.name for s in as_admin.upsert_label_feedback(label.uid, "ok", {"iou": 1.0})] == ["iou"]
    as_labeler_label = next(iter(as_labeler.get_project(setup.project.uid).labels()))
    with pytest.raises(AuthorizationError, match="REVIEWED"):
        Label.bulk_delete([as_labeler_label])
    assert setup.project.get_label_count() == 1


def test_large_import_runs_as_a_background_job(lb_client):
    setup = Setup(lb_client, n_rows=300)
    lines = []
    for key in setup.keys:
        for i in range(7):
            lines.append({"uuid": str(uuid.uuid4()), "dataRow": {"globalKey": key}, "name": "person",
                          "point": {"x": float(i), "y": float(i)}})
    assert len(lines) > 2000
    job = LabelImport.create_from_objects(lb_client, setup.project.uid, unique("big"), lines)
    assert job.state == AnnotationImportState.RUNNING
    job.wait_till_done(sleep_time_seconds=2)
    assert job.state == AnnotationImportState.FINISHED
    assert job.errors == [] and len(job.statuses) == len(lines)
    assert setup.project.get_label_count() == 300


def _png(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 20, 30)).save(out, format="PNG")
    return out.getvalue()


def test_geometry_is_checked_against_the_size_of_an_uploaded_image_and_masks_are_stored(lb_client):
    ontology = lb_client.create_ontology(unique("onto"), OntologyBuilder(tools=[
        Tool(tool=Tool.Type.BBOX, name="car"), Tool(tool=Tool.Type.RASTER_SEGMENTATION, name="sky")]).asdict(),
        media_type=MediaType.Image)
    project = lb_client.create_project(name=unique("p"), media_type=MediaType.Image)
    with pytest.warns(UserWarning, match="Connecting default labeling editor"):
        project.connect_ontology(ontology)
    image_url = lb_client.upload_data(_png(100, 50), filename="small.png", content_type="image/png")
    dataset = lb_client.create_dataset(name=unique("ds"))
    gk = unique("img")
    dataset.create_data_rows([{"row_data": image_url, "global_key": gk}]).wait_till_done()
    project.create_batch(unique("b"), global_keys=[gk])
    import base64

    inside = {"uuid": str(uuid.uuid4()), "dataRow": {"globalKey": gk}, "name": "car",
              "bbox": {"top": 0, "left": 0, "height": 50, "width": 100}}
    outside = {"uuid": str(uuid.uuid4()), "dataRow": {"globalKey": gk}, "name": "car",
               "bbox": {"top": 10, "left": 60, "height": 10, "width": 41}}
    mask = {"uuid": str(uuid.uuid4()), "dataRow": {"globalKey": gk}, "name": "sky",
            "mask": {"png": base64.b64encode(_png(100, 50)).decode(), "colorRGB": [10, 20, 30]}}
    wrong_mask = {"uuid": str(uuid.uuid4()), "dataRow": {"globalKey": gk}, "name": "sky",
                  "mask": {"png": base64.b64encode(_png(10, 10)).decode(), "colorRGB": [10, 20, 30]}}
    job = LabelImport.create_from_objects(lb_client, project.uid, unique("dims"), [inside, outside, mask, wrong_mask])
    failed = {e["uuid"]: e["errors"][0] for e in job.errors}
    assert set(failed) == {outside["uuid"], wrong_mask["uuid"]}
    assert failed[outside["uuid"]]["name"] == "GeometryOutOfBounds" and "100x50" in failed[outside["uuid"]]["message"]
    assert failed[wrong_mask["uuid"]]["name"] == "GeometryOutOfBounds"
    content = json.loads(next(iter(project.labels())).label)
    stored = {o["feature_id"]: o for o in content["objects"]}
    assert stored[inside["uuid"]]["bounding_box"] == {"top": 0.0, "left": 0.0, "height": 50.0, "width": 100.0}
    mask_out = stored[mask["uuid"]]
    assert mask_out["annotation_kind"] == "ImageSegmentationMask" and mask_out["mask"]["color_rgb"] == [10, 20, 30]
    import httpx

    fetched = httpx.get(mask_out["mask"]["url"])  # the mask is a file of ours now
    assert fetched.status_code == 200 and fetched.content == _png(100, 50)


def test_text_entities_and_classifications_on_text_rows(lb_client):
    ontology = lb_client.create_ontology(unique("onto"), OntologyBuilder(
        tools=[Tool(tool=Tool.Type.NER, name="org")],
        classifications=[Classification(class_type=Classification.Type.TEXT, name="summary")]).asdict(),
        media_type=MediaType.Text)
    project = lb_client.create_project(name=unique("p"), media_type=MediaType.Text)
    with pytest.warns(UserWarning, match="Connecting default labeling editor"):
        project.connect_ontology(ontology)
    dataset = lb_client.create_dataset(name=unique("ds"))
    gk = unique("txt")
    dataset.create_data_rows([{"row_data": "https://example.com/note.txt", "global_key": gk,
                               "media_type": "TEXT"}]).wait_till_done()
    project.create_batch(unique("b"), global_keys=[gk])
    entity = {"uuid": str(uuid.uuid4()), "dataRow": {"globalKey": gk}, "name": "org",
              "location": {"start": 0, "end": 8}}
    summary = {"uuid": str(uuid.uuid4()), "dataRow": {"globalKey": gk}, "name": "summary", "answer": "a note"}
    box = {"uuid": str(uuid.uuid4()), "dataRow": {"globalKey": gk}, "name": "org",
           "bbox": {"top": 1, "left": 1, "height": 1, "width": 1}}
    job = LabelImport.create_from_objects(lb_client, project.uid, unique("text"), [entity, summary, box])
    assert [(e["uuid"], e["errors"][0]["name"]) for e in job.errors] == [(box["uuid"], "ToolMismatch")]
    content = json.loads(next(iter(project.labels())).label)
    assert content["objects"][0]["location"] == {"start": 0, "end": 8}
    assert content["objects"][0]["annotation_kind"] == "TextEntity"
    assert content["classifications"][0]["text_answer"] == {"content": "a note"}


def test_imported_labels_land_in_segments_releases(server, user, lb_client, setup):
    import time

    import httpx

    _, key = user
    LabelImport.create_from_objects(lb_client, setup.project.uid, unique("rel"), image_lines(setup.keys[0]))
    segments = server.segments(key)
    _, full_name = sample_of(server, setup.keys[0])
    segments.add_release(full_name, "v1")
    deadline = time.monotonic() + 60
    while (release := segments.get_release(full_name, "v1")).status == "PENDING" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert release.status == "SUCCEEDED", release
    samples = httpx.get(release.attributes.url).json()["dataset"]["samples"]
    labeled = {s["name"]: s["labels"] for s in samples}
    label = labeled[setup.keys[0]][setup.labelset]
    assert label["label_status"] == "LABELED"
    assert [a["type"] for a in label["attributes"]["annotations"]] == ["bbox", "polygon", "point", "polyline"]
    assert labeled[setup.keys[1]].get(setup.labelset) is None


def test_send_to_annotate_copies_imported_labels_with_history(server, user, lb_client, setup):
    from labelbox.schema.identifiables import GlobalKeys

    _, key = user
    LabelImport.create_from_objects(lb_client, setup.project.uid, unique("src"), image_lines(setup.keys[0]))
    destination = lb_client.create_project(name=unique("dest"), media_type=MediaType.Image)
    with pytest.warns(UserWarning, match="Connecting default labeling editor"):
        destination.connect_ontology(setup.ontology)
    task = lb_client.send_to_annotate_from_catalog(
        destination_project_id=destination.uid, task_queue_id=None, batch_name=unique("sent"),
        data_rows=GlobalKeys(setup.keys[:1]), params={"source_project_id": setup.project.uid})
    task.wait_till_done()
    assert task.status == "COMPLETE"
    assert destination.get_label_count() == 1
    copied = json.loads(next(iter(destination.labels())).label)
    assert len(copied["objects"]) == 4 and len(copied["classifications"]) == 3
    sample_uuid, _ = sample_of(server, setup.keys[0])
    with server.client(key) as http:
        r = http.get(f"/labels/{sample_uuid}/project-{destination.uid}/history/")
    assert [revision["action"] for revision in r.json()] == ["created"]


def test_concurrent_imports_into_the_same_rows_both_land(server, user, lb_client):
    from concurrent.futures import ThreadPoolExecutor

    _, key = user
    setup = Setup(lb_client, n_rows=20)
    clients = [labelbox_client(server, key) for _ in range(2)]
    batches = [[{"uuid": str(uuid.uuid4()), "dataRow": {"globalKey": k}, "name": "person",
                 "point": {"x": float(n), "y": 1.0}} for k in setup.keys] for n in range(2)]
    with ThreadPoolExecutor(2) as pool:
        jobs = list(pool.map(lambda n: LabelImport.create_from_objects(clients[n], setup.project.uid,
                                                                       unique(f"c{n}"), batches[n]), range(2)))
    assert [job.errors for job in jobs] == [[], []]
    for k in setup.keys:
        label, sample_uuid, _ = segments_label(server, key, setup, k)
        assert sorted(a["points"][0][0] for a in label["attributes"]["annotations"]) == [0.0, 1.0]
        assert history_actions(server, key, setup, sample_uuid) == ["updated", "created"]


def test_readme_import_snippet_runs(user, lb_client, server):
    import re
    import subprocess
    import sys
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    dataset = lb_client.create_dataset(name="readme")
    dataset.create_data_rows([{"row_data": f"https://example.com/{k}.jpg", "global_key": k}
                              for k in ("img-0001", "img-0002")]).wait_till_done()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.DOTALL)
    client_block = next(b for b in blocks if "lb.Client(" in b)
    projects = next(b for b in blocks if "project.create_batch(" in b)
    imports = next(b for b in blocks if "LabelImport.create_from_objects(" in b)
    code = (client_block.replace('"lh_..."', repr(user[1])).replace("http://127.0.0.1:8000", server.url)
            + projects + imports)
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code], check=False, capture_output=True, text=True,
                         timeout=180)
    assert out.returncode == 0, out.stderr[-3000:]
    state, count = out.stdout.strip().splitlines()[-2:]
    assert state == "AnnotationImportState.FINISHED []"
    number, label = count.split(" ", 1)
    assert number == "1"
    assert json.loads(label)["objects"][0]["bounding_box"] == {"top": 20.0, "left": 10.0, "height": 60.0,
                                                               "width": 50.0}


def test_import_then_export_round_trip_and_the_served_files(lb_client, setup):
    import httpx

    lines = image_lines(setup.keys[0]) + image_lines(setup.keys[1])
    bad = {"uuid": str(uuid.uuid4()), "dataRow": {"globalKey": setup.keys[2]}, "name": "truck",
           "point": {"x": 1, "y": 1}}
    job = LabelImport.create_from_objects(lb_client, setup.project.uid, unique("rt"), lines + [bad])
    # trap 12: the served NDJSON files have no blank line; the error file holds only the failure
    status_text = httpx.get(job.status_file_url).text
    assert len(status_text.splitlines()) == len(lines) + 1 and "" not in status_text.splitlines()
    assert [json.loads(x)["uuid"] for x in httpx.get(job.error_file_url).text.splitlines()] == [bad["uuid"]]
    export = setup.project.export(params={"label_details": True})
    export.wait_till_done()
    rows = {row.json["data_row"]["global_key"]: row.json for row in export.get_buffered_stream()}
    assert rows[setup.keys[2]]["projects"][setup.project.uid]["labels"] == []
    geometry = {"bbox": "bounding_box", "polygon": "polygon", "point": "point", "line": "line"}
    for key in setup.keys[:2]:
        [label] = rows[key]["projects"][setup.project.uid]["labels"]
        objects = {o["feature_id"]: o for o in label["annotations"]["objects"]}
        classifications = {c["feature_id"]: c for c in label["annotations"]["classifications"]}
        for line in (x for x in lines if x["dataRow"]["globalKey"] == key):
            kind = next((k for k in geometry if k in line), None)
            if kind is None:
                got = classifications[line["uuid"]]
                assert got["name"] == line["name"]
                answer = line["answer"]
                if isinstance(answer, str):
                    assert got["text_answer"] == {"content": answer}
                elif isinstance(answer, dict):
                    assert got["radio_answer"]["value"] == answer["name"]
                else:
                    assert [a["value"] for a in got["checklist_answers"]] == [a["name"] for a in answer]
            else:
                got = objects[line["uuid"]]
                assert got["name"] == line["name"] and got[geometry[kind]] == line[kind]
                assert [c["text_answer"]["content"] for c in got["classifications"]] == \
                    [c["answer"] for c in line.get("classifications", [])]


def test_feedback_appears_in_export_rows(lb_client, setup):
    """import -> upsert_label_feedback -> export: ``labels[].label_details`` carries the feedback text and scores
    (null and [] on a label without feedback); a second upsert replaces the first. (Model-run exports have no
    label_details parameter in the SDK.)"""
    LabelImport.create_from_objects(lb_client, setup.project.uid, unique("fb"),
                                    image_lines(setup.keys[0]) + image_lines(setup.keys[1])).wait_till_done()
    by_key = {label.data_row().global_key: label for label in setup.project.labels()}
    scored = by_key[setup.keys[0]]
    lb_client.upsert_label_feedback(scored.uid, "Box too loose.", {"iou": 0.5})
    lb_client.upsert_label_feedback(scored.uid, "Looks right.", {"iou": 0.9, "precision": 1})

    def details(task) -> dict[str, dict]:
        task.wait_till_done()
        out = {}
        for row in task.get_buffered_stream():
            for label in row.json["projects"][setup.project.uid]["labels"]:
                out[label["id"]] = label["label_details"]
        return out

    got = details(setup.project.export(params={"label_details": True}))
    assert got[scored.uid]["feedback"] == "Looks right."
    assert got[scored.uid]["scores"] == [{"name": "iou", "score": 0.9}, {"name": "precision", "score": 1.0}]
    plain = by_key[setup.keys[1]].uid
    assert (got[plain]["feedback"], got[plain]["scores"]) == (None, [])
    # without label_details the label carries no details at all
    bare = setup.project.export()
    bare.wait_till_done()
    assert all("label_details" not in label for row in bare.get_buffered_stream()
               for label in row.json["projects"][setup.project.uid]["labels"])


def test_malformed_imports_are_clear_client_errors(tmp_path, server, user, lb_client, setup):
    from lbsupport import gql

    _, key = user
    garbage = tmp_path / "garbage.ndjson"
    good = image_lines(setup.keys[0])[0]
    garbage.write_bytes(b"{not json\n[1, 2]\n\xff\xfe\n" + json.dumps({"name": "car"}).encode() + b"\n"
                        + json.dumps({**good, "uuid": "not-a-uuid"}).encode() + b"\n"
                        + json.dumps({**good, "bbox": {"top": "a", "left": 0, "height": 1, "width": 1}}).encode()
                        + b"\n" + json.dumps(good).encode() + b"\n")
    job = LabelImport.create_from_file(lb_client, setup.project.uid, unique("garbage"), str(garbage))
    assert job.state == AnnotationImportState.FINISHED
    assert [s["status"] for s in job.statuses] == ["FAILURE"] * 6 + ["SUCCESS"]
    assert [e["errors"][0]["name"] for e in job.errors] == ["InvalidJson", "InvalidLine", "InvalidJson",
                                                           "MissingDataRow", "InvalidUuid", "InvalidGeometry"]
    empty = tmp_path / "empty.ndjson"
    empty.write_text("\n\n")
    with pytest.raises(InvalidQueryError, match="no annotations"):
        LabelImport.create_from_file(lb_client, setup.project.uid, unique("empty"), str(empty))
    # neither a file nor a URL; an unknown project; a bad name: 4xx-class errors, never a 500
    r = gql(server, key, f'mutation {{ createLabelImport(data: {{projectId: "{setup.project.uid}", name: "x"}}) {{ id }} }}')
    assert r.status_code == 200 and r.json()["errors"][0]["extensions"]["exception"]["status"] == 400
    r = gql(server, key, 'mutation { createLabelImport(data: {projectId: "c%s", name: "x", fileUrl: "u"}) { id } }'
            % ("0" * 24))
    assert r.json()["errors"][0]["extensions"]["code"] == "AUTHORIZATION_ERROR"
    r = gql(server, key, f'mutation {{ createModelAssistedLabelingPredictionImport(data: {{projectId: "{setup.project.uid}", '
                         'name: "", fileUrl: "u"}) { id } }')
    assert r.json()["errors"][0]["extensions"]["exception"]["status"] == 400
    r = gql(server, key, f'query {{ labelImport(where: {{projectId: "{setup.project.uid}", name: "nope"}}) {{ id }} }}')
    assert r.json()["errors"][0]["extensions"]["code"] == "RESOURCE_NOT_FOUND"
    r = gql(server, key, 'mutation { deleteLabels(labelIds: ["x"]) { id } }')
    assert r.json()["errors"][0]["extensions"]["code"] == "AUTHORIZATION_ERROR"
    r = gql(server, key, 'mutation { upsertAutoQaLabelFeedback(input: {labelId: "x", feedback: "f", scores: {}}) '
                         '{ id } }')
    assert r.json()["errors"][0]["extensions"]["code"] == "AUTHORIZATION_ERROR"
