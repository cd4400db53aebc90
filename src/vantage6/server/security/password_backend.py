"""The built-in password check for logins: the user's own argon2-hashed password.

Registered as a plugin that is asked last, so deployment plugins (LDAP, ...) check credentials
first; block it (``vantage6.plugins.blocked = vantage6.password``) to allow no local password.
"""

from __future__ import annotations

from vantage6.plugins import hookimpl
from vantage6.server.models import User
from vantage6.server.security.login import decoy_check, find_user


@hookimpl(trylast=True)
def vantage6_authenticate(username, password, request) -> User | None:
    user = find_user(request.dbsession, username)
    if user is None or user.secret_hash is None:  # as slow as a real check
        decoy_check(password)
        return None
    return user if user.check_password(password) else None
