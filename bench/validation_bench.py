"""Validation speed: the figures the tests used to assert as wall-clock limits (moved here because a shared test
machine makes timing assertions flaky; the tests keep checking what is valid and what is not). Usage:

    .venv/bin/python bench/validation_bench.py [--runs 5]

Prints one JSON line per measurement (median of the runs), with the target each had as a test:
- 30,000 image samples parsed (orjson) and validated: target < 1 s (the bulk-insert path, 30,000+ samples/s);
- a label with 1,000 boxes: target < 50 ms;
- a point-cloud segmentation label with 1,000,000 point annotations: target < 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

import orjson
from labelhouse_server.validation import validate_label_attributes, validate_sample_attributes

CATS = {"categories": [{"id": i, "name": str(i)} for i in range(1, 11)]}


def thirty_thousand_samples() -> Callable[[], None]:
    body = orjson.dumps([{"name": f"img_{i:06d}.jpg", "attributes": {"image": {"url": f"https://cdn/x/{i}.jpg"}},
                          "metadata": {"camera": i % 4}} for i in range(30_000)])

    def run() -> None:
        for sample in orjson.loads(body):
            validate_sample_attributes("segmentation-bitmap", sample["attributes"])

    return run


def thousand_boxes() -> Callable[[], None]:
    label = {"annotations": [{"id": i, "category_id": 1 + i % 10, "type": "bbox",
                              "points": [[i, i + 0.5], [i + 10, i + 20.25]]} for i in range(1, 1001)]}
    return lambda: validate_label_attributes("bboxes", CATS, label)


def million_point_annotations() -> Callable[[], None]:
    label = {"annotations": [{"id": 1, "category_id": 1}], "point_annotations": [0, 1] * 500_000}
    return lambda: validate_label_attributes("pointcloud-segmentation", CATS, label)


CASES = [("30k image samples parse+validate", thirty_thousand_samples, 1.0),
         ("label with 1,000 boxes", thousand_boxes, 0.05),
         ("1,000,000 point annotations", million_point_annotations, 0.5)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for name, make, target in CASES:
        run = make()
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        print(json.dumps({"case": name, "median_s": round(median, 4), "target_s": target,
                          "met": median < target}), flush=True)


if __name__ == "__main__":
    main()
