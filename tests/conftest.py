"""Shared fixtures: one OpenVINO Core and the PPP classifier, compiled once per session."""

from __future__ import annotations

import numpy as np
import openvino as ov
import pytest
from expected import EXPECTED_TOP1

from helpers import images, models, paths


@pytest.fixture(scope="session")
def core() -> ov.Core:
    return ov.Core()


@pytest.fixture(scope="session")
def classifier(core: ov.Core) -> ov.CompiledModel:
    return models.build_classifier(core, paths.SHIPPED_MODEL, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})


@pytest.fixture(scope="session")
def labels() -> list[str]:
    from helpers.labels import load_labels

    names, warning = load_labels(paths.SHIPPED_LABELS, 1000)
    assert warning is None
    return names


@pytest.fixture(scope="session")
def pictures() -> dict[str, np.ndarray]:
    """The shipped photos with their expected top-1 label, each as a ``[1, H, W, 3]`` u8 batch."""
    return {name: images.read_image(paths.IMAGES_DIR / name)[None] for name in EXPECTED_TOP1}
