"""Rules: one permission each, a (resource, scope, operation) triple."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sqlalchemy import Enum, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vantage6.server.models.base import Base, association_table
from vantage6.server.models.errors import ModelError
from vantage6.server.models.shell import NamedMixin, shell_session

if TYPE_CHECKING:
    from vantage6.server.models.role import Role
    from vantage6.server.models.user import User


class Operation(enum.Enum):
    """What a rule allows: view, edit, create, delete, send or receive."""

    VIEW = "v"
    EDIT = "e"
    CREATE = "c"
    DELETE = "d"
    SEND = "s"
    RECEIVE = "r"


class Scope(enum.Enum):
    """How far a rule reaches: own records, organization, collaboration or global."""

    OWN = "own"
    ORGANIZATION = "org"
    COLLABORATION = "col"
    GLOBAL = "glo"


user_rule = association_table("user_rule", "rule", "user")


class Rule(NamedMixin, Base):
    """Permission to do ``operation`` on the resource ``name`` within ``scope``.

    Rules are defined in code and synchronised into the database at start-up.
    """

    __tablename__ = "rule"
    __table_args__ = (UniqueConstraint("name", "scope", "operation"),)

    name: Mapped[str]
    operation: Mapped[Operation] = mapped_column(Enum(Operation, native_enum=False, length=16))
    scope: Mapped[Scope] = mapped_column(Enum(Scope, native_enum=False, length=16))
    description: Mapped[str | None]

    roles: Mapped[list[Role]] = relationship(secondary="role_rule", back_populates="rules")
    users: Mapped[list[User]] = relationship(secondary=user_rule, back_populates="rules")

    @classmethod
    def get_by_(cls, name: str, scope, operation) -> Rule | None:
        """The rule on resource ``name``: ``get_by_("node", Scope.GLOBAL, Operation.VIEW)``."""
        scope = _member(Scope, scope)
        operation = _member(Operation, operation)
        query = select(cls).filter_by(name=name, scope=scope, operation=operation)
        return shell_session().scalars(query).first()

    def __repr__(self) -> str:
        return f"<Rule {self.id} {self.name}:{self.operation.name}@{self.scope.name}>"


def _member(enum_class: type[enum.Enum], value):
    if isinstance(value, enum_class):
        return value
    if isinstance(value, str):
        for member in enum_class:
            if value.lower() in (member.value, member.name.lower()):
                return member
    choices = ", ".join(f"{enum_class.__name__}.{member.name}" for member in enum_class)
    # The 3.x docs write get_by_("node", Scope, Operation): name the class, not its repr.
    given = f"the class {enum_class.__name__} itself" if value is enum_class else repr(value)
    raise ModelError(f"expected one of {choices}; got {given}")
