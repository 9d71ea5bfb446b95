"""What the command-line sample prints: log lines, and each input's result in the chosen format.

- ``--format text`` (default): the samples' table, ``class_id probability label``, softmax applied.
- ``--raw``: the block of OpenVINO's Python "Image Classification Async" sample, every line
  prefixed ``[ INFO ]``, with the model's raw output values (no softmax), still sorted top-k.
- ``--format json``: JSON Lines on stdout, one object per input (result or error), in input
  order; all logging goes to stderr so that stdout stays parseable.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO

import numpy as np

from helpers import images, labels
from helpers.cli.inputs import Item
from helpers.paths import printable

FORMATS = ("text", "json")
# The Python sample's header; its dashes span the whole header.
SAMPLE_HEADER = "class_id probability"


def info(message: str) -> None:
    """Print an informational line, ``[ INFO ] ...``, on stdout (like the official samples)."""
    print(f"[ INFO ] {message}", file=sys.stdout)


def warn(message: str) -> None:
    """Print a ``[ WARNING ] ...`` line on stderr."""
    print(f"[ WARNING ] {message}", file=sys.stderr)


def error(message: str) -> None:
    """Print an ``[ ERROR ] ...`` line on stderr."""
    print(f"[ ERROR ] {message}", file=sys.stderr)


def values_of(output: np.ndarray, raw: bool) -> np.ndarray:
    """One image's output as a 1-D vector: raw values, or probabilities (softmax of logits)."""
    return np.asarray(output, dtype=np.float32).reshape(-1) if raw else labels.to_probabilities(output)


def format_sample_block(name: str, values: np.ndarray, k: int) -> str:
    """The Python sample's block: ``[ INFO ]`` lines, path, ``Top k results: ``, header, dashes, rows."""
    rows = [f"{cid:<{len('class_id')}} {v:.7f}" for cid, v in labels.top_k(values, k)]
    lines = [f"Image path: {name}", f"Top {len(rows)} results: ", SAMPLE_HEADER, "-" * len(SAMPLE_HEADER)]
    return "\n".join(f"[ INFO ] {line}" for line in [*lines, *rows, ""])


def json_number(value: float) -> float | None:
    """A float32 as the shortest decimal that reads back as the same float32; None if not finite."""
    return float(str(np.float32(value))) if math.isfinite(value) else None


def result_object(
    name: str, values: np.ndarray, class_names: list[str] | None, k: int, raw: bool
) -> dict[str, object]:
    """One image's JSON object: its path and the top-k class ids, values and labels (None without labels)."""
    key = "raw" if raw else "probability"
    top = [
        {
            "class_id": cid,
            key: json_number(v),
            "label": None if class_names is None else labels.label_of(cid, class_names),
        }
        for cid, v in labels.top_k(values, k)
    ]
    return {"path": printable(name), "top": top}


def error_object(name: str, stage: str, reason: str) -> dict[str, object]:
    """An input without a result: its path, the stage that failed (``read`` or ``classify``) and why."""
    return {"path": printable(name), "error": reason, "stage": stage}


class Printer:
    """Prints every input's result or error in the chosen format, in input order (one per run)."""

    def __init__(
        self, fmt: str, raw: bool, top: int, class_names: list[str] | None, stream: TextIO | None = None
    ) -> None:
        self.fmt, self.raw, self.top, self.class_names = fmt, raw, top, class_names
        self.stream = stream  # None: sys.stdout at the time of printing
        self.passed = 0  # good images handed on by screen()
        self.reported = 0  # images given to result() or failed()
        self.pending: list[tuple[int, dict[str, object]]] = []  # json: (position, error object)

    def screen(self, items: Iterable[Item]) -> Iterator[images.LoadedImage]:
        """Hand on the good images; report each unreadable input (a warning, and in json an error object)."""
        for item in items:
            if not isinstance(item, images.ImageReadError):
                self.passed += 1
                yield item
                continue
            warn(f"Image {item.path} cannot be read: {item.reason}")
            if self.fmt == "json":  # printed in its place, before the next good image's result
                self.pending.append((self.passed, error_object(item.path, "read", item.reason)))

    def result(self, name: str, output: np.ndarray) -> None:
        """Print one image's result."""
        self._flush(self.reported)
        self.reported += 1
        values = values_of(output, self.raw)
        if self.fmt == "json":
            self._json(result_object(name, values, self.class_names, self.top, self.raw))
        elif self.raw:
            self._print(format_sample_block(name, values, self.top))
        else:
            self._print(labels.format_result(name, values, self.class_names, self.top))

    def failed(self, name: str, reason: object) -> None:
        """Report an image that was read but could not be classified."""
        self._flush(self.reported)
        self.reported += 1
        warn(f"Image {printable(name)} cannot be classified: {reason}")
        if self.fmt == "json":
            self._json(error_object(name, "classify", str(reason)))

    def finish(self) -> None:
        """Print the error objects of unreadable inputs after the last good image."""
        self._flush(math.inf)

    def _flush(self, position: float) -> None:
        while self.pending and self.pending[0][0] <= position:
            self._json(self.pending.pop(0)[1])

    def _json(self, obj: dict[str, object]) -> None:
        self._print(json.dumps(obj, ensure_ascii=False))

    def _print(self, text: str) -> None:
        print(text, file=self.stream or sys.stdout)
