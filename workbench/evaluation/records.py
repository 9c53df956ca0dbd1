"""The evaluation record (后评估 / 复审, 指引（十二）; 《标准化法》第二十九条): an evaluating
organisation's members score the dimensions of dimensions.EVALUATION_DIMENSIONS, each with
evidence, and reach a conclusion that creates its follow-up in the same transaction:

- 继续有效 (continue), 提升 (improve): no project; 提升's recommendations are in the summary;
- 修订 (revise): a planned revision project in the registry (same level, product and title), which
  REPLACES the standard; the standard is "under revision" meanwhile;
- 整合 (integrate): the same, naming the standards it merges (Evaluation.merges, and the note):
  each must be in force and not the evaluated standard; the project REPLACES each of them too,
  and each is "under revision" like the evaluated one;
- 废止 (withdraw): a withdrawal proposal that SAMR/MEE decide (DECIDE_WITHDRAWAL): approved, the
  standard is withdrawn and its rule, if it has one at stage 60 or 90, moves to 95 through the
  workflow (so the stage history records it); rejected, with the reason.

Follow-ups never contradict each other: 修订 and 整合 are refused while a project in preparation
(planned, drafting, consultation) already replaces one of the standards they would replace, or
while a withdrawal of one is proposed; 废止 is refused while such a project or a proposed
withdrawal exists. The messages name what is in the way.

Who starts an evaluation (decided here): the secretariat schedules evaluations (reviews.schedule,
指引（十二）), so a member of an evaluating organisation starts one only from an open plan naming
its organisation (RECORD_EVALUATION on the plan; without naming the plan, the organisation's open
plan of the standard is taken). Without a plan only SAMR/MEE and the secretariat
(PLAN_EVALUATIONS) start one, for any evaluating organisation: otherwise any evaluator could put
a national standard under revision on their own. One evaluation in progress per standard and
organisation.

A concluded evaluation never changes (Conflict). The facts (facts.py) are stored with the
conclusion as they stood. Plain functions taking a session; they never commit.
"""

import re
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from workbench.audit import change_reason
from workbench.auth.models import Organisation, actor_of
from workbench.auth.permissions import Action, can, require
from workbench.drafting import stages
from workbench.drafting.service import rule_of_standard
from workbench.errors import Conflict, InvalidInput, NotFound, refuse
from workbench.evaluation import facts as evaluation_facts
from workbench.evaluation.dimensions import EVALUATION_DIMENSION, EVALUATION_DIMENSIONS
from workbench.evaluation.models import (
    CONCLUSION_LABELS,
    Conclusion,
    Evaluation,
    EvaluationPlan,
    EvaluationScore,
    EvaluationStatus,
    PlanStatus,
    Withdrawal,
    WithdrawalStatus,
)
from workbench.evaluation.reviews import EVALUATING_KINDS
from workbench.inputs import choice_field, long_text_field
from workbench.messages import N_
from workbench.registry import service as registry
from workbench.registry.models import STATUS_LABELS, RelationKind, Standard, StandardRelation, Status
from workbench.workflow import service as workflow

MAX_TEXT = 4000
MAX_MERGES = 20
EVALUABLE = (Status.PUBLISHED, Status.UNDER_REVISION)  # standards in force (or about to be)
IN_PREPARATION = (Status.PLANNED, Status.DRAFTING, Status.CONSULTATION)  # an open project
WITHDRAWABLE_STAGES = (stages.PUBLICATION, "90")  # a rule at these stages moves to 95 on withdrawal
# Conclusions that create a project in the registry.
PROJECT_CONCLUSIONS = (Conclusion.REVISE, Conclusion.INTEGRATE)


# --- reading ------------------------------------------------------------------------------------


def get_standard(session: Session, standard_id: int | None) -> Standard:
    """The registered standard (the pages and the API of the section name standards by id)."""
    standard = session.get(Standard, standard_id) if standard_id else None
    if standard is None:
        raise NotFound(_("没有这项标准。"))
    return standard


def get(session: Session, evaluation_id: int, *, by) -> Evaluation:
    """The evaluation, for a reader who may see it: a concluded one is public (the standard's
    page shows it); one in progress is read by those who keep it and by the oversight
    (PLAN_EVALUATIONS)."""
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None:
        raise NotFound(_("没有这项评估。"))
    if not evaluation.is_concluded and not can(by, Action.PLAN_EVALUATIONS):
        require(by, Action.RECORD_EVALUATION, evaluation)
    return evaluation


def may_read(user, evaluation: Evaluation) -> bool:
    return (
        evaluation.is_concluded or can(user, Action.PLAN_EVALUATIONS) or can(user, Action.RECORD_EVALUATION, evaluation)
    )


def of_standard(session: Session, standard: Standard, *, by=None) -> list[Evaluation]:
    """The standard's evaluations `by` may read, newest first (concluded ones for everyone)."""
    rows = session.scalars(
        select(Evaluation)
        .options(selectinload(Evaluation.organisation), selectinload(Evaluation.follow_up))
        .where(Evaluation.standard_id == standard.id)
        .order_by(Evaluation.started_on.desc(), Evaluation.id.desc())
    )
    return [evaluation for evaluation in rows if may_read(by, evaluation)]


def concluded_of(session: Session, standard: Standard) -> list[Evaluation]:
    """The standard's concluded evaluations, newest first."""
    return evaluation_facts.concluded_evaluations(session, standard)


def in_progress(session: Session, user) -> list[Evaluation]:
    """The evaluations in progress `user` keeps (their organisation's), or all for the oversight."""
    query = (
        select(Evaluation)
        .options(selectinload(Evaluation.standard), selectinload(Evaluation.organisation))
        .where(Evaluation.status == EvaluationStatus.DRAFT)
        .order_by(Evaluation.started_on, Evaluation.id)
    )
    if not can(user, Action.PLAN_EVALUATIONS):
        if not can(user, Action.RECORD_EVALUATION):
            return []
        query = query.where(Evaluation.organisation_id == user.organisation_id)
    return list(session.scalars(query))


def planned_for(session: Session, user) -> list[EvaluationPlan]:
    """The open plans of `user`'s organisation that have no evaluation in progress yet."""
    if not can(user, Action.RECORD_EVALUATION):
        return []
    started = select(Evaluation.plan_id).where(Evaluation.plan_id.is_not(None))
    return list(
        session.scalars(
            select(EvaluationPlan)
            .options(selectinload(EvaluationPlan.standard))
            .where(
                EvaluationPlan.organisation_id == user.organisation_id,
                EvaluationPlan.status == PlanStatus.PLANNED,
                EvaluationPlan.id.not_in(started),
            )
            .order_by(EvaluationPlan.due_on, EvaluationPlan.id)
        )
    )


def recent_conclusions(session: Session, *, limit: int = 20) -> list[Evaluation]:
    return list(
        session.scalars(
            select(Evaluation)
            .options(
                selectinload(Evaluation.standard),
                selectinload(Evaluation.organisation),
                selectinload(Evaluation.follow_up),
            )
            .where(Evaluation.status == EvaluationStatus.CONCLUDED)
            .order_by(Evaluation.concluded_on.desc(), Evaluation.id.desc())
            .limit(limit)
        )
    )


def withdrawal_of(session: Session, evaluation: Evaluation) -> Withdrawal | None:
    return session.scalar(select(Withdrawal).where(Withdrawal.evaluation_id == evaluation.id))


def withdrawals_of(session: Session, evaluation_ids: list[int]) -> dict[int, Withdrawal]:
    if not evaluation_ids:
        return {}
    rows = session.scalars(select(Withdrawal).where(Withdrawal.evaluation_id.in_(evaluation_ids)))
    return {withdrawal.evaluation_id: withdrawal for withdrawal in rows}


def pending_withdrawals(session: Session) -> list[Withdrawal]:
    return list(
        session.scalars(
            select(Withdrawal)
            .options(selectinload(Withdrawal.standard))
            .where(Withdrawal.status == WithdrawalStatus.PROPOSED)
            .order_by(Withdrawal.id)
        )
    )


def missing_dimensions(evaluation: Evaluation) -> list[str]:
    """The keys of the dimensions not scored yet, in the order of EVALUATION_DIMENSIONS."""
    scored = {score.dimension for score in evaluation.scores}
    return [dimension.key for dimension in EVALUATION_DIMENSIONS if dimension.key not in scored]


def own_open_plan(session: Session, user, standard: Standard) -> EvaluationPlan | None:
    """The open plan of `standard` naming `user`'s organisation, when `user` evaluates for it."""
    if not can(user, Action.RECORD_EVALUATION):
        return None
    return _open_plan(session, standard, user.organisation_id)


def may_start(session: Session, user, standard: Standard) -> bool:
    """Whether `user` may start an evaluation of `standard` (the page shows the button): the
    oversight always, an evaluating organisation's member from its open plan of the standard."""
    if standard.status not in EVALUABLE or standard.is_archived:
        return False
    return can(user, Action.PLAN_EVALUATIONS) or own_open_plan(session, user, standard) is not None


# --- starting -----------------------------------------------------------------------------------


class _Own:
    """RECORD_EVALUATION's target for an evaluation not made yet: the organisation it will name."""

    def __init__(self, organisation_id: int | None):
        self.organisation_id = organisation_id


def _open_plan(session: Session, standard: Standard, organisation_id: int) -> EvaluationPlan | None:
    return session.scalar(
        select(EvaluationPlan)
        .where(
            EvaluationPlan.standard_id == standard.id,
            EvaluationPlan.organisation_id == organisation_id,
            EvaluationPlan.status == PlanStatus.PLANNED,
        )
        .order_by(EvaluationPlan.id)
        .limit(1)
    )


def start(
    session: Session,
    standard: Standard,
    *,
    by,
    today: date,
    plan: EvaluationPlan | None = None,
    organisation: Organisation | None = None,
) -> Evaluation:
    """Start an evaluation of a standard in force (see the module docstring for who may)."""
    oversight = can(by, Action.PLAN_EVALUATIONS)
    if plan is None and not oversight:
        # An evaluating organisation's member: from its open plan of the standard, or not at all.
        own = organisation if organisation is not None else getattr(by, "organisation", None)
        require(by, Action.RECORD_EVALUATION, _Own(own.id if own is not None else None))
        plan = _open_plan(session, standard, own.id)
        if plan is None:
            require(by, Action.PLAN_EVALUATIONS)  # refused: the secretariat schedules evaluations
    if plan is not None:
        if not oversight:
            require(by, Action.RECORD_EVALUATION, plan)
        if plan.standard_id != standard.id:
            refuse("plan_id", _("该评估计划不是针对这项标准的。"))
        if plan.status != PlanStatus.PLANNED:
            raise Conflict(_("该评估计划已完成或已取消，不能再据此开始评估。"))
        organisation = plan.organisation
    else:
        if organisation is None:
            organisation = getattr(by, "organisation", None)
        if organisation is None:
            refuse("organisation_id", _("请选择评估机构。"))
        if organisation.kind not in EVALUATING_KINDS or organisation.is_archived:
            refuse(
                "organisation_id",
                _(
                    "“%(name)s”不是评估机构：评估由标准化技术委员会、社会团体或研究机构承担（指引（十二））。",
                    name=organisation.name,
                ),
            )
        plan = _open_plan(session, standard, organisation.id)
    if standard.status not in EVALUABLE or standard.is_archived:
        refuse("standard_id", _("只能评估已发布或修订中的标准。"))
    running = session.scalar(
        select(Evaluation).where(
            Evaluation.standard_id == standard.id,
            Evaluation.organisation_id == organisation.id,
            Evaluation.status == EvaluationStatus.DRAFT,
        )
    )
    if running is not None:
        raise Conflict(
            _(
                "%(organisation)s对 %(standard)s 的评估已在进行中（%(date)s 开始）：请继续那一项评估。",
                organisation=organisation.name,
                standard=standard.designation,
                date=running.started_on.isoformat(),
            ),
            details={"evaluation_id": running.id},
        )
    evaluation = Evaluation(
        standard=standard,
        plan=plan,
        organisation=organisation,
        status=EvaluationStatus.DRAFT,
        started_on=today,
        created_by_id=getattr(by, "id", None),
    )
    session.add(evaluation)
    session.flush()
    return evaluation


# --- scoring ------------------------------------------------------------------------------------


def _still_open(evaluation: Evaluation) -> None:
    if evaluation.is_concluded:
        raise Conflict(_("这项评估已得出结论，不能再修改。"))


def score(
    session: Session,
    evaluation: Evaluation,
    dimension: str,
    value: str,
    *,
    evidence: str,
    remarks: str = "",
    by,
) -> EvaluationScore:
    """Score one dimension (again: a later score replaces the earlier one, the audit trail keeps both)."""
    require(by, Action.RECORD_EVALUATION, evaluation)
    _still_open(evaluation)
    found = EVALUATION_DIMENSION.get(dimension or "")
    if found is None:
        choices = _("、").join(EVALUATION_DIMENSION)
        refuse("dimension", _("没有指标“%(key)s”，可选：%(choices)s。", key=dimension, choices=choices))
    allowed = [option for option, _label in found.scale]
    if value not in allowed:
        refuse(
            "value",
            _(
                "请为“%(dimension)s”选择一项评价：%(choices)s。",
                dimension=_(found.label),
                choices=_("、").join(_(label) for _option, label in found.scale),
            ),
        )
    evidence = long_text_field(evidence, "evidence", _("依据"), MAX_TEXT, required=True)
    remarks = long_text_field(remarks, "remarks", _("备注"), MAX_TEXT)
    actor = actor_of(by)
    existing = next((row for row in evaluation.scores if row.dimension == found.key), None)
    if existing is None:
        existing = EvaluationScore(dimension=found.key, value=value, evidence=evidence, remarks=remarks)
        existing.scored_by_id, existing.scored_by_label = actor.user_id, actor.label
        evaluation.scores.append(existing)
        session.flush()
        return existing
    with change_reason(session, N_("重新评价")):
        existing.value, existing.evidence, existing.remarks = value, evidence, remarks
        existing.scored_by_id, existing.scored_by_label = actor.user_id, actor.label
    return existing


# --- concluding ---------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\n\r,，;；、]+")


def resolve_numbers(session: Session, text: str, field_name: str = "merges") -> list[Standard]:
    """The registered standards named in `text` (numbers separated by lines, commas or 、);
    refused naming the numbers the registry does not hold."""
    wanted = [part.strip() for part in _SEPARATORS.split(text or "") if part.strip()]
    if len(wanted) > MAX_MERGES:
        refuse(field_name, _("最多填写 %(max)d 项标准。", max=MAX_MERGES))
    found, unknown = [], []
    for number in wanted:
        standard = registry.find_standard(session, number)
        if standard is None:
            unknown.append(number)
        elif standard not in found:
            found.append(standard)
    if unknown:
        refuse(
            field_name,
            _(
                "标准体系中没有编号为 %(numbers)s 的标准：请核对编号（如 GB/T 44905-2024），或先登记该标准。",
                numbers=_("、").join(unknown),
            ),
        )
    return found


def _project_note(evaluation: Evaluation, conclusion: Conclusion, merges: list[Standard]) -> str:
    # Stored text: the same for every reader.
    params = {
        "id": evaluation.id,
        "organisation": evaluation.organisation.name,
        "standard": evaluation.standard.designation,
    }
    if conclusion == Conclusion.INTEGRATE:
        params["merges"] = "、".join(standard.designation for standard in merges)  # stored Chinese text
        return (
            N_(
                "整合项目（预阶段 00）：%(organisation)s的标准评估 #%(id)d 结论为整合，将 %(standard)s 与 %(merges)s 整合。"
            )
            % params
        )
    return N_("修订项目（预阶段 00）：%(organisation)s的标准评估 #%(id)d 结论为修订 %(standard)s。") % params


def _create_project(session: Session, evaluation: Evaluation, conclusion: Conclusion, merges, *, by, today) -> Standard:
    standard = evaluation.standard
    project, _findings = registry.register_follow_up_project(
        session,
        registry.StandardInput(
            level=standard.level,
            title=standard.title,
            title_en=standard.title_en,
            status=Status.PLANNED,
            product=standard.product,
            committee=standard.committee,
            association=standard.association,
            region=standard.region,
            note=_project_note(evaluation, conclusion, merges),
        ),
        evaluation=evaluation,
        replaces=[standard, *merges],
        by=by,
        on=today,
    )
    return project


def open_projects_replacing(session: Session, standards: list[Standard]) -> list[Standard]:
    """The projects in preparation (planned, drafting, consultation) that replace any of `standards`."""
    ids = [standard.id for standard in standards]
    return list(
        session.scalars(
            select(Standard)
            .join(StandardRelation, StandardRelation.standard_id == Standard.id)
            .where(
                StandardRelation.kind == RelationKind.REPLACES,
                StandardRelation.target_id.in_(ids),
                Standard.status.in_(IN_PREPARATION),
                Standard.archived_at.is_(None),
            )
            .order_by(Standard.id)
            .distinct()
        )
    )


def proposed_withdrawals(session: Session, standards: list[Standard]) -> list[Withdrawal]:
    """The withdrawals of any of `standards` proposed and not decided yet."""
    ids = [standard.id for standard in standards]
    return list(
        session.scalars(
            select(Withdrawal)
            .where(Withdrawal.standard_id.in_(ids), Withdrawal.status == WithdrawalStatus.PROPOSED)
            .order_by(Withdrawal.id)
        )
    )


def _refuse_conflicting_follow_ups(session: Session, conclusion: Conclusion, standards: list[Standard]) -> None:
    """A revision, an integration and a withdrawal of one standard exclude each other (module docstring)."""
    if conclusion not in (*PROJECT_CONCLUSIONS, Conclusion.WITHDRAW):
        return
    # Two conclusions at once: the second waits here, then sees the first one's project or proposal.
    ids = sorted(standard.id for standard in standards)
    session.execute(select(Standard.id).where(Standard.id.in_(ids)).order_by(Standard.id).with_for_update())
    projects = open_projects_replacing(session, standards)
    if projects:
        project = projects[0]
        replaced = next(
            relation.target
            for relation in project.relations
            if relation.kind == RelationKind.REPLACES and relation.target in standards
        )
        message = _(
            "%(project)s（%(status)s）已在代替 %(standard)s：请在该项目中处理，或待其发布或撤销后再得出“%(conclusion)s”结论。",
            project=project.designation,
            status=STATUS_LABELS[project.status],
            standard=replaced.designation,
            conclusion=CONCLUSION_LABELS[conclusion],
        )
        raise Conflict(message, details={"conclusion": message})
    withdrawals = proposed_withdrawals(session, standards)
    if withdrawals:
        withdrawal = withdrawals[0]
        message = _(
            "%(standard)s 已有待决定的废止建议（标准评估 #%(id)d）：请待市场监管总局、生态环境部作出决定后再得出“%(conclusion)s”结论。",
            standard=withdrawal.standard.designation,
            id=withdrawal.evaluation_id,
            conclusion=CONCLUSION_LABELS[conclusion],
        )
        raise Conflict(message, details={"conclusion": message})


def conclude(
    session: Session,
    evaluation: Evaluation,
    conclusion: str | Conclusion,
    summary: str,
    *,
    merges: list[Standard] = (),
    by,
    today: date,
) -> Evaluation:
    """Reach the conclusion and create its follow-up (see the module docstring). Refused until
    every dimension is scored (the message names those missing)."""
    require(by, Action.RECORD_EVALUATION, evaluation)
    _still_open(evaluation)
    conclusion = choice_field(Conclusion, conclusion, "conclusion", _("评估结论"))
    summary = long_text_field(summary, "summary", _("评估意见"), MAX_TEXT, required=True)
    missing = missing_dimensions(evaluation)
    if missing:
        names = _("、").join(_(EVALUATION_DIMENSION[key].label) for key in missing)
        raise InvalidInput(
            _("还有指标没有评价：%(names)s。请逐项评价后再得出结论。", names=names),
            details={"conclusion": _("还有指标没有评价：%(names)s。", names=names), "missing": missing},
        )
    merges = list(dict.fromkeys(merges or ()))
    if conclusion == Conclusion.INTEGRATE:
        if not merges:
            refuse("merges", _("结论为“整合”时，请填写与之整合的标准编号。"))
        if any(other.id == evaluation.standard_id for other in merges):
            refuse("merges", _("整合的标准不能是被评估的标准本身。"))
        if len(merges) > MAX_MERGES:
            refuse("merges", _("最多填写 %(max)d 项标准。", max=MAX_MERGES))
        not_in_force = [other.designation for other in merges if other.status not in EVALUABLE or other.is_archived]
        if not_in_force:
            refuse(
                "merges",
                _(
                    "只能整合现行标准（已发布或修订中）：%(standards)s 不是。",
                    standards=_("、").join(not_in_force),
                ),
            )
    elif merges:
        refuse("merges", _("只有结论为“整合”时才填写整合的标准。"))
    standard = evaluation.standard
    _refuse_conflicting_follow_ups(session, conclusion, [standard, *merges])
    snapshot = evaluation_facts.as_json(evaluation_facts.gather(session, standard, today), today)
    follow_up = None
    if conclusion in PROJECT_CONCLUSIONS:
        follow_up = _create_project(session, evaluation, conclusion, merges, by=by, today=today)
    with change_reason(session, N_("得出评估结论")):
        evaluation.conclusion = conclusion
        evaluation.summary = summary
        evaluation.status = EvaluationStatus.CONCLUDED
        evaluation.concluded_on = today
        evaluation.concluded_by_id = getattr(by, "id", None)
        evaluation.facts = snapshot
        evaluation.follow_up = follow_up
        evaluation.merges = merges
        if evaluation.plan is not None and evaluation.plan.status == PlanStatus.PLANNED:
            evaluation.plan.status = PlanStatus.DONE
    if follow_up is not None:
        reason = N_("标准评估结论：整合") if conclusion == Conclusion.INTEGRATE else N_("标准评估结论：修订")
        with change_reason(session, reason):
            for replaced in (standard, *merges):
                if replaced.status == Status.PUBLISHED:
                    replaced.status = Status.UNDER_REVISION
    if conclusion == Conclusion.WITHDRAW:
        session.add(Withdrawal(standard=standard, evaluation=evaluation, reason=summary))
        session.flush()
    return evaluation


# --- the withdrawal decision --------------------------------------------------------------------


def get_withdrawal(session: Session, withdrawal_id: int) -> Withdrawal:
    withdrawal = session.get(Withdrawal, withdrawal_id)
    if withdrawal is None:
        raise NotFound(_("没有这项废止建议。"))
    return withdrawal


def decide_withdrawal(
    session: Session, withdrawal: Withdrawal, *, approve: bool, reason: str = "", by, today: date
) -> Withdrawal:
    """SAMR/MEE decide a withdrawal proposal. Approved: the standard is withdrawn today and its
    rule at stage 60 or 90 moves to 95 (workflow.move_stage records the step). Rejected: with the
    reason (required), the standard stays as it is."""
    require(by, Action.DECIDE_WITHDRAWAL, withdrawal)
    if withdrawal.status != WithdrawalStatus.PROPOSED:
        raise Conflict(_("这项废止建议已有决定。"))
    reason = long_text_field(reason, "reason", _("决定理由"), MAX_TEXT, required=not approve)
    standard = withdrawal.standard
    if approve:
        note = reason or N_("根据标准评估结论批准废止")
        rule = rule_of_standard(session, standard)
        if rule is not None and rule.stage in WITHDRAWABLE_STAGES:
            workflow.move_stage(session, rule, stages.WITHDRAWN, by=by, today=today, note=note)
        with change_reason(session, note):
            standard.status = Status.WITHDRAWN
            standard.withdrawn_on = standard.withdrawn_on or today
    with change_reason(session, reason or None):
        withdrawal.status = WithdrawalStatus.APPROVED if approve else WithdrawalStatus.REJECTED
        withdrawal.decided_on = today
        withdrawal.decided_by_id = getattr(by, "id", None)
        withdrawal.decision_reason = reason
    return withdrawal
