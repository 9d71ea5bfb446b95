"""``classify-async --advise``: the advisor of notebook 07 from the command line (table or one JSON object).

The measurements are ``helpers.advise_run``'s, the verdict ``helpers.advise_verdict``'s. A model
it cannot use, an empty folder or an unreadable file each get one line; the good photos are still
measured. The progress bar goes to stderr; with ``--format json`` stdout holds only the JSON object.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import TextIO

import openvino as ov

from helpers import advise, advise_run, advise_verdict, models
from helpers.cli.output import error, warn
from helpers.paths import display_path


def sleeping_callback(milliseconds: float) -> advise.UserCallback:
    """A per-result callback that waits ``milliseconds`` (``--callback-ms``: a stand-in for your own work)."""

    def work(request: ov.InferRequest, name: str) -> None:
        request.get_output_tensor(0).data.argmax()
        time.sleep(milliseconds / 1e3)

    return work


def load_average() -> float | None:
    """The 1-minute load average, where the OS reports it."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def run(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """Measure the model on the inputs, print the table and verdict (or JSON); return the exit code."""
    core = ov.Core()
    try:
        info = advise.inspect_model(core, args.model)
    except advise.AdviseError as exc:
        error(str(exc))
        return 1
    files: list = []
    for item in args.input:
        good, bad = advise_run.photo_files(item)
        files += good
        for line in bad:
            warn(f"Image {line}")
    if not files:
        error("Valid input images were not found!")
        return 1
    prep = advise.IMAGENET if info.channels == 3 else advise.Preprocessing()
    if args.mean or args.std or args.reverse_input_channels:
        mean = tuple(args.mean or ((0.0,) if args.reverse_input_channels else prep.mean))
        std = tuple(args.std or ((1.0,) if args.reverse_input_channels else prep.scale))
        prep = advise.Preprocessing(mean, std, args.reverse_input_channels)
    callback = sleeping_callback(args.callback_ms) if args.callback_ms else None
    advisor = advise_run.Advisor(core, info, files, prep, args.device, callback, seconds=args.advise_seconds)
    try:
        measured = advisor.measure(progress=True)
    except (RuntimeError, ValueError) as exc:
        error(f"{display_path(args.model)}: {models.openvino_reason(exc)}")
        return 1
    if advisor.callback_errors:
        first = advisor.callback_errors[0]
        warn(f"The callback failed on {len(advisor.callback_errors)} results, the first: {first}")
    devices = list(core.available_devices)
    load = load_average()
    if args.format == "json":
        extra = {
            "model": display_path(args.model),
            "device": args.device,
            "images": len(files),
            "load_average": load,
            "callback_errors": len(advisor.callback_errors),
        }
        print(advise_verdict.dumps(advise_verdict.to_json(measured, devices, extra)), file=out)
        return 0
    print(str(info), file=out)
    print(f"{len(files)} photos, device {args.device}, 1-minute load average {load}", file=out)
    print(advise_verdict.table(measured), file=out)
    print("", file=out)
    print("\n".join(advise_verdict.advice(measured, devices)), file=out)
    return 0
