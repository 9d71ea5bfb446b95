import importlib.util
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers.paths import REPO_ROOT

TOOL = REPO_ROOT / "tools" / "strip_solutions.py"


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


def exercise_notebook(path: Path, link: str = "") -> Path:
    ran = new_code_cell("x = 1\nprint(x)", execution_count=1)
    ran.outputs = [new_output("stream", name="stdout", text="1\n")]
    check = new_code_cell("check('answer', answer, lambda a: a == 2, 'hint')", execution_count=4)
    check.outputs = [new_output("stream", name="stdout", text="✅ answer: correct\n")]
    other_tags = new_code_cell("y = 3")
    other_tags.metadata = {"tags": ["parameters"]}
    nb = new_notebook(
        cells=[
            new_markdown_cell(f"# Title{link}"),
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
    out = tmp_path / "learner"

    assert strip_solutions.main([str(original), "--out", str(out)]) == 0

    nb = nbformat.read(out / "07-demo.ipynb", as_version=4)
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
    printed = capsys.readouterr().out
    assert "learner/07-demo.ipynb: removed 1 solution cell(s)" in printed
    assert not list(out.glob(".*.tmp"))


def test_an_existing_copy_keeps_the_learners_answers_unless_forced(tmp_path, capsys):
    original = exercise_notebook(tmp_path / "07-demo.ipynb")
    out = tmp_path / "learner"
    assert strip_solutions.main([str(original), "--out", str(out)]) == 0
    copy = out / "07-demo.ipynb"
    nb = nbformat.read(copy, as_version=4)
    nb.cells[4].source = "answer = 2  # the learner's work"
    nbformat.write(nb, copy)

    assert strip_solutions.main([str(original), "--out", str(out)]) == 0
    assert "the learner's work" in copy.read_text(encoding="utf-8")
    assert "learner/07-demo.ipynb: kept" in capsys.readouterr().out

    assert strip_solutions.main([str(original), "--out", str(out), "--force"]) == 0
    assert "the learner's work" not in copy.read_text(encoding="utf-8")


def test_links_to_notebooks_without_a_learner_copy_point_back_to_the_course(tmp_path):
    course = tmp_path / "notebooks"
    course.mkdir()
    nbformat.write(new_notebook(cells=[new_markdown_cell("appendix")]), course / "A2-known-issues.ipynb")
    link = " [A2](A2-known-issues.ipynb#issue-1), [08](08-next.ipynb), [web](https://docs.openvino.ai)"
    exercise_notebook(course / "07-demo.ipynb", link)
    exercise_notebook(course / "08-next.ipynb")

    assert (
        strip_solutions.main(
            [str(course / "07-demo.ipynb"), str(course / "08-next.ipynb"), "--out", str(tmp_path / "learner")]
        )
        == 0
    )

    title = nbformat.read(tmp_path / "learner" / "07-demo.ipynb", as_version=4).cells[0].source
    assert title == (
        "# Title [A2](../notebooks/A2-known-issues.ipynb#issue-1), [08](08-next.ipynb),"
        " [web](https://docs.openvino.ai)"
    )


def test_make_exercises_copies_every_core_notebook_and_appendices_with_solutions(tmp_path):
    course = tmp_path / "notebooks"
    course.mkdir()
    exercise_notebook(course / "01-a.ipynb")
    nbformat.write(new_notebook(cells=[new_code_cell("1 + 1")]), course / "02-b.ipynb")
    exercise_notebook(course / "A1-tour.ipynb")
    nbformat.write(new_notebook(cells=[new_code_cell("2 + 2")]), course / "A2-issues.ipynb")
    assert [p.name for p in strip_solutions.course_notebooks(course)] == [
        "01-a.ipynb",
        "02-b.ipynb",
        "A1-tour.ipynb",
    ]


@pytest.mark.parametrize("path", sorted((REPO_ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem)
def test_course_notebooks_lose_exactly_their_solution_cells(tmp_path, path):
    original = nbformat.read(path, as_version=4)
    solutions = [c for c in original.cells if "solution" in c.metadata.get("tags", [])]
    if not solutions:
        pytest.skip(f"{path.name} has no solution cells")

    assert strip_solutions.main([str(path), "--out", str(tmp_path)]) == 0

    copy = nbformat.read(tmp_path / path.name, as_version=4)
    kept = [c for c in original.cells if c not in solutions]
    assert [c.metadata.get("tags") for c in copy.cells] == [c.metadata.get("tags") for c in kept]
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
    assert "output_type" not in copy_outputs(copy)
    # a learner copy says nothing about the committed notebook, its solutions or the copies
    prose = "\n".join(c.source for c in copy.cells if c.cell_type == "markdown")
    for words in ("own copy", "make exercises", "committed notebook", "collapsed"):
        assert words not in prose, words


def test_the_pointer_to_the_learner_copies_goes_and_the_rest_of_its_cell_stays():
    nb = new_notebook(
        cells=[
            new_markdown_cell(
                "# Title\n\nWork in your own copy: `make exercises` writes the notebooks into a\n"
                "folder and prints where. Run top to bottom.\n\n**You will learn**"
            ),
            new_markdown_cell(
                "> **Work in your own copy.** `make exercises` writes copies, and\n"
                "> prints where they are.\n\n**Contents**"
            ),
        ]
    )
    strip_solutions.drop_copy_pointer(nb)
    assert nb.cells[0].source == "# Title\n\nRun top to bottom.\n\n**You will learn**"
    assert nb.cells[1].source == "**Contents**"


def copy_outputs(nb: nbformat.NotebookNode) -> str:
    return "".join(str(c.get("outputs", "")) for c in nb.cells)


def test_bad_inputs_get_one_line_each_and_good_ones_still_get_their_copy(tmp_path, capsys):
    good = exercise_notebook(tmp_path / "good.ipynb")
    (tmp_path / "broken.ipynb").write_text("{ not json", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    (tmp_path / "folder.ipynb").mkdir()
    nbformat.write(new_notebook(cells=[new_code_cell("1 + 1")]), tmp_path / "plain.ipynb")
    inputs = [
        tmp_path / "missing.ipynb",
        tmp_path / "broken.ipynb",
        tmp_path / "notes.txt",
        tmp_path / "folder.ipynb",
        tmp_path / "plain.ipynb",
        good,
    ]
    out = tmp_path / "learner"

    assert strip_solutions.main([*map(str, inputs), "--out", str(out)]) == 1

    captured = capsys.readouterr()
    errors = captured.err.strip().splitlines()
    expected = {
        "missing.ipynb": "file not found",
        "broken.ipynb": "not a valid notebook",
        "notes.txt": "not a .ipynb file",
        "folder.ipynb": "is a folder",
        "plain.ipynb": "no cells tagged 'solution'",
    }
    assert len(errors) == len(expected)
    for line, (name, reason) in zip(errors, expected.items(), strict=True):
        assert line.startswith("error: ") and name in line and reason in line, line
    assert "Traceback" not in captured.err
    assert [p.name for p in out.iterdir()] == ["good.ipynb"]


def test_unwritable_folder_gets_one_line(tmp_path, capsys):
    good = exercise_notebook(tmp_path / "good.ipynb")
    blocker = tmp_path / "learner"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    assert strip_solutions.main([str(good), "--out", str(blocker)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "cannot be written" in err


def test_command_line_exit_status(tmp_path):
    good = exercise_notebook(tmp_path / "cli.ipynb")
    out = tmp_path / "learner"
    run = subprocess.run(
        [sys.executable, str(TOOL), str(tmp_path / "nope.ipynb"), str(good), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert run.stderr.strip().count("\n") == 0 and "nope.ipynb: file not found" in run.stderr
    assert "learner/cli.ipynb: removed 1 solution cell(s)" in run.stdout
    assert (out / "cli.ipynb").is_file()


def test_copy_drops_the_nbval_marker_and_keeps_the_code(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(1)"),
        new_code_cell("x = 2  # NBVAL_CHECK_OUTPUT is only a marker on a line of its own"),
        new_code_cell("answer = None"),
        solution_cell("answer = 2"),
    ]
    path = tmp_path / "07-demo.ipynb"
    nbformat.write(nb, path)
    assert strip_solutions.main([str(path), "--out", str(tmp_path / "learner")]) == 0
    copy = nbformat.read(tmp_path / "learner" / "07-demo.ipynb", as_version=4)
    assert [c.source for c in copy.cells] == [
        "print(1)",
        "x = 2  # NBVAL_CHECK_OUTPUT is only a marker on a line of its own",
        "answer = None",
    ]
