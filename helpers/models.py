"""Model files: the shipped models, their checksums, the single-I/O check, the PPP classifier.

Notebook 01 teaches every OpenVINO call used here (``read_model``,
``PrePostProcessor``, ``compile_model``); later notebooks and the CLI call these wrappers.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import cache
from pathlib import Path
from xml.etree import ElementTree

import openvino as ov

from helpers import priority
from helpers.paths import MODELS_DIR, display_path

# ImageNet statistics in 0..255 units, the normalization the EfficientNet-Lite0 weights expect.
IMAGENET_MEAN = (123.675, 116.28, 103.53)
IMAGENET_STD = (58.395, 57.12, 57.375)
MODEL_CARD = MODELS_DIR / "README.md"


class ModelError(Exception):
    """A model that cannot be used; ``str()`` is one line naming the file and the reason."""


@cache
def shipped_checksums() -> dict[str, str]:
    """Return ``{file name: sha256}`` for the shipped models, read from data/models/README.md."""
    try:
        text = MODEL_CARD.read_text(encoding="utf-8")
    except OSError:
        return {}
    return {m[2]: m[1] for m in re.finditer(r"^([0-9a-f]{64})\s+\*?(\S+)\s*$", text, re.M)}


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Return the SHA-256 hex digest of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_shipped(path: str | os.PathLike[str]) -> None:
    """Refuse a shipped model whose SHA-256 differs from the model card's (corrupt or half-written)."""
    p = Path(path).resolve()
    if p.parent != MODELS_DIR.resolve():
        return
    expected = shipped_checksums().get(p.name)
    if expected is None:
        return
    actual = sha256_of(p)
    if actual != expected:
        raise ModelError(
            f"{display_path(p)}: SHA-256 {actual[:12]}... does not match the model card's "
            f"{expected[:12]}...; the file is corrupt or half-written (restore it with git checkout)"
        )


def check_single_io(model: ov.Model, name: str = "model") -> None:
    """Refuse a model with more than one input or output, as the official samples do."""
    if len(model.inputs) != 1:
        raise ModelError(
            f"{name}: Sample supports only single input topologies (this model has {len(model.inputs)})"
        )
    if len(model.outputs) != 1:
        raise ModelError(
            f"{name}: Sample supports only single output topologies (this model has {len(model.outputs)})"
        )


def openvino_reason(exc: BaseException) -> str:
    """Return the telling line of an OpenVINO error, not its ``Exception from file:line`` frames."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    telling = [ln for ln in lines if not ln.startswith(("Exception from ", "Check '"))]
    return (telling or lines or [type(exc).__name__])[-1]


def read_model(core: ov.Core, path: str | os.PathLike[str]) -> ov.Model:
    """``core.read_model`` with clear one-line errors, checksum check and the single-I/O check."""
    p = Path(path)
    name = display_path(p)
    if p.is_dir():
        raise ModelError(f"{name}: is a folder; give the model file (.xml or .onnx) inside it")
    if not p.is_file():
        raise ModelError(f"{name}: model file not found")
    verify_shipped(p)
    if p.suffix.lower() == ".xml":  # else every frontend tries it and the TF one logs to stderr
        try:
            ElementTree.parse(p)
        except ElementTree.ParseError as exc:
            raise ModelError(f"{name}: cannot be read as a model (not valid IR XML: {exc})") from None
    try:
        model = core.read_model(p)
    except Exception as exc:  # OpenVINO raises RuntimeError with a multi-line message
        reason = openvino_reason(exc).replace(str(p), name)
        raise ModelError(f"{name}: cannot be read as a model ({reason[:200]})") from None
    check_single_io(model, name)
    return model


def add_preprocessing(
    model: ov.Model,
    mean: tuple[float, ...] = IMAGENET_MEAN,
    std: tuple[float, ...] = IMAGENET_STD,
) -> ov.Model:
    """PrePostProcessor (notebook 01): u8 NHWC of any size in, resize + mean/scale in graph, NCHW model."""
    ppp = ov.preprocess.PrePostProcessor(model)
    ppp.input().tensor().set_element_type(ov.Type.u8).set_layout(
        ov.Layout("NHWC")
    ).set_spatial_dynamic_shape()
    ppp.input().model().set_layout(ov.Layout("NCHW"))
    channels = model.input().get_partial_shape()[1].get_length()
    ppp.input().preprocess().convert_element_type(ov.Type.f32).resize(
        ov.preprocess.ResizeAlgorithm.RESIZE_LINEAR
    ).mean(list(mean[:channels])).scale(list(std[:channels]))
    ppp.output().tensor().set_element_type(ov.Type.f32)
    return ppp.build()


def build_classifier(
    core: ov.Core,
    model_path: str | os.PathLike[str],
    device: str = "CPU",
    config: dict | None = None,
    mean: tuple[float, ...] = IMAGENET_MEAN,
    std: tuple[float, ...] = IMAGENET_STD,
) -> ov.CompiledModel:
    """Read, add PPP and compile a classifier (notebook 01 explains each step)."""
    model = add_preprocessing(read_model(core, model_path), mean, std)
    return core.compile_model(model, device, config or {})


def add_static_preprocessing(
    model: ov.Model,
    size: int = 224,
    mean: tuple[float, ...] = IMAGENET_MEAN,
    std: tuple[float, ...] = IMAGENET_STD,
) -> ov.Model:
    """PrePostProcessor (notebook 01) with a static input: u8 NHWC ``[1, size, size, C]`` in, no resize.

    The host resizes (``helpers.images.read_for_model``); the graph keeps layout, type, mean and
    scale. A static input shape keeps the async lessons clear of known issue 1 (A2-known-issues).
    """
    ppp = ov.preprocess.PrePostProcessor(model)
    channels = model.input().get_partial_shape()[1].get_length()
    ppp.input().tensor().set_element_type(ov.Type.u8).set_layout(ov.Layout("NHWC")).set_shape(
        [1, size, size, channels]
    )
    ppp.input().model().set_layout(ov.Layout("NCHW"))
    ppp.input().preprocess().convert_element_type(ov.Type.f32).mean(list(mean[:channels])).scale(
        list(std[:channels])
    )
    ppp.output().tensor().set_element_type(ov.Type.f32)
    return ppp.build()


def build_static_classifier(
    core: ov.Core,
    model_path: str | os.PathLike[str],
    device: str = "CPU",
    config: dict | None = None,
    size: int = 224,
    *,
    yield_to_host: bool = False,
) -> ov.CompiledModel:
    """Read, add static-shape PPP (layout, type, mean, scale) and compile (notebook 01 explains each step).

    With ``yield_to_host`` the inference threads run at a lower priority than this process's own
    (``helpers.priority.run_lowered``; Linux): the pipeline's decoders go first (appendix A4).
    """
    model = add_static_preprocessing(read_model(core, model_path), size)
    return priority.compile_model(core, model, device, config or {}, yield_to_host=yield_to_host)
