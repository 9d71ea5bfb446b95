"""Notebook 05's checks: each can fail, names the concept, and passes the notebook's own answers."""

from __future__ import annotations

import threading

import numpy as np
import openvino as ov
import pytest

from helpers.exercises import nb05
from helpers.labels import softmax
from helpers.models import build_static_classifier
from helpers.paths import SHIPPED_MODEL
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


def test_patch_callback_runs_the_callback_on_the_checks_queue(capsys):
    def maker(value_of):
        def make_on_patch(probs, class_id):
            def on_patch(request, index):
                probs[index] = value_of(softmax(request.get_output_tensor(0).data[0]), class_id, index)

            return on_patch

        return make_on_patch

    nb05.check_patch_callback(...)
    assert capsys.readouterr().out == "⏳ 05-patch-callback: not answered yet\n"
    nb05.check_patch_callback("a function")
    assert capsys.readouterr().out.startswith("✗ 05-patch-callback: make_on_patch should be a function")
    nb05.check_patch_callback(lambda probs, class_id: None)
    assert capsys.readouterr().out.startswith(
        "✗ 05-patch-callback: make_on_patch(probs, class_id) should return"
    )
    nb05.check_patch_callback(maker(lambda p, c, i: p.max()))  # the top-1's probability, not class_id's
    assert capsys.readouterr().out.startswith("✗ 05-patch-callback: wrong values")
    nb05.check_patch_callback(maker(lambda p, c, i: p[c] if i else np.nan))  # one slot left empty
    assert capsys.readouterr().out.startswith("✗ 05-patch-callback: not every probs[index] was filled")
    nb05.check_patch_callback(maker(lambda p, c, i: {}[i]))  # KeyError in the callback
    assert capsys.readouterr().out.startswith("✗ 05-patch-callback: the callback raised")
    nb05.check_patch_callback(maker(lambda p, c, i: p[c]))
    assert capsys.readouterr().out == "✅ 05-patch-callback: correct\n"
