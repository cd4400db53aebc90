"""The node's ini file: read once at start, checked completely, frozen.

Every problem (unknown section or key, bad value, missing file) is collected and reported in one
:class:`ConfigError` that names the file, the section and the key, so a node owner fixes them
all in one go instead of one per start. Relative paths resolve against the ini file's folder.
The standard logging sections (``[loggers]``, ``[handlers]``, ``[formatters]`` and their
``logger_*``/``handler_*``/``formatter_*`` parts) are left to :func:`logging.config.fileConfig`.

Environments (the seed's ``dev``/``test``/``acc``/``prod``): a section ``[<section>@<env>]``
overrides and extends ``[<section>]`` when the node runs in that environment, and is ignored
otherwise (``application``, the default). ``@`` because ``[database:<label>]`` and
``[registry:<host>]`` already use the colon. An environment is another node: unless its own
sections say otherwise, its name gets ``-<env>`` and a ``task_dir`` it inherits gets ``/<env>``.
"""

from __future__ import annotations

import configparser
import ipaddress
import logging.config
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from vantage6.common.api_path import DEFAULT_API_PATH, normalise_api_path

API_KEY_ENV = "VANTAGE6_NODE_API_KEY"
DATABASE_TYPES = ("csv", "parquet", "excel", "sql", "folder", "other")
FILE_TYPES = ("csv", "parquet", "excel", "folder")  # their URIs are local paths
PULL_POLICIES = ("missing", "always", "never")
RUNTIMES = ("docker", "process")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")  # also names Docker networks/volumes
NAMESPACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")  # a file in /run/netns
LABEL = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")  # becomes part of env variable names
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MEMORY = re.compile(r"^[0-9]+[bkmgBKMG]?$")
LOGGING = re.compile(r"^(loggers|handlers|formatters|(logger|handler|formatter)_.+)$")
APPLICATION = "application"  # no environment: the sections without ``@<env>``
ENVIRONMENTS = ("dev", "test", "acc", "prod")
# Keys that are one setting: an environment giving one of them drops the others it inherits.
ALTERNATIVES = ({"api_key", "api_key_file"}, {"password", "password_file"})

# section -> the keys it may have (sections with free keys are handled on their own)
KEYS = {
    "node": {
        *("name", "api_key", "api_key_file", "task_dir", "runtime"),
        *("plugins", "plugins.blocked", "restart_interrupted"),
    },
    "server": {"url", "port", "api_path"},
    "encryption": {"enabled", "private_key", "allow_legacy"},
    "policies": {"allowed_images", "allowed_organizations", "allowed_users", "allow_rds"},
    "docker": {"pull", "cpus", "memory", "pids", "host_firewall"},
    "proxy": {"port"},
    "vpn": {"subnet", "namespace"},
}
DATABASE_KEYS = {"type", "uri"}
REGISTRY_KEYS = {"username", "password", "password_file"}
FREE_KEYS = ("databases", "algorithm_env")  # sections whose keys the owner names


class ConfigError(Exception):
    """The ini file cannot be used; the message lists every problem found."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"{path}: {len(problems)} problem(s) in the node configuration:\n{lines}")


@dataclass(frozen=True)
class Database:
    label: str
    type: str
    uri: str


@dataclass(frozen=True)
class Policies:
    """What may run here; an empty collection sets no limit."""

    allowed_images: tuple[re.Pattern, ...] = ()
    allowed_organizations: frozenset[int] = frozenset()
    allowed_users: frozenset[int] = frozenset()
    # run input in R's serialize format (the original R client's): unserializing untrusted
    # RDS can run code (CVE-2024-27322), so only where the node's owner says so
    allow_rds: bool = False


@dataclass(frozen=True)
class Registry:
    registry: str
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class Limits:
    cpus: float | None = None
    memory: str | None = None
    pids: int | None = None


@dataclass(frozen=True)
class Vpn:
    """The VPN between algorithms (the seed's ``vpn_subnet``): the hub's subnet, and the
    network namespace where this node's end of it lives (made when missing)."""

    subnet: ipaddress.IPv4Network
    namespace: str


@dataclass(frozen=True)
class NodeConfig:
    name: str
    path: Path
    server_url: str
    port: int | None
    api_path: str
    api_key: str = field(repr=False)
    task_dir: Path
    databases: tuple[Database, ...] = ()
    encryption_enabled: bool = False
    private_key: Path | None = None
    # read the legacy format (no integrity check) of vantage6 4.x and older senders
    allow_legacy_encryption: bool = False
    policies: Policies = Policies()
    registries: tuple[Registry, ...] = ()
    pull: str = "missing"
    algorithm_env: dict = field(default_factory=dict)
    limits: Limits = Limits()
    host_firewall: bool = True  # keep algorithms from the host's services but the proxy
    proxy_port: int = 0
    runtime: str = "docker"
    # how often a run whose algorithm died with the node is started again (0: it fails)
    restart_interrupted: int = 1
    plugins: tuple[str, ...] = ()  # entry point names (group vantage6.node) to load
    blocked_plugins: tuple[str, ...] = ()
    environment: str = APPLICATION
    vpn: Vpn | None = None

    @property
    def api_url(self) -> str:
        """The server's API root, e.g. ``http://localhost:7601/api``."""
        port = f":{self.port}" if self.port is not None else ""
        return f"{self.server_url.rstrip('/')}{port}{self.api_path}"

    def database(self, label: str) -> Database | None:
        return next((db for db in self.databases if db.label == label), None)


class _Reader:
    """Reads values off the parser, noting problems instead of stopping at the first."""

    def __init__(self, path: Path, parser: configparser.ConfigParser, environment: str):
        self.path = path
        self.folder = path.parent
        self.parser = parser
        self.environment = environment
        self.origin: dict[tuple[str, str | None], str] = {}  # see apply_environment
        self.problems: list[str] = []

    def problem(self, section: str, key: str | None, message: str) -> None:
        """Noted as ``[section] key: message``, naming the section the value was written in."""
        written = self.origin.get((section, key)) or self.origin.get((section, None), section)
        where = f"[{written}]" + (f" {key}" if key else "")
        self.problems.append(f"{where}: {message}")

    def inherited(self, section: str, key: str) -> bool:
        """Whether the node runs in an environment whose own sections do not set ``key``."""
        return self.environment != APPLICATION and (section, key) not in self.origin

    def text(self, section: str, key: str, default: str | None = None) -> str | None:
        if not self.parser.has_option(section, key):
            return default
        value = self.parser.get(section, key).strip()
        return value if value else default

    def required(self, section: str, key: str, hint: str = "") -> str:
        value = self.text(section, key)
        if value is None:
            self.problem(section, key, "is required" + (f" ({hint})" if hint else ""))
            return ""
        return value

    def integer(self, section, key, default=None, minimum=0, maximum=None) -> int | None:
        raw = self.text(section, key)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or value < minimum or (maximum is not None and value > maximum):
            upper = f" and at most {maximum}" if maximum is not None else ""
            self.problem(
                section, key, f"must be a whole number of at least {minimum}{upper}, not {raw!r}"
            )
            return default
        return value

    def number(self, section: str, key: str) -> float | None:
        raw = self.text(section, key)
        if raw is None:
            return None
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not value > 0:
            self.problem(section, key, f"must be a number above 0, not {raw!r}")
            return None
        return value

    def flag(self, section: str, key: str, default: bool = False) -> bool:
        raw = self.text(section, key)
        if raw is None:
            return default
        if raw.lower() not in configparser.ConfigParser.BOOLEAN_STATES:
            self.problem(section, key, f"must be true or false, not {raw!r}")
            return default
        return configparser.ConfigParser.BOOLEAN_STATES[raw.lower()]

    def choice(self, section: str, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.text(section, key, default)
        if value not in choices:
            self.problem(section, key, f"must be one of {', '.join(choices)}, not {value!r}")
            return default
        return value

    def resolve(self, value: str) -> Path:
        """``value`` as a path; relative ones start at the ini file's folder."""
        return (self.folder / Path(value).expanduser()).resolve()

    def existing_file(self, section: str, key: str, value: str) -> Path | None:
        path = self.resolve(value)
        if not path.is_file():
            self.problem(section, key, f"file {str(path)!r} does not exist")
            return None
        return path

    def secret_file(self, section: str, key: str) -> str | None:
        """The content of the file named by ``key`` (whitespace around it dropped)."""
        value = self.text(section, key)
        if value is None:
            return None
        path = self.existing_file(section, key, value)
        if path is None:
            return None
        secret = path.read_text().strip()
        if not secret:
            self.problem(section, key, f"file {str(path)!r} is empty")
        return secret or None

    def ids(self, section: str, key: str) -> frozenset[int]:
        raw = self.text(section, key, "")
        found = set()
        for item in re.split(r"[\s,]+", raw.strip()):
            if not item:
                continue
            if not item.isdigit():
                self.problem(section, key, f"must be ids (whole numbers), not {item!r}")
                continue
            found.add(int(item))
        return frozenset(found)


def split_section(section: str) -> tuple[str, str | None]:
    """``server@prod`` -> ``("server", "prod")``; ``server`` -> ``("server", None)``."""
    base, at, environment = section.rpartition("@")
    return (base, environment) if at else (section, None)


def _section_keys(section: str) -> set[str] | None:
    """The keys a node section may have (None: any); KeyError for no node section."""
    if section in KEYS:
        return KEYS[section]
    if section.startswith("database:"):
        return DATABASE_KEYS
    if section.startswith("registry:"):
        return REGISTRY_KEYS
    if section in FREE_KEYS:
        return None
    raise KeyError(section)


def environments(parser: configparser.ConfigParser) -> list[str]:
    """The environments an ini file defines: ``application`` when it has node sections of
    its own, and each ``<env>`` of its ``[<section>@<env>]`` sections."""
    found = set()
    for section in parser.sections():
        base, environment = split_section(section)
        if environment is None and not LOGGING.match(base):
            found.add(APPLICATION)
        elif environment is not None:
            found.add(environment)
    return [env for env in (APPLICATION, *ENVIRONMENTS) if env in found]


def apply_environment(parser: configparser.ConfigParser, environment: str | None) -> dict:
    """Moves the keys of ``[<section>@<environment>]`` into ``[<section>]`` and drops every
    ``@`` section, so the rest reads one flat file. Returns (section, key) -> the section
    each moved key (key None: each section only the environment has) was written in."""
    origin = {}
    for section in parser.sections():
        base, env = split_section(section)
        if env is None:
            continue
        values = dict(parser.items(section))
        parser.remove_section(section)
        if env != environment:
            continue
        if not parser.has_section(base):
            parser.add_section(base)
            origin[(base, None)] = section
        for group in ALTERNATIVES:
            if group & values.keys():
                for key in group - values.keys():
                    parser.remove_option(base, key)
        for key, value in values.items():
            parser.set(base, key, value)
            origin[(base, key)] = section
    return origin


def load_config(path: str | os.PathLike, environment: str | None = None) -> NodeConfig:
    """The node configuration in ``path``, as it is in ``environment`` (None or
    ``application``: the sections without ``@<env>``); :class:`ConfigError` lists everything
    wrong."""
    path = Path(path).expanduser().resolve()
    parser = configparser.ConfigParser(interpolation=None, default_section="\0none")
    parser.optionxform = str  # algorithm_env names keep their case
    try:
        with path.open(encoding="utf-8") as file:
            parser.read_file(file)
    except OSError as exc:
        raise ConfigError(path, [f"cannot be read: {exc.strerror or exc}"]) from None
    except configparser.Error as exc:
        raise ConfigError(path, [f"is not a valid ini file: {exc.message}"]) from None
    environment = environment or APPLICATION
    _check_environment(path, parser, environment)
    reader = _Reader(path, parser, environment)
    _check_names(reader)
    reader.origin = apply_environment(parser, environment)
    config = _build(reader)
    if reader.problems:
        raise ConfigError(path, reader.problems)
    return config


def _check_environment(path: Path, parser: configparser.ConfigParser, environment: str) -> None:
    if environment == APPLICATION:
        return
    if environment not in ENVIRONMENTS:
        known = ", ".join((APPLICATION, *ENVIRONMENTS))
        raise ConfigError(path, [f"environment {environment!r} is unknown (known: {known})"])
    if environment not in environments(parser):
        found = ", ".join(environments(parser)) or "none"
        raise ConfigError(
            path,
            [
                f"has no [<section>@{environment}] section for environment {environment!r} "
                f"(environments in it: {found})"
            ],
        )


def _check_names(reader: _Reader) -> None:
    """Unknown sections, environments and keys are reported, those of every environment:
    a typo must not silently drop a setting."""
    for section in reader.parser.sections():
        base, environment = split_section(section)
        if environment is None and LOGGING.match(base):
            continue
        if environment is not None and environment not in ENVIRONMENTS:
            known = ", ".join(ENVIRONMENTS)
            reader.problem(section, None, f"unknown environment {environment!r} (known: {known})")
            continue
        try:
            allowed = _section_keys(base)
        except KeyError:
            shared = environment is not None and LOGGING.match(base)
            reader.problem(
                section,
                None,
                "logging is the same in every environment" if shared else "unknown section",
            )
            continue
        if allowed is None:
            continue
        for key in reader.parser.options(section):
            if key not in allowed:
                reader.problem(section, key, f"unknown key (known: {', '.join(sorted(allowed))})")


def _build(reader: _Reader) -> NodeConfig:
    name = reader.text("node", "name", reader.path.stem)
    if reader.inherited("node", "name"):
        name = f"{name}-{reader.environment}"
    if not NAME.match(name):
        reader.problem("node", "name", f"must be letters, digits, '_', '.' or '-', not {name!r}")
    encryption_enabled = reader.flag("encryption", "enabled")
    return NodeConfig(
        name=name,
        path=reader.path,
        server_url=_server_url(reader),
        port=reader.integer("server", "port", minimum=1, maximum=65535),
        api_path=_api_path(reader),
        api_key=_api_key(reader),
        task_dir=_task_dir(reader, name),
        databases=_databases(reader),
        encryption_enabled=encryption_enabled,
        private_key=_private_key(reader, encryption_enabled),
        allow_legacy_encryption=reader.flag("encryption", "allow_legacy", False),
        policies=_policies(reader),
        registries=_registries(reader),
        pull=reader.choice("docker", "pull", PULL_POLICIES, "missing"),
        algorithm_env=_algorithm_env(reader),
        limits=_limits(reader),
        host_firewall=reader.flag("docker", "host_firewall", True),
        proxy_port=reader.integer("proxy", "port", 0, maximum=65535),
        runtime=reader.choice("node", "runtime", RUNTIMES, "docker"),
        restart_interrupted=reader.integer("node", "restart_interrupted", 1),
        plugins=tuple((reader.text("node", "plugins") or "").split()),
        blocked_plugins=tuple((reader.text("node", "plugins.blocked") or "").split()),
        environment=reader.environment,
        vpn=_vpn(reader, name),
    )


def _vpn(reader: _Reader, name: str) -> Vpn | None:
    """``[vpn]``: none without a subnet. The namespace defaults to one named after the node."""
    raw = reader.text("vpn", "subnet")
    if raw is None:
        return None
    try:
        subnet = ipaddress.IPv4Network(raw)
    except ValueError:
        reader.problem(
            "vpn", "subnet", f"must be an IPv4 network such as 10.76.0.0/16, not {raw!r}"
        )
        return None
    namespace = reader.text("vpn", "namespace", f"v6-{name}")
    if not NAMESPACE.match(namespace):
        reader.problem(
            "vpn", "namespace", f"must be letters, digits, '_', '.' or '-', not {namespace!r}"
        )
    return Vpn(subnet, namespace)


def _task_dir(reader: _Reader, name: str) -> Path:
    """``[node] task_dir``; one an environment inherits gets a folder of its own in it."""
    value = reader.text("node", "task_dir")
    if value is None:
        return reader.resolve(f"{name}-tasks")
    path = reader.resolve(value)
    return path / reader.environment if reader.inherited("node", "task_dir") else path


def _server_url(reader: _Reader) -> str:
    url = reader.required("server", "url", "e.g. https://vantage6.example.org")
    if url and not re.match(r"^https?://[^/\s]+", url):
        reader.problem("server", "url", f"must start with http:// or https://, not {url!r}")
    return url


def _api_path(reader: _Reader) -> str:
    """Left out, ``/api``; given empty (``api_path =``), the root path, as for the server."""
    if not reader.parser.has_option("server", "api_path"):
        return DEFAULT_API_PATH
    return normalise_api_path(reader.parser.get("server", "api_path"))


def _api_key(reader: _Reader) -> str:
    """From the environment, else from ``api_key_file``, else from ``api_key`` itself."""
    from_env = os.environ.get(API_KEY_ENV, "").strip()
    in_file = reader.text("node", "api_key")
    key_file = reader.text("node", "api_key_file")
    if in_file and key_file:
        reader.problem("node", "api_key", "give api_key or api_key_file, not both")
    if from_env:
        return from_env
    key = reader.secret_file("node", "api_key_file") if key_file else in_file
    if key is None and not key_file:
        reader.problem("node", "api_key", f"is required (or api_key_file, or env {API_KEY_ENV})")
    return key or ""


def _databases(reader: _Reader) -> tuple[Database, ...]:
    found: dict[str, Database] = {}

    def add(section: str, key: str | None, label: str, type_: str, uri: str) -> None:
        if not LABEL.match(label):
            reader.problem(
                section,
                key,
                f"label {label!r}: use letters, digits and '_', starting with a letter",
            )
        elif label in found:
            reader.problem(section, key, f"database {label!r} is configured twice")
        elif type_ not in DATABASE_TYPES:
            reader.problem(
                section, key, f"type must be one of {', '.join(DATABASE_TYPES)}, not {type_!r}"
            )
        elif not uri:
            reader.problem(section, key, "the database URI is empty")
        else:
            found[label] = Database(label, type_, _database_uri(reader, section, key, type_, uri))

    if reader.parser.has_section("databases"):
        for label, value in reader.parser.items("databases"):
            type_, colon, uri = value.strip().partition(":")
            if not colon:
                reader.problem("databases", label, f"must be <type>:<uri>, not {value.strip()!r}")
                continue
            add("databases", label, label, type_.strip(), uri.strip())
    for section in reader.parser.sections():
        if section.startswith("database:"):
            label = section.removeprefix("database:")
            type_ = reader.required(section, "type", "|".join(DATABASE_TYPES))
            uri = reader.required(section, "uri")
            if type_ and uri:
                add(section, None, label, type_, uri)
    return tuple(found.values())


def _database_uri(reader: _Reader, section: str, key: str | None, type_: str, uri: str) -> str:
    """Local files and folders as absolute paths that must exist; other URIs as they are."""
    if type_ not in FILE_TYPES:
        return uri
    path = reader.resolve(uri)
    exists = path.is_dir() if type_ == "folder" else path.is_file()
    if not exists:
        kind = "folder" if type_ == "folder" else "file"
        reader.problem(section, key or "uri", f"{kind} {str(path)!r} does not exist")
    return str(path)


def _private_key(reader: _Reader, enabled: bool) -> Path | None:
    value = reader.text("encryption", "private_key")
    if value is None:
        if enabled:
            reader.problem("encryption", "private_key", "is required when encryption is enabled")
        return None
    return (
        reader.existing_file("encryption", "private_key", value)
        if enabled
        else reader.resolve(value)
    )


def _policies(reader: _Reader) -> Policies:
    patterns = []
    for line in reader.text("policies", "allowed_images", "").splitlines():
        if not line.strip():
            continue
        try:
            patterns.append(re.compile(line.strip()))
        except re.error as exc:
            reader.problem(
                "policies", "allowed_images", f"bad regular expression {line.strip()!r}: {exc}"
            )
    return Policies(
        allowed_images=tuple(patterns),
        allowed_organizations=reader.ids("policies", "allowed_organizations"),
        allowed_users=reader.ids("policies", "allowed_users"),
        allow_rds=reader.flag("policies", "allow_rds", False),
    )


def _registries(reader: _Reader) -> tuple[Registry, ...]:
    found = []
    for section in reader.parser.sections():
        if not section.startswith("registry:"):
            continue
        username = reader.required(section, "username")
        if reader.text(section, "password") and reader.text(section, "password_file"):
            reader.problem(section, "password", "give password or password_file, not both")
        password = reader.secret_file(section, "password_file") or reader.text(section, "password")
        if password is None and reader.text(section, "password_file") is None:
            reader.problem(section, "password", "is required (or password_file)")
        found.append(Registry(section.removeprefix("registry:"), username, password or ""))
    return tuple(found)


def _algorithm_env(reader: _Reader) -> dict:
    if not reader.parser.has_section("algorithm_env"):
        return {}
    variables = {}
    for name, value in reader.parser.items("algorithm_env"):
        if not ENV_NAME.match(name):
            reader.problem("algorithm_env", name, "is not a valid environment variable name")
        else:
            variables[name] = value.strip()
    return variables


def _limits(reader: _Reader) -> Limits:
    memory = reader.text("docker", "memory")
    if memory is not None and not MEMORY.match(memory):
        reader.problem("docker", "memory", f"must be a size such as 512m or 2g, not {memory!r}")
        memory = None
    return Limits(
        cpus=reader.number("docker", "cpus"),
        memory=memory,
        pids=reader.integer("docker", "pids", minimum=1),
    )


def configure_logging(config: NodeConfig, level: str = "INFO") -> None:
    """The ini file's logging sections when it has them, else plain lines on stderr.
    ``%(here)s`` in them is the ini file's folder (as pserve does for servers)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(config.path, encoding="utf-8")
    if parser.has_section("loggers"):
        logging.config.fileConfig(
            config.path, defaults={"here": str(config.path.parent)}, disable_existing_loggers=False
        )
    else:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s")
