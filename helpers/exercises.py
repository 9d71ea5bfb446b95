"""Auto-checking for notebook exercises: one clear line of feedback, never a long traceback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class ExerciseNotDone(AssertionError):
    """The learner's answer is missing or wrong; the message says what to look at."""


def check(name: str, answer: Any, test: Callable[[Any], bool], hint: str) -> None:
    """Print a pass line when ``test(answer)`` holds; raise ``ExerciseNotDone`` with ``hint`` otherwise."""
    if answer is None or answer is ...:
        raise ExerciseNotDone(f"{name}: not answered yet. {hint}")
    if not test(answer):
        raise ExerciseNotDone(f"{name}: not quite. {hint}")
    print(f"✅ {name}: correct")
