"""Studies: a named subset of a collaboration's organizations that tasks can target.

A study shares the nodes, data and settings of its collaboration. The schema holds what the
original only hoped for: an organization is in a study only while it is a member of the
study's collaboration. ``study_member`` carries the study's collaboration id, with two
composite foreign keys: (study, collaboration) to the study and (organization, collaboration)
to the collaboration's membership. So an organization that leaves a collaboration leaves its
studies there too (``ON DELETE CASCADE``), however it leaves (API, admin shell or plain SQL).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, ForeignKeyConstraint, Integer, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vantage6.server.models.base import Base
from vantage6.server.models.shell import NamedMixin

if TYPE_CHECKING:
    from vantage6.server.models.collaboration import Collaboration
    from vantage6.server.models.organization import Organization
    from vantage6.server.models.task import Task

# The ORM fills collaboration_id from the study: it is part of the join to the study.
study_member = Table(
    "study_member",
    Base.metadata,
    Column("study_id", Integer, primary_key=True),
    Column(
        "organization_id",
        Integer,
        ForeignKey("organization.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("collaboration_id", Integer, nullable=False),
    ForeignKeyConstraint(
        ["study_id", "collaboration_id"],
        ["study.id", "study.collaboration_id"],
        name="fk_study_member_study",
        ondelete="CASCADE",
    ),
    # Deferred like the node's membership key: within one flush the ORM may write a study's
    # members before the collaboration's.
    ForeignKeyConstraint(
        ["organization_id", "collaboration_id"],
        ["member.organization_id", "member.collaboration_id"],
        name="fk_study_member_membership",
        ondelete="CASCADE",
        deferrable=True,
        initially="DEFERRED",
    ),
)


class Study(NamedMixin, Base):
    """Some organizations of one collaboration that work on one research question; tasks
    for the study go to those organizations only."""

    __tablename__ = "study"
    # What study_member's key to the study refers to (the pair, not the id alone).
    __table_args__ = (UniqueConstraint("id", "collaboration_id"),)

    name: Mapped[str] = mapped_column(unique=True)
    collaboration_id: Mapped[int] = mapped_column(ForeignKey("collaboration.id"))

    collaboration: Mapped[Collaboration] = relationship(back_populates="studies")
    organizations: Mapped[list[Organization]] = relationship(
        secondary=study_member, back_populates="studies", order_by="Organization.id"
    )
    # Tasks keep a study from being deleted (the API deletes them first when asked to).
    tasks: Mapped[list[Task]] = relationship(back_populates="study", passive_deletes="all")

    def get_organization_ids(self) -> list[int]:
        return [organization.id for organization in self.organizations]
