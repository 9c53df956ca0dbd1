"""The `workbench` command: the root group, the commands of the app itself (serve, db, demo,
user), and each domain's commands gathered from its own cli module. Each sub-command is one
transaction; any error prints one line and exits non-zero. Shared pieces are in
workbench.commands, so nothing imports this module back."""

import sys

import click
from flask import current_app
from flask.cli import AppGroup, ScriptInfo, with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from workbench.auth.permissions import Role
from workbench.catalogue.cli import catalogue
from workbench.commands import META_KEY, OPERATOR_ENV, acting, echo_json, named_account
from workbench.db import db
from workbench.drafting.cli import check
from workbench.drafting.rules_cli import rules
from workbench.errors import AccessDenied, WorkbenchError
from workbench.evaluation.cli import adoption, coordination, evaluation
from workbench.exchange.cli import declarations, jsonld, pact
from workbench.factors.cli import factors_group
from workbench.jobs.cli import worker_command
from workbench.publishing.cli import publish_command, render_command
from workbench.registry.cli import hierarchy, standards
from workbench.trials.cli import calc


@click.group(cls=AppGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cfp-workbench", prog_name="workbench")
@click.option(
    "--as",
    "operator",
    envvar=OPERATOR_ENV,
    metavar="USERNAME",
    help="Act as this account (its role's permissions; the audit trail names it) "
    f"[or {OPERATOR_ENV}; default: the built-in account 'operator'].",
)
@click.pass_context
def cli(ctx, operator):
    """碳足迹标准工作台 CFP Standards Workbench.

    Settings come from WORKBENCH_* environment variables (see README.md).
    """
    ctx.meta[META_KEY] = operator
    if ctx.obj is None:
        from workbench import create_app

        ctx.obj = ScriptInfo(create_app=create_app)
    if operator is not None:  # refuse an unknown or empty --as before any command, reading ones included
        with ctx.obj.load_app().app_context():
            named_account(db.session, operator)


# --- serve ----------------------------------------------------------------------------------------


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=5000,
    show_default=True,
    type=click.IntRange(1, 65535),
    envvar="WORKBENCH_PORT",
    help="Port to listen on (or WORKBENCH_PORT).",
)
@click.option("--workers", type=click.IntRange(1, 64), help="Worker processes [default: 2 × CPUs + 1, at most 8].")
@with_appcontext
def serve(host, port, workers):
    """Serve the workbench with gunicorn (production server, several workers)."""
    from workbench import serve as server

    _require_current_schema()
    db.engine.dispose()  # no pooled connection may be inherited by the forked workers
    if not server.port_is_free(host, port):
        raise click.ClickException(f"端口 {port} 已被占用 (port in use): 用 --port 选择其他端口")
    click.echo(
        f"碳足迹标准工作台 CFP Standards Workbench: http://{host}:{port}/  (登录 sign in: http://{host}:{port}/login)"
    )
    server.run(host, port, workers or server.default_workers())


def _require_current_schema():
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current != set(script.get_heads()):
        raise click.ClickException(
            "数据库结构不是最新版本 (database schema is not current): 先运行 workbench db upgrade"
        )


# --- db -------------------------------------------------------------------------------------------


@cli.group("db")
def db_group():
    """Database schema (Alembic migrations)."""


@db_group.command()
@click.argument("revision", default="head")
@with_appcontext
def upgrade(revision):
    """Create the database or bring it up to REVISION (default: the newest)."""
    import flask_migrate

    flask_migrate.upgrade(revision=revision)
    click.echo("数据库结构已是最新 (database schema is up to date).")
    if current_app.config["JOB_QUEUE"] == "procrastinate":
        from workbench.jobs import queue

        if queue.apply_schema(current_app._get_current_object(), db.engine):
            click.echo("已建立任务队列的表 (procrastinate's job queue tables created).")


# --- demo -----------------------------------------------------------------------------------------


@cli.command()
@with_appcontext
def demo():
    """Load the demo: organisations, working groups, accounts, registry, rules at every stage from
    10 to 60 (one published), trials, evaluation and exchange data (idempotent)."""
    from workbench import demo as demo_data

    by = acting()
    trials_before = demo_data.trial_count(db.session)
    accounts = demo_data.load(db.session, by)
    products, standards, projects = demo_data.load_registry(db.session, by)
    rules = demo_data.load_rules(db.session, by)
    factors = demo_data.load_factors(db.session, by)
    demo_data.load_trials(db.session, by)  # the cement plants' (the staged rules' come with them)
    staged = demo_data.load_stages(db.session, by)  # the rules at 10, 40, 50 and 60
    evaluation = demo_data.load_evaluation(db.session, by)
    db.session.commit()
    published = demo_data.publish_drafts(db.session, by, current_app.config["PUBLICATION_REPOSITORY"])
    db.session.commit()
    exchange = demo_data.load_exchange(db.session, by)  # declares under the rule just published
    db.session.commit()
    trials = demo_data.trial_count(db.session) - trials_before
    click.echo(f"标准体系 registry: 新建产品 {products} 项、标准 {standards} 项、演示项目 {projects} 项 (created now)")
    click.echo(
        f"规则起草 drafting: 新建演示规则 {rules + staged} 项 (created now)；"
        "演示在立项至出版各阶段各有一项规则 (the demo holds a rule at each stage, 10 立项 to 60 出版)"
    )
    click.echo(f"因子库 factors: 新建参考因子 {factors} 个 (created now)")
    click.echo(f"试算 trials: 新建演示试算 {trials} 份 (created now)")
    click.echo(
        f"评估与采信 evaluation: 新建实施反馈 {evaluation.feedback} 条、评估 {evaluation.evaluations} 项、"
        f"演示因子 {evaluation.factors} 个、采信申请 {evaluation.applications} 项 (created now)"
    )
    click.echo(
        f"发布 publishing: 新发布 {published} 项到 {current_app.config['PUBLICATION_REPOSITORY']} "
        "(published now; http://…/published/)"
    )
    click.echo(
        f"数据交换 exchange: 新共享碳足迹 {exchange.footprints} 项、核查通过的声明 {exchange.declarations} 项、"
        f"供应商碳足迹因子 {exchange.factors} 个、国际参考值 {exchange.references} 个 (created now)"
    )
    click.echo(f"演示账号 demo accounts (密码 password: {demo_data.DEMO_PASSWORD}):")
    for account, created in accounts:
        note = "新建 created" if created else "已存在 exists"
        click.echo(f"  {account.username:<12} {account.role.value:<14} {account.display_name}  [{note}]")


# --- users ----------------------------------------------------------------------------------------


@cli.group()
def user():
    """User accounts."""


@user.command("create")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="Display name (姓名).")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--email", help="E-mail address.")
@click.option("--organisation", help="Name of an existing organisation.")
@click.option("--group", "groups", multiple=True, help="Code of a working group (repeatable).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of prompting.")
@with_appcontext
def create_user(username, display_name, role, email, organisation, groups, password_stdin):
    """Create the account USERNAME."""
    from workbench.auth import service
    from workbench.auth.models import Organisation, WorkingGroup

    session = db.session
    by = acting(session)
    org = None
    if organisation:
        org = session.scalar(select(Organisation).where(Organisation.name == organisation))
        if org is None:
            raise click.ClickException(f"没有名为“{organisation}”的组织 (no such organisation)")
    working_groups = []
    for code in groups:
        group = session.scalar(select(WorkingGroup).where(WorkingGroup.code == code.upper()))
        if group is None:
            raise click.ClickException(f"没有代号为“{code}”的工作组 (no such working group)")
        working_groups.append(group)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("密码 password", hide_input=True, confirmation_prompt=True)
    created = service.create_user(
        session,
        by=by,
        username=username,
        display_name=display_name,
        password=password,
        role=role,
        email=email,
        organisation=org,
        working_groups=working_groups,
    )
    db.session.commit()
    click.echo(f"已创建账号 created: {created.username} ({created.role.value})")


@user.command("list")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True)
@with_appcontext
def list_users(output):
    """List accounts."""
    from workbench.auth.models import User
    from workbench.auth.shapes import user_json

    users = db.session.scalars(select(User).order_by(User.username)).all()
    if output == "json":
        echo_json([user_json(account) for account in users])
        return
    for account in users:
        state = "" if account.active else "  (停用 inactive)"
        click.echo(f"{account.username:<20} {account.role.value:<14} {account.display_name}{state}")


cli.add_command(standards)
cli.add_command(hierarchy)
cli.add_command(rules)
cli.add_command(check)
cli.add_command(calc)
cli.add_command(factors_group)
cli.add_command(render_command)
cli.add_command(publish_command)
cli.add_command(worker_command)
cli.add_command(pact)
cli.add_command(declarations)
cli.add_command(jsonld)
cli.add_command(catalogue)
cli.add_command(evaluation)
cli.add_command(coordination)
cli.add_command(adoption)


# --- entry point ----------------------------------------------------------------------------------


def main(argv=None) -> None:
    """Run the CLI; every failure becomes one line on standard error and a non-zero exit."""
    try:
        exit_code = cli.main(args=argv, prog_name="workbench", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.Abort:
        _fail("已取消 (aborted)")
    except click.ClickException as error:
        _fail(error.format_message(), error.exit_code)
    except WorkbenchError as error:
        _fail(str(error.message))
    except AccessDenied as error:
        _fail(f"该账号的角色不能执行此操作 (the acting account's role may not do this: {error.action})")
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        _fail(f"数据库错误 (database error): {str(cause).strip().splitlines()[0]}")
    except Exception as error:  # anything else still gets one line, not a traceback
        _fail(f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}")
    sys.exit(exit_code if isinstance(exit_code, int) else 0)


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"错误 error: {message}", err=True)
    sys.exit(code)
