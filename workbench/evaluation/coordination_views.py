"""TC548's coordination report: /coordination (指引（十三）).

The secretariat, SAMR/MEE and evaluators (VIEW_COORDINATION) read the technical choices of every
rule side by side and the findings where rules of related products disagree; the secretariat
(EXPLAIN_COORDINATION) records why two rules differ on purpose, or withdraws such a reason. The
services ask who may; the pages ask `can()` only to decide what to show.
"""

import io

from flask import Blueprint, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length

from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action, can
from workbench.dates import today
from workbench.db import db, write
from workbench.drafting.models import Rule
from workbench.errors import WorkbenchError, refuse
from workbench.evaluation import coordination as core
from workbench.evaluation import coordination_report as service
from workbench.forms import ConfirmForm
from workbench.guideline.findings import counts
from workbench.i18n import translate
from workbench.web import form_page, id_arg, save

bp = Blueprint("coordination", __name__, url_prefix="/coordination")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReasonForm(FlaskForm):
    rule = SelectField(_l("规则"), coerce=int)
    other_rule = SelectField(_l("对照规则"), coerce=int)
    choice = SelectField(_l("技术选择"))
    reason = TextAreaField(
        _l("理由"),
        validators=[Length(max=service.MAX_REASON)],
        description=_l("两项规则在这项技术选择上有意不同的理由；记录后报告不再列出这项差异。"),
    )


def _reason_form(result: core.Report) -> ReasonForm:
    form = ReasonForm(
        rule=id_arg("rule") or 0, other_rule=id_arg("other") or 0, choice=request.args.get("choice", "")[:40]
    )
    rules = [(0, _("（请选择）"))] + [(row.rule_id, _rule_label(row)) for row in result.rows if row.rule_id is not None]
    form.rule.choices = rules
    form.other_rule.choices = rules
    form.choice.choices = [("", _("（请选择）"))] + [
        (key, translate(core.KINDS[key].label)) for key in core.REASON_CHOICES
    ]
    return form


def _rule_label(row: core.Row) -> str:
    return f"{row.code} {row.designation}".strip() + f"（{row.product_name}）"


def _page(form: ReasonForm, result: core.Report, full: core.Report):
    branch = id_arg("branch")
    labels = {row.rule_id: _rule_label(row) for row in full.rows if row.rule_id is not None}
    reasons = service.reasons(db.session)
    shown_ids = {row.rule_id for row in result.rows if row.rule_id is not None}
    if branch is not None:
        reasons = [item for item in reasons if {item.rule_id, item.other_rule_id} & shown_ids]
    return form_page(
        "evaluation/coordination.html",
        form,
        result=result,
        pairs=result.by_pair(),
        labels=labels,
        kinds=core.CHOICE_KINDS,
        shown=service.Shown(translate),
        not_drafted=translate(service.NOT_DRAFTED),
        counts=counts(result.findings),
        reasons=reasons,
        branches=service.branch_choices(db.session, full),
        branch=branch,
        can_explain=can(current_principal(), Action.EXPLAIN_COORDINATION),
        confirm_form=ConfirmForm(),
    )


def _report() -> tuple[core.Report, core.Report]:
    """The report as the reader narrowed it (a product branch), and the whole one."""
    full = service.report(db.session)
    branch = id_arg("branch")
    if branch is None:
        return full, full
    return core.in_branch(full, service.branch(db.session, branch)), full


@bp.get("/")
def index():
    require(Action.VIEW_COORDINATION)
    result, full = _report()
    return _page(_reason_form(full), result, full)


@bp.post("/reasons")
def explain():
    require(Action.EXPLAIN_COORDINATION)
    result, full = _report()
    form = _reason_form(full)

    def record():
        rule = db.session.get(Rule, form.rule.data) if form.rule.data else None
        other = db.session.get(Rule, form.other_rule.data) if form.other_rule.data else None
        if rule is None:
            refuse("rule", _("请选择规则。"))
        if other is None:
            refuse("other_rule", _("请选择对照规则。"))
        return service.explain(db.session, rule, other, form.choice.data, form.reason.data, by=current_principal())

    done = save(
        form,
        record,
        message=lambda item: _(
            "已记录 %(rule)s 与 %(other)s 的差异说明。", rule=item.rule.code, other=item.other_rule.code
        ),
        redirect_to=lambda item: url_for(".index", branch=id_arg("branch")),
    )
    return done or _page(form, result, full)


@bp.post("/reasons/<id:reason_id>/remove")
def remove_reason(reason_id: int):
    require(Action.EXPLAIN_COORDINATION)
    form = ConfirmForm()
    if not form.validate():
        flash(_("修改原因过长，请精简到 1000 字以内。"), "error")
    else:
        try:
            write(
                lambda: service.remove_reason(
                    db.session, service.get_reason(db.session, reason_id), by=current_principal()
                )
            )
        except WorkbenchError as error:
            flash(str(error.message), "error")
        else:
            flash(_("差异说明已删除：报告重新列出这项差异。"), "success")
    return redirect(url_for(".index"))


@bp.get("/report.xlsx")
def report_xlsx():
    require(Action.VIEW_COORDINATION)
    result, _full = _report()
    return send_file(
        io.BytesIO(service.report_xlsx(result, translate)),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"coordination-report-{today().isoformat()}.xlsx",
    )
