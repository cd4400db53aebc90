"""The admin shell's conveniences on every model: ``get``, ``save``, ``delete``, ``help``.

They work only while a shell session is bound (``pshell`` / ``vserver shell`` bind one), so they
cannot creep into request code, which uses ``request.dbsession``.
"""

from __future__ import annotations

import contextlib
import contextvars
import inspect

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from vantage6.server.models.errors import ModelError, explain_database_error

_shell_session: contextvars.ContextVar[Session | None] = contextvars.ContextVar(
    "vantage6_shell_session", default=None
)


class SaveError(ModelError):
    """A save or delete failed; the session was rolled back and stays usable."""


@contextlib.contextmanager
def bound_shell_session(session: Session):
    """Make ``Model.get()`` / ``save()`` / ``delete()`` use ``session`` inside the block."""
    token = _shell_session.set(session)
    try:
        yield session
    finally:
        _shell_session.reset(token)


def shell_session() -> Session:
    session = _shell_session.get()
    if session is None:
        raise RuntimeError(
            "Model.get/save/delete are admin-shell helpers; open `pshell <ini>` or "
            "`vserver shell`, or use request.dbsession in application code."
        )
    return session


def as_id(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ModelError(f"an id must be a whole number, not {value!r}")
    return value


class ShellMixin:
    @classmethod
    def get(cls, id_=None):
        """All records ordered by id, or the one with ``id_`` (``None`` when there is none)."""
        session = shell_session()
        if id_ is None:
            return list(session.scalars(select(cls).order_by(cls.id)))
        return session.get(cls, as_id(id_))

    def save(self) -> None:
        """Store this object (and what it refers to) and commit."""
        session = shell_session()
        session.add(self)
        _commit(session, self, "save")

    def delete(self) -> None:
        """Delete this object and commit."""
        session = shell_session()
        session.delete(self)
        _commit(session, self, "delete")

    @classmethod
    def help(cls) -> None:
        """Print the table, columns, relationships and methods of this model."""
        print(describe_model(cls))


class NamedMixin:
    """Shell lookup by name, for models that have one."""

    @classmethod
    def get_by_name(cls, name: str):
        """The record called ``name`` (the first, if names may repeat), or ``None``."""
        return shell_session().scalars(select(cls).filter_by(name=name).order_by(cls.id)).first()


def _commit(session: Session, obj, action: str) -> None:
    try:
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        reason = explain_database_error(exc, obj)
        raise SaveError(f"could not {action} {type(obj).__name__}: {reason}") from None
    except ModelError:
        session.rollback()
        raise


def describe_model(cls) -> str:
    mapper = sa_inspect(cls)
    lines = [f"{cls.__name__} (table {cls.__tablename__!r})", "", "columns:"]
    for attr in sorted(mapper.column_attrs, key=lambda a: a.key != "id"):
        column = attr.columns[0]
        lines.append(f"  {column.name:<30} {column.type}")
    lines += ["", "relationships:"]
    for rel in mapper.relationships:
        many = "list of " if rel.uselist else ""
        lines.append(f"  {rel.key:<30} {many}{rel.mapper.class_.__name__}")
    properties = sorted(
        name
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_") and isinstance(member, property)
    )
    lines += ["", "properties: " + ", ".join(properties)]
    methods = sorted(
        name
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_")
        and (inspect.isfunction(member) or inspect.ismethod(member))
        and name not in {"metadata", "registry"}
    )
    lines += ["", "methods: " + ", ".join(methods)]
    if cls.__doc__:
        lines = [inspect.cleandoc(cls.__doc__), ""] + lines
    return "\n".join(lines)
