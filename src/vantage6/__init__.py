"""vantage6: privacy-preserving federated analysis.

A regular package that extends its ``__path__`` over every ``vantage6`` directory on
``sys.path`` (:func:`pkgutil.extend_path`): installed next to the original vantage6 4.x
packages (whose ``vantage6`` is a namespace package), the modules only they have are still
found, and ours win where both have one. ``vantage6.common``, ``vantage6.algorithm`` and
``vantage6.algorithm.tools`` do the same.
"""

from pkgutil import extend_path

from vantage6._version import __version__

__path__ = extend_path(__path__, __name__)

__all__ = ["__version__"]
