"""The exercise convention of issues #13 and #24, checked statically and by a kernel over the learner copy.

Used by tests/test_exercises.py (imported like tests/expected.py). Both entry points return a list of
problems, one line each; an empty list means the notebook's exercises behave:

- ``structure_problems``: every exercise ``<id>`` has three consecutive cells tagged ``exercise:<id>``,
  ``check:<id>`` and ``solution:<id>``; the solution is hidden and makes an OpenVINO call, the check
  cell does not; a wrong answer and at least one shortcut are defined in ``tests/exercise_answers/nbNN.py``.
- ``run_problems``: the learner copy (solutions stripped) runs cell by cell in one kernel. Each check
  must print "not answered yet"; after the wrong answer replaces the learner cell, "✗"; after each
  shortcut (right values without the concept), a "✗" line naming the concept; after the solution, "✅".
  The learner cell is then run again, so later cells see the unanswered names and a
  cell that depends on an answer fails.
"""

from __future__ import annotations

import copy
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

REPO = Path(__file__).resolve().parents[1]
ANSWERS_DIR = REPO / "tests" / "exercise_answers"
NO_EXERCISES = "notebook has no exercises in the #13 convention"
ROLES = ("exercise", "check", "solution")
NOT_ANSWERED, WRONG_MARK, RIGHT_MARK = "not answered yet", "✗", "✅"
CELL_TIMEOUT = 300
# What counts as practising the API: a call or class of OpenVINO's runtime in the solution.
OPENVINO_CALLS = re.compile(
    r"\.infer\(|\.start_async\(|\.wait\(|\.wait_for\(|\.wait_all\(|\.set_callback\(|\.is_ready\("
    r"|compile_model\(|read_model\(|save_model\(|convert_model\(|create_infer_request\("
    r"|PrePostProcessor|AsyncInferQueue|ov\.Tensor\(|\.get_property\(|\.set_property\("
    r"|\.(get|set)_(input_|output_)?tensors?\(|\.reshape\(\s*[\[{(]|\.results\b|\.latency\b"
    r"|\.(model_)?inputs\b|\.(model_)?outputs\b|\.(input|output)\(|\.get_partial_shape\("
    r"|\.get_element_type\(|\.available_devices\b|\.query_state\(|\.profiling_info\b"
)
# What a check cell must not do: run the API itself (then it likely holds the answer).
ANSWER_CALLS = re.compile(
    r"\.infer\(|\.start_async\(|compile_model\(|PrePostProcessor|AsyncInferQueue\(|\.set_callback\("
    r"|create_infer_request\(|\.get_property\(|\.get_(input_|output_)?tensor\("
)


@dataclass
class Exercise:
    """Where one exercise's three cells are in the committed notebook."""

    id: str
    cells: dict[str, int]


def tags(cell: nbformat.NotebookNode) -> list[str]:
    """Return a cell's metadata tags."""
    return list(cell.get("metadata", {}).get("tags", []))


def code_lines(source: str) -> list[str]:
    """Return the lines of ``source`` that are neither blank nor comments."""
    return [line for line in source.splitlines() if line.strip() and not line.strip().startswith("#")]


def find_exercises(nb: nbformat.NotebookNode) -> tuple[list[Exercise], list[str]]:
    """Collect the exercises by their tags, in notebook order; also return tag problems."""
    found: dict[str, dict[str, list[int]]] = {}
    problems = []
    for index, cell in enumerate(nb.cells):
        for tag in tags(cell):
            role, sep, ex_id = tag.partition(":")
            if sep and role in ROLES:
                found.setdefault(ex_id, {r: [] for r in ROLES})[role].append(index)
                if role not in tags(cell):
                    problems.append(f"cell {index} ({ex_id}): tagged '{tag}' but not '{role}'")
    exercises = []
    for ex_id, roles in found.items():
        for role, where in roles.items():
            if len(where) != 1:
                problems.append(f"{ex_id}: {len(where)} cells tagged '{role}:{ex_id}' (need exactly 1)")
        if all(len(where) == 1 for where in roles.values()):
            exercises.append(Exercise(ex_id, {role: where[0] for role, where in roles.items()}))
    return sorted(exercises, key=lambda e: e.cells["exercise"]), problems


def load_wrong(notebook: Path, answers_dir: Path = ANSWERS_DIR, name: str = "WRONG") -> dict | str:
    """Return ``WRONG`` (or ``name``) from ``tests/exercise_answers/nbNN.py``, or a problem line."""
    path = answers_dir / f"nb{notebook.name[:2]}.py"
    if not path.is_file():
        return (
            f"{path.relative_to(answers_dir.parent.parent)} is missing: define WRONG = {{'<id>': '<source>'}}"
        )
    spec = importlib.util.spec_from_file_location(f"exercise_answers_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    wrong = getattr(module, name, None)
    if not isinstance(wrong, dict):
        return f"{path.name}: no {name} dict"
    return wrong


def structure_problems(
    nb: nbformat.NotebookNode,
    wrong: dict[str, str],
    counts: tuple[int, int] = (2, 3),
    shortcuts: dict[str, list[tuple[str, str]]] | None = None,
) -> list[str]:
    """Check the convention without running anything; return one line per problem."""
    exercises, problems = find_exercises(nb)
    if not exercises and not problems:
        return [f"{NO_EXERCISES} (cells tagged exercise:<id>, check:<id>, solution:<id>)"]
    if not counts[0] <= len(exercises) <= counts[1]:
        problems.append(f"{len(exercises)} exercises; a core notebook has {counts[0]}-{counts[1]}")
    for ex in exercises:
        learner, check, solution = (nb.cells[ex.cells[r]] for r in ROLES)
        if [ex.cells[r] for r in ROLES] != list(range(ex.cells["exercise"], ex.cells["exercise"] + 3)):
            problems.append(f"{ex.id}: exercise, check and solution cells are not consecutive, in this order")
        if any(c.cell_type != "code" for c in (learner, check, solution)):
            problems.append(f"{ex.id}: its three cells must be code cells")
            continue
        if "..." not in learner.source or "TODO" not in learner.source:
            problems.append(f"{ex.id}: the learner cell binds names to ... with a # TODO")
        if "NBVAL_CHECK_OUTPUT" not in check.source:
            problems.append(f"{ex.id}: the check cell is not marked # NBVAL_CHECK_OUTPUT")
        if ANSWER_CALLS.search(check.source) or len(code_lines(check.source)) > 3:
            problems.append(f"{ex.id}: the check cell holds more than a check call (it may give the answer)")
        if not solution.get("metadata", {}).get("jupyter", {}).get("source_hidden"):
            problems.append(f"{ex.id}: the solution cell is not hidden (metadata jupyter.source_hidden)")
        if not OPENVINO_CALLS.search(solution.source):
            problems.append(f"{ex.id}: the solution makes no OpenVINO call (tests/exercise_harness.py)")
        if ex.id not in wrong:
            problems.append(f"{ex.id}: no wrong answer in WRONG")
        if shortcuts is not None and not shortcuts.get(ex.id):
            problems.append(f"{ex.id}: no shortcut in SHORTCUTS (concept, source)")
    for extra in sorted(set(wrong) - {ex.id for ex in exercises}):
        problems.append(f"WRONG['{extra}'] names no exercise of this notebook")
    return problems


def output_text(cell: nbformat.NotebookNode) -> str:
    """Return what a cell printed: streams and plain-text results."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def error_of(cell: nbformat.NotebookNode) -> str | None:
    """Return ``Ename: evalue`` of a cell that raised, else None."""
    for out in cell.get("outputs", []):
        if out.output_type == "error":
            return f"{out.ename}: {out.evalue}"[:200]
    return None


def first_line(cell: nbformat.NotebookNode) -> str:
    """Return the first code line of a cell, to name it in a problem."""
    lines = code_lines(cell.source) or [""]
    return lines[0][:60]


def learner_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the notebook as ``make exercises`` writes it (tools/strip_solutions.py's ``strip``)."""
    spec = importlib.util.spec_from_file_location("strip_solutions", REPO / "tools" / "strip_solutions.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    stripped = copy.deepcopy(nb)
    tool.strip(stripped)
    return stripped


def run_problems(
    nb: nbformat.NotebookNode,
    wrong: dict[str, str],
    cwd: Path,
    timeout: int = CELL_TIMEOUT,
    shortcuts: dict[str, list[tuple[str, str]]] | None = None,
    seen: list[tuple[str, str, str]] | None = None,
) -> list[str]:
    """Drive one kernel over the learner copy, injecting wrong answers and solutions; return problems.

    ``seen``, when given, receives ``(exercise, answer, what the check printed)`` for each answer run.
    """
    exercises, _ = find_exercises(nb)
    solutions = {ex.id: nb.cells[ex.cells["solution"]] for ex in exercises}
    stripped = learner_copy(nb)
    client = NotebookClient(
        stripped,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(cwd)}},
    )
    problems: list[str] = []
    learner_cells: dict[str, nbformat.NotebookNode] = {}

    def run(cell: nbformat.NotebookNode, index: int) -> str | None:
        client.execute_cell(cell, index)
        return error_of(cell)

    with client.setup_kernel():
        for index, cell in enumerate(stripped.cells):
            if cell.cell_type != "code":
                continue
            error = run(cell, index)
            roles = {t.partition(":")[0]: t.partition(":")[2] for t in tags(cell) if ":" in t}
            if "exercise" in roles:
                learner_cells[roles["exercise"]] = cell
            if error and "raises-exception" not in tags(cell):
                problems.append(f"learner copy, cell {index} ({first_line(cell)!r}) raised {error}")
                break
            ex_id = roles.get("check")
            if ex_id is None or ex_id not in solutions:
                continue
            problems += check_one(
                ex_id, cell, index, wrong, solutions[ex_id], run, (shortcuts or {}).get(ex_id, []), seen
            )
            if ex_id in learner_cells:  # unanswered again: later cells must not need the answer
                run(copy.deepcopy(learner_cells[ex_id]), index)
    return problems


def check_one(ex_id, check_cell, index, wrong, solution, run, shortcuts=(), seen=None) -> list[str]:
    """Judge one exercise: unanswered, the wrong answer, each shortcut, then the solution; return problems."""
    problems = []
    said = output_text(check_cell).strip()
    if NOT_ANSWERED not in said or RIGHT_MARK in said or WRONG_MARK in said:
        problems.append(f"{ex_id}: unanswered, the check printed {said!r}, not '{NOT_ANSWERED}' alone")
    if ex_id in wrong:
        error = run(new_code_cell(wrong[ex_id]), index)
        if error:
            problems.append(f"{ex_id}: the wrong answer itself raised {error}")
        again = copy.deepcopy(check_cell)
        run(again, index)
        said = output_text(again).strip()
        if seen is not None:
            seen.append((ex_id, "WRONG", said))
        if WRONG_MARK not in said or RIGHT_MARK in said:
            problems.append(
                f"{ex_id}: with the wrong answer the check printed {said!r}, not '{WRONG_MARK} ...'"
            )
    for number, (concept, source) in enumerate(shortcuts, 1):
        error = run(new_code_cell(source), index)
        if error:
            problems.append(f"{ex_id}: shortcut {number} itself raised {error}")
        again = copy.deepcopy(check_cell)
        run(again, index)
        said = output_text(again).strip()
        if seen is not None:
            seen.append((ex_id, f"shortcut {number}", said))
        first = (said.splitlines() or [""])[0]
        if not first.startswith(WRONG_MARK) or RIGHT_MARK in said or concept not in first:
            problems.append(
                f"{ex_id}: with shortcut {number} the check printed {said!r}, "
                f"not one '{WRONG_MARK}' line naming {concept!r}"
            )
    answer = copy.deepcopy(solution)
    error = run(answer, index)
    said = output_text(answer).strip()
    if seen is not None:
        seen.append((ex_id, "solution", said))
    if error or RIGHT_MARK not in said or WRONG_MARK in said:
        problems.append(f"{ex_id}: the solution printed {said!r}{f' and raised {error}' if error else ''}")
    return problems
