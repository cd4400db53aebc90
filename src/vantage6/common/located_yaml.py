"""YAML read safely, with the line of every key and item kept, so that what checks a file
(``vserver import``, ``new --from-yaml``) can point at the line of each problem. A key given
twice is an error, not the last one silently winning."""

from __future__ import annotations

import yaml


class Mapping(dict):
    """A YAML mapping with its line, the line of each key and (once given) its dotted path."""

    path: str = ""
    line: int | None = None
    key_lines: dict


class Sequence(list):
    """A YAML sequence with its line, the line of each item and (once given) its path."""

    path: str = ""
    line: int | None = None
    lines: list


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    mapping = Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = str(loader.construct_object(key_node, deep=True))
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> Sequence:
    items = Sequence(loader.construct_object(child, deep=True) for child in node.value)
    items.line = node.start_mark.line + 1
    items.lines = [child.start_mark.line + 1 for child in node.value]
    return items


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load(text: str):
    """The document in ``text``; yaml.YAMLError when it is no YAML (or repeats a key)."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
