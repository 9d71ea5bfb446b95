"""The command-line sample: ``python -m helpers.cli -i IMAGE [IMAGE ...]`` (``classify-async``).

This entry point imports nothing heavy, so that a Ctrl-C while OpenVINO is still loading gives
the same one line and exit code 130 as one during inference. The sample lives in
``helpers.cli.app``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from helpers.cli.exits import EXIT_INTERRUPTED


def import_runtime() -> None:
    """Import OpenVINO's runtime without its model converter, which the sample never uses.

    ``import openvino`` also imports ``openvino.tools.ovc`` (``convert_model``) and, with it,
    OpenVINO's telemetry: about a third of the sample's start-up (``python -X importtime``). The
    package imports it inside ``try: ... except ImportError``, so a ``None`` entry in
    ``sys.modules`` skips it; the entry is removed afterwards, so that ``convert_model`` can still be
    imported later. Should a release import it without that guard, OpenVINO is imported as usual.
    """
    if "openvino" in sys.modules or "openvino.tools.ovc" in sys.modules:
        return
    sys.modules["openvino.tools.ovc"] = None  # type: ignore[assignment]
    try:
        import openvino  # noqa: F401
    except ImportError:
        sys.modules.pop("openvino.tools.ovc", None)
        for name in [m for m in sys.modules if m == "openvino" or m.startswith("openvino.")]:
            del sys.modules[name]
    finally:
        if "openvino.tools.ovc" in sys.modules and sys.modules["openvino.tools.ovc"] is None:
            del sys.modules["openvino.tools.ovc"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sample; return the exit code (0 ok, 1 error, 2 usage, 130 interrupted)."""
    try:
        import_runtime()
        from helpers.cli import app

        return app.main(argv)
    except KeyboardInterrupt:
        print("[ WARNING ] Interrupted while starting: no image classified", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
