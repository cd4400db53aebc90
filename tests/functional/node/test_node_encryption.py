"""The node daemon in encrypted collaborations, against a real ``pserve``: it refuses input
in the legacy format unless its operator allows it, notices when its own organization's key
was replaced at the server, and does not encrypt a result for a replaced key of the
organization that created the task until its operator accepts that key."""

from __future__ import annotations

import json
import logging

import pytest
from click.testing import CliRunner

from tests.functional.node.test_node_lifecycle import (  # noqa: F401
    fresh,
    nodes,
    server,
)
from tests.unit.common.legacy_vectors import legacy_encrypt
from vantage6.common.encryption import RSACryptor, public_key_fingerprint
from vantage6.node.cli import cli

LOADS = {"method": "loads", "args": ['"secret"']}


@pytest.fixture
def keys(tmp_path):
    """Key pairs: the node's organization's, root's organization's, and an attacker's."""
    found = {}
    for name in ("node", "root", "attacker"):
        RSACryptor.create_new_rsa_key(tmp_path / f"{name}.pem", key_size=2048)
        found[name] = RSACryptor(tmp_path / f"{name}.pem")
    return found


def encrypted(server, keys):  # noqa: F811
    ids = fresh(server, encrypted=True)
    server.ok(
        "PATCH", f"/organization/{ids['root_org']}", {"public_key": keys["root"].public_key_str}
    )
    return ids


def start(nodes, server, ids, tmp_path, setting: str = "", name: str = "node"):  # noqa: F811
    extra = f"[encryption]\nenabled = true\nprivate_key = {tmp_path / 'node.pem'}\n{setting}"
    return nodes(server, ids["key"], extra, name=name).wait_connected()


def test_input_in_the_legacy_format_fails_the_run_unless_the_node_allows_it(
    server,  # noqa: F811
    nodes,  # noqa: F811
    keys,
    tmp_path,
):
    ids = encrypted(server, keys)
    node = start(nodes, server, ids, tmp_path)
    legacy = legacy_encrypt(json.dumps(LOADS).encode(), keys["node"].private_key.public_key())
    run = server.run_reaches(server.task(ids, "test/json", legacy), "failed")
    assert run["log"].startswith("The node cannot read the input: the data is in the legacy")
    assert "allow_legacy = true in the [encryption] section" in run["log"]
    node.stop()

    start(nodes, server, ids, tmp_path, "allow_legacy = true\n", name="lenient")
    run = server.run_reaches(server.task(ids, "test/json", legacy), "completed")
    result = server.ok("GET", f"/result/{run['id']}")["result"]
    assert keys["root"].decrypt_str_to_bytes(result) == b'"secret"'


def test_a_replaced_key_of_the_nodes_own_organization_is_reported_and_put_back(
    server,  # noqa: F811
    nodes,  # noqa: F811
    logged_in,
    keys,
    tmp_path,
    caplog,
):
    ids = encrypted(server, keys)
    organization = f"/organization/{ids['org']}"
    replaced = {"public_key": keys["attacker"].public_key_str}  # with the node's credentials
    logged_in(ids["key"]).request("PATCH", organization, json=replaced)
    caplog.set_level(logging.INFO, logger="vantage6")
    start(nodes, server, ids, tmp_path)
    warning = next(r for r in caplog.records if "someone replaced it" in r.getMessage())
    assert warning.levelno == logging.WARNING
    assert public_key_fingerprint(keys["attacker"].public_key_str) in warning.getMessage()
    assert public_key_fingerprint(keys["node"].public_key_str) in warning.getMessage()
    assert keys["node"].verify_public_key(server.ok("GET", organization)["public_key"])


def test_a_result_is_not_encrypted_for_a_replaced_key_until_the_operator_accepts_it(
    server,  # noqa: F811
    nodes,  # noqa: F811
    keys,
    tmp_path,
    caplog,
):
    ids = encrypted(server, keys)
    node = start(nodes, server, ids, tmp_path)

    def task():
        secret = keys["root"].encrypt_bytes_to_str(
            json.dumps(LOADS).encode(),
            server.ok("GET", f"/organization/{ids['org']}")["public_key"],
        )
        return server.task(ids, "test/json", secret)

    server.run_reaches(task(), "completed")  # root's key is remembered

    root = f"/organization/{ids['root_org']}"
    server.ok("PATCH", root, {"public_key": keys["attacker"].public_key_str})
    try:
        run = server.run_reaches(task(), "failed")
        attacker = public_key_fingerprint(keys["attacker"].public_key_str)
        genuine = public_key_fingerprint(keys["root"].public_key_str)
        assert f"another public key for organization {ids['root_org']}" in run["log"]
        assert attacker in run["log"] and genuine in run["log"]
        assert server.ok("GET", f"/result/{run['id']}")["result"] in (None, "")
        assert any(
            r.levelno == logging.ERROR and "vnode trust-key --config" in r.getMessage()
            for r in caplog.records
        )

        accepted = CliRunner().invoke(
            cli,
            [
                "trust-key",
                "--config",
                str(node.config.path),
                "--organization",
                str(ids["root_org"]),
                "--fingerprint",
                attacker,
            ],
        )
        assert accepted.exit_code == 0, accepted.output
        assert f"now encrypts for organization {ids['root_org']}" in accepted.output
        run = server.run_reaches(task(), "completed")
        result = server.ok("GET", f"/result/{run['id']}")["result"]
        assert keys["attacker"].decrypt_str_to_bytes(result) == b'"secret"'  # as consented
    finally:
        server.ok("PATCH", root, {"public_key": keys["root"].public_key_str})
