"""Every code example of the seed documents' shell sections, run in the admin shell.

The examples are kept here as data, transcribed from the seeds (comment-only lines left out),
and a test checks each one still appears, in order, in its seed, so they cannot drift. Each seed
runs on a fresh database (the examples rely on ids: ``Collaboration.get(1)``, ``Role.get(3)``,
``Task.get(1)``), one top-level statement at a time, as a user would type them.

Only plain placeholders are filled in. Where an example collides with a uniqueness rule (a second
organization called "IKNL", a new user called "root" next to the first start's root), the
statement is run as written and must be refused in one line; the example is then run again with
the name changed, as the user would.

The seeds are not part of the repository: ``VANTAGE6_SEEDS_DIR`` (default: ../shared/seeds
beside the checkout) points at them; without them only the transcription checks are skipped.
"""

from __future__ import annotations

import ast
import base64
import json
import os
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from vantage6.server import models as db
from vantage6.server.models.errors import ModelError
from vantage6.server.models.shell import SaveError, bound_shell_session
from vantage6.server.pshell import namespace, open_shell_session

# CI clones the repository with shared/ beside it.
SEEDS = Path(
    os.environ.get("VANTAGE6_SEEDS_DIR", Path(__file__).resolve().parents[3] / "shared" / "seeds")
)


@dataclass(frozen=True)
class Refusal:
    """The statement that must fail as written, and the edit after which the example works."""

    statement: str  # how the refused statement starts
    error: type[Exception]
    message: str  # regular expression the error message must match
    edit: dict[str, str]  # applied to the whole example for its second run


@dataclass(frozen=True)
class Example:
    code: str  # as in the seed, without comment-only lines
    placeholders: dict[str, str] = field(default_factory=dict)
    refusal: Refusal | None = None


# --- what the seeds collide with or leave open --------------------------------------------------

RULE_PLACEHOLDER = Refusal(
    statement='rule = db.Rule.get_by_("node", Scope, Operation)',
    error=ModelError,
    message=r"^expected one of Scope\.OWN, .*Scope\.GLOBAL; got the class Scope itself$",
    edit={"Scope, Operation)": "Scope.GLOBAL, Operation.VIEW)"},
)
SECOND_IKNL = Refusal(
    statement="other_organization.save()",
    error=SaveError,
    message=r"^could not save Organization: name 'IKNL' is already in use$",
    edit={'name="IKNL",': 'name="IKNL-2",'},
)
SECOND_ROOT = Refusal(
    statement="new_user.save()",
    error=SaveError,
    message=r"^could not save User: username 'root' is already in use$",
    edit={'username="root",': 'username="john",'},
)
# The rules example comes before any user was made in the seeds: only root exists then. Later,
# "an existing user" is the one the seed created (renamed to john, see SECOND_ROOT).
EXISTING_ROOT = {'"some-existing-username"': '"root"'}
EXISTING_JOHN = {'"some-existing-username"': '"john"'}


# --- 000: the 3.x documentation as plain text (indentation lost) --------------------------------

SEED_000 = [
    Example("""
organization = db.Organization(
    name="IKNL",
    domain="iknl.nl",
    address1="Zernikestraat 29",
    address2="Eindhoven",
    zipcode="5612HZ",
    country="Netherlands"
)
organization.save()
"""),
    Example("""
organizations = db.Organization.get()
organization = db.Organization.get(1)
organization = db.Organization.get_by_name("IKNL")
"""),
    Example("""
organization = db.Organization.get_by_name("IKNL")
collaborations = organization.collaborations
users = organization.users
tasks = organization.created_tasks
results = organization.results
nodes = organization.nodes
"""),
    Example(
        """
db.Rule.get()
db.Rule.get(1)
db.Role.get()
db.Role.get(3)
db.Role.get(3).rules
rule = db.Rule.get_by_("node", Scope, Operation)
role = db.Role(name="role-name", rules=[rule])
role.save()
user = db.User.get_by_username("some-existing-username")
user.rules.append(rule)
user.save()
""",
        EXISTING_ROOT,
        RULE_PLACEHOLDER,
    ),
    Example(
        """
org = db.Organization.get_by_name("IKNL")
role_3 = db.Role.get(3)
new_user = db.User(
    username="root",
    password="super-secret",
    firstname="John",
    lastname="Doe",
    roles=[role_3],
    rules=[],
    organization=org
)
new_user.save()
""",
        refusal=SECOND_ROOT,
    ),
    Example("""
db.User.get()
db.User.get(1)
db.User.get_by_username("root")
db.Organization.get_by_name("IKNL").users
"""),
    Example(
        """
user = db.User.get_by_username("some-existing-username")
user.firstname = "Brandnew"
user.password = "something-new"
user.save()
""",
        EXISTING_JOHN,
    ),
    Example(
        """
other_organization = db.Organization(
    name="IKNL",
    domain="iknl.nl",
    address1="Zernikestraat 29",
    address2="Eindhoven",
    zipcode="5612HZ",
    country="Netherlands"
)
other_organization.save()
iknl = db.Organization.get_by_name("IKNL")
collaboration = db.Collaboration(
    name="collaboration-name",
    encrypted=False,
    organizations=[iknl, other_organization]
)
collaboration.save()
""",
        refusal=SECOND_IKNL,
    ),
    Example("""
collaboration = db.Collaboration.get(1)
collaboration.nodes
collaboration.tasks
collaboration.organizations
"""),
    Example("""
from uuid import uuid1
iknl = db.Organization.get_by_name("IKNL")
collab = iknl.collaborations[0]
api_key = str(uuid1())
print(api_key)
node = db.Node(
    name = f"IKNL Node - Collaboration {collab.name}",
    organization = iknl,
    collaboration = collab,
    api_key = api_key
)
node.save()
"""),
    Example("""
iknl = db.Organization.get_by_name("IKNL")
collaboration = db.Collaboration.get(1)
run_id = db.Task.next_run_id()
task = db.Task(
    name="some-name",
    description="some human readable description",
    image="docker-registry.org/image-name",
    collaboration=collaboration,
    run_id=run_id,
    database="default",
    initiator=iknl,
)
task.save()
input_ = {
}
import datetime
for org in collaboration.organizations:
    res = db.Result(
        input=input_,
        organization=org,
        task=task,
        assigned_at=datetime.datetime.now()
    )
    res.save()
"""),
    Example("""
parent_task = db.Task.get(1)
child_task = db.Task(
    name="some-name",
    description="some human readable description",
    image="docker-registry.org/image-name",
    collaboration=collaboration,
    run_id=parent_task.run_id,
    database="default",
    initiator=iknl,
    parent=parent_task
)
child_task.save()
"""),
    Example("""
db.Result.get()
[result for result in db.Result.get() if result.complete]
db.Result.get(1)
"""),
]

# --- 001: the GitBook (markdown) documentation ------------------------------------------------

SEED_001 = [
    Example("""
organization = db.Organization(
    name="IKNL",
    domain="iknl.nl",
    address1="Zernikestraat 29",
    address2="Eindhoven",
    zipcode="5612HZ",
    country="Netherlands"
)
organization._public_key = b"base64-encoded-public-key"
organization.save()
"""),
    Example("""
organizations = db.Organization.get()
organization = db.Organization.get(1)
organization = db.Organization.get_by_name("IKNL")
"""),
    Example("""
organization = db.Organization.get_by_name("IKNL")
collaborations = organization.collaborations
users = organization.users
tasks = organization.created_tasks
results = organization.results
nodes = organization.nodes
"""),
    Example(
        """
org = db.Organization.get_by_name("IKNL")
new_user = db.User(
    username="root",
    firstname="John",
    lastname="Doe",
    roles="root",
    organization=org
)
new_user.set_password("super-secret!")
new_user.save()
""",
        refusal=SECOND_ROOT,
    ),
    Example("""
db.User.get()
db.User.get(1)
db.User.getByUsername("root")
db.Organization.get_by_name("IKNL").users
"""),
    Example(
        """
user = db.User.getByUsername("some-existing-username")
user.firstname = "Brandnew"
user.set_password("something-new")
user.save()
""",
        EXISTING_JOHN,
    ),
    Example(
        """
other_organization = db.Organization(
    name="IKNL",
    domain="iknl.nl",
    address1="Zernikestraat 29",
    address2="Eindhoven",
    zipcode="5612HZ",
    country="Netherlands"
)
other_organization.save()
iknl = db.Organization.get_by_name("IKNL")
collaboration = db.Collaboration(
    name="collaboration-name",
    encrypted=False,
    organizations=[iknl, other_organization]
)
collaboration.save()
""",
        refusal=SECOND_IKNL,
    ),
    Example("""
collaboration = db.Collaboration.get(1)
collaboration.nodes
collaboration.tasks
collaboration.organizations
"""),
    Example("""
iknl = db.Organization.get_by_name("IKNL")
collaboration = db.Collaboration.get(1)
run_id = db.Task.next_run_id()
task = db.Task(
    name="some-name",
    description="some human readable description",
    image="some-docker-registry.domain.org/image-name",
    collaboration=collaboration,
    run_id=run_id,
    database="default",
    initiator=iknl,
)
task.save()
"""),
    Example("""
db.Task.get()
db.Task.get(1)
[task for task in db.Task.get() if task.complete]
"""),
    Example("""
parent_task = db.Task.get(1)
child_task = db.Task(
    name="some-name",
    description="some human readable description",
    image="some-docker-registry.domain.org/image-name",
    collaboration=collaboration,
    run_id=parent_task.run_id,
    database="default",
    initiator=iknl,
    parent=parent_task
)
child_task.save()
"""),
    Example("""
task = db.Task.get(1)
"""),
    Example("""
db.Result.get()
[result for result in db.Result.get() if result.complete]
db.Result.get(1)
"""),
]

# --- 003: the 4.x documentation (RST flattened onto one line) -----------------------------------
# Runs instead of results and job_id instead of run_id; the rest is the same as 000.

SEED_003 = [
    SEED_000[0],
    SEED_000[1],
    Example("""
organization = db.Organization.get_by_name("IKNL")
collaborations = organization.collaborations
users = organization.users
tasks = organization.created_tasks
runs = organization.runs
nodes = organization.nodes
"""),
    *SEED_000[3:9],
    Example("""
from uuid import uuid4
iknl = db.Organization.get_by_name("IKNL")
collab = iknl.collaborations[0]
api_key = str(uuid4())
print(api_key)
node = db.Node(
    name = f"IKNL Node - Collaboration {collab.name}",
    organization = iknl,
    collaboration = collab,
    api_key = api_key
)
node.save()
"""),
    Example("""
iknl = db.Organization.get_by_name("IKNL")
collaboration = db.Collaboration.get(1)
job_id = db.Task.next_job_id()
task = db.Task(
    name="some-name",
    description="some human readable description",
    image="docker-registry.org/image-name",
    collaboration=collaboration,
    job_id=job_id,
    database="default",
    init_org=iknl,
)
task.save()
input_ = {
}
import datetime
for org in collaboration.organizations:
    res = db.Run(
        input=input_,
        organization=org,
        task=task,
        assigned_at=datetime.datetime.now(datetime.timezone.utc)
    )
    res.save()
"""),
    Example("""
parent_task = db.Task.get(1)
child_task = db.Task(
    name="some-name",
    description="some human readable description",
    image="docker-registry.org/image-name",
    collaboration=collaboration,
    job_id=parent_task.job_id,
    database="default",
    init_org=iknl,
    parent=parent_task
)
child_task.save()
"""),
    Example("""
db.Run.get()
[run for run in db.Run.get() if run.complete]
db.Run.get(1)
"""),
]

# --- 004: the 3.x Sphinx documentation (RST); its shell section is the same as 000's -----------

SEED_004 = list(SEED_000)

SEEDS_WITH_CODE = {
    "000": SEED_000,
    "001": SEED_001,
    "003": SEED_003,
    "004": SEED_004,
}
SEED_WITHOUT_CODE = "002"


# --- reading the seeds --------------------------------------------------------------------------


def seed_text(number: str) -> str:
    """The seed's shell section; the whole file except for 004, where it starts at "Shell"."""
    matches = sorted(SEEDS.glob(f"{number}_*.txt"))
    if not matches:
        pytest.skip(f"seed {number} not found in {SEEDS} (set VANTAGE6_SEEDS_DIR)")
    text = matches[0].read_text(encoding="utf-8")
    if number == "004":
        text = text[text.index("\nShell\n^^^^^\n") :]
    return text


def normalised(text: str) -> str:
    """Comment-only lines (and markdown headings) dropped, whitespace collapsed."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    return " ".join(" ".join(lines).split())


# What code in the examples looks like, and prose and comments do not: a call, an assignment, an
# import, a loop, an attribute (``collaboration.nodes``).
_CODE = r"\w\(|=|\bimport \w|\bfor \w+ in \w|\b[a-z_]+\.[a-z_]+\b(?=[ :)\]]|$)"

# Seed 003 is one line, so its comments cannot be dropped by line: between two lines of an
# example, skip "# ..." runs that hold nothing that looks like code.
_COMMENT_GAP = rf" (?:#(?:(?!{_CODE})[^#])*? )*"


def example_pattern(example: Example) -> re.Pattern:
    lines = [" ".join(line.split()) for line in example.code.strip().splitlines()]
    lines = [line for line in lines if line]
    return re.compile(_COMMENT_GAP.join(re.escape(line) for line in lines))


# Code left between the examples (prose mentions ``db.Organization.help()`` and ``.save()``).
_CODE_MARKERS = re.compile(
    r"\w\.save\(\)|\w+ = |db\.\w+\.(?!help\()\w+\(|\bimport \w|\bfor \w+ in \w"
    r"|\b[a-z_]+\.[a-z_]+\b(?=[ :)\]]|$)"
)


@pytest.mark.parametrize("number", sorted(SEEDS_WITH_CODE))
def test_examples_are_transcribed_from_their_seed(number):
    text = normalised(seed_text(number))
    position = 0
    leftover = []
    for index, example in enumerate(SEEDS_WITH_CODE[number]):
        match = example_pattern(example).search(text, position)
        assert match is not None, (
            f"seed {number}, example {index} is not in the seed (after the previous one):\n"
            f"{example.code}"
        )
        leftover.append(text[position : match.start()])
        position = match.end()
    leftover.append(text[position:])
    # Every example was transcribed: what is left between them is prose, markup and comments.
    for piece in leftover:
        assert not _CODE_MARKERS.search(piece), f"seed {number} has code not transcribed: {piece}"


def test_seed_002_has_no_code():
    """002 describes the shell in prose only; if it gains examples, they must be added here."""
    text = seed_text(SEED_WITHOUT_CODE)
    assert "db.Organization" in text  # it is the shell section
    assert not _CODE_MARKERS.search(text)
    assert not re.search(r"\bdb\.\w+[.\w]*\(", text)


# --- running the examples -----------------------------------------------------------------------


def statements(code: str) -> list[str]:
    """Top-level statements, as they would be typed one by one (a ``for`` loop stays whole)."""
    lines = code.strip().splitlines()
    return [
        "\n".join(lines[node.lineno - 1 : node.end_lineno])
        for node in ast.parse("\n".join(lines)).body
    ]


def replaced(code: str, edits: dict[str, str]) -> str:
    for old, new in edits.items():
        assert old in code, f"{old!r} not in the example"
        code = code.replace(old, new)
    return code


class Shell:
    """An admin shell session: the pshell namespace, with what expressions displayed kept."""

    def __init__(self, session: Session):
        self.session = session
        self.names = {"__builtins__": __builtins__, **namespace(session)}
        self.shown: dict[str, str] = {}  # expression statement -> repr of its latest value
        self.failures: list[str] = []

    def run(self, where: str, statement: str) -> None:
        """Run one statement; an exception is recorded as a failure and the shell carries on."""
        try:
            self.execute(statement)
        except Exception as exc:  # noqa: BLE001  (any error in the docs' code is a failure)
            details = "".join(traceback.format_exception(exc)).rstrip()
            self.failures.append(f"{where}: {statement}\n{details}")

    def execute(self, statement: str) -> None:
        tree = ast.parse(statement)
        if len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr):
            value = eval(compile(statement, "<shell>", "eval"), self.names)  # noqa: S307
            self.shown[statement] = repr(value)
        else:
            exec(compile(statement, "<shell>", "exec"), self.names)  # noqa: S102

    def run_example(self, where: str, example: Example) -> None:
        code = replaced(example.code, example.placeholders)
        refusal = example.refusal
        if refusal is not None:
            self.run_until_refused(where, code, refusal)
            code = replaced(code, refusal.edit)
        for statement in statements(code):
            self.run(where, statement)

    def run_until_refused(self, where: str, code: str, refusal: Refusal) -> None:
        for statement in statements(code):
            if not statement.startswith(refusal.statement):
                self.run(where, statement)
                continue
            with pytest.raises(refusal.error) as caught:
                self.execute(statement)
            message = str(caught.value)
            assert re.search(refusal.message, message), f"{where}: {message!r}"
            assert "\n" not in message
            assert caught.value._render_traceback_() == [f"{caught.type.__name__}: {message}"]
            self.assert_usable(where)
            return
        pytest.fail(f"{where}: {refusal.statement!r} is not in the example")

    def assert_usable(self, where: str) -> None:
        """After a refusal nothing is left half-done and the next statement works."""
        assert not self.session.new and not self.session.dirty, where
        assert [o.name for o in self.names["db"].Organization.get()][0] == "root", where


@pytest.fixture
def run_seed(make_database):
    """Run a seed's examples on a fresh database; returns its engine and the shell."""

    def run(number: str) -> tuple[object, Shell]:
        engine = make_database()
        session = open_shell_session(engine)
        shell = Shell(session)
        try:
            with bound_shell_session(session):
                for index, example in enumerate(SEEDS_WITH_CODE[number]):
                    shell.run_example(f"seed {number}, example {index}", example)
        finally:
            session.close()
        assert not shell.failures, "\n\n".join(shell.failures)
        return engine, shell

    return run


# --- what the examples must have left behind ----------------------------------------------------


def listed(shown: str) -> list[str]:
    """The objects in a displayed list, sorted (relationships without order_by may vary)."""
    return sorted(re.findall(r"<[^<>]*>", shown))


def check_organizations() -> tuple[db.Organization, db.Organization]:
    iknl = db.Organization.get_by_name("IKNL")
    assert iknl.id == 2  # after the first start's root organization
    assert (iknl.domain, iknl.zipcode, iknl.country) == ("iknl.nl", "5612HZ", "Netherlands")
    other = db.Organization.get_by_name("IKNL-2")
    assert other is not None and other.address1 == "Zernikestraat 29"
    assert [o.name for o in db.Organization.get()] == ["root", "IKNL", "IKNL-2"]
    return iknl, other


def check_collaboration(iknl, other) -> db.Collaboration:
    collaboration = db.Collaboration.get(1)
    assert collaboration.name == "collaboration-name"
    assert collaboration.encrypted is False
    assert {o.name for o in collaboration.organizations} == {"IKNL", "IKNL-2"}
    assert iknl.collaborations == [collaboration] == other.collaborations
    return collaboration


def check_john(password: str, old_password: str) -> db.User:
    john = db.User.get_by_username("john")
    assert john.organization.name == "IKNL"
    assert (john.firstname, john.lastname) == ("Brandnew", "Doe")
    assert john._password_hash.startswith("$argon2") and password not in john._password_hash
    assert john.check_password(password)
    assert not john.check_password(old_password)
    root = db.User.get_by_username("root")
    assert root.id == 1 and root.check_password("root")  # the first start's root is untouched
    return john


def check_rules(shell: Shell, john: db.User) -> None:
    rule = db.Rule.get_by_("node", db.Scope.GLOBAL, db.Operation.VIEW)
    role = db.Role.get_by_name("role-name")
    assert role.rules == [rule] and role.organization is None
    assert rule in db.User.get_by_username("root").rules
    assert john.roles == [db.Role.get(3)]
    assert john.rules == []
    assert listed(shell.shown["db.Role.get(3).rules"]) == listed(repr(db.Role.get(3).rules))
    assert shell.shown["db.Role.get(3).rules"] != "[]"
    assert shell.shown["db.Rule.get()"] == repr(db.Rule.get())
    assert shell.shown["db.Rule.get(1)"] == repr(db.Rule.get(1)) != "None"


def check_node(shell: Shell, check: Session, iknl, collaboration) -> None:
    api_key = shell.names["api_key"]
    node = db.Node.get_by_name("IKNL Node - Collaboration collaboration-name")
    assert (node.organization, node.collaboration) == (iknl, collaboration)
    assert node._api_key_hash.startswith("$argon2") and api_key not in node._api_key_hash
    assert node.check_key(api_key)
    assert not node.check_key(api_key + "x")
    assert db.Node.find_by_api_key(check, api_key) == node
    assert collaboration.nodes == [node]


def check_tasks(collaboration, iknl, runs_per_org: bool) -> None:
    parent, child = db.Task.get()
    assert parent.id == 1 and parent.parent is None and child.parent == parent
    assert child.job_id == parent.job_id == parent.run_id
    assert parent.children == [child]
    for task in (parent, child):
        assert (task.name, task.database, task.init_org) == ("some-name", "default", iknl)
        assert task.collaboration == collaboration
        assert [d.database for d in task.databases] == ["default"]
    assert child.runs == []
    if not runs_per_org:
        assert parent.runs == []
        return
    assert sorted(run.organization.name for run in parent.runs) == ["IKNL", "IKNL-2"]
    for run in parent.runs:
        assert json.loads(base64.b64decode(run.input)) == {}
        assert run.assigned_at.tzinfo is not None and run.finished_at is None
        assert run.status == "pending" and not run.complete
    assert parent.status == "pending" and not parent.complete


def check_results(shell: Shell, name: str) -> None:
    """The docs' run listings, under the name they use (3.x "result", 4.x "run")."""
    model = name.title()
    assert shell.shown[f"[{name} for {name} in db.{model}.get() if {name}.complete]"] == "[]"
    assert shell.shown[f"db.{model}.get(1)"] == repr(db.Run.get(1)) == "<Run 1>"
    assert shell.shown[f"db.{model}.get()"] == repr(db.Run.get())


@pytest.mark.parametrize("number", ["000", "004"])
def test_3x_shell_documentation(run_seed, number):
    engine, shell = run_seed(number)
    with Session(engine) as check, bound_shell_session(check):
        iknl, other = check_organizations()
        assert iknl.public_key == ""
        collaboration = check_collaboration(iknl, other)
        john = check_john("something-new", "super-secret")
        check_rules(shell, john)
        check_node(shell, check, iknl, collaboration)
        check_tasks(collaboration, iknl, runs_per_org=True)
        check_results(shell, "result")
        assert shell.shown["db.User.get(1)"] == "<User 1 'root'>"
        assert shell.shown['db.Organization.get_by_name("IKNL").users'] == repr([john])


def test_gitbook_shell_documentation(run_seed):
    engine, shell = run_seed("001")
    with Session(engine) as check, bound_shell_session(check):
        iknl, other = check_organizations()
        assert iknl._public_key == b"base64-encoded-public-key"
        assert base64.b64decode(iknl.public_key) == b"base64-encoded-public-key"
        collaboration = check_collaboration(iknl, other)
        john = check_john("something-new", "super-secret!")
        assert john.roles == [db.Role.get_by_name("Root")]
        check_tasks(collaboration, iknl, runs_per_org=False)
        assert shell.shown["db.Result.get()"] == "[]"
        assert shell.shown["db.Result.get(1)"] == "None"
        assert shell.shown["db.Task.get()"] == "[<Task 1 'some-name'>]"  # before the child task
        assert shell.shown['db.User.getByUsername("root")'] == "<User 1 'root'>"


def test_4x_shell_documentation(run_seed):
    engine, shell = run_seed("003")
    with Session(engine) as check, bound_shell_session(check):
        iknl, other = check_organizations()
        collaboration = check_collaboration(iknl, other)
        john = check_john("something-new", "super-secret")
        check_rules(shell, john)
        check_node(shell, check, iknl, collaboration)
        check_tasks(collaboration, iknl, runs_per_org=True)
        check_results(shell, "run")
        assert shell.names["runs"] == []  # organization.runs, before any task existed


def test_rule_lookup_names_the_members_to_use(shell):
    """The docs' literal ``get_by_("node", Scope, Operation)``: the error says what to pass."""
    Rule, Scope, Operation = shell["db"].Rule, shell["Scope"], shell["Operation"]
    with pytest.raises(ModelError) as caught:
        Rule.get_by_("node", Scope.GLOBAL, Operation)
    assert str(caught.value) == (
        "expected one of Operation.VIEW, Operation.EDIT, Operation.CREATE, Operation.DELETE, "
        "Operation.SEND, Operation.RECEIVE; got the class Operation itself"
    )
    with pytest.raises(ModelError, match=r"Scope\.GLOBAL; got 'everywhere'$"):
        Rule.get_by_("node", "everywhere", Operation.VIEW)
    rule = Rule.get_by_("node", Scope.GLOBAL, Operation.VIEW)
    assert (rule.name, rule.scope, rule.operation) == ("node", Scope.GLOBAL, Operation.VIEW)
    assert Rule.get_by_("node", "global", "view") == rule


def test_what_the_sections_promise_in_prose(shell, dbsession, capsys):
    """Every ``db.`` object has ``help()``; a lost node API key can be reset in the shell."""
    db_ = shell["db"]
    for name in db_.__all__:
        model = getattr(db_, name)
        if isinstance(model, type) and hasattr(model, "__tablename__"):
            model.help()
            assert f"{model.__name__} (table {model.__tablename__!r})" in capsys.readouterr().out

    organization = db_.Organization(name="prose")
    collaboration = db_.Collaboration(name="prose", organizations=[organization])
    node = db_.Node(
        name="prose", organization=organization, collaboration=collaboration, api_key="lost"
    )
    node.save()
    node.api_key = "replacement"
    node.save()
    assert db_.Node.find_by_api_key(dbsession, "replacement") == node
    assert db_.Node.find_by_api_key(dbsession, "lost") is None
