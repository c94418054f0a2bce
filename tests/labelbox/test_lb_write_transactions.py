"""Who writes, and when, in the Labelbox API (issue 11 item 2): the GraphQL endpoint's session reads, and each
mutation's service checks its input, then makes its changes in one ``write_transaction``. A mutation that fails
part-way leaves nothing of itself behind; while another writer holds the lock, reads and invalid mutations answer
as usual and a valid mutation is refused having changed nothing, with a 503 and ``Retry-After`` that the official SDK
retries until the lock is free."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from lbox.exceptions import ResourceConflict
from lbsupport import gql, labelbox_client
from server.db.test_write_stalls import HeldLock
from support import InProcessApp, LiveServer, backends, live_server, unique

LOCK_TIMEOUT = 3.0
DATASETS = "query { datasets { id name } }"
CREATE_DATASET = "mutation($name: String!) { createDataset(data: {name: $name}) { id name } }"

ONTOLOGY = "query { customMetadataOntology { id name options { id name } } }"
UPSERT_SCHEMA = """mutation($data: UpsertCustomMetadataSchemaInput!) {
  upsertCustomMetadataSchema(data: $data) { id name options { id name } } }"""


@pytest.fixture(scope="module", params=backends())
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {"LABELHOUSE_LOCK_TIMEOUT_SECONDS": str(LOCK_TIMEOUT)}
    with live_server(request.param, tmp_path_factory.mktemp(f"lbtx-{request.param}"), env=env) as srv:
        yield srv


def data(r: httpx.Response) -> dict[str, Any]:
    body = r.json()
    assert r.status_code == 200 and not body.get("errors"), body
    return dict(body["data"])


def error(r: httpx.Response) -> dict[str, Any]:
    body = r.json()
    assert body.get("errors"), body
    return dict(body["errors"][0])


def schema(app: InProcessApp, key: str, schema_id: str) -> dict[str, Any]:
    return next(s for s in data(gql(app, key, ONTOLOGY))["customMetadataOntology"] if s["id"] == schema_id)


def test_a_failed_schema_update_changes_nothing(app: InProcessApp) -> None:
    _, key = app.create_user()
    name = unique("weather")
    made = data(gql(app, key, UPSERT_SCHEMA, {"data": {"name": name, "kind": "CustomMetadataEnum",
                                                        "options": [{"name": "sunny"}, {"name": "rain"}]}}))
    made = made["upsertCustomMetadataSchema"]
    rain = next(o for o in made["options"] if o["name"] == "rain")
    # The schema's new name is written first; renaming an option onto its sibling's name then fails the update.
    failed = error(gql(app, key, UPSERT_SCHEMA, {"data": {"id": made["id"], "name": f"{name}-renamed",
                                                          "kind": "CustomMetadataEnum",
                                                          "options": [{"id": rain["id"], "name": "sunny"}]}}))
    assert failed["extensions"]["code"] == "RESOURCE_CONFLICT" and "unique" in failed["message"]
    after = schema(app, key, made["id"])
    assert after["name"] == name and sorted(o["name"] for o in after["options"]) == ["rain", "sunny"]

    # a new schema whose options repeat a name is refused before anything is written
    other = unique("mood")
    failed = error(gql(app, key, UPSERT_SCHEMA, {"data": {"name": other, "kind": "CustomMetadataEnum",
                                                          "options": [{"name": "calm"}, {"name": "calm"}]}}))
    assert failed["extensions"]["code"] == "RESOURCE_CONFLICT"
    assert other not in {s["name"] for s in data(gql(app, key, ONTOLOGY))["customMetadataOntology"]}

    # and the update that is valid goes through whole
    data(gql(app, key, UPSERT_SCHEMA, {"data": {"id": made["id"], "name": f"{name}-renamed",
                                                "kind": "CustomMetadataEnum",
                                                "options": [{"id": rain["id"], "name": "storm"}, {"name": "fog"}]}}))
    after = schema(app, key, made["id"])
    assert after["name"] == f"{name}-renamed"
    assert sorted(o["name"] for o in after["options"]) == ["fog", "storm", "sunny"]


def test_a_refused_data_row_update_changes_nothing(lb_client: Any) -> None:
    dataset = lb_client.create_dataset(name=unique("rows"))
    keys = [unique("key"), unique("key")]
    task = dataset.create_data_rows([{"row_data": f"https://example.com/{k}.jpg", "global_key": k} for k in keys])
    task.wait_till_done()
    assert task.status == "COMPLETE", task.errors
    row = lb_client.get_data_row_by_global_key(keys[0])
    with pytest.raises(ResourceConflict):  # the other row's key; the new row data must not be kept either
        row.update(global_key=keys[1], row_data="https://example.com/changed.jpg", external_id="changed")
    again = lb_client.get_data_row(row.uid)
    assert (again.global_key, again.row_data, again.external_id) == (
        keys[0], f"https://example.com/{keys[0]}.jpg", None)


def test_mutations_check_their_input_before_they_wait_for_the_lock(server: LiveServer) -> None:
    _, key = server.create_user()
    data(gql(server, key, CREATE_DATASET, {"name": unique("before")}))
    name = unique("during")
    held = HeldLock(server)  # SQLite: another process in BEGIN IMMEDIATE; PostgreSQL: datasets locked (and more)
    try:
        assert data(gql(server, key, DATASETS))["datasets"]  # reads never wait for the lock
        refused = error(gql(server, key, CREATE_DATASET, {"name": " "}))
        assert "non-empty" in refused["message"]  # checked before the write (it used to wait, then time out)
        refused = error(gql(server, key, UPSERT_SCHEMA, {"data": {"name": unique("m"), "kind": "NoSuchKind"}}))
        assert "kind must be one of" in refused["message"]
        answer = gql(server, key, CREATE_DATASET, {"name": name})  # valid: waits, then gives up
        busy = error(answer)
        assert "busy" in busy["message"] and "nothing was changed" in busy["message"]
        # a 5xx, so that the SDK retries it (contract §4), and the same in the entry for clients that read it
        assert answer.status_code == 503 and answer.headers["retry-after"] == "1"
        assert busy["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "exception": {"status": 503},
                                      "reason": "database_busy", "retry_after": 1}
    finally:
        held.release()
    assert name not in {d["name"] for d in data(gql(server, key, DATASETS))["datasets"]}
    assert data(gql(server, key, CREATE_DATASET, {"name": name}))["createDataset"]["name"] == name


def test_the_official_sdk_retries_a_busy_answer_until_the_lock_is_free(server: LiveServer) -> None:
    _, key = server.create_user()
    client = labelbox_client(server, key)
    answers: list[Any] = []
    refused = threading.Event()

    connection = client.connection  # the SDK's own requests.Session; its answers are recorded as they come
    send = connection.send

    def seen(*args: Any, **kwargs: Any) -> Any:
        response = send(*args, **kwargs)
        answers.append(response)
        if response.status_code == 503:
            refused.set()
        return response

    connection.send = seen  # type: ignore[method-assign]
    name = unique("retried")
    made: dict[str, Any] = {}

    def create() -> None:
        made["dataset"] = client.create_dataset(name=name)

    held = HeldLock(server)
    try:
        worker = threading.Thread(target=create)
        worker.start()
        assert refused.wait(60), [a.status_code for a in answers]  # a first attempt waited for the lock, refused
    finally:
        held.release()
    worker.join(120)
    assert not worker.is_alive()
    assert made["dataset"].name == name  # the SDK retried on its own, and the retry went through
    busy = next(a for a in answers if a.status_code == 503)
    assert busy.headers["Retry-After"] == "1"
    assert "busy" in busy.json()["errors"][0]["message"]
    assert answers[-1].status_code == 200
    assert [d["name"] for d in data(gql(server, key, DATASETS))["datasets"]].count(name) == 1  # written once
