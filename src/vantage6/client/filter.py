"""``fields=`` and ``field=``: keep only some keys of what the server answered, for a quick look
at a list (``client.organization.list(fields=['id', 'name'])``)."""

from __future__ import annotations


def select(answer, fields=None, field=None):
    """``answer`` (one record, or a page ``{"data": [...], ...}``) narrowed: with ``fields``
    the records keep only those keys, with ``field`` each record becomes that key's value.
    A page narrowed this way becomes the plain list of its records."""
    if fields is None and field is None:
        return answer
    if fields is not None and field is not None:
        raise TypeError("give fields= or field=, not both")
    if isinstance(fields, str):
        raise TypeError(f"fields must be a list of keys, e.g. fields=[{fields!r}]")
    if isinstance(answer, dict) and isinstance(answer.get("data"), list):
        return [_narrow(record, fields, field) for record in answer["data"]]
    if isinstance(answer, list):
        return [_narrow(record, fields, field) for record in answer]
    return _narrow(answer, fields, field)


def _narrow(record: dict, fields, field):
    if field is not None:
        return record.get(field)
    return {key: record[key] for key in fields if key in record}
