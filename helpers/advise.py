"""Your model, your photos: read a classifier's input, add the learner's preprocessing, time the pipeline.

Notebook 07 and ``classify-async --advise`` share this module. It wraps what earlier notebooks
taught: ``read_model`` and ``PrePostProcessor`` (notebook 01), ``infer`` (02), ``AsyncInferQueue``
and decode-ahead (04). The loops time each image from the start of its decode to its result;
a request's own part comes from ``InferRequest.latency`` (start to completion, waiting included).
The bound and the verdict live in ``helpers.advise_verdict``; the chart in ``helpers.advise_chart``.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import cycle
from pathlib import Path
from typing import Any

import numpy as np
import openvino as ov
from PIL import Image

from helpers import images, labels, models, priority
from helpers.paths import display_path

IMAGE_TYPES = (ov.Type.f32, ov.Type.f16, ov.Type.u8, ov.Type.i8)
UserCallback = Callable[[ov.InferRequest, Any], None]


class AdviseError(Exception):
    """A model the advisor cannot use; ``str()`` is one line naming the file and the reason."""


@dataclass(frozen=True)
class ModelInfo:
    """What the advisor reads from a classifier: its one image input and its class-vector output."""

    path: Path
    input_name: str
    shape: tuple[int, ...]
    layout: str  # NCHW or NHWC
    element_type: str
    classes: int
    labels: list[str] | None = field(default=None, repr=False)
    labels_note: str = ""

    @property
    def channels(self) -> int:
        """1 (gray) or 3 (colour)."""
        return self.shape[1] if self.layout == "NCHW" else self.shape[3]

    @property
    def size(self) -> tuple[int, int]:
        """(height, width) of the input."""
        return (self.shape[2], self.shape[3]) if self.layout == "NCHW" else (self.shape[1], self.shape[2])

    def __str__(self) -> str:
        """One line: input name, shape, layout, type, classes, labels."""
        h, w = self.size
        kind = "RGB" if self.channels == 3 else "gray"
        names = "labels from " + self.labels_note if self.labels else "class ids (" + self.labels_note + ")"
        return (
            f"{display_path(self.path)}: input '{self.input_name}' {list(self.shape)} {self.layout} "
            f"{self.element_type} ({kind} {w}x{h}), output: {self.classes} classes, {names}"
        )


def _image_layout(shape: ov.PartialShape) -> tuple[str, tuple[int, ...]] | None:
    """(layout, static shape with batch 1) of a rank-4 image input with static C, H, W; else None."""
    if shape.rank.is_dynamic or shape.rank.get_length() != 4:
        return None
    dims = [d.get_length() if d.is_static else None for d in shape]
    if dims[1] in (1, 3) and dims[2] and dims[3] and dims[2] > 4 and dims[3] > 4:
        return "NCHW", (1, dims[1], dims[2], dims[3])
    if dims[3] in (1, 3) and dims[1] and dims[2] and dims[1] > 4 and dims[2] > 4:
        return "NHWC", (1, dims[1], dims[2], dims[3])
    return None


def inspect_model(core: ov.Core, path: str | os.PathLike[str]) -> ModelInfo:
    """Read an IR or ONNX classifier and check it: one image input, one class-vector output.

    Raises ``AdviseError`` with one line naming the file and the reason. Labels come from
    ``<model>.labels`` when that file fits the number of classes.
    """
    p = Path(path)
    name = display_path(p)
    try:
        model = models.read_model(core, p)
    except models.ModelError as exc:
        message = str(exc)
        if "single input" in message or "single output" in message:
            what = "inputs" if "input" in message else "outputs"
            count = len(core.read_model(p).inputs if what == "inputs" else core.read_model(p).outputs)
            message = f"{name}: has {count} {what}; the advisor needs one image input and one output"
        raise AdviseError(message) from None
    port = model.input()
    found = _image_layout(port.get_partial_shape())
    if found is None or port.get_element_type() not in IMAGE_TYPES:
        raise AdviseError(
            f"{name}: input {port.get_partial_shape()} {port.get_element_type().get_type_name()} is not an "
            "image (N,C,H,W or N,H,W,C with 1 or 3 channels, a number type)"
        )
    out = model.output().get_partial_shape()
    dims = [d.get_length() if d.is_static else None for d in out] if out.rank.is_static else [None]
    classes = [d for d in dims[1:] if d != 1]
    if len(dims) < 2 or None in dims[1:] or len(classes) != 1 or classes[0] < 2:
        raise AdviseError(f"{name}: output {out} is not a class vector [N, classes]")
    layout, shape = found
    label_path = labels.labels_path_for(p)
    names, note = (None, "no labels file beside the model")
    if label_path.is_file():
        names, warning = labels.load_labels(label_path, classes[0])
        note = display_path(label_path) if names else (warning or "")
    return ModelInfo(
        p,
        port.get_any_name(),
        shape,
        layout,
        port.get_element_type().get_type_name(),
        classes[0],
        names,
        note,
    )


@dataclass(frozen=True)
class Preprocessing:
    """What the learner says the model expects: mean and scale per channel (0..255 units), BGR or RGB."""

    mean: tuple[float, ...] = (0.0,)
    scale: tuple[float, ...] = (1.0,)
    bgr: bool = False


IMAGENET = Preprocessing(models.IMAGENET_MEAN, models.IMAGENET_STD)


def per_channel(values: tuple[float, ...], channels: int, what: str) -> list[float]:
    """``values`` for each channel (one value is repeated); a wrong count raises ``ValueError``."""
    values = tuple(values)
    if len(values) == 1:
        values = values * channels
    if len(values) != channels:
        raise ValueError(f"{what} takes 1 or {channels} values for this model, got {len(values)}")
    return [float(v) for v in values]


def preprocessed(core: ov.Core, info: ModelInfo, prep: Preprocessing) -> ov.Model:
    """The model with ``PrePostProcessor`` (notebook 01) in front: u8 NHWC ``[1, H, W, C]`` RGB in.

    Steps in the graph: BGR flip when asked, f32, mean, scale, the model's own layout and type.
    The host decodes and resizes (``host_work``), as in notebooks 03-05.
    """
    model = core.read_model(info.path)
    if list(model.input().get_partial_shape()) != list(info.shape):
        model.reshape({model.input(): ov.PartialShape(list(info.shape))})
    ppp = ov.preprocess.PrePostProcessor(model)
    h, w = info.size
    ppp.input().tensor().set_element_type(ov.Type.u8).set_layout(ov.Layout("NHWC")).set_shape(
        [1, h, w, info.channels]
    )
    ppp.input().model().set_layout(ov.Layout(info.layout))
    steps = ppp.input().preprocess()
    if prep.bgr:
        if info.channels != 3:
            raise ValueError("BGR needs a 3-channel input")
        steps.reverse_channels()
    steps.convert_element_type(ov.Type.f32).mean(per_channel(prep.mean, info.channels, "mean")).scale(
        per_channel(prep.scale, info.channels, "scale")
    )
    ppp.output().tensor().set_element_type(ov.Type.f32)
    return ppp.build()


def host_work(path: str | os.PathLike[str], info: ModelInfo) -> np.ndarray:
    """Decode one photo and resize it on the host to the model's ``[1, H, W, C]`` u8 batch."""
    h, w = info.size
    if info.channels == 3 and h == w:
        return images.read_for_model(path, h)
    image = Image.fromarray(images.read_image(path)).resize((w, h), Image.Resampling.BILINEAR)
    if info.channels == 1:
        return np.array(image.convert("L"), dtype=np.uint8)[None, ..., None]
    return np.array(image, dtype=np.uint8)[None]


def compile_for(core: ov.Core, model: ov.Model, device: str, hint: str) -> ov.CompiledModel:
    """Compile with a performance hint (f32 on CPU, as the course does); threads below the decoders'.

    ``helpers.priority.run_lowered``: the inference threads yield the cores to decoding (appendix A4).
    """
    config: dict[str, str] = {"PERFORMANCE_HINT": hint}
    if device == "CPU":
        config["INFERENCE_PRECISION_HINT"] = "f32"
    return priority.run_lowered(lambda: core.compile_model(model, device, config))


def usable_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass
class Run:
    """One timed run: images done, wall seconds, per-image latencies (s), callback seconds."""

    images: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    callback_seconds: float = 0.0
    top1: dict[str, int] = field(default_factory=dict)
    callback_errors: list[str] = field(default_factory=list)  # one line each, never raised

    @property
    def fps(self) -> float:
        """Images per second of wall time."""
        return self.images / self.seconds if self.seconds > 0 else 0.0


def timed_paths(files: list[Path], seconds: float, min_images: int) -> Iterator[Path]:
    """Cycle ``files`` until ``seconds`` have passed and at least ``min_images`` were given."""
    deadline = time.perf_counter() + seconds
    for i, path in enumerate(cycle(files)):
        if i >= min_images and time.perf_counter() >= deadline:
            return
        yield path


def cpu_per_image(fn: Callable[[], int], clock: Callable[[], float] = time.process_time) -> float:
    """CPU seconds per item of ``fn()`` (which returns how many items it did)."""
    t0 = clock()
    count = fn()
    return (clock() - t0) / max(count, 1)


def decode_cpu(files: list[Path], info: ModelInfo, seconds: float) -> float:
    """Host CPU seconds per photo: decode + resize in this thread (``thread_time``)."""
    return cpu_per_image(
        lambda: sum(1 for p in timed_paths(files, seconds, len(files)) if host_work(p, info) is not None),
        time.thread_time,
    )


def infer_cpu(compiled: ov.CompiledModel, batches: list[np.ndarray], seconds: float) -> float:
    """Process CPU seconds per inference: a queue (no Python callback) over decoded batches."""
    queue = ov.AsyncInferQueue(compiled, 0)
    for batch in batches:  # warm-up: first inferences allocate
        queue.start_async({0: batch})
    queue.wait_all()

    def work() -> int:
        count, deadline = 0, time.perf_counter() + seconds
        for batch in cycle(batches):
            if count >= 2 * len(queue) and time.perf_counter() >= deadline:
                break
            queue.start_async({0: batch})
            count += 1
        queue.wait_all()
        return count

    return cpu_per_image(work)


def run_sync(
    request: ov.InferRequest, paths: Iterable[Path], info: ModelInfo, callback: UserCallback | None = None
) -> Run:
    """The one-by-one loop (notebook 02): decode + resize, ``infer``, read the result (or ``callback``)."""
    run = Run()
    t0 = time.perf_counter()
    for path in paths:
        start = time.perf_counter()
        request.infer({0: host_work(path, info)})
        if callback is None:
            run.top1[path.name] = int(request.get_output_tensor(0).data.argmax())
        else:
            c0 = time.perf_counter()
            try:
                callback(request, path.name)
            except Exception as exc:  # noqa: BLE001 - recorded as the queue's callback errors are
                run.callback_errors.append(f"{path.name}: {type(exc).__name__}: {exc}")
            run.callback_seconds += time.perf_counter() - c0
        run.latencies.append(time.perf_counter() - start)
        run.images += 1
    run.seconds = time.perf_counter() - t0
    return run


Decoded = tuple[str, float, np.ndarray]  # name, when its decode started, the batch


def decoded_here(paths: Iterable[Path], info: ModelInfo) -> Iterator[Decoded]:
    """Decode in this thread, one photo at a time (the plain queue of notebook 04)."""
    for path in paths:
        start = time.perf_counter()
        yield path.name, start, host_work(path, info)


def decoded_ahead(paths: Iterable[Path], info: ModelInfo, workers: int, depth: int) -> Iterator[Decoded]:
    """Decode ahead on ``workers`` threads, at most ``depth`` photos ahead, in input order (notebook 04)."""

    def job(path: Path) -> Decoded:
        start = time.perf_counter()
        return path.name, start, host_work(path, info)

    with ThreadPoolExecutor(workers, thread_name_prefix="advise-decode") as pool:
        pending: deque = deque()
        source = iter(paths)
        for path in source:
            pending.append(pool.submit(job, path))
            if len(pending) >= depth:
                break
        while pending:
            item = pending.popleft().result()
            nxt = next(source, None)
            if nxt is not None:
                pending.append(pool.submit(job, nxt))
            yield item


def timed_queue_run(
    queue: ov.AsyncInferQueue, decoded: Iterable[Decoded], callback: UserCallback | None
) -> Run:
    """Feed an ``AsyncInferQueue``; each image's latency runs from its decode to its result.

    Without ``callback`` no Python callback is set (``helpers.pipeline``'s loop): this thread reads
    each result when its request comes back idle, and the latency is the wait for a free request
    plus ``InferRequest.latency``. With one (the queue must have it already, see ``with_callback``),
    the latency ends when the callback returns.
    """
    run = Run()
    requests = list(queue)  # read-only use (notebook 04)
    owner: list[tuple[str, float, float] | None] = [None] * len(queue)
    state = getattr(queue, "_advise_state", None)

    def collect(i: int) -> None:
        if owner[i] is None:
            return
        name, start, submitted = owner[i]
        owner[i] = None
        request = requests[i]
        run.top1[name] = int(request.get_output_tensor(0).data.argmax())
        run.latencies.append(submitted - start + request.latency / 1e3)
        run.images += 1

    t0 = time.perf_counter()
    if state is not None:
        state.update(run=run)
    for name, start, batch in decoded:
        i = queue.get_idle_request_id()
        if state is None:
            collect(i)
            owner[i] = (name, start, time.perf_counter())
        queue.start_async({0: batch}, (name, start))
    queue.wait_all()
    run.seconds = time.perf_counter() - t0
    if state is None:
        for i in range(len(queue)):
            collect(i)
    return run


def with_callback(queue: ov.AsyncInferQueue, callback: UserCallback) -> ov.AsyncInferQueue:
    """Set a timed, safe callback around ``callback(request, name)``; ``timed_queue_run`` records into it."""
    state: dict[str, Any] = {"run": Run()}
    lock = threading.Lock()

    def done(request: ov.InferRequest, userdata: tuple[str, float]) -> None:
        name, start = userdata
        c0, failed = time.perf_counter(), None
        try:
            callback(request, name)
        except Exception as exc:  # noqa: BLE001 - an escaping error would abort the process (notebook 04)
            failed = f"{name}: {type(exc).__name__}: {exc}"
        end = time.perf_counter()
        with lock:
            run = state["run"]
            if failed is not None:
                run.callback_errors.append(failed)
            run.callback_seconds += end - c0
            run.latencies.append(end - start)
            run.images += 1

    queue.set_callback(done)
    queue._advise_state = state  # type: ignore[attr-defined]
    return queue


def percentiles_ms(latencies: list[float]) -> dict[str, float]:
    """p50, p95 and p99 of per-image latencies, in milliseconds."""
    if not latencies:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan")}
    values = np.percentile(np.asarray(latencies) * 1e3, [50, 95, 99])
    return {"p50": float(values[0]), "p95": float(values[1]), "p99": float(values[2])}
