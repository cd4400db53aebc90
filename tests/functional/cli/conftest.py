"""Fixtures for ``vserver`` and ``vnode``: private configuration folders, the commands
in-process (CliRunner) and as real processes, server configurations on the backend under
test, and a real server for nodes to log in at."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.functional.cli.helpers import VNODE, VSERVER
from tests.functional.test_serve import free_port
from tests.support import FAST_ARGON2, FAST_COST
from vantage6.node.cli import cli as node_cli
from vantage6.node.config import API_KEY_ENV
from vantage6.server.cli import cli
from vantage6.server.security.hashing import configure_hasher


@pytest.fixture
def dirs(tmp_path, monkeypatch) -> dict:
    """The XDG folders platformdirs reads, moved into tmp_path (both scopes)."""
    env = {
        "XDG_CONFIG_HOME": tmp_path / "user-config",
        "XDG_DATA_HOME": tmp_path / "user-data",
        "XDG_CONFIG_DIRS": tmp_path / "system-config",
        "XDG_DATA_DIRS": tmp_path / "system-data",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, str(value))
    return {key: str(value) for key, value in env.items()}


@pytest.fixture(autouse=True)
def cheap_hashing_again():
    """The CLI sets argon2's cost from the server's settings; the tests keep it cheap."""
    yield
    configure_hasher(passwords=FAST_COST, api_keys=FAST_COST)


@pytest.fixture
def vserver(dirs):
    """``vserver ARGS`` in this process; returns click's Result."""

    def run(*args, input=None):
        return CliRunner().invoke(cli, [str(arg) for arg in args], input=input)

    return run


def command_runner(script: Path, env: dict, cwd: Path):
    """``script ARGS`` as a real process (no terminal); returns the CompletedProcess."""

    def run(*args, timeout=120, input=None):
        return subprocess.run(
            [str(script), *map(str, args)],
            capture_output=True,
            text=True,
            timeout=timeout,
            input=input,
            env=env,
            cwd=cwd,
        )

    run.env = env
    return run


@pytest.fixture
def vserver_process(dirs, tmp_path):
    """``vserver ARGS`` as a real process (no terminal); returns the CompletedProcess."""
    run = command_runner(VSERVER, {**os.environ, **dirs}, tmp_path)
    yield run
    # A test that failed half-way leaves no server behind.
    subprocess.run([str(VSERVER), "stop", "--all"], env=run.env, capture_output=True, timeout=120)


@pytest.fixture
def vnode(dirs, monkeypatch):
    """``vnode ARGS`` in this process; returns click's Result."""
    monkeypatch.delenv(API_KEY_ENV, raising=False)

    def run(*args, input=None):
        return CliRunner().invoke(node_cli, [str(arg) for arg in args], input=input)

    return run


@pytest.fixture
def vnode_process(dirs, tmp_path):
    """``vnode ARGS`` as a real process (no terminal); nodes still running at the end are
    stopped."""
    env = {key: value for key, value in os.environ.items() if key != API_KEY_ENV}
    run = command_runner(VNODE, {**env, **dirs}, tmp_path)
    yield run
    stop = [str(VNODE), "stop", "--all", "--force", "--timeout", "10"]
    subprocess.run(stop, env=run.env, capture_output=True, timeout=120)


@pytest.fixture
def server_config(vserver, database_factory, dirs):
    """A user-level configuration ``name`` on a fresh database of the backend under test,
    written by ``vserver new``, with cheap argon2; returns (name, port)."""

    def make(name: str = "demo", *options) -> tuple[str, int]:
        port = free_port()
        result = vserver(
            "new", "--name", name, "--user", "--no-input", "--port", port, "--ip", "127.0.0.1",
            "--profile", "development", "--database-uri", database_factory.new_url(),
            "--auto-migrate", *options,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        config = Path(dirs["XDG_CONFIG_HOME"]) / "vantage6" / "server" / f"{name}.ini"
        fast = "".join(f"{key} = {value}\n" for key, value in FAST_ARGON2.items())
        text = config.read_text().replace(
            "use = egg:vantage6\n\n", f"use = egg:vantage6\n{fast}", 1
        )
        config.write_text(text)
        return name, port

    return make


@pytest.fixture
def node_config(vnode, node_server, dirs, tmp_path):
    """``node_config(name, api_key, *options)``: a user-level node configuration written by
    ``vnode new`` for ``node_server``, with the process runtime and a CSV database
    ``default`` (column ``age``: 30, 50); returns the ini file's path."""
    data = tmp_path / "ages.csv"
    data.write_text("age\n30\n50\n")

    def make(name: str, api_key: str, *options) -> Path:
        result = vnode(
            "new", "--name", name, "--no-input", "--server-url", "http://127.0.0.1",
            "--port", node_server.port, "--api-key", api_key, "--runtime", "process",
            "--database", f"default=csv:{data}", *options,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        return Path(dirs["XDG_CONFIG_HOME"]) / "vantage6" / "node" / f"{name}.ini"

    return make
