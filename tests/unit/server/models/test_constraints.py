"""Bad input is refused with one clear line, and the shell session stays usable afterwards.

Database constraints (unique names, one node per organization and collaboration, nodes only
for members, required references, delete protection) surface from ``save()``/``delete()`` as a
``SaveError`` naming the problem; wrong Python types are refused at assignment with a
``ModelError`` naming ``Model.attribute``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vantage6.server import models as db
from vantage6.server.models.errors import ModelError
from vantage6.server.models.shell import SaveError, bound_shell_session


@pytest.fixture
def member_orgs(shell):
    """Organizations A and B, both members of collaboration C."""
    a = db.Organization(name="A")
    b = db.Organization(name="B")
    collab = db.Collaboration(name="C", organizations=[a, b])
    collab.save()
    return a, b, collab


def assert_session_still_works(name: str = "saved afterwards"):
    """The failed save was rolled back: new work saves and reads back fine."""
    db.Organization(name=name).save()
    assert db.Organization.get_by_name(name) is not None


def save_fails(obj, message: str) -> None:
    with pytest.raises(SaveError) as caught:
        obj.save()
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


# -- unique values --------------------------------------------------------------------------


def test_duplicate_organization_name(shell):
    db.Organization(name="IKNL").save()
    save_fails(
        db.Organization(name="IKNL"), "could not save Organization: name 'IKNL' is already in use"
    )
    assert_session_still_works()
    assert [o.name for o in db.Organization.get() if o.name == "IKNL"] == ["IKNL"]


def test_duplicate_collaboration_name(shell):
    db.Collaboration(name="Study X").save()
    save_fails(
        db.Collaboration(name="Study X"),
        "could not save Collaboration: name 'Study X' is already in use",
    )
    assert_session_still_works()


def test_duplicate_username(shell, member_orgs):
    a, b, _ = member_orgs
    db.User(username="alice", organization=a).save()
    save_fails(
        db.User(username="alice", organization=b),
        "could not save User: username 'alice' is already in use",
    )
    assert_session_still_works()


def test_duplicate_email_within_an_organization(shell, member_orgs):
    """Unique per organization: refusing another organization's address would confirm it."""
    a, b, _ = member_orgs
    db.User(username="alice", email="a@example.org", organization=a).save()
    db.User(username="bob", email="a@example.org", organization=b).save()
    save_fails(
        db.User(username="carol", email="a@example.org", organization=a),
        "could not save User: another user of this organization already has this email address",
    )
    assert_session_still_works()


def test_users_without_email_do_not_clash(shell, member_orgs):
    a, _, _ = member_orgs
    db.User(username="no-mail-1", organization=a).save()
    db.User(username="no-mail-2", organization=a).save()


def test_duplicate_node_name(shell, member_orgs):
    a, b, collab = member_orgs
    db.Node(name="node", api_key="k1", organization=a, collaboration=collab).save()
    save_fails(
        db.Node(name="node", api_key="k2", organization=b, collaboration=collab),
        "could not save Node: name 'node' is already in use",
    )
    assert_session_still_works()


def test_duplicate_node_api_key(shell, member_orgs):
    a, b, collab = member_orgs
    db.Node(name="node a", api_key="same", organization=a, collaboration=collab).save()
    save_fails(
        db.Node(name="node b", api_key="same", organization=b, collaboration=collab),
        "could not save Node: another node already uses this API key",
    )


def test_two_nodes_for_one_organization_in_one_collaboration(shell, member_orgs):
    a, _, collab = member_orgs
    db.Node(name="first", api_key="k1", organization=a, collaboration=collab).save()
    save_fails(
        db.Node(name="second", api_key="k2", organization=a, collaboration=collab),
        "could not save Node: this organization already has a node in this collaboration",
    )
    assert_session_still_works()
    assert [n.name for n in collab.nodes] == ["first"]


def test_duplicate_membership_is_refused_by_the_database(shell, dbsession, member_orgs):
    a, _, collab = member_orgs
    with pytest.raises(IntegrityError), dbsession.begin_nested():
        dbsession.execute(
            insert(db.member).values(organization_id=a.id, collaboration_id=collab.id)
        )


def test_duplicate_membership_through_the_shell(shell, member_orgs):
    a, _, collab = member_orgs
    collab.organizations.append(a)
    save_fails(
        collab,
        "could not save Collaboration: this organization is already a member of this collaboration",
    )
    assert_session_still_works()
    assert sorted(o.name for o in collab.organizations) == ["A", "B"]


# -- required references ----------------------------------------------------------------------


def test_user_needs_an_organization(shell):
    save_fails(db.User(username="orphan"), "could not save User: organization is required")
    assert_session_still_works()


def test_task_needs_a_collaboration(shell, member_orgs):
    a, _, _ = member_orgs
    save_fails(db.Task(image="img", init_org=a), "could not save Task: collaboration is required")
    assert_session_still_works()


def test_node_needs_its_organization_to_be_a_member(make_database):
    """The membership check is deferred to commit, so it needs a real (not nested) commit."""
    engine = make_database()
    with Session(engine) as session, bound_shell_session(session):
        member, outsider = db.Organization(name="member"), db.Organization(name="outsider")
        db.Collaboration(name="C", organizations=[member]).save()
        collab = db.Collaboration.get_by_name("C")
        save_fails(
            db.Node(name="stray", api_key="k1", organization=outsider, collaboration=collab),
            "could not save Node: it refers to a record that does not exist (a node needs its "
            "organization to be a member of its collaboration)",
        )
        assert db.Node.get() == []
        db.Node(name="proper", api_key="k2", organization=member, collaboration=collab).save()
        assert [n.name for n in db.Node.get()] == ["proper"]


# -- deleting ------------------------------------------------------------------------------------


def test_organization_with_users_cannot_be_deleted(shell, member_orgs):
    a, _, collab = member_orgs
    user = db.User(username="alice", organization=a)
    user.save()
    with pytest.raises(SaveError) as caught:
        a.delete()
    message = str(caught.value)
    assert message.startswith("could not delete Organization: ")
    assert "user" in message and "still refer to it" in message
    assert db.Organization.get(a.id) is a
    assert user.organization is a and a in collab.organizations  # nothing half-deleted
    assert_session_still_works()


def test_collaboration_with_nodes_cannot_be_deleted(shell, member_orgs):
    a, _, collab = member_orgs
    db.Node(name="n", api_key="k", organization=a, collaboration=collab).save()
    with pytest.raises(SaveError, match="could not delete Collaboration: .*node.* still refer"):
        collab.delete()
    assert db.Collaboration.get(collab.id) is collab
    assert_session_still_works()


def test_deleting_an_organization_deletes_its_roles_and_memberships(shell, dbsession, member_orgs):
    a, b, collab = member_orgs
    role = db.Role(name="A analysts", organization=a)
    role.save()
    role_id = role.id
    a.delete()
    # Its role is gone, not turned into a global role (organization_id NULL).
    assert dbsession.scalar(select(db.Role.id).where(db.Role.id == role_id)) is None
    assert db.Collaboration.get(collab.id).organizations == [b]


# -- wrong types -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: db.Organization(name=123), "Organization.name must be text, not int 123"),
        (
            lambda: db.Collaboration(encrypted="no"),
            "Collaboration.encrypted must be true or false, not str 'no'",
        ),
        (
            lambda: db.User(username="u", organization="IKNL"),
            "User.organization takes Organization objects, not str 'IKNL'",
        ),
        (lambda: db.User(username="u", roles=[1]), "User.roles takes Role objects, not int 1"),
        (
            lambda: db.Rule(name="x", scope="bad"),
            "Rule.scope must be one of Scope.OWN, Scope.ORGANIZATION, Scope.COLLABORATION, "
            "Scope.GLOBAL, not 'bad'",
        ),
        (lambda: db.Rule(name="x", operation="fly"), "Rule.operation must be one of "),
        (
            lambda: db.User(username="u", failed_login_attempts=True),
            "User.failed_login_attempts must be a whole number, not bool True",
        ),
        (lambda: db.Run(started_at="yesterday"), "Run.started_at must be a datetime"),
        (
            lambda: db.Node(name="n", collaboration=db.Organization(name="o")),
            "Node.collaboration takes Collaboration objects, not Organization",
        ),
        (
            lambda: db.Collaboration(organizations=["A"]),
            "Collaboration.organizations takes Organization objects, not str 'A'",
        ),
    ],
)
def test_wrong_types_in_the_constructor(shell, build, message):
    with pytest.raises(ModelError) as caught:
        build()
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    "attribute, value, message",
    [
        ("name", 123, "Organization.name must be text, not int 123"),
        ("domain", ["x"], "Organization.domain must be text, not list ['x']"),
        (
            "collaborations",
            ["C"],
            "Organization.collaborations takes Collaboration objects, not str 'C'",
        ),
    ],
)
def test_wrong_types_on_assignment(shell, member_orgs, attribute, value, message):
    a, _, _ = member_orgs
    before = getattr(a, attribute)
    with pytest.raises(ModelError) as caught:
        setattr(a, attribute, value)
    assert str(caught.value).startswith(message)
    assert getattr(a, attribute) == before


def test_assigning_a_string_to_a_relationship_names_the_model(shell, member_orgs):
    a, _, _ = member_orgs
    user = db.User(username="u", organization=a)
    with pytest.raises(ModelError, match=r"^User\.organization takes Organization objects"):
        user.organization = "A"
    assert user.organization is a


def test_convenient_values_are_converted(shell):
    assert db.Collaboration(encrypted=0).encrypted is False
    assert db.Collaboration(encrypted=1).encrypted is True
    rule = db.Rule(name="x", scope="glo", operation="VIEW")
    assert (rule.scope, rule.operation) == (db.Scope.GLOBAL, db.Operation.VIEW)
    aware = dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)
    assert db.Run(started_at=aware).started_at == aware


# -- lookups -----------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["abc", "1", 1.0, True])
def test_get_needs_a_whole_number(shell, bad):
    with pytest.raises(ModelError, match="an id must be a whole number"):
        db.Organization.get(bad)


def test_get_unknown_id_is_none(shell):
    assert db.Organization.get(10**9) is None


def test_rule_get_by_refuses_the_enum_classes(shell):
    with pytest.raises(ModelError, match=r"^expected one of Scope\.OWN, .*Scope\.GLOBAL"):
        db.Rule.get_by_("node", db.Scope, db.Operation)
    with pytest.raises(ModelError, match=r"^expected one of Operation\.VIEW, "):
        db.Rule.get_by_("node", db.Scope.GLOBAL, db.Operation)
    with pytest.raises(ModelError, match="expected one of Scope"):
        db.Rule.get_by_("node", "everywhere", "v")


@pytest.mark.parametrize(
    "scope, operation",
    [
        ("glo", "v"),
        ("GLOBAL", "VIEW"),
        ("global", "view"),
        (db.Scope.GLOBAL, db.Operation.VIEW),
    ],
)
def test_rule_get_by_accepts_members_names_and_values(shell, scope, operation):
    rule = db.Rule.get_by_("node", scope, operation)
    assert (rule.name, rule.scope, rule.operation) == ("node", db.Scope.GLOBAL, db.Operation.VIEW)


def test_rule_get_by_unknown_rule_is_none(shell):
    assert db.Rule.get_by_("spaceship", "glo", "v") is None
    assert db.Rule.get_by_("port", "col", "v") is None  # port has no collaboration scope
