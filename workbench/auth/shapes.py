"""JSON shapes of accounts, organisations and working groups, shared by the API and the CLI."""

from workbench.auth.models import Organisation, User, WorkingGroup
from workbench.dates import iso


def organisation_json(organisation: Organisation) -> dict:
    return {
        "id": organisation.id,
        "name": organisation.name,
        "name_en": organisation.name_en,
        "kind": organisation.kind.value,
        "archived_at": iso(organisation.archived_at),
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
        "archived_at": iso(group.archived_at),
        "version": group.version,
    }
