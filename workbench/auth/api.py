"""The JSON API of the directory: the signed-in user, organisations and working groups; and how
API calls are authenticated (a personal token, `Authorization: Bearer wbt_…`, or the session)."""

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workbench.api.spec import PAGING, bp, created, page_of, paginated, ref, spec
from workbench.auth import service
from workbench.auth.access import authenticate_api_token, current_principal, limit_api_rate, require
from workbench.auth.models import Organisation, OrganisationKind, User, WorkingGroup
from workbench.auth.permissions import Action, Role
from workbench.auth.shapes import organisation_json, user_json, working_group_json
from workbench.db import db
from workbench.errors import InvalidInput

bp.before_request(authenticate_api_token)
bp.before_request(limit_api_rate)  # after authentication: an account's calls count as one caller's

_timestamp = {"type": ["string", "null"], "format": "date-time"}
_code = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9-]{1,31}$"}
_usernames = {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True}

spec.add_components(
    {
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
    }
)


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
    "/me",
    "GET",
    summary="The signed-in user",
    tag="directory",
    responses={200: ("The user behind the session or token", ref("User"))},
)
def me():
    require(Action.EDIT_OWN_ACCOUNT)
    return jsonify(user_json(current_principal()))


INCLUDE_ARCHIVED = {"name": "include_archived", "in": "query", "schema": {"type": "boolean"}}


def _active_unless_asked(query, model):
    """Archived records are listed only when the caller asks with ?include_archived=true."""
    return query if request.args.get("include_archived") == "true" else query.where(model.archived_at.is_(None))


@spec.operation(
    "/organisations",
    "GET",
    summary="Organisations (active unless include_archived=true)",
    tag="directory",
    parameters=[*PAGING, INCLUDE_ARCHIVED],
    responses={200: ("A page of organisations", page_of("Organisation"))},
)
def list_organisations():
    require(Action.VIEW_DIRECTORY)
    query = select(Organisation).order_by(Organisation.name)
    return paginated(_active_unless_asked(query, Organisation), organisation_json)


@spec.operation(
    "/organisations/<id:organisation_id>",
    "GET",
    summary="One organisation",
    tag="directory",
    responses={200: ("The organisation", ref("Organisation"))},
)
def get_organisation(organisation_id: int):
    require(Action.VIEW_DIRECTORY)
    return jsonify(organisation_json(db.get_or_404(Organisation, organisation_id)))


@spec.operation(
    "/working-groups",
    "GET",
    summary="Working groups (active unless include_archived=true)",
    tag="directory",
    parameters=[*PAGING, INCLUDE_ARCHIVED],
    responses={200: ("A page of working groups", page_of("WorkingGroup"))},
)
def list_working_groups():
    require(Action.VIEW_DIRECTORY)
    query = select(WorkingGroup).options(selectinload(WorkingGroup.members)).order_by(WorkingGroup.code)
    return paginated(_active_unless_asked(query, WorkingGroup), working_group_json)


@spec.operation(
    "/working-groups/<id:group_id>",
    "GET",
    summary="One working group",
    tag="directory",
    responses={200: ("The working group", ref("WorkingGroup"))},
)
def get_working_group(group_id: int):
    require(Action.VIEW_DIRECTORY)
    return jsonify(working_group_json(db.get_or_404(WorkingGroup, group_id)))


@spec.operation(
    "/working-groups",
    "POST",
    summary="Create a working group",
    tag="directory",
    body=ref("WorkingGroupCreate"),
    responses={201: ("The new working group", ref("WorkingGroup"))},
    authorise=lambda: require(Action.MANAGE_WORKING_GROUPS),
)
def create_working_group(body: dict):
    group = service.create_working_group(
        db.session,
        by=current_principal(),
        code=body["code"],
        name=body["name"],
        description=body.get("description", ""),
        members=_users_named(body.get("members", [])),
    )
    return created(working_group_json(group), url_for(".get_working_group", group_id=group.id))


@spec.operation(
    "/working-groups/<id:group_id>",
    "PATCH",
    summary="Change a working group",
    tag="directory",
    body=ref("WorkingGroupUpdate"),
    responses={200: ("The changed working group", ref("WorkingGroup"))},
    authorise=lambda group_id: require(Action.MANAGE_WORKING_GROUPS),
)
def update_working_group(group_id: int, body: dict):
    group = db.get_or_404(WorkingGroup, group_id)
    service.update_working_group(
        db.session,
        group,
        by=current_principal(),
        code=body.get("code", group.code),
        name=body.get("name", group.name),
        description=body.get("description", group.description),
        members=_users_named(body["members"]) if "members" in body else group.members,
        reason=body.get("reason"),
        expected_version=body.get("version"),
    )
    return jsonify(working_group_json(group))
