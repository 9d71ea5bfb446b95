"""Wrong but plausible answers per exercise, one module per notebook (``WRONG[id]`` = cell source)."""
