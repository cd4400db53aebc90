"""Configuration folders per scope (platformdirs, moved by the XDG variables here)."""

from pathlib import Path

import pytest

from vantage6.common.configdirs import (
    ConfigLookupError,
    Scope,
    check_name,
    config_dir,
    config_path,
    data_dir,
    find_config,
    list_configs,
)


@pytest.fixture
def xdg(tmp_path, monkeypatch) -> Path:
    for variable, folder in (
        ("XDG_CONFIG_HOME", "user-config"),
        ("XDG_DATA_HOME", "user-data"),
        ("XDG_CONFIG_DIRS", "system-config"),
        ("XDG_DATA_DIRS", "system-data"),
    ):
        monkeypatch.setenv(variable, str(tmp_path / folder))
    return tmp_path


def test_the_folders_of_each_scope(xdg):
    assert config_dir("server", Scope.USER) == xdg / "user-config" / "vantage6" / "server"
    assert config_dir("node", Scope.SYSTEM) == xdg / "system-config" / "vantage6" / "node"
    assert data_dir("server", Scope.USER, "x") == xdg / "user-data" / "vantage6" / "server" / "x"
    assert data_dir("node", Scope.SYSTEM, "y") == xdg / "system-data" / "vantage6" / "node" / "y"
    assert config_path("server", "demo", Scope.USER).name == "demo.ini"


def test_the_seeds_default_folders_on_linux(monkeypatch):
    for variable in ("XDG_CONFIG_HOME", "XDG_CONFIG_DIRS"):
        monkeypatch.delenv(variable, raising=False)
    assert config_dir("server", Scope.SYSTEM) == Path("/etc/xdg/vantage6/server")
    assert config_dir("server", Scope.USER) == Path.home() / ".config" / "vantage6" / "server"


@pytest.mark.parametrize("name", ["", ".hidden", "a/b", "../x", "with space", "x.ini\n"])
def test_names_that_are_no_file_names_are_refused(name):
    with pytest.raises(ValueError, match="is not a valid name"):
        check_name(name)


def test_listing_and_finding(xdg):
    for scope, name in ((Scope.SYSTEM, "shared"), (Scope.USER, "mine"), (Scope.USER, "shared")):
        path = config_path("server", name, scope)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    (config_dir("server", Scope.USER) / ".ignored.ini").write_text("")
    found = [(f.name, f.scope) for f in list_configs("server")]
    assert found == [("shared", Scope.SYSTEM), ("mine", Scope.USER), ("shared", Scope.USER)]
    assert find_config("server", "mine").scope is Scope.USER
    assert find_config("server", "shared", Scope.SYSTEM).scope is Scope.SYSTEM
    with pytest.raises(ConfigLookupError, match="exists at system and at user level"):
        find_config("server", "shared")
    with pytest.raises(ConfigLookupError, match="no node configuration named 'mine'"):
        find_config("node", "mine")
