"""The vantage6 server: a Pyramid application assembled from its subpackages.

Importing this package imports nothing else: pserve imports it on the way to the server
factory (``vantage6.server.serve``), which must patch the standard library for gevent before
Pyramid, SQLAlchemy or ssl are imported. :func:`main` imports what it builds the app from.
"""


def argon2_cost(settings: dict, prefix: str):
    from vantage6.server.security.hashing import Cost

    return Cost(*(settings[f"vantage6.argon2.{prefix}{field}"] for field in Cost._fields))


def main(global_config, **settings):
    """``paste.app_factory``: the WSGI app that ``pserve <ini>`` serves."""
    from pyramid.config import Configurator
    from pyramid.settings import aslist

    from vantage6.plugins.manager import SERVER, plugin_manager
    from vantage6.server.bootstrap import prepare_database
    from vantage6.server.security.hashing import configure_hasher
    from vantage6.server.settings import load_settings
    from vantage6.server.vpn.settings import vpn_settings

    settings = load_settings(settings, config_folder=global_config.get("here"))
    configure_hasher(
        passwords=argon2_cost(settings, ""), api_keys=argon2_cost(settings, "api_key_")
    )
    plugins = plugin_manager(
        SERVER,
        enabled=aslist(settings["vantage6.plugins"]),
        blocked=aslist(settings["vantage6.plugins.blocked"]),
    )
    with Configurator(settings=settings) as config:
        config.registry["vantage6.plugins"] = plugins
        config.registry["vantage6.vpn"] = vpn_settings(settings)  # read once, None without
        config.include(".db")
        prepare_database(config.registry["dbengine"], settings)
        config.include(".security.policy")
        config.include("cornice")
        config.commit()  # our JSON error views (api.errors) then replace Cornice's own
        config.include(".api", route_prefix=settings["vantage6.api_path"])
        config.include(".apidocs")
        config.include(".ui")
        config.include(".events", route_prefix=settings["vantage6.api_path"])
        config.include(".events.socket_io")  # at the root, where the original serves it
        plugins.hook.vantage6_pyramid_configure(config=config)
    return config.make_wsgi_app()
