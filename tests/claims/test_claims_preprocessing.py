"""Claims about PrePostProcessor that notebook 01 teaches, each shown by a run on the installed OpenVINO.

The register is docs/claims.md.
"""

from __future__ import annotations

import openvino as ov
import pytest

from helpers.paths import SHIPPED_MODEL


def static_u8_nhwc(model: ov.Model) -> ov.Model:
    """Notebook 01's static PPP on ``model``: u8 NHWC [1, 224, 224, 3] in, the model's NCHW behind."""
    ppp = ov.preprocess.PrePostProcessor(model)
    tensor = ppp.input().tensor()
    tensor.set_element_type(ov.Type.u8).set_layout(ov.Layout("NHWC")).set_shape([1, 224, 224, 3])
    ppp.input().model().set_layout(ov.Layout("NCHW"))
    return ppp.build()


def input_of(model: ov.Model) -> tuple[str, ov.Type]:
    """The model's input shape (as printed) and element type."""
    return str(model.input().get_partial_shape()), model.input().get_element_type()


@pytest.mark.parametrize("round_", range(3))
def test_prepostprocessor_changes_the_model_it_wraps_and_a_clone_keeps_it(core, round_) -> None:
    model = core.read_model(SHIPPED_MODEL)
    assert input_of(model) == ("[1,3,224,224]", ov.Type.f32)

    static_u8_nhwc(model.clone())  # notebook 01's way: the model read stays as it was
    assert input_of(model) == ("[1,3,224,224]", ov.Type.f32)

    static_u8_nhwc(model)  # without the clone, the wrapped model itself gets the new input
    assert input_of(model) == ("[1,224,224,3]", ov.Type.u8)
