"""The command-line sample's work; ``helpers.classify_async`` is its light entry point.

It does what OpenVINO's Python and C++ "Image Classification Async" samples do: one
``AsyncInferQueue`` (default, the Python sample) or one request restarted from its own callback
(``--mode callback``, the C++ sample) or one batched request (``--batch``, the C++ ``set_batch``
mode). For a square RGB input (the shipped model) files are decoded and resized ahead on the
host and the static-shape ``PrePostProcessor`` does the rest (notebooks 01, 04); other models
resize in the graph. It also reads folders and every image of MNIST IDX files, prints results
in input order, skips unreadable files with a one-line warning, and stops cleanly on Ctrl-C.
Exit codes: 0 ok, 1 error, 2 usage, 130 Ctrl-C.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openvino as ov

from helpers import asyncq, cli_modes, images, labels, models, paths
from helpers.cli_inputs import Item, image_stream

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
# Images per round in queue and callback mode. Each round's results are printed as soon as it is
# done, so output starts early and memory stays bounded for big folders and IDX files.
ROUND = 32
BENCHMARK_NOTE = (
    "This sample is an API example, for any performance measurements please use the dedicated "
    "benchmark_app tool"
)


def info(message: str) -> None:
    """Print an informational line, ``[ INFO ] ...``, on stdout (like the official samples)."""
    print(f"[ INFO ] {message}", file=sys.stdout)


def warn(message: str) -> None:
    """Print a ``[ WARNING ] ...`` line on stderr."""
    print(f"[ WARNING ] {message}", file=sys.stderr)


def error(message: str) -> None:
    """Print an ``[ ERROR ] ...`` line on stderr."""
    print(f"[ ERROR ] {message}", file=sys.stderr)


def positive_int(text: str) -> int:
    """Argparse type: an integer >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """Argparse type: an integer >= 0."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser (every option of both official samples, plus a few)."""
    p = argparse.ArgumentParser(
        prog="classify-async",
        description="Classify images asynchronously with OpenVINO (the Image Classification Async sample).",
        epilog="Exit codes: 0 at least one image classified, 1 error or no valid image, 2 usage, 130 Ctrl-C.",
    )
    p.add_argument(
        "-m",
        "--model",
        type=Path,
        default=paths.SHIPPED_MODEL,
        help="model: OpenVINO IR .xml or .onnx (default: the shipped EfficientNet-Lite0)",
    )
    p.add_argument(
        "-i",
        "--input",
        nargs="+",
        required=True,
        metavar="PATH",
        help="image files, folders (their image files) or MNIST IDX files (every image)",
    )
    p.add_argument("-d", "--device", default="CPU", help="device: CPU, GPU, AUTO... (default CPU)")
    p.add_argument(
        "-l", "--labels", type=Path, help="labels file, one per line (default: <model>.labels if present)"
    )
    p.add_argument("-n", "--top", type=positive_int, default=10, help="number of top results (default 10)")
    p.add_argument(
        "--jobs",
        type=non_negative_int,
        default=0,
        help="infer requests in the queue (default 0 = OPTIMAL_NUMBER_OF_INFER_REQUESTS)",
    )
    p.add_argument(
        "--hint", choices=["latency", "throughput"], help="PERFORMANCE_HINT (default: the device's own)"
    )
    p.add_argument(
        "--batch", action="store_true", help="all images in ONE batched request (the C++ set_batch mode)"
    )
    p.add_argument(
        "--mode",
        choices=["queue", "callback"],
        default="queue",
        help="queue: AsyncInferQueue (Python sample); callback: one request restarted by its callback (C++)",
    )
    p.add_argument(
        "--mean",
        type=float,
        nargs="+",
        metavar="M",
        help="mean per channel in 0..255 units, or one for all (default: ImageNet for RGB, 0 for gray)",
    )
    p.add_argument(
        "--std",
        type=float,
        nargs="+",
        metavar="S",
        help="standard deviation per channel, or one for all (default: ImageNet for RGB, 1 for gray)",
    )
    return p


def normalisation(
    mean: Sequence[float] | None, std: Sequence[float] | None, channels: int
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Return (mean, std) per channel: ImageNet for RGB models; raw pixel values for gray ones."""
    default_mean, default_std = (
        (models.IMAGENET_MEAN, models.IMAGENET_STD) if channels == 3 else ((0.0,), (1.0,))
    )
    out = []
    for given, default, name in ((mean, default_mean, "--mean"), (std, default_std, "--std")):
        values = tuple(given) if given is not None else tuple(default)
        if len(values) == 1:
            values = values * channels
        if len(values) != channels:
            raise ValueError(f"{name} takes 1 or {channels} values for this model, got {len(values)}")
        if name == "--std" and any(v == 0 for v in values):
            raise ValueError("--std values must not be 0")
        out.append(values)
    return out[0], out[1]


def count_images(inputs: Iterable[str]) -> int:
    """Count the images the inputs name: one per file, every image of an IDX file."""
    total = 0
    for item in images.expand_inputs(inputs):
        if isinstance(item, images.ImageReadError):
            continue
        total += images.idx_count(item) if images.is_idx_file(item) else 1
    return total


def take(stream: Iterator[Item], limit: float, names: list[str]) -> Iterator[np.ndarray]:
    """Yield the pixels of up to ``limit`` good images (recording their names); warn on bad ones."""
    if limit <= 0:
        return
    for item in stream:
        if isinstance(item, images.ImageReadError):
            warn(f"Image {item.path} cannot be read: {item.reason}")
            continue
        names.append(item.name)
        yield item.pixels
        if len(names) >= limit:
            return


@dataclass
class Tally:
    """How many images were found and how many have been classified (read when interrupted)."""

    total: int = 0
    done: int = 0


def report(
    names: Sequence[str], run: asyncq.QueueRun, class_names: list[str] | None, top: int, tally: Tally
) -> None:
    """Print each image's block in input order (or a warning if it failed), counting it in ``tally``."""
    faults = {f.userdata: f.error for f in run.errors}
    for i, name in enumerate(names):
        result = run.results[i] if i < len(run.results) else None
        if result is None:
            warn(f"Image {name} cannot be classified: {faults.get(i, 'no result')}")
            continue
        print(labels.format_result(name, labels.to_probabilities(result), class_names, top))
        tally.done += 1


def num_classes(model: ov.Model) -> int | None:
    """Return the number of classes of a ``[N, classes...]`` output, or None if not static."""
    shape = model.output().get_partial_shape()
    dims = list(shape)[1:]
    if shape.rank.is_dynamic or not dims or not all(d.is_static for d in dims):
        return None
    return math.prod(d.get_length() for d in dims)


def load_class_names(args: argparse.Namespace, model: ov.Model) -> list[str] | None:
    """Return labels from ``-l`` or ``<model>.labels`` (if present); warn and use ids when unusable."""
    path = args.labels if args.labels is not None else labels.labels_path_for(args.model)
    if args.labels is None and not path.is_file():
        return None
    class_names, warning = labels.load_labels(path, num_classes(model))
    if warning is not None:
        warn(warning)
    else:
        info(f"Labels: {paths.display_path(path)}")
    return class_names


@contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Discard what native code writes to file descriptor 2 meanwhile.

    OpenVINO offers a file that no frontend can parse to every frontend, and the TensorFlow one
    logs two parse errors straight to fd 2; the sample prints its own one-line error instead.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no usable fd 2 (embedded interpreter): nothing to silence
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def compile_for(core: ov.Core, model: ov.Model, device: str, config: dict) -> ov.CompiledModel:
    """``core.compile_model`` with a one-line ``ModelError`` naming the device when it fails."""
    try:
        return core.compile_model(model, device, config)
    except RuntimeError as exc:
        available = ", ".join(core.available_devices)
        raise models.ModelError(
            f'Cannot compile the model for device "{device}": {models.openvino_reason(exc)} '
            f"(available devices: {available}, AUTO)"
        ) from None


@dataclass
class Setup:
    """Everything prepared once before the images: the model, its labels and the compiled classifier."""

    core: ov.Core
    model: ov.Model
    channels: int
    mean: tuple[float, ...]
    std: tuple[float, ...]
    class_names: list[str] | None
    config: dict[str, str]
    compiled: ov.CompiledModel
    size: int | None = None  # resized on the host to [1, size, size, 3] (static PPP), else in the graph


def prepare(args: argparse.Namespace) -> Setup:
    """Read and check the model, load labels, add PPP and compile (in batch mode: the PPP part only)."""
    info(f"OpenVINO: {ov.get_version()}")
    core = ov.Core()
    info(f"Reading the model: {paths.display_path(args.model)}")
    with native_stderr_silenced():
        model = models.read_model(core, args.model)
    try:
        channels, height, width = cli_modes.image_input_shape(model)
        mean, std = normalisation(args.mean, args.std, channels)
    except (cli_modes.ModeError, ValueError) as exc:
        raise models.ModelError(f"{paths.display_path(args.model)}: {exc}") from None
    class_names = load_class_names(args, model)
    config: dict[str, str] = {}
    if args.device == "CPU":  # the CPU default may be bf16; f32 keeps every mode's results equal
        config["INFERENCE_PRECISION_HINT"] = "f32"
    if args.hint:
        config["PERFORMANCE_HINT"] = args.hint.upper()
    colour = "RGB" if channels == 3 else "gray"
    size = cli_modes.host_resize_size(model)  # a static input, decoded and resized ahead on the host
    if size is None:
        info(
            f"Preprocessing in the graph: u8 NHWC {colour} of any size -> resize to {width}x{height}, "
            f"mean {list(mean)}, std {list(std)} -> NCHW"
        )
    else:
        info(
            f"Preprocessing: decode and resize to {size}x{size} on the host, ahead of the requests; "
            f"in the graph: u8 NHWC {colour}, mean {list(mean)}, std {list(std)} -> NCHW"
        )
    if args.batch:  # the network is compiled once the batch size (number of images) is known
        compiled = compile_for(core, cli_modes.preprocessor(model, mean, std, size), args.device, config)
    else:
        info(f"Loading the model to the plugin (device {args.device})")
        compiled = compile_for(core, cli_modes.preprocessed(model, mean, std, size), args.device, config)
    return Setup(core, model, channels, mean, std, class_names, config, compiled, size)


def plural(count: int, word: str) -> str:
    """Return ``"1 image"`` / ``"2 images"``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def run_rounds(args: argparse.Namespace, setup: Setup, stream: Iterator[Item], tally: Tally) -> None:
    """Queue or callback mode: classify ``ROUND`` images at a time, printing each round in input order."""
    if args.mode == "queue":
        queue = ov.AsyncInferQueue(setup.compiled, args.jobs)
        hint = str(setup.compiled.get_property("PERFORMANCE_HINT")).split(".")[-1]
        requests = plural(len(queue), "infer request")
        info(f"Starting inference in asynchronous mode: AsyncInferQueue with {requests}")
        more = " (more requests: --jobs N or --hint throughput)" if hint == "LATENCY" else ""
        info(f"PERFORMANCE_HINT {hint}{more}")
    else:
        request = setup.compiled.create_infer_request()
        info("Starting inference in asynchronous mode: one InferRequest restarted from its callback")
    while True:
        names: list[str] = []
        if args.mode == "queue":  # a lazy iterator: the next image is decoded while requests run
            run = cli_modes.run_queue_mode(setup.compiled, queue, take(stream, ROUND, names))
        else:
            run = cli_modes.run_callback_mode(setup.compiled, request, list(take(stream, ROUND, names)))
        if not names:
            return
        report(names, run, setup.class_names, args.top, tally)


def run_batch(args: argparse.Namespace, setup: Setup, stream: Iterator[Item], tally: Tally) -> None:
    """Batch mode: read every image, compile the network for that many and run ONE batched request."""
    names: list[str] = []
    arrays = list(take(stream, math.inf, names))
    if not arrays:
        return
    try:
        batched = cli_modes.with_batch(setup.model, len(arrays))
    except cli_modes.ModeError as exc:
        raise models.ModelError(f"{paths.display_path(args.model)}: {exc}") from None
    info(f"Loading the model with batch {len(arrays)} to the plugin (device {args.device})")
    network = compile_for(setup.core, batched, args.device, setup.config)
    info(
        f"Starting inference in asynchronous mode: one request with a batch of {plural(len(arrays), 'image')}"
    )
    run = cli_modes.run_batch_mode(setup.compiled, network, arrays)
    report(names, run, setup.class_names, args.top, tally)


def configure_streams() -> None:
    """Line-buffer stdout/stderr (messages interleave in order) and escape unprintable file names."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace", line_buffering=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sample; return the exit code (0 ok, 1 error, 2 usage, 130 interrupted)."""
    configure_streams()
    args = build_parser().parse_args(argv)
    tally = Tally()
    try:
        setup = prepare(args)
        tally.total = count_images(args.input)
        stream = image_stream(args.input, setup.channels, setup.size)
        (run_batch if args.batch else run_rounds)(args, setup, stream, tally)
    except models.ModelError as exc:
        error(str(exc))
        return EXIT_ERROR
    except RuntimeError as exc:  # OpenVINO failing during inference: one line, not a traceback
        error(f"Inference failed: {models.openvino_reason(exc)}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        found = plural(tally.total, "image")
        warn(f"Interrupted: {tally.done} of {found} classified; pending requests cancelled")
        return EXIT_INTERRUPTED
    if tally.done == 0:
        error("Valid input images were not found!")
        return EXIT_ERROR
    info(f"Classified {tally.done} of {plural(tally.total, 'image')}")
    info(BENCHMARK_NOTE)
    return EXIT_OK
