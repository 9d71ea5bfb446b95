"""Run a known-issue repro (``repros/``) in a fresh interpreter, so that an abort ends only the child."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import ki_register as register
import openvino as ov

REPROS = Path(__file__).resolve().parent / "repros"
REPO_ROOT = REPROS.parents[2]
TERMINATE = "terminate called without an active exception"


@dataclass(frozen=True)
class Child:
    """What one child process did: its exit code and output."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def aborted(self) -> bool:
        """True when the child died of SIGABRT (C++ ``std::terminate``)."""
        return self.returncode == -signal.SIGABRT

    @property
    def result(self) -> dict:
        """The JSON object printed on the child's last stdout line."""
        return json.loads(self.stdout.strip().splitlines()[-1])


def run(script: str, *args: str, timeout: float = 60) -> Child:
    """Run ``repros/<script>`` with ``args`` in a fresh interpreter at the repository root."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run(
        [sys.executable, str(REPROS / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO_ROOT,
        env=env,
    )
    return Child(proc.returncode, proc.stdout, proc.stderr)


def run_until(script: str, stop, *args: str, most: int, parallel: int = 2) -> list[Child]:
    """Run the script up to ``most`` times, ``parallel`` at a time, until ``stop(child)`` is true."""
    children: list[Child] = []
    with ThreadPoolExecutor(parallel) as pool:
        while len(children) < most and not any(stop(c) for c in children):
            batch = min(parallel, most - len(children))
            children += pool.map(lambda _: run(script, *args), range(batch))
    return children


def check(issue: int, present: bool, observed: str) -> None:
    """Record what a canary observed, then fail with one line where the register says otherwise."""
    import pytest  # the canaries' helper only; notebook A2 imports this module without pytest

    release = register.release_of(ov.__version__)
    register.record(issue, release, present, observed)
    if os.environ.get(register.RECORD_ONLY_ENV):
        return
    message = register.verdict(register.load(), issue, release, present)
    if message:
        pytest.fail(message, pytrace=False)
