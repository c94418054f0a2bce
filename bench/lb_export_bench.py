"""Labelbox export benchmark (not a test; issue 13): ``project.export()`` of N labeled data rows read through the
official SDK's ``get_buffered_stream``, against a Segments release of the same data, in the same run.

Per size N (default 10,000 and 100,000) one ``labelhouse serve`` (SQLite, in-process jobs, the defaults) holds a
dataset of N image data rows (global key, external id), a project with an ontology (a ``car`` box and a ``road``
polygon), one batch of all N rows and a label on every row (one box and one polygon, in the project's labelset,
as a label written through either API is stored). The bulk data is inserted with SQL (the fill is not what is
measured); the dataset, ontology and project are made through the SDK. Then, per run (``--runs``, medians):

1. release: restart the server (a fresh process, so its peak RSS is this phase's), ``add_release`` through the
   official segments-ai SDK and poll ``get_release`` every 0.2 s until SUCCEEDED (the snapshot copy and the file
   build; the file is then downloaded once, timed separately);
2. export: restart the server, ``project.export()`` — with the SDK's default params (rows with their labels),
   and/or (``--params details``) with ``label_details``, ``project_details`` and ``data_row_details`` too —,
   ``wait_till_done()``, then every row through ``get_buffered_stream()`` (parsed by the SDK) — timed from the
   call to the last row; the server-side job time (task created -> finished) is reported too.

Server memory is the server process's VmHWM (peak resident set) from ``/proc`` after each phase, next to its
resident set just before the phase. Prints one JSON line per phase and run, then a summary per size.

Usage:  .venv/bin/python bench/lb_export_bench.py [--sizes 10000,100000] [--runs 1] [--params default,details]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import support  # the tests' scratch databases and free ports (tests/support.py)

LABEL = ('{{"format_version":"0.1","annotations":[{{"id":1,"category_id":1,"type":"bbox","points":[[{a},12],'
         '[{b},80]]}},{{"id":2,"category_id":2,"type":"polygon","points":[[1,2],[3,4],[5,{a}]]}}]}}')


def proc_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def setup(server: support.LiveServer, key: str, username: str, n: int) -> dict[str, Any]:
    """Dataset, ontology and project through the SDK; N rows, a batch and N labels with SQL."""
    import labelbox as lb
    from labelhouse_server.db.engine import make_engine
    from labelhouse_server.labelbox import ids
    from labelhouse_server.timeutil import now_iso
    from sqlalchemy import text

    client = lb.Client(api_key=key, endpoint=server.url + "/graphql", rest_endpoint=server.url + "/api/v1")
    name = f"bench{n}"
    dataset = client.create_dataset(name=name)
    ontology = client.create_ontology(f"onto{n}", lb.OntologyBuilder(
        tools=[lb.Tool(lb.Tool.Type.BBOX, "car"), lb.Tool(lb.Tool.Type.POLYGON, "road")]).asdict(),
        media_type=lb.MediaType.Image)
    project = client.create_project(name=f"p{n}", media_type=lb.MediaType.Image)
    project.connect_ontology(ontology)
    engine = make_engine(server.database_url)
    now = now_iso()
    dataset_pk, project_pk = ids.decode("dataset", dataset.uid), ids.decode("project", project.uid)
    with engine.begin() as conn:
        org = conn.execute(text("SELECT id FROM accounts WHERE username = :u"), {"u": username}).scalar()
        conn.execute(text("UPDATE datasets SET task_type = 'vector', task_attributes = :t WHERE id = :d"), {
            "t": json.dumps({"format_version": "0.1", "categories": [{"id": 1, "name": "car"},
                                                                     {"id": 2, "name": "road"}]}), "d": dataset_pk})
        conn.execute(text("INSERT INTO labelsets (dataset_id, name, description, is_groundtruth, created_at) "
                          "VALUES (:d, :n, '', false, :now)"),
                     {"d": dataset_pk, "n": f"project-{project.uid}", "now": now})
        labelset = conn.execute(text("SELECT id FROM labelsets WHERE dataset_id = :d AND name = :n"),
                                {"d": dataset_pk, "n": f"project-{project.uid}"}).scalar()
        conn.execute(text("INSERT INTO project_labelsets (project_id, dataset_id, labelset_id) VALUES (:p, :d, :l)"),
                     {"p": project_pk, "d": dataset_pk, "l": labelset})
        conn.execute(text("INSERT INTO batches (project_id, name, priority, created_by_id, created_at, updated_at) "
                          "VALUES (:p, 'all', 5, :u, :now, :now)"), {"p": project_pk, "u": org, "now": now})
        batch = conn.execute(text("SELECT id FROM batches WHERE project_id = :p"), {"p": project_pk}).scalar()
        queue = conn.execute(text("SELECT id FROM task_queues WHERE project_id = :p AND "
                                  "queue_type = 'INITIAL_LABELING_QUEUE'"), {"p": project_pk}).scalar()
    step = 10_000
    for lo in range(0, n, step):
        with engine.begin() as conn:
            names = [f"{name}-{i:07d}" for i in range(lo, min(n, lo + step))]
            conn.execute(text(
                "INSERT INTO samples (uuid, dataset_id, name, attributes, metadata, priority, readme, created_by_id, "
                "created_at, updated_at) VALUES (:uuid, :d, :name, :attrs, '{}', 0, '', :u, :now, :now)"),
                [{"uuid": str(uuid.uuid4()), "d": dataset_pk, "name": s, "u": org, "now": now,
                  "attrs": json.dumps({"image": {"url": f"https://example.com/images/{s}.jpg"}})} for s in names])
            pks = [r[0] for r in conn.execute(text("SELECT id FROM samples WHERE dataset_id = :d AND name >= :a "
                                                   "AND name <= :b ORDER BY name"),
                                              {"d": dataset_pk, "a": names[0], "b": names[-1]})]
            conn.execute(text("INSERT INTO data_rows (sample_id, org_id, global_key, external_id, media_type) "
                              "VALUES (:s, :o, :g, :e, 'IMAGE')"),
                         [{"s": pk, "o": org, "g": s, "e": f"ext-{s}"} for pk, s in zip(pks, names)])
            conn.execute(text("INSERT INTO project_data_rows (project_id, sample_id, batch_id, task_queue_id, priority, "
                              "created_at) VALUES (:p, :s, :b, :q, 5, :now)"),
                         [{"p": project_pk, "s": pk, "b": batch, "q": queue, "now": now} for pk in pks])
            conn.execute(text("INSERT INTO labels (sample_id, labelset_id, dataset_id, label_status, attributes, "
                              "created_by_id, updated_by_id, created_at, updated_at) VALUES (:s, :l, :d, 'LABELED', "
                              ":a, :u, :u, :now, :now)"),
                         [{"s": pk, "l": labelset, "d": dataset_pk, "u": org, "now": now,
                           "a": LABEL.format(a=k % 50, b=k % 50 + 30)} for k, pk in enumerate(pks)])
    engine.dispose()
    return {"dataset": f"{username}/{dataset.name}", "project": project.uid}


def cpu_s(pid: int) -> float:
    """The process's CPU time so far (user + system), from /proc: a figure the machine's load does not inflate."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load() -> float:
    return round(os.getloadavg()[0], 1)


def restart(server: support.LiveServer) -> int:
    server.stop()
    server.start()
    time.sleep(1.0)  # let start-up work (migrations check, job runner) settle
    assert server.proc is not None
    return server.proc.pid


def release_phase(server: support.LiveServer, key: str, target: dict[str, Any]) -> dict[str, Any]:
    import httpx

    pid = restart(server)
    rss_before = proc_kb(pid, "VmRSS")
    cpu0, load0 = cpu_s(pid), load()
    segments = server.segments(key)
    name = f"r-{uuid.uuid4().hex[:6]}"
    t0 = time.perf_counter()
    segments.add_release(target["dataset"], name)
    while True:
        release = segments.get_release(target["dataset"], name)
        if release.status in ("SUCCEEDED", "FAILED"):
            break
        time.sleep(0.2)
    build_s = time.perf_counter() - t0
    build_cpu = cpu_s(pid) - cpu0
    assert release.status == "SUCCEEDED", release
    t1 = time.perf_counter()
    size = len(httpx.get(release.attributes.url, timeout=600).content)
    download_s = time.perf_counter() - t1
    peak = proc_kb(pid, "VmHWM")
    segments.close()
    return {"phase": "release", "build_s": round(build_s, 2), "server_cpu_s": round(build_cpu, 2),
            "load": [load0, load()], "download_s": round(download_s, 2),
            "file_mb": round(size / 1e6, 1), "server_rss_before_mb": round(rss_before / 1024, 1),
            "server_peak_mb": round(peak / 1024, 1)}


PARAMS = {"default": None,
          "details": {"label_details": True, "project_details": True, "data_row_details": True}}


def export_phase(server: support.LiveServer, key: str, target: dict[str, Any], n: int,
                 params: str) -> dict[str, Any]:
    import labelbox as lb
    from labelbox.schema.export_task import StreamType

    pid = restart(server)
    rss_before = proc_kb(pid, "VmRSS")
    client = lb.Client(api_key=key, endpoint=server.url + "/graphql", rest_endpoint=server.url + "/api/v1")
    project = client.get_project(target["project"])
    cpu0, load0 = cpu_s(pid), load()
    t0 = time.perf_counter()
    task = project.export(params=PARAMS[params])
    task.wait_till_done()
    done_s = time.perf_counter() - t0
    assert task.status == "COMPLETE"
    rows = objects = 0
    for output in task.get_buffered_stream(StreamType.RESULT):
        rows += 1
        objects += len(output.json["projects"][target["project"]]["labels"][0]["annotations"]["objects"])
    total_s = time.perf_counter() - t0
    server_cpu = cpu_s(pid) - cpu0
    assert rows == n and objects == 2 * n, (rows, objects)
    job_s = (_parse(task.updated_at) - _parse(task.created_at))
    return {"phase": f"export-{params}", "sdk_total_s": round(total_s, 2), "until_complete_s": round(done_s, 2),
            "server_job_s": round(job_s, 2), "server_cpu_s": round(server_cpu, 2), "load": [load0, load()],
            "stream_mb": round(task.get_total_file_size(StreamType.RESULT) / 1e6, 1),
            "rows": rows, "server_rss_before_mb": round(rss_before / 1024, 1),
            "server_peak_mb": round(proc_kb(pid, "VmHWM") / 1024, 1)}


def _parse(value: Any) -> float:
    from datetime import datetime

    return value.timestamp() if isinstance(value, datetime) else datetime.fromisoformat(
        str(value).replace("Z", "+00:00")).timestamp()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--params", default="default,details")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, support.live_server("sqlite", Path(tmp)) as server:
        username, key = server.create_user()
        for n in [int(s) for s in args.sizes.split(",")]:
            t = time.perf_counter()
            target = setup(server, key, username, n)
            print(f"# N={n}: set up in {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
            variants = args.params.split(",")
            releases: list[dict[str, Any]] = []
            exports: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
            for run in range(args.runs):
                phases = ["release", *variants]
                for phase in (phases if run % 2 == 0 else phases[::-1]):
                    if phase == "release":
                        out = release_phase(server, key, target)
                        releases.append(out)
                    else:
                        out = export_phase(server, key, target, n, phase)
                        exports[phase].append(out)
                    print(json.dumps({"n": n, "run": run + 1, **out}), flush=True)
            release_s = statistics.median(r["build_s"] for r in releases)
            summary: dict[str, Any] = {
                "n": n, "runs": args.runs, "median_release_build_s": release_s,
                "median_release_server_cpu_s": statistics.median(r["server_cpu_s"] for r in releases),
                "median_release_server_peak_mb": statistics.median(r["server_peak_mb"] for r in releases)}
            for variant, outs in exports.items():
                export_s = statistics.median(e["sdk_total_s"] for e in outs)
                summary[variant] = {
                    "median_export_sdk_total_s": export_s,
                    "median_export_server_job_s": statistics.median(e["server_job_s"] for e in outs),
                    "export_over_release": round(export_s / release_s, 2),
                    "median_export_server_cpu_s": statistics.median(e["server_cpu_s"] for e in outs),
                    "median_export_server_peak_mb": statistics.median(e["server_peak_mb"] for e in outs)}
            print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
