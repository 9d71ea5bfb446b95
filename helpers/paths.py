"""Where the course's files live: the repository, shipped models, sample images and caches."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
MODELS_DIR = DATA_DIR / "models"
IMAGES_DIR = DATA_DIR / "images"
DIGITS_DIR = DATA_DIR / "digits"
SHIPPED_MODEL = MODELS_DIR / "efficientnet-lite0.onnx"
SHIPPED_LABELS = MODELS_DIR / "efficientnet-lite0.labels"


def cache_dir() -> Path:
    """Return the git-ignored cache folder (``$COURSE_CACHE_DIR`` or ``<repo>/.cache``)."""
    root = Path(os.environ.get("COURSE_CACHE_DIR", REPO_ROOT / ".cache"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def display_path(path: str | os.PathLike[str]) -> str:
    """Return an absolute ``path`` inside the repository relative to it; other paths as given."""
    p = Path(path)
    if not p.is_absolute():
        return str(path)
    try:
        return p.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


def printable(text: str) -> str:
    """Escape the bytes of a file name that are not UTF-8 (``caf\\udce9.png``), so it can be printed."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def printable_path(path: str | os.PathLike[str]) -> str:
    """``display_path``, printable even when the file name holds bytes that are not UTF-8."""
    return printable(display_path(path))


def first_line(exc: BaseException, limit: int = 200) -> str:
    """The first line of an error's message (else its type's name), printable, at most ``limit`` chars."""
    return printable((str(exc).strip().splitlines() or [type(exc).__name__])[0][:limit])
