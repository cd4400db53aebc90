"""Nodes: the service an organization runs next to its data, one per collaboration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, ForeignKeyConstraint, String, UniqueConstraint, select
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from vantage6.server.models.authenticatable import Authenticatable
from vantage6.server.models.errors import ModelError
from vantage6.server.models.shell import NamedMixin
from vantage6.server.security.hashing import api_key_lookup_id, hash_secret, verify_secret

if TYPE_CHECKING:
    from vantage6.server.models.collaboration import Collaboration
    from vantage6.server.models.organization import Organization


class Node(NamedMixin, Authenticatable):
    """Logs in with an API key, of which only a hash and a short lookup id are stored."""

    __tablename__ = "node"
    __table_args__ = (
        UniqueConstraint("organization_id", "collaboration_id"),
        # A node can only exist for an organization that is a member of the collaboration.
        ForeignKeyConstraint(
            ["organization_id", "collaboration_id"],
            ["member.organization_id", "member.collaboration_id"],
            name="fk_node_membership",
            deferrable=True,
            initially="DEFERRED",
        ),
    )

    id: Mapped[int] = mapped_column(
        ForeignKey("authenticatable.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(unique=True)
    _api_key_hash: Mapped[str] = mapped_column("api_key")
    api_key_id: Mapped[str] = mapped_column(String(16), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    collaboration_id: Mapped[int] = mapped_column(ForeignKey("collaboration.id"))
    # What it last shared of its configuration (events.inbound.node_info_update).
    config: Mapped[list | None] = mapped_column(JSON)
    # Its WireGuard key and its block of VPN addresses (POST /vpn/peer). Unique indexes, not
    # constraints: SQLite adds those only by rebuilding the table (see migration 0006).
    vpn_public_key: Mapped[str | None] = mapped_column(unique=True, index=True)
    vpn_prefix: Mapped[str | None] = mapped_column(unique=True, index=True)

    organization: Mapped[Organization] = relationship(back_populates="nodes")
    collaboration: Mapped[Collaboration] = relationship(back_populates="nodes")

    __mapper_args__ = {"polymorphic_identity": "node"}

    @property
    def api_key(self):
        raise AttributeError("Node.api_key is write-only; use check_key() to test one")

    @api_key.setter
    def api_key(self, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise ModelError("Node.api_key must be non-empty text")
        self.api_key_id = api_key_lookup_id(value)
        self._api_key_hash = hash_secret(value, kind="api_key")

    @hybrid_property
    def secret_hash(self) -> str:
        """The stored hash, never the key: tokens are bound to it (see security.tokens)."""
        return self._api_key_hash

    def check_key(self, value: str) -> bool:
        return verify_secret(self._api_key_hash, value, kind="api_key")

    @classmethod
    def find_by_api_key(cls, session: Session, api_key: str) -> Node | None:
        """The node holding ``api_key``: one indexed lookup, one hash check."""
        if not isinstance(api_key, str) or not api_key:
            return None
        node = session.scalars(select(cls).filter_by(api_key_id=api_key_lookup_id(api_key))).first()
        return node if node is not None and node.check_key(api_key) else None
