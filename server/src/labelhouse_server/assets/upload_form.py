"""The S3-style upload form of ``POST /uploads/``, read as it streams (python-multipart's push parser, the parser
Starlette's own form support uses).

An S3 POST form carries its small fields (``key``, ``policy``, ``x-amz-signature`` ...) before the ``file`` part.
``read_upload_form`` collects those fields, and when the ``file`` part's headers arrive it calls ``verify(fields)``
— the signature check — *before* a single byte of the file is kept: an unsigned or forged form is refused after
reading a few hundred bytes, never spooled to disk. The file is then spooled (memory, then a temporary file) up to
the byte limit the verified policy allows."""

from __future__ import annotations

from collections.abc import Callable
from tempfile import SpooledTemporaryFile
from typing import Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ..errors import Invalid, PayloadTooLarge

MAX_FIELDS = 20
MAX_FIELD_BYTES = 16 * 1024
_SPOOL_IN_MEMORY = 1024 * 1024


class UploadForm:
    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.file: SpooledTemporaryFile[bytes] | None = None
        self.size = 0
        self.policy: dict[str, Any] | None = None

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


async def _write(form: UploadForm, pending: list[bytes]) -> None:
    data = b"".join(pending)
    pending.clear()
    assert form.file is not None
    if getattr(form.file, "_rolled", True) or form.file.tell() + len(data) > _SPOOL_IN_MEMORY:
        await run_in_threadpool(form.file.write, data)  # a disk write: off the event loop
    else:
        form.file.write(data)


async def read_upload_form(request: Request, verify: Callable[[dict[str, str]], dict[str, Any]]) -> UploadForm:
    """Parse the form of ``request``; ``verify(fields)`` returns the signed policy (with ``max_bytes``) or raises.
    Raises ``Invalid`` for a malformed form, ``PayloadTooLarge`` past the policy's limit."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise Invalid("Upload must be multipart/form-data with a boundary (an S3-style POST form).", field="body")
    form = UploadForm()
    pending: list[bytes] = []  # file bytes parsed from the last chunk, written after the parser returns
    state: dict[str, Any] = {"name": None, "disposition": b"", "header": b"", "value": bytearray(), "error": None}

    def on_part_begin() -> None:
        state.update(name=None, disposition=b"", value=bytearray())

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["header"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        if state["header"].lower() == b"content-disposition":
            state["disposition"] += data[start:end]

    def on_header_end() -> None:
        state["header"] = b""

    def on_headers_finished() -> None:
        _, options = parse_options_header(state["disposition"])
        name = options.get(b"name", b"").decode("latin-1")
        state["name"] = name
        if name == "file":
            if form.file is not None:
                raise Invalid("file: the form has more than one 'file' part.", field="file")
            form.policy = verify(dict(form.fields))  # before any byte of the file is kept
            form.file = SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 - closed by UploadForm.close
        elif len(form.fields) >= MAX_FIELDS:
            raise Invalid(f"The upload form has more than {MAX_FIELDS} fields.", field="body")

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if state["name"] == "file":
            assert form.file is not None and form.policy is not None
            form.size += end - start
            if form.size > form.policy["max_bytes"]:
                raise PayloadTooLarge(f"file: exceeds the upload limit of {form.policy['max_bytes']} bytes.",
                                      field="file")
            pending.append(data[start:end])
        else:
            state["value"] += data[start:end]
            if len(state["value"]) > MAX_FIELD_BYTES:
                raise Invalid(f"{state['name']}: form fields are limited to {MAX_FIELD_BYTES} bytes.",
                              field=state["name"] or "body")

    def on_part_end() -> None:
        if state["name"] and state["name"] != "file":
            form.fields[state["name"]] = state["value"].decode("utf-8", "replace")

    parser = MultipartParser(boundary, {
        "on_part_begin": on_part_begin, "on_part_data": on_part_data, "on_part_end": on_part_end,
        "on_header_field": on_header_field, "on_header_value": on_header_value, "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished,
    })
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            if pending:
                await _write(form, pending)
        parser.finalize()
        if pending:
            await _write(form, pending)
    except FormParserError as exc:
        form.close()
        raise Invalid(f"The upload form is malformed: {exc}", field="body") from None
    except BaseException:
        form.close()
        raise
    if form.file is None:
        form.close()
        raise Invalid("file: the form has no 'file' part.", field="file")
    form.file.seek(0)
    return form
