"""Matplotlib figures: an image with its top-k bars, grids, throughput and speed-up bars, timelines.

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
    handles, labels = ax.get_legend_handles_labels()  # listed top-down, as the parts stack
    ax.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0))
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


KIND_COLORS = {"decode": "#dd8452", "infer": "#4c72b0"}


def _schedule(photos: int, decode: float, infer: float, streams: int, overlap: bool) -> list[tuple]:
    """Idealised (lane, kind, start, end) bars: the host decodes, then hands the photo to a free stream."""
    bars: list[tuple] = []
    host = 0.0
    free = [0.0] * streams
    for _ in range(photos):
        bars.append(("host", "decode", host, host + decode))
        s = min(range(streams), key=free.__getitem__)
        start = max(host + decode, free[s])
        bars.append(("device" if streams == 1 else f"stream {s}", "infer", start, start + infer))
        free[s] = start + infer
        host = start if overlap else start + infer  # async: decode the next one once this one is handed over
    return bars


def sync_async_diagram(photos: int = 4, decode: float = 2.0, infer: float = 3.0) -> Figure:
    """The mental model of notebook 03, drawn from fixed durations (not measured): sync vs async."""
    cases = {
        "sync: infer() blocks, host and device take turns": _schedule(photos, decode, infer, 1, False),
        "async, one request: decode the next photo while this one infers": _schedule(
            photos, decode, infer, 1, True
        ),
        "async, two requests on two streams: the host is the limit": _schedule(
            photos, decode, infer, 2, True
        ),
    }
    heights = [len({b[0] for b in bars}) for bars in cases.values()]
    fig, axes = plt.subplots(
        len(cases),
        1,
        figsize=(9, 0.75 * sum(heights) + 1.4),
        sharex=True,
        gridspec_kw={"height_ratios": heights},
    )
    for ax, (title, bars) in zip(axes, cases.items(), strict=True):
        lanes = list(dict.fromkeys(b[0] for b in bars))
        for n, (lane, kind, start, end) in enumerate(bars):
            row = lanes.index(lane)
            ax.barh(row, end - start, left=start, color=KIND_COLORS[kind], edgecolor="white", height=0.7)
            ax.text((start + end) / 2, row, str(n // 2 + 1), ha="center", va="center", color="white")
        total = max(b[3] for b in bars)
        ax.axvline(total, color="gray", linestyle=":")
        ax.text(total, -0.45, f" done at {total:g}", va="top", fontsize=9)  # top edge, clear of the ticks
        ax.set_yticks(range(len(lanes)), lanes)
        ax.invert_yaxis()
        ax.set_title(title, fontsize=10, loc="left")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in KIND_COLORS.values()]
    axes[-1].legend(handles, ["decode + resize (host)", "inference (device)"], loc="upper right", fontsize=8)
    axes[-1].set_xlim(0, max(b[3] for bars in cases.values() for b in bars) * 1.1)
    axes[-1].set_xlabel("time (units: decoding takes 2, one inference 3)")
    fig.tight_layout()
    return fig


def ratio_bars(seconds: dict[str, float], baseline: str) -> Figure:
    """Speed-up of each method over ``baseline`` (baseline seconds / method seconds), labelled ``1.00x``."""
    names = list(seconds)
    ratios = [seconds[baseline] / seconds[name] for name in names]
    fig, ax = plt.subplots(figsize=(7, 3.0))
    bars = ax.bar(names, ratios, color=["#999999" if n == baseline else "#4c72b0" for n in names])
    for bar, ratio in zip(bars, ratios, strict=True):
        ax.text(bar.get_x() + bar.get_width() / 2, ratio, f"{ratio:.2f}x", ha="center", va="bottom")
    ax.axhline(1.0, color="gray", linewidth=0.8)
    ax.set_ylim(0, max(ratios) * 1.2)
    ax.set_ylabel(f"speed-up over {baseline}")
    fig.tight_layout()
    return fig


def timeline_chart(timelines: dict, title: str = "") -> Figure:
    """Gantt chart of ``helpers.timeline.Timeline``s, one panel each: host work and inferences as bars."""
    heights = [max(1, len(t.lanes())) for t in timelines.values()]
    fig, axes = plt.subplots(
        len(timelines), 1, figsize=(10, 0.55 * sum(heights) + 1.6), sharex=True, squeeze=False,
        gridspec_kw={"height_ratios": heights},
    )  # fmt: skip
    for ax, (name, tl) in zip(axes[:, 0], timelines.items(), strict=True):
        lanes = tl.lanes()
        for s in tl.spans:
            ax.barh(
                lanes.index(s.lane),
                (s.end - s.start) * 1e3,
                left=(s.start - tl.start) * 1e3,
                color=KIND_COLORS.get(s.kind, "#55a868"),
                edgecolor="white",
                linewidth=0.5,
                height=0.7,
            )
        ax.set_yticks(range(len(lanes)), lanes)
        ax.invert_yaxis()
        ax.set_title(f"{name}: {tl.seconds * 1e3:.0f} ms", fontsize=10, loc="right")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in KIND_COLORS.values()]
    axes[0, 0].legend(
        handles, ["decode + resize (host)", "inference"], loc="lower left", bbox_to_anchor=(0, 1.08), ncol=2
    )
    axes[-1, 0].set_xlabel("time (ms)")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
