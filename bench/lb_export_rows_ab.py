"""A/B of the export-v2 row reader (``exports/rows.py``) in process: the CPU seconds of reading every page of a
project export (``label_details``, ``project_details``, ``data_row_details``), this tree's reader against the one
of an older commit, alternated per round, on one database; both must give the same lines.

The database is ``lb_export_bench.setup``'s (N labeled image rows in one project, through a ``labelhouse serve``
on SQLite); the export's spec is the one the official SDK's ``project.export()`` enqueues.

Usage:  .venv/bin/python bench/lb_export_rows_ab.py --old <commit> [--rows 10000] [--rounds 6]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))
import lb_export_bench as bench
import support


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", required=True)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    import labelbox as lb
    import labelhouse_server.exports as package
    from labelhouse_server.db.engine import make_engine, make_sessionmaker
    from labelhouse_server.exports import rows as new
    from sqlalchemy import text

    old_source = subprocess.run(["git", "show", f"{args.old}:server/src/labelhouse_server/exports/rows.py"],
                                cwd=ROOT, check=True, capture_output=True, text=True).stdout
    old_path = Path(package.__file__).parent / "_rows_ab_old.py"  # imported as a sibling (relative imports)
    old_path.write_text(old_source)
    try:
        from labelhouse_server.exports import _rows_ab_old as old  # type: ignore[attr-defined]
    finally:
        old_path.unlink()
    with tempfile.TemporaryDirectory() as tmp, support.live_server("sqlite", Path(tmp)) as server:
        username, key = server.create_user()
        target = bench.setup(server, key, username, args.rows)
        client = lb.Client(api_key=key, endpoint=server.url + "/graphql", rest_endpoint=server.url + "/api/v1")
        client.get_project(target["project"]).export(params=bench.PARAMS["details"]).wait_till_done()
        engine = make_engine(server.database_url)
        sessions = make_sessionmaker(engine)
        with engine.connect() as conn:
            payload = json.loads(conn.execute(text("SELECT payload FROM jobs WHERE kind = 'labelbox.export'")).scalar())

        def read_all(module: Any) -> tuple[float, list[bytes]]:
            t = time.process_time()
            with sessions() as session:
                reader = module.ExportReader(session, payload["spec"], payload["org_id"])
            lines = [line for page in reader.pages(sessions) for line in page.lines]
            return time.process_time() - t, lines

        cpu: dict[str, list[float]] = {"old": [], "new": []}
        reference: list[bytes] | None = None
        load0 = os.getloadavg()[0]
        for r in range(args.rounds):
            order = [("old", old), ("new", new)]
            for name, module in (order if r % 2 == 0 else order[::-1]):
                seconds, lines = read_all(module)
                reference = reference or lines
                assert lines == reference and len(lines) == args.rows, name
                cpu[name].append(round(seconds, 3))
        engine.dispose()
    old_s, new_s = statistics.median(cpu["old"]), statistics.median(cpu["new"])
    print(json.dumps({"rows": args.rows, "old": args.old, "cpu_s": cpu, "median_old_s": old_s,
                      "median_new_s": new_s, "new_over_old": round(new_s / old_s, 3),
                      "load": [round(load0, 1), round(os.getloadavg()[0], 1)]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
