"""Listing pages written as JSON by the database (``samples/pages.py``, SQLite) answer exactly what the Python
shaping answers (``listing_json_in_database=false``): two apps on one database, the same listings, the same bytes.

The data is chosen to be awkward: names needing JSON escapes, non-ASCII text, floats that 15
significant digits would change (``0.1 + 0.2``, ``1e300``, the smallest subnormal), integral priorities, missing
and empty metadata, embeddings on some samples only, assigned labelers and reviewers, labels with and without a
score, reviewed and not, by several users, and unlabeled samples."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from server.samples.payloads import TASK_ATTRIBUTES, label_attributes, sample_attributes
from support import InProcessApp, backends, fresh_database, unique

PRIORITIES = [0.1 + 0.2, 1e300, 5e-324, -0.0, 3, 0.8444218515250481, -2.5, 1e16, 123456789.12345679, 0.0]
SCORES = [None, 0.1 + 0.2, 0.5, 1e-7, 0.9999999999999999]


@pytest.fixture(scope="module", params=backends())
def apps(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
        tuple[InProcessApp, InProcessApp]]:
    """The default app and one shaping listings in Python, on one database."""
    tmp: Path = tmp_path_factory.mktemp(f"listing-json-{request.param}")
    with fresh_database(request.param, tmp) as url, \
            InProcessApp(request.param, url, tmp / "sql").running() as in_sql, \
            InProcessApp(request.param, url, tmp / "py", listing_json_in_database=False).running() as in_python:
        yield in_sql, in_python


@pytest.fixture(scope="module")
def listed(apps: tuple[InProcessApp, InProcessApp]) -> tuple[str, str]:
    """The dataset (full name) and its owner's key."""
    app = apps[0]
    _, owner_key = app.create_user(unique("ow.ner"))
    labeler, labeler_key = app.create_user(unique("lab_eler"))
    reviewer, reviewer_key = app.create_user(unique("rev"))
    with app.client(owner_key) as http:
        r = http.post("/user/datasets/", json={"name": unique("ds"), "task_type": "vector",
                                               "task_attributes": TASK_ATTRIBUTES})
        assert r.status_code == 201, r.text
        full = r.json()["full_name"]
        for user, role in ((labeler, "labeler"), (reviewer, "reviewer")):
            r = http.post(f"/datasets/{full}/collaborators/", json={"user": user, "role": role})
            assert r.status_code == 201, r.text
        samples = []
        for i in range(40):
            sample = {"name": f"s{i:02d} \"q\" \\ \u00e9\u4e2d\U0001f600 \n\t\x01/", "attributes": sample_attributes("vector"),
                      "priority": PRIORITIES[i % len(PRIORITIES)]}
            if i % 3:
                sample["metadata"] = {"k": i, "nested": {"f": 0.1 + 0.2, "s": "\u00e9\"", "l": [1, None, True]}}
            if i % 4 == 0:
                sample["embedding"] = [0.1 + 0.2, -1.0, i]
            if i % 5 == 0:
                sample["readme"] = f"read me \"{i}\"\n"
            if i % 6 == 0:
                sample["assigned_labeler"] = labeler
            if i % 7 == 0:
                sample["assigned_reviewer"] = reviewer
            samples.append(sample)
        r = http.post(f"/datasets/{full}/samples_bulk/", json=samples)
        assert r.status_code == 201, r.text
        uuids = [s["uuid"] for s in r.json()]
    for i, uuid in enumerate(uuids):
        if i % 4 == 3:
            continue  # unlabeled
        key = labeler_key if i % 2 else owner_key
        body = {"attributes": label_attributes("vector"), "label_status": "LABELED"}
        if SCORES[i % len(SCORES)] is not None:
            body["score"] = SCORES[i % len(SCORES)]
        with app.client(key) as http:
            r = http.put(f"/labels/{uuid}/ground-truth/", json=body)
            assert r.status_code == 201, r.text
        if i % 5 == 1:
            with app.client(reviewer_key) as http:
                r = http.put(f"/labels/{uuid}/ground-truth/", json={**body, "label_status": "REVIEWED"})
                assert r.status_code == 200, r.text
    return full, owner_key


@pytest.mark.parametrize("query", [
    "",
    "?labelset=ground-truth",
    "?labelset=ground-truth&per_page=7&page=2",
    "?labelset=ground-truth&sort=-priority",
    "?labelset=ground-truth&label_status=UNLABELED,REVIEWED",
    "?labelset=no-such-labelset&sort=created_at",
    "?labelset=ground-truth&include_full_label=1",
    "?labelset=ground-truth&per_page=5&page=99",
])
def test_listings_written_by_the_database_are_the_bytes_python_writes(
        apps: tuple[InProcessApp, InProcessApp], listed: tuple[str, str], query: str) -> None:
    in_sql, in_python = apps
    full, key = listed
    with in_sql.client(key) as a, in_python.client(key) as b:
        ours = a.get(f"/datasets/{full}/samples/{query}")
        theirs = b.get(f"/datasets/{full}/samples/{query}")
    assert ours.status_code == theirs.status_code == 200
    assert ours.content == theirs.content
    assert ours.headers.get("link") == theirs.headers.get("link")
    listed = ours.json()
    if "page=99" not in query:
        assert listed, "the listing is not empty"
    if "labelset=ground-truth" in query and "UNLABELED" not in query and "page=99" not in query:
        assert any(s["label"] is None for s in listed) or "per_page" in query
        assert any(s["label"] is not None for s in listed)
