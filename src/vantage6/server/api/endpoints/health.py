"""Liveness and version endpoints, open to anyone (load balancers, monitoring, clients)."""

from cornice import Service
from pyramid.security import NO_PERMISSION_REQUIRED
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from vantage6 import __version__
from vantage6.server.api.answers import Health, Version, answers

health = Service(name="health", path="/health", description="Is the server and its database up?")
version = Service(name="version", path="/version", description="The server's version")


@health.get(
    permission=NO_PERMISSION_REQUIRED,
    response_schemas={
        **answers(200, Health(), "Up"),
        **answers(503, Health(), "The database cannot be reached"),
    },
)
def get_health(request):
    try:
        request.dbsession.execute(text("SELECT 1"))
        database_ok = True
    except SQLAlchemyError:
        database_ok = False
        request.response.status = 503
    return {"status": "ok" if database_ok else "unavailable", "database": database_ok}


@version.get(
    permission=NO_PERMISSION_REQUIRED, response_schemas=answers(200, Version(), "The version")
)
def get_version(request):
    return {"version": __version__}
