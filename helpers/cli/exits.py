"""The sample's exit codes, in one place: the light entry point and the sample's work both return them."""

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
