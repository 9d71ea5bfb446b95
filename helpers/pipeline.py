"""Files to results with every core busy: decode ahead in a small pool, feed an AsyncInferQueue zero-copy.

Notebook 04 teaches the pieces and appendix A4 runs this pipeline: ``helpers.images.prefetch`` decodes and
resizes the next files while the requests run, and the queue (``run_batches``) takes each batch without a
copy, wrapped in an ``ov.Tensor`` that shares its memory, because the static-shape classifier
(``helpers.models.build_static_classifier``, notebook 01) has a fixed input. The queue has no Python
callback: this thread reads each result when its request comes back idle, so no finished request waits for
a callback to get the GIL (A1 section 12 writes that loop out, and A4 runs this pipeline beside notebook 04's
queue). ``make bench`` and the CLI's queue mode run this same code.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import openvino as ov

from helpers.images import ImageReadError, prefetch
from helpers.queue_runner import QueueRun, collector, drive, first_output_copy

Decoded = tuple[str, "np.ndarray | ImageReadError"]


def static_image_size(compiled: ov.CompiledModel) -> int | None:
    """The side ``S`` of a fully static u8 ``[1, S, S, 3]`` input (the static classifier), else None."""
    port = compiled.input(0)
    shape = port.get_partial_shape()
    if len(compiled.inputs) != 1 or shape.is_dynamic or port.get_element_type() != ov.Type.u8:
        return None
    dims = [d.get_length() for d in shape]
    return dims[1] if len(dims) == 4 and dims[0] == 1 and dims[1] == dims[2] and dims[3] == 3 else None


def zero_copy_safe(compiled: ov.CompiledModel) -> bool:
    """True when every input has a static shape: then the queue may share the caller's arrays."""
    return all(not port.get_partial_shape().is_dynamic for port in compiled.inputs)


def tensor_start(queue: ov.AsyncInferQueue) -> Callable[[ov.Tensor, Any], None]:
    """``queue.start_async(tensor, userdata)`` for an ``ov.Tensor``, without the per-call Python layer.

    ``ov.AsyncInferQueue.start_async`` wraps the idle request and passes the inputs through the data
    dispatcher, which keeps an ``ov.Tensor`` as it is, then calls the compiled base class's
    ``start_async``. For a tensor the base call is the same call, and skipping the wrapper saves the
    main thread about a fifth of its time per image (``make bench``, ``main_thread_us_per_image``;
    docs/performance.md says where). Any other queue type gets its own ``start_async``.
    """
    if type(queue) is ov.AsyncInferQueue:
        base = getattr(super(ov.AsyncInferQueue, queue), "start_async", None)
        if base is not None:
            return base
    return queue.start_async


def run_batches(
    compiled: ov.CompiledModel,
    batches: Iterable[np.ndarray],
    *,
    queue: ov.AsyncInferQueue | None = None,
    jobs: int = 0,
    store: Callable[[ov.InferRequest], Any] = first_output_copy,
    callback: bool = False,
) -> QueueRun:
    """Ready batches through an ``AsyncInferQueue`` with no Python callback; results in input order.

    This thread stores ``store(queue[i])`` when ``get_idle_request_id`` hands request ``i`` back,
    before starting it again, and after ``wait_all`` for the last ones (A1 section 12). On a static
    shape each batch is wrapped in an ``ov.Tensor`` sharing its memory (``zero_copy_safe``) and
    started through ``tensor_start``. Bad batches and ``store`` errors are recorded per input, as
    ``helpers.queue_runner.run_queue`` does. ``queue`` must never have had ``set_callback`` (a
    callback cannot be removed). ``callback=True`` runs the same zero-copy loop with a Python
    callback storing each result instead, on a queue of its own: ``make bench`` compares the two.
    """
    queue = queue if queue is not None else ov.AsyncInferQueue(compiled, jobs)
    port = compiled.input(0)
    shared = zero_copy_safe(compiled)
    plain = port.get_element_type() not in (ov.Type.bf16, ov.Type.string)
    wrap = shared and len(compiled.inputs) == 1 and plain
    results, inflight, faults = collector(store)
    owner: list[int | None] = [None] * len(queue)  # the input each request last ran
    # Read-only use, as the docstring of ``queue[i]`` allows; fetched once: a new wrapper per result
    # costs the main thread tens of microseconds (make bench).
    requests = list(queue)

    def collect(request_id: int) -> None:  # on_done, in this thread
        index, owner[request_id] = owner[request_id], None
        if index is not None:
            faults(requests[request_id], index)

    start_tensor = tensor_start(queue)

    def start(index: int, array: np.ndarray) -> None:
        if not callback:
            request_id = queue.get_idle_request_id()
            collect(request_id)
            owner[request_id] = index
        if wrap and array.flags.writeable:
            start_tensor(ov.Tensor(array, shared_memory=True), index)
        else:  # the dispatcher copies read-only arrays into a tensor of their own
            queue.start_async({0: array}, index, share_inputs=shared)

    if callback:
        queue.set_callback(faults)
    count, seconds = drive(queue, batches, start, faults, shared=shared, inflight=inflight)
    for request_id in range(len(owner)):
        collect(request_id)
    return QueueRun.ordered(results, count, faults.errors, seconds, len(queue))


def good_batches(
    decoded: Iterable[Decoded], names: list[str], bad: Callable[[ImageReadError], None]
) -> Iterator[np.ndarray]:
    """Yield the batches of ``prefetch`` output, appending each name to ``names``; hand errors to ``bad``."""
    for name, batch in decoded:
        if isinstance(batch, ImageReadError):
            bad(batch)
            continue
        names.append(name)
        yield batch


def default_jobs(compiled: ov.CompiledModel) -> int:
    """Requests for the pipeline's queue: twice ``OPTIMAL_NUMBER_OF_INFER_REQUESTS``.

    One request runs on each stream while another waits behind it, so a stream that finishes
    starts its next input at once instead of waiting for this thread to read the result and start
    the next one (``make bench``'s jobs sweep shows the gain; benchmark_app is run with the same count).
    """
    return 2 * max(1, int(compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS")))


def default_workers() -> int:
    """Decoding threads: one per usable core, so that decoding alone can fill the machine."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(2, cores or 1)


@dataclass
class FilesRun:
    """What ``classify_files`` returns: the good files' names, their results (same order), bad files."""

    names: list[str]
    run: QueueRun
    bad: list[ImageReadError] = field(default_factory=list)


def classify_files(
    compiled: ov.CompiledModel,
    files: Iterable[str | os.PathLike[str]],
    *,
    queue: ov.AsyncInferQueue | None = None,
    jobs: int = 0,
    workers: int | None = None,
    depth: int | None = None,
    store: Callable[[ov.InferRequest], Any] = first_output_copy,
) -> FilesRun:
    """Files -> decode + resize ahead (``prefetch``) -> AsyncInferQueue, zero-copy -> results in input order.

    ``compiled`` must take a static u8 ``[1, S, S, 3]`` batch. The pool decodes while every request
    runs; ``depth`` (default: twice the queue's requests plus the workers) bounds how many batches wait.
    Without ``queue``, one of ``jobs`` requests is made (default ``default_jobs(compiled)``).
    """
    size = static_image_size(compiled)
    if size is None:
        raise ValueError(f"classify_files needs a static u8 [1,S,S,3] input, not {compiled.input(0)}")
    queue = queue if queue is not None else ov.AsyncInferQueue(compiled, jobs or default_jobs(compiled))
    workers = workers or default_workers()
    depth = depth or 2 * len(queue) + workers
    names: list[str] = []
    bad: list[ImageReadError] = []
    decoded = prefetch(files, size, workers, depth)
    run = run_batches(compiled, good_batches(decoded, names, bad.append), queue=queue, store=store)
    return FilesRun(names, run, bad)
