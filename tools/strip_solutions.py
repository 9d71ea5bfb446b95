"""Write the learner copies of the course notebooks into ``learner/`` (``make exercises``).

``python tools/strip_solutions.py`` takes every core notebook (``notebooks/0*.ipynb``, ...) and every
appendix notebook that has exercises, and writes a copy of each into the git-ignored ``learner/``
folder at the repository root: every cell tagged ``solution`` is removed and all outputs are
cleared (they were produced with the solutions filled in, so the check cells would already show
their pass lines), and nbval's ``# NBVAL_CHECK_OUTPUT`` lines go. Links to course notebooks that
have no learner copy point back into ``notebooks/``. The committed notebooks are never modified.

A learner copy that already exists is kept, since it may hold the learner's answers; ``--force``
overwrites it. Named notebooks (``tools/strip_solutions.py notebooks/02-....ipynb``) are copied
only if they have solution cells. Each bad input gets one line on stderr naming the file and the
reason; the other inputs are still processed, and the exit status is 1 when any input was refused.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import nbformat

from helpers.paths import first_line

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
LEARNER = REPO / "learner"
SOLUTION_TAG = "solution"
# A Markdown link or image target naming a sibling notebook or file: ](02-x.ipynb) or ](02-x.ipynb#part)
LINK = re.compile(r"\]\((?!https?:|/|#|\.\./)([^)\s#]+)(#[^)\s]*)?\)")


class StripError(Exception):
    """An input that cannot be turned into a learner copy; ``str()`` is one line."""


def shown(path: Path) -> str:
    """Return ``path`` relative to the repository when inside it, else as given."""
    try:
        return path.resolve().relative_to(REPO).as_posix()
    except ValueError:
        return str(path)


def is_solution(cell: nbformat.NotebookNode) -> bool:
    """Tell whether a cell carries the ``solution`` tag."""
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def is_core(path: Path) -> bool:
    """Tell whether a notebook is on the core path (its name starts with a digit)."""
    return path.name[:1].isdigit()


def strip(nb: nbformat.NotebookNode) -> int:
    """Remove the solution cells and clear every output in place; return how many cells were removed."""
    before = len(nb.cells)
    nb.cells = [cell for cell in nb.cells if not is_solution(cell)]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return before - len(nb.cells)


# The committed notebook's pointer to the learner copies ("Work in your own copy: `make exercises` ...
# prints where."): a learner copy is that copy already, so the sentence goes.
OWN_COPY = re.compile(r"(?:> )?\**Work in your own copy[.:]\**.*?prints where(?: they are)?\.[ \t]*", re.S)


# nbval's marker on a checked cell: the course's tests compare that cell's output with the committed
# one. A learner's copy has no committed outputs, and readers of the copies took the line for
# something to type, so it goes.
CHECK_MARKER = re.compile(r"^# NBVAL_CHECK_OUTPUT[ \t]*\n?", re.M)


def drop_check_markers(nb: nbformat.NotebookNode) -> None:
    """Remove nbval's ``# NBVAL_CHECK_OUTPUT`` line from every code cell."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = CHECK_MARKER.sub("", cell.source)


def drop_copy_pointer(nb: nbformat.NotebookNode) -> None:
    """Remove the sentence that sends a reader of the committed notebook to the learner copies."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and OWN_COPY.search(cell.source):
            text = OWN_COPY.sub("", cell.source)
            text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
            cell.source = text


def relink(nb: nbformat.NotebookNode, source_dir: Path, copied: set[str], target_dir: Path) -> None:
    """Point Markdown links at files that have no learner copy back to where they live."""

    def fix(m: re.Match[str]) -> str:
        name, anchor = m[1], m[2] or ""
        if name in copied or not (source_dir / name).exists():
            return m[0]
        return f"]({Path(os.path.relpath(source_dir / name, target_dir)).as_posix()}{anchor})"

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = LINK.sub(fix, cell.source)


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read a notebook, turning every way it can fail into a one-line ``StripError``."""
    if path.suffix != ".ipynb":
        raise StripError(f"{shown(path)}: not a .ipynb file")
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
        raise StripError(f"{shown(path)}: not a valid notebook ({first_line(exc, 120)})") from None


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


def course_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """Return the notebooks that get a learner copy: every core one, and appendices with solutions."""
    chosen = []
    for path in sorted(folder.glob("*.ipynb")):
        if is_core(path):
            chosen.append(path)
            continue
        try:
            nb = read_notebook(path)
        except StripError:
            continue  # a broken appendix is reported by nbval, not here
        if any(is_solution(c) for c in nb.cells):
            chosen.append(path)
    return chosen


def learner_copy(
    path: Path, out_dir: Path, copied: set[str], *, force: bool = False, need_solutions: bool = True
) -> tuple[Path, int | None]:
    """Write the learner copy of one notebook; return its path and the cells removed (None: kept)."""
    nb = read_notebook(path)
    target = out_dir / path.name
    if target.exists() and not force:
        return target, None
    removed = strip(nb)
    if removed == 0 and need_solutions:
        raise StripError(f"{shown(path)}: no cells tagged '{SOLUTION_TAG}'; nothing to strip")
    drop_copy_pointer(nb)
    drop_check_markers(nb)
    relink(nb, path.parent, copied, out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(nb, target)
    except OSError as exc:
        raise StripError(f"{shown(target)}: cannot be written ({exc.strerror or exc})") from None
    return target, removed


def main(argv: Sequence[str] | None = None) -> int:
    """Write the learner copies; return 0 when all succeeded, 1 when any input was refused."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks (default: the course's)")
    parser.add_argument("--out", type=Path, default=LEARNER, help="folder of the copies (default: learner/)")
    parser.add_argument("--force", action="store_true", help="overwrite existing copies (answers are lost)")
    args = parser.parse_args(argv)
    named = bool(args.notebooks)
    paths = args.notebooks if named else course_notebooks()
    copied = {p.name for p in paths}
    status = 0
    for path in paths:
        try:
            target, removed = learner_copy(path, args.out, copied, force=args.force, need_solutions=named)
        except StripError as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 1
            continue
        if removed is None:
            print(f"{shown(target)}: kept (it exists and may hold answers; --force overwrites it)")
        else:
            print(f"{shown(path)} -> {shown(target)}: removed {removed} solution cell(s), outputs cleared")
    if paths and status == 0:
        print(f"Learner copies are in {shown(args.out)}/: open them in JupyterLab and run the check cells.")
    return status


if __name__ == "__main__":
    sys.exit(main())
