"""A new task's body: its schema, everything that can be wrong with it (members, nodes, input
versus encryption, the task validator plugins), and the rows it becomes."""

from __future__ import annotations

import base64
import binascii
import copy
import json

import colander
from sqlalchemy import select

from vantage6.common.task_status import TaskStatus
from vantage6.server.api.schema import (
    Body,
    Nullable,
    StrictInt,
    StrictString,
    explained_refusal,
    optional_id,
    optional_text,
    record_id,
    repeated,
    text,
)
from vantage6.server.models import Collaboration, Node, Run, Study, Task, TaskDatabase


def unsupported(schema_type, feature: str):
    """A field of the original API for a feature this server does not have (algorithm
    stores): accepted when left out or null, refused otherwise (and undocumented)."""

    def refuse(node, value):
        raise colander.Invalid(
            node, f"cannot be used: this server has no {feature}; leave it out or send null"
        )

    return explained_refusal(Nullable(schema_type, missing=colander.drop, validator=refuse))


def json_object(**kw):
    """Any JSON object (its content is for the algorithm, not for the server)."""
    return colander.SchemaNode(colander.Mapping(unknown="preserve"), **kw)


# Plain input that is not text, told by its prefix (the original clients' format marks).
BINARY_FORMATS = {b"RDS.": "rds", b"pickle.": "pickle"}


class TaskOrganization(Body):
    id = record_id()
    input = text()


class TaskDatabaseBody(Body):
    label = text(validator=colander.Length(min=1))
    query = text(missing=colander.drop)
    sheet_name = text(missing=colander.drop)
    preprocessing = colander.SchemaNode(colander.Sequence(), json_object(), missing=colander.drop)
    arguments = json_object(missing=colander.drop)


class TaskBody(Body):
    name = optional_text()
    description = optional_text()
    image = text(validator=colander.Length(min=1))
    # One of the two, or both when they agree: a study's tasks are in its collaboration.
    collaboration_id = optional_id()
    organizations = colander.SchemaNode(
        colander.Sequence(),
        TaskOrganization(),
        validator=colander.Length(min=1, min_err="must name at least one organization"),
    )
    databases = colander.SchemaNode(colander.Sequence(), TaskDatabaseBody(), missing=colander.drop)
    study_id = optional_id()
    store_id = unsupported(StrictInt(), "algorithm stores")
    server_url = unsupported(StrictString(), "algorithm stores")


def problems(
    request, body: dict, collaboration: Collaboration, study: Study | None = None
) -> list[str]:
    """Everything wrong with the task: our own checks, then the task validator plugins'."""
    found = _organization_problems(request.dbsession, body, collaboration)
    found += _study_problems(body, study)
    found += [
        problem
        for organization in body["organizations"]
        if (problem := _input_problem(organization, collaboration))
    ]
    results = request.registry["vantage6.plugins"].hook.vantage6_validate_task(
        task_input=copy.deepcopy(body), collaboration=collaboration, request=request
    )
    for plugin_problems in results:
        found += plugin_problems
    return found


def _organization_problems(session, body: dict, collaboration: Collaboration) -> list[str]:
    wanted = [organization["id"] for organization in body["organizations"]]
    twice = repeated(wanted)  # a rule on values, which the API document cannot state
    if twice:
        return [f"it names organization(s) {_ids(twice)} more than once"]
    members = set(collaboration.get_organization_ids())
    with_node = set(
        session.scalars(
            select(Node.organization_id).where(
                Node.collaboration_id == collaboration.id, Node.organization_id.in_(wanted)
            )
        )
    )
    outsiders = [id_ for id_ in wanted if id_ not in members]
    nodeless = [id_ for id_ in wanted if id_ in members and id_ not in with_node]
    found = []
    if outsiders:
        found.append(
            f"organization(s) {_ids(outsiders)} are not members of collaboration {collaboration.id}"
        )
    if nodeless:
        found.append(
            f"organization(s) {_ids(nodeless)} have no node in collaboration {collaboration.id}"
        )
    return found


def _study_problems(body: dict, study: Study | None) -> list[str]:
    """A study's task goes to organizations in the study only."""
    if study is None:
        return []
    members = set(study.get_organization_ids())
    outside = [org["id"] for org in body["organizations"] if org["id"] not in members]
    if not outside:
        return []
    return [f"organization(s) {_ids(outside)} are not in study {study.id}"]


def _input_problem(organization: dict, collaboration: Collaboration) -> str | None:
    """Input must suit the collaboration: encrypted ones take only encrypted input, others
    only plain input: base64 of UTF-8 text (e.g. JSON), or of R's serialize format after
    ``RDS.`` (the original R client's; whether it runs is each node's policy). Pickled input
    is refused everywhere we can see it: unpickling runs code."""
    kind = _input_kind(organization["input"])
    whose = f"the input for organization {organization['id']}"
    if kind is None:
        return f"{whose} is not base64 text (or base64 parts joined by '$', when encrypted)"
    if kind == "pickle":
        return (
            f"{whose} is pickled Python, which is refused (unpickling can run any code): send JSON"
        )
    if collaboration.encrypted and kind != "encrypted":
        return (
            f"{whose} is not encrypted, but collaboration {collaboration.id} requires "
            "encrypted input"
        )
    if not collaboration.encrypted and kind == "encrypted":
        return (
            f"{whose} cannot be read, but collaboration {collaboration.id} is not encrypted: "
            "send the input base64-encoded, without encryption"
        )
    return None


def _input_kind(value: str) -> str | None:
    """``text`` (base64 of UTF-8 text), ``rds`` or ``pickle`` (base64 of bytes after that
    format's prefix), ``encrypted`` (other base64, or base64 parts joined by '$', the
    encrypted wire format); None when it is neither."""
    try:
        parts = [base64.b64decode(part, validate=True) for part in value.split("$")]
    except (binascii.Error, ValueError):
        return None
    if len(parts) > 1:
        return "encrypted"
    for prefix, kind in BINARY_FORMATS.items():
        if parts[0].startswith(prefix):
            return kind
    try:
        parts[0].decode("utf-8")
    except UnicodeDecodeError:
        return "encrypted"
    return "text"


def _ids(ids) -> str:
    return ", ".join(str(id_) for id_ in ids)


def new_task(
    request, body: dict, collaboration: Collaboration, parent: Task | None, study: Study | None
) -> Task:
    """The task with a pending run per organization and its databases (their parameters
    stored as a JSON object, as the container token hands them out)."""
    identity = request.identity
    created = Task(
        name=body.get("name"),
        description=body.get("description"),
        image=body["image"],
        collaboration_id=collaboration.id,
        study_id=None if study is None else study.id,
        init_org_id=identity.organization_id,
        # A subtask belongs to its parent's job and user (Task gives it the parent's job_id).
        init_user_id=identity.id if parent is None else parent.init_user_id,
        parent=parent,
    )
    created.databases = [
        TaskDatabase(
            database=database["label"],
            parameters=json.dumps(
                {key: value for key, value in database.items() if key != "label"},
                separators=(",", ":"),
            ),
        )
        for database in body.get("databases", ())
    ]
    created.runs = [
        Run(
            organization_id=organization["id"],
            input=organization["input"],
            status=TaskStatus.PENDING.value,
        )
        for organization in body["organizations"]
    ]
    return created
