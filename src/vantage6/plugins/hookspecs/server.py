"""Hooks of the server (entry point group ``vantage6.server``)."""

from vantage6.plugins.hookspecs import hookspec


@hookspec
def vantage6_pyramid_configure(config):
    """Extend the server's Pyramid configuration: settings checks, services, tweens, objects
    kept on ``config.registry``.

    :param config: the ``pyramid.config.Configurator``, once, after the core includes. Read
        the plugin's own settings from ``config.get_settings()`` here and raise
        ``pyramid.exceptions.ConfigurationError`` naming the key when one cannot work, so the
        server does not start with it.
    """


@hookspec(firstresult=True)
def vantage6_identify(request):
    """Tell who made ``request``: an auth backend for every API request and websocket.

    :param request: the Pyramid request.
    :return: a :class:`vantage6.server.security.identity.Identity`, or ``None`` so that the
        next backend is asked. The built-in JWT backend (``vantage6.jwt``) is asked last.
    """


@hookspec(firstresult=True)
def vantage6_authenticate(username, password, request):
    """Check login credentials (``POST /token/user``): a password backend such as LDAP.

    Called after the lockout check of the account named ``username``; when every backend
    answers ``None``, the attempt counts as a failure against that account. A second factor,
    when the server requires one, is asked after a backend accepted the credentials.

    :param username: the username as typed (at most 256 characters, never empty).
    :param password: the password as typed (never empty); never log it.
    :param request: the Pyramid request; ``request.dbsession`` is the login's transaction.
    :return: the :class:`vantage6.server.models.User` the credentials prove (a row of
        ``request.dbsession``; the backend may create or update it), or ``None`` so the next
        backend is asked. The built-in password check (``vantage6.password``) is asked last;
        block it to allow no local passwords.
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


@hookspec
def vantage6_event_committed(event, identity, registry):
    """React to an event once the request that published it has committed (audit trails,
    notifications); called once per event, in publishing order, after the websocket bus.

    :param event: the :class:`vantage6.server.events.model.Event` (``name``, ``data``,
        ``collaboration_id``, ``organization_ids``), e.g. ``new_task``, ``status_update``,
        ``algorithm_status_change``, ``kill_containers``.
    :param identity: who made the request (an ``Identity``), or ``None`` for an anonymous one.
    :param registry: the Pyramid registry (settings, the plugin's own objects). The request's
        transaction is over: do not use its database session. An exception is logged and
        changes nothing, since the data is already committed.
    """
