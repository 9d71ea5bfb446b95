"""nbval's comparison of ``# NBVAL_CHECK_OUTPUT`` cells, for notebooks executed elsewhere (the browser).

``make test`` runs every notebook with nbval on CPU; the browser test runs them again in JupyterLab
with the device dropdown on AUTO, saves each and compares its checked cells here, so one run proves
both that the notebook works in the browser and that AUTO gives the committed outputs. The rules
are nbval's with ``--nbval-lax`` and ``tests/nbval_sanitize.cfg``: streams of one name are joined,
images, metadata and widget ids are not compared, the sanitizing patterns apply to both sides, and
outputs are compared per kind in order.
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from pathlib import Path

import nbformat
from nbval.plugin import (
    coalesce_streams,
    find_comment_markers,
    find_metadata_tags,
    get_sanitize_patterns,
    transform_streams_for_comparison,
)

SANITIZE = Path(__file__).with_name("nbval_sanitize.cfg")
# nbval's skip_compare, without --nbdime: these keys (and data types) are never compared.
SKIPPED = {
    "metadata",
    "traceback",
    "prompt_number",
    "output_type",
    "name",
    "execution_count",
    "application/vnd.jupyter.widget-view+json",
    "image/png",
    "image/jpeg",
}


def patterns() -> list[tuple[str, str]]:
    """The sanitizing (regex, replacement) pairs of ``tests/nbval_sanitize.cfg``."""
    return get_sanitize_patterns(SANITIZE.read_text(encoding="utf-8"))


def comparable(outputs: list, rules: list[tuple[str, str]]) -> dict[str, list]:
    """One cell's outputs as nbval compares them: values by key or data type, in order, sanitized."""
    joined = transform_streams_for_comparison(coalesce_streams(copy.deepcopy(list(outputs))))
    found: dict[str, list] = defaultdict(list)
    for output in joined:
        for key, value in output.items():
            if key in SKIPPED:
                continue
            items = value.items() if key == "data" else [(key, value)]
            for name, text in items:
                if name not in SKIPPED:
                    for regex, replace in rules:
                        text = re.sub(regex, replace, text) if isinstance(text, str) else text
                    found[name].append(text)
    return dict(found)


def is_checked(cell: nbformat.NotebookNode) -> bool:
    """Whether nbval with ``--nbval-lax`` compares this code cell's outputs (its markers and tags)."""
    options = dict(find_metadata_tags(cell.metadata))
    options.update(find_comment_markers(cell.source))
    return bool(options.get("check", False))


def checked_cells(nb: nbformat.NotebookNode) -> list[tuple[int, nbformat.NotebookNode]]:
    """The code cells whose outputs nbval checks, with their index among the code cells."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    return [(i, c) for i, c in enumerate(code) if is_checked(c)]


def differences(reference: Path, executed: Path) -> list[str]:
    """Each checked cell whose outputs differ from the reference's, one message per cell."""
    rules = patterns()
    ref_cells, run_cells = (checked_cells(nbformat.read(p, as_version=4)) for p in (reference, executed))
    if [i for i, _ in ref_cells] != [i for i, _ in run_cells]:
        return [f"{executed.name}: checked cells {[i for i, _ in run_cells]} != {[i for i, _ in ref_cells]}"]
    found = []
    for (index, ref), (_, run) in zip(ref_cells, run_cells, strict=True):
        want, got = comparable(ref.outputs, rules), comparable(run.outputs, rules)
        if want != got:
            found.append(f"{executed.name} code cell {index}: expected {want!r}\n  got {got!r}")
    return found
