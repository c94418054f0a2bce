"""End to end, in Debian's Chromium against a real `labelhouse serve`: a labeler labels, submits; a reviewer
rejects with an issue; the labeler sees the issue, fixes and resubmits; the reviewer accepts. For a bbox, a
polygon and a mask dataset. Every result is checked through the REST API with the official segments-ai SDK;
screenshots are kept in test-artifacts/e2e/."""

from __future__ import annotations

import contextlib
import re

import numpy as np
import pytest
from playwright.sync_api import Page, expect
from support import LiveServer, unique
from webkit import PASSWORD, make_dataset, set_password, shot

# A browser loop takes a minute or two on a busy 2-core machine.
pytestmark = pytest.mark.timeout(900)

IMG_W, IMG_H = 800, 600


def sign_in(page: Page, server: LiveServer, username: str, next_path: str = "/app/datasets") -> None:
    page.goto(server.url + next_path)
    page.wait_for_url(re.compile(r".*/app/login\?next=.*"))
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(re.escape(server.url + next_path.split("?")[0]) + r"(\?.*)?$"))


def to_screen(page: Page, x: float, y: float) -> tuple[float, float]:
    """Screen position of image pixel (x, y) right after a sample opens (the whole image fits, 16 px margin)."""
    box = page.get_by_role("region", name="Workspace").bounding_box()
    assert box
    scale = min((box["width"] - 32) / IMG_W, (box["height"] - 32) / IMG_H)
    tx = (box["width"] - IMG_W * scale) / 2
    ty = (box["height"] - IMG_H * scale) / 2
    return box["x"] + tx + x * scale, box["y"] + ty + y * scale


def drag(page: Page, a: tuple[float, float], b: tuple[float, float]) -> None:
    page.mouse.move(*to_screen(page, *a))
    page.mouse.down()
    page.mouse.move(*to_screen(page, *b), steps=8)
    page.mouse.up()


def click_at(page: Page, p: tuple[float, float]) -> None:
    page.mouse.click(*to_screen(page, *p))


def open_queue(page: Page, button: str) -> str:
    """Click Start labeling / Start reviewing on the dataset page; returns the opened sample's uuid."""
    page.get_by_role("link", name=button).click()
    page.wait_for_url(re.compile(r".*/samples/[0-9a-f-]{36}\?queue=.*"))
    expect(page.get_by_role("toolbar", name="Tools")).to_be_visible()
    expect(page.get_by_role("status", name="Save status")).to_be_visible()
    return re.search(r"/samples/([0-9a-f-]{36})", page.url).group(1)


def saved(page: Page) -> None:
    expect(page.get_by_role("status", name="Save status")).to_have_text("Saved", timeout=10_000)


def project(server: LiveServer, task_type: str):
    owner, owner_key = server.create_user(unique("owner"))
    labeler, labeler_key = server.create_user(unique("labeler"))
    reviewer, reviewer_key = server.create_user(unique("reviewer"))
    for u in (labeler, reviewer):
        set_password(server, u)
    name = unique(task_type.split("-")[0])
    uuids = make_dataset(server, owner_key, owner, name, task_type, n_samples=2,
                         collaborators={labeler: "labeler", reviewer: "reviewer"})
    return {"owner": owner, "name": name, "labeler": (labeler, labeler_key), "reviewer": (reviewer, reviewer_key),
            "uuids": uuids, "path": f"/app/datasets/{owner}/{name}"}


def review(context_factory, server: LiveServer, p: dict, verdict: str, issue: str = "", tag: str = "") -> str:
    page = context_factory().new_page()
    sign_in(page, server, p["reviewer"][0], p["path"])
    uuid = open_queue(page, "Start reviewing")
    shot(page, f"{tag}-review")
    if verdict == "accept":
        page.get_by_role("button", name="Accept").click()
    else:
        page.get_by_role("button", name="Reject", exact=True).click()
        dialog = page.get_by_role("dialog", name="Reject")
        expect(dialog).to_be_visible()
        dialog.get_by_role("textbox", name="Issue").fill(issue)
        shot(page, f"{tag}-reject-dialog")
        dialog.get_by_role("button", name="Reject").click()
    # the reviewer moves on to the next sample of the review queue (or to the empty queue page)
    page.wait_for_url(lambda url: uuid not in url)
    page.context.close()
    return uuid


@pytest.fixture
def new_context(chromium):
    contexts = []

    def make():
        ctx = chromium.new_context(viewport={"width": 1440, "height": 900})
        ctx.set_default_timeout(20_000)
        contexts.append(ctx)
        return ctx

    yield make
    for c in contexts:
        with contextlib.suppress(Exception):  # closed by the test already
            c.close()


def test_bbox_label_reject_fix_accept(server: LiveServer, page: Page, new_context):
    p = project(server, "bboxes")
    sdk = server.segments(p["labeler"][1])
    sign_in(page, server, p["labeler"][0], p["path"])
    first = open_queue(page, "Start labeling")
    expect(page.get_by_role("button", name=re.compile(r"^Bounding box"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Polygon"))).to_have_count(0)  # not a bboxes tool
    page.keyboard.press("r")
    expect(page.get_by_role("button", name=re.compile(r"^Bounding box"))).to_have_attribute("aria-pressed", "true")
    drag(page, (100, 80), (300, 240))
    expect(page.get_by_role("region", name="Objects")).to_contain_text("1 object")
    page.keyboard.press("2")  # re-labels the new (selected) box as "person"
    expect(page.get_by_role("radio", name="person")).to_be_checked()
    # a second box starting INSIDE the first still draws a new box
    drag(page, (150, 120), (400, 400))
    expect(page.get_by_role("region", name="Objects")).to_contain_text("2 objects")
    page.keyboard.press("Control+z")
    expect(page.get_by_role("region", name="Objects")).to_contain_text("1 object")
    saved(page)  # autosave, no click
    label = sdk.get_label(first, "ground-truth")
    assert label.label_status == "LABELING_IN_PROGRESS"
    shot(page, "bbox-labeled")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(lambda url: first not in url)

    label = sdk.get_label(first, "ground-truth")
    assert label.label_status == "LABELED"
    [box] = label.attributes.annotations
    assert box.type == "bbox" and box.category_id == 2 and box.id == 1
    (x0, y0), (x1, y1) = box.points
    assert abs(x0 - 100) <= 2 and abs(y0 - 80) <= 2 and abs(x1 - 300) <= 2 and abs(y1 - 240) <= 2

    review(new_context, server, p, "reject", "The box misses the car's bumper", tag="bbox")
    reviewer_sdk = server.segments(p["reviewer"][1])
    assert reviewer_sdk.get_label(first, "ground-truth").label_status == "REJECTED"
    [issue] = [i for i in reviewer_sdk.get_issues(f"{p['owner']}/{p['name']}") if i.sample_uuid == first]
    assert issue.description == "The box misses the car's bumper" and issue.status == "OPEN"

    # the labeler's queue brings the rejected sample back first, with the issue shown
    page.goto(server.url + p["path"])
    assert open_queue(page, "Start labeling") == first
    issues = page.get_by_role("region", name="Issues")
    expect(issues).to_contain_text("The box misses the car's bumper")
    expect(page.get_by_role("status", name="Label status")).to_have_text("Rejected")
    shot(page, "bbox-rejected-seen-by-labeler")
    # fix: select the box, resize it by its bottom-right handle
    page.keyboard.press("v")
    click_at(page, (200, 160))
    drag(page, (300, 240), (340, 260))
    issues.get_by_role("button", name="Resolve").click()
    saved(page)
    page.keyboard.press("Control+Enter")  # Submit
    page.wait_for_url(lambda url: first not in url)
    label = sdk.get_label(first, "ground-truth")
    assert label.label_status == "LABELED"
    (x0, y0), (x1, y1) = label.attributes.annotations[0].points
    assert abs(x1 - 340) <= 2 and abs(y1 - 260) <= 2 and abs(x0 - 100) <= 2

    review(new_context, server, p, "accept", tag="bbox-2")
    assert sdk.get_label(first, "ground-truth").label_status == "REVIEWED"


def test_polygon_label_reject_fix_accept(server: LiveServer, page: Page, new_context):
    p = project(server, "vector")
    sdk = server.segments(p["labeler"][1])
    sign_in(page, server, p["labeler"][0], p["path"])
    first = open_queue(page, "Start labeling")
    page.get_by_role("button", name=re.compile(r"^Polygon")).click()
    for pt in [(100, 100), (400, 120), (420, 400), (120, 380)]:
        click_at(page, pt)
    page.keyboard.press("Enter")
    expect(page.get_by_role("region", name="Objects")).to_contain_text("1 object")
    page.keyboard.press("k")
    click_at(page, (600, 500))
    page.keyboard.press("l")
    click_at(page, (500, 100))
    click_at(page, (700, 150))
    page.keyboard.press("Enter")
    expect(page.get_by_role("region", name="Objects")).to_contain_text("3 objects")
    shot(page, "polygon-labeled")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(lambda url: first not in url)
    label = sdk.get_label(first, "ground-truth")
    assert label.label_status == "LABELED"
    by_type = {a.type: a for a in label.attributes.annotations}
    assert set(by_type) == {"polygon", "point", "polyline"}
    assert len(by_type["polygon"].points) == 4 and len(by_type["polyline"].points) == 2
    assert [a.id for a in label.attributes.annotations] == [1, 2, 3]
    for (x, y), (ex, ey) in zip(by_type["polygon"].points, [(100, 100), (400, 120), (420, 400), (120, 380)]):
        assert abs(x - ex) <= 2 and abs(y - ey) <= 2

    review(new_context, server, p, "reject", "Polygon should follow the road edge", tag="polygon")
    page.goto(server.url + p["path"])
    assert open_queue(page, "Start labeling") == first
    expect(page.get_by_role("region", name="Issues")).to_contain_text("Polygon should follow the road edge")
    # fix: move a polygon vertex, then delete the point object
    page.keyboard.press("v")
    click_at(page, (250, 250))
    drag(page, (420, 400), (450, 420))
    click_at(page, (600, 500))
    page.keyboard.press("Delete")
    expect(page.get_by_role("region", name="Objects")).to_contain_text("2 objects")
    saved(page)
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(lambda url: first not in url)
    label = sdk.get_label(first, "ground-truth")
    polygon = next(a for a in label.attributes.annotations if a.type == "polygon")
    assert abs(polygon.points[2][0] - 450) <= 2 and abs(polygon.points[2][1] - 420) <= 2
    assert {a.type for a in label.attributes.annotations} == {"polygon", "polyline"}
    assert {a.id for a in label.attributes.annotations} == {1, 3}  # ids kept across edits

    review(new_context, server, p, "accept", tag="polygon-2")
    assert sdk.get_label(first, "ground-truth").label_status == "REVIEWED"


def test_mask_label_reject_fix_accept(server: LiveServer, page: Page, new_context):
    from segments.utils import load_label_bitmap_from_url

    p = project(server, "segmentation-bitmap")
    sdk = server.segments(p["labeler"][1])
    sign_in(page, server, p["labeler"][0], p["path"])
    first = open_queue(page, "Start labeling")
    page.keyboard.press("b")
    expect(page.get_by_role("button", name=re.compile(r"^Brush"))).to_have_attribute("aria-pressed", "true")
    page.get_by_role("slider", name="Brush size").fill("40")
    drag(page, (200, 300), (500, 300))
    expect(page.get_by_role("region", name="Objects")).to_contain_text("1 object")
    page.keyboard.press("Escape")  # nothing being drawn: back to Select, nothing selected
    expect(page.get_by_role("button", name=re.compile(r"^Select"))).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("2")  # the category of the next object (nothing selected: nothing re-labeled)
    page.keyboard.press("p")
    for pt in [(600, 50), (750, 50), (750, 200), (600, 200)]:
        click_at(page, pt)
    page.keyboard.press("Enter")
    expect(page.get_by_role("region", name="Objects")).to_contain_text("2 objects")
    saved(page)
    shot(page, "mask-labeled")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(lambda url: first not in url)

    label = sdk.get_label(first, "ground-truth")
    assert label.label_status == "LABELED"
    cats = {a.id: a.category_id for a in label.attributes.annotations}
    assert cats == {1: 1, 2: 2}
    bitmap = load_label_bitmap_from_url(label.attributes.segmentation_bitmap.url)
    assert bitmap.shape == (IMG_H, IMG_W)
    assert set(np.unique(bitmap)) == {0, 1, 2}  # no antialiasing: only object ids
    assert bitmap[300, 350] == 1 and bitmap[300, 190] == 1 and bitmap[100, 350] == 0
    assert bitmap[125, 675] == 2 and bitmap[40, 675] == 0
    assert 250 * 30 < (bitmap == 1).sum() < 340 * 45
    assert abs((bitmap == 2).sum() - 150 * 150) < 150 * 4

    review(new_context, server, p, "reject", "Stroke spills onto the pavement", tag="mask")
    page.goto(server.url + p["path"])
    assert open_queue(page, "Start labeling") == first
    expect(page.get_by_role("region", name="Issues")).to_contain_text("Stroke spills onto the pavement")
    page.keyboard.press("e")
    page.get_by_role("slider", name="Brush size").fill("40")
    drag(page, (420, 300), (520, 300))  # erase the stroke's right end
    saved(page)
    shot(page, "mask-fixed")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(lambda url: first not in url)
    label = sdk.get_label(first, "ground-truth")
    fixed = load_label_bitmap_from_url(label.attributes.segmentation_bitmap.url)
    assert fixed[300, 350] == 1 and fixed[300, 480] == 0 and fixed[125, 675] == 2

    review(new_context, server, p, "accept", tag="mask-2")
    assert sdk.get_label(first, "ground-truth").label_status == "REVIEWED"
