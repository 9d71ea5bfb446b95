"""helpers.timeline records what the charts of notebooks 03-04 draw; the diagram's schedule is right."""

from __future__ import annotations

import threading

import pytest

from helpers import display
from helpers.timeline import Span, Timeline


def test_busy_fraction_counts_overlapping_spans_once() -> None:
    tl = Timeline()
    tl.add("host", "decode", 0.0, 1.0)
    tl.add("request 0", "infer", 1.0, 3.0)
    tl.add("request 1", "infer", 2.0, 4.0)  # overlaps the first inference by 1 s
    assert tl.seconds == pytest.approx(4.0)
    assert tl.busy_fraction("infer") == pytest.approx(3.0 / 4.0)
    assert tl.busy_fraction("decode") == pytest.approx(1.0 / 4.0)
    assert tl.busy_fraction("missing") == 0.0


def test_begin_and_end_from_another_thread_keep_the_key_and_completion_order() -> None:
    tl = Timeline()
    for key in (0, 1, 2):
        tl.begin(key, f"request {key}", "infer")
    for key in (2, 0, 1):  # completes out of order, closed from other threads like callbacks
        worker = threading.Thread(target=tl.end, args=(key,))
        worker.start()
        worker.join()
    assert tl.completion_order("infer") == [2, 0, 1]
    assert {s.key for s in tl.spans} == {0, 1, 2}
    assert all(isinstance(s, Span) and s.end >= s.start for s in tl.spans)


def test_span_records_even_when_the_block_raises() -> None:
    tl = Timeline()
    with pytest.raises(ValueError), tl.span("host", "decode"):
        raise ValueError("bad file")
    assert [(s.lane, s.kind) for s in tl.spans] == [("host", "decode")]


def test_lanes_put_the_host_first() -> None:
    tl = Timeline()
    tl.add("request 1", "infer", 0.0, 1.0)
    tl.add("request 0", "infer", 0.5, 1.0)
    tl.add("host", "decode", 0.7, 0.9)
    assert tl.lanes() == ["host", "request 0", "request 1"]


@pytest.mark.parametrize(
    ("streams", "overlap", "done"),
    [(1, False, 20.0), (1, True, 14.0), (2, True, 11.0)],  # decode 2, infer 3, four photos
)
def test_diagram_schedule(streams: int, overlap: bool, done: float) -> None:
    bars = display._schedule(4, 2.0, 3.0, streams, overlap)
    assert max(end for *_, end in bars) == pytest.approx(done)
    infers = sorted((s, e) for lane, kind, s, e in bars if kind == "infer" and lane != "stream 1")
    assert all(b[0] >= a[1] for a, b in zip(infers, infers[1:], strict=False))  # one at a time
