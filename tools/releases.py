"""Run the course on each OpenVINO release, each in an isolated venv: `make releases`, `make test-releases`.

For each release (default: every release on the index from pyproject's openvino floor to the newest),
a venv under .cache/releases/<release>/ gets that release and the course (`pip install -e .`, the dev
extra's pytest); then nbval runs each notebook, pytest runs tests/test_cli.py and the canaries
(tests/known_issues/). Downloaded wheels are reused from pip's cache, and a venv whose install is
current is reused as it is. One line per step, with its time.

`--record` (make releases) runs the canaries in record mode (they observe, and fail only on a real
assertion) and writes what they saw into tests/known_issues/register.json, the results into
docs/releases.json, and the tables into docs/releases.md, docs/known-issues.md and notebook A2.
Without it (make test-releases, CI) the canaries compare with the register, and nothing is written
but the results file given by --out. The exit status is 0 only when every step passed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "known_issues"))
import ki_register as register  # noqa: E402

CACHE = REPO / ".cache" / "releases"
RESULTS = REPO / "docs" / "releases.json"
TABLES = REPO / "docs" / "releases.md"
KNOWN_ISSUES = REPO / "docs" / "known-issues.md"
A2 = REPO / "notebooks" / "A2-known-issues.ipynb"
START, END = "<!-- releases-table:start -->", "<!-- releases-table:end -->"
CORE = ("01-", "02-", "03-", "04-", "05-")
NBVAL = ["--nbval-lax", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg"]
T0 = time.monotonic()


def say(text: str) -> None:
    """Print one progress line with the time since the start."""
    s = int(time.monotonic() - T0)
    print(f"[{s // 60:02d}:{s % 60:02d}] {text}", flush=True)


def rel(path: Path) -> str:
    """A path relative to the repository, for printing."""
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def floor() -> str:
    """The openvino floor of pyproject.toml's dependencies, e.g. 2025.0."""
    found = re.search(r'"openvino>=([0-9.]+)"', (REPO / "pyproject.toml").read_text(encoding="utf-8"))
    if not found:
        raise SystemExit("pyproject.toml: no openvino>=X dependency")
    return found.group(1)


def index_releases(python: str = sys.executable) -> list[str]:
    """Every final openvino release on the index (`pip index versions openvino`), oldest first."""
    out = subprocess.run(
        [python, "-m", "pip", "index", "versions", "openvino"], capture_output=True, text=True, check=True
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("Available versions:"))
    found = [v.strip() for v in line.split(":", 1)[1].split(",")]
    return sorted((v for v in found if re.fullmatch(r"[0-9.]+", v)), key=register.release_key)


def releases_to_run(given: list[str], lowest: str, available: list[str]) -> list[str]:
    """The releases given, or every available one from the floor (2025.0 -> 2025.0.0 and later).

    The words ``floor`` and ``newest`` stand for the oldest available release at or above the floor
    and the newest one on the index.
    """
    span = [v for v in available if register.release_key(v) >= register.release_key(lowest)]
    if not given:
        return span
    words = {"floor": span[:1], "newest": span[-1:]}
    todo = [v for g in given for v in words.get(g, [g])]
    return list(dict.fromkeys(todo))


def pytest_counts(xml: Path) -> dict:
    """Passed/failed/skipped counts and the failures' one-line messages from a JUnit XML file."""
    counts = {"passed": 0, "failed": 0, "skipped": 0, "failures": []}
    if not xml.is_file():
        counts["failed"] = 1
        counts["failures"].append("no test report (pytest crashed or timed out)")
        return counts
    for case in ET.parse(xml).getroot().iter("testcase"):
        bad = case.find("failure") if case.find("failure") is not None else case.find("error")
        if bad is not None:
            counts["failed"] += 1
            message = (
                re.sub(r"(#x1B|\x1b)\[[0-9;]*m", "", bad.get("message") or bad.text or "")
                .strip()
                .splitlines()
            )
            first = (message[0] if message else "").replace(f"{REPO}{os.sep}", "")  # repo-relative paths
            counts["failures"].append(f"{case.get('name')}: {first[:300]}")
        elif case.find("skipped") is not None:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
    return counts


class Release:
    """One release's venv and its steps; results gathered in ``self.result``."""

    def __init__(self, release: str, base_python: str, cell_timeout: int) -> None:
        self.release = release
        self.dir = CACHE / release
        self.venv = self.dir / "venv"
        self.python = self.venv / "bin" / "python"
        self.base_python = base_python
        self.cell_timeout = cell_timeout
        self.result: dict = {"steps": {}, "seconds": {}}

    def install(self) -> bool:
        """Create the venv (or reuse it when its stamp matches) with this release and the course."""
        spec = (REPO / "pyproject.toml").read_bytes() + self.release.encode()
        stamp, digest = self.venv / ".course-stamp", hashlib.sha256(spec).hexdigest()
        if stamp.is_file() and stamp.read_text() == digest:
            return True
        self.dir.mkdir(parents=True, exist_ok=True)
        log = self.dir / "install.log"
        steps = [
            [self.base_python, "-m", "venv", "--clear", str(self.venv)],
            [str(self.python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
            [
                str(self.python),
                "-m",
                "pip",
                "install",
                "-e",
                str(REPO),
                f"openvino=={self.release}",
                "pytest>=8.0",
            ],
        ]
        with log.open("w") as out:
            for cmd in steps:
                if subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=REPO).returncode:
                    return False
        stamp.write_text(digest)
        return True

    def pytest(self, name: str, targets: list[str], extra: list[str], env: dict | None = None) -> dict:
        """Run pytest in the release's venv; return the counts of its JUnit report."""
        xml, log = self.dir / f"{name}.xml", self.dir / f"{name}.log"
        xml.unlink(missing_ok=True)
        cmd = [str(self.python), "-m", "pytest", "-p", "no:cacheprovider", "-q", f"--junitxml={xml}"]
        with log.open("w") as out:
            subprocess.run(
                cmd + targets + extra,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=REPO,
                env={**os.environ, **(env or {})},
            )
        return pytest_counts(xml)

    def step(self, name: str, targets: list[str], extra: list[str] = (), env: dict | None = None) -> dict:
        """Run one step, print its line, and keep its counts under ``name``."""
        t = time.monotonic()
        counts = self.pytest(name.replace("/", "_"), targets, list(extra), env)
        seconds = round(time.monotonic() - t, 1)
        counts["seconds"] = seconds
        self.result["steps"][name] = counts
        verdict = "ok" if counts["failed"] == 0 and counts["passed"] else "FAILED"
        skipped = f", {counts['skipped']} skipped" if counts["skipped"] else ""
        tally = f"{counts['passed']} passed, {counts['failed']} failed{skipped}"
        say(f"  {self.release} {name}: {verdict} ({tally}) in {seconds:.0f} s")
        for failure in counts["failures"][:3]:
            say(f"    ✗ {failure}")
        if len(counts["failures"]) > 3:
            log = rel(self.dir / f"{name.replace('/', '_')}.log")
            say(f"    ... and {len(counts['failures']) - 3} more: {log}")
        return counts

    def run(self, notebooks: list[Path], record: bool) -> dict:
        """Install, then run every notebook, the CLI tests and the canaries."""
        t = time.monotonic()
        ok = self.install()
        self.result["seconds"]["install"] = round(time.monotonic() - t, 1)
        say(
            f"  {self.release} install: {'ok' if ok else 'FAILED, see ' + rel(self.dir / 'install.log')} "
            f"in {self.result['seconds']['install']:.0f} s"
        )
        if not ok:
            self.result["install"] = "failed"
            return self.result
        self.result["python"] = subprocess.run(
            [str(self.python), "-c", "import platform; print(platform.python_version())"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        timeout = [f"--nbval-cell-timeout={self.cell_timeout}"]
        serve = (
            "import importlib.util as u; all(u.find_spec(m) for m in ('kserve', 'tritonclient')) or print(0)"
        )
        wants_06 = any(nb.name.startswith("06-") for nb in notebooks)
        if (
            wants_06
            and subprocess.run([str(self.python), "-c", serve], capture_output=True, text=True).stdout
        ):
            # As notebooks/conftest.py does (it is not asked about notebooks named on the command line).
            notebooks = [nb for nb in notebooks if not nb.name.startswith("06-")]
            say(f"  {self.release} notebooks/06-serving: skipped (no serve extra in this venv)")
        for nb in notebooks:
            self.step(f"notebooks/{nb.stem}", [rel(nb)], NBVAL + timeout)
        self.step("cli", ["tests/test_cli.py"])
        records = self.dir / "canaries.jsonl"
        records.unlink(missing_ok=True)
        env = {register.RECORD_ENV: str(records)}
        if record:
            env[register.RECORD_ONLY_ENV] = "1"
        self.step("canaries", ["tests/known_issues"], env=env)
        self.result["issues"] = {}
        if records.is_file():
            for row in map(json.loads, records.read_text().splitlines()):
                issue = {"status": row["status"], "observed": row["observed"]}
                self.result["issues"][str(row["issue"])] = issue
        self.result["seconds"]["total"] = round(time.monotonic() - t, 1)
        return self.result


def passed(result: dict, prefix: str) -> tuple[int, int]:
    """(passed steps' tests, failed tests) over the steps whose name starts with ``prefix``."""
    steps = [s for n, s in result.get("steps", {}).items() if n.startswith(prefix)]
    return sum(s["passed"] for s in steps), sum(s["failed"] for s in steps)


def cell(result: dict, prefix: str) -> str:
    """A table cell: "all pass (n)" or "k failed of n"."""
    if result.get("install") == "failed":
        return "install failed"
    good, bad = passed(result, prefix)
    if not good and not bad:
        return "not run"
    text = f"all {good} pass" if not bad else f"**{bad} failed** of {good + bad}"
    chosen = result.get("selection", "full")
    if prefix == "notebooks/" and chosen != "full":
        text += " (only " + ", ".join(name.split("-")[0] for name in chosen) + ")"
    return text


def ok(result: dict) -> bool:
    """True when every step of a release passed."""
    steps = result.get("steps", {})
    return result.get("install") != "failed" and bool(steps) and all(not s["failed"] for s in steps.values())


def course_table(results: dict) -> str:
    """Markdown: release x {notebooks, CLI, canaries' own checks, minutes}."""
    rows = [
        "| release | Python | notebooks (nbval) | CLI (tests/test_cli.py) | tests/known_issues | minutes |",
        "|---|---|---|---|---|---|",
    ]
    for release in sorted(results, key=register.release_key):
        r = results[release]
        minutes = f"{r['seconds'].get('total', 0) / 60:.1f}" if r.get("seconds", {}).get("total") else "-"
        rows.append(
            f"| {release} | {r.get('python', '-')} | {cell(r, 'notebooks/')} | {cell(r, 'cli')} "
            f"| {cell(r, 'canaries')} | {minutes} |"
        )
    return "\n".join(rows)


def issues_table(reg: dict, results: dict) -> str:
    """Markdown: release x known issue, from the register, with the observed rate where measured."""
    issues = sorted(reg["issues"], key=int)
    rows = ["| release | " + " | ".join(f"#{i}" for i in issues) + " |", "|---" * (len(issues) + 1) + "|"]
    for release in sorted(reg["releases"], key=register.release_key):
        seen = results.get(release, {}).get("issues", {})
        cells = []
        for i in issues:
            status = reg["releases"][release].get(i, "unknown")
            rate = seen.get(i, {}).get("observed")
            cells.append(f"{status} ({rate})" if rate else status)
        rows.append(f"| {release} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def span_table(reg: dict) -> str:
    """Markdown: per issue, the first recorded release where it is present and the one that fixed it."""
    ordered = sorted(reg["releases"], key=register.release_key)
    rows = ["| # | issue | first present | fixed in |", "|---|---|---|---|"]
    for i in sorted(reg["issues"], key=int):
        statuses = [(r, reg["releases"][r].get(i)) for r in ordered]
        present = [r for r, s in statuses if s == register.PRESENT]
        if not present:
            first, fixed = "never (in the recorded releases)", "-"
        else:
            before = [r for r, _ in statuses if register.release_key(r) < register.release_key(present[0])]
            first = present[0] + (f" (absent in {before[-1]})" if before else " or earlier")
            later = [r for r, _ in statuses if register.release_key(r) > register.release_key(present[-1])]
            fixed = later[0] if later else "not fixed"
        rows.append(f"| {i} | {reg['issues'][i]['title']} | {first} | {fixed} |")
    note = (
        f"\n\nRecorded releases: {', '.join(ordered)}. An issue may first appear (or be fixed) in a "
        "release between two of them that was not run."
        if ordered
        else ""
    )
    return "\n".join(rows) + note


def between_markers(text: str, table: str, where: str) -> str:
    """Replace what lies between the START and END markers of ``text`` with ``table``."""
    if START not in text or END not in text:
        raise SystemExit(f"{where}: the markers {START} and {END} are missing")
    head, rest = text.split(START, 1)
    return f"{head}{START}\n{table}\n{END}{rest.split(END, 1)[1]}"


def write_tables(reg: dict, results: dict) -> None:
    """Write docs/releases.md, and the register's tables into docs/known-issues.md and notebook A2."""
    register_tables = (
        f"{span_table(reg)}\n\nPer release (the canaries' observation in brackets, where "
        f"`make releases` measured it):\n\n{issues_table(reg, results)}"
    )
    TABLES.write_text(
        "# The course on each OpenVINO release\n\n"
        "Written by `make releases` (tools/releases.py) from docs/releases.json and "
        "tests/known_issues/register.json; do not edit by hand. Each release ran in a venv of its own: nbval "
        "over every notebook (06 only where the serve extra is installed), tests/test_cli.py and "
        "tests/known_issues/. Minutes include the install (short when the venv was reused).\n\n"
        f"## Notebooks and CLI\n\n{course_table(results)}\n\n"
        f"## Known issues (docs/known-issues.md)\n\n{register_tables}\n",
        encoding="utf-8",
    )
    KNOWN_ISSUES.write_text(
        between_markers(KNOWN_ISSUES.read_text(encoding="utf-8"), register_tables, rel(KNOWN_ISSUES)),
        encoding="utf-8",
    )
    nb = json.loads(A2.read_text(encoding="utf-8"))
    for c in nb["cells"]:
        text = "".join(c["source"])
        if c["cell_type"] == "markdown" and START in text:
            c["source"] = between_markers(text, register_tables, rel(A2)).splitlines(keepends=True)
            break
    else:
        raise SystemExit(f"{rel(A2)}: no markdown cell with the marker {START}")
    A2.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def record(reg: dict, release: str, result: dict) -> bool:
    """Write the observed statuses of ``release`` into the register; False when a canary said nothing."""
    seen = result.get("issues", {})
    if set(seen) != set(reg["issues"]):
        return False
    reg["releases"][release] = {i: seen[i]["status"] for i in sorted(seen, key=int)}
    reg["releases"] = dict(sorted(reg["releases"].items(), key=lambda kv: register.release_key(kv[0])))
    return True


def main(argv: list[str] | None = None) -> int:
    """Run the releases; print one line per step; write the results (and, with --record, the register)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("releases", nargs="*", help="releases to run (default: floor to newest on the index)")
    parser.add_argument("--light", action="store_true", help="core notebooks 01-05 only (CI)")
    parser.add_argument(
        "--notebooks", type=str.split, metavar="PREFIXES", help='only these notebooks, e.g. "01 04"'
    )
    parser.add_argument("--record", action="store_true", help="write the register, results and tables")
    parser.add_argument("--out", type=Path, help="results file (default docs/releases.json with --record)")
    parser.add_argument(
        "--nbval-cell-timeout", type=int, default=600, help="seconds per cell (loaded machine)"
    )
    parser.add_argument("--python", default=sys.executable, help="the Python that makes the venvs")
    parser.add_argument(
        "--tables", action="store_true", help="only rewrite the tables from the recorded files"
    )
    args = parser.parse_args(argv)
    if args.tables:
        write_tables(register.load(), json.loads(RESULTS.read_text(encoding="utf-8")))
        say(f"tables in {rel(TABLES)}, {rel(KNOWN_ISSUES)}, {rel(A2)}")
        return 0

    words = not args.releases or {"floor", "newest"} & set(args.releases)
    available = index_releases(args.python) if words else []
    todo = releases_to_run(args.releases, floor(), available)
    notebooks = sorted((REPO / "notebooks").glob("*.ipynb"))
    if args.light or args.notebooks:
        chosen = tuple(f"{p}-" for p in args.notebooks) if args.notebooks else CORE
        notebooks = [nb for nb in notebooks if nb.name.startswith(chosen)]
    say(
        f"{len(todo)} release(s): {' '.join(todo)}; {len(notebooks)} notebooks, tests/test_cli.py, canaries"
        f"{' (record mode)' if args.record else ''}"
    )
    out = args.out or (RESULTS if args.record else CACHE / "results.json")
    results = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}
    reg = register.load()
    failed = []
    for n, release in enumerate(todo, 1):
        say(f"[{n}/{len(todo)}] OpenVINO {release}: venv {rel(CACHE / release / 'venv')}")
        result = Release(release, args.python, args.nbval_cell_timeout).run(notebooks, args.record)
        result["selection"] = "full" if not (args.light or args.notebooks) else [nb.stem for nb in notebooks]
        results[release] = result
        out.parent.mkdir(parents=True, exist_ok=True)
        ordered = dict(sorted(results.items(), key=lambda kv: register.release_key(kv[0])))
        out.write_text(json.dumps(ordered, indent=1) + "\n", encoding="utf-8")
        if args.record and not record(reg, release, result):
            say(f"  {release}: not recorded in the register (a canary observed nothing)")
        if args.record:
            register.REGISTER.write_text(json.dumps(reg, indent=2) + "\n", encoding="utf-8")
            write_tables(reg, results)
        if not ok(result):
            failed.append(release)
        minutes = result["seconds"].get("total", 0) / 60
        say(f"  {release}: {'ok' if ok(result) else 'FAILED'} in {minutes:.1f} min")
    say(
        f"done: {len(todo) - len(failed)}/{len(todo)} release(s) pass"
        + (f"; failed: {' '.join(failed)}" if failed else "")
        + f"; results in {rel(out)}"
    )
    if args.record:
        say(f"tables in {rel(TABLES)}, {rel(KNOWN_ISSUES)}, {rel(A2)}; register {rel(register.REGISTER)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
