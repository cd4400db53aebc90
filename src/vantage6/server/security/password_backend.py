"""The built-in password check for logins: the user's own argon2-hashed password.

Registered as a plugin that is asked last, so deployment plugins (LDAP, ...) check credentials
first; block it (``vantage6.plugins.blocked = vantage6.password``) to allow no local password.
"""

from __future__ import annotations

from vantage6.plugins import hookimpl
from vantage6.server.models import User
from vantage6.server.security.login import decoy_check, find_user, proven


@hookimpl(trylast=True)
def vantage6_authenticate(username, password, request) -> User | None:
    """The user whose password this is; the check made before the login's write
    transaction (``login.prove_password``) counts when it was made against the same hash."""
    user = find_user(request.dbsession, username)
    hashed = None if user is None else user.secret_hash
    matches = proven(request, username, hashed, password)
    if hashed is None:
        if matches is None:  # as slow as a real check
            decoy_check(password)
        return None
    if matches is None:
        matches = user.check_password(password)
    return user if matches else None
