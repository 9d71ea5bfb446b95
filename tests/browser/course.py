"""Which notebooks the browser test runs: found by glob, so new core notebooks and appendices join."""

from __future__ import annotations

from pathlib import Path

from helpers.paths import REPO_ROOT

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
EXPLORER = "05-prediction-explorer.ipynb"
VIEWPORT = {"width": 1500, "height": 1100}  # the browser window of every page


def course_notebooks() -> list[Path]:
    """Every course notebook: the core path (``0*``) and the appendices (``A*``), not exercise copies."""
    found = [*NOTEBOOKS_DIR.glob("0*.ipynb"), *NOTEBOOKS_DIR.glob("A*.ipynb")]
    return sorted(p for p in found if not p.stem.endswith("-exercise"))
