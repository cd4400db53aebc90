"""The traversal tree that gives every API object its ACL.

``Root → organizations/<id>``, ``rules/<id>``, ... . Every context's ``__acl__`` is a method
built from the object's own columns and lists the rule principals (see
:mod:`vantage6.server.security.identity`) that grant each permission on *that* object, and ends
in DENY_ALL: nothing is inherited from a parent. One module per resource.
"""

from __future__ import annotations

from vantage6.server.resources.base import NOT_FOUND, parse_id
from vantage6.server.resources.capabilities import Capabilities
from vantage6.server.resources.collaboration import CollaborationContainer
from vantage6.server.resources.node import NodeContainer
from vantage6.server.resources.organization import OrganizationContainer
from vantage6.server.resources.role import RoleContainer
from vantage6.server.resources.rule import RuleContainer
from vantage6.server.resources.run import RunContainer
from vantage6.server.resources.study import StudyContainer
from vantage6.server.resources.task import TaskContainer
from vantage6.server.resources.user import UserContainer
from vantage6.server.resources.vpn import Vpn

__all__ = ["NOT_FOUND", "Root", "parse_id"]


class Root:
    """The tree's root; it grants nothing by itself."""

    __name__ = ""
    __parent__ = None
    __acl__: list = []
    children = {
        "capabilities": Capabilities,
        "collaborations": CollaborationContainer,
        "nodes": NodeContainer,
        "organizations": OrganizationContainer,
        "roles": RoleContainer,
        "rules": RuleContainer,
        "runs": RunContainer,
        "studies": StudyContainer,
        "tasks": TaskContainer,
        "users": UserContainer,
        "vpn": Vpn,
    }

    def __init__(self, request):
        self.request = request

    def __getitem__(self, name: str):
        return self.children[name](self, name)
