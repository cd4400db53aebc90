"""Guards against escalation: nobody hands out, or takes away from others, a rule whose reach
they lack (see :meth:`~vantage6.server.security.identity.Identity.may_grant`), nobody changes
a user who can do more than they can, and users and roles are only made in organizations the
caller may make them in."""

from __future__ import annotations

from vantage6.server.api.errors import Refused
from vantage6.server.api.writes import referenced
from vantage6.server.models import Organization, Rule, User


def rule_label(rule: Rule) -> str:
    return f"{rule.id} ({rule.name} {rule.operation.name.lower()} {rule.scope.name.lower()})"


def ungrantable_labels(request, rules, organization_id: int) -> str | None:
    """The rules of ``rules`` the caller may not grant in ``organization_id``, named for a
    message; None when there are none."""
    by_key = {(r.name, r.scope, r.operation): r for r in sorted(rules, key=lambda r: r.id)}
    refused = request.identity.ungrantable(by_key, organization_id)
    return ", ".join(rule_label(by_key[key]) for key in refused) or None


def require_grantable(request, rules, organization_id: int) -> None:
    """403 naming the rules of ``rules`` that the caller may not give to, or take from, an
    account of organization ``organization_id``."""
    named = ungrantable_labels(request, rules, organization_id)
    if named is None:
        return
    if organization_id == request.identity.organization_id:
        raise Refused(f"You can only grant or take away rules you hold yourself; not {named}")
    raise Refused(
        f"Only holders of a rule at global scope can grant or take it away in organization "
        f"{organization_id}, which is not yours; not {named}"
    )


def rules_of(roles) -> list[Rule]:
    return [rule for role in roles for rule in role.rules]


def effective_rules(user: User) -> list[Rule]:
    """Every rule a user holds: its own and those of its roles."""
    return [*user.rules, *rules_of(user.roles)]


def require_outranks(request, target: User, doing: str) -> None:
    """403 unless the caller could grant every rule ``target`` holds: otherwise an admin could
    take over, or remove, someone more privileged. Users may always act on themselves."""
    if request.identity.kind == "user" and target.id == request.identity.id:
        return
    named = ungrantable_labels(request, effective_rules(target), target.organization_id)
    if named is not None:
        raise Refused(
            f"You cannot {doing} user {target.id}: they hold rules that you could not grant "
            f"them ({named})"
        )


def organization_for_new(request, kind: str) -> int:
    """The organization a new user or role (``kind``) is for: the body's ``organization_id``,
    else the caller's; 400 unless it exists, 403 unless the caller may create ``kind`` there."""
    organization_id = request.validated["organization_id"] or request.identity.organization_id
    referenced(request, Organization, [organization_id])
    if not request.context.may_create_in(organization_id):
        raise Refused(f"You may not create {kind} for organization {organization_id}")
    return organization_id
