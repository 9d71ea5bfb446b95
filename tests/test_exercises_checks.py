"""The exercise checks called directly (no kernel): the machinery they share, and the hints they print.

The notebook-level runs (every WRONG and SHORTCUTS answer, every solution) are in tests/test_exercises.py;
here each check is tied to the observation that catches a shortcut: a request or queue of the check's
own that notes how it was used, and photos made at check time.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from helpers.exercises import check, nb01, nb02, nb03, nb04, nb05, reference
from helpers.exercises.watch import WatchedQueue, WatchedRequest
from helpers.images import read_for_model
from helpers.labels import softmax


@pytest.fixture(scope="module")
def model():
    return reference.reference_model()


def line(capsys) -> str:
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out  # one line per check
    return out.strip()


def test_check_reports_a_string_verdict_as_the_hint(capsys):
    check("x", (1,), lambda v: "a hint of its own", "the default hint")
    assert line(capsys) == "✗ x: a hint of its own"
    check("x", (1,), lambda v: 1 / 0, "the default hint")
    assert line(capsys).startswith("✗ x: the default hint (the check raised ZeroDivisionError")
    check("x", (...,), lambda v: True, "h")
    assert line(capsys) == "⏳ x: not answered yet"


def skeleton(request, name):
    def on_done(request, name) -> None: ...

    return on_done


def flips(image):
    return image[..., ::-1]  # an Ellipsis in a subscript is no placeholder


def test_a_skeleton_as_given_is_not_answered_and_a_filled_one_is_judged(capsys):
    check("x", (skeleton,), lambda f: True, "h")
    assert line(capsys) == "⏳ x: not answered yet (replace each ... in the cell)"
    check("x", (flips,), lambda f: True, "h")
    assert line(capsys) == "✅ x: correct"
    check("x", (len,), lambda f: False, "h")  # no Python source to read: judged by running it
    assert line(capsys) == "✗ x: h"


def test_held_out_photos_are_new_files_with_a_clear_top1():
    probs = reference.reference_probs()
    with reference.held_out_folder() as paths:
        assert [p.name for p in paths] == list(probs)
        assert all(p.is_file() for p in paths)
        folder = paths[0].parent
    assert not folder.exists()  # removed after the check
    for p in probs.values():
        second, first = np.sort(p)[-2:]
        assert first - second > 0.3


def test_watched_request_holds_the_result_until_the_first_poll(model):
    request = WatchedRequest(model)
    batch = next(iter(reference.held_out_batches().values()))
    request.start_async(batch, "a")
    polls = [request.wait_for(1)]
    while not polls[-1]:
        polls.append(request.wait_for(1))
    assert polls[0] is False and polls[-1] is True
    assert request.count("start_async") == 1 and request.count("wait_for") == len(polls)


def test_watched_queue_keeps_escaping_errors_and_counts(model):
    queue = WatchedQueue(model, 2)
    queue.set_callback(lambda request, name: 1 / 0)
    for name, batch in reference.held_out_batches().items():
        queue.start_async(batch, name)
    queue.wait_all()
    assert len(queue.started) == len(queue.callbacks) == len(queue.escaped) == 5
    assert queue.off_main_thread()


def test_01_throughput_rejects_a_typed_number(capsys):
    nb01.check_throughput(
        lambda core, m, d: (core.compile_model(m, d, {"PERFORMANCE_HINT": "THROUGHPUT"}), 2)
    )
    assert "OPTIMAL_NUMBER_OF_INFER_REQUESTS" in line(capsys)


def test_02_copy_output_needs_the_requests_own_output(capsys, model):
    def not_run(request, x):
        request.get_input_tensor().data[:] = x
        return np.zeros(request.get_output_tensor().data.shape, np.float32)

    nb02.check_copy_output(not_run)
    assert line(capsys).startswith("✗ 02-copy-output: the logits are not the request's own output")


def test_03_unsure_needs_the_callback_to_raise(capsys):
    def never_raises(request, paths, threshold):
        request.set_callback(lambda name: None, None)
        for p in paths:
            request.start_async(read_for_model(p), p.name)
            request.wait()
        return [p.name for p in paths if reference.reference_probs()[p.name].max() < threshold]

    nb03.check_unsure(never_raises)
    assert line(capsys).startswith("✗ 03-unsure: your callback raised for []")


def test_04_safe_callback_sees_an_escaping_error(capsys):
    nb04.check_safe_callback(lambda check, failed: check)
    assert line(capsys).startswith("✗ 04-safe-callback: an error escaped your callback")


def test_05_feed_widget_wrong_thread_and_right(capsys):
    labels = reference.labels()

    def direct(found, status, schedule):
        def on_found(request, name):
            found[name] = labels[int(request.get_output_tensor(0).data.argmax())]
            status.value = f"{len(found)} classified"

        return on_found

    nb05.check_feed_widget(direct)
    assert line(capsys).startswith("✗ 05-feed-widget: status was changed on an OpenVINO thread")

    def scheduled(found, status, schedule):
        def on_found(request, name):
            found[name] = labels[int(request.get_output_tensor(0).data.argmax())]
            schedule(lambda: setattr(status, "value", f"{len(found)} classified"))

        return on_found

    nb05.check_feed_widget(scheduled)  # the check runs the waiting changes on this thread
    assert line(capsys) == "✅ 05-feed-widget: correct"
    assert threading.current_thread() is threading.main_thread()


def test_05_patch_callback_each_problem_named(capsys):
    def maker(value_of):
        def make_on_patch(probs, class_id):
            def on_patch(request, index):
                probs[index] = value_of(softmax(request.get_output_tensor(0).data[0]), class_id, index)

            return on_patch

        return make_on_patch

    nb05.check_patch_callback("a function")
    assert line(capsys).startswith("✗ 05-patch-callback: make_on_patch should be a function")
    nb05.check_patch_callback(lambda probs, class_id: None)
    assert line(capsys).startswith("✗ 05-patch-callback: make_on_patch(probs, class_id) should return")
    nb05.check_patch_callback(maker(lambda p, c, i: p.max()))  # the top-1's probability, not class_id's
    assert line(capsys).startswith("✗ 05-patch-callback: wrong values")
    nb05.check_patch_callback(maker(lambda p, c, i: p[c] if i else np.nan))  # one slot left empty
    assert line(capsys).startswith("✗ 05-patch-callback: not every probs[index] was filled")
    nb05.check_patch_callback(maker(lambda p, c, i: {}[i]))  # KeyError in the callback
    assert line(capsys).startswith("✗ 05-patch-callback: the callback raised")
    nb05.check_patch_callback(maker(lambda p, c, i: p[c]))
    assert line(capsys) == "✅ 05-patch-callback: correct"
