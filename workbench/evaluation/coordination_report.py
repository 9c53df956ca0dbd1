"""TC548's coordination report over the database (指引（十三）): every rule that is neither archived nor
withdrawn (stage 95) with its current revision's parameters, and every published standard of the
registry, compared by the pure core (workbench.evaluation.coordination); the secretariat's reasons for differences made on
purpose; the report as JSON and as an Excel workbook.

Reading is five queries whatever the number of rules (six when a revision is new to the process):
rules with their products, registry entries and current revisions' ids, the `parameters` of the
revisions this process has not read yet (not the whole documents), the product tree, the published
standards no rule was drafted as, and the recorded reasons. Functions never commit.

Performance (benchmarks/bench_evaluation.py): a rule document is some 20–40 kB of JSON, and both
databases parse all of it to extract `parameters` (PostgreSQL detoasts and parses a `json` column
whole), which made reading the parameters of 300 rules most of the report's cost; so each revision
stores its `parameters` beside the document when written (RuleRevision.parameters, a tenth of the
size), and the report reads that. A revision is never changed once written (drafting.models.RuleRevision), so the parameters read are kept in the
process by (revision id, created_at): the id says which revision, and the time it was written
tells a revision apart from another that took the same id in another database (the tests make many
databases in one process). Nothing else is memoised: the report itself depends on rules, products,
standards and reasons that change in place, and no key cheaper than reading them is known to
follow every such change, so they are read each time (a few milliseconds).
"""

import io
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, aliased, selectinload

from workbench.auth.permissions import Action, require
from workbench.db import utcnow
from workbench.drafting import stages
from workbench.drafting.models import Rule, RuleRevision
from workbench.errors import Conflict, NotFound, refuse
from workbench.evaluation import coordination as core
from workbench.evaluation.models import CoordinationReason
from workbench.guideline import Finding
from workbench.guideline.articles import citation_text
from workbench.guideline.findings import SEVERITY_LABELS, counts
from workbench.guideline.vocabulary import END_USES
from workbench.messages import N_, Translate, identity
from workbench.registry.models import Product, Standard, Status
from workbench.spreadsheet import safe_text

Report = core.Report
# The standards a report lists: those in force (a standard under revision stays in force).
LISTED_STATUSES = (Status.PUBLISHED, Status.UNDER_REVISION)
NOT_DRAFTED = N_("未在工作台起草（无结构化参数）")
MAX_REASON = 2000


# --- reading --------------------------------------------------------------------------------------

# The parameters of the revisions read so far, by (revision id, created_at), the most recently used
# last (see the module docstring); at most MAX_KEPT, well above the number of rules of a catalogue.
MAX_KEPT = 2000
_kept_parameters: OrderedDict[tuple[int, datetime], object] = OrderedDict()
_kept_lock = threading.Lock()  # a server's threads share the memo


def _parameters(session: Session, revisions: dict[int, tuple[int, datetime]]) -> dict[int, object]:
    """The `parameters` of each revision in `revisions` (revision id -> (rule id, created_at)), by
    rule id: those kept from earlier reads, and the others read now in one query."""
    found: dict[int, object] = {}
    missing: list[int] = []
    with _kept_lock:
        for revision_id, (rule_id, created_at) in revisions.items():
            key = (revision_id, created_at)
            if key in _kept_parameters:
                _kept_parameters.move_to_end(key)
                found[rule_id] = _kept_parameters[key]
            else:
                missing.append(revision_id)
    read = []
    for start in range(0, len(missing), 500):
        read += session.execute(
            select(RuleRevision.id, RuleRevision.parameters).where(
                RuleRevision.id.in_(missing[start : start + 500]), RuleRevision.parameters.is_not(None)
            )
        ).all()
    # A revision written without the copy (none after the migration that added it) is read whole.
    unread = sorted(set(missing) - {revision_id for revision_id, _parameters in read})
    for start in range(0, len(unread), 500):
        read += session.execute(
            select(RuleRevision.id, RuleRevision.document["parameters"]).where(
                RuleRevision.id.in_(unread[start : start + 500])
            )
        ).all()
    with _kept_lock:
        for revision_id, parameters in read:
            rule_id, created_at = revisions[revision_id]
            found[rule_id] = parameters
            _kept_parameters[(revision_id, created_at)] = parameters
        while len(_kept_parameters) > MAX_KEPT:
            _kept_parameters.popitem(last=False)
    return found


def forget_parameters() -> None:
    """Empty the process's memo of revision parameters (what a first request after a restart meets)."""
    with _kept_lock:
        _kept_parameters.clear()


def _rule_facts(session: Session) -> list[core.RuleFacts]:
    current = aliased(RuleRevision)
    query = (
        select(
            Rule.id,
            Rule.code,
            Rule.title,
            Rule.stage,
            Rule.standard_id,
            Product.id.label("product_id"),
            Product.name,
            Product.aliases,
            Product.parent_id,
            Product.end_use,
            Standard.numbers,
            current.id.label("revision_id"),
            current.created_at.label("revision_created_at"),
        )
        .join(Product, Product.id == Rule.product_id)
        .outerjoin(Standard, Standard.id == Rule.standard_id)
        .outerjoin(current, and_(current.rule_id == Rule.id, current.number == Rule.current_revision))
        .where(Rule.archived_at.is_(None), Rule.stage != stages.WITHDRAWN)
    )
    rows = session.execute(query).all()
    # Only the parameters of each current revision: the clauses are most of a document.
    parameters = _parameters(
        session,
        {row.revision_id: (row.id, row.revision_created_at) for row in rows if row.revision_id is not None},
    )
    return [
        core.RuleFacts(
            rule_id=row.id,
            code=row.code,
            title=row.title,
            product_id=row.product_id,
            product_name=row.name,
            parameters=parameters.get(row.id),
            product_aliases=tuple(alias for alias in (row.aliases or "").split("、") if alias),
            parent_id=row.parent_id,
            end_use=row.end_use.value if row.end_use is not None else "",
            stage=row.stage,
            designation=row.numbers or "",
            standard_id=row.standard_id,
        )
        for row in rows
    ]


def _standards_without_rule(session: Session) -> list[core.StandardFacts]:
    drafted = exists().where(Rule.standard_id == Standard.id, Rule.archived_at.is_(None))
    product = aliased(Product)
    rows = session.execute(
        select(Standard.id, Standard.numbers, Standard.title, Standard.level, product.id, product.name)
        .outerjoin(product, product.id == Standard.product_id)
        .where(Standard.status.in_(LISTED_STATUSES), Standard.archived_at.is_(None), ~drafted)
    ).all()
    return [
        core.StandardFacts(
            standard_id=row[0],
            designation=row[1] or row[2],
            title=row[2],
            product_id=row[4],
            product_name=row[5] or "",
            level=row[3].value,
        )
        for row in rows
    ]


def _reasons(session: Session) -> dict[tuple[int, int, str], str]:
    rows = session.execute(
        select(
            CoordinationReason.rule_id,
            CoordinationReason.other_rule_id,
            CoordinationReason.choice,
            CoordinationReason.reason,
        )
    ).all()
    return {(row[0], row[1], row[2]): row[3] for row in rows}


def report(session: Session) -> Report:
    """The coordination report: rows (rules by code, then published standards without a rule by
    number) and the disagreements of related rules, those with a recorded reason apart."""
    tree = session.execute(select(Product.id, Product.parent_id, Product.name)).all()
    return core.compare(
        _rule_facts(session),
        standards=_standards_without_rule(session),
        parents={row[0]: row[1] for row in tree},
        names={row[0]: row[2] for row in tree},
        reasons=_reasons(session),
    )


def findings_for_standard(session: Session, standard: Standard) -> list[Finding]:
    """The coordination findings involving the rule(s) drafted as `standard` (none for a standard
    drafted outside the workbench: it has no structured parameters to compare)."""
    rule_ids = session.scalars(select(Rule.id).where(Rule.standard_id == standard.id, Rule.archived_at.is_(None))).all()
    if not rule_ids:
        return []
    return [item.finding for item in report(session).involving(rule_ids)]


def branch(session: Session, product_id: int) -> set[int]:
    """`product_id` and every product below it in the catalogue."""
    children: dict[int | None, list[int]] = {}
    for row in session.execute(select(Product.id, Product.parent_id)).all():
        children.setdefault(row[1], []).append(row[0])
    found, todo = set(), [product_id]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.add(current)
        todo += children.get(current, [])
    return found


def branch_choices(session: Session, result: Report) -> list[tuple[int, str]]:
    """The products a reader can narrow `result` to: those of its rows and all above them, by name."""
    tree = session.execute(select(Product.id, Product.parent_id, Product.name)).all()
    parents = {row[0]: row[1] for row in tree}
    names = {row[0]: row[2] for row in tree}
    wanted: set[int] = set()
    for row in result.rows:
        current = row.product_id
        while current is not None and current not in wanted:
            wanted.add(current)
            current = parents.get(current)
    return sorted(((product_id, names[product_id]) for product_id in wanted if product_id in names), key=lambda x: x[1])


# --- the secretariat's reasons --------------------------------------------------------------------


def reasons(session: Session) -> list[CoordinationReason]:
    return list(
        session.scalars(
            select(CoordinationReason)
            .options(selectinload(CoordinationReason.rule), selectinload(CoordinationReason.other_rule))
            .order_by(CoordinationReason.rule_id, CoordinationReason.other_rule_id, CoordinationReason.choice)
        )
    )


def get_reason(session: Session, reason_id: int) -> CoordinationReason:
    found = session.get(CoordinationReason, reason_id)
    if found is None:
        raise NotFound(_("没有这条差异说明。"))
    return found


def explain(session: Session, rule: Rule, other_rule: Rule, choice: str, reason: str, *, by) -> CoordinationReason:
    """Record why `rule` and `other_rule` differ on `choice` on purpose: the report stops
    reporting that difference (for either order of the two)."""
    require(by, Action.EXPLAIN_COORDINATION)
    if rule.id == other_rule.id:
        refuse("other_rule", _("请选择另一项规则：差异说明针对两项不同的规则。"))
    if choice not in core.REASON_CHOICES:
        refuse("choice", _("请选择一项会比较的技术选择。"))
    text = " ".join((reason or "").split())
    if not text:
        refuse("reason", _("请写明两项规则在这项技术选择上有意不同的理由。"))
    if len(text) > MAX_REASON:
        refuse("reason", _("理由不能超过 %(max)d 个字符。", max=MAX_REASON))
    low, high = (rule, other_rule) if rule.id < other_rule.id else (other_rule, rule)
    taken = session.scalar(
        select(CoordinationReason.id).where(
            CoordinationReason.rule_id == low.id,
            CoordinationReason.other_rule_id == high.id,
            CoordinationReason.choice == choice,
        )
    )
    if taken is not None:
        raise Conflict(_("这两项规则在这项技术选择上的差异已有说明：如需修改，请先删除原说明。"))
    record = CoordinationReason(
        rule=low, other_rule=high, choice=choice, reason=text, created_by_id=by.id, created_at=utcnow()
    )
    session.add(record)
    session.flush()
    return record


def remove_reason(session: Session, record: CoordinationReason, *, by) -> None:
    """Withdraw a reason: the difference is reported again (the audit trail keeps the reason)."""
    require(by, Action.EXPLAIN_COORDINATION)
    session.delete(record)
    session.flush()


# --- as data --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """How a report is written for a reader: `translate` into their language."""

    translate: Translate = identity
    _citations: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The same words come back in every row (vocabulary labels, message templates, the
        # citation 指引（十三）): each is looked up in the catalogue once per report written.
        looked_up: dict[str, str] = {}
        translate = self.translate

        def remembered(text: str) -> str:
            found = looked_up.get(text)
            if found is None:
                found = looked_up[text] = translate(text)
            return found

        object.__setattr__(self, "translate", remembered)

    def article(self, citation: str) -> str:
        """A finding's article (指引（十三）) in the reader's language."""
        found = self._citations.get(citation)
        if found is None:
            found = self._citations[citation] = citation_text(citation or "", self.translate)
        return found

    def severity(self, severity: str) -> str:
        return self.translate(SEVERITY_LABELS.get(severity, N_("提示")))

    def value(self, value) -> str:
        if value is None or value == "":
            return ""
        if hasattr(value, "render"):
            return value.render(self.translate)
        return str(value)

    def choice_label(self, key: str) -> str:
        kind = core.KINDS.get(key)
        return self.translate(kind.label) if kind is not None else key

    def finding(self, item: core.Disagreement) -> dict:
        found = item.finding
        return {
            "rule_id": item.rule_id,
            "other_rule_id": item.other_rule_id,
            "choice": item.choice,
            "relation": item.relation,
            "code": found.code,
            "severity": found.severity.value,
            "article": self.article(found.article),
            "path": found.path,
            "message": found.text(self.translate),
            "standards": list(found.standard_ids),
            **({"reason": item.reason} if item.reason is not None else {}),
        }


def report_data(result: Report, translate: Translate = identity) -> dict:
    """The report as one JSON document (the API and `workbench coordination report --format json`)."""
    shown = Shown(translate)
    rows = []
    for row in result.rows:
        rows.append(
            {
                "rule_id": row.rule_id,
                "code": row.code or None,
                "title": row.title,
                "product": {"id": row.product_id, "name": row.product_name} if row.product_id is not None else None,
                "end_use": row.end_use or None,
                "stage": row.stage or None,
                "standard_id": row.standard_id,
                "designation": row.designation or None,
                "drafted": row.choices is not None,
                "choices": {
                    kind.key: (shown.value(row.choices[kind.key].shown) or None) if row.choices is not None else None
                    for kind in core.CHOICE_KINDS
                },
            }
        )
    return {
        "choices": [
            {"key": kind.key, "label": shown.choice_label(kind.key), "path": kind.path} for kind in core.CHOICE_KINDS
        ],
        "rows": rows,
        "findings": [shown.finding(item) for item in result.disagreements],
        "explained": [shown.finding(item) for item in result.explained],
        "counts": counts(result.findings),
    }


# --- as a workbook --------------------------------------------------------------------------------


def report_xlsx(result: Report, translate: Translate = identity) -> bytes:
    """Two sheets: 技术选择对照 (one row per rule or standard, a column per choice) and 协调性问题
    (one row per finding, then the differences explained), in the reader's language. Text cells
    pass through `safe_text` (no formulas, no control characters)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    t = translate
    shown = Shown(t)
    labels = {row.rule_id: _label(row) for row in result.rows if row.rule_id is not None}
    book = Workbook()

    def table(sheet, headers: list[tuple[str, int]], rows: list[list]) -> None:
        for column, (header, width) in enumerate(headers, start=1):
            cell = sheet.cell(row=1, column=column, value=safe_text(header))
            cell.font = Font(bold=True)
            sheet.column_dimensions[get_column_letter(column)].width = width
        for number, values in enumerate(rows, start=2):
            for column, value in enumerate(values, start=1):
                cell = sheet.cell(row=number, column=column, value=safe_text(value) if value else None)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "C2"

    sheet = book.active
    sheet.title = t(N_("技术选择对照"))
    headers = [(t(N_("规则编号")), 12), (t(N_("标准编号")), 20), (t(N_("名称")), 36), (t(N_("产品")), 14)]
    headers += [(t(N_("最终用途")), 10), (t(N_("阶段")), 6)]
    headers += [(shown.choice_label(kind.key), 24) for kind in core.CHOICE_KINDS]
    rows = []
    for row in result.rows:
        values = [row.code, row.designation, row.title, row.product_name, _end_use(row.end_use, t), row.stage]
        if row.choices is None:
            values += [t(NOT_DRAFTED)] + [""] * (len(core.CHOICE_KINDS) - 1)
        else:
            values += [shown.value(row.choices[kind.key].shown) for kind in core.CHOICE_KINDS]
        rows.append(values)
    table(sheet, headers, rows)

    sheet = book.create_sheet(t(N_("协调性问题")))
    headers = [
        (t(N_("规则")), 22),
        (t(N_("对照规则")), 22),
        (t(N_("技术选择")), 16),
        (t(N_("严重程度")), 8),
        (t(N_("依据")), 12),
        (t(N_("位置")), 28),
        (t(N_("问题")), 70),
        (t(N_("差异说明")), 40),
    ]
    rows = [
        [
            labels.get(item.rule_id, ""),
            labels.get(item.other_rule_id, ""),
            shown.choice_label(item.choice),
            shown.severity(item.finding.severity),
            shown.article(item.finding.article),
            item.finding.path,
            item.finding.text(shown.translate),
            item.reason or "",
        ]
        for item in [*result.disagreements, *result.explained]
    ]
    table(sheet, headers, rows)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _label(row: core.Row) -> str:
    return f"{row.code} {row.designation}".strip() + f"（{row.product_name}）"


def _end_use(end_use: str, translate: Translate) -> str:
    if not end_use:
        return ""
    return translate(END_USES.label(end_use))
