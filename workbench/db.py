"""The database: one declarative base, typed models, and one transaction per request.

Schema changes go through Alembic migrations only (migrations/); nothing here creates tables.
"""

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Enum, MetaData, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, InterfaceError, InternalError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, declared_attr, mapped_column, registry
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.types import TypeDecorator

from workbench.config import PROJECT_ROOT
from workbench.errors import DatabaseUnavailable, StaleVersion, WriteConflict, WriteFailed

# Stable constraint names, so that migrations can drop and alter them on every backend
# (SQLite's batch mode rebuilds tables and needs the names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_type(enum_class: type[StrEnum]) -> Enum:
    """A StrEnum stored as its value in a plain string column, so adding a member needs no
    migration (no native enum type, no CHECK constraint)."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


class UTCDateTime(TypeDecorator):
    """A point in time, always timezone-aware in Python and stored as UTC.

    PostgreSQL keeps it as timestamptz; SQLite has no zone, so the value is stored as naive UTC
    and given its zone back on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime (workbench.db.utcnow())")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime},
    )


class Versioned:
    """Optimistic locking for records that people edit in forms.

    Every UPDATE checks `version` (SQLAlchemy's version_id_col), so of two writers in the same
    instant only one wins; `expect_version` catches the slower case, a form opened before
    somebody else saved, so that nobody silently undoes another person's change. The version is
    advanced here rather than by SQLAlchemy, because a change to a record's links (a group's
    members) writes no row of the record itself and would otherwise leave its version as it was.
    """

    version: Mapped[int] = mapped_column(default=1, info={"audit": "skip"})

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}


def changed_links(records):
    """(record, relationship, added, removed) for each many-to-many link of `records` with pending
    changes, seen from the side it is written from (the other side is a view-only relationship)."""
    for record in records:
        state = inspect(record)
        for rel in state.mapper.relationships:
            if rel.secondary is not None and not rel.viewonly:
                history = state.attrs[rel.key].history
                if history.has_changes():
                    yield record, rel, history.added, history.deleted


@event.listens_for(Session, "before_flush")
def _advance_versions(session: Session, flush_context, instances) -> None:
    """Move on the version of every record this flush changes, and of both ends of changed links."""
    changed = {obj for obj in session.dirty if session.is_modified(obj)}
    for _owner, _rel, added, removed in list(changed_links([*changed, *session.new])):
        changed.update(added)
        changed.update(removed)
    for obj in changed:
        if isinstance(obj, Versioned) and inspect(obj).persistent:
            obj.version += 1


def expect_version(record: Versioned, expected: int | None) -> None:
    """Refuse to change `record` unless it is still at the version the user was looking at."""
    if expected is not None and expected != record.version:
        raise StaleVersion(
            _(
                "“%(name)s”在您打开后已被他人修改。您填写的内容仍保留在下方：请先查看变更记录，确认后再次保存将以您的内容为准。",
                name=record.audit_label(),
            ),
            current_version=record.version,
        )


db = SQLAlchemy(model_class=Base)
migrate = Migrate(directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    """SQLite leaves foreign keys unenforced unless asked, per connection.

    WAL and a busy timeout let several server workers share the file without "database is locked".
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.close()


# The failures of a write the database refused after the services' checks had passed. A lost race
# (the same rows changed by another request in the same instant: a version or unique check, or
# PostgreSQL's serialization failure and deadlock) may succeed when run again; the others mean the
# database cannot write now (disk full, connection lost, locked too long). Any other integrity error
# (NOT NULL, foreign key, CHECK) is no race but a bug in the code that wrote: it is rolled back and
# raised, a logged 500, never run again nor blamed on "someone saving at the same time".
WRITE_FAILURES = (StaleDataError, IntegrityError, OperationalError, InterfaceError, InternalError)
# PostgreSQL: unique_violation, serialization_failure, deadlock_detected
LOST_RACE_STATES = {"23505", "40001", "40P01"}


def _lost_race(error: Exception) -> bool:
    if isinstance(error, StaleDataError):
        return True
    orig = getattr(error, "orig", None)
    if getattr(orig, "sqlstate", None) in LOST_RACE_STATES:
        return True
    return isinstance(orig, sqlite3.IntegrityError) and str(orig).startswith("UNIQUE constraint failed")


def _is_bug(error: Exception) -> bool:
    """An integrity error that no concurrent request can cause: the writing code is wrong."""
    return isinstance(error, IntegrityError) and not _lost_race(error)


def refusal_of(error: Exception) -> WriteFailed:
    """What a refused write means for the user, as a WorkbenchError with a sentence to act on."""
    if _lost_race(error):
        return WriteConflict(_("有人在同一时刻修改了同一条记录，这次提交没有保存。请重新读取最新内容，合并后再提交。"))
    return DatabaseUnavailable(
        _(
            "数据库暂时无法写入（例如磁盘已满或数据库连接中断），这次提交没有保存。请稍后重试；如果问题持续，请联系管理员。"
        )
    )


Result = TypeVar("Result")


def write(operation: Callable[[], Result]) -> Result:
    """Run `operation()` and commit the request's transaction now, while the view still holds
    what the user typed: a refused write becomes a WorkbenchError that the view shows beside its
    form, instead of an error page after the view has returned (the commit in `init_app` then
    finds nothing left to do).

    A write that lost a race is rolled back and `operation()` runs once more, on what the other
    request committed: the services' own checks then say precisely what clashed (the revision or
    version the form was loaded from is no longer current, the name is taken), the same answer as
    when the other request had come first; and a race the checks do not care about simply
    succeeds. `operation` must therefore change nothing but the database. A second lost race, or
    a database that cannot write, is rolled back and refused (WriteConflict 409,
    DatabaseUnavailable 503): nothing half-written remains. Any other IntegrityError (NOT NULL,
    foreign key) is a bug: rolled back and raised as it is.
    """
    for attempt in (1, 2):
        try:
            result = operation()
            db.session.commit()
        except WRITE_FAILURES as error:
            db.session.rollback()
            if _is_bug(error):
                raise
            if attempt == 1 and _lost_race(error):
                current_app.logger.info("A write lost a race and runs again: %s", error)
                continue
            current_app.logger.warning("A write was refused and rolled back: %s", error)
            raise refusal_of(error) from error
        return result
    raise AssertionError("unreachable: the second attempt returns or raises")


def init_app(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db)

    @app.after_request
    def commit_or_roll_back(response):
        """One transaction per request: kept when the request succeeded, dropped otherwise.

        A view that rejects input answers 4xx and everything it touched is rolled back. Form pages
        and API operations commit earlier, through `write`, so that a refused write is answered
        with the form; what is left is committed here. A commit that fails here is rolled back
        and answered through the error pages (409 or 503), never with a half change or a 500.
        """
        if response.status_code >= 400:
            db.session.rollback()
            return response
        try:
            db.session.commit()
        except WRITE_FAILURES as error:
            db.session.rollback()
            if _is_bug(error):
                raise  # answered as a 500 and logged, like any other bug
            app.logger.warning("The commit after %s was refused and rolled back: %s", response.status, error)
            # The answer is made again, from the refusal, and passes through every after-request
            # step (this one rolls back again: it is no success).
            refused = app.make_response(app.handle_user_exception(refusal_of(error)))
            return app.process_response(refused)
        return response
