"""What a labeling team does to one labelhouse, as a locust load (issue 16). Run by bench/scaleout/run.py:

    locust -f bench/scaleout/locustfile.py --headless -u 54 -r 20 -t 90s --host URL --csv PREFIX

Environment (run.py sets it): LH_KEY (API key), LH_DATASET (the labelers' dataset, pre-filled and pre-labeled),
LH_IMPORT_DATASET (where the importer adds samples), LH_UUIDS (a JSON file with the labelers' sample uuids),
LH_LABELERS / LH_READERS (how many of each; one importer and one exporter always).

- ``Labeler`` (50): takes the next sample nobody has taken, opens it (GET sample), reads its label (GET label),
  "draws" for 1-3 s, autosaves (PUT label, LABELING_IN_PROGRESS), draws 1-3 s more, submits (PUT label, LABELED), next.
  About one label write every 2 s per labeler.
- ``Importer`` (1): one ``samples_bulk`` request of 1,000 samples (gzip, as the SDK sends them) every 2 s.
- ``Exporter`` (1): creates a release of the labelers' dataset, polls it every 0.5 s until the worker has built
  it (reported as the pseudo-request "release create -> SUCCEEDED"), downloads the file from S3 (moto), waits 5 s.
- ``Reader`` (2): lists a random page of 100 samples with label summaries every 1-2 s.
- ``Prober`` (1): ``GET /healthz`` (no database, no auth) every 0.5 s: the latency floor of this machine at this
  moment, in the same run. On a shared, overloaded machine most of a request's latency is waiting for a CPU;
  the prober shows how much.

Any answer other than the expected status counts as a failure (the target is 0).
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import random
import time
from pathlib import Path

import orjson
from locust import between, constant_pacing, events, task
from locust.contrib.fasthttp import FastHttpUser

KEY = os.environ.get("LH_KEY", "")
DATASET = os.environ.get("LH_DATASET", "")
IMPORT_DATASET = os.environ.get("LH_IMPORT_DATASET", "")
UUIDS: list[str] = json.loads(Path(os.environ["LH_UUIDS"]).read_text()) if os.environ.get("LH_UUIDS") else []
_next_sample = itertools.count()
_imports = itertools.count()
AUTH = {"Authorization": f"APIKey {KEY}"}
JSON_GZIP = {**AUTH, "Content-Type": "application/json", "Content-Encoding": "gzip"}


def label_body(status: str) -> bytes:
    x, y = random.uniform(0, 400), random.uniform(0, 300)
    return gzip.compress(orjson.dumps({"label_status": status, "attributes": {"format_version": "0.1", "annotations": [
        {"id": 1, "category_id": 1, "type": "bbox", "points": [[x, y], [x + 50, y + 40]]},
        {"id": 2, "category_id": 2, "type": "polygon", "points": [[y, x], [y + 30, x], [y + 30, x + 30]],
         "attributes": {"occluded": False}}]}}), compresslevel=1)


class Labeler(FastHttpUser):
    fixed_count = int(os.environ.get("LH_LABELERS", "50"))
    wait_time = between(0.5, 1.5)  # between samples

    @task
    def label_one_sample(self) -> None:
        uuid = UUIDS[next(_next_sample) % len(UUIDS)]
        self.client.get(f"/samples/{uuid}/", headers=AUTH, name="GET sample")
        self.client.get(f"/labels/{uuid}/ground-truth/", headers=AUTH, name="GET label")
        time.sleep(random.uniform(1, 3))
        self.client.put(f"/labels/{uuid}/ground-truth/", data=label_body("LABELING_IN_PROGRESS"), headers=JSON_GZIP,
                        name="PUT label")
        time.sleep(random.uniform(1, 3))
        self.client.put(f"/labels/{uuid}/ground-truth/", data=label_body("LABELED"), headers=JSON_GZIP,
                        name="PUT label")


class Reader(FastHttpUser):
    fixed_count = int(os.environ.get("LH_READERS", "2"))
    wait_time = between(1, 2)

    @task
    def list_page(self) -> None:
        pages = max(1, len(UUIDS) // 100)
        self.client.get(f"/datasets/{DATASET}/samples/?per_page=100&page={random.randint(1, pages)}"
                        "&labelset=ground-truth", headers=AUTH, name="GET samples page (100)")


class Prober(FastHttpUser):
    fixed_count = 1
    wait_time = constant_pacing(0.5)

    @task
    def health(self) -> None:
        self.client.get("/healthz", name="GET /healthz (floor)")


class Importer(FastHttpUser):
    fixed_count = 1
    wait_time = constant_pacing(2)

    @task
    def import_batch(self) -> None:
        n = next(_imports)
        items = [{"name": f"import-{n:06d}-{i:04d}.jpg",
                  "attributes": {"image": {"url": f"https://example.com/imports/{n}/{i}.jpg"}},
                  "metadata": {"camera": i % 4, "batch": n}} for i in range(1000)]
        self.client.post(f"/datasets/{IMPORT_DATASET}/samples_bulk/", data=gzip.compress(orjson.dumps(items), 1),
                         headers=JSON_GZIP, name="POST samples_bulk (1000)")


class Exporter(FastHttpUser):
    fixed_count = 1
    wait_time = constant_pacing(5)

    @task
    def release(self) -> None:
        name = f"v{time.time_ns()}"
        started = time.perf_counter()
        r = self.client.post(f"/datasets/{DATASET}/releases/", json={"name": name}, headers=AUTH,
                             name="POST release")
        if r.status_code != 200 and r.status_code != 201:
            return
        error: Exception | None = None
        url = None
        while time.perf_counter() - started < 120:
            time.sleep(0.5)
            got = self.client.get(f"/datasets/{DATASET}/releases/{name}/", headers=AUTH, name="GET release")
            body = got.json() if got.status_code == 200 else {}
            if body.get("status") == "SUCCEEDED":
                url = body["attributes"]["url"]
                break
            if body.get("status") == "FAILED":
                error = RuntimeError(f"release failed: {body}")
                break
        else:
            error = TimeoutError("release not built in 120 s")
        events.request.fire(request_type="JOB", name="release create -> SUCCEEDED",
                            response_time=(time.perf_counter() - started) * 1000, response_length=0,
                            exception=error, context={})
        if url:
            with self.client.get(url, name="GET release file (S3)", catch_response=True) as got:
                if got.status_code != 200 or not got.content.startswith(b"{"):
                    got.failure(f"release file: {got.status_code}")
