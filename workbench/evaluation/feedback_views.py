"""Implementation feedback (标准实施信息反馈) pages under /evaluation/feedback: the public form on a
standard in force, a standard's feedback (signed in), one item with its answer form, the items
awaiting the user's answer, and the panel on the registry's standard page."""

from dataclasses import dataclass

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from workbench.auth.access import client_address, current_principal, require
from workbench.auth.permissions import Action, can
from workbench.db import db, utcnow, write
from workbench.drafting.service import source_of
from workbench.errors import WorkbenchError
from workbench.evaluation import feedback as service
from workbench.evaluation.feedback import FeedbackCounts
from workbench.evaluation.models import (
    FEEDBACK_KIND_LABELS,
    FEEDBACK_STATUS_LABELS,
    Feedback,
    FeedbackKind,
    FeedbackStatus,
)
from workbench.forms import enum_choices
from workbench.registry.models import Standard
from workbench.web import REJECTED, form_page, page_number, show_error

bp = Blueprint("feedback", __name__, url_prefix="/evaluation/feedback")

PAGE_SIZE = 50


class FeedbackForm(FlaskForm):
    kind = SelectField(
        _l("反馈类型"),
        choices=enum_choices(FEEDBACK_KIND_LABELS, blank=_l("（请选择）")),
        validators=[DataRequired(_l("请选择反馈类型。"))],
    )
    clause = StringField(
        _l("章条（可选）"),
        validators=[Optional(), Length(max=service.MAX_CLAUSE)],
        description=_l("如：5.2、附录 B。"),
    )
    text = TextAreaField(
        _l("反馈内容"),
        validators=[DataRequired(_l("请填写反馈内容。")), Length(max=service.MAX_TEXT)],
        description=_l("实施中遇到的问题：哪里表述不清、难以实施、与哪项标准矛盾、缺少哪些数据。"),
    )
    contact = StringField(
        _l("联系方式（可选）"),
        validators=[Optional(), Length(max=service.MAX_CONTACT)],
        description=_l("仅负责答复的起草组、发布团体和秘书处可见，不会公开。"),
    )


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("答复"), validators=[DataRequired(_l("请填写答复。")), Length(max=service.MAX_TEXT)])
    reason = StringField(_l("更正原因（更正已有答复时填写，可选）"), validators=[Optional(), Length(max=1000)])


@dataclass(frozen=True)
class FeedbackPanel:
    """What the standard's page shows: the counts (public), the latest items (signed in), whether
    the standard takes feedback, and whether there are more items than shown."""

    counts: FeedbackCounts
    latest: list[Feedback]
    accepts: bool
    more: bool
    kind_labels: dict
    status_labels: dict


@bp.app_template_global()
def standard_feedback(standard) -> FeedbackPanel | None:
    """The feedback panel of the registry's standard page (None: nothing to show). Two queries at
    most, whatever the number of items: the counts, and the latest items."""
    tally = service.counts(db.session, [standard.id])[standard.id]
    accepts = service.accepts_feedback(standard)
    if not tally.total and not accepts:
        return None
    latest = []
    if tally.total and can(current_principal(), Action.VIEW_FEEDBACK):
        latest = service.items(db.session, standard.id, limit=service.PANEL_ITEMS)
    return FeedbackPanel(
        counts=tally,
        latest=latest,
        accepts=accepts,
        more=tally.total > len(latest),
        kind_labels=FEEDBACK_KIND_LABELS,
        status_labels=FEEDBACK_STATUS_LABELS,
    )


def _standard(standard_id: int) -> Standard:
    return db.get_or_404(Standard, standard_id)


def _source() -> str:
    """Signed-in reporters are counted by account, visitors by (hashed) address."""
    user = current_principal()
    key = f"user:{user.id}" if user.is_authenticated else client_address()
    return source_of(key, current_app.config["SECRET_KEY"])


@bp.route("/standards/<id:standard_id>/new", methods=["GET", "POST"])
def new(standard_id: int):
    """The public form: anyone reports how a standard in force works in practice."""
    require(Action.SUBMIT_FEEDBACK)
    record = _standard(standard_id)
    form = FeedbackForm()
    if request.method == "GET":
        form.clause.data = request.args.get("clause", "")[: service.MAX_CLAUSE]
    if form.validate_on_submit():
        data = service.FeedbackInput(
            kind=form.kind.data,
            text=form.text.data,
            clause=form.clause.data or "",
            contact=form.contact.data or "",
        )
        try:  # committed here, so that a refused write still shows what was typed
            write(
                lambda: service.submit(db.session, record, data, source=_source(), by=current_principal(), now=utcnow())
            )
        except WorkbenchError as error:
            show_error(form, error)
        else:
            flash(_("反馈已提交，感谢！负责该标准的起草组或秘书处会作出答复。"), "success")
            return redirect(url_for("registry.standard", standard_id=record.id, _anchor="feedback"))
    return form_page("evaluation/feedback_form.html", form, standard=record, accepts=service.accepts_feedback(record))


@bp.get("/standards/<id:standard_id>")
def standard_items(standard_id: int):
    """A standard's feedback, newest first, paged (signed-in users)."""
    require(Action.VIEW_FEEDBACK)
    record = _standard(standard_id)
    status = request.args.get("status", "")
    status = status if status in {member.value for member in FeedbackStatus} else None
    kind = request.args.get("kind", "")
    kind = kind if kind in {member.value for member in FeedbackKind} else None
    page = db.paginate(
        service.newest_first(record.id, status=status, kind=kind),
        page=page_number(),
        per_page=PAGE_SIZE,
        error_out=False,
    )
    return render_template(
        "evaluation/feedback_list.html",
        standard=record,
        page=page,
        status=status,
        kind=kind,
        counts=service.counts(db.session, [record.id])[record.id],
        KIND_LABELS=FEEDBACK_KIND_LABELS,
        STATUS_LABELS=FEEDBACK_STATUS_LABELS,
    )


def _item(feedback_id: int) -> Feedback:
    require(Action.VIEW_FEEDBACK)
    return db.get_or_404(Feedback, feedback_id)


def _item_page(item: Feedback, form: AnswerForm | None = None, status: int = 200):
    if form is None:
        form = AnswerForm(formdata=None)
        form.answer.data = item.answer or ""
    html = render_template(
        "evaluation/feedback_item.html",
        item=item,
        form=form,
        may_answer=can(current_principal(), Action.ANSWER_FEEDBACK, item),
        KIND_LABELS=FEEDBACK_KIND_LABELS,
        STATUS_LABELS=FEEDBACK_STATUS_LABELS,
    )
    return make_response(html, status)


@bp.get("/<id:feedback_id>")
def item(feedback_id: int):
    return _item_page(_item(feedback_id))


@bp.post("/<id:feedback_id>/answer")
def answer(feedback_id: int):
    """Answer an item, or correct its answer (those who answer for the standard)."""
    record = _item(feedback_id)
    require(Action.ANSWER_FEEDBACK, record)
    form = AnswerForm()
    if form.validate_on_submit():
        corrected = record.status == FeedbackStatus.ANSWERED
        try:
            write(
                lambda: service.answer(
                    db.session,
                    record,
                    form.answer.data,
                    by=current_principal(),
                    now=utcnow(),
                    reason=form.reason.data or "",
                )
            )
        except WorkbenchError as error:
            show_error(form, error)
        else:
            flash(_("答复已更正。") if corrected else _("答复已保存。"), "success")
            return redirect(url_for(".item", feedback_id=record.id))
    db.session.rollback()
    return _item_page(record, form, getattr(form, "refused_with", REJECTED))


@bp.get("/to-answer")
def to_answer():
    """The open feedback the signed-in user may answer, oldest first."""
    require(Action.EDIT_OWN_ACCOUNT)  # any signed-in user; visitors are asked to sign in
    require(Action.ANSWER_FEEDBACK)
    user = current_principal()
    return render_template(
        "evaluation/feedback_to_answer.html",
        items=service.answerable(db.session, user),
        KIND_LABELS=FEEDBACK_KIND_LABELS,
    )
