"""Python-heap peak (tracemalloc) of an export's work — ExportReader pages into a ChunkWriter on a local store,
in this process — at each N, on the data ``bench/lb_export_bench.py`` builds (same set-up). Separates what the
export itself holds from the server's resident set (which also holds SQLite's page caches). Usage:

    .venv/bin/python bench/lb_export_heap.py 10000 100000
"""

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import lb_export_bench as B
import support
from labelhouse_server.db.engine import make_engine, make_sessionmaker
from labelhouse_server.exports.rows import ExportReader
from labelhouse_server.exports.spec import parse_input
from labelhouse_server.exports.streams import ChunkWriter
from labelhouse_server.storage.local import LocalStore
from sqlalchemy import text

with tempfile.TemporaryDirectory() as tmp, support.live_server("sqlite", Path(tmp)) as server:
    username, key = server.create_user()
    for n in [int(a) for a in sys.argv[1:]]:
        target = B.setup(server, key, username, n)
        engine = make_engine(server.database_url)
        sessions = make_sessionmaker(engine)
        spec = parse_input({"filters": {"projectId": target["project"], "searchQuery": {"query": []}}, "params": {}},
                           project=True)
        with sessions() as s:
            org = s.execute(text("SELECT id FROM accounts WHERE username=:u"), {"u": username}).scalar()
        store = LocalStore(Path(tmp) / f"heap-{n}", "http://127.0.0.1:1", Path(tmp) / "secret")
        tracemalloc.start()
        t = time.perf_counter()
        with sessions() as s:
            reader = ExportReader(s, spec, org)
        writer = ChunkWriter(store, f"lb-exports/heap{n}", "RESULT", 8 * 1024 * 1024)
        for page in reader.pages(sessions):
            for line in page.lines:
                writer.add(line)
        index = writer.close()
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print({"n": n, "lines": index["lines"], "bytes": index["size"], "chunks": len(index["chunks"]),
               "python_heap_peak_mb": round(peak / 1e6, 1), "seconds_traced": round(time.perf_counter() - t, 1)},
              flush=True)
        engine.dispose()
