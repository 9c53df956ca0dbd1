"""The record of every publication: which revision went out at which stage, as which commit and
tag of the publication repository, and who sent it. The repository holds the files and their
history; this table lets the workspace answer "is this revision published?" without git."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workbench.audit import Audited
from workbench.db import db, utcnow
from workbench.drafting.models import Rule, RuleRevision


class Publication(Audited, db.Model):
    __tablename__ = "publications"
    __audit_type__ = "publication"
    __audit_type_label__ = _l("发布")
    __audit_endpoint__ = None
    # One publication per revision and stage: publishing it again changes nothing.
    __table_args__ = (UniqueConstraint("revision_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("rules.id"), index=True, info={"label": _l("规则")})
    revision_id: Mapped[int] = mapped_column(ForeignKey("rule_revisions.id"), info={"label": _l("修订")})
    stage: Mapped[str] = mapped_column(String(2), info={"label": _l("阶段")})
    slug: Mapped[str] = mapped_column(String(80), index=True, info={"label": _l("目录")})
    tag: Mapped[str] = mapped_column(String(120), info={"label": _l("标签")})
    commit: Mapped[str] = mapped_column(String(40), info={"label": _l("提交")})
    checksum: Mapped[str] = mapped_column(String(80), info={"audit": "skip"})
    message: Mapped[str] = mapped_column(Text, default="", info={"label": _l("说明")})
    publisher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})
    publisher_label: Mapped[str] = mapped_column(String(200), info={"label": _l("发布人")})
    published_at: Mapped[datetime] = mapped_column(info={"audit": "skip"})

    rule: Mapped[Rule] = relationship(info={"label": _l("规则")})
    revision: Mapped[RuleRevision] = relationship(info={"audit": "skip"})

    def audit_label(self) -> str:
        return f"{self.rule.code} {self.tag}"


class StoredDocument(db.Model):
    """A laid-out document (a revision's PDF or Word file), kept once under the checksum of what
    determines it (service.document_key): the rule text, the cover facts, the format and the
    renderer's version. In the database, so that every app server and worker sees it without a
    shared disk; a second request for the same document is served from here, with no layout."""

    __tablename__ = "documents"

    checksum: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # pdf, docx
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
