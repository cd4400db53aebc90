"""``MockAlgorithmClient`` at the original 4.x tools' import path: our
:class:`vantage6.algorithm.mock.MockAlgorithmClient`, constructed the same way
(``MockAlgorithmClient(datasets=[[{"database": df}], ...], module="my_package")``)."""

from vantage6.algorithm.mock import MockAlgorithmClient

__all__ = ["MockAlgorithmClient"]
