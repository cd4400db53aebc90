"""``/tasks/<id>``: a task is reached through its creator, its organization and its
collaboration; the nodes of the organizations it runs at may get tokens for its containers."""

from __future__ import annotations

from pyramid.authorization import Allow

from vantage6.server.models import Task
from vantage6.server.resources.base import (
    Location,
    ModelContainer,
    ModelContext,
    scoped_aces,
    within,
)
from vantage6.server.security.identity import node_principal


class TaskContext(ModelContext):
    def aces(self):
        task = self.row
        scopes = within(task.init_org_id, task.collaboration_id)
        ids = {**scopes, "owner": task.init_user_id}
        return [
            *scoped_aces("task", "v", "view", **ids),
            *scoped_aces("task", "d", "delete", **ids),
            # Killing is what event senders do; whoever may delete a task may also stop it.
            *scoped_aces("event", "s", "kill", **scopes),
            *scoped_aces("task", "d", "kill", **ids),
            *[
                (Allow, node_principal(run.organization_id, task.collaboration_id), "execute")
                for run in task.runs
            ],
        ]


class CollaborationTasks(Location):
    """The tasks of one collaboration, as the place where a user creates a new one."""

    def __init__(self, parent, collaboration_id: int):
        super().__init__(parent, str(collaboration_id))
        self.collaboration_id = collaboration_id

    def aces(self):
        return scoped_aces("task", "c", "create", collabs=[self.collaboration_id])


class TaskContainer(ModelContainer):
    model = Task
    context_class = TaskContext

    def aces(self):
        return [
            (Allow, "task:v@any", "view"),
            (Allow, "task:c@any", "create"),
            *self._container_creates(),
            (Allow, "event:s@any", "kill"),
            (Allow, "task:d@any", "kill"),
        ]

    def _container_creates(self) -> list:
        """An algorithm container creates subtasks by virtue of its token, not of a rule; the
        view confines them to the container's own job and collaboration."""
        identity = self.request.identity
        if identity is None or identity.kind != "container":
            return []
        return [(Allow, identity.principal, "create")]
