"""``preprocess_data`` of the original 4.x tools: ours,
:func:`vantage6.algorithm.preprocessing.preprocess` (an unusable step raises a
``UserInputError`` where the original exited)."""

from vantage6.algorithm.preprocessing import preprocess as preprocess_data

__all__ = ["preprocess_data"]
