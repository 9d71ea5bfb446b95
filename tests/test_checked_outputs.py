"""tests/checked_outputs.py compares checked cells as nbval --nbval-lax does, for the browser's AUTO pass."""

from __future__ import annotations

from pathlib import Path

import nbformat
from checked_outputs import differences
from nbformat.v4 import new_code_cell, new_notebook, new_output


def write(path: Path, *cells: nbformat.NotebookNode) -> Path:
    nb = new_notebook()
    nb.cells = list(cells)
    nbformat.write(nb, path)
    return path


def cell(source: str, *outputs: nbformat.NotebookNode) -> nbformat.NotebookNode:
    made = new_code_cell(source)
    made.outputs = list(outputs)
    return made


def stdout(text: str) -> nbformat.NotebookNode:
    return new_output("stream", name="stdout", text=text)


CHECK = "# NBVAL_CHECK_OUTPUT\nprint(x)"


def test_same_text_in_other_chunks_and_other_timings_is_equal(tmp_path):
    ref = write(tmp_path / "ref.ipynb", cell(CHECK, stdout("a 12.5 ms\nb\n")))
    run = write(tmp_path / "run.ipynb", cell(CHECK, stdout("a 3 ms\n"), stdout("b\n")))
    assert differences(ref, run) == []


def test_a_changed_line_in_a_checked_cell_is_reported_with_the_cell(tmp_path):
    ref = write(tmp_path / "ref.ipynb", cell("print(1)", stdout("1\n")), cell(CHECK, stdout("cat\n")))
    run = write(tmp_path / "run.ipynb", cell("print(1)", stdout("2\n")), cell(CHECK, stdout("dog\n")))
    found = differences(ref, run)
    assert len(found) == 1  # the unchecked cell may differ
    assert "run.ipynb code cell 1" in found[0] and "cat" in found[0] and "dog" in found[0]


def test_images_widget_ids_and_execution_counts_are_not_compared(tmp_path):
    def shown(png: str, model_id: str, count: int) -> nbformat.NotebookNode:
        return new_output(
            "execute_result",
            data={
                "text/plain": "<Figure size 640x480 with 1 Axes>",
                "image/png": png,
                "application/vnd.jupyter.widget-view+json": {"model_id": model_id},
            },
            execution_count=count,
        )

    ref = write(tmp_path / "ref.ipynb", cell(CHECK, shown("AAAA", "1f", 3)))
    run = write(tmp_path / "run.ipynb", cell(CHECK, shown("BBBB", "2e", 9)))
    assert differences(ref, run) == []


def test_a_missing_output_and_a_tag_marked_cell_are_reported(tmp_path):
    tagged = cell("print(x)", stdout("x\n"))
    tagged.metadata["tags"] = ["nbval-check-output"]
    ref = write(tmp_path / "ref.ipynb", tagged, cell(CHECK, stdout("y\n")))
    tagged_run = cell("print(x)", stdout("changed\n"))
    tagged_run.metadata["tags"] = ["nbval-check-output"]
    run = write(tmp_path / "run.ipynb", tagged_run, cell(CHECK))
    found = differences(ref, run)
    assert [f.split(":")[0] for f in found] == ["run.ipynb code cell 0", "run.ipynb code cell 1"]
