"""The decode-ahead pool (``images.prefetch``) and the zero-copy queue feeding (``helpers.pipeline``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import openvino as ov
import pytest
from expected import EXPECTED_TOP1
from test_queue_runner import big_and_small, top1_label, top5_ids

from helpers import images, models, paths, pipeline, queue_runner

PHOTOS = images.list_image_files(paths.IMAGES_DIR)
F32 = {"INFERENCE_PRECISION_HINT": "f32"}


@pytest.fixture(scope="module")
def static_classifier(core: ov.Core) -> ov.CompiledModel:
    return models.build_static_classifier(
        core, paths.SHIPPED_MODEL, "CPU", {**F32, "PERFORMANCE_HINT": "THROUGHPUT"}
    )


@pytest.fixture(scope="module")
def dynamic(core: ov.Core) -> ov.CompiledModel:
    """A two-stream classifier with a dynamic input: ``run_batches`` copies photos of any size into it."""
    config = {**F32, "PERFORMANCE_HINT": "THROUGHPUT", "NUM_STREAMS": 2}
    return models.build_classifier(core, paths.SHIPPED_MODEL, "CPU", config)


def wait_until(condition, seconds: float = 10.0) -> bool:
    """Poll ``condition()`` until it holds or ``seconds`` pass (a hang guard, not a timing check)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def prefetch_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("prefetch-")]


def test_prefetch_keeps_input_order_and_puts_each_error_in_its_place(tmp_path):
    (tmp_path / "empty.png").write_bytes(b"")
    inputs = [*PHOTOS, tmp_path / "empty.png", *reversed(PHOTOS), tmp_path / "missing.jpg"]
    out = list(images.prefetch(inputs, 224, workers=3, depth=5))
    assert [name for name, _ in out] == [images.ImageReadError(p, "").path for p in inputs]
    for path, (_, batch) in zip(inputs, out, strict=True):
        if path.parent == tmp_path:
            assert isinstance(batch, images.ImageReadError)
            continue
        assert np.array_equal(batch, images.read_for_model(path))
        assert batch.shape == (1, 224, 224, 3) and batch.dtype == np.uint8
        assert batch.flags.writeable and batch.flags.c_contiguous  # a request may share it as it is
    assert out[len(PHOTOS)][1].reason == "file is empty"
    assert out[-1][1].reason == "file not found"


def test_prefetch_takes_at_most_depth_paths_ahead_of_the_caller():
    taken = []

    def lazy() -> Iterator[Path]:
        for i in range(200):
            taken.append(i)
            yield PHOTOS[i % len(PHOTOS)]

    depth = 3
    stream = images.prefetch(lazy(), 224, workers=2, depth=depth)
    next(stream)  # the caller holds one batch and asks for no more
    assert wait_until(lambda: len(taken) == 1 + depth)  # the pool fills up to the bound ...
    time.sleep(0.3)
    assert len(taken) == 1 + depth  # ... and stops there
    stream.close()
    assert wait_until(lambda: not prefetch_threads())  # closing early stops the pool


def test_prefetch_hands_on_an_error_of_the_paths_iterator_after_the_batches_before_it():
    def broken() -> Iterator[Path]:
        yield from PHOTOS[:2]
        raise OSError("the folder went away")

    stream = images.prefetch(broken(), 224, workers=2, depth=4)
    assert [name for name, _ in (next(stream), next(stream))] == [
        images.ImageReadError(p, "").path for p in PHOTOS[:2]
    ]
    with pytest.raises(OSError, match="the folder went away"):
        next(stream)
    assert wait_until(lambda: not prefetch_threads())


def test_prefetch_re_raises_a_failure_that_is_not_a_bad_image_instead_of_hanging():
    stream = images.prefetch([PHOTOS[0], 42, PHOTOS[1]], 224, workers=2, depth=4)  # 42 is not a path
    assert next(stream)[0].endswith(PHOTOS[0].name)
    with pytest.raises(TypeError):
        next(stream)


def test_static_image_size_and_zero_copy_only_for_a_static_input(core, static_classifier, classifier):
    assert pipeline.static_image_size(static_classifier) == 224
    assert pipeline.zero_copy_safe(static_classifier)
    assert pipeline.static_image_size(classifier) is None  # the dynamic PPP classifier of notebook 01
    assert not pipeline.zero_copy_safe(classifier)
    with pytest.raises(ValueError, match="static u8"):
        pipeline.classify_files(classifier, PHOTOS)


def test_classify_files_gives_each_file_its_own_result_in_input_order(tmp_path, static_classifier):
    (tmp_path / "notes.png").write_text("not a picture\n")
    files = [*PHOTOS, tmp_path / "notes.png", *PHOTOS, *PHOTOS]
    done = pipeline.classify_files(static_classifier, files, jobs=4, workers=2, depth=3)
    good = [f for f in files if f.parent != tmp_path]
    assert done.names == [images.ImageReadError(p, "").path for p in good]
    assert [str(e) for e in done.bad] == [
        f"{images.ImageReadError(tmp_path / 'notes.png', '').path}: not a recognised image format"
    ]
    assert done.run.errors == []
    request = static_classifier.create_infer_request()
    for path, logits in zip(good, done.run.results, strict=True):
        expected = request.infer({0: images.read_for_model(path)})[0]
        # Zero-copy: each result comes from its own batch, never from a reused or freed buffer.
        np.testing.assert_allclose(logits, expected, rtol=0, atol=1e-4)


def test_run_batches_leaves_no_request_pointing_at_the_callers_arrays(static_classifier):
    queue = ov.AsyncInferQueue(static_classifier, 2)
    batches = [images.read_for_model(p) for p in PHOTOS]
    pipeline.run_batches(static_classifier, batches, queue=queue)
    for request in queue:
        held = request.get_input_tensor(0).data
        assert not any(np.shares_memory(held, b) for b in batches)


def test_run_batches_keeps_input_order_and_stores_results_in_the_callers_thread(dynamic, labels, pictures):
    compiled = dynamic
    inputs, expected = big_and_small((compiled, False), labels, pictures)
    threads: dict[str, set[int]] = {"pull": set(), "callback": set()}

    def storing(kind: str):
        def store(request: ov.InferRequest) -> np.ndarray:
            threads[kind].add(threading.get_ident())
            return queue_runner.first_output_copy(request)

        return store

    for kind in threads:
        run = pipeline.run_batches(compiled, inputs, jobs=2, store=storing(kind), callback=kind == "callback")
        assert run.errors == [] and run.ok == len(inputs)
        assert [top1_label(r, labels) for r in run.results] == expected, kind
    assert threads["pull"] == {threading.get_ident()}
    assert threading.get_ident() not in threads["callback"], "the callback ran in this thread"


def test_run_batches_records_bad_inputs_and_store_errors_per_index(dynamic, labels, pictures):
    compiled = dynamic
    photos = list(pictures.values())
    inputs = [photos[0], np.zeros((1, 8, 8), np.uint8), photos[1], photos[2], photos[3]]
    refused = EXPECTED_TOP1[list(pictures)[1]]  # the photo at index 2

    def store(request: ov.InferRequest) -> np.ndarray:
        logits = queue_runner.first_output_copy(request)
        if top1_label(logits, labels) == refused:
            raise RuntimeError("store refuses this photo")
        return logits

    run = pipeline.run_batches(compiled, inputs, jobs=2, store=store)
    assert sorted(f.userdata for f in run.errors) == [1, 2]
    assert {type(f.error).__name__ for f in run.errors} == {"InputMismatch", "RuntimeError"}
    assert [r is None for r in run.results] == [False, True, True, False, False]
    assert [top1_label(r, labels) for r in run.results if r is not None] == [
        EXPECTED_TOP1[n] for n in (list(pictures)[0], list(pictures)[2], list(pictures)[3])
    ]


def test_tensor_start_is_the_queues_start_async_without_the_python_layer(pictures, core):
    compiled = models.build_static_classifier(core, paths.SHIPPED_MODEL, "CPU")
    queue = ov.AsyncInferQueue(compiled, 2)
    start = pipeline.tensor_start(queue)
    assert start.__func__ is not ov.AsyncInferQueue.start_async, "the Python wrapper was not skipped"
    photos = [images.read_for_model(paths.IMAGES_DIR / name) for name in pictures]
    done = {}
    queue.set_callback(lambda request, i: done.__setitem__(i, queue_runner.first_output_copy(request)))
    for i, x in enumerate(photos):
        start(ov.Tensor(x, shared_memory=True), i)
    queue.wait_all()
    request = compiled.create_infer_request()
    assert [top5_ids(done[i]) for i in range(len(photos))] == [top5_ids(request.infer(x)[0]) for x in photos]

    class Wrapped(ov.AsyncInferQueue):
        pass

    other = Wrapped(compiled, 1)
    assert pipeline.tensor_start(other) == other.start_async  # a subclass keeps its own start_async
