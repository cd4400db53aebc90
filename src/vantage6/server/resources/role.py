"""``/roles/<id>``: an organization's roles follow its scopes; roles of no organization
(the default roles) are visible to every holder of a role view rule."""

from __future__ import annotations

from pyramid.authorization import Allow

from vantage6.server.models import Role
from vantage6.server.resources.base import ModelContainer, ModelContext, scoped_aces
from vantage6.server.resources.user import OrganizationOwned, organization_scope

SHARED = [(Allow, "role:v@any", "view")]  # roles of no organization are there for everyone


class RoleContext(ModelContext):
    def aces(self):
        role = self.row
        if role.is_default_role:
            # Nobody may change a default role. Letting every role editor through lets the view
            # say so plainly; callers who cannot edit roles at all get the usual 403.
            return [*SHARED, (Allow, "role:e@any", "edit"), (Allow, "role:d@any", "delete")]
        if role.organization_id is None:
            shared, ids = SHARED, {}
        else:
            shared, ids = [], organization_scope(self.request.dbsession, role.organization_id)
        return [
            *shared,
            *scoped_aces("role", "v", "view", **ids),
            *scoped_aces("role", "e", "edit", **ids),
            *scoped_aces("role", "d", "delete", **ids),
        ]


class RoleContainer(OrganizationOwned, ModelContainer):
    resource = "role"
    model = Role
    context_class = RoleContext

    def aces(self):
        return [(Allow, "role:v@any", "view"), (Allow, "role:c@any", "create")]
