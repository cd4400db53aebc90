"""What runs inside algorithm containers: the wrapper (``python3 -m vantage6.algorithm``), the
``@data`` and ``@algorithm_client`` decorators, ``AlgorithmClient`` (talks to the node proxy),
and ``MockAlgorithmClient`` (in :mod:`vantage6.algorithm.mock`) for local development."""

from vantage6.algorithm.client import AlgorithmClient
from vantage6.algorithm.decorators import algorithm_client, data
from vantage6.algorithm.errors import AlgorithmError

__all__ = ["AlgorithmClient", "AlgorithmError", "algorithm_client", "data"]
