"""The audit trail: every change to every record, with actor, time, before/after and reason."""

from workbench.audit.tracking import (
    AUDITED_TYPES,
    SYSTEM,
    Actor,
    Archivable,
    Audited,
    RecordDeletionRefused,
    change_reason,
    set_actor,
)

__all__ = [
    "AUDITED_TYPES",
    "SYSTEM",
    "Actor",
    "Archivable",
    "Audited",
    "RecordDeletionRefused",
    "change_reason",
    "set_actor",
]
