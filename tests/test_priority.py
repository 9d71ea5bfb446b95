"""``helpers.priority``: compiling on a lowered thread lowers the threads OpenVINO infers on (Linux)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from helpers import priority
from helpers.paths import REPO_ROOT

linux_only = pytest.mark.skipif(not priority.supported(), reason="per-thread nice values are Linux's")

# In a child process, so that no idle executor left by another test can be handed to the compile
# (OpenVINO reuses a freed model's stream threads). It prints, per case, the share of the CPU ticks
# of 200 queued inferences that ran on threads whose nice value is the caller's + INFERENCE_NICE.
CHILD = r"""
import gc, glob, json, os, sys
import numpy as np, openvino as ov
from helpers import models, paths, priority

def ticks_by_nice():
    out = {}
    for stat in glob.glob(f"/proc/{os.getpid()}/task/*/stat"):
        try:
            fields = open(stat).read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        nice = int(fields[16])
        out[nice] = out.get(nice, 0) + int(fields[11]) + int(fields[12])
    return out

def lowered_share(compiled):
    queue, x = ov.AsyncInferQueue(compiled, 4), np.zeros((1, 224, 224, 3), np.uint8)
    before = ticks_by_nice()
    for _ in range(200):
        queue.start_async({0: x})
    queue.wait_all()
    after = ticks_by_nice()
    delta = {k: v - before.get(k, 0) for k, v in after.items()}
    return delta.get(os.nice(0) + priority.INFERENCE_NICE, 0) / max(1, sum(delta.values()))

core, config = ov.Core(), {"PERFORMANCE_HINT": "THROUGHPUT"}
def build(device, y):
    return models.build_static_classifier(core, paths.SHIPPED_MODEL, device, config, yield_to_host=y)

result = {"main_nice_before": os.nice(0)}
plain = build("CPU", False)  # kept alive: its executor is never idle
result["plain"] = lowered_share(plain)
lowered = build("CPU", True)
result["CPU"] = lowered_share(lowered)
del lowered
gc.collect()
reused = build("CPU", False)  # the freed lowered model's executor is the only idle one
result["reused_after_free"] = lowered_share(reused)
result["AUTO"] = lowered_share(build("AUTO", True))
result["main_nice_after"] = os.nice(0)
print(json.dumps(result))
"""


def test_run_lowered_returns_the_value_and_leaves_the_caller_alone() -> None:
    seen: dict[str, int] = {}

    def work() -> str:
        seen["thread"] = threading.get_ident()
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        return "compiled"

    caller = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert priority.run_lowered(work) == "compiled"
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == caller
    if priority.supported():
        assert seen["thread"] != threading.get_ident()
        assert seen["nice"] == min(19, caller + priority.INFERENCE_NICE)


def test_run_lowered_raises_the_work_error_in_the_caller() -> None:
    def work() -> None:
        raise ValueError("cannot compile")

    with pytest.raises(ValueError, match="cannot compile"):
        priority.run_lowered(work)


def test_elsewhere_the_work_runs_in_the_callers_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(priority.sys, "platform", "darwin")
    assert not priority.supported()
    assert priority.run_lowered(threading.get_ident) == threading.get_ident()
    assert priority.run_lowered(threading.get_ident, nice=0) == threading.get_ident()


@linux_only
def test_inference_runs_on_the_lowered_threads_on_cpu_and_auto() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=REPO_ROOT, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["main_nice_after"] == result["main_nice_before"]  # only the compiling thread was lowered
    assert result["plain"] < 0.1  # without yield_to_host, the inference runs at the caller's priority
    assert result["CPU"] > 0.9, result
    assert result["AUTO"] > 0.9, result
    # OpenVINO hands a freed model's executor to the next compile with the same settings: the
    # priority travels with its threads (helpers.priority's docstring says so).
    assert result["reused_after_free"] > 0.9, result
