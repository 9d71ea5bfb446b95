"""Auto-checks for the notebook exercises: one line of feedback, never a traceback.

Every exercise has three cells in the committed notebook:

1. the learner's cell, tagged ``exercise:<id>``: names bound to ``...`` with a ``# TODO``;
2. the check cell, tagged ``check:<id>``: one call of a check function from this package;
3. the solution cell, tagged ``solution`` and ``solution:<id>`` (source hidden): the answer,
   then the same check call again.

A check prints exactly one line: ``⏳ <id>: not answered yet`` while an answer is still ``...``,
``✗ <id>: <hint>`` when it is wrong, and ``✅ <id>: correct`` when it is right. It never raises,
so "Run All" goes on. Checks compare with references computed independently (in the module of
the notebook, ``helpers.exercises.nb02`` and so on, or earlier in the notebook), never with
code that a learner could copy as the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

NOT_ANSWERED = "not answered yet"


def is_answered(*values: Any) -> bool:
    """Tell whether every value has been filled in (none is still ``...``)."""
    return all(v is not ... for v in values)


def report(exercise: str, ok: bool, hint: str) -> bool:
    """Print ``✅ <exercise>: correct`` or ``✗ <exercise>: <hint>``; return ``ok``."""
    print(f"✅ {exercise}: correct" if ok else f"✗ {exercise}: {hint}")
    return ok


def check(exercise: str, answers: tuple[Any, ...], test: Callable[..., bool], hint: str) -> bool:
    """Run ``test(*answers)`` and report it; ``...`` anywhere means not answered, an error means wrong."""
    if not is_answered(*answers):
        print(f"⏳ {exercise}: {NOT_ANSWERED}")
        return False
    try:
        ok = bool(test(*answers))
    except Exception as exc:  # a wrong answer may raise anything; the learner sees one line
        return report(exercise, False, f"{hint} (the check raised {type(exc).__name__}: {exc})")
    return report(exercise, ok, hint)
