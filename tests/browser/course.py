"""Which notebooks the browser test runs (found by glob, so new ones join), and whether it can run here.

``python tests/browser/course.py`` prints why the browser test cannot run here, or nothing: ``make
test`` then runs the notebooks on AUTO with nbval instead of in the browser.
"""

from __future__ import annotations

import sys
from pathlib import Path

from helpers.paths import REPO_ROOT
from helpers.serving.wire import serve_extra_missing

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
EXPLORER = "05-prediction-explorer.ipynb"
SERVING = "06-serving.ipynb"
VIEWPORT = {"width": 1500, "height": 1100}  # the browser window of every page
CHROMIUM = Path("/usr/bin/chromium")


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


def browser_missing() -> str | None:
    """Why the browser test cannot run here (no Debian Chromium, or no playwright), or None."""
    if not CHROMIUM.exists():
        return f"Chromium not installed at {CHROMIUM}: browser tests skipped"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python package playwright not installed (dev extra): browser tests skipped"
    return None


if __name__ == "__main__":
    print(browser_missing() or "")
    sys.exit(0)
