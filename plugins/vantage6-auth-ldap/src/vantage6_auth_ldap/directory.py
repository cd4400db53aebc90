"""Talking to the LDAP server (ldap3): a password is proven by binding as its user, whose names
and groups are then read (by the search account when there is one, else by the user)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ldap3 import BASE, NONE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import escape_rdn

from vantage6_auth_ldap.settings import LdapSettings, normalized_dn

INVALID_CREDENTIALS = 49
SIZE_LIMIT_EXCEEDED = 4  # a user filter that finds more than one entry


@dataclass(frozen=True)
class DirectoryUser:
    username: str  # as the directory spells it
    firstname: str | None
    lastname: str | None
    groups: frozenset[str]  # normalized DNs


class Unavailable(Exception):
    """The LDAP server cannot be reached or will not serve (unlike: wrong credentials)."""


def authenticate(settings: LdapSettings, username: str, password: str) -> DirectoryUser | None:
    """The directory's user when ``password`` is theirs; None for wrong credentials."""
    if not password:
        return None  # an empty password makes an unauthenticated bind, which "succeeds"
    tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=settings.ca_file)
    server = Server(settings.url, connect_timeout=settings.timeout, tls=tls, get_info=NONE)
    try:
        return _authenticate(settings, server, username, password)
    except LDAPException as exc:
        raise Unavailable(f"{type(exc).__name__}: {exc}") from None


def _authenticate(settings: LdapSettings, server: Server, username: str, password: str):
    if settings.user_dn_template:
        dn = settings.user_dn_template.format(username=escape_rdn(username))
        with _bound(settings, server, dn, password) as own:
            return own and _read(settings, own, dn, username)
    with _bound(settings, server, settings.bind_dn, settings.bind_password) as searcher:
        if searcher is None:
            raise Unavailable(f"the search account {settings.bind_dn} was refused")
        dn = _find(settings, searcher, username)
        if dn is None:
            return None
        with _bound(settings, server, dn, password) as own:
            return own and _read(settings, searcher, dn, username)


@contextmanager
def _bound(settings: LdapSettings, server: Server, dn, password) -> Iterator[Connection | None]:
    """A connection bound as ``dn`` (anonymous when None); None when the credentials are
    wrong."""
    connection = Connection(
        server,
        user=dn,
        password=password,
        read_only=True,
        receive_timeout=settings.timeout,
        raise_exceptions=False,
    )
    try:
        connection.open()
        if settings.start_tls and not connection.start_tls():
            raise Unavailable(f"StartTLS failed: {_why(connection)}")
        if connection.bind():
            yield connection
        elif connection.result["result"] == INVALID_CREDENTIALS:
            yield None
        else:
            raise Unavailable(f"bind refused: {_why(connection)}")
    finally:
        connection.unbind()


def _find(settings: LdapSettings, searcher: Connection, username: str) -> str | None:
    """The DN of the one entry the user filter finds, or None (no entry, or several)."""
    query = settings.user_filter.format(username=escape_filter_chars(username))
    _search(searcher, settings.user_search_base, query, SUBTREE, [], size_limit=2)
    entries = _entries(searcher)
    return entries[0]["dn"] if len(entries) == 1 else None


def _read(settings: LdapSettings, reader: Connection, dn: str, username: str) -> DirectoryUser:
    names = (settings.username_attribute, settings.firstname_attribute, settings.lastname_attribute)
    _search(reader, dn, "(objectClass=*)", BASE, list(names))
    found = _entries(reader)
    attributes = found[0]["attributes"] if found else {}
    spelled, firstname, lastname = (_first(attributes.get(name)) for name in names)
    query = settings.group_filter.format(
        user_dn=escape_filter_chars(dn), username=escape_filter_chars(spelled or username)
    )
    _search(reader, settings.group_search_base, query, SUBTREE, [])
    groups = frozenset(normalized_dn(entry["dn"]) for entry in _entries(reader))
    return DirectoryUser(spelled or username, firstname, lastname, groups)


def _search(connection: Connection, base: str, query: str, scope, attributes, size_limit=0):
    connection.search(base, query, scope, attributes=attributes, size_limit=size_limit)
    if connection.result["result"] not in (0, SIZE_LIMIT_EXCEEDED):
        raise Unavailable(f"search under {base} failed: {_why(connection)}")


def _entries(connection: Connection) -> list[dict]:
    return [entry for entry in connection.response or () if entry.get("type") == "searchResEntry"]


def _first(value) -> str | None:
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return str(value) if value else None


def _why(connection: Connection) -> str:
    result = connection.result or {}
    return f"{result.get('description')} {result.get('message') or ''}".strip()
