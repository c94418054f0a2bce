"""The app's pages in Chromium: sign-in and sign-out, the signed-out redirect, an axe accessibility check on every
page (0 serious or critical violations), privacy (a user without access sees no trace of a private dataset),
and the never-lose-work rules (a reload right after an edit, a label changed on the server meanwhile)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from support import LiveServer, unique
from test_labeling_loop import drag, saved, sign_in
from webkit import axe_check, make_dataset, set_password, shot

pytestmark = pytest.mark.timeout(900)


def test_sign_in_failures_redirects_and_sign_out(server: LiveServer, page: Page):
    user, key = server.create_user(unique("u"))
    set_password(server, user)
    page.goto(server.url + "/")
    page.wait_for_url(re.compile(r".*/app/login\?next=%2Fapp%2F$"))
    expect(page.get_by_role("heading", name="Sign in to labelhouse")).to_be_visible()
    assert axe_check(page, "login") == []
    shot(page, "login")
    page.get_by_role("textbox", name="Username").fill(user)
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("Wrong username, password or API key.")
    # an API key works as well, and the deep link survives the sign-in
    page.goto(server.url + f"/app/datasets/{user}/nothing-here?page=2")
    page.wait_for_url(re.compile(r".*/app/login\?next=.*nothing-here.*"))
    page.get_by_role("textbox", name="API key").fill(key)
    page.get_by_role("button", name="Sign in with API key").click()
    page.wait_for_url(server.url + f"/app/datasets/{user}/nothing-here?page=2")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    # no secret in web storage
    stored = page.evaluate("() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")
    assert key not in stored and "csrf" not in stored.lower()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/app/login.*"))
    page.goto(server.url + "/app/datasets")
    page.wait_for_url(re.compile(r".*/app/login\?next=.*"))
    assert page.context.cookies() == [] or all(c["name"] != "lh_session" for c in page.context.cookies())


def test_every_page_passes_axe(server: LiveServer, page: Page):
    owner, key = server.create_user(unique("o"))
    set_password(server, owner)
    name = unique("axe")
    uuids = make_dataset(server, key, owner, name, "vector", n_samples=3)
    with server.client(key) as c:
        c.post(f"/samples/{uuids[0]}/issues/", json={"description": "Check the left car"})
        cats = c.get(f"/datasets/{owner}/{name}/").json()["task_attributes"]
    assert cats
    sign_in(page, server, owner)
    base = f"/app/datasets/{owner}/{name}"
    pages = {
        "datasets": ("/app/datasets", "Datasets"),
        "grid": (base, f"{owner}/{name}"),
        "grid-filtered": (base + "?status=UNLABELED&sort=-name&per_page=50", f"{owner}/{name}"),
        "issues": (base + "/issues", f"Issues of {owner}/{name}"),
        "releases": (base + "/releases", f"Releases of {owner}/{name}"),
        "not-found": ("/app/datasets/nobody/nothing", "Not found"),
    }
    for label, (path, heading) in pages.items():
        page.goto(server.url + path)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        expect(page.get_by_role("link", name="Datasets")).to_be_visible()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        shot(page, f"page-{label}")
        assert axe_check(page, label) == [], label
    page.goto(server.url + f"{base}/samples/{uuids[0]}")
    expect(page.get_by_role("region", name="Workspace")).to_be_visible()
    expect(page.get_by_role("region", name="Issues")).to_contain_text("Check the left car")
    shot(page, "page-workspace")
    assert axe_check(page, "workspace") == []
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    assert axe_check(page, "workspace-help") == []
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Reject", exact=True).click()
    expect(page.get_by_role("dialog", name="Reject")).to_be_visible()
    assert axe_check(page, "workspace-reject") == []


def test_a_user_without_access_sees_no_trace_of_a_private_dataset(server: LiveServer, page: Page):
    owner, key = server.create_user(unique("o"))
    outsider, _ = server.create_user(unique("x"))
    set_password(server, outsider)
    name = unique("secret")
    uuids = make_dataset(server, key, owner, name, "bboxes", n_samples=1)
    seen: list[tuple[str, int]] = []
    page.on("response", lambda r: seen.append((r.url, r.status)))
    sign_in(page, server, outsider)
    expect(page.get_by_text("No datasets")).to_be_visible()
    for path in [f"/app/datasets/{owner}/{name}", f"/app/datasets/{owner}/{name}/samples/{uuids[0]}",
                 f"/app/datasets/{owner}/{name}/issues", f"/app/datasets/{owner}/{name}/releases",
                 f"/app/datasets/{owner}/{name}/label"]:
        page.goto(server.url + path)
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
        text = page.inner_text("body")
        assert name not in text and "img-000" not in text
    shot(page, "private-not-found")
    api = [(u, s) for u, s in seen if "/app/" not in u and "/auth/" not in u]
    assert api and all(s == 404 for u, s in api if name in u or uuids[0] in u), api


def test_a_reload_right_after_an_edit_loses_nothing_and_conflicts_are_shown(server: LiveServer, page: Page):
    owner, key = server.create_user(unique("o"))
    set_password(server, owner)
    name = unique("draft")
    uuids = make_dataset(server, key, owner, name, "bboxes", n_samples=1)
    sign_in(page, server, owner, f"/app/datasets/{owner}/{name}/samples/{uuids[0]}")
    expect(page.get_by_role("region", name="Workspace")).to_be_visible()
    page.keyboard.press("r")
    expect(page.get_by_role("button", name=re.compile(r"^Bounding box"))).to_have_attribute("aria-pressed", "true")
    drag(page, (50, 50), (200, 150))
    expect(page.get_by_role("region", name="Objects")).to_contain_text("1 object")  # drawn (no wait: it renders at once)
    page.reload()  # before the autosave fired: the local draft brings the box back, and it is saved
    expect(page.get_by_role("region", name="Objects")).to_contain_text("1 object")
    saved(page)
    label = server.segments(key).get_label(uuids[0], "ground-truth")
    assert len(label.attributes.annotations) == 1
    # whichever carried the box over (the local draft, or the last save of the old page), no draft is left behind
    page.wait_for_function("() => !Object.keys(localStorage).some((k) => k.startsWith('lh-draft:'))", timeout=5000)

    # someone else changes the label meanwhile: the next save shows a conflict instead of overwriting
    with server.client(key) as c:
        r = c.put(f"/labels/{uuids[0]}/ground-truth/", json={"label_status": "LABELED", "attributes": {
            "format_version": "0.1", "annotations": []}})
        assert r.status_code == 200
    page.keyboard.press("r")  # the reloaded page starts with the Select tool
    expect(page.get_by_role("button", name=re.compile(r"^Bounding box"))).to_have_attribute("aria-pressed", "true")
    drag(page, (300, 300), (400, 400))
    expect(page.get_by_role("status", name="Save status")).to_have_text(re.compile("^Not saved"), timeout=10_000)
    expect(page.get_by_role("button", name="Overwrite")).to_be_visible()
    shot(page, "conflict")
    label = server.segments(key).get_label(uuids[0], "ground-truth")
    assert label.attributes.annotations == [] and label.label_status == "LABELED"  # nothing overwritten
    page.get_by_role("button", name="Overwrite").click()
    saved(page)
    label = server.segments(key).get_label(uuids[0], "ground-truth")
    assert len(label.attributes.annotations) == 2


def test_an_edit_survives_a_reload_that_aborts_its_indexeddb_draft_and_its_last_save(server: LiveServer, page: Page):
    """The IndexedDB draft is written asynchronously and a page going away can abort it (as it can the last save
    started on beforeunload): the synchronous copy written on pagehide brings the edit back. IndexedDB is made
    unusable and every label write of the old page is refused, so only that copy can carry the box over."""
    owner, key = server.create_user(unique("o"))
    set_password(server, owner)
    name = unique("draft")
    uuids = make_dataset(server, key, owner, name, "bboxes", n_samples=1)
    page.add_init_script("Object.defineProperty(window, 'indexedDB', { get() { throw new Error('no IndexedDB'); } });")
    sign_in(page, server, owner, f"/app/datasets/{owner}/{name}/samples/{uuids[0]}")
    expect(page.get_by_role("region", name="Workspace")).to_be_visible()
    def refuse_label_writes(route):
        if route.request.method == "PUT":
            route.abort()
        else:
            route.continue_()

    page.route("**/labels/**", refuse_label_writes)
    page.keyboard.press("r")
    expect(page.get_by_role("button", name=re.compile(r"^Bounding box"))).to_have_attribute("aria-pressed", "true")
    drag(page, (50, 50), (200, 150))
    expect(page.get_by_role("region", name="Objects")).to_contain_text("1 object")
    page.reload()
    expect(page.get_by_role("region", name="Objects")).to_contain_text("1 object")
    with server.client(key) as c:  # nothing of the old page reached the server
        assert c.get(f"/labels/{uuids[0]}/ground-truth/").status_code == 404
    page.unroute("**/labels/**")
    saved(page)
    label = server.segments(key).get_label(uuids[0], "ground-truth")
    assert len(label.attributes.annotations) == 1
    assert page.evaluate("() => Object.keys(localStorage).filter((k) => k.startsWith('lh-draft:'))") == []
