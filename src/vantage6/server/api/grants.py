"""Guards against escalation: nobody hands out, or takes away from others, a rule they do not
hold themselves (at their scope or a wider one), and users and roles are only made in
organizations the caller may make them in."""

from __future__ import annotations

from vantage6.server.api.errors import Refused
from vantage6.server.api.writes import referenced
from vantage6.server.models import Organization, Rule


def rule_label(rule: Rule) -> str:
    return f"{rule.id} ({rule.name} {rule.operation.name.lower()} {rule.scope.name.lower()})"


def require_held(request, rules) -> None:
    """403 naming the rules of ``rules`` that the caller does not hold."""
    by_key = {(r.name, r.scope, r.operation): r for r in sorted(rules, key=lambda r: r.id)}
    missing = request.identity.missing(by_key)
    if missing:
        named = ", ".join(rule_label(by_key[key]) for key in missing)
        raise Refused(f"You can only grant or take away rules you hold yourself; not {named}")


def organization_for_new(request, kind: str) -> int:
    """The organization a new user or role (``kind``) is for: the body's ``organization_id``,
    else the caller's; 400 unless it exists, 403 unless the caller may create ``kind`` there."""
    organization_id = request.validated["organization_id"] or request.identity.organization_id
    referenced(request, Organization, [organization_id])
    if not request.context.may_create_in(organization_id):
        raise Refused(f"You may not create {kind} for organization {organization_id}")
    return organization_id
