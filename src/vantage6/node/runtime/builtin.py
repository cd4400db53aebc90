"""The built-in runtimes as a node plugin (``vantage6.runtimes``), asked after any installed
``vantage6_node_runtime`` plugin: ``docker``, or ``process`` for development machines. Also
the built-in loader of ``sql`` databases, asked after any ``vantage6_load_data`` plugin."""

from __future__ import annotations

import logging

from vantage6.plugins import hookimpl

log = logging.getLogger(__name__)


@hookimpl(trylast=True)
def vantage6_node_runtime(config):
    if config.runtime == "process":
        from vantage6.node.runtime.process import ProcessRuntime

        log.warning(
            "runtime = process: algorithms run as plain local processes, WITHOUT the isolation "
            "of containers. Use it for development only."
        )
        return ProcessRuntime(config)
    from vantage6.node.runtime.docker import DockerRuntime

    return DockerRuntime(config)


@hookimpl(trylast=True)
def vantage6_load_data(database, parameters):
    if database.type != "sql":
        return None
    from vantage6.node import sql_loading

    return sql_loading.load(database, parameters)
