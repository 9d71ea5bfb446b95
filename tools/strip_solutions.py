"""Write a practice copy of a course notebook without its solution cells.

``python tools/strip_solutions.py notebooks/01-model-loading.ipynb`` writes
``notebooks/01-model-loading-exercise.ipynb`` beside the original: every cell tagged ``solution`` is
removed, and all outputs are cleared (they were produced with the solutions filled in, so the checking
cells would already show their pass lines). The original notebook is never modified.

Each bad input gets one line on stderr naming the file and the reason; the other inputs are still
processed, and the exit status is 1 when any input was refused.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
SOLUTION_TAG = "solution"
SUFFIX = "-exercise"


class StripError(Exception):
    """An input that cannot be turned into an exercise copy; ``str()`` is one line."""


def shown(path: Path) -> str:
    """Return ``path`` relative to the repository when inside it, else as given."""
    try:
        return path.resolve().relative_to(REPO).as_posix()
    except ValueError:
        return str(path)


def is_solution(cell: nbformat.NotebookNode) -> bool:
    """Tell whether a cell carries the ``solution`` tag."""
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def exercise_path(path: Path) -> Path:
    """Return where the exercise copy of ``path`` goes: ``<name>-exercise.ipynb`` beside it."""
    return path.with_name(f"{path.stem}{SUFFIX}{path.suffix}")


def strip(nb: nbformat.NotebookNode) -> int:
    """Remove the solution cells and clear every output in place; return how many cells were removed."""
    before = len(nb.cells)
    nb.cells = [cell for cell in nb.cells if not is_solution(cell)]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return before - len(nb.cells)


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read a notebook, turning every way it can fail into a one-line ``StripError``."""
    if path.suffix != ".ipynb":
        raise StripError(f"{shown(path)}: not a .ipynb file")
    if path.stem.endswith(SUFFIX):
        raise StripError(f"{shown(path)}: already an exercise copy; strip the original notebook instead")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StripError(f"{shown(path)}: file not found") from None
    except IsADirectoryError:
        raise StripError(f"{shown(path)}: is a folder, not a notebook") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StripError(f"{shown(path)}: cannot be read ({exc.__class__.__name__})") from None
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises JSON, validation and version errors of several types
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise StripError(f"{shown(path)}: not a valid notebook ({reason[:120]})") from None


def write_atomic(nb: nbformat.NotebookNode, target: Path) -> None:
    """Write ``nb`` to a temporary file beside ``target``, then rename it into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            nbformat.write(nb, f)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def make_exercise(path: Path) -> tuple[Path, int]:
    """Write the exercise copy of one notebook; return its path and the number of cells removed."""
    nb = read_notebook(path)
    removed = strip(nb)
    if removed == 0:
        raise StripError(f"{shown(path)}: no cells tagged '{SOLUTION_TAG}'; nothing to strip")
    target = exercise_path(path)
    try:
        write_atomic(nb, target)
    except OSError as exc:
        raise StripError(f"{shown(target)}: cannot be written ({exc.strerror or exc})") from None
    return target, removed


def main(argv: Sequence[str] | None = None) -> int:
    """Strip each named notebook; return 0 when all succeeded, 1 when any input was refused."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="course notebooks (.ipynb)")
    args = parser.parse_args(argv)
    status = 0
    for path in args.notebooks:
        try:
            target, removed = make_exercise(path)
        except StripError as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 1
            continue
        print(f"{shown(path)} -> {shown(target)}: removed {removed} solution cell(s), outputs cleared")
    return status


if __name__ == "__main__":
    sys.exit(main())
