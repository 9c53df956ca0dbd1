"""The exchange domain's tables: what leaves the workbench, and what comes in.

- SharedFootprint: a PACT ProductFootprint an enterprise shares with its trading partners, made
  from a calculation of record or a verified declaration; the document is kept as sent.
- PactClient and PactToken: a partner system's OAuth2 client-credentials access to one
  enterprise's shared footprints. Secrets and tokens are stored as their SHA-256 only.
- PactEvent: what a partner sent to the events endpoint (a footprint request, a notification).
- Declaration: an enterprise's declared footprint under a published rule (信息披露), verified by a
  certification body (碳标识), with its performance class (分级管理).
- DeclarationTerms: how long a verified declaration under a rule stays valid (default two years,
  surveillance every year).
- ReferenceValue: an international reference value for a library factor (指引（十八）), with its
  source, entered by the drafting group to compare.
"""

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workbench.audit import Audited
from workbench.auth.models import Organisation, User
from workbench.db import Versioned, db, enum_type
from workbench.drafting.models import Rule, RuleRevision
from workbench.factors.models import Factor
from workbench.trials.models import Calculation

# --- PACT -----------------------------------------------------------------------------------------


class FootprintStatus(StrEnum):
    ACTIVE = "Active"  # PACT's own words: the status field of a ProductFootprint
    DEPRECATED = "Deprecated"


FOOTPRINT_STATUS_LABELS = {FootprintStatus.ACTIVE: _l("有效"), FootprintStatus.DEPRECATED: _l("已停用")}


class SharedFootprint(Audited, db.Model):
    """One ProductFootprint an enterprise shares through the PACT host endpoint."""

    __tablename__ = "shared_footprints"
    __audit_type__ = "shared_footprint"
    __audit_type_label__ = _l("共享的碳足迹")
    __audit_endpoint__ = None

    id: Mapped[int] = mapped_column(primary_key=True)
    pf_id: Mapped[str] = mapped_column(String(36), unique=True, info={"label": _l("PACT 编号")})  # UUID
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True, info={"label": _l("企业")})
    calculation_id: Mapped[int | None] = mapped_column(
        ForeignKey("trial_calculations.id"), index=True, info={"label": _l("计算")}
    )
    declaration_id: Mapped[int | None] = mapped_column(
        ForeignKey("declarations.id"), index=True, info={"label": _l("声明")}
    )
    product_name: Mapped[str] = mapped_column(String(300), info={"label": _l("产品")})
    document: Mapped[dict] = mapped_column(JSON, info={"audit": "skip"})  # the ProductFootprint as sent
    status: Mapped[FootprintStatus] = mapped_column(
        enum_type(FootprintStatus), index=True, info={"label": _l("状态"), "value_labels": FOOTPRINT_STATUS_LABELS}
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})
    created_at: Mapped[datetime] = mapped_column(index=True, info={"audit": "skip"})
    updated_at: Mapped[datetime] = mapped_column(info={"audit": "skip"})

    organisation: Mapped[Organisation] = relationship(info={"label": _l("企业")})
    calculation: Mapped[Calculation | None] = relationship(info={"audit": "skip"})
    declaration: Mapped["Declaration | None"] = relationship(info={"audit": "skip"})

    def audit_label(self) -> str:
        return f"{self.product_name} {self.pf_id}"


class PactClient(Audited, db.Model):
    """A trading partner's system, allowed to pull one enterprise's shared footprints with the
    OAuth2 client-credentials grant. The secret is shown once, when created; only its SHA-256 is
    kept. A revoked client's tokens stop working at once."""

    __tablename__ = "pact_clients"
    __audit_type__ = "pact_client"
    __audit_type_label__ = _l("PACT 客户端")
    __audit_endpoint__ = None

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True, info={"label": _l("企业")})
    name: Mapped[str] = mapped_column(String(200), info={"label": _l("名称")})  # the partner, e.g. its company
    client_id: Mapped[str] = mapped_column(String(64), unique=True, info={"label": _l("客户端编号")})
    secret_digest: Mapped[str] = mapped_column(String(64), info={"audit": "skip"})
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})
    created_at: Mapped[datetime] = mapped_column(info={"audit": "skip"})
    revoked_at: Mapped[datetime | None] = mapped_column(info={"label": _l("撤销时间")})
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})
    last_used_at: Mapped[datetime | None] = mapped_column(info={"audit": "skip"})

    organisation: Mapped[Organisation] = relationship(info={"label": _l("企业")})

    def audit_label(self) -> str:
        return f"{self.name} ({self.client_id})"


class PactToken(db.Model):
    """An access token issued to a PACT client; only its SHA-256 is kept."""

    __tablename__ = "pact_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("pact_clients.id"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(200), default="")
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)

    client: Mapped[PactClient] = relationship()


class PactEventStatus(StrEnum):
    RECEIVED = "received"
    FULFILLED = "fulfilled"  # a request answered with footprints
    REJECTED = "rejected"  # a request the enterprise declined, with a reason


PACT_EVENT_STATUS_LABELS = {
    PactEventStatus.RECEIVED: _l("已收到"),
    PactEventStatus.FULFILLED: _l("已答复"),
    PactEventStatus.REJECTED: _l("已拒绝"),
}


class PactEvent(db.Model):
    """A CloudEvents message a partner sent to the events endpoint: a request for footprints, or
    a notification that footprints changed on the partner's side."""

    __tablename__ = "pact_events"
    # A partner that sends the same event twice (a retry, two workers) gets one row.
    __table_args__ = (UniqueConstraint("client_id", "source", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("pact_clients.id"), index=True)
    event_id: Mapped[str] = mapped_column(String(200))  # the sender's `id`
    type: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(500), default="")
    data: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[PactEventStatus] = mapped_column(enum_type(PactEventStatus))
    answer: Mapped[dict | None] = mapped_column(JSON)  # footprint ids sent, or the reason declined
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]

    client: Mapped[PactClient] = relationship()


# --- declarations and labels ----------------------------------------------------------------------


class DeclarationStatus(StrEnum):
    DRAFT = "draft"  # the enterprise is still writing it
    SUBMITTED = "submitted"  # with the certification body
    VERIFIED = "verified"  # valid until valid_until (expired after: shown, not stored)
    REJECTED = "rejected"  # by the certification body, with reasons; the enterprise may resubmit
    SUSPENDED = "suspended"  # by the certification body (e.g. a missed surveillance); may be reinstated
    WITHDRAWN = "withdrawn"  # by the enterprise or the body; final


DECLARATION_STATUS_LABELS = {
    DeclarationStatus.DRAFT: _l("草稿"),
    DeclarationStatus.SUBMITTED: _l("待核查"),
    DeclarationStatus.VERIFIED: _l("已核查"),
    DeclarationStatus.REJECTED: _l("已退回"),
    DeclarationStatus.SUSPENDED: _l("已暂停"),
    DeclarationStatus.WITHDRAWN: _l("已撤销"),
}


class DeclarationSource(StrEnum):
    CALCULATION = "calculation"  # a calculation of record of the enterprise's own trial
    PACT = "pact"  # an uploaded PACT ProductFootprint


DECLARATION_SOURCE_LABELS = {
    DeclarationSource.CALCULATION: _l("试算结果"),
    DeclarationSource.PACT: _l("PACT 文件"),
}


class Declaration(Versioned, Audited, db.Model):
    """An enterprise's declared product carbon footprint under a published rule."""

    __tablename__ = "declarations"
    __audit_type__ = "declaration"
    __audit_type_label__ = _l("碳足迹声明")
    __audit_endpoint__ = "declarations.declaration"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The address of the public page and of the QR code: random, so ids cannot be walked.
    public_id: Mapped[str] = mapped_column(String(32), unique=True, info={"audit": "skip"})
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True, info={"label": _l("企业")})
    rule_id: Mapped[int] = mapped_column(ForeignKey("rules.id"), index=True, info={"label": _l("规则")})
    revision_id: Mapped[int] = mapped_column(ForeignKey("rule_revisions.id"), info={"label": _l("规则版本")})
    rule_number: Mapped[str] = mapped_column(String(100), info={"label": _l("规则编号")})
    product: Mapped[str] = mapped_column(String(300), info={"label": _l("产品")})
    declared_unit: Mapped[str] = mapped_column(String(100), info={"label": _l("声明单位")})
    value: Mapped[float] = mapped_column(info={"label": _l("碳足迹（kg CO₂e/声明单位）")})
    period_start: Mapped[date] = mapped_column(info={"label": _l("数据期间起")})
    period_end: Mapped[date] = mapped_column(info={"label": _l("数据期间止")})
    # PACT's geography: exactly one of a UN M49 region, an ISO 3166-1 country, an ISO 3166-2 subdivision.
    geography_kind: Mapped[str] = mapped_column(String(20), info={"label": _l("地理范围类型")})
    geography: Mapped[str] = mapped_column(String(20), info={"label": _l("地理范围")})
    performance_class: Mapped[str | None] = mapped_column(String(20), info={"label": _l("等级")})
    source: Mapped[DeclarationSource] = mapped_column(
        enum_type(DeclarationSource), info={"label": _l("依据"), "value_labels": DECLARATION_SOURCE_LABELS}
    )
    calculation_id: Mapped[int | None] = mapped_column(
        ForeignKey("trial_calculations.id"), index=True, info={"label": _l("计算")}
    )
    pact_document: Mapped[dict | None] = mapped_column(JSON, info={"audit": "skip"})  # as uploaded
    status: Mapped[DeclarationStatus] = mapped_column(
        enum_type(DeclarationStatus),
        index=True,
        info={"label": _l("状态"), "value_labels": DECLARATION_STATUS_LABELS},
    )
    certification_body_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), index=True, info={"label": _l("认证机构")}
    )
    submitted_at: Mapped[datetime | None] = mapped_column(info={"label": _l("提交时间")})
    # The certificate, when verified.
    certificate_number: Mapped[str] = mapped_column(String(100), default="", info={"label": _l("证书编号")})
    verified_on: Mapped[date | None] = mapped_column(info={"label": _l("核查日期")})
    verification_scope: Mapped[str] = mapped_column(Text, default="", info={"label": _l("核查范围")})
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})
    valid_until: Mapped[date | None] = mapped_column(index=True, info={"label": _l("有效期至")})
    surveillance_dates: Mapped[list | None] = mapped_column(JSON, info={"label": _l("监督日期")})  # ISO dates
    # Why rejected, suspended or withdrawn: the latest decision's reason, shown on the page.
    status_reason: Mapped[str] = mapped_column(Text, default="", info={"label": _l("理由")})
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})
    created_at: Mapped[datetime] = mapped_column(info={"audit": "skip"})

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id], info={"label": _l("企业")})
    certification_body: Mapped[Organisation | None] = relationship(
        foreign_keys=[certification_body_id], info={"label": _l("认证机构")}
    )
    rule: Mapped[Rule] = relationship(info={"label": _l("规则")})
    revision: Mapped[RuleRevision] = relationship(info={"audit": "skip"})
    calculation: Mapped[Calculation | None] = relationship(info={"audit": "skip"})
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id], info={"audit": "skip"})

    def audit_label(self) -> str:
        return f"{self.product} ({self.rule_number})"


class DeclarationTerms(Audited, db.Model):
    """How long a verified declaration under a rule is valid, and how often it is surveyed."""

    __tablename__ = "declaration_terms"
    __audit_type__ = "declaration_terms"
    __audit_type_label__ = _l("声明有效期")
    __audit_endpoint__ = None

    rule_id: Mapped[int] = mapped_column(ForeignKey("rules.id"), primary_key=True, info={"label": _l("规则")})
    validity_months: Mapped[int] = mapped_column(default=24, info={"label": _l("有效期（月）")})
    surveillance_months: Mapped[int] = mapped_column(default=12, info={"label": _l("监督间隔（月）")})

    rule: Mapped[Rule] = relationship(info={"label": _l("规则")})

    def audit_label(self) -> str:
        return self.rule.code


# --- international comparison ---------------------------------------------------------------------


class ReferenceValue(Audited, db.Model):
    """An international reference value for a library factor (e.g. an EF or ecoinvent value),
    entered with its source to compare with the domestic one (指引（十八）)."""

    __tablename__ = "reference_values"
    __audit_type__ = "reference_value"
    __audit_type_label__ = _l("国际参考值")
    __audit_endpoint__ = None

    id: Mapped[int] = mapped_column(primary_key=True)
    factor_id: Mapped[int] = mapped_column(ForeignKey("factors.id"), index=True, info={"label": _l("因子")})
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("rules.id"), index=True, info={"label": _l("规则")})
    value: Mapped[float] = mapped_column(info={"label": _l("参考值")})
    unit: Mapped[str] = mapped_column(String(60), info={"label": _l("单位")})
    source: Mapped[str] = mapped_column(String(500), info={"label": _l("来源")})
    database: Mapped[str] = mapped_column(String(200), default="", info={"label": _l("数据库及版本")})
    geography: Mapped[str] = mapped_column(String(100), default="", info={"label": _l("地理范围")})
    note: Mapped[str] = mapped_column(Text, default="", info={"label": _l("备注")})
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})
    entered_at: Mapped[datetime] = mapped_column(info={"audit": "skip"})

    factor: Mapped[Factor] = relationship(info={"label": _l("因子")})

    def audit_label(self) -> str:
        return f"{self.factor.code}: {self.source}"
