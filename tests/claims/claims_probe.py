"""Probes of OpenVINO behaviour that the course teaches, each run in a child interpreter.

Each probe prints one JSON object on its last stdout line. Every Python callback runs here, not in
the pytest process: a crash (known issues 2 and 4), or a deadlock when a compiled model is freed
while its callback thread waits for the GIL, ends only the child.
Usage: ``claims_probe.py PROBE [DEVICE]``.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np
import openvino as ov
import openvino.opset13 as ops

from helpers.images import read_for_model
from helpers.models import build_static_classifier
from helpers.paths import IMAGES_DIR, SHIPPED_MODEL

F32 = {"INFERENCE_PRECISION_HINT": "f32"}


def classifier(core: ov.Core, device: str, hint: str) -> ov.CompiledModel:
    """The course's static-shape classifier, compiled with ``hint``."""
    return build_static_classifier(core, SHIPPED_MODEL, device, {"PERFORMANCE_HINT": hint, **F32})


def streams(compiled: ov.CompiledModel) -> int | None:
    """``NUM_STREAMS`` of a compiled model, or None where the device does not report it (AUTO)."""
    supported = [str(p) for p in compiled.get_property("SUPPORTED_PROPERTIES")]
    return int(compiled.get_property("NUM_STREAMS")) if "NUM_STREAMS" in supported else None


def cpu_ticks() -> dict[int, int]:
    """User + system CPU ticks of every thread of this process, by native thread id (Linux)."""
    ticks = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            stat = Path(f"/proc/self/task/{tid}/stat").read_text()
        except OSError:  # the thread ended meanwhile
            continue
        fields = stat.rsplit(")", 1)[1].split()
        ticks[int(tid)] = int(fields[11]) + int(fields[12])
    return ticks


def probe_callbacks(device: str) -> dict:
    """Where and how callbacks run: 200 queue callbacks over every stream of a THROUGHPUT model."""
    core = ov.Core()
    throughput = classifier(core, device, "THROUGHPUT")
    latency = classifier(core, device, "LATENCY")
    x = read_for_model(IMAGES_DIR / "cat.png")
    lock = threading.Lock()
    state = {"active": 0, "most": 0}
    queue_threads: Counter[int] = Counter()
    native: set[int] = set()

    def on_done(request: ov.InferRequest, userdata: int) -> None:
        with lock:
            state["active"] += 1
            state["most"] = max(state["most"], state["active"])
        queue_threads[threading.get_ident()] += 1
        native.add(threading.get_native_id())
        time.sleep(0.001)  # long enough for two callbacks to overlap, if they could
        with lock:
            state["active"] -= 1

    queue = ov.AsyncInferQueue(throughput, 0)
    queue.set_callback(on_done)
    before = cpu_ticks() if sys.platform.startswith("linux") else {}
    for i in range(200):
        queue.start_async(x, i)
    queue.wait_all()
    after = cpu_ticks() if sys.platform.startswith("linux") else {}
    used = {tid: after[tid] - before.get(tid, 0) for tid in after}
    callback_tid = next(iter(native))
    others = [t for tid, t in used.items() if tid not in (callback_tid, threading.get_native_id())]

    request_threads: set[int] = set()
    pair = [throughput.create_infer_request() for _ in range(2)]
    for request in pair:
        request.set_callback(lambda _: request_threads.add(threading.get_ident()), None)
    for _ in range(20):
        for request in pair:
            request.start_async(x)
        for request in pair:
            request.wait()

    latency_threads: set[int] = set()
    single = latency.create_infer_request()
    single.set_callback(lambda _: latency_threads.add(threading.get_ident()), None)
    for _ in range(20):
        single.start_async(x)
        single.wait()
    time.sleep(0.2)  # let the last callbacks return before the queue is freed (known issue 4)
    return {
        "streams": streams(throughput),
        "requests": len(queue),
        "callbacks": sum(queue_threads.values()),
        "queue_threads": len(queue_threads),
        "main_among": threading.main_thread().ident in queue_threads,
        "most_at_once": state["most"],
        "request_threads_same_as_queue": request_threads == set(queue_threads),
        "latency_model_threads": len(latency_threads),
        "latency_model_thread_differs": latency_threads.isdisjoint(queue_threads),
        "callback_thread_ticks": used.get(callback_tid),
        "busiest_other_thread_ticks": max(others) if others else None,
    }


def probe_handback(device: str) -> dict:
    """A queue's request is idle again only once its callback has returned."""
    core = ov.Core()
    compiled = classifier(core, device, "THROUGHPUT")
    x = read_for_model(IMAGES_DIR / "cat.png")
    entered, release = threading.Event(), threading.Event()

    def blocking(request: ov.InferRequest, userdata: object) -> None:
        entered.set()
        release.wait(10)

    queue = ov.AsyncInferQueue(compiled, 1)
    queue.set_callback(blocking)
    queue.start_async(x)
    reached = entered.wait(10)
    time.sleep(0.05)
    ready_during = queue.is_ready()
    done_during = queue[0].wait_for(0)
    release.set()
    queue.wait_all()
    ready_after = queue.is_ready()
    time.sleep(0.2)
    return {
        "reached": reached,
        "ready_during": ready_during,
        "done_during": done_during,
        "ready_after": ready_after,
    }


def probe_queue_error(device: str) -> dict:
    """A queue callback receives (request, userdata); its exception comes back from the next queue call."""
    core = ov.Core()
    compiled = classifier(core, device, "THROUGHPUT")
    x = read_for_model(IMAGES_DIR / "cat.png")
    received = []

    def failing(request: ov.InferRequest, userdata: object) -> None:
        received.append((type(request).__name__, userdata))
        raise ValueError(f"{userdata}: refused by the callback")

    queue = ov.AsyncInferQueue(compiled, 1)
    queue.set_callback(failing)
    queue.start_async(x, "cat.png")
    try:
        queue.wait_all()
        raised = None
    except Exception as exc:  # noqa: BLE001 - which type comes back is part of the answer
        raised = f"{type(exc).__name__}: {exc}"
    # Known issue 2: a second queue call re-raises again and aborts; the child exits here instead.
    print(json.dumps({"received": received, "raised": raised}), flush=True)
    os._exit(0)


def probe_out_of_order(device: str) -> dict:
    """Two requests on two streams: a small input started second finishes before a large one."""
    core = ov.Core()
    image = ops.parameter([1, 3, -1, -1], ov.Type.f32, name="image")
    node = image
    rng = np.random.default_rng(0)
    for _ in range(6):
        weights = ops.constant(rng.standard_normal((3, 3, 3, 3)).astype(np.float32) * 0.1)
        node = ops.relu(ops.convolution(node, weights, [1, 1], [1, 1], [1, 1], [1, 1]))
    model = ov.Model([node], [image], "conv_stack")
    compiled = core.compile_model(model, device, {"PERFORMANCE_HINT": "THROUGHPUT", "NUM_STREAMS": 2})
    order: list[str] = []
    queue = ov.AsyncInferQueue(compiled, 2)
    queue.set_callback(lambda request, userdata: order.append(userdata))
    big = np.ones((1, 3, 768, 768), np.float32)
    small = np.ones((1, 3, 8, 8), np.float32)
    rounds = []
    for _ in range(3):
        order.clear()
        queue.start_async(big, "large, started first")
        queue.start_async(small, "small, started second")
        queue.wait_all()
        rounds.append(list(order))
    time.sleep(0.2)
    return {"streams": streams(compiled), "rounds": rounds}


def probe_request_callbacks(device: str) -> dict:
    """InferRequest callbacks: userdata, the order of callback and wait(), errors, wait_for while pending."""
    core = ov.Core()
    compiled = classifier(core, device, "LATENCY")
    cat = read_for_model(IMAGES_DIR / "cat.png")
    coffee = read_for_model(IMAGES_DIR / "coffee.png")
    out: dict = {}

    request = compiled.create_infer_request()
    seen: list[object] = []
    request.set_callback(seen.append, "default")
    request.start_async(cat)
    request.wait()
    request.start_async(cat, "one-off")
    request.wait()
    request.start_async(cat)
    request.wait()
    out["userdata_seen"], out["userdata_property"] = seen, request.userdata

    finished: list[str] = []

    def slow(userdata: str) -> None:
        time.sleep(0.2)
        finished.append(userdata)

    request.set_callback(slow, None)
    request.start_async(cat, "cat")
    request.wait()
    out["finished_when_wait_returned"] = list(finished)

    def reject(userdata: str) -> None:
        raise ValueError(f"{userdata}: rejected")

    request.set_callback(reject, None)
    request.start_async(cat, "cat.png")
    try:
        request.wait()
        out["wait_raised"] = None
    except Exception as exc:  # noqa: BLE001 - which type comes back is part of the answer
        out["wait_raised"] = f"{type(exc).__name__}: {exc}"
    request.set_callback(lambda _: None, None)
    request.start_async(coffee)
    request.wait()
    reference = compiled.create_infer_request().infer(coffee)[0]
    out["usable_after_error"] = bool(np.array_equal(request.get_output_tensor().data, reference))

    pending = compiled.create_infer_request()
    release = threading.Event()
    pending.set_callback(lambda _: release.wait(10), None)  # completes only once the probe releases it
    pending.start_async(cat)
    out["wait_for_while_pending"] = [pending.wait_for(0), pending.wait_for(20)]
    release.set()
    pending.wait()
    out["wait_for_after_wait"] = pending.wait_for(0)
    return out


PROBES = {
    "callbacks": probe_callbacks,
    "handback": probe_handback,
    "queue_error": probe_queue_error,
    "out_of_order": probe_out_of_order,
    "request_callbacks": probe_request_callbacks,
}

if __name__ == "__main__":
    name = sys.argv[1]
    device = sys.argv[2] if len(sys.argv) > 2 else "CPU"
    result = PROBES[name](device)
    print(json.dumps(result), flush=True)
    # No teardown: freeing a compiled model while its callback thread still holds a Python callback
    # can deadlock or abort (known issue 4); the answer is printed, so the child leaves at once.
    time.sleep(0.2)
    os._exit(0)
