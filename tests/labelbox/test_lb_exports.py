"""§2.11 export v2 through the official Labelbox SDK: project and dataset exports compared row by row with what
was written, data-row and global-key selections, filters, the byte-offset stream (chunks cut at line ends) and
its ERRORS stream, and another organization's data out of reach."""

from __future__ import annotations

import json
import warnings

import httpx
import pytest
from labelbox import DataRow, MediaType
from labelbox.schema.data_row_metadata import DataRowMetadataField
from labelbox.schema.export_task import ExportTask, StreamType
from lbox.exceptions import AuthorizationError, InvalidQueryError
from lbsupport import gql, labelbox_client
from support import live_server, unique

ALL_PARAMS = {"attachments": True, "metadata_fields": True, "data_row_details": True, "project_details": True,
              "label_details": True, "performance_details": True, "embeddings": True}


def stream_rows(task: ExportTask, stream: StreamType = StreamType.RESULT) -> list[dict]:
    """Every line of a stream through the SDK's buffered stream (which refuses an absent (empty) stream)."""
    if task.get_total_file_size(stream) is None:
        return []
    return [out.json for out in task.get_buffered_stream(stream)]


def by_key(rows: list[dict]) -> dict[str, dict]:
    """Export rows keyed by global key, in key order (rows are exported in creation order, and the SDK creates
    them in a thread pool)."""
    out = {r["data_row"]["global_key"]: r for r in rows}
    assert len(out) == len(rows)
    return dict(sorted(out.items()))


def make_dataset(client, n: int, *, metadata: bool = True):
    """A dataset of ``n`` image rows with global keys, external ids, an attachment and metadata on each."""
    prefix = unique("gk")
    ds = client.create_dataset(name=unique("exp"))
    rows = []
    for i in range(n):
        row = {"row_data": f"https://example.com/{prefix}-{i}.jpg", "global_key": f"{prefix}-{i}",
               "external_id": f"ext-{i}", "attachments": [{"type": "RAW_TEXT", "value": f"note {i}", "name": "n"}]}
        if metadata:
            row["metadata_fields"] = [DataRowMetadataField(name="tag", value=f"t{i}"),
                                      DataRowMetadataField(name="split", value="train" if i % 2 else "valid")]
        rows.append(row)
    task = ds.create_data_rows(rows)
    task.wait_till_done()
    assert task.status == "COMPLETE", task.errors
    keys = [f"{prefix}-{i}" for i in range(n)]
    found = client.get_data_row_ids_for_global_keys(keys)["results"]
    return ds, dict(zip(keys, found))


@pytest.fixture
def project(lb_client):
    return lb_client.create_project(name=unique("p"), media_type=MediaType.Image)


def check_catalog_part(row: dict, key: str, row_id: str, ds, index: int, *, username: str) -> None:
    """The data-row part of an export row, against what was written."""
    assert row["data_row"]["id"] == row_id
    assert row["data_row"]["global_key"] == key
    assert row["data_row"]["external_id"] == f"ext-{index}"
    assert row["data_row"]["row_data"] == f"https://example.com/{key}.jpg"
    details = row["data_row"]["details"]
    assert (details["dataset_id"], details["dataset_name"]) == (ds.uid, ds.name)
    assert details["created_by"] == username
    assert details["created_at"].endswith("Z") and details["last_activity_at"] >= details["created_at"]
    assert row["media_attributes"]["mime_type"] == "image/jpeg"
    assert row["attachments"] == [{"type": "RAW_TEXT", "value": f"note {index}", "name": "n"}]
    fields = {f["schema_name"]: f for f in row["metadata_fields"]}
    assert fields["tag"]["value"] == f"t{index}" and fields["tag"]["schema_kind"] == "CustomMetadataString"
    assert fields["split"]["schema_kind"] == "CustomMetadataEnum"
    assert fields["split"]["value"]["schema_name"] == ("train" if index % 2 else "valid")
    assert row["embeddings"] == []


def test_project_export_row_by_row(server, user, lb_client, project):
    ds, ids_by_key = make_dataset(lb_client, 5)
    keys = list(ids_by_key)
    batch = project.create_batch(unique("b"), global_keys=keys[:4], priority=3)
    # a label on one row, written through the Segments API into the project's labelset
    segments = server.segments(user[1])
    sample = next(s for s in segments.get_samples(f"{user[0]}/{ds.name}") if s.name == keys[1])
    segments.add_label(sample.uuid, f"project-{project.uid}", {"format_version": "0.1", "annotations": []},
                       label_status="LABELED")
    task = project.export(params=ALL_PARAMS)
    task.wait_till_done()
    assert task.status == "COMPLETE" and not task.has_errors() and task.has_result()
    rows = by_key(stream_rows(task))
    assert list(rows) == keys[:4]  # the row outside the project is not there
    assert task.get_total_lines(StreamType.RESULT) == 4
    for index, (key, row) in enumerate(rows.items()):
        check_catalog_part(row, key, ids_by_key[key], ds, index, username=user[0])
        assert list(row["projects"]) == [project.uid]
        entry = row["projects"][project.uid]
        assert entry["name"] == project.name
        details = entry["project_details"]
        assert (details["batch_id"], details["batch_name"], details["priority"]) == (batch.uid, batch.name, 3)
        assert details["workflow_status"] == "TO_LABEL" and details["task_name"] == "Initial labeling task"
        if key == keys[1]:
            [label] = entry["labels"]
            assert label["label_kind"] == "Default" and label["version"] == "1.0.0"
            assert details["selected_label_id"] == label["id"]
            assert label["label_details"]["created_by"] == user[0]
            assert label["performance_details"]["skipped"] is False
            assert set(label["annotations"]) == {"objects", "classifications", "relationships"}
        else:
            assert entry["labels"] == [] and details["selected_label_id"] is None
    # export_v2 gives the same rows through ExportTask.result
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        v2 = project.export_v2(params=ALL_PARAMS)
    v2.wait_till_done()
    assert v2.errors is None
    assert by_key(v2.result) == rows


def test_dataset_export_and_selections(server, user, lb_client, project):
    ds, ids_by_key = make_dataset(lb_client, 4)
    keys = list(ids_by_key)
    other_ds, _ = make_dataset(lb_client, 2, metadata=False)
    project.create_batch(unique("b"), global_keys=keys[:2])
    task = ds.export(params=ALL_PARAMS)
    task.wait_till_done()
    rows = by_key(stream_rows(task))
    assert list(rows) == keys  # only this dataset's rows
    for index, (key, row) in enumerate(rows.items()):
        check_catalog_part(row, key, ids_by_key[key], ds, index, username=user[0])
        assert row["projects"] == {}  # catalog exports carry projects only when asked
    with_projects = by_key(stream_rows(_done(ds.export(params={"project_ids": [project.uid],
                                                               "project_details": True}))))
    assert [list(r["projects"]) for r in with_projects.values()] == [[project.uid], [project.uid], [], []]
    assert "attachments" not in with_projects[keys[0]] and "metadata_fields" not in with_projects[keys[0]]
    # selections: data row ids and global keys (DataRow.export), unknown ones on the ERRORS stream
    by_ids = _done(DataRow.export(lb_client, data_rows=[ids_by_key[keys[2]], ids_by_key[keys[0]]]))
    assert list(by_key(stream_rows(by_ids))) == [keys[0], keys[2]]
    assert not by_ids.has_errors()
    by_keys = _done(DataRow.export(lb_client, global_keys=[keys[3], "no-such-key"]))
    assert [r["data_row"]["global_key"] for r in stream_rows(by_keys)] == [keys[3]]
    assert by_keys.has_errors()
    assert stream_rows(by_keys, StreamType.ERRORS) == [
        {"global_key": "no-such-key", "error": "No data row with this global key in your organization."}]
    # the whole catalog of the organization, narrowed by global keys
    catalog = _done(lb_client.get_catalog().export(filters={"global_keys": [keys[0], keys[3]]}))
    assert list(by_key(stream_rows(catalog))) == [keys[0], keys[3]]
    everything = by_key(stream_rows(_done(lb_client.get_catalog().export())))
    assert set(keys) <= set(everything) and len(everything) == 6
    # dataset export with a selection inside it
    inside = _done(ds.export(filters={"global_keys": [keys[1]]}))
    assert [r["data_row"]["global_key"] for r in stream_rows(inside)] == [keys[1]]
    assert other_ds.uid not in {r["data_row"]["details"]["dataset_id"] for r in rows.values()}


def _done(task: ExportTask) -> ExportTask:
    task.wait_till_done()
    assert task.status == "COMPLETE"
    return task


def test_project_filters(server, user, lb_client, project):
    ds, ids_by_key = make_dataset(lb_client, 6, metadata=False)
    keys = list(ids_by_key)
    first = project.create_batch(unique("b1"), global_keys=keys[:3])
    project.create_batch(unique("b2"), global_keys=keys[3:])
    # move one row to Done, one to review
    queues = {q.queue_type: q for q in project.task_queues()}
    project.move_data_rows_to_task_queue(_gk([keys[0]]), None)
    project.move_data_rows_to_task_queue(_gk([keys[4]]), queues["MANUAL_REVIEW_QUEUE"].uid)

    def export_keys(**filters) -> list[str]:
        return list(by_key(stream_rows(_done(project.export(filters=filters)))))

    assert export_keys(batch_ids=[first.uid]) == keys[:3]
    assert export_keys(data_row_ids=[ids_by_key[keys[5]]]) == [keys[5]]
    assert export_keys(global_keys=[keys[2], keys[3]]) == [keys[2], keys[3]]
    assert export_keys(workflow_status="Done") == [keys[0]]
    assert export_keys(workflow_status="InReview") == [keys[4]]
    assert export_keys(workflow_status="ToLabel") == [keys[1], keys[2], keys[3], keys[5]]
    assert export_keys(last_activity_at=["2000-01-01 00:00:00", "2100-01-01 00:00:00"]) == keys
    assert export_keys(last_activity_at=["2100-01-01 00:00:00", None]) == []
    assert export_keys(label_created_at=["2000-01-01", "2100-01-01"]) == []  # no labels yet
    segments = server.segments(user[1])
    sample = next(s for s in segments.get_samples(f"{user[0]}/{ds.name}") if s.name == keys[3])
    segments.add_label(sample.uuid, f"project-{project.uid}", {"format_version": "0.1", "annotations": []},
                       label_status="LABELED")
    assert export_keys(label_created_at=["2000-01-01", "2100-01-01"]) == [keys[3]]
    assert export_keys(label_created_at=["2000-01-01", "2000-01-02"]) == []


def _gk(keys):
    from labelbox.schema.identifiables import GlobalKeys

    return GlobalKeys(keys)


def test_empty_export_and_bad_input(server, user, lb_client, project):
    task = _done(project.export())
    assert not task.has_result() and not task.has_errors()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert _done(project.export_v2()).result == []
    key = user[1]
    bad = gql(server, key, "mutation exportDataRowsInProjectPyApi($input: ExportDataRowsInProjectInput!)"
                           "{exportDataRowsInProject(input: $input){taskId isStreamable}}",
              {"input": {"filters": {"projectId": project.uid, "searchQuery": {"query": [{"type": "nonsense"}]}},
                         "params": {}}})
    assert bad.status_code == 200
    assert bad.json()["errors"][0]["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "exception": {"status": 400}}
    with pytest.raises(InvalidQueryError):
        project.export(filters={"last_activity_at": ["2000-01-01", "2001-01-01"]},
                       params={"attachments": "yes"})


def test_another_organizations_project_is_out_of_reach(server, lb_client, project):
    _ds, ids_by_key = make_dataset(lb_client, 2, metadata=False)
    project.create_batch(unique("b"), global_keys=list(ids_by_key))
    task = _done(project.export())
    _, other_key = server.create_user()
    other = labelbox_client(server, other_key)
    theirs = other.create_project(name=unique("theirs"), media_type=MediaType.Image)
    hijack = other.get_project(theirs.uid)
    hijack.uid = project.uid
    with pytest.raises(AuthorizationError):
        hijack.export()
    # our rows are invisible to their catalog exports, and our export task to their task queries
    theirs_by_ids = _done(DataRow.export(other, data_rows=list(ids_by_key.values())))
    assert not theirs_by_ids.has_result() and theirs_by_ids.has_errors()
    assert len(stream_rows(theirs_by_ids, StreamType.ERRORS)) == 2
    header = gql(server, other_key, "query GetExportMetadataHeaderPyApi($where: WhereUniqueIdInput, "
                 "$streamType: TaskStreamType!){task(where: $where){exportMetadataHeader(streamType: $streamType)"
                 "{totalSize totalLines}}}", {"where": {"id": task.uid}, "streamType": "RESULT"})
    assert header.json() == {"data": {"task": None}}
    # a deleted project vanishes from exports
    project.delete()
    with pytest.raises(AuthorizationError):
        project.export()


@pytest.fixture(scope="module")
def small_chunks_server(server, tmp_path_factory):
    """A second server (same backend) that cuts export streams into chunks of at most 1,500 bytes."""
    with live_server(server.backend, tmp_path_factory.mktemp("export-chunks"),
                     env={"LABELHOUSE_LABELBOX_EXPORT_CHUNK_BYTES": "1500"}) as srv:
        yield srv


def test_stream_offsets_cut_at_line_ends(small_chunks_server):
    srv = small_chunks_server
    _, key = srv.create_user()
    client = labelbox_client(srv, key)
    ds, ids_by_key = make_dataset(client, 12)
    task = _done(ds.export(params=ALL_PARAMS))
    size, lines = task.get_total_file_size(StreamType.RESULT), task.get_total_lines(StreamType.RESULT)
    assert lines == 12
    query = ("query GetExportFileFromOffsetPyApi($where: WhereUniqueIdInput, $streamType: TaskStreamType!, "
             "$offset: UInt64!){task(where: $where){exportFileFromOffset(streamType: $streamType, offset: $offset)"
             "{offsets {start end} lines {start end} file}}}")
    offset, line, body, chunks = 0, 0, b"", 0
    while offset < size:
        answer = gql(srv, key, query, {"where": {"id": task.uid}, "streamType": "RESULT", "offset": str(offset)})
        chunk = answer.json()["data"]["task"]["exportFileFromOffset"]
        data = httpx.get(chunk["file"]).content  # no auth
        assert chunk["offsets"]["start"] == offset and chunk["lines"]["start"] == line
        assert len(data) == chunk["offsets"]["end"] - chunk["offsets"]["start"] + 1
        assert data.endswith(b"\n") and len(data) <= 1500 or data.count(b"\n") == 1
        assert data.count(b"\n") == chunk["lines"]["end"] - chunk["lines"]["start"] + 1
        body += data
        offset, line, chunks = chunk["offsets"]["end"] + 1, chunk["lines"]["end"] + 1, chunks + 1
    assert chunks > 2 and len(body) == size
    parsed = [json.loads(x) for x in body.decode().splitlines()]
    assert list(by_key(parsed)) == sorted(ids_by_key)
    assert parsed == stream_rows(task)
    # a resumed stream: any line start inside a chunk is served from there; other bytes are refused
    third_line = len(body.split(b"\n", 2)[0]) + len(body.split(b"\n", 2)[1]) + 2
    answer = gql(srv, key, query, {"where": {"id": task.uid}, "streamType": "RESULT", "offset": str(third_line)})
    chunk = answer.json()["data"]["task"]["exportFileFromOffset"]
    assert chunk["lines"]["start"] == 2 and chunk["offsets"]["start"] == third_line
    data = httpx.get(chunk["file"]).content
    assert body[third_line:].startswith(data) and len(data) == chunk["offsets"]["end"] - third_line + 1
    for bad in (third_line + 1, size, size + 10):
        answer = gql(srv, key, query, {"where": {"id": task.uid}, "streamType": "RESULT", "offset": str(bad)})
        assert answer.json()["errors"][0]["extensions"]["exception"]["status"] == 400


def test_labels_written_through_segments_export_as_annotations(server, user, lb_client, project):
    """Image-vector labels (bbox, polygon, polyline, point, an image classification) written with the Segments
    SDK into the project's labelset come out as export-v2 objects of the project's ontology."""
    from labelbox import Classification, OntologyBuilder, Option, Tool

    builder = OntologyBuilder(
        tools=[Tool(Tool.Type.BBOX, "car"), Tool(Tool.Type.POLYGON, "road"), Tool(Tool.Type.LINE, "lane"),
               Tool(Tool.Type.POINT, "pin")],
        classifications=[Classification(Classification.Type.RADIO, "weather",
                                        options=[Option("sunny"), Option("rain")])])
    ontology = lb_client.create_ontology(unique("onto"), builder.asdict(), media_type=MediaType.Image)
    with pytest.warns(UserWarning, match="Connecting default labeling editor"):
        project.connect_ontology(ontology)
    ds, ids_by_key = make_dataset(lb_client, 2, metadata=False)
    keys = list(ids_by_key)
    project.create_batch(unique("b"), global_keys=keys)
    segments = server.segments(user[1])
    full_name = f"{user[0]}/{ds.name}"
    segments.update_dataset(full_name, task_type="vector", task_attributes={
        "format_version": "0.1",
        "categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "road"}, {"id": 3, "name": "lane"},
                       {"id": 4, "name": "pin"}],
        "image_attributes": [{"name": "weather", "input_type": "select", "values": ["sunny", "rain"]}]})
    sample = next(s for s in segments.get_samples(full_name) if s.name == keys[0])
    segments.add_label(sample.uuid, f"project-{project.uid}", {
        "format_version": "0.1",
        "annotations": [
            {"id": 1, "category_id": 1, "type": "bbox", "points": [[10, 20], [60, 80]]},
            {"id": 2, "category_id": 2, "type": "polygon", "points": [[1, 1], [50, 1], [25, 40]]},
            {"id": 3, "category_id": 3, "type": "polyline", "points": [[0, 0], [5, 5]]},
            {"id": 4, "category_id": 4, "type": "point", "points": [[7, 8]]}],
        "image_attributes": {"weather": "sunny"}}, label_status="LABELED")
    rows = by_key(stream_rows(_done(project.export())))
    [label] = rows[keys[0]]["projects"][project.uid]["labels"]
    assert rows[keys[1]]["projects"][project.uid]["labels"] == []
    features = {f.name: f for f in ontology.tools() + ontology.classifications()}
    objects = {o["name"]: o for o in label["annotations"]["objects"]}
    assert {name: o["annotation_kind"] for name, o in objects.items()} == {
        "car": "ImageBoundingBox", "road": "ImagePolygon", "lane": "ImagePolyline", "pin": "ImagePoint"}
    assert all(o["feature_schema_id"] == features[name].feature_schema_id for name, o in objects.items())
    assert objects["car"]["bounding_box"] == {"top": 20.0, "left": 10.0, "height": 60.0, "width": 50.0}
    assert objects["road"]["polygon"] == [{"x": 1.0, "y": 1.0}, {"x": 50.0, "y": 1.0}, {"x": 25.0, "y": 40.0}]
    assert objects["lane"]["line"] == [{"x": 0.0, "y": 0.0}, {"x": 5.0, "y": 5.0}]
    assert objects["pin"]["point"] == {"x": 7.0, "y": 8.0}
    [weather] = label["annotations"]["classifications"]
    assert (weather["name"], weather["radio_answer"]["name"]) == ("weather", "sunny")
    # the same label again in a catalog export that asks for the project
    again = by_key(stream_rows(_done(ds.export(params={"project_ids": [project.uid]}))))
    assert again[keys[0]]["projects"][project.uid]["labels"] == [label]


def test_readme_export_snippet_runs(server, user, lb_client):
    """The root README's export snippet runs as written, after its projects snippet (on two fresh rows)."""
    import re
    import subprocess
    import sys
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    dataset = lb_client.create_dataset(name=unique("readme"))
    dataset.create_data_rows([{"row_data": f"https://example.com/{k}.jpg", "global_key": k}
                              for k in ("img-0001", "img-0002")]).wait_till_done()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.DOTALL)
    code = (next(b for b in blocks if "lb.Client(" in b).replace('"lh_..."', repr(user[1]))
            .replace("http://127.0.0.1:8000", server.url)
            + next(b for b in blocks if "project.create_batch(" in b) + next(b for b in blocks if "project.export(" in b))
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code], check=False, capture_output=True, text=True,
                         timeout=180)
    assert out.returncode == 0, out.stderr[-3000:]
    assert sorted(out.stdout.strip().splitlines()[-2:]) == ["img-0001 first", "img-0002 first"]


def test_model_run_export(server, user, lb_client, project):
    """``model_run.export()``: the run's rows with ``experiments.<model>.runs.<run>`` (split, registered label)."""
    from labelbox import OntologyBuilder, Tool

    ontology = lb_client.create_ontology(unique("onto"), OntologyBuilder(tools=[Tool(Tool.Type.BBOX, "car")]).asdict(),
                                         media_type=MediaType.Image)
    with pytest.warns(UserWarning, match="Connecting default labeling editor"):
        project.connect_ontology(ontology)
    ds, ids_by_key = make_dataset(lb_client, 3, metadata=False)
    keys = list(ids_by_key)
    project.create_batch(unique("b"), global_keys=keys)
    segments = server.segments(user[1])
    full_name = f"{user[0]}/{ds.name}"
    segments.update_dataset(full_name, task_type="vector", task_attributes={
        "format_version": "0.1", "categories": [{"id": 1, "name": "car"}]})
    sample = next(s for s in segments.get_samples(full_name) if s.name == keys[0])
    segments.add_label(sample.uuid, f"project-{project.uid}", {"format_version": "0.1", "annotations": [
        {"id": 1, "category_id": 1, "type": "bbox", "points": [[1, 2], [11, 22]]}]}, label_status="LABELED")
    model = lb_client.create_model(unique("m"), ontology.uid)
    run = model.create_model_run(unique("r"))
    assert run.upsert_labels(project_id=project.uid) is True  # keys[0], with its label
    assert run.upsert_data_rows(global_keys=keys[1:2]) is True  # keys[1], no label; keys[2] not in the run
    uuid = "b0a1e4c2-0000-4000-8000-00000000e001"
    job = run.add_predictions(unique("preds"), [
        {"uuid": uuid, "dataRow": {"id": ids_by_key[keys[1]]}, "name": "car",
         "bbox": {"top": 5, "left": 6, "height": 7, "width": 8}},
        {"uuid": "b0a1e4c2-0000-4000-8000-00000000e002", "dataRow": {"id": ids_by_key[keys[1]]}, "metricValue": 0.5}])
    job.wait_until_done()
    assert [s["status"] for s in job.statuses] == ["SUCCESS", "SUCCESS"]
    rows = by_key(stream_rows(_done(run.export(params={"predictions": True, "attachments": True}))))
    assert list(rows) == keys[:2]
    groups = {g.data_row().uid: g for g in run.model_run_data_rows()}
    for key, row in rows.items():
        assert "projects" not in row and row["attachments"][0]["type"] == "RAW_TEXT"
        assert list(row["experiments"]) == [model.uid]
        experiment = row["experiments"][model.uid]
        assert experiment["name"] == model.name and list(experiment["runs"]) == [run.uid]
        entry = experiment["runs"][run.uid]
        group = groups[ids_by_key[key]]
        assert (entry["name"], entry["run_data_row_id"], entry["split"]) == (run.name, group.uid,
                                                                            group.data_split.value)
        if key == keys[0]:
            assert entry["predictions"] == []
            [label] = entry["labels"]
            assert label["id"] == group.label_id
            [car] = label["annotations"]["objects"]
            assert car["bounding_box"] == {"top": 2.0, "left": 1.0, "height": 20.0, "width": 10.0}
        else:
            assert entry["labels"] == []
            [prediction] = entry["predictions"]  # the metric line is not an annotation
            [car] = prediction["annotations"]["objects"]
            assert (car["feature_id"], car["name"], car["annotation_kind"]) == (uuid, "car", "ImageBoundingBox")
            assert car["bounding_box"] == {"top": 5.0, "left": 6.0, "height": 7.0, "width": 8.0}
    assert "predictions" not in by_key(stream_rows(_done(run.export())))[keys[1]]["experiments"][model.uid][
        "runs"][run.uid]
    # another organization's run: AuthorizationError
    _, other_key = server.create_user()
    stranger = labelbox_client(server, other_key)
    theirs = lb_client.get_model_run(run.uid)
    theirs.client = stranger
    with pytest.raises(AuthorizationError):
        theirs.export()


def test_slice_export(lb_client):
    """``slice.export()``: the rows the slice's saved filter selects (here: a dataset minus one global key)."""
    ds, ids_by_key = make_dataset(lb_client, 4, metadata=False)
    keys = list(ids_by_key)
    make_dataset(lb_client, 2, metadata=False)  # rows of another dataset stay out
    created = lb_client.execute(
        "mutation CreateSlice($data: CreateCatalogSavedQueryInput!) { createCatalogSavedQuery(data: $data) { id } }",
        {"data": {"name": unique("slice"), "description": "", "filter": [
            {"type": "dataset", "operator": "is", "ids": [ds.uid]},
            {"type": "global_key", "operator": "is_not", "ids": [keys[1]]}]}})
    item = lb_client.get_catalog_slice(slice_id=created["createCatalogSavedQuery"]["id"])
    rows = by_key(stream_rows(_done(item.export(params={"attachments": True}))))
    assert list(rows) == [keys[0], keys[2], keys[3]]
    assert all(r["attachments"] and r["projects"] == {} for r in rows.values())
