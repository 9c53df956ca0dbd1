"""Adoption (采信) in the JSON API: the same services as the pages (adoption.py), in the OpenAPI
document. Attachments are uploaded and downloaded on the application's page.

A refused submission or adoption answers 422 `adoption_refused` with every eligibility line in
`details.findings`, nothing changed. A proposed panel member who must recuse answers 422
`panel_member_recused`: the recusal IS recorded (the refusal and its record are one request)."""

from flask import jsonify, url_for
from flask_babel import gettext as _

from workbench.api.spec import PAGING, created, page_of, paginated, query_choice, ref, spec
from workbench.auth.access import current_principal, require
from workbench.auth.models import User
from workbench.auth.permissions import Action
from workbench.dates import iso, today
from workbench.db import db
from workbench.errors import InvalidInput, NotFound
from workbench.evaluation import adoption as service
from workbench.evaluation.dimensions import ADOPTION_DIMENSIONS, SCORE_MAX, SCORE_MIN
from workbench.evaluation.models import AdoptionApplication, ApplicationStatus, AttachmentKind, PanelStatus
from workbench.guideline import Finding, Severity
from workbench.i18n import article_text, finding_text
from workbench.registry.models import Standard

_id = {"type": "integer", "minimum": 1, "maximum": 2147483647}
_text = {"type": "string", "maxLength": service.MAX_TEXT}
_nullable_date = {"type": ["string", "null"], "format": "date"}
_fields = {
    "necessity": {**_text, "description": "必要性和可行性"},
    "main_content": {**_text, "description": "主要技术内容"},
    "expected_uptake": {**_text, "description": "预期应用和效益"},
    "proposed_committee": {"type": "string", "maxLength": 200, "description": "建议归口技术委员会"},
    "drafting_units": {**_text, "description": "起草单位, one per line: their members recuse from the panel"},
}
_standard_ref = {
    "type": "object",
    "required": ["id", "number", "title"],
    "properties": {
        "id": {"type": "integer"},
        "number": {"type": "string"},
        "title": {"type": "string"},
    },
}
_finding = {
    "type": "object",
    "required": ["code", "severity", "article", "message"],
    "properties": {
        "code": {"type": "string"},
        "severity": {"enum": [severity.value for severity in Severity]},
        "article": {"type": "string"},
        "message": {"type": "string"},
    },
}
_member = {
    "type": "object",
    "required": ["id", "user_id", "name", "organisation", "status", "recusal_reason"],
    "properties": {
        "id": {"type": "integer"},
        "user_id": {"type": "integer"},
        "name": {"type": "string"},
        "organisation": {"type": ["string", "null"]},
        "status": {"enum": [status.value for status in PanelStatus]},
        "recusal_reason": {"type": "string"},
    },
}
_summary = {
    "type": "object",
    "required": ["dimension", "count", "mean", "min", "max", "stdev", "dissent"],
    "properties": {
        "dimension": {"enum": [dimension.key for dimension in ADOPTION_DIMENSIONS]},
        "count": {"type": "integer"},
        "mean": {"type": ["number", "null"]},
        "min": {"type": ["integer", "null"]},
        "max": {"type": ["integer", "null"]},
        "stdev": {
            "type": ["number", "null"],
            "description": "Population standard deviation of the panel's scores (null for the applicant)",
        },
        "dissent": {
            "type": "array",
            "description": f"Scores {service.DISSENT} or more from the mean (empty for the applicant)",
            "items": {
                "type": "object",
                "required": ["member", "score"],
                "properties": {"member": {"type": "string"}, "score": {"type": "integer"}},
            },
        },
    },
}

spec.add_components(
    {
        "AdoptionFinding": _finding,
        "AdoptionEligibility": {
            "type": "object",
            "required": [
                "standard_id",
                "number",
                "in_force_since",
                "full_years_in_force",
                "factor_citations",
                "citing_factors",
                "citation_threshold",
                "findings",
                "eligible",
            ],
            "properties": {
                "standard_id": {"type": "integer"},
                "number": {"type": "string"},
                "in_force_since": _nullable_date,
                "full_years_in_force": {"type": "integer"},
                "factor_citations": {"type": "integer"},
                "citing_factors": {"type": "array", "items": {"type": "string"}},
                "citation_threshold": {"type": "integer"},
                "findings": {"type": "array", "items": ref("AdoptionFinding")},
                "eligible": {
                    "type": "boolean",
                    "description": "No error among the findings (the GB/T 20004 proof is asked of an application only)",
                },
            },
        },
        "AdoptionPanelMember": _member,
        "AdoptionApplication": {
            "type": "object",
            "required": ["id", "standard", "organisation", "status", "findings", "panel", "scores", "version"],
            "properties": {
                "id": {"type": "integer"},
                "standard": _standard_ref,
                "organisation": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                },
                "status": {"enum": [status.value for status in ApplicationStatus]},
                **{name: {"type": "string"} for name in _fields},
                "submitted_on": _nullable_date,
                "findings": {
                    "type": "array",
                    "items": ref("AdoptionFinding"),
                    "description": "The eligibility lines stored at submission",
                },
                "attachments": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "kind", "filename", "content_type", "size", "sha256"],
                        "properties": {
                            "id": {"type": "integer"},
                            "kind": {"enum": [kind.value for kind in AttachmentKind]},
                            "filename": {"type": "string"},
                            "content_type": {"type": "string"},
                            "size": {"type": "integer"},
                            "sha256": {"type": "string"},
                        },
                    },
                },
                "panel": {
                    "type": "array",
                    "items": ref("AdoptionPanelMember"),
                    "description": "SAMR/MEE, the secretariat and the panel only: empty for the applicant",
                },
                "scores": {
                    "type": "array",
                    "items": _summary,
                    "description": "Empty for the applicant until the application is decided",
                },
                "decided_on": _nullable_date,
                "decision_reason": {"type": "string"},
                "national_id": {"type": ["integer", "null"], "description": "The national project made on adoption"},
                "rule_id": {"type": ["integer", "null"]},
                "due_on": {**_nullable_date, "description": "报批 deadline (12 months from adoption)"},
                "version": {"type": "integer"},
            },
        },
        "AdoptionDecided": {
            "type": "object",
            "description": "What the public list shows of a decided application (as the page /adoption/decided)",
            "required": [
                "id",
                "standard",
                "organisation",
                "status",
                "decided_on",
                "decision_reason",
                "national",
                "due_on",
            ],
            "properties": {
                "id": {"type": "integer"},
                "standard": _standard_ref,
                "organisation": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {"name": {"type": "string"}},
                },
                "status": {"enum": [status.value for status in service.DECIDED]},
                "decided_on": _nullable_date,
                "decision_reason": {"type": "string"},
                "national": {
                    "type": ["object", "null"],
                    "description": "The national project made on adoption",
                    "required": ["id", "designation"],
                    "properties": {"id": {"type": "integer"}, "designation": {"type": "string"}},
                },
                "due_on": {**_nullable_date, "description": "报批 deadline (12 months from adoption)"},
            },
        },
        "AdoptionCreate": {
            "type": "object",
            "additionalProperties": False,
            "required": ["standard_id"],
            "properties": {
                "standard_id": {**_id, "description": "A published group standard of the user's association"},
                **_fields,
            },
        },
        "AdoptionWithdrawal": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"reason": _text},
        },
        "AdoptionSubmit": {"type": "object", "additionalProperties": False, "properties": {}},
        "AdoptionPanelAdd": {
            "type": "object",
            "additionalProperties": False,
            "required": ["user_id"],
            "properties": {"user_id": {**_id, "description": "An active evaluator account"}},
        },
        "AdoptionScores": {
            "type": "object",
            "additionalProperties": False,
            "required": ["scores"],
            "properties": {
                "scores": {
                    "type": "array",
                    "minItems": len(ADOPTION_DIMENSIONS),
                    "maxItems": len(ADOPTION_DIMENSIONS),
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["dimension", "score"],
                        "properties": {
                            "dimension": {"enum": [dimension.key for dimension in ADOPTION_DIMENSIONS]},
                            "score": {"type": "integer", "minimum": SCORE_MIN, "maximum": SCORE_MAX},
                            "remarks": _text,
                        },
                    },
                }
            },
        },
        "AdoptionDecision": {
            "type": "object",
            "additionalProperties": False,
            "required": ["decision"],
            "properties": {
                "decision": {"enum": ["adopt", "decline"]},
                "reason": {**_text, "description": "Required to decline"},
                "working_group_id": {**_id, "description": "The working group of the national project (optional)"},
            },
        },
    }
)


def _finding_json(found: Finding) -> dict:
    return {
        "code": found.code,
        "severity": found.severity.value,
        "article": article_text(found.article),
        "message": finding_text(found),
    }


def _member_json(member) -> dict:
    organisation = member.user.organisation
    return {
        "id": member.id,
        "user_id": member.user_id,
        "name": member.user.display_name,
        "organisation": organisation.name if organisation is not None else None,
        "status": member.status.value,
        "recusal_reason": member.recusal_reason or "",
    }


def _standard_json(application: AdoptionApplication) -> dict:
    return {
        "id": application.standard_id,
        "number": application.standard.designation,
        "title": application.standard.title,
    }


def decided_json(application: AdoptionApplication) -> dict:
    """The public shape: what /adoption/decided shows, nothing of the panel, scores or files."""
    national = application.national
    return {
        "id": application.id,
        "standard": _standard_json(application),
        "organisation": {"name": application.organisation.name},
        "status": application.status.value,
        "decided_on": iso(application.decided_on),
        "decision_reason": application.decision_reason or "",
        "national": {"id": national.id, "designation": national.designation} if national is not None else None,
        "due_on": iso(application.due_on),
    }


def _scores_json(application: AdoptionApplication, sees_review: bool) -> list[dict]:
    """The panel's summary per dimension; the applicant gets none while the application is under
    review and, once it is decided, the count, mean and range only (no spread, no member)."""
    if not sees_review and application.status not in service.DECIDED:
        return []
    return [
        {
            "dimension": summary.key,
            "count": summary.count,
            "mean": summary.mean,
            "min": summary.low,
            "max": summary.high,
            "stdev": summary.stdev if sees_review else None,
            "dissent": [{"member": name, "score": value} for name, value in summary.dissent] if sees_review else [],
        }
        for summary in service.aggregate(application)
    ]


def application_json(application: AdoptionApplication) -> dict:
    # SAMR/MEE, the secretariat and the panel see the panel; the applicant does not.
    sees_review = service.sees_review(current_principal(), application)
    return {
        "id": application.id,
        "standard": _standard_json(application),
        "organisation": {"id": application.organisation_id, "name": application.organisation.name},
        "status": application.status.value,
        **{name: getattr(application, name) or "" for name in _fields},
        "submitted_on": iso(application.submitted_on),
        "findings": [_finding_json(found) for found in service.stored_findings(application)],
        "attachments": [
            {
                "id": item.id,
                "kind": item.kind.value,
                "filename": item.filename,
                "content_type": item.content_type,
                "size": item.size,
                "sha256": item.sha256,
            }
            for item in application.attachments
        ],
        "panel": [_member_json(member) for member in application.panel] if sees_review else [],
        "scores": _scores_json(application, sees_review),
        "decided_on": iso(application.decided_on),
        "decision_reason": application.decision_reason or "",
        "national_id": application.national_id,
        "rule_id": application.rule_id,
        "due_on": iso(application.due_on),
        "version": application.version,
    }


def eligibility_json(result: service.Eligibility) -> dict:
    """What `workbench adoption eligibility --format json` prints too."""
    return {
        "standard_id": result.standard.id,
        "number": result.facts.number,
        "in_force_since": iso(result.facts.implemented_on),
        "full_years_in_force": result.full_years,
        "factor_citations": result.facts.citations,
        "citing_factors": list(result.facts.citing_codes),
        "citation_threshold": result.facts.threshold,
        "findings": [_finding_json(found) for found in result.findings],
        "eligible": result.eligible,
    }


def _signed_in():
    require(Action.EDIT_OWN_ACCOUNT)


def _application(application_id: int) -> AdoptionApplication:
    return service.get_application(db.session, application_id, by=current_principal())


def _changed(application_id: int, operation):
    """Apply `operation(application, by)` to the application and answer it as it is now."""
    application = _application(application_id)
    operation(application, current_principal())
    return jsonify(application_json(application))


def _standard(standard_id: int) -> Standard:
    standard = db.session.get(Standard, standard_id)
    if standard is None:
        raise NotFound(_("没有这项标准。"))
    return standard


@spec.operation(
    "/adoption/eligibility/<id:standard_id>",
    "GET",
    summary="A standard's eligibility for adoption (采信) as a recommended national standard, line by line",
    tag="adoption",
    public=True,
    responses={200: ("The facts and every line as a finding", ref("AdoptionEligibility"))},
)
def adoption_eligibility(standard_id: int):
    require(Action.READ_REGISTRY)
    return jsonify(eligibility_json(service.check(db.session, _standard(standard_id), today=today())))


@spec.operation(
    "/adoption/decided",
    "GET",
    summary="The applications SAMR/MEE decided (adopted or declined), newest first: public",
    tag="adoption",
    public=True,
    responses={200: ("The decided applications", {"type": "array", "items": ref("AdoptionDecided")})},
)
def decided_applications():
    return jsonify([decided_json(item) for item in service.decided(db.session)])


@spec.operation(
    "/adoption/applications",
    "GET",
    summary="Adoption applications: all for SAMR/MEE and the secretariat, an association's own, an evaluator's panels",
    tag="adoption",
    parameters=[*PAGING, {"name": "status", "in": "query", "schema": {"enum": [s.value for s in ApplicationStatus]}}],
    authorise=_signed_in,
    responses={200: ("A page of applications", page_of("AdoptionApplication"))},
)
def list_adoption_applications():
    status = query_choice("status", {status.value for status in ApplicationStatus})
    return paginated(service.visible(current_principal(), status=status), application_json)


@spec.operation(
    "/adoption/applications",
    "POST",
    summary="A draft application for one of the association's own published group standards",
    tag="adoption",
    body=ref("AdoptionCreate"),
    authorise=lambda: require(Action.APPLY_FOR_ADOPTION),
    responses={201: ("The draft application", ref("AdoptionApplication"))},
)
def create_adoption_application(body: dict):
    standard = _standard(body["standard_id"])
    data = service.ApplicationInput(**{name: body.get(name, "") for name in _fields})
    application = service.create(db.session, standard, data, by=current_principal())
    return created(application_json(application), url_for(".get_adoption_application", application_id=application.id))


@spec.operation(
    "/adoption/applications/<id:application_id>",
    "GET",
    summary="One application with its eligibility at submission, attachments, panel, score summary and decision",
    tag="adoption",
    authorise=lambda application_id: (_signed_in(), _application(application_id)),
    responses={200: ("The application", ref("AdoptionApplication"))},
)
def get_adoption_application(application_id: int):
    return jsonify(application_json(_application(application_id)))


@spec.operation(
    "/adoption/applications/<id:application_id>/submit",
    "POST",
    summary="Submit a draft (422 adoption_refused with every eligibility line, or invalid_input naming empty fields)",
    tag="adoption",
    body=ref("AdoptionSubmit"),
    authorise=lambda application_id: require(Action.APPLY_FOR_ADOPTION, _application(application_id)),
    responses={200: ("The submitted application", ref("AdoptionApplication"))},
)
def submit_adoption_application(application_id: int, body: dict):
    return _changed(
        application_id, lambda application, by: service.submit(db.session, application, by=by, today=today())
    )


@spec.operation(
    "/adoption/applications/<id:application_id>/withdraw",
    "POST",
    summary="Withdraw a draft or submitted application (the applicant)",
    tag="adoption",
    body=ref("AdoptionWithdrawal"),
    authorise=lambda application_id: require(Action.APPLY_FOR_ADOPTION, _application(application_id)),
    responses={200: ("The withdrawn application", ref("AdoptionApplication"))},
)
def withdraw_adoption_application(application_id: int, body: dict):
    return _changed(
        application_id,
        lambda application, by: service.withdraw(db.session, application, by=by, reason=body.get("reason", "")),
    )


@spec.operation(
    "/adoption/applications/<id:application_id>/panel",
    "POST",
    summary="Name an evaluator to the panel (the secretariat); 422 panel_member_recused records the recusal",
    tag="adoption",
    body=ref("AdoptionPanelAdd"),
    authorise=lambda application_id: require(Action.FORM_PANEL, _application(application_id)),
    responses={201: ("The new panel member", ref("AdoptionPanelMember"))},
)
def add_adoption_panel_member(application_id: int, body: dict):
    application = _application(application_id)
    user = db.session.get(User, body["user_id"])
    member = service.add_panel_member(db.session, application, user, by=current_principal())
    if member.status == PanelStatus.RECUSED:
        response = jsonify(
            {
                "error": {
                    "code": "panel_member_recused",
                    "message": service.recusal_message(member),
                    "details": {"member": _member_json(member)},
                }
            }
        )
        response.status_code = 422
        return response  # committed by the operation: the recusal stays on record
    response = jsonify(_member_json(member))
    response.status_code = 201
    return response


@spec.operation(
    "/adoption/applications/<id:application_id>/scores",
    "POST",
    summary="A panel member scores the four dimensions 1–5 with remarks; scoring again replaces their own scores",
    tag="adoption",
    body=ref("AdoptionScores"),
    authorise=lambda application_id: require(Action.SCORE_ADOPTION, _application(application_id)),
    responses={200: ("The application with the score summary", ref("AdoptionApplication"))},
)
def score_adoption_application(application_id: int, body: dict):
    entries = [service.ScoreInput(item["dimension"], item["score"], item.get("remarks", "")) for item in body["scores"]]
    if len({entry.dimension for entry in entries}) != len(entries):
        raise InvalidInput(_("每个维度只能评一次分。"))
    return _changed(application_id, lambda application, by: service.score(db.session, application, entries, by=by))


@spec.operation(
    "/adoption/applications/<id:application_id>/decision",
    "POST",
    summary="SAMR/MEE adopt (a national project at stage 10 with the 采信 relation) or decline with a reason",
    tag="adoption",
    body=ref("AdoptionDecision"),
    authorise=lambda application_id: require(Action.DECIDE_ADOPTION, _application(application_id)),
    responses={200: ("The decided application", ref("AdoptionApplication"))},
)
def decide_adoption_application(application_id: int, body: dict):
    def decide(application, by):
        if body["decision"] == "adopt":
            service.adopt(
                db.session,
                application,
                by=by,
                today=today(),
                working_group_id=body.get("working_group_id"),
                reason=body.get("reason", ""),
            )
        else:
            service.decline(db.session, application, body.get("reason", ""), by=by, today=today())

    return _changed(application_id, decide)
