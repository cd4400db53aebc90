"""``vnode new``: asks for the settings and writes the node's ini file.

The file follows node/node.ini: ``[node]``, ``[server]``, ``[databases]``, ``[encryption]``,
``[policies]``, ``[docker]``, ``[proxy]`` and, given a subnet, ``[vpn]``. :func:`render` writes
it from plain answers (:class:`NodeFile`), so that the server's web interface offers the same
file for a node it has just registered (vantage6.server.ui.node_file). The wizard puts the API
key in a file of its own next to the ini (mode 0600), named by ``api_key_file``; with
encryption, a private key is made where the answer says when there is none. Every question has
an option, so scripts can answer all of them (``--no-input`` takes the default for any left
out). All files are written, and the ini loads as the node loads it, or nothing is left behind.
With ``-e ENV`` the answers go to ``[<section>@ENV]`` sections (a new file, or added to an
existing one without that environment) and the API key to ``<name>-ENV.api_key``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import click

from vantage6.common.api_path import check_api_path, normalise_api_path
from vantage6.common.cli_output import Failure, note, success
from vantage6.common.cli_select import environment_option
from vantage6.common.configdirs import FoundConfig, Scope, config_path, data_dir
from vantage6.common.encryption import InvalidKey, RSACryptor
from vantage6.common.wizard import (
    LOG_LEVELS,
    LogSettings,
    Question,
    ask_all,
    from_yaml_option,
    new_name,
    question_options,
    render_log_handlers,
    write_config,
)
from vantage6.node.cli.instance import KIND, NodeInstance
from vantage6.node.config import (
    API_KEY_ENV,
    APPLICATION,
    DATABASE_TYPES,
    FILE_TYPES,
    LABEL,
    NAME,
    RUNTIMES,
    ConfigError,
    environments,
    load_config,
)


def check_api_key(value: str) -> str | None:
    return None if value and not re.search(r"\s", value) else "must be a key without spaces"


def _url(value: str) -> str | None:
    ok = re.fullmatch(r"https?://[^/\s:]+", value)
    return None if ok else "must be http:// or https:// and a host, without port or path"


def _database(value: str) -> str | None:
    """``label=type:uri``, checked as the node checks it (local files must exist)."""
    label, equals, rest = value.partition("=")
    type_, colon, uri = rest.partition(":")
    label, type_, uri = label.strip(), type_.strip(), uri.strip()
    if not (equals and colon and uri):
        return f"{value!r} is not label=type:uri (e.g. default=csv:/data/patients.csv)"
    if not LABEL.match(label):
        return f"label {label!r}: use letters, digits and '_', starting with a letter"
    if type_ not in DATABASE_TYPES:
        return f"type must be one of {', '.join(DATABASE_TYPES)}, not {type_!r}"
    if type_ in FILE_TYPES:
        path = Path(uri).expanduser()
        if not (path.is_dir() if type_ == "folder" else path.is_file()):
            return f"{'folder' if type_ == 'folder' else 'file'} {uri!r} does not exist"
    return None


def _regex(value: str) -> str | None:
    try:
        re.compile(value)
    except re.error as exc:
        return f"is not a regular expression: {exc}"
    return None


def _ids(value: str) -> str | None:
    bad = [item for item in re.split(r"[\s,]+", value.strip()) if item and not item.isdigit()]
    return f"must be ids (whole numbers), not {bad[0]!r}" if bad else None


def _private_key(value: str) -> str | None:
    """A key file that exists must be a usable one; a missing one is made."""
    path = Path(value).expanduser()
    if not path.exists():
        return None
    try:
        RSACryptor(path)
    except InvalidKey as exc:
        return f"{path}: {exc}"
    return None


def _folder(answers: dict) -> Path:
    return data_dir(KIND, answers["scope"], answers["name"])


def _suffix(answers: dict) -> str:
    """What the environment adds to the names of its sections and files."""
    environment = answers["environment"]
    return "" if environment == APPLICATION else f"-{environment}"


QUESTIONS = (
    Question(
        "server_url",
        "Server URL (without port and path)",
        lambda a: "http://localhost",
        check=_url,
        help="The vantage6 server, e.g. https://vantage6.example.org ([server] url).",
    ),
    Question(
        "port",
        "Server port",
        lambda a: 7601,
        click.IntRange(1, 65535),
        help="The server's port ([server] port).",
    ),
    Question(
        "api_path",
        "API path (/: the root path)",
        lambda a: "/api",
        check=check_api_path,
        help="The server's API path ([server] api_path); empty or /: the root path.",
    ),
    Question(
        "api_key",
        "API key of this node (from its registration; not shown)",
        lambda a: "",
        check=check_api_key,
        hide=True,
        help="The node's API key; stored in <name>.api_key next to the ini, mode 0600.",
    ),
    Question(
        "database",
        "Database algorithms may read, as label=type:uri (empty: no more)",
        lambda a: [],
        check=_database,
        multiple=True,
        help=f"label=type:uri, type one of {', '.join(DATABASE_TYPES)} (repeatable).",
    ),
    Question(
        "task_dir",
        "Folder for the runs' input and output",
        lambda a: str(_folder(a) / f"tasks{_suffix(a)}"),
        help="[node] task_dir; default: in the node's data folder.",
    ),
    Question(
        "runtime",
        "Run algorithms as (docker: isolated containers; process: development only)",
        lambda a: "docker",
        click.Choice(RUNTIMES),
        help="[node] runtime: docker, or process (no isolation: development only).",
    ),
    Question(
        "encryption",
        "Is the collaboration encrypted?",
        lambda a: False,
        bool,
        help="[encryption] enabled; must equal the collaboration's setting.",
    ),
    Question(
        "private_key",
        "Private key file of your organization (made when there is none)",
        lambda a: str(_folder(a) / f"private_key{_suffix(a)}.pem"),
        check=_private_key,
        when=lambda a: a["encryption"],
        help="[encryption] private_key; a new key is made there when the file does not exist.",
    ),
    Question(
        "allowed_image",
        "Image allowed to run, a regular expression for the whole name (empty: no more)",
        lambda a: [],
        check=_regex,
        multiple=True,
        help="[policies] allowed_images (repeatable); none given: every image may run.",
    ),
    Question(
        "allowed_organizations",
        "Ids of the organizations whose tasks may run here (empty: any)",
        lambda a: "",
        check=_ids,
        help="[policies] allowed_organizations, e.g. '1, 4'.",
    ),
    Question(
        "allowed_users",
        "Ids of the users whose tasks may run here (empty: any)",
        lambda a: "",
        check=_ids,
        help="[policies] allowed_users, e.g. '12'.",
    ),
    Question(
        "log_level",
        "Log level",
        lambda a: "INFO",
        click.Choice(LOG_LEVELS, case_sensitive=False),
        help="Level of the vantage6 logger.",
    ),
)


@dataclass(frozen=True)
class NodeFile:
    """The plain answers a node's ini file is written from, as they appear in it: `vnode new`
    gives its resolved answers, the server's web interface what it knows of a new node. The
    API key is given inline (``api_key``) or by the name of its file (``api_key_file``)."""

    name: str
    server_url: str
    api_path: str
    encryption: bool | None  # the collaboration's setting; None: it could not be read
    api_key: str = field(default="", repr=False)
    api_key_file: str = ""
    port: int | None = None
    task_dir: str = "tasks"  # relative paths resolve against the ini file's folder
    runtime: str = "docker"
    databases: tuple[str, ...] = ()  # "<label> = <type>:<uri>"
    private_key: str = ""  # empty: a placeholder for the owner to fill in
    allowed_images: tuple[str, ...] = ()
    allowed_organizations: str = ""
    allowed_users: str = ""
    log_level: str = "INFO"
    environment: str = APPLICATION
    registries: tuple[tuple[str, str, str], ...] = ()  # (host, username, password_file)
    algorithm_env: tuple[tuple[str, str], ...] = ()  # (name, value)
    vpn_subnet: str = ""  # empty: no VPN between algorithms
    logging: LogSettings = LogSettings()  # shared by every environment: only render() uses it


def _key_lines(node: NodeFile) -> str:
    if node.api_key_file:
        return (
            "# The API key is in this file (mode 0600); `vnode set-api-key` replaces it.\n"
            f"api_key_file = {node.api_key_file}"
        )
    return (
        "# Keep this file readable only by the node's user, or move the key to a file of its\n"
        f"# own (`vnode set-api-key` does) or to the environment variable {API_KEY_ENV}.\n"
        f"api_key = {node.api_key}"
    )


def _database_lines(node: NodeFile) -> str:
    if node.databases:
        return "\n".join(node.databases)
    return (
        f'# Type {", ".join(DATABASE_TYPES)}. Give your data and remove the "#"; a file\n'
        "# that does not exist stops the node at start.\n"
        "# default = csv:/path/to/your/data.csv"
    )


def _encryption_lines(node: NodeFile) -> str:
    if node.encryption is None:
        return (
            "# Must equal the collaboration's `encrypted` setting, which could not be read: "
            "check it.\nenabled = false"
        )
    lines = "# Must equal the collaboration's `encrypted` setting.\n"
    if not node.encryption:
        kept = f"\nprivate_key = {node.private_key}" if node.private_key else ""
        return lines + "enabled = false" + kept
    if node.private_key:
        return lines + f"enabled = true\nprivate_key = {node.private_key}"
    return lines + (
        "enabled = true\n"
        "# Your organization's private key file (the same for all its nodes and users): give\n"
        '# it and remove the "#"; the node does not start without it.\n'
        "# private_key = /path/to/your/private_key.pem"
    )


def _registry_sections(node: NodeFile, at: str) -> str:
    return "".join(
        f"\n[registry:{host}{at}]\nusername = {username}\npassword_file = {password_file}\n"
        for host, username, password_file in node.registries
    )


def _algorithm_env_section(node: NodeFile, at: str) -> str:
    if not node.algorithm_env:
        return ""
    lines = "".join(f"{name} = {value}\n" for name, value in node.algorithm_env)
    comment = "# Extra environment variables of every algorithm container.\n"
    return f"\n[algorithm_env{at}]\n{comment}{lines}"


def _vpn_section(node: NodeFile, at: str) -> str:
    if not node.vpn_subnet:
        return ""
    return (
        f"\n[vpn{at}]\n"
        "# The server's vantage6.vpn.subnet: runs whose image EXPOSEs ports reach their job's\n"
        "# other runs over WireGuard (needs root and wireguard-tools; see node/README.md).\n"
        f"subnet = {node.vpn_subnet}\n"
    )


def render_environment(node: NodeFile) -> str:
    """The node sections of ``node``, as its environment's own when it has one."""
    at = "" if node.environment == APPLICATION else f"@{node.environment}"
    port = "" if node.port is None else f"port = {node.port}\n"
    images = "".join(f"\n    {image}" for image in node.allowed_images)
    return f"""\
[node{at}]
name = {node.name}
{_key_lines(node)}
# Where the node keeps each run's input and output.
task_dir = {node.task_dir}
# docker: isolated containers (the only choice for real data); process: development only.
runtime = {node.runtime}

[server{at}]
url = {node.server_url}
{port}api_path = {node.api_path}

[databases{at}]
# <label> = <type>:<uri>; tasks name the labels they read.
{_database_lines(node)}

[encryption{at}]
{_encryption_lines(node)}
# true: also read the legacy format of vantage6 4.x senders (no integrity check).
allow_legacy = false

[policies{at}]
# Empty: no limit. Each image line is a regular expression for the whole image name; the
# organizations and users are ids, e.g. 1, 4.
allowed_images ={images}
allowed_organizations = {node.allowed_organizations}
allowed_users = {node.allowed_users}
# true: also run R's serialize format (RDS) input, which can run code (CVE-2024-27322).
allow_rds = false

[docker{at}]
# When to pull algorithm images: missing, always or never.
pull = missing
# Limits per algorithm container (leave out for none).
cpus = 2
memory = 4g
pids = 512
# Firewall rules that keep algorithms from this host's other services (needs iptables).
host_firewall = true
{_registry_sections(node, at)}{_algorithm_env_section(node, at)}
[proxy{at}]
# Port of the node proxy that algorithms reach the server through; 0 picks a free one.
port = 0
{_vpn_section(node, at)}""".replace(" \n", "\n")


def render(node: NodeFile, header: str) -> str:
    """A whole new ini file: ``header`` (comment lines: who wrote it, how to start it), the
    environment's sections, then the logging ones every environment shares."""
    return f"""\
{header}
# Every setting is explained in node/node.ini of the vantage6 sources; unknown sections or
# keys and bad values stop the node at start with a message naming them. Other environments
# (dev, test, acc, prod) are [<section>@ENV] sections; `vnode new -e ENV` adds one.

{render_environment(node)}
# The log: the terminal in the foreground (vnode start --attach); in the background, the log
# file `vnode files` shows, rotated when it would pass maxBytes, keeping backupCount files.
[loggers]
keys = root, vantage6

[handlers]
keys = {node.logging.handlers}

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = {node.logging.handlers}

[logger_vantage6]
level = {node.log_level.upper()}
handlers =
qualname = vantage6

{_log_handlers(node)}""".replace(" \n", "\n")


def _log_handlers(node: NodeFile) -> str:
    return render_log_handlers(
        node.logging, "%(asctime)s %(levelname)-7s [%(name)s] %(message)s", "%Y-%m-%d %H:%M:%S"
    )


def _node_file(answers: dict, key_file: Path) -> NodeFile:
    """The answers as they go into the file: paths made absolute, the name the
    environment's."""
    databases = []
    for entry in answers["database"]:
        label, _, rest = entry.partition("=")
        type_, _, uri = (part.strip() for part in rest.partition(":"))
        if type_ in FILE_TYPES:
            uri = str(Path(uri).expanduser().resolve())
        databases.append(f"{label.strip()} = {type_}:{uri}")
    encryption = answers["encryption"]
    return NodeFile(
        name=f"{answers['name']}{_suffix(answers)}",
        server_url=answers["server_url"],
        port=answers["port"],
        api_path=normalise_api_path(answers["api_path"]),
        api_key_file=key_file.name,
        task_dir=str(_resolved(answers["task_dir"])),
        runtime=answers["runtime"],
        databases=tuple(databases),
        encryption=encryption,
        private_key=str(_resolved(answers["private_key"])) if encryption else "",
        allowed_images=tuple(answers["allowed_image"]),
        allowed_organizations=answers["allowed_organizations"],
        allowed_users=answers["allowed_users"],
        log_level=answers["log_level"],
        environment=answers["environment"],
    )


def _resolved(path: str) -> Path:
    return Path(path).expanduser().resolve()


def _header(answers: dict) -> str:
    select = f"--name {answers['name']} --{answers['scope'].value}"
    if answers["environment"] != APPLICATION:
        select += f" -e {answers['environment']}"
    return (
        f"# vantage6 node {answers['name']!r}, written by `vnode new`.\n"
        f"#   vnode start {select}        run it (vnode stop, attach, files, set-api-key)"
    )


@click.command()
@click.option("-n", "--name", help="Name of the new node configuration (also its file name).")
@click.option(
    "--system/--user",
    "system",
    default=False,
    help="Store it for every user of this machine, or only for you (default).",
)
@environment_option(
    "The environment to write ([<section>@ENV] sections; application: [<section>])."
)
@click.option("--no-input", is_flag=True, help="Ask nothing: defaults for all options not given.")
@from_yaml_option("node", "--system/--user, --api-key and --no-input")
@question_options(QUESTIONS)
def new(name, system, environment, no_input, from_yaml, **given):
    """Create a node configuration: asks for each setting (or takes options) and writes
    <name>.ini, with the API key in <name>.api_key beside it, in the user or system
    configuration folder.

    \b
    Examples:
      vnode new
      vnode new --name hospital-a --system
      vnode new --name hospital-a --no-input --server-url https://v6.example.org \\
          --port 443 --api-path /api --api-key "$KEY" --database default=csv:/data/a.csv
      vnode new --name enc --no-input --api-key "$KEY" --encryption \\
          --private-key /etc/vantage6/org.pem --allowed-image 'harbor2\\.vantage6\\.ai/.*'
      vnode new --name hospital-a -e test --server-url https://test.v6.example.org
      vnode new --from-yaml hospital-a.yaml --api-key "$KEY"
    """
    scope = Scope.SYSTEM if system else Scope.USER
    if from_yaml is not None:
        from vantage6.node.cli.from_yaml import command

        return command(from_yaml, name, scope, no_input, given, QUESTIONS)
    name = new_name(name, KIND, no_input)
    if not NAME.match(name):
        raise click.BadParameter("a node name has at most 63 characters", param_hint="--name")
    found = FoundConfig(name, config_path(KIND, name, scope), scope)
    instance = NodeInstance.named(found, environment=environment)
    key_file = found.path.with_name(f"{instance.stem}.api_key")
    new_file = _check_target(instance, key_file)
    if no_input and given["api_key"] is None:
        raise click.UsageError("--api-key is required with --no-input")
    answers = {"name": name, "scope": scope, "environment": environment}
    ask_all(QUESTIONS, given, answers, no_input)
    _check_labels(answers["database"])
    _write_all(instance, key_file, answers, new_file)
    where = "" if environment == APPLICATION else f"environment {environment!r} of "
    success(f"Wrote {where}node {name!r} to {found.path}")
    _next_steps(instance, answers)


def _check_target(instance: NodeInstance, key_file: Path) -> bool:
    """Whether the ini file is new; refuses an environment it has, or a key file that exists."""
    path, environment = instance.config, instance.environment
    other = "" if environment == APPLICATION else " or environment"
    if path.exists() and environment in environments(instance.raw()):
        what = "" if environment == APPLICATION else f" with environment {environment!r}"
        raise Failure(f"{path} exists{what}: choose another name{other}, or edit that file")
    if key_file.exists():
        raise Failure(f"{key_file} exists: choose another name{other}, or remove that file")
    return not path.exists()


def _check_labels(databases: list[str]) -> None:
    labels = [entry.partition("=")[0].strip() for entry in databases]
    twice = sorted({label for label in labels if labels.count(label) > 1})
    if twice:
        raise click.BadParameter(f"database {twice[0]!r} given twice", param_hint="--database")


def _write_all(instance: NodeInstance, key_file: Path, answers: dict, new_file: bool) -> None:
    """The API key file, the private key when there is none, the ini (or the environment's
    sections added to it); then the ini must load as the node loads it. On any failure,
    what was written is removed again and an existing ini gets its old text back."""
    path, written = instance.config, []
    old_text = None if new_file else path.read_text(encoding="utf-8")
    try:
        write_config(key_file, answers["api_key"] + "\n")
        written.append(key_file)
        if answers["encryption"]:
            written += _make_private_key(_resolved(answers["private_key"]))
        node = _node_file(answers, key_file)
        if new_file:
            write_config(path, render(node, _header(answers)))
            written.append(path)
        else:
            write_config(path, render_environment(node), new_file=False)
        load_config(path, instance.environment)
    except ConfigError as exc:
        _undo(written, path, old_text)
        raise Failure(f"the configuration would not load; nothing was written. {exc}") from None
    except BaseException:
        _undo(written, path, old_text)
        raise


def _undo(written: list[Path], path: Path, old_text: str | None) -> None:
    _remove(written)
    if old_text is not None:
        path.write_text(old_text, encoding="utf-8")


def _make_private_key(path: Path) -> list[Path]:
    if path.exists():
        note(f"Using the private key in {path}")
        return []
    note(f"Making a new private key in {path}")
    try:
        RSACryptor.create_new_rsa_key(path)
    except (InvalidKey, OSError) as exc:
        raise Failure(f"cannot make a private key in {path}: {exc}") from None
    return [path]


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _next_steps(instance: NodeInstance, answers: dict) -> None:
    select = instance.selector
    note(f"  start it:          vnode start {select}")
    note(f"  see its files:     vnode files {select}")
    if answers["encryption"]:
        note(f"  upload its key:    vnode create-private-key {select} (or it does at start)")
    if not answers["allowed_image"]:
        note("  every image may run here: consider --allowed-image (node/README.md)")
