"""Support for the browser tests: Debian's Chromium driven by Playwright (its own browser download does not
work on these machines), users with passwords, datasets with real uploaded images, and axe checks."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path
from typing import Any

import httpx
from PIL import Image, ImageDraw

CHROMIUM = os.environ.get("LABELHOUSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
PASSWORD = "labelhouse e2e password"


def chromium_path() -> str:
    path = shutil.which(CHROMIUM) or CHROMIUM
    assert Path(path).exists(), (
        f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` (.ci/run does)")
    return path


def set_password(server: Any, username: str, password: str = PASSWORD) -> None:
    from labelhouse_server.auth.passwords import set_password as set_pw
    from labelhouse_server.users.service import get_account

    with server._session() as session:
        set_pw(session, get_account(session, username), password)
        session.commit()


def photo(width: int, height: int, seed: int = 0, fmt: str = "JPEG", quality: int = 85) -> bytes:
    """A synthetic photo-like image with a few shapes (something to label)."""
    img = Image.new("RGB", (width, height), (90 + seed * 20 % 120, 120, 150))
    d = ImageDraw.Draw(img)
    for i in range(6):
        x = (i * 173 + seed * 37) % max(1, width - width // 5)
        y = (i * 97 + seed * 53) % max(1, height - height // 5)
        d.rectangle([x, y, x + width // 6, y + height // 7], fill=((i * 60) % 255, (i * 110) % 255, (200 - i * 30) % 255))
    buf = io.BytesIO()
    img.save(buf, fmt, quality=quality) if fmt == "JPEG" else img.save(buf, fmt)
    return buf.getvalue()


def upload(server: Any, key: str, data: bytes, filename: str = "photo.jpg") -> str:
    with server.client(key) as c:
        asset = c.post("/assets/", json={"filename": filename})
        assert asset.status_code == 201, asset.text
        body = asset.json()
    post = body["presignedPostFields"]
    r = httpx.post(post["url"], data=post["fields"], files={"file": (filename, data)}, timeout=60)
    assert r.status_code in (200, 201, 204), r.text
    return body["url"]


def make_dataset(server: Any, key: str, owner: str, name: str, task_type: str, n_samples: int = 3,
                 size: tuple[int, int] = (800, 600), categories: list[dict] | None = None,
                 collaborators: dict[str, str] | None = None) -> list[str]:
    cats = categories or [{"id": 1, "name": "car", "color": [230, 25, 75]},
                          {"id": 2, "name": "person", "color": [60, 180, 75]}]
    with server.client(key) as c:
        r = c.post("/user/datasets/", json={"name": name, "task_type": task_type,
                                            "task_attributes": {"format_version": "0.1", "categories": cats}})
        assert r.status_code == 201, r.text
        for user, role in (collaborators or {}).items():
            r = c.post(f"/datasets/{owner}/{name}/collaborators/", json={"user": user, "role": role})
            assert r.status_code == 201, r.text
        uuids = []
        for i in range(n_samples):
            url = upload(server, key, photo(*size, seed=i))
            r = c.post(f"/datasets/{owner}/{name}/samples/",
                       json={"name": f"img-{i:03d}.jpg", "attributes": {"image": {"url": url}}})
            assert r.status_code == 201, r.text
            uuids.append(r.json()["uuid"])
    return uuids


def axe_check(page: Any, label: str) -> list[dict]:
    """Run axe-core (shipped by axe-playwright-python) on the page; return serious and critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    (ARTIFACTS / "axe").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe" / f"{label}.txt").write_text(results.generate_report())
    return bad


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
