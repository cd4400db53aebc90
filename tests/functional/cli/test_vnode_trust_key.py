"""``vnode trust-key``: the operator accepts a new public key of an organization; the node's
state remembers it (a running node reads it at its next encryption)."""

from __future__ import annotations

from vantage6.node.config import load_config
from vantage6.node.state import NodeState

OLD = "0" * 64
NEW = "ab" * 32


def new_node(vnode, dirs, name: str = "trusting"):
    result = vnode("new", "--name", name, "--no-input", "--api-key", "k")
    assert result.exit_code == 0, result.output
    config = load_config(f"{dirs['XDG_CONFIG_HOME']}/vantage6/node/{name}.ini")
    return config, NodeState(config.task_dir)


def test_the_new_key_replaces_the_remembered_one(vnode, dirs):
    config, state = new_node(vnode, dirs)
    state.remember_key(7, OLD)
    upper_with_colons = ":".join(NEW[i : i + 2].upper() for i in range(0, 64, 2))
    result = vnode(
        "trust-key", "--name", "trusting", "--organization", 7, "--fingerprint", upper_with_colons
    )
    assert result.exit_code == 0, result.output
    assert (
        f"Node 'trusting' now encrypts for organization 7 with the key of fingerprint {NEW} "
        f"instead of {OLD}" in result.output
    )
    assert state.key_fingerprint(7) == NEW
    again = vnode("trust-key", "--name", "trusting", "--organization", 7, "--fingerprint", NEW)
    assert again.exit_code == 0 and "already accepts this key of organization 7" in again.output


def test_a_fingerprint_that_is_not_sha256_is_refused(vnode, dirs):
    _, state = new_node(vnode, dirs)
    result = vnode("trust-key", "--name", "trusting", "--organization", 7, "--fingerprint", "abc")
    assert result.exit_code == 2
    assert "must be a SHA-256 fingerprint: 64 hexadecimal digits" in result.output
    assert state.key_fingerprint(7) is None
