"""``/nodes/<id>``: reachable through its organization's and its collaboration's scopes."""

from __future__ import annotations

from pyramid.authorization import Allow, Deny

from vantage6.server.models import Node
from vantage6.server.resources.base import (
    Location,
    ModelContainer,
    ModelContext,
    scoped_aces,
    within,
)


class NodeContext(ModelContext):
    def aces(self):
        node = self.row
        ids = within(node.organization_id, node.collaboration_id)
        return [
            *self._node_limits(),
            *scoped_aces("node", "v", "view", **ids),
            *scoped_aces("node", "e", "edit", **ids),
            *credential_aces(self.request, "e", "reset_key", node),
            *scoped_aces("node", "d", "delete", **ids),
        ]

    def _node_limits(self):
        """The node role holds node:e@org so that a node can update itself (its VPN IP); it
        must not rename its organization's other nodes, and no node may reset an API key (a
        stolen node token would otherwise lock the real node out)."""
        nodes = [sibling.id for sibling in self.row.organization.nodes]
        return [
            *[(Deny, f"node:{id_}", "edit") for id_ in nodes if id_ != self.row.id],
            *[(Deny, f"node:{id_}", "reset_key") for id_ in nodes],
        ]


class NewNode(Location):
    """A node about to be registered for an organization in a collaboration: who may."""

    def __init__(self, parent, organization_id: int, collaboration_id: int):
        super().__init__(parent, "")
        self.organization_id = organization_id
        self.collaboration_id = collaboration_id

    def aces(self):
        return credential_aces(self.request, "c", "create", self)


def credential_aces(request, op: str, permission: str, node) -> list:
    """Who may obtain the API key of ``node`` (an organization's node in a collaboration), by
    registering it or resetting its key: whoever holds its node rule with the scope covering
    it, but with collaboration scope only for a node of their own organization. A node's key
    speaks for its organization (it sets the organization's public key and reads what is sent
    to it), so another organization's needs the global rule."""
    identity = request.identity
    own = identity is not None and identity.organization_id == node.organization_id
    return scoped_aces(
        "node",
        op,
        permission,
        orgs=[node.organization_id],
        collabs=[node.collaboration_id] if own else [],
    )


class NodeContainer(ModelContainer):
    """Reachable with a node rule at any scope; lists are filtered, and creating and key resets
    are decided on the node concerned."""

    model = Node
    context_class = NodeContext

    def aces(self):
        return [
            (Allow, "node:v@any", "view"),
            (Allow, "node:c@any", "create"),
            (Allow, "node:e@any", "reset_key"),
        ]
