"""The hooks: the policy read (and checked) at start, and applied to every new task."""

from __future__ import annotations

from vantage6.plugins import hookimpl
from vantage6_task_policy.policy import TaskPolicy

POLICY = "vantage6_task_policy.policy"  # registry key


@hookimpl
def vantage6_pyramid_configure(config):
    config.registry[POLICY] = TaskPolicy.from_settings(config.get_settings())


@hookimpl
def vantage6_validate_task(task_input, collaboration, request):
    return request.registry[POLICY].problems(task_input, collaboration.name)
