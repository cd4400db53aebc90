"""Installed next to the original vantage6 4.x packages, neither breaks: our ``vantage6``,
``vantage6.common``, ``vantage6.algorithm`` and ``vantage6.algorithm.tools`` extend their
``__path__`` over every installation, so modules only the original has are found in its
installation, and ours win where both have one, whichever comes first on ``sys.path``.

The stand-in installation is laid out as the original wheels are: ``vantage6`` and
``vantage6.algorithm`` without ``__init__.py`` (namespace packages), ``vantage6.common`` and
``vantage6.algorithm.tools`` regular packages."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.unit.algorithm.conftest import ROOT

THEIRS = {
    "vantage6/common/__init__.py": "WHO = 'theirs'\n",
    "vantage6/common/onlytheirs.py": "from vantage6.common.theirglobals import X\nWHO = X\n",
    "vantage6/common/theirglobals.py": "X = 'theirs'\n",
    "vantage6/common/encryption.py": "WHO = 'theirs'\n",
    "vantage6/algorithm/client/__init__.py": "WHO = 'theirs'\n",
    "vantage6/algorithm/tools/__init__.py": "WHO = 'theirs'\n",
    "vantage6/algorithm/tools/somethingonlytheyhave.py": "WHO = 'theirs'\n",
    "vantage6/algorithm/tools/util.py": "WHO = 'theirs'\n",
    "vantage6/onlytheirtop.py": "WHO = 'theirs'\n",
}

PROBE = """
import importlib, json, sys
sys.path[:0] = json.loads(sys.argv[1])
found = {}
for name in json.loads(sys.argv[2]):
    module = importlib.import_module(name)
    found[name] = getattr(module, "WHO", None) or module.__file__
print(json.dumps(found))
"""

MODULES = [
    "vantage6",
    "vantage6.common",
    "vantage6.common.encryption",
    "vantage6.common.onlytheirs",
    "vantage6.algorithm",
    "vantage6.algorithm.client",
    "vantage6.algorithm.tools",
    "vantage6.algorithm.tools.util",
    "vantage6.algorithm.tools.somethingonlytheyhave",
    "vantage6.onlytheirtop",
]


@pytest.fixture
def theirs(tmp_path):
    for path, text in THEIRS.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    return tmp_path


@pytest.mark.parametrize("theirs_first", [True, False], ids=["theirs-first", "ours-first"])
def test_theirs_fill_in_and_ours_win(theirs, theirs_first):
    ours = str(ROOT / "src")
    paths = [str(theirs), ours] if theirs_first else [ours, str(theirs)]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(paths), json.dumps(MODULES)],
        capture_output=True,
        text=True,
        cwd=theirs,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    mine = ROOT / "src" / "vantage6"
    assert found["vantage6"] == str(mine / "__init__.py")
    assert found["vantage6.common"] == str(mine / "common" / "__init__.py")
    assert found["vantage6.common.encryption"] == str(mine / "common" / "encryption.py")
    assert found["vantage6.algorithm"] == str(mine / "algorithm" / "__init__.py")
    assert found["vantage6.algorithm.client"] == str(mine / "algorithm" / "client.py")
    assert found["vantage6.algorithm.tools"] == str(mine / "algorithm" / "tools" / "__init__.py")
    assert found["vantage6.algorithm.tools.util"] == str(mine / "algorithm" / "tools" / "util.py")
    assert found["vantage6.common.onlytheirs"] == "theirs"
    assert found["vantage6.algorithm.tools.somethingonlytheyhave"] == "theirs"
    assert found["vantage6.onlytheirtop"] == "theirs"
