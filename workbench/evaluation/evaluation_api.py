"""The evaluation record in the JSON API: the same services as the pages (records.py), in the
OpenAPI document. Concluded evaluations are public; one in progress is read by its organisation's
members and the oversight. Facts are rendered in the reader's language."""

from flask import jsonify, url_for
from flask_babel import gettext as _

from workbench.api.spec import created, ref, spec
from workbench.auth.access import current_principal, require
from workbench.auth.models import Organisation
from workbench.auth.permissions import Action, can
from workbench.dates import iso, today
from workbench.db import db
from workbench.errors import NotFound, refuse
from workbench.evaluation import facts as evaluation_facts
from workbench.evaluation import records as service
from workbench.evaluation.dimensions import EVALUATION_DIMENSION
from workbench.evaluation.models import (
    Conclusion,
    Evaluation,
    EvaluationPlan,
    EvaluationStatus,
    Withdrawal,
    WithdrawalStatus,
)
from workbench.i18n import article_text, finding_text, say, translate
from workbench.registry.models import Standard

_id = {"type": "integer", "minimum": 1, "maximum": 2147483647}
_long_text = {"type": "string", "maxLength": service.MAX_TEXT}
_nullable_id = {"type": ["integer", "null"]}
_date = {"type": ["string", "null"], "format": "date"}

spec.add_components(
    {
        "EvaluationFact": {
            "type": "object",
            "required": ["key", "label", "value", "source", "findings"],
            "properties": {
                "key": {"type": "string"},
                "label": {"type": "string"},
                "value": {"type": "string"},
                "source": {"type": "string", "description": "Where the workbench found it"},
                "findings": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["code", "severity", "article", "message"],
                        "properties": {
                            "code": {"type": "string"},
                            "severity": {"type": "string"},
                            "article": {"type": "string"},
                            "message": {"type": "string"},
                        },
                    },
                },
            },
        },
        "EvaluationRecord": {
            "type": "object",
            "required": ["id", "standard", "organisation", "status", "started_on", "scores", "missing", "facts"],
            "properties": {
                "id": {"type": "integer"},
                "standard": {
                    "type": "object",
                    "required": ["id", "designation", "title"],
                    "properties": {
                        "id": {"type": "integer"},
                        "designation": {"type": "string"},
                        "title": {"type": "string"},
                    },
                },
                "plan_id": _nullable_id,
                "organisation": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                },
                "status": {"enum": [status.value for status in EvaluationStatus]},
                "started_on": {"type": "string", "format": "date"},
                "conclusion": {"enum": [*(conclusion.value for conclusion in Conclusion), None]},
                "summary": {"type": "string"},
                "concluded_on": _date,
                "follow_up_id": {**_nullable_id, "description": "The revision or integration project (registry)"},
                "merges": {"type": "array", "items": {"type": "string"}, "description": "Numbers of merged standards"},
                "withdrawal": {
                    "type": ["object", "null"],
                    "properties": {
                        "status": {"enum": [status.value for status in WithdrawalStatus]},
                        "decided_on": _date,
                        "decision_reason": {"type": "string"},
                    },
                },
                "scores": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["dimension", "value", "evidence", "remarks", "scored_by"],
                        "properties": {
                            "dimension": {"enum": list(EVALUATION_DIMENSION)},
                            "value": {"type": "string"},
                            "evidence": {"type": "string"},
                            "remarks": {"type": "string"},
                            "scored_by": {"type": "string"},
                        },
                    },
                },
                "missing": {
                    "type": "array",
                    "items": {"enum": list(EVALUATION_DIMENSION)},
                    "description": "Dimensions not scored yet: the conclusion is refused until none is left",
                },
                "facts": {
                    "type": "array",
                    "items": ref("EvaluationFact"),
                    "description": "As stored with the conclusion, or as the workbench knows them today",
                },
                "version": {"type": "integer"},
            },
        },
        "EvaluationStart": {
            "type": "object",
            "additionalProperties": False,
            "required": ["standard_id"],
            "properties": {
                "standard_id": _id,
                "plan_id": {
                    **_id,
                    "description": "An open plan of the standard (its organisation evaluates); a member of an "
                    "evaluating organisation who names none starts from its organisation's open plan of the standard",
                },
                "organisation_id": {
                    **_id,
                    "description": "Without a plan (secretariat, SAMR/MEE only): the evaluating organisation "
                    "(default: the user's own)",
                },
            },
        },
        "EvaluationScoreInput": {
            "type": "object",
            "additionalProperties": False,
            "required": ["dimension", "value", "evidence"],
            "properties": {
                "dimension": {"enum": list(EVALUATION_DIMENSION)},
                "value": {
                    "type": "string",
                    "maxLength": 40,
                    "description": "One of the dimension's scale values (workbench/evaluation/dimensions.py)",
                },
                "evidence": {**_long_text, "minLength": 1},
                "remarks": _long_text,
            },
        },
        "EvaluationConclusion": {
            "type": "object",
            "additionalProperties": False,
            "required": ["conclusion", "summary"],
            "properties": {
                "conclusion": {"enum": [conclusion.value for conclusion in Conclusion]},
                "summary": {**_long_text, "minLength": 1},
                "merges": {
                    "type": "array",
                    "maxItems": service.MAX_MERGES,
                    "items": {"type": "string", "maxLength": 100},
                    "description": "整合 only: the numbers of the registered standards it merges",
                },
            },
        },
        "WithdrawalDecision": {
            "type": "object",
            "additionalProperties": False,
            "required": ["decision"],
            "properties": {
                "decision": {"enum": ["approve", "reject"]},
                "reason": {**_long_text, "description": "Required to reject"},
            },
        },
    }
)


def _fact_json(fact: evaluation_facts.Fact) -> dict:
    return {
        "key": fact.key,
        "label": translate(fact.label),
        "value": say(fact.value),
        "source": say(fact.source),
        "findings": [
            {
                "code": found.code,
                "severity": found.severity.value,
                "article": article_text(found.article),
                "message": finding_text(found),
            }
            for found in fact.findings
        ],
    }


def _withdrawal_json(withdrawal: Withdrawal | None) -> dict | None:
    if withdrawal is None:
        return None
    return {
        "status": withdrawal.status.value,
        "decided_on": iso(withdrawal.decided_on),
        "decision_reason": withdrawal.decision_reason or "",
    }


def evaluation_json(evaluation: Evaluation, *, with_facts: bool = True) -> dict:
    facts = []
    if with_facts:
        facts = (
            evaluation_facts.from_json(evaluation.facts)
            if evaluation.is_concluded
            else evaluation_facts.gather(db.session, evaluation.standard, today())
        )
    return {
        "id": evaluation.id,
        "standard": {
            "id": evaluation.standard.id,
            "designation": evaluation.standard.designation,
            "title": evaluation.standard.title,
        },
        "plan_id": evaluation.plan_id,
        "organisation": {"id": evaluation.organisation.id, "name": evaluation.organisation.name},
        "status": evaluation.status.value,
        "started_on": iso(evaluation.started_on),
        "conclusion": evaluation.conclusion.value if evaluation.conclusion else None,
        "summary": evaluation.summary or "",
        "concluded_on": iso(evaluation.concluded_on),
        "follow_up_id": evaluation.follow_up_id,
        "merges": [standard.designation for standard in evaluation.merges],
        "withdrawal": _withdrawal_json(service.withdrawal_of(db.session, evaluation)),
        "scores": [
            {
                "dimension": row.dimension,
                "value": row.value,
                "evidence": row.evidence,
                "remarks": row.remarks,
                "scored_by": row.scored_by_label,
            }
            for row in evaluation.scores
        ],
        "missing": service.missing_dimensions(evaluation),
        "facts": [_fact_json(fact) for fact in facts],
        "version": evaluation.version,
    }


def _standard_or_404(standard_id: int) -> Standard:
    return service.get_standard(db.session, standard_id)


def _evaluation_or_404(evaluation_id: int) -> Evaluation:
    return service.get(db.session, evaluation_id, by=current_principal())


def _may_record_some() -> None:
    """The oversight starts evaluations for any evaluating organisation; an evaluating
    organisation's members from its plans (records.start decides)."""
    if not can(current_principal(), Action.PLAN_EVALUATIONS):
        require(Action.RECORD_EVALUATION)


@spec.operation(
    "/standards/<id:standard_id>/evaluations",
    "GET",
    summary="The evaluations of a standard, newest first: concluded ones for everyone, those in progress for "
    "their organisation and the oversight (without facts: GET /evaluations/{id} has them)",
    tag="evaluation",
    public=True,
    responses={200: ("The standard's evaluations", {"type": "array", "items": ref("EvaluationRecord")})},
)
def list_standard_evaluations(standard_id: int):
    standard = _standard_or_404(standard_id)
    rows = service.of_standard(db.session, standard, by=current_principal())
    return jsonify([evaluation_json(evaluation, with_facts=False) for evaluation in rows])


@spec.operation(
    "/evaluations/<id:evaluation_id>",
    "GET",
    summary="One evaluation with its scores, the dimensions still to score and its facts with their sources",
    tag="evaluation",
    public=True,
    responses={200: ("The evaluation", ref("EvaluationRecord"))},
)
def get_evaluation_record(evaluation_id: int):
    return jsonify(evaluation_json(_evaluation_or_404(evaluation_id)))


@spec.operation(
    "/evaluations",
    "POST",
    summary="Start an evaluation of a standard in force: from an open plan (its organisation's members; the "
    "secretariat schedules evaluations), or without a plan (secretariat, SAMR/MEE only) for any evaluating "
    "organisation",
    tag="evaluation",
    body=ref("EvaluationStart"),
    authorise=_may_record_some,
    responses={201: ("The evaluation, in progress", ref("EvaluationRecord"))},
)
def start_evaluation(body: dict):
    standard = _standard_or_404(body["standard_id"])
    plan = None
    if body.get("plan_id"):
        plan = db.session.get(EvaluationPlan, body["plan_id"])
        if plan is None:
            refuse("plan_id", _("没有这项评估计划。"))
    organisation = None
    if body.get("organisation_id"):
        organisation = db.session.get(Organisation, body["organisation_id"])
        if organisation is None:
            refuse("organisation_id", _("没有这个组织。"))
    evaluation = service.start(
        db.session, standard, by=current_principal(), today=today(), plan=plan, organisation=organisation
    )
    return created(evaluation_json(evaluation), url_for(".get_evaluation_record", evaluation_id=evaluation.id))


@spec.operation(
    "/evaluations/<id:evaluation_id>/scores",
    "POST",
    summary="Score one dimension of an evaluation in progress (its organisation's members; a later score "
    "replaces the earlier one)",
    tag="evaluation",
    body=ref("EvaluationScoreInput"),
    authorise=lambda evaluation_id: require(Action.RECORD_EVALUATION, _evaluation_or_404(evaluation_id)),
    responses={200: ("The evaluation", ref("EvaluationRecord"))},
)
def score_evaluation(evaluation_id: int, body: dict):
    evaluation = _evaluation_or_404(evaluation_id)
    service.score(
        db.session,
        evaluation,
        body["dimension"],
        body["value"],
        evidence=body["evidence"],
        remarks=body.get("remarks", ""),
        by=current_principal(),
    )
    return jsonify(evaluation_json(evaluation, with_facts=False))


@spec.operation(
    "/evaluations/<id:evaluation_id>/conclusion",
    "POST",
    summary="Conclude an evaluation (every dimension scored): 修订 and 整合 register a planned project replacing "
    "the standard, 废止 a withdrawal proposal for SAMR/MEE; the evaluation never changes afterwards",
    tag="evaluation",
    body=ref("EvaluationConclusion"),
    authorise=lambda evaluation_id: require(Action.RECORD_EVALUATION, _evaluation_or_404(evaluation_id)),
    responses={200: ("The concluded evaluation, with the facts stored", ref("EvaluationRecord"))},
)
def conclude_evaluation(evaluation_id: int, body: dict):
    evaluation = _evaluation_or_404(evaluation_id)
    merges = service.resolve_numbers(db.session, "\n".join(body.get("merges", [])))
    service.conclude(
        db.session,
        evaluation,
        body["conclusion"],
        body["summary"],
        merges=merges,
        by=current_principal(),
        today=today(),
    )
    return jsonify(evaluation_json(evaluation))


@spec.operation(
    "/evaluations/<id:evaluation_id>/withdrawal",
    "POST",
    summary="Decide the withdrawal an evaluation proposed (SAMR/MEE): approve withdraws the standard (its rule "
    "moves to stage 95), reject keeps it, with the reason",
    tag="evaluation",
    body=ref("WithdrawalDecision"),
    authorise=lambda evaluation_id: require(Action.DECIDE_WITHDRAWAL),
    responses={200: ("The evaluation with the decided withdrawal", ref("EvaluationRecord"))},
)
def decide_evaluation_withdrawal(evaluation_id: int, body: dict):
    evaluation = _evaluation_or_404(evaluation_id)
    withdrawal = service.withdrawal_of(db.session, evaluation)
    if withdrawal is None:
        raise NotFound(_("这项评估没有废止建议。"))
    service.decide_withdrawal(
        db.session,
        withdrawal,
        approve=body["decision"] == "approve",
        reason=body.get("reason", ""),
        by=current_principal(),
        today=today(),
    )
    return jsonify(evaluation_json(evaluation, with_facts=False))
