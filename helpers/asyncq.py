"""Async plumbing: safe callbacks, input checks, a queue runner that keeps input order.

Notebook 03 teaches ``InferRequest.start_async``/``set_callback``; notebook 04 teaches
``AsyncInferQueue``. These helpers wrap exactly those calls so that later notebooks, the CLI
and the benchmark share one careful implementation. No display code lives here.

The only version-specific code here works around the known issues of OpenVINO 2026.4.1 listed in
docs/known-issues.md; each names its issue and its canary in tests/known_issues/test_canaries.py.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import openvino as ov

# How long run_queue pauses after wait_all, before its queue may be freed, so that OpenVINO's worker
# threads let go of the finished requests (known issue 4; the evidence: docs/known-issues.md, A2).
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


def first_output_copy(request: ov.InferRequest) -> np.ndarray:
    """Copy the first output tensor: the request's buffer is overwritten by its next inference."""
    return request.get_output_tensor(0).data.copy()


class SafeCallback:
    """Wrap ``fn(request, userdata)`` so that no exception ever reaches OpenVINO.

    An exception escaping an ``AsyncInferQueue`` callback is stored by the queue and never cleared:
    every later queue call re-raises it, and the second re-raise aborts the process (known issue 2,
    canary ``test_issue2_callback_error_is_stored_and_the_second_reraise_aborts``). One error is
    enough. This wrapper records each error with its userdata in ``errors`` (thread-safe) and
    returns normally, so every other result still arrives.
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
    """Return ``check(array)`` for ``port``, reading the port's type and shape once, not per input.

    A wrong shape passed to ``AsyncInferQueue.start_async`` raises AND keeps the request it took, so
    after ``jobs`` such inputs the queue waits forever (known issue 3, canary
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


def check_input(port: ov.ConstOutput, array: np.ndarray) -> None:
    """Refuse an array that the port cannot take, before ``start_async`` sees it (see ``input_checker``)."""
    input_checker(port)(array)


def drain_cancelled(requests: Iterable[ov.InferRequest]) -> None:
    """Wait for cancelled requests, then make them usable again with one synchronous ``infer``.

    After ``cancel()``, ``wait`` raises "Infer Request was canceled" until the request is started
    again (``ov::Cancelled``, by design); ``AsyncInferQueue.wait_all`` raises it too, which would
    hide the ``KeyboardInterrupt`` being handled, so each request is waited for on its own. A queue
    calls ``wait`` before each ``start_async``, so it raises from every ``start_async`` until the
    cancelled request runs again (known issue 6, canary
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
    """Pause (GIL released) so OpenVINO's threads let go of the finished requests while the queue lives.

    ``wait_all`` returns while a worker thread still holds a finished request. If the queue is freed
    then, that thread drops the last reference to the Python callback later, which needs the GIL;
    if the interpreter is exiting meanwhile, the process aborts: "terminate called without an active
    exception" (known issue 4, canary ``test_issue4_exit_right_after_a_queue_is_freed_aborts``;
    the upstream fix: docs/known-issues.md). Call it only where the process may exit next, not
    after every wait; inside a long-lived kernel it is never needed.
    """
    time.sleep(seconds)


def detach_inputs(requests: Iterable[ov.InferRequest]) -> None:
    """Give each idle request an input tensor of its own, so that none keeps pointing at a caller's array.

    After a shared-input run a request's input tensor IS the caller's array (by design), and a
    later copy-mode ``start_async``/``infer`` on that request copies INTO it, whether the caller
    still uses it or has freed it: a queue's requests keep no reference to it (the cause of known
    issue 5). On a dynamic-shape model a copy-mode inference on ANY request of the compiled model
    can write there too (known issue 1, canary ``test_issue1_dynamic_input_overwrite``). Called when
    a shared run ends, so a reused queue is safe.
    """
    for request in requests:
        tensor = request.get_input_tensor(0)
        request.set_input_tensor(0, ov.Tensor(tensor.get_element_type(), tensor.get_shape()))


def tensor_start(queue: ov.AsyncInferQueue) -> Callable[[ov.Tensor, Any], None]:
    """``queue.start_async(tensor, userdata)`` for an ``ov.Tensor``, without the per-call Python layer.

    ``ov.AsyncInferQueue.start_async`` wraps the idle request (``self[i]``) and passes the inputs
    through the data dispatcher, which keeps an ``ov.Tensor`` as it is, then calls the compiled base
    class's ``start_async``. For a tensor the base call is the same call; skipping the wrapper and the
    dispatcher saves the main thread about a fifth of its time per image (``make bench``,
    ``main_thread_us_per_image``). Any other queue type gets its own ``start_async``.
    docs/performance.md (the pipeline) says where OpenVINO does this.
    """
    if type(queue) is ov.AsyncInferQueue:
        base = getattr(super(ov.AsyncInferQueue, queue), "start_async", None)
        if base is not None:
            return base
    return queue.start_async


def run_queue(
    compiled: ov.CompiledModel,
    inputs: Iterable[np.ndarray],
    *,
    jobs: int = 0,
    store: Callable[[ov.InferRequest], Any] = first_output_copy,
    share_inputs: bool = False,
    progress: Callable[[int], None] | None = None,
    queue: ov.AsyncInferQueue | None = None,
    pull: bool = False,
) -> QueueRun:
    """Run every input through an ``AsyncInferQueue``; results come back in input order.

    The callback only stores ``store(request)`` under the input's index. Bad inputs and callback
    errors are recorded in ``errors`` with their index, never raised. ``progress(done)`` is called
    from this thread, never from a callback. A ``KeyboardInterrupt`` cancels the requests in flight,
    waits for them, then propagates.

    ``pull=True`` sets no Python callback: this thread stores ``store(queue[i])`` when
    ``get_idle_request_id`` hands request ``i`` back, before starting it again, and after
    ``wait_all`` for the last ones (the loop of A1 section 12; ``helpers.pipeline`` uses it).
    A Python callback runs on the compiled model's one callback thread (on CPU: not an inference
    thread, and one callback at a time), which first takes the GIL, and the request becomes idle
    only when the callback returns (``tests/claims`` shows both; docs/performance.md names the
    code), so a finished request waits whenever
    another thread holds the GIL or another callback runs; without one, no request waits for Python.
    The queue must never have had ``set_callback`` (a callback cannot be removed). ``start_async``
    takes the request ``get_idle_request_id`` returned: only this thread pops the idle list,
    completions push at its back.

    By default every input is copied into its request's own tensor. ``share_inputs=True`` hands
    the arrays to OpenVINO without a copy (``helpers.pipeline`` uses it on static-shape inputs);
    each array is kept alive and
    must stay unchanged until its request is done. With a dynamic-shape input, use one mode per
    compiled model: a copy-mode inference on one request can write into the array that another
    request shared (known issue 1, canary ``test_issue1_dynamic_input_overwrite``; static shapes are
    unaffected). ``CompiledModel.__call__`` shares by default. After ``wait_all`` it pauses
    ``CALLBACK_SETTLE_SECONDS`` once, because its queue may be freed and the process exit right
    after it returns (known issue 4, see ``let_callbacks_settle``); ``seconds`` excludes that pause.
    """
    queue = queue if queue is not None else ov.AsyncInferQueue(compiled, jobs)
    port = compiled.input(0)
    check = input_checker(port)
    # A writeable C-contiguous array of the port's type is what the data dispatcher would wrap as a
    # shared ov.Tensor anyway; wrapping it here skips the dispatcher's per-call work (make bench).
    wrap = (
        share_inputs
        and len(compiled.inputs) == 1
        and port.get_element_type() not in (ov.Type.bf16, ov.Type.string)
    )
    results: dict[int, Any] = {}
    inflight: dict[int, np.ndarray] = {}

    def on_done(request: ov.InferRequest, index: int) -> None:
        inflight.pop(index, None)
        results[index] = store(request)

    callback = SafeCallback(on_done)
    owner: list[int | None] = [None] * len(queue)  # pull: the input each request last ran
    # Read-only use, as the docstring of ``queue[i]`` allows; fetched once: a new wrapper per result
    # costs the main thread tens of microseconds, its caches cold after an inference (make bench).
    requests = list(queue) if pull else []

    def collect(request_id: int) -> None:  # pull mode's on_done, in this thread, errors recorded
        index, owner[request_id] = owner[request_id], None
        if index is None:
            return
        inflight.pop(index, None)
        try:
            results[index] = store(requests[request_id])
        except BaseException as exc:  # noqa: BLE001 - recorded per input, as a callback's would be
            callback.record(index, exc)

    if not pull:
        queue.set_callback(callback)
    start_tensor = tensor_start(queue)
    count = 0
    t0 = time.perf_counter()
    try:
        for count, array in enumerate(inputs, start=1):
            index = count - 1
            try:
                check(array)
            except InputMismatch as exc:
                callback.record(index, exc)
                continue
            if pull:
                request_id = queue.get_idle_request_id()
                collect(request_id)
                owner[request_id] = index
            if share_inputs:
                # The queue's dispatcher would share a contiguous copy of a strided view that nothing
                # keeps alive: make the copy here and keep it (known issue 5, canary
                # test_issue5_strided_view_shared_into_a_queue_reads_freed_memory).
                array = np.ascontiguousarray(array)
                inflight[index] = array  # keep the shared buffer alive until its request is done
            if wrap and array.flags.writeable:
                start_tensor(ov.Tensor(array, shared_memory=True), index)
            else:  # the dispatcher copies read-only arrays into a tensor of their own
                queue.start_async({0: array}, index, share_inputs=share_inputs)
            if progress is not None:
                progress(len(results))
        queue.wait_all()
        for request_id in range(len(owner) if pull else 0):
            collect(request_id)
        seconds = time.perf_counter() - t0  # first start to last completion, no settle
        let_callbacks_settle()
    except KeyboardInterrupt:
        for request in queue:
            request.cancel()
        drain_cancelled(queue)
        let_callbacks_settle()
        if share_inputs:
            detach_inputs(queue)
        raise
    if share_inputs:
        detach_inputs(queue)
    if progress is not None:
        progress(len(results))
    ordered = [results.get(i) for i in range(count)]
    errors = sorted(callback.errors, key=lambda f: (str(type(f.userdata)), f.userdata))
    return QueueRun(ordered, errors, seconds, len(queue))


def run_restarting_request(
    request: ov.InferRequest,
    inputs: Sequence[np.ndarray],
    *,
    store: Callable[[ov.InferRequest], Any] = first_output_copy,
    timeout: float | None = None,
    share_inputs: bool = False,
) -> QueueRun:
    """The C++ sample's pattern: one request whose callback restarts it until every input is done.

    Notebook 03 teaches the calls. The callback is set once and keeps its place in a counter, as
    the C++ sample does. The main thread waits on a ``threading.Event``. An error inside the
    callback stops the chain and is re-raised here, in the caller's thread, instead of leaving the
    caller waiting forever. On timeout or interrupt the chain is stopped and the request cancelled.
    ``share_inputs`` as in ``run_queue`` (see there why one compiled model should use one mode).
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
        request.cancel()
        drain_cancelled([request])
        if share_inputs:
            detach_inputs([request])

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
