"""Checks for notebook 04's exercises (AsyncInferQueue).

Both install the learner's code on a ``WatchedQueue`` of the checks' own classifier and feed it
held-out photos: the queue counts ``start_async`` calls and callbacks, notes their threads and
userdata, and keeps any error escaping the learner's callback (a real queue would re-raise it).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.exercises import check
from helpers.exercises.reference import (
    held_out_batches,
    held_out_folder,
    labels,
    reference_model,
    reference_probs,
)
from helpers.exercises.watch import WatchedQueue

LOOP_HINT = (
    "set a callback on the queue you are given, start_async every photo with its file name as userdata, "
    "wait_all(); the callback keys each result by its userdata and keeps a COPY of the output (the request "
    "reuses its buffer for its next photo)"
)


def _top5(probabilities: np.ndarray) -> list[int]:
    """Class ids of the five largest values, best first."""
    return [int(i) for i in np.argsort(np.asarray(probabilities).reshape(-1))[::-1][:5]]


def _queue_loop(queue_top5: Any) -> bool | str:
    """One start_async and one callback per photo, userdata = file name, results = the reference top-5."""
    queue = WatchedQueue(reference_model(), 3)
    with held_out_folder() as paths:
        got = queue_top5(queue, paths)
        names = sorted(p.name for p in paths)
    if sorted(map(str, queue.started)) != names or any(not isinstance(u, str) for u in queue.started):
        return (
            f"the queue saw start_async with userdata {queue.started}, not each file name once: {LOOP_HINT}"
        )
    if len(queue.callbacks) != len(names) or not queue.off_main_thread():
        return f"{len(queue.callbacks)} callbacks ran for {len(names)} photos: {LOOP_HINT}"
    if queue.escaped:
        return f"your callback raised {queue.escaped[0]}"
    expected = {name: _top5(p) for name, p in reference_probs().items()}
    if not isinstance(got, dict) or {n: [int(i) for i in ids] for n, ids in got.items()} != expected:
        return f"wrong top-5 for some photos: {LOOP_HINT}"
    return True


def check_queue_loop(queue_top5: Any) -> None:
    """04-queue-loop: ``queue_top5(queue, paths)`` classifies every photo through the queue it is given."""
    check("04-queue-loop", (queue_top5,), _queue_loop, LOOP_HINT)


SAFE_HINT = (
    "the callback runs check(request, name) inside try/except and appends the name (its userdata) to "
    "failed when it raises: an error that escapes a queue callback is re-raised by the queue, and one "
    "swallowed silently is lost"
)


def _safe(make_safe: Any) -> bool | str:
    """On the check's queue and photos, the failing names are recorded and no error escapes."""
    names = sorted(held_out_batches())
    expected = dict(zip(names, [labels()[int(reference_probs()[n].argmax())] for n in names], strict=True))
    expected[names[1]] = "tabby, tabby cat"  # a wrong expectation: ValueError
    del expected[names[3]]  # a photo missing from the table: KeyError

    def strict(request: Any, name: str) -> None:
        label = labels()[int(request.get_output_tensor().data.argmax())]
        if label != expected[name]:
            raise ValueError(f"{name}: {label}")

    failed: list[str] = []
    callback = make_safe(strict, failed)
    if not callable(callback):
        return f"make_safe(check, failed) should return the callback (request, name): {SAFE_HINT}"
    queue = WatchedQueue(reference_model(), 2)
    queue.set_callback(callback)
    for name, batch in held_out_batches().items():
        queue.start_async(batch, name)
    queue.wait_all()
    if queue.escaped:
        return f"an error escaped your callback ({queue.escaped[0]}): {SAFE_HINT}"
    if isinstance(failed, str) or sorted(failed) != sorted([names[1], names[3]]):
        return f"failed holds {sorted(failed)}, not the photos whose check raised: {SAFE_HINT}"
    return True


def check_safe_callback(make_safe: Any) -> None:
    """04-safe-callback: ``make_safe(check, failed)`` returns a callback that records failures."""
    check("04-safe-callback", (make_safe,), _safe, SAFE_HINT)
