"""The Python client of a vantage6 server: everything a user can do through its API, with task
input encrypted and results decrypted on the way.

    from vantage6.client import Client

    client = Client("http://localhost", 7601, "/api")
    client.authenticate("username", "password")
    client.setup_encryption(None)  # or the path of your organization's private key
    task = client.task.create(collaboration=1, organizations=[2], name="avg",
                              image="harbor2.vantage6.ai/demo/average", description="",
                              input={"method": "central_average",
                                     "kwargs": {"column_name": "age"}})
    results = client.wait_for_results(task["id"])

``help(client.task.create)`` (and any other method) tells what it takes and returns.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from vantage6.client.base import Connection
from vantage6.client.errors import (
    AuthenticationError,
    ClientError,
    ServerError,
    ServerUnreachable,
    TaskFailed,
    TaskTimeout,
)
from vantage6.client.subclients.collaboration import CollaborationSubClient
from vantage6.client.subclients.node import NodeSubClient
from vantage6.client.subclients.organization import OrganizationSubClient
from vantage6.client.subclients.result import ResultSubClient
from vantage6.client.subclients.role import RoleSubClient
from vantage6.client.subclients.rule import RuleSubClient
from vantage6.client.subclients.run import RunSubClient
from vantage6.client.subclients.study import StudySubClient
from vantage6.client.subclients.task import TaskSubClient
from vantage6.client.subclients.user import UserSubClient
from vantage6.client.subclients.util import UtilSubClient, show_two_factor_setup
from vantage6.client.wait import Progress, wait_for_task
from vantage6.common.api_path import normalise_api_path
from vantage6.common.encryption import DummyCryptor, RSACryptor

__all__ = [
    "AuthenticationError",
    "Client",
    "ClientError",
    "ServerError",
    "ServerUnreachable",
    "TaskFailed",
    "TaskTimeout",
    "UserClient",
    "WhoAmI",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WhoAmI:
    """The account the client is logged in with."""

    type_: str
    id_: int
    name: str
    organization_id: int
    organization_name: str | None


class Client:
    """A user's connection to a vantage6 server.

    Parameters
    ----------
    server_url : str
        Address of the server, e.g. ``https://vantage6.example.org`` or
        ``http://localhost``
    server_port : int, optional
        Port of the server, e.g. 443 or 7601; None when ``server_url`` includes it
    server_api : str, optional
        Path of the API on the server (default ``/api``); ``""`` when the API is at the
        server's root path (``vantage6.common.api_path``)
    verbose : bool, optional
        Log what the client does (every request) to the console, and show the progress
        of ``wait_for_results`` also when not in a terminal
    timeout : float, optional
        Seconds to wait for each answer of the server (default 60)
    """

    def __init__(
        self,
        server_url: str,
        server_port: int | None = None,
        server_api: str = "/api",
        verbose: bool = False,
        timeout: float = 60,
    ):
        self.connection = Connection(api_url(server_url, server_port, server_api), timeout)
        self.verbose = verbose
        self.whoami: WhoAmI | None = None
        self.cryptor = DummyCryptor()
        self.allow_legacy = False
        self.collaboration_id: int | None = None
        self.user = UserSubClient(self)
        self.organization = OrganizationSubClient(self)
        self.rule = RuleSubClient(self)
        self.role = RoleSubClient(self)
        self.collaboration = CollaborationSubClient(self)
        self.node = NodeSubClient(self)
        self.task = TaskSubClient(self)
        self.run = RunSubClient(self)
        self.result = ResultSubClient(self)
        self.study = StudySubClient(self)
        self.util = UtilSubClient(self)
        if verbose:
            _log_to_console()

    def __repr__(self) -> str:
        who = f"{self.whoami.name}@{self.whoami.organization_name}" if self.whoami else "nobody"
        return f"<Client {self.connection.base_url} as {who}>"

    @property
    def base_path(self) -> str:
        """The API's address, e.g. ``http://localhost:7601/api``."""
        return self.connection.base_url

    @property
    def token(self) -> str | None:
        """The current access token (refreshed automatically)."""
        return self.connection.access_token

    def request(
        self, endpoint: str, json=None, method: str = "get", params=None, authenticated=True
    ):
        """Send a request to the API and return its decoded JSON answer.

        Parameters
        ----------
        endpoint : str
            Path relative to the API, e.g. ``'task/5'``
        json : dict, optional
            Request body
        method : str, optional
            HTTP method (default 'get')
        params : dict, optional
            Query parameters
        authenticated : bool, optional
            Send the access token (default True)

        Returns
        -------
        dict or list or None
            The answer

        Raises
        ------
        ServerError
            The server answered with an error status (``.status``, ``.msg``)
        ServerUnreachable
            No answer from the server
        """
        return self.connection.request(method, endpoint, params, json, authenticated)

    def authenticate(self, username: str, password: str, mfa_code: str | int | None = None):
        """Log in.

        Parameters
        ----------
        username : str
            Your username
        password : str
            Your password
        mfa_code : str or int, optional
            The six-digit code of your authenticator app, when the server requires
            two-factor authentication

        Returns
        -------
        bool
            True once logged in; False when the server just set up two-factor
            authentication for you (the instructions are printed): log in again with the
            code from your authenticator app

        Raises
        ------
        ServerError
            The login was refused (status 401), e.g. a wrong password or code
        AuthenticationError
            The server needs a two-factor code and none was given
        """
        fields = {"username": username, "password": password}
        if mfa_code is not None:
            fields["mfa_code"] = f"{mfa_code:06d}" if isinstance(mfa_code, int) else mfa_code
        try:
            answer = self.request("token/user", method="post", json=fields, authenticated=False)
        except ServerError as exc:
            if exc.status == 404:
                raise ClientError(
                    f"{self.base_path}/token/user does not exist: is the API path "
                    "(server_api: e.g. '/api', or '' for the root path) right?"
                ) from None
            raise
        if "qr_uri" in answer:
            show_two_factor_setup(answer)
            return False
        if "access_token" not in answer:
            raise AuthenticationError(
                f"{answer.get('msg', 'The server did not log you in')}: "
                "client.authenticate(username, password, mfa_code='123456')"
            )
        self.connection.use_tokens(answer)
        user = self.request(f"user/{answer['user_url'].rsplit('/', 1)[-1]}")
        organization_id = user["organization"]["id"]
        self.whoami = WhoAmI(
            "user", user["id"], user["username"], organization_id, self._name_of(organization_id)
        )
        self.cryptor = DummyCryptor()
        log.info("Logged in as %s of organization %s", user["username"], organization_id)
        return True

    def _name_of(self, organization_id: int) -> str | None:
        """The organization's name, when the user may see it (a user need not)."""
        try:
            return self.request(f"organization/{organization_id}")["name"]
        except ServerError as exc:
            if exc.status != 403:
                raise
            return None

    def require_login(self) -> WhoAmI:
        if self.whoami is None:
            raise AuthenticationError(
                "Not logged in: call client.authenticate(username, password) first"
            )
        return self.whoami

    def setup_encryption(self, private_key: str | Path | None, allow_legacy: bool = False) -> None:
        """Use your organization's private key to encrypt task input and decrypt results in
        encrypted collaborations.

        When the server has no public key for your organization, or one that does not
        belong to this private key, the key's public part is uploaded (which takes the
        organization edit permission), so that others encrypt for it from now on.

        Parameters
        ----------
        private_key : str or Path or None
            Path of the PEM private key file; None (or '') when you do not use encryption
        allow_legacy : bool
            Write input for a vantage6 4.x node, which reads only the legacy format of 4.x
            (no integrity check), in that format. Without it, a task for an organization
            whose node is a 4.x node is refused, saying so. Results in the legacy format
            are read either way.
        """
        self.allow_legacy = allow_legacy
        if not private_key:
            self.cryptor = DummyCryptor()
            return
        cryptor = RSACryptor(private_key)
        organization = self.organization.get()
        stored = organization["public_key"]
        if not stored or not cryptor.verify_public_key(stored):
            self._upload_public_key(organization, cryptor, replaces=bool(stored))
        self.cryptor = cryptor

    def _upload_public_key(self, organization: dict, cryptor: RSACryptor, replaces: bool):
        name = f"organization {organization['id']} ({organization['name']})"
        if replaces:
            log.warning(
                "The public key of %s on the server does not belong to this private key; "
                "replacing it (its nodes and users need this private key from now on)",
                name,
            )
        try:
            self.organization.update(organization["id"], public_key=cryptor.public_key_str)
        except ServerError as exc:
            if exc.status != 403:
                raise
            raise ClientError(
                f"The server's public key of {name} is {'different' if replaces else 'missing'}"
                " and you may not change it: ask an administrator of your organization to "
                "run setup_encryption with this key, or to give you the key they use"
            ) from None
        log.info("Uploaded the public key of %s", name)

    def setup_collaboration(self, collaboration_id: int) -> None:
        """Use this collaboration when a method's ``collaboration`` is not given.

        Parameters
        ----------
        collaboration_id : int
            Id of the collaboration (it must exist and be visible to you)
        """
        self.collaboration.get(collaboration_id)
        self.collaboration_id = collaboration_id

    def wait_for_results(self, task_id: int, interval: float = 1, timeout: float | None = None):
        """Wait until a task has finished, then get its results.

        The server's event socket says when the task's runs change; without it (e.g. no
        event receive permission) the task status is polled, every ``interval`` seconds at
        first and less often as time goes by. Progress is shown on one console line in a
        terminal, or always with ``verbose=True``.

        Parameters
        ----------
        task_id : int
            Id of the task
        interval : float, optional
            First polling interval in seconds (default 1)
        timeout : float, optional
            Give up after this many seconds (default: wait as long as it takes)

        Returns
        -------
        dict
            ``{'data': [...]}``, the results of all runs (see ``client.result.from_task``)

        Raises
        ------
        TaskTimeout
            The task had not finished within ``timeout`` seconds
        TaskFailed
            The task finished, but not every run completed (``.status`` says how)
        """
        progress = Progress(task_id, self.verbose or sys.stderr.isatty())
        status = wait_for_task(self, task_id, interval, timeout, progress)
        if status.is_failure:
            raise TaskFailed(task_id, status.value)
        return self.result.from_task(task_id)


UserClient = Client


def api_url(server_url: str, server_port: int | None, server_api: str) -> str:
    """``http://host`` + ``:port`` + ``/api``, without doubled or trailing slashes."""
    if not server_url.startswith(("http://", "https://")):
        raise ValueError(f"server_url must start with http:// or https://, not {server_url!r}")
    url = server_url.rstrip("/")
    if server_port:
        url += f":{server_port}"
    return url + normalise_api_path(server_api)


class _ConsoleHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (notebooks and tests replace it)."""

    def __init__(self):
        super().__init__()
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def _log_to_console() -> None:
    """Verbose: the client's log on stderr (once, however many clients are made)."""
    logger = logging.getLogger("vantage6.client")
    logger.setLevel(logging.DEBUG)
    if not any(isinstance(handler, _ConsoleHandler) for handler in logger.handlers):
        logger.addHandler(_ConsoleHandler())
