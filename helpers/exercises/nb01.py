"""Checks for notebook 01's exercises (model loading); references are computed here, independently.

The BGR check compares the learner's model with ``build_static_classifier`` on the same photos in
RGB order; the hint check reads the properties of the learner's own compiled model.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import openvino as ov

from helpers.exercises import check
from helpers.images import read_for_model
from helpers.labels import softmax
from helpers.models import build_static_classifier
from helpers.paths import IMAGES_DIR, SHIPPED_MODEL

PHOTOS = ("cat.png", "coffee.png", "cameraman.png")
# The learner may compile with the device's default precision (bf16 on some CPUs): it moves
# probabilities by about 0.01; a missing BGR -> RGB conversion moves them by far more.
PROB_TOLERANCE = 0.05


@cache
def _rgb_reference() -> dict[str, np.ndarray]:
    """Probabilities of the static RGB classifier (f32, CPU) for each check photo."""
    compiled = build_static_classifier(ov.Core(), SHIPPED_MODEL, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    return {name: softmax(compiled(read_for_model(IMAGES_DIR / name))[0][0]) for name in PHOTOS}


def _behaves_like_rgb_model(compiled: Any) -> bool:
    """A u8 [1,224,224,3] input that, fed BGR pixels, answers as the RGB classifier does on RGB."""
    if not isinstance(compiled, ov.CompiledModel):
        raise TypeError(f"expected an ov.CompiledModel, got {type(compiled).__name__}")
    port = compiled.input(0)
    if port.get_element_type() != ov.Type.u8 or port.get_partial_shape() != ov.PartialShape([1, 224, 224, 3]):
        raise ValueError(f"its input is {port.get_partial_shape()} {port.get_element_type().get_type_name()}")
    for name, expected in _rgb_reference().items():
        bgr = np.ascontiguousarray(read_for_model(IMAGES_DIR / name)[..., ::-1])
        probs = softmax(compiled(bgr)[0][0])
        if int(probs.argmax()) != int(expected.argmax()) or np.abs(probs - expected).max() > PROB_TOLERANCE:
            return False
    return True


def check_bgr_classifier(bgr_classifier: Any) -> None:
    """Exercise 01-bgr-ppp: a compiled model that takes BGR u8 NHWC [1,224,224,3] frames."""
    check(
        "01-bgr-ppp",
        (bgr_classifier,),
        _behaves_like_rgb_model,
        "declare what the camera gives on tensor() (type, layout, shape, color format) and let "
        "preprocess() turn it into what the model was trained on, colour order included",
    )


def _is_throughput(compiled: Any, n_requests: Any) -> bool:
    """Compiled with the THROUGHPUT hint, and ``n_requests`` is what that compiled model asks for."""
    if not isinstance(compiled, ov.CompiledModel):
        raise TypeError(f"expected an ov.CompiledModel, got {type(compiled).__name__}")
    hint = str(compiled.get_property("PERFORMANCE_HINT"))
    optimal = int(compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
    return "THROUGHPUT" in hint and isinstance(n_requests, int) and n_requests == optimal


def check_throughput(throughput_model: Any, n_requests: Any) -> None:
    """Exercise 01-throughput-requests: compile for THROUGHPUT and read how many requests it wants."""
    check(
        "01-throughput-requests",
        (throughput_model, n_requests),
        _is_throughput,
        "a performance hint goes into compile_model's config; the number of requests to keep in "
        "flight is a property of the compiled model (an int)",
    )
