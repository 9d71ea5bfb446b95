"""``make bench``: our AsyncInferQueue pipeline against benchmark_app's ceiling, and the course end to end.

Everything runs in this one process (benchmark_app in a subprocess), on the shipped model, CPU.
Competing measurements alternate in rounds (AB, BA, AB, ...) so that drift of a shared machine
hits both sides alike; each side reports the median of its rounds.

1. ceiling: benchmark_app on the PPP classifier saved as IR, u8 NHWC input, THROUGHPUT hint,
   nireq = our job count;
2. ``helpers.asyncq.run_queue`` over pre-decoded images of the same size, same IR, hint and jobs;
3. files to top-5: sync (decode, infer, top-5, one by one) vs async (decoding overlapped);
4. preprocessing placement: PIL/numpy resize + normalize vs PPP in the graph, sync and async;
5. a jobs sweep (1, 2, 4, 8) under the LATENCY and THROUGHPUT hints, drawn as a chart.

``BENCH_SECONDS`` (default 5) is the length of one measurement. Output: a Markdown table on
stdout, ``<out>/latest.json`` and the sweep chart ``<out>/sweep.png`` (``--out`` defaults to
``benchmarks/results``, git-ignored; ``BENCH_RESULTS_DIR`` overrides it). Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import openvino as ov
from PIL import Image

from helpers import models, paths
from helpers.images import list_image_files, read_image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ceiling  # noqa: E402
import remote  # noqa: E402
import report  # noqa: E402
import workloads  # noqa: E402

HERE = Path(__file__).resolve().parent
T = TypeVar("T")
DEFAULT_SECONDS = 5.0
SAMPLE_IMAGE = paths.IMAGES_DIR / "cat.png"  # 300 x 451: the size of the pre-loaded images
SWEEP_JOBS = (1, 2, 4, 8)
HINTS = ("LATENCY", "THROUGHPUT")
TARGETS = {"queue_over_benchmark_app": 0.97, "async_over_sync": 1.6}
ROUNDS = {"ceiling": 3, "e2e": 2, "sweep": 2}  # a sweep point lasts BENCH_SECONDS / its rounds


class Progress:
    """Timestamped progress lines on stderr, so that a person sees the benchmark working."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()

    def __call__(self, message: str) -> None:
        """Print one progress line."""
        print(f"[bench {time.perf_counter() - self.t0:6.1f} s] {message}", file=sys.stderr, flush=True)


def bench_seconds() -> float:
    """Seconds per measurement from ``BENCH_SECONDS`` (default 5)."""
    raw = os.environ.get("BENCH_SECONDS", "")
    if not raw.strip():
        return DEFAULT_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise SystemExit(f"bench: BENCH_SECONDS={raw!r} is not a positive number of seconds")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(os.environ.get("BENCH_RESULTS_DIR", HERE / "results")),
        help="folder for latest.json and sweep.png (default benchmarks/results or $BENCH_RESULTS_DIR)",
    )
    parser.add_argument(
        "--chart", type=Path, default=None, help="where to save the chart (default <out>/sweep.png)"
    )
    parser.add_argument("--quick", action="store_true", help="one round per comparison (for tests)")
    return parser.parse_args(argv)


class CoreMeter:
    """CPU seconds (this process and its finished children) per wall second, per measurement name.

    On a shared machine this shows whether a side got the cores it needed while it ran.
    """

    def __init__(self) -> None:
        self.cores: dict[str, list[float]] = {}

    def __call__(self, name: str, fn: Callable[[], Any]) -> Any:
        """Run ``fn()`` and record how many cores it kept busy on average."""
        t0, w0 = os.times(), time.perf_counter()
        value = fn()
        t1, wall = os.times(), time.perf_counter() - w0
        cpu = sum(t1[:4]) - sum(t0[:4])
        self.cores.setdefault(name, []).append(round(cpu / wall, 2) if wall > 0 else 0.0)
        return value


def median_of(values: list[float]) -> float:
    """Median of one side's rounds."""
    return float(statistics.median(values))


def alternate(rounds: int, configs: list[T]) -> list[list[T]]:
    """Round orders AB, BA, AB, ...: reversing every other round cancels a linear drift."""
    return [configs if r % 2 == 0 else configs[::-1] for r in range(rounds)]


def preloaded_images(size: tuple[int, int]) -> list[np.ndarray]:
    """Every sample photo decoded and resized to ``size`` (H, W) once, as writeable 1xHxWx3 u8 arrays."""
    h, w = size
    arrays = []
    for path in list_image_files(paths.IMAGES_DIR):
        pixels = read_image(path)
        if pixels.shape[:2] != (h, w):
            pixels = np.asarray(Image.fromarray(pixels).resize((w, h), Image.Resampling.BILINEAR))
        arrays.append(np.array(pixels[None]))  # an own, writeable copy: shared with requests, no copy
    return arrays


def type_name(value: Any) -> str:
    """``bf16`` for an ``ov.Type`` property, ``str()`` of anything else."""
    return value.get_type_name() if isinstance(value, ov.Type) else str(value)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Set up, measure every comparison in alternating rounds, return the results dictionary."""
    say = Progress()
    seconds = bench_seconds()
    rounds = dict.fromkeys(ROUNDS, 1) if args.quick else dict(ROUNDS)
    sweep_seconds = seconds / rounds["sweep"]
    n_measurements = (
        2 * rounds["ceiling"] + 4 * rounds["e2e"] + len(HINTS) * len(SWEEP_JOBS) * rounds["sweep"]
    )
    expected = (2 * rounds["ceiling"] + 4 * rounds["e2e"] + len(HINTS) * len(SWEEP_JOBS)) * seconds
    say(
        f"{n_measurements} measurements (BENCH_SECONDS={seconds:g} s, sweep points {sweep_seconds:g} s); "
        f"expect about {expected + 15 + 2 * rounds['ceiling']:.0f} s in all"
    )
    load_before = report.load_average()
    meter = CoreMeter()
    core = ov.Core()
    files = list_image_files(paths.IMAGES_DIR)
    sample = read_image(SAMPLE_IMAGE)
    shape = (1, *sample.shape)
    preloaded = preloaded_images(sample.shape[:2])

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        say("saving the PPP classifier as IR and compiling it and the plain f32 model for both hints")
        xml = Path(tmp) / "efficientnet-lite0-ppp.xml"
        ppp_model = models.add_preprocessing(models.read_model(core, paths.SHIPPED_MODEL))
        ov.save_model(ppp_model, xml, compress_to_fp16=False)
        plain = models.read_model(core, paths.SHIPPED_MODEL)
        ppp = {h: core.compile_model(xml, "CPU", {"PERFORMANCE_HINT": h}) for h in HINTS}
        raw = {h: core.compile_model(plain, "CPU", {"PERFORMANCE_HINT": h}) for h in HINTS}
        jobs = int(ppp["THROUGHPUT"].get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
        streams = {h: int(ppp[h].get_property("NUM_STREAMS")) for h in HINTS}
        precision = type_name(ppp["THROUGHPUT"].get_property("INFERENCE_PRECISION_HINT"))

        decoded = [read_image(f) for f in files]
        for h in HINTS:
            workloads.warm_up(ppp[h], preloaded[:1] + [workloads.ppp_input(p) for p in decoded])
            workloads.warm_up(raw[h], [workloads.python_prep(decoded[0])])
        queues: dict[tuple[str, int], ov.AsyncInferQueue] = {}

        def queue_for(hint: str, n: int) -> ov.AsyncInferQueue:
            if (hint, n) not in queues:
                queues[hint, n] = ov.AsyncInferQueue(ppp[hint], n)
                workloads.warm_queue(ppp[hint], queues[hint, n], preloaded[:1])
            return queues[hint, n]

        say(f"THROUGHPUT hint: {jobs} jobs, {streams['THROUGHPUT']} streams, precision {precision}")

        # 1 + 2: benchmark_app ceiling vs the queue on pre-loaded images.
        ceiling_runs: list[ceiling.CeilingRun] = []
        queue_rounds: list[tuple[float, float]] = []  # (images/s, main-thread CPU s per image)

        def queue_round() -> None:
            run, main_cpu = workloads.queue_run(
                ppp["THROUGHPUT"], queue_for("THROUGHPUT", jobs), preloaded, seconds
            )
            queue_rounds.append((run.fps, main_cpu))

        measure: dict[str, Callable[[], None]] = {
            "benchmark_app": lambda: ceiling_runs.append(
                ceiling.run_benchmark_app(xml, shape, jobs, seconds)
            ),
            "queue": queue_round,
        }
        for r, order in enumerate(alternate(rounds["ceiling"], list(measure))):
            for name in order:
                meter(name, measure[name])
            say(
                f"ceiling round {r + 1}/{rounds['ceiling']}: benchmark_app {ceiling_runs[-1].fps:.1f}, "
                f"queue {queue_rounds[-1][0]:.1f} images/s"
            )

        # 3 + 4: files to top-5, sync and async, PPP in graph and Python preprocessing.
        # Every stream compiles its dynamic-shape kernels per input size: warm them all first.
        workloads.warm_queue(
            ppp["THROUGHPUT"], queue_for("THROUGHPUT", jobs), [workloads.ppp_input(p) for p in decoded]
        )
        raw_queue = ov.AsyncInferQueue(raw["THROUGHPUT"], jobs)
        workloads.warm_queue(raw["THROUGHPUT"], raw_queue, [workloads.python_prep(decoded[0])])
        sync_req = {
            "ppp": ppp["LATENCY"].create_infer_request(),
            "python": raw["LATENCY"].create_infer_request(),
        }
        e2e: dict[str, list[float]] = {"sync_ppp": [], "async_ppp": [], "sync_python": [], "async_python": []}
        e2e_fn: dict[str, Callable[[], float]] = {
            "sync_ppp": lambda: workloads.sync_files_fps(
                sync_req["ppp"], files, workloads.ppp_input, seconds
            ),
            "async_ppp": lambda: workloads.async_files_fps(
                ppp["THROUGHPUT"], queue_for("THROUGHPUT", jobs), files, workloads.ppp_input, seconds
            ),
            "sync_python": lambda: workloads.sync_files_fps(
                sync_req["python"], files, workloads.python_prep, seconds
            ),
            "async_python": lambda: workloads.async_files_fps(
                raw["THROUGHPUT"], raw_queue, files, workloads.python_prep, seconds
            ),
        }
        for r, order in enumerate(alternate(rounds["e2e"], list(e2e_fn))):
            for name in order:
                e2e[name].append(meter(name, e2e_fn[name]))
            say(
                f"files→top-5 round {r + 1}/{rounds['e2e']}: "
                + ", ".join(f"{k} {v[-1]:.1f}" for k, v in e2e.items())
                + " images/s"
            )

        # 5: jobs sweep on pre-loaded images: shorter points, every other round in reverse order.
        points = [(n, h) for n in SWEEP_JOBS for h in HINTS]
        sweep_runs: dict[tuple[int, str], list[float]] = {p: [] for p in points}
        for r, order in enumerate(alternate(rounds["sweep"], points)):
            for n, h in order:
                run_point = partial(workloads.queue_fps, ppp[h], queue_for(h, n), preloaded, sweep_seconds)
                sweep_runs[n, h].append(meter(f"sweep_{h}_{n}", run_point))
            say(
                f"sweep round {r + 1}/{rounds['sweep']}, images/s at 1/2/4/8 jobs: "
                + "; ".join(
                    h + " " + "/".join(f"{sweep_runs[n, h][-1]:.0f}" for n in SWEEP_JOBS) for h in HINTS
                )
            )
        sweep = [
            {"hint": h, "jobs": n, "num_streams": streams[h], "fps": median_of(v)}
            for (n, h), v in sweep_runs.items()
        ]

    bapp = median_of([c.fps for c in ceiling_runs])
    queue = median_of([fps for fps, _ in queue_rounds])
    med = {k: median_of(v) for k, v in e2e.items()}
    bapp_streams = {c.num_streams for c in ceiling_runs}
    if bapp_streams != {streams["THROUGHPUT"]}:
        say(f"warning: benchmark_app compiled {bapp_streams} streams, ours {streams['THROUGHPUT']}")
    return {
        "benchmark_app_fps": bapp,
        "queue_fps": queue,
        "queue_over_benchmark_app": queue / bapp,
        "sync_e2e_fps": med["sync_ppp"],
        "async_e2e_fps": med["async_ppp"],
        "async_over_sync": med["async_ppp"] / med["sync_ppp"],
        "python_prep_sync_fps": med["sync_python"],
        "python_prep_async_fps": med["async_python"],
        "ppp_over_python_prep": med["async_ppp"] / med["async_python"],
        "ppp_over_python_prep_sync": med["sync_ppp"] / med["sync_python"],
        "ppp_over_python_prep_async": med["async_ppp"] / med["async_python"],
        "sweep": sweep,
        "queue_main_thread_us_per_image": median_of([cpu * 1e6 for _, cpu in queue_rounds]),
        "cores_used": meter.cores,
        "rounds": {
            "benchmark_app_fps": [c.fps for c in ceiling_runs],
            "queue_fps": [fps for fps, _ in queue_rounds],
            **{f"{k}_fps": v for k, v in e2e.items()},
        },
        "targets": TARGETS,
        "jobs": jobs,
        "num_streams": streams,
        "benchmark_app_num_streams": sorted(s for s in bapp_streams if s is not None),
        "benchmark_app_inference_only": all(c.inference_only for c in ceiling_runs),
        "benchmark_app_args": ceiling.benchmark_app_args(
            Path("efficientnet-lite0-ppp.xml"), shape, jobs, seconds
        ),
        "inference_precision": precision,
        "input_shape": list(shape),
        "e2e_files": [f.name for f in files],
        "cpu_count": report.usable_cpus(),
        "cpu_model": report.cpu_model(),
        "openvino_version": ov.__version__,
        "python_version": sys.version.split()[0],
        "seconds_per_round": seconds,
        "sweep_seconds_per_point": sweep_seconds,
        "rounds_per_comparison": rounds,
        "load_average_before": load_before,
        "load_average_after": report.load_average(),
        "total_seconds": time.perf_counter() - say.t0,
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, write latest.json and the chart, print the tables."""
    args = parse_args(argv)
    try:
        results = run(args)
    except ceiling.CeilingError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    if remote.serve_extra_installed():  # notebook 06: KServe v2 gRPC against the local queue
        results.update(remote.measure(bench_seconds(), 1 if args.quick else remote.ROUNDS, say=Progress()))
    args.out.mkdir(parents=True, exist_ok=True)
    out_json = args.out / "latest.json"
    out_json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    chart = report.save_chart(results, args.chart or args.out / "sweep.png")
    print(f"\n{report.machine_line(results)}\n")
    print(report.markdown_table(results))
    print(
        f"\nwrote {paths.display_path(out_json)} and {paths.display_path(chart.resolve())}", file=sys.stderr
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
