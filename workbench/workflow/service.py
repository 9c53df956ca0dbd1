"""Moving a rule through its stages (GB/T 16733): the gates each move must pass, gathered from
drafting (errors, comments), trials (enterprises with calculated trials) and the registry (the
number), and what the move changes.

This module sits above drafting and trials so that neither needs the other: trials build on
drafting's rules and revisions; only a stage move looks at both. Like every service it takes
the acting user (`by`), asks `require` itself and never commits.
"""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.audit import change_reason
from workbench.auth.models import actor_of
from workbench.auth.permissions import Action, require
from workbench.db import utcnow
from workbench.drafting import service as drafting
from workbench.drafting import stages
from workbench.drafting.models import ConsultationComment, Rule, StageEvent
from workbench.errors import InvalidInput, refuse
from workbench.guideline import Finding
from workbench.guideline.findings import counts as count_findings
from workbench.i18n import finding_text
from workbench.registry.models import Status
from workbench.trials import service as trials


def facts(session: Session, rule: Rule, today: date, found: list[Finding] | None = None) -> stages.RuleFacts:
    """What the stage gates look at; `found` are the current revision's findings if the caller
    already has them."""
    if found is None:
        found = drafting.findings(session, rule, drafting.revision(session, rule).document)
    comments = session.scalars(select(ConsultationComment).where(ConsultationComment.rule_id == rule.id)).all()
    return stages.RuleFacts(
        errors=count_findings(found)["errors"],
        consultation_opened_on=rule.consultation_opened_on,
        comments=len(comments),
        comments_open=sum(1 for comment in comments if comment.disposition is None),
        trial_enterprises=trials.trial_enterprises(session, rule),
        has_number=bool(rule.standard and rule.standard.numbers),
        today=today,
    )


def moves(session: Session, rule: Rule, today: date, found: list[Finding] | None = None):
    """The moves from the rule's stage, each with its gates as they stand today."""
    current = facts(session, rule, today, found)
    return [(move, stages.evaluate(move, current)) for move in stages.moves_from(rule.stage)]


def move_stage(
    session: Session, rule: Rule, target: str, *, by, today: date, note: str = "", number: str = ""
) -> StageEvent:
    """Move `rule` to stage `target` if the move exists, `by`'s role may make it and its gates
    pass. The registry entry follows: its status, and on publication its number and date."""
    require(by, Action.MOVE_STAGE, rule)
    move = stages.find_move(rule.stage, target)
    if move is None:
        names = {code: f"{code} {_(stage.name)}" for code, stage in stages.STAGES.items()}
        refuse(
            "target",
            _(
                "不能从“%(source)s”阶段直接转入“%(target)s”阶段。",
                source=names.get(rule.stage, rule.stage),
                target=names.get(target, target),
            ),
        )
    if by.role not in move.roles:
        refuse("target", _("您的角色不能执行这一阶段转换。"))
    if move.publishes and number.strip():
        drafting.set_number(session, rule, number, by=by, today=today)
    results = stages.evaluate(move, facts(session, rule, today))
    failed = stages.blocked(results)
    if failed:
        raise InvalidInput(
            "；".join(finding_text(result.finding) for result in failed),
            details={"gates": [{"gate": result.gate.value, "state": result.state} for result in results]},
        )
    actor = actor_of(by)
    event = StageEvent(
        rule_id=rule.id,
        from_stage=rule.stage,
        to_stage=target,
        revision=rule.current_revision,
        actor_id=actor.user_id,
        actor_label=actor.label,
        occurred_at=utcnow(),
        note=(note or "").strip(),
        gates=[{"gate": result.gate.value, "state": result.state} for result in results],
    )
    session.add(event)
    entering = stages.STAGES[target]
    with change_reason(session, note or None):
        rule.stage = target
        rule.stage_entered_on = today
        if entering.public_draft:
            rule.consultation_opened_on = today
        if move.publishes:
            rule.published_on = today
        if rule.standard is not None:
            status = entering.registry_status
            if rule.published_on is not None and status in ("drafting", "consultation"):
                status = "under_revision"  # a published standard being revised stays in force
            rule.standard.status = Status(status)
            if move.publishes:
                rule.standard.published_on = today
            if target == stages.WITHDRAWN:
                rule.standard.withdrawn_on = today
    return event


def review_due(rule: Rule) -> date | None:
    """复审: five years after publication."""
    return stages.review_due(rule.published_on)


def review_finding(rule: Rule, today: date) -> Finding | None:
    """The overdue periodic review of a rule in force and not yet under review, or None."""
    return stages.review_finding(rule.published_on, today) if rule.stage == stages.PUBLICATION else None
