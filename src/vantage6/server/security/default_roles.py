"""The roles every server has, and keeping rules and those roles in step with the code."""

from __future__ import annotations

import logging
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from vantage6.server.models import Role, Rule
from vantage6.server.security.rules import COL, GLO, ORG, OWN, RULES, RULES_BY_KEY, RuleSpec

log = logging.getLogger(__name__)


class DefaultRole(StrEnum):
    ROOT = "Root"
    CONTAINER = "container"
    NODE = "node"
    VIEWER = "Viewer"
    RESEARCHER = "Researcher"
    ORG_ADMIN = "Organization Admin"
    COLLAB_ADMIN = "Collaboration Admin"


def _pick(name: str, scope, ops: str) -> set[RuleSpec]:
    wanted = ops.split()
    return {
        spec
        for spec in RULES
        if spec.name == name and spec.scope is scope and spec.operation.value in wanted
    }


_VIEWER = (
    _pick("user", OWN, "e d")
    | _pick("user", ORG, "v")
    | _pick("organization", ORG, "v")
    | _pick("organization", COL, "v")
    | _pick("collaboration", ORG, "v")
    | _pick("role", ORG, "v")
    | _pick("node", ORG, "v")
    | _pick("node", COL, "v")
    | _pick("task", COL, "v")
    | _pick("run", COL, "v")
    | _pick("port", ORG, "v")
    | _pick("event", ORG, "r")
    | _pick("event", COL, "r")
    | _pick("study", ORG, "v")
)
_RESEARCHER_EXTRA = _pick("task", COL, "c") | _pick("task", ORG, "d")
_ORG_ADMIN = (
    _VIEWER
    | _pick("user", ORG, "c e d")
    | _pick("organization", ORG, "e")
    | _pick("role", ORG, "c e d")
    | _pick("node", ORG, "c e")
    | _pick("event", ORG, "s")
)
_COLLAB_ADMIN = (
    _ORG_ADMIN
    | _RESEARCHER_EXTRA
    | _pick("user", COL, "v c e")
    | _pick("organization", GLO, "v")
    | _pick("organization", COL, "e")
    | _pick("collaboration", COL, "e")
    | _pick("role", COL, "v")
    | _pick("node", COL, "c v d")
    | _pick("event", COL, "s")
    | _pick("study", COL, "v c e d")
)

DEFAULT_ROLE_RULES: dict[DefaultRole, frozenset[RuleSpec]] = {
    DefaultRole.ROOT: frozenset(RULES),
    DefaultRole.CONTAINER: frozenset(spec for spec in RULES if spec.for_container),
    DefaultRole.NODE: frozenset(spec for spec in RULES if spec.for_node),
    DefaultRole.VIEWER: frozenset(_VIEWER),
    DefaultRole.RESEARCHER: frozenset(_VIEWER | _RESEARCHER_EXTRA),
    DefaultRole.ORG_ADMIN: frozenset(_ORG_ADMIN),
    DefaultRole.COLLAB_ADMIN: frozenset(_COLLAB_ADMIN),
}

DESCRIPTIONS = {
    DefaultRole.ROOT: "Every rule: full control of the server",
    DefaultRole.CONTAINER: "What an algorithm container may do through its node",
    DefaultRole.NODE: "What a node may do",
    DefaultRole.VIEWER: "Can view the resources of their organization and collaborations",
    DefaultRole.RESEARCHER: "Viewer who can also create tasks",
    DefaultRole.ORG_ADMIN: "Manages the users, roles and nodes of their organization",
    DefaultRole.COLLAB_ADMIN: "Manages the organizations, nodes and users of their collaborations",
}


def sync_rules_and_roles(session: Session) -> None:
    """Make the rule table and the default roles match the code (idempotent)."""
    rules = _sync_rules(session)
    existing = _global_roles_by_name(session)
    for default_role, specs in DEFAULT_ROLE_RULES.items():
        role = existing.get(default_role.value)
        if role is None:
            role = Role(name=default_role.value, is_default_role=True)
            session.add(role)
        elif not role.is_default_role:
            log.warning("A custom role is named %r; the default role is not created", role.name)
            continue
        role.description = DESCRIPTIONS[default_role]
        wanted = [rules[spec.key] for spec in sorted(specs, key=RULES.index)]
        if set(role.rules) != set(wanted):
            role.rules = wanted


def _global_roles_by_name(session: Session) -> dict[str, Role]:
    """Roles without organization by name; where a custom role (e.g. made in the shell) shares
    a default role's name, the default role wins, so it is still kept in sync."""
    roles: dict[str, Role] = {}
    query = select(Role).where(Role.organization_id.is_(None)).order_by(Role.id)
    for role in session.scalars(query):
        current = roles.get(role.name)
        if current is None or (role.is_default_role and not current.is_default_role):
            roles[role.name] = role
    return roles


def _sync_rules(session: Session) -> dict:
    rules = {(r.name, r.scope, r.operation): r for r in session.scalars(select(Rule))}
    for key, rule in list(rules.items()):
        if key not in RULES_BY_KEY:
            log.info("Removing rule %s that the code no longer defines", rule)
            session.delete(rule)
            del rules[key]
    for spec in RULES:
        rule = rules.get(spec.key)
        if rule is None:
            rule = rules[spec.key] = Rule(
                name=spec.name, scope=spec.scope, operation=spec.operation
            )
            session.add(rule)
        rule.description = spec.description
    return rules
