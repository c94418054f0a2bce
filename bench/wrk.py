"""Run Debian's ``wrk`` (a C load generator: the client costs little next to the server) and read its figures.

Shared by the benchmarks that time single requests (bench/perf_bench.py, bench/history_bench.py)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WrkRun:
    rate: float  # requests per second
    p50_ms: float
    p99_ms: float
    requests: int


def _ms(text: str) -> float:
    value = float(text.rstrip("mus"))
    if text.endswith("us"):
        return value / 1000
    if text.endswith("ms"):
        return value
    return value * 1000  # seconds


def wrk(url: str, *, seconds: int, connections: int, headers: dict[str, str] | None = None,
        script: Path | None = None, threads: int = 1) -> WrkRun:
    """One wrk run against ``url``; any non-2xx/3xx answer or socket error fails the benchmark."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    if script is not None:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], check=True, capture_output=True, text=True).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(out)
    return WrkRun(rate=float(out.split("Requests/sec:")[1].split()[0]),
                  p50_ms=_ms(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1)),
                  p99_ms=_ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1)),
                  requests=int(re.search(r"(\d+) requests in", out).group(1)))
