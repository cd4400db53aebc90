"""``Identity.holds`` / ``may_grant`` / ``ungrantable``: what a caller may hand on to others
(no escalation)."""

from __future__ import annotations

import pytest

from vantage6.server.models.rule import Operation, Scope
from vantage6.server.security.identity import Identity

V, E = Operation.VIEW, Operation.EDIT
OWN, ORG, COL, GLO = Scope.OWN, Scope.ORGANIZATION, Scope.COLLABORATION, Scope.GLOBAL


def caller(*rules) -> Identity:
    return Identity(
        kind="user",
        id=5,
        organization_id=3,
        collaboration_ids=frozenset({7}),
        rules=frozenset(rules),
    )


@pytest.mark.parametrize(
    "held, wanted, expected",
    [
        (("user", ORG, E), ("user", ORG, E), True),  # the very rule
        (("user", ORG, E), ("user", OWN, E), True),  # a narrower scope
        (("user", COL, E), ("user", ORG, E), True),
        (("user", GLO, E), ("user", OWN, E), True),
        (("user", ORG, E), ("user", COL, E), False),  # a wider scope
        (("user", COL, E), ("user", GLO, E), False),
        (("user", GLO, V), ("user", ORG, E), False),  # another operation
        (("role", GLO, E), ("user", ORG, E), False),  # another resource
    ],
)
def test_holds_covers_the_same_rule_at_the_same_or_a_narrower_scope(held, wanted, expected):
    assert caller(held).holds(wanted) is expected


def test_a_caller_without_rules_holds_nothing():
    assert not caller().holds(("user", OWN, E))


def test_ungrantable_names_each_rule_not_held_once_in_order():
    identity = caller(("user", COL, E), ("role", ORG, V))
    wanted = [
        ("user", GLO, E),
        ("user", ORG, E),
        ("role", COL, V),
        ("user", GLO, E),
        ("role", ORG, V),
    ]
    assert identity.ungrantable(wanted, 3) == [("user", GLO, E), ("role", COL, V)]
    assert identity.ungrantable([], 3) == []


@pytest.mark.parametrize(
    "held, organization_id, expected",
    [
        (("user", COL, E), 3, True),  # in the caller's own organization: as held
        (("user", COL, E), 4, False),  # elsewhere the collaboration scope reaches other ones
        (("user", ORG, E), 4, False),
        (("user", GLO, E), 4, True),  # the global rule reaches every organization
    ],
)
def test_in_another_organization_only_the_global_rule_may_be_granted(
    held, organization_id, expected
):
    assert caller(held).may_grant(("user", ORG, E), organization_id) is expected
