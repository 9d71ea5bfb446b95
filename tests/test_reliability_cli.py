"""Reliability (issue 8) through the command line: ``python -m helpers.cli`` in a subprocess.

tests/test_cli.py covers the sample's format, ordering and most single bad inputs; this file runs
the whole issue-8 zoo (tests/reliability_inputs.py) in ONE run per mode, bounds the CLI's memory
on a 12000x9000 photo, adds the remaining model and labels faults, times Ctrl-C against the
issue's 2 s, and checks that the CLI exits 0 every time (OpenVINO's exit-time abort).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import openvino as ov
import openvino.opset13 as ops
import pytest
from child_signals import default_sigint
from PIL import Image
from reliability_inputs import CAT_TOP1, make_zoo, printable, write_large_jpeg, zoo_inputs

from helpers import images, models, paths

REPO = paths.REPO_ROOT
GB = 1 << 30
INTERRUPT_DEADLINE_S = 2.0  # issue 8: Ctrl-C stops a long run within 2 s (measured: 0.1-0.2 s)
INTERRUPTED = re.compile(
    r"\[ WARNING \] Interrupted: (\d+) of (\d+) images classified; pending requests cancelled"
)


def run_cli(*args: object, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run the sample from the repository root, as a user would."""
    cmd = [sys.executable, "-m", "helpers.cli", *(os.fspath(a) for a in args)]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, encoding="utf-8", timeout=timeout)


def result_blocks(stdout: str) -> list[tuple[str, list[int]]]:
    """``[(name after "Image path: ", [class ids of the table rows]), ...]`` in printed order."""
    out = []
    lines = stdout.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Image path: "):
            k = int(re.fullmatch(r"Top (\d+) results:", lines[i + 1]).group(1))
            ids = [int(row.split()[0]) for row in lines[i + 5 : i + 5 + k]]
            out.append((line[len("Image path: ") :], ids))
    return out


def no_traceback(result: subprocess.CompletedProcess[str]) -> bool:
    return "Traceback" not in result.stdout + result.stderr


# --------------------------------------------------------------------------------------------
# Every case of the issue in one run: one warning line each, every good image classified
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zoo(tmp_path_factory):
    root = tmp_path_factory.mktemp("zoo")
    return root, make_zoo(root)


@pytest.fixture(scope="module")
def expected_top1(zoo, core) -> list[int]:
    """Top-1 of every good zoo image in process, as the CLI computes it: host resize, static PPP, f32."""
    _, cases = zoo
    classifier = models.build_static_classifier(
        core, paths.SHIPPED_MODEL, "CPU", {"INFERENCE_PRECISION_HINT": "f32"}
    )
    return [
        int(np.argmax(classifier(images.read_for_model(c.path), share_inputs=False)[0]))
        for c in cases
        if c.good
    ]


@pytest.mark.parametrize(
    "mode", [[], ["--mode", "callback"], ["--batch"]], ids=["queue", "callback", "batch"]
)
def test_every_case_of_the_issue_in_one_run(zoo, expected_top1, labels, mode):
    root, cases = zoo
    result = run_cli("-i", *zoo_inputs(root), "-n", "1", "--precision", "f32", *mode)  # equal in every mode
    assert result.returncode == 0, result.stderr
    assert no_traceback(result)

    warnings = result.stderr.splitlines()
    bad = [c for c in cases if not c.good]
    assert len(warnings) == len(bad), warnings
    for case, line in zip(bad, warnings, strict=True):
        expected = f"[ WARNING ] Image {printable(case.path)} cannot be read: {case.reason}"
        if case.note == "truncated JPEG":  # PIL's own detail follows in brackets
            assert line.startswith(expected + " ("), line
        else:
            assert line == expected
    good = [c for c in cases if c.good]
    got = result_blocks(result.stdout)
    assert [name for name, _ in got] == [printable(c.path) for c in good]
    assert [ids[0] for _, ids in got] == expected_top1
    assert labels[got[0][1][0]] == CAT_TOP1
    total = len(good) + len(bad) - 1  # the folder without images counts no image
    assert f"[ INFO ] Classified {len(good)} of {total} images" in result.stdout


def test_json_stays_parseable_with_every_case_of_the_issue(zoo, expected_top1, labels):
    root, cases = zoo
    result = run_cli("-i", *zoo_inputs(root), "-n", "1", "--format", "json", "--precision", "f32")
    assert result.returncode == 0, result.stderr
    assert no_traceback(result)
    objects = [json.loads(line) for line in result.stdout.splitlines()]  # every stdout line is JSON
    assert [obj["path"] for obj in objects] == [printable(c.path) for c in cases]  # one per input, in order
    for case, obj in zip(cases, objects, strict=True):
        if case.good:
            assert set(obj) == {"path", "top"} and len(obj["top"]) == 1, obj
        else:
            assert obj["stage"] == "read" and obj["error"].startswith(case.reason), obj
    top1 = [obj["top"][0] for obj in objects if "top" in obj]
    assert [t["class_id"] for t in top1] == expected_top1
    assert top1[0]["label"] == CAT_TOP1
    warnings = [line for line in result.stderr.splitlines() if line.startswith("[ WARNING ] ")]
    assert len(warnings) == len([c for c in cases if not c.good])  # the log stays on stderr


def test_every_bad_input_only_exits_1_with_the_samples_error(zoo):
    root, cases = zoo
    result = run_cli("-i", *[c.path for c in cases if not c.good])
    assert result.returncode == 1
    assert no_traceback(result)
    lines = result.stderr.splitlines()
    assert len(lines) == len([c for c in cases if not c.good]) + 1
    assert lines[-1] == "[ ERROR ] Valid input images were not found!"
    assert "Image path:" not in result.stdout


# --------------------------------------------------------------------------------------------
# A 12000x9000 photo: bounded memory in the CLI process too
# --------------------------------------------------------------------------------------------

# Runs the CLI in this process and reports its peak RSS on stderr's last line: VmHWM, the
# high-water mark of this process's own memory (getrusage's ru_maxrss would start at pytest's RSS,
# which Linux carries over fork/exec into the child).
MEASURED_CLI = """
import runpy, sys
sys.argv = ["classify-async", *sys.argv[1:]]
try:
    runpy.run_module("helpers.cli", run_name="__main__")
except SystemExit as exc:
    code = exc.code
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
print(f"exit={code} peak={peak}", file=sys.stderr)
"""


def cli_peak(*args: object) -> tuple[int, int, str]:
    proc = subprocess.run(
        [sys.executable, "-c", MEASURED_CLI, *(os.fspath(a) for a in args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
    m = re.fullmatch(r"exit=(\d+) peak=(\d+)", proc.stderr.strip().splitlines()[-1])
    assert m, proc.stderr[-2000:]
    return int(m[1]), int(m[2]), proc.stdout


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="reads VmHWM from /proc")
def test_the_cli_classifies_a_12000x9000_jpeg_in_bounded_memory(tmp_path):
    # The bounded decode hands the model a 4096x3072 image: the CLI peaks at ~520 MiB (~170 MiB
    # for a 640x480 photo; the in-graph f32 preprocessing of 12.6 MP is most of the difference).
    # The full 12000x9000 image through the same classifier peaks at ~2.6 GiB.
    big = write_large_jpeg(tmp_path / "large.jpg")
    code, peak, out = cli_peak("-i", big, "-n", "1")
    assert code == 0
    assert f"Image path: {big}" in out
    assert peak < 1.5 * GB, peak


# --------------------------------------------------------------------------------------------
# Models and labels that cannot be used (the rest is in tests/test_cli.py)
# --------------------------------------------------------------------------------------------


def _weights_cut_off(path: Path) -> Path:
    a = ops.parameter([1, 3, 8, 8], ov.Type.f32, name="a")
    model = ov.Model([ops.add(a, ops.constant(np.ones((1, 3, 8, 8), np.float32)))], [a], "weights")
    ov.save_model(model, path, compress_to_fp16=False)
    path.with_suffix(".bin").write_bytes(b"")
    return path


def _half_onnx(path: Path) -> Path:
    path.write_bytes(paths.SHIPPED_MODEL.read_bytes()[:5_000_000])  # an interrupted download
    return path


def _empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda d: _half_onnx(d / "half.onnx"), "cannot be read as a model"),
        (lambda d: _empty(d / "empty.onnx"), "cannot be read as a model"),
        (lambda d: _weights_cut_off(d / "weights.xml"), "cannot be read as a model"),
        (lambda d: _folder(d / "models"), "is a folder"),
    ],
    ids=["half-written-onnx", "empty-onnx", "bin-cut-off", "folder"],
)
def test_an_unusable_model_is_one_error_line(tmp_path, make, reason):
    model = make(tmp_path)
    result = run_cli("-m", model, "-i", "data/images/cat.png")
    assert result.returncode == 1
    assert no_traceback(result)
    assert result.stderr.count("\n") == 1, result.stderr
    line = result.stderr.strip()
    assert line.startswith(f"[ ERROR ] {model}: ") and reason in line, line
    assert "Image path:" not in result.stdout


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (
            lambda p: p.write_bytes("caf\xe9\n".encode("latin-1") * 1000),
            "cannot be read (UnicodeDecodeError)",
        ),
        (lambda p: None, "not found"),
    ],
    ids=["not-utf8", "missing"],
)
def test_unusable_labels_warn_once_and_fall_back_to_class_ids(tmp_path, make, reason):
    make(tmp_path / "my.labels")
    result = run_cli("-l", tmp_path / "my.labels", "-i", "data/images/cat.png", "-n", "2")
    assert result.returncode == 0, result.stderr
    assert no_traceback(result)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"[ WARNING ] Labels file {tmp_path / 'my.labels'} ")
    assert reason in lines[0] and lines[0].endswith("showing class ids")
    assert "class_id probability\n-------- -----------\n285 " in result.stdout


# --------------------------------------------------------------------------------------------
# Ctrl-C during a long run, and at startup
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def many_images(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("many")
    rng = np.random.default_rng(0)
    for i in range(300):
        Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(folder / f"{i:03d}.png")
    return folder


MODE_ARGS = {"queue": ["--jobs", "2"], "callback": ["--mode", "callback"], "batch": ["--batch"]}


@pytest.mark.parametrize("mode", list(MODE_ARGS))
def test_ctrl_c_during_a_long_run_exits_130_within_2_s(many_images, mode):
    args = MODE_ARGS[mode]
    cmd = [sys.executable, "-m", "helpers.cli", "-i", many_images, "-n", "1", *args]
    # Unbuffered binary pipes: raw readline() takes exactly one line, so communicate() gets the rest.
    proc = subprocess.Popen(
        [os.fspath(c) for c in cmd],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
        preexec_fn=default_sigint,
    )
    # queue/callback: wait for the first result; batch: for the batched request to start
    started = b"Starting inference" if mode == "batch" else b"Image path:"
    try:
        for line in iter(proc.stdout.readline, b""):
            if started in line:
                break
        proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        out, err = (text.decode() for text in proc.communicate(timeout=30))
        stopped_after = time.monotonic() - sent
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 130, err
    assert "Traceback" not in out + err
    m = INTERRUPTED.fullmatch(err.strip().splitlines()[-1])
    assert m and int(m[2]) == 300 and int(m[1]) < 300, err
    assert stopped_after < INTERRUPT_DEADLINE_S


# Ctrl-C while the CLI is still importing OpenVINO (the first ~0.5 s after pressing Enter): the
# finder below delivers SIGINT exactly when ``import openvino`` starts, as a user's Ctrl-C would.
CTRL_C_AT_IMPORT = """
import importlib.abc, os, runpy, signal, sys

class CtrlCAtImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "openvino":
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, CtrlCAtImport())
sys.argv = ["classify-async", "-i", "data/images/cat.png"]
runpy.run_module("helpers.cli", run_name="__main__")
"""


def test_ctrl_c_during_startup_is_one_line_and_exit_130():
    proc = subprocess.run(
        [sys.executable, "-c", CTRL_C_AT_IMPORT],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=default_sigint,
    )
    assert "Traceback" not in proc.stderr, proc.stderr[-600:]
    assert proc.returncode == 130
    assert proc.stderr.strip() == "[ WARNING ] Interrupted while starting: no image classified"


# --------------------------------------------------------------------------------------------
# OpenVINO's exit-time abort
# --------------------------------------------------------------------------------------------


def test_the_cli_exits_0_every_time():
    # Before workarounds.let_callbacks_settle the CLI exited 134 ("terminate called without an active
    # exception") in 3 of 10 runs on one image: the queue was freed while an OpenVINO thread still
    # held the callback, and the interpreter exited before that thread got the GIL.
    results = []
    for _ in range(3):  # two at a time: 6 runs
        pair = [
            subprocess.Popen(
                [sys.executable, "-m", "helpers.cli", "-i", "data/images/cat.png", "-n", "1"],
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        results += [(p, *p.communicate(timeout=120)) for p in pair]
    assert [(p.returncode, err[-300:]) for p, _, err in results if p.returncode != 0] == []
    assert all("Image path: data/images/cat.png" in out for _, out, _ in results)
