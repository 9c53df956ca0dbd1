"""The schema is built only by the migrations, and they run both ways on SQLite and PostgreSQL."""

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import workbench.models  # noqa: F401
from workbench.db import db

from .conftest import fresh_database, make_app


def test_migrations_build_the_models_schema_and_run_down_and_up(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("db"), "migrations") as url:
        app = make_app(url, tmp_path_factory.mktemp("migrations-data"))
        with app.app_context():
            flask_migrate.upgrade()
            with db.engine.connect() as connection:
                differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
            assert differences == [], "models and migrations disagree: write a migration"

            flask_migrate.downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

            flask_migrate.upgrade()
            assert {"users", "audit_events", "working_groups"} <= set(inspect(db.engine).get_table_names())
            db.engine.dispose()
