"""Run OpenVINO's ``benchmark_app`` (the ceiling: no callback, inputs set once) and parse its log."""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


class CeilingError(RuntimeError):
    """benchmark_app is missing, failed, or printed no throughput; ``str()`` is one line."""


@dataclass(frozen=True)
class CeilingRun:
    """One benchmark_app run: its throughput and what it says it compiled."""

    fps: float
    count: int
    duration_s: float
    num_streams: int | None
    inference_only: bool | None


def benchmark_app_path() -> Path:
    """The ``benchmark_app`` console script of this Python environment (or the one on PATH)."""
    bindir = Path(sys.executable).parent
    for name in ("benchmark_app", "benchmark_app.exe"):
        if (bindir / name).is_file():
            return bindir / name
    found = shutil.which("benchmark_app")
    if found is None:
        raise CeilingError("benchmark_app not found beside this Python nor on PATH (pip install openvino)")
    return Path(found)


def benchmark_app_args(
    xml: Path, shape: tuple[int, ...] | None, nireq: int, seconds: float, hint: str = "throughput"
) -> list[str]:
    """Arguments for the ceiling: same IR, device, hint and request count as the queue.

    benchmark_app fills each request's input once and reuses it (``-inference_only true``). An IR
    with a dynamic input needs ``shape`` (``-data_shape``); the static classifier needs none.
    ``-t`` takes whole seconds, so a fraction is rounded up.
    """
    args = ["-m", str(xml), "-d", "CPU", "-hint", hint, "-nireq", str(nireq)]
    args += ["-t", str(max(1, math.ceil(seconds)))]
    if shape is not None:
        args += ["-data_shape", "[" + ",".join(str(d) for d in shape) + "]"]
    return [*args, "-inference_only", "true"]


def parse_output(text: str) -> CeilingRun:
    """Pull throughput, iteration count, duration, streams and mode out of benchmark_app's log."""
    fps = re.search(r"Throughput:\s+([\d.]+)\s+FPS", text)
    if fps is None:
        last = text.strip().splitlines()[-1] if text.strip() else "no output"
        raise CeilingError(f"benchmark_app printed no throughput (last line: {last[:200]})")
    count = re.search(r"Count:\s+(\d+)\s+iterations", text)
    duration = re.search(r"Duration:\s+([\d.]+)\s+ms", text)
    streams = re.search(r"NUM_STREAMS:\s+(\d+)", text)
    mode = re.search(r"Benchmarking in (inference only|full) mode", text)
    return CeilingRun(
        fps=float(fps[1]),
        count=int(count[1]) if count else 0,
        duration_s=float(duration[1]) / 1000 if duration else 0.0,
        num_streams=int(streams[1]) if streams else None,
        inference_only=(mode[1] == "inference only") if mode else None,
    )


def run_benchmark_app(xml: Path, shape: tuple[int, ...] | None, nireq: int, seconds: float) -> CeilingRun:
    """Run benchmark_app once in a subprocess and return what it measured."""
    cmd = [str(benchmark_app_path()), *benchmark_app_args(xml, shape, nireq, seconds)]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=seconds * 4 + 120)
    text = proc.stdout + proc.stderr
    if proc.returncode != 0:
        errors = [line for line in text.splitlines() if "ERROR" in line] or text.strip().splitlines()[-1:]
        raise CeilingError(f"benchmark_app exited with {proc.returncode}: {' '.join(errors)[:300]}")
    return parse_output(text)
