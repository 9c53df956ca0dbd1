"""TC548's coordination report: /coordination (指引（十三）).

The secretariat, SAMR/MEE and evaluators (VIEW_COORDINATION) read the technical choices of every
rule side by side and the findings where rules of related products disagree; the secretariat
(EXPLAIN_COORDINATION) records why two rules differ on purpose, or withdraws such a reason. The
services ask who may; the pages ask `can()` only to decide what to show.

The page lists every rule's choices, the findings a page at a time (?page=, whole pairs of rules,
FINDINGS_PAGE findings at most) with their total, and the published standards drafted outside the
workbench as a count over a collapsed list (?standards=, STANDARDS_PAGE at a time); the Excel
download and the JSON API keep everything. It is drawn in one pass over plain strings: each
message and citation translated once per request (coordination_report.Shown), the links to rules
and standards built once and completed with each id, the reason form's rule lists written option
by option without wtforms' attribute rendering (benchmarks/bench_evaluation.py).
"""

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import Length
from wtforms.widgets import Select

from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action, can
from workbench.dates import today
from workbench.db import db, write
from workbench.drafting.models import Rule
from workbench.errors import WorkbenchError, refuse
from workbench.evaluation import coordination as core
from workbench.evaluation import coordination_report as service
from workbench.evaluation.models import CoordinationReason
from workbench.forms import ConfirmForm
from workbench.guideline.findings import counts
from workbench.i18n import finding_html, translate
from workbench.web import LARGEST_ID, LAST_PAGE, form_page, id_arg, save

bp = Blueprint("coordination", __name__, url_prefix="/coordination")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RuleSelect(Select):
    """A select of every rule (hundreds of options, on every view of the report): each option
    written straight from its escaped value and label, not through `html_params`, which cost more
    than the rest of the form. The same HTML as wtforms' own; an option's `lang` (a rule's label
    holds its product's name) is written straight too."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        extra = set(choice.render_kw or ()) - {"lang"}
        if kwargs or extra or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = " selected" if choice.selected else ""
        lang = f' lang="{escape(choice.render_kw["lang"])}"' if choice.render_kw else ""
        return Markup(
            f'<option{selected} value="{escape(choice.value)}"{lang}>{escape(choice.label or choice.value)}</option>'
        )


class ReasonForm(FlaskForm):
    rule = SelectField(_l("规则"), coerce=int, widget=RuleSelect())
    other_rule = SelectField(_l("对照规则"), coerce=int, widget=RuleSelect())
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
    # A rule's label holds its product's name: the option is marked as Chinese content.
    rules = [SelectChoice(0, _("（请选择）"))] + [
        SelectChoice(row.rule_id, _rule_label(row), render_kw=CHINESE) for row in result.rows if row.rule_id is not None
    ]
    form.rule.choices = rules
    form.other_rule.choices = rules
    form.choice.choices = [("", _("（请选择）"))] + [
        (key, translate(core.KINDS[key].label)) for key in core.REASON_CHOICES
    ]
    return form


CHINESE = {"lang": "zh-CN"}
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _cell(text: str) -> tuple[str, str | None]:
    """A rule's choice as shown, with lang="zh-CN" when the rule wrote it in Chinese (a declared
    unit, a method's wording) rather than the workbench naming it in the reader's language."""
    return text, ("zh-CN" if HAN.search(text) else None)


def _rule_label(row: core.Row) -> str:
    return f"{row.code} {row.designation}".strip() + f"（{row.product_name}）"


# Findings per page, a pair of rules never split (coordination.pair_pages): the page stays quick to
# draw and to read on a phone however many findings there are (the counts above cover all of them;
# the Excel download and the JSON API keep everything). Standards drafted outside the workbench are
# listed apart, collapsed, STANDARDS_PAGE at a time: they have no parameters to compare.
FINDINGS_PAGE = 100
STANDARDS_PAGE = 100
PLACEHOLDER = LARGEST_ID  # the id a link is built with once, then replaced by each row's


@dataclass(frozen=True)
class Paged:
    """One page of a list, with the links to its neighbours (the shape `pagination` reads)."""

    page: int
    pages: int
    total: int
    link: Callable[[int], str]

    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)


@dataclass(frozen=True)
class ShownFinding:
    """A finding as the page writes it, in the reader's language (escaped text; the message is HTML
    whose names are marked as Chinese content)."""

    severity: str
    badge: str
    article: str
    message: Markup
    path: str
    explain: str | None  # the link that fills the reason form with this pair and choice


def _page_arg(name: str) -> int:
    """A page number of the query string (1 when absent); 404 when it is not one, as `page_number`."""
    page = request.args.get(name, 1, type=int)
    if not 1 <= page <= LAST_PAGE:
        abort(404)
    return page


def _link(endpoint: str, name: str, **values) -> Callable[[int], str]:
    """url_for(endpoint, name=id) for many ids at the cost of one url_for."""
    head, _middle, tail = url_for(endpoint, **values, **{name: PLACEHOLDER}).rpartition(str(PLACEHOLDER))
    return lambda number: f"{head}{number}{tail}"


def _index_url(branch: int | None, page: int = 1, standards: int = 1) -> str:
    """The report's address: the branch and the pages the reader is on (first pages left out)."""
    return url_for(
        ".index", branch=branch, page=page if page > 1 else None, standards=standards if standards > 1 else None
    )


def _page(form: ReasonForm, result: core.Report, full: core.Report, *, page: int = 1, standards: int = 1):
    branch = id_arg("branch")
    pages = core.pair_pages(result.by_pair(), FINDINGS_PAGE)
    rules = [row for row in result.rows if row.rule_id is not None]
    elsewhere = [row for row in result.rows if row.rule_id is None]
    standard_pages = max(1, -(-len(elsewhere) // STANDARDS_PAGE))
    if page > len(pages) or standards > standard_pages:
        abort(404)
    shown = service.Shown(translate)
    can_explain = can(current_principal(), Action.EXPLAIN_COORDINATION)
    here = _index_url(branch, page, standards)
    joiner = "&" if "?" in here else "?"

    def written(item: core.Disagreement) -> ShownFinding:
        found = item.finding
        query = urlencode({"rule": item.rule_id, "other": item.other_rule_id, "choice": item.choice})
        return ShownFinding(
            severity=found.severity.value,
            badge=shown.severity(found.severity),
            article=shown.article(found.article),
            message=finding_html(found),  # the rules' products' names inside are marked lang="zh-CN"
            path=found.path or "/",
            explain=f"{here}{joiner}{query}#reason-form" if can_explain else None,
        )

    reasons = service.reasons(db.session)
    shown_ids = {row.rule_id for row in rules}
    if branch is not None:
        reasons = [item for item in reasons if {item.rule_id, item.other_rule_id} & shown_ids]
    first = (standards - 1) * STANDARDS_PAGE
    return form_page(
        "evaluation/coordination.html",
        form,
        result=result,
        pairs=[(pair, [written(item) for item in items]) for pair, items in pages[page - 1]],
        findings_page=Paged(page, len(pages), len(result.disagreements), lambda n: _index_url(branch, n, standards)),
        rules=[
            (row, [_cell(shown.value(row.choices[kind.key].shown) or "—") for kind in core.CHOICE_KINDS])
            for row in rules
        ],
        elsewhere=elsewhere[first : first + STANDARDS_PAGE],
        standards_page=Paged(standards, standard_pages, len(elsewhere), lambda n: _index_url(branch, page, n)),
        rule_url=_link("workflow.rule", "rule_id"),
        standard_url=_link("registry.standard", "standard_id"),
        labels={row.rule_id: _rule_label(row) for row in full.rows if row.rule_id is not None},
        kinds=core.CHOICE_KINDS,
        shown=shown,
        counts=counts(result.findings),
        reasons=reasons,
        branches=service.branch_choices(db.session, full),
        branch=branch,
        can_explain=can_explain,
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
    page, standards = _page_arg("page"), _page_arg("standards")
    result, full = _report()
    return _page(_reason_form(full), result, full, page=page, standards=standards)


def _pages_of(result: core.Report) -> tuple[int, int]:
    """How many pages of findings and of standards drafted elsewhere `result` makes."""
    elsewhere = sum(1 for row in result.rows if row.rule_id is None)
    return len(core.pair_pages(result.by_pair(), FINDINGS_PAGE)), max(1, -(-elsewhere // STANDARDS_PAGE))


@bp.post("/reasons")
def explain():
    require(Action.EXPLAIN_COORDINATION)
    result, full = _report()
    form = _reason_form(full)
    # The form was sent from a page of the report: the reader comes back to it (or to the last
    # page, when the finding explained was the only one of its page).
    findings_pages, standard_pages = _pages_of(result)
    page, standards = min(_page_arg("page"), findings_pages), min(_page_arg("standards"), standard_pages)
    branch = id_arg("branch")

    def record():
        rule = db.session.get(Rule, form.rule.data) if form.rule.data else None
        other = db.session.get(Rule, form.other_rule.data) if form.other_rule.data else None
        if rule is None:
            refuse("rule", _("请选择规则。"))
        if other is None:
            refuse("other_rule", _("请选择对照规则。"))
        return service.explain(db.session, rule, other, form.choice.data, form.reason.data, by=current_principal())

    def back(item: CoordinationReason) -> str:
        explained = (item.rule_id, item.other_rule_id, item.choice)
        left = [found for found in result.disagreements if (*found.pair, found.choice) != explained]
        pages = len(core.pair_pages(core.Report(result.rows, left).by_pair(), FINDINGS_PAGE))
        return _index_url(branch, min(page, pages), standards) + "#findings"

    done = save(
        form,
        record,
        message=lambda item: _(
            "已记录 %(rule)s 与 %(other)s 的差异说明。", rule=item.rule.code, other=item.other_rule.code
        ),
        redirect_to=back,
    )
    return done or _page(form, result, full, page=page, standards=standards)


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
    return redirect(url_for(".index") + "#explained")


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
