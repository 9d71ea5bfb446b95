"""Wrong but plausible answers per exercise, one module per notebook (see each module)."""
