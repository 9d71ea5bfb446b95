"""Auto-checks for the notebook exercises: one line of feedback, never a traceback.

Every exercise has three cells in the committed notebook:

1. the learner's cell, tagged ``exercise:<id>``: names bound to ``...`` with a ``# TODO``;
2. the check cell, tagged ``check:<id>``: one call of a check function from this package;
3. the solution cell, tagged ``solution`` and ``solution:<id>`` (source hidden): the answer,
   then the same check call again.

A learner cell may give a skeleton (a ``def`` with ``...`` where the API calls go): an answer whose
source still holds such a ``...`` is not answered yet (``skeleton_left``).

A check prints exactly one line: ``⏳ <id>: not answered yet`` while an answer is still ``...``,
``✗ <id>: <hint>`` when it is wrong, and ``✅ <id>: correct`` when it is right. It never raises,
so "Run All" goes on. The learner writes something a check can call (a function, a callback, a
factory); the check calls it on held-out inputs made at check time (``reference.py``) and, where
the concept is an API, hands it a request or queue that notes how it is used (``watch.py``).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from typing import Any

from helpers.models import openvino_reason

NOT_ANSWERED = "not answered yet"
LEFT = " (replace each ... in the cell)"


def skeleton_left(answer: Any) -> bool:
    """Tell whether a function answer still holds a ``...`` of its skeleton (``x[..., 0]`` is none)."""
    if not callable(answer):
        return False
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(answer)))
    except (OSError, TypeError, SyntaxError):  # no source to read: the check judges it by running it
        return False
    nodes = list(ast.walk(tree))
    in_slices = {id(n) for s in nodes if isinstance(s, ast.Subscript) for n in ast.walk(s.slice)}
    return any(isinstance(n, ast.Constant) and n.value is Ellipsis and id(n) not in in_slices for n in nodes)


def is_answered(*values: Any) -> bool:
    """Tell whether every value has been filled in (none is ``...`` or a skeleton with a ``...`` left)."""
    return all(v is not ... and not skeleton_left(v) for v in values)


def print_not_answered(exercise: str, *answers: Any) -> None:
    """Print ``⏳ <exercise>: not answered yet``, saying to replace the ``...`` where a skeleton holds one."""
    print(f"⏳ {exercise}: {NOT_ANSWERED}{LEFT if any(map(skeleton_left, answers)) else ''}")


def report(exercise: str, ok: bool, hint: str) -> bool:
    """Print ``✅ <exercise>: correct`` or ``✗ <exercise>: <hint>``; return ``ok``."""
    print(f"✅ {exercise}: correct" if ok else f"✗ {exercise}: {hint}")
    return ok


def check(exercise: str, answers: tuple[Any, ...], test: Callable[..., bool | str], hint: str) -> bool:
    """Run ``test(*answers)`` and report it; ``...`` anywhere means not answered, an error means wrong.

    ``test`` returns True (right), False (wrong: the ``hint``) or a string (wrong: that hint).
    """
    if not is_answered(*answers):
        print_not_answered(exercise, *answers)
        return False
    try:
        verdict = test(*answers)
    except Exception as exc:  # a wrong answer may raise anything; the learner sees one line
        reason = openvino_reason(exc)[:200]
        return report(exercise, False, f"{hint} (the check raised {type(exc).__name__}: {reason})")
    if isinstance(verdict, str):
        return report(exercise, False, verdict)
    return report(exercise, bool(verdict), hint)
