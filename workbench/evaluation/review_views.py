"""Periodic review (复审) and evaluation plans, pages under /evaluation/reviews: the standards due or
overdue for review, the plans (with the schedule form for several standards at once, and
cancelling), and the plans past their due date."""

import re

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action, can
from workbench.dates import today
from workbench.db import db, write
from workbench.errors import SignInRequired, WorkbenchError, refuse
from workbench.evaluation import reviews as service
from workbench.evaluation.models import PLAN_STATUS_LABELS, EvaluationPlan, PlanStatus
from workbench.registry import service as registry
from workbench.registry.models import LEVEL_LABELS, Level, Standard
from workbench.web import REJECTED, page_number, show_error

bp = Blueprint("reviews", __name__, url_prefix="/evaluation/reviews")

PAGE_SIZE = 50
WINDOWS = (0, 90, 180, 365, 730)  # the review-due list's choices: overdue only, or due within N days
NUMBER_SEPARATORS = re.compile(r"[\n\r,，;；、]+")


class PlanForm(FlaskForm):
    standards = TextAreaField(
        _l("标准编号"),
        validators=[DataRequired(_l("请填写要评估的标准编号。")), Length(max=5000)],
        description=_l("每行一个，如 GB/T 24067—2024；可一次安排多项标准。"),
    )
    organisation_id = SelectField(
        _l("评估机构"),
        coerce=int,
        description=_l("标准化技术委员会秘书处、社会团体（协会）或研究机构（指引（十二））。"),
    )
    due_on = DateField(_l("完成期限"), validators=[InputRequired(message=_l("请填写完成期限。"))])
    note = TextAreaField(_l("说明（可选）"), validators=[Optional(), Length(max=service.MAX_NOTE)])


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("取消理由"), validators=[DataRequired(_l("请填写取消理由。")), Length(max=1000)])


def _require_planner() -> None:
    require(Action.PLAN_EVALUATIONS)


def _require_plan_reader() -> None:
    user = current_principal()
    if not user.is_authenticated:
        raise SignInRequired(Action.PLAN_EVALUATIONS)
    if not service.may_see_plans(user):
        require(Action.PLAN_EVALUATIONS)


@bp.get("/")
def due():
    """Standards in force due for review within the chosen window, or overdue (the secretariat)."""
    _require_planner()
    within = request.args.get("within", "365")
    within = int(within) if within.isdecimal() and int(within) in WINDOWS else 365
    level = request.args.get("level", "")
    level = level if level in {member.value for member in Level} else None
    on = today()
    rows = service.due_list(db.session, on, within_days=within)
    if within == 0:
        rows = [row for row in rows if row.overdue_days > 0]
    if level:
        rows = [row for row in rows if row.standard.level == level]
    plans = service.open_plans(db.session, [row.standard.id for row in rows])
    return render_template(
        "evaluation/review_due.html",
        rows=rows,
        plans=plans,
        within=within,
        level=level,
        WINDOWS=WINDOWS,
        LEVEL_LABELS=LEVEL_LABELS,
        today=on,
    )


def _setup(form: PlanForm) -> None:
    form.organisation_id.choices = [SelectChoice(0, _("（请选择评估机构）"))] + [
        SelectChoice(organisation.id, organisation.name)
        for organisation in service.evaluating_organisations(db.session)
    ]


def _prefill(form: PlanForm) -> None:
    """The standards chosen on the review-due list (?standard=ID, repeated) fill the form."""
    ids = [
        int(value)
        for value in request.args.getlist("standard")[: service.MAX_STANDARDS_PER_PLAN]
        if value.isdecimal() and len(value) < 10
    ]
    if ids:
        chosen = db.session.scalars(select(Standard).where(Standard.id.in_(ids)).order_by(Standard.numbers))
        form.standards.data = "\n".join(standard.designation for standard in chosen)


def _plans_page(form: PlanForm | None, *, status: int = 200):
    user = current_principal()
    state = request.args.get("status", "")
    state = state if state in {member.value for member in PlanStatus} else None
    page = db.paginate(service.plans_query(user, status=state), page=page_number(), per_page=PAGE_SIZE, error_out=False)
    may_plan = can(user, Action.PLAN_EVALUATIONS)
    if may_plan and form is None:
        form = PlanForm(formdata=None)
        _prefill(form)
    if form is not None:
        _setup(form)
    html = render_template(
        "evaluation/review_plans.html",
        page=page,
        form=form,
        state=state,
        may_plan=may_plan,
        cancel_form=CancelForm,
        STATUS_LABELS=PLAN_STATUS_LABELS,
        today=today(),
    )
    return make_response(html, status)


@bp.get("/plans")
def plans():
    """The evaluation plans: every plan for the secretariat (with the schedule form), the own
    organisation's for the members of an evaluating organisation."""
    _require_plan_reader()
    return _plans_page(None)


def _standard_ids(text: str) -> list[int]:
    """The ids of the standards numbered in `text`, refused beside the field when one is unknown."""
    ids, unknown = [], []
    for number in filter(None, (part.strip() for part in NUMBER_SEPARATORS.split(text or ""))):
        standard = registry.find_standard(db.session, number)
        if standard is None:
            unknown.append(number)
        else:
            ids.append(standard.id)
    if unknown:
        refuse("standards", _("登记簿中没有这些编号的标准：%(numbers)s。", numbers=_("、").join(unknown[:20])))
    return ids


@bp.post("/plans")
def schedule():
    _require_planner()
    form = PlanForm()
    _setup(form)
    if form.validate_on_submit():
        try:
            created = write(
                lambda: service.schedule(
                    db.session,
                    service.PlanInput(
                        standard_ids=_standard_ids(form.standards.data),
                        organisation_id=form.organisation_id.data or None,
                        due_on=form.due_on.data,
                        note=form.note.data or "",
                    ),
                    by=current_principal(),
                    today=today(),
                )
            )
        except WorkbenchError as error:
            if "standard_ids" in error.details:  # the service names its input; the form its field
                error.details["standards"] = error.details.pop("standard_ids")
            show_error(form, error)
        else:
            flash(_("已安排 %(n)d 项标准的评估。", n=len(created)), "success")
            return redirect(url_for(".plans"))
    db.session.rollback()
    return _plans_page(form, status=getattr(form, "refused_with", REJECTED))


@bp.post("/plans/<id:plan_id>/cancel")
def cancel(plan_id: int):
    _require_planner()
    plan = db.get_or_404(EvaluationPlan, plan_id)
    form = CancelForm()
    if not form.validate():
        flash(_("请填写取消理由（不超过 1000 字）。"), "error")
        return redirect(url_for(".plans", _anchor=f"plan-{plan.id}"))
    try:
        write(lambda: service.cancel(db.session, plan, form.reason.data, by=current_principal()))
    except WorkbenchError as error:
        flash(str(error.message), "error")
    else:
        flash(_("已取消“%(plan)s”的评估计划。", plan=plan.audit_label()), "success")
    return redirect(url_for(".plans"))


@bp.get("/plans/overdue")
def overdue():
    """Plans past their due date and still planned."""
    _require_plan_reader()
    on = today()
    plans = db.session.scalars(service.plans_query(current_principal(), overdue_on=on)).all()
    return render_template(
        "evaluation/review_overdue.html",
        plans=plans,
        today=on,
        may_plan=can(current_principal(), Action.PLAN_EVALUATIONS),
    )
