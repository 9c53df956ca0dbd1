"""Implementation feedback, evaluation plans and the review-due list in the JSON API: the same
services as the pages (feedback.py, reviews.py), in the OpenAPI document.

Feedback counts are public; the items are read by signed-in users, and an item's contact only by
those who may answer it. Like every API write, a submission needs a personal token or a signed-in
session (a visitor reports through the public form on the standard's page)."""

from datetime import date

from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _

from workbench.api.spec import PAGING, created, page_of, paginated, query_choice, ref, spec
from workbench.auth.access import client_address, current_principal, require
from workbench.auth.permissions import Action, can
from workbench.dates import iso, today
from workbench.db import db, utcnow
from workbench.drafting.service import source_of
from workbench.errors import InvalidInput
from workbench.evaluation import feedback, records, reviews
from workbench.evaluation.models import Feedback, FeedbackKind, FeedbackStatus, PlanStatus
from workbench.registry.models import Standard

_id = {"type": "integer", "minimum": 1, "maximum": 2147483647}
_counts = {
    "type": "object",
    "required": ["total", "open", "by_kind"],
    "properties": {
        "total": {"type": "integer", "minimum": 0},
        "open": {"type": "integer", "minimum": 0, "description": "Awaiting an answer"},
        "by_kind": {
            "type": "object",
            "required": [kind.value for kind in FeedbackKind],
            "properties": {kind.value: {"type": "integer", "minimum": 0} for kind in FeedbackKind},
        },
    },
}
_standard_ref = {
    "type": "object",
    "required": ["id", "number", "title"],
    "properties": {"id": {"type": "integer"}, "number": {"type": "string"}, "title": {"type": "string"}},
}

spec.add_components(
    {
        "FeedbackCounts": _counts,
        "Feedback": {
            "type": "object",
            "required": ["id", "standard_id", "clause", "kind", "text", "status", "submitted_at", "answer"],
            "properties": {
                "id": {"type": "integer"},
                "standard_id": {"type": "integer"},
                "clause": {"type": "string"},
                "kind": {"enum": [kind.value for kind in FeedbackKind]},
                "text": {"type": "string"},
                "status": {"enum": [status.value for status in FeedbackStatus]},
                "submitted_at": {"type": "string", "format": "date-time"},
                "working_group_id": {"type": ["integer", "null"]},
                "answer": {"type": "string"},
                "answered_at": {"type": ["string", "null"], "format": "date-time"},
                "contact": {
                    "type": "string",
                    "description": "Only for those who may answer the item (absent otherwise)",
                },
            },
        },
        "FeedbackSubmit": {
            "type": "object",
            "additionalProperties": False,
            "required": ["kind", "text"],
            "properties": {
                "kind": {"enum": [kind.value for kind in FeedbackKind]},
                "text": {"type": "string", "minLength": 1, "maxLength": feedback.MAX_TEXT},
                "clause": {"type": "string", "maxLength": feedback.MAX_CLAUSE},
                "contact": {
                    "type": "string",
                    "maxLength": feedback.MAX_CONTACT,
                    "description": "Optional; never shown to the public",
                },
            },
        },
        "FeedbackAnswer": {
            "type": "object",
            "additionalProperties": False,
            "required": ["answer"],
            "properties": {
                "answer": {"type": "string", "minLength": 1, "maxLength": feedback.MAX_TEXT},
                "reason": {"type": "string", "maxLength": 1000, "description": "Why an answer is corrected"},
            },
        },
        "EvaluationPlan": {
            "type": "object",
            "required": ["id", "standard", "organisation", "due_on", "note", "status", "overdue", "version"],
            "properties": {
                "id": {"type": "integer"},
                "standard": _standard_ref,
                "organisation": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                },
                "due_on": {"type": "string", "format": "date"},
                "note": {"type": "string"},
                "status": {"enum": [status.value for status in PlanStatus]},
                "overdue": {"type": "boolean", "description": "Still planned and past its due date"},
                "version": {"type": "integer"},
            },
        },
        "EvaluationPlanCreate": {
            "type": "object",
            "additionalProperties": False,
            "required": ["standard_ids", "organisation_id", "due_on"],
            "properties": {
                "standard_ids": {
                    "type": "array",
                    "items": _id,
                    "minItems": 1,
                    "maxItems": reviews.MAX_STANDARDS_PER_PLAN,
                    "description": "Standards in force, none with an open plan",
                },
                "organisation_id": {
                    **_id,
                    "description": "A TC secretariat, an association or a research institute",
                },
                "due_on": {"type": "string", "format": "date", "description": "Today or later"},
                "note": {"type": "string", "maxLength": reviews.MAX_NOTE},
            },
        },
        "EvaluationPlanCancel": {
            "type": "object",
            "additionalProperties": False,
            "required": ["reason"],
            "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 1000}},
        },
        "ReviewDue": {
            "type": "object",
            "required": ["standard_id", "number", "title", "published", "last_review", "due", "overdue_days"],
            "properties": {
                "standard_id": {"type": "integer"},
                "number": {"type": "string"},
                "title": {"type": "string"},
                "published": {"type": "string", "format": "date"},
                "last_review": {
                    "type": ["string", "null"],
                    "format": "date",
                    "description": "The latest concluded evaluation",
                },
                "due": {"type": "string", "format": "date"},
                "overdue_days": {
                    "type": "integer",
                    "description": "(today - due) in days: positive overdue, negative not yet due",
                },
            },
        },
    }
)


def feedback_json(item: Feedback) -> dict:
    shape = {
        "id": item.id,
        "standard_id": item.standard_id,
        "clause": item.clause or "",
        "kind": item.kind.value,
        "text": item.text,
        "status": item.status.value,
        "submitted_at": iso(item.submitted_at),
        "working_group_id": item.working_group_id,
        "answer": item.answer or "",
        "answered_at": iso(item.answered_at),
    }
    if can(current_principal(), Action.ANSWER_FEEDBACK, item):
        shape["contact"] = item.contact or ""
    return shape


def _counts_json(tally: feedback.FeedbackCounts) -> dict:
    return {"total": tally.total, "open": tally.open, "by_kind": dict(tally.by_kind)}


def _standard_or_404(standard_id: int) -> Standard:
    return records.get_standard(db.session, standard_id)


def _source() -> str:
    user = current_principal()
    key = f"user:{user.id}" if user.is_authenticated else client_address()
    return source_of(key, current_app.config["SECRET_KEY"])


@spec.operation(
    "/standards/<id:standard_id>/feedback",
    "POST",
    summary="Report how a standard in force works in practice (标准实施信息反馈); rate-limited per account "
    "(429 with Retry-After); 409 when the standard is not in force",
    tag="evaluation",
    body=ref("FeedbackSubmit"),
    authorise=lambda standard_id: require(Action.SUBMIT_FEEDBACK),
    responses={201: ("The stored feedback", ref("Feedback"))},
)
def submit_feedback(standard_id: int, body: dict):
    standard = _standard_or_404(standard_id)
    data = feedback.FeedbackInput(
        kind=body["kind"], text=body["text"], clause=body.get("clause", ""), contact=body.get("contact", "")
    )
    item = feedback.submit(db.session, standard, data, source=_source(), by=current_principal(), now=utcnow())
    return created(feedback_json(item), url_for(".list_feedback", standard_id=standard.id))


@spec.operation(
    "/standards/<id:standard_id>/feedback",
    "GET",
    summary="A standard's feedback, newest first (signed-in users; the contact only for those who answer)",
    tag="evaluation",
    parameters=[
        *PAGING,
        {"name": "status", "in": "query", "schema": {"enum": [status.value for status in FeedbackStatus]}},
        {"name": "kind", "in": "query", "schema": {"enum": [kind.value for kind in FeedbackKind]}},
    ],
    authorise=lambda standard_id: require(Action.VIEW_FEEDBACK),
    responses={200: ("A page of feedback", page_of("Feedback"))},
)
def list_feedback(standard_id: int):
    standard = _standard_or_404(standard_id)
    status = query_choice("status", {status.value for status in FeedbackStatus})
    kind = query_choice("kind", {kind.value for kind in FeedbackKind})
    return paginated(feedback.newest_first(standard.id, status=status, kind=kind), feedback_json)


@spec.operation(
    "/standards/<id:standard_id>/feedback/counts",
    "GET",
    summary="A standard's feedback counts: all, awaiting an answer, and by kind (public)",
    tag="evaluation",
    public=True,
    authorise=lambda standard_id: require(Action.READ_REGISTRY),
    responses={200: ("The counts", ref("FeedbackCounts"))},
)
def feedback_counts(standard_id: int):
    standard = _standard_or_404(standard_id)
    return jsonify(_counts_json(feedback.counts(db.session, [standard.id])[standard.id]))


def _feedback_or_404(feedback_id: int) -> Feedback:
    require(Action.VIEW_FEEDBACK)
    return feedback.get(db.session, feedback_id)


@spec.operation(
    "/feedback/<id:feedback_id>/answer",
    "POST",
    summary="Answer a feedback item, or correct its answer (the working group, the issuing association, "
    "the secretariat)",
    tag="evaluation",
    body=ref("FeedbackAnswer"),
    authorise=lambda feedback_id: require(Action.ANSWER_FEEDBACK, _feedback_or_404(feedback_id)),
    responses={200: ("The answered item", ref("Feedback"))},
)
def answer_feedback(feedback_id: int, body: dict):
    item = _feedback_or_404(feedback_id)
    feedback.answer(
        db.session, item, body["answer"], by=current_principal(), now=utcnow(), reason=body.get("reason", "")
    )
    return jsonify(feedback_json(item))


# --- evaluation plans and the review-due list --------------------------------------------------


def _plan_reader() -> None:
    if not reviews.may_see_plans(current_principal()):
        require(Action.PLAN_EVALUATIONS)


@spec.operation(
    "/evaluation/plans",
    "GET",
    summary="Evaluation plans by due date: all for the secretariat, the own organisation's for its members",
    tag="evaluation",
    parameters=[
        *PAGING,
        {"name": "status", "in": "query", "schema": {"enum": [status.value for status in PlanStatus]}},
        {
            "name": "overdue",
            "in": "query",
            "schema": {"type": "boolean"},
            "description": "true: only plans still planned and past their due date",
        },
    ],
    authorise=_plan_reader,
    responses={200: ("A page of plans", page_of("EvaluationPlan"))},
)
def list_evaluation_plans():
    on = today()
    status = query_choice("status", {status.value for status in PlanStatus})
    overdue = request.args.get("overdue") == "true"
    query = reviews.plans_query(current_principal(), status=status, overdue_on=on if overdue else None)
    return paginated(query, lambda plan: reviews.plan_json(plan, on))


def _day(text: str, key: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("%(field)s 不是日期（YYYY-MM-DD）。", field=key), details={key: text}) from None


@spec.operation(
    "/evaluation/plans",
    "POST",
    summary="Schedule the evaluation of one or several standards by an evaluating organisation (the secretariat); "
    "422 when a standard already has an open plan",
    tag="evaluation",
    body=ref("EvaluationPlanCreate"),
    authorise=lambda: require(Action.PLAN_EVALUATIONS),
    responses={201: ("The new plans, one per standard", {"type": "array", "items": ref("EvaluationPlan")})},
)
def create_evaluation_plans(body: dict):
    on = today()
    plans = reviews.schedule(
        db.session,
        reviews.PlanInput(
            standard_ids=body["standard_ids"],
            organisation_id=body["organisation_id"],
            due_on=_day(body["due_on"], "due_on"),
            note=body.get("note", ""),
        ),
        by=current_principal(),
        today=on,
    )
    response = jsonify([reviews.plan_json(plan, on) for plan in plans])
    response.status_code = 201
    return response


@spec.operation(
    "/evaluation/plans/<id:plan_id>/cancel",
    "POST",
    summary="Cancel a planned evaluation, with the reason (the secretariat)",
    tag="evaluation",
    body=ref("EvaluationPlanCancel"),
    authorise=lambda plan_id: require(Action.PLAN_EVALUATIONS),
    responses={200: ("The cancelled plan", ref("EvaluationPlan"))},
)
def cancel_evaluation_plan(plan_id: int, body: dict):
    plan = reviews.get_plan(db.session, plan_id)
    reviews.cancel(db.session, plan, body["reason"], by=current_principal())
    return jsonify(reviews.plan_json(plan, today()))


@spec.operation(
    "/evaluation/review-due",
    "GET",
    summary="Standards in force overdue for periodic review (复审) or due within the window, earliest first",
    tag="evaluation",
    parameters=[
        {
            "name": "within_days",
            "in": "query",
            "schema": {"type": "integer", "minimum": 0, "maximum": 3650, "default": reviews.DEFAULT_WINDOW_DAYS},
        }
    ],
    authorise=lambda: require(Action.PLAN_EVALUATIONS),
    responses={200: ("The standards due", {"type": "array", "items": ref("ReviewDue")})},
)
def review_due_list():
    within = request.args.get("within_days", reviews.DEFAULT_WINDOW_DAYS, type=int)
    return jsonify([reviews.due_json(row) for row in reviews.due_list(db.session, today(), within_days=within)])
