"""Checks for notebook 01's exercises (model loading).

01-bgr-ppp feeds BGR copies of the held-out photos to the learner's compiled model and compares it
with the checks' RGB classifier; 01-throughput-requests calls the learner's function with cores set
up differently, on a model that the notebook never uses, and reads the compiled model it returns.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import openvino as ov
import openvino.opset13 as ops

from helpers.exercises import check
from helpers.exercises.reference import held_out_batches, reference_probs
from helpers.labels import softmax

# The learner may compile with the device's default precision (bf16 on some CPUs): it moves
# probabilities by about 0.01; a missing BGR -> RGB conversion moves them by far more.
PROB_TOLERANCE = 0.05
PPP_HINT = (
    "declare what the camera gives on PrePostProcessor's tensor() (type, layout, shape, color format) "
    "and let preprocess() turn it into what the model was trained on, colour order included; "
    "compile the built model"
)


def _behaves_like_rgb_model(compiled: Any) -> bool | str:
    """A u8 [1,224,224,3] input that, fed BGR pixels, answers as the RGB classifier does on RGB."""
    if not isinstance(compiled, ov.CompiledModel):
        return f"bgr_classifier is a {type(compiled).__name__}, not an ov.CompiledModel: {PPP_HINT}"
    port = compiled.input(0)
    if port.get_element_type() != ov.Type.u8 or port.get_partial_shape() != ov.PartialShape([1, 224, 224, 3]):
        shape, kind = port.get_partial_shape(), port.get_element_type().get_type_name()
        return f"its input is {shape} {kind}, not [1,224,224,3] u8: {PPP_HINT}"
    expected = reference_probs()
    for name, rgb in held_out_batches().items():
        probs = softmax(compiled(np.ascontiguousarray(rgb[..., ::-1]))[0][0])
        if (
            int(probs.argmax()) != int(expected[name].argmax())
            or np.abs(probs - expected[name]).max() > PROB_TOLERANCE
        ):
            return False
    return True


def check_bgr_classifier(bgr_classifier: Any) -> None:
    """Exercise 01-bgr-ppp: a compiled model that takes BGR u8 NHWC [1,224,224,3] frames."""
    check("01-bgr-ppp", (bgr_classifier,), _behaves_like_rgb_model, PPP_HINT)


def _small_model() -> ov.Model:
    """A model the notebook never uses: a 1x1 convolution on a [1, 3, 32, 32] input."""
    x = ops.parameter([1, 3, 32, 32], np.float32, name="x")
    w = ops.constant(np.ones((4, 3, 1, 1), np.float32))
    return ov.Model([ops.relu(ops.convolution(x, w, [1, 1], [0, 0], [0, 0], [1, 1]))], [x], "small")


THROUGHPUT_HINT = (
    "compile with the THROUGHPUT performance hint in compile_model's config, then read "
    "OPTIMAL_NUMBER_OF_INFER_REQUESTS from that compiled model (get_property): it depends on the "
    "device's setup, so a number typed in is right on one machine only"
)


def _throughput(throughput_compile: Any) -> bool | str:
    """On cores set up for 1 stream and the default: the hint is THROUGHPUT, n what the model asks for."""
    for streams in (1, None):
        core = ov.Core()
        if streams:
            core.set_property("CPU", {"NUM_STREAMS": str(streams)})
        got = throughput_compile(core, _small_model(), "CPU")
        if not (isinstance(got, tuple) and len(got) == 2 and isinstance(got[0], ov.CompiledModel)):
            return "throughput_compile should return (the compiled model, the number of requests)"
        compiled, n_requests = got
        if "THROUGHPUT" not in str(compiled.get_property("PERFORMANCE_HINT")):
            return f"the compiled model's PERFORMANCE_HINT is not THROUGHPUT: {THROUGHPUT_HINT}"
        if isinstance(n_requests, bool) or not isinstance(n_requests, int):
            return f"the number of requests should be an int, got {type(n_requests).__name__}"
        if n_requests != int(compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS")):
            return f"on a core set up for {streams or 'the default number of'} stream(s): {THROUGHPUT_HINT}"
    return True


def check_throughput(throughput_compile: Any) -> None:
    """Exercise 01-throughput-requests: ``throughput_compile(core, model, device)`` -> (compiled, n)."""
    check("01-throughput-requests", (throughput_compile,), _throughput, THROUGHPUT_HINT)
