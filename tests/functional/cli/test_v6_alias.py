"""``v6``, the command name of vantage6 4.x that the newest seed uses ("To start the shell,
use ``v6 server shell [options]``"): ``v6 server``, ``v6 node`` and ``v6 dev`` are ``vserver``,
``vnode`` and ``vdev``, run here as the installed console script."""

from __future__ import annotations

import os

import pytest

from tests.functional.cli.conftest import command_runner
from tests.functional.cli.helpers import VNODE, VSERVER

V6 = VSERVER.with_name("v6")
VDEV = VSERVER.with_name("vdev")


@pytest.fixture
def v6(dirs, tmp_path):
    return command_runner(V6, {**os.environ, **dirs}, tmp_path)


def commands(help_text: str) -> str:
    """The list of commands a group's --help ends with."""
    return help_text.partition("\nCommands:\n")[2]


def test_the_help_says_what_v6_is_and_each_group_is_the_command_line_it_names(v6):
    shown = v6("--help")
    assert shown.returncode == 0, shown.stderr
    assert "v6, the command name of vantage6 4.x: `v6 server ...` runs `vserver ...`" in (
        shown.stdout
    )
    for group, script in (("server", VSERVER), ("node", VNODE), ("dev", VDEV)):
        alias = v6(group, "--help").stdout
        original = command_runner(script, v6.env, None)("--help").stdout
        assert alias.startswith(f"Usage: v6 {group} [OPTIONS] COMMAND [ARGS]...")
        assert commands(alias) == commands(original) != ""


def test_a_4x_group_that_is_not_here_says_so(v6):
    refused = v6("algorithm", "create")
    assert refused.returncode == 2
    assert "`v6 algorithm` of vantage6 4.x is not available" in refused.stderr


def test_v6_server_shell_as_the_seed_starts_it(v6, server_config):
    name, _ = server_config("demo")
    statements = """\
organization = db.Organization(
    name="IKNL",
    domain="iknl.nl",
    address1="Zernikestraat 29",
    address2="Eindhoven",
    zipcode="5612HZ",
    country="Netherlands"
)
organization.save()
print("found:", db.Organization.get_by_name("IKNL").domain)
"""
    shell = v6("server", "shell", "--name", name, "-p", "python", input=statements)
    assert shell.returncode == 0, shell.stderr
    assert "found: iknl.nl" in shell.stdout


def test_v6_node_is_vnode(v6, vnode):
    assert vnode("new", "--name", "hospital-a", "--no-input", "--api-key", "k").exit_code == 0
    listed = v6("node", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == command_runner(VNODE, v6.env, None)("list").stdout
    assert "hospital-a" in listed.stdout
