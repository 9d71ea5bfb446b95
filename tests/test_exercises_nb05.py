"""Notebook 05's checks: each can fail, names the concept, and passes the notebook's own answers."""

from __future__ import annotations

import threading

import openvino as ov
import pytest

from helpers.exercises import nb05
from helpers.images import read_for_model
from helpers.labels import softmax
from helpers.models import build_static_classifier
from helpers.occlusion import occlude
from helpers.paths import IMAGES_DIR, SHIPPED_MODEL
from helpers.widgets import LoopScheduler
from helpers.widgets.demo import write_demo_folder


@pytest.fixture(scope="module")
def compiled(core: ov.Core) -> ov.CompiledModel:
    return build_static_classifier(core, SHIPPED_MODEL, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})


@pytest.fixture(scope="module")
def reference() -> dict[str, str]:
    write_demo_folder()
    return nb05.reference_top1()


def in_thread(fn) -> None:
    t = threading.Thread(target=fn)
    t.start()
    t.join()


def test_demo_reference_skips_the_unreadable_files(reference):
    assert sorted(reference) == [
        "cameraman-dark.png",
        "cat-mirrored.png",
        "coffee-grey.png",
        "motorcycle-rotated.png",
        "rocket-small.png",
    ]
    assert reference["cat-mirrored.png"] == "Egyptian cat"


def test_feed_widget_not_answered_wrong_thread_and_right(reference, capsys):
    schedule, status = LoopScheduler(), nb05.watched_html()
    nb05.check_feed_widget(..., status, schedule)
    assert capsys.readouterr().out == "⏳ 05-feed-widget: not answered yet\n"

    in_thread(lambda: setattr(status, "value", "5 classified"))  # what a callback must not do
    nb05.check_feed_widget(dict(reference), status, schedule)
    assert capsys.readouterr().out.startswith("✗ 05-feed-widget: status was changed on an OpenVINO thread")

    status = nb05.watched_html()
    in_thread(lambda: schedule(lambda: setattr(status, "value", "5 classified")))
    nb05.check_feed_widget(dict(reference), status, schedule)  # the check runs the waiting change
    assert capsys.readouterr().out == "✅ 05-feed-widget: correct\n"


def test_feed_widget_names_missing_and_wrong_labels(reference, capsys):
    schedule, status = LoopScheduler(), nb05.watched_html()
    status.value = "5 classified"
    nb05.check_feed_widget({k: v for k, v in list(reference.items())[1:]}, status, schedule)
    assert "key each result by its userdata" in capsys.readouterr().out
    nb05.check_feed_widget({**reference, "cat-mirrored.png": "tabby, tabby cat"}, status, schedule)
    assert capsys.readouterr().out.startswith("✗ 05-feed-widget: wrong label for cat-mirrored.png")
    nb05.check_feed_widget([], status, schedule)
    assert capsys.readouterr().out.startswith("✗ 05-feed-widget: found should be a dict")


def test_patch_drop_checks_the_request_input_and_the_drop(compiled, capsys):
    square = read_for_model(IMAGES_DIR / "coffee.png")
    base = softmax(compiled(square)[0][0])
    top1 = int(base.argmax())

    def answer(top: int, left: int) -> tuple[ov.InferRequest, float]:
        request = compiled.create_infer_request()
        request.infer({0: occlude(square[0], top, left, 48)[None]})
        return request, float(base[top1] - softmax(request.get_output_tensor(0).data[0])[top1])

    nb05.check_patch_drop(..., ...)
    assert capsys.readouterr().out == "⏳ 05-patch-drop: not answered yet\n"
    nb05.check_patch_drop(*answer(32, 96))  # row and column swapped
    assert capsys.readouterr().out.startswith("✗ 05-patch-drop: the request's input is not coffee.png")
    request, drop = answer(96, 32)
    nb05.check_patch_drop(request, drop + 0.05)
    assert capsys.readouterr().out.startswith("✗ 05-patch-drop: the drop is")
    nb05.check_patch_drop("a request", drop)
    assert capsys.readouterr().out.startswith("✗ 05-patch-drop: patch_request should be an InferRequest")
    nb05.check_patch_drop(request, drop)
    assert capsys.readouterr().out == "✅ 05-patch-drop: correct\n"
