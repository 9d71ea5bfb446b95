"""The explorer's model field: load an IR or ONNX image classifier (and its labels), or refuse it in one line.

The model is checked by ``helpers.advise.inspect_model`` (one image input, one class vector out,
notebook 07). The explorer keeps showing 224 x 224 photos: ``PrePostProcessor`` (notebook 01)
takes that u8 NHWC batch and resizes it in the graph to the model's own size, then applies the
ImageNet mean and standard deviation, as the command line does for an RGB model.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets
import openvino as ov

from helpers import advise
from helpers.labels import load_labels
from helpers.models import IMAGENET_MEAN, IMAGENET_STD, build_static_classifier, openvino_reason
from helpers.paths import SHIPPED_MODEL, display_path


@dataclass(frozen=True)
class LoadedModel:
    """A compiled classifier for the explorer, its labels (or None: class ids) and a one-line note."""

    path: Path
    compiled: ov.CompiledModel
    labels: list[str] | None
    note: str


def explorer_model(core: ov.Core, info: advise.ModelInfo, size: int) -> ov.Model:
    """u8 NHWC ``[1, size, size, 3]`` in; resize to the model's size, f32, ImageNet mean/std in the graph."""
    model = core.read_model(info.path)
    if list(model.input().get_partial_shape()) != list(info.shape):
        model.reshape({model.input(): ov.PartialShape(list(info.shape))})
    ppp = ov.preprocess.PrePostProcessor(model)
    ppp.input().tensor().set_element_type(ov.Type.u8).set_layout(ov.Layout("NHWC")).set_shape(
        [1, size, size, 3]
    )
    ppp.input().model().set_layout(ov.Layout(info.layout))
    steps = ppp.input().preprocess().convert_element_type(ov.Type.f32)
    if info.size != (size, size):
        steps.resize(ov.preprocess.ResizeAlgorithm.RESIZE_LINEAR)
    steps.mean(list(IMAGENET_MEAN)).scale(list(IMAGENET_STD))
    ppp.output().tensor().set_element_type(ov.Type.f32)
    return ppp.build()


def load_classifier(
    core: ov.Core,
    path: str | os.PathLike[str],
    device: str,
    config: dict,
    size: int,
    labels_path: str | os.PathLike[str] | None = None,
) -> LoadedModel:
    """Check, prepare and compile a classifier; raise ``advise.AdviseError`` (one line) when unusable."""
    info = advise.inspect_model(core, path)
    name = display_path(info.path)
    if info.channels != 3:
        raise advise.AdviseError(
            f"{name}: takes {info.channels}-channel images; the explorer shows colour photos"
        )
    try:
        compiled = core.compile_model(explorer_model(core, info, size), device, config)
    except RuntimeError as exc:
        raise advise.AdviseError(
            f"{name}: cannot be compiled for {device} ({openvino_reason(exc)})"
        ) from None
    labels, note = info.labels, info.labels_note
    if labels_path:
        labels, warning = load_labels(labels_path, info.classes)
        note = warning or display_path(Path(labels_path))
    return LoadedModel(info.path, compiled, labels, note)


def compile_classifier(
    core: ov.Core, path: str | os.PathLike[str], device: str, config: dict, size: int
) -> ov.CompiledModel:
    """The shipped model as ``build_static_classifier`` (notebook 01) compiles it; any other as above."""
    if Path(path).resolve() == SHIPPED_MODEL.resolve():
        return build_static_classifier(core, path, device, config, size)
    return load_classifier(core, path, device, config, size).compiled


class ModelField:
    """Model and labels path fields and a status line; Enter in the model field calls ``on_enter``."""

    def __init__(self, on_enter: Callable[[str, str | None], object]) -> None:
        self.path = widgets.Text(
            placeholder="your classifier: .xml or .onnx, then Enter",
            description="Model:",
            continuous_update=False,
            layout=widgets.Layout(width="420px"),
        )
        self.labels = widgets.Text(
            placeholder="its labels file (default: <model>.labels)", description="Labels:"
        )
        self.status = widgets.HTML()
        self.path.add_class("explorer-model")
        self.status.add_class("explorer-model-status")
        self.box = widgets.HBox([self.path, self.labels, self.status])

        def entered(change: dict) -> None:
            if change["new"].strip():
                on_enter(change["new"].strip(), self.labels.value.strip() or None)

        self.path.observe(entered, "value")
