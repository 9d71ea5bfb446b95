"""nbval: notebook 06 needs the serve extra; where it is not installed, 06 is not collected."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def serve_extra_installed() -> bool:
    """Tell whether kserve and tritonclient (the serve extra) can be imported."""
    return all(importlib.util.find_spec(name) is not None for name in ("kserve", "tritonclient"))


def pytest_ignore_collect(collection_path: Path, config: object) -> bool | None:
    """Skip collecting 06-*.ipynb without the serve extra (it says how to install it when run)."""
    if collection_path.name.startswith("06-") and not serve_extra_installed():
        return True
    return None
