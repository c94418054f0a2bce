"""Image sequences in Chromium against a real `labelhouse serve`: the frame strip, next / previous frame (buttons,
the strip and the , . keys), objects per frame with their track ids kept, a new object starting a new track, and the
whole sequence label saved once and read back through the official segments-ai SDK."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from support import LiveServer, unique
from test_labeling_loop import IMG_H, IMG_W, drag, saved, sign_in
from webkit import axe_check, photo, set_password, shot, upload

pytestmark = pytest.mark.timeout(600)


def test_frames_keep_their_objects_and_track_ids(server: LiveServer, page: Page):
    owner, key = server.create_user(unique("o"))
    set_password(server, owner)
    name = unique("seq")
    frame_urls = [upload(server, key, photo(IMG_W, IMG_H, seed=i), f"f{i}.jpg") for i in range(3)]
    with server.client(key) as c:
        r = c.post("/user/datasets/", json={"name": name, "task_type": "image-vector-sequence", "task_attributes": {
            "format_version": "0.1", "categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "person"}]}})
        assert r.status_code == 201, r.text
        r = c.post(f"/datasets/{owner}/{name}/samples/", json={"name": "clip-000", "attributes": {"frames": [
            {"image": {"url": u}, "name": f"f{i}"} for i, u in enumerate(frame_urls)]}})
        assert r.status_code == 201, r.text
        uuid = r.json()["uuid"]
        box0 = {"id": 1, "category_id": 1, "type": "bbox", "points": [[100, 100], [300, 250]], "track_id": 5,
                "is_keyframe": True}
        box1 = {**box0, "points": [[120, 100], [320, 250]], "is_keyframe": False}
        r = c.put(f"/labels/{uuid}/ground-truth/", json={"label_status": "LABELING_IN_PROGRESS", "attributes": {
            "format_version": "0.1", "frames": [
                {"format_version": "0.1", "timestamp": 0, "annotations": [box0]},
                {"format_version": "0.1", "timestamp": 100, "annotations": [box1]},
                {"format_version": "0.1", "timestamp": 200, "annotations": []}]}})
        assert r.status_code in (200, 201), r.text

    sign_in(page, server, owner, f"/app/datasets/{owner}/{name}/samples/{uuid}")
    frames = page.get_by_role("region", name="Frames")
    objects = page.get_by_role("region", name="Objects")
    expect(frames).to_contain_text("Frame 1 of 3 (f0)")
    expect(objects).to_contain_text("1 object")
    expect(objects.get_by_role("button", name=re.compile(r"#1 car · box · track 5"))).to_be_visible()
    expect(frames.get_by_role("button", name=re.compile(r"^Previous frame"))).to_be_disabled()
    expect(frames.get_by_role("button", name="Frame 3 (f2), 0 objects")).to_be_visible()

    page.keyboard.press(".")
    expect(frames).to_contain_text("Frame 2 of 3 (f1)")
    expect(frames.get_by_role("button", name=re.compile(r"^Frame 2 \(f1\)"))).to_have_attribute("aria-current", "true")
    expect(objects.get_by_role("button", name=re.compile(r"track 5"))).to_be_visible()

    frames.get_by_role("button", name=re.compile(r"^Next frame")).click()
    expect(frames).to_contain_text("Frame 3 of 3 (f2)")
    expect(objects).to_contain_text("0 objects")
    page.wait_for_function(f"() => document.body.dataset.workspaceReady === '{uuid}'")
    page.keyboard.press("r")
    drag(page, (400, 300), (600, 450))
    expect(objects).to_contain_text("1 object")
    expect(objects.get_by_role("button", name=re.compile(r"#1 car · box · track 6"))).to_be_visible()
    saved(page)
    shot(page, "sequence-frame-3")
    assert axe_check(page, "sequence") == []
    expect(frames.get_by_role("button", name="Frame 3 (f2), 1 object")).to_be_visible()

    # back to the first frame through the strip: its object is still there, unchanged
    frames.get_by_role("button", name=re.compile(r"^Frame 1 \(f0\)")).click()
    expect(frames).to_contain_text("Frame 1 of 3 (f0)")
    expect(objects.get_by_role("button", name=re.compile(r"#1 car · box · track 5"))).to_be_visible()
    page.keyboard.press(",")  # already the first frame: nothing happens
    expect(frames).to_contain_text("Frame 1 of 3 (f0)")

    sdk = server.segments(key)
    label = sdk.get_label(uuid, "ground-truth")
    got = [[(a.id, a.track_id, a.type, a.points) for a in f.annotations] for f in label.attributes.frames]
    assert got[0] == [(1, 5, "bbox", [[100, 100], [300, 250]])]
    assert got[1] == [(1, 5, "bbox", [[120, 100], [320, 250]])]
    assert len(got[2]) == 1 and got[2][0][:3] == (1, 6, "bbox")
    (x0, y0), (x1, y1) = got[2][0][3]
    assert abs(x0 - 400) <= 3 and abs(y0 - 300) <= 3 and abs(x1 - 600) <= 3 and abs(y1 - 450) <= 3
    assert [f.timestamp for f in label.attributes.frames] == [0, 100, 200]  # what the app does not edit is kept
    assert label.attributes.frames[2].annotations[0].is_keyframe is True
    assert label.label_status == "LABELING_IN_PROGRESS"

    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("status", name="Label status")).to_have_text("Labeled")
    assert sdk.get_label(uuid, "ground-truth").label_status == "LABELED"
