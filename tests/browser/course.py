"""Which notebooks the browser test runs: found by glob, so new core notebooks and appendices join."""

from __future__ import annotations

from pathlib import Path

from helpers.paths import REPO_ROOT
from helpers.serving.wire import serve_extra_missing

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
EXPLORER = "05-prediction-explorer.ipynb"
SERVING = "06-serving.ipynb"
VIEWPORT = {"width": 1500, "height": 1100}  # the browser window of every page


def course_notebooks() -> list[Path]:
    """Every course notebook: the core path (``0*``) and the appendices (``A*``), not exercise copies."""
    found = [*NOTEBOOKS_DIR.glob("0*.ipynb"), *NOTEBOOKS_DIR.glob("A*.ipynb")]
    return sorted(p for p in found if not p.stem.endswith("-exercise"))


def cannot_run(name: str) -> str | None:
    """Why a notebook cannot run here (06 without the serve extra, as nbval skips it), or None."""
    missing = serve_extra_missing() if name == SERVING else []
    if missing:
        return f"{name} needs the serve extra ({', '.join(missing)} missing): pip install -e '.[dev,serve]'"
    return None
