"""Configuration folders per scope (platformdirs, moved by the XDG variables here)."""

from pathlib import Path

import pytest

from vantage6.common import configdirs
from vantage6.common.configdirs import (
    ConfigLookupError,
    Scope,
    check_name,
    config_dir,
    config_dirs,
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
    # The seed's node table: System-folder /etc/vantage6/node, User-folder ~/.config/...
    assert config_dirs("node", Scope.SYSTEM) == [
        Path("/etc/vantage6/node"),
        Path("/etc/xdg/vantage6/node"),  # where earlier versions wrote them: still read
    ]
    assert config_dir("node", Scope.USER) == Path.home() / ".config" / "vantage6" / "node"


@pytest.fixture
def etc(tmp_path, monkeypatch) -> dict[str, Path]:
    """The seed's and the XDG system folder for nodes, moved into tmp_path."""
    monkeypatch.delenv("XDG_CONFIG_DIRS", raising=False)
    folders = {"seed": tmp_path / "etc/vantage6/node", "xdg": tmp_path / "etc/xdg/vantage6/node"}
    monkeypatch.setattr(configdirs, "SEED_SYSTEM_NODE_DIR", folders["seed"])
    monkeypatch.setattr(configdirs, "XDG_SYSTEM_NODE_DIR", folders["xdg"])
    return folders


def test_system_nodes_are_read_from_both_folders_and_new_ones_go_to_the_seeds(etc):
    for folder, names in ((etc["seed"], ["alpha", "both"]), (etc["xdg"], ["both", "old"])):
        folder.mkdir(parents=True)
        for name in names:
            (folder / f"{name}.ini").write_text("")
    found = {f.name: f.path for f in list_configs("node", Scope.SYSTEM)}
    assert found == {
        "alpha": etc["seed"] / "alpha.ini",
        "both": etc["seed"] / "both.ini",  # the seed's folder hides the other
        "old": etc["xdg"] / "old.ini",
    }
    assert find_config("node", "old", Scope.SYSTEM).path == etc["xdg"] / "old.ini"
    assert config_path("node", "old", Scope.SYSTEM) == etc["xdg"] / "old.ini"
    assert config_path("node", "new", Scope.SYSTEM) == etc["seed"] / "new.ini"
    with pytest.raises(ConfigLookupError, match=f"in {etc['seed']} or {etc['xdg']} or "):
        find_config("node", "missing")


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
