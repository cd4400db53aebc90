"""``vserver vpn-hub``: the VPN hub of a server, in the foreground (a service of its own, as
root: it makes a network namespace, a WireGuard interface and firewall rules)."""

from __future__ import annotations

import logging
import signal
import threading

import click

from vantage6.common.cli_output import Failure
from vantage6.common.netns import NetworkError
from vantage6.server.cli.database import open_engine
from vantage6.server.cli.instance import pass_instance


@click.command("vpn-hub")
@pass_instance
def vpn_hub(instance):
    """Run the server's VPN hub until stopped (Ctrl-C, SIGTERM), as root.

    The hub is the WireGuard endpoint that the nodes dial out to, set by the server's
    vantage6.vpn.* settings; it forwards only between the algorithm runs of one job.

    \b
    Examples:
      sudo vserver vpn-hub --config production.ini
      sudo vserver vpn-hub --name demo
    """
    from vantage6.server.db import get_session_factory
    from vantage6.server.vpn.hub import Hub
    from vantage6.server.vpn.settings import vpn_settings

    settings = instance.settings()
    vpn = vpn_settings(settings)
    if vpn is None:
        raise Failure(
            f"{instance.config} sets no VPN: set vantage6.vpn.subnet and vantage6.vpn.endpoint"
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    engine = open_engine(instance, settings)
    hub = Hub(vpn, get_session_factory(engine))
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        hub.serve(stopping)
    except NetworkError as exc:
        raise Failure(f"the VPN hub cannot start: {exc}") from None
    finally:
        try:
            hub.stop()
        except NetworkError as exc:
            logging.getLogger(__name__).warning("the VPN hub's interface stays: %s", exc)
        engine.dispose()
