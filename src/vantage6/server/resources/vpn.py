"""``/vpn``: the VPN between the algorithm containers of a job. A node joins it with its own key,
and an algorithm container looks up the addresses of its job's runs; nobody else does either.
Every caller reaches it, so that the views can say why not."""

from __future__ import annotations

from pyramid.authorization import Allow, Authenticated

from vantage6.server.resources.base import Location

# What each kind of caller may do on the VPN, by virtue of its token rather than a rule.
BY_KIND = {"node": "join", "container": "find_addresses"}


class Vpn(Location):
    def aces(self):
        aces = [(Allow, Authenticated, "view")]
        identity = self.request.identity
        if identity is not None and identity.kind in BY_KIND:
            aces.append((Allow, identity.principal, BY_KIND[identity.kind]))
        return aces
