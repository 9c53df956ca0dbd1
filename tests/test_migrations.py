"""The schema is built only by the migrations, and they run both ways on SQLite and PostgreSQL."""

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

import workbench.models  # noqa: F401
from workbench.db import db

from .conftest import fresh_database, make_app


# SQLite cannot reflect expression indexes (lower(name)), so Alembic skips comparing them there;
# PostgreSQL compares them, and test_names_are_unique_in_the_database_whatever_their_case checks
# on both backends that they exist.
@pytest.mark.filterwarnings("ignore:.*expression-based index")
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


@pytest.mark.parametrize(
    ("model", "first", "second"),
    [
        ("organisations", "CNIS", "cnis"),
        ("working_groups", "钢铁 Group", "钢铁 GROUP"),
    ],
)
def test_names_are_unique_in_the_database_whatever_their_case(session, model, first, second):
    """Even a write that skips the services' checks cannot create a case-variant duplicate."""
    from workbench.auth.models import Organisation, WorkingGroup

    if model == "organisations":
        session.add_all([Organisation(name=first, kind="association"), Organisation(name=second, kind="association")])
    else:
        session.add_all([WorkingGroup(code="WG-A", name=first), WorkingGroup(code="WG-B", name=second)])
    with pytest.raises(IntegrityError):
        session.flush()
