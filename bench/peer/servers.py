"""Start, watch and stop the two servers under test: Label Studio (its own venv) and ``labelhouse serve``.

Both run on 127.0.0.1 with their embedded defaults (SQLite files in a fresh data directory), exactly as their quick
starts do; nothing is tuned. Memory is the resident set size of each server's process tree, sampled from /proc.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
LS_VENV = HERE / ".venv-ls"
LH_BIN = REPO / ".venv" / "bin" / "labelhouse"

LS_USER = "bench@localhost"
LS_PASSWORD = "bench-password-123"
LS_TOKEN = "benchtoken0123456789abcdef"

# Label Studio phones home for version checks and analytics by default; there is no network here, so turn
# both off (a check that waits for a network timeout would slow it unfairly).
LS_ENV = {
    "LATEST_VERSION_CHECK": "false",
    "COLLECT_ANALYTICS": "false",
    "SENTRY_DSN": "",
    "FRONTEND_SENTRY_DSN": "",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_label_studio(version: str | None = None) -> Path:
    """Create bench/peer/.venv-ls with label-studio from PyPI unless it is already there."""
    exe = LS_VENV / "bin" / "label-studio"
    if exe.exists():
        return exe
    print(f"installing Label Studio into {LS_VENV} (one-time, a few minutes) ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(LS_VENV)], check=True)
    spec = f"label-studio=={version}" if version else "label-studio"
    subprocess.run([str(LS_VENV / "bin" / "pip"), "install", "-q", spec], check=True)
    return exe


def ls_version() -> str:
    out = subprocess.run([str(LS_VENV / "bin" / "python"), "-c",
                          "import importlib.metadata as m; print(m.version('label-studio'))"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def lh_version() -> str:
    out = subprocess.run([str(REPO / ".venv" / "bin" / "python"), "-c",
                          "import importlib.metadata as m; print(m.version('labelhouse'))"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                found.extend(int(c) for c in fh.read().split())
    except OSError:
        pass
    return found


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
        stack.extend(_children(p))
    return total


@dataclass
class Server:
    kind: str                      # "labelhouse" or "label-studio"
    url: str
    headers: dict[str, str]
    proc: subprocess.Popen
    data_dir: Path
    log_path: Path
    started_in_s: float = 0.0
    peak_rss: int = 0
    _sampler: threading.Thread | None = field(default=None, repr=False)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def start_sampling(self, interval: float = 0.05) -> None:
        def loop() -> None:
            while not self._stop.is_set():
                rss = tree_rss_bytes(self.pid)
                self.peak_rss = max(self.peak_rss, rss)
                self._stop.wait(interval)

        self._sampler = threading.Thread(target=loop, name=f"rss-{self.kind}", daemon=True)
        self._sampler.start()

    def reset_peak(self) -> None:
        self.peak_rss = tree_rss_bytes(self.pid)

    def restart(self) -> float:
        """Stop and start again on the same data directory and port (used to abandon a Label Studio export
        that ran past its cap: its server keeps building the file after the client gives up). Returns seconds."""
        assert self.kind == "label-studio"
        peak = max(self.peak_rss, tree_rss_bytes(self.pid))  # the peak of the abandoned work still counts
        self.stop()
        fresh = start_label_studio(self.data_dir.parent, int(self.url.rsplit(":", 1)[1]), fresh=False)
        self.proc, self.started_in_s, self.peak_rss = fresh.proc, fresh.started_in_s, peak
        self._stop, self._sampler = threading.Event(), None
        fresh._stop.set()
        self.start_sampling()
        return fresh.started_in_s

    def stop(self) -> None:
        self._stop.set()
        if self.proc.poll() is None:
            # Signal only the process group this harness created for the server.
            try:
                os.killpg(self.proc.pid, signal.SIGINT)
                self.proc.wait(timeout=20)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)


def _wait_http(url: str, headers: dict[str, str], proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}; see {log}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, headers=headers, timeout=5).status_code < 400:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"server at {url} not ready after {timeout} s; see {log}")


def start_label_studio(work: Path, port: int | None = None, fresh: bool = True) -> Server:
    """``label-studio start`` with its default SQLite database, a user and a legacy API token created
    non-interactively (the documented --username/--password/--user-token flags). ``fresh=False`` restarts it on
    the existing data directory."""
    port = port or free_port()
    work = work.resolve()
    data = work / "label-studio-data"
    if fresh:
        if data.exists():
            shutil.rmtree(data)
        data.mkdir(parents=True)
    log = work / "label-studio.log"
    env = {**os.environ, **LS_ENV, "HOME": str(work / "ls-home")}
    cmd = [str(LS_VENV / "bin" / "label-studio"), "start", "--no-browser", "--internal-host", "127.0.0.1",
           "--port", str(port), "--data-dir", str(data), "--username", LS_USER, "--password", LS_PASSWORD,
           "--user-token", LS_TOKEN, "--enable-legacy-api-token"]
    t0 = time.monotonic()
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                cwd=work, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Token {LS_TOKEN}"}
    try:
        _wait_http(f"{url}/api/projects/?page_size=1", headers, proc, log, timeout=600)
    except Exception:
        _kill_group(proc)
        raise
    server = Server("label-studio", url, headers, proc, data, log, started_in_s=time.monotonic() - t0)
    server.start_sampling()
    return server


def start_labelhouse(work: Path, port: int | None = None, src: Path | None = None) -> Server:
    """``labelhouse serve`` on its embedded default (SQLite in the data dir, in-process jobs); on an empty data
    dir it creates user 'admin' and prints its API key."""
    port = port or free_port()
    work = work.resolve()
    data = work / "labelhouse-data"
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    log = work / "labelhouse.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABELHOUSE_")}
    if src is not None:  # run the server from another source tree (e.g. an exported commit)
        env["PYTHONPATH"] = f"{src.resolve() / 'server' / 'src'}:{src.resolve() / 'sdk' / 'src'}"
    cmd = [str(LH_BIN), "serve", "--data-dir", str(data), "--port", str(port), "--log-level", "warning"]
    t0 = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                cwd=work, start_new_session=True)
    key = None
    deadline = time.monotonic() + 120
    while key is None and time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"labelhouse exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        lines = log.read_text().splitlines()
        for i, line in enumerate(lines):
            if "Its API key" in line and i + 1 < len(lines):
                key = lines[i + 1].strip()
        time.sleep(0.2)
    if not key:
        _kill_group(proc)
        raise RuntimeError(f"labelhouse printed no API key; see {log}")
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"APIKey {key}"}
    try:
        _wait_http(f"{url}/api_status/", headers, proc, log, timeout=120)
    except Exception:
        _kill_group(proc)
        raise
    server = Server("labelhouse", url, headers, proc, data, log, started_in_s=time.monotonic() - t0)
    server.start_sampling()
    return server


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)
