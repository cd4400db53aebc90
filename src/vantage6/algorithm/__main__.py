"""``python3 -m vantage6.algorithm``: the command of algorithm images."""

from vantage6.algorithm.wrap import wrap_algorithm

wrap_algorithm()
