"""``/collaborations/<id>``: seen by its members, managed within it or globally."""

from __future__ import annotations

from pyramid.authorization import Allow

from vantage6.server.models import Collaboration
from vantage6.server.resources.base import ModelContainer, ModelContext, scoped_aces


class CollaborationContext(ModelContext):
    """``view`` for members (organization scope), ``edit``/``delete`` from inside (collaboration
    scope), and ``edit_members`` (adding or removing organizations) only globally: an editor at
    collaboration scope who could add any organization would extend every other collaboration
    scoped rule they hold (users, roles, nodes) to that organization. ``edit_encryption`` is
    global too: switching it decides for every member whether its data travels encrypted."""

    def aces(self):
        collaboration = self.row
        own = [collaboration.id]
        return [
            *scoped_aces("collaboration", "v", "view", orgs=collaboration.get_organization_ids()),
            *scoped_aces("collaboration", "e", "edit", collabs=own),
            *scoped_aces("collaboration", "e", "edit_members"),
            *scoped_aces("collaboration", "e", "edit_encryption"),
            *scoped_aces("collaboration", "d", "delete", collabs=own),
        ]


class CollaborationContainer(ModelContainer):
    model = Collaboration
    context_class = CollaborationContext

    def aces(self):
        return [
            (Allow, "collaboration:v@any", "view"),
            *scoped_aces("collaboration", "c", "create"),
        ]
