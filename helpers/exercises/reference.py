"""What the exercise checks share: their own f32 CPU classifier, its labels, and held-out photos.

The held-out photos are mirrored, cropped, recoloured or darkened copies of the sample photos,
written to a temporary folder when a check runs, under names that no notebook cell uses. A value
computed earlier in a notebook therefore cannot be an answer: the check runs the learner's code
on these files.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import numpy as np
import openvino as ov
from PIL import Image

from helpers.images import read_image, resize_for_model
from helpers.labels import load_labels, softmax
from helpers.models import build_static_classifier
from helpers.paths import IMAGES_DIR, SHIPPED_LABELS, SHIPPED_MODEL

F32 = {"INFERENCE_PRECISION_HINT": "f32"}


def _crop(a: np.ndarray) -> np.ndarray:
    h, w = a.shape[:2]
    return a[h // 10 : h - h // 10, w // 10 : w - w // 10]


def _warm(a: np.ndarray) -> np.ndarray:
    return np.clip(a.astype(np.int16) + np.array([25, 5, -20]), 0, 255).astype(np.uint8)


def _flip_crop(a: np.ndarray) -> np.ndarray:
    h, w = a.shape[:2]
    return a[h // 8 :, ::-1][:, w // 8 :]


# (held-out name, source photo, change): each keeps a clear top-1 (margin > 0.3 over the runner-up)
HELD_OUT = (
    ("held-out-1.png", "coffee.png", _crop),
    ("held-out-2.png", "cameraman.png", lambda a: a[:, ::-1]),
    ("held-out-3.png", "motorcycle.png", lambda a: (a * 0.6).astype(np.uint8)),
    ("held-out-4.png", "cat.png", _warm),
    ("held-out-5.png", "grace_hopper.jpg", _flip_crop),
)


@cache
def reference_model() -> ov.CompiledModel:
    """The checks' own static classifier (f32, CPU): never the learner's compiled model."""
    return build_static_classifier(ov.Core(), SHIPPED_MODEL, "CPU", F32)


@cache
def labels() -> list[str]:
    """The shipped model's 1,000 labels."""
    return load_labels(SHIPPED_LABELS, 1000)[0]


@cache
def held_out_images() -> dict[str, np.ndarray]:
    """Held-out name -> RGB u8 HWC pixels."""
    return {
        name: np.ascontiguousarray(change(read_image(IMAGES_DIR / src))) for name, src, change in HELD_OUT
    }


def held_out_batches() -> dict[str, np.ndarray]:
    """Held-out name -> the [1, 224, 224, 3] u8 batch of the static classifier (a fresh array each)."""
    return {name: resize_for_model(pixels) for name, pixels in held_out_images().items()}


@cache
def reference_probs() -> dict[str, np.ndarray]:
    """Held-out name -> probabilities [1000] from the checks' own classifier."""
    model = reference_model()
    return {name: softmax(model(batch)[0][0]) for name, batch in held_out_batches().items()}


def reference_labels() -> dict[str, str]:
    """Held-out name -> top-1 label."""
    return {name: labels()[int(p.argmax())] for name, p in reference_probs().items()}


@contextmanager
def held_out_folder() -> Iterator[list[Path]]:
    """Write the held-out photos to a new temporary folder; yield their paths (removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="held-out-") as folder:
        paths = []
        for name, pixels in held_out_images().items():
            Image.fromarray(pixels).save(Path(folder) / name)
            paths.append(Path(folder) / name)
        yield paths
