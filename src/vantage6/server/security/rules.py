"""The rule set defined in code: every (resource, scope, operation) a role can grant.

The table below is the original's 4.x set (86 rules); ``N`` marks rules the ``node`` role holds,
``C`` the ones the ``container`` role holds. Unlike the original's, the container role does not
view the tasks and runs of its whole collaboration: a container reads those of its own job,
by virtue of its token (``job:<id>`` in :mod:`~vantage6.server.security.identity`).
"""

from __future__ import annotations

from dataclasses import dataclass

from vantage6.server.models.rule import Operation, Scope

V, E, C, D, S, R = (
    Operation.VIEW,
    Operation.EDIT,
    Operation.CREATE,
    Operation.DELETE,
    Operation.SEND,
    Operation.RECEIVE,
)
OWN, ORG, COL, GLO = Scope.OWN, Scope.ORGANIZATION, Scope.COLLABORATION, Scope.GLOBAL


@dataclass(frozen=True)
class RuleSpec:
    name: str
    scope: Scope
    operation: Operation
    for_node: bool = False
    for_container: bool = False

    @property
    def key(self) -> tuple[str, Scope, Operation]:
        return (self.name, self.scope, self.operation)

    @property
    def description(self) -> str:
        reach = {
            OWN: "their own",
            ORG: "their organization's",
            COL: "their collaborations'",
            GLO: "all",
        }[self.scope]
        verb = self.operation.name.lower()
        return f"{verb} {reach} {self.name} records"


# resource -> scope -> operations; an operation followed by "N"/"C"/"NC" is held by those roles.
_TABLE: dict[str, dict[Scope, str]] = {
    "user": {OWN: "e d", ORG: "v c e d", COL: "v c e d", GLO: "v c e d"},
    "organization": {ORG: "v:NC e:N", COL: "v:NC e", GLO: "v e c d"},
    "collaboration": {ORG: "v:NC", COL: "e d", GLO: "v e c d"},
    "node": {ORG: "v:NC e:N c d", COL: "v e c d", GLO: "v e c d"},
    "role": {ORG: "v c e d", COL: "v c e d", GLO: "v c e d"},
    "task": {OWN: "v d", ORG: "v d", COL: "v:N c d", GLO: "v c d"},
    "run": {OWN: "v", ORG: "v", COL: "v:N", GLO: "v"},
    "port": {ORG: "v:NC", GLO: "v"},
    "event": {ORG: "r s", COL: "r s", GLO: "r s"},
    "study": {ORG: "v:NC e d", COL: "v e c d", GLO: "v e c d"},
}
_OPERATIONS = {op.value: op for op in Operation}


def _parse() -> tuple[RuleSpec, ...]:
    specs = []
    for name, scopes in _TABLE.items():
        for scope, ops in scopes.items():
            for item in ops.split():
                code, _, holders = item.partition(":")
                specs.append(
                    RuleSpec(name, scope, _OPERATIONS[code], "N" in holders, "C" in holders)
                )
    return tuple(specs)


RULES: tuple[RuleSpec, ...] = _parse()
RULES_BY_KEY = {spec.key: spec for spec in RULES}
