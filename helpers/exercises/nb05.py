"""Checks for notebook 05's exercises: the learner's callbacks run on a queue of the check.

05-feed-widget installs the learner's callback on a ``WatchedQueue`` fed with held-out photos and
hands it a status widget and a ``schedule`` of the check's own, which note on which thread each
call and each widget change ran. 05-patch-callback runs the learner's callback on occluded copies
of a photo, with a patch size and a class that the notebook never uses.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import numpy as np

from helpers.exercises import check
from helpers.exercises.reference import held_out_batches, reference_labels, reference_model
from helpers.exercises.watch import WatchedQueue
from helpers.images import read_for_model
from helpers.labels import softmax
from helpers.occlusion import occlude, patch_positions
from helpers.paths import IMAGES_DIR
from helpers.widgets.scheduling import LoopScheduler

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


class CountingScheduler(LoopScheduler):
    """A ``LoopScheduler`` that notes the thread of every ``schedule(fn)`` call."""

    def __init__(self) -> None:
        super().__init__()
        self.callers: list[int] = []

    def __call__(self, fn: Callable[[], None]) -> None:  # noqa: D102
        self.callers.append(threading.get_ident())
        super().__call__(fn)


FEED_HINT = (
    "the callback stores the top-1 label under its userdata (the file name) and passes schedule() a "
    "function that sets status.value; it never touches the widget itself, since it runs on an OpenVINO thread"
)


def _feed(make_on_found: Any) -> bool | str:
    """Right labels; each callback scheduled a change; every widget change ran on the main thread."""
    found: dict[str, str] = {}
    status = WatchedHTML(value="nothing classified yet")
    schedule = CountingScheduler()
    callback = make_on_found(found, status, schedule)
    if not callable(callback):
        return (
            f"make_on_found(found, status, schedule) should return the callback (request, name): {FEED_HINT}"
        )
    queue = WatchedQueue(reference_model(), 3)
    queue.set_callback(callback)
    for name, batch in held_out_batches().items():
        queue.start_async({0: batch}, name)
    queue.wait_all()
    callers = list(schedule.callers)
    schedule.flush()  # the widget changes still waiting for the event loop run now, on this thread
    if queue.escaped:
        return f"your callback raised {queue.escaped[0]}"
    if found != reference_labels():
        return f"found is not file name -> top-1 label of the photos the queue ran: {FEED_HINT}"
    if status.changes and not all(status.changes):
        return "status was changed on an OpenVINO thread: the callback must only store and call schedule(fn)"
    main = threading.get_ident()
    if len(callers) < len(found) or any(thread == main for thread in callers):
        return (
            f"schedule() was called {len(callers)} times from callbacks for {len(found)} photos: {FEED_HINT}"
        )
    if not status.changes or str(len(found)) not in status.value:
        return f"status should end by saying how many images are classified ({len(found)}): {FEED_HINT}"
    return True


def check_feed_widget(make_on_found: Any) -> None:
    """Exercise 05-feed-widget: ``make_on_found(found, status, schedule)`` returns a queue callback."""
    check("05-feed-widget", (make_on_found,), _feed, FEED_HINT)


PATCH_HINT = (
    "the callback stores the softmax probability of class_id, from the request's own output, in "
    "probs[index]: the index is the userdata the queue hands it"
)


def _patch_callback(make_on_patch: Any) -> bool | str:
    """Every slot filled with the probability of the check's class, by callbacks on the check's queue."""
    if not callable(make_on_patch):
        return "make_on_patch should be a function (probs, class_id) -> callback(request, index)"
    model = reference_model()
    square = read_for_model(IMAGES_DIR / PATCH_IMAGE)
    class_id = int(np.argsort(model(square)[0][0])[-2])  # the runner-up class: not the notebook's top-1
    occluded = [
        occlude(square[0], top, left, PATCH)[None] for top, left in patch_positions(224, 224, PATCH, PATCH)
    ]
    probs = np.full(len(occluded), np.nan, dtype=np.float32)
    callback = make_on_patch(probs, class_id)
    if not callable(callback):
        return "make_on_patch(probs, class_id) should return the callback, a function (request, index)"
    queue = WatchedQueue(model, 3)
    queue.set_callback(callback)
    for index, batch in enumerate(occluded):
        queue.start_async({0: batch}, index)
    queue.wait_all()
    if queue.escaped:
        return f"the callback raised {queue.escaped[0]}"
    if np.isnan(probs).any():
        return "not every probs[index] was filled: store under the index the callback receives (its userdata)"
    expected = np.array([softmax(model(batch)[0][0])[class_id] for batch in occluded], np.float32)
    if not np.allclose(probs, expected, atol=1e-4):
        return f"wrong values: {PATCH_HINT}"
    return True


def check_patch_callback(make_on_patch: Any) -> None:
    """Exercise 05-patch-callback: the learner's callback, run by a queue of the check on unseen patches."""
    check("05-patch-callback", (make_on_patch,), _patch_callback, PATCH_HINT)
