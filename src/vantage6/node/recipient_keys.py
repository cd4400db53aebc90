"""Trust on first use of the public keys the node encrypts for.

The node encrypts results for the organization that created the task, and the input of
subtasks for each organization that runs them, with the public key the server hands out. Who
can change that key at the server could have the node encrypt for a key of their own and read
what it sends. So the node remembers each organization's key fingerprint the first time it
encrypts for it (in its :class:`~vantage6.node.state.NodeState`) and refuses another key for
that organization later, until its operator accepts the new one on the node's machine with
``vnode trust-key``. The key of the node's own organization is the one of its private key.
"""

from __future__ import annotations

import logging

from vantage6.common.encryption import public_key_fingerprint
from vantage6.node.config import APPLICATION, NodeConfig
from vantage6.node.state import NodeState

log = logging.getLogger(__name__)


class RecipientKeyChanged(Exception):
    """The server presents another public key for an organization than the node remembers.
    The message says what happened and how the operator accepts the new key."""

    def __init__(self, organization_id: int, remembered: str, presented: str):
        self.organization_id = organization_id
        self.remembered = remembered
        self.presented = presented
        super().__init__(
            f"The server has another public key for organization {organization_id} "
            f"(SHA-256 fingerprint {presented}) than the one this node encrypted for before "
            f"({remembered}): someone may have replaced it to read what is encrypted for "
            f"organization {organization_id}, so nothing was encrypted for it. If that "
            "organization did make a new key (compare the fingerprint with theirs), the node's "
            f"operator accepts it: vnode trust-key --organization {organization_id} "
            f"--fingerprint {presented} (with the node's --name or --config)"
        )


class RecipientKeys:
    """The organizations' public keys this node accepts, checked before each encryption."""

    def __init__(self, state: NodeState, node_selector: str):
        self.state = state
        self.node_selector = node_selector  # how `vnode` names this node, for the log

    @classmethod
    def of(cls, config: NodeConfig) -> RecipientKeys:
        environment = "" if config.environment == APPLICATION else f" -e {config.environment}"
        return cls(NodeState(config.task_dir), f"--config {config.path}{environment}")

    def check(self, organization_id: int, public_key_b64: str) -> None:
        """Return when the node may encrypt for this key of the organization (remembering it
        when it is the first); RecipientKeyChanged, logged, when it replaced another one.
        InvalidKey for a key that cannot be used at all."""
        presented = public_key_fingerprint(public_key_b64)
        remembered = self.state.key_fingerprint(organization_id)
        if remembered is None:
            remembered = self.state.remember_key(organization_id, presented)
            if remembered == presented:
                log.info(
                    "Remembering the public key of organization %s (SHA-256 fingerprint %s)",
                    organization_id,
                    presented,
                )
        if remembered == presented:
            return
        log.error(
            "Refused to encrypt for organization %s: the server has another public key for "
            "it (SHA-256 %s) than the one remembered (%s). If the organization made a new key, "
            "accept it with: vnode trust-key %s --organization %s --fingerprint %s",
            organization_id,
            presented,
            remembered,
            self.node_selector,
            organization_id,
            presented,
        )
        raise RecipientKeyChanged(organization_id, remembered, presented)

    def own(self, organization_id: int, public_key_b64: str) -> None:
        """The node's own organization's key is the one it holds: remembered as it is."""
        fingerprint = public_key_fingerprint(public_key_b64)
        replaced = self.state.replace_key(organization_id, fingerprint)
        if replaced not in (None, fingerprint):
            log.info(
                "This node's organization %s has a new key (SHA-256 %s, was %s)",
                organization_id,
                fingerprint,
                replaced,
            )
