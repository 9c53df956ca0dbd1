"""Project proposals (立项建议): submission and its checks, the secretariat's comments, the
decisions of SAMR/MEE (approve 立项, return for changes, reject) and the inbox of what awaits
each user.

Plain functions taking a session, used by the pages, the API and the tests alike; they never
commit. The checks are findings of the guideline's catalogue: the registry's level rules for a
planned project at the proposed level (workbench.registry.service.check_candidate), and the
proposal's own (workbench/guideline/catalogue/proposals.py). An error refuses the submission with
`ProposalRefused`, nothing saved; warnings and information are stored with the proposal.
"""

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from workbench.audit import change_reason
from workbench.audit.models import AuditEvent
from workbench.auth.models import User, WorkingGroup, actor_of
from workbench.auth.permissions import Action, Role, require
from workbench.catalogue import lists
from workbench.catalogue.models import OPEN_STATUSES as OPEN  # awaiting someone: not yet decided
from workbench.catalogue.models import (
    BatchStatus,
    Call,
    ListBatch,
    ListKind,
    Proposal,
    ProposalComment,
    ProposalStatus,
)
from workbench.db import utcnow
from workbench.drafting import service as drafting
from workbench.drafting import stages
from workbench.drafting.models import Rule
from workbench.errors import InvalidInput, NotFound, refuse
from workbench.guideline import Finding, Severity, finding
from workbench.guideline.findings import SEVERITY_RANK
from workbench.i18n import FindingsRefused
from workbench.inputs import choice_field, long_text_field
from workbench.messages import LIST_SEPARATOR, N_, Joined, Message
from workbench.registry import service as registry
from workbench.registry.hierarchy import Entry
from workbench.registry.models import EndUse, Level, Product, Standard, Status

TITLE_PREFIX = "温室气体 产品碳足迹量化方法与要求 "
TITLE_PATTERN = TITLE_PREFIX + "{product}"  # 指引（二）
PLAN_NUMBER = re.compile(r"^[0-9]{8}-[TZ]-[0-9]{3}\Z")  # 计划号: 2025xxxx-T-469 (ASCII digits only: \d takes ２ and ٢)
DEFAULT_DEPARTMENT = "469"
MAX_TEXT = 4000
# The levels a proposal's messages name, in words the catalogue translates.
LEVEL_WORDS = {
    Level.NATIONAL: N_("国家标准"),
    Level.INDUSTRY: N_("行业标准"),
    Level.LOCAL: N_("地方标准"),
    Level.GROUP: N_("团体标准"),
    Level.ENTERPRISE: N_("企业标准"),
}
# The levels on the national track, for which the priority list says what comes first (指引（七）（八）).
LISTED_TRACK = (Level.NATIONAL, Level.INDUSTRY)
# The registry's duplicate warning becomes the proposal's refusal (proposal_duplicates_standard).
REPLACED_LEVEL_CODES = {"duplicate_at_level"}


def level_word(level) -> Message | str:
    try:
        return Message(LEVEL_WORDS[Level(level)])
    except (KeyError, ValueError):
        return str(level)


class ProposalRefused(FindingsRefused):
    """A proposal with errors among its findings: nothing was saved. `findings` holds them all
    (errors first), so that the form can show them with their articles."""

    code = "proposal_refused"


@dataclass
class ProposalInput:
    product_id: int | None
    level: str | None
    title: str = ""
    scope: str = ""
    urgency: str = ""
    technical_content: str = ""
    international: str = ""
    drafting_units: str = ""
    working_group_id: int | None = None
    timetable: str = ""
    trial_enterprises: int | None = 0
    trial_plan: str = ""


@dataclass(frozen=True)
class Shaped:
    """A proposal's input, checked field by field: what the findings and the record are made of."""

    product: Product
    level: Level
    title: str
    working_group: WorkingGroup | None
    values: dict


def _text(value, field_name: str, label: str, *, required: bool = False) -> str:
    return long_text_field(value, field_name, label, MAX_TEXT, required=required)


def default_title(product: Product) -> str:
    return TITLE_PATTERN.format(product=product.name)


def shape(session: Session, data: ProposalInput) -> Shaped:
    """The input as the record will hold it; refused field by field (InvalidInput) when a field
    is missing or wrong, before any finding is looked for."""
    product = session.get(Product, data.product_id) if data.product_id else None
    if product is None:
        refuse("product_id", _("请从产品目录中选择产品。"))
    if product.is_archived:
        refuse("product_id", _("“%(name)s”已归档，不能再选用。", name=product.name))
    level = choice_field(Level, data.level, "level", _("标准级别"), allowed=LEVEL_WORDS)
    title = " ".join((data.title or "").split()) or default_title(product)
    if len(title) > 300:
        refuse("title", _("标准名称不能超过 300 个字符。"))
    working_group = None
    if data.working_group_id:
        working_group = session.get(WorkingGroup, data.working_group_id)
        if working_group is None or working_group.is_archived:
            refuse("working_group_id", _("没有这个工作组：请从列表中选择，或留空。"))
    if data.trial_enterprises is None or data.trial_enterprises < 0:
        refuse("trial_enterprises", _("拟试算企业数应为不小于 0 的整数。"))
    values = {
        "scope": _text(data.scope, "scope", _("适用范围"), required=True),
        "urgency": _text(data.urgency, "urgency", _("立项必要性"), required=True),
        "technical_content": _text(data.technical_content, "technical_content", _("主要技术内容"), required=True),
        "international": _text(data.international, "international", _("与国际方法的关系")),
        "drafting_units": _text(data.drafting_units, "drafting_units", _("拟参编单位")),
        "timetable": _text(data.timetable, "timetable", _("进度安排")),
        "trial_enterprises": int(data.trial_enterprises),
        "trial_plan": _text(data.trial_plan, "trial_plan", _("试算计划")),
    }
    return Shaped(product, level, title, working_group, values)


# --- the checks -----------------------------------------------------------------------------------


def _listed(session: Session, call: Call, product: Product) -> tuple[bool, list[ListBatch]]:
    """Whether the product is on the priority list as the call's published priority batches
    leave it (the latest batch naming it decides; a removal takes it off), and those batches.
    A call that covers no priority batch is read against the list in force (Product.priority_category)."""
    batches = [
        batch for batch in call.batches if batch.kind == ListKind.PRIORITY and batch.status == BatchStatus.PUBLISHED
    ]
    if not batches:
        return product.priority_category is not None, []
    in_force = lists.effective_priority_items(session, batch_ids=[batch.id for batch in batches])
    return product.id in in_force, batches


def _proposal_names(proposals) -> str:
    return "、".join(f"《{other.title}》（{other.organisation.name}）" for other in proposals)


def check_proposal(
    session: Session,
    call: Call,
    data: ProposalInput | Shaped,
    today: date,
    *,
    exclude: Proposal | None = None,
    call_must_be_open: bool = True,
) -> list[Finding]:
    """The findings a proposal like `data` gets in answer to `call` today, errors first.
    `exclude` is the proposal itself (on resubmission and approval); `call_must_be_open` False
    leaves out whether the call is still open, which only a first submission asks (a returned
    proposal still answers its call after it closes, and decisions come after it)."""
    shaped = data if isinstance(data, Shaped) else shape(session, data)
    product, level = shaped.product, shaped.level
    found: list[Finding] = []

    if call_must_be_open and not call.is_open(today):
        if call.closed_at is not None:
            found.append(finding("proposal_call_closed", "/call", "closed_early", call=call.title))
        elif today < call.opens_on:
            found.append(
                finding("proposal_call_closed", "/call", "not_yet", call=call.title, opens_on=call.opens_on.isoformat())
            )
        else:
            found.append(
                finding("proposal_call_closed", "/call", call=call.title, closes_on=call.closes_on.isoformat())
            )
    accepted = [Level(value) for value in call.levels or () if value in set(Level)]
    if level not in accepted:
        found.append(
            finding(
                "proposal_level_not_accepted",
                "/level",
                call=call.title,
                level=level_word(level),
                levels=Joined(LIST_SEPARATOR, tuple(level_word(value) for value in accepted)),
            )
        )

    # The registry's level rules, for a planned project at this level.
    candidate = Entry(
        id=None, designation=shaped.title, level=level, status=Status.PLANNED.value, product_id=product.id
    )
    for level_finding in registry.check_candidate(session, candidate, on=today):
        if level_finding.code in REPLACED_LEVEL_CODES:
            duplicate = finding(
                "proposal_duplicates_standard",
                "/level",
                product=product.name,
                level=level_word(level),
                standards=level_finding.params.get("standards", ""),
            )
            found.append(replace(duplicate, standard_ids=level_finding.standard_ids))
        else:
            found.append(level_finding)

    # Other proposals awaiting a decision: the same product at the same level, and its neighbours.
    tree = registry.product_tree(session)
    above, below = tree.ancestors(product.id), tree.descendants(product.id)
    others = session.scalars(
        select(Proposal)
        .options(selectinload(Proposal.organisation))
        .where(
            Proposal.status.in_(OPEN),
            Proposal.product_id.in_([product.id, *above, *below]),
            Proposal.id != (exclude.id if exclude is not None and exclude.id is not None else -1),
        )
        .order_by(Proposal.id)
    ).all()
    twins = [other for other in others if other.product_id == product.id and other.level == level]
    if twins:
        found.append(
            finding(
                "proposal_duplicates_proposal",
                "/product_id",
                product=product.name,
                level=level_word(level),
                proposals=_proposal_names(twins),
            )
        )
    for relation, product_ids in ((N_("上级产品"), above), (N_("下级产品"), below)):
        for product_id in product_ids:
            near = [other for other in others if other.product_id == product_id]
            if near:
                found.append(
                    finding(
                        "proposal_overlap_in_tree",
                        "/product_id",
                        relation=Message(relation),
                        other=tree.names.get(product_id, ""),
                        proposals=_proposal_names(near),
                    )
                )

    # 急用先行: the national track starts with the listed products.
    listed, batches = _listed(session, call, product)
    if level in LISTED_TRACK and not listed:
        if batches:
            names = "、".join(f"第{batch.number}批《{batch.title}》" for batch in batches)
            found.append(finding("proposal_product_not_listed", "/product_id", product=product.name, batches=names))
        else:
            found.append(finding("proposal_product_not_listed", "/product_id", "no_list", product=product.name))
    if level == Level.NATIONAL and not listed and product.end_use == EndUse.FINAL:
        found.append(finding("proposal_national_for_end_product", "/level", product=product.name))

    count = shaped.values["trial_enterprises"]
    if count < stages.MIN_TRIAL_ENTERPRISES:
        found.append(
            finding("proposal_trial_plan_thin", "/trial_enterprises", count=count, min=stages.MIN_TRIAL_ENTERPRISES)
        )
    if not shaped.title.startswith(TITLE_PREFIX) or not shaped.title[len(TITLE_PREFIX) :].strip():
        found.append(finding("proposal_title_pattern", "/title", title=shaped.title, expected=default_title(product)))
    return sorted(found, key=lambda item: SEVERITY_RANK[item.severity])


def _refuse_errors(findings: list[Finding]) -> None:
    if any(found.severity == Severity.ERROR for found in findings):
        raise ProposalRefused(findings)


def stored_findings(proposal: Proposal) -> list[Finding]:
    """The findings stored with the proposal at its last submission or decision."""
    return [Finding.from_dict(data) for data in proposal.findings or ()]


# --- reading --------------------------------------------------------------------------------------


def get_proposal(session: Session, proposal_id: int, *, by) -> Proposal:
    """The proposal, for a user who may read it (SAMR/MEE, the secretariat, its organisation)."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(_("没有这项立项建议。"))
    require(by, Action.VIEW_PROPOSAL, proposal)
    return proposal


def get_call(session: Session, call_id: int | None) -> Call:
    if not call_id:
        raise NotFound(_("没有这项征集。"))
    return lists.get_call(session, call_id)


def visible(user, *, status: str | None = None, call_id: int | None = None):
    """The proposals `user` may read (SAMR/MEE and the secretariat: all; others: their
    organisation's), newest first, as a query. A visitor is asked to sign in; a user of no
    organisation is refused."""
    query = select(Proposal).options(
        selectinload(Proposal.organisation), selectinload(Proposal.product), selectinload(Proposal.call)
    )
    if not is_oversight(user):
        require(user, Action.PROPOSE)
        query = query.where(Proposal.organisation_id == user.organisation_id)
    if status:
        query = query.where(Proposal.status == ProposalStatus(status))
    if call_id:
        query = query.where(Proposal.call_id == call_id)
    return query.order_by(Proposal.submitted_at.desc(), Proposal.id.desc())


def is_oversight(user) -> bool:
    return getattr(user, "is_authenticated", False) and getattr(user, "role", None) in (
        Role.ADMINISTRATOR,
        Role.SECRETARIAT,
    )


# --- submitting -----------------------------------------------------------------------------------


def _apply(proposal: Proposal, shaped: Shaped) -> None:
    proposal.product = shaped.product
    proposal.level = shaped.level
    proposal.title = shaped.title
    proposal.working_group = shaped.working_group
    for key, value in shaped.values.items():
        setattr(proposal, key, value)


def submit(session: Session, call: Call, data: ProposalInput, *, by, today: date) -> Proposal:
    """A member of an organisation proposes a project in answer to an open call. Refused
    (ProposalRefused, nothing saved) when a finding is an error; the others are stored."""
    require(by, Action.PROPOSE)
    shaped = shape(session, data)
    findings = check_proposal(session, call, shaped, today)
    _refuse_errors(findings)
    proposal = Proposal(
        call=call,
        organisation_id=by.organisation_id,
        proposer_id=by.id,
        status=ProposalStatus.SUBMITTED,
        findings=[found.to_dict() for found in findings],
        submitted_at=utcnow(),
    )
    _apply(proposal, shaped)
    session.add(proposal)
    session.flush()
    return proposal


def resubmit(session: Session, proposal: Proposal, data: ProposalInput, *, by, today: date) -> Proposal:
    """The proposer's organisation answers a return with a changed proposal: the same checks as
    a submission, in the same call."""
    require(by, Action.PROPOSE, proposal)
    if proposal.status != ProposalStatus.RETURNED:
        raise InvalidInput(_("只有退回修改的立项建议才能重新提交。"))
    shaped = shape(session, data)
    findings = check_proposal(session, proposal.call, shaped, today, exclude=proposal, call_must_be_open=False)
    _refuse_errors(findings)
    with change_reason(session, N_("修改后重新提交")):
        _apply(proposal, shaped)
        proposal.status = ProposalStatus.SUBMITTED
        proposal.findings = [found.to_dict() for found in findings]
        proposal.submitted_at = utcnow()
    return proposal


def withdraw(session: Session, proposal: Proposal, *, by, reason: str = "") -> Proposal:
    require(by, Action.PROPOSE, proposal)
    if proposal.status not in OPEN:
        raise InvalidInput(_("这项立项建议已有决定，不能撤回。"))
    with change_reason(session, reason.strip() or N_("建议单位撤回")):
        proposal.status = ProposalStatus.WITHDRAWN
    return proposal


def comment(session: Session, proposal: Proposal, text: str, *, by) -> ProposalComment:
    require(by, Action.COMMENT_ON_PROPOSAL, proposal)
    text = _text(text, "text", _("意见"), required=True)
    note = ProposalComment(
        proposal=proposal, author_id=by.id, author_label=actor_of(by).label, text=text, created_at=utcnow()
    )
    session.add(note)
    session.flush()
    return note


# --- deciding -------------------------------------------------------------------------------------


def _open_for_decision(proposal: Proposal) -> None:
    if proposal.status != ProposalStatus.SUBMITTED:
        raise InvalidInput(_("只能对已提交、待决定的立项建议作出决定。"))


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        refuse("reason", _("请说明理由：建议单位将看到它。"))
    if len(reason) > MAX_TEXT:
        refuse("reason", _("理由不能超过 %(max)d 个字符。", max=MAX_TEXT))
    return reason


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


MAX_SERIAL = 9999


def suggest_plan_number(session: Session, today: date, department: str = DEFAULT_DEPARTMENT) -> str:
    """The next plan number of the year: {year}{serial:04d}-T-{department}, one above the
    highest serial the year has used. Every stored plan number has the form PLAN_NUMBER (fixed
    width), so the highest string carries the highest serial. Refused (plan_number) when the
    year's serials are used up."""
    prefix = f"{today.year:04d}"
    highest = session.scalar(select(func.max(Proposal.plan_number)).where(Proposal.plan_number.like(f"{prefix}%")))
    serial = int(highest[4:8]) + 1 if highest and PLAN_NUMBER.match(highest) else 1
    if serial > MAX_SERIAL:
        refuse(
            "plan_number",
            _("%(year)s 年的计划号序号已用到 %(max)d，无法给出下一个：请直接填写计划号。", year=prefix, max=MAX_SERIAL),
        )
    return f"{prefix}{serial:04d}-T-{department}"


def _plan_number(session: Session, text: str | None) -> str:
    number = (text or "").strip()
    if not PLAN_NUMBER.match(number):
        refuse("plan_number", _("计划号的形式应为 2025xxxx-T-xxx（8 位数字、T 或 Z、3 位部门代码）。"))
    if session.scalar(select(Proposal.id).where(Proposal.plan_number == number)) is not None:
        refuse("plan_number", _("计划号 %(number)s 已被使用：请换一个。", number=number))
    return number


def approve(
    session: Session,
    proposal: Proposal,
    *,
    by,
    today: date,
    plan_number: str | None = None,
    working_group_id: int | None = None,
    reason: str = "",
) -> Proposal:
    """立项: the checks run again as of today (an error refuses); then the project. A national
    proposal gets its plan number and a rule at stage 10 with its working group (and the rule's
    registry project, planned); any other level a planned project in the registry. The project
    is due for 报批 the call's `months_to_approval` after approval (指引（七）: the green channel)."""
    require(by, Action.DECIDE_PROPOSAL, proposal)
    _open_for_decision(proposal)
    shaped = shape(session, _input_of(proposal))
    findings = check_proposal(session, proposal.call, shaped, today, exclude=proposal, call_must_be_open=False)
    _refuse_errors(findings)
    working_group = shaped.working_group
    if working_group_id:
        working_group = session.get(WorkingGroup, working_group_id)
        if working_group is None or working_group.is_archived:
            refuse("working_group_id", _("没有这个工作组：请从列表中选择。"))
    note = reason.strip() or N_("立项")
    if proposal.level == Level.NATIONAL:
        if working_group is None:
            refuse("working_group_id", _("国家标准立项须指定承担的工作组。"))
        number = _plan_number(session, plan_number)
        rule = drafting.create_rule(
            session,
            product=proposal.product,
            working_group=working_group,
            by=by,
            today=today,
            stage=drafting.APPROVED_STAGE,
        )
        standard = rule.standard
        with change_reason(session, note):
            if standard is not None:
                # Stored text: the same for every reader, never in the approver's language.
                standard.note = N_("计划号 %(number)s（立项建议“%(title)s”）") % {
                    "number": number,
                    "title": proposal.title,
                }
    else:
        number, rule = None, None
        standard, _level_findings = registry.create_standard(
            session,
            registry.StandardInput(
                level=proposal.level,
                title=proposal.title,
                status=Status.PLANNED,
                product=proposal.product,
                association=proposal.organisation.name if proposal.level == Level.GROUP else "",
                note=N_("立项建议“%(title)s”") % {"title": proposal.title},
            ),
            by=by,
            on=today,
        )
    with change_reason(session, note):  # one step of the proposal's history
        proposal.plan_number = number
        proposal.rule_id = rule.id if rule is not None else None
        proposal.working_group = working_group
        proposal.standard_id = standard.id if standard is not None else None
        proposal.status = ProposalStatus.APPROVED
        proposal.approved_on = today
        proposal.due_on = add_months(today, proposal.call.months_to_approval)
        proposal.decided_at = utcnow()
        proposal.decided_by_id = by.id
        proposal.decision_reason = reason.strip()
        proposal.findings = [found.to_dict() for found in findings]
    return proposal


def _decline(session: Session, proposal: Proposal, reason: str, status: ProposalStatus, *, by) -> Proposal:
    """A decision other than approval, with the reason the proposer will read."""
    require(by, Action.DECIDE_PROPOSAL, proposal)
    _open_for_decision(proposal)
    reason = _reason(reason)
    with change_reason(session, reason):
        proposal.status = status
        proposal.decided_at = utcnow()
        proposal.decided_by_id = by.id
        proposal.decision_reason = reason
    return proposal


def return_for_changes(session: Session, proposal: Proposal, reason: str, *, by) -> Proposal:
    return _decline(session, proposal, reason, ProposalStatus.RETURNED, by=by)


def reject(session: Session, proposal: Proposal, reason: str, *, by) -> Proposal:
    return _decline(session, proposal, reason, ProposalStatus.REJECTED, by=by)


def _input_of(proposal: Proposal) -> ProposalInput:
    return ProposalInput(
        product_id=proposal.product_id,
        level=proposal.level.value,
        title=proposal.title,
        scope=proposal.scope,
        urgency=proposal.urgency,
        technical_content=proposal.technical_content,
        international=proposal.international,
        drafting_units=proposal.drafting_units,
        working_group_id=proposal.working_group_id,
        timetable=proposal.timetable,
        trial_enterprises=proposal.trial_enterprises,
        trial_plan=proposal.trial_plan,
    )


# --- the inbox ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxItem:
    kind: str  # "decide", "comment", "returned" (proposals); "start_drafting", "new_rule" (rules at stage 10)
    title: str
    since: datetime | date | None
    proposal_id: int | None = None
    rule_id: int | None = None
    note: str = ""


INBOX_KINDS = {
    "decide": N_("待决定的立项建议"),
    "comment": N_("待秘书处提出意见的立项建议"),
    "returned": N_("退回修改的立项建议"),
    "start_drafting": N_("已立项、待转入起草阶段的规则"),
    "new_rule": N_("本工作组新立项的规则：可开始准备草案"),
}


def inbox(session: Session, user, today: date) -> list[InboxItem]:
    """What awaits `user`: SAMR/MEE the submitted proposals to decide; the secretariat those it
    has not commented on since they were submitted; an organisation's members its returned
    proposals. Rules at stage 10 (立项): the secretariat and SAMR/MEE, who alone move them to
    drafting (drafting/stages.py MOVES), see every one; a drafter sees those of their working
    groups, whose text they may already prepare (stage 10 is editable)."""
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[InboxItem] = []
    role = getattr(user, "role", None)
    if role == Role.ADMINISTRATOR:
        for proposal in session.scalars(
            select(Proposal).where(Proposal.status == ProposalStatus.SUBMITTED).order_by(Proposal.submitted_at)
        ):
            items.append(InboxItem("decide", proposal.title, proposal.submitted_at, proposal_id=proposal.id))
    if role == Role.SECRETARIAT:
        commented = exists(
            select(ProposalComment.id)
            .join(User, ProposalComment.author_id == User.id)
            .where(
                ProposalComment.proposal_id == Proposal.id,
                User.role == Role.SECRETARIAT,
                ProposalComment.created_at >= Proposal.submitted_at,
            )
        )
        for proposal in session.scalars(
            select(Proposal)
            .where(Proposal.status == ProposalStatus.SUBMITTED, ~commented)
            .order_by(Proposal.submitted_at)
        ):
            items.append(InboxItem("comment", proposal.title, proposal.submitted_at, proposal_id=proposal.id))
    if getattr(user, "organisation_id", None) is not None:
        for proposal in session.scalars(
            select(Proposal)
            .where(Proposal.status == ProposalStatus.RETURNED, Proposal.organisation_id == user.organisation_id)
            .order_by(Proposal.decided_at)
        ):
            items.append(
                InboxItem(
                    "returned",
                    proposal.title,
                    proposal.decided_at,
                    proposal_id=proposal.id,
                    note=proposal.decision_reason,
                )
            )
    approved_rules = select(Rule).where(Rule.stage == drafting.APPROVED_STAGE)
    if role in (Role.ADMINISTRATOR, Role.SECRETARIAT):
        rule_kind = "start_drafting"
    elif role == Role.DRAFTER:
        rule_kind = "new_rule"
        group_ids = [group.id for group in getattr(user, "working_groups", ())]
        approved_rules = approved_rules.where(Rule.working_group_id.in_(group_ids)) if group_ids else None
    else:
        approved_rules = None
    if approved_rules is not None:
        for rule in session.scalars(approved_rules.order_by(Rule.stage_entered_on, Rule.id)):
            items.append(InboxItem(rule_kind, f"{rule.code} {rule.title}", rule.stage_entered_on, rule_id=rule.id))
    return items


def calls_open(session: Session, today: date) -> list[Call]:
    return lists.open_calls(session, today)


def products(session: Session) -> list[Product]:
    """The catalogue's products a proposal may name (not archived), by name."""
    return list(session.scalars(select(Product).where(Product.archived_at.is_(None)).order_by(Product.name)))


def working_groups(session: Session) -> list[WorkingGroup]:
    return list(
        session.scalars(select(WorkingGroup).where(WorkingGroup.archived_at.is_(None)).order_by(WorkingGroup.code))
    )


def standard_of(session: Session, proposal: Proposal) -> Standard | None:
    return session.get(Standard, proposal.standard_id) if proposal.standard_id else None


def rule_of(session: Session, proposal: Proposal) -> Rule | None:
    return session.get(Rule, proposal.rule_id) if proposal.rule_id else None


@dataclass(frozen=True)
class Step:
    """One step of a proposal's history, from the audit trail: who moved it to which status, why."""

    at: datetime
    actor: str
    status: str | None  # the ProposalStatus value it moved to; None for another change
    reason: str | None


def timeline(session: Session, proposal: Proposal, *, by) -> list[Step]:
    """The proposal's steps from the audit trail, oldest first, for a user who may read it."""
    require(by, Action.VIEW_PROPOSAL, proposal)
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.record_type == Proposal.__audit_type__, AuditEvent.record_id == str(proposal.id))
        .order_by(AuditEvent.id)
    )
    steps = []
    for event in events:
        status = (event.changes or {}).get("status", {}).get("after")
        steps.append(
            Step(event.occurred_at, event.actor_label, status if status in set(ProposalStatus) else None, event.reason)
        )
    return steps
