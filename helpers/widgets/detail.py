"""The explorer's detail view: an image selector, the image large, its top-1 line and top-k bars."""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from helpers.labels import label_of, top_k
from helpers.widgets.gallery import encode_jpeg
from helpers.widgets.store import Prediction

MAX_TOP_K = 10
VIEW_SIDE = 320


def bars_html(probs: np.ndarray, labels: list[str] | None, k: int) -> str:
    """Render the top-k probabilities as HTML bars (one ``explorer-bar`` div per class, best first)."""
    rows = []
    for rank, (cid, p) in enumerate(top_k(probs, k)):
        name = html.escape(label_of(cid, labels))
        color = "#dd8452" if rank == 0 else "#4c72b0"
        rows.append(
            '<div class="explorer-bar" style="display:flex;align-items:center;margin:3px 0">'
            f'<span title="{name}" style="width:210px;overflow:hidden;text-overflow:ellipsis;'
            f'white-space:nowrap">{name}</span>'
            '<span style="flex:1;background:#eee;height:16px;margin:0 8px">'
            f'<span style="display:block;height:100%;width:{100 * p:.1f}%;background:{color}"></span>'
            f'</span><span style="width:3em;text-align:right">{p:.2f}</span></div>'
        )
    return f'<div class="explorer-bars" style="width:420px">{"".join(rows)}</div>'


class DetailView:
    """Selector, large view, top-1 line, top-k bars and the Top-k slider. Main thread only."""

    def __init__(self, labels: list[str] | None, k: int = 5) -> None:
        self.labels = labels
        self.top_k = widgets.IntSlider(value=k, min=1, max=MAX_TOP_K, description="Top-k:")
        self.selector = widgets.Dropdown(
            description="Image:", options=[], layout=widgets.Layout(width="400px")
        )
        self.view = widgets.Image(format="jpeg", layout=widgets.Layout(width=f"{VIEW_SIDE}px"))
        self.top1 = widgets.HTML()
        self.bars = widgets.HTML()
        self.top_k.add_class("explorer-topk")
        self.top1.add_class("explorer-top1")
        self.bars.add_class("explorer-bars-widget")
        self.box = widgets.VBox(
            [self.selector, self.view, self.top1, self.bars],
            layout=widgets.Layout(width="44%", padding="0 8px"),
        )
        self.syncing = False  # True while set_keys changes the selector (its observer then stays quiet)

    def set_keys(self, keys: list[str]) -> bool:
        """Offer ``keys`` in the selector, keeping the selection if it is still there; True if it moved."""
        if list(self.selector.options) == keys:
            return False
        current = self.selector.value
        self.syncing = True
        try:
            self.selector.options = keys
            self.selector.value = current if current in keys else (keys[0] if keys else None)
        finally:
            self.syncing = False
        return self.selector.value != current

    def show(self, prediction: Prediction | None) -> None:
        """Show one prediction large with its top-1 line and top-k bars (or clear the view)."""
        if prediction is None:
            self.view.value, self.top1.value, self.bars.value = b"", "", ""
            return
        cid, p = prediction.top1
        self.view.value = encode_jpeg(prediction.pixels, VIEW_SIDE)
        self.top1.value = (
            f"<b>{html.escape(prediction.name)}</b>: top-1 "
            f'<span class="explorer-top1-label">{html.escape(label_of(cid, self.labels))}</span> ({p:.2f})'
        )
        self.show_bars(prediction)

    def show_bars(self, prediction: Prediction | None) -> None:
        """Redraw the bars with the slider's k."""
        self.bars.value = (
            "" if prediction is None else bars_html(prediction.probs, self.labels, self.top_k.value)
        )
