"""The default roles hold exactly the rules the reference gives them, and re-syncing is safe.

Expected rule sets are transcribed from the reference (§2.2 N/C flags, §2.3 role contents).
``sync_rules_and_roles`` must change nothing on a synced database, must repair drift (missing
or extra rules, deleted default roles, rules the code no longer defines), and must leave
custom roles alone, even when they share a default role's name.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import event, select

from tests.support import OPERATIONS, SCOPES
from vantage6.server.models import Operation, Organization, Role, Rule, Scope, User
from vantage6.server.security.default_roles import sync_rules_and_roles

DEFAULT_ROLE_NAMES = [
    "Root",
    "container",
    "node",
    "Viewer",
    "Researcher",
    "Organization Admin",
    "Collaboration Admin",
]


def rules(*specs: str) -> set[tuple[str, Scope, Operation]]:
    """``rules("user own edit delete", ...)`` -> {("user", Scope.OWN, Operation.EDIT), ...}."""
    keys = set()
    for spec in specs:
        name, scope, *ops = spec.split()
        keys |= {(name, SCOPES[scope], OPERATIONS[op]) for op in ops}
    return keys


NODE = rules(
    "organization org view edit",
    "organization col view",
    "collaboration org view",
    "node org view edit",
    "task col view",
    "run col view",
    "port org view",
    "study org view",
)
# Unlike the original's, no task or run view: a container reads its own job by its token.
CONTAINER = rules(
    "organization org view",
    "organization col view",
    "collaboration org view",
    "node org view",
    "port org view",
    "study org view",
)
VIEWER = rules(
    "user own edit delete",
    "user org view",
    "organization org view",
    "organization col view",
    "collaboration org view",
    "role org view",
    "node org view",
    "node col view",
    "task col view",
    "run col view",
    "port org view",
    "event org receive",
    "event col receive",
    "study org view",
)
RESEARCHER_ONLY = rules("task col create", "task org delete")
RESEARCHER = VIEWER | RESEARCHER_ONLY
ORG_ADMIN = VIEWER | rules(
    "user org create edit delete",
    "organization org edit",
    "role org create edit delete",
    "node org create edit",
    "event org send",
)
COLLAB_ADMIN = (
    ORG_ADMIN
    | RESEARCHER_ONLY
    | rules(
        "user col view create edit",
        "organization glo view",
        "organization col edit",
        "collaboration org view",
        "collaboration col edit",
        "role col view",
        "node col create view delete",
        "event col send",
        "study col view create edit delete",
    )
)
EXPECTED = {
    "node": NODE,
    "container": CONTAINER,
    "Viewer": VIEWER,
    "Researcher": RESEARCHER,
    "Organization Admin": ORG_ADMIN,
    "Collaboration Admin": COLLAB_ADMIN,
}


def key(rule: Rule) -> tuple[str, Scope, Operation]:
    return (rule.name, rule.scope, rule.operation)


def default_role(session, name: str) -> Role:
    return session.scalars(
        select(Role).filter_by(name=name, organization_id=None, is_default_role=True)
    ).one()


def role_rules(session, name: str) -> set[tuple[str, Scope, Operation]]:
    return {key(rule) for rule in default_role(session, name).rules}


def snapshot(session) -> dict:
    """Everything sync is responsible for: the rules and the global roles."""
    session.expire_all()
    return {
        "rules": {key(r): r.description for r in session.scalars(select(Rule))},
        "roles": sorted(
            (role.name, role.description, role.is_default_role, sorted(map(str, role.rules)))
            for role in session.scalars(select(Role).where(Role.organization_id.is_(None)))
        ),
    }


def test_expected_sets_are_consistent_with_the_reference():
    assert (len(NODE), len(CONTAINER), len(VIEWER)) == (10, 6, 15)  # the original: 8
    assert CONTAINER < NODE
    assert VIEWER < RESEARCHER < COLLAB_ADMIN and VIEWER < ORG_ADMIN < COLLAB_ADMIN


# -- after bootstrap -------------------------------------------------------------------------


def test_each_default_role_exists_once_globally(dbsession):
    roles = dbsession.scalars(select(Role).where(Role.is_default_role)).all()
    assert sorted(role.name for role in roles) == sorted(DEFAULT_ROLE_NAMES)
    for role in roles:
        assert role.organization_id is None and role.organization is None
        assert role.description


def test_root_has_every_rule(dbsession):
    root = default_role(dbsession, "Root")
    all_rules = dbsession.scalars(select(Rule)).all()
    assert len(all_rules) == 86
    assert set(root.rules) == set(all_rules) and len(root.rules) == 86


@pytest.mark.parametrize("name", EXPECTED)
def test_default_role_has_exactly_the_reference_rules(dbsession, name):
    assert role_rules(dbsession, name) == EXPECTED[name]


@pytest.mark.parametrize(
    "role, rule, held",
    [
        ("node", "organization org edit", True),
        ("container", "organization org edit", False),
        ("node", "task col view", True),
        ("node", "task col create", False),  # containers make subtasks via their token claims
        ("container", "study org view", True),
        ("Viewer", "task col create", False),
        ("Researcher", "task col create", True),
        ("Researcher", "task org delete", True),
        ("Organization Admin", "task col create", False),  # 4.14 removed it (issue #2312)
        ("Organization Admin", "organization glo view", False),
        ("Collaboration Admin", "organization glo view", True),
        ("Collaboration Admin", "organization glo edit", False),
        ("Collaboration Admin", "user glo view", False),
        ("Viewer", "user own edit", True),
        ("Viewer", "user org create", False),
        ("Organization Admin", "user org create", True),
    ],
)
def test_concrete_memberships(dbsession, role, rule, held):
    (wanted,) = rules(rule)
    assert (wanted in role_rules(dbsession, role)) is held


# -- re-syncing ----------------------------------------------------------------------------


def test_second_sync_changes_nothing(dbsession):
    before = snapshot(dbsession)
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sync_rules_and_roles(dbsession)
    assert not dbsession.new and not dbsession.deleted
    assert [obj for obj in dbsession.dirty if dbsession.is_modified(obj)] == []
    connection = dbsession.connection()
    event.listen(connection, "before_cursor_execute", record)
    try:
        dbsession.flush()
    finally:
        event.remove(connection, "before_cursor_execute", record)
    assert not [s for s in statements if s.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert snapshot(dbsession) == before


def test_sync_repairs_drift(dbsession):
    expected = snapshot(dbsession)
    viewer = default_role(dbsession, "Viewer")
    org = Organization(name="Drift Org")
    custom = Role(name="Auditors", organization=org, rules=list(viewer.rules[:3]))
    user = User(username="drift-user", organization=org, roles=[viewer])
    dbsession.add_all([custom, user])

    obsolete = Rule(
        name="vpn",
        scope=Scope.GLOBAL,
        operation=Operation.VIEW,
        description="a rule the code no longer defines",
    )
    viewer.rules.remove(
        next(r for r in viewer.rules if key(r) == ("task", Scope.COLLABORATION, Operation.VIEW))
    )
    viewer.rules.append(obsolete)
    custom.rules.append(obsolete)
    user.rules.append(obsolete)
    user_delete = dbsession.scalars(
        select(Rule).filter_by(name="user", scope=Scope.GLOBAL, operation=Operation.DELETE)
    ).one()
    node_role = default_role(dbsession, "node")
    node_role.rules.append(user_delete)
    default_role(dbsession, "Researcher").description = "edited by hand"
    dbsession.delete(default_role(dbsession, "Collaboration Admin"))
    port_global = dbsession.scalars(select(Rule).filter_by(name="port", scope=Scope.GLOBAL)).one()
    port_global.description = "edited by hand"
    dbsession.commit()
    assert snapshot(dbsession) != expected

    sync_rules_and_roles(dbsession)
    dbsession.commit()

    assert snapshot(dbsession) == expected
    assert dbsession.scalars(select(Rule).filter_by(name="vpn")).all() == []
    dbsession.expire_all()
    assert len(custom.rules) == 3 and obsolete not in custom.rules  # only the obsolete rule left
    assert user.rules == [] and user.roles == [viewer]  # same Viewer row, still assigned
    assert role_rules(dbsession, "Collaboration Admin") == COLLAB_ADMIN


def assert_untouched(custom: Role, rule: Rule) -> None:
    assert (custom.description, custom.rules, custom.is_default_role) == ("ours", [rule], False)


def test_custom_role_of_an_organization_named_like_a_default_role_is_left_alone(dbsession):
    org = Organization(name="Custom Org")
    one_rule = dbsession.scalars(select(Rule).filter_by(name="run", scope=Scope.OWN)).one()
    custom = Role(name="Viewer", description="ours", organization=org, rules=[one_rule])
    dbsession.add(custom)
    dbsession.commit()

    sync_rules_and_roles(dbsession)
    dbsession.commit()
    dbsession.expire_all()

    assert_untouched(custom, one_rule)
    assert role_rules(dbsession, "Viewer") == VIEWER


def test_global_custom_role_named_like_a_default_role_is_left_alone(dbsession, caplog):
    """A custom role without organization blocks the default of that name (like 4.x)."""
    dbsession.delete(default_role(dbsession, "Researcher"))
    one_rule = dbsession.scalars(select(Rule).filter_by(name="run", scope=Scope.OWN)).one()
    custom = Role(name="Researcher", description="ours", rules=[one_rule])
    dbsession.add(custom)
    dbsession.commit()

    with caplog.at_level(logging.WARNING):
        sync_rules_and_roles(dbsession)
    dbsession.commit()
    dbsession.expire_all()

    assert_untouched(custom, one_rule)
    assert dbsession.scalars(select(Role).filter_by(name="Researcher")).all() == [custom]
    assert "custom role is named 'Researcher'" in caplog.text


def test_custom_global_role_does_not_hide_the_default_of_the_same_name(dbsession):
    """With both present, the default role is still the one that is kept in sync."""
    viewer = default_role(dbsession, "Viewer")
    one_rule = dbsession.scalars(select(Rule).filter_by(name="run", scope=Scope.OWN)).one()
    custom = Role(name="Viewer", description="ours", rules=[one_rule])
    dbsession.add(custom)
    viewer.rules.clear()
    dbsession.commit()

    sync_rules_and_roles(dbsession)
    dbsession.commit()
    dbsession.expire_all()

    assert role_rules(dbsession, "Viewer") == VIEWER
    assert_untouched(custom, one_rule)
