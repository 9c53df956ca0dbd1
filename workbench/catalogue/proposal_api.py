"""Project proposals in the JSON API: the same services as the pages, in the OpenAPI document.

A refused submission answers 422 with the error code `proposal_refused` and every finding (code,
severity, article, message) in `details.findings`; nothing is saved."""

from flask import current_app, jsonify, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from workbench.api.spec import PAGING, created, page_of, paginated, query_choice, ref, spec
from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action, can
from workbench.catalogue import proposals as service
from workbench.catalogue.models import Proposal, ProposalStatus
from workbench.dates import iso, today
from workbench.db import db
from workbench.errors import InvalidInput
from workbench.guideline import Finding, Severity
from workbench.i18n import article_text, finding_text, say
from workbench.messages import Message
from workbench.registry.models import Level
from workbench.web import id_arg

_id = {"type": "integer", "minimum": 1, "maximum": 2147483647}
_long_text = {"type": "string", "maxLength": service.MAX_TEXT}
_finding = {
    "type": "object",
    "required": ["code", "severity", "article", "message"],
    "properties": {
        "code": {"type": "string"},
        "severity": {"enum": [severity.value for severity in Severity]},
        "article": {
            "type": "string",
            "description": "The article of the drafting guideline (or other text) it enforces",
        },
        "message": {"type": "string"},
    },
}
_input_fields = {
    "product_id": {**_id, "description": "Product catalogue id"},
    "level": {"enum": [level.value for level in Level]},
    "title": {
        "type": "string",
        "maxLength": 300,
        "description": "Empty: 温室气体 产品碳足迹量化方法与要求 {product}",
    },
    "scope": {**_long_text, "minLength": 1},
    "urgency": {**_long_text, "minLength": 1, "description": "Why now (急用先行)"},
    "technical_content": {**_long_text, "minLength": 1},
    "international": _long_text,
    "drafting_units": _long_text,
    "working_group_id": {"type": ["integer", "null"], "minimum": 1, "maximum": 2147483647},
    "timetable": _long_text,
    "trial_enterprises": {"type": "integer", "minimum": 0, "maximum": 10000},
    "trial_plan": _long_text,
}

spec.add_components(
    {
        "ProposalFinding": _finding,
        "Proposal": {
            "type": "object",
            "required": [
                "id",
                "call_id",
                "organisation",
                "product",
                "level",
                "title",
                "status",
                "findings",
                "submitted_at",
                "version",
            ],
            "properties": {
                "id": {"type": "integer"},
                "call_id": {"type": "integer"},
                "organisation": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                },
                "product": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                },
                "level": {"enum": [level.value for level in Level]},
                "title": {"type": "string"},
                "scope": {"type": "string"},
                "urgency": {"type": "string"},
                "technical_content": {"type": "string"},
                "international": {"type": "string"},
                "drafting_units": {"type": "string"},
                "working_group_id": {"type": ["integer", "null"]},
                "timetable": {"type": "string"},
                "trial_enterprises": {"type": "integer"},
                "trial_plan": {"type": "string"},
                "status": {"enum": [status.value for status in ProposalStatus]},
                "findings": {"type": "array", "items": ref("ProposalFinding")},
                "submitted_at": {"type": "string", "format": "date-time"},
                "decided_at": {"type": ["string", "null"], "format": "date-time"},
                "decision_reason": {"type": "string"},
                "plan_number": {"type": ["string", "null"]},
                "approved_on": {"type": ["string", "null"], "format": "date"},
                "due_on": {"type": ["string", "null"], "format": "date", "description": "报批 deadline"},
                "standard_id": {"type": ["integer", "null"]},
                "rule_id": {"type": ["integer", "null"]},
                "comments": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["author", "text", "created_at"],
                        "properties": {
                            "author": {"type": "string"},
                            "text": {"type": "string"},
                            "created_at": {"type": "string", "format": "date-time"},
                        },
                    },
                },
                "version": {"type": "integer"},
                "suggested_plan_number": {
                    "type": ["string", "null"],
                    "description": "One proposal only, for a user who may decide it while a national proposal awaits "
                    "its decision: the next plan number of the year (null when the year's serials are used up)",
                },
            },
        },
        "ProposalSubmit": {
            "type": "object",
            "additionalProperties": False,
            "required": ["call_id", "product_id", "level", "scope", "urgency", "technical_content"],
            "properties": {"call_id": {**_id, "description": "An open call"}, **_input_fields},
        },
        "ProposalResubmit": {
            "type": "object",
            "additionalProperties": False,
            "required": ["product_id", "level", "scope", "urgency", "technical_content"],
            "properties": _input_fields,
        },
        "ProposalWithdrawal": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"reason": {**_long_text, "description": "Optional; kept in the audit trail"}},
        },
        "InboxItem": {
            "type": "object",
            "required": ["kind", "label", "title", "since", "proposal_id", "rule_id", "note"],
            "properties": {
                "kind": {"enum": list(service.INBOX_KINDS)},
                "label": {"type": "string", "description": "What the kind asks, in the user's language"},
                "title": {"type": "string"},
                "since": {"type": ["string", "null"], "description": "Date or date-time it has waited since"},
                "proposal_id": {"type": ["integer", "null"]},
                "rule_id": {"type": ["integer", "null"]},
                "note": {"type": "string", "description": "The reason of a return"},
            },
        },
        "ProposalComment": {
            "type": "object",
            "additionalProperties": False,
            "required": ["text"],
            "properties": {"text": {**_long_text, "minLength": 1}},
        },
        "ProposalDecision": {
            "type": "object",
            "additionalProperties": False,
            "required": ["decision"],
            "properties": {
                "decision": {"enum": ["approve", "return", "reject"]},
                "reason": {**_long_text, "description": "Required to return or reject"},
                "plan_number": {
                    "type": "string",
                    "pattern": r"^[0-9]{8}-[TZ]-[0-9]{3}$",
                    "description": "计划号, required to approve a national proposal; GET /proposals/{id} gives the "
                    "next one of the year in suggested_plan_number",
                },
                "working_group_id": {**_id, "description": "Required to approve a national proposal"},
            },
        },
    }
)


def _finding_json(data: dict) -> dict:
    found = Finding.from_dict(data)
    return {
        "code": found.code,
        "severity": found.severity.value,
        "article": article_text(found.article),
        "message": finding_text(found),
    }


def proposal_json(proposal: Proposal) -> dict:
    return {
        "id": proposal.id,
        "call_id": proposal.call_id,
        "organisation": {"id": proposal.organisation.id, "name": proposal.organisation.name},
        "product": {"id": proposal.product.id, "name": proposal.product.name},
        "level": proposal.level.value,
        "title": proposal.title,
        "scope": proposal.scope,
        "urgency": proposal.urgency,
        "technical_content": proposal.technical_content,
        "international": proposal.international,
        "drafting_units": proposal.drafting_units,
        "working_group_id": proposal.working_group_id,
        "timetable": proposal.timetable,
        "trial_enterprises": proposal.trial_enterprises,
        "trial_plan": proposal.trial_plan,
        "status": proposal.status.value,
        "findings": [_finding_json(data) for data in proposal.findings or ()],
        "submitted_at": iso(proposal.submitted_at),
        "decided_at": iso(proposal.decided_at),
        "decision_reason": proposal.decision_reason or "",
        "plan_number": proposal.plan_number,
        "approved_on": iso(proposal.approved_on),
        "due_on": iso(proposal.due_on),
        "standard_id": proposal.standard_id,
        "rule_id": proposal.rule_id,
        "comments": [
            {"author": note.author_label, "text": note.text, "created_at": iso(note.created_at)}
            for note in proposal.comments
        ],
        "version": proposal.version,
    }


def _proposal_or_404(proposal_id: int) -> Proposal:
    return service.get_proposal(db.session, proposal_id, by=current_principal())


def _input(body: dict) -> service.ProposalInput:
    return service.ProposalInput(
        product_id=body["product_id"],
        level=body["level"],
        title=body.get("title", ""),
        scope=body["scope"],
        urgency=body["urgency"],
        technical_content=body["technical_content"],
        international=body.get("international", ""),
        drafting_units=body.get("drafting_units", ""),
        working_group_id=body.get("working_group_id"),
        timetable=body.get("timetable", ""),
        trial_enterprises=body.get("trial_enterprises", 0),
        trial_plan=body.get("trial_plan", ""),
    )


def _suggested_plan_number(proposal: Proposal) -> str | None:
    if proposal.level != Level.NATIONAL or proposal.status != ProposalStatus.SUBMITTED:
        return None
    if not can(current_principal(), Action.DECIDE_PROPOSAL, proposal):
        return None
    try:
        return service.suggest_plan_number(db.session, today(), current_app.config["PLAN_NUMBER_DEPARTMENT"])
    except InvalidInput:
        return None


def _signed_in():
    require(Action.EDIT_OWN_ACCOUNT)


@spec.operation(
    "/proposals",
    "GET",
    summary="Project proposals, newest first: all for SAMR/MEE and the secretariat, else the user's organisation's",
    tag="catalogue",
    parameters=[
        *PAGING,
        {"name": "status", "in": "query", "schema": {"enum": [status.value for status in ProposalStatus]}},
        {"name": "call", "in": "query", "schema": _id},
    ],
    authorise=_signed_in,
    responses={200: ("A page of proposals", page_of("Proposal"))},
)
def list_proposals():
    status = query_choice("status", {status.value for status in ProposalStatus})
    query = service.visible(current_principal(), status=status, call_id=id_arg("call"))
    return paginated(query.options(selectinload(Proposal.comments)), proposal_json)


@spec.operation(
    "/proposals/<id:proposal_id>",
    "GET",
    summary="One proposal with its findings, comments and decision",
    tag="catalogue",
    authorise=lambda proposal_id: (_signed_in(), _proposal_or_404(proposal_id)),
    responses={200: ("The proposal", ref("Proposal"))},
)
def get_proposal(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    return jsonify({**proposal_json(proposal), "suggested_plan_number": _suggested_plan_number(proposal)})


@spec.operation(
    "/proposals",
    "POST",
    summary="Submit a proposal to an open call (422 proposal_refused with the findings when a check refuses it)",
    tag="catalogue",
    body=ref("ProposalSubmit"),
    authorise=lambda: require(Action.PROPOSE),
    responses={201: ("The submitted proposal, with its warnings and information", ref("Proposal"))},
)
def submit_proposal(body: dict):
    call = service.get_call(db.session, body["call_id"])
    proposal = service.submit(db.session, call, _input(body), by=current_principal(), today=today())
    return created(proposal_json(proposal), url_for(".get_proposal", proposal_id=proposal.id))


@spec.operation(
    "/proposals/<id:proposal_id>/resubmit",
    "POST",
    summary="Resubmit a returned proposal, changed (its organisation; 422 proposal_refused when a check refuses it)",
    tag="catalogue",
    body=ref("ProposalResubmit"),
    authorise=lambda proposal_id: require(Action.PROPOSE, _proposal_or_404(proposal_id)),
    responses={200: ("The resubmitted proposal, awaiting a decision again", ref("Proposal"))},
)
def resubmit_proposal(proposal_id: int, body: dict):
    proposal = _proposal_or_404(proposal_id)
    service.resubmit(db.session, proposal, _input(body), by=current_principal(), today=today())
    return jsonify(proposal_json(proposal))


@spec.operation(
    "/proposals/<id:proposal_id>/withdraw",
    "POST",
    summary="Withdraw a proposal that awaits a decision or was returned (its organisation)",
    tag="catalogue",
    body=ref("ProposalWithdrawal"),
    authorise=lambda proposal_id: require(Action.PROPOSE, _proposal_or_404(proposal_id)),
    responses={200: ("The withdrawn proposal", ref("Proposal"))},
)
def withdraw_proposal(proposal_id: int, body: dict):
    proposal = _proposal_or_404(proposal_id)
    service.withdraw(db.session, proposal, by=current_principal(), reason=body.get("reason", ""))
    return jsonify(proposal_json(proposal))


@spec.operation(
    "/proposals/<id:proposal_id>/comments",
    "POST",
    summary="Comment on a proposal (the secretariat, SAMR/MEE, or the proposing organisation)",
    tag="catalogue",
    body=ref("ProposalComment"),
    authorise=lambda proposal_id: require(Action.COMMENT_ON_PROPOSAL, _proposal_or_404(proposal_id)),
    responses={201: ("The proposal with the new comment", ref("Proposal"))},
)
def comment_on_proposal(proposal_id: int, body: dict):
    proposal = _proposal_or_404(proposal_id)
    service.comment(db.session, proposal, body["text"], by=current_principal())
    return created(proposal_json(proposal), url_for(".get_proposal", proposal_id=proposal.id))


@spec.operation(
    "/proposals/<id:proposal_id>/decision",
    "POST",
    summary="Decide on a submitted proposal: approve (立项), return for changes or reject (SAMR/MEE)",
    tag="catalogue",
    body=ref("ProposalDecision"),
    authorise=lambda proposal_id: require(Action.DECIDE_PROPOSAL, _proposal_or_404(proposal_id)),
    responses={200: ("The decided proposal", ref("Proposal"))},
)
def decide_proposal(proposal_id: int, body: dict):
    proposal = _proposal_or_404(proposal_id)
    by = current_principal()
    decision = body["decision"]
    if decision == "approve":
        service.approve(
            db.session,
            proposal,
            by=by,
            today=today(),
            plan_number=body.get("plan_number"),
            working_group_id=body.get("working_group_id"),
            reason=body.get("reason", ""),
        )
    elif decision == "return":
        service.return_for_changes(db.session, proposal, body.get("reason", ""), by=by)
    elif decision == "reject":
        service.reject(db.session, proposal, body.get("reason", ""), by=by)
    else:  # the schema allows no other
        raise InvalidInput(_("未知的决定。"))
    return jsonify(proposal_json(proposal))


def _inbox_json(item: service.InboxItem) -> dict:
    return {
        "kind": item.kind,
        "label": say(Message(service.INBOX_KINDS[item.kind])),
        "title": item.title,
        "since": iso(item.since),
        "proposal_id": item.proposal_id,
        "rule_id": item.rule_id,
        "note": item.note or "",
    }


@spec.operation(
    "/inbox",
    "GET",
    summary="What awaits the signed-in user: proposals to decide, comment on or change; rules at stage 10",
    tag="catalogue",
    authorise=_signed_in,
    responses={200: ("The user's inbox, oldest first within each kind", {"type": "array", "items": ref("InboxItem")})},
)
def inbox():
    return jsonify([_inbox_json(item) for item in service.inbox(db.session, current_principal(), today())])
