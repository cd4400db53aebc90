"""``/tasks/<id>``: a task is reached through its creator, its organization and its
collaboration; the nodes of the organizations it runs at may get tokens for its containers,
and those containers reach the tasks of their own job only."""

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
from vantage6.server.security.identity import job_principal, node_principal


class TaskContext(ModelContext):
    def aces(self):
        task = self.row
        scopes = within(task.init_org_id, task.collaboration_id)
        ids = {**scopes, "owner": task.init_user_id}
        return [
            *scoped_aces("task", "v", "view", **ids),
            (Allow, job_principal(task.job_id), "view"),  # the job's algorithm containers
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
            *self._container_reaches(),
            (Allow, "event:s@any", "kill"),
            (Allow, "task:d@any", "kill"),
        ]

    def _container_reaches(self) -> list:
        """An algorithm container reads and creates the tasks of its own job by virtue of its
        token, not of a rule: the views confine it to that job and its collaboration."""
        identity = self.request.identity
        if identity is None or identity.kind != "container":
            return []
        return [(Allow, identity.principal, "view"), (Allow, identity.principal, "create")]
