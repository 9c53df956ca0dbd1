"""The JSON API of the audit trail: a record's history, newest first."""

from workbench.api.spec import PAGING, page_of, paginated, spec
from workbench.audit import service as audit_service
from workbench.audit.models import AuditEvent
from workbench.auth.access import require, require_signed_in
from workbench.auth.permissions import Action
from workbench.db import db

spec.add_components(
    {
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
)


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


@spec.operation(
    "/audit/<record_type>/<id:record_id>",
    "GET",
    summary="A record's audit trail, newest first",
    tag="audit",
    parameters=PAGING,
    responses={200: ("A page of audit events", page_of("AuditEvent"))},
)
def record_history(record_type: str, record_id: int):
    require_signed_in()
    record, query = audit_service.record_history(db.session, record_type, record_id)
    require(Action.VIEW_RECORD_HISTORY, record)
    return paginated(query, audit_event_json)
