"""tools/releases.py (make releases): which releases run, how reports are read, what the tables say."""

from __future__ import annotations

import importlib.util

from helpers.paths import REPO_ROOT

spec = importlib.util.spec_from_file_location("releases", REPO_ROOT / "tools" / "releases.py")
releases = importlib.util.module_from_spec(spec)
spec.loader.exec_module(releases)

INDEX = ["2024.6.0", "2025.0.0", "2025.4.1", "2026.0.0", "2026.3.1", "2026.4.1"]
ISSUES = {str(i): {"title": f"title {i}", "workaround": f"w{i}"} for i in (1, 4)}


def test_the_default_is_every_release_from_the_floor_and_words_name_the_ends():
    assert releases.releases_to_run([], "2025.0", INDEX) == INDEX[1:]
    assert releases.releases_to_run(["floor", "newest"], "2025.0", INDEX) == ["2025.0.0", "2026.4.1"]
    assert releases.releases_to_run(["2026.0.0", "2026.0.0", "newest"], "2025.0", INDEX) == [
        "2026.0.0",
        "2026.4.1",
    ]
    assert releases.floor() == "2025.0"  # pyproject.toml's openvino>=


def test_junit_reports_give_counts_and_one_line_failures(tmp_path):
    xml = tmp_path / "r.xml"
    xml.write_text(
        '<testsuites><testsuite><testcase name="a"/><testcase name="b">'
        '<failure message="Known issue 4 is X&#10;'
        'second line"/></testcase><testcase name="c"><skipped/></testcase></testsuite></testsuites>'
    )
    counts = releases.pytest_counts(xml)
    assert (counts["passed"], counts["failed"], counts["skipped"]) == (1, 1, 1)
    assert counts["failures"] == ["b: Known issue 4 is X"]
    missing = releases.pytest_counts(tmp_path / "none.xml")
    assert missing["failed"] == 1 and "no test report" in missing["failures"][0]


def result(statuses: dict, failed: int = 0) -> dict:
    step = {"passed": 3, "failed": failed, "skipped": 0, "failures": ["x"] * failed}
    return {
        "python": "3.11.7",
        "seconds": {"install": 5, "total": 300},
        "steps": {"notebooks/01": step, "cli": step, "canaries": step},
        "issues": {
            i: {"status": s, "observed": "1/2" if s == "present" else "0/60"} for i, s in statuses.items()
        },
    }


def test_record_writes_only_complete_observations_and_the_tables_say_when_an_issue_appears():
    reg = {"issues": ISSUES, "releases": {}}
    results = {
        "2026.4.1": result({"1": "present", "4": "present"}),
        "2025.0.0": result({"1": "present", "4": "absent"}, failed=1),
        "2026.0.0": result({"1": "present"}),  # issue 4's canary said nothing
    }
    assert [releases.record(reg, r, results[r]) for r in results] == [True, True, False]
    assert list(reg["releases"]) == ["2025.0.0", "2026.4.1"]
    spans = releases.span_table(reg)
    assert "| 1 | title 1 | 2025.0.0 or earlier | not fixed |" in spans
    assert "| 4 | title 4 | 2026.4.1 (absent in 2025.0.0) | not fixed |" in spans
    issues = releases.issues_table(reg, results)
    assert "| 2025.0.0 | present (1/2) | absent (0/60) |" in issues
    course = releases.course_table(results)
    assert "| 2025.0.0 | 3.11.7 | **1 failed** of 4 | **1 failed** of 4 | **1 failed** of 4 | 5.0 |" in course
    assert "| 2026.4.1 | 3.11.7 | all 3 pass | all 3 pass | all 3 pass | 5.0 |" in course
    assert not releases.ok(results["2025.0.0"]) and releases.ok(results["2026.4.1"])


def test_a_fixed_issue_names_the_release_that_fixed_it():
    reg = {"issues": ISSUES, "releases": {"2025.0.0": {"1": "present"}, "2026.0.0": {"1": "absent"}}}
    assert "| 1 | title 1 | 2025.0.0 or earlier | 2026.0.0 |" in releases.span_table(reg)


def test_tables_go_between_the_markers():
    text = f"head\n{releases.START}\nold\n{releases.END}\ntail"
    assert releases.between_markers(text, "new", "f") == f"head\n{releases.START}\nnew\n{releases.END}\ntail"
