"""The `workbench` command: sub-commands, --help everywhere, and one clear line per error."""

import json
import os
import socket
import subprocess
import sys

import pytest

from workbench.audit.models import AuditEvent
from workbench.auth import service
from workbench.auth.models import User
from workbench.errors import AccessDenied

from .conftest import ADMIN, PROJECT_ROOT


def run_workbench(*args, env=None, input=None):
    """The installed entry point in a child process, as a user types it."""
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        capture_output=True,
        text=True,
        input=input,
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_help_lists_the_commands(cli_runner):
    result = cli_runner("--help")
    assert result.exit_code == 0
    for command in ("serve", "db", "demo", "user"):
        assert command in result.output
    for sub in (["db", "upgrade"], ["user", "create"], ["serve"], ["demo"]):
        assert cli_runner(*sub, "--help").exit_code == 0


def test_demo_data_loads_once(cli_runner, database):
    first = cli_runner("demo")
    assert first.exit_code == 0, first.output
    assert "admin" in first.output and "workbench-demo" in first.output and "新建 created" in first.output
    with database() as session:
        users, events = session.query(User).count(), session.query(AuditEvent).count()
        # commands act as the built-in operator account unless --as names someone
        assert session.query(AuditEvent).filter_by(actor_label="命令行操作员 (operator)").count() > 0
        assert session.query(AuditEvent).filter(AuditEvent.actor_label.is_(None)).count() == 0
    second = cli_runner("demo")
    assert second.exit_code == 0 and "新建 created" not in second.output
    with database() as session:
        assert (session.query(User).count(), session.query(AuditEvent).count()) == (users, events)


def test_the_operator_account_cannot_sign_in(cli_runner, client):
    cli_runner("demo")
    for password in ("", "!", "workbench-demo"):
        response = client.post_form("/login", {"username": "operator", "password": password})
        assert response.status_code != 302


def test_commands_act_as_the_account_named_by_as(cli_runner, database):
    cli_runner("demo")
    password = {"input": "a good long password\n"}
    result = cli_runner(
        "--as", "admin", "user", "create", "li", "--name", "李工", "--role", "drafter", "--password-stdin", **password
    )
    assert result.exit_code == 0, result.output
    with database() as session:
        latest = session.query(AuditEvent).filter_by(record_type="user").order_by(AuditEvent.id.desc()).first()
        assert latest.record_label.startswith("李工") or "li" in latest.record_label
        assert latest.actor_label.endswith("(admin)")
    # a drafter's role may not manage accounts, from the command line as on the web
    with pytest.raises(AccessDenied):
        cli_runner(
            "--as",
            "drafter",
            "user",
            "create",
            "zhao",
            "--name",
            "赵工",
            "--role",
            "drafter",
            "--password-stdin",
            **password,
        )
    unknown = cli_runner("--as", "nobody", "user", "list")
    assert unknown.exit_code != 0 and "nobody" in unknown.output
    empty = cli_runner(
        "--as", "", "user", "create", "qian", "--name", "钱工", "--role", "drafter", "--password-stdin", **password
    )
    assert empty.exit_code != 0 and "--as" in empty.output  # an unset variable must not act as the administrator


def test_demo_accounts_can_sign_in(cli_runner, client):
    cli_runner("demo")
    response = client.post_form("/login", {"username": "secretariat", "password": "workbench-demo"})
    assert response.status_code == 302


def test_user_create_and_list(cli_runner, database):
    cli_runner("demo")
    result = cli_runner(
        "user",
        "create",
        "wang",
        "--name",
        "王工",
        "--role",
        "drafter",
        "--organisation",
        "中国标准化研究院",
        "--group",
        "wg-al",
        "--password-stdin",
        input="a good long password\n",
    )
    assert result.exit_code == 0, result.output
    listed = json.loads(cli_runner("user", "list", "--format", "json").output)
    wang = next(user for user in listed if user["username"] == "wang")
    assert wang["working_groups"] == ["WG-AL"] and wang["organisation"]["name"] == "中国标准化研究院"


def test_db_upgrade_is_idempotent(cli_runner):
    assert cli_runner("db", "upgrade").exit_code == 0
    assert cli_runner("db", "upgrade").exit_code == 0


@pytest.fixture
def cli_env(database_url, tmp_path):
    return {"WORKBENCH_DATABASE_URL": database_url, "WORKBENCH_DATA_DIR": str(tmp_path)}


def _one_line_error(result, code=1):
    assert result.returncode == code, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_errors_are_one_line_and_non_zero(cli_env, app, people):
    assert "No such command" in _one_line_error(run_workbench("frobnicate", env=cli_env), code=2)
    duplicate = run_workbench(
        "user",
        "create",
        "drafter",
        "--name",
        "X",
        "--role",
        "drafter",
        "--password-stdin",
        env=cli_env,
        input="long enough password\n",
    )
    assert "已被使用" in _one_line_error(duplicate)
    weak = run_workbench(
        "user", "create", "newbie", "--name", "X", "--role", "drafter", "--password-stdin", env=cli_env, input="short\n"
    )
    assert "10" in _one_line_error(weak)
    missing_org = run_workbench(
        "user",
        "create",
        "newbie",
        "--name",
        "X",
        "--role",
        "drafter",
        "--organisation",
        "不存在",
        "--password-stdin",
        env=cli_env,
        input="long enough password\n",
    )
    assert "不存在" in _one_line_error(missing_org)


def test_an_unreachable_database_is_one_line(tmp_path):
    result = run_workbench(
        "db",
        "upgrade",
        env={
            "WORKBENCH_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "WORKBENCH_DATA_DIR": str(tmp_path),
        },
    )
    assert "数据库错误" in _one_line_error(result)


def test_serve_refuses_an_old_schema_and_a_busy_port(tmp_path, cli_env):
    fresh = {"WORKBENCH_DATABASE_URL": f"sqlite:///{tmp_path}/fresh.sqlite3", "WORKBENCH_DATA_DIR": str(tmp_path)}
    assert "workbench db upgrade" in _one_line_error(run_workbench("serve", "--port", "5999", env=fresh))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert "--port" in _one_line_error(run_workbench("serve", "--port", str(port), env=cli_env))


def test_demo_accounts_never_enter_a_database_with_real_accounts(cli_env, database):
    with database() as session:
        service.create_user(
            session, username="zhang.san", display_name="张三", password="a long password", role="drafter", by=ADMIN
        )
        session.commit()
    result = run_workbench("demo", env=cli_env)
    assert "不加载带公开密码的演示账号" in _one_line_error(result)
