"""Archiving and restoring: how records that others point at leave use without being deleted.

The mechanism only; each domain's service decides who may archive what (it calls
`workbench.auth.permissions.require` first) and what else must hold (a trial is not restored
beside another active trial of the same enterprise). Each change is an audit event with its reason.
"""

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from workbench.audit.tracking import Archivable, change_reason
from workbench.db import utcnow
from workbench.errors import Conflict


def archive(session: Session, record: Archivable, *, reason: str | None = None) -> None:
    if record.is_archived:
        raise Conflict(_("“%(name)s”已经归档。", name=record.audit_label()))
    with change_reason(session, reason):
        record.archived_at = utcnow()


def restore(session: Session, record: Archivable, *, reason: str | None = None) -> None:
    if not record.is_archived:
        raise Conflict(_("“%(name)s”未归档，无需恢复。", name=record.audit_label()))
    with change_reason(session, reason):
        record.archived_at = None


def set_archived(session: Session, record: Archivable, archived: bool, *, reason: str | None = None) -> None:
    (archive if archived else restore)(session, record, reason=reason)
