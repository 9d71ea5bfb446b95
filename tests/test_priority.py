"""``helpers.priority``: compiling on a lowered thread lowers the threads OpenVINO infers on (Linux)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading

import pytest

from helpers import paths, priority
from helpers.paths import REPO_ROOT

linux_only = pytest.mark.skipif(not priority.per_thread_nice(), reason="per-thread nice values are Linux's")

# In a child process, so that no idle executor or worker thread left by another test can be handed
# to a compile (OpenVINO reuses a freed model's stream threads, and oneTBB's workers are shared).
# Each case prints the share of the CPU time of 200 queued inferences that ran on threads whose
# nice value is the caller's + INFERENCE_NICE (priority.lowered_share).
CHILD = r"""
import gc, json, os, sys
import numpy as np, openvino as ov
from helpers import models, paths, priority


def lowered_share(compiled):
    queue, x = ov.AsyncInferQueue(compiled, 4), np.zeros((1, 224, 224, 3), np.uint8)

    def run():
        for _ in range(200):
            queue.start_async({0: x})
        queue.wait_all()

    return priority.lowered_share(run)


core = ov.Core()


def build(device, hint, y):
    config = {"PERFORMANCE_HINT": hint}
    return models.build_static_classifier(core, paths.SHIPPED_MODEL, device, config, yield_to_host=y)


result = {"main_nice_before": os.nice(0)}
if sys.argv[1] == "streams":
    plain = build("CPU", "THROUGHPUT", False)  # kept alive: its executor is never idle
    result["plain"] = lowered_share(plain)
    lowered = build("CPU", "THROUGHPUT", True)
    result["CPU"] = lowered_share(lowered)
    del lowered
    gc.collect()
    reused = build("CPU", "THROUGHPUT", False)  # the freed lowered model's executor is the only idle one
    result["reused_after_free"] = lowered_share(reused)
    result["AUTO"] = lowered_share(build("AUTO", "THROUGHPUT", True))
    result["LATENCY"] = lowered_share(build("CPU", "LATENCY", True))  # the first LATENCY model
else:  # shared workers: a plain LATENCY model runs first
    first = build("CPU", "LATENCY", False)
    result["plain"] = lowered_share(first)
    result["LATENCY_after_plain"] = lowered_share(build("CPU", "LATENCY", True))
result["main_nice_after"] = os.nice(0)
print(json.dumps(result))
"""


def child(case: str) -> dict:
    """Run CHILD for ``case`` and return what it printed."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, case], cwd=REPO_ROOT, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_run_lowered_returns_the_value_and_leaves_the_caller_alone() -> None:
    seen: dict[str, int] = {}

    def work() -> str:
        seen["thread"] = threading.get_ident()
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        return "compiled"

    caller = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert priority.run_lowered(work) == "compiled"
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == caller
    if priority.per_thread_nice():
        assert seen["thread"] != threading.get_ident()
        assert seen["nice"] == min(19, caller + priority.INFERENCE_NICE)


def test_run_lowered_raises_the_work_error_in_the_caller() -> None:
    def work() -> None:
        raise ValueError("cannot compile")

    with pytest.raises(ValueError, match="cannot compile"):
        priority.run_lowered(work)


def test_elsewhere_the_work_runs_in_the_callers_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(priority.sys, "platform", "darwin")
    assert not priority.per_thread_nice()
    assert priority.run_lowered(threading.get_ident) == threading.get_ident()
    assert priority.run_lowered(threading.get_ident, nice=0) == threading.get_ident()


@linux_only
@pytest.mark.serial  # CPU shares move when other processes are busy
def test_inference_runs_on_the_lowered_threads_on_cpu_and_auto() -> None:
    result = child("streams")
    assert result["main_nice_after"] == result["main_nice_before"]  # only the compiling thread was lowered
    assert result["plain"] < 0.1  # without yield_to_host, the inference runs at the caller's priority
    assert result["CPU"] > 0.9, result
    assert result["AUTO"] > 0.9, result
    assert result["LATENCY"] > 0.9, result
    # OpenVINO hands a freed model's executor to the next compile with the same settings: the
    # priority travels with its threads (helpers.priority's docstring says so).
    assert result["reused_after_free"] > 0.9, result


@linux_only
@pytest.mark.serial  # CPU shares move when other processes are busy
def test_under_latency_shared_workers_keep_the_priority_they_started_with() -> None:
    result = child("workers")
    assert result["plain"] < 0.1
    # the lowered model's stream thread is new, but part of its work runs on the oneTBB workers
    # that the plain LATENCY model started
    assert 0.1 < result["LATENCY_after_plain"] < 0.9, result


def test_the_cli_lowers_only_its_queue_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers.cli import app as cli_app
    from helpers.cli.args import build_parser

    lowered: list[bool] = []
    real = priority.run_lowered

    def spy(work, nice=priority.INFERENCE_NICE):  # noqa: ANN001, ANN202 - a stand-in
        lowered.append(True)
        return real(work, nice)

    monkeypatch.setattr(priority, "run_lowered", spy)
    photo = str(paths.IMAGES_DIR / "cat.png")
    lenet = str(paths.MODELS_DIR / "lenet-digits.onnx")
    for argv, expected in (
        (["-i", photo], [True]),  # queue mode, host resize: the pipeline
        (["-i", photo, "--mode", "callback"], []),
        (["-i", photo, "--batch"], []),
        (["-m", lenet, "-i", photo], []),  # a gray model resizes in the graph: no prefetch pool
    ):
        lowered.clear()
        cli_app.prepare(build_parser().parse_args(argv), io.StringIO())
        assert lowered == expected, argv


@linux_only
def test_a_thread_started_by_the_lowered_work_stays_lowered_and_is_counted() -> None:
    go, done, stop = threading.Event(), threading.Event(), threading.Event()

    def spin() -> None:  # about 40 clock ticks here: CPU time is counted in ticks of 10 ms, and a
        x = 0  # stray tick charged to another thread cost a 9-tick spin its 0.9 (2 runs of 20)
        for i in range(15_000_000):
            x += i

    def worker() -> None:  # like a stream thread: started while compiling, busy later
        go.wait()
        spin()
        done.set()
        stop.wait()

    def run() -> None:
        go.set()
        done.wait()

    assert priority.lowered_share(spin) < 0.1  # ran here, at this thread's own nice value
    priority.run_lowered(lambda: threading.Thread(target=worker, daemon=True).start())
    try:
        assert priority.lowered_share(run) > 0.9
    finally:
        stop.set()
