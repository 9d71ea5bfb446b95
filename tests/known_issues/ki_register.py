"""The register of known issues per OpenVINO release (``register.json``) and the canaries' verdict.

``register.json`` holds, for every release that ``make releases`` recorded, whether each known issue
is ``present`` or ``absent`` there. A canary observes its issue, records the observation when
``KNOWN_ISSUES_RECORD`` names a file (``tools/releases.py`` sets it), and then compares it with
the register: :func:`verdict` returns the one line it fails with, or None when they agree.
This module needs no OpenVINO, so that its decisions are unit-tested on their own.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

REGISTER = Path(__file__).resolve().parent / "register.json"
REGISTER_ENV = "KNOWN_ISSUES_REGISTER"  # another register file, for the tests of the canaries' verdicts
RECORD_ENV = "KNOWN_ISSUES_RECORD"
# Set by `make releases`: the canaries only observe and record (real assertions still fail).
RECORD_ONLY_ENV = "KNOWN_ISSUES_RECORD_ONLY"
PRESENT, ABSENT = "present", "absent"


def load(path: Path | None = None) -> dict:
    """Read the register: ``{"issues": {n: {...}}, "releases": {release: {n: status}}}``."""
    path = path or Path(os.environ.get(REGISTER_ENV) or REGISTER)
    return json.loads(Path(path).read_text(encoding="utf-8"))


def release_of(version: str) -> str:
    """Return the release part of an OpenVINO version string: 2026.4.1-20975-... -> 2026.4.1."""
    return version.split("-")[0].strip()


def release_key(release: str) -> tuple[int, ...]:
    """Sort key of a release string (2025.10.0 after 2025.9.0)."""
    return tuple(int(part) if part.isdigit() else -1 for part in release.split("."))


def expected(register: dict, issue: int, release: str) -> str | None:
    """What the register says about ``issue`` on ``release``: present, absent, or None (unknown)."""
    return register["releases"].get(release, {}).get(str(issue))


def first_present(register: dict, issue: int) -> str | None:
    """The oldest recorded release where the issue is present, or None."""
    found = [r for r, s in register["releases"].items() if s.get(str(issue)) == PRESENT]
    return min(found, key=release_key) if found else None


def verdict(register: dict, issue: int, release: str, present: bool) -> str | None:
    """The one line a canary fails with, or None when the observation agrees with the register."""
    info = register["issues"][str(issue)]
    observed = PRESENT if present else ABSENT
    said = expected(register, issue, release)
    record = f"make releases RELEASES={release}"
    if said is None:
        return (
            f"OpenVINO {release} is not in the register of known issues (tests/known_issues/register.json; "
            f"issue {issue} observed {observed}): record that release by running `{record}`"
        )
    if said == observed:
        return None
    if present:
        return (
            f"Known issue {issue} ({info['title']}) is PRESENT in OpenVINO {release}, but the register says "
            f"absent: re-run its repro, record the release with `{record}`; keep {info['workaround']}"
        )
    earlier = first_present(register, issue)
    if earlier is not None and release_key(earlier) < release_key(release):
        return (
            f"Known issue {issue} ({info['title']}) is GONE in OpenVINO {release} (present since {earlier}): "
            f"re-run its repro, record the release with `{record}`; once pyproject's openvino floor is "
            f"{release} or later, remove or relax {info['workaround']}"
        )
    return (
        f"Known issue {issue} ({info['title']}) is ABSENT in OpenVINO {release}, but the register says "
        f"present: re-run its repro, then record the release with `{record}`"
    )


def record(issue: int, release: str, present: bool, observed: str) -> None:
    """Append the observation to the file named by KNOWN_ISSUES_RECORD (tools/releases.py reads it)."""
    target = os.environ.get(RECORD_ENV)
    if not target:
        return
    row = {"issue": issue, "release": release, "status": PRESENT if present else ABSENT, "observed": observed}
    with open(target, "a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")
