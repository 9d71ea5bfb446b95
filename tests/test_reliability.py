"""Reliability (issue 8), helpers level: bad inputs, callback and inference faults, the exit race,
interrupts, and the integrity of shipped models and of the IR cache.

Anything that could abort the interpreter if a helper regressed runs in a child process whose exit
code is asserted, so an abort fails the test instead of killing pytest. The CLI-level twins of
these tests are in tests/test_reliability_cli.py, the kernel interrupt in
tests/test_kernel_interrupt.py and the 20,000-inference soak in tests/soak/.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import openvino as ov
import openvino.opset13 as ops
import pytest
from PIL import Image
from reliability_inputs import CAT_TOP1, LARGE_SIZE, make_zoo, printable, write_large_jpeg, zoo_inputs

from helpers import images, labels, models, paths, queue_runner

GB = 1 << 30
# The interrupt requirement of issue 8: a run stops within 2 s of Ctrl-C (measured: well under 0.5 s).
INTERRUPT_DEADLINE_S = 2.0

# A small convolution network built in the child processes: it compiles in ~0.1 s, each input gives
# its own output (so a result delivered to the wrong index is caught), and, like the classifier,
# it reproduces OpenVINO's exit-time abort when a queue is freed right before the interpreter exits.
CONV_MODEL = """
import numpy as np
import openvino as ov
import openvino.opset13 as ops

def conv_model(layers: int = 2) -> ov.Model:
    x = ops.parameter([1, 8, 16, 16], ov.Type.f32, name="x")
    w = ops.constant(np.random.default_rng(0).standard_normal((8, 8, 3, 3)).astype(np.float32) * 0.2)
    y = x
    for _ in range(layers):
        y = ops.relu(ops.convolution(y, w, [1, 1], [1, 1], [1, 1], [1, 1]))
    return ov.Model([ops.reduce_mean(y, ops.constant([2, 3]), False)], [x], "convs")
"""


def run_child(code: str, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter (cwd = repo root) and return the finished process."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=paths.REPO_ROOT,
    )


def last_json(proc: subprocess.CompletedProcess[str]) -> dict:
    """The JSON object a child printed on its last stdout line, after checking that it exited 0."""
    assert proc.returncode == 0, f"child exited {proc.returncode}:\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------
# Bad inputs through helpers.images: one line each, and every good input still classified
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zoo(tmp_path_factory):
    root = tmp_path_factory.mktemp("zoo")
    return root, make_zoo(root)


def test_every_bad_input_is_one_line_and_every_good_one_is_classified(zoo, classifier, labels):
    root, cases = zoo
    good, errors = images.load_images(zoo_inputs(root))

    expected_good = [c for c in cases if c.good]
    assert [g.name for g in good] == [str(c.path) for c in expected_good]
    expected_bad = [c for c in cases if not c.good]
    assert len(errors) == len(expected_bad), [str(e) for e in errors]
    for case, err in zip(expected_bad, errors, strict=True):
        message = str(err)
        assert message == f"{printable(case.path)}: {err.reason}", case.note
        assert case.reason in err.reason, (case.note, message)
        assert "\n" not in message and "Traceback" not in message
        message.encode("utf-8")  # printable even for the non-UTF-8 file name

    pixels = {c.note: g.pixels for c, g in zip(expected_good, good, strict=True)}
    for arr in pixels.values():
        assert arr.dtype == np.uint8 and arr.ndim == 3 and arr.shape[2] == 3 and arr.flags.c_contiguous
    assert tuple(pixels["animated GIF"][10, 15]) == (255, 0, 0)  # the first frame, not the last
    assert pixels["1x1 image"].shape == (1, 1, 3) and tuple(pixels["1x1 image"][0, 0]) == (10, 200, 30)
    upright = pixels["EXIF-rotated JPEG"]
    assert upright.shape == (50, 20, 3)  # stored 50 wide x 20 high, displayed rotated
    assert upright[:5, -5:, 0].mean() > 200 and upright[:5, :5, 0].mean() < 50  # the mark is top-right
    assert pixels["very large JPEG (12000x9000)"].shape == (3072, 4096, 3)  # bounded to 4096 px
    assert pixels["16-bit PNG"][0, 0, 0] == 128 and pixels["16-bit PNG"][-1, 0, 0] == 255
    assert tuple(pixels["RGBA PNG"][0, -1]) == (255, 255, 255)  # transparent on white
    # the good file with a non-UTF-8 name can be opened again from the name it is reported under
    assert Path([g.name for g in good if "11-caf" in g.name][0]).is_file()

    run = queue_runner.run_queue(classifier, [g.pixels[None] for g in good], jobs=2)
    assert run.errors == [] and run.ok == len(good)
    for g, result in zip(good, run.results, strict=True):
        np.testing.assert_allclose(
            result, classifier(g.pixels[None], share_inputs=False)[0], atol=1e-4, err_msg=g.name
        )
    cat = run.results[0].reshape(-1)
    assert labels[int(np.argmax(cat))] == CAT_TOP1


# Peak RSS is read from /proc/self/status (VmHWM), the high-water mark of this process's own memory.
# getrusage's ru_maxrss would not do: Linux carries the parent's RSS over fork/exec into the child's
# ru_maxrss, so a child of a big pytest process would "peak" at pytest's size whatever it does.
PEAK_RSS = """
def peak_rss():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
"""

BOUNDED_READ = (
    PEAK_RSS
    + """
import json, sys
from helpers.images import ImageReadError, read_image

base = peak_rss()  # after the imports
try:
    shape, error = list(read_image(sys.argv[1]).shape), None
except ImageReadError as exc:
    shape, error = None, str(exc)
print(json.dumps({"shape": shape, "error": error, "base": base, "peak": peak_rss()}))
"""
)


linux_only = pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="reads VmHWM from /proc")


@linux_only
def test_a_12000x9000_jpeg_is_draft_decoded_in_bounded_memory(tmp_path):
    # A full decode would need 12000 * 9000 * 3 bytes = 324 MB for the pixels alone; the JPEG is
    # decoded at 1/2 scale (6000x4500) and shrunk to 4096 px before any copy.
    big = write_large_jpeg(tmp_path / "large.jpg")
    out = last_json(run_child(BOUNDED_READ, str(big)))
    assert out["error"] is None and out["shape"] == [3072, 4096, 3]
    full_decode = LARGE_SIZE[0] * LARGE_SIZE[1] * 3
    assert out["peak"] - out["base"] < full_decode, out  # measured: ~225 MiB above the baseline
    assert out["peak"] < 1.5 * GB


@linux_only
def test_the_largest_image_that_is_decoded_in_full_stays_under_1_5_gb(tmp_path):
    # Formats that cannot be decoded at reduced scale are decoded in full up to MAX_PIXELS (64 MP);
    # the worst case is a 64 MP RGBA PNG (composited on white, then shrunk to 4096 px).
    side = 8000
    assert side * side <= images.MAX_PIXELS
    rgba = np.zeros((side, side, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[:, : side // 2, 3] = 255
    Image.fromarray(rgba, "RGBA").save(tmp_path / "worst.png", compress_level=1)
    del rgba
    out = last_json(run_child(BOUNDED_READ, str(tmp_path / "worst.png")))
    assert out["error"] is None and out["shape"] == [4096, 4096, 3]
    assert out["peak"] < 1.5 * GB, out  # measured: ~710 MiB


@linux_only
def test_an_image_above_the_pixel_limit_is_refused_before_decoding(tmp_path):
    # 12000x9000 PNG (and any non-JPEG above 64 MP) is refused from its header: no pixels decoded.
    big = np.zeros((LARGE_SIZE[1], LARGE_SIZE[0], 3), np.uint8)
    Image.fromarray(big).save(tmp_path / "large.png", compress_level=1)
    del big
    out = last_json(run_child(BOUNDED_READ, str(tmp_path / "large.png")))
    assert out["shape"] is None
    assert out["error"] == f"{tmp_path / 'large.png'}: image is 12000x9000 (108 MP), above the 64 MP limit"
    assert out["peak"] - out["base"] < 50 * (1 << 20), out


# --------------------------------------------------------------------------------------------
# Bad models and labels: one line naming the file
# --------------------------------------------------------------------------------------------


def _two_outputs(path: Path) -> None:
    a = ops.parameter([1, 3], ov.Type.f32, name="a")
    ov.save_model(ov.Model([ops.relu(a), ops.abs(a)], [a], "two_outputs"), path)


def _weights_missing(path: Path) -> None:
    a = ops.parameter([1, 3], ov.Type.f32, name="a")
    model = ov.Model([ops.add(a, ops.constant(np.ones((1, 3), np.float32)))], [a], "weights")
    ov.save_model(model, path, compress_to_fp16=False)
    path.with_suffix(".bin").write_bytes(b"")  # a .bin cut off at zero bytes


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        (
            "half.onnx",
            lambda p: p.write_bytes(paths.SHIPPED_MODEL.read_bytes()[:5_000_000]),
            "cannot be read",
        ),
        ("empty.onnx", lambda p: p.write_bytes(b""), "cannot be read as a model"),
        ("two-outputs.xml", _two_outputs, "Sample supports only single output topologies (this model has 2)"),
        ("weights.xml", _weights_missing, "cannot be read as a model"),
        ("folder.onnx", lambda p: p.mkdir(), "is a folder"),
    ],
)
def test_a_bad_model_is_one_line_naming_the_file(tmp_path, core, name, make, reason):
    # (missing file, corrupt .xml and the two-input model are in tests/test_models.py)
    make(tmp_path / name)
    with pytest.raises(models.ModelError) as info:
        models.read_model(core, tmp_path / name)
    message = str(info.value)
    assert message.startswith(f"{tmp_path / name}: ") and reason in message
    assert "\n" not in message and "Traceback" not in message


def test_unusable_labels_files_warn_in_one_line(tmp_path):
    # (a wrong line count is in tests/test_labels.py)
    (tmp_path / "latin1.labels").write_bytes("caf\xe9\n".encode("latin-1") * 1000)
    for path, reason in [
        (tmp_path / "latin1.labels", "cannot be read"),
        (tmp_path / "no.labels", "not found"),
    ]:
        names, warning = labels.load_labels(path, 1000)
        assert names is None and str(path) in warning and reason in warning and "class ids" in warning
        assert "\n" not in warning


# --------------------------------------------------------------------------------------------
# Callback faults and inference faults
# --------------------------------------------------------------------------------------------

CALLBACK_FAULTS = (
    CONV_MODEL
    + """
import json, random
from helpers import queue_runner, workarounds

class CallbackFailed(RuntimeError):
    pass

config = {"PERFORMANCE_HINT": "THROUGHPUT", "NUM_STREAMS": 2, "INFERENCE_PRECISION_HINT": "f32"}
compiled = ov.Core().compile_model(conv_model(), "CPU", config)  # two streams: out-of-order completion
queue = ov.AsyncInferQueue(compiled, 4)  # one queue object for all 100 runs
port = compiled.input(0)
rng = random.Random(8)
runs, per_run, problems, raised, refused = 100, 8, [], 0, 0

def bare_queue_run(inputs, failing):
    # The notebooks' pattern: SafeCallback around a callback that raises, an input check first.
    results = {}

    def callback(request, index):
        if index in failing:
            raise CallbackFailed(f"callback refused input {index}")
        results[index] = request.get_output_tensor(0).data.copy()

    safe = workarounds.SafeCallback(callback)
    queue.set_callback(safe)
    check = workarounds.input_checker(port)
    for i, x in enumerate(inputs):
        try:
            check(x)
        except workarounds.InputMismatch as exc:
            safe.record(i, exc)
            continue
        queue.start_async({0: x}, i)
    queue.wait_all()
    return [results.get(i) for i in range(len(inputs))], safe.errors

def run_queue_run(inputs, failing, reference):
    # queue_runner.run_queue with a store() that raises; store sees the request, so it finds the input
    # by its output (every input here has its own).
    def store(request):
        out = request.get_output_tensor(0).data.copy()
        index = int(np.argmin([np.abs(r - out).max() for r in reference]))
        if index in failing:
            raise CallbackFailed(f"callback refused input {index}")
        return out

    run = queue_runner.run_queue(compiled, inputs, queue=queue, store=store)
    return run.results, run.errors

for run_no in range(runs):
    rs = np.random.default_rng(run_no)
    inputs = [rs.standard_normal((1, 8, 16, 16)).astype(np.float32) for i in range(per_run)]
    reference = [compiled(x, share_inputs=False)[0] for x in inputs]  # synchronous results
    failing = set(rng.sample(range(per_run), rng.randint(0, 4)))  # the callback raises for these
    wrong = set(rng.sample(sorted(set(range(per_run)) - failing), rng.randint(0, 2)))
    for i in wrong:  # the wrong type or shape: must never reach start_async
        inputs[i] = inputs[i].astype(np.float64) if i % 2 else inputs[i][:, :4]
    if run_no % 2:
        results, errors = bare_queue_run(inputs, failing)
    else:
        results, errors = run_queue_run(inputs, failing, reference)
    seen = [f.userdata for f in errors]
    if sorted(seen) != sorted(failing | wrong) or len(seen) != len(set(seen)):
        problems.append([run_no, "errors", sorted(seen), sorted(failing | wrong)])
    for f in errors:
        kind = "InputMismatch" if f.userdata in wrong else "CallbackFailed"
        if type(f.error).__name__ != kind or not str(f).startswith(f"userdata={f.userdata}: {kind}: "):
            problems.append([run_no, "fault", str(f)])
    for i, result in enumerate(results):
        if i in failing | wrong:
            if result is not None:
                problems.append([run_no, "result where it failed", i])
        elif result is None or not np.allclose(result, reference[i], rtol=1e-5, atol=1e-6):
            problems.append([run_no, "wrong or missing result", i])
    raised += len(failing)
    refused += len(wrong)
print(json.dumps({"runs": runs, "raised": raised, "refused": refused, "problems": problems[:10],
                  "ready": queue.is_ready()}))
"""
)


def test_100_runs_with_raising_callbacks_and_wrong_inputs_never_abort(tmp_path):
    # 100 runs on ONE queue: a seeded random subset of callbacks raise and a few inputs have the
    # wrong type or shape. The child must exit 0, report every fault exactly once with its
    # userdata, and deliver every other result equal to the synchronous one.
    out = last_json(run_child(CALLBACK_FAULTS))
    assert out["problems"] == []
    assert out["runs"] == 100 and out["raised"] > 100 and out["refused"] > 50  # the faults did happen
    assert out["ready"] is True


RAW_RAISING_CALLBACK = (
    CONV_MODEL
    + """
compiled = ov.Core().compile_model(conv_model(), "CPU")
queue = ov.AsyncInferQueue(compiled, 2)

def callback(request, userdata):
    raise ValueError(f"callback failed on {userdata}")

queue.set_callback(callback)
x = np.zeros((1, 8, 16, 16), np.float32)
for i in range(8):
    try:
        queue.start_async({0: x}, i)
    except Exception as exc:  # the first error comes back here; the second one aborts
        print("re-raised:", exc, flush=True)
queue.wait_all()
print("survived")
"""
)


def test_without_safecallback_a_second_callback_error_aborts_the_interpreter():
    # The fact that SafeCallback exists for (OpenVINO 2026.4): the harness above would see this.
    proc = run_child(RAW_RAISING_CALLBACK)
    assert proc.returncode in (-signal.SIGABRT, 128 + signal.SIGABRT), proc.returncode
    assert "re-raised: callback failed on" in proc.stdout and "survived" not in proc.stdout
    assert "terminate called" in proc.stderr


BAD_START_ASYNC = (
    CONV_MODEL
    + """
import json
from helpers import queue_runner

compiled = ov.Core().compile_model(conv_model(), "CPU")
good = np.ones((1, 8, 16, 16), np.float32)
wrong = np.ones((1, 8, 16, 17), np.float32)
out = {}

raw = ov.AsyncInferQueue(compiled, 1)
raw.set_callback(lambda request, userdata: None)
try:
    raw.start_async({0: wrong}, 0)
except RuntimeError as exc:
    out["raw_error"] = str(exc).splitlines()[0]
out["raw_ready_after"] = raw.is_ready()  # False: the one request never comes back

queue = ov.AsyncInferQueue(compiled, 1)
first = queue_runner.run_queue(compiled, [wrong, good, wrong.astype(np.float64), good], queue=queue)
out["errors"] = [str(f) for f in first.errors]
out["ok_at"] = [i for i, r in enumerate(first.results) if r is not None]
out["ready_after"] = queue.is_ready()
again = queue_runner.run_queue(compiled, [good] * 5, queue=queue)  # the same queue object, reused
out["again_ok"] = again.ok
expected = compiled(good, share_inputs=False)[0]
out["same"] = all(np.array_equal(r, expected) for r in first.results + again.results if r is not None)
print(json.dumps(out))
"""
)


def test_a_wrong_input_never_reaches_start_async_so_the_request_is_released():
    out = last_json(run_child(BAD_START_ASYNC, timeout=60))
    # Control: straight into start_async, the wrong shape raises AND keeps the only request busy,
    # so the next start_async would wait forever.
    assert "raw_error" in out and out["raw_ready_after"] is False
    # Through run_queue: refused with a one-line reason, the request stays free, the queue works.
    assert out["errors"] == [
        "userdata=0: InputMismatch: input shape (1, 8, 16, 17) but the model takes [1,8,16,16]",
        "userdata=2: InputMismatch: input dtype float64 but the model takes float32",
    ]
    assert out["ok_at"] == [1, 3] and out["ready_after"] is True
    assert out["again_ok"] == 5 and out["same"] is True


LINGERING_CALLBACK = (
    CONV_MODEL
    + """
import json, sys
from helpers import queue_runner

compiled = ov.Core().compile_model(conv_model(), "CPU")
data = np.ones((1, 8, 16, 16), np.float32)
lingering = 0
for _ in range(50):
    def store(request):
        return request.get_output_tensor(0).data.copy()

    before = sys.getrefcount(store)
    queue_runner.run_queue(compiled, [data] * 3, store=store)  # its own queue, freed when it returns
    lingering += sys.getrefcount(store) > before  # still held through the callback by a worker
print(json.dumps({"lingering": lingering}))
"""
)


def test_no_openvino_thread_still_holds_the_callback_when_run_queue_returns():
    # OpenVINO's worker thread drops its copy of the Python callback just after wait_all returns.
    # If the queue is freed first, that thread needs the GIL to drop it, and if the interpreter
    # exits meanwhile the process aborts: "terminate called without an active exception" (a
    # script exiting right after run_queue aborted in 2 to 9 of 12-20 runs). A callback still
    # alive when run_queue returns is that abort's precondition and can be counted in-process.
    # Without workarounds.let_callbacks_settle it was so after 13 to 141 of 100-200 calls in most
    # processes (0 in about 1 process of 6, so 6 are run); with it, after none. Each child also
    # exits right after its last run_queue, so its exit code checks the abort itself.
    children = []
    for _ in range(3):  # two at a time: 6 children x 50 calls
        pair = [
            subprocess.Popen(
                [sys.executable, "-c", LINGERING_CALLBACK],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=paths.REPO_ROOT,
            )
            for _ in range(2)
        ]
        children += [(p, *p.communicate(timeout=120)) for p in pair]
    assert [(p.returncode, err[-300:]) for p, _, err in children if p.returncode != 0] == []
    assert [json.loads(out)["lingering"] for _, out, _ in children] == [0] * 6


# --------------------------------------------------------------------------------------------
# Ctrl-C during a long run
# --------------------------------------------------------------------------------------------

INTERRUPTED_RUN = """
import itertools, json, signal, sys, time
# A process started in the background by a non-interactive shell inherits SIGINT ignored, and Python
# then installs no KeyboardInterrupt handler: the test would wait forever. Ctrl-C's own handler:
signal.signal(signal.SIGINT, signal.default_int_handler)
import numpy as np
import openvino as ov
from helpers import models, paths, queue_runner

mode = sys.argv[1]
compiled = models.build_classifier(ov.Core(), paths.SHIPPED_MODEL, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
image = np.random.default_rng(0).integers(0, 256, (1, 64, 64, 3), dtype=np.uint8)
reference = compiled(image, share_inputs=False)[0]
queue = ov.AsyncInferQueue(compiled, 2)
announced = []

def progress(done):
    if done >= 4 and not announced:
        announced.append(done)
        print("running", flush=True)

try:
    if mode == "queue":  # a stream of 100,000 inputs, read lazily: about half an hour of work
        queue_runner.run_queue(compiled, itertools.repeat(image, 100_000), queue=queue, progress=progress)
    else:
        request = compiled.create_infer_request()
        print("running", flush=True)
        queue_runner.run_restarting_request(request, [image] * 100_000)
    print(json.dumps({"finished": True}))
except KeyboardInterrupt:
    print("interrupted", flush=True)
    after = queue_runner.run_queue(compiled, [image] * 3, queue=queue)  # usable afterwards
    same = all(np.array_equal(r, reference) for r in after.results)
    print(json.dumps({"finished": False, "after_ok": after.ok, "same": same}))
"""


@pytest.mark.parametrize("mode", ["queue", "restart"])
def test_ctrl_c_stops_a_long_run_promptly_and_the_queue_stays_usable(mode):
    # Unbuffered binary pipes: raw readline() takes exactly one line, so communicate() gets the rest.
    proc = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTED_RUN, mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
        cwd=paths.REPO_ROOT,
    )
    try:
        assert proc.stdout.readline().strip() == b"running"
        time.sleep(0.3)  # requests are in flight
        proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        line = proc.stdout.readline().strip()
        stopped_after = time.monotonic() - sent
        out, err = (text.decode() for text in proc.communicate(timeout=60))
    finally:
        proc.kill()
        proc.wait()
    assert line == b"interrupted", err[-2000:]
    assert stopped_after < INTERRUPT_DEADLINE_S
    assert proc.returncode == 0, err[-2000:]
    assert json.loads(out.strip().splitlines()[-1]) == {"finished": False, "after_ok": 3, "same": True}


# --------------------------------------------------------------------------------------------
# Integrity: shipped-model checksums and the atomic IR cache
# --------------------------------------------------------------------------------------------


@pytest.fixture
def shipped_copy(tmp_path, monkeypatch):
    """A copy of data/models (model + card) that helpers.models treats as the shipped folder."""
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copyfile(paths.SHIPPED_MODEL, folder / paths.SHIPPED_MODEL.name)
    shutil.copyfile(models.MODEL_CARD, folder / "README.md")
    monkeypatch.setattr(models, "MODELS_DIR", folder)
    monkeypatch.setattr(models, "MODEL_CARD", folder / "README.md")
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    models.shipped_checksums.cache_clear()
    yield folder / paths.SHIPPED_MODEL.name
    models.shipped_checksums.cache_clear()


def test_an_intact_copy_of_the_shipped_model_loads(shipped_copy, core):
    assert models.shipped_checksums()[shipped_copy.name] == models.sha256_of(shipped_copy)
    assert len(models.read_model(core, shipped_copy).inputs) == 1


@pytest.mark.parametrize("damage", ["one flipped byte", "half-written"])
def test_a_shipped_model_that_differs_from_its_card_is_refused(shipped_copy, core, damage):
    data = bytearray(shipped_copy.read_bytes())
    if damage == "one flipped byte":
        data[len(data) // 2] ^= 0xFF  # still a parseable ONNX file, with one weight changed
    else:
        data = data[: len(data) // 2]
    shipped_copy.write_bytes(bytes(data))
    expected = models.shipped_checksums()[shipped_copy.name]
    with pytest.raises(models.ModelError) as info:
        models.read_model(core, shipped_copy)
    message = str(info.value)
    assert message.startswith(f"{shipped_copy}: SHA-256 ")
    assert f"does not match the model card's {expected[:12]}" in message
    assert "corrupt or half-written" in message and "\n" not in message
