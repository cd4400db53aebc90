"""A task validator for the vantage6 server; the hooks are in :mod:`vantage6_task_policy.plugin`."""
