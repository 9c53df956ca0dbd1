"""Project proposals (立项建议) and the inbox of what awaits each user: pages under /proposals and /inbox."""

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action, can
from workbench.catalogue import proposals as service
from workbench.catalogue.models import PROPOSAL_STATUS_LABELS, Proposal, ProposalStatus
from workbench.catalogue.proposals import INBOX_KINDS, ProposalInput, ProposalRefused
from workbench.dates import today
from workbench.db import db, write
from workbench.errors import InvalidInput, WorkbenchError
from workbench.guideline import Finding
from workbench.i18n import say
from workbench.messages import Message
from workbench.registry.models import LEVEL_LABELS, Level
from workbench.web import REJECTED, form_page, id_arg, page_number, show_error

bp = Blueprint("proposals", __name__)

PAGE_SIZE = 50
TEXT = [Optional(), Length(max=service.MAX_TEXT)]
REQUIRED_TEXT = [DataRequired(), Length(max=service.MAX_TEXT)]


class ProposalForm(FlaskForm):
    product_id = SelectField(_l("产品"), coerce=int, description=_l("从产品目录中选择：标准按产品目录关联。"))
    level = SelectField(_l("级别"), description=_l("只能选择本次征集接受的级别。"))
    title = StringField(
        _l("标准名称"),
        validators=[Optional(), Length(max=300)],
        description=_l("留空则按《温室气体 产品碳足迹量化方法与要求 XX产品》（指引（二））填写。"),
    )
    scope = TextAreaField(_l("适用范围"), validators=REQUIRED_TEXT)
    urgency = TextAreaField(
        _l("立项必要性（急用先行）"), validators=REQUIRED_TEXT, description=_l("为什么现在需要这项标准。")
    )
    technical_content = TextAreaField(_l("主要技术内容"), validators=REQUIRED_TEXT)
    international = TextAreaField(
        _l("与国际方法的关系"),
        validators=TEXT,
        description=_l("与 ISO 14067、PEF、GHG Protocol 等方法的一致性和差异。"),
    )
    drafting_units = TextAreaField(_l("拟参编单位"), validators=TEXT)
    working_group_id = SelectField(_l("拟承担工作组"), coerce=int, description=_l("可留空，由立项时指定。"))
    timetable = TextAreaField(_l("进度安排"), validators=TEXT)
    trial_enterprises = IntegerField(
        _l("拟试算企业数"),
        validators=[InputRequired(), NumberRange(min=0, max=10000)],
        default=0,
        description=_l("指引（六）：送审前至少 3 家企业完成试算。"),
    )
    trial_plan = TextAreaField(_l("试算计划"), validators=TEXT, description=_l("参与试算的企业和安排。"))


class CommentForm(FlaskForm):
    text = TextAreaField(_l("意见"), validators=REQUIRED_TEXT)


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("理由"), validators=[Optional(), Length(max=service.MAX_TEXT)])


class ApproveForm(FlaskForm):
    plan_number = StringField(
        _l("计划号"),
        validators=[Optional(), Length(max=20)],
        description=_l("国家标准立项必填，形式如 20250001-T-469。"),
    )
    working_group_id = SelectField(_l("承担工作组"), coerce=int, description=_l("国家标准立项必填。"))
    reason = TextAreaField(_l("说明（可选）"), validators=[Optional(), Length(max=service.MAX_TEXT)])


# Names people gave (a product, a working group) are marked as Chinese content in the options.
CHINESE = {"lang": "zh-CN"}


def _group_choices(blank) -> list[SelectChoice]:
    return [SelectChoice(0, blank)] + [
        SelectChoice(group.id, f"{group.code} {group.name}", render_kw=CHINESE)
        for group in service.working_groups(db.session)
    ]


def _setup(form: ProposalForm, call) -> None:
    form.product_id.choices = [SelectChoice(0, _("（请选择产品）"))] + [
        SelectChoice(product.id, product.name, render_kw=CHINESE) for product in service.products(db.session)
    ]
    accepted = [Level(value) for value in call.levels or () if value in set(Level)]
    form.level.choices = [SelectChoice(level.value, LEVEL_LABELS.get(level, level.value)) for level in accepted]
    form.working_group_id.choices = _group_choices(_("（暂不指定）"))


def _input(form: ProposalForm) -> ProposalInput:
    return ProposalInput(
        product_id=form.product_id.data or None,
        level=form.level.data,
        title=form.title.data or "",
        scope=form.scope.data or "",
        urgency=form.urgency.data or "",
        technical_content=form.technical_content.data or "",
        international=form.international.data or "",
        drafting_units=form.drafting_units.data or "",
        working_group_id=form.working_group_id.data or None,
        timetable=form.timetable.data or "",
        trial_enterprises=form.trial_enterprises.data,
        trial_plan=form.trial_plan.data or "",
    )


def _submit(form, operation, refused: list[Finding]):
    """Run the submission and commit; a refusal keeps the form with the findings that refused it."""
    if not form.validate_on_submit():
        return None
    try:
        return write(operation)
    except ProposalRefused as error:
        refused.extend(error.findings)
        form.refused_with = REJECTED
    except WorkbenchError as error:
        show_error(form, error)
    return None


@bp.route("/proposals/new", methods=["GET", "POST"])
def new():
    require(Action.PROPOSE)
    call = service.get_call(db.session, id_arg("call"))
    form = ProposalForm()
    _setup(form, call)
    if request.method == "GET":
        product_id = id_arg("product")
        form.product_id.data = product_id or 0
    refused: list[Finding] = []
    proposal = _submit(
        form,
        lambda: service.submit(db.session, call, _input(form), by=current_principal(), today=today()),
        refused,
    )
    if proposal is not None:
        flash(_("立项建议“%(title)s”已提交。", title=proposal.title), "success")
        return redirect(url_for(".proposal", id=proposal.id))
    return form_page(
        "catalogue/proposal_form.html",
        form,
        call=call,
        proposal=None,
        findings=refused,
        open_now=call.is_open(today()),
        title_prefix=service.TITLE_PREFIX,
    )


@bp.get("/proposals")
def proposals():
    user = current_principal()
    status = request.args.get("status", "")
    status = status if status in {member.value for member in ProposalStatus} else None
    call_id = id_arg("call")
    query = service.visible(user, status=status, call_id=call_id)
    page = db.paginate(query, page=page_number(), per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "catalogue/proposals.html",
        page=page,
        status=status,
        call_id=call_id,
        oversight=service.is_oversight(user),
        calls=service.calls_open(db.session, today()),
        STATUS_LABELS=PROPOSAL_STATUS_LABELS,
    )


def _proposal(proposal_id: int) -> Proposal:
    require(Action.EDIT_OWN_ACCOUNT)  # visitors sign in first
    return service.get_proposal(db.session, proposal_id, by=current_principal())


def _suggested_plan_number() -> str:
    """The next plan number of the year, or empty when the year's serials are used up (the
    approver then types one)."""
    try:
        return service.suggest_plan_number(db.session, today(), current_app.config["PLAN_NUMBER_DEPARTMENT"])
    except InvalidInput:
        return ""


def _page(proposal: Proposal, *, status: int = 200, forms: dict | None = None, refused=None):
    user = current_principal()
    forms = forms or {}
    approve_form = forms.get("approve") or ApproveForm(formdata=None)
    approve_form.working_group_id.choices = _group_choices(_("（请选择工作组）"))
    if "approve" not in forms:
        approve_form.working_group_id.data = proposal.working_group_id or 0
        if proposal.level == Level.NATIONAL and can(user, Action.DECIDE_PROPOSAL, proposal):
            approve_form.plan_number.data = _suggested_plan_number()
    edit_form = forms.get("resubmit")
    if edit_form is None and proposal.status == ProposalStatus.RETURNED and can(user, Action.PROPOSE, proposal):
        edit_form = ProposalForm(formdata=None, obj=proposal)
    if edit_form is not None:
        _setup(edit_form, proposal.call)
    html = render_template(
        "catalogue/proposal.html",
        proposal=proposal,
        findings=service.stored_findings(proposal),
        refused=refused or [],
        steps=service.timeline(db.session, proposal, by=user),
        standard=service.standard_of(db.session, proposal),
        rule=service.rule_of(db.session, proposal),
        comment_form=forms.get("comment") or CommentForm(formdata=None),
        reason_form=forms.get("reason") or ReasonForm(formdata=None),
        approve_form=approve_form,
        edit_form=edit_form,
        may_comment=can(user, Action.COMMENT_ON_PROPOSAL, proposal),
        may_decide=can(user, Action.DECIDE_PROPOSAL, proposal) and proposal.status == ProposalStatus.SUBMITTED,
        may_withdraw=can(user, Action.PROPOSE, proposal) and proposal.status in service.OPEN,
        STATUS_LABELS=PROPOSAL_STATUS_LABELS,
        today=today(),
    )
    return make_response(html, status)


@bp.get("/proposals/<id:id>")
def proposal(id: int):
    return _page(_proposal(id))


def _act(proposal: Proposal, form, operation, message: str, key: str):
    """A decision or comment form: commit and go back to the proposal, or show it again with the reason for the refusal."""
    if form.validate_on_submit():
        try:
            write(operation)
        except WorkbenchError as error:
            show_error(form, error)
        else:
            flash(message, "success")
            return redirect(url_for(".proposal", id=proposal.id))
    db.session.rollback()
    return _page(proposal, status=REJECTED, forms={key: form})


@bp.post("/proposals/<id:id>/comment")
def comment(id: int):
    proposal = _proposal(id)
    require(Action.COMMENT_ON_PROPOSAL, proposal)
    form = CommentForm()
    by = current_principal()
    return _act(
        proposal,
        form,
        lambda: service.comment(db.session, proposal, form.text.data, by=by),
        _("意见已提交。"),
        "comment",
    )


@bp.post("/proposals/<id:id>/resubmit")
def resubmit(id: int):
    proposal = _proposal(id)
    require(Action.PROPOSE, proposal)
    form = ProposalForm()
    _setup(form, proposal.call)
    refused: list[Finding] = []
    result = _submit(
        form,
        lambda: service.resubmit(db.session, proposal, _input(form), by=current_principal(), today=today()),
        refused,
    )
    if result is not None:
        flash(_("立项建议已重新提交。"), "success")
        return redirect(url_for(".proposal", id=proposal.id))
    db.session.rollback()
    return _page(proposal, status=REJECTED, forms={"resubmit": form}, refused=refused)


@bp.post("/proposals/<id:id>/withdraw")
def withdraw(id: int):
    proposal = _proposal(id)
    require(Action.PROPOSE, proposal)
    form = ReasonForm()
    return _act(
        proposal,
        form,
        lambda: service.withdraw(db.session, proposal, by=current_principal(), reason=form.reason.data or ""),
        _("立项建议已撤回。"),
        "reason",
    )


@bp.post("/proposals/<id:id>/approve")
def approve(id: int):
    proposal = _proposal(id)
    require(Action.DECIDE_PROPOSAL, proposal)
    form = ApproveForm()
    form.working_group_id.choices = _group_choices(_("（请选择工作组）"))
    refused: list[Finding] = []

    def operation():
        try:
            return service.approve(
                db.session,
                proposal,
                by=current_principal(),
                today=today(),
                plan_number=form.plan_number.data,
                working_group_id=form.working_group_id.data or None,
                reason=form.reason.data or "",
            )
        except ProposalRefused as error:
            refused.extend(error.findings)
            raise

    if form.validate_on_submit():
        try:
            write(operation)
        except WorkbenchError as error:
            if not refused:
                show_error(form, error)
        else:
            flash(_("已立项。"), "success")
            return redirect(url_for(".proposal", id=proposal.id))
    db.session.rollback()
    return _page(proposal, status=REJECTED, forms={"approve": form}, refused=refused)


def _decision(id: int, operation, message: str):
    proposal = _proposal(id)
    require(Action.DECIDE_PROPOSAL, proposal)
    form = ReasonForm()
    by = current_principal()
    return _act(
        proposal, form, lambda: operation(db.session, proposal, form.reason.data or "", by=by), message, "reason"
    )


@bp.post("/proposals/<id:id>/return")
def return_for_changes(id: int):
    return _decision(id, service.return_for_changes, _("立项建议已退回修改。"))


@bp.post("/proposals/<id:id>/reject")
def reject(id: int):
    return _decision(id, service.reject, _("已决定不予立项。"))


@bp.get("/inbox")
def inbox():
    require(Action.EDIT_OWN_ACCOUNT)  # any signed-in user; visitors are asked to sign in
    items = service.inbox(db.session, current_principal(), today())
    groups = {kind: [item for item in items if item.kind == kind] for kind in INBOX_KINDS}
    return render_template(
        "catalogue/inbox.html",
        groups=groups,
        KINDS={kind: say(Message(label)) for kind, label in INBOX_KINDS.items()},
        total=len(items),
    )
