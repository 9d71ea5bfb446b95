"""Checks for notebook 02's exercises (synchronous inference).

02-copy-output hands the learner's function requests of the checks' own models (the LeNet digit
model and the photo classifier) with a digit and a held-out photo, then runs one more inference on
each request. 02-classify-photo calls the learner's function on held-out photo files.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import openvino as ov

from helpers.exercises import check
from helpers.exercises.reference import (
    F32,
    held_out_batches,
    held_out_folder,
    reference_labels,
    reference_model,
)
from helpers.images import read_idx_images
from helpers.models import openvino_reason
from helpers.paths import DIGITS_DIR, MODELS_DIR

COPY_HINT = (
    "write the input into THIS request's input tensor, run the request, and return a COPY of its output "
    "tensor's data: .data is a view of memory that the request's next inference overwrites"
)


@cache
def _digit_model() -> ov.CompiledModel:
    """The LeNet digit model (f32 [1,1,28,28] input, 10 logits), compiled on CPU."""
    return ov.Core().compile_model(MODELS_DIR / "lenet-digits.onnx", "CPU", F32)


def _digits() -> list[np.ndarray]:
    """Two test digits as [1,1,28,28] f32 batches."""
    images = read_idx_images(DIGITS_DIR / "test-images.idx3-ubyte")
    return [images[i][None, None].astype(np.float32) for i in (7, 11)]


def _cases() -> list[tuple[ov.CompiledModel, np.ndarray, np.ndarray]]:
    """(model, input, another input) per case: a held-out photo on the classifier, a digit on LeNet."""
    photos = list(held_out_batches().values())
    return [(reference_model(), photos[0], photos[1]), (_digit_model(), *_digits())]


def _kept_copy(keep_logits: Any) -> bool | str:
    """Per case: the request ran on its input, the result is its output and outlives a next inference."""
    for model, x, other in _cases():
        request = model.create_infer_request()
        expected = model(x)[0]
        try:
            got = keep_logits(request, x)
        except Exception as exc:  # e.g. the notebook's model called on a digit
            what = f"{type(exc).__name__}: {openvino_reason(exc)}"
            return (
                f"keep_logits raised {what} on a request of another model: use only the request "
                f"given; {COPY_HINT}"
            )
        if not np.array_equal(request.get_input_tensor().data, x):
            return "the input is not in the request's input tensor: " + COPY_HINT
        if not isinstance(got, np.ndarray) or got.shape != expected.shape:
            what = got.shape if isinstance(got, np.ndarray) else type(got).__name__
            return f"keep_logits returned {what}, not the request's output of shape {expected.shape}"
        if not np.array_equal(request.get_output_tensor().data, got):
            return "the logits are not the request's own output (was the request run?): " + COPY_HINT
        request.infer(other)  # the next inference on that request
        if not np.allclose(got, expected, atol=1e-4):
            return "the next inference changed the logits you kept: " + COPY_HINT
    return True


def check_copy_output(keep_logits: Any) -> None:
    """Exercise 02-copy-output: ``keep_logits(request, x)`` runs the request, keeps a copy of its logits."""
    check("02-copy-output", (keep_logits,), _kept_copy, COPY_HINT)


CLASSIFY_HINT = (
    "the static classifier takes the running example's [1, 224, 224, 3] u8 batch (decode, then resize); "
    "infer it on an InferRequest and return the label text of the most probable class"
)


def _classifies(classify: Any) -> bool | str:
    """``classify(path)`` returns the reference top-1 label of every held-out photo."""
    expected = reference_labels()
    with held_out_folder() as paths:
        for path in paths:
            try:
                answer = classify(path)
            except Exception as exc:  # one line, not OpenVINO's multi-line message
                reason = f"{type(exc).__name__}: {openvino_reason(exc)}"
                return f"classify({path.name}) raised {reason}: {CLASSIFY_HINT}"
            if answer != expected[path.name]:
                return f"classify({path.name}) gave {answer!r}, not the top-1 of that photo: {CLASSIFY_HINT}"
    return True


def check_classify(classify: Any) -> None:
    """Exercise 02-classify-photo: a function from a photo's path to its top-1 label."""
    check("02-classify-photo", (classify,), _classifies, CLASSIFY_HINT)
