"""The international comparison (指引（十八）): pages under /international.

- /international: the maintained table of international methods, each cell in the reader's
  language with its source; public.
- /international/rules/<id>: a rule's choices beside the table's, printable as the informative
  annex 国内外方法对比 (print stylesheet; /annex.pdf laid out by WeasyPrint with nothing fetched).
  The public reads it for a rule that is out for consultation or published (the revision the
  portal shows); drafts in progress need VIEW_RULES.
- /international/rules/<id>/factors: the factor comparison, with the form to add an
  international reference value (RECORD_REFERENCE_VALUE).
"""

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action, can
from workbench.db import db, write
from workbench.drafting import service as drafting
from workbench.drafting import stages
from workbench.drafting.models import Rule, RuleRevision
from workbench.errors import WorkbenchError
from workbench.exchange import international as service
from workbench.exchange import methods
from workbench.factors.models import Factor
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
    )


def _comparison(rule_id: int) -> dict:
    rule, revision = _readable(rule_id)
    table = methods.table()
    english = _english()
    findings = service.rule_comparison(db.session, rule, revision)
    parameters = (revision.document or {}).get("parameters") or {}
    return {
        "rule": rule,
        "revision": revision,
        "table": table,
        "english": english,
        "findings": findings,
        "choices": methods.rule_choices(parameters),
        "agreements": methods.agreements(parameters),
        "dimension_names": {key: (en if english else zh) for key, zh, en in table.dimensions},
        "framework_names": {framework.id: framework.name for framework in table.frameworks},
        "shown": methods.shown,
        "may_compare_factors": can(current_principal(), Action.VIEW_RULES, rule),
    }


@bp.get("/rules/<id:rule_id>")
def rule(rule_id: int):
    return render_template("international/rule.html", **_comparison(rule_id))


@bp.get("/rules/<id:rule_id>/annex.pdf")
def annex_pdf(rule_id: int):
    from workbench.publishing import isolation

    context = _comparison(rule_id)
    html = render_template("international/annex.html", **context)
    if current_app.config["LAYOUT_PROCESS"] == "inline":
        data = isolation.html_to_pdf(html)
    else:
        data = isolation.html_to_pdf_in_child(html)
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{context["rule"].code}-international.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _factors_page(rule: Rule, form: ReferenceForm, status: int = 200):
    rows = service.factor_comparison(db.session, rule)
    html = render_template(
        "international/factors.html",
        rule=rule,
        rows=rows,
        form=form,
        delete_form=DeleteForm(formdata=None),
        may_record=can(current_principal(), Action.RECORD_REFERENCE_VALUE, rule),
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
