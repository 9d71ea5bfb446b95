import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers.paths import REPO_ROOT

TOOL = REPO_ROOT / "tools" / "strip_solutions.py"
COURSE_NOTEBOOKS = ["01-model-loading.ipynb", "02-synchronous-inference.ipynb"]


def load_tool():
    spec = importlib.util.spec_from_file_location("strip_solutions", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


strip_solutions = load_tool()


def solution_cell(source: str) -> nbformat.NotebookNode:
    cell = new_code_cell(source)
    cell.metadata = {"tags": ["solution"], "jupyter": {"source_hidden": True}}
    return cell


def exercise_notebook(path: Path) -> Path:
    ran = new_code_cell("x = 1\nprint(x)", execution_count=1)
    ran.outputs = [new_output("stream", name="stdout", text="1\n")]
    check = new_code_cell("check('answer', answer, lambda a: a == 2, 'hint')", execution_count=4)
    check.outputs = [new_output("stream", name="stdout", text="✅ answer: correct\n")]
    other_tags = new_code_cell("y = 3")
    other_tags.metadata = {"tags": ["parameters"]}
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Title"),
            ran,
            other_tags,
            new_markdown_cell("**Exercise.** Set `answer` to 2."),
            new_code_cell("# TODO: set answer\nanswer = None"),
            solution_cell("answer = 2"),
            check,
        ]
    )
    nbformat.write(nb, path)
    return path


def test_copy_drops_solution_cells_and_outputs_and_keeps_the_rest(tmp_path, capsys):
    original = exercise_notebook(tmp_path / "07-demo.ipynb")
    before = original.read_bytes()

    assert strip_solutions.main([str(original)]) == 0

    copy = tmp_path / "07-demo-exercise.ipynb"
    nb = nbformat.read(copy, as_version=4)
    nbformat.validate(nb)
    assert [c.source for c in nb.cells] == [
        "# Title",
        "x = 1\nprint(x)",
        "y = 3",
        "**Exercise.** Set `answer` to 2.",
        "# TODO: set answer\nanswer = None",
        "check('answer', answer, lambda a: a == 2, 'hint')",
    ]
    assert nb.cells[2].metadata["tags"] == ["parameters"]
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert original.read_bytes() == before
    out = capsys.readouterr().out
    assert "07-demo-exercise.ipynb: removed 1 solution cell(s)" in out
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_course_notebooks_lose_exactly_their_solution_cells(tmp_path, name):
    source = REPO_ROOT / "notebooks" / name
    original = nbformat.read(source, as_version=4)
    solutions = [c for c in original.cells if "solution" in c.metadata.get("tags", [])]
    assert solutions, f"{name} has no solution cells"
    shutil.copy(source, tmp_path / name)

    assert strip_solutions.main([str(tmp_path / name)]) == 0

    copy = nbformat.read(tmp_path / name.replace(".ipynb", "-exercise.ipynb"), as_version=4)
    kept = [c.source for c in original.cells if c not in solutions]
    assert [c.source for c in copy.cells] == kept
    assert not any(s.source in [c.source for c in copy.cells] for s in solutions)
    tags = [c.metadata.get("tags", []) for c in copy.cells]
    learner = [
        (i, t.split(":", 1)[1])
        for i, cell_tags in enumerate(tags)
        for t in cell_tags
        if t.startswith("exercise:")
    ]
    assert len(learner) == len(solutions)
    for i, exercise in learner:  # the learner's cell is now directly followed by its check cell
        assert f"check:{exercise}" in tags[i + 1]
        assert "# TODO" in copy.cells[i].source and "..." in copy.cells[i].source
    assert "✅" not in copy_outputs(copy)


def copy_outputs(nb: nbformat.NotebookNode) -> str:
    return "".join(str(c.get("outputs", "")) for c in nb.cells)


def test_bad_inputs_get_one_line_each_and_good_ones_still_get_their_copy(tmp_path, capsys):
    good = exercise_notebook(tmp_path / "good.ipynb")
    (tmp_path / "broken.ipynb").write_text("{ not json", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    (tmp_path / "folder.ipynb").mkdir()
    nbformat.write(new_notebook(cells=[new_code_cell("1 + 1")]), tmp_path / "plain.ipynb")
    exercise_notebook(tmp_path / "old-exercise.ipynb")
    inputs = [
        tmp_path / "missing.ipynb",
        tmp_path / "broken.ipynb",
        tmp_path / "notes.txt",
        tmp_path / "folder.ipynb",
        tmp_path / "plain.ipynb",
        tmp_path / "old-exercise.ipynb",
        good,
    ]

    assert strip_solutions.main([str(p) for p in inputs]) == 1

    captured = capsys.readouterr()
    errors = captured.err.strip().splitlines()
    expected = {
        "missing.ipynb": "file not found",
        "broken.ipynb": "not a valid notebook",
        "notes.txt": "not a .ipynb file",
        "folder.ipynb": "is a folder",
        "plain.ipynb": "no cells tagged 'solution'",
        "old-exercise.ipynb": "already an exercise copy",
    }
    assert len(errors) == len(expected)
    for line, (name, reason) in zip(errors, expected.items(), strict=True):
        assert line.startswith("error: ") and name in line and reason in line, line
    assert "Traceback" not in captured.err
    assert (tmp_path / "good-exercise.ipynb").is_file()
    assert not (tmp_path / "plain-exercise.ipynb").exists()
    assert not (tmp_path / "broken-exercise.ipynb").exists()


def test_command_line_exit_status(tmp_path):
    good = exercise_notebook(tmp_path / "cli.ipynb")
    run = subprocess.run(
        [sys.executable, str(TOOL), str(tmp_path / "nope.ipynb"), str(good)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert run.stderr.strip().count("\n") == 0 and "nope.ipynb: file not found" in run.stderr
    assert "cli-exercise.ipynb: removed 1 solution cell(s)" in run.stdout
    assert (tmp_path / "cli-exercise.ipynb").is_file()
