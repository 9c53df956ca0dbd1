"""Alembic environment: migrations run inside the app (`workbench db upgrade`), on its database.

Every migration must run on SQLite and on PostgreSQL: Flask-Migrate is configured with
render_as_batch (SQLite rebuilds tables to alter them) and the metadata's naming convention gives
every constraint a name both backends can drop. tests/test_migrations.py runs them on both.
"""

import logging

from alembic import context
from flask import current_app

import workbench.models  # noqa: F401  (every table, so autogenerate sees the whole schema)
from workbench.db import UTCDateTime, db

logger = logging.getLogger("alembic.env")


def skip_empty_autogenerate(migration_context, revision, directives):
    if getattr(context.config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def render_plain_types(kind, item, autogen_context):
    """Write app column types as plain SQLAlchemy types, so old revisions never import app code."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def not_procrastinates(object_, name, type_, reflected, compare_to):
    """procrastinate's tables (WORKBENCH_JOB_QUEUE=procrastinate) are its own schema, applied by
    `workbench db upgrade`; autogenerate must neither drop nor model them."""
    return not (type_ == "table" and reflected and name.startswith("procrastinate_"))


def run_migrations_online() -> None:
    options = dict(current_app.extensions["migrate"].configure_args)
    options.setdefault("process_revision_directives", skip_empty_autogenerate)
    options.setdefault("render_item", render_plain_types)
    options.setdefault("include_object", not_procrastinates)
    with db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=db.metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported: run `workbench db upgrade`.")
run_migrations_online()
