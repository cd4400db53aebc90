"""Organizations: the parties of a collaboration, each with its own node(s) and users."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from sqlalchemy import LargeBinary
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vantage6.server.models.base import Base
from vantage6.server.models.errors import ModelError
from vantage6.server.models.shell import NamedMixin

if TYPE_CHECKING:
    from vantage6.server.models.collaboration import Collaboration
    from vantage6.server.models.node import Node
    from vantage6.server.models.role import Role
    from vantage6.server.models.run import Run
    from vantage6.server.models.study import Study
    from vantage6.server.models.task import Task
    from vantage6.server.models.user import User


class Organization(NamedMixin, Base):
    """A party with data; its RSA public key lets others encrypt task input for it."""

    __tablename__ = "organization"

    name: Mapped[str] = mapped_column(unique=True)
    domain: Mapped[str | None]
    address1: Mapped[str | None]
    address2: Mapped[str | None]
    zipcode: Mapped[str | None]
    country: Mapped[str | None]
    _public_key: Mapped[bytes | None] = mapped_column("public_key", LargeBinary)

    collaborations: Mapped[list[Collaboration]] = relationship(
        secondary="member", back_populates="organizations"
    )
    # Its study memberships go with it (and with its collaboration memberships).
    studies: Mapped[list[Study]] = relationship(
        secondary="study_member", back_populates="organizations", passive_deletes=True
    )
    # The organization's users, nodes, tasks and runs keep it from being deleted: the database
    # refuses (passive_deletes="all" stops the ORM from first blanking their organization_id,
    # which would fail with a misleading "organization is required").
    users: Mapped[list[User]] = relationship(back_populates="organization", passive_deletes="all")
    nodes: Mapped[list[Node]] = relationship(back_populates="organization", passive_deletes="all")
    runs: Mapped[list[Run]] = relationship(back_populates="organization", passive_deletes="all")
    created_tasks: Mapped[list[Task]] = relationship(
        back_populates="init_org", passive_deletes="all"
    )
    # Its own roles go with it, and a role taken off this list is deleted: left alone, the ORM
    # would set organization_id to NULL and so turn the role into a global one.
    roles: Mapped[list[Role]] = relationship(
        back_populates="organization", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def public_key(self) -> str:
        """The public key as base64 text (empty when none was uploaded)."""
        return base64.b64encode(self._public_key).decode() if self._public_key else ""

    @public_key.setter
    def public_key(self, value: str | None) -> None:
        if not value:
            self._public_key = None
            return
        try:
            self._public_key = base64.b64decode(value, validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise ModelError("Organization.public_key must be base64 text") from None

    @property
    def results(self) -> list[Run]:
        """Old name (3.x) of :attr:`runs`."""
        return self.runs

    @property
    def tasks(self) -> list[Task]:
        """The tasks this organization created (same as :attr:`created_tasks`)."""
        return self.created_tasks
