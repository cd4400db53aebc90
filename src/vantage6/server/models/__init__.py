"""Every model of the server, importable as ``db.<Model>`` in the admin shell."""

from vantage6.server.models import checks  # noqa: F401  (installs the assignment checks)
from vantage6.server.models.authenticatable import Authenticatable
from vantage6.server.models.base import Base
from vantage6.server.models.collaboration import Collaboration, member
from vantage6.server.models.node import Node
from vantage6.server.models.organization import Organization
from vantage6.server.models.rights_epoch import rights_epoch
from vantage6.server.models.role import Role, role_rule, user_role
from vantage6.server.models.rule import Operation, Rule, Scope, user_rule
from vantage6.server.models.run import Result, Run
from vantage6.server.models.study import Study, study_member
from vantage6.server.models.task import Job, Task, TaskDatabase, allocate_job_id
from vantage6.server.models.user import User

__all__ = [
    "Authenticatable",
    "Base",
    "Collaboration",
    "Job",
    "Node",
    "Operation",
    "Organization",
    "Result",
    "Role",
    "Rule",
    "Run",
    "Scope",
    "Study",
    "Task",
    "TaskDatabase",
    "User",
    "allocate_job_id",
    "member",
    "rights_epoch",
    "role_rule",
    "study_member",
    "user_role",
    "user_rule",
]
