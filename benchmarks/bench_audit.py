"""What the audit trail costs as it grows: its pages, and one audited change.

Usage: python benchmarks/bench_audit.py [EVENTS]   (make bench runs it)
Runs on a fresh SQLite file, or in a fresh PostgreSQL database when WORKBENCH_TEST_DATABASE_URL
names a server. Prints the median of repeated in-process requests (no network), in milliseconds.
"""

import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from tests.conftest import ADMIN, PASSWORD, fresh_database, make_app  # noqa: E402
from workbench.audit.models import AuditEvent  # noqa: E402
from workbench.auth import service  # noqa: E402
from workbench.auth.models import OrganisationKind  # noqa: E402
from workbench.db import db  # noqa: E402

RECORDS = 5000
HISTORY_OF_ONE = 400
REPEATS = 15


def seed(events: int) -> tuple[int, int]:
    admin = service.create_user(
        db.session, username="admin", display_name="管理员", password=PASSWORD, role="administrator", by=ADMIN
    )
    organisation = service.create_organisation(db.session, name="基准组织", kind=OrganisationKind.ASSOCIATION, by=ADMIN)
    db.session.commit()
    start = datetime(2025, 1, 1, tzinfo=UTC)
    batch = []
    for number in range(events):
        record_id = organisation.id if number % (events // HISTORY_OF_ONE) == 0 else 10_000 + number % RECORDS
        batch.append(
            {
                "occurred_at": start + timedelta(seconds=number),
                "actor_id": admin.id,
                "actor_label": "管理员 (admin)",
                "record_type": "organisation" if number % 3 else "working_group",
                "record_id": str(record_id),
                "record_label": f"记录 {record_id}",
                "action": "updated",
                "changes": {"name": {"before": f"旧名称 {number}", "after": f"新名称 {number}"}},
                "reason": None,
            }
        )
        if len(batch) == 10_000:
            db.session.execute(insert(AuditEvent), batch)
            batch.clear()
    if batch:
        db.session.execute(insert(AuditEvent), batch)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # as autovacuum would after a bulk load
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE audit_events"))
    return admin.id, organisation.id


def median_ms(action) -> float:
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        response = action()
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 302), response.status_code
    return statistics.median(timings)


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    with tempfile.TemporaryDirectory() as root, fresh_database(Path(root), "bench") as url:
        app = make_app(url, Path(root), TESTING=False)
        with app.app_context():
            flask_migrate.upgrade()
            started = time.perf_counter()
            _, organisation_id = seed(events)
            seeding = time.perf_counter() - started
            backend = db.engine.dialect.name
        client = app.test_client()
        client.post_form("/login", {"username": "admin", "password": PASSWORD})
        token = client.csrf_token()
        middle = events // 2
        counter = iter(range(10**9))
        measures = {
            "global log, first page": lambda: client.get("/audit/"),
            f"global log, {middle:,} entries back": lambda: client.get(f"/audit/?before={middle}"),
            "global log, filtered by type and actor": lambda: client.get("/audit/?type=working_group&actor=admin"),
            f"one record's history ({HISTORY_OF_ONE} events), first page": lambda: client.get(
                f"/audit/organisation/{organisation_id}"
            ),
            "one audited edit (form post, commit)": lambda: client.post(
                f"/organisations/{organisation_id}/edit",
                data={"csrf_token": token, "name": f"基准组织 {next(counter)}", "kind": "association"},
            ),
        }
        results = {name: median_ms(action) for name, action in measures.items()}
        with app.app_context():
            db.engine.dispose()

    print(
        f"date: {datetime.now().date()}  machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{platform.platform()}, Python {platform.python_version()}"
    )
    print(f"backend: {backend}  audit events: {events:,}  (seeded in {seeding:.1f} s)")
    for name, milliseconds in results.items():
        print(f"  {name:<48} {milliseconds:8.1f} ms (median of {REPEATS})")


if __name__ == "__main__":
    main()
