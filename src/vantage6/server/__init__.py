"""The vantage6 server: a Pyramid application assembled from its subpackages."""

from pyramid.config import Configurator

from vantage6.server.bootstrap import prepare_database
from vantage6.server.security.hashing import configure_hasher
from vantage6.server.settings import load_settings


def main(global_config, **settings):
    """``paste.app_factory``: the WSGI app that ``pserve <ini>`` serves."""
    settings = load_settings(settings)
    configure_hasher(
        time_cost=settings["vantage6.argon2.time_cost"],
        memory_cost=settings["vantage6.argon2.memory_cost"],
        parallelism=settings["vantage6.argon2.parallelism"],
    )
    with Configurator(settings=settings) as config:
        config.include(".db")
        prepare_database(config.registry["dbengine"], settings)
        config.include("cornice")
        config.include(".api", route_prefix=settings["vantage6.api_path"])
    return config.make_wsgi_app()
