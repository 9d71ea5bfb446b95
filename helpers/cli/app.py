"""The command-line sample's work; ``helpers.cli.classify_async`` is its light entry point.

It does what OpenVINO's Python and C++ "Image Classification Async" samples do: one
``AsyncInferQueue`` (default, the Python sample) or one request restarted from its own callback
(``--mode callback``, the C++ sample) or one batched request (``--batch``, the C++ ``set_batch``
mode). For a square RGB input (the shipped model) files are decoded and resized ahead on the
host and the static-shape ``PrePostProcessor`` does the rest (notebooks 01, 04); other models
resize in the graph. It also reads folders and every image of MNIST IDX files, prints results
in input order, skips unreadable files with a one-line warning, and stops cleanly on Ctrl-C.
Exit codes: 0 ok, 1 error, 2 usage, 130 Ctrl-C. The options live in ``helpers.cli.args``, the
printers (table, ``--raw``, ``--format json``) in ``helpers.cli.output``, the input stream in
``helpers.cli.inputs``; docs/cli.md is the reference.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np
import openvino as ov

from helpers import images, labels, models, paths, priority, queue_runner
from helpers.cli import modes, output
from helpers.cli.args import build_parser, normalisation
from helpers.cli.exits import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK
from helpers.cli.inputs import Item, image_stream
from helpers.cli.output import error, info, warn

# Images per round in queue and callback mode. Each round's results are printed as soon as it is
# done, so output starts early and memory stays bounded for big folders and IDX files.
ROUND = 32
BENCHMARK_NOTE = (
    "This sample is an API example, for any performance measurements please use the dedicated "
    "benchmark_app tool"
)


def count_images(inputs: Iterable[str]) -> int:
    """Count the images the inputs name: one per file, every image of an IDX file."""
    total = 0
    for item in images.expand_inputs(inputs):
        if isinstance(item, images.ImageReadError):
            continue
        total += images.idx_count(item) if images.is_idx_file(item) else 1
    return total


def next_images(stream: Iterator[images.LoadedImage], limit: float, names: list[str]) -> Iterator[np.ndarray]:
    """Yield the pixels of up to ``limit`` images of a screened stream, recording their names."""
    if limit <= 0:
        return
    for item in stream:
        names.append(item.name)
        yield item.pixels
        if len(names) >= limit:
            return


@dataclass
class ImageCount:
    """How many images were found and how many have been classified (read when interrupted)."""

    total: int = 0
    done: int = 0


def print_results(
    names: Sequence[str], run: queue_runner.QueueRun, printer: output.Printer, count: ImageCount
) -> None:
    """Print each image's result in input order (or its failure), counting it in ``count``."""
    faults = {f.userdata: f.error for f in run.errors}
    for i, name in enumerate(names):
        result = run.results[i] if i < len(run.results) else None
        if result is None:
            printer.failed(name, faults.get(i, "no result"))
            continue
        printer.result(name, result)
        count.done += 1


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


def compile_for(
    core: ov.Core, model: ov.Model, device: str, config: dict, *, yield_to_host: bool = False
) -> ov.CompiledModel:
    """``core.compile_model`` with a one-line ``ModelError`` naming the device when it fails.

    ``yield_to_host``: the inference threads run below the decoders' priority (``helpers.priority``).
    """
    try:
        return priority.compile_model(core, model, device, config, yield_to_host=yield_to_host)
    except RuntimeError as exc:
        available = ", ".join(core.available_devices)
        raise models.ModelError(
            f'Cannot compile the model for device "{device}": {models.openvino_reason(exc)} '
            f"(available devices: {available}, AUTO)"
        ) from None


def compiled_model_cache() -> Path | None:
    """OpenVINO's model cache for the sample: ``<cache>/openvino`` (git-ignored), or None if unusable."""
    try:
        folder = paths.cache_dir() / "openvino"
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def precision_line(compiled: ov.CompiledModel, asked: str) -> str:
    """The log line naming the precision that runs: ``Inference precision: f32 (the device's default)``."""
    try:
        value = compiled.get_property("INFERENCE_PRECISION_HINT")
        name = value.get_type_name() if isinstance(value, ov.Type) else str(value)
    except RuntimeError:  # a device (or AUTO's choice) that does not report it
        name = "not reported by the device"
    how = (
        "the device's default; exact results: --precision f32" if asked == "default" else "set by --precision"
    )
    return f"Inference precision: {name} ({how})"


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
    printer: output.Printer
    size: int | None = None  # resized on the host to [1, size, size, 3] (static PPP), else in the graph


def chosen_hint(args: argparse.Namespace, total: int) -> str | None:
    """The ``PERFORMANCE_HINT`` to compile with: ``--hint``, else THROUGHPUT for a queue of 2+ images.

    A queue of many images wants throughput: the THROUGHPUT hint runs one stream per core or two,
    each on its own thread, where the device's default (LATENCY on CPU, one stream) spreads each
    inference over several threads, which costs CPU per image that decoding could use (``make
    bench``, ``benchmarks/peer.py``). One image, the restarting request (callback mode, one
    request) and one batched request keep the device's default. None: the device's default.
    """
    if args.hint:
        return args.hint
    return "throughput" if args.mode == "queue" and not args.batch and total > 1 else None


def prepare(args: argparse.Namespace, results: TextIO, total: int = 1) -> Setup:
    """Read and check the model, load labels, add PPP and compile (in batch mode: the PPP part only).

    ``total`` images are to come (it chooses the hint, ``chosen_hint``). Results are printed on
    ``results``; log lines on ``sys.stdout`` (stderr in json mode).
    """
    info(f"OpenVINO: {ov.get_version()}")
    core = ov.Core()
    info(f"Reading the model: {paths.display_path(args.model)}")
    with native_stderr_silenced():
        model = models.read_model(core, args.model)
    try:
        channels, height, width = modes.image_input_shape(model)
        mean, std = normalisation(args.mean, args.std, channels, args.reverse_input_channels)
    except (modes.ModeError, ValueError) as exc:
        raise models.ModelError(f"{paths.display_path(args.model)}: {exc}") from None
    class_names = load_class_names(args, model)
    config: dict[str, str] = {}
    if args.precision != "default":  # the device's default may be bf16; f32 gives every mode equal results
        config["INFERENCE_PRECISION_HINT"] = args.precision
    hint = chosen_hint(args, total)
    if hint is not None:
        config["PERFORMANCE_HINT"] = hint.upper()
    colour = "RGB" if channels == 3 else "gray"
    flip = " -> reverse channels (BGR)" if args.reverse_input_channels else ""
    reverse = args.reverse_input_channels
    size = modes.host_resize_size(model)  # a static input, decoded and resized ahead on the host
    if size is None:
        info(
            f"Preprocessing in the graph: u8 NHWC {colour} of any size{flip} -> resize to {width}x{height}, "
            f"mean {list(mean)}, std {list(std)} -> NCHW"
        )
    else:
        info(
            f"Preprocessing: decode and resize to {size}x{size} on the host, ahead of the requests; "
            f"in the graph: u8 NHWC {colour}{flip}, mean {list(mean)}, std {list(std)} -> NCHW"
        )
    if args.batch:  # the network is compiled once the batch size (number of images) is known
        ppp_model = modes.ppp_alone(model, mean, std, size, reverse)
        compiled = compile_for(core, ppp_model, args.device, config)
    else:
        cache = None if args.no_cache else compiled_model_cache()
        where = f"; compiled model cached in {paths.display_path(cache)}" if cache else ""
        info(f"Loading the model to the plugin (device {args.device}{where})")
        ppp_model = modes.classifier_with_ppp(model, mean, std, size, reverse)
        # queue mode on host-resized input is appendix A4's pipeline: the files are decoded ahead
        # on a pool while the requests run, and the decoders go first (helpers.priority)
        pipelined = args.mode == "queue" and size is not None
        # the single-image classifier is the same at every start: OpenVINO's CACHE_DIR turns its
        # compilation into a load (notebook 01); batch mode's network depends on the image count
        single = {**config, "CACHE_DIR": str(cache)} if cache else config
        compiled = compile_for(core, ppp_model, args.device, single, yield_to_host=pipelined)
        info(precision_line(compiled, args.precision))
    printer = output.Printer(args.format, args.raw, args.top, class_names, results)
    return Setup(core, model, channels, mean, std, class_names, config, compiled, printer, size)


def plural(count: int, word: str) -> str:
    """Return ``"1 image"`` / ``"2 images"``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def run_rounds(args: argparse.Namespace, setup: Setup, stream: Iterator[Item], count: ImageCount) -> None:
    """Queue or callback mode: classify ``ROUND`` images at a time, printing each round in input order."""
    if args.mode == "queue":
        queue = ov.AsyncInferQueue(setup.compiled, args.jobs)
        hint = str(setup.compiled.get_property("PERFORMANCE_HINT")).split(".")[-1]
        requests = plural(len(queue), "infer request")
        info(f"Starting inference in asynchronous mode: AsyncInferQueue with {requests}")
        more = " (more requests: --jobs N or --hint throughput)" if hint == "LATENCY" else ""
        if hint == "THROUGHPUT" and not args.hint:
            more = " (chosen for more than one image; --hint latency for the device's default)"
        info(f"PERFORMANCE_HINT {hint}{more}")
    else:
        request = setup.compiled.create_infer_request()
        info("Starting inference in asynchronous mode: one InferRequest restarted from its callback")
    while True:
        names: list[str] = []
        if args.mode == "queue":  # a lazy iterator: the next image is decoded while requests run
            run = modes.run_queue_mode(setup.compiled, queue, next_images(stream, ROUND, names))
        else:
            run = modes.run_callback_mode(setup.compiled, request, list(next_images(stream, ROUND, names)))
        if not names:
            return
        print_results(names, run, setup.printer, count)


def run_batch(args: argparse.Namespace, setup: Setup, stream: Iterator[Item], count: ImageCount) -> None:
    """Batch mode: read every image, compile the network for that many and run ONE batched request."""
    names: list[str] = []
    arrays = list(next_images(stream, math.inf, names))
    if not arrays:
        return
    try:
        batched = modes.with_batch(setup.model, len(arrays))
    except modes.ModeError as exc:
        raise models.ModelError(f"{paths.display_path(args.model)}: {exc}") from None
    info(f"Loading the model with batch {len(arrays)} to the plugin (device {args.device})")
    network = compile_for(setup.core, batched, args.device, setup.config)
    info(precision_line(network, args.precision))
    info(
        f"Starting inference in asynchronous mode: one request with a batch of {plural(len(arrays), 'image')}"
    )
    run = modes.run_batch_mode(setup.compiled, network, arrays)
    print_results(names, run, setup.printer, count)


def configure_streams() -> None:
    """Line-buffer stdout/stderr (messages interleave in order) and escape unprintable file names."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace", line_buffering=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sample; return the exit code (0 ok, 1 error, 2 usage, 130 interrupted)."""
    configure_streams()
    args = build_parser().parse_args(argv)
    if args.advise:
        from helpers.cli import advise  # the advisor's measurements load only when asked for

        return advise.run(args)
    if args.format == "text":
        return classify(args, sys.stdout)
    results = sys.stdout
    with redirect_stdout(sys.stderr):  # json: stdout carries the JSON lines only, the log goes to stderr
        return classify(args, results)


def classify(args: argparse.Namespace, results: TextIO) -> int:
    """Prepare, classify every input and print the summary; return the exit code."""
    count = ImageCount()
    try:
        count.total = count_images(args.input)
        setup = prepare(args, results, count.total)
        stream = setup.printer.screen(image_stream(args.input, setup.channels, setup.size))
        (run_batch if args.batch else run_rounds)(args, setup, stream, count)
        setup.printer.finish()
    except models.ModelError as exc:
        error(str(exc))
        return EXIT_ERROR
    except RuntimeError as exc:  # OpenVINO failing during inference: one line, not a traceback
        error(f"Inference failed: {models.openvino_reason(exc)}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        found = plural(count.total, "image")
        warn(f"Interrupted: {count.done} of {found} classified; pending requests cancelled")
        return EXIT_INTERRUPTED
    if count.done == 0:
        error("Valid input images were not found!")
        return EXIT_ERROR
    info(f"Classified {count.done} of {plural(count.total, 'image')}")
    info(BENCHMARK_NOTE)
    return EXIT_OK
