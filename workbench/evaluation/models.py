"""The evaluation domain's tables (指引（十二）、（十三）、（十五）; 《标准化法》第二十九条).

- Feedback: 标准实施信息反馈 on a published standard, from anyone, answered by whoever answers
  for the standard (its working group, the association that issued it, or the secretariat).
- EvaluationPlan: the secretariat schedules an evaluation of a standard by an organisation
  (a TC, an association, a research institute) to be finished by a date.
- Evaluation and its scores: the record the evaluating organisation's members keep, ending in a
  conclusion (继续有效, 提升, 修订, 整合, 废止) that creates its follow-up.
- Withdrawal: the proposal to withdraw (废止) a standard that an evaluation concluded, decided
  by SAMR/MEE.
- CoordinationReason: the secretariat's stated reason why two rules differ on purpose (the
  coordination report no longer reports that difference).
- AdoptionApplication and its attachments, panel and scores: 采信 of a group standard as a
  recommended national standard.
"""

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workbench.audit import Audited
from workbench.auth.models import Organisation, User, WorkingGroup
from workbench.db import Versioned, db, enum_type
from workbench.drafting.models import Rule
from workbench.registry.models import Standard

# --- implementation feedback ------------------------------------------------------------------


class FeedbackKind(StrEnum):
    UNCLEAR = "unclear"  # 表述不清
    INFEASIBLE = "infeasible"  # 难以实施
    CONFLICT = "conflict"  # 与其他标准矛盾
    DATA_UNAVAILABLE = "data_unavailable"  # 数据无法获得
    OTHER = "other"


class FeedbackStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


FEEDBACK_KIND_LABELS = {
    FeedbackKind.UNCLEAR: _l("表述不清"),
    FeedbackKind.INFEASIBLE: _l("难以实施"),
    FeedbackKind.CONFLICT: _l("与其他标准矛盾"),
    FeedbackKind.DATA_UNAVAILABLE: _l("数据无法获得"),
    FeedbackKind.OTHER: _l("其他"),
}
FEEDBACK_STATUS_LABELS = {FeedbackStatus.OPEN: _l("待答复"), FeedbackStatus.ANSWERED: _l("已答复")}


class Feedback(Audited, db.Model):
    """One report on how a published standard works in practice."""

    __tablename__ = "feedback"
    __audit_type__ = "feedback"
    __audit_type_label__ = _l("实施信息反馈")
    __audit_endpoint__ = None

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id"), index=True, info={"label": _l("标准")})
    clause: Mapped[str] = mapped_column(String(100), default="", info={"label": _l("章条")})
    kind: Mapped[FeedbackKind] = mapped_column(
        enum_type(FeedbackKind), info={"label": _l("类型"), "value_labels": FEEDBACK_KIND_LABELS}
    )
    text: Mapped[str] = mapped_column(Text, info={"label": _l("反馈内容")})
    # Optional, and read only by those who answer: never shown to the public.
    contact: Mapped[str] = mapped_column(String(200), default="", info={"label": _l("联系方式"), "audit": "redact"})
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})
    submitted_at: Mapped[datetime] = mapped_column(index=True, info={"audit": "skip"})
    source: Mapped[str] = mapped_column(String(64), info={"audit": "skip"})  # hashed address, for rate limits
    # Who answers, fixed when the feedback arrives: the working group of the standard's rule.
    working_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("working_groups.id"), index=True, info={"label": _l("起草组")}
    )
    status: Mapped[FeedbackStatus] = mapped_column(
        enum_type(FeedbackStatus),
        default=FeedbackStatus.OPEN,
        index=True,
        info={"label": _l("状态"), "value_labels": FEEDBACK_STATUS_LABELS},
    )
    answer: Mapped[str] = mapped_column(Text, default="", info={"label": _l("答复")})
    answered_at: Mapped[datetime | None] = mapped_column(info={"label": _l("答复时间")})
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})

    standard: Mapped[Standard] = relationship(info={"label": _l("标准")})
    working_group: Mapped[WorkingGroup | None] = relationship(info={"label": _l("起草组")})
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id], info={"audit": "skip"})

    def audit_label(self) -> str:
        return f"{self.standard.designation} #{self.id}"


# --- evaluation plans and records -------------------------------------------------------------


class PlanStatus(StrEnum):
    PLANNED = "planned"
    DONE = "done"  # its evaluation is concluded
    CANCELLED = "cancelled"


PLAN_STATUS_LABELS = {
    PlanStatus.PLANNED: _l("计划中"),
    PlanStatus.DONE: _l("已完成"),
    PlanStatus.CANCELLED: _l("已取消"),
}


class EvaluationPlan(Versioned, Audited, db.Model):
    """评估计划: the secretariat asks an organisation to evaluate a standard by a date."""

    __tablename__ = "evaluation_plans"
    __audit_type__ = "evaluation_plan"
    __audit_type_label__ = _l("评估计划")
    __audit_endpoint__ = None

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id"), index=True, info={"label": _l("标准")})
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id"), index=True, info={"label": _l("评估机构")}
    )
    due_on: Mapped[date] = mapped_column(index=True, info={"label": _l("完成期限")})
    note: Mapped[str] = mapped_column(Text, default="", info={"label": _l("说明")})
    status: Mapped[PlanStatus] = mapped_column(
        enum_type(PlanStatus),
        default=PlanStatus.PLANNED,
        index=True,
        info={"label": _l("状态"), "value_labels": PLAN_STATUS_LABELS},
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})

    standard: Mapped[Standard] = relationship(info={"label": _l("标准")})
    organisation: Mapped[Organisation] = relationship(info={"label": _l("评估机构")})

    def audit_label(self) -> str:
        return f"{self.standard.designation} · {self.organisation.name}"


class EvaluationStatus(StrEnum):
    DRAFT = "draft"  # being scored
    CONCLUDED = "concluded"  # conclusion recorded, follow-up created; never changes again


class Conclusion(StrEnum):
    """《标准化法》第二十九条 and 指引（十二）."""

    CONTINUE = "continue"  # 继续有效
    IMPROVE = "improve"  # 提升
    REVISE = "revise"  # 修订
    INTEGRATE = "integrate"  # 整合
    WITHDRAW = "withdraw"  # 废止


EVALUATION_STATUS_LABELS = {EvaluationStatus.DRAFT: _l("评估中"), EvaluationStatus.CONCLUDED: _l("已得出结论")}
# their own context: 修订 and 废止 are also a stage and a status, read differently in English
CONCLUSION_LABELS = {
    Conclusion.CONTINUE: lazy_pgettext("conclusion", "继续有效"),
    Conclusion.IMPROVE: lazy_pgettext("conclusion", "提升"),
    Conclusion.REVISE: lazy_pgettext("conclusion", "修订"),
    Conclusion.INTEGRATE: lazy_pgettext("conclusion", "整合"),
    Conclusion.WITHDRAW: lazy_pgettext("conclusion", "废止"),
}

evaluation_merges = Table(
    "evaluation_merges",
    db.metadata,
    Column("evaluation_id", ForeignKey("evaluations.id"), primary_key=True),
    Column("standard_id", ForeignKey("standards.id"), primary_key=True, index=True),
)


class Evaluation(Versioned, Audited, db.Model):
    """后评估 / 复审 of one standard by one organisation."""

    __tablename__ = "evaluations"
    __audit_type__ = "evaluation"
    __audit_type_label__ = _l("标准评估")
    __audit_endpoint__ = "evaluation.evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id"), index=True, info={"label": _l("标准")})
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("evaluation_plans.id"), index=True, info={"label": _l("评估计划")}
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id"), index=True, info={"label": _l("评估机构")}
    )
    status: Mapped[EvaluationStatus] = mapped_column(
        enum_type(EvaluationStatus),
        default=EvaluationStatus.DRAFT,
        index=True,
        info={"label": _l("状态"), "value_labels": EVALUATION_STATUS_LABELS},
    )
    started_on: Mapped[date] = mapped_column(info={"label": _l("开始日期")})
    conclusion: Mapped[Conclusion | None] = mapped_column(
        enum_type(Conclusion), info={"label": _l("结论"), "value_labels": CONCLUSION_LABELS}
    )
    summary: Mapped[str] = mapped_column(Text, default="", info={"label": _l("评估意见")})
    concluded_on: Mapped[date | None] = mapped_column(index=True, info={"label": _l("结论日期")})
    concluded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})
    # The facts as they stood when the conclusion was reached (facts.py), kept with it.
    facts: Mapped[dict | None] = mapped_column(JSON, info={"audit": "skip"})
    # The follow-up the conclusion created: a revision or integration project in the registry.
    follow_up_id: Mapped[int | None] = mapped_column(ForeignKey("standards.id"), info={"label": _l("后续项目")})
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})

    standard: Mapped[Standard] = relationship(foreign_keys=[standard_id], info={"label": _l("标准")})
    plan: Mapped[EvaluationPlan | None] = relationship(info={"label": _l("评估计划")})
    organisation: Mapped[Organisation] = relationship(info={"label": _l("评估机构")})
    follow_up: Mapped[Standard | None] = relationship(foreign_keys=[follow_up_id], info={"label": _l("后续项目")})
    merges: Mapped[list[Standard]] = relationship(
        secondary=evaluation_merges, order_by="Standard.id", info={"label": _l("整合的标准")}
    )
    scores: Mapped[list["EvaluationScore"]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="EvaluationScore.id"
    )

    @property
    def is_concluded(self) -> bool:
        return self.status == EvaluationStatus.CONCLUDED

    def audit_label(self) -> str:
        return f"{self.standard.designation} · {self.organisation.name}"


class EvaluationScore(Audited, db.Model):
    """One dimension of an evaluation (dimensions.py names them and their scales)."""

    __tablename__ = "evaluation_scores"
    __audit_type__ = "evaluation_score"
    __audit_type_label__ = _l("评估指标")
    __audit_endpoint__ = None
    __table_args__ = (UniqueConstraint("evaluation_id", "dimension", name="uq_evaluation_scores_dimension"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), index=True, info={"label": _l("评估")})
    dimension: Mapped[str] = mapped_column(String(40), info={"label": _l("指标")})
    value: Mapped[str] = mapped_column(String(40), info={"label": _l("评价")})
    evidence: Mapped[str] = mapped_column(Text, default="", info={"label": _l("依据")})
    remarks: Mapped[str] = mapped_column(Text, default="", info={"label": _l("备注")})
    scored_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})
    scored_by_label: Mapped[str] = mapped_column(String(200), default="", info={"label": _l("评价人")})

    evaluation: Mapped[Evaluation] = relationship(back_populates="scores", info={"label": _l("评估")})

    def audit_label(self) -> str:
        return f"{self.evaluation.audit_label()} · {self.dimension}"


class WithdrawalStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"  # the standard is withdrawn (stage 95)
    REJECTED = "rejected"


WITHDRAWAL_STATUS_LABELS = {
    WithdrawalStatus.PROPOSED: _l("待决定"),
    WithdrawalStatus.APPROVED: _l("已批准废止"),
    WithdrawalStatus.REJECTED: _l("不予废止"),
}


class Withdrawal(Versioned, Audited, db.Model):
    """废止建议: an evaluation concluded that the standard should be withdrawn; SAMR/MEE decide."""

    __tablename__ = "withdrawals"
    __audit_type__ = "withdrawal"
    __audit_type_label__ = _l("废止建议")
    __audit_endpoint__ = None

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id"), index=True, info={"label": _l("标准")})
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), unique=True, info={"label": _l("评估")})
    status: Mapped[WithdrawalStatus] = mapped_column(
        enum_type(WithdrawalStatus),
        default=WithdrawalStatus.PROPOSED,
        index=True,
        info={"label": _l("状态"), "value_labels": WITHDRAWAL_STATUS_LABELS},
    )
    reason: Mapped[str] = mapped_column(Text, default="", info={"label": _l("理由")})
    decided_on: Mapped[date | None] = mapped_column(info={"label": _l("决定日期")})
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})
    decision_reason: Mapped[str] = mapped_column(Text, default="", info={"label": _l("决定理由")})

    standard: Mapped[Standard] = relationship(info={"label": _l("标准")})
    evaluation: Mapped[Evaluation] = relationship(info={"label": _l("评估")})

    def audit_label(self) -> str:
        return self.standard.designation


# --- coordination (指引（十三）: 规范性和协调性) -----------------------------------------------


class CoordinationReason(Audited, db.Model):
    """The secretariat's reason why two rules differ on one technical choice on purpose."""

    __tablename__ = "coordination_reasons"
    __audit_type__ = "coordination_reason"
    __audit_type_label__ = _l("协调差异说明")
    __audit_endpoint__ = None
    __table_args__ = (UniqueConstraint("rule_id", "other_rule_id", "choice", name="uq_coordination_reasons_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The pair is stored with rule_id < other_rule_id, so one reason covers both directions.
    rule_id: Mapped[int] = mapped_column(ForeignKey("rules.id"), index=True, info={"label": _l("规则")})
    other_rule_id: Mapped[int] = mapped_column(ForeignKey("rules.id"), index=True, info={"label": _l("对照规则")})
    choice: Mapped[str] = mapped_column(String(40), info={"label": _l("技术选择")})
    reason: Mapped[str] = mapped_column(Text, info={"label": _l("理由")})
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})
    created_at: Mapped[datetime] = mapped_column(info={"audit": "skip"})

    rule: Mapped[Rule] = relationship(foreign_keys=[rule_id], info={"label": _l("规则")})
    other_rule: Mapped[Rule] = relationship(foreign_keys=[other_rule_id], info={"label": _l("对照规则")})

    def audit_label(self) -> str:
        return f"{self.rule.code} · {self.other_rule.code} · {self.choice}"


# --- adoption of group standards (采信, 指引（十五）) -------------------------------------------


class ApplicationStatus(StrEnum):
    DRAFT = "draft"  # the association prepares it: fields and attachments, eligibility shown
    SUBMITTED = "submitted"  # eligible and submitted: the secretariat forms a panel, the panel scores
    ADOPTED = "adopted"  # SAMR adopted it: a national project exists
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # by the applicant


APPLICATION_STATUS_LABELS = {
    ApplicationStatus.DRAFT: _l("草稿"),
    ApplicationStatus.SUBMITTED: _l("评审中"),
    ApplicationStatus.ADOPTED: _l("已采信"),
    ApplicationStatus.DECLINED: _l("不予采信"),
    ApplicationStatus.WITHDRAWN: _l("已撤回"),
}


class AdoptionApplication(Versioned, Audited, db.Model):
    """采信建议书: an association asks for one of its group standards to become a recommended
    national standard."""

    __tablename__ = "adoption_applications"
    __audit_type__ = "adoption_application"
    __audit_type_label__ = _l("采信申请")
    __audit_endpoint__ = "adoption.application"

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id"), index=True, info={"label": _l("团体标准")})
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id"), index=True, info={"label": _l("申请单位")}
    )
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_type(ApplicationStatus),
        default=ApplicationStatus.DRAFT,
        index=True,
        info={"label": _l("状态"), "value_labels": APPLICATION_STATUS_LABELS},
    )
    necessity: Mapped[str] = mapped_column(Text, default="", info={"label": _l("必要性和可行性")})
    main_content: Mapped[str] = mapped_column(Text, default="", info={"label": _l("主要技术内容")})
    expected_uptake: Mapped[str] = mapped_column(Text, default="", info={"label": _l("预期应用和效益")})
    proposed_committee: Mapped[str] = mapped_column(String(200), default="", info={"label": _l("建议归口技术委员会")})
    # The units that drafted the group standard, one per line: their members may not sit on the panel.
    drafting_units: Mapped[str] = mapped_column(Text, default="", info={"label": _l("起草单位")})
    submitted_on: Mapped[date | None] = mapped_column(info={"label": _l("提交日期")})
    # The eligibility findings as they stood at submission (Finding.to_dict()).
    eligibility: Mapped[list | None] = mapped_column(JSON, info={"audit": "skip"})
    decided_on: Mapped[date | None] = mapped_column(info={"label": _l("决定日期")})
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})
    decision_reason: Mapped[str] = mapped_column(Text, default="", info={"label": _l("决定理由")})
    # On adoption: the national project made from it, and its 报批 target (12 months).
    national_id: Mapped[int | None] = mapped_column(ForeignKey("standards.id"), info={"label": _l("国家标准项目")})
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("rules.id"), info={"label": _l("规则")})
    due_on: Mapped[date | None] = mapped_column(info={"label": _l("报批期限")})
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})

    standard: Mapped[Standard] = relationship(foreign_keys=[standard_id], info={"label": _l("团体标准")})
    organisation: Mapped[Organisation] = relationship(info={"label": _l("申请单位")})
    national: Mapped[Standard | None] = relationship(foreign_keys=[national_id], info={"label": _l("国家标准项目")})
    rule: Mapped[Rule | None] = relationship(info={"label": _l("规则")})
    attachments: Mapped[list["AdoptionAttachment"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="AdoptionAttachment.id"
    )
    panel: Mapped[list["PanelMember"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="PanelMember.id"
    )
    scores: Mapped[list["AdoptionScore"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="AdoptionScore.id"
    )

    @property
    def panel_user_ids(self) -> set[int]:
        """The panel members who score (recused ones do not)."""
        return {member.user_id for member in self.panel if member.status == PanelStatus.MEMBER}

    def audit_label(self) -> str:
        return f"{self.standard.designation} · {self.organisation.name}"


class AttachmentKind(StrEnum):
    COPYRIGHT = "copyright"  # 版权声明
    PATENT = "patent"  # 专利声明
    REGISTRATION = "registration"  # 社会团体登记证明
    GOOD_PRACTICE = "good_practice"  # GB/T 20004 良好行为评价证明
    STANDARD_TEXT = "standard_text"  # 团体标准文本
    EXPLANATION = "explanation"  # 编制说明
    IMPLEMENTATION = "implementation"  # 实施情况证明
    OTHER = "other"


ATTACHMENT_KIND_LABELS = {
    AttachmentKind.COPYRIGHT: _l("版权声明"),
    AttachmentKind.PATENT: _l("专利声明"),
    AttachmentKind.REGISTRATION: _l("社会团体登记证明"),
    AttachmentKind.GOOD_PRACTICE: _l("良好行为评价证明（GB/T 20004）"),
    AttachmentKind.STANDARD_TEXT: _l("团体标准文本"),
    AttachmentKind.EXPLANATION: _l("编制说明"),
    AttachmentKind.IMPLEMENTATION: _l("实施情况证明"),
    AttachmentKind.OTHER: _l("其他材料"),
}


class AdoptionAttachment(Audited, db.Model):
    """A file attached to an application, stored outside the web root under `stored_name`."""

    __tablename__ = "adoption_attachments"
    __audit_type__ = "adoption_attachment"
    __audit_type_label__ = _l("采信申请附件")
    __audit_endpoint__ = None

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("adoption_applications.id"), index=True, info={"label": _l("采信申请")}
    )
    kind: Mapped[AttachmentKind] = mapped_column(
        enum_type(AttachmentKind), info={"label": _l("材料"), "value_labels": ATTACHMENT_KIND_LABELS}
    )
    filename: Mapped[str] = mapped_column(String(200), info={"label": _l("文件名")})
    content_type: Mapped[str] = mapped_column(String(100), info={"audit": "skip"})
    size: Mapped[int] = mapped_column(info={"label": _l("大小")})
    sha256: Mapped[str] = mapped_column(String(64), info={"audit": "skip"})
    stored_name: Mapped[str] = mapped_column(String(100), unique=True, info={"audit": "skip"})
    uploaded_at: Mapped[datetime] = mapped_column(info={"audit": "skip"})
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})

    application: Mapped[AdoptionApplication] = relationship(
        back_populates="attachments", info={"label": _l("采信申请")}
    )

    def audit_label(self) -> str:
        return f"{self.application.audit_label()} · {self.filename}"


class PanelStatus(StrEnum):
    MEMBER = "member"
    RECUSED = "recused"  # proposed but refused: from the applicant or one of its drafting units


PANEL_STATUS_LABELS = {PanelStatus.MEMBER: _l("评审专家"), PanelStatus.RECUSED: _l("回避")}


class PanelMember(Audited, db.Model):
    __tablename__ = "adoption_panel"
    __audit_type__ = "panel_member"
    __audit_type_label__ = _l("采信评审专家")
    __audit_endpoint__ = None
    __table_args__ = (UniqueConstraint("application_id", "user_id", name="uq_adoption_panel_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("adoption_applications.id"), index=True, info={"label": _l("采信申请")}
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True, info={"label": _l("评审专家")})
    status: Mapped[PanelStatus] = mapped_column(
        enum_type(PanelStatus),
        default=PanelStatus.MEMBER,
        info={"label": _l("状态"), "value_labels": PANEL_STATUS_LABELS},
    )
    recusal_reason: Mapped[str] = mapped_column(Text, default="", info={"label": _l("回避理由")})
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})

    application: Mapped[AdoptionApplication] = relationship(back_populates="panel", info={"label": _l("采信申请")})
    user: Mapped[User] = relationship(foreign_keys=[user_id], info={"label": _l("评审专家")})

    def audit_label(self) -> str:
        return f"{self.application.audit_label()} · {self.user.display_name}"


class AdoptionScore(Audited, db.Model):
    """One panel member's score on one of the four dimensions of 指引（十五）."""

    __tablename__ = "adoption_scores"
    __audit_type__ = "adoption_score"
    __audit_type_label__ = _l("采信评分")
    __audit_endpoint__ = None
    __table_args__ = (UniqueConstraint("application_id", "user_id", "dimension", name="uq_adoption_scores_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("adoption_applications.id"), index=True, info={"label": _l("采信申请")}
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True, info={"label": _l("评审专家")})
    dimension: Mapped[str] = mapped_column(String(40), info={"label": _l("维度")})
    score: Mapped[int] = mapped_column(info={"label": _l("分数")})
    remarks: Mapped[str] = mapped_column(Text, default="", info={"label": _l("意见")})

    application: Mapped[AdoptionApplication] = relationship(back_populates="scores", info={"label": _l("采信申请")})
    user: Mapped[User] = relationship(info={"label": _l("评审专家")})

    def audit_label(self) -> str:
        return f"{self.application.audit_label()} · {self.user.display_name} · {self.dimension}"
