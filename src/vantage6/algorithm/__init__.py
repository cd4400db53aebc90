"""What runs inside algorithm containers: the wrapper (``python3 -m vantage6.algorithm``), the
``@data`` and ``@algorithm_client`` decorators, ``AlgorithmClient`` (talks to the node proxy),
and ``MockAlgorithmClient`` (in :mod:`vantage6.algorithm.mock`) for local development. The
original 4.x tools' import paths are in :mod:`vantage6.algorithm.tools`."""

from pkgutil import extend_path

# Modules of the original's vantage6.algorithm that we do not have stay importable when it is
# installed too (see vantage6/__init__.py); ours win.
__path__ = extend_path(__path__, __name__)

from vantage6.algorithm.client import AlgorithmClient  # noqa: E402
from vantage6.algorithm.decorators import algorithm_client, data  # noqa: E402
from vantage6.algorithm.errors import AlgorithmError  # noqa: E402

__all__ = ["AlgorithmClient", "AlgorithmError", "algorithm_client", "data"]
