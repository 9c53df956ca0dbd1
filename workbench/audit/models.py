from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workbench.db import db


class AuditEvent(db.Model):
    """One change to one record: who, when, what changed (before/after) and why.

    Rows are only ever inserted (by workbench.audit.tracking). `record_label` keeps what the record
    was called at the time, so the history stays readable after a rename.
    """

    __tablename__ = "audit_events"
    # Each index serves one way of reading the trail newest first: one record's history, the
    # global log filtered by kind of record, and by actor (see audit/views.py).
    __table_args__ = (
        Index("ix_audit_events_record", "record_type", "record_id", "id"),
        Index("ix_audit_events_type", "record_type", "id"),
        Index("ix_audit_events_actor", "actor_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(200))
    record_type: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))
    record_label: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(16))
    changes: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)

    actor = relationship("User", lazy="joined")
