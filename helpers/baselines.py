"""Hand measured numbers from one notebook to a later one (e.g. 02's sync images/s to 04).

Stored as JSON in the git-ignored cache; a later notebook falls back to measuring itself
when the earlier one has not run on this machine.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from helpers.paths import cache_dir


def _file() -> Path:
    """Return the JSON file that holds the baselines."""
    return cache_dir() / "baselines.json"


def save_baseline(name: str, value: float) -> None:
    """Store ``value`` under ``name`` (atomic replace, so readers never see half a file)."""
    data = load_all()
    data[name] = float(value)
    tmp = _file().with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, _file())


def load_all() -> dict[str, float]:
    """Return every stored baseline (empty when none was saved or the file is unreadable)."""
    try:
        return {k: float(v) for k, v in json.loads(_file().read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def load_baseline(name: str) -> float | None:
    """Return the baseline stored under ``name``, or None."""
    return load_all().get(name)
