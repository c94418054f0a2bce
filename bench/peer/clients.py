"""One adapter per server with the same operations, each speaking that server's own public HTTP API.

Both use httpx with keep-alive connections and the same request shapes: JSON bodies, one request per operation,
no compression, no server-specific client tricks. An adapter works on one project (LS) / dataset (labelhouse).
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path
from typing import Any

import httpx

CATEGORIES = ["car", "person"]
IMAGE_W, IMAGE_H = 640, 480


def item(i: int) -> dict[str, Any]:
    """The neutral description of bench item i: an image URL and a little metadata."""
    return {"name": f"img_{i:07d}.jpg", "url": f"http://images.invalid/bench/img_{i:07d}.jpg",
            "metadata": {"camera": f"cam{i % 4}", "split": "val" if i % 10 == 0 else "train", "seq": i}}


# Two boxes per label, in pixels: (x, y, w, h, category index)
BOXES = [(64.0, 48.0, 128.0, 144.0, 0), (320.0, 192.0, 96.0, 120.0, 1)]


class Adapter:
    kind = ""

    def __init__(self, url: str, headers: dict[str, str], timeout: float = 600.0) -> None:
        self.url, self.headers, self.timeout = url, headers, timeout
        self.timeout_s = timeout  # time cap of the export in progress
        self.http = self.new_client()

    def new_client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=self.headers, timeout=self.timeout,
                            limits=httpx.Limits(max_keepalive_connections=8))

    def close(self) -> None:
        self.http.close()

    @staticmethod
    def check(r: httpx.Response) -> httpx.Response:
        if r.status_code >= 400:
            raise RuntimeError(f"{r.request.method} {r.request.url} -> {r.status_code}: {r.text[:500]}")
        return r

    # operations, implemented per server
    page_size = 1000

    def create_project(self, name: str) -> None: raise NotImplementedError
    def import_batch(self, items: list[dict[str, Any]]) -> None: raise NotImplementedError
    def list_page(self, page: int, http: httpx.Client | None = None) -> list[Any]: raise NotImplementedError
    def ids_of(self, page: list[Any]) -> list[Any]: raise NotImplementedError
    def write_label(self, item_id: Any, http: httpx.Client) -> None: raise NotImplementedError
    def get_item(self, item_id: Any, http: httpx.Client) -> None: raise NotImplementedError
    def export_json(self, dest: Path, tag: str) -> None: raise NotImplementedError
    def export_coco(self, dest: Path, tag: str) -> None: raise NotImplementedError
    def count_export(self, kind: str, path: Path) -> dict[str, int]: raise NotImplementedError


class LabelStudio(Adapter):
    """Label Studio's REST API (legacy token auth, as created by ``label-studio start --user-token``)."""

    kind = "label-studio"
    LABEL_CONFIG = ('<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image">'
                    + "".join(f'<Label value="{c}"/>' for c in CATEGORIES) + "</RectangleLabels></View>")

    def create_project(self, name: str) -> None:
        r = self.check(self.http.post("/api/projects/", json={"title": name, "label_config": self.LABEL_CONFIG}))
        self.project = r.json()["id"]

    def import_batch(self, items: list[dict[str, Any]]) -> None:
        tasks = [{"data": {"image": it["url"], "name": it["name"], **it["metadata"]}} for it in items]
        r = self.check(self.http.post(f"/api/projects/{self.project}/import", json=tasks))
        assert r.json()["task_count"] == len(items), r.text[:300]

    def list_page(self, page: int, http: httpx.Client | None = None) -> list[Any]:
        r = (http or self.http).get("/api/tasks", params={"project": self.project, "page": page,
                                                          "page_size": self.page_size})
        if r.status_code == 404:  # DRF: page past the end
            return []
        return self.check(r).json()["tasks"]

    def ids_of(self, page: list[Any]) -> list[Any]:
        return [t["id"] for t in page]

    def write_label(self, item_id: Any, http: httpx.Client) -> None:
        result = [{"id": f"b{k}", "from_name": "label", "to_name": "image", "type": "rectanglelabels",
                   "original_width": IMAGE_W, "original_height": IMAGE_H, "image_rotation": 0,
                   "value": {"x": x / IMAGE_W * 100, "y": y / IMAGE_H * 100, "width": w / IMAGE_W * 100,
                             "height": h / IMAGE_H * 100, "rotation": 0, "rectanglelabels": [CATEGORIES[c]]}}
                  for k, (x, y, w, h, c) in enumerate(BOXES)]
        self.check(http.post(f"/api/tasks/{item_id}/annotations/", json={"result": result}))

    def get_item(self, item_id: Any, http: httpx.Client) -> None:
        self.check(http.get(f"/api/tasks/{item_id}/"))

    def _export(self, fmt: str, dest: Path) -> None:
        # The synchronous export endpoint builds the file and streams it back; all tasks, with annotations.
        with self.http.stream("GET", f"/api/projects/{self.project}/export",
                              params={"exportType": fmt, "download_all_tasks": "true"},
                              timeout=httpx.Timeout(self.timeout_s)) as r:
            if r.status_code >= 400:
                r.read()
                self.check(r)
            with open(dest, "wb") as fh:
                fh.writelines(r.iter_bytes(1 << 20))

    def export_json(self, dest: Path, tag: str) -> None:
        self._export("JSON", dest)

    def export_coco(self, dest: Path, tag: str) -> None:
        self._export("COCO", dest)

    def count_export(self, kind: str, path: Path) -> dict[str, int]:
        if kind == "json":
            tasks = json.loads(path.read_bytes())
            return {"items": len(tasks), "labeled": sum(1 for t in tasks if t.get("annotations")),
                    "boxes": sum(len(a["result"]) for t in tasks for a in t.get("annotations") or [])}
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
            doc = json.loads(z.read("result.json"))
        return {"items": len(doc["images"]), "boxes": len(doc["annotations"])}


class Labelhouse(Adapter):
    """labelhouse's Segments-compatible API (contract §3)."""

    kind = "labelhouse"

    def create_project(self, name: str) -> None:
        body = {"name": name, "description": "", "task_type": "bboxes",
                "task_attributes": {"format_version": "0.1",
                                    "categories": [{"id": k + 1, "name": c} for k, c in enumerate(CATEGORIES)]},
                "category": "other", "public": False, "data_type": "IMAGE"}
        r = self.check(self.http.post("/user/datasets/", json=body))
        self.dataset = r.json()["full_name"]
        self.task_attributes = body["task_attributes"]

    def import_batch(self, items: list[dict[str, Any]]) -> None:
        samples = [{"name": it["name"], "attributes": {"image": {"url": it["url"]}}, "metadata": it["metadata"]}
                   for it in items]
        r = self.check(self.http.post(f"/datasets/{self.dataset}/samples_bulk/", json=samples))
        assert len(r.json()) == len(items), r.text[:300]

    def list_page(self, page: int, http: httpx.Client | None = None) -> list[Any]:
        r = (http or self.http).get(f"/datasets/{self.dataset}/samples/",
                                    params={"per_page": self.page_size, "page": page})
        if r.status_code == 404:  # "Invalid page." past the end
            return []
        return self.check(r).json()

    def ids_of(self, page: list[Any]) -> list[Any]:
        return [s["uuid"] for s in page]

    def write_label(self, item_id: Any, http: httpx.Client) -> None:
        annotations = [{"id": k + 1, "category_id": c + 1, "type": "bbox", "points": [[x, y], [x + w, y + h]]}
                       for k, (x, y, w, h, c) in enumerate(BOXES)]
        body = {"label_status": "LABELED", "attributes": {"format_version": "0.1", "annotations": annotations}}
        self.check(http.put(f"/labels/{item_id}/ground-truth/", json=body))

    def get_item(self, item_id: Any, http: httpx.Client) -> None:
        self.check(http.get(f"/samples/{item_id}/"))

    def _release_file(self, dest: Path, tag: str) -> None:
        """Create a release, poll until it is built, download its file."""
        name = f"bench-{tag}"
        r = self.check(self.http.post(f"/datasets/{self.dataset}/releases/", json={"name": name, "description": ""}))
        release = r.json()
        delay, deadline = 0.02, time.monotonic() + self.timeout_s
        while release["status"] == "PENDING":
            if time.monotonic() > deadline:
                raise TimeoutError(f"release {name} still PENDING")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)
            release = self.check(self.http.get(f"/datasets/{self.dataset}/releases/{name}/")).json()
        if release["status"] != "SUCCEEDED":
            raise RuntimeError(f"release {name} {release['status']}: {release.get('status_info')}")
        # The file URL is public (no auth header), like S3: fetch it without our API key.
        with httpx.stream("GET", release["attributes"]["url"], timeout=httpx.Timeout(self.timeout_s)) as f:
            self.check(f) if f.status_code >= 400 else None
            with open(dest, "wb") as fh:
                fh.writelines(f.iter_bytes(1 << 20))

    def export_json(self, dest: Path, tag: str) -> None:
        self._release_file(dest, f"json-{tag}")

    def export_coco(self, dest: Path, tag: str) -> None:
        """A fresh release, then the labelhouse SDK's COCO instance exporter on the downloaded file."""
        from labelhouse.export.coco import coco_instance
        from labelhouse.release import ReleaseDataset

        raw = dest.with_suffix(".release.json")
        self._release_file(raw, f"coco-{tag}")
        dataset = ReleaseDataset(str(raw), load_images=False)
        dest.write_text(json.dumps(coco_instance(dataset)))

    def count_export(self, kind: str, path: Path) -> dict[str, int]:
        doc = json.loads(path.read_bytes())
        if kind == "json":
            samples = doc["dataset"]["samples"]
            labeled = [s for s in samples if (s.get("labels") or {}).get("ground-truth")]
            return {"items": len(samples), "labeled": len(labeled),
                    "boxes": sum(len(s["labels"]["ground-truth"]["attributes"].get("annotations") or [])
                                 for s in labeled)}
        return {"items": len(doc["images"]), "boxes": len(doc["annotations"])}
