"""Byte-for-byte parity of the samples listing between two versions of the server (issue 16: a listing produced
another way must answer the same bytes): one ``labelhouse serve`` per version on ONE database, the same listings
asked of both, status, body and ``Link`` header compared. Listings walk their ``Link`` continuation too.

    .venv/bin/python bench/listing_parity.py --before-src DIR [--database-url URL] [--n 3000]

``--before-src`` is the other version's ``server/src`` (``git archive <commit> server/src | tar -x -C DIR``).
Without ``--database-url`` a fresh SQLite file; with a PostgreSQL URL a fresh database is created on that server
and dropped after. The data is awkward on purpose: escapes and non-ASCII in names and metadata, floats that 15
digits would change, -0.0, nulls, embeddings, assignees, labels in every status by several users, a second
labelset, unlabeled samples."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import orjson

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(ROOT.parent / "tests")]

from samples_bench import make_user, serve
from server.samples.payloads import TASK_ATTRIBUTES, label_attributes, sample_attributes
from support import fresh_database, unique

PRIORITIES = [0.1 + 0.2, 1e300, 5e-324, -0.0, 3.0, 0.8444218515250481, -2.5, 1e16, 123456789.12345679, 0.0, 1e-5]
SCORES = [None, 0.1 + 0.2, 0.5, 1e-7, 0.9999999999999999, -0.0]
STATUSES = ["LABELED", "REVIEWED", "REJECTED", "PRELABELED", "SKIPPED"]


def build(url: str, db_url: str, n: int) -> tuple[str, str]:
    _, owner_key = make_user(db_url)
    with httpx.Client(base_url=url, headers={"Authorization": f"APIKey {owner_key}"}, timeout=120) as http:
        r = http.post("/user/datasets/", json={"name": unique("parity"), "task_type": "vector",
                                               "task_attributes": TASK_ATTRIBUTES})
        r.raise_for_status()
        full = r.json()["full_name"]
        others = []
        for role in ("labeler", "reviewer"):
            _, key = make_user(db_url)
            me = httpx.get(f"{url}/user/", headers={"Authorization": f"APIKey {key}"}).json()["username"]
            http.post(f"/datasets/{full}/collaborators/", json={"user": me, "role": role}).raise_for_status()
            others.append((me, key))
        http.post(f"/datasets/{full}/labelsets/", json={"name": "second"}).raise_for_status()
        samples = []
        for i in range(n):
            sample: dict[str, Any] = {"name": f"s{i:05d} \"q\" \\ \u00e9\u4e2d\U0001f600 \n\t\x01/{i % 7}",
                                      "attributes": sample_attributes("vector"),
                                      "priority": PRIORITIES[i % len(PRIORITIES)]}
            if i % 3:
                sample["metadata"] = {"camera": i % 4, "weather": "rain" if i % 5 else "sun\u00e9\"",
                                      "flag": bool(i % 2), "nested": {"f": 0.1 + 0.2, "l": [1, None, True]}}
            if i % 4 == 0:
                sample["embedding"] = [0.1 + 0.2, -1.0, float(i)]
            if i % 5 == 0:
                sample["readme"] = f"read me \"{i}\"\n"
            if i % 6 == 0:
                sample["assigned_labeler"] = others[0][0]
            if i % 7 == 0:
                sample["assigned_reviewer"] = others[1][0]
            samples.append(sample)
        uuids = []
        for start in range(0, n, 1000):
            r = http.post(f"/datasets/{full}/samples_bulk/", json=samples[start:start + 1000])
            r.raise_for_status()
            uuids += [s["uuid"] for s in r.json()]
    keys = [owner_key, others[0][1], others[1][1]]
    with httpx.Client(base_url=url, timeout=120) as http:
        for i, uuid in enumerate(uuids):
            if i % 4 == 3 or i % 3 == 2 and i > 300:
                continue  # unlabeled (and most of the tail, to keep the build short)
            body: dict[str, Any] = {"attributes": label_attributes("vector"), "label_status": STATUSES[i % 5]}
            if SCORES[i % len(SCORES)] is not None:
                body["score"] = SCORES[i % len(SCORES)]
            labelset = "second" if i % 11 == 0 else "ground-truth"
            writer = keys[(0, 2)[i % 2]] if body["label_status"] in ("REVIEWED", "REJECTED") else keys[i % 3]
            r = http.put(f"/labels/{uuid}/{labelset}/", json=body, headers={"Authorization": f"APIKey {writer}"})
            assert r.status_code in (200, 201), r.text
    return full, owner_key


QUERIES = [
    "", "?labelset=ground-truth", "?labelset=second", "?labelset=ground-truth&include_full_label=1",
    "?labelset=ground-truth&per_page=7&page=3", "?per_page=100&page=2&labelset=ground-truth",
    "?labelset=ground-truth&per_page=1000&page=99", "?per_page=desc&sort=-None&labelset=x/y",
    "?labelset=ground-truth&filters=camera:1", "?filters=camera:1,weather:rain", "?filters=flag:true&per_page=50",
    "?filters=weather:sun%C3%A9%22", "?filters=nested.f:1", "?name__contains=%C3%A9&per_page=50",
    "?name__contains=/3&sort=-name&per_page=60", "?label_status=UNLABELED&per_page=80",
    "?label_status=REVIEWED,REJECTED&labelset=ground-truth&per_page=90",
    "?label_status=labeled,unlabeled&labelset=second&per_page=70", "?label_status=SKIPPED&sort=-priority",
    "?sort=priority&per_page=64", "?sort=-priority&per_page=64&labelset=ground-truth",
    "?sort=created&per_page=128", "?sort=-updated_at&per_page=128", "?sort=gt_label__updated_at&per_page=100",
    "?sort=-label__updated_at&per_page=100&page=2&labelset=ground-truth", "?sort=junk&per_page=0&page=-3",
    "?per_page=50&page=2&page=3", "?after=junk", "?per_page=10&after=eyJ4Ijox",
]


def _path_of(link: str | None) -> str | None:
    """The Link header without its origin (each server has its own port)."""
    return None if link is None else link[link.index("/datasets/"):]


def _body_of(r: httpx.Response) -> bytes:
    """The body; an error's without its ``request_id`` (each server numbers its own requests)."""
    if r.status_code == 200:
        return r.content
    body = orjson.loads(r.content)
    body.pop("request_id")
    return orjson.dumps(body)


def compare(servers: dict[str, httpx.Client], path: str, walk: bool) -> int:
    """Ask every server ``path`` (and, with ``walk``, follow the Link header to the end); the pages compared."""
    pages = 0
    while True:
        answers = {w: c.get(path) for w, c in servers.items()}
        seen = {(r.status_code, _body_of(r), _path_of(r.headers.get("link"))) for r in answers.values()}
        if len(seen) != 1:
            raise SystemExit(f"DIFFERENT answers for {path}: " + ", ".join(
                f"{w}: {r.status_code} {len(r.content)} bytes" for w, r in answers.items()))
        pages += 1
        link = next(iter(answers.values())).headers.get("link")
        if not walk or link is None:
            return pages
        path = _path_of(link)[:-len('>; rel="next"')]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before-src", type=Path, required=True)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        backend = "postgresql" if args.database_url else "sqlite"
        with fresh_database(backend, tmp, args.database_url, prefix="lh_parity") as db_url:
            (tmp / "after").mkdir()
            (tmp / "before").mkdir()
            with serve(db_url, tmp / "after") as (url, _pid), \
                    serve(db_url, tmp / "before", extra_env={"PYTHONPATH": str(args.before_src.resolve())}) \
                    as (before_url, _pid2):
                full, key = build(url, db_url, args.n)
                headers = {"Authorization": f"APIKey {key}"}
                with httpx.Client(base_url=url, headers=headers, timeout=120) as a, \
                        httpx.Client(base_url=before_url, headers=headers, timeout=120) as b:
                    servers = {"after": a, "before": b}
                    total = 0
                    for query in QUERIES:
                        total += compare(servers, f"/datasets/{quote(full)}/samples/{query}", walk=True)
                    for bad in ("/datasets/nobody/none/samples/", f"/datasets/{quote(full)}x/samples/"):
                        total += compare(servers, bad, walk=False)
                    for client in servers.values():  # no key: 401 on both
                        client.headers.pop("Authorization")
                    total += compare(servers, f"/datasets/{quote(full)}/samples/", walk=False)
        print(f"{backend}: {len(QUERIES) + 3} listings, {total} pages: the same status, bytes and Link on both")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
