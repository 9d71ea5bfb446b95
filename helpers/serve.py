"""Kept for the exercise checks (``helpers.exercises.nb06``) until they import ``helpers.serving.server``."""

from helpers.serving.server import INPUT_NAME, MODEL_NAME, OUTPUT_NAME  # noqa: F401
