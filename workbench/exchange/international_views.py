"""The international comparison (指引（十八）): pages under /international.

- /international: the maintained table of international methods, each cell in the reader's
  language with its source; public.
- /international/rules/<id>: a rule's choices beside the table's, printable as the informative
  annex 国内外方法对比 (print stylesheet). The public reads it for a rule that is out for
  consultation or published (the revision the portal shows); drafts in progress need VIEW_RULES.
- /international/rules/<id>/annex.pdf: the same annex as a PDF (WeasyPrint, nothing fetched).
  A layout takes seconds, so it is never made in a request: a background job (kind
  "international_annex", the documents queue, the account's RENDER_LIMIT) lays it out and stores
  it in the store of documents (publishing's StoredDocument) under the checksum of what decides
  it (annex_key: the rule's code and title, the revision and its parameters, the methods table's
  version, the language, the layout's version); every later request, anyone's, is served from
  there. A signed-in reader who finds nothing stored is offered "prepare the PDF" and follows the
  job's page, which downloads it when done. A visitor who is not signed in is not offered a job
  (jobs belong to an account: their pages, limits and sharing all need one, and an anonymous
  queue would need a throttle of its own); the page sends them to the printable page, whose
  print stylesheet gives the same annex through the browser's "print to PDF".
- /international/rules/<id>/factors: the factor comparison, with the form to add an
  international reference value (RECORD_REFERENCE_VALUE).
"""

import hashlib
import json
from importlib.metadata import version

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DecimalField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action, can
from workbench.db import db, write
from workbench.drafting import service as drafting
from workbench.drafting import stages
from workbench.drafting.models import Rule, RuleRevision
from workbench.drafting.template import TemplateError
from workbench.errors import WorkbenchError
from workbench.exchange import international as service
from workbench.exchange import methods
from workbench.factors.models import Factor
from workbench.i18n import translate
from workbench.jobs import service as jobs
from workbench.jobs.registry import DOCUMENTS, Outcome, kind
from workbench.messages import N_
from workbench.publishing import service as publishing
from workbench.web import REJECTED, show_error

bp = Blueprint("international", __name__, url_prefix="/international")


class ReferenceForm(FlaskForm):
    value = DecimalField(_l("参考值"), validators=[DataRequired()], places=None)
    unit = StringField(
        _l("单位"),
        validators=[DataRequired(), Length(max=service.LIMITS["unit"])],
        description=_l("kgCO2e 每活动单位，如 kgCO2e/kWh、kgCO2e/t；换算为因子的单位后比较。"),
    )
    source = StringField(
        _l("来源"),
        validators=[DataRequired(), Length(max=service.LIMITS["source"])],
        description=_l("如 EF 3.1 数据集名称、ecoinvent 活动名称。"),
    )
    database = StringField(_l("数据库及版本"), validators=[Optional(), Length(max=service.LIMITS["database"])])
    geography = StringField(_l("地理范围"), validators=[Optional(), Length(max=service.LIMITS["geography"])])
    note = TextAreaField(_l("备注"), validators=[Optional(), Length(max=service.LIMITS["note"])])


class DeleteForm(FlaskForm):
    pass


class PrepareForm(FlaskForm):
    pass


ANNEX = "international_annex"
# Raise when the annex's template or layout changes: every stored annex is laid out again.
ANNEX_LAYOUT_VERSION = "2"


def _english() -> bool:
    return str(get_locale() or "").startswith("en")


def _is_public(rule: Rule) -> bool:
    return rule.stage == stages.PUBLICATION or stages.STAGES[rule.stage].public_draft


def _readable(rule_id: int) -> tuple[Rule, RuleRevision]:
    """The rule and the revision the reader may compare: the public revision for everyone when
    the rule is out for consultation or published; the current one for those who see drafts."""
    rule = drafting.get_rule(db.session, rule_id)
    user = current_principal()
    if can(user, Action.VIEW_RULES, rule):
        return rule, drafting.revision(db.session, rule)
    if _is_public(rule):
        require(Action.READ_PUBLISHED)
        return rule, drafting.public_revision(db.session, rule)
    require(Action.VIEW_RULES, rule)  # refuses: sign in (or no access) for a draft
    raise AssertionError("unreachable")


def _cell_text(cell: methods.Cell) -> str:
    return cell.en if _english() else cell.zh


MAX_LISTED_RULES = 500  # the index's list of rule comparisons, by code: bounded work per view


def _comparable_rules() -> list[Rule]:
    """The rules whose comparison the reader may open: the public ones (published or out for
    consultation) for everyone, and every rule a signed-in reader may see."""
    user = current_principal()
    found = db.session.scalars(select(Rule).order_by(Rule.code).limit(MAX_LISTED_RULES)).all()
    return [rule for rule in found if _is_public(rule) or can(user, Action.VIEW_RULES, rule)]


@bp.get("/")
def index():
    require(Action.READ_PUBLISHED)
    table = methods.table()
    english = _english()
    return render_template(
        "international/index.html",
        table=table,
        english=english,
        dimension_names={key: (en if english else zh) for key, zh, en in table.dimensions},
        cell_text=_cell_text,
        rules=_comparable_rules(),
        signed_in=getattr(current_principal(), "is_authenticated", False),
    )


def _parameter_labels(rule: Rule, paths) -> dict[str, str]:
    """Each compared parameter (a JSON pointer under /parameters) named as the rule's form names
    it: the title of the top-level parameter in the rule's template (声明单位, 系统边界, 取舍准则),
    in the reader's language; a pointer the template does not know keeps its pointer."""
    try:
        schema = drafting.template_of(rule).schema
        node = schema["properties"]["parameters"]
        while "$ref" in node:  # a parameters node kept under $defs
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        properties = node["properties"]
    except (TemplateError, KeyError, TypeError):
        return {}
    labels = {}
    for path in paths:
        key = path.split("/")[2] if path.startswith("/parameters/") else ""
        title = (properties.get(key) or {}).get("title")
        if isinstance(title, str) and title:
            labels[path] = translate(title)
    return labels


def _context(rule: Rule, revision: RuleRevision, english: bool) -> dict:
    table = methods.table()
    parameters = (revision.document or {}).get("parameters") or {}
    findings = service.rule_comparison(db.session, rule, revision)
    return {
        "rule": rule,
        "revision": revision,
        "table": table,
        "english": english,
        "findings": findings,
        "parameter_labels": _parameter_labels(rule, {finding.path for finding in findings}),
        "choices": methods.rule_choices(parameters),
        "agreements": methods.agreements(parameters),
        "dimension_names": {key: (en if english else zh) for key, zh, en in table.dimensions},
        "framework_names": {framework.id: framework.name for framework in table.frameworks},
        "shown": methods.shown,
    }


def _comparison(rule_id: int) -> dict:
    rule, revision = _readable(rule_id)
    context = _context(rule, revision, _english())
    context["may_compare_factors"] = can(current_principal(), Action.VIEW_RULES, rule)
    return context


@bp.get("/rules/<id:rule_id>")
def rule(rule_id: int):
    return render_template("international/rule.html", **_comparison(rule_id))


def annex_key(rule: Rule, revision: RuleRevision, language: str) -> str:
    """The checksum the annex PDF is stored under: of everything that decides its bytes."""
    table = methods.table()
    facts = {
        "annex": "international",
        "rule": [rule.code, rule.title],
        "revision": [revision.id, revision.number],
        "parameters": (revision.document or {}).get("parameters") or {},
        "methods": [table.version, table.reviewed],
        "language": language,
        "layout": [ANNEX_LAYOUT_VERSION, version("weasyprint")],
    }
    canonical = json.dumps(facts, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _language() -> str:
    return "en" if _english() else "zh_CN"


def _annex_name(rule: Rule) -> str:
    return f"{rule.code}-international.pdf"


@bp.get("/rules/<id:rule_id>/annex.pdf")
def annex_pdf(rule_id: int):
    """The stored annex; until there is one, the page that offers to prepare it (signed in) or
    points to the printable page (not signed in)."""
    rule, revision = _readable(rule_id)
    key = annex_key(rule, revision, _language())
    stored = publishing.stored_document(db.session, key)
    if stored is None:
        user = current_principal()
        signed_in = getattr(user, "is_authenticated", False)
        running = jobs.open_job(db.session, ANNEX, key) if signed_in else None
        if running is not None and running.requested_by_id == user.id:
            return redirect(url_for("jobs.job", job_id=running.id))
        page = render_template("international/annex_pending.html", rule=rule, signed_in=signed_in, form=PrepareForm())
        return make_response(page, 404 if not signed_in else 200)
    response = make_response(stored.content)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{_annex_name(rule)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/rules/<id:rule_id>/annex.pdf/prepare")
def prepare_annex(rule_id: int):
    """Ask for the annex PDF: a background job lays it out (or the account's one already doing so
    is followed); the job page shows its progress and then the download."""
    require(Action.EDIT_OWN_ACCOUNT)  # any signed-in account
    rule, revision = _readable(rule_id)
    if not PrepareForm().validate():
        return redirect(url_for(".annex_pdf", rule_id=rule.id))
    language = _language()
    try:
        job, _created = jobs.enqueue(
            db.session,
            ANNEX,
            {"rule_id": rule.id, "revision_id": revision.id, "language": language},
            by=current_principal(),
            subject=_annex_name(rule),
            key=annex_key(rule, revision, language),
            limit=current_app.config["RENDER_LIMIT"],
        )
    except WorkbenchError as error:
        flash(str(error.message), "error")
        return redirect(url_for(".annex_pdf", rule_id=rule.id))
    return redirect(url_for("jobs.job", job_id=job.id))


@kind(
    ANNEX,
    label=N_("生成国内外方法对比附录"),
    queue=DOCUMENTS,
    too_many=N_("您已有 %(count)d 个文档正在排队或生成，最多同时 %(limit)d 个。请等其中一个完成后再试。"),
)
def lay_out_annex(context: jobs.JobContext, *, rule_id: int, revision_id: int, language: str) -> Outcome:
    from sqlalchemy.exc import IntegrityError

    from workbench.publishing import isolation
    from workbench.publishing.document import RenderError
    from workbench.publishing.models import StoredDocument

    session = context.session
    found = drafting.get_rule(session, rule_id)
    revision = session.get(RuleRevision, revision_id)
    readable = revision is not None and revision.rule_id == found.id
    if readable and not can(context.by, Action.VIEW_RULES, found):  # the public revision only
        readable = _is_public(found) and drafting.public_revision(session, found).id == revision.id
    if not readable:
        raise WorkbenchError(_("没有这一版规则，或您无权阅读它。"))
    key = annex_key(found, revision, language)
    if publishing.stored_document(session, key) is None:
        context.progress(10, N_("正在生成 PDF…"))
        with current_app.test_request_context(), force_locale(language):
            html = render_template("international/annex.html", **_context(found, revision, language == "en"))
        try:
            if current_app.config["LAYOUT_PROCESS"] == "inline":
                data = isolation.html_to_pdf(html)
            else:
                data = isolation.html_to_pdf_in_child(html)
        except RenderError as error:
            raise WorkbenchError(str(error)) from error
        try:
            with session.begin_nested():
                session.add(StoredDocument(checksum=key, kind="pdf", content=data, size=len(data)))
        except IntegrityError:  # another job stored the same annex a moment ago: the same bytes
            pass
    return Outcome(url=f"/international/rules/{rule_id}/annex.pdf", message=N_("PDF 已生成，可以下载。"))


def _factors_page(rule: Rule, form: ReferenceForm, status: int = 200):
    rows = service.factor_comparison(db.session, rule)
    html = render_template(
        "international/factors.html",
        rule=rule,
        rows=rows,
        form=form,
        delete_form=DeleteForm(formdata=None),
        may_record=can(current_principal(), Action.RECORD_REFERENCE_VALUE, rule),
        max_effect_runs=service.MAX_EFFECT_RUNS,
    )
    return make_response(html, status)


@bp.get("/rules/<id:rule_id>/factors")
def factors(rule_id: int):
    require(Action.VIEW_RULES)
    rule = drafting.get_rule(db.session, rule_id)
    require(Action.VIEW_RULES, rule)
    return _factors_page(rule, ReferenceForm(formdata=None))


@bp.post("/rules/<id:rule_id>/factors")
def add_reference(rule_id: int):
    require(Action.VIEW_RULES)
    rule = drafting.get_rule(db.session, rule_id)
    require(Action.RECORD_REFERENCE_VALUE, rule)
    form = ReferenceForm()
    factor_text = (request.form.get("factor_id") or "").strip()
    rows = {row.factor.id: row.factor for row in service.factor_comparison(db.session, rule)}
    factor: Factor | None = None
    if factor_text.isdecimal() and len(factor_text) <= 10:
        factor = rows.get(int(factor_text))
    if form.validate_on_submit():
        if factor is None:
            flash(_("请选择本规则试算使用的因子。"), "error")
            form.refused_with = REJECTED
        else:
            try:
                write(
                    lambda: service.add_reference_value(
                        db.session,
                        factor,
                        rule=rule,
                        value=float(form.value.data),
                        unit=form.unit.data,
                        source=form.source.data,
                        database=form.database.data or "",
                        geography=form.geography.data or "",
                        note=form.note.data or "",
                        by=current_principal(),
                    )
                )
            except WorkbenchError as error:
                show_error(form, error)
            else:
                flash(_("参考值已记录。"), "success")
                return redirect(url_for(".factors", rule_id=rule.id))
    db.session.rollback()
    return _factors_page(rule, form, getattr(form, "refused_with", REJECTED))


@bp.post("/rules/<id:rule_id>/references/<id:reference_id>/delete")
def delete_reference(rule_id: int, reference_id: int):
    require(Action.VIEW_RULES)
    rule = drafting.get_rule(db.session, rule_id)
    require(Action.RECORD_REFERENCE_VALUE, rule)
    if DeleteForm().validate_on_submit():
        reference = service.get_reference_value(db.session, rule, reference_id)
        try:
            write(lambda: service.delete_reference_value(db.session, reference, by=current_principal()))
        except WorkbenchError as error:
            flash(str(error), "error")
        else:
            flash(_("参考值已删除。"), "success")
    return redirect(url_for(".factors", rule_id=rule.id))
