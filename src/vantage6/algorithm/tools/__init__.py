"""The import paths of the original 4.x algorithm tools (``vantage6-algorithm-tools``), so that
algorithms written for them run unchanged on our images and in our process runtime:

- ``vantage6.algorithm.tools.decorators``: ``data``, ``algorithm_client``, ``metadata``, ...
- ``vantage6.algorithm.tools.util``: ``info``, ``warn``, ``error``, ``get_env_var``, ...
- ``vantage6.algorithm.tools.wrap``: ``wrap_algorithm``
- ``vantage6.algorithm.tools.mock_client``: ``MockAlgorithmClient``
- ``vantage6.algorithm.tools.exceptions``, ``.wrappers``, ``.preprocessing``

Each is a thin module over our own implementation in :mod:`vantage6.algorithm`. Like
``vantage6`` itself, this package extends its ``__path__`` over every installation of it, so
modules of the original tools that we do not have are still found when those are installed too
(ours win where both have one).
"""

from pkgutil import extend_path

from vantage6._version import __version__

__path__ = extend_path(__path__, __name__)

__all__ = ["__version__"]
