"""The drafting tables: rules, their revisions, suppressed findings, stage moves and consultation comments."""

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workbench.audit import Archivable, Audited
from workbench.auth.models import User, WorkingGroup
from workbench.db import Versioned, db, enum_type
from workbench.registry.models import Product, Standard


class CommentKind(StrEnum):
    GENERAL = "general"
    TECHNICAL = "technical"
    EDITORIAL = "editorial"


class Disposition(StrEnum):
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    NOT_ACCEPTED = "not_accepted"


COMMENT_KIND_LABELS = {
    CommentKind.GENERAL: _l("一般性"),
    CommentKind.TECHNICAL: _l("技术性"),
    CommentKind.EDITORIAL: _l("编辑性"),
}
DISPOSITION_LABELS = {
    Disposition.ACCEPTED: _l("采纳"),
    Disposition.PARTLY_ACCEPTED: _l("部分采纳"),
    Disposition.NOT_ACCEPTED: _l("未采纳"),
}


class Rule(Versioned, Archivable, db.Model):
    """One product rule being drafted. Its text lives in its revisions; the rule records where it
    stands (stage, registry entry, consultation period)."""

    __tablename__ = "rules"
    __audit_type__ = "rule"
    __audit_type_label__ = _l("规则")
    __audit_endpoint__ = "workflow.rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True, info={"label": _l("规则编号")})
    title: Mapped[str] = mapped_column(String(300), info={"label": _l("名称")})
    template: Mapped[str] = mapped_column(String(60), info={"label": _l("模板")})
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True, info={"label": _l("产品")})
    working_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("working_groups.id"), index=True, info={"label": _l("起草组")}
    )
    standard_id: Mapped[int | None] = mapped_column(
        ForeignKey("standards.id"), index=True, info={"label": _l("标准体系登记")}
    )
    stage: Mapped[str] = mapped_column(String(2), index=True, info={"label": _l("阶段")})
    stage_entered_on: Mapped[date] = mapped_column(info={"label": _l("进入阶段日期")})
    consultation_opened_on: Mapped[date | None] = mapped_column(info={"label": _l("征求意见开始日期")})
    published_on: Mapped[date | None] = mapped_column(info={"label": _l("发布日期")})
    current_revision: Mapped[int] = mapped_column(default=0, info={"audit": "skip"})

    product: Mapped[Product] = relationship(info={"label": _l("产品")})
    working_group: Mapped[WorkingGroup | None] = relationship(info={"label": _l("起草组")})
    standard: Mapped[Standard | None] = relationship(info={"label": _l("标准体系登记")})
    revisions: Mapped[list["RuleRevision"]] = relationship(
        back_populates="rule", order_by="RuleRevision.number", viewonly=True
    )

    def audit_label(self) -> str:
        return f"{self.code} {self.title}"


class RuleRevision(Audited, db.Model):
    """A saved state of the whole rule document. Never changed once written: findings, trials,
    comments and publications point at a revision, so what was true then stays readable. The
    audit trail records that it was written, not the document (the revision is the record)."""

    __tablename__ = "rule_revisions"
    __audit_type__ = "rule_revision"
    __audit_type_label__ = _l("规则修订")
    __audit_endpoint__ = None
    __table_args__ = (UniqueConstraint("rule_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("rules.id"), index=True, info={"label": _l("规则")})
    number: Mapped[int] = mapped_column(info={"label": _l("修订")})
    based_on: Mapped[int | None] = mapped_column(info={"label": _l("基于修订")})  # where the author started
    document: Mapped[dict] = mapped_column(JSON, info={"audit": "skip"})
    # The document's `parameters`, stored beside it when written: what reads only the technical
    # choices of many rules (the coordination report) need not fetch and parse whole documents,
    # ten times larger. A revision never changes, so the copy never drifts. None: written before.
    parameters: Mapped[dict | None] = mapped_column(JSON, info={"audit": "skip"})
    message: Mapped[str] = mapped_column(String(500), default="", info={"label": _l("修改说明")})
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})
    author_label: Mapped[str] = mapped_column(String(200), info={"label": _l("作者")})
    created_at: Mapped[datetime] = mapped_column(info={"audit": "skip"})
    errors: Mapped[int] = mapped_column(default=0, info={"label": _l("错误")})  # unsuppressed, when saved
    warnings: Mapped[int] = mapped_column(default=0, info={"label": _l("警告")})

    rule: Mapped[Rule] = relationship(back_populates="revisions", info={"label": _l("规则")})
    author: Mapped[User | None] = relationship(info={"audit": "skip"})

    def audit_label(self) -> str:
        return f"{self.rule.code} r{self.number}"


class FindingSuppression(Audited, db.Model):
    """A finding the drafting group decided to keep, with the reason; it shows as suppressed."""

    __tablename__ = "finding_suppressions"
    __audit_type__ = "finding_suppression"
    __audit_type_label__ = _l("忽略的检查结果")
    __audit_endpoint__ = None
    __table_args__ = (UniqueConstraint("rule_id", "code", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("rules.id"), index=True, info={"label": _l("规则")})
    code: Mapped[str] = mapped_column(String(80), info={"label": _l("检查项")})
    path: Mapped[str] = mapped_column(String(300), info={"label": _l("位置")})
    message: Mapped[str] = mapped_column(Text, info={"label": _l("检查结果")})  # what was suppressed
    reason: Mapped[str] = mapped_column(Text, info={"label": _l("理由")})
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})
    created_at: Mapped[datetime] = mapped_column(info={"audit": "skip"})

    rule: Mapped[Rule] = relationship(info={"label": _l("规则")})

    def audit_label(self) -> str:
        return f"{self.code} {self.path}"


class StageEvent(db.Model):
    """A move from one stage to another, with who made it and the gates as they stood."""

    __tablename__ = "stage_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("rules.id"), index=True)
    from_stage: Mapped[str] = mapped_column(String(2))
    to_stage: Mapped[str] = mapped_column(String(2))
    revision: Mapped[int]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")
    gates: Mapped[list] = mapped_column(JSON, default=list)


class ConsultationComment(Audited, db.Model):
    """A comment on a consultation draft (征求意见稿) and how the drafting group disposed of it."""

    __tablename__ = "consultation_comments"
    __audit_type__ = "consultation_comment"
    __audit_type_label__ = _l("征求意见反馈")
    __audit_endpoint__ = None

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("rules.id"), index=True, info={"label": _l("规则")})
    revision: Mapped[int] = mapped_column(info={"label": _l("修订")})
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})
    name: Mapped[str] = mapped_column(String(100), info={"label": _l("姓名")})
    organisation: Mapped[str] = mapped_column(String(200), default="", info={"label": _l("所在单位")})
    clause: Mapped[str] = mapped_column(String(100), default="", info={"label": _l("章条")})
    kind: Mapped[CommentKind] = mapped_column(
        enum_type(CommentKind), info={"label": _l("意见类型"), "value_labels": COMMENT_KIND_LABELS}
    )
    comment: Mapped[str] = mapped_column(Text, info={"label": _l("意见")})
    proposed_change: Mapped[str] = mapped_column(Text, default="", info={"label": _l("修改建议")})
    submitted_at: Mapped[datetime] = mapped_column(info={"audit": "skip"})
    source: Mapped[str] = mapped_column(String(64), info={"audit": "skip"})  # hashed address, for rate limits
    disposition: Mapped[Disposition | None] = mapped_column(
        enum_type(Disposition), info={"label": _l("处理意见"), "value_labels": DISPOSITION_LABELS}
    )
    disposition_reason: Mapped[str] = mapped_column(Text, default="", info={"label": _l("理由")})

    rule: Mapped[Rule] = relationship(info={"label": _l("规则")})

    def audit_label(self) -> str:
        return f"{self.rule.code} #{self.id}"


Index("ix_consultation_comments_source_time", ConsultationComment.source, ConsultationComment.submitted_at)
