"""Classifiers with a known bottleneck, made with openvino.opset13 and saved with ov.save_model (tests only).

- ``tiny``: one small convolution: inference costs far less CPU than decoding a photo (host-bound);
- ``heavy``: many wide convolutions: inference costs far more than decoding (inference-bound);
- ``two_inputs``, ``vector_input``, ``no_class_vector``: models the advisor and the explorer refuse.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openvino as ov
import openvino.opset13 as ops

RNG = np.random.default_rng(7)


def _weights(*shape: int) -> ov.Node:
    return ops.constant((RNG.standard_normal(shape) * 0.05).astype(np.float32))


def _head(x: ov.Node, channels: int, classes: int) -> ov.Node:
    pooled = ops.reduce_mean(x, ops.constant(np.array([2, 3], np.int64)), keep_dims=False)  # [1, C]
    return ops.matmul(pooled, _weights(channels, classes), False, False)


def _save(model: ov.Model, folder: Path, name: str, labels: list[str] | None = None) -> Path:
    path = Path(folder) / f"{name}.xml"
    ov.save_model(model, path, compress_to_fp16=False)
    if labels is not None:
        path.with_suffix(".labels").write_text("\n".join(labels) + "\n", encoding="utf-8")
    return path


def tiny(folder: Path, classes: int = 10) -> Path:
    """Host-bound: one 3x3 convolution with stride 4 and 4 filters, then a 4 -> ``classes`` head."""
    image = ops.parameter([1, 3, 224, 224], np.float32, name="image")
    conv = ops.convolution(image, _weights(4, 3, 3, 3), [4, 4], [0, 0], [0, 0], [1, 1])
    model = ov.Model([ops.result(_head(conv, 4, classes))], [image], "tiny")
    return _save(model, folder, "tiny", [f"tiny class {i}" for i in range(classes)])


def heavy(folder: Path, classes: int = 10, layers: int = 4, width: int = 64) -> Path:
    """Inference-bound: ``layers`` 3x3 convolutions of ``width`` channels at 112x112."""
    image = ops.parameter([1, 3, 224, 224], np.float32, name="image")
    x = ops.relu(ops.convolution(image, _weights(width, 3, 3, 3), [2, 2], [1, 1], [1, 1], [1, 1]))
    for _ in range(layers):
        x = ops.relu(ops.convolution(x, _weights(width, width, 3, 3), [1, 1], [1, 1], [1, 1], [1, 1]))
    model = ov.Model([ops.result(_head(x, width, classes))], [image], "heavy")
    return _save(model, folder, "heavy")


def two_inputs(folder: Path) -> Path:
    """Refused: two image inputs."""
    a = ops.parameter([1, 3, 32, 32], np.float32, name="a")
    b = ops.parameter([1, 3, 32, 32], np.float32, name="b")
    total = ops.add(a, b)
    out = ops.reduce_mean(total, ops.constant(np.array([2, 3], np.int64)), keep_dims=False)
    return _save(ov.Model([ops.result(out)], [a, b], "two_inputs"), folder, "two_inputs")


def vector_input(folder: Path) -> Path:
    """Refused: a feature-vector input [1, 128], not an image."""
    x = ops.parameter([1, 128], np.float32, name="features")
    out = ops.matmul(x, _weights(128, 10), False, False)
    return _save(ov.Model([ops.result(out)], [x], "vector_input"), folder, "vector_input")


def no_class_vector(folder: Path) -> Path:
    """Refused: an image in, an image out (a [1, 3, 32, 32] map, not a class vector)."""
    x = ops.parameter([1, 3, 32, 32], np.float32, name="image")
    out = ops.relu(x)
    return _save(ov.Model([ops.result(out)], [x], "no_class_vector"), folder, "no_class_vector")
