"""Fixtures: app, clients per role, CLI runner, a database per test run, and a live server.

The suite runs on an embedded SQLite file by default. With WORKBENCH_TEST_DATABASE_URL set to a
PostgreSQL server, each run creates its own database there and drops it at the end. The schema is
always built by the Alembic migrations, never by create_all, so the migrations are what is tested.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text

from workbench import create_app
from workbench.auth import service
from workbench.auth.models import OrganisationKind
from workbench.auth.permissions import Role
from workbench.db import db

SERVER_URL_VARIABLE = "WORKBENCH_TEST_DATABASE_URL"
PASSWORD = "correct horse battery"
ROLES = list(Role)
# Hashing at production strength would cost ~0.1 s per account created; tests make hundreds.
# Jobs run before the response is sent ("eager"), and documents are laid out in the test's own
# process, so a test sees a job's result at once; tests/test_jobs.py runs the real thread mode.
TEST_SETTINGS = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    "JOB_QUEUE": "eager",
    # Tests send more API calls a minute than a person; the allowance itself is tested with its own app.
    "API_RATE_LIMIT": "100000 per minute",
    "LAYOUT_PROCESS": "inline",
}
# A Word file's 目次 numbers are estimated, not measured with LibreOffice (seconds per file) in every
# publication; tests/test_publishing_word.py measures on purpose (publishing/word_pages.py).
os.environ.setdefault("WORKBENCH_WORD_PAGES", "estimate")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Acting:
    """Who acts in service calls of tests that are not about who may act: an account of `role`
    without a row in the database (records and the audit trail name it "测试 (test)")."""

    is_authenticated = True
    is_active = True
    id = None
    working_groups = ()

    def __init__(self, role: Role = Role.ADMINISTRATOR, username: str = "test", display_name: str = "测试"):
        self.role, self.username, self.display_name = role, username, display_name


ADMIN = Acting()
SECRETARIAT = Acting(Role.SECRETARIAT, "secretariat", "秘书处")


def backend_name() -> str:
    url = os.environ.get(SERVER_URL_VARIABLE)
    return f"PostgreSQL ({make_url(url).render_as_string(hide_password=True)})" if url else "SQLite (embedded file)"


def pytest_report_header(config):
    return f"workbench test database: {backend_name()}"


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgresql` are about PostgreSQL deployments (several servers and a worker
    sharing one database and its job queue): they run in the PostgreSQL pass of `make test` and
    are deselected, not skipped, in the SQLite pass, where there is nothing for them to test."""
    if os.environ.get(SERVER_URL_VARIABLE):
        return
    deselected = [item for item in items if item.get_closest_marker("postgresql")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgresql")]


@contextmanager
def fresh_database(folder: Path, label: str):
    """A new, empty database for one purpose (a SQLite file in `folder`), removed afterwards."""
    server_url = os.environ.get(SERVER_URL_VARIABLE)
    if not server_url:
        yield f"sqlite:///{folder / f'{label}.sqlite3'}"
        return
    server = make_url(server_url)
    name = f"workbench_test_{label}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class WorkbenchClient(FlaskClient):
    """A test client that sends the CSRF token the way a browser page does."""

    def open(self, *args, **kwargs):
        # Flask reuses an app context that is already pushed, and with it the database session:
        # the request would then share the test's session and transaction.
        assert not has_app_context(), "send requests outside app contexts: use the database() fixture"
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        page = self.get("/")
        return re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text).group(1)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        return self.post(url, data={"csrf_token": self.csrf_token(), **(data or {})}, **kwargs)

    def api(self, method: str, url: str, json=None, **kwargs):
        headers = {"X-CSRFToken": self.csrf_token(), **kwargs.pop("headers", {})}
        return self.open(url, method=method, json=json, headers=headers, **kwargs)


def in_parallel(count: int, work) -> list:
    """Run `work(index)` in `count` threads released together; their results in order."""
    results = [None] * count
    start = threading.Barrier(count)

    def run(index):
        start.wait()
        results[index] = work(index)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def make_app(database_url: str, data_dir: Path, **overrides):
    overrides.setdefault("PUBLICATION_REPOSITORY", str(data_dir / "published_rules"))  # never the project's own
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "DATA_DIR": str(data_dir), **TEST_SETTINGS, **overrides})
    app.test_client_class = WorkbenchClient
    return app


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("db"), "suite") as url:
        yield url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = make_app(database_url, tmp_path_factory.mktemp("data"))
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _empty_tables_after_test(request):
    """Each test starts from the migrated, empty schema."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    shutil.rmtree(app.config["PUBLICATION_REPOSITORY"], ignore_errors=True)  # with the tables, the publications go
    app.extensions["workbench.throttle"].reset()  # on SQLite the counters have a file of their own
    with app.app_context():
        db.session.remove()
        tables = db.metadata.sorted_tables
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                names = ", ".join(f'"{table.name}"' for table in tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(tables):
                    connection.execute(table.delete())


@pytest.fixture
def session(app):
    """A database session held for the whole test: for tests that send no requests."""
    with app.app_context():
        yield db.session


@pytest.fixture
def database(app):
    """`with database() as session:` a short-lived session, for tests that also send requests."""

    @contextmanager
    def open_session():
        with app.app_context():
            yield db.session

    return open_session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def people(app):
    """An organisation, a working group and one active account per role (username = role). The
    enterprise's member belongs to an enterprise and the certifier to a certification body (what
    they may do follows from the organisation's kind); every other account to the ministry."""
    with app.app_context():
        ministry = service.create_organisation(db.session, by=ADMIN, name="测试部委", kind=OrganisationKind.MINISTRY)
        enterprise = service.create_organisation(
            db.session, by=ADMIN, name="测试水泥企业", kind=OrganisationKind.ENTERPRISE
        )
        body = service.create_organisation(
            db.session, by=ADMIN, name="测试认证中心", kind=OrganisationKind.CERTIFICATION_BODY
        )
        group = service.create_working_group(db.session, by=ADMIN, code="WG-TEST", name="测试起草组")
        organisation_of = {Role.ENTERPRISE: enterprise, Role.CERTIFIER: body}
        accounts = {}
        for role in ROLES:
            accounts[role] = service.create_user(
                db.session,
                by=ADMIN,
                username=role.value,
                display_name=f"测试{role.value}",
                password=PASSWORD,
                role=role,
                organisation=organisation_of.get(role, ministry),
                working_groups=[group] if role == Role.DRAFTER else [],
            ).id
        db.session.commit()
        return {
            "organisation": ministry.id,
            "enterprise_org": enterprise.id,  # not "enterprise": that is Role.ENTERPRISE's account
            "certification_body": body.id,
            "working_group": group.id,
            **accounts,
        }


@pytest.fixture
def login(app, people):
    """`login(role)` → a client signed in as that role's account; `login(None)` → anonymous."""

    def signed_in(role: Role | None) -> WorkbenchClient:
        client = app.test_client()
        if role is not None:
            response = client.post_form("/login", {"username": role.value, "password": PASSWORD})
            assert response.status_code == 302, response.text
        return client

    return signed_in


@pytest.fixture
def cli_runner(app):
    from workbench.cli import cli

    runner = app.test_cli_runner()

    def invoke(*args, **kwargs):
        return runner.invoke(cli, list(args), catch_exceptions=False, **kwargs)

    return invoke


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(database_url, app, tmp_path_factory):
    """`workbench serve` (gunicorn, two workers) on a free port, on the suite's database."""
    port = free_port()
    env = {
        **os.environ,
        "WORKBENCH_DATABASE_URL": database_url,
        "WORKBENCH_DATA_DIR": str(tmp_path_factory.mktemp("live-data")),
        "WORKBENCH_SECRET_KEY": "live-test-secret",
        "WORKBENCH_PUBLICATION_REPO": app.config["PUBLICATION_REPOSITORY"],
    }
    log = tmp_path_factory.mktemp("live-log") / "server.log"
    with open(log, "w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "workbench", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"workbench serve did not start:\n{log.read_text()}")
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=30)


# As the machine notes advise: no sandbox as root, and no background traffic to the internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """The system Chromium, one for the whole run: Playwright's sync API runs once per thread, so
    every browser test module shares this fixture rather than starting its own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def validate_response(app):
    """Check a response body against the schema the OpenAPI document declares for it."""
    from workbench.api.spec import spec as api_spec

    def check(path: str, method: str, response):
        with app.test_request_context():
            document = api_spec.document(server_url="http://localhost")
        declared = document["paths"][path][method]["responses"][str(response.status_code)]
        schema = declared["content"]["application/json"]["schema"]
        errors = list(api_spec.validator(schema).iter_errors(response.json))
        assert not errors, [error.message for error in errors]

    return check
