"""The preprocessing functions of the original 4.x tools: ours, from
:mod:`vantage6.algorithm.preprocessing`."""

from vantage6.algorithm.preprocessing import dummy_preprocess, filter_range

__all__ = ["dummy_preprocess", "filter_range"]
