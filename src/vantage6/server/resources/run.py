"""``/runs/<id>``: one organization's execution of a task. It is seen by the task's creator,
the organizations that run it and asked for it, its collaboration, and the algorithm containers
of its job; only the node that executes it may report on it."""

from __future__ import annotations

from pyramid.authorization import Allow

from vantage6.server.models import Run
from vantage6.server.resources.base import ModelContainer, ModelContext, scoped_aces, within
from vantage6.server.security.identity import job_principal, node_principal


class RunContext(ModelContext):
    def aces(self):
        run = self.row
        task = run.task
        ids = {
            "orgs": sorted({run.organization_id, task.init_org_id}),
            "collabs": [task.collaboration_id],
            "owner": task.init_user_id,
        }
        return [
            *scoped_aces("run", "v", "view", **ids),
            (Allow, job_principal(task.job_id), "view"),  # the job's algorithm containers
            (Allow, node_principal(run.organization_id, task.collaboration_id), "edit"),
        ]


class NodeRuns(ModelContext):
    """The runs a node executes (its organization's, in its collaboration), as the target of
    ``/kill/node/tasks``; ``row`` is the node."""

    def aces(self):
        node = self.row
        return scoped_aces(
            "event", "s", "kill", **within(node.organization_id, node.collaboration_id)
        )


class RunContainer(ModelContainer):
    model = Run
    context_class = RunContext

    def aces(self):
        aces = [(Allow, "run:v@any", "view"), (Allow, "event:s@any", "kill")]
        identity = self.request.identity
        if identity is not None and identity.kind == "container":
            aces.append((Allow, identity.principal, "view"))  # its job's, as the view filters
        return aces
