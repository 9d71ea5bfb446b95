"""What the benchmark prints and draws: the machine, the Markdown tables, the sweep chart."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (Linux), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cpus() -> int:
    """CPUs this process may run on (the affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def load_average() -> list[float] | None:
    """The 1/5/15-minute load averages, where the OS reports them (a busy machine shows here)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def _fps(x: float) -> str:
    return f"{x:.1f}"


def _ratio(x: float) -> str:
    return f"{x:.2f}"


def _met(value: float, target: float) -> str:
    return f"≥ {target:.2f} {'✅' if value >= target else '❌'}"


def _below(value: float, bound: float) -> str:
    return f"≤ {bound:.0f} {'✅' if value <= bound else '❌'}"


def markdown_table(r: dict[str, Any]) -> str:
    """The main results and the jobs sweep as two Markdown tables."""
    jobs, t = r["jobs"], r["targets"]
    main_us, main_max = r["main_thread_us_per_image"], r["max_targets"]["main_thread_us_per_image"]
    rows = [
        (
            f"benchmark_app, THROUGHPUT, nireq {jobs} (ceiling)",
            _fps(r["benchmark_app_fps"]) + " images/s",
            "",
            "",
        ),
        (
            "queue on pre-decoded photos, no callback (`pipeline.run_batches`)",
            _fps(r["queue_fps"]) + " images/s",
            "",
            "",
        ),
        (
            "→ queue_over_benchmark_app",
            "",
            _ratio(r["queue_over_benchmark_app"]),
            _met(r["queue_over_benchmark_app"], t["queue_over_benchmark_app"]),
        ),
        ("main-thread CPU per queued image", f"{main_us:.0f} µs", "", _below(main_us, main_max)),
    ]
    if "queue_callback_fps" in r:  # results written before these comparisons existed lack them
        rows.append(
            (
                f"benchmark_app at its default nireq {r['benchmark_app_optimal_nireq']}",
                _fps(r["benchmark_app_optimal_fps"]) + " images/s",
                "",
                "",
            )
        )
        rows.append(
            (
                "the same queue with a Python callback storing each result",
                _fps(r["queue_callback_fps"]) + " images/s",
                _ratio(r["queue_callback_over_benchmark_app"]),
                "",
            )
        )
    rows += [
        (
            "decode + resize CPU per image (the decoder alone)",
            f"{r['decode_cpu_ms_per_image']:.2f} ms",
            "",
            "",
        ),
        ("inference CPU per image (queue, THROUGHPUT)", f"{r['infer_cpu_ms_per_image']:.2f} ms", "", ""),
        (
            f"physical limit: {r['cores']} cores / (decode + inference)",
            _fps(r["limit_fps"]) + " images/s",
            "",
            "",
        ),
        (
            f"files → top-5, async (`pipeline.classify_files`, {jobs} jobs)",
            _fps(r["async_e2e_fps"]) + " images/s",
            "",
            "",
        ),
        (
            "→ async_over_limit",
            "",
            _ratio(r["async_over_limit"]),
            _met(r["async_over_limit"], t["async_over_limit"]),
        ),
    ]
    if "equal_priority_over_limit" in r:
        rows.append(
            (
                "the same, inference threads at the decoders' priority (no `yield_to_host`)",
                _fps(r["async_equal_priority_fps"]) + " images/s",
                _ratio(r["equal_priority_over_limit"]),
                "",
            )
        )
    if "corun_over_limit" in r:
        rows.append(
            (
                "decoders and queue side by side, uncoupled: work done / limit",
                "",
                _ratio(r["corun_over_limit"]),
                "",
            )
        )
    rows += [
        ("files → top-5, sync (LATENCY, one by one)", _fps(r["sync_e2e_fps"]) + " images/s", "", ""),
        (
            "→ async_over_sync",
            "",
            _ratio(r["async_over_sync"]),
            _met(r["async_over_sync"], t["async_over_sync"]),
        ),
        ("mean/std/layout in numpy, sync", _fps(r["python_prep_sync_fps"]) + " images/s", "", ""),
        ("mean/std/layout in numpy, async", _fps(r["python_prep_async_fps"]) + " images/s", "", ""),
        ("→ PPP over numpy preprocessing, sync", "", _ratio(r["ppp_over_python_prep_sync"]), ""),
        ("→ PPP over numpy preprocessing, async", "", _ratio(r["ppp_over_python_prep_async"]), ""),
        *[tuple(row) for row in r.get("table_rows", [])],
    ]
    if "peer" in r:  # results written before the comparison with the samples' loop lack it
        import peer  # beside this file

        rows += [tuple(row) for row in peer.table_rows(r)]
    lines = ["| measurement | value | ratio | target |", "|---|---:|---:|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    lines += [
        "",
        f"End to end the pipeline used {r['async_e2e_cpu_ms_per_image']:.2f} ms of CPU per image "
        f"(decoder + inference alone: {r['decode_cpu_ms_per_image'] + r['infer_cpu_ms_per_image']:.2f} ms) "
        f"and kept {r['async_e2e_cores_busy']:.2f} of {r['cores']} cores busy"
        + (
            f" ({r['async_e2e_equal_priority_cores_busy']:.2f} with the inference threads at the "
            "decoders' priority)."
            if "async_e2e_equal_priority_cores_busy" in r
            else "."
        ),
    ]
    hints = sorted({p["hint"] for p in r["sweep"]})
    lines += ["", "| jobs | " + " | ".join(f"{h} images/s" for h in hints) + " |"]
    lines.append("|---:|" + "---:|" * len(hints))
    for j in sorted({p["jobs"] for p in r["sweep"]}):
        cells = [
            next((_fps(p["fps"]) for p in r["sweep"] if p["jobs"] == j and p["hint"] == h), "") for h in hints
        ]
        lines.append(f"| {j} | " + " | ".join(cells) + " |")
    lines.append(f"| benchmark_app ceiling | {_fps(r['benchmark_app_fps'])} (THROUGHPUT, nireq {jobs}) |")
    return "\n".join(lines)


def machine_line(r: dict[str, Any]) -> str:
    """One line describing where the numbers come from."""
    return (
        f"{r['cpu_model']}, {r['cpu_count']} CPUs, OpenVINO {r['openvino_version']}, "
        f"precision {r['inference_precision']}, input {r['input_shape']}, "
        f"{r['seconds_per_round']:g} s per measurement, "
        f"median of {r['rounds_per_comparison']['ceiling']} rounds, "
        f"load average {r['load_average_before']} before, {r['load_average_after']} after"
    )


def save_chart(r: dict[str, Any], path: Path) -> Path:
    """Line chart of the sweep: images/s against jobs, one line per hint, benchmark_app as a ceiling."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for hint, marker in (("LATENCY", "o"), ("THROUGHPUT", "s")):
        points = sorted((p["jobs"], p["fps"]) for p in r["sweep"] if p["hint"] == hint)
        if points:
            xs, ys = zip(*points, strict=True)
            n = r["num_streams"][hint]
            ax.plot(xs, ys, marker=marker, label=f"run_queue, {hint} hint ({n} stream{'s' if n > 1 else ''})")
    ax.axhline(
        r["benchmark_app_fps"],
        color="black",
        linestyle="--",
        linewidth=1,
        label=f"benchmark_app ceiling (THROUGHPUT, nireq {r['jobs']})",
    )
    jobs = sorted({p["jobs"] for p in r["sweep"]})
    ax.set_xscale("log", base=2)
    ax.set_xticks(jobs, [str(j) for j in jobs])
    ax.set_xlabel("jobs (infer requests in the AsyncInferQueue)")
    ax.set_ylabel("images/s (pre-loaded images)")
    ax.set_ylim(bottom=0)
    _, h, w, _ = r["input_shape"]
    ax.set_title(
        f"EfficientNet-Lite0, u8 {h}×{w} input, {r['inference_precision']} — {r['cpu_model']}, "
        f"{r['cpu_count']} CPUs, OpenVINO {r['openvino_version'].split('-')[0]}",
        fontsize=9,
    )
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    """Print the machine line and the tables of a ``latest.json`` (default benchmarks/results/latest.json)."""
    import json
    import sys

    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else Path(__file__).resolve().parent / "results" / "latest.json"
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"report: cannot read {path.name}: {exc}", file=sys.stderr)
        return 1
    print(f"{machine_line(results)}\n")
    print(markdown_table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
