"""Colander building blocks with JSON's types taken literally: ``"5"`` is not a number,
``5.5`` is not a whole number, ``"false"`` is not a boolean, and unknown fields are refused."""

from __future__ import annotations

import colander


class _Strict(colander.SchemaType):
    python_types: tuple[type, ...] = ()
    described = ""

    def serialize(self, node, appstruct):
        return colander.null if appstruct is None else appstruct

    def deserialize(self, node, cstruct):
        if cstruct is colander.null or cstruct is None:
            return colander.null
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


class Body(colander.MappingSchema):
    """A JSON object body; keys not in the schema are an error, not silently dropped."""

    def schema_type(self, **kw):
        return colander.Mapping(unknown="raise")


def text(**kw):
    return colander.SchemaNode(StrictString(), **kw)


def whole_number(**kw):
    return colander.SchemaNode(StrictInt(), **kw)


def boolean(**kw):
    return colander.SchemaNode(StrictBool(), **kw)


def id_list(**kw):
    return colander.SchemaNode(colander.Sequence(), whole_number(), **kw)
