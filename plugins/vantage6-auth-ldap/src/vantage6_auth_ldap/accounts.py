"""The vantage6 user of a directory user: created at the first login, then kept in step with
the directory (names, organization, roles) at every login.

A user with a local password is a local account, which the directory never logs in nor
changes (the plugin does not ask the directory about it): an LDAP entry named like a local
account (``root``) cannot take that account over.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from vantage6.server.models import Organization, Role, User
from vantage6.server.security.login import find_user
from vantage6_auth_ldap.directory import DirectoryUser
from vantage6_auth_ldap.settings import Grant

log = logging.getLogger(__name__)


def is_local_account(user: User | None) -> bool:
    return user is not None and user.secret_hash is not None


def synced_user(
    session: Session, found: DirectoryUser, group_map: dict[str, tuple[Grant, ...]]
) -> User | None:
    """The user ``found`` logs in as, up to date; None when the group map lets them in nowhere
    (an existing user then loses its roles)."""
    user = find_user(session, found.username)
    grants = [grant for group in sorted(found.groups) for grant in group_map.get(group, ())]
    placed = _placement(session, found.username, grants)
    if placed is None:
        if user is not None:
            user.roles = []
        return None
    organization, roles = placed
    if user is None:
        user = User(username=found.username, organization_id=organization.id)
        session.add(user)
        log.info("LDAP user %r logs in for the first time", found.username)
    user.organization_id = organization.id
    user.firstname, user.lastname = found.firstname, found.lastname
    user.roles = roles
    session.flush()
    return user


def _placement(session: Session, username: str, grants: list[Grant]):
    """The one organization and the roles there that the grants give, or None (logged)."""
    organizations = sorted({grant.organization for grant in grants})
    if len(organizations) != 1:
        log.warning(
            "LDAP login refused: the groups of %r map to %s",
            username,
            f"several organizations ({', '.join(organizations)})" if organizations else "no role",
        )
        return None
    organization = session.scalars(select(Organization).filter_by(name=organizations[0])).first()
    if organization is None:
        log.error(
            "LDAP login refused: group_map names organization %r, which does not exist",
            organizations[0],
        )
        return None
    roles = []
    for name in dict.fromkeys(grant.role for grant in grants):
        role = _role(session, name, organization.id)
        if role is None:
            log.error(
                "LDAP login refused: group_map names role %r, which %s does not have",
                name,
                organization.name,
            )
            return None
        roles.append(role)
    return organization, roles


def _role(session: Session, name: str, organization_id: int) -> Role | None:
    """The organization's own role of that name, else the server-wide one."""
    query = (
        select(Role)
        .where(Role.name == name)
        .where((Role.organization_id == organization_id) | Role.organization_id.is_(None))
        .order_by(Role.organization_id.is_(None))
    )
    return session.scalars(query).first()
