"""Checks for notebook 02's exercises (synchronous inference); references are computed here.

Each check classifies the photos with its own static classifier (f32, CPU) and compares labels;
the copy check also runs one more inference on the learner's request to expose a kept view.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import openvino as ov

from helpers.exercises import check
from helpers.images import read_for_model
from helpers.labels import load_labels
from helpers.models import build_static_classifier, openvino_reason
from helpers.paths import IMAGES_DIR, SHIPPED_LABELS, SHIPPED_MODEL

PHOTOS = ("cat.png", "coffee.png", "cameraman.png")


@cache
def _reference() -> dict[str, int]:
    """Top-1 class id of each check photo, from a classifier of this module's own."""
    compiled = build_static_classifier(ov.Core(), SHIPPED_MODEL, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    return {name: int(compiled(read_for_model(IMAGES_DIR / name))[0].argmax()) for name in PHOTOS}


def _kept_copy(request: Any, cat_logits: Any) -> bool:
    """The request holds the cat photo, ``cat_logits`` is its output and survives a next inference."""
    if not isinstance(request, ov.InferRequest):
        raise TypeError(f"expected the ov.InferRequest, got {type(request).__name__}")
    cat = read_for_model(IMAGES_DIR / "cat.png")
    if not np.array_equal(request.get_input_tensor().data, cat):
        return False
    if not isinstance(cat_logits, np.ndarray) or cat_logits.shape != (1, 1000):
        return False
    if int(cat_logits.argmax()) != _reference()["cat.png"]:
        return False
    request.infer(read_for_model(IMAGES_DIR / "coffee.png"))  # the next inference on that request
    return int(cat_logits.argmax()) == _reference()["cat.png"]


def check_copy_output(request: Any, cat_logits: Any) -> None:
    """Exercise 02-copy-output: fill the request's input with the cat, keep a copy of its logits."""
    check(
        "02-copy-output",
        (request, cat_logits),
        _kept_copy,
        "the cat must go into this request's input tensor, and the logits you keep must outlive the "
        "request's next inference: an output tensor's .data is a view of memory that the next "
        "inference overwrites",
    )


def _classifies(classify: Any) -> bool:
    """``classify(path)`` returns the reference top-1 label of every check photo."""
    labels, _ = load_labels(SHIPPED_LABELS, 1000)
    for name, class_id in _reference().items():
        try:
            answer = classify(IMAGES_DIR / name)
        except Exception as exc:  # one line, not OpenVINO's multi-line message
            raise ValueError(f"classify({name}) failed: {openvino_reason(exc)}") from None
        if answer != labels[class_id]:
            return False
    return True


def check_classify(classify: Any) -> None:
    """Exercise 02-classify-photo: a function from a photo's path to its top-1 label."""
    check(
        "02-classify-photo",
        (classify,),
        _classifies,
        "the static classifier takes the running example's [1, 224, 224, 3] u8 batch (decode, then "
        "resize); return the label text of the most probable class",
    )
