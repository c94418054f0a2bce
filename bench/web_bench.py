"""The web app's performance budgets (contract webapp.md, "Budgets"), measured in Debian's headless Chromium
against a real `labelhouse serve` on loopback. Writes the section "Web app budgets" of bench/RESULTS.md.

    .venv/bin/python bench/web_bench.py [--grid-samples 100000] [--memory-samples 500]

What it measures (each on a fresh browser context, so "first open" means a cold cache):
1. sign-in page weight: every file the sign-in page loads, gzip-compressed (level 6) and summed;
2. workspace ready (image drawn, tools enabled: the app's `lh:workspace-ready` mark) for a 4000x3000 JPEG of
   about 3.5 MB, first open, from navigation start;
3. next sample: click "Next sample" -> the next 4000x3000 sample ready (the app prefetched its image);
4. a sample with 1,000 boxes: ready from navigation start; then the canvas's own frame times (the app records
   each render's duration when `window.__lhFrameTimes` exists) and the requestAnimationFrame intervals while
   zooming with the wheel, panning and dragging a box;
5. the same frames with 10,000 boxes;
6. the sample grid of a 100,000-sample dataset: page 1 from navigation start to all tiles in the DOM, the largest
   `per_page` any request asked for, the number of tiles;
7. autosave: draw a box -> "Saved" shown (the label is on the server);
8. memory: label (one box + Submit) N samples in one tab, then the tab's JS heap and the renderer's RSS.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "e2e")]

from support import live_server
from webkit import CHROMIUM_ARGS, PASSWORD, chromium_path, make_dataset, set_password, upload

WORK = ROOT / "bench" / ".work" / "web"


def big_jpeg(target: int = 3_500_000) -> bytes:
    """A 4000x3000 photo-like JPEG of about ``target`` bytes (smooth gradients plus grain)."""
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:3000, 0:4000].astype(np.float32)
    base = np.stack([128 + 90 * np.sin(x / 370), 128 + 90 * np.cos(y / 290), 128 + 60 * np.sin((x + y) / 530)], -1)
    best = b""
    for grain in (6, 9, 12, 16, 20, 26):
        arr = np.clip(base + rng.normal(0, grain, base.shape), 0, 255).astype(np.uint8)
        buf = io.BytesIO()
        Image.fromarray(arr).save(buf, "JPEG", quality=85)
        best = buf.getvalue()
        if len(best) >= target:
            break
    return best


def stats(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    return {"n": len(values), "median": round(statistics.median(values), 2), "max": round(max(values), 2),
            "p95": round(sorted(values)[int(0.95 * (len(values) - 1))], 2)}


def ready_after_nav(page, uuid: str, timeout: float = 60) -> float:
    page.wait_for_function("u => document.body.dataset.workspaceReady === u", arg=uuid, timeout=timeout * 1000)
    return page.evaluate("() => performance.getEntriesByName('lh:workspace-ready').at(-1).startTime")


def frames_during_interaction(page) -> dict:
    page.evaluate("""() => { window.__lhFrameTimes = []; window.__lhRaf = [];
        let last = performance.now(); const tick = (t) => { window.__lhRaf.push(t - last); last = t;
        if (window.__lhRaf.length < 100000 && !window.__lhStop) requestAnimationFrame(tick); };
        window.__lhStop = false; requestAnimationFrame(tick); }""")
    box = page.get_by_role("region", name="Workspace").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    for i in range(16):  # zoom in and out around the pointer
        page.mouse.wheel(0, -120 if i < 8 else 120)
        page.wait_for_timeout(30)
    page.keyboard.press("h")
    page.mouse.down()
    for i in range(30):  # pan
        page.mouse.move(cx + i * 8, cy + i * 4)
    page.mouse.up()
    page.keyboard.press("f")
    page.keyboard.press("v")
    page.mouse.click(box["x"] + 5, box["y"] + 5)
    page.wait_for_timeout(100)
    # drag the object under the centre, if any (select tool)
    page.mouse.move(cx, cy)
    page.mouse.down()
    for i in range(30):
        page.mouse.move(cx + i * 3, cy + i * 2)
    page.mouse.up()
    page.wait_for_timeout(200)
    render = page.evaluate("() => { window.__lhStop = true; return window.__lhFrameTimes; }")
    raf = page.evaluate("() => window.__lhRaf.slice(1)")
    return {"render_ms": stats(render), "raf_interval_ms": stats(raf)}


def boxes_label(n: int, w: int = 4000, h: int = 3000) -> dict:
    rng = np.random.default_rng(n)
    anns = []
    for i in range(n):
        x, y = float(rng.uniform(0, w - 120)), float(rng.uniform(0, h - 90))
        anns.append({"id": i + 1, "category_id": 1 + i % 2, "type": "bbox",
                     "points": [[round(x, 1), round(y, 1)], [round(x + rng.uniform(20, 120), 1),
                                                            round(y + rng.uniform(20, 90), 1)]]})
    return {"label_status": "LABELED", "attributes": {"format_version": "0.1", "annotations": anns}}


def renderer_rss_mb(browser_pid_hint: int | None = None) -> float | None:
    """Largest RSS among Chromium renderer processes (Linux /proc)."""
    best = 0
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ")
            if b"chromium" not in cmd or b"--type=renderer" not in cmd:
                continue
            for line in (d / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    best = max(best, int(line.split()[1]))
        except OSError:
            continue
    return round(best / 1024, 1) if best else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--grid-samples", type=int, default=100_000)
    ap.add_argument("--memory-samples", type=int, default=500)
    ap.add_argument("--no-write", action="store_true", help="print the figures, leave RESULTS.md alone")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    WORK.mkdir(parents=True, exist_ok=True)
    out: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
                 "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    with tempfile.TemporaryDirectory(dir=WORK) as tmp, live_server("sqlite", Path(tmp)) as server:
        user, key = server.create_user("bench")
        set_password(server, user)
        jpeg = big_jpeg()
        out["big_jpeg_bytes"] = len(jpeg)
        cats = [{"id": 1, "name": "car"}, {"id": 2, "name": "person"}]
        with server.client(key) as c:
            assert c.post("/user/datasets/", json={"name": "big", "task_type": "bboxes", "task_attributes": {
                "format_version": "0.1", "categories": cats}}).status_code == 201
            big = []
            for i in range(3):
                url = upload(server, key, jpeg, f"big-{i}.jpg")
                big.append(c.post(f"/datasets/{user}/big/samples/", json={
                    "name": f"big-{i}.jpg", "attributes": {"image": {"url": url}}}).json()["uuid"])
            for n, uuid in ((1000, big[1]), (10000, big[2])):
                r = c.put(f"/labels/{uuid}/ground-truth/", json=boxes_label(n))
                assert r.status_code in (200, 201), r.text
        small = make_dataset(server, key, user, "small", "bboxes", n_samples=args.memory_samples, size=(640, 480))

        print("creating the grid dataset ...", flush=True)
        with server.client(key) as c:
            assert c.post("/user/datasets/", json={"name": "grid", "task_type": "bboxes"}).status_code == 201
            thumb_url = upload(server, key, tile_jpeg(), "tile.jpg")
            for start in range(0, args.grid_samples, 1000):
                batch = [{"name": f"s{i:06d}.jpg", "attributes": {"image": {"url": thumb_url}}}
                         for i in range(start, min(args.grid_samples, start + 1000))]
                r = c.post(f"/datasets/{user}/grid/samples_bulk/", json=batch, timeout=300)
                assert r.status_code == 201, r.text[:300]

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)

            def signed_in_context():
                ctx = browser.new_context(viewport={"width": 1440, "height": 900})
                r = httpx.post(server.url + "/auth/login", json={"username": user, "password": PASSWORD})
                ctx.add_cookies([{"name": "lh_session", "value": r.cookies["lh_session"], "url": server.url}])
                return ctx

            # 1. sign-in page weight
            ctx = browser.new_context()
            page = ctx.new_page()
            bodies: list[tuple[str, bytes]] = []
            page.on("response", lambda r: bodies.append((r.url, r.body())) if r.ok and "/app/" in r.url else None)
            page.goto(server.url + "/app/login")
            page.get_by_role("button", name="Sign in", exact=True).wait_for()
            page.wait_for_load_state("networkidle")
            out["signin_files"] = {u.split("/app/")[-1] or "index.html": len(gzip.compress(b, 6)) for u, b in bodies}
            out["signin_gzip_kb"] = round(sum(out["signin_files"].values()) / 1024, 1)
            ctx.close()

            # 2-3. big image, first open; next sample
            ctx = signed_in_context()
            page = ctx.new_page()
            page.goto(f"{server.url}/app/datasets/{user}/big/samples/{big[0]}")
            out["workspace_ready_ms"] = round(ready_after_nav(page, big[0]), 1)
            page.wait_for_timeout(2500)  # the app prefetches the next sample meanwhile
            t0 = page.evaluate("() => performance.now()")
            page.get_by_role("button", name="Next sample").click()
            page.wait_for_function("u => document.body.dataset.workspaceReady === u", arg=big[1], timeout=60_000)
            out["next_sample_ms"] = round(page.evaluate(
                "() => performance.getEntriesByName('lh:workspace-ready').at(-1).startTime") - t0, 1)
            ctx.close()

            # 4-5. 1,000 and 10,000 boxes
            for n, uuid in ((1000, big[1]), (10000, big[2])):
                ctx = signed_in_context()
                page = ctx.new_page()
                page.goto(f"{server.url}/app/datasets/{user}/big/samples/{uuid}")
                out[f"open_{n}_boxes_ms"] = round(ready_after_nav(page, uuid), 1)
                page.wait_for_timeout(500)
                out[f"frames_{n}_boxes"] = frames_during_interaction(page)
                ctx.close()

            # 6. grid of the big dataset
            ctx = signed_in_context()
            page = ctx.new_page()
            asked: list[int] = []

            def note(req):
                if "/samples/?" in req.url:
                    from urllib.parse import parse_qs, urlparse

                    asked.append(int(parse_qs(urlparse(req.url).query).get("per_page", ["1000"])[0]))

            page.on("request", note)
            page.goto(f"{server.url}/app/datasets/{user}/grid")
            page.wait_for_function("() => document.querySelectorAll('.grid li').length >= 100", timeout=60_000)
            out["grid_page1_ms"] = round(page.evaluate("() => performance.now()"), 1)
            out["grid_tiles"] = page.evaluate("() => document.querySelectorAll('.grid li').length")
            out["grid_max_per_page_requested"] = max(asked) if asked else None
            ctx.close()

            # 7. autosave
            ctx = signed_in_context()
            page = ctx.new_page()
            page.goto(f"{server.url}/app/datasets/{user}/small/samples/{small[0]}")
            ready_after_nav(page, small[0])
            box = page.get_by_role("region", name="Workspace").bounding_box()
            page.keyboard.press("r")
            page.mouse.move(box["x"] + 300, box["y"] + 200)
            page.mouse.down()
            page.mouse.move(box["x"] + 500, box["y"] + 350, steps=5)
            t0 = time.perf_counter()
            page.mouse.up()
            page.get_by_role("status", name="Save status").filter(has_text="Saved").wait_for(timeout=20_000)
            page.wait_for_function("() => document.querySelector('[aria-label=\"Save status\"]').textContent === 'Saved'")
            out["autosave_s"] = round(time.perf_counter() - t0, 2)
            ctx.close()

            # 8. memory after labeling N samples in one tab
            ctx = signed_in_context()
            page = ctx.new_page()
            page.goto(f"{server.url}/app/datasets/{user}/small/samples/{small[1]}")
            labeled = 0
            t_start = time.perf_counter()
            for uuid in small[1:]:
                ready_after_nav(page, uuid)
                box = page.get_by_role("region", name="Workspace").bounding_box()
                page.keyboard.press("r")
                page.mouse.move(box["x"] + 200, box["y"] + 150)
                page.mouse.down()
                page.mouse.move(box["x"] + 400, box["y"] + 300, steps=3)
                page.mouse.up()
                page.get_by_role("button", name="Submit").click()
                labeled += 1
                if uuid == small[-1]:
                    break
                page.wait_for_function("u => document.body.dataset.workspaceReady !== u", arg=uuid, timeout=30_000)
            page.wait_for_timeout(1500)
            out["memory_samples_labeled"] = labeled
            out["memory_seconds"] = round(time.perf_counter() - t_start, 1)
            cdp = ctx.new_cdp_session(page)
            cdp.send("HeapProfiler.collectGarbage")
            out["memory_js_heap_mb"] = round(page.evaluate("() => performance.memory.usedJSHeapSize") / 2**20, 1)
            out["memory_renderer_rss_mb"] = renderer_rss_mb()
            ctx.close()
            browser.close()

    print(json.dumps(out, indent=2))
    (WORK / "results.json").write_text(json.dumps(out, indent=2))
    if not args.no_write:
        write_results(out, args)
    return 0


def tile_jpeg() -> bytes:
    """One small image shared by the grid dataset's samples (its thumbnail is made once, then cached)."""
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 140, 160)).save(buf, "JPEG")
    return buf.getvalue()


def write_results(o: dict, args) -> None:
    f1, f10 = o["frames_1000_boxes"], o["frames_10000_boxes"]
    rows = [
        ("sign-in page, gzip", "≤ 350 KB", f"{o['signin_gzip_kb']} KB"),
        (f"workspace ready, 4000×3000 JPEG of {o['big_jpeg_bytes'] / 1e6:.1f} MB, first open", "≤ 1.5 s",
         f"{o['workspace_ready_ms'] / 1000:.2f} s"),
        ("next sample (prefetched)", "≤ 0.5 s", f"{o['next_sample_ms'] / 1000:.2f} s"),
        ("1,000 boxes: open", "≤ 1.5 s", f"{o['open_1000_boxes_ms'] / 1000:.2f} s"),
        ("1,000 boxes: frames (render) during pan/zoom/drag", "median ≤ 20 ms, worst ≤ 100 ms",
         (f"median {f1['render_ms']['median']} ms, worst {f1['render_ms']['max']} ms "
         f"(rAF interval median {f1['raf_interval_ms']['median']} ms, p95 {f1['raf_interval_ms']['p95']} ms)")),
        ("10,000 objects: frames (render)", "median ≤ 50 ms",
         (f"median {f10['render_ms']['median']} ms, worst {f10['render_ms']['max']} ms "
         f"(rAF interval median {f10['raf_interval_ms']['median']} ms)")),
        (f"{args.grid_samples:,}-sample grid: page 1", "≤ 1 s, ≤ 1,000 per request, ≤ 500 tiles",
         (f"{o['grid_page1_ms'] / 1000:.2f} s, largest request per_page={o['grid_max_per_page_requested']}, "
         f"{o['grid_tiles']} tiles")),
        ("autosave (edit → Saved)", "≤ 5 s", f"{o['autosave_s']} s"),
        (f"{o['memory_samples_labeled']} samples labeled in one tab", "≤ 1 GB",
         (f"JS heap {o['memory_js_heap_mb']} MB, renderer RSS {o['memory_renderer_rss_mb']} MB "
         f"({o['memory_seconds']} s)")),
    ]
    table = "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    section = f"""## Web app budgets

Measured by `bench/web_bench.py` ({o['started']}) in Debian's headless Chromium
(`--headless --no-sandbox --disable-gpu`, so all canvas work is software-rendered) against `labelhouse serve`
on loopback with SQLite. Machine: {o['machine']} (shared with other work while measured). Method: see the
script's docstring; each figure is one run.

| what | budget | measured |
|---|---|---|
{table}

Sign-in page files (gzip bytes): {', '.join(f'{k}: {v:,}' for k, v in o['signin_files'].items())}.
"""
    results = ROOT / "bench" / "RESULTS.md"
    text = results.read_text() if results.exists() else "# Benchmark results\n"
    start = text.find("## Web app budgets")
    if start >= 0:
        end = text.find("\n## ", start + 5)
        text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
    else:
        text = text.rstrip() + "\n\n" + section
    results.write_text(text)


if __name__ == "__main__":
    raise SystemExit(main())
