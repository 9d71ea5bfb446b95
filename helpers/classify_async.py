"""The command-line sample: ``python -m helpers.classify_async -i IMAGE [IMAGE ...]`` (``classify-async``).

This entry point imports nothing heavy, so that a Ctrl-C while OpenVINO is still loading gives
the same one line and exit code 130 as one during inference. The sample lives in
``helpers.cli_app``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

EXIT_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sample; return the exit code (0 ok, 1 error, 2 usage, 130 interrupted)."""
    try:
        from helpers import cli_app

        return cli_app.main(argv)
    except KeyboardInterrupt:
        print("[ WARNING ] Interrupted while starting: no image classified", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
