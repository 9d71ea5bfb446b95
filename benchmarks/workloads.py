"""The measured loops: the queue on pre-loaded arrays, and files to top-5, sync and async.

Each function runs for a given number of seconds and returns images per second. Setup
(compiling, creating requests and queues, warm-up) happens before, never inside the timing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from itertools import cycle
from pathlib import Path
from typing import TypeVar

import numpy as np
import openvino as ov
from PIL import Image

from helpers.asyncq import QueueRun, run_queue
from helpers.images import read_image
from helpers.labels import to_probabilities, top_k
from helpers.models import IMAGENET_MEAN, IMAGENET_STD

T = TypeVar("T")
MODEL_SIDE = 224
TOP_K = 5
_MEAN = np.array(IMAGENET_MEAN, dtype=np.float32)
_INV_STD = np.array([1.0 / s for s in IMAGENET_STD], dtype=np.float32)

Prepare = Callable[[np.ndarray], np.ndarray]


def timed(items: Sequence[T], seconds: float) -> Iterator[T]:
    """Yield ``items`` round-robin until ``seconds`` have passed since the first one was asked for."""
    deadline = time.perf_counter() + seconds
    for item in cycle(items):
        if time.perf_counter() >= deadline:
            return
        yield item


def ppp_input(pixels: np.ndarray) -> np.ndarray:
    """Input of the PPP classifier: the decoded u8 HWC image as a 1xHxWx3 view (no copy)."""
    return pixels[None]


def python_prep(pixels: np.ndarray) -> np.ndarray:
    """Preprocess in Python: PIL bilinear resize to 224x224, ImageNet mean/std in numpy, f32 NCHW."""
    small = Image.fromarray(pixels).resize((MODEL_SIDE, MODEL_SIDE), Image.Resampling.BILINEAR)
    chw = ((np.asarray(small, dtype=np.float32) - _MEAN) * _INV_STD).transpose(2, 0, 1)
    return np.ascontiguousarray(chw[None])


def top5(logits: np.ndarray) -> list[tuple[int, float]]:
    """The five most probable classes of one output."""
    return top_k(to_probabilities(logits), TOP_K)


def warm_up(compiled: ov.CompiledModel, arrays: Sequence[np.ndarray], repeats: int = 2) -> None:
    """Run each distinct input a few times so that first-inference costs stay out of the timings."""
    request = compiled.create_infer_request()
    for array in arrays:
        for _ in range(repeats):
            request.infer({0: array})


def warm_queue(compiled: ov.CompiledModel, queue: ov.AsyncInferQueue, arrays: Sequence[np.ndarray]) -> None:
    """Run every request of a new queue a couple of times before it is timed."""
    run_queue(compiled, list(arrays) * 2 * len(queue), queue=queue)


def queue_run(
    compiled: ov.CompiledModel, queue: ov.AsyncInferQueue, arrays: Sequence[np.ndarray], seconds: float
) -> tuple[QueueRun, float]:
    """``helpers.asyncq.run_queue`` over pre-loaded arrays cycled for ``seconds``.

    Returns the run and the CPU time this (main) thread spent per completed input, in seconds:
    the Python cost of feeding the queue, which competes with inference on a small machine.
    """
    t0 = time.thread_time()
    run = run_queue(compiled, timed(arrays, seconds), queue=queue)
    main_cpu = (time.thread_time() - t0) / max(run.ok, 1)
    if run.errors:
        raise RuntimeError(f"queue run failed: {run.errors[0]}")
    return run, main_cpu


def queue_fps(
    compiled: ov.CompiledModel, queue: ov.AsyncInferQueue, arrays: Sequence[np.ndarray], seconds: float
) -> float:
    """Images/s of ``helpers.asyncq.run_queue`` over pre-loaded arrays, cycled for ``seconds``."""
    return queue_run(compiled, queue, arrays, seconds)[0].fps


def sync_files_fps(
    request: ov.InferRequest, files: Sequence[Path], prepare: Prepare, seconds: float
) -> float:
    """Images/s of the one-by-one loop: decode a file, prepare, ``infer``, top-5."""
    count = 0
    t0 = time.perf_counter()
    for path in timed(files, seconds):
        request.infer({0: prepare(read_image(path))})
        top5(request.get_output_tensor(0).data)
        count += 1
    return count / (time.perf_counter() - t0)


def async_files_fps(
    compiled: ov.CompiledModel,
    queue: ov.AsyncInferQueue,
    files: Sequence[Path],
    prepare: Prepare,
    seconds: float,
) -> float:
    """Images/s of the same work through the queue: this thread decodes while requests run.

    The callback only copies the logits (``run_queue``'s default); top-5 of every result is
    computed afterwards in this thread and counted in the wall time.
    """
    t0 = time.perf_counter()
    run = run_queue(compiled, (prepare(read_image(p)) for p in timed(files, seconds)), queue=queue)
    tops = [top5(r) for r in run.results if r is not None]
    seconds_taken = time.perf_counter() - t0
    if run.errors:
        raise RuntimeError(f"queue run failed: {run.errors[0]}")
    return len(tops) / seconds_taken
