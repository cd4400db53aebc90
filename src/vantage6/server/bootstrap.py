"""What happens to the database when the server starts: schema check, rules, root user."""

from __future__ import annotations

import logging
import secrets

from pyramid.exceptions import ConfigurationError
from sqlalchemy import select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vantage6.server import root_password
from vantage6.server.database_url import check_connection
from vantage6.server.migrate import SchemaState, schema_state, upgrade
from vantage6.server.models import Organization, Role, User
from vantage6.server.security.default_roles import DefaultRole, sync_rules_and_roles
from vantage6.server.settings import is_development

log = logging.getLogger(__name__)

ROOT_NAME = "root"
_BOOTSTRAP_LOCK = 0x76366230  # any constant: serialises start-up across server processes


class DatabaseNotReady(ConfigurationError):
    """The schema is missing or old and this profile does not migrate by itself."""


def prepare_database(engine: Engine, settings: dict) -> None:
    """Migrate or refuse, then sync rules and default roles and create the first user."""
    check_connection(engine)
    ensure_schema(engine, settings)
    for attempt in range(3):
        try:
            with Session(engine) as session, session.begin():
                if engine.dialect.name == "postgresql":
                    session.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _BOOTSTRAP_LOCK}
                    )
                created = populate(session, settings)
            break
        except IntegrityError:  # another process synced at the same moment; look again
            if attempt == 2:
                raise
    if created is not None:
        announce_root_user(settings, created)


def populate(session: Session, settings: dict) -> str | None:
    """Rules, default roles and (on an empty user table) root, in the caller's transaction;
    returns root's new password, for :func:`announce_root_user` once committed."""
    sync_rules_and_roles(session)
    return _create_root_user(session, settings)


def ensure_schema(bind: Engine | Connection, settings: dict) -> None:
    """Nothing when the schema is current; else migrate it or raise :class:`DatabaseNotReady`."""
    state = schema_state(bind)
    if state is SchemaState.CURRENT:
        return
    if state is SchemaState.UNMANAGED:
        raise DatabaseNotReady(
            "The database has tables but no migration history; it was not made by this "
            "server. Point sqlalchemy.url at an empty database."
        )
    if settings["vantage6.db.auto_migrate"]:
        log.info("Migrating the %s database schema to the current version", state.value)
        upgrade(bind)
        return
    raise DatabaseNotReady(
        f"The database schema is {state.value}. Migrate it first with "
        "`vserver db upgrade --config <your ini file>` (or set vantage6.db.auto_migrate = true)."
    )


def _create_root_user(session: Session, settings: dict) -> str | None:
    """On an empty user table, create the root organization and user; returns the password."""
    if session.scalar(select(User.id).limit(1)) is not None:
        return None
    organization = session.scalar(select(Organization).filter_by(name=ROOT_NAME))
    if organization is None:
        organization = Organization(name=ROOT_NAME)
    password = _first_root_password(settings)
    root_role = session.scalar(
        select(Role).filter_by(name=DefaultRole.ROOT.value, is_default_role=True)
    )
    session.add(
        User(username=ROOT_NAME, password=password, organization=organization, roles=[root_role])
    )
    return password


def _first_root_password(settings: dict) -> str:
    if settings["vantage6.root_password"]:
        return settings["vantage6.root_password"]
    if is_development(settings):
        return ROOT_NAME
    # Checked now, so that root is not created with a password nobody can learn.
    root_password.check_writable(settings[root_password.SETTING])
    return secrets.token_urlsafe(18)


def announce_root_user(settings: dict, password: str) -> None:
    if settings["vantage6.root_password"]:
        log.info("Created user 'root' with the configured password")
    elif is_development(settings):
        log.warning(
            "\n" + "!" * 72 + "\n  Created user 'root' with password 'root' (development profile)."
            "\n  Change it before this server is reachable by anyone else.\n" + "!" * 72
        )
    else:
        root_password.hand_over(settings[root_password.SETTING], password)
