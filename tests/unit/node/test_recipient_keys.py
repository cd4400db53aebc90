"""Trust on first use of the public keys a node encrypts for: the first key of an
organization is remembered, another one later is refused (and logged) with both fingerprints
and the operator's way to accept it, until the operator does."""

from __future__ import annotations

import base64
import logging

import pytest

from vantage6.common.encryption import InvalidKey, RSACryptor, public_key_fingerprint
from vantage6.node.config import NodeConfig
from vantage6.node.recipient_keys import RecipientKeyChanged, RecipientKeys
from vantage6.node.state import NodeState


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """Two key pairs: an organization's own, and one an attacker put in its place."""
    folder = tmp_path_factory.mktemp("keys")
    found = {}
    for name in ("genuine", "attacker"):
        RSACryptor.create_new_rsa_key(folder / f"{name}.pem", key_size=2048)
        found[name] = RSACryptor(folder / f"{name}.pem")
    return found


@pytest.fixture
def pinned(tmp_path):
    return RecipientKeys(NodeState(tmp_path), "--config /etc/node.ini")


def test_the_fingerprint_is_of_the_key_not_of_its_pem_layout(keys):
    public_key = keys["genuine"].public_key_str
    rewrapped = base64.b64encode(base64.b64decode(public_key).replace(b"\n", b"\r\n")).decode()
    assert public_key_fingerprint(rewrapped) == public_key_fingerprint(public_key)
    assert len(public_key_fingerprint(public_key)) == 64
    assert public_key_fingerprint(public_key) != public_key_fingerprint(
        keys["attacker"].public_key_str
    )
    with pytest.raises(InvalidKey):
        public_key_fingerprint("bm90IGEga2V5")


def test_the_first_key_is_remembered_and_accepted_again(pinned, keys, caplog):
    caplog.set_level(logging.INFO)
    pinned.check(7, keys["genuine"].public_key_str)
    pinned.check(7, keys["genuine"].public_key_str)
    assert pinned.state.key_fingerprint(7) == public_key_fingerprint(keys["genuine"].public_key_str)
    assert caplog.text.count("Remembering the public key of organization 7") == 1


def test_a_replaced_key_is_refused_naming_both_fingerprints_and_the_way_to_accept_it(
    pinned, keys, caplog
):
    genuine = public_key_fingerprint(keys["genuine"].public_key_str)
    attacker = public_key_fingerprint(keys["attacker"].public_key_str)
    pinned.check(7, keys["genuine"].public_key_str)
    with pytest.raises(RecipientKeyChanged) as refused:
        pinned.check(7, keys["attacker"].public_key_str)
    message = str(refused.value)
    assert f"organization 7 (SHA-256 fingerprint {attacker})" in message
    assert f"than the one this node encrypted for before ({genuine})" in message
    assert f"vnode trust-key --organization 7 --fingerprint {attacker}" in message
    error = next(r for r in caplog.records if r.levelno == logging.ERROR)
    assert f"vnode trust-key --config /etc/node.ini --organization 7 --fingerprint {attacker}" in (
        error.getMessage()
    )
    assert pinned.state.key_fingerprint(7) == genuine  # still refused next time
    with pytest.raises(RecipientKeyChanged):
        pinned.check(7, keys["attacker"].public_key_str)


def test_the_operators_consent_makes_the_new_key_accepted(pinned, keys):
    pinned.check(7, keys["genuine"].public_key_str)
    pinned.state.replace_key(7, public_key_fingerprint(keys["attacker"].public_key_str))
    pinned.check(7, keys["attacker"].public_key_str)
    with pytest.raises(RecipientKeyChanged):
        pinned.check(7, keys["genuine"].public_key_str)


def test_organizations_are_remembered_each_on_their_own(pinned, keys):
    pinned.check(1, keys["genuine"].public_key_str)
    pinned.check(2, keys["attacker"].public_key_str)
    with pytest.raises(RecipientKeyChanged):
        pinned.check(2, keys["genuine"].public_key_str)


def test_the_own_organizations_key_is_the_one_the_node_holds(pinned, keys):
    pinned.check(5, keys["attacker"].public_key_str)  # what the server had at first use
    pinned.own(5, keys["genuine"].public_key_str)  # the node's own private key says otherwise
    pinned.check(5, keys["genuine"].public_key_str)
    with pytest.raises(RecipientKeyChanged):
        pinned.check(5, keys["attacker"].public_key_str)


def test_an_environment_is_named_in_the_way_to_accept(tmp_path):
    config = NodeConfig(
        name="n",
        path=tmp_path / "node.ini",
        server_url="http://localhost",
        port=None,
        api_path="/api",
        api_key="k",
        task_dir=tmp_path / "tasks",
        environment="test",
    )
    recipient_keys = RecipientKeys.of(config)
    assert recipient_keys.node_selector == f"--config {tmp_path / 'node.ini'} -e test"
    assert recipient_keys.state.path == tmp_path / "tasks" / "node-state.json"
