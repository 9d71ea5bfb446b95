"""Class labels and classification results: load ``<model>.labels``, softmax, top-k, the sample's table."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from helpers.paths import display_path

HEADER_ID = "class_id"
HEADER_PROB = "probability"
HEADER_LABEL = "label"


def labels_path_for(model_path: str | os.PathLike[str]) -> Path:
    """Return ``<model>.labels`` beside the model (the C++ sample's convention)."""
    return Path(model_path).with_suffix(".labels")


def load_labels(
    path: str | os.PathLike[str], num_classes: int | None = None
) -> tuple[list[str] | None, str | None]:
    """Read one label per line; return ``(labels, None)`` or ``(None, warning)`` when unusable.

    A missing file, undecodable bytes or a line count different from ``num_classes`` gives
    ``None`` and a one-line warning; callers fall back to class ids.
    """
    p = Path(path)
    name = display_path(p)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, f"Labels file {name} not found; showing class ids"
    except (OSError, UnicodeDecodeError) as exc:
        return (
            None,
            f"Labels file {name} cannot be read ({exc.__class__.__name__}); showing class ids",
        )
    labels = text.splitlines()
    while labels and not labels[-1].strip():
        labels.pop()
    if num_classes is not None and len(labels) != num_classes:
        return None, (
            f"Labels file {name} has {len(labels)} lines but the model has {num_classes} classes; "
            "showing class ids"
        )
    return [label.strip() for label in labels], None


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax along ``axis`` (float32 in, float32 out)."""
    x = np.asarray(logits, dtype=np.float32)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def is_probability(values: np.ndarray) -> bool:
    """Tell whether a 1-D vector already looks like probabilities (non-negative, sums to 1)."""
    v = np.asarray(values, dtype=np.float64).ravel()
    return bool(v.min(initial=0.0) >= 0.0 and abs(v.sum() - 1.0) < 1e-3)


def to_probabilities(output: np.ndarray) -> np.ndarray:
    """Flatten one model output to a 1-D probability vector, applying softmax to logits."""
    v = np.asarray(output, dtype=np.float32).reshape(-1)
    return v if is_probability(v) else softmax(v)


def top_k(probs: np.ndarray, k: int = 5) -> list[tuple[int, float]]:
    """Return the ``k`` most probable ``(class_id, probability)`` pairs, best first (ties by id)."""
    v = np.asarray(probs, dtype=np.float32).reshape(-1)
    k = max(0, min(k, v.size))
    order = np.lexsort((np.arange(v.size), -v))[:k]
    return [(int(i), float(v[i])) for i in order]


def label_of(class_id: int, labels: list[str] | None) -> str:
    """Return the label of ``class_id``, or the id itself as text when labels are unknown."""
    if labels is not None and 0 <= class_id < len(labels):
        return labels[class_id]
    return str(class_id)


def format_top_table(probs: np.ndarray, labels: list[str] | None = None, k: int = 10) -> str:
    """Format the samples' top-k table: ``class_id probability [label]``, dashes, one row per class."""
    header = f"{HEADER_ID} {HEADER_PROB}"
    dashes = f"{'-' * len(HEADER_ID)} {'-' * len(HEADER_PROB)}"
    if labels is not None:
        header += f" {HEADER_LABEL}"
        dashes += f" {'-' * len(HEADER_LABEL)}"
    lines = [header, dashes]
    for cid, p in top_k(probs, k):
        row = f"{cid:<{len(HEADER_ID)}} {p:<{len(HEADER_PROB)}.7f}"
        if labels is not None:
            row += f" {label_of(cid, labels)}"
        lines.append(row.rstrip())
    return "\n".join(lines)


def format_result(name: str, probs: np.ndarray, labels: list[str] | None = None, k: int = 10) -> str:
    """Format one image's block as the samples print it: path, ``Top k results:``, blank, table."""
    k = min(k, np.asarray(probs).size)
    return f"Image path: {name}\nTop {k} results:\n\n{format_top_table(probs, labels, k)}\n"
