"""Checks for notebook 03's exercises (InferRequest callbacks).

Both hand the learner's function a ``WatchedRequest`` of the checks' own classifier and the paths
of held-out photos: the request notes every ``start_async``, ``wait_for`` answer and callback (its
thread, its userdata, whether it raised), and finishes an inference only once the learner polls or
waits, so a poll loop must see ``wait_for`` answer ``False`` before the result exists.
"""

from __future__ import annotations

import threading
from typing import Any

from helpers.exercises import check
from helpers.exercises.reference import held_out_folder, reference_labels, reference_model, reference_probs
from helpers.exercises.watch import WatchedRequest

POLL_HINT = (
    "per photo: start_async on the request you are given, decode the next file meanwhile, poll "
    "wait_for(1) until it answers True, and only then read that photo's top-1 label"
)


def _polled(poll_labels: Any) -> bool | str:
    """Right labels, one start_async per photo, and each result polled with wait_for before it existed."""
    request = WatchedRequest(reference_model())
    with held_out_folder() as paths:
        got = poll_labels(request, paths)
        names = [p.name for p in paths]
    if request.count("start_async") != len(paths):
        return f"start_async ran {request.count('start_async')} times for {len(paths)} photos: {POLL_HINT}"
    segments: list[list[bool]] = []
    for what, detail in request.events:
        if what == "start_async":
            segments.append([])
        elif what == "wait_for" and segments:
            segments[-1].append(detail)
    if not all(polls and polls[0] is False and polls[-1] is True for polls in segments):
        return f"each inference must be polled with wait_for until True, not waited for: {POLL_HINT}"
    if not isinstance(got, list) or got != [reference_labels()[n] for n in names]:
        return f"wrong labels (one per photo, in file order): {POLL_HINT}"
    return True


def check_poll(poll_labels: Any) -> None:
    """03-poll: ``poll_labels(request, paths)`` polls ``wait_for`` per photo and returns the labels."""
    check("03-poll", (poll_labels,), _polled, POLL_HINT)


UNSURE_HINT = (
    "set_callback a callback that raises when the top-1 probability is below the threshold; "
    "start_async each photo with its file name as userdata; wait() re-raises the callback's error "
    "in this thread, so the names whose wait() raised are the unsure ones"
)
THRESHOLD = 0.7  # two held-out photos are below it, three above


def _unsure(unsure_names: Any) -> bool | str:
    """The learner's callback raised on an OpenVINO thread for exactly the unsure photos, caught at wait()."""
    request = WatchedRequest(reference_model())
    expected = sorted(n for n, p in reference_probs().items() if p.max() < THRESHOLD)
    with held_out_folder() as paths:
        got = unsure_names(request, paths, THRESHOLD)
        names = sorted(p.name for p in paths)
    if request.count("set_callback") == 0:
        return f"no callback was set on the request: {UNSURE_HINT}"
    if sorted(ud for what, ud in request.events if what == "start_async") != names:
        return f"start_async each photo once, with its file name as userdata: {UNSURE_HINT}"
    if any(thread == threading.get_ident() for thread, _, _ in request.callbacks):
        return "the callback ran on this thread: it must be the one OpenVINO calls"
    raised = sorted(ud for _, ud, r in request.callbacks if r)
    if raised != expected:
        return f"your callback raised for {raised}, not for the photos below {THRESHOLD}: {UNSURE_HINT}"
    if isinstance(got, str) or sorted(got) != expected:
        return f"the callback raised for the right photos, but unsure is not their names: {UNSURE_HINT}"
    return True


def check_unsure(unsure_names: Any) -> None:
    """03-unsure: ``unsure_names(request, paths, threshold)``, a raising callback caught at ``wait()``."""
    check("03-unsure", (unsure_names,), _unsure, UNSURE_HINT)
