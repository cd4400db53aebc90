"""Building blocks of the traversal tree: id parsing, scoped ACEs and their SQL mirror."""

from __future__ import annotations

from pyramid.authorization import DENY_ALL, Allow
from sqlalchemy import false, or_, true

from vantage6.server.models.rule import Operation, Scope

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


def within(organization_id: int, collaboration_id: int) -> dict:
    """``scoped_aces`` keywords for an object of one organization in one collaboration."""
    return {"orgs": [organization_id], "collabs": [collaboration_id]}


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


def scoped_filter(
    identity,
    resource: str,
    operation: Operation,
    *,
    organization=None,
    collaboration=None,
    owner=None,
    job=None,
):
    """SQL condition selecting the rows ``identity`` may reach with rule (resource, operation):
    the query-side mirror of :func:`scoped_aces`, so that lists and single reads agree.

    ``organization(org_id)``, ``collaboration(collaboration_ids)`` and ``owner(user_id)`` build
    the condition for those scopes; a scope without a builder reaches nothing. ``job(job_id)``
    builds it for an algorithm container, which reaches the rows of its own job.
    """
    conditions = []
    if job is not None and identity.job_id is not None:
        conditions.append(job(identity.job_id))
    for name, scope, held in identity.rules:
        if name != resource or held is not operation:
            continue
        if scope is Scope.GLOBAL:
            return true()
        if scope is Scope.COLLABORATION and collaboration is not None:
            conditions.append(collaboration(identity.collaboration_ids))
        elif scope is Scope.ORGANIZATION and organization is not None:
            conditions.append(organization(identity.organization_id))
        elif scope is Scope.OWN and owner is not None and identity.kind == "user":
            conditions.append(owner(identity.id))
    return or_(false(), *conditions)
