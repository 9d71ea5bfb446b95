"""Matplotlib figures: an image with its top-k bars, image grids, throughput bars, request timelines.

Display only: nothing here runs inference, and nothing in the inference path imports it.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from helpers.labels import label_of, top_k


def _short(text: str, width: int = 28) -> str:
    """Trim a label to ``width`` characters for axis ticks."""
    return text if len(text) <= width else text[: width - 1] + "…"


def show_prediction(
    image: np.ndarray,
    probs: np.ndarray,
    labels: list[str] | None,
    k: int = 5,
    title: str | None = None,
) -> Figure:
    """Draw the image beside a horizontal bar chart of its top-k classes."""
    fig, (ax_img, ax_bar) = plt.subplots(1, 2, figsize=(10, 3.6), gridspec_kw={"width_ratios": [1, 1.3]})
    ax_img.imshow(image, cmap="gray" if image.ndim == 2 else None)
    ax_img.set_axis_off()
    if title:
        ax_img.set_title(title)
    plot_top_k(ax_bar, probs, labels, k)
    fig.tight_layout()
    return fig


def plot_top_k(ax: plt.Axes, probs: np.ndarray, labels: list[str] | None, k: int = 5) -> None:
    """Fill ``ax`` with the top-k probabilities as horizontal bars, best on top."""
    best = top_k(probs, k)
    names = [_short(label_of(cid, labels)) for cid, _ in best][::-1]
    values = [p for _, p in best][::-1]
    bars = ax.barh(range(len(values)), values, color="#4c72b0")
    if bars:
        bars[-1].set_color("#dd8452")
    ax.set_yticks(range(len(values)), names)
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability")
    for y, v in enumerate(values):
        ax.text(min(v + 0.01, 0.85), y, f"{v:.2f}", va="center")


def image_grid(
    images: Sequence[np.ndarray], titles: Sequence[str], cols: int = 3, size: float = 3.2
) -> Figure:
    """Show images in a grid, each with its title (e.g. the top-1 label and probability)."""
    n = len(images)
    cols = max(1, min(cols, n))
    rows = max(1, -(-n // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols, size * rows), squeeze=False)
    for ax in axes.ravel():
        ax.set_axis_off()
    for ax, image, title in zip(axes.ravel(), images, titles, strict=False):
        ax.imshow(image, cmap="gray" if image.ndim == 2 else None)
        ax.set_title("\n".join(_short(line, 34) for line in title.splitlines()), fontsize=10)
    fig.tight_layout()
    return fig


def throughput_bars(values: dict[str, float], unit: str = "images/s") -> Figure:
    """Bar chart of throughput per method, each bar labelled with its value."""
    fig, ax = plt.subplots(figsize=(7, 3.2))
    names = list(values)
    bars = ax.bar(names, [values[n] for n in names], color="#4c72b0")
    for bar, name in zip(bars, names, strict=True):
        ax.text(
            bar.get_x() + bar.get_width() / 2,
            bar.get_height(),
            f"{values[name]:.0f}",
            ha="center",
            va="bottom",
        )
    ax.set_ylabel(unit)
    fig.tight_layout()
    return fig


def timeline(
    records: Sequence, title: str = "", ax: plt.Axes | None = None, t0: float | None = None
) -> Figure:
    """Gantt chart: one row per infer request, one bar per inference (from ``RequestRecord``s)."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 2.8))
    else:
        fig = ax.figure
    if records:
        t0 = min(r.start for r in records) if t0 is None else t0
        ids = sorted({r.request_id for r in records})
        colors = plt.get_cmap("tab10")
        for r in records:
            row = ids.index(r.request_id)
            ax.barh(
                row,
                (r.end - r.start) * 1e3,
                left=(r.start - t0) * 1e3,
                color=colors(row % 10),
                edgecolor="white",
                height=0.7,
            )
        ax.set_yticks(range(len(ids)), [f"request {i}" for i in ids])
    ax.set_xlabel("time (ms)")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def stacked_bars(parts: dict[str, dict[str, float]], unit: str = "ms", title: str = "") -> Figure:
    """One bar per method, stacked from its named parts (e.g. decode, preprocess, infer), total on top."""
    fig, ax = plt.subplots(figsize=(7, 3.4))
    names = list(parts)
    segments = list(dict.fromkeys(seg for name in names for seg in parts[name]))
    colors = plt.get_cmap("tab10")
    bottoms = np.zeros(len(names))
    for i, seg in enumerate(segments):
        values = np.array([parts[name].get(seg, 0.0) for name in names])
        ax.bar(names, values, bottom=bottoms, label=seg, color=colors(i % 10))
        bottoms += values
    for x, total in enumerate(bottoms):
        ax.text(x, total, f"{total:.1f}", ha="center", va="bottom")
    ax.set_ylabel(unit)
    ax.set_ylim(0, bottoms.max(initial=0.0) * 1.15 or 1.0)
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return fig


def latency_histogram(latencies_ms: Sequence[float], title: str = "") -> Figure:
    """Histogram of per-inference latencies with the median and the 90th percentile marked."""
    values = np.asarray(latencies_ms, dtype=np.float64)
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.hist(values, bins=min(30, max(5, values.size // 3)), color="#4c72b0", alpha=0.85)
    if values.size:
        for q, style, name in ((50, "-", "median"), (90, "--", "p90")):
            v = float(np.percentile(values, q))
            ax.axvline(v, color="#dd8452", linestyle=style, label=f"{name} {v:.1f} ms")
        ax.legend()
    ax.set_xlabel("latency (ms)")
    ax.set_ylabel("inferences")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def sweep_charts(sweep: dict[str, dict[int, float]], unit: str = "images/s") -> Figure:
    """Throughput per queue size for each hint: grouped bars (left) and lines (right)."""
    fig, (ax_bar, ax_line) = plt.subplots(1, 2, figsize=(11, 3.4))
    names = list(sweep)
    sizes = sorted({jobs for values in sweep.values() for jobs in values})
    width = 0.8 / max(1, len(names))
    colors = plt.get_cmap("tab10")
    for i, name in enumerate(names):
        values = [sweep[name].get(jobs, np.nan) for jobs in sizes]
        offsets = [jobs + (i - (len(names) - 1) / 2) * width for jobs in sizes]
        ax_bar.bar(offsets, values, width=width, label=name, color=colors(i % 10))
        ax_line.plot(sizes, values, marker="o", label=name, color=colors(i % 10))
    top = max((v for values in sweep.values() for v in values.values()), default=1.0)
    for ax in (ax_bar, ax_line):
        ax.set_xticks(sizes)
        ax.set_xlabel("jobs (infer requests in the queue)")
        ax.set_ylabel(unit)
        ax.set_ylim(0, top * 1.3)  # headroom for the legend
        ax.legend(loc="upper left", ncol=len(names))
    fig.tight_layout()
    return fig
