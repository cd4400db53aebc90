"""What every sub-client shares: its parent client, query parameters without the unset ones,
paged lists narrowed by ``fields=``, and the parameter descriptions their docstrings repeat."""

from __future__ import annotations

import re

from vantage6.client.filter import select

# Parameter descriptions that many methods share, inserted where a docstring says {name}.
SHARED_DOCS = {
    "paging": """\
page : int, optional
    Page to get (default 1); the answer's ``links`` name the next one
per_page : int, optional
    Items per page (default 20; the server caps it, at 500 unless configured otherwise)""",
    "fields": """\
fields : list of str, optional
    Keep only these keys of each record (a page then becomes the plain list of its records)
field : str, optional
    Give only the value of this key of each record""",
    "page_returns": """\
dict or list
    The page ``{"data": [...], "links": {...}}``, or with ``fields``/``field`` the list""",
}
PAGE_SIZE = 100  # when reading every page of a list
_PLACEHOLDER = re.compile(r"^( *)\{(\w+)\}$", re.M)


def documented(function):
    """Expand ``{paging}``, ``{fields}`` and ``{page_returns}`` in ``function``'s docstring
    (each on a line of its own), indented like the placeholder."""

    def expand(match: re.Match) -> str:
        indent = match.group(1)
        return "\n".join(indent + line for line in SHARED_DOCS[match.group(2)].splitlines())

    function.__doc__ = _PLACEHOLDER.sub(expand, function.__doc__)
    return function


def given(**values) -> dict:
    """Query parameters or body fields without those left unset (None): only what is given
    filters or changes."""
    return {name: value for name, value in values.items() if value is not None}


class SubClient:
    def __init__(self, parent):
        self.parent = parent

    def _request(self, endpoint: str, method: str = "get", params=None, json=None):
        return self.parent.request(endpoint, json=json, method=method, params=params)

    def _list(self, endpoint: str, params: dict, fields=None, field=None, decode=None):
        page = self._request(endpoint, params=params)
        if decode is not None:
            page["data"] = [decode(record) for record in page["data"]]
        return select(page, fields, field)

    def _all(self, endpoint: str, params: dict) -> list:
        """Every record of a paged list, following the pages."""
        records, page = [], 1
        while True:
            answer = self._request(endpoint, params={**params, "page": page, "per_page": PAGE_SIZE})
            records += answer["data"]
            if "next" not in answer.get("links", {}):
                return records
            page += 1

    def _get(self, endpoint: str, fields=None, field=None, params=None):
        return select(self._request(endpoint, params=params), fields, field)

    def _delete(self, endpoint: str, delete_dependents: bool = False) -> dict:
        params = {"delete_dependents": "true"} if delete_dependents else None
        return self._request(endpoint, method="delete", params=params)

    @property
    def _own_organization(self) -> int:
        return self.parent.require_login().organization_id

    def _collaboration(self, collaboration: int | None) -> int:
        """The collaboration given, else the one of ``client.setup_collaboration``."""
        if collaboration is not None:
            return collaboration
        if self.parent.collaboration_id is None:
            raise TypeError(
                "no collaboration given: pass collaboration=<id>, or call "
                "client.setup_collaboration(<id>) first"
            )
        return self.parent.collaboration_id
