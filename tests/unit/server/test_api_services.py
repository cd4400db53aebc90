"""Every API endpoint states its permission (secure by default, public ones on purpose)."""

import pkgutil
from importlib import import_module

from cornice.service import get_services
from pyramid.security import NO_PERMISSION_REQUIRED

import vantage6.server.api.endpoints as endpoints_package

PUBLIC = {
    "health",
    "version",
    "token_user",
    "token_node",
    "token_refresh",
    "recover_lost",
    "recover_reset",
    "recover_2fa_lost",
    "recover_2fa_reset",
    "recover_2fa_enrol",
    "user_email_confirm",
}


def test_every_service_method_declares_a_permission():
    for module in pkgutil.iter_modules(endpoints_package.__path__):
        import_module(f"{endpoints_package.__name__}.{module.name}")
    services = get_services()
    assert {s.name for s in services} >= PUBLIC | {"organizations", "organization"}
    for service in services:
        for method, _view, args in service.definitions:
            assert "permission" in args, f"{method} {service.path} declares no permission"
            public = args["permission"] == NO_PERMISSION_REQUIRED
            assert public == (service.name in PUBLIC), f"{method} {service.path}"
