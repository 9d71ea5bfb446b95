"""The contract between ``classify-serve`` and its clients: model and tensor names, and the serve extra.

Notebook 06, its exercise checks, the process runner and the benchmark import these from here, so
that none of them imports the server (``helpers.serving.server``, which imports ``kserve``).
"""

from __future__ import annotations

import importlib.util

MODEL_NAME = "efficientnet-lite0"
INPUT_NAME = "image"
OUTPUT_NAME = "logits"
INPUT_SHAPE = [1, 224, 224, 3]
INPUT_DATATYPE = "UINT8"
OUTPUT_DATATYPE = "FP32"


class ServeExtraMissing(Exception):
    """Raised by ``require_serve_extra``; IPython shows only its one line, no traceback."""

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


def serve_extra_missing() -> list[str]:
    """Names of the serve extra's packages that cannot be imported here."""
    return [name for name in ("kserve", "tritonclient") if importlib.util.find_spec(name) is None]


def require_serve_extra() -> None:
    """Stop a notebook (one line, no traceback) where the serve extra is not installed."""
    missing = serve_extra_missing()
    if missing:
        raise ServeExtraMissing(
            f"Notebook 06 needs the serve extra ({', '.join(missing)} missing): pip install -e '.[serve]'"
        )
