"""Type checks at assignment time, so a wrong value is refused where it is typed.

SQLite would store ``name=123`` or ``encrypted="no"`` without complaint, and SQLAlchemy answers
``organization="IKNL"`` with an AttributeError from its internals; the shell and the API get a
clear :class:`ModelError` instead.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Enum, Integer, LargeBinary, String
from sqlalchemy.orm import RelationshipProperty, validates
from sqlalchemy.sql import ClauseElement

from vantage6.server.models.errors import ModelError
from vantage6.server.models.types import UTCDateTime

_PYTHON_TYPES = (
    (Boolean, bool, "true or false"),
    (Integer, int, "a whole number"),
    (String, str, "text"),
    (LargeBinary, bytes, "bytes"),
    (UTCDateTime, dt.datetime, "a datetime"),
)


def checked_value(model: str, key: str, column_type, value):
    """``value`` converted for the column, or a :class:`ModelError` saying what was expected."""
    if value is None or isinstance(value, ClauseElement):  # None, or SQL computed on write
        return value
    if isinstance(column_type, Enum) and column_type.enum_class is not None:
        return _enum_member(model, key, column_type.enum_class, value)
    for sa_type, python_type, described in _PYTHON_TYPES:
        if not isinstance(column_type, sa_type):
            continue
        if python_type is bool and value in (0, 1) and type(value) is int:
            return bool(value)
        if isinstance(value, python_type) and not (python_type is int and type(value) is bool):
            return value
        raise ModelError(f"{model}.{key} must be {described}, not {type(value).__name__} {value!r}")
    return value


def column_checker(model: str, key: str, column_type):
    """An attribute ``set`` listener (``retval=True``) applying :func:`checked_value`."""

    def check(target, value, oldvalue, initiator):
        return checked_value(model, key, column_type, value)

    return check


def _enum_member(model: str, key: str, enum_class: type[enum.Enum], value):
    if isinstance(value, enum_class):
        return value
    if isinstance(value, str):
        for member in enum_class:
            if value.lower() in (member.value.lower(), member.name.lower()):
                return member
    choices = ", ".join(f"{enum_class.__name__}.{m.name}" for m in enum_class)
    raise ModelError(f"{model}.{key} must be one of {choices}, not {value!r}")


def relationship_validator(cls: type):
    """A ``@validates`` method for every writable relationship declared on ``cls``.

    Validators run before SQLAlchemy's backref handling, which is where a wrong type would
    otherwise fail with an internal AttributeError.
    """
    keys = [
        key
        for key, value in vars(cls).items()
        if isinstance(value, RelationshipProperty) and not value.viewonly
    ]
    if not keys:
        return None

    @validates(*keys)
    def check_related(self, key, value):
        target = getattr(type(self), key).property.mapper.class_
        if value is None or isinstance(value, target):
            return value
        resolve = getattr(target, "from_shell_name", None)
        if resolve is not None and isinstance(value, str):
            return resolve(value)
        raise ModelError(
            f"{type(self).__name__}.{key} takes {target.__name__} objects, "
            f"not {type(value).__name__} {value!r}"
        )

    return check_related
