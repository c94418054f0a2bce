"""The five workloads, written once and run unchanged against either adapter.

Every workload returns a ``Result``: wall time, the number of items/requests done, throughput, request latency
percentiles (where one request is the unit) and the server's peak RSS during the workload. A workload that runs
past its time cap stops early and says so (``capped``); its throughput then covers the part that finished.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from .clients import Adapter, item
from .servers import Server


@dataclass
class Result:
    server: str
    size: int
    run: int
    workload: str
    wall_s: float
    done: int                       # items (import/list/export) or requests (labels/get) completed
    target: int                     # what the workload was asked to do
    unit: str = "items"
    p50_ms: float | None = None
    p99_ms: float | None = None
    peak_rss_mb: float = 0.0
    capped: bool = False
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return self.done / self.wall_s if self.wall_s > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "throughput": self.throughput}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, int(-(-q * len(ordered) // 100)))  # ceil(q/100 * n)
    return ordered[min(rank, len(ordered)) - 1]


class Bench:
    """Runs workloads for one server on one fresh project of ``size`` items."""

    def __init__(self, server: Server, adapter: Adapter, size: int, run: int, cap_s: float, out_dir: Path,
                 label_items: int = 1000, reads: int = 1000, concurrency: int = 4, batch: int = 1000,
                 import_cap_s: float = 300.0, export_caps: dict[str, float] | None = None) -> None:
        self.server, self.a, self.size, self.run, self.cap = server, adapter, size, run, cap_s
        self.import_cap = import_cap_s
        self.export_caps = export_caps or {}
        self.out_dir, self.label_items, self.reads, self.concurrency, self.batch = (
            out_dir, label_items, reads, concurrency, batch)
        self.ids: list[Any] = []
        self.imported = 0

    def _result(self, workload: str, wall: float, done: int, target: int, cap: float | None = None,
                **kw: Any) -> Result:
        r = Result(self.server.kind, self.size, self.run, workload, wall, done, target,
                   peak_rss_mb=self.server.peak_rss / 2**20, **kw)
        r.extra["cap_s"] = cap or self.cap
        flag = f"  CAPPED at {cap or self.cap:.0f} s ({done}/{target})" if r.capped else ""
        lat = f"  p50 {r.p50_ms:.1f} ms  p99 {r.p99_ms:.1f} ms" if r.p50_ms is not None else ""
        print(f"    {self.server.kind:12s} {workload:14s} {wall:8.2f} s  {r.throughput:9.1f} {r.unit}/s"
              f"{lat}  rss {r.peak_rss_mb:.0f} MB{flag}", flush=True)
        return r

    def _begin(self) -> float:
        self.server.reset_peak()
        return time.perf_counter()

    # 1. import ------------------------------------------------------------------------------------------------
    def import_items(self) -> Result:
        self.a.create_project(f"bench-r{self.run}-n{self.size}-{int(time.time())}")
        lat: list[float] = []
        t0 = self._begin()
        done, capped = 0, False
        while done < self.size:
            if time.perf_counter() - t0 > self.import_cap:
                capped = True
                break
            n = min(self.batch, self.size - done)
            t = time.perf_counter()
            self.a.import_batch([item(i) for i in range(done, done + n)])
            lat.append(time.perf_counter() - t)
            done += n
        wall = time.perf_counter() - t0
        self.imported = done
        return self._result("import", wall, done, self.size, cap=self.import_cap, capped=capped, p50_ms=percentile(lat, 50) * 1e3,
                            p99_ms=percentile(lat, 99) * 1e3, extra={"per_request": self.batch})

    # 2. list --------------------------------------------------------------------------------------------------
    def list_all(self) -> Result:
        lat: list[float] = []
        ids: list[Any] = []
        t0 = self._begin()
        page, capped = 1, False
        while True:
            if time.perf_counter() - t0 > self.cap:
                capped = True
                break
            t = time.perf_counter()
            rows = self.a.list_page(page)
            lat.append(time.perf_counter() - t)
            ids.extend(self.a.ids_of(rows))
            if len(rows) < self.a.page_size:
                break
            page += 1
        wall = time.perf_counter() - t0
        if not capped and len(ids) != self.imported:
            raise RuntimeError(f"{self.server.kind}: listed {len(ids)} items, imported {self.imported}")
        if len(set(ids)) != len(ids):
            raise RuntimeError(f"{self.server.kind}: listing returned duplicate ids")
        self.ids = ids
        return self._result("list", wall, len(ids), self.imported, capped=capped,
                            p50_ms=percentile(lat, 50) * 1e3, p99_ms=percentile(lat, 99) * 1e3,
                            extra={"page_size": self.a.page_size, "pages": len(lat)})

    def _ensure_ids(self, n: int) -> list[Any]:
        """Ids for the label/read workloads; pages in the rest if a capped listing fell short."""
        page = len(self.ids) // self.a.page_size + 1
        while len(self.ids) < min(n, self.imported):
            rows = self.a.list_page(page)
            if not rows:
                break
            self.ids.extend(self.a.ids_of(rows))
            page += 1
        return self.ids

    # 3. label writes ------------------------------------------------------------------------------------------
    def _requests(self, name: str, ids: list[Any], op: str, threads: int) -> Result:
        lat: list[float] = []
        lock = threading.Lock()
        cursor = iter(range(len(ids)))
        stop = threading.Event()
        errors: list[BaseException] = []

        def worker(http: httpx.Client) -> None:
            fn = getattr(self.a, op)
            mine: list[float] = []
            try:
                while not stop.is_set():
                    with lock:
                        k = next(cursor, None)
                    if k is None:
                        break
                    t = time.perf_counter()
                    fn(ids[k], http)
                    mine.append(time.perf_counter() - t)
                    if t - t0 > self.cap:
                        stop.set()
            except BaseException as exc:  # noqa: BLE001 - surfaced below
                errors.append(exc)
                stop.set()
            finally:
                with lock:
                    lat.extend(mine)

        clients = [self.a.http] if threads == 1 else [self.a.new_client() for _ in range(threads)]
        try:
            if threads > 1:  # open the connections before the clock starts, as a warm pool would have them
                for c in clients:
                    c.get("/", timeout=30)
            t0 = self._begin()
            pool = [threading.Thread(target=worker, args=(c,)) for c in clients]
            for th in pool:
                th.start()
            for th in pool:
                th.join()
            wall = time.perf_counter() - t0
        finally:
            for c in clients:
                if c is not self.a.http:
                    c.close()
        if errors:
            raise errors[0]
        return self._result(name, wall, len(lat), len(ids), unit="req", capped=stop.is_set() and len(lat) < len(ids),
                            p50_ms=percentile(lat, 50) * 1e3, p99_ms=percentile(lat, 99) * 1e3,
                            extra={"clients": threads})

    def label_writes(self) -> list[Result]:
        ids = self._ensure_ids(2 * self.label_items)
        n = min(self.label_items, len(ids) // 2)
        seq = self._requests("label_seq", ids[:n], "write_label", 1)
        conc = self._requests(f"label_conc{self.concurrency}", ids[n:2 * n], "write_label", self.concurrency)
        self.labeled = seq.done + conc.done
        return [seq, conc]

    # 4. single-item reads -------------------------------------------------------------------------------------
    def reads_by_id(self) -> Result:
        ids = self._ensure_ids(self.imported)
        rng = random.Random(1234 + self.run)
        picks = [ids[rng.randrange(len(ids))] for _ in range(self.reads)]
        return self._requests("get", picks, "get_item", 1)

    # 5. export ------------------------------------------------------------------------------------------------
    def export(self, kind: str) -> Result:
        dest = self.out_dir / f"{self.server.kind}-n{self.size}-r{self.run}.{kind}"
        cap = self.export_caps.get(kind, self.cap)
        self.a.timeout_s = cap
        t0 = self._begin()
        note, capped = "", False
        try:
            (self.a.export_json if kind == "json" else self.a.export_coco)(dest, f"r{self.run}")
        except (httpx.TimeoutException, TimeoutError):
            capped = True
        wall = time.perf_counter() - t0
        if capped and self.server.kind == "label-studio":
            # Its server keeps building the abandoned file; restart it so that work does not leak into the
            # next measurements.
            note = f"restarted after {cap:.0f} s (restart {self.server.restart():.0f} s)"
        counts: dict[str, int] = {}
        if not capped:
            counts = self.a.count_export(kind, dest)
            counts["bytes"] = dest.stat().st_size
            if counts["items"] != self.imported:
                note = f"export holds {counts['items']} items, {self.imported} imported"
            dest.unlink()
            for extra in dest.parent.glob(dest.name.rsplit(".", 1)[0] + "*.release.json"):
                extra.unlink()
        return self._result(f"export_{kind}", wall, 0 if capped else self.imported, self.imported, cap=cap,
                            capped=capped, note=note, extra=counts)

    def all(self, with_rw: bool) -> list[Result]:
        out = [self.import_items(), self.list_all()]
        if with_rw:
            out += self.label_writes()
            out.append(self.reads_by_id())
        out += [self.export("json"), self.export("coco")]
        return out


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
