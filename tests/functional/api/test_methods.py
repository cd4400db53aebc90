"""A method a path does not have is a 405 that names the ones it has (``Allow``, which RFC
9110 requires of every 405)."""

from __future__ import annotations

from cornice.service import get_services


def existing(api, root, path: str) -> str:
    """``path`` with its ids those of existing records (else it is a 404 before a 405)."""
    if "{id}" not in path:
        return path
    resource = path.split("/")[1]
    first = api.app.get(f"/api/{resource}", headers=root).json["data"][0]["id"]
    return path.format(id=first, rule_id=1)


def test_every_405_names_the_allowed_methods(api, root):
    """Found by the fuzzer: 405s came without ``Allow``."""
    ids = api.federation()
    api.task(ids["A"], [ids["a1"]], init_org=ids["a1"])
    api.study("S", ids["A"], [ids["a1"]])
    for service in get_services():
        path = existing(api, root, service.path)
        response = api.app.request(f"/api{path}", method="PUT", headers=root, status=405)
        assert set(response.headers["Allow"].split(", ")) == set(service.defined_methods), path
        assert response.json == {"msg": "Method Not Allowed"}
