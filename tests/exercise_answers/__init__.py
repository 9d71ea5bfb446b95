"""Wrong but plausible answers, one module per notebook: ``WRONG = {exercise id: learner-cell source}``."""
