"""``vserver new --from-yaml FILE``: a server configuration of vantage6 4.x, in the YAML format
its documentation shows, written as our ini file.

The ``application`` block becomes ``[app:main]`` and ``[server:main]``, each environment block
(``dev``, ``test``, ``acc``, ``prod``) ``[app:ENV]`` and ``[server:ENV]``: as in the original,
each environment stands on its own. The wizard writes the text (``render_file`` and
``render_environment`` of :mod:`vantage6.server.cli.wizard`), so the settings are those it
writes, each one that settings.py knows. Secrets (the JWT secret, the SMTP password, a database
password) go where ``vserver new`` puts them: in the ini file, mode 0600; the report never shows
them. Relative paths in the YAML start at the data folder of the server (SQLite databases, log
files), where ``vserver new`` puts them too. The file is written when every environment loads
as ``vserver start`` loads it, or not at all.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from vantage6.common.cli_output import Failure, note, success
from vantage6.common.configdirs import FoundConfig, Scope, config_path, data_dir
from vantage6.common.wizard import check_host, new_name, write_config
from vantage6.common.yaml_config import (
    APPLICATION,
    ENVIRONMENTS,
    NODE_KEYS,
    SERVER_KEYS,
    Block,
    Report,
    blocks,
    check_kind,
    is_hidden,
    read_yaml,
    refuse_other_options,
)
from vantage6.common.yaml_logging import LoggingChoice, logging_of
from vantage6.server.cli.instance import KIND, Instance

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
REASONS = {
    "vpn_server": "we do not support the original's EduVPN: our VPN between algorithm "
    "containers is WireGuard, set with vantage6.vpn.subnet and vantage6.vpn.endpoint (see "
    "README.md)",
    "rabbitmq": "we have no RabbitMQ: several server processes share their events through "
    "PostgreSQL (vantage6.events.bus = postgresql)",
    "algorithm_stores": "we have no algorithm stores",
    "ui": "our web UI is part of the server (vantage6.ui.enabled, vantage6.ui.path)",
    "cors_allowed_origins": "the API answers every origin with bearer tokens only",
    "dev": "we have no development options of the original's",
    "shell": "`vserver shell` (pshell) needs no settings",
    "runs_data_cleanup_days": "we do not delete the results of old runs",
}
SMTP_REASONS = {"use_tls": "port 465 means TLS from the start (ssl), any other STARTTLS"}


def command(source: Path, name, scope: Scope, jwt_secret, given: dict, questions) -> None:
    """``vserver new --from-yaml``: the wizard's options that would give settings are refused,
    as the file gives them; --jwt-secret only fills in a secret the file leaves out."""
    refuse_other_options(given, questions, allowed=())
    new_from_yaml(source, name, scope, jwt_secret)


def new_from_yaml(source: Path, name: str | None, scope: Scope, jwt_secret: str | None) -> None:
    """Reads ``source``, writes the server's ini file, and says what became of each key; a
    file that is not a server's YAML configuration is refused, writing nothing."""
    from vantage6.server.cli.wizard import render_environment, render_file

    report = Report(source)
    found = blocks(read_yaml(source), report)
    check_kind(found, SERVER_KEYS, NODE_KEYS, "node", "vnode")
    name = new_name(name or source.stem, KIND, True)
    path = config_path(KIND, name, scope)
    if path.exists():
        raise Failure(f"{path} exists: choose another name (--name), or remove that file")
    folder = data_dir(KIND, scope, name)
    log = logging_of(found, folder)
    all_answers = [_translate(block, name, scope, folder, jwt_secret, log) for block in found]
    report.stop_on_problems()
    first = all_answers[0] | {
        "logging": log.settings,
        "written_by": f"`vserver new --from-yaml` from {source}",
        "header_notes": report.header_lines(),
    }
    text = render_file(first) + "".join("\n" + render_environment(a) for a in all_answers[1:])
    _write(path, text, name, scope, all_answers, log)
    report.show()
    where = ", ".join(answers["environment"] for answers in all_answers)
    success(f"Wrote server {name!r} ({where}) from {source} to {path}")
    for answers in all_answers:
        select = f"--name {name} --{scope.value}"
        if answers["environment"] != APPLICATION:
            select += f" -e {answers['environment']}"
        if not answers["auto_migrate"]:
            note(f"  create the schema first: vserver db upgrade {select}")
        note(f"  start it:                vserver start {select}")


def _translate(
    block: Block, name: str, scope: Scope, folder: Path, jwt_secret, log: LoggingChoice
) -> dict:
    """The wizard's answers for one block (an environment of the ini file)."""
    env = block.name
    app = "main" if env == APPLICATION else env
    answers = {"name": name, "scope": scope, "environment": env, "new_file": True}
    more: dict = {}
    description = block.text("description")
    answers["description"] = description or f"vantage6 server {name}"
    if description is not None:
        block.mapped("description", f"[app:{app}] vantage6.server_name")
    answers["profile"] = _profile(block, app, more)
    answers["ip"], answers["port"] = _listen(block, app)
    api_path = block.text("api_path")
    answers["api_path"] = "/api" if api_path is None else api_path
    if api_path is not None:
        root = "" if api_path.strip("/ '\"") else " (empty: the root path)"
        block.mapped("api_path", f"[app:{app}] vantage6.api_path{root}")
    answers["database_uri"] = _database(block, app, folder, env, name)
    answers["auto_migrate"] = answers["database_uri"].startswith("sqlite")
    drop = block.flag("allow_drop_all")
    answers["allow_drop_all"] = bool(drop)
    if drop is not None:
        block.mapped("allow_drop_all", f"[app:{app}] vantage6.allow_drop_all")
    answers["jwt_secret"] = _jwt_secret(block, app, jwt_secret)
    two_factor = block.flag("two_factor_auth")
    answers["two_factor"] = bool(two_factor)
    if two_factor is not None:
        block.mapped("two_factor_auth", f"[app:{app}] vantage6.two_factor_auth")
    _email(block, app, answers, more)
    minutes = block.integer("email_token_validity_minutes", minimum=1)
    if minutes is not None:
        more["vantage6.email_token_validity_minutes"] = str(minutes)
        block.mapped(
            "email_token_validity_minutes", f"[app:{app}] vantage6.email_token_validity_minutes"
        )
    answers["more_settings"] = more
    development = answers["profile"] == "development"
    answers["log_level"] = log.level or ("DEBUG" if development else "INFO")
    block.rest(REASONS)
    _check(block, answers)
    return answers


def _profile(block: Block, app: str, more: dict) -> str:
    """``type`` is ``vantage6.type`` (test: tokens last a day); it, or without it the
    environment's name, also gives the profile: dev and test are development (root/root at
    the first start, as the documentation's server), acc and prod production."""
    kind = block.text("type")
    if kind is not None and kind not in ENVIRONMENTS:
        block.problem("type", f"must be one of {', '.join(ENVIRONMENTS)}")
        return "production"
    profile = "development" if (kind or block.name) in ("dev", "test") else "production"
    if kind is None:
        return profile
    more["vantage6.type"] = kind
    day = " (tokens last a day)" if kind == "test" else ""
    first = " (root/root at the first start)" if profile == "development" else ""
    block.mapped(
        "type", f"[app:{app}] vantage6.type = {kind}{day}, and vantage6.profile = {profile}{first}"
    )
    return profile


def _listen(block: Block, app: str) -> tuple[str, int]:
    ip = block.text("ip")
    if ip is not None:
        problem = check_host(ip)
        if problem:
            block.problem("ip", problem)
        else:
            block.mapped("ip", f"[server:{app}] listen (its host)")
    port = block.integer("port", 1, 65535)
    if port is not None:
        block.mapped("port", f"[server:{app}] listen (its port)")
    return ip or "0.0.0.0", port or 7601


def _database(block: Block, app: str, folder: Path, env: str, name: str) -> str:
    """``uri``: SQLite files with a relative path go in the data folder, PostgreSQL gets the
    driver the server has (psycopg 3); left out, an SQLite file in the data folder."""
    value = block.text("uri")
    stem = name if env == APPLICATION else f"{name}-{env}"
    if value is None:
        return f"sqlite:///{folder / stem}.sqlite"
    target = f"[app:{app}] sqlalchemy.url"
    try:
        url = make_url(value)
    except ArgumentError:
        block.problem("uri", "is not a database URL (e.g. sqlite:///file.sqlite)")
        return ""
    backend = url.get_backend_name()
    if backend == "sqlite" and url.database not in (None, "", ":memory:"):
        database = Path(url.database).expanduser()
        if not database.is_absolute():
            url = url.set(database=str(folder / database))
            target += f" (the file {folder / database}: in the data folder)"
    elif backend == "postgresql" and url.drivername != "postgresql+psycopg":
        url = url.set(drivername="postgresql+psycopg")
        block.check("uri", f"{target}, as postgresql+psycopg:// (our server's driver, psycopg 3)")
        return url.render_as_string(hide_password=False)
    elif backend not in ("sqlite", "postgresql"):
        block.problem("uri", f"our server runs on SQLite or PostgreSQL, not {backend}")
        return ""
    block.mapped("uri", target)
    return url.render_as_string(hide_password=False)


def _jwt_secret(block: Block, app: str, given: str | None) -> str:
    value = block.raw("jwt_secret_key")
    target = f"[app:{app}] vantage6.jwt.secret"
    if value is not None and not is_hidden(value):
        block.mapped("jwt_secret_key", target)
        return block.text("jwt_secret_key") or ""
    how = "the one given with --jwt-secret" if given else "a new random one"
    if value is not None:
        block.check("jwt_secret_key", f"the documentation's ***: {target} is {how}")
    else:
        why = "" if given else " (the original made a new one at each start, ending sessions)"
        block.report.checks.append(
            (block.line(), f"{block.path()} (jwt_secret_key)", f"absent: {target} is {how}{why}")
        )
    return given or secrets.token_urlsafe(48)


def _email(block: Block, app: str, answers: dict, more: dict) -> None:
    """``smtp`` (server, port, username, password; 4.x's email_from) and ``support_email``."""
    support = block.text("support_email")
    if support is not None and not _EMAIL.fullmatch(support):
        block.problem("support_email", "is not an email address")
        support = None
    smtp = block.block("smtp")
    host = smtp.text("server") if smtp is not None else None
    if smtp is not None and host is None:
        smtp.rest(dict.fromkeys(smtp.mapping, "without smtp.server no email is sent"))
    if host is not None:
        problem = check_host(host)
        if problem:
            smtp.problem("server", problem)
        smtp.mapped("server", f"[app:{app}] vantage6.smtp.host")
        port = smtp.integer("port", 1, 65535) or 587
        if "port" in smtp:
            smtp.mapped("port", f"[app:{app}] vantage6.smtp.port")
        answers |= {"smtp_host": host, "smtp_port": port}
        answers["smtp_security"] = "ssl" if port == 465 else "starttls"
        username = smtp.text("username")
        if username is not None:
            answers["smtp_username"] = username
            smtp.mapped("username", f"[app:{app}] vantage6.smtp.username")
        password = smtp.raw("password")
        if is_hidden(password):
            smtp.check("password", "the documentation's ***: give it in VANTAGE6_SMTP_PASSWORD")
        elif password is not None:
            answers["smtp_password"] = smtp.text("password")
            smtp.mapped("password", f"[app:{app}] vantage6.smtp.password")
        answers["email_from"] = _email_from(smtp, app, username, support, host)
        smtp.rest(SMTP_REASONS)
    if support is not None:
        if host is not None:
            answers["support_email"] = support
        else:
            more["vantage6.support_email"] = support
        block.mapped("support_email", f"[app:{app}] vantage6.support_email")


def _email_from(smtp: Block, app: str, username, support, host: str) -> str:
    """The sender, which our server needs with SMTP: 4.x's ``email_from``, else an address
    the file has (the SMTP username, the support address), else the wizard's default."""
    target = f"[app:{app}] vantage6.email_from"
    given = smtp.text("email_from")
    if given is not None:
        if not _EMAIL.fullmatch(given):
            smtp.problem("email_from", "is not an email address")
        smtp.mapped("email_from", target)
        return given
    for address, what in ((username, "smtp.username"), (support, "support_email")):
        if address and _EMAIL.fullmatch(address):
            smtp.check("server", f"{target} (the sender, which SMTP needs here) is {what}")
            return address
    sender = f"vantage6@{host}"
    smtp.check("server", f"{target} (the sender, which SMTP needs here) is {sender}: change it")
    return sender


def _check(block: Block, answers: dict) -> None:
    """The settings as the server checks them at start; a refusal is the block's problem."""
    from pyramid.exceptions import ConfigurationError

    from vantage6.server.cli.wizard import app_settings
    from vantage6.server.settings import load_settings

    if block.report.problems or not answers["database_uri"]:
        return
    try:
        load_settings(app_settings(answers), environ={})
    except ConfigurationError as exc:
        block.problem(None, str(exc))


def _write(path: Path, text: str, name: str, scope: Scope, all_answers, log) -> None:
    """The ini file, checked as ``vserver start`` reads each environment; removed again on
    any failure. Then the folders of SQLite databases and log files."""
    from vantage6.server.database_url import DatabaseUnusable, create_sqlite_folder

    write_config(path, text)
    try:
        for answers in all_answers:
            found = FoundConfig(name, path, scope)
            instance = Instance.named(found, environment=answers["environment"])
            instance.settings()
            instance.listen()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    for answers in all_answers:
        try:
            create_sqlite_folder(answers["database_uri"])
        except DatabaseUnusable as exc:
            raise Failure(str(exc)) from None
    if log.settings.file:
        Path(log.settings.file).parent.mkdir(parents=True, exist_ok=True)
