"""The README's first command, ``make lab``, starts JupyterLab from a fresh clone (as root too).

The test clones the repository, runs ``make lab`` exactly as the README writes it, waits for the
URL line, lists the notebooks over HTTP on 127.0.0.1 with the printed token, and stops the server
by its process id. The conda route's command (``python tools/lab.py`` in the activated
environment) is checked the same way with the clone's own Python.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

REPO = Path(__file__).resolve().parents[1]
URL_LINE = re.compile(r"\[lab\] open (http://127\.0\.0\.1:(\d+))/lab/tree/\S+\?token=(\w+)")
CORE = sorted(p.name for p in (REPO / "notebooks").glob("[0-9]*.ipynb"))

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or shutil.which("make") is None, reason="no git/make"
)


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("lab") / "course"
    subprocess.run(["git", "clone", "-q", str(REPO), str(dest)], check=True)
    return dest


def start(cmd: list[str], cwd: Path) -> subprocess.Popen:
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "MAKEFLAGS", "MFLAGS")
    }
    env["BROWSER"] = "true"  # no browser window from a test
    return subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_for_url(proc: subprocess.Popen, seconds: float) -> tuple[str, str, list[str]]:
    deadline = time.monotonic() + seconds
    seen: list[str] = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        seen.append(line.rstrip())
        m = URL_LINE.search(line)
        if m:
            return m[1], m[3], seen
    raise AssertionError("no '[lab] open' line; output was:\n" + "\n".join(seen[-30:]))


def list_notebooks(base: str, token: str, folder: str = "notebooks", seconds: float = 60) -> list[str]:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/contents/{folder}?token={token}", timeout=5) as r:
                return [item["name"] for item in json.load(r)["content"]]
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def stop(proc: subprocess.Popen, clone: Path) -> None:
    """Interrupt the server by its pid (the launcher execs it), then check nothing is left."""
    servers = []
    for p in psutil.Process(proc.pid).children(recursive=True):
        try:
            if "jupyter" in " ".join(p.cmdline()):
                servers.append(p)
        except psutil.Error:  # a short-lived child that exited (a zombie not yet reaped) or is gone
            continue
    pid = servers[0].pid if servers else proc.pid
    os.kill(pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    finally:
        proc.stdout.close()
    time.sleep(0.5)
    left = []
    for p in psutil.process_iter(["pid", "cmdline", "cwd"]):
        try:
            if str(clone) in " ".join(p.info["cmdline"] or []) or str(p.info["cwd"] or "").startswith(
                str(clone)
            ):
                left.append(p.info)
        except psutil.Error:
            continue
    assert not left, f"processes left running: {left}"


def check_lab(proc: subprocess.Popen, clone: Path, seconds: float) -> list[str]:
    try:
        base, token, seen = wait_for_url(proc, seconds)
        names = list_notebooks(base, token) + ["learner/" + n for n in list_notebooks(base, token, "learner")]
        with pytest.raises(urllib.error.HTTPError):  # the token is really required
            urllib.request.urlopen(f"{base}/api/contents", timeout=5)
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    stop(proc, clone)
    return names + ["--"] + seen


def test_make_lab_from_a_fresh_clone(clone: Path) -> None:
    proc = start(["make", "lab"], clone)
    out = check_lab(proc, clone, seconds=600)  # the first run creates .venv and installs the course
    names = out[: out.index("--")]
    assert set(CORE) <= set(names), f"core notebooks missing from the server: {set(CORE) - set(names)}"
    learner = {"learner/" + n for n in CORE}
    assert learner <= set(names), f"make lab writes the learner's copies: missing {learner - set(names)}"
    assert any("learner/01-model-loading.ipynb?token=" in line for line in out), "opens the learner's 01"
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        assert any("running as root" in line for line in out), (
            "as root, make lab says why it adds --allow-root"
        )


def test_conda_route_command(clone: Path) -> None:
    python = clone / ".venv" / "bin" / "python"
    if not python.exists():
        pytest.skip("the make lab test did not create the clone's environment")
    proc = start([str(python), "tools/lab.py"], clone)
    out = check_lab(proc, clone, seconds=120)
    assert set(CORE) <= set(out[: out.index("--")])


def test_launcher_adds_allow_root_only_as_root(monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(REPO / "tools"))
    import lab

    monkeypatch.setattr(lab.os, "geteuid", lambda: 0, raising=False)
    assert "--allow-root" in lab.lab_command(8888, "t", [])
    monkeypatch.setattr(lab.os, "geteuid", lambda: 1000, raising=False)
    assert "--allow-root" not in lab.lab_command(8888, "t", [])
