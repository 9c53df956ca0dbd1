"""Handing committed jobs to whatever runs them, chosen by WORKBENCH_JOB_QUEUE:

- "thread" (the default): a worker thread of this app process runs them one at a time, so
  `make run` needs no other service. Layout itself happens in a child process (publishing's
  `isolation.py`), so the app's processes do not keep WeasyPrint's memory.
- "procrastinate": the job's id is deferred to procrastinate in the same PostgreSQL database and
  `workbench worker` processes, on any machine, run it (queue.py).
- "eager": run in the committing process before the request answers; for tests that need to
  know a job is done when the response arrives.

Jobs are handed over after the transaction that created them commits (a Session listener), never
before: a worker must find the row, and a rolled-back request must leave no job behind."""

import logging
import time
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from workbench.db import db
from workbench.jobs import service
from workbench.jobs.models import Job

logger = logging.getLogger(__name__)

MODES = ("thread", "procrastinate", "eager")
EXTENSION = "workbench.jobs"


class Runner:
    def __init__(self, app: Flask, mode: str):
        if mode not in MODES:
            raise ValueError(f"WORKBENCH_JOB_QUEUE must be one of {', '.join(MODES)}, not {mode!r}")
        self.app, self.mode = app, mode
        self._executor: ThreadPoolExecutor | None = None
        self._queue = None

    def dispatch(self, jobs: list[tuple[int, str]]) -> None:
        """Hand over committed jobs, each (id, queue)."""
        if self.mode == "eager":
            for job_id, _queue in jobs:
                service.run(self.app, job_id)
        elif self.mode == "thread":
            for job_id, _queue in jobs:
                self.executor().submit(self._run_logged, job_id)
        else:
            from workbench.jobs import queue

            for job_id, queue_name in jobs:
                queue.defer(self.app, job_id, queue_name)

    def executor(self) -> ThreadPoolExecutor:
        """One thread per process, made on first use (after gunicorn has forked); it also picks up
        jobs left queued when an earlier process stopped before running them, and marks failed
        those it left running (service.fail_lost)."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="workbench-job")
            self._executor.submit(self._run_leftovers)
        return self._executor

    def _run_logged(self, job_id: int) -> None:
        try:
            service.run(self.app, job_id)
        except Exception:  # the thread must live on for the next job
            logger.exception("job %s could not be run", job_id)

    def _run_leftovers(self) -> None:
        with self.app.app_context():
            try:
                service.fail_lost(db.session)
                db.session.commit()
                waiting = service.leftovers(db.session)
            finally:
                db.session.remove()
        for job_id in waiting:
            self._run_logged(job_id)

    def wait(self) -> None:
        """Let the thread finish what it has (the tests of the thread mode, and shutdown)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Runner(app, app.config["JOB_QUEUE"])


def runner(app: Flask | None = None) -> Runner:
    return (app or current_app).extensions[EXTENSION]


@event.listens_for(Session, "after_commit")
def _hand_over(session: Session) -> None:
    pending = session.info.pop(service.PENDING, None)
    if pending and has_app_context():
        runner().dispatch(pending)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(service.PENDING, None)


def wait_for(app: Flask, job_id: int, timeout: float, interval: float = 0.5) -> Job | None:
    """The job once it is done or failed, or None after `timeout` seconds (for commands, which
    have no page to poll). In the thread mode this process's own thread runs it."""
    local = runner(app)
    if local.mode == "thread":
        local.wait()
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            job = db.session.get(Job, job_id)
            db.session.expunge_all()
            db.session.remove()
        if job is not None and not job.is_open:
            return job
        if time.monotonic() > deadline:
            return None
        time.sleep(interval)
