"""The measured loops: the queue on pre-decoded photos, the decoder alone, files to top-5 sync and async.

Each loop runs for about a given number of seconds. Setup (compiling, creating requests and
queues, warm-up) happens before, never inside the timing. CPU figures are ``time.process_time``
(every thread of this process) or ``time.thread_time`` (the calling thread) per image.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import cycle
from pathlib import Path
from typing import TypeVar

import numpy as np
import openvino as ov

from helpers import pipeline
from helpers.images import prefetch, read_for_model
from helpers.labels import to_probabilities, top_k
from helpers.models import IMAGENET_MEAN, IMAGENET_STD

T = TypeVar("T")
TOP_K = 5
_MEAN = np.array(IMAGENET_MEAN, dtype=np.float32)
_INV_STD = np.array([1.0 / s for s in IMAGENET_STD], dtype=np.float32)

Prepare = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Rate:
    """One timed loop: images/s, process CPU seconds per image, main-thread CPU seconds per image."""

    fps: float
    cpu_per_image: float
    main_per_image: float
    images: int


class Clock:
    """Wall, process CPU and this thread's CPU time from construction to ``rate(images)``."""

    def __init__(self) -> None:
        self.wall, self.cpu, self.main = time.perf_counter(), time.process_time(), time.thread_time()

    def rate(self, images: int) -> Rate:
        """The figures of ``images`` images since construction."""
        wall = time.perf_counter() - self.wall
        n = max(images, 1)
        cpu, main = time.process_time() - self.cpu, time.thread_time() - self.main
        return Rate(images / wall if wall > 0 else 0.0, cpu / n, main / n, images)


def timed(items: Sequence[T], seconds: float, whole: bool = False) -> Iterator[T]:
    """Yield ``items`` round-robin until ``seconds`` have passed (with ``whole``: finish the cycle)."""
    deadline = time.perf_counter() + seconds
    for i, item in enumerate(cycle(items)):
        if time.perf_counter() >= deadline and (not whole or i % len(items) == 0):
            return
        yield item


def python_prep(batch: np.ndarray) -> np.ndarray:
    """Preprocess in numpy what PPP does in the graph: u8 NHWC -> ImageNet mean/std -> f32 NCHW."""
    chw = ((batch.astype(np.float32) - _MEAN) * _INV_STD).transpose(0, 3, 1, 2)
    return np.ascontiguousarray(chw)


def top5(logits: np.ndarray) -> list[tuple[int, float]]:
    """The five most probable classes of one output."""
    return top_k(to_probabilities(logits), TOP_K)


def request_top5(request: ov.InferRequest) -> list[tuple[int, float]]:
    """The top-5 of a finished request's output, read in place: a ``store`` for the queue runs."""
    return top5(request.get_output_tensor(0).data)


def warm_up(compiled: ov.CompiledModel, arrays: Sequence[np.ndarray], repeats: int = 2) -> None:
    """Run each input a few times so that first-inference costs stay out of the timings."""
    request = compiled.create_infer_request()
    for array in arrays:
        for _ in range(repeats):
            request.infer({0: array})


def warm_queue(compiled: ov.CompiledModel, queue: ov.AsyncInferQueue, arrays: Sequence[np.ndarray]) -> None:
    """Run every request of a new queue a couple of times before it is timed."""
    pipeline.run_batches(compiled, list(arrays) * 2 * len(queue), queue=queue)


def queue_rate(
    compiled: ov.CompiledModel,
    queue: ov.AsyncInferQueue,
    arrays: Sequence[np.ndarray],
    seconds: float,
    callback: bool = False,
) -> Rate:
    """``pipeline.run_batches`` (zero-copy, no callback) over pre-decoded batches cycled for ``seconds``.

    Its ``fps`` counts from the first start to ``wait_all``, as benchmark_app does (not the queue's
    teardown pause); ``cpu_per_image`` is the inference CPU per image of the physical limit;
    ``main_per_image`` is what feeding the queue costs the Python main thread. ``callback=True``
    runs the same zero-copy loop with a Python callback storing each result (as notebook 04's
    ``run_queue`` does), on a queue of its own: the comparison that shows what the callback costs.
    """
    clock = Clock()
    run = pipeline.run_batches(compiled, timed(arrays, seconds), queue=queue, callback=callback)
    if run.errors:
        raise RuntimeError(f"queue run failed: {run.errors[0]}")
    rate = clock.rate(run.ok)
    return Rate(run.fps, rate.cpu_per_image, rate.main_per_image, run.ok)


def decode_rate(files: Sequence[Path], seconds: float, size: int) -> Rate:
    """The decoder alone in this thread: ``read_for_model`` over whole cycles of ``files``."""
    clock = Clock()
    count = 0
    for path in timed(files, seconds, whole=True):
        read_for_model(path, size)
        count += 1
    return clock.rate(count)


def sync_files_rate(
    request: ov.InferRequest, files: Sequence[Path], prepare: Prepare, seconds: float, size: int
) -> Rate:
    """The one-by-one loop: decode + resize a file, prepare, ``infer``, top-5."""
    clock = Clock()
    count = 0
    for path in timed(files, seconds):
        request.infer({0: prepare(read_for_model(path, size))})
        top5(request.get_output_tensor(0).data)
        count += 1
    return clock.rate(count)


def async_files_rate(
    compiled: ov.CompiledModel, queue: ov.AsyncInferQueue, files: Sequence[Path], seconds: float
) -> Rate:
    """The course's pipeline (``helpers.pipeline.classify_files``), the top-5 taken as each result arrives.

    ``store`` reads each result in the main thread while the other requests run (the queue has no
    callback), so the wall time, from the first file (pool start-up and first decode included) to
    ``wait_all``, already holds every top-5; only the queue's teardown pause is left out.
    """
    clock = Clock()
    done = pipeline.classify_files(compiled, timed(files, seconds), queue=queue, store=request_top5)
    if done.run.errors or done.bad:
        raise RuntimeError(f"pipeline run failed: {(done.run.errors or done.bad)[0]}")
    rate = clock.rate(done.run.ok)
    return Rate(done.run.fps, rate.cpu_per_image, rate.main_per_image, done.run.ok)


def async_python_prep_rate(
    compiled: ov.CompiledModel, queue: ov.AsyncInferQueue, files: Sequence[Path], seconds: float, size: int
) -> Rate:
    """The same pipeline feeding the plain f32 model: mean/std/layout in numpy, in this thread."""
    clock = Clock()
    names: list[str] = []
    workers = pipeline.default_workers()
    decoded = prefetch(timed(files, seconds), size, workers, 2 * len(queue) + workers)
    batches = pipeline.good_batches(decoded, names, lambda exc: None)
    run = pipeline.run_batches(compiled, (python_prep(b) for b in batches), queue=queue, store=request_top5)
    rate = clock.rate(run.ok)  # the top-5 as in async_files_rate
    return Rate(run.fps, rate.cpu_per_image, rate.main_per_image, run.ok)


@dataclass(frozen=True)
class CoRun:
    """Decoders and the queue run side by side but uncoupled: how much of each got done."""

    decoded: int
    inferred: int
    seconds: float

    def work_fraction(self, decode_cpu: float, infer_cpu: float, cores: int) -> float:
        """Work done, at the costs measured alone, over ``cores x seconds``: what the limit assumes."""
        work = self.decoded * decode_cpu + self.inferred * infer_cpu
        return work / (cores * self.seconds) if self.seconds > 0 else 0.0


def corun_rate(
    compiled: ov.CompiledModel,
    queue: ov.AsyncInferQueue,
    arrays: Sequence[np.ndarray],
    files: Sequence[Path],
    seconds: float,
    size: int,
    workers: int,
) -> CoRun:
    """``workers`` threads decode ``files`` while the queue infers pre-decoded ``arrays``, for ``seconds``.

    Nothing waits for anything else here, so whatever falls short of the limit is what sharing the
    cores costs (caches, the GIL between decoders), not the pipeline's coupling.
    """
    counts = [0] * workers

    def decode(slot: int) -> None:
        for path in timed(files, seconds):
            read_for_model(path, size)
            counts[slot] += 1

    threads = [threading.Thread(target=decode, args=(i,)) for i in range(workers)]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    run = pipeline.run_batches(compiled, timed(arrays, seconds), queue=queue)
    for thread in threads:
        thread.join()
    return CoRun(sum(counts), run.ok, time.perf_counter() - t0)
