"""Small models that the claims tests and their child probes build (one place for both)."""

from __future__ import annotations

import numpy as np
import openvino as ov
import openvino.opset13 as ops


def conv_stack() -> ov.Model:
    """A model whose cost grows with its dynamic input size: six 3x3 convolutions."""
    image = ops.parameter([1, 3, -1, -1], ov.Type.f32, name="image")
    node = image
    rng = np.random.default_rng(0)
    for _ in range(6):
        weights = ops.constant(rng.standard_normal((3, 3, 3, 3)).astype(np.float32) * 0.1)
        node = ops.relu(ops.convolution(node, weights, [1, 1], [1, 1], [1, 1], [1, 1]))
    return ov.Model([node], [image], "conv_stack")
