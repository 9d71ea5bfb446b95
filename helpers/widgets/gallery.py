"""The explorer's gallery: one card per image (thumbnail, name, a button with its top-1)."""

from __future__ import annotations

import html
import io
from collections.abc import Callable

import ipywidgets as widgets
import numpy as np
from PIL import Image

from helpers.labels import label_of
from helpers.widgets.store import Prediction

THUMB_SIDE = 96
CARD_LABEL_CHARS = 13  # what fits on a card's button beside the probability


def short_label(label: str, width: int = CARD_LABEL_CHARS) -> str:
    """Cut ``label`` to ``width`` characters (ending in an ellipsis) so that the probability stays visible."""
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"


def encode_jpeg(pixels: np.ndarray, max_side: int, quality: int = 85) -> bytes:
    """Encode an RGB uint8 image as JPEG, shrunk so that its longest side is at most ``max_side``."""
    image = Image.fromarray(pixels)
    image.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


class Gallery:
    """A wrapping box of cards; clicking a card's button calls ``on_pick(key)``. Main thread only."""

    def __init__(self, labels: list[str] | None, on_pick: Callable[[str], None]) -> None:
        self.labels = labels
        self.on_pick = on_pick
        self.box = widgets.Box(
            layout=widgets.Layout(
                flex_flow="row wrap",
                align_content="flex-start",
                width="56%",
                max_height="560px",
                overflow="auto",
            )
        )
        self.box.add_class("explorer-gallery")
        self._cards: dict[str, tuple[widgets.VBox, widgets.Button, widgets.Image]] = {}

    def update(self, ordered: list[Prediction], dirty: set[str]) -> None:
        """Create or refresh the cards of new and changed predictions; keep gallery order."""
        for prediction in ordered:
            if prediction.key in dirty or prediction.key not in self._cards:
                self._update_card(prediction)
        self.box.children = tuple(self._cards[p.key][0] for p in ordered)

    def highlight(self, key: str | None) -> None:
        """Mark the selected card's button; unmark the others."""
        for card_key, (_, button, _) in self._cards.items():
            button.button_style = "info" if card_key == key else ""

    def _update_card(self, prediction: Prediction) -> None:
        """Create or update the card (thumbnail + name + button with top-1) of one prediction."""
        cid, p = prediction.top1
        text = f"{short_label(label_of(cid, self.labels))} {p:.2f}"  # the tooltip has the full label
        tooltip = f"{prediction.key}: {label_of(cid, self.labels)} {p:.2f}"
        thumb = encode_jpeg(prediction.pixels, THUMB_SIDE)
        if prediction.key in self._cards:
            _, button, image = self._cards[prediction.key]
            button.description, button.tooltip, image.value = text, tooltip, thumb
            return
        image = widgets.Image(
            value=thumb, format="jpeg", layout=widgets.Layout(max_height=f"{THUMB_SIDE}px", max_width="100%")
        )
        name = html.escape(prediction.name)
        caption = widgets.HTML(
            f'<div class="explorer-name" title="{name}" style="font-size:12px;line-height:16px;'
            f'white-space:nowrap;overflow:hidden;text-overflow:ellipsis">{name}</div>',
            layout=widgets.Layout(width="122px"),
        )
        button = widgets.Button(
            description=text,
            tooltip=tooltip,
            layout=widgets.Layout(width="122px", padding="0 4px"),
            style={"font_size": "11px"},
        )
        button.add_class("explorer-card-button")
        button.on_click(lambda _b, key=prediction.key: self.on_pick(key))
        card = widgets.VBox([image, caption, button], layout=widgets.Layout(width="128px", margin="3px"))
        card.add_class("explorer-card")
        self._cards[prediction.key] = (card, button, image)
