"""Checks for the exercises of notebook 04 (AsyncInferQueue).

References are the synchronous results computed earlier in the notebook; the checks derive what
they need from them (top-5 ids, which photos a strict callback rejects) on their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from helpers.exercises import check


def _top5(probabilities: np.ndarray) -> list[int]:
    """Class ids of the five largest values, best first."""
    flat = np.asarray(probabilities).reshape(-1)
    return [int(i) for i in np.argsort(flat)[::-1][:5]]


def check_top5_by_name(top5_by_name: Any, reference_probs: Mapping[str, np.ndarray]) -> None:
    """04-queue-loop: {file name: top-5 class ids} from a queue equals the synchronous top-5."""
    expected = {name: _top5(p) for name, p in reference_probs.items()}
    check(
        "04-queue-loop",
        (top5_by_name,),
        lambda got: {name: [int(i) for i in ids] for name, ids in dict(got).items()} == expected,
        "key each result by the userdata given to start_async (the file name) and keep a COPY of the "
        "output in the callback: the request reuses its buffer for its next photo",
    )


def check_safe_callback(
    failed: Any, expected_labels: Mapping[str, str], reference: Mapping[str, str]
) -> None:
    """04-safe-callback: the names of the photos whose strict check failed, recorded, not raised."""
    rejected = sorted(name for name, label in reference.items() if expected_labels.get(name) != label)
    check(
        "04-safe-callback",
        (failed,),
        lambda got: not isinstance(got, str) and sorted(got) == rejected,
        "catch the exception INSIDE the callback and record the userdata of each failing photo; "
        "an error that escapes is re-raised by the queue, and swallowing it silently loses it",
    )
