"""Files to results with every core busy: decode ahead in a small pool, feed an AsyncInferQueue zero-copy.

Notebook 04 teaches the pieces: ``helpers.images.prefetch`` decodes and resizes the next files
while the requests run, and the queue (``helpers.asyncq.run_queue``) takes each batch without a
copy because the static-shape classifier (``helpers.models.build_static_classifier``, notebook 01)
has a fixed input. The queue has no Python callback: this thread reads each result when its
request comes back idle, so no finished request waits for a callback to get the GIL (``run_queue(pull=True)``;
A1 section 12 writes that loop out, and notebook 04 runs this pipeline beside its callback loop).
``make bench`` and the CLI's queue mode run this same code.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import openvino as ov

from helpers.asyncq import QueueRun, first_output_copy, run_queue
from helpers.images import ImageReadError, prefetch

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


def run_batches(
    compiled: ov.CompiledModel,
    batches: Iterable[np.ndarray],
    *,
    queue: ov.AsyncInferQueue | None = None,
    jobs: int = 0,
    store: Callable[[ov.InferRequest], Any] = first_output_copy,
) -> QueueRun:
    """``run_queue`` over ready batches: no Python callback (``pull=True``), zero-copy on a static shape.

    ``queue`` must be one that never had ``set_callback`` (see ``run_queue``).
    """
    return run_queue(
        compiled,
        batches,
        jobs=jobs,
        store=store,
        queue=queue,
        share_inputs=zero_copy_safe(compiled),
        pull=True,
    )


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
