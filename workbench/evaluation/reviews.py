"""Periodic review (复审, 《标准化法》第二十九条: generally at most every five years) and the
secretariat's evaluation plans (指引（十二）: TCs, associations and research institutes evaluate).

A standard in force is due for review five years (workbench.drafting.stages.REVIEW_INTERVAL_YEARS)
after its last review, the latest concluded evaluation, or after its publication when it has none;
a 29 February moves to 28 February. The review-due list reads every standard in force in one query
and their last reviews in a second.

A plan asks an evaluating organisation to evaluate a standard by a date; a standard has at most
one open (planned) plan. When its evaluation is concluded, the evaluation record (records.py)
sets the plan DONE. Plain functions taking a session; they never commit.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from workbench.audit import change_reason
from workbench.auth.models import ORGANISATION_KIND_LABELS, Organisation, OrganisationKind
from workbench.auth.permissions import Action, can, require
from workbench.drafting import stages
from workbench.errors import Conflict, NotFound, refuse
from workbench.evaluation.models import Evaluation, EvaluationPlan, EvaluationStatus, PlanStatus
from workbench.inputs import long_text_field
from workbench.registry.models import Standard, Status

IN_FORCE = (Status.PUBLISHED, Status.UNDER_REVISION)
# 指引（十二）: evaluations by technical committees, associations and research institutes.
EVALUATING_KINDS = (OrganisationKind.TC_SECRETARIAT, OrganisationKind.ASSOCIATION, OrganisationKind.RESEARCH_INSTITUTE)
MAX_NOTE = 4000
MAX_STANDARDS_PER_PLAN = 100  # standards scheduled in one go
DEFAULT_WINDOW_DAYS = 365


# --- periodic review -----------------------------------------------------------------------------


def last_review(session: Session, standard: Standard) -> date | None:
    """The day of the standard's latest concluded evaluation, or None."""
    return session.scalar(
        select(func.max(Evaluation.concluded_on)).where(
            Evaluation.standard_id == standard.id, Evaluation.status == EvaluationStatus.CONCLUDED
        )
    )


def review_due(standard: Standard, last_review: date | None) -> date | None:
    """When the standard is due for review: five years after its last review, else after its
    publication (a review concluded before the publication date, which the data should not hold,
    counts from the publication). None for a standard not in force or without a publication date."""
    if standard.status not in IN_FORCE or standard.published_on is None:
        return None
    start = max(last_review, standard.published_on) if last_review is not None else standard.published_on
    return stages.review_due(start)


@dataclass(frozen=True)
class DueItem:
    """One row of the review-due list. `overdue_days` is (today - due).days: positive when the
    review is overdue by that many days, 0 on the day it is due, negative when it is due in that
    many days."""

    standard: Standard
    number: str
    published: date
    last_review: date | None
    due: date
    overdue_days: int


def _earliest_publication(horizon: date) -> date:
    """Publications after this day cannot be due by `horizon` (one day of slack for 29 February)."""
    try:
        cutoff = horizon.replace(year=horizon.year - stages.REVIEW_INTERVAL_YEARS)
    except ValueError:  # horizon on 29 February
        cutoff = horizon.replace(year=horizon.year - stages.REVIEW_INTERVAL_YEARS, day=28)
    return cutoff + timedelta(days=1)


def due_list(session: Session, today: date, *, within_days: int = DEFAULT_WINDOW_DAYS) -> list[DueItem]:
    """The standards in force (published or under revision, not archived) whose review is overdue
    or due within `within_days` of `today`, the most overdue first. Two queries: the standards
    that could be due (none is due before five years after publication) and their last reviews."""
    horizon = today + timedelta(days=max(within_days, 0))
    could_be_due = (
        Standard.status.in_(IN_FORCE),
        Standard.archived_at.is_(None),
        Standard.published_on.is_not(None),
        Standard.published_on <= _earliest_publication(horizon),
    )
    standards = session.scalars(select(Standard).where(*could_be_due)).all()
    candidates = select(Standard.id).where(*could_be_due)
    reviewed = dict(
        session.execute(
            select(Evaluation.standard_id, func.max(Evaluation.concluded_on))
            .where(Evaluation.status == EvaluationStatus.CONCLUDED, Evaluation.standard_id.in_(candidates))
            .group_by(Evaluation.standard_id)
        ).all()
    )
    rows = []
    for standard in standards:
        last = reviewed.get(standard.id)
        due = review_due(standard, last)
        if due is None or due > horizon:
            continue
        rows.append(
            DueItem(
                standard=standard,
                number=standard.designation,
                published=standard.published_on,
                last_review=last,
                due=due,
                overdue_days=(today - due).days,
            )
        )
    rows.sort(key=lambda row: (row.due, row.number))
    return rows


def due_json(row: DueItem) -> dict:
    """A row as the command line and the API give it."""
    return {
        "standard_id": row.standard.id,
        "number": row.number,
        "title": row.standard.title,
        "published": row.published.isoformat(),
        "last_review": row.last_review.isoformat() if row.last_review else None,
        "due": row.due.isoformat(),
        "overdue_days": row.overdue_days,
    }


# --- evaluation plans ----------------------------------------------------------------------------


@dataclass
class PlanInput:
    standard_ids: list[int]
    organisation_id: int | None
    due_on: date | None
    note: str = ""


def open_plan(session: Session, standard: Standard) -> EvaluationPlan | None:
    """The standard's planned (neither done nor cancelled) evaluation plan, if any."""
    return session.scalar(
        select(EvaluationPlan)
        .where(EvaluationPlan.standard_id == standard.id, EvaluationPlan.status == PlanStatus.PLANNED)
        .order_by(EvaluationPlan.id)
        .limit(1)
    )


def open_plans(session: Session, standard_ids) -> dict[int, EvaluationPlan]:
    """The open plan of each of `standard_ids` that has one, in one query."""
    ids = sorted(set(standard_ids))
    if not ids:
        return {}
    plans = session.scalars(
        select(EvaluationPlan)
        .where(EvaluationPlan.standard_id.in_(ids), EvaluationPlan.status == PlanStatus.PLANNED)
        .options(selectinload(EvaluationPlan.organisation))
        .order_by(EvaluationPlan.id.desc())
    )
    return {plan.standard_id: plan for plan in plans}


def evaluating_organisations(session: Session) -> list[Organisation]:
    """The organisations that may be asked to evaluate: TC secretariats, associations, institutes."""
    return list(
        session.scalars(
            select(Organisation)
            .where(Organisation.kind.in_(EVALUATING_KINDS), Organisation.archived_at.is_(None))
            .order_by(Organisation.name)
        )
    )


def _plan_text(plan: EvaluationPlan) -> str:
    return _(
        "%(standard)s 已有评估计划：由%(organisation)s于 %(due)s 前完成",
        standard=plan.standard.designation,
        organisation=plan.organisation.name,
        due=plan.due_on.isoformat(),
    )


def schedule(session: Session, data: PlanInput, *, by, today: date) -> list[EvaluationPlan]:
    """Plan the evaluation of one or several standards in force by an evaluating organisation,
    to be finished by `due_on` (today or later). Refused, nothing saved, when a standard already
    has an open plan (the message names it)."""
    require(by, Action.PLAN_EVALUATIONS)
    ids = list(dict.fromkeys(data.standard_ids or ()))
    if not ids:
        refuse("standard_ids", _("请选择要评估的标准。"))
    if len(ids) > MAX_STANDARDS_PER_PLAN:
        refuse("standard_ids", _("一次最多安排 %(max)d 项标准的评估。", max=MAX_STANDARDS_PER_PLAN))
    # Two secretaries scheduling the same standard at once: the second waits here, then sees the first plan.
    session.execute(select(Standard.id).where(Standard.id.in_(ids)).order_by(Standard.id).with_for_update())
    standards = {standard.id: standard for standard in session.scalars(select(Standard).where(Standard.id.in_(ids)))}
    missing = [str(standard_id) for standard_id in ids if standard_id not in standards]
    if missing:
        refuse("standard_ids", _("没有编号为 %(ids)s 的标准。", ids=_("、").join(missing)))
    not_in_force = [
        standards[i].designation for i in ids if standards[i].status not in IN_FORCE or standards[i].is_archived
    ]
    if not_in_force:
        refuse(
            "standard_ids",
            _("只能评估现行标准（已发布或修订中）：%(standards)s 不是。", standards=_("、").join(not_in_force)),
        )
    organisation = session.get(Organisation, data.organisation_id) if data.organisation_id else None
    if organisation is None or organisation.is_archived:
        refuse("organisation_id", _("请选择评估机构。"))
    if organisation.kind not in EVALUATING_KINDS:
        refuse(
            "organisation_id",
            _(
                "“%(name)s”是%(kind)s，不能承担评估：请选择标准化技术委员会秘书处、社会团体（协会）或研究机构。",
                name=organisation.name,
                kind=ORGANISATION_KIND_LABELS.get(organisation.kind, organisation.kind),
            ),
        )
    if data.due_on is None:
        refuse("due_on", _("请填写完成期限。"))
    if data.due_on < today:
        refuse("due_on", _("完成期限 %(due)s 已过，请填写今天或以后的日期。", due=data.due_on.isoformat()))
    note = long_text_field(data.note, "note", _("说明"), MAX_NOTE)
    existing = open_plans(session, ids)
    if existing:
        first = existing[min(existing, key=ids.index)]
        refuse("standard_ids", _plan_text(first) + _("。一项标准同时只能有一个评估计划：请先取消原计划。"))
    plans = [
        EvaluationPlan(
            standard=standards[standard_id],
            organisation=organisation,
            due_on=data.due_on,
            note=note,
            status=PlanStatus.PLANNED,
            created_by_id=getattr(by, "id", None),
        )
        for standard_id in ids
    ]
    session.add_all(plans)
    session.flush()
    return plans


def cancel(session: Session, plan: EvaluationPlan, reason: str, *, by) -> EvaluationPlan:
    """Cancel a planned evaluation, with the reason (kept in the audit trail)."""
    require(by, Action.PLAN_EVALUATIONS, plan)
    if plan.status != PlanStatus.PLANNED:
        raise Conflict(_("这项评估计划已完成或已取消，不能再取消。"))
    reason = long_text_field(reason, "reason", _("取消理由"), 1000, required=True)
    with change_reason(session, reason):
        plan.status = PlanStatus.CANCELLED
    return plan


def get_plan(session: Session, plan_id: int) -> EvaluationPlan:
    plan = session.get(EvaluationPlan, plan_id)
    if plan is None:
        raise NotFound(_("没有这项评估计划。"))
    return plan


def may_see_plans(user) -> bool:
    """The secretariat sees every plan; an evaluating organisation's members see theirs."""
    return can(user, Action.PLAN_EVALUATIONS) or can(user, Action.RECORD_EVALUATION)


def plans_query(user, *, status: PlanStatus | str | None = None, overdue_on: date | None = None) -> Select:
    """The plans `user` may see, by due date: all for PLAN_EVALUATIONS holders, else their
    organisation's (members of an evaluating organisation). `overdue_on`: only plans still planned
    whose due date is before that day."""
    if not may_see_plans(user):
        require(user, Action.PLAN_EVALUATIONS)  # refuses: a visitor signs in, anyone else is denied
    query = select(EvaluationPlan).options(
        selectinload(EvaluationPlan.standard), selectinload(EvaluationPlan.organisation)
    )
    if not can(user, Action.PLAN_EVALUATIONS):
        query = query.where(EvaluationPlan.organisation_id == user.organisation_id)
    if status:
        query = query.where(EvaluationPlan.status == PlanStatus(status))
    if overdue_on is not None:
        query = query.where(EvaluationPlan.status == PlanStatus.PLANNED, EvaluationPlan.due_on < overdue_on)
    return query.order_by(EvaluationPlan.due_on, EvaluationPlan.id)


def all_plans() -> Select:
    """Every plan by due date (the command line reads as the server does for the secretariat)."""
    return (
        select(EvaluationPlan)
        .options(selectinload(EvaluationPlan.standard), selectinload(EvaluationPlan.organisation))
        .order_by(EvaluationPlan.due_on, EvaluationPlan.id)
    )


def overdue_plans(session: Session, today: date) -> list[EvaluationPlan]:
    """Every plan still planned whose due date has passed, the longest overdue first."""
    return list(
        session.scalars(
            select(EvaluationPlan)
            .where(EvaluationPlan.status == PlanStatus.PLANNED, EvaluationPlan.due_on < today)
            .options(selectinload(EvaluationPlan.standard), selectinload(EvaluationPlan.organisation))
            .order_by(EvaluationPlan.due_on, EvaluationPlan.id)
        )
    )


def plan_json(plan: EvaluationPlan, today: date | None = None) -> dict:
    return {
        "id": plan.id,
        "standard": {"id": plan.standard.id, "number": plan.standard.designation, "title": plan.standard.title},
        "organisation": {"id": plan.organisation.id, "name": plan.organisation.name},
        "due_on": plan.due_on.isoformat(),
        "note": plan.note or "",
        "status": plan.status.value,
        "overdue": bool(today is not None and plan.status == PlanStatus.PLANNED and plan.due_on < today),
        "version": plan.version,
    }
