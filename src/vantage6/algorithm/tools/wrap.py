"""``wrap_algorithm()``, as images built for the original 4.x tools call it
(``python -c "from vantage6.algorithm.tools.wrap import wrap_algorithm; wrap_algorithm()"``):
our container entry point, :func:`vantage6.algorithm.wrap.wrap_algorithm`. It runs the package
named by ``PKG_NAME`` on the run's input file and writes the output file."""

from vantage6.algorithm.wrap import wrap_algorithm

__all__ = ["wrap_algorithm"]
