"""`workbench worker`: runs background jobs from the PostgreSQL queue (WORKBENCH_JOB_QUEUE=procrastinate)."""

import click
from flask import current_app
from flask.cli import with_appcontext

from workbench.db import db
from workbench.jobs.registry import QUEUES


@click.command("worker")
@click.option(
    "--queue",
    "queues",
    multiple=True,
    type=click.Choice(QUEUES),
    help="Only these queues (repeatable) [default: all]. Run the publication queue where the "
    "publication repository is.",
)
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(1, 16), help="Jobs at once.")
@with_appcontext
def worker_command(queues, concurrency):
    """Run background jobs (document layout, publication) until stopped (Ctrl-C, SIGTERM).

    Needs WORKBENCH_JOB_QUEUE=procrastinate and PostgreSQL; any number of workers on any
    machines may share one database. In the default mode the app runs jobs itself."""
    if current_app.config["JOB_QUEUE"] != "procrastinate":
        raise click.ClickException(
            "后台任务由应用自身的线程运行，无需 worker (jobs run in the app's own thread): "
            "设置 WORKBENCH_JOB_QUEUE=procrastinate 并使用 PostgreSQL 后再启动 worker"
        )
    from workbench.jobs import queue, service

    # Jobs a stopped worker left running would otherwise say "running" for ever.
    lost = service.fail_lost(db.session)
    db.session.commit()
    if lost:
        click.echo(f"{lost} 项中断的任务已标记为失败 (interrupted jobs marked failed)")
    db.engine.dispose()
    names = ", ".join(queues or QUEUES)
    click.echo(f"碳足迹标准工作台 worker: 队列 queues {names} (concurrency {concurrency})")
    queue.work(current_app._get_current_object(), list(queues), concurrency)
