"""``/rules/<id>``: the rule catalogue, readable by every authenticated caller."""

from __future__ import annotations

from pyramid.authorization import Allow, Authenticated

from vantage6.server.models import Rule
from vantage6.server.resources.base import ModelContainer, ModelContext


class RuleContext(ModelContext):
    def aces(self):
        return [(Allow, Authenticated, "view")]  # rules are public knowledge to callers


class RuleContainer(ModelContainer):
    model = Rule
    context_class = RuleContext

    def aces(self):
        return [(Allow, Authenticated, "view")]
