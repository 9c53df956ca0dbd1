"""Declarations (信息披露) and labels (碳标识) under published rules: pages under /declarations.

- /declarations: the verified declarations (public), with the signed-in enterprise's own of every
  status and a certifier's queue; /declarations/new: declare from a calculation of record or a PACT
  file; /declarations/<id>: the workspace with the actions the reader may take.
- /declarations/p/<public_id>: the public page (no sign-in once verified), its QR code
  (…/qr.svg, segno, pointing back to the page's absolute address), its JSON (….json, the shape of
  `public_json`) and its PACT form (…/pact.json, footprints.declaration_document).
- /declarations/rules/<rule_id>: the distribution of declared values with the classes and the
  benchmark (Chart.js from static/vendor, data in a JSON script tag: the CSP allows no inline JS).
"""

import io

import segno
from flask import Blueprint, abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from workbench.auth.access import current_principal, require
from workbench.auth.models import Organisation
from workbench.auth.permissions import Action, can
from workbench.dates import today
from workbench.db import db, write
from workbench.drafting.models import Rule
from workbench.errors import InvalidInput, NotFound, WorkbenchError
from workbench.exchange import declaration_reading as reading
from workbench.exchange import declarations as service
from workbench.exchange import pact_reading
from workbench.exchange.models import DECLARATION_SOURCE_LABELS, DECLARATION_STATUS_LABELS, DeclarationStatus
from workbench.i18n import content_lang
from workbench.web import REJECTED, external_url, page_number, show_error

bp = Blueprint("declarations", __name__, url_prefix="/declarations")

PAGE_SIZE = 50
TEXT = [Optional(), Length(max=service.MAX_TEXT)]
GEOGRAPHY_CHOICES = [
    SelectChoice("country", _l("国家（ISO 3166-1 二位字母代码）")),
    SelectChoice("subdivision", _l("省级行政区（ISO 3166-2，例如 CN-ZJ）")),
    SelectChoice("region", _l("地区（联合国 M49 地区英文名称）")),
]


class DeclarationForm(FlaskForm):
    product = StringField(_l("产品"), validators=[Optional(), Length(max=service.MAX_PRODUCT)])
    period_start = DateField(_l("数据期间起"), validators=[Optional()])
    period_end = DateField(_l("数据期间止"), validators=[Optional()])
    geography_kind = SelectField(_l("地理范围类型"), choices=GEOGRAPHY_CHOICES, validate_choice=False)
    geography = StringField(_l("地理范围"), validators=[Optional(), Length(max=40)], default="CN")
    version = HiddenField()


class NewDeclarationForm(DeclarationForm):
    rule_id = SelectField(_l("规则"), coerce=int, validate_choice=False, description=_l("已在门户发布的规则。"))
    source = SelectField(
        _l("依据"),
        choices=[
            SelectChoice("calculation", _l("本企业的试算结果（按规则计算）")),
            SelectChoice("pact", _l("上传 PACT 文件（JSON）")),
        ],
        validate_choice=False,
    )
    calculation_id = SelectField(_l("试算结果"), coerce=int, validate_choice=False)
    file = FileField(
        _l("PACT 文件"), description=_l("一个 ProductFootprint（JSON），不超过 512 KB；留空的栏目取自文件。")
    )


class SubmitForm(FlaskForm):
    certification_body_id = SelectField(_l("认证机构"), coerce=int, validate_choice=False)
    version = HiddenField()


class VerifyForm(FlaskForm):
    certificate_number = StringField(_l("证书编号"), validators=[Optional(), Length(max=100)])
    verified_on = DateField(_l("核查日期"), validators=[Optional()])
    verification_scope = TextAreaField(_l("核查范围"), validators=TEXT)
    version = HiddenField()


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("理由"), validators=TEXT)
    version = HiddenField()


class ActionForm(FlaskForm):
    version = HiddenField()


class TermsForm(FlaskForm):
    validity_months = IntegerField(_l("有效期（月）"), validators=[Optional(), NumberRange(1, service.MAX_MONTHS)])
    surveillance_months = IntegerField(
        _l("监督间隔（月）"), validators=[Optional(), NumberRange(1, service.MAX_MONTHS)]
    )


def _version(form) -> int | None:
    text = (form.version.data or "").strip()
    return int(text) if text.isascii() and text.isdecimal() and len(text) < 10 else None


def _input(form: DeclarationForm) -> service.DeclarationInput:
    return service.DeclarationInput(
        product=form.product.data or "",
        period_start=form.period_start.data,
        period_end=form.period_end.data,
        geography_kind=form.geography_kind.data or "",
        geography=form.geography.data or "",
    )


def _declaration(declaration_id: int):
    return reading.get(db.session, declaration_id, by=current_principal())


def _rule(rule_id: int) -> Rule:
    rule = db.session.get(Rule, rule_id)
    if rule is None:
        raise NotFound(_("没有这项规则。"))
    return rule


@bp.app_template_global()
def declaration_status_label(declaration) -> str:
    return reading.status_label(declaration, today())


@bp.app_template_global()
def declaration_status_key(declaration) -> str:
    return reading.status_key(declaration, today())


@bp.app_template_global()
def declaration_is_public(declaration) -> bool:
    return reading.is_public(declaration)


@bp.app_template_global()
def declared_value(value) -> str:
    return reading.value_text(value)


@bp.app_template_global()
def declaration_grade(grade) -> str | None:
    return reading.grade_label(grade)


@bp.app_template_global()
def declaration_geography(declaration) -> str:
    return reading.geography_label(declaration.geography_kind, declaration.geography)


# --- lists ----------------------------------------------------------------------------------------


@bp.get("/")
def index():
    user = current_principal()
    rule_text = request.args.get("rule", "")
    rule_id = int(rule_text) if rule_text.isascii() and rule_text.isdecimal() and len(rule_text) < 10 else None
    status = request.args.get("status", "")
    query = reading.visible(db.session, user, rule_id=rule_id, status=status or None)
    page = db.paginate(query, page=page_number(), per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "declarations/index.html",
        page=page,
        rules=reading.published_rules(db.session),
        rule_id=rule_id,
        status=status,
        may_declare=can(user, Action.DECLARE),
        STATUS_LABELS=DECLARATION_STATUS_LABELS,
    )


# --- a new declaration ----------------------------------------------------------------------------


def _read_upload(storage) -> dict | None:
    """The uploaded PACT file's JSON, through pact_reading.read_bytes (the one size and depth
    limit of a PACT file); never more than MAX_BYTES + 1 bytes are read."""
    if storage is None or not getattr(storage, "filename", ""):
        return None
    try:
        return pact_reading.read_bytes(storage.stream.read(pact_reading.MAX_BYTES + 1))
    except InvalidInput as error:
        raise InvalidInput(error.message, details={"file": error.message}) from None


def named(text: str) -> dict:
    """An option's attributes when it names something in Chinese (a rule's title, an organisation):
    lang="zh-CN", so the name stays as written on the English page and is read as Chinese."""
    return {"lang": "zh-CN"} if content_lang(text) else {}


@bp.route("/new", methods=["GET", "POST"])
def new():
    require(Action.DECLARE)
    user = current_principal()
    rules = reading.published_rules(db.session)
    form = NewDeclarationForm()
    form.rule_id.choices = [SelectChoice(0, _("（请选择规则）"))] + [
        SelectChoice(rule.id, f"{reading.rule_number(rule)} {rule.title}", render_kw=named(rule.title))
        for rule in rules
    ]
    if request.method == "GET":
        wanted = request.args.get("rule", "")
        form.rule_id.data = int(wanted) if wanted.isascii() and wanted.isdecimal() and len(wanted) < 10 else 0
    rule = next((row for row in rules if row.id == form.rule_id.data), None)
    calculations = reading.own_calculations(db.session, rule, by=user) if rule is not None else []
    form.calculation_id.choices = [SelectChoice(0, _("（请选择试算结果）"))] + [
        SelectChoice(
            calc.id,
            _(
                "%(label)s %(enterprise)s：%(value)s %(unit)s（%(at)s）",
                label=calc.trial.label,
                enterprise=calc.trial.enterprise,
                value=reading.value_text(calc.cfp_per_unit),
                unit=calc.unit,
                at=calc.calculated_at.date().isoformat(),
            ),
            render_kw=named(f"{calc.trial.label}{calc.trial.enterprise}"),
        )
        for calc in calculations
    ]
    status = 200
    choosing = request.method == "POST" and request.form.get("action") == "choose"
    if request.method == "POST" and not choosing and form.validate_on_submit():
        calculation = next((row for row in calculations if row.id == form.calculation_id.data), None)
        try:
            if rule is None:
                raise InvalidInput(_("请选择已在门户发布的规则。"), details={"rule_id": _("请选择规则。")})
            if form.source.data == "pact":
                document = _read_upload(form.file.data)
                if document is None:
                    raise InvalidInput(_("请选择要上传的 PACT 文件。"), details={"file": _("请选择文件。")})
                declaration = write(lambda: service.create_from_pact(db.session, rule, document, _input(form), by=user))
            else:
                declaration = write(
                    lambda: service.create_from_calculation(db.session, rule, calculation, _input(form), by=user)
                )
        except WorkbenchError as error:
            show_error(form, error)
            status = getattr(form, "refused_with", REJECTED)
        else:
            flash(_("声明草稿已保存：请核对后提交认证机构核查。"), "success")
            return redirect(url_for(".declaration", declaration_id=declaration.id))
    elif request.method == "POST" and not choosing:
        status = REJECTED
    db.session.rollback()
    return make_response(
        render_template("declarations/new.html", form=form, rule=rule, calculations=calculations), status
    )


# --- one declaration ------------------------------------------------------------------------------


def _page(declaration, *, status: int = 200, forms: dict | None = None):
    user = current_principal()
    forms = forms or {}
    editable = declaration.status in service.EDITABLE and can(user, Action.DECLARE, declaration)
    edit_form = forms.get("edit") or DeclarationForm(formdata=None, obj=declaration)
    submit_form = forms.get("submit") or SubmitForm(formdata=None)
    submit_form.certification_body_id.choices = [SelectChoice(0, _("（请选择认证机构）"))] + [
        SelectChoice(body.id, body.name, render_kw=named(body.name))
        for body in reading.certification_bodies(db.session)
    ]
    if submit_form.certification_body_id.data is None and declaration.certification_body_id:
        submit_form.certification_body_id.data = declaration.certification_body_id
    verify_form = forms.get("verify") or VerifyForm(formdata=None, verified_on=today())
    for form in (edit_form, submit_form, verify_form):
        if not form.version.data:
            form.version.data = str(declaration.version)
    certifier = can(user, Action.VERIFY_DECLARATION, declaration)
    html = render_template(
        "declarations/declaration.html",
        declaration=declaration,
        edit_form=edit_form if editable else None,
        submit_form=submit_form if editable else None,
        verify_form=verify_form,
        reason_form=forms.get("reason") or ReasonForm(formdata=None, version=str(declaration.version)),
        action_form=ActionForm(formdata=None, version=str(declaration.version)),
        may_verify=certifier and declaration.status == DeclarationStatus.SUBMITTED,
        may_suspend=certifier and declaration.status == DeclarationStatus.VERIFIED,
        may_reinstate=certifier and declaration.status == DeclarationStatus.SUSPENDED,
        may_withdraw=service.may_withdraw(user, declaration),
        public=reading.is_public(declaration),
        SOURCE_LABELS=DECLARATION_SOURCE_LABELS,
    )
    return make_response(html, status)


@bp.get("/<id:declaration_id>")
def declaration(declaration_id: int):
    return _page(_declaration(declaration_id))


def _act(declaration_id: int, form, key: str, operation, message: str):
    declaration = _declaration(declaration_id)
    by = current_principal()
    if form.validate_on_submit():
        try:
            write(lambda: operation(declaration, by, _version(form)))
        except WorkbenchError as error:
            show_error(form, error)
        else:
            flash(message, "success")
            return redirect(url_for(".declaration", declaration_id=declaration.id))
    db.session.rollback()
    return _page(declaration, status=getattr(form, "refused_with", REJECTED), forms={key: form})


@bp.post("/<id:declaration_id>/edit")
def edit(declaration_id: int):
    form = DeclarationForm()
    return _act(
        declaration_id,
        form,
        "edit",
        lambda item, by, version: service.update(db.session, item, _input(form), by=by, expected_version=version),
        _("声明已保存。"),
    )


@bp.post("/<id:declaration_id>/submit")
def submit(declaration_id: int):
    form = SubmitForm()
    form.certification_body_id.choices = []

    def operation(item, by, version):
        body = (
            db.session.get(Organisation, form.certification_body_id.data) if form.certification_body_id.data else None
        )
        return service.submit(db.session, item, body, by=by, expected_version=version)

    return _act(declaration_id, form, "submit", operation, _("声明已提交认证机构核查。"))


@bp.post("/<id:declaration_id>/verify")
def verify(declaration_id: int):
    form = VerifyForm()
    return _act(
        declaration_id,
        form,
        "verify",
        lambda item, by, version: service.verify(
            db.session,
            item,
            certificate_number=form.certificate_number.data or "",
            verified_on=form.verified_on.data,
            scope=form.verification_scope.data or "",
            by=by,
            today=today(),
            expected_version=version,
        ),
        _("声明已核查通过：公开页面和二维码已可访问。"),
    )


def _reasoned(name: str, message: str):
    def view(declaration_id: int):
        form = ReasonForm()
        operation = getattr(service, name)
        return _act(
            declaration_id,
            form,
            "reason",
            lambda item, by, version: operation(
                db.session, item, form.reason.data or "", by=by, expected_version=version
            ),
            message,
        )

    view.__name__ = name
    return view


bp.add_url_rule("/<id:declaration_id>/reject", view_func=_reasoned("reject", _l("声明已退回企业。")), methods=["POST"])
bp.add_url_rule("/<id:declaration_id>/suspend", view_func=_reasoned("suspend", _l("声明已暂停。")), methods=["POST"])
bp.add_url_rule("/<id:declaration_id>/withdraw", view_func=_reasoned("withdraw", _l("声明已撤销。")), methods=["POST"])


@bp.post("/<id:declaration_id>/reinstate")
def reinstate(declaration_id: int):
    return _act(
        declaration_id,
        ActionForm(),
        "action",
        lambda item, by, version: service.reinstate(db.session, item, by=by, expected_version=version),
        _("声明已恢复。"),
    )


# --- the public page ------------------------------------------------------------------------------


def _public(public_id: str):
    return reading.by_public_id(db.session, public_id, by=current_principal())


@bp.get("/p/<public_id>")
def public(public_id: str):
    declaration = _public(public_id)
    return render_template(
        "declarations/public.html",
        declaration=declaration,
        expired=reading.is_expired(declaration, today()),
        page_url=external_url("declarations.public", public_id=declaration.public_id),
        may_open=can(current_principal(), Action.DECLARE, declaration)
        or can(current_principal(), Action.VERIFY_DECLARATION, declaration),
    )


@bp.get("/p/<public_id>.json")
def public_document(public_id: str):
    return jsonify(reading.public_json(_public(public_id), today=today()))


@bp.get("/p/<public_id>/pact.json")
def pact_document(public_id: str):
    from workbench.exchange import footprints  # written beside this module (owner A)

    declaration = _public(public_id)
    return jsonify(footprints.declaration_document(db.session, declaration))


@bp.get("/p/<public_id>/qr.svg")
def qr_code(public_id: str):
    """The QR code of the public page's absolute address, as SVG (no user text in it)."""
    declaration = _public(public_id)
    # On WORKBENCH_PUBLIC_URL when set: a forged Host header must not end up printed on a label.
    target = external_url("declarations.public", public_id=declaration.public_id)
    out = io.BytesIO()
    segno.make(target, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False)
    response = make_response(out.getvalue())
    response.mimetype = "image/svg+xml"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- a rule's distribution ------------------------------------------------------------------------


@bp.get("/rules/code/<code>")
def rule_by_code(code: str):
    """The portal's rule page knows the rule's code only (its pages are cached files)."""
    rule_id = reading.rule_id_by_code(db.session, code)
    if rule_id is None:
        abort(404)
    return redirect(url_for(".rule", rule_id=rule_id))


def _chart(result) -> dict:
    """The chart's data with its labels in the pages' one number format and the reader's
    language: "a–b" for a bin, "1 级 ≤ 700" for a threshold, the benchmark's value."""
    chart = result.chart()
    for row in chart["bins"]:
        row["label"] = f"{reading.value_text(row['low'])}–{reading.value_text(row['high'])}"
    for row in chart["thresholds"]:
        row["label"] = f"{reading.grade_label(row['grade'])} ≤ {reading.value_text(row['limit'])}"
    chart["benchmark_label"] = reading.value_text(chart["benchmark"]) if chart["benchmark"] is not None else None
    return chart


@bp.route("/rules/<id:rule_id>", methods=["GET", "POST"])
def rule(rule_id: int):
    rule = _rule(rule_id)
    if reading.latest_publication(db.session, rule.id) is None:
        abort(404)
    user = current_principal()
    terms = reading.terms_of(db.session, rule.id)
    may_set_terms = can(user, Action.SET_DECLARATION_TERMS, rule)
    form = TermsForm(formdata=None, obj=terms) if request.method == "GET" else TermsForm()
    status = 200
    if request.method == "POST":
        require(Action.SET_DECLARATION_TERMS, rule)
        if form.validate_on_submit():
            try:
                write(
                    lambda: service.set_terms(
                        db.session, rule, form.validity_months.data, form.surveillance_months.data, by=user
                    )
                )
            except WorkbenchError as error:
                show_error(form, error)
            else:
                flash(_("声明有效期已保存：之后核查通过的声明按新的期限。"), "success")
                return redirect(url_for(".rule", rule_id=rule.id))
        status = getattr(form, "refused_with", REJECTED)
        db.session.rollback()
    result = reading.distribution(db.session, rule, today())
    html = render_template(
        "declarations/rule.html",
        rule=rule,
        result=result,
        chart=_chart(result),
        min_trials=reading.MIN_TRIALS,
        terms=terms,
        terms_form=form if may_set_terms else None,
        text={"count": _("声明数"), "benchmark": _("基准值"), "value": _("碳足迹"), "unit": result.unit},
    )
    return make_response(html, status)
