"""The built-in auth backend: ``Authorization: Bearer <JWT>`` for users, nodes and containers.

Registered as a plugin that is asked last, so deployment plugins can identify requests first.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select

from vantage6.common.task_status import TaskStatus
from vantage6.plugins import hookimpl
from vantage6.server.models import Node, Run, Task, User
from vantage6.server.resources import parse_id
from vantage6.server.resources.base import MAX_ID
from vantage6.server.security.identity import (
    Identity,
    container_identity,
    node_identity,
    user_identity,
)
from vantage6.server.security.identity_cache import current_epoch
from vantage6.server.security.tokens import CREDENTIALS_CHANGED, InvalidToken

NODE_REKEYED = "the node's API key changed after this container token was issued"

IDENTITIES = "vantage6.identities"  # registry key: the process's IdentityCache
AUTH_ERROR = "vantage6.auth_error"  # environ key: why a presented token was not accepted
CONTAINER_CLAIMS = {"run_id", "task_id", "node_id", "organization_id", "collaboration_id"}
ACCOUNTS = {"user": User, "node": Node}

# What identifying a request needs of its account, as plain rows: loading the ORM object cost
# more than the rest of the identity. Built once, like identity.USER_GRANTS.
ACCOUNT_ROWS = {
    "user": select(User.id, User.organization_id, User.secret_hash.label("secret_hash")).where(
        User.id == bindparam("id")
    ),
    "node": select(
        Node.id,
        Node.organization_id,
        Node.collaboration_id,
        Node.secret_hash.label("secret_hash"),
    ).where(Node.id == bindparam("id")),
}
# A container token's run, its job, and the current key of the node it was issued to (None
# when the node is gone), in one round trip.
CONTAINER_ROWS = (
    select(
        Run.status,
        Task.job_id,
        select(Node.secret_hash)
        .where(Node.id == bindparam("node_id"))
        .scalar_subquery()
        .label("node_key"),
    )
    .join(Task, Task.id == Run.task_id)
    .where(Run.id == bindparam("run_id"))
)


def bearer_token(request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


@hookimpl(trylast=True)
def vantage6_identify(request) -> Identity | None:
    """The caller of a valid token: kept from an earlier request while no right has changed
    since (``identity_cache``), or checked and built from the database."""
    token = bearer_token(request)
    if token is None:
        return None
    identities = request.registry[IDENTITIES]
    epoch = current_epoch(request.dbsession)
    identity = identities.get(token, epoch)
    if identity is not None:
        return identity
    try:
        claims = request.registry["vantage6.tokens"].decode(token)
        identity = identity_from_claims(request, claims)
    except InvalidToken as exc:
        request.environ[AUTH_ERROR] = str(exc)
        return None
    identities.keep(token, epoch, identity)
    return identity


def identity_from_claims(request, claims: dict) -> Identity:
    session = request.dbsession
    if claims["client_type"] == "container":
        if not isinstance(claims["sub"], dict) or not CONTAINER_CLAIMS <= claims["sub"].keys():
            raise InvalidToken("invalid token (unknown subject)")
        job_id = container_job(request, claims)
        return container_identity(session, claims, job_id)
    id_ = subject_id(claims)
    account = session.connection().execute(ACCOUNT_ROWS[claims["client_type"]], {"id": id_}).first()
    check_bound(request, claims, account)
    if claims["client_type"] == "user":
        return user_identity(session, account, claims)
    return node_identity(session, account, claims)


def container_job(request, claims: dict) -> int:
    """The job of a container token, which is bound to one run of its node and works only
    while that run is unfinished and the node still has the API key that asked for it."""
    about = claims["sub"]
    run_id, node_id = about["run_id"], about["node_id"]
    if not all(type(id_) is int and 0 < id_ <= MAX_ID for id_ in (run_id, node_id)):
        raise InvalidToken("invalid token (unknown subject)")
    ids = {"run_id": run_id, "node_id": node_id}
    found = request.dbsession.connection().execute(CONTAINER_ROWS, ids).first()
    if found is None:
        raise InvalidToken("the run of this container token no longer exists")
    if TaskStatus(found.status).is_finished:
        raise InvalidToken(f"the run of this container token has finished ({found.status})")
    if found.node_key is None:
        raise InvalidToken("the node of this container token no longer exists")
    request.registry["vantage6.tokens"].check_binding(claims, found.node_key, NODE_REKEYED)
    return found.job_id


def bound_account(request, claims: dict) -> User | Node:
    """The account of an access or refresh token, which must still hold the password or API
    key the token was issued for."""
    account = token_account(request.dbsession, claims)
    check_bound(request, claims, account)
    return account


def check_bound(request, claims: dict, account) -> None:
    """Refuse a token whose account is gone or no longer has the secret it was issued for."""
    if account is None:
        raise InvalidToken(f"the {claims['client_type']} of this token no longer exists")
    tokens = request.registry["vantage6.tokens"]
    tokens.check_binding(claims, account.secret_hash, CREDENTIALS_CHANGED)


def subject_id(claims: dict) -> int:
    """The user or node id a token speaks for."""
    subject = claims["sub"]
    id_ = parse_id(subject) if isinstance(subject, str) else None
    if claims["client_type"] not in ACCOUNTS or id_ is None:
        raise InvalidToken("invalid token (unknown subject)")
    return id_


def token_account(session, claims: dict) -> User | Node | None:
    """The user or node a token speaks for, None when it no longer exists."""
    id_ = subject_id(claims)
    return session.get(ACCOUNTS[claims["client_type"]], id_)
