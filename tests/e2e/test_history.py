"""A label's history in the workspace (issue 15), in Chromium against a real `labelhouse serve`: the panel lists
every revision newest first with who made it, "Restore revision N" puts an older one back (the canvas reloads
with it, the REST API and the history agree), and a labeler cannot restore a reviewed revision (the server's
refusal is shown, nothing changes)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from support import LiveServer, unique
from test_labeling_loop import sign_in
from webkit import axe_check, make_dataset, set_password, shot

pytestmark = pytest.mark.timeout(600)


def _box(i: int, x: int) -> dict:
    return {"id": i, "category_id": 1, "type": "bbox", "points": [[x, 50], [x + 100, 150]]}


def test_history_lists_revisions_and_restores_one(server: LiveServer, page: Page):
    owner, key = server.create_user(unique("o"))
    labeler, labeler_key = server.create_user(unique("l"))
    set_password(server, owner)
    set_password(server, labeler)
    name = unique("hist")
    uuid = make_dataset(server, key, owner, name, "bboxes", n_samples=1, collaborators={labeler: "labeler"})[0]
    one = {"format_version": "0.1", "annotations": [_box(1, 10)]}
    three = {"format_version": "0.1", "annotations": [_box(1, 10), _box(2, 200), _box(3, 400)]}
    with server.client(labeler_key) as c:
        assert c.put(f"/labels/{uuid}/ground-truth/", json={"label_status": "LABELED", "attributes": one}
                     ).status_code == 201
    with server.client(key) as c:
        r = c.put(f"/labels/{uuid}/ground-truth/", json={"label_status": "REVIEWED", "attributes": three})
        assert r.status_code == 200, r.text

    # a labeler sees both revisions, but may not put back... the reviewed one is the newest: restoring revision 1
    # (LABELED) over a REVIEWED label is a change a labeler may not make; the refusal is shown, nothing changes
    sign_in(page, server, labeler, f"/app/datasets/{owner}/{name}/samples/{uuid}")
    page.get_by_text("History", exact=True).click()
    history = page.get_by_role("region", name="Label history")
    expect(history.get_by_role("listitem")).to_have_count(2)
    expect(history.get_by_role("listitem").first).to_contain_text(re.compile(r"Revision 2 · Updated · .* · 3 objects"))
    expect(history.get_by_role("listitem").nth(1)).to_contain_text(labeler)
    history.get_by_role("button", name="Restore revision 1").click()
    expect(history.get_by_role("alert")).to_be_visible()
    with server.client(key) as c:
        assert len(c.get(f"/labels/{uuid}/ground-truth/history/").json()) == 2

    # the owner restores revision 1: the canvas reloads with one object; API and history agree
    page.context.clear_cookies()
    sign_in(page, server, owner, f"/app/datasets/{owner}/{name}/samples/{uuid}")
    objects = page.get_by_role("region", name="Objects")
    expect(objects).to_contain_text("3 objects")
    page.get_by_text("History", exact=True).click()
    history = page.get_by_role("region", name="Label history")
    history.get_by_role("button", name="Restore revision 1").click()
    expect(objects).to_contain_text("1 object")
    shot(page, "history-restored")
    assert axe_check(page, "history") == []
    with server.client(key) as c:
        label = c.get(f"/labels/{uuid}/ground-truth/").json()
        assert label["attributes"]["annotations"] == one["annotations"] and label["label_status"] == "LABELED"
        revisions = c.get(f"/labels/{uuid}/ground-truth/history/").json()
    assert [(r["revision"], r["action"]) for r in revisions] == [(3, "restored"), (2, "updated"), (1, "created")]
    page.get_by_text("History", exact=True).click()  # the reloaded workspace: open the panel again
    expect(page.get_by_role("region", name="Label history").get_by_role("listitem").first).to_contain_text(
        "Revision 3 · Restored")
