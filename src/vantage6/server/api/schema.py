"""Colander building blocks with JSON's types taken literally: ``"5"`` is not a number,
``5.5`` is not a whole number, ``"false"`` is not a boolean, and unknown fields are refused."""

from __future__ import annotations

import colander
from cornice.validators import colander_body_validator

from vantage6.server.resources.base import MAX_ID


class _Strict(colander.SchemaType):
    python_types: tuple[type, ...] = ()
    described = ""

    def serialize(self, node, appstruct):
        return colander.null if appstruct is None else appstruct

    def deserialize(self, node, cstruct):
        if cstruct is colander.null:
            return colander.null
        if cstruct is None:
            if getattr(node, "nullable", False):
                return None  # an explicit null clears the field
            raise colander.Invalid(node, "must not be null")
        if type(cstruct) not in self.python_types:
            raise colander.Invalid(node, f"must be {self.described}, not {cstruct!r}")
        return cstruct


class StrictInt(_Strict):
    python_types = (int,)
    described = "a whole number"


class StrictBool(_Strict):
    python_types = (bool,)
    described = "true or false"


class StrictString(_Strict):
    python_types = (str,)
    described = "text"

    def deserialize(self, node, cstruct):
        value = super().deserialize(node, cstruct)
        if isinstance(value, str) and "\x00" in value:
            raise colander.Invalid(node, "must not contain NUL characters")
        return value


def json_body(request, **kwargs):
    """Cornice validator: the body must be a JSON object matching the service's schema.

    It is parsed here, once, by ``request.json_body`` (which refuses too deep a nesting, see
    :mod:`vantage6.server.bounded_json`), so that a body that is not JSON gets one clear
    problem rather than also each field it lacks.
    """
    if request.content_type != "application/json":
        request.errors.add("header", "Content-Type", "send the body as application/json")
        request.errors.status = 415
        return
    try:
        body = request.json_body if request.body else {}
    except ValueError as exc:  # malformed, or nested too deep
        request.errors.add("body", "", f"Invalid JSON: {exc}")
        return
    colander_body_validator(request, **{**kwargs, "deserializer": lambda _: {"body": body}})


class Body(colander.MappingSchema):
    """A JSON object body; keys not in the schema are an error, not silently dropped."""

    def schema_type(self, **kw):
        return colander.Mapping(unknown="raise")


def optional_text(**kw):
    """Text that may be left out (kept as it is) or set to null (cleared)."""
    node = colander.SchemaNode(StrictString(), missing=colander.drop, **kw)
    node.nullable = True
    return node


def text(**kw):
    return colander.SchemaNode(StrictString(), **kw)


def whole_number(**kw):
    return colander.SchemaNode(StrictInt(), **kw)


def boolean(**kw):
    return colander.SchemaNode(StrictBool(), **kw)


NAME_LENGTH = colander.Length(min=1, max=128)


def record_name(**kw):
    """A record's name: 1 to 128 characters."""
    return text(validator=NAME_LENGTH, **kw)


def id_list(**kw):
    """Whole numbers; ids that cannot exist are left for the lookup to report as missing."""
    return colander.SchemaNode(colander.Sequence(), whole_number(), **kw)


def _id_range(node, value):
    if value is not None:
        colander.Range(min=1, max=MAX_ID)(node, value)


def record_id(**kw):
    """An id in a request body: a whole number that a database can hold."""
    return whole_number(validator=_id_range, **kw)


def optional_id(**kw):
    """An id that may be left out or null (both meaning: the default)."""
    node = record_id(missing=None, **kw)
    node.nullable = True
    return node


def repeated(values) -> list:
    """The values that occur more than once, sorted."""
    return sorted({value for value in values if values.count(value) > 1})


def _distinct(node, ids):
    twice = repeated(ids)
    if twice:
        raise colander.Invalid(node, f"lists {', '.join(map(str, twice))} more than once")


def record_ids(**kw):
    """A list of distinct record ids."""
    return colander.SchemaNode(colander.Sequence(), record_id(), validator=_distinct, **kw)
