"""OpenVINO's known issues, worked around: each function names its issue and its canary.

The issues are listed in docs/known-issues.md and notebook A2, by release; each canary in
tests/known_issues/test_canaries.py fails when its issue's behaviour changes. What each workaround does:

| issue | what goes wrong | workaround here |
|---|---|---|
| 1, 5 | a request keeps pointing at a caller's shared array | ``detach_inputs`` |
| 2 | a callback's exception is stored; the second re-raise aborts | ``SafeCallback`` |
| 3 | a failed ``start_async`` leaks its request | ``input_checker`` |
| 4 | exit right after a queue is freed aborts | ``let_callbacks_settle`` |
| 5 | a strided view shared into a queue reads freed memory | ``shareable`` |
| 6 | a cancelled request makes its queue raise | ``drain_cancelled``, ``stop_requests`` |

No display code lives here; ``helpers.queue_runner`` and ``helpers.pipeline`` use these.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import openvino as ov

# How long a run pauses after wait_all, before its queue may be freed, so that OpenVINO's worker
# threads let go of the finished requests (issue 4; the evidence: docs/known-issues.md, A2).
CALLBACK_SETTLE_SECONDS = 0.005


class InputMismatch(ValueError):
    """An input that does not fit the compiled model's input (shape rank, fixed dims or type)."""


@dataclass(frozen=True)
class CallbackFault:
    """One error caught inside a callback, with the userdata of the request it belonged to."""

    userdata: Any
    error: BaseException
    traceback: str

    def __str__(self) -> str:
        """One line: userdata, error type and message."""
        return f"userdata={self.userdata!r}: {type(self.error).__name__}: {self.error}"


class SafeCallback:
    """Wrap ``fn(request, userdata)`` so that no exception ever reaches OpenVINO (issue 2; notebook 04).

    An exception escaping an ``AsyncInferQueue`` callback is stored by the queue and never cleared:
    every later queue call re-raises it, and the second re-raise aborts the process (canary
    ``test_issue2_callback_error_is_stored_and_the_second_reraise_aborts``). One error is enough.
    This wrapper records each error with its userdata in ``errors`` (thread-safe) and returns
    normally, so every other result still arrives.
    """

    def __init__(self, fn: Callable[[ov.InferRequest, Any], None]) -> None:
        self.fn = fn
        self.errors: list[CallbackFault] = []
        self._lock = threading.Lock()

    def record(self, userdata: Any, error: BaseException) -> None:
        """Store one fault (used for input and callback errors alike)."""
        fault = CallbackFault(userdata, error, "".join(traceback.format_exception(error)))
        with self._lock:
            self.errors.append(fault)

    def __call__(self, request: ov.InferRequest, userdata: Any) -> None:
        """Run the wrapped callback; record instead of raising."""
        try:
            self.fn(request, userdata)
        except BaseException as exc:  # noqa: BLE001 - anything escaping would abort the process
            self.record(userdata, exc)


def input_checker(port: ov.ConstOutput) -> Callable[[np.ndarray], None]:
    """Return ``check(array)`` for ``port`` (issue 3), reading the port's type and shape once, not per input.

    A wrong shape passed to ``AsyncInferQueue.start_async`` raises AND keeps the request it took, so
    after ``jobs`` such inputs the queue waits forever (canary
    ``test_issue3_failed_start_async_leaks_its_request``). A wrong dtype would be converted silently
    in copy mode (by design); it is refused too, so that a float image in 0..1 is not read as u8.
    """
    expected = port.get_element_type().to_dtype()
    shape = port.get_partial_shape()
    rank = shape.rank.get_length()
    static = [dim.get_length() if dim.is_static else None for dim in shape]

    def check(array: np.ndarray) -> None:
        if not isinstance(array, np.ndarray):
            raise InputMismatch(f"input is a {type(array).__name__}, not a numpy array")
        if array.dtype != expected:
            raise InputMismatch(f"input dtype {array.dtype} but the model takes {expected}")
        if array.ndim != rank:
            raise InputMismatch(f"input shape {tuple(array.shape)} but the model takes {shape}")
        for size, fixed in zip(array.shape, static, strict=True):
            if fixed is not None and fixed != size:
                raise InputMismatch(f"input shape {tuple(array.shape)} but the model takes {shape}")
            if size == 0:
                raise InputMismatch(f"input shape {tuple(array.shape)} has an empty dimension")

    return check


def shareable(array: np.ndarray) -> np.ndarray:
    """The array to share with a queue (issue 5): itself if C-contiguous, else a contiguous copy to keep.

    The queue's data dispatcher would share a contiguous copy of a strided view that nothing keeps
    alive (canary ``test_issue5_strided_view_shared_into_a_queue_reads_freed_memory``): the caller
    keeps the array returned here until its request is done.
    """
    return np.ascontiguousarray(array)


def drain_cancelled(requests: Iterable[ov.InferRequest]) -> None:
    """Wait for cancelled requests, then make them usable again with one synchronous ``infer`` (issue 6).

    After ``cancel()``, ``wait`` raises "Infer Request was canceled" until the request is started
    again (``ov::Cancelled``, by design); ``AsyncInferQueue.wait_all`` raises it too, which would
    hide the ``KeyboardInterrupt`` being handled, so each request is waited for on its own. A queue
    calls ``wait`` before each ``start_async``, so it raises from every ``start_async`` until the
    cancelled request runs again (canary
    ``test_issue6_a_cancelled_request_makes_its_queue_raise_until_it_runs_again``). One ``infer`` on
    its current input (which does not call the callback) clears that state.
    """
    for request in requests:
        try:
            request.wait()
        except RuntimeError:
            try:
                request.infer()
            except RuntimeError:
                pass


def let_callbacks_settle(seconds: float = CALLBACK_SETTLE_SECONDS) -> None:
    """Pause (GIL released) so OpenVINO's threads let go of finished requests while the queue lives (issue 4).

    ``wait_all`` returns while a worker thread still holds a finished request. If the queue is freed
    then, that thread drops the last reference to the Python callback later, which needs the GIL;
    if the interpreter is exiting meanwhile, the process aborts: "terminate called without an active
    exception" (canary ``test_issue4_exit_right_after_a_queue_is_freed_aborts``; the upstream fix:
    docs/known-issues.md). Call it only where the process may exit next, not after every wait;
    inside a long-lived kernel it is never needed.
    """
    time.sleep(seconds)


def detach_inputs(requests: Iterable[ov.InferRequest]) -> None:
    """Give each idle request an input tensor of its own, so that none keeps pointing at a caller's array.

    After a shared-input run a request's input tensor IS the caller's array (by design), and a
    later copy-mode ``start_async``/``infer`` on that request copies INTO it, whether the caller
    still uses it or has freed it: a queue's requests keep no reference to it (the cause of issue
    5). On a dynamic-shape model a copy-mode inference on ANY request of the compiled model can
    write there too (issue 1, canary ``test_issue1_dynamic_input_overwrite``). Called when a shared
    run ends, so a reused queue is safe.
    """
    for request in requests:
        tensor = request.get_input_tensor(0)
        request.set_input_tensor(0, ov.Tensor(tensor.get_element_type(), tensor.get_shape()))


def stop_requests(requests: Iterable[ov.InferRequest], shared: bool) -> None:
    """After an interrupt: cancel each request, make it usable again (issue 6), settle (issue 4), detach."""
    requests = list(requests)
    for request in requests:
        request.cancel()
    drain_cancelled(requests)
    let_callbacks_settle()
    if shared:
        detach_inputs(requests)
