"""``python -m helpers.serving``: the same as ``classify-serve``."""

import sys

from helpers.serving.server import main

sys.exit(main())
