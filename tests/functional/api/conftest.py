"""An API client on a real app with a fresh database, and ways to make callers with rules."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from webtest import TestApp

from tests.smtp_server import running_smtp_server
from tests.support import server_settings
from vantage6.server import main
from vantage6.server.mail import mailer
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

    def two_collaborations(self) -> dict[str, int]:
        """Collaboration A = {a1, a2} and B = {a2, b1}, and organization lonely in none;
        returns the organizations' ids by name."""
        return {
            "a1": self.organization("a1", ["A"]),
            "a2": self.organization("a2", ["A", "B"]),
            "b1": self.organization("b1", ["B"]),
            "lonely": self.organization("lonely"),
        }

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

    def node_login(self, api_key: str) -> dict:
        """The Authorization header of a node logged in with ``api_key``."""
        token = self.app.post_json("/api/token/node", {"api_key": api_key}).json
        return {"Authorization": f"Bearer {token['access_token']}"}

    def rule_id(self, name: str, scope, operation) -> int:
        with self.session() as session:
            query = select(Rule.id).filter_by(name=name, scope=scope, operation=operation)
            return session.scalars(query).one()

    def role(self, name: str, organization_id: int | None, rules=()) -> int:
        """Create a role of ``organization_id`` holding ``rules`` [(resource, Scope,
        Operation)]; return its id."""
        with self.session() as session, session.begin():
            role = Role(name=name, organization_id=organization_id)
            role.rules = [session.get(Rule, self.rule_id(*rule)) for rule in rules]
            session.add(role)
        return role.id

    def user_id(self, username: str) -> int:
        with self.session() as session:
            return session.scalars(select(User.id).filter_by(username=username)).one()

    def federation(self) -> dict[str, int]:
        """Collaboration A (unencrypted) of a1 and a2, which have nodes, and a3, which has none;
        collaboration B (encrypted) of a2 and b1, both with nodes. Node API keys are
        ``key-<organization>-<collaboration>``. Returns the ids by name."""
        ids = {
            "a1": self.organization("a1", ["A"]),
            "a2": self.organization("a2", ["A", "B"]),
            "a3": self.organization("a3", ["A"]),
            "b1": self.organization("b1", ["B"]),
        }
        for organization, collaboration in (("a1", "A"), ("a2", "A"), ("a2", "B"), ("b1", "B")):
            self.node(ids[organization], collaboration, f"key-{organization}-{collaboration}")
        with self.session() as session, session.begin():
            for collaboration in session.scalars(select(Collaboration)):
                collaboration.encrypted = collaboration.name != "A"
                ids[collaboration.name] = collaboration.id
        return ids

    def task(
        self,
        collaboration_id: int,
        organizations,
        init_org: int,
        init_user: int | None = None,
        parent: int | None = None,
        image: str = "demo/average",
    ) -> int:
        """Arrange a task with a pending run per organization, straight in the database; a
        subtask (``parent``) joins its parent's job."""
        from vantage6.server.models import Run, Task

        with self.session() as session, session.begin():
            task = Task(
                name="arranged",
                image=image,
                collaboration_id=collaboration_id,
                init_org_id=init_org,
                init_user_id=init_user,
                parent=None if parent is None else session.get(Task, parent),
            )
            task.runs = [Run(organization_id=id_, input="e30=") for id_ in organizations]
            session.add(task)
        return task.id

    def study(self, name: str, collaboration_id: int, organization_ids) -> int:
        """Arrange a study of some members of a collaboration; return its id."""
        from vantage6.server.models import Study

        with self.session() as session, session.begin():
            study = Study(name=name, collaboration_id=collaboration_id)
            study.organizations = [session.get(Organization, id_) for id_ in organization_ids]
            session.add(study)
        return study.id

    def run_id(self, task_id: int, organization_id: int) -> int:
        from vantage6.server.models import Run

        with self.session() as session:
            query = select(Run.id).filter_by(task_id=task_id, organization_id=organization_id)
            return session.scalars(query).one()

    def node_id(self, organization_id: int, collaboration_id: int) -> int:
        with self.session() as session:
            query = select(Node.id).filter_by(
                organization_id=organization_id, collaboration_id=collaboration_id
            )
            return session.scalars(query).one()

    def container_login(self, node_headers: dict, task_id: int, image="demo/average") -> dict:
        """The Authorization header of the algorithm container a node starts for a task."""
        body = {"task_id": task_id, "image": image}
        token = self.app.post_json("/api/token/container", body, headers=node_headers).json
        return {"Authorization": f"Bearer {token['container_token']}"}

    def account(self, username: str, email: str | None = None, organization_id: int = 1) -> int:
        """Create a user with password "Password-1" and ``email``, without logging in (a
        login is not one step when two-factor authentication is on); return its id."""
        with self.session() as session, session.begin():
            user = User(
                username=username,
                password="Password-1",
                email=email,
                organization_id=organization_id,
            )
            session.add(user)
        return user.id

    def delivered(self, inbox) -> list:
        """Every message so far, once the app has handed all of them to the SMTP server."""
        mailer(self.wsgi.registry).wait()
        return inbox.messages


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


@pytest.fixture
def inbox():
    """A local SMTP server; ``make_api(**inbox.settings())`` mails through it."""
    with running_smtp_server() as inbox:
        yield inbox
