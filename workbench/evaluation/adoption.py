"""Adoption (采信) of group standards as recommended national standards (指引（十五）; SAMR's
interim rules of 2023): the association's application (采信建议书) and its attachments, the
eligibility shown before and checked at submission, the secretariat's review panel with its
recusals, the panel's scores on the four dimensions, and SAMR's decision.

Plain functions taking a session, used by the pages, the API and the command line; they never
commit, and each asks `require(by, …)` itself.

Two choices the texts leave open, written down here:
- A proposed panel member who must recuse (a member of the applicant organisation, of one of the
  drafting units, or of an issuing association) is refused AND the recusal is recorded. Raising
  would roll the record back with the refusal, so `add_panel_member` returns the PanelMember
  with status "recused" and its reason: the page shows it as an error (answering 422 after the
  commit) and the API answers 422 `panel_member_recused`, the recusal saved.
- SAMR adopts only a submitted application that at least MIN_SCORERS (2) panel members have
  scored on all four dimensions, and whose eligibility still holds on the day of the decision.
"""

import logging
import re
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from workbench.audit import change_reason
from workbench.audit.models import AuditEvent
from workbench.auth.models import User, WorkingGroup
from workbench.auth.permissions import Action, Role, can, issuers, keeps_group_standard, require
from workbench.catalogue.proposals import add_months
from workbench.db import utcnow
from workbench.drafting import service as drafting
from workbench.errors import Conflict, InvalidInput, NotFound, refuse
from workbench.evaluation import attachments, eligibility
from workbench.evaluation.dimensions import ADOPTION_DIMENSIONS, SCORE_MAX, SCORE_MIN
from workbench.evaluation.facts import citing_factors
from workbench.evaluation.models import (
    APPLICATION_STATUS_LABELS,
    AdoptionApplication,
    AdoptionAttachment,
    AdoptionScore,
    ApplicationStatus,
    AttachmentKind,
    PanelMember,
    PanelStatus,
)
from workbench.factors.models import Factor
from workbench.guideline import Finding
from workbench.i18n import FindingsRefused
from workbench.inputs import choice_field, long_text_field, text_field
from workbench.messages import N_
from workbench.registry import hierarchy
from workbench.registry import service as registry
from workbench.registry.models import Level, RelationKind, Standard, Status

logger = logging.getLogger(__name__)

MAX_TEXT = 4000
# At most this many files per application: the 采信建议书 needs a handful (the standard's text,
# the 编制说明, the GB/T 20004 proof, test reports); more is a mistake or an abuse of the disk.
MAX_ATTACHMENTS = 30
MIN_SCORERS = 2  # panel members who scored every dimension before SAMR may adopt
DISSENT = 2  # a score this far from the dimension's mean is shown as dissent
MONTHS_TO_APPROVAL = 12  # 报批 within 12 months of adoption (SAMR's interim rules)
OPEN = (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED)
DECIDED = (ApplicationStatus.ADOPTED, ApplicationStatus.DECLINED)
REQUIRED_FIELDS = (
    ("necessity", N_("必要性和可行性")),
    ("main_content", N_("主要技术内容")),
    ("expected_uptake", N_("预期应用和效益")),
    ("proposed_committee", N_("建议归口技术委员会")),
    ("drafting_units", N_("起草单位")),
)
_UNIT_SEPARATORS = re.compile(r"[\n\r;,、；，]+")


class AdoptionRefused(FindingsRefused):
    """An application whose eligibility has errors: nothing changed. `findings` holds every line."""

    code = "adoption_refused"


# --- eligibility ----------------------------------------------------------------------------------


def higher_level(session: Session, standard: Standard) -> tuple[list[Standard], list[Standard]]:
    """The national and industry standards of the standard's product: issued ones, and projects."""
    if standard.product_id is None:
        return [], []
    rows = session.scalars(
        select(Standard)
        .where(
            Standard.product_id == standard.product_id,
            Standard.level.in_([Level.NATIONAL, Level.INDUSTRY]),
            Standard.status.in_([Status(value) for value in hierarchy.ACTIVE]),
            Standard.archived_at.is_(None),
        )
        .order_by(Standard.id)
    ).all()
    issued = [row for row in rows if row.status.value in hierarchy.ISSUED]
    return issued, [row for row in rows if row.status.value in hierarchy.IN_PREPARATION]


def has_good_practice(application: AdoptionApplication) -> bool:
    return any(item.kind == AttachmentKind.GOOD_PRACTICE for item in application.attachments)


@dataclass
class Eligibility:
    facts: eligibility.AdoptionFacts
    findings: list[Finding]
    factors: list[Factor]
    standard: Standard

    @property
    def eligible(self) -> bool:
        return eligibility.is_eligible(self.findings)

    @property
    def full_years(self) -> int:
        return eligibility.full_years(self.facts.implemented_on, self.facts.today)


def threshold() -> int:
    return int(current_app.config["ADOPTION_CITATION_THRESHOLD"])


def check(
    session: Session, standard: Standard, application: AdoptionApplication | None = None, *, today: date
) -> Eligibility:
    """The eligibility of `standard` today: the facts and every line as a finding. The proof of
    good practice is asked of an application only."""
    citing = citing_factors(session, standard)
    issued, preparing = higher_level(session, standard)
    facts = eligibility.AdoptionFacts(
        number=standard.designation,
        level=standard.level.value,
        status=standard.status.value,
        implemented_on=standard.implemented_on,
        today=today,
        citations=len(citing),
        citing_codes=tuple(factor.code for factor in citing),
        threshold=threshold(),
        product=standard.product.name if standard.product is not None else None,
        higher_standards=tuple(row.designation for row in issued),
        higher_projects=tuple(row.designation for row in preparing),
        good_practice=has_good_practice(application) if application is not None else None,
    )
    return Eligibility(facts, eligibility.findings(facts), citing, standard)


def stored_findings(application: AdoptionApplication) -> list[Finding]:
    return [Finding.from_dict(data) for data in application.eligibility or ()]


# --- reading --------------------------------------------------------------------------------------


def get_application(session: Session, application_id: int, *, by) -> AdoptionApplication:
    application = session.get(AdoptionApplication, application_id)
    if application is None:
        raise NotFound(_("没有这项采信申请。"))
    require(by, Action.VIEW_ADOPTION, application)
    return application


def is_oversight(user) -> bool:
    return getattr(user, "is_authenticated", False) and getattr(user, "role", None) in (
        Role.ADMINISTRATOR,
        Role.SECRETARIAT,
    )


def sees_review(user, application: AdoptionApplication) -> bool:
    """Whether `user` sees the panel's review as it is: who sits on the panel, each member's scores
    and remarks (SAMR/MEE, the secretariat and the panel). The applicant sees only the status while
    the application is under review and, once it is decided, the mean and range per dimension."""
    return is_oversight(user) or can(user, Action.SCORE_ADOPTION, application)


def visible(user, *, status: str | None = None):
    """The applications `user` may read, newest first: all for SAMR/MEE and the secretariat; an
    association's own; an evaluator's on whose panel they sit. Others are refused."""
    query = select(AdoptionApplication).options(
        selectinload(AdoptionApplication.standard), selectinload(AdoptionApplication.organisation)
    )
    if is_oversight(user):
        pass
    elif can(user, Action.APPLY_FOR_ADOPTION):
        query = query.where(AdoptionApplication.organisation_id == user.organisation_id)
    elif getattr(user, "is_authenticated", False) and user.role == Role.EVALUATOR:
        query = query.where(
            AdoptionApplication.id.in_(
                select(PanelMember.application_id).where(
                    PanelMember.user_id == user.id, PanelMember.status == PanelStatus.MEMBER
                )
            )
        )
    else:
        require(user, Action.APPLY_FOR_ADOPTION)
    if status:
        query = query.where(AdoptionApplication.status == ApplicationStatus(status))
    return query.order_by(AdoptionApplication.id.desc())


def decided(session: Session) -> list[AdoptionApplication]:
    """The applications SAMR has decided, newest first: public (no sign-in)."""
    return list(
        session.scalars(
            select(AdoptionApplication)
            .options(
                selectinload(AdoptionApplication.standard),
                selectinload(AdoptionApplication.organisation),
                selectinload(AdoptionApplication.national),
            )
            .where(AdoptionApplication.status.in_(DECIDED))
            .order_by(AdoptionApplication.decided_on.desc(), AdoptionApplication.id.desc())
        )
    )


def latest_application(session: Session, standard: Standard) -> AdoptionApplication | None:
    """The standard's newest application, whatever its status, or None."""
    return session.scalar(
        select(AdoptionApplication)
        .where(AdoptionApplication.standard_id == standard.id)
        .order_by(AdoptionApplication.id.desc())
        .limit(1)
    )


def may_apply(user, standard: Standard, latest: AdoptionApplication | None) -> bool:
    """Whether `user` may start an application for `standard`: a published group standard their
    association keeps, with no application open or adopted."""
    return (
        standard.level == Level.GROUP
        and standard.status.value in hierarchy.ISSUED
        and standard.archived_at is None
        and can(user, Action.APPLY_FOR_ADOPTION, standard)
        and (latest is None or latest.status not in (*OPEN, ApplicationStatus.ADOPTED))
    )


def own_group_standards(session: Session, by) -> list[Standard]:
    """The published group standards of the user's own association, by number."""
    organisation = getattr(by, "organisation", None)
    if organisation is None or not can(by, Action.APPLY_FOR_ADOPTION):
        return []
    rows = session.scalars(
        select(Standard)
        .where(
            Standard.level == Level.GROUP,
            Standard.status.in_([Status(value) for value in hierarchy.ISSUED]),
            Standard.archived_at.is_(None),
            Standard.association.contains(organisation.name, autoescape=True),
        )
        .order_by(Standard.numbers)
    ).all()
    return [row for row in rows if keeps_group_standard(by, row.association)]


def evaluators(session: Session) -> list[User]:
    """The accounts that may sit on a panel (active evaluators), by name."""
    return list(
        session.scalars(
            select(User).where(User.role == Role.EVALUATOR, User.active.is_(True)).order_by(User.display_name)
        )
    )


# --- the application ------------------------------------------------------------------------------


@dataclass
class ApplicationInput:
    necessity: str = ""
    main_content: str = ""
    expected_uptake: str = ""
    proposed_committee: str = ""
    drafting_units: str = ""


def _values(data: ApplicationInput) -> dict:
    return {
        "necessity": long_text_field(data.necessity, "necessity", _("必要性和可行性"), MAX_TEXT),
        "main_content": long_text_field(data.main_content, "main_content", _("主要技术内容"), MAX_TEXT),
        "expected_uptake": long_text_field(data.expected_uptake, "expected_uptake", _("预期应用和效益"), MAX_TEXT),
        "proposed_committee": text_field(data.proposed_committee, "proposed_committee", _("建议归口技术委员会"), 200),
        "drafting_units": long_text_field(data.drafting_units, "drafting_units", _("起草单位"), MAX_TEXT),
    }


def _editable(application: AdoptionApplication) -> None:
    if application.status != ApplicationStatus.DRAFT:
        raise Conflict(_("只有草稿状态的采信申请才能修改：已提交的申请由评审组评审。"))


def create(session: Session, standard: Standard, data: ApplicationInput, *, by) -> AdoptionApplication:
    """A draft application for one of the applicant association's own published group standards."""
    require(by, Action.APPLY_FOR_ADOPTION, standard)
    if standard.status.value not in hierarchy.ISSUED:
        refuse("standard_id", _("只能为已发布的团体标准申请采信。"))
    values = _values(data)
    pending = session.scalar(
        select(AdoptionApplication).where(
            AdoptionApplication.standard_id == standard.id,
            AdoptionApplication.status.in_([*OPEN, ApplicationStatus.ADOPTED]),
        )
    )
    if pending is not None:
        raise Conflict(
            _(
                "%(number)s 已有采信申请（#%(id)d，%(status)s）：请在那项申请中继续。",
                number=standard.designation,
                id=pending.id,
                status=_status_text(pending.status),
            ),
            details={"application_id": pending.id},
        )
    application = AdoptionApplication(
        standard=standard,
        organisation=by.organisation,
        status=ApplicationStatus.DRAFT,
        created_by_id=by.id,
        **values,
    )
    session.add(application)
    session.flush()
    return application


def _status_text(status: ApplicationStatus) -> str:
    return str(APPLICATION_STATUS_LABELS[status])


def update(session: Session, application: AdoptionApplication, data: ApplicationInput, *, by) -> AdoptionApplication:
    require(by, Action.APPLY_FOR_ADOPTION, application)
    _editable(application)
    values = _values(data)
    with change_reason(session, N_("修改采信建议书")):
        for key, value in values.items():
            setattr(application, key, value)
    return application


def add_attachment(
    session: Session, application: AdoptionApplication, kind, stream, filename: str | None, *, by
) -> AdoptionAttachment:
    require(by, Action.APPLY_FOR_ADOPTION, application)
    _editable(application)
    kind = choice_field(AttachmentKind, kind, "kind", _("材料"))
    if len(application.attachments) >= MAX_ATTACHMENTS:
        refuse(
            "file",
            _(
                "一项采信申请最多 %(max)d 个附件，已有 %(count)d 个，没有保存：请删除不需要的附件，或把材料合并成一个 PDF 后再上传。",
                max=MAX_ATTACHMENTS,
                count=len(application.attachments),
            ),
        )
    stored = attachments.store(session, stream, filename)
    item = AdoptionAttachment(
        kind=kind,
        filename=stored.filename,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        stored_name=stored.stored_name,
        uploaded_at=utcnow(),
        uploaded_by_id=getattr(by, "id", None),
    )
    application.attachments.append(item)
    session.flush()
    return item


def get_attachment(session: Session, attachment_id: int, *, by) -> AdoptionAttachment:
    """An attachment, for a user who may read its application (the applicant, the panel, the
    secretariat, SAMR/MEE)."""
    item = session.get(AdoptionAttachment, attachment_id)
    if item is None:
        raise NotFound(_("没有这个附件。"))
    require(by, Action.VIEW_ADOPTION, item.application)
    return item


def remove_attachment(session: Session, item: AdoptionAttachment, *, by) -> None:
    require(by, Action.APPLY_FOR_ADOPTION, item.application)
    _editable(item.application)
    application = item.application
    with change_reason(session, N_("删除附件")):
        # Deleted explicitly, still linked (its audit label names the application): an orphan
        # the flush deletes on its own leaves no audit event.
        session.delete(item)
        session.flush()
    session.expire(application, ["attachments"])
    attachments.discard(session, item.stored_name)


def _missing_fields(application: AdoptionApplication) -> dict:
    return {
        name: _("请填写“%(label)s”：提交前必须填写。", label=_(label))
        for name, label in REQUIRED_FIELDS
        if not (getattr(application, name) or "").strip()
    }


def submit(session: Session, application: AdoptionApplication, *, by, today: date) -> list[Finding]:
    """Submit a draft: refused while a required field is empty (InvalidInput naming the fields)
    or an eligibility line is an error (AdoptionRefused with every line); the lines are stored."""
    require(by, Action.APPLY_FOR_ADOPTION, application)
    _editable(application)
    result = check(session, application.standard, application, today=today)
    if not result.eligible:
        raise AdoptionRefused(result.findings)
    missing = _missing_fields(application)
    if missing:
        raise InvalidInput("；".join(missing.values()), details=missing)
    with change_reason(session, N_("提交采信申请")):
        application.status = ApplicationStatus.SUBMITTED
        application.submitted_on = today
        application.eligibility = [found.to_dict() for found in result.findings]
    return result.findings


def withdraw(session: Session, application: AdoptionApplication, *, by, reason: str = "") -> AdoptionApplication:
    require(by, Action.APPLY_FOR_ADOPTION, application)
    if application.status not in OPEN:
        raise Conflict(_("这项采信申请已有决定，不能撤回。"))
    reason = long_text_field(reason, "reason", _("理由"), MAX_TEXT)
    with change_reason(session, reason or N_("申请单位撤回")):
        application.status = ApplicationStatus.WITHDRAWN
    return application


# --- the panel ------------------------------------------------------------------------------------


def drafting_units(application: AdoptionApplication) -> list[str]:
    return [unit.strip() for unit in _UNIT_SEPARATORS.split(application.drafting_units or "") if unit.strip()]


def recusal_reason(application: AdoptionApplication, user: User) -> str | None:
    """Why `user` may not sit on the panel (stored text, N_), or None."""
    organisation = user.organisation
    name = (organisation.name if organisation is not None else "").strip()
    if user.organisation_id is not None and user.organisation_id == application.organisation_id:
        return N_("是申请单位“%(organisation)s”的成员") % {"organisation": name}
    if name and name in drafting_units(application):
        return N_("所在单位“%(organisation)s”是该团体标准的起草单位") % {"organisation": name}
    if name and name in issuers(application.standard.association):
        return N_("所在单位“%(organisation)s”是该团体标准的发布团体") % {"organisation": name}
    return None


def add_panel_member(session: Session, application: AdoptionApplication, user: User | None, *, by) -> PanelMember:
    """Name an evaluator to the panel. A user who must recuse is recorded as recused, with the
    reason, and returned so: the caller shows it as a refusal (see the module's note)."""
    require(by, Action.FORM_PANEL, application)
    if application.status != ApplicationStatus.SUBMITTED:
        raise Conflict(_("只能为已提交、评审中的采信申请组建评审组。"))
    if user is None:
        refuse("user_id", _("请从评估专家中选择评审组成员。"))
    if user.role != Role.EVALUATOR or not user.is_active:
        refuse("user_id", _("“%(name)s”不是启用的评估专家账户：评审组成员须是评估专家。", name=user.display_name))
    for member in application.panel:
        if member.user_id == user.id:
            if member.status == PanelStatus.RECUSED:
                refuse(
                    "user_id",
                    _("“%(name)s”已记录为回避：%(reason)s。", name=user.display_name, reason=_(member.recusal_reason)),
                )
            refuse("user_id", _("“%(name)s”已在评审组中。", name=user.display_name))
    reason = recusal_reason(application, user)
    member = PanelMember(
        user=user,
        status=PanelStatus.RECUSED if reason else PanelStatus.MEMBER,
        recusal_reason=reason or "",
        added_by_id=getattr(by, "id", None),
    )
    with change_reason(session, N_("回避：%(reason)s") % {"reason": reason} if reason else N_("加入评审组")):
        application.panel.append(member)
    return member


def recusal_message(member: PanelMember) -> str:
    return _(
        "“%(name)s”不能加入评审组，已记录回避：%(reason)s（申请单位、起草单位和发布团体的成员须回避）。",
        name=member.user.display_name,
        reason=_(member.recusal_reason),
    )


def remove_panel_member(session: Session, member: PanelMember, *, by) -> None:
    """Take a member off the panel, with their scores; a recusal stays on record."""
    application = member.application
    require(by, Action.FORM_PANEL, application)
    if application.status != ApplicationStatus.SUBMITTED:
        raise Conflict(_("已有决定的采信申请，评审组不再变动。"))
    if member.status == PanelStatus.RECUSED:
        raise Conflict(_("回避记录保留在申请中，不能删除。"))
    with change_reason(session, N_("移出评审组")):
        # Deleted explicitly, still linked (their audit labels name the application): an orphan
        # the flush deletes on its own leaves no audit event.
        for score in [score for score in application.scores if score.user_id == member.user_id]:
            session.delete(score)
        session.delete(member)
        session.flush()
    session.expire(application, ["scores", "panel"])


def get_panel_member(session: Session, member_id: int, *, by) -> PanelMember:
    member = session.get(PanelMember, member_id)
    if member is None:
        raise NotFound(_("没有这位评审组成员。"))
    require(by, Action.VIEW_ADOPTION, member.application)
    return member


# --- scores ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreInput:
    dimension: str
    score: int | None
    remarks: str = ""


def score(session: Session, application: AdoptionApplication, entries: list[ScoreInput], *, by) -> None:
    """A panel member scores every dimension (1–5, with remarks); scoring again replaces their own."""
    require(by, Action.SCORE_ADOPTION, application)
    if application.status != ApplicationStatus.SUBMITTED:
        raise Conflict(_("只能为评审中的采信申请评分。"))
    given = {entry.dimension: entry for entry in entries}
    problems = {}
    for dimension in ADOPTION_DIMENSIONS:
        entry = given.get(dimension.key)
        if entry is None or entry.score is None or not SCORE_MIN <= entry.score <= SCORE_MAX:
            problems[f"score_{dimension.key}"] = _(
                "请为“%(dimension)s”打分（%(min)d–%(max)d 的整数）。",
                dimension=_(dimension.label),
                min=SCORE_MIN,
                max=SCORE_MAX,
            )
        elif len(entry.remarks or "") > MAX_TEXT:
            problems[f"remarks_{dimension.key}"] = _("意见不能超过 %(max)d 个字符。", max=MAX_TEXT)
    unknown = set(given) - {dimension.key for dimension in ADOPTION_DIMENSIONS}
    if unknown:
        problems["dimension"] = _("没有这个评分维度：%(names)s。", names=_("、").join(sorted(unknown)))
    if problems:
        raise InvalidInput("；".join(problems.values()), details=problems)
    own = {row.dimension: row for row in application.scores if row.user_id == by.id}
    scorer = session.get(User, by.id)
    with change_reason(session, N_("评分") if not own else N_("重新评分")):
        for dimension in ADOPTION_DIMENSIONS:
            entry = given[dimension.key]
            remarks = long_text_field(entry.remarks, f"remarks_{dimension.key}", _("意见"), MAX_TEXT)
            row = own.get(dimension.key)
            if row is None:
                application.scores.append(
                    AdoptionScore(user=scorer, dimension=dimension.key, score=entry.score, remarks=remarks)
                )
            else:
                row.score, row.remarks = entry.score, remarks


@dataclass
class DimensionSummary:
    key: str
    label: str  # N_
    count: int
    mean: float | None
    low: int | None
    high: int | None
    stdev: float | None  # population standard deviation of the panel's scores
    dissent: list[tuple[str, int]] = field(default_factory=list)  # (member, score) ≥ DISSENT from the mean
    scores: dict[int, AdoptionScore] = field(default_factory=dict)  # by user id


def aggregate(application: AdoptionApplication) -> list[DimensionSummary]:
    """Per dimension: how many scored, the mean, the spread (lowest–highest and the standard
    deviation) and the members whose score is DISSENT or more from the mean. No weighted total
    (none is published: dimensions.py)."""
    members = application.panel_user_ids
    summaries = []
    for dimension in ADOPTION_DIMENSIONS:
        rows = [row for row in application.scores if row.dimension == dimension.key and row.user_id in members]
        values = [row.score for row in rows]
        if not values:
            summaries.append(DimensionSummary(dimension.key, dimension.label, 0, None, None, None, None))
            continue
        mean = statistics.fmean(values)
        summaries.append(
            DimensionSummary(
                dimension.key,
                dimension.label,
                len(values),
                round(mean, 2),
                min(values),
                max(values),
                round(statistics.pstdev(values), 2),
                [(row.user.display_name, row.score) for row in rows if abs(row.score - mean) >= DISSENT],
                {row.user_id: row for row in rows},
            )
        )
    return summaries


def complete_scorers(application: AdoptionApplication) -> set[int]:
    """The panel members who scored every dimension."""
    wanted = {dimension.key for dimension in ADOPTION_DIMENSIONS}
    done: dict[int, set[str]] = {}
    for row in application.scores:
        done.setdefault(row.user_id, set()).add(row.dimension)
    return {user_id for user_id in application.panel_user_ids if wanted <= done.get(user_id, set())}


# --- SAMR's decision -------------------------------------------------------------------------------


def _decidable(application: AdoptionApplication) -> None:
    if application.status != ApplicationStatus.SUBMITTED:
        raise Conflict(_("只能对评审中的采信申请作出决定。"))


def adopt(
    session: Session,
    application: AdoptionApplication,
    *,
    by,
    today: date,
    working_group_id: int | None = None,
    reason: str = "",
) -> AdoptionApplication:
    """采信: a national project at stage 10 (立项) made from the group standard, due for 报批
    MONTHS_TO_APPROVAL months from today, and the registry's 采信 relation from it to the group
    standard. Refused unless MIN_SCORERS panel members scored every dimension and the
    eligibility still holds today. When the group standard was drafted as a rule here, its
    current document becomes the national rule's text; otherwise the project's note names the
    source (the text is among the application's attachments)."""
    require(by, Action.DECIDE_ADOPTION, application)
    _decidable(application)
    scorers = complete_scorers(application)
    if len(scorers) < MIN_SCORERS:
        raise Conflict(
            _(
                "采信前须至少 %(min)d 位评审组成员完成全部维度的评分（现有 %(count)d 位）。",
                min=MIN_SCORERS,
                count=len(scorers),
            )
        )
    standard = application.standard
    result = check(session, standard, application, today=today)
    if not result.eligible:
        raise AdoptionRefused(result.findings)
    working_group = None
    if working_group_id:
        working_group = session.get(WorkingGroup, working_group_id)
        if working_group is None or working_group.is_archived:
            refuse("working_group_id", _("没有这个工作组：请从列表中选择，或留空。"))
    reason = long_text_field(reason, "reason", _("理由"), MAX_TEXT)
    rule = drafting.create_rule(
        session,
        product=standard.product,
        working_group=working_group,
        by=by,
        today=today,
        stage=drafting.APPROVED_STAGE,
        new_project=True,
    )
    national = rule.standard
    source = drafting.rule_of_standard(session, standard)
    copied = failed = False
    if source is not None and source.current_revision:
        try:
            drafting.save_revision(
                session,
                rule,
                drafting.revision(session, source).document,
                message=N_("采信团体标准 %(number)s 的文本") % {"number": standard.designation},
                based_on=rule.current_revision,
                by=by,
            )
            copied = True
        except (InvalidInput, Conflict) as error:
            # The adoption stands (SAMR decided on the application, not on the rule's file); the
            # project's note, shown on the application and the registry, says where the text is.
            failed = True
            logger.warning(
                "Adoption #%s: the text of rule %s could not be copied into rule %s: %s",
                application.id,
                source.code,
                rule.code,
                error,
            )
    params = {"number": standard.designation, "id": application.id, "rule": source.code if source else ""}
    if copied:
        note = N_("采信团体标准 %(number)s（采信申请 #%(id)d），文本取自规则 %(rule)s") % params
    elif failed:
        note = (
            N_(
                "采信团体标准 %(number)s（采信申请 #%(id)d）。规则 %(rule)s 的文本未能复制到本项目（不符合当前模板或规则已归档）："
                "本项目的文本须取自申请附件中的团体标准文本。"
            )
            % params
        )
    else:
        note = N_("采信团体标准 %(number)s（采信申请 #%(id)d），文本见申请附件中的团体标准文本") % params
    with change_reason(session, N_("采信团体标准")):
        national.note = note
    registry.add_relation(session, national, RelationKind.ADOPTS_GROUP, target=standard, by=by)
    with change_reason(session, reason or N_("采信")):
        application.status = ApplicationStatus.ADOPTED
        application.decided_on = today
        application.decided_by_id = getattr(by, "id", None)
        application.decision_reason = reason
        application.national_id = national.id
        application.rule_id = rule.id
        application.due_on = add_months(today, MONTHS_TO_APPROVAL)
    return application


def decline(session: Session, application: AdoptionApplication, reason: str, *, by, today: date) -> AdoptionApplication:
    """不予采信, with the reason the applicant will read."""
    require(by, Action.DECIDE_ADOPTION, application)
    _decidable(application)
    reason = long_text_field(reason, "reason", _("理由"), MAX_TEXT)
    if not reason:
        refuse("reason", _("不予采信须说明理由：申请单位将看到它。"))
    with change_reason(session, reason):
        application.status = ApplicationStatus.DECLINED
        application.decided_on = today
        application.decided_by_id = getattr(by, "id", None)
        application.decision_reason = reason
    return application


# --- the timeline ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    at: datetime
    actor: str
    status: str | None
    reason: str | None


def timeline(session: Session, application: AdoptionApplication, *, by) -> list[Step]:
    """The application's steps from the audit trail, oldest first."""
    require(by, Action.VIEW_ADOPTION, application)
    events = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.record_type == AdoptionApplication.__audit_type__,
            AuditEvent.record_id == str(application.id),
        )
        .order_by(AuditEvent.id)
    )
    steps = []
    for event in events:
        status = (event.changes or {}).get("status", {}).get("after")
        if event.action == "created":
            status = status or ApplicationStatus.DRAFT.value
        steps.append(
            Step(
                event.occurred_at, event.actor_label, status if status in set(ApplicationStatus) else None, event.reason
            )
        )
    return steps
