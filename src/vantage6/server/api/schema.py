"""Colander building blocks with JSON's types taken literally: ``"5"`` is not a number,
``5.5`` is not a whole number, ``"false"`` is not a boolean, and unknown fields are refused.

The OpenAPI document is generated from these same nodes (:mod:`vantage6.server.apidocs_schema`),
so validators are colander's own or the ones below, whose rule the document can read off them.
"""

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
        if cstruct is None:  # only fields that are not Nullable get here with it
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


def documented(**keywords):
    """Decorator for a validator that is a function: the JSON Schema keywords that describe
    what it accepts, for the API document (which cannot read a function's rule)."""

    def mark(validator):
        validator.json_schema = keywords
        return validator

    return mark


def explained_refusal(node):
    """A field that is accepted only to refuse it with directions (or to take a null that
    changes nothing). The API document leaves it out: it refuses unknown fields."""
    node.documented = False
    return node


def repeated(values) -> list:
    """The values that occur more than once, sorted."""
    return sorted({value for value in values if values.count(value) > 1})


class Distinct:
    """Colander validator: no value in the list more than once."""

    def __call__(self, node, values):
        twice = repeated(values)
        if twice:
            raise colander.Invalid(node, f"lists {', '.join(map(str, twice))} more than once")


class Reserved:
    """Colander validator: text that is none of ``names``, in any case."""

    def __init__(self, names, msg: str):
        self.names = sorted(names)
        self.msg = msg

    def __call__(self, node, value):
        if value.lower() in {name.lower() for name in self.names}:
            raise colander.Invalid(node, self.msg.format(value=value))


class Nullable(colander.SchemaNode):
    """A field that also takes an explicit null (which clears it); validators never see it."""

    nullable = True  # for the API document

    def deserialize(self, cstruct=colander.null):
        return None if cstruct is None else super().deserialize(cstruct)


def optional_text(**kw):
    """Text that may be left out (kept as it is) or set to null (cleared)."""
    return Nullable(StrictString(), missing=colander.drop, **kw)


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


ID_RANGE = colander.Range(min=1, max=MAX_ID)


def record_id(**kw):
    """An id in a request body (or path): a whole number that a database can hold."""
    return whole_number(validator=ID_RANGE, **kw)


def optional_id(**kw):
    """An id that may be left out or null (both meaning: the default)."""
    return Nullable(StrictInt(), validator=ID_RANGE, missing=None, **kw)


def record_ids(**kw):
    """A list of distinct record ids."""
    return colander.SchemaNode(colander.Sequence(), record_id(), validator=Distinct(), **kw)
