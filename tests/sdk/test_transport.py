"""Unit tests of the request chokepoint against httpx.MockTransport (a transport of the HTTP library standing in
for the network, not a mock of our server): retries, Retry-After, timeouts, pagination, error mapping, request
ids, encoding. The live tests (inprocess/test_live*.py) run the same client against the app in-process."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import Callable
from typing import Any

import httpx
import labelhouse
import pytest
from labelhouse import AsyncSegmentsClient, SegmentsClient
from labelhouse import exceptions as exc

API = "http://lh.test/"


def sample_json(i: int) -> dict[str, Any]:
    return {"uuid": f"s{i}", "name": f"{i:05d}.jpg", "attributes": {"image": {"url": f"http://x/{i}.jpg"}},
            "metadata": {}, "created_at": "2024-05-01T12:00:00.000000Z", "created_by": "jane", "priority": 0,
            "readme": "", "assigned_labeler": None, "assigned_reviewer": None, "dataset_full_name": "jane/flowers"}


USER = {"username": "jane", "created_at": "2024-05-01T12:00:00.000000Z", "is_organization": False}


class Recorder:
    """A handler that answers from a list of responses (or a function) and records the requests."""

    def __init__(self, *answers: httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer) and not isinstance(answer, httpx.Response):
            return answer(request)
        return answer


def make_client(handler: Callable[[httpx.Request], httpx.Response], **options: Any) -> tuple[SegmentsClient, list[float]]:
    client = SegmentsClient("secret-key", api_url=API, transport=httpx.MockTransport(handler), **options)
    sleeps: list[float] = []
    client._sleep = sleeps.append  # record the backoff instead of waiting
    return client, sleeps


def error(status: int, detail: str, code: str | None = None, **extra: Any) -> httpx.Response:
    body = {"detail": detail, **({"code": code} if code else {}), **extra}
    return httpx.Response(status, json=body, headers={"X-Request-ID": "rid-server"})


# --- headers, construction -----------------------------------------------------------------------------------
def test_construction_sends_nothing_and_calls_carry_auth_and_request_id() -> None:
    rec = Recorder(httpx.Response(200, json=USER))
    client, _ = make_client(rec)
    assert rec.requests == []
    user = client.get_user()
    assert user.username == "jane" and user["username"] == "jane"
    request = rec.requests[0]
    assert request.url == "http://lh.test/user"
    assert request.headers["Authorization"] == "APIKey secret-key"
    assert request.headers["User-Agent"].startswith("labelhouse-python/")
    assert len(request.headers["X-Request-ID"]) == 32


def test_api_key_from_environment_and_missing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LABELHOUSE_API_KEY", raising=False)
    monkeypatch.delenv("SEGMENTS_API_KEY", raising=False)
    with pytest.raises(exc.AuthenticationError):
        SegmentsClient(api_url=API)
    monkeypatch.setenv("SEGMENTS_API_KEY", "from-env")
    monkeypatch.setenv("LABELHOUSE_API_URL", "http://env.test:9000")
    client = SegmentsClient()
    assert client.api_key == "from-env" and client.api_url == "http://env.test:9000/"
    client.close()


def test_api_url_path_prefix_is_kept() -> None:
    rec = Recorder(httpx.Response(200, json=USER))
    client = SegmentsClient("k", api_url="http://lh.test/prefix", transport=httpx.MockTransport(rec))
    client.get_user("a b")
    assert str(rec.requests[0].url) == "http://lh.test/prefix/users/a%20b"


# --- error mapping -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "code", "expected"), [
    (404, "not_found", exc.NotFoundError),
    (400, "already_exists", exc.AlreadyExistsError),
    (400, "invalid", exc.InvalidRequestError),
    (422, None, exc.InvalidRequestError),
    (401, "not_authenticated", exc.AuthenticationError),
    (401, "invalid_api_key", exc.AuthenticationError),
    (403, "permission_denied", exc.AuthorizationError),
    (409, "conflict", exc.ConflictError),
    (413, "payload_too_large", exc.InvalidRequestError),
    (418, None, exc.NetworkError),
    (500, "internal_error", exc.ServerError),
    (404, None, exc.NotFoundError),
    (400, "collaborator_error", exc.CollaboratorError),
])
def test_error_mapping_by_code_then_status(status: int, code: str | None, expected: type) -> None:
    client, _ = make_client(Recorder(error(status, "Something about it.", code, field="name")))
    with pytest.raises(exc.SegmentsError) as info:
        client.get_dataset("jane/flowers")
    err = info.value
    assert type(err) is expected
    assert err.status == status and err.code == code and err.field == "name"
    assert err.request_id == "rid-server"
    assert "Something about it." in str(err) and "rid-server" in str(err)


def test_code_wins_over_message_text() -> None:
    # The detail text says "not found" but the machine code says invalid: we trust the code.
    client, _ = make_client(Recorder(error(400, "Category 7 not found in task attributes.", "invalid")))
    with pytest.raises(exc.InvalidRequestError) as info:
        client.get_dataset("jane/flowers")
    assert isinstance(info.value, exc.ValidationError) and isinstance(info.value, exc.NetworkError)


def test_non_json_error_body_and_request_id_without_header() -> None:
    rec = Recorder(httpx.Response(502, text="<html>Bad Gateway</html>"))
    client, _ = make_client(rec, max_retries=0)
    with pytest.raises(exc.ServerError) as info:
        client.get_dataset("jane/flowers")
    assert "Bad Gateway" in str(info.value)
    assert info.value.request_id == rec.requests[0].headers["X-Request-ID"]  # our own id, echoed in the error


def test_response_that_does_not_match_the_model_is_a_validation_error() -> None:
    client, _ = make_client(Recorder(httpx.Response(200, json={"name": "no uuid"})))
    with pytest.raises(exc.ValidationError):
        client.get_sample("s1")
    client, _ = make_client(Recorder(httpx.Response(200, text="not json")))
    with pytest.raises(exc.NetworkError):
        client.get_sample("s1")


def test_bad_dataset_identifier_fails_before_sending() -> None:
    rec = Recorder(httpx.Response(200, json=[]))
    client, _ = make_client(rec)
    with pytest.raises(exc.ValidationError):
        client.get_dataset("no-slash")
    assert rec.requests == []


# --- retries -------------------------------------------------------------------------------------------------
def test_get_is_retried_on_503_then_succeeds() -> None:
    rec = Recorder(error(503, "busy"), error(503, "busy"), httpx.Response(200, json=USER))
    client, sleeps = make_client(rec)
    assert client.get_user().username == "jane"
    assert len(rec.requests) == 3 and len(sleeps) == 2
    assert 0 < sleeps[0] < sleeps[1] <= 8  # exponential backoff
    assert len({r.headers["X-Request-ID"] for r in rec.requests}) == 1  # one id for the logical call


def test_retry_after_seconds_is_honoured() -> None:
    rec = Recorder(httpx.Response(429, json={"detail": "Request was throttled.", "code": "throttled"},
                                  headers={"Retry-After": "7"}), httpx.Response(200, json=USER))
    client, sleeps = make_client(rec)
    client.get_user()
    assert sleeps == [7.0]


def test_retry_after_http_date_is_honoured() -> None:
    from datetime import datetime, timedelta, timezone
    from email.utils import format_datetime

    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    rec = Recorder(httpx.Response(503, headers={"Retry-After": when}), httpx.Response(200, json=USER))
    client, sleeps = make_client(rec)
    client.get_user()
    assert 25 <= sleeps[0] <= 30


def test_retry_after_is_capped() -> None:
    rec = Recorder(httpx.Response(503, headers={"Retry-After": "3600"}), httpx.Response(200, json=USER))
    client, sleeps = make_client(rec, max_retry_delay=10)
    client.get_user()
    assert sleeps == [10]


def test_retries_are_limited_then_the_error_is_raised() -> None:
    rec = Recorder(httpx.Response(429, json={"detail": "Request was throttled.", "code": "throttled"}))
    client, sleeps = make_client(rec, max_retries=2)
    with pytest.raises(exc.APILimitError) as info:
        client.get_user()
    assert len(rec.requests) == 3 and len(sleeps) == 2 and info.value.status == 429


def test_post_is_not_retried_on_503_but_on_429_and_connect_errors() -> None:
    rec = Recorder(error(503, "busy"))
    client, _ = make_client(rec)
    with pytest.raises(exc.ServerError):
        client.add_labelset("jane/flowers", "preds")
    assert len(rec.requests) == 1

    labelset = {"name": "preds", "description": ""}
    rec = Recorder(httpx.ConnectError("refused"), httpx.Response(429), httpx.Response(201, json=labelset))
    client, sleeps = make_client(rec)
    assert client.add_labelset("jane/flowers", "preds").name == "preds"
    assert len(rec.requests) == 3 and len(sleeps) == 2


def test_post_is_not_retried_after_a_read_error_but_put_is() -> None:
    rec = Recorder(httpx.ReadError("reset"))
    client, _ = make_client(rec)
    with pytest.raises(exc.APIConnectionError):
        client.add_labelset("jane/flowers", "preds")
    assert len(rec.requests) == 1

    label = {"sample_uuid": "s1", "label_type": "vector", "label_status": "PRELABELED", "labelset": "ground-truth",
             "attributes": {"annotations": []}}
    rec = Recorder(httpx.ReadError("reset"), httpx.Response(200, json=label))
    client, _ = make_client(rec)
    assert client.add_label("s1", "ground-truth", {"annotations": []}).label_status == "PRELABELED"
    assert len(rec.requests) == 2


def test_connection_failure_after_retries() -> None:
    rec = Recorder(httpx.ConnectError("refused"))
    client, sleeps = make_client(rec, max_retries=3)
    with pytest.raises(exc.APIConnectionError) as info:
        client.get_user()
    assert isinstance(info.value, exc.NetworkError) and isinstance(info.value.cause, httpx.ConnectError)
    assert len(rec.requests) == 4 and len(sleeps) == 3


# --- timeouts ------------------------------------------------------------------------------------------------
def test_timeout_is_configured_on_every_request() -> None:
    rec = Recorder(httpx.Response(200, json=USER))
    client, _ = make_client(rec, timeout=12.5)
    client.get_user()
    assert rec.requests[0].extensions["timeout"] == {"connect": 12.5, "read": 12.5, "write": 12.5, "pool": 12.5}


def test_read_timeout_raises_timeout_error_after_retries() -> None:
    rec = Recorder(httpx.ReadTimeout("slow"))
    client, _ = make_client(rec, max_retries=1)
    with pytest.raises(exc.TimeoutError) as info:
        client.get_user()
    assert isinstance(info.value, TimeoutError)  # the builtin, too
    assert exc.TimeoutError is exc.RequestTimeoutError
    assert len(rec.requests) == 2


def test_gateway_timeout_maps_to_timeout_error() -> None:
    client, _ = make_client(Recorder(error(504, "Gateway Time-out")), max_retries=0)
    with pytest.raises(exc.RequestTimeoutError):
        client.get_user()


def test_a_real_read_timeout_on_a_silent_socket() -> None:
    import socket

    with socket.socket() as listener:  # accepts the connection, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        client = SegmentsClient("k", api_url=f"http://127.0.0.1:{listener.getsockname()[1]}/", timeout=0.3,
                                max_retries=0)
        with pytest.raises(exc.RequestTimeoutError):
            client.get_user()
        client.close()


# --- encoding ------------------------------------------------------------------------------------------------
def test_query_parameters_and_path_segments_are_encoded() -> None:
    rec = Recorder(httpx.Response(200, json=[]))
    client, _ = make_client(rec)
    client.get_samples("ja ne/flo#wers", labelset="ground-truth", name="a&b c", label_status=["LABELED", "REVIEWED"],
                       metadata={"weather": "sunny", "cam": 3}, sort="priority", direction="desc", per_page=50,
                       page=3, include_full_label=True)
    url = rec.requests[0].url
    assert url.raw_path.startswith(b"/datasets/ja%20ne/flo%23wers/samples/?")
    assert dict(url.params) == {"per_page": "50", "page": "3", "labelset": "ground-truth", "include_full_label": "1",
                                "name__contains": "a&b c", "filters": "weather:sunny,cam:3",
                                "label_status": "LABELED,REVIEWED", "sort": "-priority"}


def test_sample_writes_are_gzipped_and_unassign_sends_null() -> None:
    rec = Recorder(httpx.Response(200, json=sample_json(1)))
    client, _ = make_client(rec)
    client.update_sample("s1", priority=3, assigned_labeler=labelhouse.UNASSIGNED)
    request = rec.requests[0]
    assert request.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(request.content)) == {"priority": 3, "assigned_labeler": None}
    client, _ = make_client(rec, enable_compression=False)
    client.add_sample("jane/flowers", "a.jpg", {"image": {"url": "u"}})
    assert json.loads(rec.requests[1].content) == {"name": "a.jpg", "attributes": {"image": {"url": "u"}},
                                                   "priority": 0, "readme": ""}


def test_add_samples_batches_and_does_not_mutate_input() -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        body = json.loads(gzip.decompress(request.content))
        return httpx.Response(201, json=[{**sample_json(0), "name": s["name"]} for s in body])

    rec = Recorder(echo)
    client, _ = make_client(rec)
    samples = [{"name": f"{i}.jpg", "attributes": {"image": {"url": "u"}}} for i in range(5)]
    result = client.add_samples("jane/flowers", samples, batch_size=2, progress=True)
    assert [s.name for s in result] == [f"{i}.jpg" for i in range(5)]
    assert len(rec.requests) == 3
    assert samples[0] == {"name": "0.jpg", "attributes": {"image": {"url": "u"}}}
    with pytest.raises(KeyError):
        client.add_samples("jane/flowers", [{"name": "no attributes"}])


# --- pagination ----------------------------------------------------------------------------------------------
def paged(total: int, invalid_page_404: bool = False) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        page, per_page = int(request.url.params["page"]), int(request.url.params["per_page"])
        items = [sample_json(i) for i in range(total)][(page - 1) * per_page:page * per_page]
        if not items and page > 1 and invalid_page_404:
            return error(404, "Invalid page.", "not_found")
        return httpx.Response(200, json=items)

    return handler


@pytest.mark.parametrize(("total", "per_page", "requests"), [(0, 10, 1), (7, 10, 1), (20, 10, 3), (25, 10, 3)])
def test_iter_samples_walks_every_page(total: int, per_page: int, requests: int) -> None:
    rec = Recorder(paged(total))
    client, _ = make_client(rec)
    names = [s.name for s in client.iter_samples("jane/flowers", per_page=per_page)]
    assert names == [f"{i:05d}.jpg" for i in range(total)]
    assert [int(r.url.params["page"]) for r in rec.requests] == list(range(1, requests + 1))


def test_iteration_stops_at_invalid_page_and_honours_limit() -> None:
    rec = Recorder(paged(20, invalid_page_404=True))
    client, _ = make_client(rec)
    assert len(list(client.iter_samples("jane/flowers", per_page=10))) == 20
    rec = Recorder(paged(100))
    client, _ = make_client(rec)
    assert len(list(client.iter_samples("jane/flowers", per_page=10, limit=15))) == 15
    assert len(rec.requests) == 2


def test_page_size_is_capped_to_the_server_maximum() -> None:
    rec = Recorder(paged(1500))
    client, _ = make_client(rec)
    assert len(list(client.iter_samples("jane/flowers", per_page=5000))) == 1500
    assert [r.url.params["per_page"] for r in rec.requests] == ["1000", "1000"]


def test_iter_datasets_and_workunits_use_their_paths() -> None:
    rec = Recorder(httpx.Response(200, json=[]))
    client, _ = make_client(rec)
    assert list(client.iter_datasets(user="acme")) == []
    assert list(client.iter_workunits("jane/flowers", start="2024-01-01T00:00:00")) == []
    assert rec.requests[0].url.path == "/users/acme/datasets/"
    assert rec.requests[1].url.path == "/datasets/jane/flowers/workunits/"
    assert rec.requests[1].url.params["sort"] == "-created_at"


# --- uploads and releases ------------------------------------------------------------------------------------
FILE = {"uuid": "f1", "filename": "a.png", "url": "http://cdn.test/assets/a.png", "created_at": "2024-05-01T12:00:00Z",
        "presignedPostFields": {"url": "http://cdn.test/upload/", "fields": {"key": "assets/a.png", "policy": "p"}}}


def test_upload_asset_posts_the_file_to_the_presigned_target_without_the_api_key() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/assets/":
            return httpx.Response(201, json=FILE)
        return httpx.Response(204)

    rec = Recorder(handler)
    client, _ = make_client(rec)
    asset = client.upload_asset(b"\x89PNG data", "a.png")
    assert asset.url == "http://cdn.test/assets/a.png" and asset["presignedPostFields"].url == "http://cdn.test/upload/"
    upload = rec.requests[1]
    assert str(upload.url) == "http://cdn.test/upload/" and "Authorization" not in upload.headers
    assert b'name="key"' in upload.content and b"\x89PNG data" in upload.content and b'filename="a.png"' in upload.content


def release_json(status: str) -> dict[str, Any]:
    return {"uuid": "r1", "name": "v1", "description": "", "release_type": "JSON", "status": status,
            "attributes": {"url": "http://x/r.json"} if status == "SUCCEEDED" else {}, "samples_count": 1,
            "created_at": "2024-05-01T12:00:00Z"}


def test_wait_for_release_polls_until_done() -> None:
    rec = Recorder(httpx.Response(200, json=release_json("PENDING")), httpx.Response(200, json=release_json("PENDING")),
                   httpx.Response(200, json=release_json("SUCCEEDED")))
    client, sleeps = make_client(rec)
    release = client.wait_for_release("jane/flowers", "v1", poll_interval=0.5)
    assert release.status == labelhouse.ReleaseStatus.SUCCEEDED and release["attributes"]["url"] == "http://x/r.json"
    assert sleeps == [0.5, 0.5]
    client, _ = make_client(Recorder(httpx.Response(200, json={**release_json("FAILED"), "status_info": "boom"})))
    with pytest.raises(exc.ReleaseFailedError, match="boom"):
        client.wait_for_release("jane/flowers", "v1")
    client, _ = make_client(Recorder(httpx.Response(200, json=release_json("PENDING"))))
    with pytest.raises(exc.RequestTimeoutError):
        client.wait_for_release("jane/flowers", "v1", timeout=0)


# --- async ---------------------------------------------------------------------------------------------------
def make_async(handler: Callable[[httpx.Request], httpx.Response], **options: Any
               ) -> tuple[AsyncSegmentsClient, list[float]]:
    client = AsyncSegmentsClient("secret-key", api_url=API, transport=httpx.MockTransport(handler), **options)
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    client._sleep = sleep
    return client, sleeps


def test_async_client_retries_maps_errors_and_paginates() -> None:
    async def main() -> None:
        rec = Recorder(httpx.Response(503, headers={"Retry-After": "2"}), httpx.Response(200, json=USER))
        client, sleeps = make_async(rec)
        async with client:
            assert (await client.get_user()).username == "jane"
        assert sleeps == [2.0]

        client, _ = make_async(Recorder(error(404, "Dataset not found.", "not_found")))
        with pytest.raises(exc.NotFoundError):
            await client.get_dataset("jane/flowers")

        rec = Recorder(paged(23))
        client, _ = make_async(rec)
        names = [s.name async for s in client.iter_samples("jane/flowers", per_page=10)]
        assert len(names) == 23 and len(rec.requests) == 3

        rec = Recorder(lambda r: httpx.Response(201, json=FILE) if r.url.path == "/assets/" else httpx.Response(204))
        client, _ = make_async(rec)
        assert (await client.upload_asset(b"x", "a.png")).uuid == "f1"
        await client.close()

    asyncio.run(main())


def test_upload_assets_keeps_order_sync_and_async(tmp_path) -> None:
    counter = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/assets/":
            counter["n"] += 1
            name = json.loads(request.content)["filename"]
            return httpx.Response(201, json={**FILE, "uuid": name, "filename": name})
        return httpx.Response(204)

    paths = []
    for i in range(5):
        paths.append(tmp_path / f"{i}.jpg")
        paths[-1].write_bytes(b"img")
    client, _ = make_client(handler)
    assert [a.filename for a in client.upload_assets(paths, progress=True)] == [f"{i}.jpg" for i in range(5)]

    async def main() -> list[str]:
        async with make_async(handler)[0] as aclient:
            return [a.filename for a in await aclient.upload_assets([(b"x", f"{i}.png") for i in range(9)])]

    assert asyncio.run(main()) == [f"{i}.png" for i in range(9)]


def test_load_release_sends_the_key_only_to_the_api_origin(tmp_path) -> None:
    import numpy as np
    from labelhouse.utils import bitmap_to_png

    release_file = {"name": "v1", "dataset": {
        "name": "flowers", "owner": "jane", "task_type": "segmentation-bitmap",
        "task_attributes": {"categories": [{"id": 1, "name": "rose"}]}, "labelsets": [{"name": "ground-truth"}],
        "samples": [{"uuid": "s1", "name": "a.jpg", "metadata": {},
                     "attributes": {"image": {"url": "http://cdn.test/a.png"}},
                     "labels": {"ground-truth": {"label_status": "LABELED", "attributes": {
                         "annotations": [{"id": 1, "category_id": 1}],
                         "segmentation_bitmap": {"url": "http://lh.test/files/a-label.png"}}}}}]}}
    bitmap = np.zeros((4, 6), np.uint32)
    bitmap[1:3, 2:5] = 1
    from io import BytesIO

    from PIL import Image

    image = BytesIO()
    Image.new("RGB", (6, 4)).save(image, format="PNG")
    seen: dict[str, bool] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen[str(request.url)] = "Authorization" in request.headers
        if request.url.path.endswith("/releases/v1/"):
            return httpx.Response(200, json={**release_json("SUCCEEDED"),
                                             "attributes": {"url": "http://lh.test/files/release.json"}})
        if request.url.path == "/files/release.json":
            return httpx.Response(200, json=release_file)
        if request.url.path == "/files/a-label.png":
            return httpx.Response(200, content=bitmap_to_png(bitmap))
        return httpx.Response(200, content=image.getvalue())

    client, _ = make_client(handler)
    dataset = client.load_release(client.get_release("jane/flowers", "v1"), progress=True)
    sample = dataset[0]
    assert np.array_equal(sample["segmentation_bitmap"], bitmap) and sample["image"].size == (6, 4)
    assert seen == {"http://lh.test/datasets/jane/flowers/releases/v1/": True,
                    "http://lh.test/files/release.json": True, "http://lh.test/files/a-label.png": True,
                    "http://cdn.test/a.png": False}


def test_with_options_overrides_per_call_settings_and_shares_the_pool(caplog: pytest.LogCaptureFixture) -> None:
    rec = Recorder(error(503, "busy"), httpx.Response(200, json=USER))
    client, sleeps = make_client(rec, timeout=5)
    patient = client.with_options(timeout=600, max_retries=0)
    with pytest.raises(exc.ServerError):
        patient.get_user()
    assert rec.requests[0].extensions["timeout"]["read"] == 600 and sleeps == []
    patient.close()  # shares the pool: the original client keeps working
    with caplog.at_level("INFO", logger="labelhouse"):
        rec.answers = [error(503, "busy"), httpx.Response(200, json=USER)]
        assert client.get_user().username == "jane"
    assert rec.requests[-1].extensions["timeout"]["read"] == 5
    assert "GET /user: HTTP 503; retry 1 of 3" in caplog.text
