"""Collaborations: organizations that agreed to run analyses together."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Mapped, mapped_column, relationship

from vantage6.server.models.base import Base, association_table
from vantage6.server.models.shell import NamedMixin

if TYPE_CHECKING:
    from vantage6.server.models.node import Node
    from vantage6.server.models.organization import Organization
    from vantage6.server.models.study import Study
    from vantage6.server.models.task import Task

member = association_table("member", "organization", "collaboration")


class Collaboration(NamedMixin, Base):
    """A set of organizations; ``encrypted`` says whether task input and results are encrypted."""

    __tablename__ = "collaboration"

    name: Mapped[str] = mapped_column(unique=True)
    encrypted: Mapped[bool] = mapped_column(default=True)

    organizations: Mapped[list[Organization]] = relationship(
        secondary=member, back_populates="collaborations"
    )
    # Nodes, tasks and studies keep a collaboration from being deleted (see
    # Organization.users).
    nodes: Mapped[list[Node]] = relationship(back_populates="collaboration", passive_deletes="all")
    tasks: Mapped[list[Task]] = relationship(back_populates="collaboration", passive_deletes="all")
    studies: Mapped[list[Study]] = relationship(
        back_populates="collaboration", passive_deletes="all"
    )

    def get_organization_ids(self) -> list[int]:
        return [organization.id for organization in self.organizations]

    def get_node_from_organization(self, organization: Organization) -> Node | None:
        return next((n for n in self.nodes if n.organization_id == organization.id), None)
