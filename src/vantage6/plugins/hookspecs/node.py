"""Hooks of the node (entry point group ``vantage6.node``).

The node calls them; a node plugin must not import the server (``vantage6.server``).
"""

from vantage6.plugins.hookspecs import hookspec


@hookspec(firstresult=True)
def vantage6_node_runtime(config):
    """Provide the runtime that starts algorithm containers, once at node start.

    :param config: the node's :class:`vantage6.node.config.NodeConfig`.
    :return: an object following the ``vantage6.node.runtime.Runtime`` protocol (prepare,
        start, watch, kill, running, exited, known, discard, close), or ``None`` when this plugin
        does not serve ``config`` (e.g. another ``config.runtime``), so the next one is asked. The
        built-in runtimes (``docker``, ``process``) are asked last. ``prepare(proxy)`` has the
        node proxy listen where the runtime's algorithms reach it (``ProxyEndpoints``).
    """


@hookspec(firstresult=True)
def vantage6_load_data(database, parameters):
    """Load a database the algorithm tools cannot read as it is (type ``other``, ``folder``)
    or that only the node may read (``sql``: its URI holds credentials), before a run that
    asks for it starts. The built-in ``sql`` loader (runs the task's ``query``) is asked last.

    :param database: the node's ``vantage6.node.config.Database`` (``label``, ``type``,
        ``uri``) that the run asks for.
    :param parameters: what the task asks of it: a dict with ``query``, ``sheet_name`` or
        ``preprocessing`` when given.
    :return: the data as a ``pandas.DataFrame``, which the node stores in the run's folder and
        hands to the algorithm as a parquet database of the same label; or ``None`` when this
        loader does not handle ``database.type``, so the next loader is asked. Raising
        ``vantage6.node.data_loading.LoadFailed`` fails the run with its message as the run's
        log (any other exception: a message that says only which database failed).
    """


@hookspec
def vantage6_validate_run(run, task, config):
    """Check a run before its container starts, after the node's own policies allowed it.

    :param run: the run as ``GET /api/run/<id>`` answers it (a dict).
    :param task: its task as ``GET /api/task/<id>`` answers it (a dict; ``image``,
        ``init_org``, ``init_user``, ``databases``).
    :param config: the node's ``NodeConfig``.
    :return: a list of human-readable problems, empty when the run may start. Any problem
        means the container is not started: the run is reported ``not allowed`` with the
        problems as its log.
    """
