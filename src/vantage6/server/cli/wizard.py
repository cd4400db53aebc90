"""``vserver new``: asks for the settings and writes the server's ini file.

The file follows the repository's development.ini / production.ini: ``[app:main]`` (or
``[app:ENV]`` for an environment), ``[server:...]`` with the gevent websocket runner,
``[pshell]`` and the logging sections. Every question has an option, so scripts can answer all
of them (``--no-input`` takes the default for any left out). An existing environment is never
overwritten; a new environment is added to an existing file.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from vantage6.common.api_path import check_api_path, normalise_api_path
from vantage6.common.cli_output import Failure, note, success
from vantage6.common.cli_select import environment_option
from vantage6.common.configdirs import Scope, config_path, data_dir
from vantage6.common.wizard import (
    LOG_LEVELS,
    LogSettings,
    Question,
    ask_all,
    check_host,
    from_yaml_option,
    new_name,
    question_options,
    render_log_handlers,
    write_config,
)
from vantage6.server.cli.instance import (
    APPLICATION,
    KIND,
    app_name,
    environments,
    read_ini,
)

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


def _database(value: str) -> str | None:
    try:
        backend = make_url(value).get_backend_name()
    except ArgumentError:
        return "is not a database URL (e.g. sqlite:////path/to/file.sqlite)"
    if backend not in ("sqlite", "postgresql"):
        return "must be an sqlite:// or postgresql+psycopg:// URL"
    return None


def _email(value: str) -> str | None:
    return None if not value or _EMAIL.fullmatch(value) else "is not an email address"


def _sqlite_default(answers: dict) -> str:
    stem = answers["name"]
    if answers["environment"] != APPLICATION:
        stem += f"-{answers['environment']}"
    folder = data_dir(KIND, answers["scope"], answers["name"])
    return f"sqlite:///{folder / stem}.sqlite"


def _development(answers: dict) -> bool:
    return answers["profile"] == "development"


def _email_on(answers: dict) -> bool:
    return bool(answers.get("smtp_host"))


def _api_at_root(answers: dict) -> bool:
    """Then every path is the API's, the web UI's page too: the UI is turned off."""
    return not normalise_api_path(answers["api_path"])


QUESTIONS = (
    Question(
        "description",
        "Description (shown to users)",
        lambda a: f"vantage6 server {a['name']}",
        help="Human-readable description (vantage6.server_name).",
    ),
    Question(
        "profile",
        "Profile (development: root/root at first start; production: random root password)",
        lambda a: "development" if a["environment"] in ("dev", "test") else "production",
        click.Choice(["development", "production"]),
        help="development or production (vantage6.profile).",
    ),
    Question(
        "ip",
        "IP address to listen on (0.0.0.0: every interface)",
        lambda a: "0.0.0.0",
        check=check_host,
        help="Address to bind (listen in [server:...]).",
    ),
    Question(
        "port",
        "Port",
        lambda a: 7601,
        click.IntRange(1, 65535),
        help="Port to bind.",
    ),
    Question(
        "api_path",
        "API path (/: the root path)",
        lambda a: "/api",
        check=check_api_path,
        help="Path prefix of the API (vantage6.api_path); empty or /: the root path, which "
        "leaves no room for the web UI.",
    ),
    Question(
        "database_uri",
        "Database URL",
        _sqlite_default,
        check=_database,
        help="SQLAlchemy URL (sqlalchemy.url); default: an SQLite file in the data folder.",
    ),
    Question(
        "auto_migrate",
        "Migrate the database schema automatically at start?",
        lambda a: a["database_uri"].startswith("sqlite"),
        bool,
        help="vantage6.db.auto_migrate (else: vserver db upgrade).",
    ),
    Question(
        "allow_drop_all",
        "Allow `vserver import --drop-all` to wipe this database?",
        _development,
        bool,
        help="vantage6.allow_drop_all.",
    ),
    Question(
        "log_level",
        "Log level",
        lambda a: "DEBUG" if _development(a) else "INFO",
        click.Choice(LOG_LEVELS, case_sensitive=False),
        when=lambda a: a["new_file"],
        help="Level of the vantage6 logger (for the whole file).",
    ),
    Question(
        "smtp_host",
        "SMTP server for emails (empty: no email)",
        lambda a: "",
        check=lambda v: check_host(v) if v else None,
        help="vantage6.smtp.host; without it no email is sent.",
    ),
    Question(
        "smtp_port",
        "SMTP port",
        lambda a: 587,
        click.IntRange(1, 65535),
        when=_email_on,
        help="vantage6.smtp.port.",
    ),
    Question(
        "smtp_security",
        "SMTP security",
        lambda a: "starttls",
        click.Choice(["starttls", "ssl", "none"]),
        when=_email_on,
        help="vantage6.smtp.security.",
    ),
    Question(
        "smtp_username",
        "SMTP username (empty: no login)",
        lambda a: "",
        when=_email_on,
        help="vantage6.smtp.username.",
    ),
    Question(
        "smtp_password",
        "SMTP password (empty: give it in VANTAGE6_SMTP_PASSWORD)",
        lambda a: "",
        when=lambda a: _email_on(a) and bool(a.get("smtp_username")),
        hide=True,
        help="vantage6.smtp.password.",
    ),
    Question(
        "email_from",
        "Emails come from",
        lambda a: f"vantage6@{a['smtp_host']}",
        check=lambda v: _email(v) or (None if v else "is required"),
        when=_email_on,
        help="vantage6.email_from.",
    ),
    Question(
        "support_email",
        "Support email for users (empty: the sender address)",
        lambda a: "",
        check=_email,
        when=_email_on,
        help="vantage6.support_email.",
    ),
    Question(
        "two_factor",
        "Require two-factor authentication (TOTP) for every user?",
        lambda a: False,
        bool,
        help="vantage6.two_factor_auth.",
    ),
)


def _escape(value) -> str:
    """A value as PasteDeploy reads it back (``%`` would start an interpolation)."""
    return str(value).replace("%", "%%")


def app_settings(answers: dict) -> dict:
    """The ``[app:...]`` settings the answers stand for (also checked before writing)."""
    settings = {
        "vantage6.profile": answers["profile"],
        "vantage6.server_name": answers["description"],
        "vantage6.api_path": normalise_api_path(answers["api_path"]),
        "vantage6.db.auto_migrate": str(answers["auto_migrate"]).lower(),
        "vantage6.allow_drop_all": str(answers["allow_drop_all"]).lower(),
        "vantage6.two_factor_auth": str(answers["two_factor"]).lower(),
        "vantage6.jwt.secret": answers["jwt_secret"],
        "sqlalchemy.url": answers["database_uri"],
    }
    if _api_at_root(answers):
        settings["vantage6.ui.enabled"] = "false"
    if answers.get("smtp_host"):
        settings |= {
            "vantage6.smtp.host": answers["smtp_host"],
            "vantage6.smtp.port": str(answers["smtp_port"]),
            "vantage6.smtp.security": answers["smtp_security"],
            "vantage6.email_from": answers["email_from"],
        }
        for key in ("smtp_username", "smtp_password", "support_email"):
            if answers.get(key):
                settings[f"vantage6.{key.replace('smtp_', 'smtp.')}"] = answers[key]
    # settings no question asks for (vserver new --from-yaml)
    settings |= answers.get("more_settings", {})
    return settings


def render_environment(answers: dict) -> str:
    """The app and server sections of one environment."""
    app = app_name(answers["environment"])
    settings = app_settings(answers)
    lines = [f"[app:{app}]", "use = egg:vantage6", ""]
    lines += [f"{key} = {_escape(value)}".rstrip() for key, value in settings.items()]
    if answers["profile"] == "development":
        lines += ["pyramid.debug_authorization = true", "pyramid.debug_notfound = true"]
    host = answers["ip"]
    listen = f"[{host}]:{answers['port']}" if ":" in host else f"{host}:{answers['port']}"
    lines += [
        "",
        "# gevent with websockets: REST and /api/ws on one port. SIGTERM (vserver stop) closes",
        "# the sockets and gives requests in flight shutdown_timeout seconds.",
        f"[server:{app}]",
        "use = egg:vantage6#gevent_ws",
        f"listen = {listen}",
        "max_connections = 10000",
        "shutdown_timeout = 10",
        "",
    ]
    return "\n".join(lines) + "\n"


LOG_FORMAT = "%(asctime)s %(levelname)-5.5s [%(name)s] %(message)s"


def render_file(answers: dict) -> str:
    """A whole new ini file: header, the environment, the shell and logging sections.
    ``answers`` may name who writes it (``written_by``), add comment lines to the header
    (``header_notes``) and say where the log goes (``logging``, a LogSettings)."""
    env = answers["environment"]
    log = answers.get("logging", LogSettings())
    select = f"--name {answers['name']} --{answers['scope'].value}"
    if env != APPLICATION:
        select += f" -e {env}"
    header = (
        f"###\n# vantage6 server {answers['name']!r}, written by "
        f"{answers.get('written_by', '`vserver new`')}.\n"
        f"#   vserver start {select}        serve it (vserver stop, attach, files, shell)\n"
        "# Other environments (dev, test, acc, prod) are [app:ENV] and [server:ENV] sections;\n"
        "# `vserver new -e ENV` adds one. This file holds secrets: keep it private.\n"
        f"{answers.get('header_notes', '')}###\n\n"
    )
    return (
        header
        + render_environment(answers)
        + f"""
[pshell]
setup = vantage6.server.pshell.setup
default_shell = ipython python

[loggers]
keys = root, vantage6, sqlalchemy, alembic

[handlers]
keys = {log.handlers}

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = {log.handlers}

[logger_vantage6]
level = {answers["log_level"].upper()}
handlers =
qualname = vantage6

[logger_sqlalchemy]
level = WARN
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = WARN
handlers =
qualname = alembic

# The log: the terminal in the foreground; started in the background (vserver start), the
# log file `vserver files` shows, rotated when it would pass maxBytes, keeping backupCount
# older files (.1 the newest). Output outside logging (a traceback at start) goes there too.
{render_log_handlers(log, LOG_FORMAT, handler_level=True)}"""
    )


def _target(name: str, scope: Scope, environment: str) -> tuple[Path, bool]:
    """The file to write and whether it is new; refuses an environment that exists."""
    path = config_path(KIND, name, scope)
    if not path.exists():
        return path, True
    if environment in environments(read_ini(path)):
        raise Failure(
            f"server {name!r} already has environment {environment!r} in {path}: edit that "
            "file, or choose another name or environment"
        )
    return path, False


@click.command()
@click.option("-n", "--name", help="Name of the new configuration (also its file name).")
@click.option(
    "--system/--user",
    "system",
    default=True,
    help="Store it for every user of this machine (default) or only for you.",
)
@environment_option("The environment to write ([app:main] for application).")
@click.option("--no-input", is_flag=True, help="Ask nothing: defaults for all options not given.")
@click.option("--jwt-secret", help="Secret for signing tokens (default: a new random one).")
@from_yaml_option("server", "--system/--user and --jwt-secret")
@question_options(QUESTIONS)
def new(name, system, environment, no_input, jwt_secret, from_yaml, **given):
    """Create a server configuration: asks for each setting (or takes options) and writes
    <name>.ini in the system or user configuration folder.

    \b
    Examples:
      vserver new
      vserver new --name demo --user
      vserver new --name demo --user --no-input --port 7601 --profile development
      vserver new --name demo --user -e test --port 7602
      vserver new --from-yaml demo.yaml --user
    """
    from pyramid.exceptions import ConfigurationError

    from vantage6.server.settings import load_settings

    scope = Scope.SYSTEM if system else Scope.USER
    if from_yaml is not None:
        from vantage6.server.cli.from_yaml import command

        return command(from_yaml, name, scope, jwt_secret, given, QUESTIONS)
    name = new_name(name, KIND, no_input)
    path, new_file = _target(name, scope, environment)
    answers = {"name": name, "scope": scope, "environment": environment, "new_file": new_file}
    ask_all(QUESTIONS, given, answers, no_input)
    answers["jwt_secret"] = jwt_secret or secrets.token_urlsafe(48)
    try:
        load_settings(app_settings(answers), environ={})
    except ConfigurationError as exc:
        raise Failure(str(exc)) from None
    text = render_file(answers) if new_file else render_environment(answers)
    write_config(path, text, new_file)
    _make_database_folder(answers["database_uri"])
    success(f"Wrote environment {environment!r} of server {name!r} to {path}")
    _next_steps(answers)


def _make_database_folder(url: str) -> None:
    from vantage6.server.database_url import DatabaseUnusable, create_sqlite_folder

    try:
        create_sqlite_folder(url)
    except DatabaseUnusable as exc:
        raise Failure(str(exc)) from None


def _next_steps(answers: dict) -> None:
    select = f"--name {answers['name']}" + (
        " --user" if answers["scope"] is Scope.USER else " --system"
    )
    if answers["environment"] != APPLICATION:
        select += f" -e {answers['environment']}"
    if _api_at_root(answers):
        note("  the API is at the root path: the web UI is off (vantage6.ui.enabled = false)")
    if not answers["auto_migrate"]:
        note(f"  create the schema first: vserver db upgrade {select}")
    note(f"  start it:                vserver start {select}")
    note(f"  see its files:           vserver files {select}")
