"""Who is calling, and the principals that ACLs grant permissions to.

Vocabulary (used by every ``__acl__`` and every list filter):

- ``user:5``, ``node:4``, ``container:run:12``: the caller itself;
- ``job:9``: an algorithm container of job 9, which reaches that job's tasks and runs only;
- ``org:3``, ``collab:7``: the caller's organization and its collaborations;
- ``<resource>:<op>@global``, ``@collab:<id>``, ``@org:<id>``, ``@user:<id>``: a rule
  (resource, operation) held at a scope, expanded to the objects that scope covers;
- ``<resource>:<op>@any``: the rule is held at some scope (lets a caller reach a collection,
  which is then filtered by scope).

``op`` is the rule operation's letter: v(iew), e(dit), c(reate), d(elete), s(end), r(eceive).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from weakref import WeakKeyDictionary

from sqlalchemy import bindparam, literal, select, union_all
from sqlalchemy.orm import Session

from vantage6.server.models import Role, Rule, member
from vantage6.server.models.role import role_rule, user_role
from vantage6.server.models.rule import Operation, Scope, user_rule
from vantage6.server.security.default_roles import DefaultRole

RuleKey = tuple[str, Scope, Operation]

# How far each scope reaches: a rule held at a scope covers the same rule at any narrower one.
SCOPE_REACH = {Scope.OWN: 0, Scope.ORGANIZATION: 1, Scope.COLLABORATION: 2, Scope.GLOBAL: 3}

RULE, COLLABORATION = "rule", "collaboration"  # the kinds of ids in a user's identity query


@dataclass(frozen=True)
class Identity:
    kind: str  # "user", "node" or "container"
    id: int  # the user's or node's id; for a container, its node's id
    organization_id: int
    collaboration_ids: frozenset[int]
    rules: frozenset[RuleKey]
    claims: dict = field(default_factory=dict, compare=False)
    job_id: int | None = None  # a container's job

    @property
    def principal(self) -> str:
        if self.kind == "container":
            return f"container:run:{self.claims['sub'].get('run_id')}"
        return f"{self.kind}:{self.id}"

    @cached_property
    def _principals(self) -> frozenset[str]:
        """Worked out once per identity: a kept identity (``identity_cache``) serves many
        requests."""
        found = {self.principal, f"org:{self.organization_id}"}
        found |= {f"collab:{collaboration}" for collaboration in self.collaboration_ids}
        if self.kind == "node":
            found.add(node_principal(self.organization_id, *self.collaboration_ids))
        if self.job_id is not None:
            found.add(job_principal(self.job_id))
        for name, scope, operation in self.rules:
            prefix = f"{name}:{operation.value}"
            found.add(f"{prefix}@any")
            if scope is Scope.GLOBAL:
                found.add(f"{prefix}@global")
            elif scope is Scope.COLLABORATION:
                found |= {f"{prefix}@collab:{c}" for c in self.collaboration_ids}
            elif scope is Scope.ORGANIZATION:
                found.add(f"{prefix}@org:{self.organization_id}")
            elif self.kind == "user":
                found.add(f"{prefix}@user:{self.id}")
        return frozenset(found)

    def principals(self) -> frozenset[str]:
        return self._principals

    def holds(self, rule: RuleKey) -> bool:
        """Whether this caller has ``rule`` itself or the same rule at a wider scope
        (GLOBAL ⊇ COLLABORATION ⊇ ORGANIZATION ⊇ OWN)."""
        name, scope, operation = rule
        return any(
            held_name == name
            and held_operation is operation
            and SCOPE_REACH[held_scope] >= SCOPE_REACH[scope]
            for held_name, held_scope, held_operation in self.rules
        )

    def may_grant(self, rule: RuleKey, organization_id: int) -> bool:
        """Whether this caller may give ``rule`` to (or take it from) an account of
        ``organization_id``: only when what the account would reach with it is reached by the
        caller too. What a scope reaches depends on the holder's organization (a collaboration
        scope in a2 covers a2's collaborations, not a1's), so for another organization only the
        global rule covers it; within one's own organization, the rule at the same or a wider
        scope does."""
        name, _, operation = rule
        if (name, Scope.GLOBAL, operation) in self.rules:
            return True
        return organization_id == self.organization_id and self.holds(rule)

    def ungrantable(self, rules: Iterable[RuleKey], organization_id: int) -> list[RuleKey]:
        """The rules of ``rules`` this caller may not grant in ``organization_id``, each once,
        in their order."""
        return [rule for rule in dict.fromkeys(rules) if not self.may_grant(rule, organization_id)]


def job_principal(job_id: int) -> str:
    """The algorithm containers of a job (who may read that job's tasks and runs)."""
    return f"job:{job_id}"


def node_principal(organization_id: int, collaboration_id: int) -> str:
    """The node of an organization in a collaboration (who may report that pair's runs)."""
    return f"node-of:{organization_id}:{collaboration_id}"


# Built once: every request of a logged-in user runs it, and building a statement costs more
# than the database takes to answer it.
USER_GRANTS = union_all(
    select(literal(RULE), role_rule.c.rule_id)
    .join(user_role, user_role.c.role_id == role_rule.c.role_id)
    .where(user_role.c.user_id == bindparam("user_id")),
    select(literal(RULE), user_rule.c.rule_id).where(user_rule.c.user_id == bindparam("user_id")),
    select(literal(COLLABORATION), member.c.collaboration_id).where(
        member.c.organization_id == bindparam("organization_id")
    ),
)


def user_identity(session: Session, user, claims: dict | None = None) -> Identity:
    """The user's rules (direct and through roles) and collaborations, in one round trip.
    ``user`` is a :class:`User` or a row with its ``id`` and ``organization_id``."""
    found = {RULE: set(), COLLABORATION: set()}
    grants = session.connection().execute(
        USER_GRANTS, {"user_id": user.id, "organization_id": user.organization_id}
    )
    for kind, id_ in grants:
        found[kind].add(id_)
    return Identity(
        kind="user",
        id=user.id,
        organization_id=user.organization_id,
        collaboration_ids=frozenset(found[COLLABORATION]),
        rules=rule_keys(session, found[RULE]),
        claims=claims or {},
    )


def node_identity(session: Session, node, claims: dict | None = None) -> Identity:
    return Identity(
        kind="node",
        id=node.id,
        organization_id=node.organization_id,
        collaboration_ids=frozenset({node.collaboration_id}),
        rules=default_role_rules(session, DefaultRole.NODE),
        claims=claims or {},
    )


def container_identity(session: Session, claims: dict, job_id: int) -> Identity:
    about = claims["sub"]
    return Identity(
        kind="container",
        id=about["node_id"],
        organization_id=about["organization_id"],
        collaboration_ids=frozenset({about["collaboration_id"]}),
        rules=default_role_rules(session, DefaultRole.CONTAINER),
        claims=claims,
        job_id=job_id,
    )


ORGANIZATION_COLLABORATIONS = select(member.c.collaboration_id).where(
    member.c.organization_id == bindparam("organization_id")
)


def organization_collaborations(session: Session, organization_id: int) -> frozenset[int]:
    ids = {"organization_id": organization_id}
    return frozenset(session.connection().execute(ORGANIZATION_COLLABORATIONS, ids).scalars())


DEFAULT_ROLE_RULES = (
    select(role_rule.c.rule_id)
    .join(Role, Role.id == role_rule.c.role_id)
    .where(Role.name == bindparam("role"), Role.is_default_role.is_(True))
)


def default_role_rules(session: Session, role: DefaultRole) -> frozenset[RuleKey]:
    return rule_keys(session, session.scalars(DEFAULT_ROLE_RULES, {"role": role.value}))


_rule_catalogues: WeakKeyDictionary = WeakKeyDictionary()  # engine -> {rule id: RuleKey}


def rule_keys(session: Session, rule_ids) -> frozenset[RuleKey]:
    """What the given rule ids stand for, from a per-database catalogue kept in memory.

    Rule rows are written only by the start-up sync (from the code's table), and a rule's
    (name, scope, operation) never changes under its id, so reading the table once per process
    spares every request the rows and enum conversions; an id not seen yet reloads it.
    """
    ids = set(rule_ids)
    engine = session.get_bind()
    catalogue = _rule_catalogues.get(engine)
    if catalogue is None or not ids <= catalogue.keys():
        rows = session.execute(select(Rule.id, Rule.name, Rule.scope, Rule.operation))
        catalogue = {id_: (name, scope, operation) for id_, name, scope, operation in rows}
        _rule_catalogues[engine] = catalogue
    return frozenset(catalogue[id_] for id_ in ids if id_ in catalogue)
