"""Re-execute every course notebook in a clean kernel and save its outputs (``make notebooks``)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]


def execute(path: Path, timeout: int = 600) -> float:
    """Execute one notebook in place with its folder as working directory; return seconds."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    t0 = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - t0
    nbformat.write(nb, path)
    return seconds


def main() -> int:
    """Execute the named notebooks (default: all in notebooks/) and print each run time."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args()
    paths = args.notebooks or sorted(
        p for p in (REPO / "notebooks").glob("[0-9]*.ipynb") if not p.stem.endswith("-exercise")
    )
    for path in paths:
        seconds = execute(path.resolve())
        print(f"{path.resolve().relative_to(REPO)}: {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
