"""``vnode new --from-yaml FILE``: a node configuration of vantage6 4.x, in the YAML format its
documentation shows, written as our ini file.

The ``application`` block becomes the ``[<section>]`` sections, each environment block
(``dev``, ``test``, ``acc``, ``prod``) the ``[<section>@ENV]`` sections, written whole by the
wizard's :func:`~vantage6.node.cli.wizard.render` (no second ini writer). Secrets go where
``vnode new`` puts them: each API key in ``<name>[-ENV].api_key`` beside the ini, a registry's
password in a ``password_file`` beside it, all mode 0600; the report never shows them. Relative
paths in the YAML start at the YAML file's folder. As with ``vnode new``, every file is
written and the ini loads as the node loads it (each environment), or nothing is left behind.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import click

from vantage6.common.cli_output import Failure, note, success
from vantage6.common.configdirs import FoundConfig, Scope, config_path, data_dir
from vantage6.common.wizard import ask, new_name, write_config
from vantage6.common.yaml_config import (
    APPLICATION,
    NODE_KEYS,
    SERVER_KEYS,
    Block,
    Report,
    blocks,
    check_kind,
    foreign_windows_path,
    is_hidden,
    local_path,
    read_yaml,
    refuse_other_options,
)
from vantage6.common.yaml_logging import logging_of
from vantage6.node.cli.instance import KIND, NodeInstance
from vantage6.node.cli.wizard import (
    QUESTIONS,
    NodeFile,
    check_api_key,
    render,
    render_environment,
)
from vantage6.node.config import (
    DATABASE_TYPES,
    ENV_NAME,
    FILE_TYPES,
    LABEL,
    NAME,
    ConfigError,
    load_config,
)

_OWN_VPN = "our VPN is WireGuard run by the node itself ([vpn] subnet), with no helper images"
_ON_HOST = "our node runs on this host as a service (vnode start), not in a Docker container"
REASONS = {
    "images": {
        "node": _ON_HOST + ", so it has no image",
        "vpn_client": _OWN_VPN,
        "network_config": _OWN_VPN,
        "*": "our node starts no helper containers, only the algorithms' images",
    },
    "node_extra_env": _ON_HOST + ": set variables in its environment",
    "node_extra_mounts": _ON_HOST + ": it reads the host's files as they are",
    "node_extra_hosts": _ON_HOST + ": it uses the host's name resolution",
    "ssh-tunnels": "we have no SSH tunnels for algorithms",
    "ssh_tunnels": "we have no SSH tunnels for algorithms",
    "whitelist": "we have no proxy that lets algorithms reach other hosts",
    "docker_services": "algorithms reach no other containers of this host",
    "share_config": "the node always shares its settings' names, never their values",
    "share_algorithm_logs": "the algorithms' logs always go to the server with their run",
    "algorithm_device_requests": "we have no GPU requests for algorithm containers",
    "prometheus": "we have no Prometheus reporting",
    "run_context_file": "we have no run context file",
    "debug": "use the log level ([logger_vantage6] level = DEBUG)",
}
POLICY_REASONS = {
    "allow_basics_algorithm": "we have no exception for the basics algorithm: add its image "
    "to allowed_images",
    "allowed_algorithm_stores": "we have no algorithm stores: allowed_images decides",
    "allow_either_whitelist_or_store": "we have no algorithm stores: allowed_images decides",
    "require_algorithm_pull": "see [docker] pull (missing, always, never)",
}
_SQL_SCHEMES = {"postgresql", "postgres", "mysql", "mariadb", "sqlite", "mssql", "oracle"}
_SUFFIX_TYPES = {".csv": "csv", ".parquet": "parquet", ".xlsx": "excel", ".xls": "excel"}
_URI = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")


@dataclass
class Environment:
    """What one block of the YAML becomes: its sections and its secrets."""

    block: Block
    instance: NodeInstance
    fields: dict = field(default_factory=dict)  # NodeFile's, but api_key_file and logging
    api_key: str | None = field(default=None, repr=False)
    secrets: list[tuple[Path, str]] = field(default_factory=list, repr=False)  # registries

    @property
    def key_file(self) -> Path:
        return self.instance.config.with_name(f"{self.instance.stem}.api_key")


def command(source: Path, name, scope: Scope, no_input: bool, given: dict, questions) -> None:
    """``vnode new --from-yaml``: the other options of ``new`` that would give settings are
    refused, as the file gives them; --api-key only fills in a key the file leaves out."""
    refuse_other_options(given, questions, allowed=("api_key",))
    new_from_yaml(source, name, scope, no_input, given["api_key"])


def new_from_yaml(
    source: Path, name: str | None, scope: Scope, no_input: bool, api_key: str | None
) -> None:
    """Reads ``source``, writes the node's ini and secret files, and says what became of each
    key; a file that is not a node's YAML configuration is refused, writing nothing."""
    report = Report(source)
    found = blocks(read_yaml(source), report)
    check_kind(found, NODE_KEYS, SERVER_KEYS, "server", "vserver")
    name = _name(name, source)
    path = config_path(KIND, name, scope)
    if path.exists():
        raise Failure(f"{path} exists: choose another name (--name), or remove that file")
    folder = data_dir(KIND, scope, name)
    log = logging_of(found, folder)
    environments = []
    for block in found:
        found_config = FoundConfig(name, path, scope)
        instance = NodeInstance.named(found_config, environment=block.name)
        environment = Environment(block, instance)
        _translate(environment, name, folder, source.parent, environments[:1])
        environments.append(environment)
    report.stop_on_problems()
    _inherited(environments)
    _check_free(environments)
    _api_keys(environments, api_key, no_input)
    nodes = [
        NodeFile(**env.fields, api_key_file=env.key_file.name, environment=env.block.name)
        for env in environments
    ]
    nodes[0] = replace(nodes[0], log_level=log.level or "INFO", logging=log.settings)
    text = render(nodes[0], _header(name, source, environments[0], report))
    text += "".join("\n" + render_environment(node) for node in nodes[1:])
    _write(path, text, environments, log.settings.file)
    report.show()
    where = ", ".join(env.block.name for env in environments)
    success(f"Wrote node {name!r} ({where}) from {source} to {path}")
    for env in environments:
        note(f"  start it:          vnode start {env.instance.selector}")
    note(f"  see its files:     vnode files {environments[0].instance.selector}")


def _name(name: str | None, source: Path) -> str:
    name = new_name(name or source.stem, KIND, True)
    if not NAME.match(name):
        raise click.BadParameter(
            f"{name!r}: a node name has at most 63 letters, digits, '_', '.' or '-' (give one)",
            param_hint="--name",
        )
    return name


def _header(name: str, source: Path, first: Environment, report: Report) -> str:
    return (
        f"# vantage6 node {name!r}, written by `vnode new --from-yaml` from {source}.\n"
        f"#   vnode start {first.instance.selector}        run it (vnode stop, attach, files)\n"
        f"{report.header_lines()}".rstrip("\n")
    )


# --- one block ---------------------------------------------------------------------------------


def _translate(env: Environment, name: str, folder: Path, base: Path, first: list) -> None:
    block, at = env.block, "" if env.block.name == APPLICATION else f"@{env.block.name}"
    suffix = "" if env.block.name == APPLICATION else f"-{env.block.name}"
    fields = env.fields
    fields["name"] = f"{name}{suffix}"
    fields["server_url"] = _server_url(block, at, first)
    port = block.integer("port", 1, 65535)
    if port is not None:
        fields["port"] = port
        block.mapped("port", f"[server{at}] port")
    api_path = block.text("api_path")
    fields["api_path"] = "/api" if api_path is None else api_path
    if api_path is not None:
        root = "" if api_path else " (empty: the root path)"
        block.mapped("api_path", f"[server{at}] api_path{root}")
    value = block.raw("api_key")
    if value is not None and not is_hidden(value):
        env.api_key = block.text("api_key")
        problem = env.api_key is not None and check_api_key(env.api_key)
        if problem:
            block.problem("api_key", problem)
        block.mapped("api_key", f"[node{at}] api_key_file = {env.key_file.name} (mode 0600)")
    fields["task_dir"] = _task_dir(block, at, folder / f"tasks{suffix}", base)
    fields["databases"] = tuple(_databases(block, at, base))
    _encryption(block, at, base, fields)
    _policies(block, at, fields)
    fields["registries"] = tuple(_registries(env, at))
    fields["algorithm_env"] = tuple(_algorithm_env(block, at))
    fields["vpn_subnet"] = _vpn_subnet(block, at)
    block.rest(REASONS)


def _server_url(block: Block, at: str, first: list[Environment]) -> str:
    url = block.text("server_url")
    if url is None:
        if first and first[0].block.name == APPLICATION:
            block.check("server_url", f"absent: application's is written in [server{at}] url")
            return first[0].fields["server_url"]
        block.problem(None, "server_url is required (e.g. https://vantage6.example.org)")
        return ""
    if not re.match(r"^https?://[^/\s]+", url):
        block.problem("server_url", "must start with http:// or https://")
    block.mapped("server_url", f"[server{at}] url")
    return url


def _task_dir(block: Block, at: str, default: Path, base: Path) -> str:
    value = block.text("task_dir")
    if value is None:
        return str(default)
    if foreign_windows_path(value):
        block.check("task_dir", f"a Windows path: [node{at}] task_dir = {default} instead")
        return str(default)
    block.mapped("task_dir", f"[node{at}] task_dir")
    return str(local_path(value, base))


# databases: the documentation's `label: path` and 4.x's list of {label, uri, type}


def _databases(block: Block, at: str, base: Path) -> list[str]:
    value = block.raw("databases")
    lines: list[str] = []
    if value is None:
        return lines
    inner = Block(value, block.report, block.name) if isinstance(value, dict) else None
    if inner is not None:
        for label in value:
            uri = inner.text(label)
            if uri is not None:
                lines += _database(inner, label, label, None, uri, at, base)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                block.problem("databases", f"item {index + 1} must be a mapping (label, uri, type)")
                continue
            entry = Block(item, block.report, block.name)
            label, uri, type_ = entry.text("label"), entry.text("uri"), entry.text("type")
            if not label or not uri:
                entry.problem(None, "a database needs a label and a uri")
                continue
            lines += _database(entry, "uri", label, type_, uri, at, base)
            entry.rest(
                {
                    "env": "our databases have no variables of their own: use [algorithm_env]",
                    "mount_mode": "our node always mounts data read-only",
                }
            )
    else:
        block.problem("databases", "must be a mapping of label: uri, or a list")
    return lines


def _database(
    block: Block, key: str, label: str, type_: str | None, uri: str, at: str, base: Path
) -> list[str]:
    if not LABEL.match(label):
        block.problem(key, f"label {label!r}: use letters, digits and '_', starting with a letter")
        return []
    scheme = _URI.match(uri)
    if type_ is None:
        type_ = _guess_type(uri, scheme, base)
        guessed = f" (type {type_}, from its {'scheme' if scheme else 'name'})"
    elif type_ not in DATABASE_TYPES:
        block.check(key, f"type {type_!r} is not ours: written as type other")
        type_, guessed = "other", None
    else:
        guessed = ""
    target = f"[databases{at}] {label} = {type_}:..."
    if scheme or type_ not in FILE_TYPES:
        if guessed is None:  # the check above names it
            return [f"{label} = {type_}:{uri}"]
        if type_ == "other" and not scheme:
            block.check(
                key,
                f"{target}: the node hands an `other` URI to the algorithm as it is, without "
                "mounting it; use csv, parquet, excel or folder for a local file",
            )
        else:
            block.mapped(key, target + guessed)
        return [f"{label} = {type_}:{uri}"]
    if foreign_windows_path(uri):
        where = None
        why = "a Windows path"
    else:
        where = local_path(uri, base)
        exists = where.is_dir() if type_ == "folder" else where.is_file()
        why = None if exists else "it does not exist on this machine"
    if why is None:
        block.mapped(key, target + guessed)
        return [f"{label} = {type_}:{where}"]
    block.check(
        key,
        f"{why}: written commented out in [databases{at}]; give the path and remove the '#'",
    )
    return [f"# {label} = {type_}:{where or uri}  (fix the path, then remove the '#')"]


def _guess_type(uri: str, scheme: re.Match | None, base: Path) -> str:
    if scheme:
        return "sql" if scheme["scheme"].split("+")[0].lower() in _SQL_SCHEMES else "other"
    windows = foreign_windows_path(uri)
    suffix = Path(uri.replace("\\", "/")).suffix.lower()
    if suffix in _SUFFIX_TYPES:
        return _SUFFIX_TYPES[suffix]
    if not windows and local_path(uri, base).is_dir():
        return "folder"
    return "other"


def _encryption(block: Block, at: str, base: Path, fields: dict) -> None:
    inner = block.block("encryption")
    fields["encryption"] = False
    if inner is None:
        return
    enabled = inner.flag("enabled")
    fields["encryption"] = bool(enabled)
    if enabled is not None:
        inner.mapped("enabled", f"[encryption{at}] enabled")
    key = inner.text("private_key")
    if key is not None:
        windows = foreign_windows_path(key)
        path = None if windows else local_path(key, base)
        if enabled and (path is None or not path.is_file()):
            inner.problem(
                "private_key",
                f"file {key!r} does not exist here: copy your organization's key here and "
                "give its path (a new key would break the collaboration's encryption)",
            )
        elif windows:
            inner.check("private_key", f"a Windows path, kept as it is in [encryption{at}]")
        elif not path.is_file():
            inner.check(
                "private_key",
                f"[encryption{at}] private_key: the file does not exist (encryption is off, "
                "so the node does not read it)",
            )
        else:
            inner.mapped("private_key", f"[encryption{at}] private_key")
        fields["private_key"] = str(path or key)
    inner.rest({})


def _policies(block: Block, at: str, fields: dict) -> None:
    """``allowed_images`` (the documentation's) and 4.x's ``policies``."""
    images = [(block, "allowed_images", item) for item in block.items("allowed_images")]
    policies = block.block("policies")
    if policies is not None:
        images += [
            (policies, "allowed_algorithms", i) for i in policies.items("allowed_algorithms")
        ]
        for key in ("allowed_users", "allowed_organizations"):
            values = policies.items(key)
            ids = [str(item) for item in values if _is_id(item)]
            fields[key] = ", ".join(ids)
            if ids:
                policies.mapped(key, f"[policies{at}] {key}")
            names = [str(item) for item in values if not _is_id(item)]
            if names:
                policies.unmapped(
                    key, f"{', '.join(names)}: our node names users and organizations by id only"
                )
        policies.rest(POLICY_REASONS)
    patterns = []
    for holder, key, item in images:
        try:
            re.compile(str(item))
        except re.error as exc:
            holder.problem(key, f"{str(item)!r} is not a regular expression: {exc}")
            continue
        patterns.append(str(item))
    fields["allowed_images"] = tuple(patterns)
    for holder, key in {(holder, key) for holder, key, _ in images}:
        holder.mapped(
            key,
            f"[policies{at}] allowed_images (each must match the WHOLE image name, with or "
            "without tag; the original matched only its start: add .* where you meant that)",
        )


def _is_id(item) -> bool:
    return not isinstance(item, bool) and str(item).isdigit()


def _registries(env: Environment, at: str) -> list[tuple[str, str, str]]:
    block, found = env.block, []
    for index, item in enumerate(block.items("docker_registries")):
        if not isinstance(item, dict):
            block.problem("docker_registries", f"item {index + 1} must be a mapping")
            continue
        entry = Block(item, block.report, block.name)
        host = re.sub(r"^https?://", "", entry.text("registry") or "").rstrip("/")
        username, password = entry.text("username"), entry.raw("password")
        if not host or not username or password is None:
            entry.problem(None, "a registry needs registry, username and password")
            continue
        if is_hidden(password):
            entry.unmapped(
                None,
                f"its password is the documentation's *** for a secret: the registry is not "
                f"written; add [registry:{host}{at}] with username and password_file by hand",
            )
            entry.rest({})
            continue
        if any(host == known for known, _, _ in found):
            entry.problem("registry", f"{host!r} is there twice")
            continue
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", host)
        secret = env.instance.config.with_name(f"{env.instance.stem}.registry-{safe}.password")
        env.secrets.append((secret, str(entry.text("password") or "")))
        entry.mapped("registry", f"[registry:{host}{at}]")
        entry.mapped("username", f"[registry:{host}{at}] username")
        entry.mapped("password", f"[registry:{host}{at}] password_file = {secret.name} (0600)")
        entry.rest({})
        found.append((host, username, secret.name))
    return found


def _algorithm_env(block: Block, at: str) -> list[tuple[str, str]]:
    inner = block.block("algorithm_env")
    if inner is None:
        return []
    variables = []
    for variable in inner.mapping:
        value = inner.text(variable)
        if not ENV_NAME.match(variable):
            inner.problem(variable, "is not a valid environment variable name")
        elif value is not None:
            variables.append((variable, value))
            inner.mapped(variable, f"[algorithm_env{at}] {variable}")
    return variables


def _vpn_subnet(block: Block, at: str) -> str:
    """``vpn_subnet``, checked as the node checks ``[vpn] subnet``; empty: no VPN."""
    value = block.text("vpn_subnet")
    if value is None:
        return ""
    try:
        subnet = ipaddress.IPv4Network(value)
    except ValueError:
        block.problem("vpn_subnet", f"must be an IPv4 network such as 10.76.0.0/16, not {value!r}")
        return ""
    block.mapped("vpn_subnet", f"[vpn{at}] subnet (the server's vantage6.vpn.subnet)")
    return str(subnet)


def _inherited(environments: list[Environment]) -> None:
    """An environment's sections extend the application's: a database, variable or registry
    of the application that an environment lacks is its too, and so is the VPN subnet, unlike
    in the original."""
    application = environments[0] if environments[0].block.name == APPLICATION else None
    if application is None:
        return

    def names(env: Environment) -> dict[str, set[str]]:
        databases = (line.partition(" = ")[0] for line in env.fields["databases"])
        # an environment's own subnet replaces the application's
        subnet = env.fields["vpn_subnet"] and application.fields["vpn_subnet"]
        return {
            "databases": {label for label in databases if not label.startswith("#")},
            "algorithm_env": {name for name, _ in env.fields["algorithm_env"]},
            "registries": {host for host, _, _ in env.fields["registries"]},
            "vpn subnet": {subnet} - {""},
        }

    own = names(application)
    for env in environments[1:]:
        theirs = names(env)
        extra = [f"{what} {', '.join(sorted(own[what] - theirs[what]))}" for what in own]
        extra = [text for text, what in zip(extra, own, strict=True) if own[what] - theirs[what]]
        if extra:
            env.block.report.checks.append(
                (
                    env.block.line(),
                    env.block.path(),
                    f"also has application's {'; '.join(extra)}: an environment's sections "
                    "extend the application's (in the original it stood alone)",
                )
            )


# --- secrets and writing -----------------------------------------------------------------------


def _api_keys(environments: list[Environment], given: str | None, no_input: bool) -> None:
    """A block without its API key (left out, or the documentation's ``***``) gets the one
    given with --api-key (when it is the only one), or one asked for."""
    missing = [env for env in environments if env.api_key is None]
    if given is not None:
        if len(missing) != 1:
            raise click.UsageError(
                "--api-key is for the one block of the file without an API key (none, or the "
                f"documentation's ***); this file has {len(missing)} such block(s)"
            )
        problem = check_api_key(given)
        if problem:
            raise click.BadParameter(problem, param_hint="--api-key")
        missing[0].api_key = given
        _key_given(missing[0], "the key given with --api-key")
        return
    question = next(q for q in QUESTIONS if q.key == "api_key")
    for env in missing:
        if no_input:
            raise Failure(
                f"{env.block.path('api_key')}: the file has no API key (or the documentation's "
                "***): give it with --api-key, or leave out --no-input to be asked"
            )
        click.echo(f"API key of {env.block.name} (from the node's registration):")
        env.api_key = ask(question, None, {}, False)
        _key_given(env, "the key asked for")


def _key_given(env: Environment, how: str) -> None:
    at = "" if env.block.name == APPLICATION else f"@{env.block.name}"
    target = f"[node{at}] api_key_file = {env.key_file.name} (mode 0600), with {how}"
    if "api_key" in env.block:
        env.block.check("api_key", f"the documentation's ***: {target}")
    else:
        env.block.report.mapped.append((env.block.line(), f"{env.block.path()} (api_key)", target))


def _check_free(environments: list[Environment]) -> None:
    for env in environments:
        for path in [env.key_file, *(secret for secret, _ in env.secrets)]:
            if path.exists():
                raise Failure(f"{path} exists: choose another name (--name), or remove that file")


def _write(path: Path, text: str, environments: list[Environment], log_file: str) -> None:
    """The secret files, then the ini; every environment must load as the node loads it. On
    any failure, what was written is removed again."""
    written: list[Path] = []
    if log_file:  # the handler opens it at start, in a folder that must exist
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    try:
        for env in environments:
            for secret, value in [(env.key_file, env.api_key), *env.secrets]:
                write_config(secret, f"{value}\n")
                written.append(secret)
        write_config(path, text)
        written.append(path)
        for env in environments:
            load_config(path, env.block.name)
    except ConfigError as exc:
        _remove(written)
        raise Failure(f"the configuration would not load; nothing was written. {exc}") from None
    except BaseException:
        _remove(written)
        raise


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
