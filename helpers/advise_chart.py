"""The advisor's latency-throughput chart (display only; notebook 07): images/s across, p95 latency up."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from helpers.advise_run import Point

SHORT = {"LATENCY": "L", "THROUGHPUT": "T", "CUMULATIVE_THROUGHPUT": "C"}


def latency_throughput(sweep: list[Point], best: Point, compared: dict[str, Point] | None = None) -> Figure:
    """One line per hint through its request counts, each point labelled (``T4``: THROUGHPUT, 4 requests).

    The comparison's loops (sync, queue, queue + decode-ahead) are grey squares; the best setting
    is ringed. Up and to the left is worse; down and to the right is better.
    """
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    colors = plt.get_cmap("tab10")
    for i, hint in enumerate(dict.fromkeys(p.hint for p in sweep)):
        points = sorted((p for p in sweep if p.hint == hint), key=lambda p: p.jobs)
        xs, ys = [p.fps for p in points], [p.latency_ms["p95"] for p in points]
        ax.plot(xs, ys, marker="o", color=colors(i), label=f"{hint} (1, 2, 4, 8 requests)")
        for p in points:
            ax.annotate(
                f"{SHORT.get(hint, hint[0])}{p.jobs}",
                (p.fps, p.latency_ms["p95"]),
                fontsize=8,
                xytext=(4, 4),
                textcoords="offset points",
            )
    for name, p in (compared or {}).items():
        ax.plot(p.fps, p.latency_ms["p95"], "s", color="0.45")
        ax.annotate(
            name,
            (p.fps, p.latency_ms["p95"]),
            fontsize=8,
            color="0.3",
            xytext=(4, -10),
            textcoords="offset points",
        )
    ax.plot(
        best.fps,
        best.latency_ms["p95"],
        "o",
        ms=16,
        mfc="none",
        mec="crimson",
        mew=2,
        label=f"best: {best.hint}, {best.jobs} requests",
    )
    ax.set_xlabel("throughput (images/s)")
    ax.set_ylabel("p95 latency per image (ms)")
    top = max([p.fps for p in sweep] + [p.fps for p in (compared or {}).values()] + [best.fps])
    ax.set_xlim(0, top * 1.3)  # room for the labels right of the fastest points
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig
