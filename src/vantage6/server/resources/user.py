"""``/users/<id>``: people are reached through their organization's scopes, and by themselves."""

from __future__ import annotations

from pyramid.authorization import Allow
from sqlalchemy import select

from vantage6.server.models import User, member
from vantage6.server.models.rule import Operation
from vantage6.server.resources.base import (
    Location,
    ModelContainer,
    ModelContext,
    scoped_aces,
    scoped_filter,
)
from vantage6.server.security.identity import organization_collaborations


def organization_scope(session, organization_id: int) -> dict:
    """``scoped_aces`` keywords for an object that belongs to organization ``organization_id``:
    reachable from that organization and from each of its collaborations."""
    collaborations = sorted(organization_collaborations(session, organization_id))
    return {"orgs": [organization_id], "collabs": collaborations}


def visible_in_organization(identity, resource: str, column):
    """SQL mirror of :func:`organization_scope` for viewing: rows whose organization
    (``column``) the caller's ``resource`` view rules reach."""
    return scoped_filter(
        identity,
        resource,
        Operation.VIEW,
        organization=lambda own: column == own,
        collaboration=lambda collaborations: column.in_(organizations_in(collaborations)),
    )


def organizations_in(collaboration_ids):
    """SQL: the ids of the organizations taking part in any of ``collaboration_ids``."""
    return select(member.c.organization_id).where(member.c.collaboration_id.in_(collaboration_ids))


class Prospect(Location):
    """An object that does not exist yet (a user or role about to be made in some
    organization): its ACL says whether the caller may make it there."""

    def __init__(self, parent, aces: list):
        super().__init__(parent, "")
        self._aces = aces

    def aces(self):
        return self._aces


class OrganizationOwned:
    """Mixin for containers of objects that belong to an organization (``resource`` names
    their rules): may the caller create one in a given organization?"""

    resource: str

    def may_create_in(self, organization_id: int) -> bool:
        ids = organization_scope(self.request.dbsession, organization_id)
        prospect = Prospect(self, scoped_aces(self.resource, "c", "create", **ids))
        return bool(self.request.has_permission("create", prospect))


class UserContext(ModelContext):
    def aces(self):
        user = self.row
        ids = organization_scope(self.request.dbsession, user.organization_id)
        return [
            (Allow, f"user:{user.id}", "view"),  # everyone may see themself
            *scoped_aces("user", "v", "view", **ids),
            *scoped_aces("user", "e", "edit", **ids, owner=user.id),
            *scoped_aces("user", "d", "delete", **ids, owner=user.id),
        ]


class UserContainer(OrganizationOwned, ModelContainer):
    resource = "user"
    model = User
    context_class = UserContext

    def aces(self):
        aces = [(Allow, "user:c@any", "create")]  # the view checks the target organization
        identity = self.request.identity
        if identity is not None and identity.kind == "user":
            aces.append((Allow, identity.principal, "view"))  # a list holds at least yourself
        return aces
