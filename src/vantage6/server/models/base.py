"""Declarative base, constraint naming, and the checks every model gets."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, MetaData, Table, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column

from vantage6.server.models.checks import column_checker, relationship_validator
from vantage6.server.models.shell import ShellMixin
from vantage6.server.models.types import UTCDateTime, utcnow

__all__ = ["Base", "association_table", "utcnow"]

# Stable constraint names, so Alembic can alter them on SQLite (batch mode) and PostgreSQL and
# so integrity errors can be explained from the constraint's name alone.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(ShellMixin, DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}

    id: Mapped[int] = mapped_column(primary_key=True)

    def __init_subclass__(cls, **kwargs):
        validator = relationship_validator(cls)
        if validator is not None:
            cls._check_related_value = validator
        super().__init_subclass__(**kwargs)

    def __repr__(self) -> str:
        label = getattr(self, "name", None) or getattr(self, "username", None)
        suffix = f" {label!r}" if isinstance(label, str) else ""
        return f"<{type(self).__name__} {self.id}{suffix}>"


@event.listens_for(Base, "mapper_configured", propagate=True)
def _install_column_checks(mapper: Mapper, cls: type) -> None:
    for attr in mapper.column_attrs:
        checker = column_checker(cls.__name__, attr.key, attr.columns[0].type)
        event.listen(getattr(cls, attr.key), "set", checker, retval=True)


def association_table(name: str, left: str, right: str) -> Table:
    """A many-to-many link: the pair is the primary key (no duplicates), and the row goes
    when either side is deleted."""
    return Table(
        name,
        Base.metadata,
        Column(f"{left}_id", ForeignKey(f"{left}.id", ondelete="CASCADE"), primary_key=True),
        Column(f"{right}_id", ForeignKey(f"{right}.id", ondelete="CASCADE"), primary_key=True),
    )
