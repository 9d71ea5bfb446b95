"""Claims about callbacks and AsyncInferQueue, each shown by a probe run in a child interpreter.

A Python callback can crash its process at exit (known issue 4) or on a second re-raise (known
issue 2), and freeing its compiled model can deadlock on the GIL, so these run in ``claims_probe.py``
children, two at a time.
The register is docs/claims.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
RUNS = [
    ("callbacks", "CPU"),
    ("callbacks", "AUTO"),
    ("handback", "CPU"),
    ("queue_error", "CPU"),
    ("out_of_order", "CPU"),
    ("request_callbacks", "CPU"),
]


def run_probe(name: str, device: str) -> dict:
    """Run one probe of claims_probe.py in a fresh interpreter; return its JSON result."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run(
        [sys.executable, str(HERE / "claims_probe.py"), name, device],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=REPO_ROOT,
        env=env,
    )
    assert proc.returncode == 0, f"probe {name} on {device} exited {proc.returncode}: {proc.stderr[-800:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


@cache
def results() -> dict[tuple[str, str], dict]:
    """Every probe's result, the children run two at a time."""
    with ThreadPoolExecutor(2) as pool:
        return dict(zip(RUNS, pool.map(lambda run: run_probe(*run), RUNS), strict=True))


@pytest.mark.parametrize("device", ["CPU", "AUTO"])
def test_callbacks_of_a_compiled_model_run_on_one_thread_that_is_not_main(device: str) -> None:
    r = results()[("callbacks", device)]
    if device == "CPU":
        assert r["streams"] == r["requests"] >= 2 or os.cpu_count() == 1, r
    assert r["callbacks"] == 200
    assert r["queue_threads"] == 1, f"200 queue callbacks ran on {r['queue_threads']} threads"
    assert r["main_among"] is False
    # The plain InferRequest callbacks of the same compiled model use that same thread.
    assert r["request_threads_same_as_queue"] is True


@pytest.mark.parametrize("device", ["CPU", "AUTO"])
def test_each_compiled_model_has_its_own_callback_thread(device: str) -> None:
    r = results()[("callbacks", device)]
    assert r["latency_model_threads"] == 1
    assert r["latency_model_thread_differs"] is True


@pytest.mark.parametrize("device", ["CPU", "AUTO"])
def test_callbacks_run_one_at_a_time(device: str) -> None:
    # Each callback sleeps 1 ms while two streams complete requests: none overlapped another.
    assert results()[("callbacks", device)]["most_at_once"] == 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread CPU time from /proc")
@pytest.mark.parametrize("device", ["CPU", "AUTO"])
def test_the_callback_thread_is_not_an_inference_thread(device: str) -> None:
    r = results()[("callbacks", device)]
    # 200 inferences cost the inference threads many ticks; the callback thread ran none of them.
    assert r["busiest_other_thread_ticks"] >= 20, r
    assert r["callback_thread_ticks"] <= 0.1 * r["busiest_other_thread_ticks"], r


def test_the_queue_hands_a_request_back_only_after_its_callback_returns() -> None:
    r = results()[("handback", "CPU")]
    assert r["reached"] is True
    assert r["ready_during"] is False, "the queue was ready while its only callback still ran"
    assert r["done_during"] is False, "the request reported done while its callback still ran"
    assert r["ready_after"] is True


def test_queue_callback_receives_request_and_userdata_and_its_error_comes_back() -> None:
    r = results()[("queue_error", "CPU")]
    assert r["received"] == [["InferRequest", "cat.png"]]
    # wait_all() raises the callback's own exception (type and message), not a RuntimeError.
    assert r["raised"] == "ValueError: cat.png: refused by the callback"


def test_queue_results_complete_out_of_order() -> None:
    r = results()[("out_of_order", "CPU")]
    assert r["streams"] == 2
    finished_first = [order[0] for order in r["rounds"]]
    assert finished_first == ["small, started second"] * 3, r["rounds"]


def test_start_async_userdata_replaces_the_request_userdata_and_persists() -> None:
    r = results()[("request_callbacks", "CPU")]
    # set_callback(cb, "default"); start_async(x); start_async(x, "one-off"); start_async(x)
    assert r["userdata_seen"] == ["default", "one-off", "one-off"]
    assert r["userdata_property"] == "one-off"


def test_wait_returns_only_after_the_callback_has_run() -> None:
    # The callback sleeps 0.2 s before it notes the photo.
    assert results()[("request_callbacks", "CPU")]["finished_when_wait_returned"] == ["cat"]


def test_callback_exception_is_reraised_by_wait_and_the_request_stays_usable() -> None:
    r = results()[("request_callbacks", "CPU")]
    assert r["wait_raised"] is not None and r["wait_raised"].startswith("RuntimeError: ")
    assert "ValueError: cat.png: rejected" in r["wait_raised"]
    assert r["usable_after_error"] is True


def test_start_async_returns_before_completion_and_wait_for_answers_false_until_done() -> None:
    r = results()[("request_callbacks", "CPU")]
    # start_async returned although the request could not complete (its callback was held).
    assert r["wait_for_while_pending"] == [False, False]
    assert r["wait_for_after_wait"] is True
