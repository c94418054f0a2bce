"""Bounded input: every request body is read, inflated and shape-checked against configurable limits before any
route (and before authentication) sees it. Limits are settings (``settings.py``, "limits"); each one refused answers
a 4xx JSON error naming the limit and the field (``LimitExceeded``).

Route classes (``route_class``): ``upload`` (the local store's ``POST /uploads/`` form and GraphQL multipart
uploads to ``/graphql``: their own limit, ``max_upload_bytes``, checked while the form streams), ``bulk`` (``.../samples_bulk/``: ``max_bulk_body_bytes`` and
``max_bulk_items``), ``ndjson`` (the Labelbox vector import, JSON lines: ``max_ndjson_body_bytes``, not parsed
here) and ``json`` (everything else: ``max_body_bytes``).

``JsonShape`` is fed the (inflated) body chunk by chunk as it arrives and keeps counters without parsing: a bound
on the number of JSON values (commas and brackets, with ``bytes.count``: what a parse would allocate), nesting
depth and the number of items of a top-level array. It is a vectorised scan (numpy) over
structural characters outside strings, so a 30 MB body of ``[{},{},...]`` is refused after its first
``max_bulk_items`` items instead of being materialised as ten million dicts. The complete body is then parsed
once by orjson, which refuses what our stores could not hold: NaN/Infinity, integers beyond 64 bits, lone UTF-16
surrogates, invalid UTF-8.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from .errors import LabelhouseError

if TYPE_CHECKING:
    import numpy as np

_OPEN = (ord("["), ord("{"))
_CLOSE = (ord("]"), ord("}"))
_PIECE = 1 << 20
_QUOTE, _BACKSLASH, _COMMA = ord('"'), ord("\\"), ord(",")


@cache
def _tables() -> tuple[Any, np.ndarray, np.ndarray]:
    """numpy, and its lookup tables by byte: structural (quotes, brackets, commas, backslashes), and the depth
    change of a structural byte outside strings. numpy (~11 MiB) is imported by the first body that needs the
    scan (one near a limit: most never do), not by every process that imports this module."""
    import numpy

    structural = numpy.zeros(256, dtype=bool)
    structural[[ord(ch) for ch in '"\\[]{},']] = True
    step = numpy.zeros(256, dtype=numpy.int64)
    step[[ord("["), ord("{")]] = 1
    step[[ord("]"), ord("}")]] = -1
    return numpy, structural, step


class LimitExceeded(LabelhouseError):
    """A configured input limit was exceeded. The body names the limit (``limit``, the setting's name), its value
    (``max``) and the ``field``."""

    code = "limit_exceeded"

    def __init__(self, detail: str, *, limit: str, maximum: int, field: str = "body", status_code: int = 400):
        super().__init__(detail, field=field, limit=limit, max=maximum)
        self.status_code = status_code


def body_too_large(limit_name: str, maximum: int) -> LimitExceeded:
    return LimitExceeded(f"Request body exceeds {maximum} bytes (limit {limit_name}).", limit=limit_name,
                         maximum=maximum, status_code=413)


def check_page(page: int, settings) -> int:
    """``page`` of a listing, refused past ``max_page`` (an offset the database's integers cannot hold)."""
    if page > settings.max_page:
        raise LimitExceeded(f"page: at most {settings.max_page} (limit max_page).", limit="max_page",
                            maximum=settings.max_page, field="page")
    return page


def check_filters(count: int, settings) -> None:
    if count > settings.max_filters:
        raise LimitExceeded(f"filters: at most {settings.max_filters} metadata filters (limit max_filters).",
                            limit="max_filters", maximum=settings.max_filters, field="filters")


@dataclass(frozen=True)
class RouteLimits:
    """The limits that apply to one request."""

    kind: str  # json | bulk | ndjson | upload
    body_setting: str
    max_body: int
    max_items: int | None
    max_depth: int
    max_values: int


GRAPHQL_PATHS = frozenset({"/graphql", "/_gql"})
FORM_OVERHEAD = 64 * 1024  # an upload form's boundaries and small fields, allowed on top of max_upload_bytes


def route_class(method: str, path: str, content_type: bytes = b"") -> str:
    if path.rstrip("/").endswith("/uploads") and path.count("/") <= 2:
        return "upload"
    if path.rstrip("/") in GRAPHQL_PATHS and content_type.lower().startswith(b"multipart/form-data"):
        return "upload"  # a GraphQL multipart request (the Labelbox SDK's uploadFile): a file and two small fields
    if path.rstrip("/").endswith("/samples_bulk"):
        return "bulk"
    if path.rstrip("/").endswith("/_import_ndjson"):
        return "ndjson"  # the Labelbox SDK's vector import (labelbox/adv.py): JSON lines, sent as application/json
    return "json"


def limits_for(settings, method: str, path: str, content_type: bytes = b"") -> RouteLimits:
    kind = route_class(method, path, content_type)
    if kind == "upload":
        return RouteLimits(kind, "max_upload_bytes", settings.max_upload_bytes + FORM_OVERHEAD, None,
                           settings.max_json_depth, settings.max_json_values)
    if kind == "ndjson":  # one JSON document per line: bounded and shape-checked, parsed by the route
        return RouteLimits(kind, "max_ndjson_body_bytes", settings.max_ndjson_body_bytes, None,
                           settings.max_json_depth, settings.max_ndjson_body_bytes)
    if kind == "bulk":
        return RouteLimits(kind, "max_bulk_body_bytes", settings.max_bulk_body_bytes, settings.max_bulk_items,
                           settings.max_json_depth, settings.max_json_values)
    return RouteLimits(kind, "max_body_bytes", settings.max_body_bytes, None, settings.max_json_depth,
                       settings.max_json_values)


class JsonShape:
    """Incremental depth / top-level-item counter over JSON bytes (see the module docstring). ``feed`` raises
    ``LimitExceeded`` as soon as a limit is passed."""

    __slots__ = ("_backslashes", "_brackets", "_commas", "_depth", "_in_string", "_items", "_max_depth",
                 "_max_items", "_max_values", "_pending", "_scanning")

    def __init__(self, max_depth: int, max_items: int | None, max_values: int = 1_000_000) -> None:
        self._max_values = max_values
        self._max_depth = max_depth
        self._max_items = max_items
        self._depth = 0          # depth after the bytes scanned so far
        self._in_string = False  # inside a string literal at the end of the bytes scanned
        self._backslashes = 0    # length of the run of backslashes the scanned bytes end with
        self._items = 0          # commas scanned at depth 1 (a top-level array of n>0 items has n-1)
        # Until the body holds more brackets than the depth limit or more commas than the item limit, it can
        # neither nest too deep nor hold too many items: bytes.count (C speed) decides, nothing is scanned. Most
        # single-item bodies never get past this.
        self._brackets = 0
        self._commas = 0
        self._scanning = False
        self._pending: list[bytes] = []

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        # Every value but the first of a container follows a comma or opens one: commas + brackets bound the
        # number of values the parse would create (strings holding commas only make the bound looser).
        self._brackets += chunk.count(b"[") + chunk.count(b"{")
        self._commas += chunk.count(b",")
        if self._brackets + self._commas > self._max_values:
            raise LimitExceeded(f"More than {self._max_values} JSON values in one request (limit max_json_values).",
                                limit="max_json_values", maximum=self._max_values)
        if not self._scanning:
            if self._brackets <= self._max_depth and (self._max_items is None or self._commas < self._max_items):
                self._pending.append(chunk)
                return
            self._scanning = True
            pending, self._pending = self._pending, []
            for earlier in pending:
                self._scan(earlier)
        self._scan(chunk)

    def _scan(self, chunk: bytes) -> None:
        # Pieces of at most 1 MiB: the scan's temporary arrays take ~40 bytes per input byte.
        view = memoryview(chunk)
        for start in range(0, len(view), _PIECE):
            self._scan_piece(view[start:start + _PIECE])

    def _scan_piece(self, chunk: memoryview) -> None:
        np, structural, steps = _tables()
        a = np.frombuffer(chunk, dtype=np.uint8)
        n = a.size
        # Work on the structural bytes only (quotes, brackets, commas, backslashes): a small share of the body.
        idx = np.flatnonzero(structural[a])
        c = a[idx]
        carried = self._backslashes
        bs = c == _BACKSLASH
        if bs.any() or carried:
            # A quote is escaped when an odd run of backslashes ends right before it. ``chained[j]``: element j
            # is a backslash immediately followed (in the body) by element j+1.
            m = c.size
            k = np.arange(m, dtype=np.int64)
            chained = np.zeros(m, dtype=bool)
            if m > 1:
                chained[:-1] = bs[:-1] & (idx[1:] - idx[:-1] == 1)
            last_break = np.maximum.accumulate(np.where(chained, -1, k))
            run = np.zeros(m, dtype=np.int64)
            if m > 1:
                run[1:] = k[1:] - 1 - last_break[:-1]
            # Runs reaching back to the start of this piece continue the run the last piece ended with.
            run += np.where((run == k) & (idx == k), carried, 0)
            quotes = (c == _QUOTE) & (run % 2 == 0)
            trailing = 0
            while trailing < m and bs[m - 1 - trailing] and idx[m - 1 - trailing] == n - 1 - trailing:
                trailing += 1
            self._backslashes = trailing + (carried if trailing == n else 0)
        else:
            quotes = c == _QUOTE
        toggles = np.cumsum(quotes, dtype=np.int64)
        inside = ((toggles - quotes) % 2).astype(bool) ^ self._in_string
        outside = ~inside & ~quotes
        step = np.where(outside, steps[c], 0)
        depth = self._depth + np.cumsum(step, dtype=np.int64)
        if depth.size and int(depth.max()) > self._max_depth:
            raise LimitExceeded(f"JSON nested deeper than {self._max_depth} levels (limit max_json_depth).",
                                limit="max_json_depth", maximum=self._max_depth)
        if self._max_items is not None:
            self._items += int(np.count_nonzero(outside & (c == _COMMA) & (depth == 1)))
            if self._items >= self._max_items:
                raise LimitExceeded(f"More than {self._max_items} items in one request (limit max_bulk_items).",
                                    limit="max_bulk_items", maximum=self._max_items)
        if depth.size:
            self._depth = int(depth[-1])
            self._in_string = bool(self._in_string ^ bool(int(toggles[-1]) % 2))


__all__ = ["FORM_OVERHEAD", "GRAPHQL_PATHS", "JsonShape", "LimitExceeded", "RouteLimits", "body_too_large", "check_filters", "check_page", "limits_for",
           "route_class"]
