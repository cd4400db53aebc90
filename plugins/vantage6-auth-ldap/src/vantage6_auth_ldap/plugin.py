"""The hooks: settings checked at start, and LDAP credentials accepted at ``POST /token/user``."""

from __future__ import annotations

import logging

from pyramid.httpexceptions import HTTPServiceUnavailable

from vantage6.plugins import hookimpl
from vantage6.server.security.login import find_user
from vantage6_auth_ldap import directory
from vantage6_auth_ldap.accounts import is_local_account, synced_user
from vantage6_auth_ldap.settings import parse_settings

log = logging.getLogger(__name__)

SETTINGS = "vantage6_auth_ldap.settings"  # registry key
UNAVAILABLE = "Logging in with LDAP credentials is not possible right now; try again later"


@hookimpl
def vantage6_pyramid_configure(config):
    config.registry[SETTINGS] = parse_settings(config.get_settings())


@hookimpl
def vantage6_authenticate(username, password, request):
    """A local account is left to the password check; anyone else is asked of the directory.

    The username must be spelled as the directory spells it: the directory matches names
    regardless of case, and each spelling would otherwise have a lockout count of its own. An
    unreachable directory answers 503, which counts no failed login against the account.
    """
    session = request.dbsession
    if is_local_account(find_user(session, username)):
        return None
    settings = request.registry[SETTINGS]
    try:
        found = directory.authenticate(settings, username, password)
    except directory.Unavailable as exc:
        log.error("LDAP login of %r not possible: %s", username, exc)
        raise HTTPServiceUnavailable(UNAVAILABLE) from None
    if found is None:
        return None
    if found.username != username:
        log.warning(
            "LDAP login refused: %r is spelled %r in the directory", username, found.username
        )
        return None
    return synced_user(session, found, settings.group_map)
