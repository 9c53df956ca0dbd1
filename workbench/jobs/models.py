"""The user-visible record of a background job: what was asked, by whom, and how far it got.

The queue itself (procrastinate's tables, or a thread's work list) only carries the job's id;
this table is what the pages show and what every app server and worker agrees on."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workbench.db import db, enum_type, utcnow


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


OPEN = (JobStatus.QUEUED, JobStatus.RUNNING)


class Job(db.Model):
    __tablename__ = "jobs"
    # The per-user limit counts a user's open jobs of one kind; the dedupe looks a key up.
    __table_args__ = (Index("ix_jobs_requested_by_id_status", "requested_by_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    # What it works on, as its owner recognises it in a list ("CFP-R-0001-r3.pdf"); no language.
    subject: Mapped[str] = mapped_column(String(300), default="")
    arguments: Mapped[dict] = mapped_column(JSON, default=dict)
    # What the job produces (a document's checksum): a second request for it joins this job.
    key: Mapped[str | None] = mapped_column(String(120), index=True)
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus), default=JobStatus.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)  # percent
    message: Mapped[str] = mapped_column(Text, default="")  # a system sentence (N_) or an error
    result_url: Mapped[str] = mapped_column(String(500), default="")  # where the result is, once done
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_by_label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN
