"""Every change to an audited record becomes an event, whichever code made it.

Models opt in with the `Audited` mixin. A session listener turns what the unit of work is about to
write into `audit_events` rows inside the same transaction, so a change and its event are committed
or rolled back together. Services add a reason with `change_reason`; the app says who acts with
`set_actor`. Two things that would bypass the trail are refused: deleting an `Archivable` record
(archive it instead) and bulk UPDATE/DELETE statements on audited tables.
"""

import enum
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import MANYTOONE, Mapped, Mapper, RelationshipProperty, Session, mapped_column

from workbench.db import changed_links, utcnow

ACTOR_KEY = "audit_actor"
REASON_KEY = "audit_reason"
REDACTED = "[redacted]"

AUDITED_TYPES: dict[str, type] = {}


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    label: str


SYSTEM = Actor(None, "system")


class Audited:
    """Mixin: changes to this model are recorded.

    `__audit_type__` names the kind of record in URLs and events, `__audit_type_label__` is what
    users read, and `__audit_endpoint__` is the view showing one record (called with `id`), if any.
    """

    __audit_type__: str
    __audit_type_label__: str
    __audit_endpoint__: str | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__audit_type__" in cls.__dict__:
            AUDITED_TYPES[cls.__audit_type__] = cls

    def audit_label(self) -> str:
        return f"{self.__audit_type__} {self.id}"

    def audit_action(self, changes: dict) -> str:
        return "updated"


class Archivable(Audited):
    """Mixin for records users depend on: they are archived, never deleted."""

    archived_at: Mapped[datetime | None] = mapped_column(default=None, info={"label": _l("归档时间")})

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def audit_action(self, changes: dict) -> str:
        if "archived_at" in changes:
            return "restored" if changes["archived_at"]["after"] is None else "archived"
        return super().audit_action(changes)


class RecordDeletionRefused(RuntimeError):
    pass


def set_actor(session: Session, actor: Actor | Callable[[], Actor]) -> None:
    """Who is acting in this session; a callable is resolved only when something changes."""
    session.info[ACTOR_KEY] = actor


@contextmanager
def change_reason(session: Session, reason: str | None):
    """Attach `reason` to the events of the changes made inside the block.

    The block's changes are flushed together once, at its end, so each record gets one event
    for them (reading a collection inside the block would otherwise flush half of them early).
    """
    session.flush()
    session.info[REASON_KEY] = (reason or "").strip() or None
    try:
        with session.no_autoflush:
            yield
        session.flush()
    finally:
        session.info.pop(REASON_KEY, None)


def _current_actor(session: Session) -> Actor:
    actor = session.info.get(ACTOR_KEY, SYSTEM)
    return actor() if callable(actor) else actor


def _jsonable(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Audited):
        return value.audit_label()
    return str(value)


def _recorded(column_info: dict, value):
    return REDACTED if column_info.get("audit") == "redact" and value is not None else _jsonable(value)


def _collection_labels(objects) -> list[str]:
    return sorted(obj.audit_label() for obj in objects)


def _many_to_many(mapper: Mapper):
    """Links between records, on the side they are written from (the other side is view-only)."""
    return [rel for rel in mapper.relationships if rel.secondary is not None and not rel.viewonly]


def _mirror(rel: RelationshipProperty) -> RelationshipProperty | None:
    """The view-only relationship that reads the same link from the other record's side."""
    for other in rel.mapper.relationships:
        if other.secondary is rel.secondary and other.viewonly:
            return other
    return None


def _references(mapper: Mapper) -> dict[str, RelationshipProperty]:
    """Foreign-key columns that point at another audited record, by column key.

    They are recorded under the relationship's name with the record's label ("所属组织: 测试部委"),
    taken when the change is made, so the history reads as it was even after a rename.
    """
    references = {}
    for rel in mapper.relationships:
        if rel.direction is MANYTOONE and len(rel.local_columns) == 1 and issubclass(rel.mapper.class_, Audited):
            (column,) = rel.local_columns
            references[mapper.get_property_by_column(column).key] = rel
    return references


def _fields(session: Session, obj, values_of):
    """(field, info, before, after) for each column of `obj` that `values_of(prop)` gives values
    for (it returns None to skip one). Primary keys are left out: the event names its record."""
    state = inspect(obj)
    references = _references(state.mapper)

    def label(model, key):
        return session.get(model, key).audit_label() if key is not None else None

    for prop in state.mapper.column_attrs:
        column = prop.columns[0]
        values = None if column.primary_key or column.info.get("audit") == "skip" else values_of(prop)
        if values is None:
            continue
        before, after = values
        rel = references.get(prop.key)
        if rel is None:
            yield prop.key, column.info, _recorded(column.info, before), _recorded(column.info, after)
        else:
            yield rel.key, rel.info, label(rel.mapper.class_, before), label(rel.mapper.class_, after)


def _snapshot(session: Session, obj, *, deleted: bool) -> dict:
    """All recorded values of a record being created (after) or deleted (before)."""
    state = inspect(obj)

    def values_of(prop):
        value = state.dict.get(prop.key)
        if value is None:
            return None
        return (value, None) if deleted else (None, value)

    changes = {
        field: {"before": before, "after": after} for field, _, before, after in _fields(session, obj, values_of)
    }
    for rel in _many_to_many(state.mapper):
        labels = _collection_labels(state.dict.get(rel.key) or [])
        if labels:
            changes[rel.key] = {"before": labels, "after": []} if deleted else {"before": [], "after": labels}
    return changes


def _diff(session: Session, obj) -> dict:
    """The fields of a changed record with their value before and after this flush."""
    state = inspect(obj)

    def values_of(prop):
        history = state.attrs[prop.key].history
        if not history.has_changes():
            return None
        return (history.deleted[0] if history.deleted else None), (history.added[0] if history.added else None)

    changes = {
        field: {"before": before, "after": after}
        for field, info, before, after in _fields(session, obj, values_of)
        # A hidden value is recorded as changed even though both sides read "[redacted]".
        if before != after or info.get("audit") == "redact"
    }
    for rel in _many_to_many(state.mapper):
        history = state.attrs[rel.key].history
        if not history.has_changes():
            continue
        before = _collection_labels([*history.unchanged, *history.deleted])
        after = _collection_labels([*history.unchanged, *history.added])
        if before != after:
            changes[rel.key] = {"before": before, "after": after}
    return changes


def _record_id(obj) -> str:
    # New rows get their identity key only after `after_flush`; their primary key is already set.
    return ",".join(str(part) for part in inspect(obj).mapper.primary_key_from_instance(obj))


def _other_sides(session: Session):
    """(record, field, before, after) for the records at the far end of links this flush changed.

    A link (a working group's members) is written from one side only; each record that joined or
    left gets the change in its own history too ("工作组: WG-AL → WG-AL、WG-LIB"), read back from
    what the flush wrote, so both histories are complete whatever happened to be loaded.
    """
    moves: dict[tuple, tuple[RelationshipProperty, set, set]] = {}
    owners = [obj for obj in (*session.new, *session.dirty, *session.deleted) if isinstance(obj, Audited)]
    for owner, rel, added, removed in changed_links(owners):
        mirror = _mirror(rel)
        if mirror is None:
            continue
        for target in added:
            moves.setdefault((target, mirror.key), (rel, set(), set()))[1].add(owner)
        for target in removed:
            moves.setdefault((target, mirror.key), (rel, set(), set()))[2].add(owner)
    for (target, field), (rel, joined, left) in moves.items():
        owner_model = rel.parent.class_
        now = set(session.scalars(select(owner_model).where(getattr(owner_model, rel.key).contains(target))))
        before, after = _collection_labels((now - joined) | left), _collection_labels(now)
        if before != after:
            yield target, field, before, after


@event.listens_for(Session, "before_flush")
def _refuse_deleting_archivable(session: Session, flush_context, instances):
    for obj in session.deleted:
        if isinstance(obj, Archivable):
            raise RecordDeletionRefused(
                f"{obj.__audit_type__} records are archived, never deleted ({obj.audit_label()})"
            )


@event.listens_for(Session, "after_flush")
def _record_changes(session: Session, flush_context):
    # After the flush has run its SQL, primary keys of new rows are known, while `new`, `dirty`,
    # `deleted` and attribute histories still describe what the flush wrote.
    from workbench.audit.models import AuditEvent

    events: dict[object, tuple[str, dict]] = {}
    for obj in session.new:
        if isinstance(obj, Audited):
            events[obj] = ("created", _snapshot(session, obj, deleted=False))
    for obj in session.dirty:
        if isinstance(obj, Audited) and (changes := _diff(session, obj)):
            events[obj] = (obj.audit_action(changes), changes)
    for obj in session.deleted:
        if isinstance(obj, Audited):
            events[obj] = ("deleted", _snapshot(session, obj, deleted=True))
    for target, field, before, after in list(_other_sides(session)):
        action, changes = events.get(target, (None, {}))
        changes[field] = {"before": before, "after": after}
        events[target] = (action or target.audit_action(changes), changes)
    if not events:
        return

    actor = _current_actor(session)
    now = utcnow()
    rows = [
        {
            "occurred_at": now,
            "actor_id": actor.user_id,
            "actor_label": actor.label,
            "record_type": obj.__audit_type__,
            "record_id": _record_id(obj),
            "record_label": obj.audit_label()[:300],
            "action": action,
            "changes": changes,
            "reason": session.info.get(REASON_KEY),
        }
        for obj, (action, changes) in events.items()
    ]
    session.connection().execute(AuditEvent.__table__.insert(), rows)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(orm_execute_state):
    if not (orm_execute_state.is_update or orm_execute_state.is_delete):
        return
    for mapper in orm_execute_state.all_mappers:
        if issubclass(mapper.class_, Audited):
            raise RuntimeError(
                f"bulk UPDATE/DELETE on {mapper.class_.__name__} would bypass the audit trail; "
                "load the records and change them one by one"
            )


@event.listens_for(Mapper, "mapper_configured")
def _load_old_values_before_change(mapper: Mapper, class_):
    """Make the old value of every audited column available to the diff.

    Without active history, assigning to an attribute that was expired (after a commit) records no
    old value and the event would show "before: none". A no-op `set` listener with
    active_history=True is SQLAlchemy's documented way to have the old value loaded first.
    """
    if not issubclass(class_, Audited):
        return
    for prop in mapper.column_attrs:
        event.listen(getattr(class_, prop.key), "set", _keep, active_history=True)


def _keep(target, value, oldvalue, initiator):
    return None
