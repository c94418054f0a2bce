"""COCO run-length encoding, written from the format description (no pycocotools needed at runtime).

Runs are counted over the mask in column-major (Fortran) order, starting with a run of zeros (possibly empty).
The compressed string stores each count (from the third on, as the difference to the count two places back)
in 5-bit groups, least significant first, each group + 48 as one character, bit 0x20 meaning "more follows".
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray


def run_lengths(mask: NDArray[Any]) -> list[int]:
    flat = np.asarray(mask, dtype=bool).ravel(order="F")
    if flat.size == 0:
        return [0]
    change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    bounds = np.concatenate([[0], change, [flat.size]])
    counts = np.diff(bounds).tolist()
    if flat[0]:
        counts = [0, *counts]
    return [int(c) for c in counts]


def counts_to_string(counts: list[int]) -> str:
    out = []
    for i, count in enumerate(counts):
        x = count - counts[i - 2] if i > 2 else count
        more = True
        while more:
            c = x & 0x1F
            x >>= 5
            more = (x != -1) if (c & 0x10) else (x != 0)
            if more:
                c |= 0x20
            out.append(chr(c + 48))
    return "".join(out)


def encode(mask: NDArray[Any]) -> dict[str, Any]:
    """A compressed COCO RLE ``{"size": [h, w], "counts": "<str>"}`` of a 2-D mask."""
    mask = np.asarray(mask)
    return {"size": [int(mask.shape[0]), int(mask.shape[1])], "counts": counts_to_string(run_lengths(mask))}


def bbox(mask: NDArray[Any]) -> list[float]:
    """``[x, y, width, height]`` of the non-zero pixels (pixel-edge coordinates, as pycocotools)."""
    ys, xs = np.nonzero(mask)
    if xs.size == 0:
        return [0.0, 0.0, 0.0, 0.0]
    return [float(xs.min()), float(ys.min()), float(xs.max() - xs.min() + 1), float(ys.max() - ys.min() + 1)]
