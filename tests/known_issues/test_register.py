"""The canaries' verdict against the register: every outcome reachable, by the logic and by a real canary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import ki_register as register
import openvino as ov
import pytest

HERE = Path(__file__).resolve().parent
ISSUES = {str(i): {"title": f"issue {i} title", "workaround": f"workaround {i}"} for i in range(1, 7)}


def reg(**releases: dict) -> dict:
    return {"issues": ISSUES, "releases": {r.replace("_", "."): s for r, s in releases.items()}}


OLD, NEW = "2025.4.1", "2026.4.1"
REG = reg(**{OLD: {"1": "present", "4": "absent"}, NEW: {"1": "present", "4": "present"}})


def test_release_of_strips_the_build_suffix():
    assert register.release_of("2026.4.1-20975-a1b2c3d4e5f-releases/2026/4") == "2026.4.1"
    assert register.release_key("2025.10.0") > register.release_key("2025.9.1")


def test_expected_is_present_absent_or_unknown():
    assert register.expected(REG, 4, NEW) == "present"
    assert register.expected(REG, 4, OLD) == "absent"
    assert register.expected(REG, 4, "2026.5.0") is None


@pytest.mark.parametrize(("release", "issue", "present"), [(OLD, 4, False), (NEW, 4, True), (OLD, 1, True)])
def test_agreeing_with_the_register_passes(release, issue, present):
    assert register.verdict(REG, issue, release, present) is None


def test_an_unrecorded_release_fails_with_the_record_line():
    line = register.verdict(REG, 4, "2026.5.0", True)
    assert "\n" not in line
    assert "OpenVINO 2026.5.0 is not in the register" in line
    assert line.endswith("record that release by running `make releases RELEASES=2026.5.0`")


def test_an_issue_that_appears_where_the_register_says_absent_fails_and_keeps_the_workaround():
    line = register.verdict(REG, 4, OLD, True)
    assert f"Known issue 4 (issue 4 title) is PRESENT in OpenVINO {OLD}, but the register says absent" in line
    assert f"make releases RELEASES={OLD}" in line and "keep workaround 4" in line and "\n" not in line


def test_an_issue_never_present_before_is_not_called_gone():
    # Issue 4 absent where the register says present, and no older recorded release has it:
    # not the "remove the workaround" advice (the 2025.x case of issue #27).
    only_new = reg(**{NEW: {"4": "present"}})
    line = register.verdict(only_new, 4, NEW, False)
    assert "ABSENT in OpenVINO 2026.4.1, but the register says present" in line
    assert "GONE" not in line and "remove" not in line and "workaround" not in line


def test_an_issue_fixed_after_a_release_that_had_it_is_gone_and_names_the_workaround():
    fixed_later = reg(**{OLD: {"4": "absent"}, NEW: {"4": "present"}, "2026.5.0": {"4": "present"}})
    line = register.verdict(fixed_later, 4, "2026.5.0", False)
    assert "is GONE in OpenVINO 2026.5.0 (present since 2026.4.1)" in line
    assert "once pyproject's openvino floor is 2026.5.0 or later, remove or relax workaround 4" in line


def test_record_appends_one_json_line_where_asked(tmp_path, monkeypatch):
    target = tmp_path / "seen.jsonl"
    monkeypatch.delenv(register.RECORD_ENV, raising=False)
    register.record(4, NEW, True, "1/3")
    assert not target.exists()
    monkeypatch.setenv(register.RECORD_ENV, str(target))
    register.record(4, NEW, True, "1/3")
    register.record(1, NEW, False, "0/20")
    rows = [json.loads(x) for x in target.read_text().splitlines()]
    assert rows == [
        {"issue": 4, "release": NEW, "status": "present", "observed": "1/3"},
        {"issue": 1, "release": NEW, "status": "absent", "observed": "0/20"},
    ]


def test_the_shipped_register_is_consistent():
    shipped = register.load(register.REGISTER)
    assert sorted(shipped["issues"], key=int) == [str(i) for i in range(1, 7)]
    for release, statuses in shipped["releases"].items():
        assert register.release_key(release) >= (2025,), release
        assert set(statuses) == set(shipped["issues"]), release
        assert set(statuses.values()) <= {"present", "absent"}, release


def run_issue3_canary(tmp_path: Path, releases: dict) -> subprocess.CompletedProcess:
    """Run the real canary of issue 3 (one quick child) against a register of our own."""
    path = tmp_path / "register.json"
    path.write_text(json.dumps({"issues": ISSUES, "releases": releases}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KNOWN_ISSUES_")}
    env[register.REGISTER_ENV] = str(path)
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rf", "--no-header"]
    target = str(HERE / "test_canaries.py") + "::test_issue3_failed_start_async_leaks_its_request"
    return subprocess.run(
        cmd + [target], capture_output=True, text=True, cwd=HERE.parents[1], env=env, timeout=180
    )


def test_a_real_canary_reaches_all_three_outcomes(tmp_path):
    release = register.release_of(ov.__version__)
    observed = register.load(register.REGISTER)["releases"].get(release, {}).get("3")
    if observed is None:
        pytest.skip(f"OpenVINO {release} is not recorded: make releases RELEASES={release}")
    other = "absent" if observed == "present" else "present"
    agrees = run_issue3_canary(tmp_path, {release: {"3": observed}})
    assert agrees.returncode == 0, agrees.stdout[-800:]
    differs = run_issue3_canary(tmp_path, {release: {"3": other}})
    assert differs.returncode == 1
    assert f"Known issue 3 (issue 3 title) is {observed.upper()} in OpenVINO {release}" in differs.stdout
    unknown = run_issue3_canary(tmp_path, {"2020.1.0": {"3": observed}})
    assert unknown.returncode == 1
    assert f"record that release by running `make releases RELEASES={release}`" in unknown.stdout
