"""``make bench``: the course pipeline against the CPU's physical limit, the queue against benchmark_app.

Everything runs in this one process (benchmark_app in a subprocess), on the shipped model, CPU,
compiled as the static-shape classifier (u8 NHWC [1,224,224,3] in; PPP for layout, type, mean,
scale; resize on the host). Competing measurements alternate in rounds (AB, BA, AB, ...) so that
drift of a shared machine hits both sides alike; each figure is the median of its rounds.

1. ceiling: benchmark_app on the static classifier saved as IR, THROUGHPUT hint, nireq = our
   job count (``pipeline.default_jobs``: twice OPTIMAL_NUMBER_OF_INFER_REQUESTS; once more at
   OPTIMAL, benchmark_app's own default), vs ``helpers.pipeline.run_batches`` over the pre-decoded
   photos (zero-copy queue, no Python callback), and the same loop with a Python callback storing
   each result; the queue rounds also give the main thread's CPU per image;
2. files to top-5: the two parts of the limit (the decoder alone: decode CPU per image; the queue
   on pre-decoded photos: inference CPU per image), sync (decode, infer, top-5, one by one), async
   (``helpers.pipeline.classify_files``: decode ahead in a pool, zero-copy queue), and the same two
   loops with mean/std/layout in numpy instead of PPP, and the decoders and the queue side by side
   but uncoupled (``corun_over_limit``: the share of the limit that sharing the cores leaves);
   ``limit_fps = cores / (decode CPU + inference CPU per image)``;
3. a jobs sweep (1, 2, 4, 8) under the LATENCY and THROUGHPUT hints, drawn as a chart;
4. optional extras: ``benchmarks/<name>.py`` for each name in ``EXTRAS`` that exists (see ``extras``);
5. ``classify-async`` against its peer, the samples' loop (``sample_loop.py``), as whole processes
   over 1 photo and over 600 (``BENCH_PEER_PHOTOS``), in paired rounds (``peer.py``):
   ``cli_over_sample_loop_1`` and ``cli_over_sample_loop_600``.

``BENCH_SECONDS`` (default 3) is the length of one measurement. Output: a Markdown table on
stdout, ``<out>/latest.json`` (every round kept) and the chart ``<out>/sweep.png`` (``--out``
defaults to ``benchmarks/results``, git-ignored; ``BENCH_RESULTS_DIR`` overrides it). Progress
goes to stderr. ``python benchmarks/report.py`` prints the table again from ``latest.json``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import openvino as ov

from helpers import models, paths, pipeline, priority
from helpers.images import list_image_files, read_for_model

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ceiling  # noqa: E402
import peer  # noqa: E402
import report  # noqa: E402
import workloads  # noqa: E402

HERE = Path(__file__).resolve().parent
T = TypeVar("T")
DEFAULT_SECONDS = 3.0
SIZE = 224  # the static classifier's input side
SWEEP_JOBS = (1, 2, 4, 8)
HINTS = ("LATENCY", "THROUGHPUT")
TARGETS = {"queue_over_benchmark_app": 0.97, "async_over_limit": 0.90, "async_over_sync": 1.6}
MAX_TARGETS = {"main_thread_us_per_image": 150.0}  # upper bounds
NOT_PIPELINES = ("decode", "infer", "corun")  # the files→top-5 rounds' measurements that are not pipelines
ROUNDS = {"ceiling": 5, "e2e": 5, "sweep": 5}  # a sweep point lasts BENCH_SECONDS / its rounds
# Optional measurements: benchmarks/<name>.py, if present, with ``measure(ctx: Context) -> dict``.
EXTRAS = ("remote_over_local",)


class Progress:
    """Timestamped progress lines on stderr, so that a person sees the benchmark working."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()

    def __call__(self, message: str) -> None:
        """Print one progress line."""
        print(f"[bench {time.perf_counter() - self.t0:6.1f} s] {message}", file=sys.stderr, flush=True)


def bench_seconds() -> float:
    """Seconds per measurement from ``BENCH_SECONDS`` (default 3)."""
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


def peer_counts() -> tuple[int, ...]:
    """Photo counts of the comparison with the samples' loop: 1 and ``BENCH_PEER_PHOTOS`` (default 600)."""
    raw = os.environ.get("BENCH_PEER_PHOTOS", "").strip()
    if not raw:
        return peer.PHOTOS
    if not raw.isdigit() or int(raw) < 2:
        raise SystemExit(f"bench: BENCH_PEER_PHOTOS={raw!r} is not a number of photos above 1")
    return (1, int(raw))


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

    def __call__(self, name: str, fn: Callable[[], T]) -> T:
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


def compile_cpu(core: ov.Core, model: ov.Model | Path, hint: str) -> ov.CompiledModel:
    """Compile for the CPU; a THROUGHPUT model infers beside the decoders, so its threads yield to them.

    As the pipeline's model in appendix A4 and the CLI (``yield_to_host``, ``helpers.priority``);
    alone (the queue on pre-decoded photos, the limit's inference part) the priority changes nothing.
    """
    work = lambda: core.compile_model(model, "CPU", {"PERFORMANCE_HINT": hint})  # noqa: E731
    return priority.run_lowered(work) if hint == "THROUGHPUT" else work()


def type_name(value: Any) -> str:
    """``bf16`` for an ``ov.Type`` property, ``str()`` of anything else."""
    return value.get_type_name() if isinstance(value, ov.Type) else str(value)


@dataclass
class Context:
    """What an optional extra measurement gets: the set-up objects and the round machinery."""

    core: ov.Core
    xml: Path  # the static classifier as IR (lives until the run ends)
    files: list[Path]
    preloaded: list[np.ndarray]
    jobs: int
    seconds: float
    rounds: int
    say: Progress
    meter: CoreMeter
    alternate: Callable[[int, list[Any]], list[list[Any]]]


def extras(ctx: Context, names: tuple[str, ...] = EXTRAS, folder: Path = HERE) -> dict[str, Any]:
    """Run ``<folder>/<name>.py``'s ``measure(seconds, rounds, say)`` for each of ``names`` that exists.

    A module whose ``available()`` is False (e.g. ``remote_over_local.py`` without the serve extra) is skipped
    with one line. ``measure`` returns a dict merged into latest.json; its optional key
    ``table_rows`` (``[measurement, value, ratio, target]`` strings) is appended to the printed table.
    """
    found: dict[str, Any] = {"table_rows": []}
    for name in names:
        source = folder / f"{name}.py"
        if not source.is_file():
            continue
        ctx.say(f"extra measurement: {source.name}")
        spec = importlib.util.spec_from_file_location(f"bench_extra_{name}", source)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if not getattr(module, "available", lambda: True)():
            ctx.say(f"{source.name}: skipped, {getattr(module, 'UNAVAILABLE', 'not available here')}")
            continue
        figures = dict(module.measure(ctx.seconds, ctx.rounds, ctx.say))
        found["table_rows"] += figures.pop("table_rows", [])
        found.update(figures)
    return found


ADVISE_WITHIN = 0.15  # advise_ceiling_over_measured: the advisor's ceiling within 15 % of its best


def advise_entry(say: Callable[[str], None], quick: bool = False) -> dict[str, Any]:
    """The advisor (``classify-async --advise``) on the shipped model: its ceiling over its best measured.

    As the command line runs it; ``quick`` (``--quick``) takes one short round of each instead.
    """
    from helpers import advise, advise_run, advise_verdict

    say("advisor on the shipped model and the sample photos (helpers.advise_run)")
    core = ov.Core()
    files, _ = advise_run.photo_files(paths.IMAGES_DIR)
    advisor = advise_run.Advisor(core, advise.inspect_model(core, paths.SHIPPED_MODEL), files)
    if quick:
        advisor.seconds, advisor.rounds = 0.1, 1
    measured = advisor.measure(progress=False, sweep_rounds=1 if quick else 2)
    best = measured.best
    return {
        "advise_limit_fps": measured.costs.limit_fps,
        "advise_best": {"hint": best.hint, "jobs": best.jobs, "fps": best.fps},
        "advise_bottleneck": advise_verdict.bottleneck(measured),
        "advise_ceiling_over_measured": measured.costs.limit_fps / best.fps,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Set up, measure every comparison in alternating rounds, return the results dictionary."""
    say = Progress()
    seconds = bench_seconds()
    peer_photos = peer_counts()
    rounds = dict.fromkeys(ROUNDS, 1) if args.quick else dict(ROUNDS)
    sweep_seconds = seconds / rounds["sweep"]
    per_round = {"ceiling": 4 * seconds + 6, "e2e": 7.5 * seconds + seconds / 3}
    expected = sum(per_round[k] * rounds[k] for k in per_round) + len(HINTS) * len(SWEEP_JOBS) * seconds
    expected += 20 if args.quick else 120  # the whole processes of the comparison with the samples' loop
    say(f"BENCH_SECONDS={seconds:g} s, rounds {rounds}; expect about {expected + 15:.0f} s in all")
    load_before = report.load_average()
    cores = report.usable_cpus()
    meter = CoreMeter()
    core = ov.Core()
    files = list_image_files(paths.IMAGES_DIR)
    preloaded = [read_for_model(f, SIZE) for f in files]
    shape = (1, SIZE, SIZE, 3)

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        say("saving the static classifier as IR; compiling it and the plain f32 model for both hints")
        xml = Path(tmp) / "efficientnet-lite0-static.xml"
        static_model = models.add_static_preprocessing(models.read_model(core, paths.SHIPPED_MODEL), SIZE)
        ov.save_model(static_model, xml, compress_to_fp16=False)
        plain = models.read_model(core, paths.SHIPPED_MODEL)
        ppp = {h: compile_cpu(core, xml, h) for h in HINTS}
        raw = {h: compile_cpu(core, plain, h) for h in HINTS}
        optimal = int(ppp["THROUGHPUT"].get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
        jobs = pipeline.default_jobs(ppp["THROUGHPUT"])  # what classify_files and the CLI's queue use
        streams = {h: int(ppp[h].get_property("NUM_STREAMS")) for h in HINTS}
        precision = type_name(ppp["THROUGHPUT"].get_property("INFERENCE_PRECISION_HINT"))
        for h in HINTS:
            workloads.warm_up(ppp[h], preloaded)
            workloads.warm_up(raw[h], [workloads.python_prep(preloaded[0])])
        queues: dict[tuple[str, int], ov.AsyncInferQueue] = {}

        def queue_for(hint: str, n: int) -> ov.AsyncInferQueue:
            if (hint, n) not in queues:
                queues[hint, n] = ov.AsyncInferQueue(ppp[hint], n)
                workloads.warm_queue(ppp[hint], queues[hint, n], preloaded)
            return queues[hint, n]

        say(f"THROUGHPUT hint: {jobs} jobs, {streams['THROUGHPUT']} streams, precision {precision}")

        # 1: benchmark_app ceiling vs the queue on pre-decoded photos.
        ceiling_runs: list[ceiling.CeilingRun] = []
        default_runs: list[ceiling.CeilingRun] = []  # benchmark_app at its own default nireq
        queue_rounds: list[workloads.Rate] = []
        callback_rounds: list[workloads.Rate] = []
        callback_queue = ov.AsyncInferQueue(ppp["THROUGHPUT"], jobs)  # set_callback cannot be undone
        workloads.queue_rate(ppp["THROUGHPUT"], callback_queue, preloaded, 0.2, callback=True)  # warm-up
        measure: dict[str, Callable[[], None]] = {
            "benchmark_app": lambda: ceiling_runs.append(ceiling.run_benchmark_app(xml, None, jobs, seconds)),
            "benchmark_app_optimal": lambda: default_runs.append(
                ceiling.run_benchmark_app(xml, None, optimal, seconds)
            ),
            "queue": lambda: queue_rounds.append(
                workloads.queue_rate(ppp["THROUGHPUT"], queue_for("THROUGHPUT", jobs), preloaded, seconds)
            ),
            "queue_callback": lambda: callback_rounds.append(
                workloads.queue_rate(ppp["THROUGHPUT"], callback_queue, preloaded, seconds, callback=True)
            ),
        }
        for r, order in enumerate(alternate(rounds["ceiling"], list(measure))):
            for name in order:
                meter(name, measure[name])
            say(
                f"ceiling round {r + 1}/{rounds['ceiling']}: benchmark_app {ceiling_runs[-1].fps:.1f} "
                f"(nireq {optimal}: {default_runs[-1].fps:.1f}), "
                f"queue {queue_rounds[-1].fps:.1f} (with a Python callback {callback_rounds[-1].fps:.1f}) "
                "images/s, "
                f"main thread {queue_rounds[-1].main_per_image * 1e6:.0f} µs/image"
            )

        # 2: files to top-5: the decoder alone, sync and async, PPP and numpy preprocessing.
        raw_queue = ov.AsyncInferQueue(raw["THROUGHPUT"], jobs)
        workloads.warm_queue(raw["THROUGHPUT"], raw_queue, [workloads.python_prep(preloaded[0])])
        sync_req = {
            h: c.create_infer_request() for h, c in (("ppp", ppp["LATENCY"]), ("python", raw["LATENCY"]))
        }
        tput_queue = queue_for("THROUGHPUT", jobs)
        # The same pipeline on a THROUGHPUT model compiled at the usual priority: what yield_to_host
        # adds. Compiled while the others are alive, so it gets stream threads of its own.
        equal = core.compile_model(xml, "CPU", {"PERFORMANCE_HINT": "THROUGHPUT"})
        equal_queue = ov.AsyncInferQueue(equal, jobs)
        workloads.warm_queue(equal, equal_queue, preloaded)
        e2e_fn: dict[str, Callable[[], workloads.Rate]] = {
            "decode": lambda: workloads.decode_rate(files, seconds / 3, SIZE),
            "infer": lambda: workloads.queue_rate(ppp["THROUGHPUT"], tput_queue, preloaded, seconds / 2),
            "sync_ppp": lambda: workloads.sync_files_rate(sync_req["ppp"], files, lambda b: b, seconds, SIZE),
            "async_ppp": lambda: workloads.async_files_rate(ppp["THROUGHPUT"], tput_queue, files, seconds),
            "async_equal_priority": lambda: workloads.async_files_rate(equal, equal_queue, files, seconds),
            "sync_python": lambda: workloads.sync_files_rate(
                sync_req["python"], files, workloads.python_prep, seconds, SIZE
            ),
            "async_python": lambda: workloads.async_python_prep_rate(
                raw["THROUGHPUT"], raw_queue, files, seconds, SIZE
            ),
        }
        e2e_fn["corun"] = lambda: workloads.corun_rate(  # type: ignore[assignment]
            ppp["THROUGHPUT"], tput_queue, preloaded, files, seconds, SIZE, pipeline.default_workers()
        )
        e2e: dict[str, list[Any]] = {k: [] for k in e2e_fn}
        for r, order in enumerate(alternate(rounds["e2e"], list(e2e_fn))):
            for name in order:
                e2e[name].append(meter(name, e2e_fn[name]))
            say(
                f"files→top-5 round {r + 1}/{rounds['e2e']}: decode "
                f"{e2e['decode'][-1].cpu_per_image * 1e3:.2f}, inference "
                f"{e2e['infer'][-1].cpu_per_image * 1e3:.2f} ms CPU/image; "
                + ", ".join(f"{k} {v[-1].fps:.1f}" for k, v in e2e.items() if k not in NOT_PIPELINES)
                + " images/s"
            )

        # 3: jobs sweep on pre-decoded photos: shorter points, every other round in reverse order.
        points = [(n, h) for n in SWEEP_JOBS for h in HINTS]
        sweep_runs: dict[tuple[int, str], list[float]] = {p: [] for p in points}
        for r, order in enumerate(alternate(rounds["sweep"], points)):
            for n, h in order:
                rate = meter(
                    f"sweep_{h}_{n}",
                    lambda n=n, h=h: workloads.queue_rate(ppp[h], queue_for(h, n), preloaded, sweep_seconds),
                )
                sweep_runs[n, h].append(rate.fps)
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
        ctx = Context(core, xml, files, preloaded, jobs, seconds, rounds["ceiling"], say, meter, alternate)
        extra = extras(ctx)

    # 5: classify-async against the samples' loop, whole processes over files, paired rounds.
    say(f"classify-async against the samples' loop, whole processes: {peer_photos} photos")
    peer_rounds = dict.fromkeys(peer_photos, 1) if args.quick else None
    versus_peer = peer.measure(files, peer_photos, peer_rounds, say)

    bapp = median_of([c.fps for c in ceiling_runs])
    queue = median_of([q.fps for q in queue_rounds])
    queue_callback = median_of([q.fps for q in callback_rounds])
    # The limit's two parts come from the same rounds as the pipelines they bound: a shared machine's
    # speed drifts by several per cent within a minute, and the ceiling rounds ran earlier.
    infer_cpu = median_of([q.cpu_per_image for q in e2e["infer"]])
    decode_cpu = median_of([d.cpu_per_image for d in e2e["decode"]])
    limit = cores / (decode_cpu + infer_cpu)
    fps = {k: median_of([x.fps for x in v]) for k, v in e2e.items() if k not in NOT_PIPELINES}
    corun = [c.work_fraction(decode_cpu, infer_cpu, cores) for c in e2e["corun"]]
    async_cpu = median_of([x.cpu_per_image for x in e2e["async_ppp"]])
    bapp_streams = {c.num_streams for c in ceiling_runs}
    if bapp_streams != {streams["THROUGHPUT"]}:
        say(f"warning: benchmark_app compiled {bapp_streams} streams, ours {streams['THROUGHPUT']}")
    return {
        "benchmark_app_fps": bapp,
        "queue_fps": queue,
        "queue_over_benchmark_app": queue / bapp,
        "benchmark_app_optimal_nireq": optimal,
        "benchmark_app_optimal_fps": median_of([c.fps for c in default_runs]),
        "queue_callback_fps": queue_callback,
        "queue_callback_over_benchmark_app": queue_callback / bapp,
        "main_thread_us_per_image": median_of([q.main_per_image * 1e6 for q in queue_rounds]),
        "decode_cpu_ms_per_image": decode_cpu * 1e3,
        "infer_cpu_ms_per_image": infer_cpu * 1e3,
        "cores": cores,
        "limit_fps": limit,
        "async_over_limit": fps["async_ppp"] / limit,
        "async_equal_priority_fps": fps["async_equal_priority"],
        "equal_priority_over_limit": fps["async_equal_priority"] / limit,
        "async_e2e_equal_priority_cores_busy": fps["async_equal_priority"]
        * median_of([x.cpu_per_image for x in e2e["async_equal_priority"]]),
        "corun_over_limit": median_of(corun),
        "async_e2e_cpu_ms_per_image": async_cpu * 1e3,
        "async_e2e_cores_busy": fps["async_ppp"] * async_cpu,
        "sync_e2e_fps": fps["sync_ppp"],
        "async_e2e_fps": fps["async_ppp"],
        "async_over_sync": fps["async_ppp"] / fps["sync_ppp"],
        "python_prep_sync_fps": fps["sync_python"],
        "python_prep_async_fps": fps["async_python"],
        "ppp_over_python_prep": fps["async_ppp"] / fps["async_python"],
        "ppp_over_python_prep_sync": fps["sync_ppp"] / fps["sync_python"],
        "ppp_over_python_prep_async": fps["async_ppp"] / fps["async_python"],
        "sweep": sweep,
        **extra,
        **advise_entry(say, args.quick),
        **versus_peer,
        "cores_used": meter.cores,
        "rounds": {
            "benchmark_app_fps": [c.fps for c in ceiling_runs],
            "benchmark_app_optimal_fps": [c.fps for c in default_runs],
            "queue_fps": [q.fps for q in queue_rounds],
            "main_thread_us_per_image": [q.main_per_image * 1e6 for q in queue_rounds],
            "queue_callback_fps": [q.fps for q in callback_rounds],
            "ceiling_queue_cpu_ms_per_image": [q.cpu_per_image * 1e3 for q in queue_rounds],
            "infer_cpu_ms_per_image": [q.cpu_per_image * 1e3 for q in e2e["infer"]],
            "decode_cpu_ms_per_image": [d.cpu_per_image * 1e3 for d in e2e["decode"]],
            **{f"{k}_fps": [x.fps for x in v] for k, v in e2e.items() if k not in NOT_PIPELINES},
            "async_ppp_cpu_ms_per_image": [x.cpu_per_image * 1e3 for x in e2e["async_ppp"]],
            "async_equal_priority_cpu_ms_per_image": [
                x.cpu_per_image * 1e3 for x in e2e["async_equal_priority"]
            ],
            "corun_over_limit": corun,
            "sweep_fps": {f"{h}_{n}": v for (n, h), v in sweep_runs.items()},
        },
        "targets": TARGETS,
        "max_targets": MAX_TARGETS,
        "jobs": jobs,
        "num_streams": streams,
        "benchmark_app_num_streams": sorted(s for s in bapp_streams if s is not None),
        "benchmark_app_inference_only": all(c.inference_only for c in ceiling_runs),
        "benchmark_app_args": ceiling.benchmark_app_args(Path(xml.name), None, jobs, seconds),
        "inference_precision": precision,
        "input_shape": list(shape),
        "e2e_files": [f.name for f in files],
        "cpu_count": cores,
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
    except (ceiling.CeilingError, peer.PeerError) as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    out_json = args.out / "latest.json"
    out_json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    chart = report.save_chart(results, args.chart or args.out / "sweep.png")
    print(f"\n{report.machine_line(results)}\n")
    print(report.markdown_table(results))
    ratio = results["advise_ceiling_over_measured"]
    met = "met" if abs(ratio - 1) <= ADVISE_WITHIN else "MISSED"
    print(f"\nadvise_ceiling_over_measured: {ratio:.2f} (target 1 ± {ADVISE_WITHIN:.2f}: {met})")
    print(
        f"\nwrote {paths.display_path(out_json)} and {paths.display_path(chart.resolve())}", file=sys.stderr
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
