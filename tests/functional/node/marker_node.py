"""``python -m tests.functional.node.marker_node CONFIG``: the node process ``vnode start``
runs, whose process runtime also knows the test image :data:`IMAGE` (the marking algorithm in
``marker/``)."""

from __future__ import annotations

import sys
from pathlib import Path

from vantage6.node import runner
from vantage6.node.runtime.process import ALGORITHMS

IMAGE = "test/marker"
PACKAGE = ("v6_marker", Path(__file__).resolve().parent / "marker")


def main(arguments: list[str]) -> int:
    ALGORITHMS[IMAGE] = PACKAGE
    return runner.main(arguments)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
