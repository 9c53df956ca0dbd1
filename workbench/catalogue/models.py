"""The catalogue's tables: list batches and their items, calls for proposals, proposals and the
secretariat's comments on them.

Two kinds of list share one shape (指引（七）、（十）): the priority product list
(重点产品碳足迹核算标准清单), whose items are products, and the recommended group-standard list
(团体标准推荐清单), whose items are registered group standards. A batch is drafted, then published;
a published batch never changes. A correction is a new batch that names the batch it corrects and,
item by item, what it adds, changes or removes.
"""

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workbench.audit import Audited
from workbench.auth.models import Organisation, User, WorkingGroup
from workbench.db import Versioned, db, enum_type
from workbench.registry.models import (
    LEVEL_LABELS,
    PRIORITY_LABELS,
    SIDE_LABELS,
    PriorityCategory,
    Product,
    Side,
    Standard,
)
from workbench.registry.numbers import Level


class ListKind(StrEnum):
    PRIORITY = "priority"  # 重点产品碳足迹核算标准清单: items are products
    GROUP_RECOMMENDED = "group_recommended"  # 团体标准推荐清单: items are group standards


class BatchStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"  # immutable from here on


class ItemChange(StrEnum):
    """What an item of a correcting batch does to the list as it stood."""

    ADD = "add"
    CHANGE = "change"  # replaces the earlier item for the same product or standard
    REMOVE = "remove"  # takes the product or standard off the list


class ProposalStatus(StrEnum):
    SUBMITTED = "submitted"  # awaiting the secretariat's comment and SAMR/MEE's decision
    RETURNED = "returned"  # sent back to the proposer for changes
    APPROVED = "approved"  # 立项: a project exists
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # by the proposer


# Awaiting someone, not yet decided: what the inbox, withdrawal and the coverage matrix call open.
OPEN_STATUSES = frozenset({ProposalStatus.SUBMITTED, ProposalStatus.RETURNED})


LIST_KIND_LABELS = {
    ListKind.PRIORITY: _l("重点产品碳足迹核算标准清单"),
    ListKind.GROUP_RECOMMENDED: _l("团体标准推荐清单"),
}
BATCH_STATUS_LABELS = {BatchStatus.DRAFT: _l("草稿"), BatchStatus.PUBLISHED: _l("已发布")}
ITEM_CHANGE_LABELS = {ItemChange.ADD: _l("列入"), ItemChange.CHANGE: _l("修改"), ItemChange.REMOVE: _l("移出")}
PROPOSAL_STATUS_LABELS = {
    ProposalStatus.SUBMITTED: _l("已提交"),
    ProposalStatus.RETURNED: _l("退回修改"),
    ProposalStatus.APPROVED: _l("已立项"),
    ProposalStatus.REJECTED: _l("不予立项"),
    ProposalStatus.WITHDRAWN: _l("已撤回"),
}


class ListBatch(Versioned, Audited, db.Model):
    """One numbered batch of a list, as issued: 第N批, with its document."""

    __tablename__ = "list_batches"
    __audit_type__ = "list_batch"
    __audit_type_label__ = _l("清单批次")
    __audit_endpoint__ = "catalogue.batch"
    __table_args__ = (UniqueConstraint("kind", "number", name="uq_list_batches_kind_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ListKind] = mapped_column(
        enum_type(ListKind), index=True, info={"label": _l("清单"), "value_labels": LIST_KIND_LABELS}
    )
    number: Mapped[int] = mapped_column(info={"label": _l("批次")})
    title: Mapped[str] = mapped_column(String(300), info={"label": _l("标题")})
    issued_on: Mapped[date | None] = mapped_column(info={"label": _l("发布日期")})
    issuers: Mapped[str] = mapped_column(String(500), default="", info={"label": _l("发布部门")})
    document_number: Mapped[str] = mapped_column(String(100), default="", info={"label": _l("文号")})
    source: Mapped[str] = mapped_column(String(300), default="", info={"label": _l("来源")})
    note: Mapped[str] = mapped_column(Text, default="", info={"label": _l("说明")})
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("list_batches.id"), info={"label": _l("更正的批次")})
    status: Mapped[BatchStatus] = mapped_column(
        enum_type(BatchStatus),
        default=BatchStatus.DRAFT,
        info={"label": _l("状态"), "value_labels": BATCH_STATUS_LABELS},
    )
    published_at: Mapped[datetime | None] = mapped_column(info={"label": _l("发布时间")})

    corrects: Mapped["ListBatch | None"] = relationship(remote_side="ListBatch.id", info={"label": _l("更正的批次")})
    items: Mapped[list["ListItem"]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", order_by="ListItem.position"
    )

    @property
    def is_published(self) -> bool:
        return self.status == BatchStatus.PUBLISHED

    def audit_label(self) -> str:
        return f"{LIST_KIND_LABELS[self.kind]} 第{self.number}批"


class ListItem(Audited, db.Model):
    """One entry of a batch: a product (priority list) or a group standard (recommended list)."""

    __tablename__ = "list_items"
    __audit_type__ = "list_item"
    __audit_type_label__ = _l("清单条目")
    __audit_endpoint__ = None

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("list_batches.id"), index=True, info={"label": _l("清单批次")})
    position: Mapped[int] = mapped_column(info={"label": _l("序号")})
    change: Mapped[ItemChange] = mapped_column(
        enum_type(ItemChange), default=ItemChange.ADD, info={"label": _l("变更"), "value_labels": ITEM_CHANGE_LABELS}
    )
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True, info={"label": _l("产品")})
    standard_id: Mapped[int | None] = mapped_column(
        ForeignKey("standards.id"), index=True, info={"label": _l("团体标准")}
    )
    # Priority items only.
    category: Mapped[PriorityCategory | None] = mapped_column(
        enum_type(PriorityCategory), info={"label": _l("类别"), "value_labels": PRIORITY_LABELS}
    )
    side: Mapped[Side | None] = mapped_column(
        enum_type(Side), info={"label": _l("生产侧/消费侧"), "value_labels": SIDE_LABELS}
    )
    level: Mapped[Level | None] = mapped_column(
        enum_type(Level), info={"label": _l("拟制定级别"), "value_labels": LEVEL_LABELS}
    )
    lead_ministry: Mapped[str] = mapped_column(String(100), default="", info={"label": _l("牵头部门")})
    target_year: Mapped[int | None] = mapped_column(info={"label": _l("目标年份")})
    note: Mapped[str] = mapped_column(Text, default="", info={"label": _l("说明")})

    batch: Mapped[ListBatch] = relationship(back_populates="items", info={"label": _l("清单批次")})
    product: Mapped[Product | None] = relationship(info={"label": _l("产品")})
    standard: Mapped[Standard | None] = relationship(info={"label": _l("团体标准")})

    def audit_label(self) -> str:
        subject = self.product.name if self.product else self.standard.designation if self.standard else ""
        return f"{self.batch.audit_label()} · {subject}"


call_batches = Table(
    "call_batches",
    db.metadata,
    Column("call_id", ForeignKey("calls.id"), primary_key=True),
    Column("batch_id", ForeignKey("list_batches.id"), primary_key=True, index=True),
)


class Call(Versioned, Audited, db.Model):
    """征集立项建议: a call for project proposals, open from `opens_on` to `closes_on` inclusive."""

    __tablename__ = "calls"
    __audit_type__ = "call"
    __audit_type_label__ = _l("立项建议征集")
    __audit_endpoint__ = "catalogue.call"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300), info={"label": _l("标题")})
    description: Mapped[str] = mapped_column(Text, default="", info={"label": _l("说明")})
    opens_on: Mapped[date] = mapped_column(info={"label": _l("开始日期")})
    closes_on: Mapped[date] = mapped_column(info={"label": _l("截止日期")})
    levels: Mapped[list] = mapped_column(JSON, default=list, info={"label": _l("接受的级别")})  # Level values
    # 指引（七） green channel: months from the plan (立项) to 报批 for the projects this call approves.
    months_to_approval: Mapped[int] = mapped_column(info={"label": _l("立项至报批目标（月）")})
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})
    closed_at: Mapped[datetime | None] = mapped_column(info={"label": _l("提前截止时间")})

    batches: Mapped[list[ListBatch]] = relationship(
        secondary=call_batches, order_by="ListBatch.kind, ListBatch.number", info={"label": _l("清单批次")}
    )

    def is_open(self, today: date) -> bool:
        return self.closed_at is None and self.opens_on <= today <= self.closes_on

    def audit_label(self) -> str:
        return self.title


class Proposal(Versioned, Audited, db.Model):
    """立项建议: what an organisation proposes in answer to a call, and what became of it."""

    __tablename__ = "proposals"
    __audit_type__ = "proposal"
    __audit_type_label__ = _l("立项建议")
    __audit_endpoint__ = "proposals.proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True, info={"label": _l("征集")})
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id"), index=True, info={"label": _l("建议单位")}
    )
    proposer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"label": _l("建议人")})
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True, info={"label": _l("产品")})
    level: Mapped[Level] = mapped_column(enum_type(Level), info={"label": _l("级别"), "value_labels": LEVEL_LABELS})
    title: Mapped[str] = mapped_column(String(300), info={"label": _l("标准名称")})
    scope: Mapped[str] = mapped_column(Text, default="", info={"label": _l("适用范围")})
    urgency: Mapped[str] = mapped_column(Text, default="", info={"label": _l("立项必要性（急用先行）")})
    technical_content: Mapped[str] = mapped_column(Text, default="", info={"label": _l("主要技术内容")})
    international: Mapped[str] = mapped_column(Text, default="", info={"label": _l("与国际方法的关系")})
    drafting_units: Mapped[str] = mapped_column(Text, default="", info={"label": _l("拟参编单位")})
    working_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("working_groups.id"), info={"label": _l("拟承担工作组")}
    )
    timetable: Mapped[str] = mapped_column(Text, default="", info={"label": _l("进度安排")})
    trial_enterprises: Mapped[int] = mapped_column(default=0, info={"label": _l("拟试算企业数")})
    trial_plan: Mapped[str] = mapped_column(Text, default="", info={"label": _l("试算计划")})
    status: Mapped[ProposalStatus] = mapped_column(
        enum_type(ProposalStatus),
        index=True,
        default=ProposalStatus.SUBMITTED,
        info={"label": _l("状态"), "value_labels": PROPOSAL_STATUS_LABELS},
    )
    # The findings as they stood at the last submission: [{code, severity, article, params, path}].
    findings: Mapped[list] = mapped_column(JSON, default=list, info={"audit": "skip"})
    submitted_at: Mapped[datetime] = mapped_column(info={"label": _l("提交时间")})
    decided_at: Mapped[datetime | None] = mapped_column(info={"label": _l("决定时间")})
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})
    decision_reason: Mapped[str] = mapped_column(Text, default="", info={"label": _l("决定理由")})
    # Set on approval (立项).
    plan_number: Mapped[str | None] = mapped_column(String(20), unique=True, info={"label": _l("计划号")})
    approved_on: Mapped[date | None] = mapped_column(info={"label": _l("立项日期")})
    due_on: Mapped[date | None] = mapped_column(info={"label": _l("报批期限")})
    standard_id: Mapped[int | None] = mapped_column(
        ForeignKey("standards.id"), index=True, info={"label": _l("标准项目")}
    )
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("rules.id"), index=True, info={"label": _l("规则")})

    call: Mapped[Call] = relationship(info={"label": _l("征集")})
    organisation: Mapped[Organisation] = relationship(info={"label": _l("建议单位")})
    proposer: Mapped[User | None] = relationship(foreign_keys=[proposer_id], info={"label": _l("建议人")})
    product: Mapped[Product] = relationship(info={"label": _l("产品")})
    working_group: Mapped[WorkingGroup | None] = relationship(info={"label": _l("拟承担工作组")})
    standard: Mapped[Standard | None] = relationship(info={"label": _l("标准项目")})
    comments: Mapped[list["ProposalComment"]] = relationship(
        back_populates="proposal", order_by="ProposalComment.id", cascade="all, delete-orphan"
    )

    def audit_label(self) -> str:
        return self.title


class ProposalComment(Audited, db.Model):
    """The secretariat's (or SAMR/MEE's) comment on a proposal, and the proposer's replies."""

    __tablename__ = "proposal_comments"
    __audit_type__ = "proposal_comment"
    __audit_type_label__ = _l("立项建议意见")
    __audit_endpoint__ = None

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True, info={"label": _l("立项建议")})
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})
    author_label: Mapped[str] = mapped_column(String(200), info={"label": _l("提出人")})
    text: Mapped[str] = mapped_column(Text, info={"label": _l("意见")})
    created_at: Mapped[datetime] = mapped_column(info={"label": _l("时间")})

    proposal: Mapped[Proposal] = relationship(back_populates="comments", info={"label": _l("立项建议")})

    def audit_label(self) -> str:
        return f"{self.proposal.title} · {self.author_label}"
