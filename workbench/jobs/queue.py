"""procrastinate, on the app's own PostgreSQL database (WORKBENCH_JOB_QUEUE=procrastinate).

Only a job's id travels through procrastinate; everything else is in the `jobs` row. App servers
defer (a short-lived connection pool per process); `workbench worker` runs procrastinate's worker,
which calls service.run for each id. procrastinate's tables (procrastinate_*) are its own: `workbench
db upgrade` applies its schema once, and Alembic leaves them alone (migrations/env.py)."""

import logging

import procrastinate
from flask import Flask
from sqlalchemy import inspect, make_url

from workbench.jobs import service
from workbench.jobs.registry import QUEUES

logger = logging.getLogger(__name__)

TASK = "workbench.run_job"
EXTENSION = "workbench.jobs.procrastinate"


def conninfo(database_url: str) -> str:
    """psycopg's connection string for the app's SQLAlchemy URL."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError("WORKBENCH_JOB_QUEUE=procrastinate needs a PostgreSQL WORKBENCH_DATABASE_URL")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def procrastinate_app(app: Flask) -> procrastinate.App:
    """This Flask app's procrastinate app (one per process), with the one task that runs a job."""
    found = app.extensions.get(EXTENSION)
    if found is None:
        # A small pool: an app server only defers, a few times a minute.
        connector = procrastinate.PsycopgConnector(
            conninfo=conninfo(app.config["SQLALCHEMY_DATABASE_URI"]), min_size=1, max_size=4
        )
        found = procrastinate.App(connector=connector)

        @found.task(name=TASK, queue=QUEUES[0])
        def run_job(job_id: int) -> None:
            service.run(app, job_id)

        app.extensions[EXTENSION] = found
    return found


def defer(app: Flask, job_id: int, queue: str) -> None:
    queued = procrastinate_app(app)
    if getattr(queued.connector.get_sync_connector(), "_pool", None) is None:
        queued.open()  # once per process, on the first job it defers
    queued.configure_task(TASK, queue=queue).defer(job_id=job_id)


def apply_schema(app: Flask, engine) -> bool:
    """procrastinate's schema, when it is not there yet; True if it was applied."""
    if "procrastinate_jobs" in inspect(engine).get_table_names():
        return False
    queued = procrastinate_app(app)
    queued.open()
    try:
        queued.schema_manager.apply_schema()
    finally:
        queued.close()
    return True


def work(app: Flask, queues: list[str] | None, concurrency: int) -> None:
    """Run procrastinate's worker until stopped (SIGINT/SIGTERM)."""
    procrastinate_app(app).run_worker(queues=queues or None, concurrency=concurrency, wait=True)
