"""One rule for the API path: the server, the node and the Python client read a path alike,
and an empty one is the server's root path, as the user documentation writes it for such a
server (``server_api = ""`` for the client, ``api_path: ''`` for a node)."""

from __future__ import annotations

import pytest

from vantage6.client import api_url
from vantage6.common.api_path import check_api_path, normalise_api_path
from vantage6.node.config import load_config
from vantage6.server.settings import load_settings

PATHS = [
    ("", ""),
    ("/", ""),
    ("''", ""),  # the seed's YAML value, copied into an ini file with its quotes
    ('""', ""),
    ("/api", "/api"),
    ("api/", "/api"),
    ("/v6/api/", "/v6/api"),
]


@pytest.mark.parametrize("given, expected", PATHS)
def test_server_node_and_client_read_a_path_alike(tmp_path, given, expected):
    server = load_settings(
        {"sqlalchemy.url": "sqlite://", "vantage6.api_path": given, "vantage6.ui.enabled": "false"},
        environ={},
    )
    ini = tmp_path / "node.ini"
    ini.write_text(
        f"[node]\napi_key = k\n[server]\nurl = http://h\nport = 7601\napi_path = {given}\n"
    )
    assert server["vantage6.api_path"] == expected
    assert load_config(ini).api_url == f"http://h:7601{expected}"
    assert api_url("http://h", 7601, given) == f"http://h:7601{expected}"


def test_the_seeds_client_configuration_is_the_root_path():
    server_api = ""  # This is specified when you first created the server
    assert api_url("https://petronas.vantage6.ai", 443, server_api) == (
        "https://petronas.vantage6.ai:443"
    )


def test_a_path_left_out_is_api_but_an_empty_one_the_root(tmp_path):
    ini = tmp_path / "node.ini"
    ini.write_text("[node]\napi_key = k\n[server]\nurl = http://h\n")
    assert load_config(ini).api_url == "http://h/api"
    settings = load_settings({"sqlalchemy.url": "sqlite://"}, environ={})
    assert settings["vantage6.api_path"] == "/api"
    assert normalise_api_path(None) == ""  # the client's server_api=None: no path


def test_an_environment_may_put_the_api_at_the_root(tmp_path):
    ini = tmp_path / "node.ini"
    ini.write_text(
        "[node]\napi_key = k\n[server]\nurl = http://h\napi_path = /api\n"
        "[server@prod]\napi_path =\n"
    )
    assert load_config(ini).api_url == "http://h/api"
    assert load_config(ini, "prod").api_url == "http://h"


@pytest.mark.parametrize("value", ["", "/", "''", "/api", "/v6/api/"])
def test_the_wizards_take_an_empty_path(value):
    assert check_api_path(value) is None


@pytest.mark.parametrize("value", ["api", "/my api", "/api?x=1", "/50%", "/a#b"])
def test_the_wizards_refuse_what_is_no_path(value):
    assert check_api_path(value).startswith("must be empty (the root path) or start with /")
