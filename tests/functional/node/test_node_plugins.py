"""Node plugins: ``vantage6_validate_run`` can refuse a run before it starts, the built-in
runtimes answer ``vantage6_node_runtime`` last, and a plugin list that cannot load stops the
node at start with the ini file named."""

from __future__ import annotations

import pytest

from tests.functional.node.daemons import Running, write_ini
from tests.functional.node.test_node_lifecycle import TEST_ALGORITHMS, fresh, server  # noqa: F401
from vantage6.node.config import load_config
from vantage6.node.daemon import Node, NodeError, node_plugins
from vantage6.node.runtime.process import ProcessRuntime
from vantage6.plugins import hookimpl


class NoNightRuns:
    """A site rule no policy setting expresses: tasks named 'night' do not run here."""

    @hookimpl
    def vantage6_validate_run(self, run, task, config):
        return ["no night runs at this site"] if task["name"] == "night" else []


class QuietRuntime:
    @hookimpl
    def vantage6_node_runtime(self, config):
        return ProcessRuntime(config, TEST_ALGORITHMS)


def test_a_run_plugin_refuses_with_its_reason_and_others_still_run(server, tmp_path):  # noqa: F811
    ids = fresh(server)
    config = load_config(write_ini(tmp_path / "node", server, ids["key"]))
    plugins = node_plugins(config)
    plugins.register(NoNightRuns())
    plugins.register(QuietRuntime())
    running = Running(config.path, plugins=plugins).wait_connected()
    try:
        assert isinstance(running.runtime, ProcessRuntime)  # the plugin's, asked before ours
        refused = server.task(ids, "test/json", {"method": "loads", "args": ["1"]}, name="night")
        allowed = server.task(ids, "test/json", {"method": "loads", "args": ["2"]}, name="day")
        run = server.run_reaches(refused, "not allowed")
        assert run["log"] == "no night runs at this site" and run["started_at"] is None
        server.run_reaches(allowed, "completed")
    finally:
        running.stop()


def _ini_with(tmp_path, setting: str):
    ini = write_ini(tmp_path, _StubServer(), "key")
    ini.write_text(ini.read_text().replace("[node]\n", f"[node]\n{setting}\n", 1))
    return load_config(ini)


def test_a_plugin_that_is_not_installed_stops_the_node_naming_the_file(tmp_path):
    config = _ini_with(tmp_path, "plugins = not_installed")
    with pytest.raises(NodeError, match=f"{config.path}: \\[node\\] plugins: .*not_installed"):
        Node(config)


def test_blocking_the_built_in_runtimes_without_another_stops_the_node(server, tmp_path):  # noqa: F811
    ini = write_ini(tmp_path, server, fresh(server)["key"])
    ini.write_text(
        ini.read_text().replace("[node]\n", "[node]\nplugins.blocked = vantage6.runtimes\n")
    )
    with pytest.raises(NodeError, match="no plugin provides runtime = process"):
        Node(load_config(ini)).run()


class _StubServer:
    """Enough of a server for write_ini: nothing is contacted."""

    port = 9
