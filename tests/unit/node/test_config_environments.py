"""Environments in the node's ini file: ``[<section>@<env>]`` overrides and extends
``[<section>]`` in that environment only, problems name the section as written, and a bad
environment (in the file or asked for) is an error."""

from __future__ import annotations

import re

import pytest

from tests.unit.node.test_config import REPO, write
from vantage6.node.config import (
    API_KEY_ENV,
    ConfigError,
    Database,
    Registry,
    load_config,
)

BASE = """
[node]
name = alpha
api_key = base-key
task_dir = tasks
[server]
url = http://base.example.org
port = 7601
[databases]
default = other:base-uri
"""

PROD = """
[server@prod]
url = https://prod.example.org
port = 443
[databases@prod]
extra = other:prod-extra
"""


@pytest.fixture(autouse=True)
def no_key_in_env(monkeypatch):
    monkeypatch.delenv(API_KEY_ENV, raising=False)


def problems(path, environment=None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, environment)
    assert str(path) in str(caught.value)
    return caught.value.problems


def test_without_an_environment_the_overlays_are_ignored(tmp_path):
    path = write(tmp_path, BASE + PROD)
    for environment in (None, "application"):
        config = load_config(path, environment)
        assert config.environment == "application"
        assert config.api_url == "http://base.example.org:7601/api"
        assert config.databases == (Database("default", "other", "base-uri"),)
        assert (config.name, config.task_dir) == ("alpha", tmp_path / "tasks")


def test_an_environment_overrides_and_extends_its_sections(tmp_path):
    config = load_config(write(tmp_path, BASE + PROD), "prod")
    assert config.environment == "prod"
    assert config.api_url == "https://prod.example.org:443/api"
    assert config.api_key == "base-key"  # inherited
    assert [db.uri for db in config.databases] == ["base-uri", "prod-extra"]
    # another node: its own name (Docker network, volumes) and its own run folder
    assert (config.name, config.task_dir) == ("alpha-prod", tmp_path / "tasks" / "prod")


def test_an_environment_that_names_itself_keeps_its_name_and_folder(tmp_path):
    own = "[node@test]\nname = beta\ntask_dir = /srv/test-runs\n[server@test]\nport = 9\n"
    config = load_config(write(tmp_path, BASE + own), "test")
    assert (config.name, config.task_dir) == ("beta", tmp_path / "/srv/test-runs")
    bare = write(tmp_path, "[server]\nurl = http://x\n[node@acc]\napi_key = k\n", "gamma.ini")
    config = load_config(bare, "acc")  # no name, no task_dir anywhere: the defaults, derived
    assert (config.name, config.task_dir) == ("gamma-acc", tmp_path / "gamma-acc-tasks")


def test_a_key_file_in_an_environment_replaces_the_inherited_inline_key(tmp_path):
    (tmp_path / "test.key").write_text("test-key\n")
    (tmp_path / "registry.pw").write_text("file-password\n")
    text = BASE + (
        "[node@test]\napi_key_file = test.key\n"
        "[registry:harbor.example.org:5000]\nusername = robot\npassword = inline\n"
        "[registry:harbor.example.org:5000@test]\npassword_file = registry.pw\n"
    )
    path = write(tmp_path, text)
    config = load_config(path, "test")
    assert config.api_key == "test-key"
    assert config.registries == (Registry("harbor.example.org:5000", "robot", "file-password"),)
    config = load_config(path)
    assert config.api_key == "base-key"
    assert config.registries[0].password == "inline"


def test_problems_name_the_section_the_value_was_written_in(tmp_path):
    text = BASE + (
        "[server@test]\nport = many\n"
        "[databases@test]\nmissing = csv:nowhere.csv\n"
        "[database:extra@test]\ntype = other\n"
    )
    path = write(tmp_path, text)
    assert problems(path, "test") == [
        "[server@test] port: must be a whole number of at least 1 and at most 65535, not 'many'",
        f"[databases@test] missing: file {str(tmp_path / 'nowhere.csv')!r} does not exist",
        "[database:extra@test] uri: is required",
    ]
    assert load_config(path).port == 7601  # another environment's values are not read


def test_names_are_checked_in_every_environment(tmp_path):
    text = BASE + (
        "[server@prod]\ncolour = blue\n"
        "[server@staging]\nurl = http://x\n"
        "[colour@dev]\nx = 1\n"
        "[logger_root@acc]\nlevel = DEBUG\n"
    )
    found = problems(write(tmp_path, text))
    assert found[0].startswith("[server@prod] colour: unknown key (known: api_path, port, url)")
    assert found[1:] == [
        "[server@staging]: unknown environment 'staging' (known: dev, test, acc, prod)",
        "[colour@dev]: unknown section",
        "[logger_root@acc]: logging is the same in every environment",
    ]


def test_an_environment_asked_for_must_be_known_and_in_the_file(tmp_path):
    path = write(tmp_path, BASE + PROD)
    assert problems(path, "staging") == [
        "environment 'staging' is unknown (known: application, dev, test, acc, prod)"
    ]
    assert problems(path, "acc") == [
        "has no [<section>@acc] section for environment 'acc' "
        "(environments in it: application, prod)"
    ]


def test_the_documented_example_environment_loads(tmp_path, monkeypatch):
    """The commented [<section>@test] example of node/node.ini, switched on."""
    text = (REPO / "node" / "node.ini").read_text()
    example = re.search(r"^# \[server@test\]\n(?:# (?:\[.+\]|\w+ = .+)\n)+", text, re.M)
    text += example.group(0).replace("# ", "")
    (tmp_path / "data").mkdir()
    for csv in ("default.csv", "synthetic.csv"):
        (tmp_path / "data" / csv).write_text("age\n1\n")
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "api_key-test").write_text("test-key\n")
    path = write(tmp_path, text)
    config = load_config(path, "test")
    assert config.api_url == "https://test.vantage6.example.org:443/api"
    assert config.api_key == "test-key"
    assert config.database("default").uri == str(tmp_path / "data" / "synthetic.csv")
    assert config.name == "hospital-a-test"
    monkeypatch.setenv(API_KEY_ENV, "from-env")
    assert load_config(path).database("default").uri == str(tmp_path / "data" / "default.csv")
