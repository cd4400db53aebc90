"""The traversal tree that gives every API object its ACL.

``Root → organizations/<id>`` (and, as the API grows, collaborations, nodes, users, roles,
rules, tasks and runs). Every context's ``__acl__`` is a method built from the object's own
columns and lists the rule principals (see :mod:`vantage6.server.security.identity`) that grant
each permission on *that* object, and ends in DENY_ALL: nothing is inherited from a parent.
"""

from __future__ import annotations

from pyramid.authorization import DENY_ALL, Allow, Authenticated

from vantage6.server.models import Organization, Rule

NOT_FOUND = "vantage6.not_found"  # environ key: what traversal could not find, for the 404
MAX_ID = 2**63 - 1  # the largest id any supported database stores


def parse_id(text: str) -> int | None:
    """A record id from a path segment or query value, or None when it cannot be one."""
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def scoped_aces(resource: str, op: str, permission: str, *, orgs=(), collabs=(), owner=None):
    """ACEs granting ``permission`` to holders of rule (resource, op) whose scope covers an
    object of organizations ``orgs``, collaborations ``collabs`` and owner user ``owner``."""
    aces = [(Allow, f"{resource}:{op}@global", permission)]
    aces += [(Allow, f"{resource}:{op}@collab:{c}", permission) for c in collabs]
    aces += [(Allow, f"{resource}:{op}@org:{o}", permission) for o in orgs]
    if owner is not None:
        aces.append((Allow, f"{resource}:{op}@user:{owner}", permission))
    return aces


class Location:
    def __init__(self, parent, name: str):
        self.__parent__ = parent
        self.__name__ = name

    @property
    def request(self):
        return self.__parent__.request

    def __acl__(self):
        return [*self.aces(), DENY_ALL]

    def aces(self) -> list:
        """What this object grants; the ACL adds DENY_ALL so parents decide nothing here."""
        return []


class ModelContainer(Location):
    """``/<plural>/<id>``: finds the row or answers 404 with what was missing."""

    model: type
    context_class: type

    def __getitem__(self, name: str):
        id_ = parse_id(name)
        row = None if id_ is None else self.request.dbsession.get(self.model, id_)
        if row is None:
            self.request.environ[NOT_FOUND] = f"{self.model.__name__} {name!r} does not exist"
            raise KeyError(name)
        return self.context_class(self, name, row)


class ModelContext(Location):
    def __init__(self, parent, name: str, row):
        super().__init__(parent, name)
        self.row = row


class OrganizationContext(ModelContext):
    def aces(self):
        organization = self.row
        collaborations = [c.id for c in organization.collaborations]
        ids = {"orgs": [organization.id], "collabs": collaborations}
        return [
            *scoped_aces("organization", "v", "view", **ids),
            *scoped_aces("organization", "e", "edit", **ids),
            *scoped_aces("organization", "d", "delete"),
        ]


class OrganizationContainer(ModelContainer):
    model = Organization
    context_class = OrganizationContext

    def aces(self):
        return [
            (Allow, "organization:v@any", "view"),
            *scoped_aces("organization", "c", "create"),
        ]


class RuleContext(ModelContext):
    def aces(self):
        return [(Allow, Authenticated, "view")]  # rules are public knowledge to callers


class RuleContainer(ModelContainer):
    model = Rule
    context_class = RuleContext

    def aces(self):
        return [(Allow, Authenticated, "view")]


class Root:
    """The tree's root; it grants nothing by itself."""

    __name__ = ""
    __parent__ = None
    __acl__: list = []
    children = {"organizations": OrganizationContainer, "rules": RuleContainer}

    def __init__(self, request):
        self.request = request

    def __getitem__(self, name: str):
        return self.children[name](self, name)
