"""``/study``: named subsets of a collaboration's organizations that tasks can target (the
original's since 4.3), and ``/study/<id>/organization`` for the organizations in one.

Who may do what is in :mod:`vantage6.server.resources.study`. An organization is in a study
only while it is a member of the study's collaboration: adding another is refused here, and
one that leaves the collaboration leaves its studies there (the database removes it, see
:mod:`vantage6.server.models.study`). Tasks keep a study from being deleted unless
``?delete_dependents=true`` deletes them too.
"""

from __future__ import annotations

import colander
from pyramid.httpexceptions import HTTPBadRequest
from sqlalchemy import delete, select

from vantage6.server.api.answers import CREATED, MESSAGE, PAGE, RECORD, RECORDS
from vantage6.server.api.contexts import require
from vantage6.server.api.endpoints.organization import serialize as serialize_organization
from vantage6.server.api.endpoints.organization import visible as organization_visible
from vantage6.server.api.errors import Refused
from vantage6.server.api.pagination import paginate
from vantage6.server.api.params import included, query_int
from vantage6.server.api.render import link, listing
from vantage6.server.api.schema import (
    Body,
    Distinct,
    explained_refusal,
    json_body,
    record_id,
    record_name,
    whole_number,
)
from vantage6.server.api.service import api_service
from vantage6.server.api.writes import flush_or_400, referenced, refuse_unless_deleting, set_fields
from vantage6.server.models import Collaboration, Organization, Study, Task, study_member
from vantage6.server.models.rule import Operation
from vantage6.server.resources.base import scoped_filter
from vantage6.server.resources.study import NewStudy

studies = api_service("studies", "/study", traverse="/studies")
study = api_service("study", "/study/{id}", traverse="/studies/{id}")
study_organization = api_service(
    "study_organization", "/study/{id}/organization", traverse="/studies/{id}"
)

INCLUDABLE = {"organizations"}


def organization_ids(**kw):
    """The organizations of a study: at least one, each once."""
    return colander.SchemaNode(
        colander.Sequence(),
        record_id(),
        validator=colander.All(
            Distinct(), colander.Length(min=1, min_err="must name at least one organization")
        ),
        **kw,
    )


def _unchangeable(node, value):
    raise colander.Invalid(
        node, "cannot be changed: a study belongs to one collaboration; create a new study"
    )


class StudyCreate(Body):
    name = record_name()
    collaboration_id = record_id()
    organization_ids = organization_ids()


class StudyPatch(Body):
    name = record_name(missing=colander.drop)
    organization_ids = organization_ids(missing=colander.drop)
    collaboration_id = explained_refusal(
        whole_number(missing=colander.drop, validator=_unchangeable)
    )


class OrganizationId(Body):
    id = record_id()


def visible_members(request, item: Study) -> list[dict]:
    """The organizations in the study, those the caller may view, in full."""
    query = (
        select(Organization)
        .join(study_member, study_member.c.organization_id == Organization.id)
        .where(study_member.c.study_id == item.id, organization_visible(request.identity))
        .order_by(Organization.id)
    )
    return [serialize_organization(request, o) for o in request.dbsession.scalars(query)]


def serialize(request, item: Study, include=frozenset()) -> dict:
    """The original's StudySchema; ``organizations`` is a link, or with
    ``include=organizations`` the organizations in it that the caller may view."""
    return {
        "id": item.id,
        "name": item.name,
        "collaboration": link(request, "collaboration", item.collaboration_id),
        "organizations": (
            visible_members(request, item)
            if "organizations" in include
            else listing(request, "organization", study_id=item.id)
        ),
        "tasks": listing(request, "task", study_id=item.id),
    }


def visible(identity):
    """SQL condition: the studies the caller may view (mirrors StudyContext's ACL)."""
    return scoped_filter(
        identity,
        "study",
        Operation.VIEW,
        organization=lambda own: Study.id.in_(
            select(study_member.c.study_id).where(study_member.c.organization_id == own)
        ),
        collaboration=lambda ids: Study.collaboration_id.in_(ids),
    )


@studies.get(permission="view", response_schemas=PAGE)
def list_studies(request):
    """Studies the caller may see; filters name (LIKE), organization_id (the studies it is
    in), collaboration_id, include=organizations."""
    include = included(request, INCLUDABLE)
    query = select(Study).where(visible(request.identity))
    params = request.params
    if "name" in params:
        query = query.where(Study.name.like(params["name"]))
    if "organization_id" in params:
        organization_id = query_int(request, "organization_id")
        query = query.where(
            Study.id.in_(
                select(study_member.c.study_id).where(
                    study_member.c.organization_id == organization_id
                )
            )
        )
    if "collaboration_id" in params:
        query = query.where(Study.collaboration_id == query_int(request, "collaboration_id"))
    sortable = {"id": Study.id, "name": Study.name, "collaboration_id": Study.collaboration_id}
    return paginate(
        request, query, lambda s: serialize(request, s, include), sortable, Study.id.asc()
    )


def members_of(request, collaboration: Collaboration, ids) -> list[Organization]:
    """The organizations named by ``ids``; a 400 naming those that do not exist or that are
    not members of ``collaboration``."""
    found = referenced(request, Organization, list(ids))
    members = set(collaboration.get_organization_ids())
    outsiders = [str(organization.id) for organization in found if organization.id not in members]
    if outsiders:
        raise HTTPBadRequest(
            f"Organization(s) {', '.join(outsiders)} are not members of collaboration "
            f"{collaboration.id}; a study takes members of its collaboration only"
        )
    return found


@studies.post(
    permission="create",
    schema=StudyCreate(),
    validators=(json_body,),
    response_schemas=CREATED,
)
def create_study(request):
    """Create a study of some members of a collaboration; the answer embeds them."""
    body = request.validated
    require(request, "create", NewStudy(request.context, body["collaboration_id"]))
    (collaboration,) = referenced(request, Collaboration, [body["collaboration_id"]])
    created = Study(
        name=body["name"],
        collaboration=collaboration,
        organizations=members_of(request, collaboration, body["organization_ids"]),
    )
    request.dbsession.add(created)
    flush_or_400(request, created)
    request.response.status = 201
    return serialize(request, created, INCLUDABLE)


@study.get(permission="view", response_schemas=RECORD)
def get_study(request):
    return serialize(request, request.context.row, included(request, INCLUDABLE))


@study.patch(
    permission="edit", schema=StudyPatch(), validators=(json_body,), response_schemas=RECORD
)
def patch_study(request):
    """Rename it and/or replace its organizations (``organization_ids``; that needs the edit
    rule at collaboration or global scope); what is left out keeps its value."""
    changed = request.context.row
    body = request.validated
    if "organization_ids" in body:  # first: its queries would flush a pending rename early
        wanted = members_of(request, changed.collaboration, body["organization_ids"])
        if set(wanted) != set(changed.organizations):
            _require_edit_members(request)
            changed.organizations = wanted
    set_fields(changed, body, ("name",))
    flush_or_400(request, changed)
    return serialize(request, changed, INCLUDABLE)


def _require_edit_members(request) -> None:
    if not request.has_permission("edit_members", request.context):
        raise Refused(
            "Only holders of the study edit rule at collaboration or global scope can change "
            "which organizations are in a study"
        )


@study.delete(permission="delete", response_schemas=MESSAGE)
def delete_study(request):
    """Delete the study; one with tasks only when ``delete_dependents=true``, which deletes
    them (with their runs and subtasks) too."""
    target = request.context.row
    tasks = select(Task.id).where(Task.study_id == target.id)
    refuse_unless_deleting(request, f"Study {target.id}", {"tasks": tasks})
    request.dbsession.execute(delete(Task).where(Task.study_id == target.id))
    request.dbsession.delete(target)
    flush_or_400(request, target)
    return {"msg": f"Study {target.id} was deleted"}


@study_organization.get(permission="view", response_schemas=RECORDS)
def list_members(request):
    """The organizations in the study (those the caller may view)."""
    return visible_members(request, request.context.row)


@study_organization.post(
    permission="edit_members",
    schema=OrganizationId(),
    validators=(json_body,),
    response_schemas=RECORDS,
)
def add_organization(request):
    """Add a member of the study's collaboration; answers with the organizations in the
    study that the caller may view."""
    target = request.context.row
    (organization,) = members_of(request, target.collaboration, [request.validated["id"]])
    if organization in target.organizations:
        raise HTTPBadRequest(f"Organization {organization.id} is already in study {target.id}")
    target.organizations.append(organization)
    flush_or_400(request, target)
    return visible_members(request, target)


@study_organization.delete(
    permission="edit_members",
    schema=OrganizationId(),
    validators=(json_body,),
    response_schemas=RECORDS,
)
def remove_organization(request):
    """Take an organization out of the study (its tasks and runs stay); answers with the
    organizations left that the caller may view."""
    target = request.context.row
    (organization,) = referenced(request, Organization, [request.validated["id"]])
    if organization not in target.organizations:
        raise HTTPBadRequest(f"Organization {organization.id} is not in study {target.id}")
    target.organizations.remove(organization)
    flush_or_400(request, target)
    return visible_members(request, target)
