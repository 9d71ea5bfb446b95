"""Every core notebook stays a short lesson: <= 1,200 words of prose and <= 130 lines of code."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import notebook_budget  # noqa: E402

CORE = notebook_budget.core_notebooks()


def test_core_path_has_five_notebooks_or_more() -> None:
    assert [p.name[:3] for p in CORE][:5] == ["01-", "02-", "03-", "04-", "05-"]


@pytest.mark.parametrize("path", CORE, ids=[p.stem for p in CORE])
def test_core_notebook_within_budget(path: Path) -> None:
    b = notebook_budget.measure(path)
    assert b.words <= notebook_budget.MAX_WORDS, f"{b.name}: {b.words} words of prose"
    assert b.code_lines <= notebook_budget.MAX_CODE_LINES, f"{b.name}: {b.code_lines} lines of code"


def test_budget_counts_prose_and_code_but_not_solutions(tmp_path: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("Two [linked words](https://example.org) here"),
        nbformat.v4.new_code_cell("x = 1\n\n# a comment\ny = 2"),
        nbformat.v4.new_code_cell("z = 3", metadata={"tags": ["solution"]}),
    ]
    path = tmp_path / "01-x.ipynb"
    nbformat.write(nb, path)
    b = notebook_budget.measure(path)
    assert (b.words, b.code_lines) == (4, 2)


def test_budget_counts_the_words_inside_code_spans(tmp_path: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("`start_async(x, userdata)` returns")]
    path = tmp_path / "01-x.ipynb"
    nbformat.write(nb, path)
    assert notebook_budget.measure(path).words == 4  # start_async, x, userdata, returns
