"""``python -m helpers.cli``: the same as ``classify-async``."""

import sys

from helpers.cli.classify_async import main

sys.exit(main())
