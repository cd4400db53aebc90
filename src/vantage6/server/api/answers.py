"""The shapes of successful answers, as colander schemas for the OpenAPI document (Cornice
Swagger's ``response_schemas`` view argument), so that a client or a fuzzer can check what it
gets back. Errors are documented once for every operation (see :mod:`vantage6.server.apidocs`).

Records are described by what they all have, an ``id``; their other fields vary per resource.
"""

from __future__ import annotations

import colander


def _text(**kw):
    return colander.SchemaNode(colander.String(), **kw)


def _number(**kw):
    return colander.SchemaNode(colander.Integer(), **kw)


class _Open(colander.MappingSchema):
    """A JSON object with at least these fields."""

    def schema_type(self, **kw):
        return colander.Mapping(unknown="preserve")


class Record(_Open):
    """One record (organization, user, task, ...)."""

    id = _number()


class Records(colander.SequenceSchema):
    record = Record()


class Links(colander.MappingSchema):
    """The pages around this one."""

    first = _text()
    this = _text(name="self", title="Self")
    last = _text()
    previous = _text(missing=colander.drop)
    next = _text(missing=colander.drop)


class Page(colander.MappingSchema):
    """A page of records (``page``, ``per_page``, ``sort``); headers total-count and Link."""

    data = Records()
    links = Links()


class Message(_Open):
    """What happened, in words; a refused body adds ``errors``: the problems per field."""

    msg = _text()
    errors = colander.SchemaNode(colander.Mapping(unknown="preserve"), missing=colander.drop)


class Created(Record):
    """The new record."""


class Pending(Record):
    """The record, and what waits for someone else's confirmation."""

    msg = _text()


class RegisteredNode(Record):
    """The new node, with its API key: the only time the server shows it."""

    api_key = _text()


class ApiKey(colander.MappingSchema):
    """A node's new API key: the only time the server shows it."""

    api_key = _text()


class Login(_Open):
    """Tokens (``access_token``, ``refresh_token``, ``refresh_url`` and ``user_url`` or
    ``node_url``); or, at a user's login with two-factor authentication, a ``msg`` that asks
    for the code, or the new second factor (``otp_secret``, ``qr_uri``)."""


class Tokens(_Open):
    """A new access token (also in header ``jwt-token``) and refresh token."""

    access_token = _text()
    refresh_token = _text()
    refresh_url = _text()


class ContainerToken(colander.MappingSchema):
    container_token = _text()


class SecondFactor(colander.MappingSchema):
    """A new two-factor secret, for an authenticator app."""

    otp_secret = _text()
    qr_uri = _text()
    msg = _text()


class KilledRun(colander.MappingSchema):
    task_id = _number()
    run_id = _number()
    organization_id = _number()


class KilledRuns(colander.SequenceSchema):
    run = KilledRun()


class Killed(colander.MappingSchema):
    """The runs that were stopped, for their nodes to find."""

    msg = _text()
    killed = KilledRuns()


class Health(colander.MappingSchema):
    status = _text(validator=colander.OneOf(["ok", "unavailable"]))
    database = colander.SchemaNode(colander.Boolean())


class Version(colander.MappingSchema):
    version = _text()


class TaskStatus(colander.MappingSchema):
    status = _text()


class BlobStoreStatus(colander.MappingSchema):
    """Whether inputs and results go to blob storage (uploaded apart, referred to by id)."""

    blob_store_enabled = colander.SchemaNode(colander.Boolean())


class VpnPeer(colander.MappingSchema):
    """What a node needs to reach the VPN hub, and its own block of the VPN's subnet."""

    subnet = _text()
    prefix = _text()
    hub_public_key = _text()
    endpoint = _text()
    keepalive = _number()


class AlgorithmAddress(_Open):
    """Where an algorithm takes VPN traffic, one per port: also ``label``, ``organization_id``,
    ``task_id``, ``parent_id`` and ``run_id``."""

    ip = _text()
    port = _number()


class AlgorithmAddressList(colander.SequenceSchema):
    address = AlgorithmAddress()


class AlgorithmAddresses(colander.MappingSchema):
    addresses = AlgorithmAddressList()


def answers(status: int, body: colander.SchemaNode, description: str) -> dict:
    """``response_schemas`` for one successful answer: ``{status: response}``."""
    named = body.clone()
    named.name = "body"
    response = colander.MappingSchema(description=description)
    response.add(named)
    return {str(status): response}


RECORD = answers(200, Record(), "The record")
CREATED = answers(201, Created(), "Created")
PAGE = answers(200, Page(), "A page of records")
RECORDS = answers(200, Records(), "The records")
MESSAGE = answers(200, Message(), "Done")
