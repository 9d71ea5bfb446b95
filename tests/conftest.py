"""Shared fixtures: one OpenVINO Core and the PPP classifier, compiled once per session."""

from __future__ import annotations

import openvino as ov
import pytest

from helpers import models, paths


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
