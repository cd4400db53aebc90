"""One session per request, committed by pyramid_tm when the view succeeds and rolled back
when it fails."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from pyramid.config import Configurator
from sqlalchemy import select, text
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


@pytest.fixture
def sqlite_file(tmp_path):
    from vantage6.server.db import get_engine

    engine = get_engine({"sqlalchemy.url": f"sqlite:///{tmp_path}/writers.db"})
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE counter (n INTEGER)")
        connection.exec_driver_sql("INSERT INTO counter VALUES (0)")
    yield engine
    engine.dispose()


def _increment(engine) -> None:
    """Read, think, then write: the pattern that fails on SQLite with a deferred BEGIN."""
    from vantage6.server.db import WRITES

    with Session(engine) as session:
        session.connection(execution_options={WRITES: True})
        current = session.execute(text("SELECT n FROM counter")).scalar_one()
        time.sleep(0.005)
        session.execute(text("UPDATE counter SET n = :n"), {"n": current + 1})
        session.commit()


def test_concurrent_sqlite_writers_queue_instead_of_failing(sqlite_file):
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: _increment(sqlite_file), range(40)))
    with sqlite_file.connect() as connection:
        assert connection.exec_driver_sql("SELECT n FROM counter").scalar_one() == 40


def test_a_failed_write_gives_up_its_turn(sqlite_file):
    from vantage6.server.db import WRITES

    with pytest.raises(Boom), Session(sqlite_file) as session:
        session.connection(execution_options={WRITES: True})
        raise Boom
    done = ThreadPoolExecutor(max_workers=1).submit(_increment, sqlite_file)
    done.result(timeout=5)  # would wait for the lock forever if the failed one kept it
