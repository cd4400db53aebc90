"""The random password that a production server's first start gives user root, handed over in
a file that only the server's account can read, beside the database. Never on the terminal or
in the log: systemd and Docker keep what a service prints."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pyramid.exceptions import ConfigurationError
from sqlalchemy.engine import make_url

from vantage6.server.database_url import sqlite_file

SUFFIX = ".root-password"
SETTING = "vantage6.root_password_file"


def default_file(database_url: str, config_folder: str | None) -> str:
    """Beside an SQLite database file; for other databases, in the ini file's folder, named
    after the database; '' when neither place is known."""
    database = sqlite_file(database_url)
    if database is not None:
        return str(database.resolve()) + SUFFIX
    if config_folder:
        name = make_url(database_url).database or "vantage6"
        return str(Path(config_folder, name + SUFFIX).resolve())
    return ""


def check_writable(location: str) -> None:
    """Refuse, before root is created, a password file that could not be written: an unknown
    place, an existing file (never overwritten), or a folder that is missing or read-only."""
    if not location:
        raise ConfigurationError(
            "Cannot tell where to write the first password of user 'root': the database is "
            f"not an SQLite file and the ini file's folder is unknown. Set {SETTING}, or give "
            "the password in VANTAGE6_ROOT_PASSWORD."
        )
    path = Path(location)
    if os.path.lexists(path):
        raise ConfigurationError(
            f"Cannot write the first password of user 'root' to {path}: the file exists. "
            f"Delete or move it (or set {SETTING} or VANTAGE6_ROOT_PASSWORD) and start again."
        )
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise ConfigurationError(
            f"Cannot write the first password of user 'root' to {path}: its folder is missing "
            f"or not writable. Set {SETTING}, or give the password in VANTAGE6_ROOT_PASSWORD."
        )


def hand_over(location: str, password: str) -> None:
    """Write root's new password to its file, and tell (on stderr) only where that is."""
    try:
        _write(location, password)
    except OSError as exc:
        raise ConfigurationError(
            f"Created user 'root', but could not write its password to {location}: "
            f"{exc.strerror}. Set one in the admin shell (pshell <ini file>): "
            "db.User.get_by_username('root').password = '<new password>'; commit()"
        ) from None
    print(
        f"\nCreated user 'root' with a random password, written to {location} (readable by "
        "this account only).\nLog in, change the password, then delete that file.\n",
        file=sys.stderr,
        flush=True,
    )


def _write(location: str, password: str) -> None:
    """Create the file with mode 0600 from the start (never more open, not even briefly);
    an existing file, or a link in its place, is an error rather than overwritten."""
    descriptor = os.open(location, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(password + "\n")
