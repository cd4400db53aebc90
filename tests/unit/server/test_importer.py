"""Batch import: the seed's example file, what the original got wrong (all rules for every
user, no re-runs, exit on the first problem, half-written imports), and broken files."""

from __future__ import annotations

import base64
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support import server_settings
from vantage6.common.task_status import TaskStatus
from vantage6.server import importer
from vantage6.server.models import Collaboration, Node, Organization, Role, Run, Task, User
from vantage6.server.security.default_roles import DefaultRole

SEED_FILE = Path(__file__).resolve().parents[3] / "etc" / "batch_import.yaml"
SEED_KEY = (
    SEED_FILE.read_text().split("public_key: ", 1)[1].split("\n", 1)[0].strip()
)  # the seed's fixed public key (all three organizations share it)
SEED_TEXT = SEED_FILE.parents[2] / "shared" / "seeds" / "004_a9a8338e287e84a0.txt"


def parse(text: str) -> importer.Plan:
    return importer.parse(textwrap.dedent(text))


def problems(text: str) -> list[str]:
    with pytest.raises(importer.ImportFailed) as failed:
        parse(text)
    return [str(problem) for problem in failed.value.problems]


@pytest.fixture
def database(make_database):
    """A fresh, bootstrapped database and its settings."""
    engine = make_database()
    return engine, server_settings(str(engine.url.render_as_string(hide_password=False)))


def counts(engine) -> dict:
    with Session(engine) as session:
        return {
            model.__name__: session.scalar(select(func.count(model.id)))
            for model in (Organization, User, Collaboration, Node, Task, Run)
        }


def run(database, plan, **options) -> importer.Report:
    engine, settings = database
    return importer.run(engine, settings, plan, **options)


# --- the seed's example ----------------------------------------------------------------------


def test_the_example_file_is_the_seeds_example_verbatim():
    if not SEED_TEXT.exists():
        pytest.skip("the seeds are not beside this checkout")
    section = SEED_TEXT.read_text().split("Example batch import", 1)[1]
    example = section.split(".. code:: yaml", 1)[1].split(".. raw:: html", 1)[0]
    assert SEED_FILE.read_text().endswith(textwrap.dedent(example).strip() + "\n")


def test_the_seed_example_imports_everything_with_hashed_secrets(database):
    engine, _ = database
    report = run(database, importer.load_file(SEED_FILE))

    assert [report.count(kind, True) for kind in ("organization", "user", "collaboration")] == [
        3,
        6,
        3,
    ]
    assert report.count("node", True) == 7 and report.count("task", True) == 4
    with Session(engine) as session:
        iknl = session.scalars(select(Organization).filter_by(name="IKNL")).one()
        assert iknl.public_key == SEED_KEY and iknl.zipcode == "3511DT"
        big = session.scalars(select(Organization).filter_by(name="Big Organization")).one()
        assert big.zipcode == "54331" and big.address2 is None  # YAML read 54331 as a number
        frank = session.scalars(select(User).filter_by(username="frank@iknl.nl")).one()
        assert frank.check_password("password") and frank.secret_hash != "password"
        assert frank.organization is iknl and (frank.firstname, frank.lastname) == (
            "Frank",
            "Martin",
        )
        node = Node.find_by_api_key(session, "123e4567-e89b-12d3-a456-426614174001")
        assert (node.name, node.organization.name, node.collaboration.name) == (
            "IKNL - ZEPPELIN Node",
            "IKNL",
            "ZEPPELIN",
        )
        slippers = session.scalars(select(Collaboration).filter_by(name="SLIPPERS")).one()
        assert slippers.encrypted is False
        assert {o.name for o in slippers.organizations} == {
            "Small Organization",
            "Big Organization",
        }
        tasks = session.scalars(select(Task).filter_by(collaboration=slippers)).all()
        assert [task.image for task in tasks] == ["hello-world", "hello-world"]
        assert tasks[0].job_id != tasks[1].job_id
        assert tasks[0].init_org.name == "Small Organization"
        assert tasks[0].init_user.username == "admin@small-organization.example"
        runs = tasks[0].runs
        assert {run.organization.name for run in runs} == {"Small Organization", "Big Organization"}
        assert {run.status for run in runs} == {TaskStatus.PENDING.value}
        assert base64.b64decode(runs[0].input) == b'{"a": "b"}'


def test_users_get_the_default_role_not_every_rule(database):
    engine, _ = database
    run(database, importer.load_file(SEED_FILE))
    with Session(engine) as session:
        admin = session.scalars(select(User).filter_by(username="admin")).one()
        assert [role.name for role in admin.roles] == list(importer.DEFAULT_ROLES)
        assert admin.rules == []
        root_role = session.scalars(select(Role).filter_by(name=DefaultRole.ROOT.value)).one()
        assert root_role.users[0].username == "root"  # and nobody imported


def test_roles_per_user_by_name_in_any_case_and_the_organizations_own(database):
    engine, _ = database
    with Session(engine) as session, session.begin():
        org = Organization(name="Acme")
        session.add(Role(name="Auditor", organization=org))
    plan = parse("""
        organizations:
          - name: Acme
            users:
              - {username: boss, password: x, roles: [organization admin, Auditor]}
              - {username: nobody, password: x, roles: []}
    """)
    report = run(database, plan)
    with Session(engine) as session:
        boss = session.scalars(select(User).filter_by(username="boss")).one()
        assert sorted(role.name for role in boss.roles) == ["Auditor", "Organization Admin"]
        assert session.scalars(select(User).filter_by(username="nobody")).one().roles == []
    notes = {o.label: o.notes for o in report.outcomes if o.kind == "user"}
    assert notes["nobody"] == ("roles: no roles",)


def test_a_second_run_creates_nothing_and_says_what_exists(database):
    engine, _ = database
    plan = importer.load_file(SEED_FILE)
    run(database, plan)
    before = counts(engine)
    again = run(database, plan)
    assert counts(engine) == before
    assert not [o for o in again.outcomes if o.created]
    assert len(again.outcomes) == 30 and again.root_password is None


def test_a_grown_file_adds_only_what_is_new(database):
    engine, _ = database
    run(database, parse(ONE_ORG))
    grown = ONE_ORG.replace("tasks: [hello-world]", "tasks: [hello-world, hello-world]") + (
        "  - name: Second\n"
        "    participants:\n"
        "      - {name: A, api_key: 123e4567-e89b-12d3-a456-426614174099}\n"
    )
    report = run(database, parse(grown))
    created = [(o.kind, o.label) for o in report.outcomes if o.created]
    assert created == [
        ("task", "Example task (hello-world)"),
        ("collaboration", "Second"),
        ("member", "A in Second"),
        ("node", "A - Second Node"),
    ]
    assert counts(engine)["Task"] == 2


def test_what_differs_in_the_database_is_reported_and_left_alone(database):
    engine, _ = database
    run(database, parse(ONE_ORG))
    changed = (
        ONE_ORG.replace("domain: a.example", "domain: other.example")
        .replace("encrypted: false", "encrypted: true")
        .replace("426614174001", "426614174777")
    )
    report = run(database, parse(changed))
    notes = {o.kind: o.notes for o in report.outcomes if o.notes}
    assert notes["organization"] == ("differs in domain; left unchanged",)
    assert notes["collaboration"] == ("differs in encrypted; left unchanged",)
    assert notes["node"] == ("its API key differs; left unchanged",)
    with Session(engine) as session:
        assert session.scalars(select(Organization.domain).filter_by(name="A")).one() == "a.example"
        assert Node.find_by_api_key(session, "123e4567-e89b-12d3-a456-426614174001") is not None


ONE_ORG = """
organizations:
  - name: A
    domain: a.example
    users:
      - {username: alice, password: x}
collaborations:
  - name: First
    encrypted: false
    participants:
      - {name: A, api_key: 123e4567-e89b-12d3-a456-426614174001}
    tasks: [hello-world]
"""


# --- all or nothing --------------------------------------------------------------------------


def test_a_dry_run_reports_everything_and_writes_nothing(database):
    engine, _ = database
    before = counts(engine)
    report = run(database, importer.load_file(SEED_FILE), dry_run=True)
    assert report.count("user", True) == 6 and report.count("node", True) == 7
    assert counts(engine) == before


def test_a_dry_run_on_an_empty_database_leaves_it_empty(database_factory):
    from vantage6.server import migrate
    from vantage6.server.db import get_engine

    settings = server_settings(database_factory.new_url())
    engine = get_engine(settings)
    report = importer.run(engine, settings, importer.load_file(SEED_FILE), dry_run=True)
    assert report.count("organization", True) == 3 and report.root_password == "root"
    assert migrate.schema_state(engine) is migrate.SchemaState.EMPTY
    engine.dispose()


def test_conflicts_with_the_database_are_all_reported_and_nothing_is_written(database):
    engine, _ = database
    run(database, parse(ONE_ORG))
    before = counts(engine)
    plan = parse("""
        organizations:
          - name: B
            users:
              - {username: alice, password: x}
              - {username: bob, password: x, roles: [Reseacher]}
              - {username: carol, password: x, roles: [node]}
        collaborations:
          - name: Third
            participants:
              - {name: B, api_key: 123e4567-e89b-12d3-a456-426614174001}
              - {name: Nowhere, api_key: 123e4567-e89b-12d3-a456-426614174002}
    """)
    with pytest.raises(importer.ImportFailed) as failed:
        run(database, plan)
    found = [str(problem) for problem in failed.value.problems]
    assert found == [
        "line 5: organizations[0].users[0].username: user 'alice' already exists in "
        "organization 'A'",
        "line 6: organizations[0].users[1].roles[0]: no role named 'Reseacher' (roles: "
        "Collaboration Admin, Organization Admin, Researcher, Root, Viewer)",
        "line 7: organizations[0].users[2].roles[0]: role 'node' is for nodes and algorithms",
        "line 11: collaborations[0].participants[0].api_key: this API key belongs to another node",
        "line 12: collaborations[0].participants[1].name: no organization named 'Nowhere' in "
        "the file or the database",
    ]
    assert counts(engine) == before


def test_drop_all_replaces_everything_in_one_transaction(database):
    engine, _ = database
    run(database, parse(ONE_ORG))
    report = run(database, importer.load_file(SEED_FILE), drop_all=True)
    assert report.root_password == "root"  # a new root user, as at a first start
    with Session(engine) as session:
        names = set(session.scalars(select(Organization.name)))
    assert names == {"root", "IKNL", "Small Organization", "Big Organization"}


def test_drop_all_with_a_problem_keeps_the_old_data(database):
    engine, _ = database
    run(database, parse(ONE_ORG))
    before = counts(engine)
    bad = parse("""
        collaborations:
          - name: X
            participants: [{name: Missing, api_key: 123e4567-e89b-12d3-a456-426614174003}]
    """)
    with pytest.raises(importer.ImportFailed):
        run(database, bad, drop_all=True)
    assert counts(engine) == before


# --- broken files ----------------------------------------------------------------------------


def test_every_problem_of_a_file_is_named_by_its_path_and_line():
    found = problems("""
        organizations:
          - name: IKNL
            users:
              - {username: admin, password: password}
              - {firstname: Nora, password: password}
              - {username: admin, password: pw, email: not-an-email}
          - name: IKNL
            country: no
            public_key: bm90IGEga2V5
            colour: blue
          - just a string
        collaborations:
          - name: C
            encrypted: maybe
            participants:
              - {name: IKNL, api_key: not-a-uuid}
              - {name: IKNL, api_key: 123e4567-e89b-12d3-a456-426614174001}
              - {name: IKNL, api_key: 123e4567-e89b-12d3-a456-426614174001}
            tasks: [hello-world, 3]
          - participants: []
    """)
    assert found == [
        "line 6: organizations[0].users[1].username: is required",
        "line 7: organizations[0].users[2].email: is not an email address",
        "line 7: organizations[0].users[2].username: username 'admin' appears twice (also at "
        "organizations[0].users[0].username)",
        "line 8: organizations[1].name: organization 'IKNL' appears twice (also at "
        "organizations[0].name)",
        "line 9: organizations[1].country: YAML reads this as false, not text: quote it",
        "line 10: organizations[1].public_key: is not a base64-encoded PEM public key",
        "line 11: organizations[1].colour: unknown field (expected one of: name, domain, "
        "address1, address2, zipcode, country, public_key, users)",
        "line 12: organizations[2]: must be a mapping of name, domain, address1, address2, "
        "zipcode, country, public_key, users",
        "line 15: collaborations[0].encrypted: must be true or false",
        "line 17: collaborations[0].participants[0].api_key: must be a UUID like "
        "123e4567-e89b-12d3-a456-426614174001",
        "line 18: collaborations[0].participants[1].name: organization 'IKNL' appears twice "
        "(also at collaborations[0].participants[0].name)",
        "line 19: collaborations[0].participants[2].api_key: api_key "
        "'123e4567-e89b-12d3-a456-426614174001' appears twice (also at "
        "collaborations[0].participants[1].api_key)",
        "line 19: collaborations[0].participants[2].name: organization 'IKNL' appears twice "
        "(also at collaborations[0].participants[0].name)",
        "line 20: collaborations[0].tasks[1]: must be an image name",
        "line 21: collaborations[1].name: is required",
        "line 21: collaborations[1].participants: needs at least one organization",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("organizations: [\n", "line 2: not valid YAML: while parsing a flow node"),
        ("organizations:\n  - name: A\n    name: B\n", "line 3: not valid YAML: duplicate key"),
        ("- a\n- b\n", "must be a mapping of organizations, collaborations"),
        ("organizations: IKNL\n", "line 1: organizations: must be a list"),
        ("collaborations:\n  - name: C\n", "collaborations[0].participants: is required"),
    ],
)
def test_files_that_are_not_an_import_say_why(text, expected):
    assert expected in problems(text)[0]


def test_an_unreadable_file_is_a_problem_too(tmp_path):
    with pytest.raises(importer.ImportFailed) as failed:
        importer.load_file(tmp_path / "missing.yaml")
    assert "cannot read" in str(failed.value)
