"""Checks for notebook 07's exercises (your model): each runs the learner's function on models it builds.

The models (made here with ``openvino.opset13``) have shapes and layouts the notebook never shows,
so only reading the model (07-read-input) or building a working ``PrePostProcessor``
(07-preprocess) passes; results are compared with numpy, computed here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import openvino as ov
import openvino.opset13 as ops

from helpers.exercises import check
from helpers.models import openvino_reason

# (shape, layout) of the check's models: NCHW and NHWC, colour and gray, not square
SHAPES = (
    ((1, 3, 160, 192), "NCHW"),
    ((1, 96, 128, 3), "NHWC"),
    ((1, 1, 28, 36), "NCHW"),
    ((1, 64, 48, 1), "NHWC"),
)


def channel_means(shape: tuple[int, ...], layout: str) -> ov.Model:
    """An image model whose output is the mean of each channel: [1, C]."""
    image = ops.parameter(list(shape), np.float32, name="pixels")
    axes = [2, 3] if layout == "NCHW" else [1, 2]
    out = ops.reduce_mean(image, ops.constant(np.array(axes, np.int64)), keep_dims=False)
    return ov.Model([ops.result(out)], [image], f"means_{layout}")


def _sizes_right(image_size: Any) -> bool:
    for shape, layout in SHAPES:
        h, w, c = (shape[2], shape[3], shape[1]) if layout == "NCHW" else shape[1:]
        got = image_size(channel_means(shape, layout))
        if tuple(int(v) for v in got) != (h, w, c):
            return False
    return True


def check_image_size(image_size: Any) -> None:
    """07-read-input: ``image_size(model)`` gives (height, width, channels) for NCHW and NHWC inputs."""
    check(
        "07-read-input",
        (image_size,),
        _sizes_right,
        "read the shape of model.input() (get_partial_shape or .shape) and tell NCHW from NHWC by "
        "where the 1 or 3 channels sit; a model of another size or layout must give its own numbers",
    )


def _preprocesses(with_preprocessing: Any) -> bool:
    rng = np.random.default_rng(25)
    core = ov.Core()
    for bgr in (False, True):
        mean = [float(v) for v in rng.uniform(0, 128, 3)]
        scale = [float(v) for v in rng.uniform(1, 64, 3)]
        model = with_preprocessing(channel_means((1, 3, 40, 56), "NCHW"), mean, scale, bgr)
        if not isinstance(model, ov.Model):
            raise TypeError(f"expected an ov.Model, got {type(model).__name__}")
        pixels = rng.integers(0, 256, (1, 40, 56, 3), dtype=np.uint8)
        try:
            got = core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})(pixels)[0]
        except RuntimeError as exc:  # one line, not OpenVINO's multi-line message
            raise ValueError(f"a u8 NHWC [1, 40, 56, 3] photo does not run: {openvino_reason(exc)}") from None
        rgb = pixels[..., ::-1] if bgr else pixels
        expected = ((rgb.astype(np.float32) - mean) / scale).mean(axis=(1, 2))
        if not np.allclose(got, expected, rtol=1e-3, atol=1e-3):
            return False
    return True


def check_preprocess(with_preprocessing: Any) -> None:
    """07-preprocess: ``with_preprocessing(model, mean, scale, bgr)`` puts PPP before an NCHW f32 model."""
    check(
        "07-preprocess",
        (with_preprocessing,),
        _preprocesses,
        "PrePostProcessor: tensor u8 NHWC, model NCHW; steps reverse_channels() only when bgr, then "
        "convert_element_type(f32), mean(mean), scale(scale); return ppp.build()",
    )
