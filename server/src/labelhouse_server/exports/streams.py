"""An export's two NDJSON streams (RESULT, ERRORS) as line-aligned chunk objects in the object store, and the
byte-offset lookups the SDK makes (contract §0 trap 9).

Writing: lines are gathered into a buffer of at most ``chunk_bytes`` (a longer line is a chunk of its own) and
each full buffer is stored as one object, so a chunk always ends at a line end and is valid UTF-8 on its own,
and the writer holds one chunk at most. The index (byte range, line range, key of each chunk) is small — one
entry per chunk — and is kept on the task (``details["export"][stream]``).

Reading: ``chunk_at(offset)`` answers the chunk holding ``offset``. At a chunk's first byte (where the SDK
always asks: 0, then the previous ``end + 1``) the file URL is the object's own public URL; any other line
start is served from ``/export-chunks/...?skip=N`` (the rest of that chunk). A byte that does not start a line
is refused (the chunk would not decode on its own).
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from ..errors import Invalid
from ..storage import ObjectStore

STREAMS = ("RESULT", "ERRORS")
CONTENT_TYPE = "application/x-ndjson"
KEY_PREFIX = "lb-exports/"


class ChunkWriter:
    def __init__(self, store: ObjectStore, prefix: str, stream: str, chunk_bytes: int) -> None:
        self.store = store
        self.prefix = prefix
        self.stream = stream
        self.chunk_bytes = max(1, chunk_bytes)
        self.buffer = bytearray()
        self.buffer_lines = 0
        self.size = 0
        self.lines = 0
        self.chunks: list[list[Any]] = []  # [start, end, first line, last line, key]

    def add(self, line: bytes) -> None:
        if self.buffer and len(self.buffer) + len(line) > self.chunk_bytes:
            self.flush()
        self.buffer += line
        self.buffer_lines += 1

    def flush(self) -> None:
        if not self.buffer:
            return
        key = f"{self.prefix}/{self.stream.lower()}-{len(self.chunks):06d}.ndjson"
        self.store.put(key, [bytes(self.buffer)], CONTENT_TYPE)
        self.chunks.append([self.size, self.size + len(self.buffer) - 1, self.lines,
                            self.lines + self.buffer_lines - 1, key])
        self.size += len(self.buffer)
        self.lines += self.buffer_lines
        self.buffer = bytearray()
        self.buffer_lines = 0

    def close(self) -> dict[str, Any] | None:
        """The stream's index, or None for an empty stream (the SDK reads a null header as "no stream")."""
        self.flush()
        if not self.lines:
            return None
        return {"size": self.size, "lines": self.lines, "chunks": self.chunks}

    def discard(self) -> None:
        for chunk in self.chunks:
            self.store.delete(chunk[4])


def header(index: dict[str, Any] | None) -> dict[str, Any] | None:
    if not index:
        return None
    return {"totalSize": index["size"], "totalLines": index["lines"]}


def chunk_at(store: ObjectStore, index: dict[str, Any] | None, offset: int, base_url: str) -> dict[str, Any]:
    """``{offsets {start end}, lines {start end}, file}`` for the chunk starting at byte ``offset``."""
    if not index:
        raise Invalid("This export has no such stream.", field="streamType")
    if not 0 <= offset < index["size"]:
        raise Invalid(f"offset is out of range: the stream has {index['size']} bytes.", field="offset")
    chunks = index["chunks"]
    start, end, first_line, last_line, key = chunks[bisect_right([c[0] for c in chunks], offset) - 1]
    if offset == start:
        return {"offsets": {"start": start, "end": end}, "lines": {"start": first_line, "end": last_line},
                "file": store.public_url(key)}
    skip = offset - start
    head = store.get(key)[:skip]
    if not head.endswith(b"\n"):
        raise Invalid(f"offset {offset} is not the start of a line.", field="offset")
    line = first_line + head.count(b"\n")
    return {"offsets": {"start": offset, "end": end}, "lines": {"start": line, "end": last_line},
            "file": f"{base_url}/export-chunks/{key[len(KEY_PREFIX):]}?skip={skip}"}
