"""A node's secrets: ``set-api-key`` (the key it logs in with) and ``create-private-key``
(its organization's encryption key, reused unless ``--force``, the public half uploaded).

Neither prints a secret. Key files are written under a temporary name only their owner can
read and then moved into place, so a reader never sees a half-written one.
"""

from __future__ import annotations

import configparser
import contextlib
import datetime as dt
import logging
import os
import re
import tempfile
from pathlib import Path

import click

from vantage6.common import cli_service
from vantage6.common.cli_output import Failure, done, note, step, success, warn
from vantage6.common.encryption import InvalidKey, RSACryptor
from vantage6.node.cli.instance import NodeInstance, pass_instance
from vantage6.node.cli.wizard import check_api_key
from vantage6.node.config import API_KEY_ENV


def _replace(path: Path, text: str, mode: int = 0o600) -> None:
    """Put ``text`` at ``path`` in one step (a new file, then renamed over the old one)."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w") as file:
            os.fchmod(file.fileno(), mode)
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _writing(path: Path):
    """Errors writing ``path``, as the one line a person needs."""
    try:
        yield
    except PermissionError:
        raise Failure(f"no permission to write {path}: run as its owner") from None
    except OSError as exc:
        raise Failure(f"cannot write {path}: {exc.strerror}") from None


def _with_key_file(text: str, key_file: str, target: str) -> str:
    """The ini ``text`` with ``api_key_file = key_file`` right under ``[target]`` (``node``
    or an environment's ``node@<env>``) and no other API key setting left in that section."""
    setting = f"api_key_file = {key_file}\n"
    lines, section, placed = [], None, False
    for line in text.splitlines(keepends=True):
        header = re.match(r"\s*\[([^\]]+)\]", line)
        if header:
            section = header.group(1).strip()
        elif section == target and re.match(r"\s*api_key(_file)?\s*[=:]", line):
            continue
        lines.append(line)
        if header and section == target and not placed:
            lines.append(setting)
            placed = True
    return "".join(lines) if placed else f"[{target}]\n{setting}\n" + "".join(lines)


@click.command("set-api-key")
@pass_instance
@click.option("--api-key", help="The new API key (default: asked for, not shown).")
def set_api_key(instance: NodeInstance, api_key):
    """Replace the API key a node logs in with. It goes to the node's api_key_file (mode
    0600; made next to the ini, and named in it, when the key was inline); it is never
    printed. A running node uses the new key after a restart. With -e, only that
    environment's key changes: a key file it inherits is left alone and it gets its own.

    \b
    Examples:
      vnode set-api-key --name hospital-a
      vnode set-api-key --name hospital-a --api-key "$NEW_KEY"
      vnode set-api-key --name hospital-a -e test
    """
    if api_key is None:
        api_key = click.prompt("New API key (not shown)", hide_input=True)
    problem = check_api_key(api_key)
    if problem:
        raise click.BadParameter(problem, param_hint="--api-key")
    key_file = instance.path_setting("node", "api_key_file")
    own = instance.raw().get(instance.section("node"), "api_key_file", fallback="").strip()
    if key_file is not None and own:
        with _writing(key_file):
            _replace(key_file, api_key + "\n")
    else:
        key_file = instance.config.with_name(f"{instance.stem}.api_key")
        _move_key_out(instance.config, key_file, api_key, instance.section("node"))
    success(f"The API key of node {instance.label} is in {key_file}")
    if os.environ.get(API_KEY_ENV):
        warn(f"{API_KEY_ENV} is set here, and a node started with it uses that key instead")
    if instance.pid() is not None:
        warn(
            f"node {instance.label} is running with the old key: restart it "
            f"(vnode stop {instance.selector} && vnode start {instance.selector})"
        )


def _move_key_out(config: Path, key_file: Path, api_key: str, section: str) -> None:
    """A key file, and the ini naming it instead of its inline key; a key file made here is
    removed again when the ini cannot be changed."""
    created = not key_file.exists()
    with _writing(key_file):
        _replace(key_file, api_key + "\n")
    try:
        with _writing(config):
            text = _with_key_file(config.read_text(encoding="utf-8"), key_file.name, section)
            _replace(config, text, config.stat().st_mode & 0o777)
    except BaseException:
        if created:
            key_file.unlink(missing_ok=True)
        raise


def _key_path(instance: NodeInstance) -> Path:
    """The private key file the node's ``[encryption]`` section names."""
    enabled = (instance.setting("encryption", "enabled") or "false").lower()
    if not configparser.ConfigParser.BOOLEAN_STATES.get(enabled):
        raise Failure(
            f"{instance.config}: [encryption] enabled is not true; a node of an unencrypted "
            "collaboration has no key. Set enabled = true and private_key = <file> first"
        )
    path = instance.path_setting("encryption", "private_key")
    if path is None:
        raise Failure(f"{instance.config}: [encryption] private_key names no file; set it first")
    return path


@click.command("create-private-key")
@pass_instance
@click.option(
    "--force",
    is_flag=True,
    help="Make a new key even when the file exists (the old one is kept beside it).",
)
@click.option(
    "--no-upload", is_flag=True, help="Do not upload the public key (the node does at start)."
)
@cli_service.timeout_option(10, "Seconds to keep trying to reach the server.")
def create_private_key(instance: NodeInstance, force, no_upload, timeout):
    """Make the private key of the node's organization at the path of [encryption]
    private_key, or reuse the one there (unless --force), and upload its public key to the
    organization with the node's API key. Every node and user of the organization needs
    this same private key.

    \b
    Examples:
      vnode create-private-key --name hospital-a
      vnode create-private-key --name hospital-a --force
      vnode create-private-key --config node.ini --no-upload
      vnode create-private-key --name hospital-a -e prod
    """
    path = _key_path(instance)
    if path.exists() and not force:
        _check_usable(path)
        note(f"Using the existing private key {path} (--force makes a new one)")
    else:
        _make_key(path)
        if instance.pid() is not None:
            warn(f"node {instance.label} is running with the old key: restart it")
    if no_upload:
        return
    _upload(instance, RSACryptor(path), path, timeout)


def _check_usable(path: Path) -> None:
    try:
        RSACryptor(path)
    except InvalidKey as exc:
        raise Failure(f"{path}: {exc}; --force replaces it with a new key") from None


def _make_key(path: Path) -> None:
    """A new key at ``path``; an existing one stays readable as ``<path>.old-<time>``."""
    old = None
    if path.exists():
        old = path.with_name(f"{path.name}.old-{dt.datetime.now():%Y%m%dT%H%M%S}")
        with _writing(old):
            os.link(path, old)
    fresh = path.with_name(f".{path.name}.new")
    fresh.unlink(missing_ok=True)
    note(f"Making a new private key in {path}")
    try:
        with _writing(path):
            RSACryptor.create_new_rsa_key(fresh)
            os.replace(fresh, path)
    except BaseException:
        fresh.unlink(missing_ok=True)
        if old is not None:
            old.unlink()
        raise
    if old is not None:
        warn(f"the old key is kept in {old}: what was encrypted for it can only be read with it")


def _upload(instance: NodeInstance, cryptor: RSACryptor, path: Path, timeout: int) -> None:
    """The public key to the node's organization, as the node itself does at start."""
    from vantage6.node.daemon import publish_public_key
    from vantage6.node.server import Rejected, ServerClient, ServerError

    config = instance.load()
    # The client's warnings while it retries would repeat what the outcome below says.
    logging.getLogger("vantage6").addHandler(logging.NullHandler())
    step(f"Uploading its public key to {config.api_url}")
    server = ServerClient(config.api_url)
    try:
        server.authenticate(config.api_key, patience=timeout)
        uploaded = publish_public_key(server, cryptor)
    except Rejected:
        done("refused", ok=False)
        raise Failure(
            f"the server refused the node's API key, so the public key of {path} was not "
            f"uploaded; set the right key with `vnode set-api-key {instance.selector}`"
        ) from None
    except ServerError as exc:
        done("failed", ok=False)
        raise Failure(
            f"the private key is in {path}, but uploading its public key failed: {exc.msg}. "
            f"The node uploads it when it starts, or run `vnode create-private-key "
            f"{instance.selector}` again"
        ) from None
    finally:
        server.close()
    done("uploaded" if uploaded else "the server had it already")
    success(f"Organization {server.organization_id} has the public key of {path}")
