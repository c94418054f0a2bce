"""Thumbnails: made once from an image in our object store, cached there, served with read permission only."""

from __future__ import annotations

import io

from PIL import Image
from support import InProcessApp, unique


def upload_image(app: InProcessApp, key: str, size=(1600, 1200), fmt="JPEG") -> str:
    img = Image.new("RGB", size, (200, 30, 30))
    buf = io.BytesIO()
    img.save(buf, fmt)
    with app.client(key) as c:
        asset = c.post("/assets/", json={"filename": "photo.jpg"}).json()
    post = asset["presignedPostFields"]
    with app.client() as anyone:  # the signed upload form: no key
        r = anyone.post(post["url"], data=post["fields"],
                        files={"file": ("photo.jpg", buf.getvalue(), "image/jpeg")})
    assert r.status_code in (200, 201, 204), r.text
    return asset["url"]


def test_thumbnail_is_generated_once_and_cached_in_the_store(app):
    user, key = app.create_user()
    ds = unique("ds")
    url = upload_image(app, key)
    with app.client(key) as c:
        assert c.post("/user/datasets/", json={"name": ds, "task_type": "bboxes"}).status_code == 201
        s = c.post(f"/datasets/{user}/{ds}/samples/", json={"name": "p.jpg", "attributes": {"image": {"url": url}}}).json()
        first = c.get(f"/samples/{s['uuid']}/thumbnail")
        assert first.status_code == 200 and first.headers["content-type"] == "image/jpeg"
        thumb = Image.open(io.BytesIO(first.content))
        assert max(thumb.size) == 320 and thumb.size == (320, 240)
        cached = list((app.data_dir / "objects" / "thumbnails").glob("*.jpg"))
        assert len(cached) == 1
        mtime = cached[0].stat().st_mtime_ns
        again = c.get(f"/samples/{s['uuid']}/thumbnail")
        assert again.content == first.content
        assert cached[0].stat().st_mtime_ns == mtime  # served from the cache, not made again

        external = c.post(f"/datasets/{user}/{ds}/samples/", json={
            "name": "e.jpg", "attributes": {"image": {"url": "https://example.com/e.jpg"}}}).json()
        r = c.get(f"/samples/{external['uuid']}/thumbnail", follow_redirects=False)
        assert r.status_code == 307 and r.headers["location"] == "https://example.com/e.jpg"

    _, stranger = app.create_user()
    with app.client(stranger) as c:
        assert c.get(f"/samples/{s['uuid']}/thumbnail").status_code == 404
    with app.client() as anyone:
        assert anyone.get(f"/samples/{s['uuid']}/thumbnail").status_code == 401


def test_an_image_sequence_shows_its_first_frame_and_a_point_cloud_has_no_thumbnail(app):
    user, key = app.create_user()
    ds = unique("ds")
    first, second = upload_image(app, key, size=(800, 400)), upload_image(app, key, size=(400, 800))
    with app.client(key) as c:
        assert c.post("/user/datasets/", json={"name": ds, "task_type": "image-vector-sequence"}).status_code == 201
        s = c.post(f"/datasets/{user}/{ds}/samples/", json={"name": "clip", "attributes": {"frames": [
            {"image": {"url": first}}, {"image": {"url": second}}]}}).json()
        r = c.get(f"/samples/{s['uuid']}/thumbnail")
        assert r.status_code == 200 and Image.open(io.BytesIO(r.content)).size == (320, 160)  # the first frame's shape
        pc = unique("pc")
        assert c.post("/user/datasets/", json={"name": pc, "task_type": "pointcloud-cuboid"}).status_code == 201
        s = c.post(f"/datasets/{user}/{pc}/samples/", json={"name": "scan", "attributes": {
            "pcd": {"url": "https://example.com/scan.pcd", "type": "pcd"}}}).json()
        r = c.get(f"/samples/{s['uuid']}/thumbnail")
        assert r.status_code == 404 and r.json()["detail"] == "This sample has no image."
