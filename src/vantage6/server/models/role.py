"""Roles: named bundles of rules, global (default roles) or owned by one organization."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vantage6.server.models.base import Base, association_table
from vantage6.server.models.errors import ModelError
from vantage6.server.models.shell import NamedMixin, shell_session

if TYPE_CHECKING:
    from vantage6.server.models.organization import Organization
    from vantage6.server.models.rule import Rule
    from vantage6.server.models.user import User

role_rule = association_table("role_rule", "role", "rule")

user_role = association_table("user_role", "role", "user")


class Role(NamedMixin, Base):
    """A set of rules handed to users together; default roles are kept in sync by the server."""

    __tablename__ = "role"
    __table_args__ = (UniqueConstraint("name", "organization_id"),)

    name: Mapped[str]
    description: Mapped[str | None]
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    is_default_role: Mapped[bool] = mapped_column(default=False)

    rules: Mapped[list[Rule]] = relationship(secondary=role_rule, back_populates="roles")
    organization: Mapped[Organization | None] = relationship(back_populates="roles")
    users: Mapped[list[User]] = relationship(secondary=user_role, back_populates="roles")

    @classmethod
    def from_shell_name(cls, name: str) -> Role:
        """Resolve ``roles="root"`` style names (case-insensitive, default roles first)."""
        query = (
            select(cls)
            .where(func.lower(cls.name) == name.lower())
            .order_by(cls.organization_id.is_not(None), cls.id)
        )
        session = shell_session()
        with session.no_autoflush:  # the object being built must not be flushed half-made
            role = session.scalars(query).first()
        if role is None:
            raise ModelError(f"there is no role named {name!r}")
        return role
