"""The release file's samples, byte for byte: what the build job writes (``releases.builder``) against a plain
rendering of the same rows (dicts as contract §6.2 shapes them, stored JSON spliced as stored, orjson), on awkward
data: two labelsets, samples with no label, with one of the two, with both; NULL attributes and scores,
0.1 + 0.2, quotes, non-ASCII and line separators in names. Guards the build loop's shortcuts (shared all-null
``labels``, the one-labelset case) against changing a byte of the file."""

from __future__ import annotations

import time

import orjson
from sqlalchemy import create_engine, text
from support import unique

TASK = {"format_version": "0.1", "categories": [{"id": 1, "name": "car"}]}
BOX = {"format_version": "0.1", "annotations": [{"id": 1, "category_id": 1, "type": "bbox",
                                                 "points": [[1.5, 2], [3, 4e-7]]}]}


def _released(http, ds: str, name: str) -> bytes:
    assert http.post(f"/datasets/{ds}/releases/", json={"name": name}).status_code == 201
    deadline = time.monotonic() + 60
    while (release := http.get(f"/datasets/{ds}/releases/{name}/").json())["status"] == "PENDING":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert release["status"] == "SUCCEEDED"
    r = http.get("/files/" + release["attributes"]["url"].split("/files/", 1)[1])
    assert r.status_code == 200
    return r.content


def _plain_samples(database_url: str, ds_name: str) -> bytes:
    """The samples array (without its brackets) rendered the plain way from the live rows (unchanged since)."""
    null, empty = orjson.Fragment(b"null"), orjson.Fragment(b"{}")
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            ds_id = conn.execute(text("SELECT id FROM datasets WHERE name = :n"), {"n": ds_name}).scalar_one()
            labelsets = conn.execute(text("SELECT id, name FROM labelsets WHERE dataset_id = :d ORDER BY id"),
                                     {"d": ds_id}).all()
            samples = conn.execute(text("SELECT id, uuid, name, attributes, metadata, created_at FROM samples "
                                        "WHERE dataset_id = :d ORDER BY id"), {"d": ds_id}).all()
            labels = conn.execute(text(
                "SELECT l.sample_id, l.labelset_id, l.label_status, l.attributes, l.score, cu.username, "
                "uu.username, ru.username, l.created_at, l.updated_at FROM labels l "
                "LEFT JOIN accounts cu ON cu.id = l.created_by_id LEFT JOIN accounts uu ON uu.id = l.updated_by_id "
                "LEFT JOIN accounts ru ON ru.id = l.reviewed_by_id WHERE l.dataset_id = :d"), {"d": ds_id}).all()
    finally:
        engine.dispose()
    names = dict(labelsets)
    by_sample: dict[int, dict[str, dict]] = {}
    for sid, lsid, status, attrs, score, cby, uby, rby, cat, uat in labels:
        by_sample.setdefault(sid, {})[names[lsid]] = {
            "label_status": status, "attributes": null if attrs is None else orjson.Fragment(attrs), "score": score,
            "created_at": cat, "created_by": cby, "updated_at": uat, "updated_by": uby, "reviewed_by": rby}
    out = [{"uuid": uuid, "name": name, "attributes": null if attrs is None else orjson.Fragment(attrs),
            "metadata": empty if meta is None else orjson.Fragment(meta), "created_at": created_at,
            "labels": {n: by_sample.get(sid, {}).get(n) for n in names.values()}}
           for sid, uuid, name, attrs, meta, created_at in samples]
    return orjson.dumps(out)[1:-1]


def _samples_part(release_file: bytes) -> bytes:
    _, _, rest = release_file.partition(b'"samples":[')
    assert rest.endswith(b"]}}")
    return rest[:-3]


def test_release_file_bytes_match_the_plain_rendering(app):
    _, key = app.create_user()
    with app.client(key) as http:
        ds_name = unique("file")
        ds = http.post("/user/datasets/", json={"name": ds_name, "task_type": "vector",
                                               "task_attributes": TASK}).json()["full_name"]
        # one labelset: each sample's own labels object is its "labels"
        uuids = {}
        for name in ('plain', 'q"uo\\te \u00fcn\u00efc\u00f6de \u2028 \U0001f600', "nolabel", "nulls"):
            r = http.post(f"/datasets/{ds}/samples/", json={
                "name": name, "attributes": {"image": {"url": "https://example.com/\u00e9.png"}},
                "metadata": {"z": 1, "a": [0.1, None, "\u2029"]}})
            assert r.status_code == 201, r.text
            uuids[name] = r.json()["uuid"]
        for name in ("plain", 'q"uo\\te \u00fcn\u00efc\u00f6de \u2028 \U0001f600', "nulls"):
            r = http.put(f"/labels/{uuids[name]}/ground-truth/", json={"label_status": "LABELED",
                                                                        "attributes": BOX, "score": 0.5})
            assert r.status_code in (200, 201), r.text
        engine = create_engine(app.database_url)
        try:
            with engine.begin() as conn:
                conn.execute(text("UPDATE samples SET attributes = NULL WHERE uuid = :u"),
                             {"u": uuids["nulls"]})
                conn.execute(text("UPDATE labels SET attributes = NULL, score = NULL, label_status = 'SKIPPED' "
                                  "WHERE sample_id = (SELECT id FROM samples WHERE uuid = :u)"), {"u": uuids["nulls"]})
                conn.execute(text("UPDATE labels SET score = :s WHERE sample_id = (SELECT id FROM samples "
                                  "WHERE uuid = :u)"), {"s": 0.1 + 0.2, "u": uuids["plain"]})
        finally:
            engine.dispose()
        one = _released(http, ds, "one-labelset")
        assert _samples_part(one) == _plain_samples(app.database_url, ds_name)

        # two labelsets: samples with neither, one of them, or both
        assert http.post(f"/datasets/{ds}/labelsets/", json={"name": "predictions"}).status_code == 201
        for name in ("plain", "nolabel"):
            r = http.put(f"/labels/{uuids[name]}/predictions/", json={"label_status": "PRELABELED",
                                                                       "attributes": BOX, "score": 1e-300})
            assert r.status_code in (200, 201), r.text
        r = http.post(f"/datasets/{ds}/samples/", json={"name": "late", "attributes": {"image": {"url": "x"}}})
        assert r.status_code == 201, r.text
        two = _released(http, ds, "two-labelsets")
        assert _samples_part(two) == _plain_samples(app.database_url, ds_name)
        assert b'"predictions":null' in two and b'"ground-truth":null' in two
