"""Colander nodes as Swagger 2.0 schemas that say exactly what validation accepts, so that a
request that fits the API document is not refused as malformed (cornice_swagger's own
converters know colander's plain types only, and drop nullability and unknown-field rules).

Each converter reads the node: its strict type, ``nullable``, ``documented`` and the
validators of :mod:`vantage6.server.api.schema` and colander.
"""

from __future__ import annotations

import colander
from cornice_swagger.converters.schema import (
    ArrayTypeConverter,
    BooleanTypeConverter,
    IntegerTypeConverter,
    ObjectTypeConverter,
    StringTypeConverter,
    ValidatorConversionDispatcher,
    convert_length_validator_factory,
    convert_oneof_validator_factory,
    convert_range_validator,
    convert_regex_validator,
)

from vantage6.server.api.schema import Distinct, Reserved, StrictBool, StrictInt, StrictString

# StrictString refuses NUL characters; prefixed to every text pattern (which must be anchored).
NO_NUL = r"^(?![\s\S]*\x00)"


def _documented(validator):
    """A function validator's own description (:func:`~vantage6.server.api.schema.documented`)."""
    return getattr(validator, "json_schema", None)


def _email(validator):
    """colander's address rule itself, not JSON Schema's ``email`` format, which refuses
    addresses that validation takes (``.x@0``, say)."""
    if isinstance(validator, colander.Email):
        return {"pattern": validator.match_object.pattern}
    return None


def _reserved(validator):
    if not isinstance(validator, Reserved):
        return None
    names = "|".join(
        "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else _literal(c) for c in name)
        for name in validator.names
    )
    return {"pattern": f"^(?!(?:{names})$)"}


def _literal(character: str) -> str:
    return character if character.isalnum() else f"\\x{ord(character):02x}"


def _distinct(validator):
    return {"uniqueItems": True} if isinstance(validator, Distinct) else None


def _nullable(node, converted: dict) -> dict:
    if getattr(node, "nullable", False):
        converted["x-nullable"] = True  # Swagger 2.0's extension for "or null"
    return converted


def _without_nul(pattern: str) -> str:
    if not pattern.startswith("^"):
        raise ValueError(f"anchor the pattern {pattern!r} with ^ for the API document")
    return NO_NUL + pattern[1:]


class TextConverter(StringTypeConverter):
    convert_validator = ValidatorConversionDispatcher(
        _documented,
        _email,
        _reserved,
        convert_length_validator_factory("maxLength", "minLength"),
        convert_regex_validator,
        convert_oneof_validator_factory(),
    )

    def __call__(self, node):
        converted = super().__call__(node)
        converted["pattern"] = _without_nul(converted.get("pattern", "^"))
        return _nullable(node, converted)


class WholeNumberConverter(IntegerTypeConverter):
    convert_validator = ValidatorConversionDispatcher(
        _documented, convert_range_validator, convert_oneof_validator_factory()
    )

    def __call__(self, node):
        return _nullable(node, super().__call__(node))


class TruthConverter(BooleanTypeConverter):
    def __call__(self, node):
        return _nullable(node, super().__call__(node))


class ListConverter(ArrayTypeConverter):
    convert_validator = ValidatorConversionDispatcher(
        _documented, _distinct, convert_length_validator_factory("maxItems", "minItems")
    )


class ObjectConverter(ObjectTypeConverter):
    """Leaves out fields that are there only to be refused, and refuses unknown fields where
    validation does."""

    convert_validator = ValidatorConversionDispatcher(_documented)

    def convert_type(self, node):
        converted = super().convert_type(node)
        hidden = {child.name for child in node.children if not getattr(child, "documented", True)}
        for name in hidden:
            del converted["properties"][name]
        required = [name for name in converted.pop("required", ()) if name not in hidden]
        if required:
            converted["required"] = required
        if node.typ.unknown == "raise":
            converted["additionalProperties"] = False
        return converted


CONVERTERS = {
    StrictString: TextConverter,
    StrictInt: WholeNumberConverter,
    StrictBool: TruthConverter,
    colander.Sequence: ListConverter,
    colander.Mapping: ObjectConverter,
}
