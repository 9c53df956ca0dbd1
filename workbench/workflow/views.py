"""A rule's overview page (/drafting/<id>): where it stands, the moves open to it with their gates,
its publications and findings; and the two actions taken there, moving the stage and publishing.
The drafting pages (parameters, clauses, JSON, revisions, comments) are workbench.drafting's."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from workbench.auth.access import current_principal, require
from workbench.auth.models import ROLE_LABELS
from workbench.auth.permissions import Action, Role, can
from workbench.dates import today
from workbench.db import db
from workbench.drafting import service as drafting
from workbench.drafting import stages
from workbench.drafting.models import Rule
from workbench.drafting.workspace import workspace
from workbench.errors import WorkbenchError
from workbench.page_cache import cached_page
from workbench.publishing import service as publishing
from workbench.publishing import tasks as publishing_tasks
from workbench.trials.models import Calculation
from workbench.web import REJECTED
from workbench.workflow import service

bp = Blueprint("workflow", __name__, url_prefix="/drafting")


class StageForm(FlaskForm):
    target = HiddenField(validators=[DataRequired()])
    number = StringField(_l("标准编号（出版时）"), validators=[Optional(), Length(max=100)])
    note = StringField(_l("说明"), validators=[Optional(), Length(max=1000)])


class PublishForm(FlaskForm):
    note = TextAreaField(_l("发布说明"), validators=[Optional(), Length(max=500)])


def _mover(move: stages.Move, role) -> str | None:
    """None when `role` may make `move`; otherwise the sentence saying who makes it, shown in place
    of the move's form (the gates still show where the rule stands)."""
    if role in move.roles:
        return None
    if move.publishes:
        return _("由市场监管总局（管理员）批准发布。")
    names = "、".join(str(ROLE_LABELS[Role(code)]) for code in sorted(move.roles))
    return _("这一转换由%(roles)s执行。", roles=names)


def _overview(rule: Rule) -> dict:
    """Everything the overview shows; the findings are checked once and shared with the gates."""
    page = workspace(rule)
    user = current_principal()
    moves = (
        [
            (move, results, _mover(move, user.role))
            for move, results in service.moves(db.session, rule, today(), page["findings"])
        ]
        if can(user, Action.MOVE_STAGE, rule)
        else []
    )
    return {
        **page,
        "moves": moves,
        "stage_form": StageForm(formdata=None),
        "review_due": service.review_due(rule),
        "review_finding": service.review_finding(rule, today()),
        "events": drafting.stage_events(db.session, rule),
        "publications": publishing.publications(db.session, rule),
        "publishable": stages.STAGES[rule.stage].publishable,
        "public_revision": drafting.public_revision(db.session, rule).number,
    }


# Trial calculations are not in the audit trail, and the gates count the enterprises with one.
@bp.get("/<id:rule_id>")
@cached_page(Action.VIEW_RULES, unaudited=(Calculation,))
def rule(rule_id: int):
    require(Action.VIEW_RULES)
    return render_template("drafting/rule.html", **_overview(drafting.get_rule(db.session, rule_id)))


@bp.post("/<id:rule_id>/stage")
def move_stage(rule_id: int):
    require(Action.VIEW_RULES)
    record = drafting.get_rule(db.session, rule_id)
    require(Action.MOVE_STAGE, record)
    form = StageForm()
    if not form.validate():
        abort(400)  # the target is a hidden field of the page, not something typed
    try:
        service.move_stage(
            db.session,
            record,
            form.target.data,
            by=current_principal(),
            today=today(),
            note=form.note.data or "",
            number=form.number.data or "",
        )
    except WorkbenchError as error:
        flash(str(error.message), "error")
        return render_template("drafting/rule.html", **_overview(record)), REJECTED
    stage = stages.STAGES[record.stage]
    flash(_("已进入“%(code)s %(name)s”阶段。", code=stage.code, name=_(stage.name)), "success")
    return redirect(url_for(".rule", rule_id=record.id))


@bp.post("/<id:rule_id>/publish")
def publish(rule_id: int):
    require(Action.VIEW_RULES)
    record = drafting.get_rule(db.session, rule_id)
    require(Action.PUBLISH_RULE, record)
    form = PublishForm()
    if not form.validate():
        flash(_("发布说明不能超过 500 个字符。"), "error")
        return render_template("drafting/rule.html", **_overview(record)), REJECTED
    public = drafting.public_revision(db.session, record)
    published = publishing.publication_of(db.session, public, record.stage)
    if published is not None:
        flash(_("该修订在这一阶段已经发布过（%(tag)s），没有生成新的版本。", tag=published.tag), "info")
        if public.number != record.current_revision:
            flash(
                _(
                    "征求意见期间公开的是发出征求意见的第 %(sent)d 版。要公开第 %(current)d 版，"
                    "须重新征求意见：退回起草阶段后再次转入征求意见阶段，60 天从再次发出之日起计算。",
                    sent=public.number,
                    current=record.current_revision,
                ),
                "info",
            )
        return redirect(url_for("portal.rule", slug=published.slug))
    # The publication itself is a background job: only job runners write the repository.
    try:
        job, _created = publishing_tasks.request_publication(
            db.session, record, by=current_principal(), note=form.note.data or ""
        )
    except WorkbenchError as error:
        flash(str(error.message), "error")
        return render_template("drafting/rule.html", **_overview(record)), REJECTED
    flash(_("发布已开始：完成后任何人无需登录即可在发布平台阅读和下载。"), "success")
    return redirect(url_for("jobs.job", job_id=job.id))
