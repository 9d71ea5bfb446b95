"""Timestamps of host work and inferences, recorded for notebook 04's timeline chart.

Data only: ``helpers.display.timeline_chart`` draws a ``Timeline``; nothing here draws or infers.
Recording a span costs two ``perf_counter`` calls and one list append, so a measured loop can keep
its timeline on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """One bar of a timeline: what ran (``kind``), on which row (``lane``), from when to when (s)."""

    lane: str
    kind: str
    start: float
    end: float
    key: Hashable = None


class Timeline:
    """A thread-safe list of spans; an OpenVINO callback may close a span that the main thread opened."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self._open: dict[Hashable, tuple[str, str, float]] = {}
        self._lock = threading.Lock()

    def add(self, lane: str, kind: str, start: float, end: float) -> None:
        """Record one finished span (times from ``time.perf_counter``)."""
        with self._lock:
            self.spans.append(Span(lane, kind, start, end))

    @contextmanager
    def span(self, lane: str, kind: str) -> Iterator[None]:
        """Record the time the ``with`` block takes as one span."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(lane, kind, start, time.perf_counter())

    def begin(self, key: Hashable, lane: str, kind: str) -> None:
        """Open a span under ``key`` (e.g. the userdata of an inference that starts now)."""
        with self._lock:
            self._open[key] = (lane, kind, time.perf_counter())

    def end(self, key: Hashable) -> None:
        """Close the span opened under ``key`` (e.g. from the callback of that inference)."""
        now = time.perf_counter()
        with self._lock:
            lane, kind, start = self._open.pop(key)
            self.spans.append(Span(lane, kind, start, now, key))

    @property
    def start(self) -> float:
        """The earliest span start (0.0 when empty)."""
        return min((s.start for s in self.spans), default=0.0)

    @property
    def seconds(self) -> float:
        """Wall time from the first span's start to the last span's end."""
        return max((s.end for s in self.spans), default=0.0) - self.start

    def completion_order(self, kind: str) -> list[Hashable]:
        """Keys of the ``begin``/``end`` spans of ``kind``, in the order they ended."""
        return [
            s.key for s in sorted(self.spans, key=lambda s: s.end) if s.kind == kind and s.key is not None
        ]

    def lanes(self) -> list[str]:
        """Lane names, ``host`` first, then by name (``device``, ``request 0``, ``request 1``...)."""
        return sorted({s.lane for s in self.spans}, key=lambda lane: (lane != "host", lane))

    def busy_fraction(self, kind: str) -> float:
        """Fraction of the wall time during which at least one span of ``kind`` was running."""
        covered, reach = 0.0, self.start
        for s in sorted((s for s in self.spans if s.kind == kind), key=lambda s: s.start):
            if s.end > reach:
                covered += s.end - max(s.start, reach)
                reach = s.end
        return covered / self.seconds if self.seconds > 0 else 0.0
