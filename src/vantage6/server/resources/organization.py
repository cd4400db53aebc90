"""``/organizations/<id>``: reachable through its own and its collaborations' scopes."""

from __future__ import annotations

from pyramid.authorization import Allow

from vantage6.server.models import Organization
from vantage6.server.resources.base import ModelContainer, ModelContext, scoped_aces
from vantage6.server.security.identity import organization_collaborations


class OrganizationContext(ModelContext):
    def aces(self):
        organization = self.row
        # The ids alone: loading the collaborations as objects cost more than the request.
        collaborations = organization_collaborations(self.request.dbsession, organization.id)
        ids = {"orgs": [organization.id], "collabs": collaborations}
        return [
            *scoped_aces("organization", "v", "view", **ids),
            *scoped_aces("organization", "e", "edit", **ids),
            *scoped_aces("organization", "d", "delete"),
            # Whoever sets the key receives what is encrypted for the organization: only its
            # own nodes and admins, not collaboration or global admins of other organizations.
            (Allow, f"organization:e@org:{organization.id}", "set_public_key"),
        ]


class OrganizationContainer(ModelContainer):
    model = Organization
    context_class = OrganizationContext

    def aces(self):
        return [
            (Allow, "organization:v@any", "view"),
            *scoped_aces("organization", "c", "create"),
        ]
