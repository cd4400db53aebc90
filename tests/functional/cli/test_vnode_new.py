"""``vnode new``: the wizard driven by options, by answers on stdin and by a person in a real
terminal (tmux); what it writes loads as the node loads it, and a refusal writes nothing."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import time
from pathlib import Path

import pytest

from tests.functional.cli.helpers import VNODE
from tests.functional.cli.test_wizard_terminal import Terminal
from vantage6.common import configdirs
from vantage6.common.encryption import RSACryptor
from vantage6.node.config import load_config


def node_dir(dirs, scope: str = "user") -> Path:
    variable = "XDG_CONFIG_HOME" if scope == "user" else "XDG_CONFIG_DIRS"
    return Path(dirs[variable]) / "vantage6" / "node"


def data_dir(dirs, name: str) -> Path:
    return Path(dirs["XDG_DATA_HOME"]) / "vantage6" / "node" / name


def test_options_answer_every_question(vnode, dirs, tmp_path):
    (tmp_path / "a.csv").write_text("age\n1\n")
    (tmp_path / "images").mkdir()
    result = vnode(
        "new", "--name", "hospital-a", "--no-input", "--server-url", "https://v6.example.org",
        "--port", 443, "--api-path", "/v6", "--api-key", "key-123-secret",
        "--database", f"default=csv:{tmp_path / 'a.csv'}", "--database", "scans=folder:" + str(
            tmp_path / "images"), "--database", "warehouse=sql:postgresql://u:pw@db/w",
        "--task-dir", tmp_path / "runs", "--runtime", "process",
        "--allowed-image", r"harbor2\.vantage6\.ai/demo/.*", "--allowed-image", "local/.*",
        "--allowed-organizations", "1, 4", "--allowed-users", "12",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    path = node_dir(dirs) / "hospital-a.ini"
    assert f"✓ Wrote node 'hospital-a' to {path}" in result.output
    assert "vnode start --name hospital-a --user" in result.output
    assert "key-123-secret" not in result.output + path.read_text()
    key_file = path.with_suffix(".api_key")
    assert key_file.read_text() == "key-123-secret\n"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    config = load_config(path)
    assert config.name == "hospital-a" and config.api_key == "key-123-secret"
    assert config.api_url == "https://v6.example.org:443/v6"
    assert [(db.label, db.type) for db in config.databases] == [
        ("default", "csv"),
        ("scans", "folder"),
        ("warehouse", "sql"),
    ]
    assert config.database("warehouse").uri == "postgresql://u:pw@db/w"
    assert config.task_dir == tmp_path / "runs" and config.runtime == "process"
    assert not config.encryption_enabled
    assert [p.pattern for p in config.policies.allowed_images] == [
        r"harbor2\.vantage6\.ai/demo/.*",
        "local/.*",
    ]
    assert config.policies.allowed_organizations == {1, 4}
    assert config.policies.allowed_users == {12}


def test_defaults_and_encryption_with_a_new_key_in_the_data_folder(vnode, dirs):
    result = vnode("new", "--name", "enc", "--no-input", "--api-key", "k", "--encryption")
    assert result.exit_code == 0, result.output
    config = load_config(node_dir(dirs) / "enc.ini")
    key = data_dir(dirs, "enc") / "private_key.pem"
    assert f"Making a new private key in {key}" in result.output
    assert config.encryption_enabled and config.private_key == key
    assert "\nallow_legacy = false\n" in (node_dir(dirs) / "enc.ini").read_text()
    assert config.allow_legacy_encryption is False  # written out, not only the default
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert config.api_url == "http://localhost:7601/api" and config.runtime == "docker"
    assert config.task_dir == data_dir(dirs, "enc") / "tasks"
    assert config.databases == () and config.policies.allowed_images == ()
    assert "every image may run here" in result.output
    assert "vnode create-private-key --name enc --user" in result.output


def test_an_existing_private_key_is_used_as_it_is(vnode, dirs, tmp_path):
    RSACryptor.create_new_rsa_key(tmp_path / "org.pem", key_size=2048)
    pem = (tmp_path / "org.pem").read_bytes()
    result = vnode(
        "new", "--name", "shared", "--system", "--no-input", "--api-key", "k",
        "--encryption", "--private-key", tmp_path / "org.pem",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"Using the private key in {tmp_path / 'org.pem'}" in result.output
    assert (tmp_path / "org.pem").read_bytes() == pem
    assert load_config(node_dir(dirs, "system") / "shared.ini").private_key == tmp_path / "org.pem"

    (tmp_path / "bad.pem").write_text("not a key")
    bad = vnode(
        "new", "--name", "bad", "--no-input", "--api-key", "k",
        "--encryption", "--private-key", tmp_path / "bad.pem",
    )  # fmt: skip
    assert bad.exit_code == 2 and "Invalid value for --private-key" in bad.output


def test_system_nodes_go_to_the_seeds_folder_and_older_ones_are_still_found(
    vnode, monkeypatch, tmp_path
):
    """Seed 004's table: on Linux the System-folder of nodes is /etc/vantage6/node; earlier
    versions wrote to /etc/xdg/vantage6/node (both moved into tmp_path here)."""
    monkeypatch.delenv("XDG_CONFIG_DIRS")
    seed, xdg = tmp_path / "etc/vantage6/node", tmp_path / "etc/xdg/vantage6/node"
    monkeypatch.setattr(configdirs, "SEED_SYSTEM_NODE_DIR", seed)
    monkeypatch.setattr(configdirs, "XDG_SYSTEM_NODE_DIR", xdg)
    xdg.mkdir(parents=True)
    (xdg / "older.ini").write_text("[node]\napi_key = k\n[server]\nurl = http://localhost\n")

    result = vnode("new", "--name", "newer", "--system", "--no-input", "--api-key", "k")
    assert result.exit_code == 0, result.output
    assert f"Wrote node 'newer' to {seed / 'newer.ini'}" in result.output
    listed = [line.split()[:3] for line in vnode("list", "--system").output.splitlines()[1:]]
    assert listed == [["newer", "application", "system"], ["older", "application", "system"]]

    added = vnode(
        "new", "--name", "older", "--system", "--no-input", "--api-key", "k", "-e", "test"
    )
    assert added.exit_code == 0, added.output
    assert load_config(xdg / "older.ini", "test").name == "older-test"
    assert not (seed / "older.ini").exists()


def test_the_wizard_asks_and_asks_again_after_a_wrong_answer(vnode, dirs, tmp_path):
    (tmp_path / "a.csv").write_text("age\n1\n")
    answers = [
        "asked",  # name
        "ftp://nope",  # server url: refused
        "http://127.0.0.1",
        "",  # port: default
        "",  # api path: default
        "",  # api key: empty, refused (the prompt hides it)
        "typed-key",
        "default=csv:/no/such/file.csv",  # refused: the file does not exist
        f"default=csv:{tmp_path / 'a.csv'}",
        "",  # no more databases
        "",  # task dir: default
        "process",  # runtime
        "n",  # encryption
        "([",  # allowed image: refused
        "demo/.*",
        "",  # no more images
        "1, x",  # refused
        "3",
        "",  # users: any
        "",  # log level: default
    ]
    result = vnode("new", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Error: Server URL must be http:// or https:// and a host" in result.output
    assert "Error: API key of this node must be a key without spaces" in result.output
    assert "file '/no/such/file.csv' does not exist" in result.output
    assert "is not a regular expression" in result.output
    assert "must be ids (whole numbers), not 'x'" in result.output
    assert "typed-key" not in result.output
    config = load_config(node_dir(dirs) / "asked.ini")
    assert config.api_key == "typed-key" and config.port == 7601
    assert config.database("default").uri == str(tmp_path / "a.csv")
    assert [p.pattern for p in config.policies.allowed_images] == ["demo/.*"]
    assert config.policies.allowed_organizations == {3}


def test_refusals_write_nothing(vnode, dirs, tmp_path):
    assert vnode("new", "--name", "x", "--no-input").exit_code == 2  # no --api-key
    assert vnode("new", "--no-input", "--api-key", "k").exit_code == 2  # no --name
    bad_name = vnode("new", "--name", "../up", "--no-input", "--api-key", "k")
    assert bad_name.exit_code == 2 and "is not a valid name" in bad_name.output
    twice = vnode(
        "new", "--name", "x", "--no-input", "--api-key", "k",
        "--database", "a=other:1", "--database", "a=other:2",
    )  # fmt: skip
    assert twice.exit_code == 2 and "database 'a' given twice" in twice.output
    assert not node_dir(dirs).exists() or not list(node_dir(dirs).iterdir())

    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the key's folder would be")
    failed = vnode(
        "new", "--name", "x", "--no-input", "--api-key", "k",
        "--encryption", "--private-key", blocked / "key.pem",
    )  # fmt: skip
    assert failed.exit_code == 1 and "cannot make a private key in" in failed.output
    assert list(node_dir(dirs).iterdir()) == []  # the API key file written first is gone

    assert vnode("new", "--name", "x", "--no-input", "--api-key", "k").exit_code == 0
    again = vnode("new", "--name", "x", "--no-input", "--api-key", "k2")
    assert again.exit_code == 1
    assert f"{node_dir(dirs) / 'x.ini'} exists: choose another name" in again.output
    assert (node_dir(dirs) / "x.api_key").read_text() == "k\n"


def reply(terminal: Terminal, prompt: str, keys: str, nth: int = 1) -> None:
    """Type ``keys`` and Enter once ``prompt`` is on screen for the ``nth`` time (long prompts
    wrap, and a repeated prompt may follow the previous answer on its line)."""
    deadline = time.monotonic() + 30
    while terminal.tmux("capture-pane", "-p", "-J", "-t", "wizard").count(prompt) < nth:
        if time.monotonic() > deadline:
            pytest.fail(f"prompt {prompt!r} #{nth} did not appear:\n{terminal.screen()}")
        time.sleep(0.1)
    if keys:
        terminal.tmux("send-keys", "-t", "wizard", "-l", keys)
    terminal.tmux("send-keys", "-t", "wizard", "Enter")


@pytest.mark.skipif(
    shutil.which("tmux") is None and os.environ.get("CI") != "true",
    reason="tmux is not installed (scripts/bootstrap-system installs it)",
)
def test_a_person_answers_the_node_wizard_in_a_terminal(dirs, tmp_path):
    (tmp_path / "data.csv").write_text("age\n1\n")
    environment = " ".join(f"{key}={shlex.quote(value)}" for key, value in dirs.items())
    terminal = Terminal(f"env {environment} {VNODE} new; echo EXIT=$?; sleep 60")
    database = "Database algorithms may read"
    try:
        reply(terminal, "Name of the new node configuration:", "typed")
        reply(terminal, "Server URL", "https://v6.example.org")
        reply(terminal, "Server port", "99999")
        reply(terminal, "Server port", "443", nth=2)
        reply(terminal, "API path", "")
        reply(terminal, "API key of this node", "hidden-Key-1")
        reply(terminal, database, f"default=csv:{tmp_path / 'data.csv'}")
        reply(terminal, database, "", nth=2)
        reply(terminal, "Folder for the runs'", "")
        reply(terminal, "Run algorithms as", "")
        reply(terminal, "Is the collaboration encrypted?", "y")
        reply(terminal, "Private key file", str(tmp_path / "org.pem"))
        reply(terminal, "Image allowed to run", r"harbor2\.vantage6\.ai/.*")
        reply(terminal, "Image allowed to run", "", nth=2)
        reply(terminal, "Ids of the organizations", "")
        reply(terminal, "Ids of the users", "7")
        reply(terminal, "Log level", "warning")
        screen = terminal.wait_for("EXIT=")
    finally:
        terminal.close()

    assert "EXIT=0" in screen, screen
    assert "99999 is not in the range" in screen
    assert "hidden-Key-1" not in screen  # the key prompt does not echo
    assert re.search(r"✓ Wrote node 'typed' to \S+typed\.ini", screen)
    config = load_config(node_dir(dirs) / "typed.ini")
    assert config.api_key == "hidden-Key-1"
    assert config.api_url == "https://v6.example.org:443/api"
    assert config.private_key == tmp_path / "org.pem" and config.encryption_enabled
    assert [p.pattern for p in config.policies.allowed_images] == [r"harbor2\.vantage6\.ai/.*"]
    assert config.policies.allowed_users == {7}
    assert "[logger_vantage6]\nlevel = WARNING\n" in (node_dir(dirs) / "typed.ini").read_text()
