"""The point-cloud viewer in Chromium against a real `labelhouse serve`: a .pcd file and a KITTI .bin uploaded to the
server's own asset store open in the viewer; the canvas shows the points and the label's cuboids in their
category colours; the top / side / front buttons put the camera where their names say (checked on the pixels:
where the two cuboids land on screen); orbit and zoom move it; a sequence steps through its frames with track ids.
three.js is loaded only on this page."""

from __future__ import annotations

import io
import math
import re
import struct

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from support import LiveServer, unique
from test_labeling_loop import sign_in
from webkit import axe_check, set_password, shot, upload

pytestmark = pytest.mark.timeout(600)

# colours the intensity ramp of the points never produces, so a pixel of these colours is a cuboid's edge
CAR = (240, 50, 230)
PERSON = (255, 255, 255)
CATEGORIES = [{"id": 1, "name": "car", "color": list(CAR)}, {"id": 2, "name": "person", "color": list(PERSON)}]
# A car ahead and to the left (+x, +y), a person behind and to the right (-x, -y); z up, metres.
CAR_BOX = {"position": {"x": 6.0, "y": 4.0, "z": 0.75}, "dimensions": {"x": 4.0, "y": 2.0, "z": 1.5}, "yaw": 0.3}
PERSON_BOX = {"position": {"x": -6.0, "y": -5.0, "z": 0.9}, "dimensions": {"x": 0.8, "y": 0.8, "z": 1.8}, "yaw": 0.0}


def scene_points(shift: float = 0.0) -> np.ndarray:
    """A small street scene: a ground grid, and points on the surfaces of the two boxes. Columns x, y, z, i."""
    g = np.arange(-15.0, 15.0, 0.5, dtype=np.float32)
    gx, gy = np.meshgrid(g, g)
    ground = np.stack([gx.ravel(), gy.ravel(), np.zeros(gx.size, np.float32), np.full(gx.size, 10, np.float32)], 1)
    parts = [ground]
    rng = np.random.default_rng(7)
    for box, intensity in ((CAR_BOX, 200.0), (PERSON_BOX, 120.0)):
        d, p, yaw = box["dimensions"], box["position"], box["yaw"]
        local = rng.uniform(-0.5, 0.5, (1500, 3)) * [d["x"], d["y"], d["z"]]
        axis = rng.integers(0, 3, 1500)  # push each point onto a face
        local[np.arange(1500), axis] = np.sign(local[np.arange(1500), axis]) * np.array([d["x"], d["y"], d["z"]])[axis] / 2
        c, s = math.cos(yaw), math.sin(yaw)
        world = np.stack([local[:, 0] * c - local[:, 1] * s + p["x"] + shift, local[:, 0] * s + local[:, 1] * c + p["y"],
                          local[:, 2] + p["z"], np.full(1500, intensity)], 1)
        parts.append(world.astype(np.float32))
    return np.concatenate(parts).astype(np.float32)


def pcd_file(points: np.ndarray) -> bytes:
    header = (
        "# .PCD v0.7 - Point Cloud Data file format\nVERSION 0.7\nFIELDS x y z intensity\nSIZE 4 4 4 4\n"
        "TYPE F F F F\nCOUNT 1 1 1 1\n"
        f"WIDTH {len(points)}\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS {len(points)}\nDATA binary\n"
    )
    return header.encode() + points.astype("<f4").tobytes()


def kitti_file(points: np.ndarray) -> bytes:
    return points.astype("<f4").tobytes()


def cuboid(ann_id: int, category_id: int, box: dict, **extra) -> dict:
    return {"id": ann_id, "category_id": category_id, "type": "cuboid", **box, **extra}


def canvas_pixels(page: Page) -> np.ndarray:
    png = page.locator("canvas.pointcloud-canvas").screenshot()
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(np.int16)


def where(pixels: np.ndarray, color: tuple[int, int, int], tol: int = 30) -> tuple[float, float, int]:
    """Mean (x, y) on the canvas, as fractions of its size, of the pixels close to `color`, and their count."""
    mask = (np.abs(pixels - np.array(color)) <= tol).all(axis=2)
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return (math.nan, math.nan, 0)
    return (xs.mean() / pixels.shape[1], ys.mean() / pixels.shape[0], len(xs))


def wait_drawn(page: Page, after: int) -> int:
    """Waits until the viewer has drawn a frame after frame number `after`; returns the new frame count."""
    host = page.get_by_role("img", name=re.compile("^Point cloud"))
    page.wait_for_function(
        "([el, n]) => Number(el.dataset.frames || 0) > n", arg=[host.element_handle(), after], timeout=20_000)
    page.wait_for_timeout(100)  # let the compositor present the frame before the screenshot
    return int(host.get_attribute("data-frames") or 0)


def make_pointcloud_dataset(server: LiveServer, key: str, owner: str, task_type: str) -> str:
    name = unique("pc")
    with server.client(key) as c:
        r = c.post("/user/datasets/", json={"name": name, "task_type": task_type, "task_attributes": {
            "format_version": "0.1", "categories": CATEGORIES}})
        assert r.status_code == 201, r.text
    return name


def test_a_pcd_sample_opens_in_the_viewer_with_its_cuboids_and_views(server: LiveServer, page: Page):
    owner, key = server.create_user(unique("o"))
    set_password(server, owner)
    name = make_pointcloud_dataset(server, key, owner, "pointcloud-cuboid")
    points = scene_points()
    url = upload(server, key, pcd_file(points), "scan.pcd")
    with server.client(key) as c:
        r = c.post(f"/datasets/{owner}/{name}/samples/",
                   json={"name": "scan-000", "attributes": {"pcd": {"url": url, "type": "pcd"}}})
        assert r.status_code == 201, r.text
        uuid = r.json()["uuid"]
        r = c.put(f"/labels/{uuid}/ground-truth/", json={"label_status": "LABELED", "attributes": {
            "format_version": "0.2", "annotations": [cuboid(1, 1, CAR_BOX), cuboid(2, 2, PERSON_BOX)]}})
        assert r.status_code in (200, 201), r.text

    scripts: list[str] = []
    page.on("response", lambda resp: scripts.append(resp.url) if resp.url.endswith(".js") else None)
    sign_in(page, server, owner, f"/app/datasets/{owner}/{name}")
    assert not any("PointCloudWorkspace" in s for s in scripts), "three.js must not load before a point cloud opens"
    # the grid shows a placeholder for a point cloud (no image, no thumbnail request that would fail)
    expect(page.get_by_role("img", name="scan-000")).to_have_text("Point cloud")
    page.get_by_role("link", name=re.compile("scan-000")).click()
    page.wait_for_url(re.compile(rf".*/samples/{uuid}.*"))
    page.wait_for_function(f"() => document.body.dataset.pointcloudReady === '{uuid}'", timeout=30_000)
    assert any("PointCloudWorkspace" in s for s in scripts)

    region = page.get_by_role("region", name="Workspace")
    expect(region).to_have_attribute("data-cuboids", "2")
    expect(page.get_by_role("img", name=re.compile(rf"^Point cloud, {len(points):,} points, 2 objects"))).to_be_visible()
    objects = page.get_by_role("region", name="Objects")
    expect(objects).to_contain_text("2 objects")
    expect(objects.get_by_role("button", name=re.compile(r"#1 car · cuboid"))).to_be_visible()
    expect(page.get_by_role("status", name="Label status")).to_have_text("Labeled")

    frames = wait_drawn(page, 0)
    first = canvas_pixels(page)
    background = first[0, 0]
    lit = (np.abs(first - background).sum(axis=2) > 30).mean()
    assert lit > 0.01, f"the canvas is (nearly) blank: {lit:.4f} of its pixels differ from the background"
    assert where(first, CAR)[2] > 20 and where(first, PERSON)[2] > 20, "both cuboids are drawn in their colours"
    shot(page, "pointcloud-perspective")

    def view(button: str) -> np.ndarray:
        nonlocal frames
        page.get_by_role("button", name=button).click()
        expect(page.get_by_role("button", name=button)).to_have_attribute("aria-pressed", "true")
        frames = wait_drawn(page, frames)
        shot(page, "pointcloud-" + button.lower().replace(" ", "-"))
        return canvas_pixels(page)

    # Top: x to the right, y up the screen. The car (+x, +y) is upper right, the person (-x, -y) lower left.
    top = view("Top view")
    car, person = where(top, CAR), where(top, PERSON)
    assert car[0] > 0.5 > person[0] and car[1] < 0.5 < person[1], (car, person)
    # Side (from -y): x to the right, z up: the car right, the person left, both above the ground's middle.
    side = view("Side view")
    car, person = where(side, CAR), where(side, PERSON)
    assert car[0] > 0.5 > person[0], (car, person)
    assert not np.array_equal(side, top)
    # Front (from +x, looking back): +y is to the right: the car right, the person left... and nearer is bigger.
    front = view("Front view")
    car, person = where(front, CAR), where(front, PERSON)
    assert car[0] > 0.5 > person[0], (car, person)
    expect(page.get_by_role("button", name="Top view")).to_have_attribute("aria-pressed", "false")
    assert not np.array_equal(front, side)

    # Orbit by dragging: the named view no longer applies, and the picture changes.
    box = region.bounding_box()
    assert box
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 150, cy + 40, steps=6)
    page.mouse.up()
    frames = wait_drawn(page, frames)
    expect(page.get_by_role("button", name="Front view")).to_have_attribute("aria-pressed", "false")
    orbited = canvas_pixels(page)
    assert not np.array_equal(orbited, front)
    # Zoom with the wheel around the pointer: with the pointer on the car, the car grows on screen.
    page.get_by_role("button", name="Top view").click()
    frames = wait_drawn(page, frames)
    top = canvas_pixels(page)
    car = where(top, CAR)
    canvas_box = page.locator("canvas.pointcloud-canvas").bounding_box()
    assert canvas_box
    page.mouse.move(canvas_box["x"] + car[0] * canvas_box["width"], canvas_box["y"] + car[1] * canvas_box["height"])
    for _ in range(3):
        page.mouse.wheel(0, -200)
        page.wait_for_timeout(50)
    frames = wait_drawn(page, frames)
    zoomed = where(canvas_pixels(page), CAR)
    assert zoomed[2] > car[2] * 1.3, (car, zoomed)
    shot(page, "pointcloud-zoomed")
    assert axe_check(page, "pointcloud") == []


def test_a_pointcloud_sequence_steps_through_pcd_and_kitti_frames_keeping_track_ids(server: LiveServer, page: Page):
    owner, key = server.create_user(unique("o"))
    set_password(server, owner)
    name = make_pointcloud_dataset(server, key, owner, "pointcloud-cuboid-sequence")
    frame0 = upload(server, key, pcd_file(scene_points()), "f0.pcd")
    moved = scene_points(shift=3.0)
    frame1 = upload(server, key, kitti_file(moved), "f1.bin")
    with server.client(key) as c:
        r = c.post(f"/datasets/{owner}/{name}/samples/", json={"name": "drive-000", "attributes": {"frames": [
            {"pcd": {"url": frame0, "type": "pcd"}, "name": "t0"},
            {"pcd": {"url": frame1, "type": "kitti"}, "name": "t1"}]}})
        assert r.status_code == 201, r.text
        uuid = r.json()["uuid"]
        car1 = {**CAR_BOX, "position": {**CAR_BOX["position"], "x": CAR_BOX["position"]["x"] + 3.0}}
        r = c.put(f"/labels/{uuid}/ground-truth/", json={"label_status": "LABELED", "attributes": {
            "format_version": "0.2", "frames": [
                {"annotations": [cuboid(1, 1, CAR_BOX, track_id=11), cuboid(2, 2, PERSON_BOX, track_id=12)]},
                {"annotations": [cuboid(3, 1, car1, track_id=11)]}]}})
        assert r.status_code in (200, 201), r.text

    sign_in(page, server, owner, f"/app/datasets/{owner}/{name}/samples/{uuid}")
    page.wait_for_function(f"() => document.body.dataset.pointcloudReady === '{uuid}'", timeout=30_000)
    frames_region = page.get_by_role("region", name="Frames")
    expect(frames_region).to_contain_text("Frame 1 of 2 (t0)")
    objects = page.get_by_role("region", name="Objects")
    expect(objects).to_contain_text("2 objects")
    expect(objects).to_contain_text("track 12")
    expect(frames_region.get_by_role("button", name="Previous frame")).to_be_disabled()
    frames = wait_drawn(page, 0)

    frames_region.get_by_role("button", name="Next frame").click()
    expect(frames_region).to_contain_text("Frame 2 of 2 (t1)")
    expect(page.get_by_role("img", name=re.compile(rf"^Point cloud, {len(moved):,} points, 1 object$"))).to_be_visible()
    expect(objects).to_contain_text("1 object")
    expect(objects.get_by_role("button", name=re.compile(r"#3 car · cuboid · track 11"))).to_be_visible()
    expect(page.get_by_role("region", name="Workspace")).to_have_attribute("data-cuboids", "1")
    wait_drawn(page, frames)
    pixels = canvas_pixels(page)
    assert where(pixels, CAR)[2] > 20 and where(pixels, PERSON)[2] == 0
    shot(page, "pointcloud-sequence-frame-2")
    expect(frames_region.get_by_role("button", name="Next frame")).to_be_disabled()


def test_a_broken_point_cloud_file_is_reported_not_drawn(server: LiveServer, page: Page):
    owner, key = server.create_user(unique("o"))
    set_password(server, owner)
    name = make_pointcloud_dataset(server, key, owner, "pointcloud-cuboid")
    url = upload(server, key, struct.pack("<5f", 1, 2, 3, 4, 5), "broken.bin")  # 20 bytes: not whole records
    with server.client(key) as c:
        r = c.post(f"/datasets/{owner}/{name}/samples/",
                   json={"name": "broken", "attributes": {"pcd": {"url": url, "type": "binary-xyzi"}}})
        uuid = r.json()["uuid"]
    sign_in(page, server, owner, f"/app/datasets/{owner}/{name}/samples/{uuid}")
    expect(page.get_by_role("alert")).to_contain_text("not a binary-xyzi file")
    expect(page.get_by_role("button", name="Top view")).to_be_disabled()
