"""Checks for notebook 05's exercises; each computes its reference with its own compiled model."""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

import ipywidgets as widgets
import numpy as np
import openvino as ov

from helpers.asyncq import SafeCallback
from helpers.exercises import NOT_ANSWERED, is_answered, report
from helpers.images import ImageReadError, list_image_files, read_for_model
from helpers.labels import load_labels, softmax
from helpers.models import build_static_classifier
from helpers.occlusion import occlude, patch_positions
from helpers.paths import IMAGES_DIR, SHIPPED_LABELS, SHIPPED_MODEL
from helpers.widgets.demo import demo_folder
from helpers.widgets.scheduling import LoopScheduler

FEED = "05-feed-widget"
PATCH_CALLBACK = "05-patch-callback"
# Exercise 05-patch-callback: a photo, a patch size and a class that the notebook never uses.
PATCH_IMAGE, PATCH = "cat.png", 56


class WatchedHTML(widgets.HTML):
    """An HTML widget that notes, for each change of its value, whether it ran on its creator's thread."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.owner = threading.get_ident()
        self.changes: list[bool] = []
        self.observe(self._note, "value")

    def _note(self, _change: dict) -> None:
        self.changes.append(threading.get_ident() == self.owner)


def watched_html() -> WatchedHTML:
    """The status widget of exercise 05-feed-widget."""
    return WatchedHTML(value="nothing classified yet")


@cache
def _reference_model() -> tuple[ov.CompiledModel, list[str] | None]:
    """A separate f32 classifier on CPU (never the learner's compiled model) and the labels."""
    model = build_static_classifier(ov.Core(), SHIPPED_MODEL, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    return model, load_labels(SHIPPED_LABELS, 1000)[0]


def reference_top1(folder: Any = None) -> dict[str, str]:
    """File name -> top-1 label of every readable image in the demo folder, one sync call each."""
    model, labels = _reference_model()
    out = {}
    for path in list_image_files(folder or demo_folder()):
        try:
            batch = read_for_model(path)
        except ImageReadError:
            continue
        out[path.name] = labels[int(np.argmax(model(batch)[0]))]
    return out


def _feed_problem(found: Any, status: WatchedHTML, schedule: LoopScheduler) -> str | None:
    """What is wrong with an answer to 05-feed-widget, or None."""
    if schedule.on_owner_thread():
        schedule.flush()  # widget changes still waiting for the event loop run now
    if not isinstance(found, dict):
        return "found should be a dict: file name (the userdata) -> top-1 label"
    reference = reference_top1()
    if set(found) != set(reference) and len(found) == len(reference):
        odd = sorted(set(found) - set(reference))[0]
        return (
            f"found is keyed by {odd!r}: key each result by the file name alone (e.g. cat-mirrored.png), "
            "which the callback receives as its userdata"
        )
    if set(found) != set(reference):
        return (
            f"found has {len(found)} entries, the folder {len(reference)} readable images: key each result "
            "by its userdata (the file name) and skip the ImageReadError items"
        )
    wrong = sorted(name for name in reference if found[name] != reference[name])
    if wrong:
        return f"wrong label for {', '.join(wrong)}: take the top-1 of each request's own output"
    if not status.changes:
        return (
            "status never changed: the callback should hand a function that sets status.value to schedule()"
        )
    if not all(status.changes):
        return "status was changed on an OpenVINO thread: the callback must only store and call schedule(fn)"
    if str(len(reference)) not in status.value:
        return f"status should end by saying how many images are classified ({len(reference)})"
    return None


def check_feed_widget(found: Any, status: WatchedHTML, schedule: LoopScheduler) -> None:
    """Exercise 05-feed-widget: top-1 per demo image, and ``status`` changed on the main thread only.

    Prints one line and returns None, so that a check call ending a cell displays nothing else.
    """
    if not is_answered(found):
        print(f"⏳ {FEED}: {NOT_ANSWERED}")
        return
    try:
        problem = _feed_problem(found, status, schedule)
    except Exception as exc:  # noqa: BLE001 - a check never raises
        problem = f"the check raised {type(exc).__name__}: {exc}"
    report(FEED, problem is None, problem or "")


def _patch_callback_problem(make_on_patch: Any) -> str | None:
    """What is wrong with an answer to 05-patch-callback, or None (its callback runs on the check's queue)."""
    if not callable(make_on_patch):
        return "make_on_patch should be a function (probs, class_id) -> callback(request, index)"
    model, _ = _reference_model()
    square = read_for_model(IMAGES_DIR / PATCH_IMAGE)
    class_id = int(np.argsort(model(square)[0][0])[-2])  # the runner-up class: not the notebook's top-1
    positions = patch_positions(224, 224, PATCH, PATCH)
    occluded = [occlude(square[0], top, left, PATCH)[None] for top, left in positions]
    probs = np.full(len(positions), np.nan, dtype=np.float32)
    callback = make_on_patch(probs, class_id)
    if not callable(callback):
        return "make_on_patch(probs, class_id) should return the callback, a function (request, index)"
    safe = SafeCallback(callback)  # an escaping error would poison the queue
    queue = ov.AsyncInferQueue(model, 3)
    queue.set_callback(safe)
    for index, batch in enumerate(occluded):
        queue.start_async({0: batch}, index)
    queue.wait_all()
    if safe.errors:
        return f"the callback raised {safe.errors[0]}"
    if np.isnan(probs).any():
        return "not every probs[index] was filled: store under the index the callback receives (its userdata)"
    expected = np.array([softmax(model(batch)[0][0])[class_id] for batch in occluded], np.float32)
    if not np.allclose(probs, expected, atol=1e-4):
        return "wrong values: store the softmax probability of class_id, from the request's own output"
    return None


def check_patch_callback(make_on_patch: Any) -> None:
    """Exercise 05-patch-callback: the learner's callback, run by a queue of the check on unseen patches."""
    if not is_answered(make_on_patch):
        print(f"⏳ {PATCH_CALLBACK}: {NOT_ANSWERED}")
        return
    try:
        problem = _patch_callback_problem(make_on_patch)
    except Exception as exc:  # noqa: BLE001 - a check never raises
        problem = f"the check raised {type(exc).__name__}: {exc}"
    report(PATCH_CALLBACK, problem is None, problem or "")
