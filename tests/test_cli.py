"""The command-line sample, run as users run it: ``python -m helpers.cli`` in a subprocess."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import openvino as ov
import openvino.opset13 as ops
import pytest
from child_signals import default_sigint
from expected import EXPECTED_TOP1_ID
from PIL import Image

from helpers import images, models, paths
from helpers.cli import output as cli_output
from helpers.labels import to_probabilities, top_k

REPO = paths.REPO_ROOT
IDX = paths.DIGITS_DIR / "test-images.idx3-ubyte"
IDX_LABELS = paths.DIGITS_DIR / "test-labels.idx1-ubyte"
LENET = paths.MODELS_DIR / "lenet-digits.onnx"
TOP1 = EXPECTED_TOP1_ID  # the model card's top-1 class id per sample photo
ROW = re.compile(r"^(\d+) +(\d\.\d{7})(?: +(.+))?$")
# Tests that compare numbers (between modes, or with the f32 classifier in this process) run the CLI
# at f32: its default is the device's own precision (bf16 on CPUs that have it), like the samples.
EXACT = ("--precision", "f32")
NOTE = "[ INFO ] This sample is an API example, for any performance measurements please use the dedicated "


def run_cli(*args: object, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the sample from the repository root; stdout and stderr as text."""
    cmd = [sys.executable, "-m", "helpers.cli", *(os.fspath(a) for a in args)]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, encoding="utf-8", timeout=timeout)


def blocks(stdout: str) -> list[tuple[str, list[tuple[int, float, str | None]]]]:
    """Parse the result blocks: ``[(path, [(class_id, probability, label or None), ...]), ...]``."""
    out = []
    lines = stdout.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("Image path: "):
            continue
        k = int(re.fullmatch(r"Top (\d+) results:", lines[i + 1]).group(1))
        rows = [ROW.match(row) for row in lines[i + 5 : i + 5 + k]]
        assert all(rows), lines[i : i + 5 + k]
        out.append((line[len("Image path: ") :], [(int(m[1]), float(m[2]), m[3]) for m in rows]))
    return out


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr


# ---------------------------------------------------------------- the table, line by line


@pytest.fixture(scope="module")
def two_images() -> subprocess.CompletedProcess[str]:
    return run_cli("-i", "data/images/cat.png", "data/images/coffee.png", *EXACT)


@pytest.fixture(scope="module")
def static_classifier(core: ov.Core) -> ov.CompiledModel:
    """What the CLI runs for the shipped model: host resize (``read_for_model``) + static PPP, f32."""
    return models.build_static_classifier(
        core, paths.SHIPPED_MODEL, "CPU", {"INFERENCE_PRECISION_HINT": "f32"}
    )


def test_table_format_line_by_line(two_images, static_classifier, labels):
    assert two_images.returncode == 0, two_images.stderr
    assert two_images.stderr == ""
    out = two_images.stdout.splitlines()
    start = out.index("Image path: data/images/cat.png")
    assert out[start + 1 : start + 5] == [
        "Top 10 results:",
        "",
        "class_id probability label",
        "-------- ----------- -----",
    ]
    batch = images.read_for_model(paths.IMAGES_DIR / "cat.png")
    probs = to_probabilities(static_classifier(batch, share_inputs=False)[0])
    expected = top_k(probs, 10)
    for line, (cid, p) in zip(out[start + 5 : start + 15], expected, strict=True):
        # id left-aligned in the width of "class_id" plus a space; probability with 7 decimals,
        # left-aligned in the width of "probability" plus a space; then the label
        assert line[:9] == f"{cid:<8} ", line
        assert re.fullmatch(r"\d\.\d{7}  ", line[9:20]), line
        assert abs(float(line[9:20]) - p) < 1e-5, (line, p)
        assert line[20:] == f" {labels[cid]}", line
    assert out[start + 15] == ""  # a blank line ends the block
    assert out[start + 16] == "Image path: data/images/coffee.png"


def test_info_lines_and_closing_note(two_images):
    out = two_images.stdout.splitlines()
    assert out[0].startswith("[ INFO ] OpenVINO: ")
    assert "[ INFO ] Reading the model: data/models/efficientnet-lite0.onnx" in out
    assert "[ INFO ] Labels: data/models/efficientnet-lite0.labels" in out
    assert out[-1].startswith(NOTE) and out[-1].endswith("benchmark_app tool")
    assert "[ INFO ] Classified 2 of 2 images" in out
    assert [name for name, _ in blocks(two_images.stdout)] == [
        "data/images/cat.png",
        "data/images/coffee.png",
    ]
    assert "/work/" not in two_images.stdout  # repo paths are printed relative


def test_precision_is_the_devices_default_unless_asked_and_the_log_says_which(two_images, core):
    # Like the samples, the CLI leaves INFERENCE_PRECISION_HINT to the device; --precision f32 sets it.
    default = core.get_property("CPU", "INFERENCE_PRECISION_HINT").get_type_name()
    plain = run_cli("-i", "data/images/cat.png", "-n", "1")
    assert plain.returncode == 0, plain.stderr
    line = f"[ INFO ] Inference precision: {default} (the device's default; exact results: --precision f32)"
    assert line in plain.stdout.splitlines()
    assert blocks(plain.stdout)[0][1][0][0] == TOP1["cat.png"]
    assert "[ INFO ] Inference precision: f32 (set by --precision)" in two_images.stdout.splitlines()
    batch = run_cli("-i", "data/images/cat.png", "-n", "1", "--batch", "--precision", "f32")
    assert "[ INFO ] Inference precision: f32 (set by --precision)" in batch.stdout.splitlines()


# ---------------------------------------------------------------- many inputs, bad ones among them


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> tuple[list[object], list[str], dict[str, str]]:
    """Inputs in a fixed shuffled order: good photos (by name) interleaved with every kind of bad one."""
    tmp = tmp_path_factory.mktemp("messy")
    bad: dict[str, str] = {}  # name as printed -> expected reason
    (tmp / "empty.png").write_bytes(b"")
    bad[str(tmp / "empty.png")] = "file is empty"
    (tmp / "text.jpg").write_text("this is not a picture\n")
    bad[str(tmp / "text.jpg")] = "not a recognised image format"
    (tmp / "page.png").write_text("<!doctype html><html><body>404 Not Found</body></html>\n")
    bad[str(tmp / "page.png")] = "not a recognised image format"
    noise = np.random.default_rng(0).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    Image.fromarray(noise).save(tmp / "full.jpg", quality=90)
    data = (tmp / "full.jpg").read_bytes()
    (tmp / "truncated.jpg").write_bytes(data[: len(data) // 2])
    bad[str(tmp / "truncated.jpg")] = "truncated or corrupt image data"
    bad[str(tmp / "missing.jpg")] = "file not found"
    (tmp / "no-images").mkdir()
    (tmp / "no-images" / "notes.txt").write_text("no pictures here\n")
    bad[str(tmp / "no-images")] = "folder holds no image files"
    # A good photo whose name is not UTF-8: printed with the byte escaped, never a crash.
    odd = Path(os.fsdecode(os.fsencode(str(tmp)) + b"/caf\xe9.png"))
    odd.write_bytes((paths.IMAGES_DIR / "cat.png").read_bytes())

    photos = sorted(TOP1)
    rng = np.random.default_rng(1)
    good = [f"data/images/{photos[i]}" for i in rng.integers(0, len(photos), 28)]
    bad_paths = list(bad)
    inputs: list[object] = []
    for i, g in enumerate(good):
        inputs.append(g)
        if i % 4 == 1 and bad_paths:
            inputs.append(bad_paths.pop())
    inputs.insert(5, odd)
    # The names the blocks must show, in input order (the odd byte as Python's \udcXX escape).
    names = [str(x).encode("utf-8", "backslashreplace").decode() for x in inputs if x not in bad]
    wrong_labels = tmp / "wrong.labels"
    wrong_labels.write_text("cat\ndog\n")
    return inputs + ["-l", wrong_labels, "-n", "3"], names, bad


@pytest.fixture(scope="module")
def messy_runs(messy) -> dict[str, subprocess.CompletedProcess[str]]:
    args, _, _ = messy
    return {
        "queue": run_cli("-i", *args, "--jobs", "4", *EXACT),
        "callback": run_cli("-i", *args, "--mode", "callback", *EXACT),
        "batch": run_cli("-i", *args, "--batch", *EXACT),
    }


@pytest.mark.parametrize("mode", ["queue", "callback", "batch"])
def test_bad_inputs_get_one_line_each_and_good_ones_are_classified(messy, messy_runs, mode):
    _, names, bad = messy
    result = messy_runs[mode]
    assert result.returncode == 0, result.stderr
    assert_no_traceback(result)
    warnings = result.stderr.splitlines()
    assert all(w.startswith("[ WARNING ] ") for w in warnings), warnings
    image_warnings = [w for w in warnings if w.startswith("[ WARNING ] Image ")]
    assert len(image_warnings) == len(bad), image_warnings
    for path, reason in bad.items():
        line = f"[ WARNING ] Image {path} cannot be read: {reason}"
        assert [w for w in image_warnings if w.startswith(line)], (line, image_warnings)
    # The labels file has 2 lines for 1000 classes: one warning, then class ids without a label column.
    assert any("wrong.labels has 2 lines but the model has 1000 classes" in w for w in warnings)
    assert "class_id probability\n-------- -----------\n" in result.stdout
    assert f"[ INFO ] Classified {len(names)} of {len(names) + len(bad) - 1} images" in result.stdout
    assert "[ WARNING ]" not in result.stdout


@pytest.mark.parametrize("mode", ["queue", "callback", "batch"])
def test_results_come_in_input_order_and_belong_to_their_image(messy, messy_runs, mode):
    _, names, _ = messy
    got = blocks(messy_runs[mode].stdout)
    assert [name for name, _ in got] == names
    for name, rows in got:
        photo = "cat.png" if name.endswith("caf\\udce9.png") else Path(name).name
        assert rows[0][0] == TOP1[photo], (name, rows[0])
        assert len(rows) == 3 and all(label is None for _, _, label in rows)


@pytest.mark.parametrize("mode", ["callback", "batch"])
def test_callback_and_batch_modes_agree_with_queue_mode(messy_runs, mode):
    reference = blocks(messy_runs["queue"].stdout)
    got = blocks(messy_runs[mode].stdout)
    assert len(got) == len(reference) > 20
    for (name, rows), (ref_name, ref_rows) in zip(got, reference, strict=True):
        assert name == ref_name
        assert [r[0] for r in rows] == [r[0] for r in ref_rows], name
        assert np.allclose([r[1] for r in rows], [r[1] for r in ref_rows], atol=1e-5), name


def test_no_valid_image_exits_1(tmp_path):
    (tmp_path / "empty.jpg").write_bytes(b"")
    result = run_cli("-i", tmp_path / "empty.jpg", tmp_path / "missing.png")
    assert result.returncode == 1
    assert_no_traceback(result)
    assert result.stderr.splitlines() == [
        f"[ WARNING ] Image {tmp_path / 'empty.jpg'} cannot be read: file is empty",
        f"[ WARNING ] Image {tmp_path / 'missing.png'} cannot be read: file not found",
        "[ ERROR ] Valid input images were not found!",
    ]
    assert "Image path:" not in result.stdout


# ---------------------------------------------------------------- models that cannot be used


def save_two_input_model(path: Path) -> Path:
    a = ops.parameter([1, 3, 8, 8], ov.Type.f32, name="a")
    b = ops.parameter([1, 3, 8, 8], ov.Type.f32, name="b")
    ov.save_model(ov.Model([ops.add(a, b)], [a, b], "two_inputs"), path)
    return path


def save_two_output_model(path: Path) -> Path:
    a = ops.parameter([1, 3, 8, 8], ov.Type.f32, name="a")
    ov.save_model(ov.Model([ops.relu(a), ops.sigmoid(a)], [a], "two_outputs"), path)
    return path


def corrupt_xml(path: Path) -> Path:
    path.write_text('<?xml version="1.0"?>\n<net name="broken" version="11">\n<layers>\n')
    return path


@pytest.mark.parametrize(
    ("make", "extra", "message"),
    [
        (lambda d: save_two_input_model(d / "two.xml"), [], "Sample supports only single input topologies"),
        (lambda d: save_two_output_model(d / "two.xml"), [], "Sample supports only single output topologies"),
        (lambda d: d / "nope.xml", [], "model file not found"),
        (lambda d: corrupt_xml(d / "bad.xml"), [], "cannot be read as a model"),
        (lambda d: LENET, ["-d", "NO_SUCH_DEVICE"], 'Cannot compile the model for device "NO_SUCH_DEVICE"'),
    ],
    ids=["two-inputs", "two-outputs", "missing", "corrupt-xml", "unknown-device"],
)
def test_unusable_model_is_one_error_line_and_exit_1(tmp_path, make, extra, message):
    model = make(tmp_path)
    result = run_cli("-m", model, "-i", "data/images/cat.png", *extra)
    assert result.returncode == 1
    assert_no_traceback(result)
    assert len(result.stderr.splitlines()) == 1, result.stderr
    line = result.stderr.strip()
    assert line.startswith("[ ERROR ] ") and message in line, line
    if model != LENET:
        assert str(model) in line
    assert "Image path:" not in result.stdout


# ---------------------------------------------------------------- the LeNet path: IDX files, gray


@pytest.fixture(scope="module")
def idx_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess[str], Path]:
    # Digit 0 of the IDX file saved as an RGB PNG: goes through RGB -> gray for the 1-channel model.
    png = tmp_path_factory.mktemp("digits") / "digit0.png"
    digit = images.read_idx_images(IDX)[0]
    Image.fromarray(np.repeat(digit[..., None], 3, axis=2)).save(png)
    rel_idx = IDX.relative_to(REPO).as_posix()
    return run_cli("-m", LENET.relative_to(REPO), "-i", rel_idx, png, "-n", "1"), png


def test_idx_file_every_image_is_classified_under_its_index(idx_run):
    result, png = idx_run
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    count = len(images.read_idx_images(IDX))
    got = blocks(result.stdout)
    rel_idx = IDX.relative_to(REPO).as_posix()
    assert [name for name, _ in got] == [f"{rel_idx}[{i}]" for i in range(count)] + [str(png)]
    assert "class_id probability label\n-------- ----------- -----\n" in result.stdout
    assert all(rows[0][2] == str(rows[0][0]) for _, rows in got)  # the labels file says "0".."9"
    # The RGB copy of digit 0 gives exactly the IDX digit's result.
    assert got[-1][1] == got[0][1]


def test_idx_accuracy_matches_the_model_card(idx_run):
    result, _ = idx_run
    truth = np.frombuffer(IDX_LABELS.read_bytes(), dtype=np.uint8, offset=8)
    got = blocks(result.stdout)[:-1]
    predicted = np.array([rows[0][0] for _, rows in got])
    assert len(predicted) == len(truth) == 360
    correct = int((predicted == truth).sum())
    card = models.MODEL_CARD.read_text(encoding="utf-8")
    stated = re.search(r"^\| OpenVINO.*classify-async.*\| (\d+) / 360 \|", card, re.M)
    assert stated is not None
    assert correct == int(stated.group(1))
    assert correct / len(truth) > 0.95


def test_lenet_checksum_is_in_the_model_card():
    assert models.shipped_checksums()["lenet-digits.onnx"] == models.sha256_of(LENET)


# ---------------------------------------------------------------- Ctrl-C


def test_sigint_stops_cleanly_with_exit_130():
    inputs = ["data/images"] * 100  # 600 images: far longer than the wait for the first result
    cmd = [sys.executable, "-m", "helpers.cli", "-i", *inputs, "-n", "1", "--jobs", "2"]
    # Unbuffered binary pipe: readline() takes bytes one at a time, so nothing that communicate()
    # reads afterwards was already swallowed by a read-ahead buffer.
    proc = subprocess.Popen(
        cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0, preexec_fn=default_sigint
    )
    first = []
    for raw in iter(proc.stdout.readline, b""):
        line = raw.decode("utf-8")
        first.append(line)
        if line.startswith("Image path:"):
            break
    proc.send_signal(signal.SIGINT)
    try:
        rest_b, err_b = proc.communicate(timeout=30)  # a hang guard, not a timing check
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    rest, err = rest_b.decode("utf-8"), err_b.decode("utf-8")
    out = "".join(first) + rest
    assert proc.returncode == 130, err
    assert "Traceback" not in out + err
    last = err.strip().splitlines()[-1]
    m = re.fullmatch(
        r"\[ WARNING \] Interrupted: (\d+) of 600 images classified; pending requests cancelled", last
    )
    assert m, last
    printed = out.count("Image path:")
    # The count is taken per printed block; Ctrl-C may land between printing a block and counting it.
    assert printed - 1 <= int(m.group(1)) <= printed < 600
    assert NOTE not in out


def test_usage_error_exits_2():
    result = run_cli("-n", "0", "-i", "data/images/cat.png")
    assert result.returncode == 2
    assert "must be at least 1" in result.stderr


# ---------------------------------------------------------------- odd but valid images


def test_odd_but_valid_images_are_all_classified(tmp_path):
    rgb = images.read_image(paths.IMAGES_DIR / "cat.png")
    Image.fromarray(rgb[:1, :1]).save(tmp_path / "one-pixel.png")
    Image.fromarray(rgb[..., 0].astype(np.uint16) * 257).save(tmp_path / "sixteen-bit.png")
    Image.fromarray(rgb).convert("CMYK").save(tmp_path / "cmyk.jpg")
    Image.fromarray(rgb).convert("RGBA").save(tmp_path / "rgba.png")
    Image.fromarray(rgb).convert("P").save(tmp_path / "palette.gif")
    frames = [Image.fromarray(rgb).convert("P"), Image.fromarray(255 - rgb).convert("P")]
    frames[0].save(tmp_path / "animated.gif", save_all=True, append_images=frames[1:])
    Image.fromarray(rgb).convert("L").save(tmp_path / "gray.png")
    sideways = Image.fromarray(np.ascontiguousarray(np.rot90(rgb, 1)))  # stored rotated, EXIF says turn it
    exif = sideways.getexif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    sideways.save(tmp_path / "exif-rotated.jpg", exif=exif)
    result = run_cli("-i", tmp_path, "-n", "1")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    got = dict(blocks(result.stdout))
    assert sorted(Path(name).name for name in got) == sorted(p.name for p in tmp_path.iterdir())
    for name, rows in got.items():
        if not name.endswith("one-pixel.png"):  # one pixel has no cat left in it
            assert rows[0][0] == TOP1["cat.png"], (name, rows)


# ---------------------------------------------------------------- --format json: JSON Lines on stdout


def json_lines(stdout: str) -> list[dict]:
    """Parse stdout as JSON Lines: every line must be one JSON object."""
    objects = [json.loads(line) for line in stdout.splitlines()]
    assert all(isinstance(obj, dict) for obj in objects)
    return objects


@pytest.fixture(scope="module")
def messy_json(messy) -> dict[str, subprocess.CompletedProcess[str]]:
    args, _, _ = messy
    return {
        "queue": run_cli("-i", *args, "--jobs", "4", "--format", "json", *EXACT),
        "batch": run_cli("-i", *args, "--batch", "--format", "json", *EXACT),
    }


@pytest.mark.parametrize("mode", ["queue", "batch"])
def test_json_one_object_per_input_in_input_order(messy, messy_json, mode):
    args, names, bad = messy
    result = messy_json[mode]
    assert result.returncode == 0, result.stderr
    assert_no_traceback(result)
    objects = json_lines(result.stdout)  # stdout holds nothing but the JSON lines
    inputs = [str(x).encode("utf-8", "backslashreplace").decode() for x in args[: args.index("-l")]]
    assert [obj["path"] for obj in objects] == inputs
    for obj in objects:
        if obj["path"] in bad:
            assert set(obj) == {"path", "error", "stage"} and obj["stage"] == "read"
            assert obj["error"].startswith(bad[obj["path"]]), obj  # PIL's detail may follow in brackets
        else:
            assert set(obj) == {"path", "top"} and len(obj["top"]) == 3
    assert [obj["path"] for obj in objects if "top" in obj] == names


@pytest.mark.parametrize("mode", ["queue", "batch"])
def test_json_logging_goes_to_stderr(messy, messy_json, mode):
    _, names, bad = messy
    err = messy_json[mode].stderr.splitlines()
    assert all(line.startswith(("[ INFO ] ", "[ WARNING ] ")) for line in err), err
    assert err[0].startswith("[ INFO ] OpenVINO: ")
    assert len([line for line in err if line.startswith("[ WARNING ] Image ")]) == len(bad)
    assert f"[ INFO ] Classified {len(names)} of {len(names) + len(bad) - 1} images" in err
    assert err[-1].startswith(NOTE)


def test_json_results_equal_the_table(messy_runs, messy_json):
    table = blocks(messy_runs["queue"].stdout)
    results = [obj for obj in json_lines(messy_json["queue"].stdout) if "top" in obj]
    assert len(results) == len(table) > 20
    for obj, (name, rows) in zip(results, table, strict=True):
        assert obj["path"] == name
        assert [t["class_id"] for t in obj["top"]] == [r[0] for r in rows]
        assert np.allclose([t["probability"] for t in obj["top"]], [r[1] for r in rows], atol=1e-7)
        assert all(t["label"] is None for t in obj["top"])  # the labels file does not fit: no labels


def test_json_only_bad_inputs_are_error_objects_and_exit_1(tmp_path):
    (tmp_path / "empty.jpg").write_bytes(b"")
    result = run_cli("-i", tmp_path / "empty.jpg", tmp_path / "missing.png", "--format", "json")
    assert result.returncode == 1
    assert_no_traceback(result)
    assert json_lines(result.stdout) == [
        {"path": str(tmp_path / "empty.jpg"), "error": "file is empty", "stage": "read"},
        {"path": str(tmp_path / "missing.png"), "error": "file not found", "stage": "read"},
    ]
    assert result.stderr.splitlines()[-1] == "[ ERROR ] Valid input images were not found!"


def test_json_unusable_model_leaves_stdout_empty(tmp_path):
    result = run_cli("-m", tmp_path / "nope.xml", "-i", "data/images/cat.png", "--format", "json")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1].startswith("[ ERROR ] ")


def test_unknown_format_is_a_usage_error():
    result = run_cli("-i", "data/images/cat.png", "--format", "xml")
    assert result.returncode == 2
    assert "invalid choice: 'xml'" in result.stderr


# ---------------------------------------------------------------- --raw: the Python sample's block


@pytest.fixture(scope="module")
def raw_runs() -> dict[str, subprocess.CompletedProcess[str]]:
    inputs = ["data/images/cat.png", "data/images/missing.png", "data/images/coffee.png"]
    return {
        "text": run_cli("-i", *inputs, "-n", "5", "--raw", *EXACT),
        "json": run_cli("-i", *inputs, "-n", "5", "--raw", "--format", "json", *EXACT),
    }


def test_raw_prints_the_python_samples_block_with_raw_values(raw_runs, static_classifier):
    result = raw_runs["text"]
    assert result.returncode == 0, result.stderr
    assert result.stderr == "[ WARNING ] Image data/images/missing.png cannot be read: file not found\n"
    out = result.stdout.splitlines()
    for photo in ("cat.png", "coffee.png"):
        start = out.index(f"[ INFO ] Image path: data/images/{photo}")
        assert out[start + 1 : start + 4] == [
            "[ INFO ] Top 5 results: ",  # the sample's trailing space
            "[ INFO ] class_id probability",
            "[ INFO ] --------------------",
        ]
        assert out[start + 9] == "[ INFO ] "
        batch = images.read_for_model(paths.IMAGES_DIR / photo)
        logits = static_classifier(batch, share_inputs=False)[0]
        expected = top_k(logits.reshape(-1), 5)
        assert expected[0][1] > 1  # logits, not probabilities: the softmax is not applied
        for line, (cid, value) in zip(out[start + 4 : start + 9], expected, strict=True):
            m = re.fullmatch(r"\[ INFO \] (\d+) +(-?\d+\.\d{7})", line)
            assert m, line
            assert line[9:18] == f"{cid:<8} ", line  # id padded to the width of "class_id" plus a space
            assert int(m[1]) == cid and abs(float(m[2]) - value) < 1e-4, (line, value)
    assert not [line for line in out if line.startswith("Image path:")]  # no default table besides


def test_raw_json_gives_raw_values_and_labels(raw_runs, labels):
    text_rows = [
        (int(m[1]), float(m[2]))
        for m in re.finditer(r"^\[ INFO \] (\d+) +(-?\d+\.\d{7})$", raw_runs["text"].stdout, re.M)
    ]
    result = raw_runs["json"]
    assert result.returncode == 0, result.stderr
    objects = json_lines(result.stdout)
    assert [obj["path"] for obj in objects] == [
        "data/images/cat.png",
        "data/images/missing.png",
        "data/images/coffee.png",
    ]
    assert objects[1] == {"path": "data/images/missing.png", "error": "file not found", "stage": "read"}
    rows = [t for obj in (objects[0], objects[2]) for t in obj["top"]]
    assert all(set(t) == {"class_id", "raw", "label"} for t in rows)
    assert [t["class_id"] for t in rows] == [cid for cid, _ in text_rows]
    assert np.allclose([t["raw"] for t in rows], [v for _, v in text_rows], atol=1e-6)
    assert [t["label"] for t in rows] == [labels[t["class_id"]] for t in rows]
    assert objects[0]["top"][0]["label"] == "Egyptian cat"


# ---------------------------------------------------------------- --reverse-input-channels: BGR models


def save_bgr_model(path: Path) -> Path:
    """An Open Model Zoo style IR of the shipped model: f32 NCHW BGR 0..255 in, ImageNet mean/std inside."""
    model = ov.Core().read_model(paths.SHIPPED_MODEL)
    ppp = ov.preprocess.PrePostProcessor(model)
    ppp.input().tensor().set_layout(ov.Layout("NCHW"))
    ppp.input().model().set_layout(ov.Layout("NCHW"))
    ppp.input().preprocess().reverse_channels().mean(list(models.IMAGENET_MEAN)).scale(
        list(models.IMAGENET_STD)
    )
    ov.save_model(ppp.build(), path, compress_to_fp16=False)  # FP32 weights: comparable to the ONNX
    path.with_suffix(".labels").write_bytes(paths.SHIPPED_LABELS.read_bytes())
    return path


@pytest.fixture(scope="module")
def bgr_runs(tmp_path_factory) -> dict[str, subprocess.CompletedProcess[str]]:
    bgr = save_bgr_model(tmp_path_factory.mktemp("bgr") / "bgr.xml")
    common = ["-i", "data/images", "-n", "5", "--format", "json", *EXACT]
    return {
        "rgb": run_cli(*common),
        "flag": run_cli("-m", bgr, *common, "--reverse-input-channels"),
        "flag-batch": run_cli("-m", bgr, *common, "--reverse-input-channels", "--batch"),
        "no-flag": run_cli("-m", bgr, *common, "--mean", "0", "--std", "1"),
    }


def top_by_path(result: subprocess.CompletedProcess[str]) -> dict[str, list[tuple[int, float]]]:
    assert result.returncode == 0, result.stderr
    return {
        obj["path"]: [(t["class_id"], t["probability"]) for t in obj["top"]]
        for obj in json_lines(result.stdout)
    }


@pytest.mark.parametrize("run", ["flag", "flag-batch"])
def test_reverse_input_channels_makes_a_bgr_model_match_the_rgb_one(bgr_runs, run):
    rgb, bgr = top_by_path(bgr_runs["rgb"]), top_by_path(bgr_runs[run])
    assert sorted(bgr) == sorted(rgb) == [f"data/images/{p}" for p in sorted(TOP1)]
    for path, rows in bgr.items():
        assert [cid for cid, _ in rows] == [cid for cid, _ in rgb[path]], path
        assert np.allclose([p for _, p in rows], [p for _, p in rgb[path]], atol=1e-5), path
    # The BGR model embeds its own mean/std: the flag's default is raw 0..255 pixels, not ImageNet twice.
    info = "in the graph: u8 NHWC RGB -> reverse channels (BGR), mean [0.0, 0.0, 0.0], std [1.0, 1.0, 1.0]"
    assert info in bgr_runs[run].stderr


def test_without_the_flag_a_bgr_model_misclassifies(bgr_runs):
    rgb, swapped = top_by_path(bgr_runs["rgb"]), top_by_path(bgr_runs["no-flag"])
    changed = [path for path in rgb if swapped[path][0][0] != rgb[path][0][0]]
    assert len(changed) >= 2, changed  # 3 of the 6 sample photos on OpenVINO 2026.4.1
    assert "reverse channels" not in bgr_runs["no-flag"].stderr


def test_reverse_input_channels_flips_before_the_mean(tmp_path):
    # A BGR copy of the cat, flipped back in the graph for the RGB model: with the ImageNet mean/std
    # given in the model's (RGB) order, exactly the RGB photo's result.
    rgb = images.read_image(paths.IMAGES_DIR / "cat.png")
    Image.fromarray(np.ascontiguousarray(rgb[..., ::-1])).save(tmp_path / "cat-bgr.png")
    norm = ["--mean", *map(str, models.IMAGENET_MEAN), "--std", *map(str, models.IMAGENET_STD)]
    flipped = run_cli("-i", tmp_path / "cat-bgr.png", "--reverse-input-channels", *norm, "-n", "5", *EXACT)
    plain = run_cli("-i", "data/images/cat.png", "-n", "5", *EXACT)
    unflipped = run_cli("-i", tmp_path / "cat-bgr.png", "-n", "5", *EXACT)
    assert flipped.returncode == plain.returncode == unflipped.returncode == 0
    got, want, swapped = (blocks(r.stdout)[0][1] for r in (flipped, plain, unflipped))
    # The same classes with the same labels; the graph with the extra gather rounds differently in
    # the 7th decimal (a mean applied before the flip would move the probabilities by far more).
    assert [(c, label) for c, _, label in got] == [(c, label) for c, _, label in want]
    assert np.allclose([p for _, p, _ in got], [p for _, p, _ in want], atol=1e-5)
    assert not np.allclose([p for _, p, _ in swapped], [p for _, p, _ in want], atol=1e-3)


def test_reverse_input_channels_refuses_a_gray_model():
    result = run_cli("-m", LENET.relative_to(REPO), "-i", "data/images/cat.png", "--reverse-input-channels")
    assert result.returncode == 1
    assert_no_traceback(result)
    assert result.stderr.splitlines() == [
        "[ ERROR ] data/models/lenet-digits.onnx: --reverse-input-channels needs a 3-channel input; "
        "this model has 1"
    ]


# ---------------------------------------------------------------- retraining LeNet (export extra)


@pytest.mark.export
@pytest.mark.skipif(
    importlib.util.find_spec("torch") is None or importlib.util.find_spec("sklearn") is None,
    reason="export extra not installed (pip install -e '.[export]')",
)
def test_retrained_lenet_agrees_with_the_shipped_one(tmp_path, core):
    cmd = [sys.executable, "tools/train_lenet.py", "--models-dir", tmp_path, "--digits-dir", tmp_path]
    subprocess.run([os.fspath(c) for c in cmd], cwd=REPO, check=True, capture_output=True, timeout=600)
    # The held-out split is the same digits, in the same order, with the same labels.
    assert (tmp_path / "test-labels.idx1-ubyte").read_bytes() == IDX_LABELS.read_bytes()
    fresh_digits = images.read_idx_images(tmp_path / "test-images.idx3-ubyte").astype(int)
    assert np.abs(fresh_digits - images.read_idx_images(IDX).astype(int)).max() <= 1
    x = images.read_idx_images(IDX).astype(np.float32)[:, None, None]
    cfg = {"INFERENCE_PRECISION_HINT": "f32"}
    shipped = core.compile_model(LENET, "CPU", cfg)
    fresh = core.compile_model(tmp_path / "lenet-digits.onnx", "CPU", cfg)
    old = np.array([shipped(d)[0].argmax() for d in x])
    new = np.array([fresh(d)[0].argmax() for d in x])
    assert (old == new).mean() >= 0.98  # same recipe and seed; other CPUs may differ in the last bits
    assert (tmp_path / "lenet-digits.labels").read_text() == LENET.with_suffix(".labels").read_text()


# ---------------------------------------------------------------- the printers, in process


def test_printer_json_keeps_every_input_in_its_place(capsys):
    out = io.StringIO()
    printer = cli_output.Printer("json", False, 2, ["zero", "one", "two"], out)
    pixels = np.zeros((1, 4, 4, 3), np.uint8)
    items = [
        images.ImageReadError("first.png", "file not found"),
        images.LoadedImage("x.png", pixels),
        images.ImageReadError("mid.png", "file is empty"),
        images.LoadedImage("caf\udce9.png", pixels),  # a name that is not UTF-8
        images.ImageReadError("last.png", "not a recognised image format"),
    ]
    assert [item.name for item in printer.screen(items)] == ["x.png", "caf\udce9.png"]
    printer.result("x.png", np.array([[0.0, 2.0, 1.0]], np.float32))  # logits
    printer.failed("caf\udce9.png", "InputMismatch: wrong shape")
    printer.finish()
    objects = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [obj["path"] for obj in objects] == ["first.png", "x.png", "mid.png", "caf\\udce9.png", "last.png"]
    assert objects[0] == {"path": "first.png", "error": "file not found", "stage": "read"}
    expected = to_probabilities(np.array([0.0, 2.0, 1.0], np.float32))
    assert objects[1]["top"] == [
        {"class_id": 1, "probability": float(str(expected[1])), "label": "one"},
        {"class_id": 2, "probability": float(str(expected[2])), "label": "two"},
    ]
    assert objects[3] == {
        "path": "caf\\udce9.png",
        "error": "InputMismatch: wrong shape",
        "stage": "classify",
    }
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "[ WARNING ] Image first.png cannot be read: file not found",
        "[ WARNING ] Image mid.png cannot be read: file is empty",
        "[ WARNING ] Image last.png cannot be read: not a recognised image format",
        "[ WARNING ] Image caf\\udce9.png cannot be classified: InputMismatch: wrong shape",
    ]


def test_json_numbers_are_float32_and_never_nan():
    assert cli_output.json_number(np.float32(0.772)) == 0.772  # not 0.7720000147819519
    assert [cli_output.json_number(v) for v in (float("nan"), float("inf"))] == [None, None]
    assert json.dumps(cli_output.json_number(1e-7)) == "1e-07"
