"""Occlusion sensitivity: grey-patch positions, occluded copies and the drop maps built from them.

Pure numpy/PIL: no OpenVINO and no display code. Notebook 05 runs the inferences itself with an
``AsyncInferQueue`` (notebook 04) and hands the probabilities back to these functions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

GREY = 128


def _starts(length: int, patch: int, stride: int) -> list[int]:
    """Return the patch offsets along one axis; the last patch touches the far edge."""
    if patch <= 0 or stride <= 0:
        raise ValueError(f"patch ({patch}) and stride ({stride}) must be positive")
    if patch > length:
        raise ValueError(f"patch ({patch}) is larger than the image side ({length})")
    starts = list(range(0, length - patch + 1, stride))
    if starts[-1] != length - patch:
        starts.append(length - patch)
    return starts


def grid_shape(height: int, width: int, patch: int, stride: int) -> tuple[int, int]:
    """Return (rows, columns) of patch positions for an image of ``height`` x ``width``."""
    return len(_starts(height, patch, stride)), len(_starts(width, patch, stride))


def patch_positions(height: int, width: int, patch: int, stride: int) -> list[tuple[int, int]]:
    """Return the (top, left) corner of every patch, row by row, covering the whole image."""
    return [(top, left) for top in _starts(height, patch, stride) for left in _starts(width, patch, stride)]


def occlude(image: np.ndarray, top: int, left: int, patch: int, fill: int = GREY) -> np.ndarray:
    """Return a copy of ``image`` with a ``patch`` x ``patch`` square at (top, left) painted ``fill``."""
    out = image.copy()
    out[top : top + patch, left : left + patch] = fill
    return out


def drop_grid(base_prob: float, occluded_probs: Sequence[float], grid: tuple[int, int]) -> np.ndarray:
    """Return the drop of the top-1 probability per patch position as a (rows, columns) grid."""
    probs = np.asarray(occluded_probs, dtype=np.float64)
    if probs.size != grid[0] * grid[1]:
        raise ValueError(f"{probs.size} probabilities do not fill a {grid[0]} x {grid[1]} grid")
    return (base_prob - probs).reshape(grid)


def pixel_map(
    drops: Sequence[float], positions: Sequence[tuple[int, int]], patch: int, shape: tuple[int, int]
) -> np.ndarray:
    """Average, for every pixel, the drops of all patches that covered it (a smooth heat map)."""
    total = np.zeros(shape, dtype=np.float64)
    count = np.zeros(shape, dtype=np.float64)
    for drop, (top, left) in zip(np.ravel(drops), positions, strict=True):
        total[top : top + patch, left : left + patch] += drop
        count[top : top + patch, left : left + patch] += 1
    return np.divide(total, count, out=np.zeros_like(total), where=count > 0)


def largest_drops(
    drops: Sequence[float], positions: Sequence[tuple[int, int]], n: int = 3
) -> list[tuple[int, int, int, float]]:
    """Return the ``n`` patches with the largest drop as (index, top, left, drop), largest first."""
    flat = np.ravel(np.asarray(drops, dtype=np.float64))
    order = np.lexsort((np.arange(flat.size), -flat))[:n]
    return [(int(i), positions[i][0], positions[i][1], float(flat[i])) for i in order]
