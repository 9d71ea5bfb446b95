"""Issue 8: interrupting a long AsyncInferQueue run in a Jupyter kernel stops it promptly, and the
kernel (and the same queue) stays usable: the cell after it runs and returns a result.

Driven with jupyter_client as JupyterLab's "Interrupt kernel" button does (SIGINT to the kernel).
"""

from __future__ import annotations

import queue as stdlib_queue
import textwrap
import time

import pytest
from jupyter_client.manager import KernelManager

from helpers import paths

INTERRUPT_DEADLINE_S = 2.0  # issue 8: a run stops within 2 s of the interrupt (measured: ~0.1 s)

SETUP = """
import itertools
import numpy as np
import openvino as ov
from helpers import models, paths, queue_runner

compiled = models.build_classifier(ov.Core(), paths.SHIPPED_MODEL, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
queue = ov.AsyncInferQueue(compiled, 2)
image = np.random.default_rng(0).integers(0, 256, (1, 64, 64, 3), dtype=np.uint8)
reference = compiled(image, share_inputs=False)[0]
announced = []

def announce(done):
    if done >= 4 and not announced:
        announced.append(done)
        print("running", flush=True)
"""

# About half an hour of work on 2 cores if nothing stopped it.
LONG_RUN = """
run = queue_runner.run_queue(compiled, itertools.repeat(image, 100_000), queue=queue, progress=announce)
"""

AFTER = """
after = queue_runner.run_queue(compiled, [image] * 3, queue=queue)
(after.ok, all(np.array_equal(r, reference) for r in after.results), "run" in globals())
"""


@pytest.fixture
def kernel():
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(paths.REPO_ROOT))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def run_cell(kc, code: str, timeout: float = 120) -> tuple[dict, list[dict]]:
    """Execute ``code``; return the shell reply's content and the cell's iopub messages."""
    messages: list[dict] = []
    reply = kc.execute_interactive(textwrap.dedent(code), output_hook=messages.append, timeout=timeout)
    return reply["content"], messages


def test_interrupt_stops_a_long_queue_run_and_the_next_cell_runs(kernel):
    km, kc = kernel
    content, _ = run_cell(kc, SETUP)
    assert content["status"] == "ok", content

    msg_id = kc.execute(LONG_RUN)
    deadline = time.monotonic() + 120
    while True:  # wait until requests are in flight
        msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream" and "running" in msg["content"]["text"]:
            break
        assert msg["msg_type"] != "error", msg["content"]
    time.sleep(0.3)

    km.interrupt_kernel()
    sent = time.monotonic()
    while True:
        try:
            reply = kc.get_shell_msg(timeout=30)
        except stdlib_queue.Empty:
            pytest.fail("the kernel did not answer within 30 s of the interrupt")
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    stopped_after = time.monotonic() - sent
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert stopped_after < INTERRUPT_DEADLINE_S

    # The next cell runs on the same queue and returns a result: 3 correct results, and the
    # interrupted cell's assignment never happened.
    content, messages = run_cell(kc, AFTER)
    if content["status"] == "aborted":
        # "aborted" is ipykernel's reply to a request that arrives while it discards the queue after
        # an error (here the interrupted cell's KeyboardInterrupt): the request sent at once after that
        # reply lost the race once, in a fresh clone's make test on 2 busy workers (not reproduced in
        # 110 tries alone or under load). A person clicks later; the same cell, sent again, must run.
        content, messages = run_cell(kc, AFTER)
    assert content["status"] == "ok", content
    results = [m["content"]["data"]["text/plain"] for m in messages if m["msg_type"] == "execute_result"]
    assert results == ["(3, True, False)"]
