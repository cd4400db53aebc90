"""Hook specifications: the contract between vantage6 and its plugins.

Hooks are called with keyword arguments only. An implementation may accept fewer arguments
than the specification lists.
"""

import pluggy

from vantage6.plugins import PROJECT

hookspec = pluggy.HookspecMarker(PROJECT)


@hookspec
def vantage6_pyramid_configure(config):
    """Extend the server's Pyramid configuration (add services, includes, subscribers).

    :param config: the ``pyramid.config.Configurator``, called once after the core includes.
    """


@hookspec(firstresult=True)
def vantage6_identify(request):
    """Tell who made ``request``: an auth backend.

    :param request: the Pyramid request.
    :return: an :class:`vantage6.server.security.identity.Identity`, or ``None`` so that the
        next backend is asked. The built-in JWT backend is asked last.
    """


@hookspec
def vantage6_extra_principals(identity, request):
    """Add principals (strings) for ``identity``; ACLs may grant permissions to them.

    :return: an iterable of principal strings, possibly empty.
    """


@hookspec
def vantage6_validate_task(task_input, collaboration, request):
    """Check a task before it is stored (tasks of users and subtasks of algorithms alike).

    :param task_input: a copy of the validated request body of ``POST /task`` (a dict);
        changing it changes nothing.
    :param collaboration: the :class:`~vantage6.server.models.Collaboration` it targets.
    :param request: the Pyramid request (``request.identity`` is who creates the task).
    :return: a list of human-readable problems; empty when the task is acceptable. Any problem
        rejects the task with status 400 listing all of them, together with the server's own
        objections, and nothing is stored.
    """
