"""The one error type of the algorithm tools: bad input or set-up, reported in one line."""


class AlgorithmError(Exception):
    """A problem the wrapper reports as a clear message (no traceback) before exiting with 1."""
