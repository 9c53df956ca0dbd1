"""TC548's coordination report in the JSON API (指引（十三）): GET /api/v1/coordination, the same
document as `workbench coordination report --format json`, for VIEW_COORDINATION; POST
/api/v1/coordination/reasons records why two rules differ on purpose (EXPLAIN_COORDINATION)."""

from flask import jsonify, url_for
from flask_babel import gettext as _

from workbench.api.spec import created, ref, spec
from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action
from workbench.dates import iso
from workbench.db import db
from workbench.drafting.models import Rule
from workbench.errors import refuse
from workbench.evaluation import coordination as core
from workbench.evaluation import coordination_report as service
from workbench.evaluation.models import CoordinationReason
from workbench.guideline import Severity
from workbench.i18n import translate

_id = {"type": "integer", "minimum": 1, "maximum": 2147483647}
_choice_keys = [kind.key for kind in core.CHOICE_KINDS]
_finding = {
    "type": "object",
    "required": ["rule_id", "other_rule_id", "choice", "relation", "code", "severity", "article", "path", "message"],
    "properties": {
        "rule_id": {"type": "integer", "description": "The lower rule id of the pair"},
        "other_rule_id": {"type": "integer"},
        "choice": {"enum": list(core.REASON_CHOICES)},
        "relation": {"enum": list(core.RELATION_ORDER), "description": "How the two products are related"},
        "code": {"type": "string"},
        "severity": {"enum": [severity.value for severity in Severity]},
        "article": {"type": "string", "description": "The article of the drafting guideline it enforces: 指引（十三）"},
        "path": {"type": "string", "description": "Where the rules state the choice (JSON pointer)"},
        "message": {"type": "string", "description": "Names both rules and both values, and what to do"},
        "standards": {"type": "array", "items": {"type": "integer"}, "description": "Registry ids of the two rules"},
        "reason": {"type": "string", "description": "Explained differences only: the recorded reason"},
    },
}

spec.add_components(
    {
        "CoordinationFinding": _finding,
        "CoordinationReport": {
            "type": "object",
            "required": ["choices", "rows", "findings", "explained", "counts"],
            "properties": {
                "choices": {
                    "type": "array",
                    "description": "The columns: each technical choice, its label and where a rule states it",
                    "items": {
                        "type": "object",
                        "required": ["key", "label", "path"],
                        "properties": {
                            "key": {"enum": _choice_keys},
                            "label": {"type": "string"},
                            "path": {"type": "string"},
                        },
                    },
                },
                "rows": {
                    "type": "array",
                    "description": "Rules by code, then published standards drafted outside the workbench "
                    "(drafted false, choices null)",
                    "items": {
                        "type": "object",
                        "required": ["rule_id", "code", "title", "product", "standard_id", "designation", "drafted"],
                        "properties": {
                            "rule_id": {"type": ["integer", "null"]},
                            "code": {"type": ["string", "null"]},
                            "title": {"type": "string"},
                            "product": {
                                "type": ["object", "null"],
                                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                            },
                            "end_use": {"type": ["string", "null"]},
                            "stage": {"type": ["string", "null"]},
                            "standard_id": {"type": ["integer", "null"]},
                            "designation": {"type": ["string", "null"]},
                            "drafted": {"type": "boolean"},
                            "choices": {
                                "type": "object",
                                "description": "Each choice as the reader reads it; null when the rule does not state "
                                "it or the standard was not drafted here",
                                "additionalProperties": {"type": ["string", "null"]},
                            },
                        },
                    },
                },
                "findings": {"type": "array", "items": ref("CoordinationFinding")},
                "explained": {
                    "type": "array",
                    "items": ref("CoordinationFinding"),
                    "description": "Differences with a recorded reason: not reported as findings",
                },
                "counts": {
                    "type": "object",
                    "properties": {
                        "errors": {"type": "integer"},
                        "warnings": {"type": "integer"},
                        "info": {"type": "integer"},
                    },
                },
            },
        },
        "CoordinationReasonInput": {
            "type": "object",
            "additionalProperties": False,
            "required": ["rule_id", "other_rule_id", "choice", "reason"],
            "properties": {
                "rule_id": _id,
                "other_rule_id": _id,
                "choice": {"enum": list(core.REASON_CHOICES)},
                "reason": {"type": "string", "minLength": 1, "maxLength": service.MAX_REASON},
            },
        },
        "CoordinationReason": {
            "type": "object",
            "required": ["id", "rule_id", "other_rule_id", "choice", "reason", "created_at"],
            "properties": {
                "id": {"type": "integer"},
                "rule_id": {"type": "integer", "description": "The lower id of the pair"},
                "other_rule_id": {"type": "integer"},
                "choice": {"enum": list(core.REASON_CHOICES)},
                "reason": {"type": "string"},
                "created_at": {"type": "string", "format": "date-time"},
            },
        },
    }
)


def reason_json(record: CoordinationReason) -> dict:
    return {
        "id": record.id,
        "rule_id": record.rule_id,
        "other_rule_id": record.other_rule_id,
        "choice": record.choice,
        "reason": record.reason,
        "created_at": iso(record.created_at),
    }


@spec.operation(
    "/coordination",
    "GET",
    summary="TC548's coordination report: every rule's technical choices side by side and where related rules "
    "disagree without a stated reason (指引（十三）)",
    tag="evaluation",
    authorise=lambda: require(Action.VIEW_COORDINATION),
    responses={200: ("The report", ref("CoordinationReport"))},
)
def get_coordination():
    return jsonify(service.report_data(service.report(db.session), translate))


def _rule(rule_id: int, field: str) -> Rule:
    rule = db.session.get(Rule, rule_id)
    if rule is None:
        refuse(field, _("没有这项规则。"))
    return rule


@spec.operation(
    "/coordination/reasons",
    "POST",
    summary="Record why two rules differ on one technical choice on purpose: the report stops reporting it "
    "(the secretariat)",
    tag="evaluation",
    body=ref("CoordinationReasonInput"),
    authorise=lambda: require(Action.EXPLAIN_COORDINATION),
    responses={201: ("The recorded reason", ref("CoordinationReason"))},
)
def explain_coordination(body: dict):
    record = service.explain(
        db.session,
        _rule(body["rule_id"], "rule_id"),
        _rule(body["other_rule_id"], "other_rule_id"),
        body["choice"],
        body["reason"],
        by=current_principal(),
    )
    return created(reason_json(record), url_for(".get_coordination"))


@spec.operation(
    "/coordination/reasons/<id:reason_id>/withdraw",
    "POST",
    summary="Withdraw a recorded reason: the difference is reported again (the secretariat)",
    tag="evaluation",
    authorise=lambda reason_id: require(Action.EXPLAIN_COORDINATION),
    responses={200: ("The withdrawn reason, as it was", ref("CoordinationReason"))},
)
def withdraw_coordination_reason(reason_id: int):
    record = service.get_reason(db.session, reason_id)
    shape = reason_json(record)
    service.remove_reason(db.session, record, by=current_principal())
    return jsonify(shape)
