"""vantage6: privacy-preserving federated analysis."""

from vantage6._version import __version__

__all__ = ["__version__"]
