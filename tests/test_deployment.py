"""More than one machine, on this one: two app servers (`workbench serve`) and a job worker
(`workbench worker`) sharing one PostgreSQL database and its procrastinate queue, as
docs/deployment.md describes. A publication asked for through one server appears on the other's
portal; a PDF asked for through one is laid out by the worker and served by the other; one
sign-in holds on both servers.

Runs in the PostgreSQL pass of `make test` only (see conftest.pytest_collection_modifyitems), in a
database of its own that it drops afterwards."""

import os
import re
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from tests.drafting_helpers import make_rule
from workbench.auth import service as accounts
from workbench.auth.permissions import Role
from workbench.db import db
from workbench.workflow import service as workflow

from .conftest import ADMIN, PASSWORD, PROJECT_ROOT, free_port, fresh_database, make_app

pytestmark = pytest.mark.postgresql

DEADLINE = 90  # seconds for a job; the whole test takes well under two minutes


class Process:
    """A `workbench` command running in the background, its output in a log file."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.log = log
        with open(log, "w") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "workbench", *args],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=PROJECT_ROOT,
            )

    def check(self):
        if self.process.poll() is not None:
            pytest.fail(f"{self.log.name} stopped:\n{self.log.read_text()[-3000:]}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def wait_until(condition, what: str, processes, timeout: float = DEADLINE):
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        for process in processes:
            process.check()
        if time.monotonic() > deadline:
            pytest.fail(f"timed out: {what}")
        time.sleep(0.3)


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def csrf(session: requests.Session, url: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', session.get(url, timeout=10).text).group(1)


def finished_job(session: requests.Session, server: str, job_path: str, processes) -> dict:
    def done():
        state = session.get(f"{server}{job_path}.json", timeout=10).json()
        return state if state["status"] in ("done", "failed") else None

    return wait_until(done, f"job {job_path}", processes)


def test_two_app_servers_and_a_worker_share_one_database(tmp_path):
    with fresh_database(tmp_path, "deployment") as url:
        env = {
            **os.environ,
            "WORKBENCH_DATABASE_URL": url,
            "WORKBENCH_JOB_QUEUE": "procrastinate",
            "WORKBENCH_SECRET_KEY": "deployment-test-secret",  # the same on every server
            "WORKBENCH_PUBLICATION_REPO": str(tmp_path / "published_rules"),  # written by the worker only
        }
        migrated = subprocess.run(
            [sys.executable, "-m", "workbench", "db", "upgrade"],
            env=env,
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
        )
        assert migrated.returncode == 0 and "procrastinate" in migrated.stdout, migrated.stdout + migrated.stderr

        app = make_app(url, tmp_path / "setup")
        with app.app_context():
            accounts.create_user(
                db.session,
                by=ADMIN,
                username="secretariat",
                display_name="秘书处",
                password=PASSWORD,
                role=Role.SECRETARIAT,
            )
            rule = make_rule(db.session)
            workflow.move_stage(db.session, rule, "30", by=ADMIN, today=date.today())
            db.session.commit()
            rule_id = rule.id
            db.engine.dispose()

        ports = free_port(), free_port()
        servers = [f"http://127.0.0.1:{port}" for port in ports]
        processes = [
            Process(["worker"], {**env, "WORKBENCH_DATA_DIR": str(tmp_path / "worker")}, tmp_path / "worker.log")
        ]
        for name, port in zip("ab", ports, strict=True):
            server_env = {**env, "WORKBENCH_DATA_DIR": str(tmp_path / f"server-{name}")}  # nothing shared on disk
            processes.append(
                Process(["serve", "--port", str(port), "--workers", "1"], server_env, tmp_path / f"{name}.log")
            )
        try:
            for server in servers:
                wait_until(lambda server=server: answers(f"{server}/published/"), f"{server} to answer", processes)
            a, b = servers
            browser = requests.Session()  # one cookie jar: what a browser sends to either server
            signed_in = browser.post(
                f"{a}/login",
                data={"csrf_token": csrf(browser, f"{a}/login"), "username": "secretariat", "password": PASSWORD},
                allow_redirects=False,
                timeout=10,
            )
            assert signed_in.status_code == 302, signed_in.text[:500]
            assert "秘书处" in browser.get(f"{b}/account", timeout=10).text  # signed in through A, known to B

            # A PDF asked for through B is laid out by the worker and served by A from the database.
            pdf_path = f"/drafting/{rule_id}/revisions/1/rule.pdf"
            rendered = browser.post(
                f"{b}{pdf_path}/render",
                data={"csrf_token": csrf(browser, f"{b}{pdf_path}")},
                allow_redirects=False,
                timeout=10,
            )
            assert rendered.status_code == 302 and "/jobs/" in rendered.headers["Location"], rendered.text[:500]
            job_path = rendered.headers["Location"].removeprefix(b)
            job = finished_job(browser, b, job_path, processes)
            assert job["status"] == "done", job
            pdf = browser.get(f"{a}{pdf_path}", timeout=30)
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

            # Published through A, by the worker: B's portal shows it.
            # (The publication's PDF is the one laid out above: same text, same cover.)
            asked = browser.post(
                f"{a}/drafting/{rule_id}/publish",
                data={"csrf_token": csrf(browser, f"{a}/drafting/{rule_id}"), "note": "公开征求意见"},
                allow_redirects=False,
                timeout=10,
            )
            assert asked.status_code == 302 and "/jobs/" in asked.headers["Location"], asked.text[:500]
            job = finished_job(browser, a, asked.headers["Location"].removeprefix(a), processes)
            assert job["status"] == "done" and job["result_url"] == "/published/cement/", job
            portal = requests.get(f"{b}/published/", timeout=10)
            assert "温室气体 产品碳足迹量化方法与要求 水泥" in portal.text
            assert requests.get(f"{b}/published/cement/", timeout=10).status_code == 200
        finally:
            for process in processes:
                process.stop()

        # Both jobs went through procrastinate's queue and were done by the worker.
        with app.app_context(), db.engine.connect() as connection:
            done = connection.execute(
                text(
                    "SELECT queue_name, status FROM procrastinate_jobs WHERE task_name = 'workbench.run_job' ORDER BY id"
                )
            ).all()
            db.engine.dispose()
        assert [tuple(row) for row in done] == [("documents", "succeeded"), ("publication", "succeeded")]
