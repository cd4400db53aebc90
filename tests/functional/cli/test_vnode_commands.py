"""``vnode`` commands that need no running node: help, files, list, finding a node, and how
configuration errors and wrong usage are reported (exit 1 and 2)."""

from __future__ import annotations

import re
from pathlib import Path

from vantage6.node.cli import cli


def new(vnode, name: str, *options) -> Path:
    result = vnode("new", "--name", name, "--no-input", "--api-key", "k", *options)
    assert result.exit_code == 0, result.output
    return Path(result.output.split(f"✓ Wrote node {name!r} to ")[1].split()[0])


def test_every_command_has_help_with_examples(vnode):
    for command in cli.commands:
        result = vnode(command, "--help")
        assert result.exit_code == 0, command
        assert "Example" in result.output, command
    assert vnode("--version").output.startswith("vnode, version ")
    assert "Quick start" in vnode("--help").output


def test_files_and_list_without_running_nodes(vnode, dirs, tmp_path):
    path = new(vnode, "demo", "--database", "warehouse=sql:postgresql://reader:pw@db/w")
    files = vnode("files", "--name", "demo")
    assert files.exit_code == 0, files.output
    data = Path(dirs["XDG_DATA_HOME"]) / "vantage6" / "node" / "demo"
    assert re.search(rf"configuration\s+{path}\n", files.output)
    assert re.search(rf"api key file\s+{path.with_suffix('.api_key')}\n", files.output)
    assert re.search(rf"run folder\s+{data}/tasks\n", files.output)
    assert re.search(rf"log file\s+{data}/demo.log\n", files.output)
    assert re.search(rf"pid file\s+{data}/demo.pid\n", files.output)
    assert "database warehouse  sql:postgresql://reader:***@db/w" in files.output
    assert ":pw@" not in files.output

    listed = vnode("list")
    header = ["NAME", "ENVIRONMENT", "SCOPE", "STATUS", "SERVER"]
    assert listed.output.splitlines()[0].split() == header
    assert listed.output.splitlines()[1].split() == [
        "demo",
        "application",
        "user",
        "stopped",
        "http://localhost:7601/api",
    ]
    path.write_text(path.read_text().replace("[server]", "[server]\ncolour = blue"))
    broken = vnode("list")
    assert broken.exit_code == 0
    assert "configuration error" in broken.output and str(path) in broken.output


def test_configuration_errors_name_the_file_and_every_problem(vnode, tmp_path):
    path = tmp_path / "node.ini"
    path.write_text("[node]\ncolour = blue\napi_key = k\n[server]\nurl = nope\n")
    for command in ("start", "files"):
        result = vnode(command, "--config", path)
        assert result.exit_code == 1, command
        assert f"{path}: 2 problem(s) in the node configuration" in result.output
        assert "[node] colour: unknown key" in result.output
        assert "[server] url: must start with http" in result.output
    assert "given with --config" in vnode("files", "--config", path).output
    path.write_text("not an ini file")
    assert "is not a valid ini file" in vnode("files", "--config", path).output


def test_finding_a_node(vnode):
    nothing = vnode("start")
    assert nothing.exit_code == 1
    assert "no node configuration in" in nothing.output and "vnode new" in nothing.output
    assert "no node configuration named 'nope'" in vnode("files", "--name", "nope").output
    new(vnode, "one")
    only = vnode("files")  # the only one there is
    assert only.exit_code == 0 and "one.ini" in only.output
    new(vnode, "two", "--system")
    several = vnode("files")
    assert several.exit_code == 2
    assert "there are several nodes (one, two): pick one with --name" in several.output
    assert vnode("files", "--user").exit_code == 0  # only 'one' at user level


def test_wrong_usage_exits_with_2(vnode, tmp_path):
    path = tmp_path / "node.ini"
    path.write_text("[node]\n")
    assert vnode("start", path, "--name", "x").exit_code == 2
    assert vnode("files", "--name", "x", "--config", path).exit_code == 2
    assert vnode("stop", "--all", "--name", "x").exit_code == 2
    assert vnode("frobnicate").exit_code == 2
    assert vnode("stop", "--timeout", "0").exit_code == 2
    assert vnode("new", "--runtime", "kubernetes", "--no-input").exit_code == 2
