"""After bootstrap the rule table holds exactly the 86 rules of vantage6 4.14, once each.

The expected set is transcribed from the reference (§2.2), not computed from the code, so a
mistake in ``security/rules.py`` shows up here.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select, text

from tests.support import OPERATIONS, SCOPES
from vantage6.server.models import Operation, Rule, Scope
from vantage6.server.security.rules import RULES

# §2.2 of the reference: resource -> scope -> operations.
REFERENCE_TABLE = {
    "user": {
        "own": "edit delete",
        "org": "view create edit delete",
        "col": "view create edit delete",
        "glo": "view create edit delete",
    },
    "organization": {"org": "view edit", "col": "view edit", "glo": "view edit create delete"},
    "collaboration": {"org": "view", "col": "edit delete", "glo": "view edit create delete"},
    "node": {
        "org": "view edit create delete",
        "col": "view edit create delete",
        "glo": "view edit create delete",
    },
    "role": {
        "org": "view create edit delete",
        "col": "view create edit delete",
        "glo": "view create edit delete",
    },
    "task": {
        "own": "view delete",
        "org": "view delete",
        "col": "view create delete",
        "glo": "view create delete",
    },
    "run": {"own": "view", "org": "view", "col": "view", "glo": "view"},
    "port": {"org": "view", "glo": "view"},
    "event": {"org": "receive send", "col": "receive send", "glo": "receive send"},
    "study": {
        "org": "view edit delete",
        "col": "view edit create delete",
        "glo": "view edit create delete",
    },
}
REFERENCE_RULES = {
    (name, SCOPES[scope], OPERATIONS[op])
    for name, scopes in REFERENCE_TABLE.items()
    for scope, ops in scopes.items()
    for op in ops.split()
}


def stored_rules(session) -> list[tuple[str, Scope, Operation]]:
    return [(r.name, r.scope, r.operation) for r in session.scalars(select(Rule))]


def test_reference_transcription_has_86_rules():
    assert len(REFERENCE_RULES) == 86


def test_code_defines_the_reference_rules_once_each():
    keys = [spec.key for spec in RULES]
    assert len(keys) == 86 and set(keys) == REFERENCE_RULES


def test_database_holds_exactly_the_reference_rules(dbsession):
    rules = stored_rules(dbsession)
    assert len(rules) == 86
    assert [key for key, count in Counter(rules).items() if count > 1] == []
    assert set(rules) == REFERENCE_RULES


def test_rules_are_unique_in_the_database_too(dbsession):
    duplicates = dbsession.execute(
        select(Rule.name, Rule.scope, Rule.operation)
        .group_by(Rule.name, Rule.scope, Rule.operation)
        .having(func.count() > 1)
    ).all()
    assert duplicates == []


def test_enum_members_are_stored_by_name(dbsession):
    """Like the original (SQLAlchemy stores Enum names), e.g. GLOBAL / VIEW."""
    rows = dbsession.execute(text("SELECT scope, operation FROM rule WHERE name = 'node'")).all()
    assert {scope for scope, _ in rows} == {"ORGANIZATION", "COLLABORATION", "GLOBAL"}
    assert {operation for _, operation in rows} == {"VIEW", "EDIT", "CREATE", "DELETE"}


def test_every_rule_has_a_description(dbsession):
    for rule in dbsession.scalars(select(Rule)):
        assert rule.description and rule.name in rule.description
    node_view = dbsession.scalars(
        select(Rule).filter_by(name="node", scope=Scope.GLOBAL, operation=Operation.VIEW)
    ).one()
    assert node_view.description == "view all node records"
