"""Notebook 07's claims on ``InferRequest.latency``: ms from start to completion, waiting included.

Evidence for docs/claims.md (07). One stream and one inference thread, two requests started at
once: the second waits for the first, and its ``latency`` shows the wait (about twice the first's).
Ratios over several rounds, never a time.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import advise_models  # noqa: E402

# A few-ms inference against the scheduling delays of a busy machine: these run alone (Makefile).
pytestmark = pytest.mark.serial


def test_latency_is_ms_within_the_wall_time_of_start_async_to_wait(core, tmp_path):
    compiled = core.compile_model(advise_models.heavy(tmp_path), "CPU", {"PERFORMANCE_HINT": "LATENCY"})
    request = compiled.create_infer_request()
    x = np.zeros((1, 3, 224, 224), np.float32)
    request.infer({0: x})  # warm-up
    for _ in range(5):
        t0 = time.perf_counter()
        request.start_async({0: x})
        request.wait()
        wall_ms = (time.perf_counter() - t0) * 1e3
        assert 0 < request.latency <= wall_ms
        assert request.latency > 0.2 * wall_ms  # milliseconds, not seconds or microseconds


def test_latency_includes_the_wait_for_a_free_stream(core, tmp_path):
    config = {"NUM_STREAMS": "1", "INFERENCE_NUM_THREADS": "1", "PERFORMANCE_HINT": "LATENCY"}
    compiled = core.compile_model(advise_models.heavy(tmp_path), "CPU", config)
    first, second = compiled.create_infer_request(), compiled.create_infer_request()
    x = np.zeros((1, 3, 224, 224), np.float32)
    first.infer({0: x})
    second.infer({0: x})
    ratios = []
    for _ in range(5):
        first.start_async({0: x})
        second.start_async({0: x})  # queued behind the first on the one stream
        first.wait()
        second.wait()
        ratios.append(second.latency / first.latency)
    assert statistics.median(ratios) > 1.5, ratios
