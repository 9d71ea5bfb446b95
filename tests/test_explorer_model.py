"""Issue 25 item 3: the explorer's model field takes another classifier, and refuses one it cannot use.

The second model is made by the tests (tests/advise_models.py: one convolution, 10 classes, its
labels beside it); the refused one has two inputs.
"""

from __future__ import annotations

import advise_models
import numpy as np
import openvino as ov
import pytest

from helpers import advise
from helpers import widgets as W
from helpers.images import read_for_model
from helpers.paths import IMAGES_DIR

WAIT = 120


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("explorer-models")
    return {"tiny": advise_models.tiny(folder), "two_inputs": advise_models.two_inputs(folder)}


def card_texts(explorer: W.PredictionExplorer) -> list[str]:
    return [card.children[2].description for card in explorer.gallery.children]


def test_model_field_classifies_with_a_second_model_then_refuses_a_two_input_one(core, made):
    explorer = W.PredictionExplorer(core)
    assert explorer.wait(WAIT)
    shipped_top1 = {p.name: p.top1[0] for p in explorer.predictions()}
    assert len(shipped_top1) == len(list(IMAGES_DIR.iterdir()))

    explorer.model_field.value = str(made["tiny"])  # what pressing Enter in the field does
    assert explorer.wait(WAIT)
    assert explorer.model_path == made["tiny"]
    predictions = explorer.predictions()
    assert {p.name for p in predictions} == set(shipped_top1)
    assert all(p.probs.shape == (10,) for p in predictions)  # the tiny model's 10 classes
    assert all(text.startswith("tiny class") for text in card_texts(explorer))  # its labels file
    # the same top-1 as the tiny model compiled on its own with the same preprocessing
    info = advise.inspect_model(core, made["tiny"])
    reference = core.compile_model(advise.preprocessed(core, info, advise.IMAGENET), "CPU", W.EXPLORER_CONFIG)
    for p in predictions:
        assert p.top1[0] == int(np.argmax(reference(read_for_model(IMAGES_DIR / p.name))[0]))

    before = list(explorer.errors)
    explorer.model_field.value = str(made["two_inputs"])
    assert explorer.wait(WAIT)
    new = explorer.errors[len(before) :]
    assert len(new) == 1 and "two_inputs.xml: has 2 inputs" in new[0] and "\n" not in new[0]
    assert explorer.model_path == made["tiny"]  # kept the previous model
    assert explorer.classify(read_for_model(IMAGES_DIR / "cat.png")[0]).shape == (10,)
    assert all(text.startswith("tiny class") for text in card_texts(explorer))


def test_device_change_keeps_the_loaded_model(core, made):
    explorer = W.PredictionExplorer(core, images_dir=None)
    assert explorer.load_model(made["tiny"])
    explorer.device.value = "AUTO"
    assert explorer.wait(WAIT)
    probs = explorer.classify(read_for_model(IMAGES_DIR / "coffee.png")[0])
    assert probs.shape == (10,)
    assert isinstance(explorer.compiled, ov.CompiledModel)
