"""Batch import (``vserver import FILE``): organizations with their users, collaborations with
their participants' nodes, and example tasks, from the seed's YAML format (etc/batch_import.yaml).

Where it differs from the original:

- Users get the roles named in ``roles:`` (default roles such as ``Researcher`` or roles of
  their organization); without ``roles:`` a user gets :data:`DEFAULT_ROLES`. The original gave
  every imported user every rule.
- Re-running a file is safe: what exists already (organizations and collaborations by name,
  users by username, memberships, a collaboration's node per organization, the number of
  example tasks per image) is reported and left unchanged, never updated or duplicated.
- The whole file is checked first and every problem is reported with the entry at fault
  (``organizations[2].users[0].username``) and its line. Then everything is written in one
  transaction, with ``--drop-all`` and the schema migration in it too: any problem, and
  nothing is written. ``dry_run`` does all of it and rolls back.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from vantage6.common import located_yaml
from vantage6.server import migrate
from vantage6.server.bootstrap import announce_root_user, ensure_schema, populate
from vantage6.server.db import WRITES
from vantage6.server.models import Collaboration, Node, Organization, Role, Run, Task, User
from vantage6.server.models.errors import ModelError, explain_database_error
from vantage6.server.security.default_roles import DefaultRole
from vantage6.server.security.hashing import api_key_lookup_id
from vantage6.server.security.login import password_problem

DEFAULT_ROLES = (DefaultRole.RESEARCHER.value,)
EXAMPLE_TASK = "Example task"
EXAMPLE_INPUT = {"a": "b"}  # what the original put in its example runs
_NOT_FOR_USERS = {DefaultRole.NODE.value.lower(), DefaultRole.CONTAINER.value.lower()}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


# --- problems -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: a path into the file (and its line, when known)."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.path}: {self.message}" if self.path else f"{where}{self.message}"


class ImportFailed(Exception):
    """The file cannot be imported; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


# --- reading the YAML, with line numbers -----------------------------------------------------


def _load_yaml(text: str):
    try:
        return located_yaml.load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        reason = " ".join(filter(None, [exc.context, exc.problem]))
        raise ImportFailed([Problem("", f"not valid YAML: {reason}", line)]) from None
    except yaml.YAMLError as exc:
        raise ImportFailed([Problem("", f"not valid YAML: {exc}")]) from None


def _line(mapping, key) -> int | None:
    return getattr(mapping, "key_lines", {}).get(key, getattr(mapping, "line", None))


# --- what the file asks for ------------------------------------------------------------------


@dataclass(frozen=True)
class UserSpec:
    path: str
    line: int | None
    username: str
    password: str
    profile: dict  # firstname, lastname, email (None when absent)
    roles: tuple[tuple[str, str], ...]  # (path, role name)
    roles_given: bool


@dataclass(frozen=True)
class OrganizationSpec:
    path: str
    line: int | None
    name: str
    profile: dict  # domain, address1, address2, zipcode, country, public_key
    users: tuple[UserSpec, ...]


@dataclass(frozen=True)
class ParticipantSpec:
    path: str
    line: int | None
    name: str
    api_key: str


@dataclass(frozen=True)
class CollaborationSpec:
    path: str
    line: int | None
    name: str
    encrypted: bool
    participants: tuple[ParticipantSpec, ...]
    tasks: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    organizations: tuple[OrganizationSpec, ...]
    collaborations: tuple[CollaborationSpec, ...]


ORGANIZATION_TEXT = ("domain", "address1", "address2", "zipcode", "country")
USER_TEXT = ("firstname", "lastname")


def _present(specs) -> tuple:
    return tuple(spec for spec in specs if spec is not None)


class _Checker:
    """Reads the parsed YAML into specs, collecting every problem instead of stopping.

    An entry with a problem still yields what could be read of it (or None when its name is
    missing), so the checks across entries (duplicates, references) see as much as possible.
    """

    def __init__(self):
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str, line: int | None) -> None:
        self.problems.append(Problem(path, message, line))

    def mapping(self, value, path: str, line: int | None, allowed: tuple[str, ...]):
        if not isinstance(value, dict):
            self.problem(path, f"must be a mapping of {', '.join(allowed)}", line)
            return None
        for key in value:
            if key not in allowed:
                self.problem(
                    f"{path}.{key}" if path else key,
                    f"unknown field (expected one of: {', '.join(allowed)})",
                    _line(value, key),
                )
        return value

    def items(self, mapping: dict, key: str, path: str, required: bool = False) -> list:
        """(path, item, line) of each item of the list ``mapping[key]``."""
        value = mapping.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            if required:
                self.problem(where, "is required (a list)", _line(mapping, key))
            return []
        if not isinstance(value, list):
            self.problem(where, "must be a list", _line(mapping, key))
            return []
        lines = getattr(value, "lines", [_line(mapping, key)] * len(value))
        return [(f"{where}[{i}]", item, lines[i]) for i, item in enumerate(value)]

    def text(self, mapping: dict, key: str, path: str, required: bool = False) -> str | None:
        value = mapping.get(key)
        where, line = f"{path}.{key}", _line(mapping, key)
        if isinstance(value, bool):
            self.problem(
                where, f"YAML reads this as {str(value).lower()}, not text: quote it", line
            )
            return None
        if isinstance(value, (int, float)):
            value = str(value)  # e.g. zipcode: 54331
        if value is not None and not isinstance(value, str):
            self.problem(where, "must be text", line)
            return None
        if required and not (value or "").strip():
            self.problem(where, "is required", line)
            return None
        return value

    def names(self, mapping: dict, key: str, path: str, what: str) -> list[tuple[str, str]]:
        """(path, name) of a list of names, e.g. roles or images."""
        found = []
        for item_path, item, line in self.items(mapping, key, path):
            if isinstance(item, str) and item.strip():
                found.append((item_path, item.strip()))
            else:
                self.problem(item_path, f"must be {what}", line)
        return found

    def organization(self, path: str, value, line) -> OrganizationSpec | None:
        allowed = ("name", *ORGANIZATION_TEXT, "public_key", "users")
        item = self.mapping(value, path, line, allowed)
        if item is None:
            return None
        name = self.text(item, "name", path, required=True)
        profile = {key: self.text(item, key, path) for key in ORGANIZATION_TEXT}
        profile["public_key"] = self.public_key(item, path)
        users = _present(self.user(*entry) for entry in self.items(item, "users", path))
        return None if name is None else OrganizationSpec(path, line, name, profile, users)

    def public_key(self, item: dict, path: str) -> str | None:
        key = self.text(item, "public_key", path)
        if not key:
            return None
        try:
            load_pem_public_key(base64.b64decode(key, validate=True))
        except (binascii.Error, ValueError, TypeError):
            self.problem(
                f"{path}.public_key",
                "is not a base64-encoded PEM public key",
                _line(item, "public_key"),
            )
            return None
        return key

    def user(self, path: str, value, line) -> UserSpec | None:
        allowed = ("username", "password", *USER_TEXT, "email", "roles")
        item = self.mapping(value, path, line, allowed)
        if item is None:
            return None
        username = self.text(item, "username", path, required=True)
        password = self.text(item, "password", path, required=True)
        profile = {key: self.text(item, key, path) for key in (*USER_TEXT, "email")}
        if profile["email"] and not _EMAIL.fullmatch(profile["email"]):
            self.problem(f"{path}.email", "is not an email address", _line(item, "email"))
        roles = self.names(item, "roles", path, "the name of a role")
        given = item.get("roles") is not None
        if not given:
            roles = [(f"{path}.roles", role) for role in DEFAULT_ROLES]
        if username is None:
            return None
        return UserSpec(path, line, username, password or "", profile, tuple(roles), given)

    def collaboration(self, path: str, value, line) -> CollaborationSpec | None:
        allowed = ("name", "participants", "tasks", "encrypted")
        item = self.mapping(value, path, line, allowed)
        if item is None:
            return None
        name = self.text(item, "name", path, required=True)
        encrypted = item.get("encrypted", True)
        if not isinstance(encrypted, bool):
            self.problem(f"{path}.encrypted", "must be true or false", _line(item, "encrypted"))
        entries = self.items(item, "participants", path, required=True)
        if not entries and item.get("participants") == []:
            self.problem(
                f"{path}.participants",
                "needs at least one organization",
                _line(item, "participants"),
            )
        participants = _present(self.participant(*entry) for entry in entries)
        tasks = tuple(image for _, image in self.names(item, "tasks", path, "an image name"))
        if name is None:
            return None
        return CollaborationSpec(path, line, name, encrypted is True, participants, tasks)

    def participant(self, path: str, value, line) -> ParticipantSpec | None:
        item = self.mapping(value, path, line, ("name", "api_key"))
        if item is None:
            return None
        name = self.text(item, "name", path, required=True)
        api_key = self.text(item, "api_key", path, required=True)
        if api_key is not None:
            try:
                uuid.UUID(api_key)
            except ValueError:
                self.problem(
                    f"{path}.api_key",
                    "must be a UUID like 123e4567-e89b-12d3-a456-426614174001",
                    _line(item, "api_key"),
                )
        if name is None or api_key is None:
            return None
        return ParticipantSpec(path, line, name, api_key)

    def unique(self, entries, what: str) -> None:
        """Report each value that appears more than once: ``entries`` are (path, line, value)."""
        first: dict = {}
        for path, line, value in entries:
            if value in first:
                self.problem(path, f"{what} {value!r} appears twice (also at {first[value]})", line)
            else:
                first[value] = path


def parse(text: str) -> Plan:
    """The plan in a batch import file's text; :class:`ImportFailed` lists every problem,
    in the order of the file."""
    data = _load_yaml(text)
    checker = _Checker()
    if data is None:
        raise ImportFailed([Problem("", "the file is empty")])
    top = checker.mapping(data, "", getattr(data, "line", 1), ("organizations", "collaborations"))
    if top is None:
        raise ImportFailed(checker.problems)
    organizations = _present(
        checker.organization(*entry) for entry in checker.items(top, "organizations", "")
    )
    collaborations = _present(
        checker.collaboration(*entry) for entry in checker.items(top, "collaborations", "")
    )
    _check_across(checker, organizations, collaborations)
    if checker.problems:
        problems = sorted(checker.problems, key=lambda problem: problem.line or 0)
        raise ImportFailed(problems)
    return Plan(organizations, collaborations)


def _check_across(checker: _Checker, organizations, collaborations) -> None:
    """Names that must be unique in the file."""
    users = [user for org in organizations for user in org.users]
    participants = [p for collab in collaborations for p in collab.participants]

    def field(specs, name, what, value=lambda spec, name: getattr(spec, name)):
        entries = [(f"{s.path}.{name}", s.line, value(s, name)) for s in specs]
        checker.unique([entry for entry in entries if entry[2]], what)

    field(organizations, "name", "organization")
    field(users, "username", "username")
    field(users, "email", "email", lambda spec, name: spec.profile[name])
    field(collaborations, "name", "collaboration")
    field(participants, "api_key", "api_key")
    for collab in collaborations:
        field(collab.participants, "name", "organization")


def load_file(path: str | Path) -> Plan:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFailed([Problem("", f"cannot read {path}: {exc}")]) from None
    return parse(text)


# --- writing it ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One entity of the file: created (or, in a dry run, would be) or already there."""

    kind: str  # organization, user, collaboration, member, node, task
    label: str
    created: bool
    depth: int = 0
    notes: tuple[str, ...] = ()


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    weak_passwords: list[str] = field(default_factory=list)
    # users created with DEFAULT_ROLES because their entry has no ``roles:``
    default_roles: list[str] = field(default_factory=list)
    root_password: str | None = None  # set when the import created the root user

    def count(self, kind: str, created: bool) -> int:
        return sum(1 for o in self.outcomes if o.kind == kind and o.created is created)


class _Writer:
    """Applies a plan to a session, reporting each entity and collecting problems."""

    def __init__(self, session: Session, report: Report, on_outcome: Callable[[Outcome], None]):
        self.session = session
        self.report = report
        self.on_outcome = on_outcome
        self.problems: list[Problem] = []
        self.organizations: dict[str, Organization] = {}

    def tell(self, outcome: Outcome) -> None:
        self.report.outcomes.append(outcome)
        self.on_outcome(outcome)

    def problem(self, spec, suffix: str, message: str) -> None:
        self.problems.append(Problem(spec.path + suffix, message, spec.line))

    def organization(self, spec: OrganizationSpec) -> None:
        org = self.session.scalars(select(Organization).filter_by(name=spec.name)).first()
        fields = {key: value for key, value in spec.profile.items() if value is not None}
        if org is None:
            org = Organization(name=spec.name, **fields)
            self.session.add(org)
            self.session.flush()  # its id: the roles of its users are looked up by it
            self.tell(Outcome("organization", spec.name, True))
        else:
            differ = [key for key, value in fields.items() if getattr(org, key) != value]
            self.tell(Outcome("organization", spec.name, False, notes=_differs(differ)))
        self.organizations[spec.name] = org
        for user in spec.users:
            self.user(user, org)

    def user(self, spec: UserSpec, org: Organization) -> None:
        existing = self.session.scalars(select(User).filter_by(username=spec.username)).first()
        label = spec.username
        if existing is not None:
            if existing.organization is not org:
                self.problem(
                    spec,
                    ".username",
                    f"user {spec.username!r} already exists in organization "
                    f"{existing.organization.name!r}",
                )
                return
            self.tell(Outcome("user", label, False, depth=1, notes=("left unchanged",)))
            return
        roles = [self.role(path, name, org, spec) for path, name in spec.roles]
        email = spec.profile["email"]
        same_email = select(User.id).filter_by(email=email, organization_id=org.id)
        if email and self.session.scalars(same_email).first():
            self.problem(spec, ".email", f"email {email!r} belongs to another user of {org.name!r}")
        if None in roles or self.problems:
            return
        profile = {key: value for key, value in spec.profile.items() if value is not None}
        user = User(username=spec.username, password=spec.password, roles=roles, **profile)
        user.organization = org
        self.session.add(user)
        if password_problem(spec.password):
            self.report.weak_passwords.append(spec.username)
        names = ", ".join(role.name for role in roles) or "no roles"
        default = "" if spec.roles_given else " (the default)"
        if not spec.roles_given:
            self.report.default_roles.append(spec.username)
        self.tell(Outcome("user", label, True, depth=1, notes=(f"roles: {names}{default}",)))

    def role(self, path: str, name: str, org: Organization, spec: UserSpec) -> Role | None:
        """A default role or one of the organization's own, by name (any case)."""
        if name.lower() in _NOT_FOR_USERS:
            self.problems.append(
                Problem(path, f"role {name!r} is for nodes and algorithms", spec.line)
            )
            return None
        query = (
            select(Role)
            .where(func.lower(Role.name) == name.lower())
            .where(Role.organization_id.is_(None) | (Role.organization_id == org.id))
            .order_by(Role.organization_id.is_not(None), Role.id)
        )
        role = self.session.scalars(query).first()
        if role is None:
            known = self.session.scalars(select(Role.name).where(Role.organization_id.is_(None)))
            usable = sorted(n for n in known if n.lower() not in _NOT_FOR_USERS)
            self.problems.append(
                Problem(path, f"no role named {name!r} (roles: {', '.join(usable)})", spec.line)
            )
        return role

    def collaboration(self, spec: CollaborationSpec) -> None:
        collab = self.session.scalars(select(Collaboration).filter_by(name=spec.name)).first()
        if collab is None:
            collab = Collaboration(name=spec.name, encrypted=spec.encrypted)
            self.session.add(collab)
            self.tell(Outcome("collaboration", spec.name, True))
        else:
            differ = ["encrypted"] if collab.encrypted != spec.encrypted else []
            self.tell(Outcome("collaboration", spec.name, False, notes=_differs(differ)))
        for participant in spec.participants:
            self.participant(participant, collab)
        self.tasks(spec, collab)

    def find_organization(self, spec: ParticipantSpec) -> Organization | None:
        org = self.organizations.get(spec.name)
        if org is None:
            org = self.session.scalars(select(Organization).filter_by(name=spec.name)).first()
        if org is None:
            self.problem(
                spec, ".name", f"no organization named {spec.name!r} in the file or the database"
            )
        return org

    def participant(self, spec: ParticipantSpec, collab: Collaboration) -> None:
        org = self.find_organization(spec)
        if org is None:
            return
        member = org in collab.organizations
        if not member:
            collab.organizations.append(org)
        self.tell(Outcome("member", f"{org.name} in {collab.name}", not member, depth=1))
        self.node(spec, org, collab)

    def node(self, spec: ParticipantSpec, org: Organization, collab: Collaboration) -> None:
        node = collab.get_node_from_organization(org) if collab.id else None
        if node is not None:
            notes = () if node.check_key(spec.api_key) else ("its API key differs; left unchanged",)
            self.tell(Outcome("node", node.name, False, depth=2, notes=notes))
            return
        key_id = api_key_lookup_id(spec.api_key)
        if self.session.scalars(select(Node.id).filter_by(api_key_id=key_id)).first():
            self.problem(spec, ".api_key", "this API key belongs to another node")
            return
        name = f"{org.name} - {collab.name} Node"
        if self.session.scalars(select(Node.id).filter_by(name=name)).first():
            self.problem(spec, ".name", f"a node named {name!r} exists for another collaboration")
            return
        node = Node(name=name, api_key=spec.api_key)
        node.organization, node.collaboration = org, collab
        self.session.add(node)
        self.tell(Outcome("node", name, True, depth=2))

    def tasks(self, spec: CollaborationSpec, collab: Collaboration) -> None:
        """As many example tasks per image as the file lists: one pending run per participant,
        created by the first participant (and its first user)."""
        wanted: dict[str, int] = {}
        for image in spec.tasks:
            wanted[image] = wanted.get(image, 0) + 1
        if not wanted or self.problems:
            return
        init_org = self.organizations.get(spec.participants[0].name) or self.find_organization(
            spec.participants[0]
        )
        for image, count in wanted.items():
            have = 0
            if collab.id is not None:
                query = select(func.count(Task.id)).filter_by(
                    collaboration_id=collab.id, image=image, name=EXAMPLE_TASK
                )
                have = self.session.scalar(query)
            for number in range(count):
                if number < have:
                    self.tell(Outcome("task", f"{EXAMPLE_TASK} ({image})", False, depth=1))
                    continue
                self.session.add(self.example_task(image, collab, init_org))
                self.tell(Outcome("task", f"{EXAMPLE_TASK} ({image})", True, depth=1))

    def example_task(self, image: str, collab: Collaboration, init_org: Organization) -> Task:
        # Related objects are loaded before the task exists, so no half-built task is flushed.
        init_user = min(init_org.users, key=lambda user: user.id, default=None)
        organizations = list(collab.organizations)
        return Task(
            name=EXAMPLE_TASK,
            description="Created by vserver import",
            image=image,
            collaboration=collab,
            init_org=init_org,
            init_user=init_user,
            runs=[Run(input=EXAMPLE_INPUT, organization=org) for org in organizations],
        )


def _differs(fields: list[str]) -> tuple[str, ...]:
    if not fields:
        return ()
    return (f"differs in {', '.join(fields)}; left unchanged",)


def run(
    engine: Engine,
    settings: dict,
    plan: Plan,
    *,
    drop_all: bool = False,
    dry_run: bool = False,
    on_outcome: Callable[[Outcome], None] = lambda outcome: None,
) -> Report:
    """Import ``plan`` in one transaction: with ``drop_all`` every table is dropped and made
    anew first; the schema is migrated when the settings allow it; rules, default roles and
    the root user are ensured as at a server start. Problems raise :class:`ImportFailed` and
    roll everything back, as ``dry_run`` does at the end."""
    report = Report()
    with engine.connect() as connection:
        connection = connection.execution_options(**{WRITES: True})
        with connection.begin() as transaction:
            if drop_all:
                migrate.drop_every_table(connection)
                migrate.upgrade(connection)
            ensure_schema(connection, settings)
            with Session(bind=connection, autoflush=True) as session:
                report.root_password = populate(session, settings)
                writer = _Writer(session, report, on_outcome)
                _write(writer, plan)
            if dry_run:
                transaction.rollback()
                return report
    if report.root_password is not None:
        announce_root_user(settings, report.root_password)
    return report


def _write(writer: _Writer, plan: Plan) -> None:
    """Everything in the plan, flushed; problems (and database refusals) raise."""
    try:
        for organization in plan.organizations:
            writer.organization(organization)
        writer.session.flush()
        for collaboration in plan.collaborations:
            writer.collaboration(collaboration)
        writer.session.flush()
    except ModelError as exc:
        writer.problems.append(Problem("", str(exc)))
    except SQLAlchemyError as exc:
        writer.problems.append(
            Problem("", f"the database refused it: {explain_database_error(exc)}")
        )
    if writer.problems:
        raise ImportFailed(writer.problems)
