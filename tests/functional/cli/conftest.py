"""Fixtures for ``vserver``: private configuration folders, the command in-process
(CliRunner) and as a real process, and server configurations on the backend under test."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.functional.cli.helpers import VSERVER
from tests.functional.test_serve import free_port
from tests.support import FAST_ARGON2, FAST_COST
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


@pytest.fixture
def vserver_process(dirs, tmp_path):
    """``vserver ARGS`` as a real process (no terminal); returns the CompletedProcess."""

    env = {**os.environ, **dirs}

    def run(*args, timeout=120, input=None):
        return subprocess.run(
            [str(VSERVER), *map(str, args)],
            capture_output=True,
            text=True,
            timeout=timeout,
            input=input,
            env=env,
            cwd=tmp_path,
        )

    run.env = env
    yield run
    # A test that failed half-way leaves no server behind.
    subprocess.run([str(VSERVER), "stop", "--all"], env=env, capture_output=True, timeout=120)


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
