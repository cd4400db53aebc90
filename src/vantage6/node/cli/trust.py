"""``vnode trust-key``: the operator's consent to a new public key of another organization.

A node refuses to encrypt for an organization whose key at the server is not the one it
encrypted for before (:mod:`vantage6.node.recipient_keys`); this command, run on the node's
machine, makes it accept the key with the given fingerprint from then on.
"""

from __future__ import annotations

import re

import click

from vantage6.common.cli_output import Failure, note, success
from vantage6.node.cli.instance import NodeInstance, pass_instance
from vantage6.node.state import NodeState

FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")


def _fingerprint(context, parameter, value: str) -> str:
    normal = value.strip().lower().replace(":", "")
    if not FINGERPRINT.match(normal):
        raise click.BadParameter("must be a SHA-256 fingerprint: 64 hexadecimal digits")
    return normal


@click.command("trust-key")
@pass_instance
@click.option(
    "--organization", type=click.IntRange(min=1), required=True, help="The organization's id."
)
@click.option(
    "--fingerprint",
    required=True,
    callback=_fingerprint,
    help="SHA-256 fingerprint of its new public key, as the node's log shows it.",
)
def trust_key(instance: NodeInstance, organization, fingerprint):
    """Accept a new public key of an organization that this node encrypts results or subtask
    input for. The node remembers each organization's key the first time it uses it and
    refuses another one the server hands out later (someone may have replaced it there to read
    what is sent). Compare the fingerprint with the one the organization itself has before
    you accept it. A running node uses the new key at once.

    \b
    Examples:
      vnode trust-key --name hospital-a --organization 7 --fingerprint 3f2a...
      vnode trust-key --config node.ini -e test --organization 7 --fingerprint 3f2a...
    """
    state = NodeState(instance.load().task_dir)
    try:
        replaced = state.replace_key(organization, fingerprint)
    except OSError as exc:
        raise Failure(
            f"cannot write {state.path}: {exc.strerror}; run this as the node's user"
        ) from None
    if replaced == fingerprint:
        note(f"Node {instance.label} already accepts this key of organization {organization}")
        return
    was = f" instead of {replaced}" if replaced else ""
    success(
        f"Node {instance.label} now encrypts for organization {organization} with the key of "
        f"fingerprint {fingerprint}{was}"
    )
