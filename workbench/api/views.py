"""The JSON API, version 1: the directory and the audit trail, more domains as their issues land.

Views here are as thin as the HTML ones: they check permission, call the same services and turn
records into JSON. Errors take the shape {"error": {"code", "message", "details"}} (workbench.errors).
"""

from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workbench.api.spec import API_VERSION, ApiSpec
from workbench.audit import service as audit_service
from workbench.audit.models import AuditEvent
from workbench.auth import service
from workbench.auth.access import authenticate_api_token, current_principal, require, require_signed_in
from workbench.auth.models import Organisation, OrganisationKind, User, WorkingGroup
from workbench.auth.permissions import Action, Role
from workbench.db import db
from workbench.errors import InvalidInput
from workbench.web import page_number

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(authenticate_api_token)

MAX_PAGE_SIZE = 200


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _page_of(name: str) -> dict:
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "properties": {
            "items": {"type": "array", "items": _ref(name)},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "total": {"type": "integer", "minimum": 0},
        },
    }


_timestamp = {"type": ["string", "null"], "format": "date-time"}
_code = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9-]{1,31}$"}
_usernames = {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True}

COMPONENTS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "details"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "details": {"type": "object"},
                },
            }
        },
    },
    "Organisation": {
        "type": "object",
        "required": ["id", "name", "name_en", "kind", "archived_at"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "name_en": {"type": ["string", "null"]},
            "kind": {"enum": [kind.value for kind in OrganisationKind]},
            "archived_at": _timestamp,
        },
    },
    "User": {
        "type": "object",
        "required": ["id", "username", "display_name", "role", "organisation", "working_groups", "active"],
        "properties": {
            "id": {"type": "integer"},
            "username": {"type": "string"},
            "display_name": {"type": "string"},
            "role": {"enum": [role.value for role in Role]},
            "organisation": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["id", "name"],
                        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                    },
                ]
            },
            "working_groups": {"type": "array", "items": {"type": "string"}},
            "active": {"type": "boolean"},
        },
    },
    "WorkingGroup": {
        "type": "object",
        "required": ["id", "code", "name", "description", "members", "archived_at", "version"],
        "properties": {
            "id": {"type": "integer"},
            "code": {"type": "string"},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "members": _usernames,
            "archived_at": _timestamp,
            "version": {
                "type": "integer",
                "description": "Send it back with a change to refuse overwriting a newer one",
            },
        },
    },
    "WorkingGroupCreate": {
        "type": "object",
        "required": ["code", "name"],
        "additionalProperties": False,
        "properties": {
            "code": _code,
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "description": {"type": "string", "maxLength": 4000},
            "members": _usernames,
        },
    },
    "WorkingGroupUpdate": {
        "type": "object",
        "minProperties": 1,
        "additionalProperties": False,
        "properties": {
            "code": _code,
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "description": {"type": "string", "maxLength": 4000},
            "members": _usernames,
            "reason": {"type": "string", "maxLength": 1000, "description": "Recorded in the audit trail"},
            "version": {
                "type": "integer",
                "description": "The version the change was made against; 409 stale_version if the group changed since",
            },
        },
    },
    "AuditEvent": {
        "type": "object",
        "required": ["id", "occurred_at", "actor", "record", "action", "changes", "reason"],
        "properties": {
            "id": {"type": "integer"},
            "occurred_at": {"type": "string", "format": "date-time"},
            "actor": {
                "type": "object",
                "required": ["id", "label"],
                "properties": {"id": {"type": ["integer", "null"]}, "label": {"type": "string"}},
            },
            "record": {
                "type": "object",
                "required": ["type", "id", "label"],
                "properties": {"type": {"type": "string"}, "id": {"type": "string"}, "label": {"type": "string"}},
            },
            "action": {"type": "string"},
            "changes": {
                "type": "object",
                "additionalProperties": {"type": "object", "required": ["before", "after"]},
            },
            "reason": {"type": ["string", "null"]},
        },
    },
}

spec = ApiSpec(bp, title="CFP Standards Workbench API", components=COMPONENTS)

_PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": 50},
    },
]


def _paginated(query, serialise):
    per_page = request.args.get("per_page", 50, type=int)
    if not 1 <= per_page <= MAX_PAGE_SIZE:
        raise InvalidInput(_("每页条数（per_page）须在 1 到 %(max)d 之间。", max=MAX_PAGE_SIZE))
    page = db.paginate(query, page=page_number(), per_page=per_page)
    return jsonify(
        items=[serialise(item) for item in page.items], page=page.page, per_page=page.per_page, total=page.total
    )


def _iso(value):
    return value.isoformat() if value is not None else None


def organisation_json(organisation: Organisation) -> dict:
    return {
        "id": organisation.id,
        "name": organisation.name,
        "name_en": organisation.name_en,
        "kind": organisation.kind.value,
        "archived_at": _iso(organisation.archived_at),
    }


def user_json(user: User) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.value,
        "organisation": {"id": user.organisation.id, "name": user.organisation.name} if user.organisation else None,
        "working_groups": [group.code for group in user.working_groups],
        "active": user.active,
    }


def working_group_json(group: WorkingGroup) -> dict:
    return {
        "id": group.id,
        "code": group.code,
        "name": group.name,
        "description": group.description,
        "members": [member.username for member in group.members],
        "archived_at": _iso(group.archived_at),
        "version": group.version,
    }


def audit_event_json(event: AuditEvent) -> dict:
    return {
        "id": event.id,
        "occurred_at": event.occurred_at.isoformat(),
        "actor": {"id": event.actor_id, "label": event.actor_label},
        "record": {"type": event.record_type, "id": event.record_id, "label": event.record_label},
        "action": event.action,
        "changes": event.changes,
        "reason": event.reason,
    }


def _users_named(usernames: list[str]) -> list[User]:
    users = db.session.scalars(select(User).where(User.username.in_([name.lower() for name in usernames]))).all()
    unknown = sorted({name.lower() for name in usernames} - {user.username for user in users})
    if unknown:
        raise InvalidInput(
            _("未知用户名：%(names)s", names="、".join(unknown)),
            details={"errors": [{"pointer": "/members", "message": f"unknown usernames: {', '.join(unknown)}"}]},
        )
    return users


@spec.operation(
    "/",
    "GET",
    summary="API index",
    tag="meta",
    public=True,
    responses={200: ("Links to the API's documents", {"type": "object"})},
)
def index():
    return jsonify(name="CFP Standards Workbench API", version=API_VERSION, openapi=url_for(".openapi"))


@spec.operation(
    "/openapi.json",
    "GET",
    summary="This OpenAPI 3.1 document",
    tag="meta",
    public=True,
    responses={200: ("OpenAPI 3.1 document", {"type": "object"})},
)
def openapi():
    return jsonify(spec.document(server_url=request.host_url.rstrip("/")))


@spec.operation(
    "/me",
    "GET",
    summary="The signed-in user",
    tag="directory",
    responses={200: ("The user behind the session or token", _ref("User"))},
)
def me():
    require(Action.EDIT_OWN_ACCOUNT)
    return jsonify(user_json(current_principal()))


@spec.operation(
    "/organisations",
    "GET",
    summary="Organisations (active unless include_archived=true)",
    tag="directory",
    parameters=[*_PAGING, {"name": "include_archived", "in": "query", "schema": {"type": "boolean"}}],
    responses={200: ("A page of organisations", _page_of("Organisation"))},
)
def list_organisations():
    require(Action.VIEW_DIRECTORY)
    query = select(Organisation).order_by(Organisation.name)
    if request.args.get("include_archived") != "true":
        query = query.where(Organisation.archived_at.is_(None))
    return _paginated(query, organisation_json)


@spec.operation(
    "/organisations/<id:organisation_id>",
    "GET",
    summary="One organisation",
    tag="directory",
    responses={200: ("The organisation", _ref("Organisation"))},
)
def get_organisation(organisation_id: int):
    require(Action.VIEW_DIRECTORY)
    return jsonify(organisation_json(db.get_or_404(Organisation, organisation_id)))


@spec.operation(
    "/working-groups",
    "GET",
    summary="Working groups (active unless include_archived=true)",
    tag="directory",
    parameters=[*_PAGING, {"name": "include_archived", "in": "query", "schema": {"type": "boolean"}}],
    responses={200: ("A page of working groups", _page_of("WorkingGroup"))},
)
def list_working_groups():
    require(Action.VIEW_DIRECTORY)
    query = select(WorkingGroup).options(selectinload(WorkingGroup.members)).order_by(WorkingGroup.code)
    if request.args.get("include_archived") != "true":
        query = query.where(WorkingGroup.archived_at.is_(None))
    return _paginated(query, working_group_json)


@spec.operation(
    "/working-groups/<id:group_id>",
    "GET",
    summary="One working group",
    tag="directory",
    responses={200: ("The working group", _ref("WorkingGroup"))},
)
def get_working_group(group_id: int):
    require(Action.VIEW_DIRECTORY)
    return jsonify(working_group_json(db.get_or_404(WorkingGroup, group_id)))


@spec.operation(
    "/working-groups",
    "POST",
    summary="Create a working group",
    tag="directory",
    body=_ref("WorkingGroupCreate"),
    responses={201: ("The new working group", _ref("WorkingGroup"))},
)
def create_working_group(body: dict):
    require(Action.MANAGE_WORKING_GROUPS)
    group = service.create_working_group(
        db.session,
        code=body["code"],
        name=body["name"],
        description=body.get("description", ""),
        members=_users_named(body.get("members", [])),
    )
    response = jsonify(working_group_json(group))
    response.status_code = 201
    response.headers["Location"] = url_for(".get_working_group", group_id=group.id)
    return response


@spec.operation(
    "/working-groups/<id:group_id>",
    "PATCH",
    summary="Change a working group",
    tag="directory",
    body=_ref("WorkingGroupUpdate"),
    responses={200: ("The changed working group", _ref("WorkingGroup"))},
)
def update_working_group(group_id: int, body: dict):
    require(Action.MANAGE_WORKING_GROUPS)
    group = db.get_or_404(WorkingGroup, group_id)
    service.update_working_group(
        db.session,
        group,
        code=body.get("code", group.code),
        name=body.get("name", group.name),
        description=body.get("description", group.description),
        members=_users_named(body["members"]) if "members" in body else group.members,
        reason=body.get("reason"),
        expected_version=body.get("version"),
    )
    return jsonify(working_group_json(group))


@spec.operation(
    "/audit/<record_type>/<id:record_id>",
    "GET",
    summary="A record's audit trail, newest first",
    tag="audit",
    parameters=_PAGING,
    responses={200: ("A page of audit events", _page_of("AuditEvent"))},
)
def record_history(record_type: str, record_id: int):
    require_signed_in()
    record, query = audit_service.record_history(db.session, record_type, record_id)
    require(Action.VIEW_RECORD_HISTORY, record)
    return _paginated(query, audit_event_json)
