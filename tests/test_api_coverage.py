"""A1 runs every InferRequest member of the seed reference, and docs/api-coverage.md lists each."""

from __future__ import annotations

import re

import nbformat
import openvino as ov
import pytest

from helpers.paths import REPO_ROOT

A1 = REPO_ROOT / "notebooks" / "A1-infer-request-tour.ipynb"
COVERAGE_DOC = REPO_ROOT / "docs" / "api-coverage.md"
# The 27 members of the seed reference's InferRequest table.
MEMBERS = [
    "infer", "results", "get_input_tensor", "get_output_tensor", "get_tensor", "set_input_tensor",
    "set_tensor", "set_output_tensor", "set_output_tensors", "set_tensors", "input_tensors",
    "output_tensors", "model_inputs", "model_outputs", "inputs", "outputs", "set_input_tensors",
    "latency", "get_profiling_info", "profiling_info", "query_state", "start_async", "wait",
    "wait_for", "set_callback", "userdata", "cancel",
]  # fmt: skip
RENAMED = {"inputs": "input_tensors", "outputs": "output_tensors"}


def a1_code() -> str:
    nb = nbformat.read(A1, as_version=4)
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")


def test_the_seed_list_has_27_members() -> None:
    assert len(MEMBERS) == len(set(MEMBERS)) == 27


@pytest.mark.parametrize("member", MEMBERS)
def test_a1_runs_the_member(member: str) -> None:
    code = a1_code()
    if member in RENAMED:  # removed aliases: the cell asks for the old name and shows the one to use
        assert re.search(rf'\("{member}", "{RENAMED[member]}"\)', code), (
            f"A1 does not show {member} beside {RENAMED[member]}"
        )
        return
    assert hasattr(ov.InferRequest, member), f"{member} is not an InferRequest member in this OpenVINO"
    assert re.search(rf"\.{member}\b", code), f"no code cell of A1 uses .{member}"


@pytest.mark.parametrize("member", MEMBERS)
def test_coverage_doc_lists_the_member(member: str) -> None:
    assert f"`{member}`" in COVERAGE_DOC.read_text(encoding="utf-8"), f"docs/api-coverage.md misses {member}"
