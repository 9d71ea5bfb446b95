"""The soak tests are marked ``slow``: they run with ``make soak`` (``pytest tests/soak -m slow -s``)
and are skipped otherwise, so ``make test`` (which collects every folder under tests/) stays fast."""

from __future__ import annotations

from pathlib import Path

import pytest

SOAK_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip this folder's ``slow`` tests unless the marker expression asks for them (``-m slow``)."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="soak test: run it with `make soak` (pytest tests/soak -m slow -s)")
    for item in items:
        if "slow" in item.keywords and SOAK_DIR in item.path.resolve().parents:
            item.add_marker(skip)
