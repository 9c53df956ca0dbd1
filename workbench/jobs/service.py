"""Asking for a job, following it, and running it.

`enqueue` adds the job's row to the caller's transaction; the job is handed to the queue only
when that transaction commits (runner.py), so a worker never looks for a row that is not there
and a refused request leaves no job behind. `run` is what every way of running jobs calls: the
app's worker thread, a `workbench worker` process, or the request itself in eager mode (tests)."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from workbench.audit import set_actor
from workbench.auth.models import User, actor_of
from workbench.auth.permissions import Role, can
from workbench.db import db, utcnow
from workbench.errors import Conflict, NotFound, WorkbenchError
from workbench.i18n import translate
from workbench.jobs.models import OPEN, Job, JobStatus
from workbench.jobs.registry import KINDS
from workbench.messages import N_

logger = logging.getLogger(__name__)

PENDING = "workbench.jobs.pending"  # session.info key: (id, queue) to hand over after commit

QUEUED_MESSAGE = N_("已排队，等待处理。")
RUNNING_MESSAGE = N_("正在处理…")
FAILED_MESSAGE = N_("处理失败：发生内部错误，已记录。请稍后重试或联系管理员。")
LOST_MESSAGE = N_("处理中断：运行这项任务的进程已停止，任务没有完成。请重新提交。")


# A job still open this long after it was asked for is taken to be lost (its process ended):
# it no longer counts against the account's limit, and a new request does not wait for it.
STALE_AFTER = timedelta(minutes=15)


def _live():
    return (Job.status.in_(OPEN), Job.created_at > utcnow() - STALE_AFTER)


def open_job(session: Session, kind: str, key: str) -> Job | None:
    """The queued or running job of `kind` that produces `key`, if any."""
    return session.scalar(select(Job).where(Job.key == key, Job.kind == kind, *_live()).order_by(Job.id).limit(1))


def enqueue(
    session: Session,
    kind: str,
    arguments: dict,
    *,
    by,
    subject: str = "",
    key: str | None = None,
    limit: int | None = None,
):
    """The open job that produces `key` if `by` asked for it already (or anyone did, for a kind
    shared with `by`), else a new queued job of `kind`. Returns (job, created). `limit` caps how
    many open jobs of this kind `by` may have; the kind's `too_many` says so when it is reached."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    if limit is not None and not KINDS[kind].too_many:
        raise ValueError(f"job kind {kind!r} has a limit but no sentence to refuse with")
    user_id = getattr(by, "id", None)
    if limit is not None and user_id is not None:
        # Before anything is counted: requests of one account wait for each other here until the
        # first has committed, so two of them cannot both count "2 of 3" (nor both miss the job
        # the other is adding for the same key).
        _lock_account(session, user_id)
    if key is not None:
        running = open_job(session, kind, key)
        if running is not None and (running.requested_by_id == user_id or _shared(running, by)):
            return running, False
    if limit is not None and user_id is not None:
        mine = session.scalar(
            select(func.count()).select_from(Job).where(Job.requested_by_id == user_id, Job.kind == kind, *_live())
        )
        if mine >= limit:
            raise Conflict(_(KINDS[kind].too_many, count=mine, limit=limit))
    job = Job(
        kind=kind,
        subject=subject[:300],
        arguments=arguments,
        key=key,
        status=JobStatus.QUEUED,
        message=QUEUED_MESSAGE,
        requested_by_id=user_id,
        requested_by_label=actor_of(by).label if by is not None else "",
    )
    session.add(job)
    session.flush()
    session.info.setdefault(PENDING, []).append((job.id, KINDS[kind].queue))
    return job, True


def _lock_account(session: Session, user_id: int) -> None:
    """Hold the account's row until this transaction ends. PostgreSQL locks it with FOR UPDATE.
    SQLite ignores FOR UPDATE and only locks for a write, so there a write that changes nothing
    takes its one write lock now: a second request waits (busy_timeout) until the first commits,
    and its count then sees the first one's job."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE users SET id = id WHERE id = :id"), {"id": user_id})
    else:
        session.execute(select(User.id).where(User.id == user_id).with_for_update())


def _shared(job: Job, by) -> bool:
    """Whether `by` may follow `job` without having asked for it (its kind's `shared_with`)."""
    found = KINDS.get(job.kind)
    return found is not None and found.shared_with is not None and can(by, found.shared_with)


def visible(session: Session, job_id: int, by) -> Job:
    """The job, to the account that asked for it, an administrator, or anyone its kind is shared
    with (a document's layout: whoever may read the rule); nobody else learns it exists."""
    job = session.get(Job, job_id)
    if job is None or not (
        getattr(by, "is_authenticated", False)
        and (job.requested_by_id == by.id or getattr(by, "role", None) == Role.ADMINISTRATOR or _shared(job, by))
    ):
        raise NotFound(_("没有这项任务。"))
    return job


def is_lost(job: Job) -> bool:
    """Running since longer than any job takes: the process running it has ended."""
    return job.status == JobStatus.RUNNING and job.started_at is not None and job.started_at < utcnow() - STALE_AFTER


def fail_lost(session: Session) -> int:
    """Mark failed, with a sentence saying so, the jobs left running by a process that ended (a
    worker killed, an app server restarted), so that their pages stop waiting and their owners
    ask again. They are not run again on their own: a job that brought its process down would do
    it again. Returns how many; the caller commits."""
    return session.execute(
        update(Job)
        .where(Job.status == JobStatus.RUNNING, Job.started_at < utcnow() - STALE_AFTER)
        .values(status=JobStatus.FAILED, message=LOST_MESSAGE, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount


def status_of(job: Job) -> dict:
    """A job as /jobs/<id>.json gives it to scripts (and the API's 202 answers), with where to poll it."""
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status.value,
        "progress": job.progress,
        "message": translate(job.message),
        "result_url": request.script_root + job.result_url if job.result_url else None,
        "status_url": url_for("jobs.job_json", job_id=job.id),
    }


def recent(session: Session, by, count: int = 20) -> list[Job]:
    return list(session.scalars(select(Job).where(Job.requested_by_id == by.id).order_by(Job.id.desc()).limit(count)))


@dataclass
class JobContext:
    """What a job function gets besides its arguments: the session, the job and who asked."""

    session: Session
    job: Job
    by: User | None

    def progress(self, percent: int, message: str) -> None:
        """Record how far the job is (a system sentence, N_) and commit it, so the page that polls
        sees it. Call it between steps, before the step writes anything of its own."""
        self.job.progress = max(0, min(99, percent))
        self.job.message = message
        self.session.commit()


def run(app: Flask, job_id: int) -> None:
    """Run the queued job `job_id` once: claim it, call its kind's function as the account that
    asked, and record done or failed. A job another runner claimed already is left alone."""
    with app.app_context():
        session = db.session
        try:
            claimed = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
                .values(status=JobStatus.RUNNING, started_at=utcnow(), message=RUNNING_MESSAGE, progress=0)
            ).rowcount
            session.commit()
            if not claimed:
                return
            job = session.get(Job, job_id)
            by = session.get(User, job.requested_by_id) if job.requested_by_id is not None else None
            if by is not None:
                set_actor(session, actor_of(by))
            try:
                outcome = KINDS[job.kind].function(JobContext(session, job, by), **job.arguments)
                session.commit()
            except Exception as error:  # the job's own changes go; its record says why
                session.rollback()
                job = session.get(Job, job_id)
                job.status = JobStatus.FAILED
                if isinstance(error, WorkbenchError):
                    job.message = str(error.message)
                else:
                    logger.exception("job %s (%s) failed", job_id, job.kind)
                    job.message = FAILED_MESSAGE
                job.finished_at = utcnow()
                session.commit()
                return
            job.status = JobStatus.DONE
            job.progress = 100
            job.result_url = outcome.url
            job.message = outcome.message
            job.finished_at = utcnow()
            session.commit()
        finally:
            db.session.remove()


def leftovers(session: Session) -> list[int]:
    """Queued jobs nobody is running (their process ended before it got to them)."""
    return list(session.scalars(select(Job.id).where(Job.status == JobStatus.QUEUED).order_by(Job.id)))
