"""Rate limits that hold under concurrency and across servers: the `limits` library's fixed
windows, counted in a storage every app server shares.

The default storage is a database table (`rate_counters`): one atomic upsert per counted event
(INSERT … ON CONFLICT DO UPDATE … RETURNING on SQLite and on PostgreSQL), so twenty parallel
requests can never all read "9 of 10" and all go on, and every app server and worker process sees
the same counts without another service. On PostgreSQL the table is in the application's
database. On SQLite it is in a file of its own beside the database (rate_limits.sqlite3): counting
runs in its own short transaction, and SQLite has one write lock per file, so a count must never
wait for the lock its own request holds. An operator who prefers Redis sets
WORKBENCH_RATE_LIMIT_STORAGE to a `limits` storage URI (redis://…, with the redis package
installed); `memory://` is for a single process only.

Counting is never part of the request's transaction: a refused sign-in answers with the form
again and its request is rolled back, but the attempt must still count.
"""

import ipaddress
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, current_app
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from sqlalchemy import Engine, Float, String, case, create_engine, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from workbench.db import db

DATABASE = "database"
COUNTERS_FILE = "rate_limits.sqlite3"
PURGE_ONE_IN = 500  # expired counters are deleted now and then, by whichever request draws it


class RateCounter(db.Model):
    """One fixed window of one limit for one key (an account, an address, a token)."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int]
    expires_at: Mapped[float] = mapped_column(Float)  # seconds since the epoch, as `limits` counts


class DatabaseStorage(Storage):
    """A `limits` storage in the application's database (fixed-window strategy only)."""

    STORAGE_SCHEME = None  # built by init_app from the database's URL, never from a limits URI

    def __init__(self, engine: Engine):
        super().__init__()
        self.engine = engine
        if engine.dialect.name == "sqlite":
            RateCounter.__table__.create(engine, checkfirst=True)  # its own file: no migration owns it

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def _insert(self):
        return postgresql_insert if self.engine.dialect.name == "postgresql" else sqlite_insert

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        table = RateCounter.__table__
        expired = table.c.expires_at <= now
        statement = (
            self._insert()(table)
            .values(key=key, count=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "count": case((expired, amount), else_=table.c.count + amount),
                    "expires_at": case((expired, now + expiry), else_=table.c.expires_at),
                },
            )
            .returning(table.c.count)
        )
        with self.engine.begin() as connection:
            count = connection.execute(statement).scalar_one()
            if random.randrange(PURGE_ONE_IN) == 0:
                connection.execute(delete(table).where(table.c.expires_at < now))
        return count

    def _row(self, key: str):
        table = RateCounter.__table__
        with self.engine.connect() as connection:
            return connection.execute(
                select(table.c.count, table.c.expires_at).where(table.c.key == key, table.c.expires_at > time.time())
            ).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row else time.time()

    def check(self) -> bool:
        with self.engine.connect() as connection:
            connection.execute(select(1))
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return connection.execute(delete(RateCounter.__table__)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(RateCounter.__table__).where(RateCounter.__table__.c.key == key))


@dataclass(frozen=True)
class Count:
    """The outcome of counting one event against one limit."""

    allowed: bool
    resets_at: datetime  # when the window ends, and with it any refusal
    first_refusal: bool = False  # this event is the first the window refuses


def address_key(address: str) -> str:
    """An address as rate limits count it: IPv4 as it is, IPv6 by its /64, the block one
    household or server gets, which would otherwise give one client 2**64 separate allowances."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def limit(text: str) -> RateLimitItem:
    """A limit in the `limits` notation, e.g. "5 per 5 minutes"."""
    return parse(text)


def _storage() -> Storage:
    return current_app.extensions["workbench.throttle"]


def _resets_at(storage: Storage, key: str) -> datetime:
    return datetime.fromtimestamp(storage.get_expiry(key), UTC)


def hit(item: RateLimitItem, *identifiers: str, cost: int = 1) -> Count:
    """Count one event (atomically) and say whether it stays within `item`. (The `limits`
    strategy's own hit() answers only yes or no; callers here also say until when, and record
    the first refusal of a window once.)"""
    storage = _storage()
    key = item.key_for(*identifiers)
    count = storage.incr(key, item.get_expiry(), amount=cost)
    return Count(count <= item.amount, _resets_at(storage, key), first_refusal=count - cost <= item.amount < count)


def exhausted(item: RateLimitItem, *identifiers: str) -> datetime | None:
    """When `item`'s window ends, if it is already used up (nothing is counted)."""
    storage = _storage()
    key = item.key_for(*identifiers)
    return _resets_at(storage, key) if storage.get(key) >= item.amount else None


def refund(item: RateLimitItem, *identifiers: str) -> None:
    """Take one counted event back (e.g. a sign-in that turned out to be right); never below
    nothing, so a window that has ended gives no credit."""
    storage = _storage()
    key = item.key_for(*identifiers)
    if storage.get(key) > 0:
        storage.incr(key, item.get_expiry(), amount=-1)


def clear(item: RateLimitItem, *identifiers: str) -> None:
    _storage().clear(item.key_for(*identifiers))


def init_app(app: Flask) -> None:
    uri = app.config.get("RATE_LIMIT_STORAGE") or DATABASE
    if uri != DATABASE:
        app.extensions["workbench.throttle"] = storage_from_string(uri)
        return
    database_url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if database_url.get_backend_name() == "sqlite":
        database_url = f"sqlite:///{Path(app.config['DATA_DIR']) / COUNTERS_FILE}"
    # An engine of its own, with a small pool: counting never borrows the request's connection.
    engine = create_engine(
        database_url, pool_pre_ping=True, **({} if str(database_url).startswith("sqlite") else {"pool_size": 2})
    )
    app.extensions["workbench.throttle"] = DatabaseStorage(engine)
