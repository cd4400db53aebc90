"""``/capabilities``: what this server offers (blob storage, for one). Any authenticated caller
may ask, as in the original: users, nodes and algorithm containers all check before they
upload."""

from __future__ import annotations

from pyramid.authorization import Allow, Authenticated

from vantage6.server.resources.base import Location


class Capabilities(Location):
    def aces(self):
        return [(Allow, Authenticated, "view")]
