"""Settings from WORKBENCH_* variables, with safe defaults."""

import multiprocessing
import stat

import pytest
from sqlalchemy.exc import IntegrityError

from workbench import create_app
from workbench.config import PROJECT_ROOT, load_settings, stored_secret_key


def test_defaults_are_an_embedded_database_and_a_generated_key(tmp_path):
    settings = load_settings({}, {"DATA_DIR": str(tmp_path)})
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'workbench.sqlite3'}"
    assert settings["PUBLICATION_REPOSITORY"] == str(PROJECT_ROOT / "published_rules")
    assert "SECRET_KEY" not in settings  # generated into the data folder, never a fixed default

    app = create_app({"DATA_DIR": str(tmp_path)})
    key_file = tmp_path / "secret_key"
    assert app.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(app.config["SECRET_KEY"]) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert create_app({"DATA_DIR": str(tmp_path)}).config["SECRET_KEY"] == app.config["SECRET_KEY"]


def test_environment_variables_are_read(tmp_path):
    environ = {
        "WORKBENCH_DATA_DIR": str(tmp_path),
        "WORKBENCH_DATABASE_URL": "postgresql+psycopg://db.example/workbench",
        "WORKBENCH_SECRET_KEY": "from-the-environment",
        "WORKBENCH_PUBLICATION_REPO": str(tmp_path / "mirror"),
        "WORKBENCH_MAX_UPLOAD_MB": "4",
    }
    settings = load_settings(environ)
    assert settings["DATA_DIR"] == str(tmp_path)
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db.example/workbench"
    assert settings["SECRET_KEY"] == "from-the-environment"
    assert settings["PUBLICATION_REPOSITORY"] == str(tmp_path / "mirror")
    assert settings["MAX_CONTENT_LENGTH"] == 4 * 1024 * 1024
    assert load_settings(environ, {"SECRET_KEY": "explicit"})["SECRET_KEY"] == "explicit"


def _key(folder, results):
    results.put(stored_secret_key(folder))


def test_workers_starting_together_agree_on_one_key(tmp_path):
    results = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_key, args=(tmp_path, results)) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len({results.get() for _ in workers}) == 1
    assert [path.name for path in tmp_path.iterdir()] == ["secret_key"]


def test_foreign_keys_are_enforced(session):
    """PostgreSQL always enforces them; SQLite only when each connection asks (workbench.db)."""
    from workbench.auth.models import User

    session.add(
        User(
            username="orphan",
            display_name="x",
            password_hash="x",
            role="drafter",
            organisation_id=4242,
            active=True,
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()


def test_cookies_can_be_limited_to_https(tmp_path):
    assert load_settings({}, {"DATA_DIR": str(tmp_path)})["SESSION_COOKIE_SECURE"] is False
    secure = load_settings({"WORKBENCH_SECURE_COOKIES": "1"}, {"DATA_DIR": str(tmp_path)})
    assert secure["SESSION_COOKIE_SECURE"] is True and secure["REMEMBER_COOKIE_SECURE"] is True


def test_an_unknown_target_level_is_refused_at_start_naming_the_setting(tmp_path):
    with pytest.raises(ValueError, match="WORKBENCH_TARGET_LEVELS: unknown level.*provincial"):
        create_app({"DATA_DIR": str(tmp_path), "COVERAGE_TARGET_LEVELS": "national,provincial"})
    app = create_app({"DATA_DIR": str(tmp_path), "COVERAGE_TARGET_LEVELS": "national, group"})
    assert app.config["COVERAGE_TARGET_LEVELS"] == "national, group"


@pytest.mark.parametrize("department", ["46", "4690", "T46", "４６９", ""])
def test_a_plan_number_department_of_other_than_three_digits_is_refused_at_start(tmp_path, department):
    with pytest.raises(ValueError, match="WORKBENCH_PLAN_NUMBER_DEPARTMENT"):
        create_app({"DATA_DIR": str(tmp_path), "PLAN_NUMBER_DEPARTMENT": department})
    app = create_app({"DATA_DIR": str(tmp_path), "PLAN_NUMBER_DEPARTMENT": "027"})
    assert app.config["PLAN_NUMBER_DEPARTMENT"] == "027"
