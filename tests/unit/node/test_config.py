"""The node's ini file: every section read, relative paths from the file's folder, secrets from
outside the file, and every problem reported at once with its file, section and key."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from vantage6.node.config import (
    API_KEY_ENV,
    ConfigError,
    Database,
    Limits,
    Registry,
    configure_logging,
    load_config,
)

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def no_key_in_env(monkeypatch):
    monkeypatch.delenv(API_KEY_ENV, raising=False)


def write(folder: Path, text: str, name: str = "node.ini") -> Path:
    path = folder / name
    path.write_text(text)
    return path


MINIMAL = """
[node]
api_key = secret-key
[server]
url = http://localhost
"""


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(path) in str(caught.value)
    return caught.value.problems


def test_minimal_file_gets_defaults(tmp_path):
    config = load_config(write(tmp_path, MINIMAL, "alpha.ini"))
    assert config.name == "alpha"  # from the file name
    assert config.api_url == "http://localhost/api"
    assert config.port is None
    assert config.task_dir == tmp_path / "alpha-tasks"
    assert (config.pull, config.runtime, config.proxy_port) == ("missing", "docker", 0)
    assert config.encryption_enabled is False and config.private_key is None
    assert config.allow_legacy_encryption is False  # the format without integrity: refused
    assert config.policies.allowed_images == () and not config.policies.allowed_users
    assert config.databases == () and config.registries == () and config.algorithm_env == {}
    assert config.limits == Limits()
    assert config.host_firewall is True  # secure by default
    assert config.restart_interrupted == 1  # a run interrupted by a restart gets one more go
    assert "secret-key" not in repr(config)


def test_host_firewall_can_be_turned_off_but_not_misspelled(tmp_path):
    config = load_config(write(tmp_path, MINIMAL + "[docker]\nhost_firewall = false\n"))
    assert config.host_firewall is False
    with pytest.raises(ConfigError, match=r"\[docker\] host_firewall: must be true or false"):
        load_config(write(tmp_path, MINIMAL + "[docker]\nhost_firewall = maybe\n"))


def test_restart_interrupted_is_a_count_of_restarts(tmp_path):
    config = load_config(
        write(tmp_path, MINIMAL.replace("[node]", "[node]\nrestart_interrupted = 0"))
    )
    assert config.restart_interrupted == 0
    for bad in ("-1", "once"):
        text = MINIMAL.replace("[node]", f"[node]\nrestart_interrupted = {bad}")
        assert problems(write(tmp_path, text)) == [
            f"[node] restart_interrupted: must be a whole number of at least 0, not {bad!r}"
        ]


def test_every_section_is_read_and_relative_paths_start_at_the_files_folder(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("age\n1\n")
    (tmp_path / "data" / "b.parquet").write_bytes(b"")
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "private.pem").write_text("pem")
    (tmp_path / "registry-password").write_text("hunter2\n")
    path = write(
        tmp_path,
        """
[node]
name = hospital-1
api_key = key
task_dir = work/tasks
runtime = process

[server]
url = https://v6.example.org
port = 7601
api_path = /api/

[databases]
default = csv:data/a.csv
warehouse = sql:postgresql://db.example.org/warehouse

[database:images]
type = parquet
uri = data/b.parquet

[encryption]
enabled = true
private_key = keys/private.pem

[policies]
allowed_images =
    ^harbor2\\.vantage6\\.ai/demo/average$
    ^localhost/.*
allowed_organizations = 1, 2
allowed_users = 7
    8

[docker]
pull = never
cpus = 1.5
memory = 512m
pids = 100

[registry:harbor2.vantage6.ai]
username = robot
password_file = registry-password

[algorithm_env]
PLAYER = Alice
mixedCase = kept

[proxy]
port = 8080

[loggers]
keys = root
[handlers]
keys = console
[formatters]
keys = plain
[logger_root]
level = INFO
handlers = console
[handler_console]
class = StreamHandler
args = (sys.stderr,)
formatter = plain
[formatter_plain]
format = %(levelname)s %(message)s
""",
    )
    config = load_config(path)
    assert config.name == "hospital-1"
    assert config.task_dir == tmp_path / "work" / "tasks"
    assert config.api_url == "https://v6.example.org:7601/api"
    assert config.databases == (
        Database("default", "csv", str(tmp_path / "data" / "a.csv")),
        Database("warehouse", "sql", "postgresql://db.example.org/warehouse"),
        Database("images", "parquet", str(tmp_path / "data" / "b.parquet")),
    )
    assert config.database("images").type == "parquet" and config.database("nope") is None
    assert config.encryption_enabled and config.private_key == tmp_path / "keys" / "private.pem"
    patterns = config.policies.allowed_images
    assert [p.pattern for p in patterns] == [
        r"^harbor2\.vantage6\.ai/demo/average$",
        "^localhost/.*",
    ]
    assert config.policies.allowed_organizations == {1, 2}
    assert config.policies.allowed_users == {7, 8}
    assert config.pull == "never"
    assert config.limits == Limits(cpus=1.5, memory="512m", pids=100)
    assert config.registries == (Registry("harbor2.vantage6.ai", "robot", "hunter2"),)
    assert "hunter2" not in repr(config)
    assert config.algorithm_env == {"PLAYER": "Alice", "mixedCase": "kept"}
    assert config.proxy_port == 8080
    assert config.runtime == "process"


def test_the_documented_example_loads(tmp_path, monkeypatch):
    """node/node.ini as shipped (its data file and key named relative to it)."""
    example = REPO / "node" / "node.ini"
    text = example.read_text()
    monkeypatch.setenv(API_KEY_ENV, "from-env")
    # the example's relative paths, made to exist next to a copy
    for match in re.finditer(r"^\w+ = (?:csv|parquet|excel):(\S+)$", text, re.M):
        (tmp_path / match.group(1)).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / match.group(1)).write_text("age\n1\n")
    config = load_config(write(tmp_path, text))
    assert config.api_key == "from-env"
    assert config.databases


def test_api_key_from_env_or_file(tmp_path, monkeypatch):
    (tmp_path / "key.txt").write_text("  key-from-file\n")
    path = write(tmp_path, "[node]\napi_key_file = key.txt\n[server]\nurl = http://x\n")
    assert load_config(path).api_key == "key-from-file"
    monkeypatch.setenv(API_KEY_ENV, "key-from-env")
    assert load_config(path).api_key == "key-from-env"
    bare = write(tmp_path, "[server]\nurl = http://x\n", "bare.ini")
    assert load_config(bare).api_key == "key-from-env"


def test_every_problem_is_named_with_section_and_key(tmp_path):
    path = write(
        tmp_path,
        """
[node]
name = no spaces please
runtime = kubernetes
colour = blue

[server]
url = localhost
port = 99999

[databases]
default = csv:missing.csv
weird = mongodb:mongodb://x
nocolon = /data/file.csv

[database:twice]
type = csv

[encryption]
enabled = perhaps

[policies]
allowed_images = ^ok$
    [unclosed
allowed_users = 1, two

[docker]
pull = sometimes
cpus = -1
memory = lots
pids = 0

[registry:example.org]
password = x

[algorithm_env]
1BAD = x

[proxy]
port = http

[extras]
x = 1
""",
    )
    found = problems(path)
    expected = [
        "[extras]: unknown section",
        "[node] colour: unknown key",
        "[node] name: must be letters",
        "[node] api_key: is required",
        "[server] url: must start with http",
        "[server] port: must be a whole number of at least 1 and at most 65535",
        "[databases] default: file",
        "[databases] weird: type must be one of",
        "[databases] nocolon: must be <type>:<uri>",
        "[database:twice] uri: is required",
        "[encryption] enabled: must be true or false",
        "[policies] allowed_images: bad regular expression '[unclosed'",
        "[policies] allowed_users: must be ids",
        "[registry:example.org] username: is required",
        "[docker] pull: must be one of missing, always, never",
        "[algorithm_env] 1BAD: is not a valid environment variable name",
        "[docker] memory: must be a size",
        "[docker] cpus: must be a number above 0",
        "[docker] pids: must be a whole number of at least 1",
        "[proxy] port: must be a whole number",
        "[node] runtime: must be one of docker, process",
    ]
    for start in expected:
        assert any(problem.startswith(start) for problem in found), (start, found)
    assert len(found) == len(expected), found


def test_the_legacy_encryption_format_is_accepted_only_when_set(tmp_path):
    config = load_config(write(tmp_path, MINIMAL + "[encryption]\nallow_legacy = true\n"))
    assert config.allow_legacy_encryption is True
    with pytest.raises(ConfigError, match=r"\[encryption\] allow_legacy: must be true or false"):
        load_config(write(tmp_path, MINIMAL + "[encryption]\nallow_legacy = sometimes\n"))


def test_encryption_needs_an_existing_private_key(tmp_path):
    base = MINIMAL + "[encryption]\nenabled = true\n"
    assert problems(write(tmp_path, base)) == [
        "[encryption] private_key: is required when encryption is enabled"
    ]
    missing = write(tmp_path, base + "private_key = nope.pem\n", "b.ini")
    assert problems(missing) == [
        f"[encryption] private_key: file {str(tmp_path / 'nope.pem')!r} does not exist"
    ]


def test_a_label_twice_and_both_key_sources_are_refused(tmp_path):
    (tmp_path / "a.csv").write_text("x\n")
    (tmp_path / "k").write_text("k")
    path = write(
        tmp_path,
        MINIMAL.replace("[node]\n", "[node]\napi_key_file = k\n")
        + "[databases]\ndefault = csv:a.csv\n[database:default]\ntype = csv\nuri = a.csv\n",
    )
    assert problems(path) == [
        "[node] api_key: give api_key or api_key_file, not both",
        "[database:default]: database 'default' is configured twice",
    ]


def test_unreadable_and_malformed_files(tmp_path):
    assert problems(tmp_path / "absent.ini")[0].startswith("cannot be read")
    broken = write(tmp_path, "no section header\n")
    assert problems(broken)[0].startswith("is not a valid ini file")
    duplicate = write(tmp_path, MINIMAL + "[server]\nport = 1\n", "dup.ini")
    assert problems(duplicate)[0].startswith("is not a valid ini file")


def test_default_section_is_not_a_backdoor_for_keys(tmp_path):
    path = write(tmp_path, "[DEFAULT]\nurl = http://x\n" + MINIMAL)
    assert problems(path) == ["[DEFAULT]: unknown section"]


def test_logging_sections_configure_logging_with_here(tmp_path):
    path = write(
        tmp_path,
        MINIMAL
        + """
[loggers]
keys = root
[handlers]
keys = file
[formatters]
keys = plain
[logger_root]
level = INFO
handlers = file
[handler_file]
class = FileHandler
args = ('%(here)s/node.log',)
formatter = plain
[formatter_plain]
format = %(levelname)s %(message)s
""",
    )
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(load_config(path))
        logging.getLogger("vantage6.node.test").info("hello")
        for handler in root.handlers:
            handler.flush()
        assert (tmp_path / "node.log").read_text() == "INFO hello\n"
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:], _ = saved[0], root.setLevel(saved[1])


def test_the_vpn_is_off_unless_a_subnet_is_set(tmp_path):
    assert load_config(write(tmp_path, MINIMAL, "alpha.ini")).vpn is None
    config = load_config(write(tmp_path, MINIMAL + "[vpn]\nsubnet = 10.76.0.0/16\n", "alpha.ini"))
    assert str(config.vpn.subnet) == "10.76.0.0/16"
    assert config.vpn.namespace == "v6-alpha"  # a namespace of the node's own
    own = MINIMAL + "[vpn]\nsubnet = 10.76.0.0/16\nnamespace = vpn-side\n"
    assert load_config(write(tmp_path, own)).vpn.namespace == "vpn-side"


def test_a_bad_vpn_subnet_or_namespace_is_named(tmp_path):
    found = problems(write(tmp_path, MINIMAL + "[vpn]\nsubnet = 10.76.0.1/16\n"))
    assert any("[vpn] subnet: must be an IPv4 network" in problem for problem in found)
    found = problems(write(tmp_path, MINIMAL + "[vpn]\nsubnet = 10.76.0.0/16\nnamespace = ../x\n"))
    assert any("[vpn] namespace: must be letters" in problem for problem in found)
