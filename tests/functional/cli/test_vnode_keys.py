"""``vnode set-api-key`` and ``vnode create-private-key`` against a real server: keys written
0600 and never printed, an existing private key reused unless --force, the public key
uploaded with the node's own API key, and a clear failure when the server does not answer."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.functional.test_serve import free_port
from vantage6.common.encryption import RSACryptor
from vantage6.node.config import load_config


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def public_key(server, organization: int) -> str | None:
    return server.ok("GET", f"/organization/{organization}")["public_key"]


def test_a_new_api_key_replaces_the_old_one_and_the_node_logs_in_with_it(
    vnode, vnode_process, node_config, node_server
):
    ids = node_server.collaboration(1)
    path = node_config("renewed", ids["keys"][0])
    node_id = node_server.ok("GET", f"/node?organization_id={ids['orgs'][0]}")["data"][0]["id"]
    new_key = node_server.ok("POST", "/recover/node", {"id": node_id})["api_key"]
    refused = vnode_process("start", "--name", "renewed")
    assert refused.returncode == 1 and "refused this node's API key" in refused.stderr

    replaced = vnode("set-api-key", "--name", "renewed", input=f"{new_key}\n")
    assert replaced.exit_code == 0, replaced.output
    assert new_key not in replaced.output  # the prompt does not echo it
    key_file = path.with_suffix(".api_key")
    assert f"The API key of node 'renewed' is in {key_file}" in replaced.output
    assert key_file.read_text() == f"{new_key}\n" and mode(key_file) == 0o600
    assert load_config(path).api_key == new_key
    started = vnode_process("start", "--name", "renewed")
    assert started.returncode == 0, started.stderr
    running = vnode("set-api-key", "--name", "renewed", "--api-key", new_key)
    assert "node 'renewed' is running with the old key: restart it" in running.output


def test_an_inline_api_key_moves_to_a_key_file(vnode, node_config):
    path = node_config("inline", "old-key-1")
    path.with_suffix(".api_key").unlink()
    text = path.read_text().replace("api_key_file = inline.api_key", "api_key = old-key-1")
    path.write_text(text)
    assert load_config(path).api_key == "old-key-1"

    result = vnode("set-api-key", "--name", "inline", "--api-key", "new-key-2")
    assert result.exit_code == 0, result.output
    assert "old-key-1" not in path.read_text()
    assert "[node]\napi_key_file = inline.api_key\n" in path.read_text()
    assert mode(path.with_suffix(".api_key")) == 0o600
    assert load_config(path).api_key == "new-key-2"
    assert "new-key-2" not in result.output


def test_a_bad_api_key_changes_nothing(vnode, node_config):
    path = node_config("kept", "kept-key")
    result = vnode("set-api-key", "--name", "kept", "--api-key", "two words")
    assert result.exit_code == 2
    assert "must be a key without spaces" in result.output
    assert load_config(path).api_key == "kept-key"


def test_create_private_key_makes_uploads_reuses_and_replaces_with_force(
    vnode, node_config, node_server
):
    ids = node_server.collaboration(1, encrypted=True)
    organization = ids["orgs"][0]
    path = node_config("enc", ids["keys"][0], "--encryption")
    key = load_config(path).private_key
    assert mode(key) == 0o600 and not public_key(node_server, organization)

    first = vnode("create-private-key", "--name", "enc")
    assert first.exit_code == 0, first.output
    assert f"Using the existing private key {key} (--force makes a new one)" in first.output
    assert "Uploading its public key to http://127.0.0.1:" in first.output
    assert f"✓ Organization {organization} has the public key of {key}" in first.output
    assert public_key(node_server, organization) == RSACryptor(key).public_key_str
    pem = key.read_bytes()
    assert pem.decode().splitlines()[1] not in first.output  # no part of the private key

    again = vnode("create-private-key", "--name", "enc")
    assert again.exit_code == 0 and "the server had it already" in again.output
    assert key.read_bytes() == pem

    forced = vnode("create-private-key", "--name", "enc", "--force")
    assert forced.exit_code == 0, forced.output
    assert key.read_bytes() != pem and mode(key) == 0o600
    old = next(key.parent.glob("private_key.pem.old-*"))
    assert old.read_bytes() == pem and "the old key is kept in" in forced.output
    assert public_key(node_server, organization) == RSACryptor(key).public_key_str


def test_a_missing_key_is_made_even_when_the_server_does_not_answer(vnode, node_config, tmp_path):
    key = tmp_path / "org.pem"
    node_config("away", "some-key", "--port", free_port(), "--encryption", "--private-key", key)
    key.unlink()  # the wizard made one
    result = vnode("create-private-key", "--name", "away", "--timeout", "1")
    assert result.exit_code == 1
    assert "Making a new private key in" in result.output
    assert key.is_file() and mode(key) == 0o600
    assert "Uploading its public key to" in result.output and "failed" in result.output
    assert f"the private key is in {key}, but uploading its public key failed: " in result.output
    assert "The node uploads it when it starts" in result.output


def test_create_private_key_refusals(vnode, node_config, node_server):
    ids = node_server.collaboration(1)
    node_config("plain", ids["keys"][0])
    plain = vnode("create-private-key", "--name", "plain")
    assert plain.exit_code == 1
    assert "[encryption] enabled is not true" in plain.output

    path = node_config("wrongkey", "not-a-key", "--encryption")
    refused = vnode("create-private-key", "--name", "wrongkey")
    assert refused.exit_code == 1
    assert "the server refused the node's API key, so the public key of" in refused.output
    assert "vnode set-api-key --name wrongkey --user" in refused.output

    load_config(path).private_key.write_text("not a key")
    broken = vnode("create-private-key", "--name", "wrongkey", "--no-upload")
    assert broken.exit_code == 1 and "--force replaces it with a new key" in broken.output
