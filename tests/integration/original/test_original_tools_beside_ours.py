"""The original 4.x packages installed in a directory of their own on the path after ours (as in
an algorithm image built from our base image, whose packages are on ``PYTHONPATH``, with
``pip install vantage6-algorithm-tools`` into site-packages): each side's modules stay
importable, ours win where both have one, and a 4.x algorithm package still runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.functional.node.daemons import REPOSITORY
from tests.integration.original.original import VENV, required

PROBE = """
import json
import sys

sys.path.append(sys.argv[1])  # the 4.x packages, after ours and after our site-packages
import pandas as pd
import vantage6.common.encryption as ours
import vantage6.common.globals as theirs
from vantage6.algorithm.tools.mock_client import MockAlgorithmClient

client = MockAlgorithmClient(
    datasets=[[{"database": pd.DataFrame({"age": [30, 12, 50, 8]})}]],
    module="v6_average_4x",
)
task = client.task.create(input_={"method": "partial_average", "kwargs": {"column_name": "age"}},
                          organizations=[0])
print(json.dumps({
    "ours": ours.__file__, "theirs": theirs.__file__, "theirs_say": theirs.APPNAME,
    "result": client.result.get(task["id"]),
}))
"""


def test_original_tools_beside_ours_break_neither():
    required()
    (site,) = (VENV / "lib").glob("python3*/site-packages")
    path = [str(REPOSITORY / "src"), str(REPOSITORY / "tests/functional/node/algorithms_4x")]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(site)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["ours"].startswith(str(REPOSITORY / "src"))
    assert found["theirs"].startswith(str(site)) and found["theirs_say"] == "vantage6"
    assert found["result"] == {"sum": 100, "count": 4}
