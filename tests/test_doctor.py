"""tools/doctor.py (`make doctor`): passes here; each simulated fault: one ✗ line with a fix, exit 1."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import shutil
import socket
import subprocess
import sys

import pytest

from helpers import models, paths

# The doctor is a workshop tool beside lab.py and wheelhouse.py, run as ``python tools/doctor.py``.
TOOLS = paths.REPO_ROOT / "tools"
spec = importlib.util.spec_from_file_location("doctor", TOOLS / "doctor.py")
doctor = sys.modules["doctor"] = importlib.util.module_from_spec(spec)  # its dataclasses look it up
spec.loader.exec_module(doctor)

CHECK_NAMES = [
    "Python",
    "free disk",
    "RAM",
    "CPU cores",
    "OpenVINO",
    "known issues",
    "devices",
    "model checksum",
    "classification on CPU",
    "JupyterLab, ipywidgets",
    "widget extension",
    "port",
    "course folders writable",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_doctor(*args: str, prelude: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    code = f"import sys\n{prelude}\nsys.path.insert(0, {str(TOOLS)!r})\nfrom doctor import main\n"
    code += "sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, "--port", str(free_port()), "--seconds", "0.2", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8", "COURSE_DEVICE": "CPU", **(env or {})},
        timeout=120,
        check=False,
    )


def lines_of(run: subprocess.CompletedProcess) -> dict[str, str]:
    """Map each check name to its line (the verdict line is left out)."""
    found = {}
    for text in run.stdout.splitlines():
        for name in CHECK_NAMES:
            if text[2:].startswith(name):
                found[name] = text
    return found


def test_this_machine_passes_every_check():
    run = run_doctor()
    assert run.returncode == 0, run.stdout + run.stderr
    lines = [text for text in run.stdout.splitlines() if not text.startswith("    ")]
    assert len(lines) == len(CHECK_NAMES) + 1
    assert list(lines_of(run)) == CHECK_NAMES
    assert all(text.startswith("✓ ") for text in lines), run.stdout
    assert "coffee.png -> espresso" in lines_of(run)["classification on CPU"]
    assert "images/s" in lines_of(run)["classification on CPU"]
    assert lines[-1] == "✓ ready for the workshop"
    assert run.stderr == ""


@pytest.mark.parametrize(
    ("module", "failing"),
    [
        ("openvino", ["OpenVINO", "known issues", "devices", "model checksum", "classification on CPU"]),
        ("ipywidgets", ["JupyterLab, ipywidgets"]),
        ("jupyterlab", ["JupyterLab, ipywidgets"]),
    ],
)
def test_a_missing_package_is_one_failing_line_with_a_fix(module, failing):
    # None in sys.modules makes `import <module>` raise ModuleNotFoundError, as if it were not installed.
    run = run_doctor(prelude=f"sys.modules[{module!r}] = None")
    assert run.returncode == 1
    lines = lines_of(run)
    assert list(lines) == CHECK_NAMES, run.stdout
    bad = [name for name, text in lines.items() if text.startswith("✗")]
    assert bad == failing, run.stdout
    for name in failing:
        assert f"{module} is not installed -- fix: " in lines[name]
        assert "install.sh" in lines[name]
    needed = [name for name in failing if name != "known issues"]  # optional: the course works around them
    assert run.stdout.splitlines()[-1].startswith(f"✗ not ready: {len(needed)} needed check(s) failed")
    assert "Traceback" not in run.stdout + run.stderr


@pytest.fixture
def model_copy(tmp_path, monkeypatch):
    """A copy of data/models that the doctor (and helpers.models) take for the shipped one."""
    copy = tmp_path / "models"
    shutil.copytree(paths.MODELS_DIR, copy)
    monkeypatch.setattr(models, "MODELS_DIR", copy)
    monkeypatch.setattr(models, "MODEL_CARD", copy / "README.md")
    monkeypatch.setattr(paths, "SHIPPED_MODEL", copy / paths.SHIPPED_MODEL.name)
    monkeypatch.setattr(paths, "SHIPPED_LABELS", copy / paths.SHIPPED_LABELS.name)
    models.shipped_checksums.cache_clear()
    yield copy / paths.SHIPPED_MODEL.name
    models.shipped_checksums.cache_clear()


def test_the_intact_copy_passes(model_copy):
    assert doctor.shipped_model().ok


def test_a_corrupt_model_fails_the_checksum_and_the_classification(model_copy, capsys):
    data = model_copy.read_bytes()
    model_copy.write_bytes(data[: len(data) // 2])  # half-written, as after an interrupted copy

    assert doctor.main(["--port", str(free_port()), "--seconds", "0.1"]) == 1

    out = capsys.readouterr().out.splitlines()
    checksum = next(t for t in out if "model checksum" in t)
    assert checksum.startswith("✗ model checksum: ") and "does not match the model card" in checksum
    assert checksum.endswith("-- fix: restore it: git checkout data/models")
    classify = next(t for t in out if "classification" in t)
    assert classify.startswith("✗ classification") and "-- fix: " in classify
    assert out[-1] == "✗ not ready: 2 needed check(s) failed (model checksum, classification on CPU)"


def test_a_missing_model_is_named(model_copy):
    model_copy.unlink()
    check = doctor.shipped_model()
    assert not check.ok and check.detail.endswith("efficientnet-lite0.onnx is missing")


def test_an_occupied_port_fails(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        check = doctor.port_free(port)
    assert not check.ok and not check.needed  # make lab moves to the next free port
    assert doctor.line(check).startswith(f"✗ port {port} (optional): in use")
    assert f"jupyter lab --port {port + 11}" in doctor.line(check)


def read_only_run(folder) -> subprocess.CompletedProcess:
    """Run the folder check in a mount namespace where ``folder`` is bind-mounted read-only."""
    script = (
        'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && exec "$2" -c '
        f'"import sys; sys.path.insert(0, {str(TOOLS)!r}); import doctor; '
        "c = doctor.folders_writable(); print(doctor.line(c)); "
        'raise SystemExit(c.ok)"'
    )
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, "sh", str(folder), sys.executable],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "COURSE_CACHE_DIR": str(folder), "PYTHONIOENCODING": "utf-8"},
        timeout=60,
        check=False,
    )


def test_a_read_only_folder_fails(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    if shutil.which("unshare") and subprocess.run(["unshare", "-rm", "true"], check=False).returncode == 0:
        run = read_only_run(cache)
        assert run.returncode == 0, run.stderr  # SystemExit(False): the check failed
        text = run.stdout.strip()
    elif os.geteuid() != 0:
        cache.chmod(0o555)
        text = doctor.line(doctor.folders_writable([cache]))
        cache.chmod(0o755)
    else:
        pytest.skip("root without user namespaces: no way to make a read-only folder")
    assert text.startswith("✗ course folders writable: ") and str(cache) in text, text
    assert "Read-only file system" in text or "Permission denied" in text
    assert text.endswith("-- fix: copy the course to a folder you own (not a USB stick or Program Files)")


def test_a_file_in_place_of_a_folder_fails(tmp_path):
    blocker = tmp_path / "notebooks"
    blocker.write_text("not a folder", encoding="utf-8")
    check = doctor.folders_writable([tmp_path, blocker])
    assert not check.ok and check.detail.count(";") == 0 and str(blocker) in check.detail


def test_a_disabled_widget_extension_fails(tmp_path, monkeypatch):
    labconfig = tmp_path / "labconfig"
    labconfig.mkdir()
    page = {"disabledExtensions": {doctor.WIDGET_EXTENSION: True}}
    (labconfig / "page_config.json").write_text(json.dumps(page), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path))
    check = doctor.widget_extension()
    assert not check.ok and check.fix == f"jupyter labextension enable {doctor.WIDGET_EXTENSION}"
    page["disabledExtensions"][doctor.WIDGET_EXTENSION] = False
    (labconfig / "page_config.json").write_text(json.dumps(page), encoding="utf-8")
    assert doctor.widget_extension().ok


def test_an_old_python_fails():
    assert not doctor.python_version((3, 9, 18)).ok
    assert doctor.python_version((3, 10, 0)).ok
    assert "python.org" in doctor.line(doctor.python_version((3, 8, 10)))


def test_only_needed_checks_decide_the_exit_status(monkeypatch, capsys):
    optional = doctor.Check("CPU cores", False, "1", "one core works", needed=False)
    needed = doctor.Check("OpenVINO", False, "openvino is not installed", "install it")
    monkeypatch.setattr(doctor, "run_checks", lambda *a: [doctor.Check("Python", True, "3.11"), optional])
    assert doctor.main([]) == 0
    assert "✗ CPU cores (optional): 1 -- fix: one core works" in capsys.readouterr().out
    monkeypatch.setattr(doctor, "run_checks", lambda *a: [optional, needed])
    assert doctor.main([]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "✗ not ready: 1 needed check(s) failed (OpenVINO)"


def test_a_console_without_the_marks_gets_ascii(monkeypatch):
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="cp1252"))
    assert doctor.marks() == ("[ok]", "[X]")
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))
    assert doctor.marks() == ("✓", "✗")


def register_file(tmp_path, releases: dict):
    issues = {str(i): {"title": f"title {i}", "workaround": f"workaround {i}"} for i in range(1, 4)}
    path = tmp_path / "register.json"
    path.write_text(json.dumps({"issues": issues, "releases": releases}), encoding="utf-8")
    return path


def test_the_doctor_names_the_release_and_the_known_issues_that_apply(tmp_path, monkeypatch, capsys):
    register = register_file(
        tmp_path,
        {
            "2025.4.1": {"1": "present", "2": "absent", "3": "present"},
            "2026.4.1": {"1": "absent", "2": "absent", "3": "absent"},
        },
    )
    check = doctor.known_issues("2025.4.1-17911-abcdef-releases/2025/4", register)
    assert check.ok and not check.needed
    assert check.detail.startswith("2 of 3 apply to OpenVINO 2025.4.1 (#1, #3)")
    assert check.notes == ("#1 title 1", "#3 title 3")
    none = doctor.known_issues("2026.4.1", register)
    assert none.ok and none.detail == "none of the 3 applies to OpenVINO 2026.4.1" and none.notes == ()
    monkeypatch.setattr(doctor, "run_checks", lambda *a: [check])
    assert doctor.main([]) == 0
    assert capsys.readouterr().out.splitlines()[:3] == [
        "✓ known issues (optional): " + check.detail,
        "    #1 title 1",
        "    #3 title 3",
    ]


def test_a_release_missing_from_the_register_is_an_optional_failure_saying_how_to_record_it(tmp_path):
    register = register_file(tmp_path, {"2025.0.0": {"1": "present"}, "2026.4.1": {"1": "present"}})
    check = doctor.known_issues("2026.5.0", register)
    assert not check.ok and not check.needed
    assert "OpenVINO 2026.5.0 is not in the register" in check.detail
    assert "checked on 2025.0.0 to 2026.4.1" in check.fix
    assert check.fix.endswith("make releases RELEASES=2026.5.0")


def test_the_openvino_line_names_the_release():
    import openvino as ov

    check = doctor.openvino_runtime()
    assert check.ok and check.detail.startswith(f"release {ov.__version__.split('-')[0]}")
