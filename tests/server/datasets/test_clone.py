"""Cloning copies samples (and, asked to, labels) in one INSERT per batch of samples, not one per sample, and the
copy is exact: names, attributes, metadata, and each label on the copy of its own sample."""

from __future__ import annotations

from server.samples.payloads import TASK_ATTRIBUTES, label_attributes, sample_attributes
from support import CountingApp, unique


def test_clone_copies_exactly_with_one_insert_per_batch(app, tmp_path):
    _, key = app.create_user(unique("owner"))
    with app.client(key) as http:
        full = http.post("/user/datasets/", json={"name": unique("src"), "task_type": "vector",
                                                  "task_attributes": TASK_ATTRIBUTES}).json()["full_name"]
        r = http.post(f"/datasets/{full}/samples_bulk/", json=[
            {"name": f"s{i}", "attributes": sample_attributes("vector"), "metadata": {"i": i}} for i in range(40)])
        assert r.status_code == 201, r.text
        for sample in r.json()[:10]:
            assert http.put(f"/labels/{sample['uuid']}/ground-truth/",
                            json={"attributes": label_attributes("vector"), "label_status": "LABELED",
                                  "score": int(sample["name"][1:])}).status_code == 201
    counting = CountingApp(app, tmp_path)
    try:
        r = counting.request("POST", f"/datasets/{full}/clone/", key, json={"name": unique("copy"), "clone_labels": True})
        assert r.status_code == 201, r.text
        sample_inserts = [s for s in counting.statements if s.lstrip().upper().startswith("INSERT INTO SAMPLES")]
    finally:
        counting.close()
    assert len(sample_inserts) == 1, sample_inserts
    copy = r.json()["full_name"]
    with app.client(key) as http:
        copied = http.get(f"/datasets/{copy}/samples/?per_page=1000&labelset=ground-truth").json()
    assert sorted((s["name"], s["metadata"]["i"]) for s in copied) == sorted((f"s{i}", i) for i in range(40))
    with app.client(key) as http:
        labels = {s["name"]: http.get(f"/labels/{s['uuid']}/ground-truth/") for s in copied}
    assert sorted(n for n, r in labels.items() if r.status_code == 200) == sorted(f"s{i}" for i in range(10))
    for name, r in labels.items():
        if r.status_code == 200:
            assert r.json()["score"] == int(name[1:])
            assert r.json()["attributes"] == label_attributes("vector")
