"""Claims about InferRequest, tensors and the queue's size, each shown by a run on the installed OpenVINO.

These set no Python callback, so they run in the pytest process (test_claims_callbacks.py runs the
others in child processes). The register is docs/claims.md.
"""

from __future__ import annotations

import inspect
import os
import sys
import threading
import time

import numpy as np
import openvino as ov
import pytest
from claims_models import conv_stack

from helpers.images import read_for_model
from helpers.models import build_static_classifier
from helpers.paths import IMAGES_DIR, SHIPPED_MODEL

F32 = {"INFERENCE_PRECISION_HINT": "f32"}


@pytest.fixture(scope="module")
def latency(core: ov.Core) -> ov.CompiledModel:
    return build_static_classifier(core, SHIPPED_MODEL, "CPU", {"PERFORMANCE_HINT": "LATENCY", **F32})


@pytest.fixture(scope="module")
def throughput(core: ov.Core) -> ov.CompiledModel:
    return build_static_classifier(core, SHIPPED_MODEL, "CPU", {"PERFORMANCE_HINT": "THROUGHPUT", **F32})


@pytest.fixture(scope="module")
def cat() -> np.ndarray:
    return read_for_model(IMAGES_DIR / "cat.png")


@pytest.fixture(scope="module")
def coffee() -> np.ndarray:
    return read_for_model(IMAGES_DIR / "coffee.png")


def test_wait_for_is_false_on_a_request_never_started_and_true_after_wait(latency, cat) -> None:
    request = latency.create_infer_request()
    assert request.wait_for(0) is False
    assert request.wait_for(10) is False
    request.start_async(cat)
    request.wait()
    assert request.wait_for(0) is True


@pytest.mark.serial  # latencies against the wall time: run alone (Makefile)
def test_four_latencies_started_together_add_up_to_more_than_the_wall_time(latency, cat) -> None:
    assert int(latency.get_property("NUM_STREAMS")) == 1
    four = [latency.create_infer_request() for _ in range(4)]
    for request in four:
        request.infer(cat)  # warm-up: the first inference allocates memory
    longest, total = [], []
    for _ in range(3):
        t0 = time.perf_counter()
        for request in four:
            request.start_async(cat)
        for request in four:
            request.wait()
        wall_ms = (time.perf_counter() - t0) * 1e3
        latencies = [request.latency for request in four]
        longest.append(max(latencies) / wall_ms)
        total.append(sum(latencies) / wall_ms)
    # One stream runs the four one after another. Without the wait each latency would be about a
    # quarter of the wall time (sum about 1x); with it the last one spans nearly all of it and the
    # sum is about 2.5x.
    assert np.median(longest) > 0.7, longest
    assert np.median(total) > 1.6, total


def test_latency_hint_compiles_one_stream_and_throughput_more(latency, throughput) -> None:
    assert int(latency.get_property("NUM_STREAMS")) == 1
    assert int(throughput.get_property("NUM_STREAMS")) >= 1
    if len(os.sched_getaffinity(0)) >= 2:
        assert int(throughput.get_property("NUM_STREAMS")) >= 2


@pytest.mark.parametrize("hint", ["LATENCY", "THROUGHPUT"])
def test_jobs_zero_means_optimal_number_of_infer_requests(hint, latency, throughput) -> None:
    compiled = {"LATENCY": latency, "THROUGHPUT": throughput}[hint]
    optimal = int(compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
    assert len(ov.AsyncInferQueue(compiled, 0)) == optimal
    if hint == "LATENCY":
        assert optimal == 1
    else:
        assert optimal >= int(compiled.get_property("NUM_STREAMS"))


def test_output_tensor_data_is_a_view_that_the_next_inference_overwrites(latency, cat, coffee) -> None:
    request = latency.create_infer_request()
    returned = request.infer(cat)[0]
    view = request.get_output_tensor().data
    kept = request.results[0]
    assert np.shares_memory(view, request.get_output_tensor().data)
    assert not np.shares_memory(returned, view) and not np.shares_memory(kept, view)
    cat_logits = view.copy()
    request.infer(coffee)
    assert not np.array_equal(view, cat_logits), "the view did not change with the next inference"
    assert np.array_equal(returned, cat_logits) and np.array_equal(kept, cat_logits)
    # share_outputs=True returns the view instead.
    assert np.shares_memory(request.infer(cat, share_outputs=True)[0], request.get_output_tensor().data)


def test_infer_and_start_async_copy_inputs_unless_shared(latency, cat) -> None:
    x = cat.copy()
    request = latency.create_infer_request()
    request.infer(x)
    assert not np.shares_memory(request.get_input_tensor().data, x)
    request.start_async(x)
    request.wait()
    assert not np.shares_memory(request.get_input_tensor().data, x)
    shared = latency.create_infer_request()
    shared.infer(x, share_inputs=True)
    assert np.shares_memory(shared.get_input_tensor().data, x)
    assert inspect.signature(ov.InferRequest.infer).parameters["share_inputs"].default is False
    assert inspect.signature(ov.InferRequest.start_async).parameters["share_inputs"].default is False


def test_calling_the_compiled_model_shares_inputs_by_default(core, cat) -> None:
    compiled = build_static_classifier(core, SHIPPED_MODEL, "CPU", F32)
    x = cat.copy()
    compiled(x)
    # The call runs on the compiled model's own request (a private attribute of the Python API).
    inner = compiled._infer_request
    assert np.shares_memory(inner.get_input_tensor().data, x)
    assert inspect.signature(ov.CompiledModel.__call__).parameters["share_inputs"].default is True


def test_tensor_copies_an_array_unless_shared_memory(cat) -> None:
    assert not np.shares_memory(ov.Tensor(cat).data, cat)
    assert np.shares_memory(ov.Tensor(cat, shared_memory=True).data, cat)


def test_infer_request_has_no_inputs_or_outputs_attribute(latency) -> None:
    request = latency.create_infer_request()
    assert not hasattr(request, "inputs") and not hasattr(request, "outputs")
    assert [list(t.shape) for t in request.input_tensors] == [[1, 224, 224, 3]]
    assert [list(t.shape) for t in request.output_tensors] == [[1, 1000]]
    # The ports of the compiled model keep the name.
    assert [p.get_any_name() for p in latency.inputs] == ["image"]


def test_get_idle_request_id_names_the_request_that_start_async_takes(throughput, cat) -> None:
    queue = ov.AsyncInferQueue(throughput, 2)  # no callback
    for i in range(12):
        idle = queue.get_idle_request_id()
        queue.start_async(cat, f"input {i}")
        assert queue.userdata[idle] == f"input {i}"
    queue.wait_all()


def test_a_queue_callback_cannot_be_removed(throughput) -> None:
    queue = ov.AsyncInferQueue(throughput, 1)
    with pytest.raises(TypeError):
        queue.set_callback(None)


def test_queue_getitem_docstring_allows_only_read_only_use() -> None:
    doc = " ".join(ov.AsyncInferQueue.__getitem__.__doc__.split())
    assert "guaranteed to work with read-only methods" in doc
    assert "will put the parent AsyncInferQueue object in an invalid state" in doc


def test_infer_releases_the_gil_while_it_runs(core) -> None:
    compiled = core.compile_model(conv_stack(), "CPU", {"PERFORMANCE_HINT": "LATENCY"})
    request = compiled.create_infer_request()
    x = np.ones((1, 3, 512, 512), np.float32)
    request.infer(x)  # warm-up
    started, state = threading.Event(), {"finished": False}

    def run() -> None:
        started.set()
        request.infer(x)
        state["finished"] = True

    interval = sys.getswitchinterval()
    sys.setswitchinterval(30)  # no forced GIL hand-over: only a thread that releases it lets another run
    try:
        worker = threading.Thread(target=run)
        worker.start()
        started.wait()
        # The main thread runs again only when the worker releases the GIL; if infer() held it,
        # the worker would have finished before this line.
        finished_when_main_ran = state["finished"]
        worker.join()
    finally:
        sys.setswitchinterval(interval)
    assert finished_when_main_ran is False


def test_cancel_makes_wait_raise_and_the_request_runs_again(core) -> None:
    compiled = core.compile_model(conv_stack(), "CPU", {"PERFORMANCE_HINT": "LATENCY"})
    request = compiled.create_infer_request()
    big = np.ones((1, 3, 768, 768), np.float32)
    request.infer(big)  # warm-up
    request.start_async(big)
    request.cancel()
    with pytest.raises(RuntimeError, match="canceled"):
        request.wait()
    small = np.ones((1, 3, 16, 16), np.float32)
    request.infer(small)
    assert list(request.get_output_tensor().shape) == [1, 3, 16, 16]


def test_profiling_info_lists_the_executed_nodes_with_perf_count(core, cat) -> None:
    compiled = build_static_classifier(core, SHIPPED_MODEL, "CPU", {**F32, "PERF_COUNT": True})
    request = compiled.create_infer_request()
    request.infer(cat)
    infos = request.get_profiling_info()
    assert len(infos) == len(request.profiling_info) > 0
    executed = [i for i in infos if i.status == ov.ProfilingInfo.Status.EXECUTED]
    assert executed and all(i.node_name and i.node_type and i.exec_type for i in executed)
    assert any(i.node_type == "Convolution" for i in executed)
