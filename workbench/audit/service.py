"""Reading the audit trail."""

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from workbench.audit.models import AuditEvent
from workbench.audit.tracking import AUDITED_TYPES
from workbench.errors import NotFound


def record_history(session: Session, record_type: str, record_id: int) -> tuple[object, Select]:
    """The record and the query of its events, newest first."""
    model = AUDITED_TYPES.get(record_type)
    record = session.get(model, record_id) if model is not None else None
    if record is None:
        raise NotFound(_("找不到该记录：它可能从未存在，或地址有误。"))
    query = (
        select(AuditEvent)
        .where(AuditEvent.record_type == record_type, AuditEvent.record_id == str(record_id))
        .order_by(AuditEvent.id.desc())
    )
    return record, query
