"""nbval: notebook 06 needs the serve extra; where it is not installed, 06 is not collected.

Its cells carry the ``serve`` marker, so ``make test-extras`` (``-m serve``) selects them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.serving.wire import serve_extra_missing


def pytest_ignore_collect(collection_path: Path, config: object) -> bool | None:
    """Skip collecting 06-*.ipynb without the serve extra (it says how to install it when run)."""
    if collection_path.name.startswith("06-") and serve_extra_missing():
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark notebook 06's cells ``serve``."""
    for item in items:
        if item.path.name.startswith("06-"):
            item.add_marker(pytest.mark.serve)
