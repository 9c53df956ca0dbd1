"""Adoption (采信) of group standards: pages under /adoption (指引（十五）).

An association prepares its application (采信建议书) and sees its eligibility line by line before
submitting; the secretariat forms the panel (a recusal is recorded and shown as a refusal); the
panel scores; SAMR/MEE decide; anyone reads the decided applications at /adoption/decided.
"""

import re

from flask import Blueprint, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from workbench.auth.access import current_principal, require
from workbench.auth.models import User
from workbench.auth.permissions import Action, can
from workbench.catalogue.proposals import working_groups
from workbench.dates import today
from workbench.db import db, write
from workbench.errors import WorkbenchError
from workbench.evaluation import adoption as service
from workbench.evaluation import attachments
from workbench.evaluation.adoption import AdoptionRefused, ApplicationInput, ScoreInput
from workbench.evaluation.dimensions import ADOPTION_DIMENSIONS, SCORE_LABELS, SCORE_MAX, SCORE_MIN
from workbench.evaluation.models import (
    APPLICATION_STATUS_LABELS,
    ATTACHMENT_KIND_LABELS,
    PANEL_STATUS_LABELS,
    AdoptionApplication,
    ApplicationStatus,
    PanelStatus,
)
from workbench.forms import enum_choices
from workbench.registry.models import Level, Standard
from workbench.web import REJECTED, id_arg, page_number, show_error

bp = Blueprint("adoption", __name__, url_prefix="/adoption")

PAGE_SIZE = 50
TEXT = [Optional(), Length(max=service.MAX_TEXT)]
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
CHINESE = {"lang": "zh-CN"}  # an option naming a person, a group or a standard: Chinese content


class ApplicationForm(FlaskForm):
    necessity = TextAreaField(
        _l("必要性和可行性"), validators=TEXT, description=_l("国家标准体系缺少什么，为什么采信这项团体标准。")
    )
    main_content = TextAreaField(_l("主要技术内容"), validators=TEXT)
    expected_uptake = TextAreaField(_l("预期应用和效益"), validators=TEXT)
    proposed_committee = StringField(
        _l("建议归口技术委员会"), validators=[Optional(), Length(max=200)], description=_l("例如 SAC/TC548。")
    )
    drafting_units = TextAreaField(
        _l("起草单位"),
        validators=TEXT,
        description=_l("每行一个单位：这些单位的成员不能参加评审组。"),
    )


class NewApplicationForm(ApplicationForm):
    # The view checks the choice against the association's own standards and says what to do.
    standard_id = SelectField(
        _l("团体标准"), coerce=int, description=_l("本团体已发布的团体标准。"), validate_choice=False
    )

    # The standard first on the page.
    _order = ("standard_id", "necessity", "main_content", "expected_uptake", "proposed_committee", "drafting_units")


class UploadForm(FlaskForm):
    kind = SelectField(_l("材料"), choices=enum_choices(ATTACHMENT_KIND_LABELS))
    file = FileField(_l("文件"), validators=[FileRequired(_l("请选择要上传的文件。"))])


class ActionForm(FlaskForm):
    """A state change without fields (submit, delete): the CSRF token only."""


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("理由"), validators=TEXT)


class PanelForm(FlaskForm):
    user_id = SelectField(_l("评估专家"), coerce=int)


class AdoptForm(FlaskForm):
    working_group_id = SelectField(_l("承担工作组"), coerce=int, description=_l("可留空，由秘书处之后指定。"))
    reason = TextAreaField(_l("说明（可选）"), validators=TEXT)


def _score_label(value: int) -> str:
    return f"{value} {_(SCORE_LABELS[value])}"


# Translated when the form is shown, in the reader's language.
_SCORE_CHOICES = [SelectChoice("", _l("（请打分）"))] + [
    SelectChoice(str(value), LazyString(_score_label, value)) for value in range(SCORE_MAX, SCORE_MIN - 1, -1)
]


class ScoreForm(FlaskForm):
    pass


for _dimension in ADOPTION_DIMENSIONS:
    setattr(
        ScoreForm,
        f"score_{_dimension.key}",
        # The service says what a missing or out-of-range score needs, with the dimension's name.
        SelectField(
            _l(_dimension.label), choices=_SCORE_CHOICES, description=_l(_dimension.question), validate_choice=False
        ),
    )
    setattr(ScoreForm, f"remarks_{_dimension.key}", TextAreaField(_l("意见"), validators=TEXT))


# --- helpers --------------------------------------------------------------------------------------


def _input(form: ApplicationForm) -> ApplicationInput:
    return ApplicationInput(
        necessity=form.necessity.data or "",
        main_content=form.main_content.data or "",
        expected_uptake=form.expected_uptake.data or "",
        proposed_committee=form.proposed_committee.data or "",
        drafting_units=form.drafting_units.data or "",
    )


def _application(application_id: int) -> AdoptionApplication:
    require(Action.EDIT_OWN_ACCOUNT)  # visitors sign in first
    return service.get_application(db.session, application_id, by=current_principal())


def _score_value(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdecimal() and len(text) < 3 else None


def _group_choices() -> list[SelectChoice]:
    return [SelectChoice(0, _("（暂不指定）"))] + [
        SelectChoice(group.id, f"{group.code} {group.name}", render_kw=CHINESE) for group in working_groups(db.session)
    ]


def _panel_choices(application: AdoptionApplication) -> list[SelectChoice]:
    named = application.panel_user_ids  # a recused one may be proposed again: the refusal says why
    return [SelectChoice(0, _("（请选择评估专家）"))] + [
        SelectChoice(
            user.id, f"{user.display_name}（{user.organisation.name if user.organisation else '—'}）", render_kw=CHINESE
        )
        for user in service.evaluators(db.session)
        if user.id not in named
    ]


# --- the registry's standard page -----------------------------------------------------------------


@bp.app_template_global()
def standard_adoption(standard: Standard) -> dict | None:
    """What the registry's page of a group standard shows of its adoption: the newest
    application to whoever may read it, and "申请采信" to the association that keeps it; None
    when there is nothing for this reader."""
    if standard.level != Level.GROUP:
        return None
    user = current_principal()
    latest = service.latest_application(db.session, standard)
    readable = latest is not None and can(user, Action.VIEW_ADOPTION, latest)
    may_apply = service.may_apply(user, standard, latest)
    if not (readable or may_apply):
        return None
    return {
        "application": latest if readable else None,
        "status": APPLICATION_STATUS_LABELS[latest.status] if readable else None,
        "may_apply": may_apply,
    }


# --- lists ----------------------------------------------------------------------------------------


@bp.get("/")
def applications():
    require(Action.EDIT_OWN_ACCOUNT)
    user = current_principal()
    status = request.args.get("status", "")
    status = status if status in {member.value for member in ApplicationStatus} else None
    page = db.paginate(service.visible(user, status=status), page=page_number(), per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "adoption/applications.html",
        page=page,
        status=status,
        oversight=service.is_oversight(user),
        may_apply=can(user, Action.APPLY_FOR_ADOPTION),
        STATUS_LABELS=APPLICATION_STATUS_LABELS,
    )


@bp.get("/decided")
def decided():
    """Public: the applications SAMR has decided and their outcome."""
    return render_template(
        "adoption/decided.html", items=service.decided(db.session), STATUS_LABELS=APPLICATION_STATUS_LABELS
    )


# --- a new application ----------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
def new():
    require(Action.APPLY_FOR_ADOPTION)
    user = current_principal()
    own = service.own_group_standards(db.session, user)
    form = NewApplicationForm()
    form.standard_id.choices = [SelectChoice(0, _("（请选择团体标准）"))] + [
        SelectChoice(standard.id, f"{standard.designation} {standard.title}", render_kw=CHINESE) for standard in own
    ]
    if request.method == "GET":
        form.standard_id.data = id_arg("standard") or 0
    # Only one of the association's own standards: any other number, however large, is none.
    standard = next((row for row in own if row.id == form.standard_id.data), None)
    checking = request.method == "POST" and request.form.get("action") == "check"
    if request.method == "POST" and not checking and form.validate_on_submit():
        if standard is None:
            form.standard_id.errors = [*form.standard_id.errors, _("请选择本团体已发布的团体标准。")]
            form.refused_with = REJECTED
        else:
            try:
                application = write(lambda: service.create(db.session, standard, _input(form), by=user))
            except WorkbenchError as error:
                show_error(form, error)
            else:
                flash(_("采信申请草稿已保存：请上传附件，确认资格后提交。"), "success")
                return redirect(url_for(".application", application_id=application.id))
    result = service.check(db.session, standard, None, today=today()) if standard is not None else None
    status = getattr(form, "refused_with", REJECTED) if request.method == "POST" and not checking else 200
    db.session.rollback()
    html = render_template(
        "adoption/new.html",
        form=form,
        result=result,
        standards=own,
        fields=[getattr(form, name) for name in NewApplicationForm._order],
    )
    return make_response(html, status)


# --- one application ------------------------------------------------------------------------------


def _mark_written_language(form: FlaskForm | None) -> None:
    """Mark the text fields already holding Chinese someone wrote with lang="zh-CN", as the page
    marks every other stored text: an English reader (and a screen reader) knows it is content."""
    for field in form or ():
        if field.type in ("StringField", "TextAreaField") and isinstance(field.data, str) and HAN.search(field.data):
            field.render_kw = {**(field.render_kw or {}), "lang": "zh-CN"}


def _page(application: AdoptionApplication, *, status: int = 200, forms: dict | None = None, refused=None):
    user = current_principal()
    forms = forms or {}
    draft = application.status == ApplicationStatus.DRAFT
    may_apply = can(user, Action.APPLY_FOR_ADOPTION, application)
    edit_form = forms.get("edit")
    if edit_form is None and draft and may_apply:
        edit_form = ApplicationForm(formdata=None, obj=application)
    panel_form = forms.get("panel") or PanelForm(formdata=None)
    panel_form.user_id.choices = _panel_choices(application)
    score_form = forms.get("score")
    may_score = can(user, Action.SCORE_ADOPTION, application) and application.status == ApplicationStatus.SUBMITTED
    if score_form is None and may_score:
        score_form = ScoreForm(formdata=None)
        for row in application.scores:
            if row.user_id == user.id:
                getattr(score_form, f"score_{row.dimension}").data = str(row.score)
                getattr(score_form, f"remarks_{row.dimension}").data = row.remarks
    for form in (edit_form, score_form):
        _mark_written_language(form)
    adopt_form = forms.get("adopt") or AdoptForm(formdata=None)
    adopt_form.working_group_id.choices = _group_choices()
    live = service.check(db.session, application.standard, application, today=today())
    # The applicant sees the review only once it is decided, and then only per dimension.
    sees_review = service.sees_review(user, application)
    html = render_template(
        "adoption/application.html",
        application=application,
        live=live,
        submitted_findings=service.stored_findings(application),
        refused=refused or [],
        steps=service.timeline(db.session, application, by=user),
        sees_review=sees_review,
        summaries=service.aggregate(application) if sees_review or application.status in service.DECIDED else [],
        scorers=service.complete_scorers(application),
        min_scorers=service.MIN_SCORERS,
        dissent=service.DISSENT,
        dimensions=ADOPTION_DIMENSIONS,
        edit_form=edit_form,
        upload_form=forms.get("upload") or UploadForm(formdata=None),
        action_form=ActionForm(formdata=None),
        reason_form=forms.get("reason") or ReasonForm(formdata=None),
        panel_form=panel_form,
        score_form=score_form,
        adopt_form=adopt_form,
        may_apply=may_apply and draft,
        may_withdraw=can(user, Action.APPLY_FOR_ADOPTION, application) and application.status in service.OPEN,
        may_form_panel=can(user, Action.FORM_PANEL, application) and application.status == ApplicationStatus.SUBMITTED,
        may_decide=can(user, Action.DECIDE_ADOPTION, application) and application.status == ApplicationStatus.SUBMITTED,
        STATUS_LABELS=APPLICATION_STATUS_LABELS,
        KIND_LABELS=ATTACHMENT_KIND_LABELS,
        PANEL_LABELS=PANEL_STATUS_LABELS,
        PanelStatus=PanelStatus,
        size_text=attachments.size_text,
        months=service.MONTHS_TO_APPROVAL,
    )
    return make_response(html, status)


@bp.get("/<id:application_id>")
def application(application_id: int):
    return _page(_application(application_id))


def _act(
    application: AdoptionApplication,
    action: Action,
    form,
    operation,
    message: str,
    key: str,
    refused: list | None = None,
):
    """Check `action` on the application, commit `operation(application, by)` and go back to
    the application, or show it again with the refusal."""
    require(action, application)
    by = current_principal()
    if form.validate_on_submit():
        try:
            write(lambda: operation(application, by))
        except AdoptionRefused as error:
            if refused is not None:
                refused.extend(error.findings)
            flash(_("没有通过资格检查：请按下面的检查结果处理。"), "error")
        except WorkbenchError as error:
            show_error(form, error)
        else:
            flash(message, "success")
            return redirect(url_for(".application", application_id=application.id))
    db.session.rollback()
    return _page(application, status=REJECTED, forms={key: form}, refused=refused)


@bp.post("/<id:application_id>/edit")
def edit(application_id: int):
    form = ApplicationForm()
    return _act(
        _application(application_id),
        Action.APPLY_FOR_ADOPTION,
        form,
        lambda application, by: service.update(db.session, application, _input(form), by=by),
        _("采信建议书已保存。"),
        "edit",
    )


@bp.post("/<id:application_id>/attachments")
def upload(application_id: int):
    form = UploadForm()
    return _act(
        _application(application_id),
        Action.APPLY_FOR_ADOPTION,
        form,
        lambda application, by: service.add_attachment(
            db.session, application, form.kind.data, form.file.data.stream, form.file.data.filename, by=by
        ),
        _("附件已上传。"),
        "upload",
    )


@bp.get("/attachments/<id:attachment_id>")
def download(attachment_id: int):
    require(Action.EDIT_OWN_ACCOUNT)
    item = service.get_attachment(db.session, attachment_id, by=current_principal())
    response = send_file(
        attachments.path_of(item.stored_name),
        mimetype=item.content_type,
        max_age=0,
        etag=False,
        conditional=False,
    )
    response.headers["Content-Disposition"] = attachments.content_disposition(item.filename, item.id, item.content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/attachments/<id:attachment_id>/delete")
def delete_attachment(attachment_id: int):
    require(Action.EDIT_OWN_ACCOUNT)
    item = service.get_attachment(db.session, attachment_id, by=current_principal())
    return _act(
        item.application,
        Action.APPLY_FOR_ADOPTION,
        ActionForm(),
        lambda application, by: service.remove_attachment(db.session, item, by=by),
        _("附件已删除。"),
        "action",
    )


@bp.post("/<id:application_id>/submit")
def submit(application_id: int):
    return _act(
        _application(application_id),
        Action.APPLY_FOR_ADOPTION,
        ActionForm(),
        lambda application, by: service.submit(db.session, application, by=by, today=today()),
        _("采信申请已提交，等待评审。"),
        "action",
        refused=[],
    )


@bp.post("/<id:application_id>/withdraw")
def withdraw(application_id: int):
    form = ReasonForm()
    return _act(
        _application(application_id),
        Action.APPLY_FOR_ADOPTION,
        form,
        lambda application, by: service.withdraw(db.session, application, by=by, reason=form.reason.data or ""),
        _("采信申请已撤回。"),
        "reason",
    )


@bp.post("/<id:application_id>/panel")
def add_member(application_id: int):
    """Name a panel member. A recusal is committed (it stays on record) and shown as a refusal."""
    application = _application(application_id)
    require(Action.FORM_PANEL, application)
    form = PanelForm()
    form.user_id.choices = _panel_choices(application)
    by = current_principal()
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data) if form.user_id.data else None
        try:
            member = write(lambda: service.add_panel_member(db.session, application, user, by=by))
        except WorkbenchError as error:
            show_error(form, error)
        else:
            if member.status == PanelStatus.RECUSED:
                flash(service.recusal_message(member), "error")
                return _page(application, status=REJECTED)
            flash(_("“%(name)s”已加入评审组。", name=member.user.display_name), "success")
            return redirect(url_for(".application", application_id=application.id))
    db.session.rollback()
    return _page(application, status=REJECTED, forms={"panel": form})


@bp.post("/panel/<id:member_id>/remove")
def remove_member(member_id: int):
    require(Action.EDIT_OWN_ACCOUNT)
    member = service.get_panel_member(db.session, member_id, by=current_principal())
    return _act(
        member.application,
        Action.FORM_PANEL,
        ActionForm(),
        lambda application, by: service.remove_panel_member(db.session, member, by=by),
        _("已移出评审组。"),
        "action",
    )


@bp.post("/<id:application_id>/scores")
def score(application_id: int):
    form = ScoreForm()
    entries = [
        ScoreInput(
            dimension.key,
            _score_value(getattr(form, f"score_{dimension.key}").data),
            getattr(form, f"remarks_{dimension.key}").data or "",
        )
        for dimension in ADOPTION_DIMENSIONS
    ]
    return _act(
        _application(application_id),
        Action.SCORE_ADOPTION,
        form,
        lambda application, by: service.score(db.session, application, entries, by=by),
        _("评分已保存。"),
        "score",
    )


@bp.post("/<id:application_id>/adopt")
def adopt(application_id: int):
    form = AdoptForm()
    form.working_group_id.choices = _group_choices()

    return _act(
        _application(application_id),
        Action.DECIDE_ADOPTION,
        form,
        lambda application, by: service.adopt(
            db.session,
            application,
            by=by,
            today=today(),
            working_group_id=form.working_group_id.data or None,
            reason=form.reason.data or "",
        ),
        _("已决定采信：国家标准项目已在立项阶段（10）建立。"),
        "adopt",
        refused=[],
    )


@bp.post("/<id:application_id>/decline")
def decline(application_id: int):
    form = ReasonForm()
    return _act(
        _application(application_id),
        Action.DECIDE_ADOPTION,
        form,
        lambda application, by: service.decline(db.session, application, form.reason.data or "", by=by, today=today()),
        _("已决定不予采信。"),
        "reason",
    )
