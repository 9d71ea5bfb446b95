import numpy as np
import openvino as ov
import openvino.opset13 as ops
import pytest
from expected import EXPECTED_TOP1
from PIL import Image

from helpers import images, labels, models, paths


def test_model_card_top1_with_plain_openvino(core, labels):
    compiled = core.compile_model(paths.SHIPPED_MODEL, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    mean = np.array(models.IMAGENET_MEAN, np.float32)
    std = np.array(models.IMAGENET_STD, np.float32)
    card = models.MODEL_CARD.read_text(encoding="utf-8")
    for name, expected in EXPECTED_TOP1.items():
        rgb = images.read_image(paths.IMAGES_DIR / name)
        x = np.asarray(Image.fromarray(rgb).resize((224, 224), Image.Resampling.BILINEAR), np.float32)
        x = ((x - mean) / std).transpose(2, 0, 1)[None]
        cid, _ = labels_top1 = labels_top(compiled(x, share_inputs=False)[0])
        assert labels[cid] == expected, (name, labels_top1)
        assert f"| {name} |" in card and f"| {expected} |" in card


def labels_top(logits):
    return labels.top_k(labels.softmax(logits[0]), 1)[0]


def test_ppp_classifier_agrees_on_every_sample(classifier, labels):
    for name, expected in EXPECTED_TOP1.items():
        rgb = images.read_image(paths.IMAGES_DIR / name)
        cid, _ = labels_top(classifier(rgb[None], share_inputs=False)[0])
        assert labels[cid] == expected, name


def test_checksum_in_card_matches_shipped_file():
    assert models.shipped_checksums()["efficientnet-lite0.onnx"] == models.sha256_of(paths.SHIPPED_MODEL)


def test_two_input_model_is_refused(tmp_path, core):
    a = ops.parameter([1, 3], ov.Type.f32, name="a")
    b = ops.parameter([1, 3], ov.Type.f32, name="b")
    model = ov.Model([ops.add(a, b)], [a, b], "two_inputs")
    ov.save_model(model, tmp_path / "two.xml")
    with pytest.raises(models.ModelError, match="only single input topologies"):
        models.read_model(core, tmp_path / "two.xml")


def test_missing_and_corrupt_model(tmp_path, core):
    with pytest.raises(models.ModelError, match="model file not found"):
        models.read_model(core, tmp_path / "nope.xml")
    bad = tmp_path / "bad.xml"
    bad.write_text("<net><layers>")
    with pytest.raises(models.ModelError, match="cannot be read as a model") as info:
        models.read_model(core, bad)
    assert "\n" not in str(info.value)
