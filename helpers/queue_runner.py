"""Notebook 04's queue loop, and notebook 03's restart chain, with the safety a program needs.

``run_queue`` is the ``AsyncInferQueue`` loop that notebook 04 writes in cells (a callback stores
each result under its input's index), plus what a program needs around it: inputs checked before
``start_async``, callback errors recorded instead of raised, results in input order, a clean stop
on interrupt. ``run_restarting_request`` is notebook 03's chain of one request restarted from its
own callback, as the C++ sample runs it. Later notebooks, the CLI and the tests call these. The
workarounds for OpenVINO's known issues live in ``helpers.workarounds``; the callback-free,
zero-copy loop lives in ``helpers.pipeline`` (appendix A4). No display code lives here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import openvino as ov

from helpers.workarounds import (
    CallbackFault,
    InputMismatch,
    SafeCallback,
    detach_inputs,
    input_checker,
    let_callbacks_settle,
    shareable,
    stop_requests,
)


@dataclass
class QueueRun:
    """What a run returns: results in input order (None where failed), faults and timings."""

    results: list[Any]
    errors: list[CallbackFault]
    seconds: float = 0.0
    jobs: int = 0

    @property
    def ok(self) -> int:
        """Number of inputs that produced a result."""
        return sum(r is not None for r in self.results)

    @property
    def fps(self) -> float:
        """Completed inferences per second of wall time."""
        return self.ok / self.seconds if self.seconds > 0 else 0.0

    @classmethod
    def ordered(
        cls, results: dict[int, Any], count: int, errors: list[CallbackFault], seconds: float, jobs: int
    ) -> QueueRun:
        """A run from results keyed by input index: ``count`` slots, errors sorted by their userdata."""
        faults = sorted(errors, key=lambda f: (str(type(f.userdata)), f.userdata))
        return cls([results.get(i) for i in range(count)], faults, seconds, jobs)


def first_output_copy(request: ov.InferRequest) -> np.ndarray:
    """Copy the first output tensor: the request's buffer is overwritten by its next inference."""
    return request.get_output_tensor(0).data.copy()


def collector(
    store: Callable[[ov.InferRequest], Any],
) -> tuple[dict[int, Any], dict[int, np.ndarray], SafeCallback]:
    """Results by input index, shared inputs in flight, and the safe callback that stores and drops them."""
    results: dict[int, Any] = {}
    inflight: dict[int, np.ndarray] = {}

    def on_done(request: ov.InferRequest, index: int) -> None:
        inflight.pop(index, None)
        results[index] = store(request)

    return results, inflight, SafeCallback(on_done)


def drive(
    queue: ov.AsyncInferQueue,
    inputs: Iterable[np.ndarray],
    start: Callable[[int, np.ndarray], None],
    faults: SafeCallback,
    *,
    shared: bool,
    inflight: dict[int, np.ndarray],
    after_start: Callable[[], None] | None = None,
) -> tuple[int, float]:
    """The loop of ``run_queue`` and ``pipeline.run_batches``: check and start each input, wait for all.

    Returns how many inputs there were, and the seconds from the first start to ``wait_all``.

    A bad input is recorded in ``faults`` under its index, never started (known issue 3). A shared
    input is kept in ``inflight`` until the caller's callback pops it (known issue 5). After
    ``wait_all`` it pauses once (known issue 4; ``seconds`` excludes the pause); a
    ``KeyboardInterrupt`` stops every request and propagates (issue 6); a shared run ends with
    requests that point at no caller's array (issues 1, 5).
    """
    check = input_checker(queue[0].model_inputs[0])
    count = 0
    t0 = time.perf_counter()
    try:
        for count, array in enumerate(inputs, start=1):
            index = count - 1
            try:
                check(array)
            except InputMismatch as exc:
                faults.record(index, exc)
                continue
            if shared:
                array = inflight[index] = shareable(array)  # kept alive until its request is done
            start(index, array)
            if after_start is not None:
                after_start()
        queue.wait_all()
        seconds = time.perf_counter() - t0  # first start to last completion, no settle
        let_callbacks_settle()
    except KeyboardInterrupt:
        stop_requests(queue, shared)
        raise
    if shared:
        detach_inputs(queue)
    return count, seconds


def run_queue(
    compiled: ov.CompiledModel,
    inputs: Iterable[np.ndarray],
    *,
    jobs: int = 0,
    store: Callable[[ov.InferRequest], Any] = first_output_copy,
    share_inputs: bool = False,
    progress: Callable[[int], None] | None = None,
    queue: ov.AsyncInferQueue | None = None,
) -> QueueRun:
    """Run every input through an ``AsyncInferQueue`` (notebook 04); results come back in input order.

    The callback stores ``store(request)`` under the input's index. Bad inputs and callback errors
    are recorded in ``errors`` with their index, never raised. ``progress(done)`` is called from
    this thread, never from a callback. A ``KeyboardInterrupt`` cancels the requests in flight,
    makes them usable again, then propagates.

    By default every input is copied into its request's own tensor. ``share_inputs=True`` hands
    the arrays to OpenVINO without a copy; each is kept alive until its request is done and must
    stay unchanged meanwhile. With a dynamic-shape input use one mode per compiled model (known
    issue 1, ``helpers.workarounds.detach_inputs``). After ``wait_all`` it pauses once, because its
    queue may be freed and the process exit right after it returns (known issue 4,
    ``helpers.workarounds.let_callbacks_settle``); ``seconds`` excludes that pause.
    """
    queue = queue if queue is not None else ov.AsyncInferQueue(compiled, jobs)
    results, inflight, callback = collector(store)

    def start(index: int, array: np.ndarray) -> None:
        queue.start_async({0: array}, index, share_inputs=share_inputs)

    queue.set_callback(callback)
    report = (lambda: progress(len(results))) if progress is not None else None
    count, seconds = drive(
        queue, inputs, start, callback, shared=share_inputs, inflight=inflight, after_start=report
    )
    if report is not None:
        report()
    return QueueRun.ordered(results, count, callback.errors, seconds, len(queue))


def run_restarting_request(
    request: ov.InferRequest,
    inputs: Sequence[np.ndarray],
    *,
    store: Callable[[ov.InferRequest], Any] = first_output_copy,
    timeout: float | None = None,
    share_inputs: bool = False,
) -> QueueRun:
    """The C++ sample's pattern (notebook 03): one request whose callback restarts it, input after input.

    The callback is set once and keeps its place in a counter, as the C++ sample does. The main
    thread waits on a ``threading.Event``. An error inside the callback stops the chain and is
    re-raised here, in the caller's thread, instead of leaving the caller waiting forever. On
    timeout or interrupt the chain is stopped and the request cancelled. ``share_inputs`` as in
    ``run_queue``.
    """
    results: list[Any] = [None] * len(inputs)
    done = threading.Event()
    state: dict[str, Any] = {"index": 0, "error": None, "stop": False}
    # A wrong input is refused with a one-line reason, in the caller's thread for the first one.
    check = input_checker(request.model_inputs[0])

    def submit(array: np.ndarray) -> None:
        # Restarting from inside the callback, also with an input of another size, is fine: the
        # request's own input tensor is resized and filled (copy mode) or replaced (shared).
        request.start_async({0: array}, share_inputs=share_inputs)

    def on_done(_userdata: Any) -> None:
        try:
            index = state["index"]
            results[index] = store(request)
            if index + 1 < len(inputs) and not state["stop"]:
                check(inputs[index + 1])
                state["index"] = index + 1
                submit(inputs[index + 1])
                return
        except BaseException as exc:  # noqa: BLE001 - hand it to the waiting thread
            state["error"] = exc
        done.set()

    def stop() -> None:
        state["stop"] = True  # a callback running right now must not restart the chain
        stop_requests([request], share_inputs)

    if not inputs:
        return QueueRun([], [], seconds=0.0, jobs=1)
    check(inputs[0])
    t0 = time.perf_counter()
    request.set_callback(on_done, None)
    submit(inputs[0])
    try:
        finished = done.wait(timeout)
    except KeyboardInterrupt:
        stop()
        raise
    if not finished:
        stop()
        raise TimeoutError(f"callback chain did not finish within {timeout} s")
    request.wait()
    if share_inputs:
        detach_inputs([request])
    if state["error"] is not None:
        raise state["error"]
    return QueueRun(results, [], seconds=time.perf_counter() - t0, jobs=1)
