"""The command-line sample's options: the parser and the normalisation they ask for (``helpers.cli.app``)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from helpers import models, paths
from helpers.cli import output

# --precision: "default" leaves INFERENCE_PRECISION_HINT to the device, as the official samples do.
PRECISIONS = ("default", "f32", "bf16", "f16")


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


def positive_float(text: str) -> float:
    """Argparse type: a number > 0."""
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
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
        "--hint",
        choices=["latency", "throughput"],
        help="PERFORMANCE_HINT (default: throughput for a queue of 2+ images, else the device's own)",
    )
    p.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="default",
        help="INFERENCE_PRECISION_HINT: default, the device's own, as the samples (bf16 on CPUs that "
        "have it); f32 for exact results, the same in every mode (default: default)",
    )
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="compile the model afresh instead of loading it from OpenVINO's cache (CACHE_DIR) in "
        ".cache/openvino (queue and callback modes)",
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
        help="mean per channel in 0..255 units, in the model's channel order, or one for all "
        "(default: ImageNet for RGB; 0 for gray and with --reverse-input-channels)",
    )
    p.add_argument(
        "--std",
        type=float,
        nargs="+",
        metavar="S",
        help="standard deviation per channel, or one for all "
        "(default: ImageNet for RGB; 1 for gray and with --reverse-input-channels)",
    )
    p.add_argument(
        "--reverse-input-channels",
        action="store_true",
        help="feed BGR: flip the channels in the PPP graph, for models made for the official samples "
        "(OpenCV order: Open Model Zoo, Caffe); mean/std then default to 0/1, raw 0..255 pixels as the "
        "samples feed, for models that embed their own",
    )
    p.add_argument(
        "--raw",
        action="store_true",
        help="the model's raw output values (no softmax), top-k, in the Python sample's [ INFO ] format",
    )
    p.add_argument(
        "--format",
        choices=output.FORMATS,
        default="text",
        help="text: the samples' table; json: one JSON object per input on stdout (JSON Lines), "
        "logging on stderr (default text)",
    )
    p.add_argument(
        "--advise",
        action="store_true",
        help="measure this model on these photos and say what bounds it and what to try (docs/cli.md)",
    )
    p.add_argument(
        "--callback-ms",
        type=float,
        default=0.0,
        metavar="MS",
        help="with --advise: per-result work of MS milliseconds in the queue's callback (default 0: none)",
    )
    p.add_argument(
        "--advise-seconds",
        type=positive_float,
        default=0.5,
        metavar="S",
        help="with --advise: the length of each timed run in seconds (default 0.5; longer is steadier)",
    )
    return p


def normalisation(
    mean: Sequence[float] | None, std: Sequence[float] | None, channels: int, reverse: bool = False
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Return (mean, std) per channel: ImageNet for RGB; raw pixel values for gray and BGR (``reverse``)."""
    if reverse and channels != 3:
        raise ValueError(f"--reverse-input-channels needs a 3-channel input; this model has {channels}")
    default_mean, default_std = (
        (models.IMAGENET_MEAN, models.IMAGENET_STD) if channels == 3 and not reverse else ((0.0,), (1.0,))
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
