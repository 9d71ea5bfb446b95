"""The explorer's results, shared by OpenVINO's callback threads and the main thread (lock-guarded)."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field

import numpy as np

from helpers.labels import top_k


@dataclass(frozen=True)
class Prediction:
    """One classified image: its gallery key, short name, the pixels the model saw and probabilities."""

    key: str
    name: str
    pixels: np.ndarray
    probs: np.ndarray

    @property
    def top1(self) -> tuple[int, float]:
        """The most probable (class_id, probability)."""
        return top_k(self.probs, 1)[0]


@dataclass(frozen=True)
class Snapshot:
    """What the widgets show, read in one step: predictions in gallery order, errors, progress."""

    ordered: list[Prediction]
    dirty: set[str]
    errors: list[str]
    done: int
    total: int
    title: str
    running: bool = field(default=False)


class ResultStore:
    """Predictions keyed by gallery key (first-seen order), error lines and the current run's progress."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, Prediction] = {}
        self._order: dict[str, int] = {}
        self._seq = itertools.count()
        self._dirty: set[str] = set()
        self._errors: list[str] = []
        self._progress = (0, 0, "")

    def reserve(self, key: str) -> None:
        """Give ``key`` its gallery place now (submission order), before its result arrives."""
        with self._lock:
            self._order.setdefault(key, next(self._seq))

    def put(self, prediction: Prediction) -> None:
        """Keep a prediction (replacing one with the same key) and mark it for the next refresh."""
        with self._lock:
            self._order.setdefault(prediction.key, next(self._seq))
            self._entries[prediction.key] = prediction
            self._dirty.add(prediction.key)

    def get(self, key: str | None) -> Prediction | None:
        """The prediction stored under ``key``, or None."""
        with self._lock:
            return self._entries.get(key) if key is not None else None

    def predictions(self) -> list[Prediction]:
        """Every prediction in gallery order."""
        with self._lock:
            return sorted(self._entries.values(), key=lambda p: self._order[p.key])

    def add_error(self, line: str) -> None:
        """Record one line for an input that could not be classified."""
        with self._lock:
            self._errors.append(line)

    @property
    def errors(self) -> list[str]:
        """Every error line so far."""
        with self._lock:
            return list(self._errors)

    def start_run(self, title: str, total: int) -> None:
        """Reset the progress for a new run of ``total`` inputs."""
        with self._lock:
            self._progress = (0, total, title)

    def saw_input(self, index: int) -> None:
        """Grow the run's total when input ``index`` is beyond it (an IDX file holds many images)."""
        with self._lock:
            done, total, title = self._progress
            self._progress = (done, max(total, index + 1), title)

    def step(self) -> None:
        """Count one finished input (classified or refused) of the current run."""
        with self._lock:
            done, total, title = self._progress
            self._progress = (done + 1, total, title)

    def snapshot(self, running: bool) -> Snapshot:
        """Take the state to draw and clear the set of changed predictions."""
        with self._lock:
            dirty, self._dirty = self._dirty, set()
            ordered = sorted(self._entries.values(), key=lambda p: self._order[p.key])
            done, total, title = self._progress
            return Snapshot(ordered, dirty, list(self._errors), done, total, title, running)
