"""Video data rows through the official Labelbox SDK: what is supported (video rows in projects and exports, with
§3.4's video label shape holding global classifications) and what is not (key-frame objects, frame-range
classifications, image tools on a video row), which the SDK gets back as per-line import failures
(``UnsupportedMedia``) — never a server error."""

from __future__ import annotations

import uuid

import pytest
from labelbox import Classification, MediaType, OntologyBuilder, Option, Tool
from labelbox.schema.annotation_import import LabelImport
from support import unique
from test_lb_exports import stream_rows


def test_video_rows_import_and_export(lb_client):
    ontology = lb_client.create_ontology(unique("vo"), OntologyBuilder(
        tools=[Tool(tool=Tool.Type.BBOX, name="car")],
        classifications=[Classification(class_type=Classification.Type.RADIO, name="weather",
                                        options=[Option(value="sunny"), Option(value="rain")])]).asdict(),
        media_type=MediaType.Video)
    project = lb_client.create_project(name=unique("vp"), media_type=MediaType.Video)
    with pytest.warns(UserWarning, match="Connecting default labeling editor"):
        project.connect_ontology(ontology)
    dataset = lb_client.create_dataset(name=unique("vd"))
    keys = [unique("vid"), unique("vid")]
    dataset.create_data_rows([{"row_data": f"https://example.com/{k}.mp4", "global_key": k}
                              for k in keys]).wait_till_done()
    project.create_batch(unique("b"), global_keys=keys)
    row = {"globalKey": keys[0]}
    box = {"top": 2.0, "left": 1.0, "height": 20.0, "width": 10.0}
    lines = [
        # §3.2's video lines: a key-frame track and a frame-range radio
        {"uuid": str(uuid.uuid4()), "dataRow": row, "name": "car", "classifications": [],
         "segments": [{"keyframes": [{"frame": 1, "bbox": box, "classifications": []},
                                     {"frame": 5, "bbox": box, "classifications": []}]}]},
        {"uuid": str(uuid.uuid4()), "dataRow": row, "name": "weather", "answer": {"name": "sunny"},
         "frames": [{"start": 1, "end": 3}]},
        # an image box on a video row
        {"uuid": str(uuid.uuid4()), "dataRow": row, "name": "car", "classifications": [], "bbox": box},
        # a global classification of the whole video
        {"uuid": str(uuid.uuid4()), "dataRow": row, "name": "weather", "answer": {"name": "rain"}},
    ]
    job = LabelImport.create_from_objects(lb_client, project.uid, unique("v"), lines)
    job.wait_till_done()
    outcome = {s["uuid"]: s for s in job.statuses}
    for line in lines[:3]:
        status = outcome[line["uuid"]]
        assert status["status"] == "FAILURE" and status["errors"][0]["name"] == "UnsupportedMedia", status
    assert outcome[lines[3]["uuid"]]["status"] == "SUCCESS"
    assert project.get_label_count() == 1

    task = project.export(params={"label_details": True, "interpolated_frames": True})
    task.wait_till_done()
    assert task.status == "COMPLETE"
    rows = {r["data_row"]["global_key"]: r for r in stream_rows(task)}
    assert rows[keys[0]]["media_attributes"]["mime_type"] == "video/mp4"
    assert rows[keys[0]]["media_attributes"]["asset_type"] == "video"
    [label] = rows[keys[0]]["projects"][project.uid]["labels"]
    annotations = label["annotations"]
    assert (annotations["frames"], annotations["segments"], annotations["key_frame_feature_map"]) == ({}, {}, {})
    [weather] = annotations["classifications"]
    assert weather["feature_id"] == lines[3]["uuid"] and weather["radio_answer"]["value"] == "rain"
    assert rows[keys[1]]["projects"][project.uid]["labels"] == []
    # the catalog export of the dataset has the video rows too
    catalog = dataset.export()
    catalog.wait_till_done()
    assert sorted(r["media_attributes"]["asset_type"] for r in stream_rows(catalog)) == ["video", "video"]
