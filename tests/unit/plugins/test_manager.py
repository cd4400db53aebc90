"""Building a plugin manager: built-ins always, installed plugins only when enabled, blocked
ones never, and a misspelled hook or plugin name stops the start."""

from __future__ import annotations

import textwrap
from types import SimpleNamespace

import pytest

from vantage6.plugins.manager import NODE, SERVER, PluginError, plugin_manager


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """Install plugin modules for real: a distribution whose entry points name them.

    ``install(group, name, source)`` writes module ``fake_<name>`` and its entry point.
    """
    dist_info = tmp_path / "fake_plugins-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-plugins\nVersion: 1.0\n")
    entry_points: dict[str, list[str]] = {}
    monkeypatch.syspath_prepend(str(tmp_path))

    def install(group: str, name: str, source: str) -> None:
        (tmp_path / f"fake_{name}.py").write_text(textwrap.dedent(source))
        entry_points.setdefault(group, []).append(f"{name} = fake_{name}")
        (dist_info / "entry_points.txt").write_text(
            "".join(f"[{g}]\n" + "\n".join(lines) + "\n" for g, lines in entry_points.items())
        )

    return install


def loaded(manager) -> set[str]:
    return {name for name, plugin in manager.list_name_plugin() if plugin is not None}


IDENTIFY = """
from vantage6.plugins import hookimpl

@hookimpl
def vantage6_identify(request):
    return "identified by plugin"
"""


def test_the_server_has_its_built_ins_and_no_installed_plugin_unless_enabled(installed):
    installed(SERVER, "sso", IDENTIFY)
    manager = plugin_manager(SERVER)
    assert loaded(manager) == {"vantage6.jwt", "vantage6.password"}
    anonymous = SimpleNamespace(headers={})
    assert manager.hook.vantage6_identify(request=anonymous) is None  # the JWT backend: no token

    manager = plugin_manager(SERVER, enabled=["sso"])
    assert manager.has_plugin("sso")
    assert manager.hook.vantage6_identify(request=anonymous) == "identified by plugin"


def test_blocked_plugins_do_not_load_even_when_enabled(installed):
    installed(SERVER, "sso", IDENTIFY)
    manager = plugin_manager(SERVER, enabled=["sso"], blocked=["sso", "vantage6.password"])
    assert loaded(manager) == {"vantage6.jwt"}


def test_an_enabled_name_that_is_not_installed_stops_the_start(installed):
    installed(SERVER, "sso", IDENTIFY)
    with pytest.raises(PluginError) as raised:
        plugin_manager(SERVER, enabled=["ssso"])
    message = str(raised.value)
    assert "no installed plugin of group vantage6.server is named 'ssso'" in message
    assert "sso" in message.split("installed:")[1]


def test_a_misspelled_hook_stops_the_start(installed):
    installed(
        SERVER,
        "typo",
        """
        from vantage6.plugins import hookimpl

        @hookimpl
        def vantage6_identfy(request):
            return None
    """,
    )
    with pytest.raises(PluginError) as raised:
        plugin_manager(SERVER, enabled=["typo"])
    assert "unknown hook 'vantage6_identfy'" in str(raised.value)
    assert "vantage6_identify" in str(raised.value)  # the hooks it could have meant


def test_an_argument_the_spec_lacks_stops_the_start(installed):
    installed(
        SERVER,
        "extra",
        """
        from vantage6.plugins import hookimpl

        @hookimpl
        def vantage6_identify(request, session):
            return None
    """,
    )
    with pytest.raises(PluginError, match="session"):
        plugin_manager(SERVER, enabled=["extra"])


def test_node_and_server_hooks_stay_apart(installed):
    installed(
        NODE,
        "runtime",
        """
        from vantage6.plugins import hookimpl

        @hookimpl
        def vantage6_node_runtime(config):
            return "my runtime"
    """,
    )
    installed(NODE, "server_minded", IDENTIFY)
    node = plugin_manager(NODE, enabled=["runtime"])
    assert loaded(node) == {"vantage6.runtimes", "runtime"}  # the built-in runtimes, asked last
    assert node.hook.vantage6_node_runtime(config=None) == "my runtime"
    assert not hasattr(node.hook, "vantage6_identify")
    with pytest.raises(PluginError, match="unknown hook 'vantage6_identify'"):
        plugin_manager(NODE, enabled=["server_minded"])
    with pytest.raises(PluginError, match="no installed plugin of group vantage6.server"):
        plugin_manager(SERVER, enabled=["runtime"])  # a node plugin is not a server plugin


def test_an_unknown_group_is_refused():
    with pytest.raises(PluginError, match="unknown plugin group 'vantage6.client'"):
        plugin_manager("vantage6.client")
