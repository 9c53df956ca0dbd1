"""Coverage against the 2027 and 2030 targets: /coverage (SAMR/MEE and the secretariat in detail,
the public in summary)."""

from dataclasses import dataclass
from functools import partial

from flask import Blueprint, abort, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action, can
from workbench.catalogue import coverage as cov
from workbench.catalogue import progress
from workbench.dates import today
from workbench.db import db
from workbench.drafting.models import StageEvent
from workbench.drafting.stages import STAGES
from workbench.guideline.catalogue.levels import CHECKS as LEVEL_CHECKS
from workbench.i18n import severity_text, translate
from workbench.page_cache import cached_page
from workbench.registry.models import LEVEL_LABELS, PRIORITY_LABELS, STATUS_LABELS
from workbench.web import page_number

bp = Blueprint("coverage", __name__, url_prefix="/coverage")

STATE_LABELS = {
    cov.NONE: _l("尚无"),
    cov.PROPOSED: _l("已有立项建议"),
    cov.PROJECT: _l("标准项目"),
    cov.PUBLISHED: _l("已发布"),
    cov.SEVERAL_LEVELS: _l("多个级别"),
}
PROJECTS_SHOWN = 3  # per product in the matrix; the rest are on the product's page
# Priority products per page of the matrix: the page stays quick to draw and to read on a phone
# however long the list grows (the counts of states above it cover every product).
MATRIX_PAGE = 100


@dataclass(frozen=True)
class MatrixPage:
    """One page of the matrix, in the shape the `pagination` macro reads."""

    page: int
    total: int
    per_page: int = MATRIX_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def rows(self) -> slice:
        start = (self.page - 1) * self.per_page
        return slice(start, start + self.per_page)

    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)


def state_label(state: str) -> str:
    return str(STATE_LABELS[state])


def cycle_labels() -> dict[str, str]:
    """What the cycle table says of each status, translated once per page ("{}": the days)."""
    return {
        cov.OVERDUE: _("逾期 %(days)s 天未报批", days="{}"),
        cov.OPEN: _("剩余 %(days)s 天", days="{}"),
        cov.LATE: _("逾期 %(days)s 天报批", days="{}"),
        cov.ON_TIME: _("按期报批"),
        cov.STOPPED: _("已终止"),
    }


def cycle_label(labels: dict[str, str], row: dict) -> str:
    days = row["days_over"] if row["status"] in (cov.OVERDUE, cov.LATE) else row["days_left"] or 0
    return labels[row["status"]].format(days)


def chart_data(summary: dict, labels: dict) -> dict:
    """What coverage.js draws: the burn-up (actual, projected, targets) and the levels per year."""
    burn_up = summary["burn_up"]
    return {
        "years": [row["year"] for row in burn_up],
        "actual": [row["actual"] for row in burn_up],
        "projected": [row["projected"] for row in burn_up],
        "targets": [row["target"] for row in burn_up],
        "level_years": [row["year"] for row in summary["by_year"]],
        "levels": [
            {"level": level, "label": labels[level], "counts": [row["levels"][level] for row in summary["by_year"]]}
            for level in cov.LEVELS
        ],
        "text": {"actual": _("已发布（累计）"), "projected": _("按当前速度预计"), "target": _("目标")},
    }


@bp.app_template_global()
def coverage_summary() -> dict:
    """The counts against the targets, for the home page (which the site package draws without
    knowing the catalogue)."""
    return progress.summary(db.session, today(), current_app.config)


def href(endpoint: str) -> str | None:
    """The URL of one record of `endpoint` with "{}" where its id goes (url_for once per page
    rather than once per link), or None when there is no such page."""
    if endpoint not in current_app.view_functions:
        return None
    (argument,) = next(current_app.url_map.iter_rules(endpoint)).arguments
    return url_for(endpoint, **{argument: 2147483647}).replace("2147483647", "{}")


def _format(template: str | None, *values) -> str | None:
    return template.format(*values) if template is not None else None


def matrix(result: progress.Coverage, detail: bool, level_labels: dict[str, str], shown: slice) -> list[dict]:
    """The matrix's rows as plain strings: labels translated once per page and URLs built from one
    url_for each, so that rendering 500 products costs little more than writing them out."""
    state_labels = {state: state_label(state) for state in cov.STATES}
    categories = {category.value: str(label) for category, label in PRIORITY_LABELS.items()}
    statuses = {status.value: str(label) for status, label in STATUS_LABELS.items()}
    stage_labels = {code: f"{code} {_(stage.name)}" for code, stage in STAGES.items()}
    severities = {severity: severity_text(severity) for severity in ("error", "warning", "info")}
    # The matrix shows each finding's requirement; the product's page has every message.
    summaries = {check.code: translate(check.summary) for check in LEVEL_CHECKS}
    separator, more = _("、"), _("共 %(count)s 项", count="{}")
    batches: dict[int, str] = {}
    product_href, batch_href = href("registry.product"), href("catalogue.batch")
    standard_href, rule_href, proposal_href = (
        href("registry.standard"),
        href("workflow.rule"),
        href("proposals.proposal"),
    )
    by_level = url_for("registry.standards") + "?product={}&level={}"
    rows = []
    for row in result.rows[shown]:
        priority = row.priority
        product_id = priority.product_id
        if priority.batch_number not in batches:
            batches[priority.batch_number] = _("第%(number)d批", number=priority.batch_number)
        if row.levels:
            state_detail = separator.join(level_labels[level] for level in row.levels)
        elif row.stage:
            state_detail = stage_labels.get(row.stage, row.stage)
        else:
            state_detail = statuses.get(row.project_status, "") if row.project_status else ""
        projects = []
        for project in row.projects[:PROJECTS_SHOWN]:
            standard, rule = project["standard"], project["rule"]
            projects.append(
                {
                    "href": _format(standard_href, standard.id) if standard else None,
                    "name": standard.designation if standard else "",
                    "stage": project["stage"],
                    "status": "" if project["stage"] or standard is None else statuses.get(standard.status, ""),
                    "rule": (rule.code, _format(rule_href, rule.id)) if detail and rule else None,
                }
            )
        shape = {
            "id": product_id,
            "product": priority.product,
            "href": _format(product_href, product_id),
            "category": categories.get(priority.category, "") if priority.category else "",
            "batch": batches[priority.batch_number],
            "batch_href": _format(batch_href, priority.batch_id),
            "state": row.state,
            "state_label": state_labels[row.state],
            "state_detail": state_detail,
            "levels": [
                (by_level.format(product_id, level), f"{level_labels[level]} {count}")
                for level, count in row.level_counts
            ],
            "projects": projects,
            "projects_more": more.format(len(row.projects)) if len(row.projects) > PROJECTS_SHOWN else None,
        }
        if detail:
            shape["proposals"] = [
                (
                    _format(proposal_href, proposal.id),
                    proposal.title,
                    level_labels.get(proposal.level, proposal.level),
                    proposal.organisation,  # a name: the page marks it as Chinese content
                )
                for proposal in row.proposals
            ]
            shape["findings"] = [
                (found["severity"], severities[found["severity"]], found["article"], summaries.get(found["code"], ""))
                for found in result.verdict_codes(row)
            ]
        rows.append(shape)
    return rows


# Kept rendered (page_cache.py) like the other pages many read: keyed by the reader, the day and
# the newest audit event (standards, lists, proposals and rules are audited; stage events are
# only ever added, so their newest id is part of the key).
@bp.get("")
@cached_page(Action.READ_PUBLISHED, unaudited=(StageEvent,))
def index():
    require(Action.READ_PUBLISHED)
    detail = can(current_principal(), Action.VIEW_COVERAGE)
    on = today()
    requested = page_number()
    page = MatrixPage(requested, total=0)
    result = progress.Coverage(db.session, on, current_app.config, detail=detail, shown=page.rows)
    page = MatrixPage(requested, total=len(result.rows))
    if requested > page.pages:
        abort(404)
    level_labels = {level: str(LEVEL_LABELS[level]) for level in cov.LEVELS}
    return render_template(
        "catalogue/coverage.html",
        result=result,
        summary=result.summary,
        rows=matrix(result, detail, level_labels, page.rows),
        page=page,
        detail=detail,
        today=on,
        chart=chart_data(result.summary, level_labels),
        level_labels=level_labels,
        state_labels={state: state_label(state) for state in cov.STATES},
        stage_labels={code: f"{code} {_(stage.name)}" for code, stage in STAGES.items()},
        status_labels={status.value: str(label) for status, label in STATUS_LABELS.items()},
        separator=_("、"),
        LEVELS=cov.LEVELS,
        proposal_href=href("proposals.proposal"),
        rule_href=href("workflow.rule"),
        cycle_label=partial(cycle_label, cycle_labels()),
    )
