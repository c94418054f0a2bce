"""Labelbox label-import benchmark (not a test; issue 13): ``LabelImport.create_from_objects`` through the
unmodified ``labelbox==7.17.0`` SDK against a real ``labelhouse serve`` on a fresh database per backend.

Two imports of rectangle lines (5 per data row) into a project whose rows are all in a batch: one small enough to
finish inside the request (``LABELHOUSE_LABELBOX_SYNC_ROWS``, default 2,000 lines) and one that runs as a
background job, polled (``refresh``) every 0.2 s. Reported: time to the first answer, time until FINISHED, lines/s.

Usage:  .venv/bin/python bench/labelbox_imports_bench.py [--rows 400 2000] [--per-row 5] [--backends sqlite postgresql]
(PostgreSQL needs LABELHOUSE_TEST_DATABASE_URL, as the tests do.)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "labelbox"))
import support  # the tests' scratch databases and live servers (tests/support.py)
from lbsupport import labelbox_client


def run(backend: str, row_counts: list[int], per_row: int) -> None:
    from labelbox import MediaType, OntologyBuilder, Tool
    from labelbox.schema.annotation_import import LabelImport

    with tempfile.TemporaryDirectory() as tmp, support.live_server(backend, Path(tmp)) as server:
        _, key = server.create_user()
        client = labelbox_client(server, key)
        ontology = client.create_ontology("bench", OntologyBuilder(tools=[Tool(tool=Tool.Type.BBOX, name="car")])
                                          .asdict(), media_type=MediaType.Image)
        project = client.create_project(name="bench", media_type=MediaType.Image)
        project.connect_ontology(ontology)
        dataset = client.create_dataset(name="bench")
        for n_rows in row_counts:
            keys = [support.unique("k") for _ in range(n_rows)]
            dataset.create_data_rows([{"row_data": f"https://example.com/{k}.jpg", "global_key": k}
                                      for k in keys]).wait_till_done()
            project.create_batch(support.unique("b"), global_keys=keys)
            lines = [{"uuid": str(uuid.uuid4()), "dataRow": {"globalKey": k}, "name": "car",
                      "bbox": {"top": i, "left": i, "height": 5, "width": 5}} for k in keys for i in range(per_row)]
            start = time.perf_counter()
            job = LabelImport.create_from_objects(client, project.uid, support.unique("imp"), lines)
            first = time.perf_counter() - start
            while job.state.value == "RUNNING":
                time.sleep(0.2)
                job.refresh()
            total = time.perf_counter() - start
            assert job.state.value == "FINISHED" and job.errors == [], job.errors[:3]
            print(f"{backend}: {len(lines)} lines / {n_rows} rows: first answer {first:.2f} s, FINISHED after "
                  f"{total:.2f} s, {len(lines) / total:.0f} lines/s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[400, 2000])
    parser.add_argument("--per-row", type=int, default=5)
    parser.add_argument("--backends", nargs="+", default=support.backends())
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    for backend in args.backends:
        run(backend, args.rows, args.per_row)


if __name__ == "__main__":
    main()
