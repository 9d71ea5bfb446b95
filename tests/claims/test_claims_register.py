"""docs/claims.md names evidence that exists: checked cells of the notebooks and tests of tests/claims."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
REGISTER = REPO_ROOT / "docs" / "claims.md"
NOTEBOOKS = REPO_ROOT / "notebooks"
TEST_DIRS = [REPO_ROOT / "tests" / "claims", REPO_ROOT / "tests" / "known_issues"]
CELL = re.compile(r"^(\d\d|A\d+):([A-Za-z0-9_-]+)$")
TEST = re.compile(r"^test_\w+$")
CHECK = "# NBVAL_CHECK_OUTPUT"


def register_rows(text: str) -> list[tuple[str, str, list[str]]]:
    """``(section, claim, evidence tokens)`` for every table row of the register."""
    rows, section = [], ""
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif line.startswith("|") and not re.match(r"^\|\s*(claim|-)", line):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            assert len(cells) == 4, f"{section}: a row needs 4 columns: {line[:80]}"
            rows.append((section, cells[0], re.findall(r"`([^`]+)`", cells[2])))
    return rows


def defined_tests(dirs: list[Path], skip: str = "") -> set[str]:
    """Names of the test functions defined in the test files under ``dirs``."""
    names = set()
    for folder in dirs:
        for path in folder.glob("test_*.py"):
            if path.name == skip:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names |= {
                n.name
                for n in ast.walk(tree)
                if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")
            }
    return names


def checked_cells(prefix: str) -> dict[str, bool]:
    """``{cell id: checked?}`` of the code cells of the notebook whose name starts with ``prefix-``."""
    paths = sorted(NOTEBOOKS.glob(f"{prefix}-*.ipynb"))
    assert len(paths) == 1, f"no single notebook starts with {prefix}-: {paths}"
    nb = nbformat.read(paths[0], as_version=4)
    return {c.id: c.source.lstrip().startswith(CHECK) for c in nb.cells if c.cell_type == "code"}


def problems(text: str) -> list[str]:
    """Every evidence of the register that does not exist, is not checked, or is missing."""
    tests, cells, found = defined_tests(TEST_DIRS), {}, []
    for section, claim, evidence in register_rows(text):
        where = f"{section} / {claim[:50]!r}"
        if not evidence:
            found.append(f"{where}: no evidence")
        for token in evidence:
            if m := CELL.match(token):
                prefix, cell_id = m.groups()
                cells.setdefault(prefix, checked_cells(prefix))
                if cell_id not in cells[prefix]:
                    found.append(f"{where}: no code cell {cell_id} in notebook {prefix}")
                elif not cells[prefix][cell_id]:
                    found.append(f"{where}: cell {prefix}:{cell_id} is not a checked cell")
            elif TEST.match(token):
                if token not in tests:
                    found.append(f"{where}: no test {token} in tests/claims or tests/known_issues")
            else:
                found.append(f"{where}: {token!r} is neither NN:cell-id nor test_name")
    return found


def test_every_evidence_in_the_register_exists() -> None:
    text = REGISTER.read_text(encoding="utf-8")
    assert len(register_rows(text)) >= 30
    assert problems(text) == []


def test_every_claims_test_is_named_in_the_register() -> None:
    named = {t for _, _, evidence in register_rows(REGISTER.read_text(encoding="utf-8")) for t in evidence}
    unnamed = defined_tests(TEST_DIRS[:1], skip=Path(__file__).name) - named
    assert unnamed == set(), f"tests/claims tests that docs/claims.md does not name: {sorted(unnamed)}"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("| c | 03 §5 | `03:no-such-cell` | |", "no code cell no-such-cell in notebook 03"),
        ("| c | 03 §5 | `03:56d55584` | |", "cell 03:56d55584 is not a checked cell"),
        ("| c | 03 §5 | `test_that_does_not_exist` | |", "no test test_that_does_not_exist"),
        ("| c | 03 §5 | `helpers.queue_runner` | |", "is neither NN:cell-id nor test_name"),
        ("| c | 03 §5 | none | |", "no evidence"),
    ],
)
def test_the_register_check_catches(row: str, expected: str) -> None:
    text = "## 03 · x\n\n| claim | taught in | evidence | backed by |\n|---|---|---|---|\n" + row + "\n"
    found = problems(text)
    assert len(found) == 1 and expected in found[0], found
