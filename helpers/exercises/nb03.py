"""Checks for the exercises of notebook 03 (InferRequest callbacks).

Each check compares the learner's answer with references that the notebook computed earlier with
plain synchronous ``infer()`` calls, never with code the learner could copy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from helpers.exercises import check

UNSURE_BELOW = 0.5


def check_poll(polled: Any, reference_labels: Sequence[str]) -> None:
    """03-poll: one top-1 label per photo, in file order, equal to the synchronous reference."""
    check(
        "03-poll",
        (polled,),
        lambda got: list(got) == list(reference_labels),
        "a label is only valid once wait_for has answered True for THAT photo's inference; "
        "read the output after polling, before the next start_async",
    )


def check_unsure(unsure: Any, reference_probability: Mapping[str, float]) -> None:
    """03-unsure: the photos whose callback raised (top-1 probability below 0.5), caught at wait()."""
    expected = sorted(name for name, p in reference_probability.items() if p < UNSURE_BELOW)
    check(
        "03-unsure",
        (unsure,),
        lambda got: not isinstance(got, str) and sorted(got) == expected,
        "the callback raises for a photo whose top-1 probability is below 0.5; wait() re-raises it "
        "in this thread, so note the photo where wait() raised (one name per failing photo)",
    )
