"""One session per request, committed by pyramid_tm when the view succeeds and rolled back
when it fails."""

import pytest
from pyramid.config import Configurator
from sqlalchemy import select
from sqlalchemy.orm import Session
from webtest import TestApp

from vantage6.server.models import Organization


class Boom(Exception):
    pass


@pytest.fixture
def app(make_database):
    engine = make_database()
    url = engine.url.render_as_string(hide_password=False)
    with Configurator(settings={"sqlalchemy.url": url}) as config:
        config.include("vantage6.server.db")

        def create(request):
            request.dbsession.add(Organization(name=request.params["name"]))
            if "fail" in request.params:
                raise Boom
            return {"one_session": request.dbsession is request.dbsession}

        config.add_route("create", "/create")
        config.add_view(create, route_name="create", renderer="json")
    wsgi = config.make_wsgi_app()
    yield TestApp(wsgi), wsgi.registry["dbengine"]
    wsgi.registry["dbengine"].dispose()


def _names(engine):
    with Session(engine) as session:
        return session.scalars(select(Organization.name).order_by(Organization.id)).all()


def test_a_successful_request_is_committed(app):
    testapp, engine = app
    assert testapp.get("/create", {"name": "kept"}).json == {"one_session": True}
    assert _names(engine) == ["root", "kept"]


def test_a_failing_request_leaves_nothing_behind(app):
    testapp, engine = app
    with pytest.raises(Boom):
        testapp.get("/create", {"name": "lost", "fail": "1"})
    assert _names(engine) == ["root"]
