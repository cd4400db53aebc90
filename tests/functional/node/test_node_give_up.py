"""Runs the node gives up on (daemon ``_per_run``/``_give_up``), against a real ``pserve``
with the process runtime: a run whose handling fails is marked failed once, with the reason,
and never retried, without holding up other runs; a run whose report the server can no longer
take (its task was deleted while it ran) leaves nothing behind on the node's disk."""

from __future__ import annotations

from tests.functional.node.daemons import Running, eventually, write_ini
from tests.functional.node.test_node_lifecycle import TEST_ALGORITHMS, fresh, server  # noqa: F401
from vantage6.node.config import load_config
from vantage6.node.daemon import node_plugins
from vantage6.node.runtime.process import ProcessRuntime
from vantage6.plugins import hookimpl


class BrokenCheck:
    """A site check with a bug: it fails on tasks named 'broken'."""

    calls = 0

    @hookimpl
    def vantage6_validate_run(self, run, task, config):
        if task["name"] != "broken":
            return []
        BrokenCheck.calls += 1
        raise KeyError("site_code")


class QuietRuntime:
    @hookimpl
    def vantage6_node_runtime(self, config):
        return ProcessRuntime(config, TEST_ALGORITHMS)


def start_node(server, ids, tmp_path, *extra_plugins) -> Running:  # noqa: F811
    config = load_config(write_ini(tmp_path / "node", server, ids["key"]))
    plugins = node_plugins(config)
    for plugin in (*extra_plugins, QuietRuntime()):
        plugins.register(plugin)
    return Running(config.path, plugins=plugins).wait_connected()


def test_a_run_that_cannot_be_handled_fails_once_with_the_reason(server, tmp_path):  # noqa: F811
    ids = fresh(server)
    node = start_node(server, ids, tmp_path, BrokenCheck())
    try:
        broken = server.task(ids, "test/json", {"method": "loads", "args": ["1"]}, name="broken")
        fine = server.task(ids, "test/json", {"method": "loads", "args": ["2"]}, name="fine")
        run = server.run_reaches(broken, "failed")
        assert run["log"] == "The node could not handle this run: 'site_code'"
        assert run["started_at"] is None
        server.run_reaches(fine, "completed")
        calls = BrokenCheck.calls
        node.node._resync()  # what the next periodic resync does: nothing for a failed run
        assert BrokenCheck.calls == calls
        assert server.run_of(broken)["status"] == "failed"
    finally:
        node.stop()


def test_a_run_whose_task_was_deleted_while_it_ran_is_cleaned_up(server, tmp_path):  # noqa: F811
    ids = fresh(server)
    node = start_node(server, ids, tmp_path)
    try:
        task = server.task(ids, "test/time", {"method": "sleep", "args": [60]})
        run = server.run_reaches(task, "active")
        folder = node.config.task_dir / f"run-{run['id']:09d}"
        assert folder.exists()
        server.ok("DELETE", f"/task/{task['id']}")
        eventually(lambda: not node.runtime.running(), 10, "the algorithm stopped")
        eventually(lambda: not folder.exists(), 10, "the run's folder removed")
        assert node.runtime.exited() == []
        later = server.task(ids, "test/json", {"method": "loads", "args": ["3"]})
        server.run_reaches(later, "completed")
    finally:
        node.stop()
