"""The evaluation section's landing page and the evaluation record: pages under /evaluation.

The landing page shows, by permission, the user's organisation's evaluations in progress and
its planned ones, withdrawal proposals awaiting SAMR/MEE, links to the other pages of the
section (review due list and plans, coordination report, adoption) and the recent conclusions
(public). The evaluation page shows the facts with their sources, the scoring form, the
conclusion form and, once concluded, its follow-up. The registry's standard page shows the
evaluation history through `evaluation_history` (a template global, like catalogue's
`standard_lists`). The services ask who may; the pages ask `can()` only to decide what to show.
"""

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, HiddenField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from workbench.auth.access import current_principal, require
from workbench.auth.models import Organisation
from workbench.auth.permissions import Action, Role, can
from workbench.dates import today
from workbench.db import db, write
from workbench.errors import NotFound, WorkbenchError, refuse
from workbench.evaluation import adoption, reviews
from workbench.evaluation import facts as evaluation_facts
from workbench.evaluation import records as service
from workbench.evaluation.dimensions import EVALUATION_DIMENSION, EVALUATION_DIMENSIONS
from workbench.evaluation.models import (
    CONCLUSION_LABELS,
    EVALUATION_STATUS_LABELS,
    PLAN_STATUS_LABELS,
    WITHDRAWAL_STATUS_LABELS,
    Conclusion,
    Evaluation,
    EvaluationPlan,
    WithdrawalStatus,
)
from workbench.forms import enum_choices
from workbench.registry.models import Standard
from workbench.web import LARGEST_ID, REJECTED, id_arg, save, show_error

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")

TEXT = [Optional(), Length(max=service.MAX_TEXT)]
# The pages of the section's other blueprints, linked from the landing page to those who may
# open them: (endpoint, label, who). The decided adoptions are public; the applications are read
# by the oversight, the applying associations and the evaluators who sit on panels.
SECTION_LINKS = (
    ("feedback.to_answer", _l("待答复的实施信息反馈"), lambda user: can(user, Action.ANSWER_FEEDBACK)),
    ("reviews.due", _l("复审到期和逾期的标准"), lambda user: can(user, Action.PLAN_EVALUATIONS)),
    ("reviews.plans", _l("评估计划"), reviews.may_see_plans),
    ("coordination.index", _l("TC548 协调性报告"), lambda user: can(user, Action.VIEW_COORDINATION)),
    (
        "adoption.applications",
        _l("团体标准采信申请"),
        lambda user: (
            adoption.is_oversight(user)
            or can(user, Action.APPLY_FOR_ADOPTION)
            or getattr(user, "role", None) == Role.EVALUATOR
        ),
    ),
    ("adoption.decided", _l("采信决定公示"), lambda user: True),
)


@bp.record_once
def _template_globals(state):
    state.app.jinja_env.globals.update(
        CONCLUSION_LABELS=CONCLUSION_LABELS,
        EVALUATION_STATUS_LABELS=EVALUATION_STATUS_LABELS,
        WITHDRAWAL_STATUS_LABELS=WITHDRAWAL_STATUS_LABELS,
        EVALUATION_DIMENSION=EVALUATION_DIMENSION,
    )


@bp.app_template_global()
def evaluation_history(standard: Standard) -> dict:
    """What the registry's standard page shows of a standard's evaluations: the concluded ones
    (with their follow-up and withdrawal), those in progress the reader may follow, the review
    due date and whether the reader may start an evaluation."""
    session, user = db.session, current_principal()
    evaluations = service.of_standard(session, standard, by=user)
    concluded = [evaluation for evaluation in evaluations if evaluation.is_concluded]
    last = reviews.last_review(session, standard)
    return {
        "concluded": concluded,
        "in_progress": [evaluation for evaluation in evaluations if not evaluation.is_concluded],
        "withdrawals": service.withdrawals_of(session, [evaluation.id for evaluation in concluded]),
        "last_review": last,
        "review_due": reviews.review_due(standard, last),
        "may_start": service.may_start(session, user, standard),
    }


# --- forms --------------------------------------------------------------------------------------


class StartForm(FlaskForm):
    standard_id = HiddenField()
    plan_id = HiddenField()
    organisation_id = SelectField(
        _l("评估机构"),
        coerce=lambda value: _form_id(value) or 0,  # anything but an id is "none chosen"
        validate_choice=False,  # the service refuses an organisation that does not evaluate
        description=_l("标准化技术委员会、社会团体或研究机构（指引（十二））。"),
    )


class DimensionForm(Form):
    """One dimension's score; the page holds one per dimension, under one CSRF token (ScoresForm)."""

    value = RadioField(_l("评价"), validators=[Optional()], validate_choice=False)
    evidence = TextAreaField(_l("依据"), validators=TEXT, description=_l("数据、反馈、试算、文献等事实依据。"))
    remarks = TextAreaField(_l("备注"), validators=TEXT)


class ScoresForm(FlaskForm):
    pass


class ConclusionForm(FlaskForm):
    conclusion = RadioField(_l("评估结论"), choices=enum_choices(CONCLUSION_LABELS), validators=[DataRequired()])
    summary = TextAreaField(
        _l("评估意见"),
        validators=[DataRequired(), Length(max=service.MAX_TEXT)],
        description=_l("结论的理由；结论为“提升”的，写明改进建议。"),
    )
    merges = TextAreaField(
        _l("整合的标准"),
        validators=[Optional(), Length(max=2000)],
        description=_l("结论为“整合”时填写与之整合的标准编号，每行一个，如 GB/T 44905-2024。"),
    )


class WithdrawalDecisionForm(FlaskForm):
    decision = RadioField(
        _l("决定"),
        choices=[SelectChoice("approve", _l("批准废止")), SelectChoice("reject", _l("不予废止"))],
        validators=[DataRequired()],
    )
    reason = TextAreaField(_l("理由"), validators=TEXT, description=_l("不予废止的，须说明理由。"))


def _dimension_forms(evaluation: Evaluation, formdata=None) -> dict[str, DimensionForm]:
    scored = {row.dimension: row for row in evaluation.scores}
    forms = {}
    for dimension in EVALUATION_DIMENSIONS:
        row = scored.get(dimension.key)
        form = DimensionForm(formdata, prefix=dimension.key, obj=row)
        form.value.choices = [SelectChoice(value, _(label)) for value, label in dimension.scale]
        forms[dimension.key] = form
    return forms


# --- pages --------------------------------------------------------------------------------------


def _links(user) -> list[tuple[str, str]]:
    """The section's other pages that `user` may open."""
    return [(url_for(endpoint), label) for endpoint, label, may_open in SECTION_LINKS if may_open(user)]


@bp.get("/")
def index():
    user = current_principal()
    session = db.session
    return render_template(
        "evaluation/index.html",
        in_progress=service.in_progress(session, user),
        planned=service.planned_for(session, user),
        withdrawals=service.pending_withdrawals(session) if can(user, Action.DECIDE_WITHDRAWAL) else [],
        recent=service.recent_conclusions(session),
        links=_links(user),
        oversight=can(user, Action.PLAN_EVALUATIONS),
        PLAN_STATUS_LABELS=PLAN_STATUS_LABELS,
    )


def _organisation_choices(form: StartForm) -> None:
    """Without a plan only the oversight starts an evaluation, for any evaluating organisation."""
    form.organisation_id.choices = [SelectChoice(0, _("（请选择）"))] + [
        SelectChoice(organisation.id, organisation.name)
        for organisation in reviews.evaluating_organisations(db.session)
    ]


@bp.route("/start", methods=["GET", "POST"])
def start():
    user = current_principal()
    form = StartForm()
    standard_id = id_arg("standard") if request.method == "GET" else _form_id(form.standard_id.data)
    standard = service.get_standard(db.session, standard_id)
    plan_id = id_arg("plan") if request.method == "GET" else _form_id(form.plan_id.data)
    plan = db.session.get(EvaluationPlan, plan_id) if plan_id else None
    oversight = can(user, Action.PLAN_EVALUATIONS)
    if plan is None and not oversight:
        require(Action.RECORD_EVALUATION)  # visitors sign in; those who do not evaluate are refused
        plan = service.own_open_plan(db.session, user, standard)
        if plan is None:  # the secretariat schedules evaluations: say so, and list the user's plans
            if request.method == "POST":
                require(Action.PLAN_EVALUATIONS)
            return render_template(
                "evaluation/start.html",
                form=None,
                standard=standard,
                plan=None,
                planned=service.planned_for(db.session, user),
            )
    _organisation_choices(form)
    if request.method == "GET":
        form.standard_id.data = str(standard.id)
        form.plan_id.data = str(plan.id) if plan else ""
        form.organisation_id.data = plan.organisation_id if plan else (getattr(user, "organisation_id", None) or 0)
    elif form.validate_on_submit():

        def operation():
            organisation = None
            if plan is None:
                organisation = (
                    db.session.get(Organisation, form.organisation_id.data) if form.organisation_id.data else None
                )
                if organisation is None:
                    refuse("organisation_id", _("请选择评估机构。"))
            return service.start(db.session, standard, by=user, today=today(), plan=plan, organisation=organisation)

        try:
            evaluation = write(operation)
        except WorkbenchError as error:
            show_error(form, error)
            running = error.details.get("evaluation_id") if isinstance(error.details, dict) else None
            if running:
                return redirect(url_for(".evaluation", evaluation_id=running))
        else:
            flash(_("已开始评估 %(standard)s。", standard=standard.designation), "success")
            return redirect(url_for(".evaluation", evaluation_id=evaluation.id))
    status = REJECTED if form.is_submitted() else 200
    return make_response(
        render_template("evaluation/start.html", form=form, standard=standard, plan=plan, today=today()), status
    )


def _form_id(value) -> int | None:
    """A database id sent in a form, or None when it is not one (as the `id` URL converter)."""
    if isinstance(value, int):
        return value
    value = (value or "").strip()
    if not (value.isascii() and value.isdecimal() and len(value) <= 10):
        return None
    number = int(value)
    return number if 1 <= number <= LARGEST_ID else None


def _saved(evaluation: Evaluation, form, key: str, operation, done: str):
    """Back to the evaluation once `operation` is saved; else its page with `form` (under `key`)
    showing the refusal and what was typed."""
    back = save(form, operation, message=lambda _record: done, redirect_to=lambda _record: _back(evaluation))
    if back is not None:
        return back
    db.session.rollback()
    return _page(evaluation, status=REJECTED, forms={key: form})


def _back(evaluation: Evaluation) -> str:
    return url_for(".evaluation", evaluation_id=evaluation.id)


def _evaluation(evaluation_id: int) -> Evaluation:
    return service.get(db.session, evaluation_id, by=current_principal())


def _page(evaluation: Evaluation, *, status: int = 200, forms: dict | None = None, dimension_forms=None):
    user = current_principal()
    forms = forms or {}
    session = db.session
    if evaluation.is_concluded:
        facts = evaluation_facts.from_json(evaluation.facts)
    else:
        facts = evaluation_facts.gather(session, evaluation.standard, today())
    may_record = can(user, Action.RECORD_EVALUATION, evaluation) and not evaluation.is_concluded
    withdrawal = service.withdrawal_of(session, evaluation)
    html = render_template(
        "evaluation/evaluation.html",
        evaluation=evaluation,
        facts=facts,
        scores={row.dimension: row for row in evaluation.scores},
        missing=service.missing_dimensions(evaluation),
        missing_labels=[_(EVALUATION_DIMENSION[key].label) for key in service.missing_dimensions(evaluation)],
        endpoints=current_app.view_functions,
        dimensions=EVALUATION_DIMENSIONS,
        dimension_forms=dimension_forms or _dimension_forms(evaluation),
        scores_form=forms.get("scores") or ScoresForm(formdata=None),
        conclusion_form=forms.get("conclusion") or ConclusionForm(formdata=None),
        decision_form=forms.get("decision") or WithdrawalDecisionForm(formdata=None),
        withdrawal=withdrawal,
        may_record=may_record,
        may_decide=withdrawal is not None
        and withdrawal.status == WithdrawalStatus.PROPOSED
        and can(user, Action.DECIDE_WITHDRAWAL, withdrawal),
        Conclusion=Conclusion,
        today=today(),
    )
    return make_response(html, status)


@bp.get("/<id:evaluation_id>")
def evaluation(evaluation_id: int):
    return _page(_evaluation(evaluation_id))


@bp.post("/<id:evaluation_id>/scores")
def score(evaluation_id: int):
    evaluation = _evaluation(evaluation_id)
    require(Action.RECORD_EVALUATION, evaluation)
    form = ScoresForm()
    dimension_forms = _dimension_forms(evaluation, request.form)
    user = current_principal()
    current: dict = {}

    def operation():
        saved = 0
        for key, sub in dimension_forms.items():
            if sub.value.data:
                current["form"] = sub
                service.score(
                    db.session,
                    evaluation,
                    key,
                    sub.value.data,
                    evidence=sub.evidence.data or "",
                    remarks=sub.remarks.data or "",
                    by=user,
                )
                saved += 1
        current.pop("form", None)
        if not saved:
            refuse("scores", _("请至少为一项指标选择评价并写明依据。"))
        return saved

    valid = form.validate_on_submit() and all(sub.validate() for sub in dimension_forms.values())
    if valid:
        try:
            saved = write(operation)
        except WorkbenchError as error:
            show_error(current.get("form"), error)
            form.refused_with = REJECTED
        else:
            flash(_("已保存 %(count)d 项指标的评价。", count=saved), "success")
            return redirect(url_for(".evaluation", evaluation_id=evaluation.id) + "#scores")
    db.session.rollback()
    return _page(evaluation, status=REJECTED, forms={"scores": form}, dimension_forms=dimension_forms)


@bp.post("/<id:evaluation_id>/conclude")
def conclude(evaluation_id: int):
    evaluation = _evaluation(evaluation_id)
    require(Action.RECORD_EVALUATION, evaluation)
    form = ConclusionForm()
    user = current_principal()

    def operation():
        merges = service.resolve_numbers(db.session, form.merges.data or "")
        return service.conclude(
            db.session,
            evaluation,
            form.conclusion.data,
            form.summary.data or "",
            merges=merges,
            by=user,
            today=today(),
        )

    return _saved(evaluation, form, "conclusion", operation, _("评估结论已记录。"))


@bp.post("/<id:evaluation_id>/withdrawal")
def decide_withdrawal(evaluation_id: int):
    evaluation = _evaluation(evaluation_id)
    withdrawal = service.withdrawal_of(db.session, evaluation)
    if withdrawal is None:
        raise NotFound(_("这项评估没有废止建议。"))
    require(Action.DECIDE_WITHDRAWAL, withdrawal)
    form = WithdrawalDecisionForm()
    user = current_principal()

    def operation():
        return service.decide_withdrawal(
            db.session,
            withdrawal,
            approve=form.decision.data == "approve",
            reason=form.reason.data or "",
            by=user,
            today=today(),
        )

    return _saved(evaluation, form, "decision", operation, _("已作出决定。"))
