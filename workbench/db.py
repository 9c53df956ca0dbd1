"""The database: one declarative base, typed models, and one transaction per request.

Schema changes go through Alembic migrations only (migrations/); nothing here creates tables.
"""

import sqlite3
from datetime import UTC, datetime

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator

from workbench.config import PROJECT_ROOT

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


def init_app(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db)

    @app.after_request
    def commit_or_roll_back(response):
        """One transaction per request: kept when the request succeeded, dropped otherwise.

        Views never commit; a view that rejects input answers 4xx and everything it touched is
        rolled back. A commit that fails raises here and becomes an error page, not a half change.
        """
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response
