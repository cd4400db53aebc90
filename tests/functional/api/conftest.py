"""An API client on a real app with a fresh database, and ways to make callers with rules."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from webtest import TestApp

from tests.support import server_settings
from vantage6.server import main
from vantage6.server.models import Collaboration, Node, Organization, Role, Rule, User

JWT_SECRET = "test-secret-" + "x" * 40


class Api:
    """WebTest app plus direct database access for arranging fixtures."""

    def __init__(self, wsgi):
        self.wsgi = wsgi
        self.app = TestApp(wsgi)
        self.engine = wsgi.registry["dbengine"]

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def login(self, username: str, password: str) -> dict:
        body = self.app.post_json("/api/token/user", {"username": username, "password": password})
        return {"Authorization": f"Bearer {body.json['access_token']}"}

    def organization(self, name: str, collaborations=()) -> int:
        with self.session() as session, session.begin():
            organization = Organization(name=name)
            session.add(organization)
            for collaboration_name in collaborations:
                collaboration = session.scalars(
                    select(Collaboration).filter_by(name=collaboration_name)
                ).first() or Collaboration(name=collaboration_name)
                organization.collaborations.append(collaboration)
        return organization.id

    def user(self, username: str, organization_id: int, rules=(), roles=()) -> dict:
        """Create a user holding ``rules`` [(resource, Scope, Operation)] and ``roles`` (names);
        return the Authorization header of a fresh login."""
        with self.session() as session, session.begin():
            user = User(username=username, password="Password-1", organization_id=organization_id)
            session.add(user)
            for name, scope, operation in rules:
                user.rules.append(
                    session.scalars(
                        select(Rule).filter_by(name=name, scope=scope, operation=operation)
                    ).one()
                )
            for role in roles:
                user.roles.append(session.scalars(select(Role).filter_by(name=role)).one())
        return self.login(username, "Password-1")

    def node(self, organization_id: int, collaboration: str, api_key: str) -> int:
        with self.session() as session, session.begin():
            collaboration_id = session.scalars(
                select(Collaboration.id).filter_by(name=collaboration)
            ).one()
            node = Node(
                name=f"node {organization_id}-{collaboration}",
                organization_id=organization_id,
                collaboration_id=collaboration_id,
                api_key=api_key,
            )
            session.add(node)
        return node.id


@pytest.fixture
def make_api(database_factory):
    apps = []

    def make(**overrides) -> Api:
        settings = server_settings(
            database_factory.new_url(), **{"vantage6.jwt.secret": JWT_SECRET, **overrides}
        )
        api = Api(main({}, **settings))
        apps.append(api)
        return api

    yield make
    for api in apps:
        api.engine.dispose()


@pytest.fixture
def api(make_api) -> Api:
    return make_api()


@pytest.fixture
def root(api) -> dict:
    return api.login("root", "root")
