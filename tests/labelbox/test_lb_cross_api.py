"""One domain, two protocols: data rows created with the Labelbox SDK are samples for the segments-ai SDK, and
samples added through the Segments API are data rows for the Labelbox SDK."""

from __future__ import annotations

from support import unique


def test_labelbox_rows_are_segments_samples(server, user, lb_client, segments_client):
    username, _ = user
    ds = lb_client.create_dataset(name=unique("both"))
    prefix = unique("x")
    ds.create_data_rows([{"row_data": f"https://example.com/{i}.jpg", "global_key": f"{prefix}-{i}"}
                         for i in range(5)]).wait_till_done()
    segments_name = next(d.name for d in segments_client.get_datasets() if d.name.startswith(ds.name))
    samples = segments_client.get_samples(f"{username}/{segments_name}")
    assert sorted(s.name for s in samples) == sorted(f"{prefix}-{i}" for i in range(5))
    assert sorted(s.attributes.image.url for s in samples) == sorted(f"https://example.com/{i}.jpg" for i in range(5))


def test_segments_samples_are_labelbox_rows(server, user, lb_client, segments_client):
    username, _ = user
    name = unique("seg")
    segments_client.add_dataset(name, task_type="vector")
    segments_client.add_samples(f"{username}/{name}", [
        {"name": f"s{i}.jpg", "attributes": {"image": {"url": f"https://example.com/s{i}.jpg"}}} for i in range(3)])
    ds = next(d for d in lb_client.get_datasets() if d.name == name)
    assert ds.row_count == 3
    rows = list(ds.data_rows())
    assert sorted(r.row_data for r in rows) == [f"https://example.com/s{i}.jpg" for i in range(3)]
    assert all(r.global_key is None and r.external_id is None for r in rows)
    # and they take Labelbox-only data
    out = lb_client.assign_global_keys_to_data_rows([{"data_row_id": rows[0].uid, "global_key": unique("k")}])
    assert out["status"] == "SUCCESS"
    sample = segments_client.get_samples(f"{username}/{name}")[0]
    segments_client.delete_sample(sample.uuid)
    assert lb_client.get_dataset(ds.uid).row_count == 2
