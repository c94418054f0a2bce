"""Seed a fresh labelhouse server with the accounts and data the official segments-ai test suite expects
(``contract/segments-api.md`` §10.2), through the official SDK — the same way a Segments user would set it up.

Result: the environment variables the official tests read (``SEGMENTS_API_KEY``, ``SEGMENTS_API_URL``,
``DATASET_OWNER``, ``DATASETS``, ``SAMPLE_UUIDS``, ``SAMPLE_ATTRIBUTE_TYPES``, ``LABEL_ATTRIBUTE_TYPES``,
``LABELSETS``, ``RELEASES``).
"""

from __future__ import annotations

import io
import json
import time
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw
from segments import SegmentsClient
from segments.typing import LabelStatus
from upstream_payloads import label_attributes, sample_attributes

OWNER = "python-sdk-tests-organization"  # hard-coded in the official test_dataset.py
API_USER = "sdk-tester"
COLLABORATOR = "admin-arnaud"  # hard-coded in the official collaborator tests
RELEASE = "v1.0"
IMAGE_SIZE = (64, 48)


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    task_type: str
    sample_type: str  # key of upstream_payloads.sample_attributes()
    label_type: str  # key of upstream_payloads.label_attributes()


# Order matters: the official tests require the image-segmentation dataset first (DATASETS[0]).
DATASETS = [
    DatasetSpec("example-images-segmentation", "segmentation-bitmap", "image", "image-segmentation"),
    DatasetSpec("example-images-vector", "vector", "image", "image-vector"),
    DatasetSpec("example-image-sequences-vector", "image-vector-sequence", "image-sequence", "image-sequence-vector"),
    DatasetSpec("example-point-clouds-segmentation", "pointcloud-segmentation", "pointcloud",
                "pointcloud-segmentation"),
    DatasetSpec("example-point-clouds-cuboids", "pointcloud-cuboid", "pointcloud", "pointcloud-cuboid"),
    DatasetSpec("example-point-cloud-sequences-segmentation", "pointcloud-segmentation-sequence",
                "pointcloud-sequence", "pointcloud-sequence-segmentation"),
    DatasetSpec("example-point-cloud-sequences-cuboids", "pointcloud-cuboid-sequence", "pointcloud-sequence",
                "pointcloud-sequence-cuboid"),
    DatasetSpec("example-point-cloud-sequences-vector", "pointcloud-vector-sequence", "pointcloud-sequence",
                "pointcloud-sequence-vector"),
    DatasetSpec("example-multi-sensor", "multisensor-sequence", "multi-sensor", "multi-sensor"),
]

CATEGORIES = [
    {"id": 1, "name": "car", "color": [230, 25, 75], "has_instances": True},
    {"id": 2, "name": "person", "color": [60, 180, 75], "has_instances": True},
    {"id": 3, "name": "road", "color": [128, 128, 128], "has_instances": False},
    {"id": 4, "name": "tree", "color": [0, 130, 200, 255], "has_instances": True,
     "attributes": [{"name": "kind", "input_type": "select", "values": ["oak", "pine"], "default_value": "oak"}]},
]


def _png(image: Image.Image) -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def street_image(seed: int) -> io.BytesIO:
    """A small RGB picture (sky, road, two boxes) that differs per seed."""
    image = Image.new("RGB", IMAGE_SIZE, (135, 206, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 30, 63, 47], fill=(90, 90, 90))
    draw.rectangle([4 + seed, 20, 24 + seed, 36], fill=(200, 30, 30))
    draw.rectangle([40, 14, 48, 36], fill=(30, 160, 60))
    return _png(image)


def segmentation_bitmap(seed: int) -> io.BytesIO:
    """The label bitmap of street_image(seed): instance id = R + 256*G + 65536*B, alpha 255 (contract §5).
    Ids 1 (car), 2 (person) and 5 (road) match label_attributes()["image-segmentation"]."""
    image = Image.new("RGBA", IMAGE_SIZE, (0, 0, 0, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 30, 63, 47], fill=(5, 0, 0, 255))
    draw.rectangle([4 + seed, 20, 24 + seed, 36], fill=(1, 0, 0, 255))
    draw.rectangle([40, 14, 48, 36], fill=(2, 0, 0, 255))
    return _png(image)


def fixture_png() -> bytes:
    """The official TestAsset uploads ``tests/fixtures/test.png``; any small PNG will do."""
    return street_image(0).getvalue()


def _upload(client: SegmentsClient, data: io.BytesIO | bytes, filename: str) -> str:
    stream = data if isinstance(data, io.BytesIO) else io.BytesIO(data)
    return client.upload_asset(stream, filename).url


def seed(server: Any, *, release_timeout: float = 120.0) -> dict[str, str]:
    """Create accounts, datasets, samples, labels and one SUCCEEDED release per dataset on ``server``
    (a ``support.LiveServer``); return the official suite's environment variables."""
    _, key = server.create_user(API_USER)
    server.create_user(COLLABORATOR)
    server.create_org(OWNER, API_USER)

    client = server.segments(key)
    try:
        pcd_url = _upload(client, b"\x00" * 16 * 8, "sweep.bin")  # 8 points of x, y, z, intensity float32 zeros
        images = [_upload(client, street_image(i), f"street-{i}.png") for i in range(3)]
        bitmaps = [_upload(client, segmentation_bitmap(i), f"street-{i}-label.png") for i in range(3)]

        first_samples: list[str] = []
        for spec in DATASETS:
            client.add_dataset(
                spec.name, description=f"Fixture dataset for the official tests ({spec.task_type}).",
                task_type=spec.task_type, task_attributes={"format_version": "0.1", "categories": CATEGORIES},
                category="street_scenery", organization=OWNER,
            )
            identifier = f"{OWNER}/{spec.name}"
            uuids = []
            for index in range(3):
                attributes = sample_attributes(image_url=images[index], pcd_url=pcd_url)[spec.sample_type]
                sample = client.add_sample(identifier, f"{spec.name}-{index}.png", attributes,
                                           metadata={"index": index, "split": "train" if index else "val"})
                uuids.append(sample.uuid)
            first_samples.append(uuids[0])
            # The first sample stays unlabeled: the official label tests add and delete its ground-truth label.
            for index, status in ((1, LabelStatus.LABELED), (2, LabelStatus.REVIEWED)):
                attributes = label_attributes(bitmap_url=bitmaps[index])[spec.label_type]
                client.add_label(uuids[index], "ground-truth", attributes, label_status=status)
            client.add_labelset(identifier, "predictions", "Model predictions (seeded).")

        for spec in DATASETS:
            client.add_release(f"{OWNER}/{spec.name}", RELEASE, "Seeded release for the official dataset tests.")
        _wait_for_releases(client, release_timeout)
    finally:
        client.close()

    return {
        "SEGMENTS_API_KEY": key,
        "SEGMENTS_API_URL": server.url + "/",
        "DATASET_OWNER": OWNER,
        "DATASETS": json.dumps([spec.name for spec in DATASETS]),
        "SAMPLE_UUIDS": json.dumps(first_samples),
        "SAMPLE_ATTRIBUTE_TYPES": json.dumps([spec.sample_type for spec in DATASETS]),
        "LABEL_ATTRIBUTE_TYPES": json.dumps([spec.label_type for spec in DATASETS]),
        "LABELSETS": json.dumps(["ground-truth", "predictions"]),
        "RELEASES": json.dumps([RELEASE]),
    }


def _wait_for_releases(client: SegmentsClient, timeout: float) -> None:
    pending = {f"{OWNER}/{spec.name}" for spec in DATASETS}
    deadline = time.monotonic() + timeout
    while pending:
        for identifier in sorted(pending):
            release = client.get_release(identifier, RELEASE)
            if release.status == "FAILED":
                raise RuntimeError(f"release {identifier}/{RELEASE} FAILED: {release.model_dump()}")
            if release.status == "SUCCEEDED":
                pending.discard(identifier)
        if pending and time.monotonic() > deadline:
            raise RuntimeError(f"releases still not SUCCEEDED after {timeout}s: {sorted(pending)}")
        if pending:
            time.sleep(0.2)
