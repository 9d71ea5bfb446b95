"""Count what a learner reads and runs in each notebook: prose words and code lines.

``python tools/notebook_budget.py`` prints one row per notebook. Prose is the words of markdown
cells (code spans and fenced blocks included, links counted by their text), counted the stricter
of two ways: whitespace-separated words, or runs of letters and digits (so that a code span such
as ``start_async(x, userdata)`` counts as the three words a reader reads); code is the lines of
code cells outside ``solution`` cells, without blank lines and comment-only lines. The core
notebooks (``01-`` ... ``06-``) must stay within ``MAX_WORDS`` and ``MAX_CODE_LINES``
(tests/test_budgets.py).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
MAX_WORDS = 1200
MAX_CODE_LINES = 130
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Budget:
    """What one notebook asks of a learner."""

    name: str
    words: int
    code_lines: int

    @property
    def fits(self) -> bool:
        """Tell whether the notebook stays within the core-path budget."""
        return self.words <= MAX_WORDS and self.code_lines <= MAX_CODE_LINES


def is_solution(cell: nbformat.NotebookNode) -> bool:
    """Tell whether a cell is tagged ``solution``."""
    return "solution" in cell.get("metadata", {}).get("tags", [])


def measure(path: Path) -> Budget:
    """Count the prose words and code lines of one notebook."""
    nb = nbformat.read(path, as_version=4)
    words = 0
    code = 0
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            text = LINK.sub(r"\1", cell.source)
            words += max(len(text.split()), len(WORD.findall(text)))
        elif cell.cell_type == "code" and not is_solution(cell):
            for line in cell.source.splitlines():
                stripped = line.strip()
                if stripped and not stripped.startswith("#"):
                    code += 1
    return Budget(path.name, words, code)


def core_notebooks() -> list[Path]:
    """Return the core-path notebooks (names starting with a digit)."""
    return sorted(p for p in (REPO / "notebooks").glob("[0-9]*.ipynb") if not p.stem.endswith("-exercise"))


def main() -> int:
    """Print the budget table of every notebook; exit 1 when a core notebook is over budget."""
    over = 0
    print(f"{'notebook':40} {'words':>6} {'code':>5}")
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        b = measure(path)
        core = path in core_notebooks()
        flag = "" if not core else ("  ok" if b.fits else "  OVER")
        over += core and not b.fits
        print(f"{b.name:40} {b.words:6} {b.code_lines:5}{flag}")
    print(f"budget per core notebook: {MAX_WORDS} words, {MAX_CODE_LINES} code lines")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
