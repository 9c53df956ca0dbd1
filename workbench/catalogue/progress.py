"""The queries behind coverage (workbench.catalogue.coverage does the arithmetic): a handful of
set-based SELECTs of plain columns, whatever the size of the registry, so the page and
`workbench catalogue coverage` stay fast with 10,000 standards (benchmarks/bench_catalogue.py).

`coverage(session, today, settings)` is the JSON of `workbench catalogue coverage --format json`
and of GET /api/v1/coverage; with `detail=False` it leaves out what only SAMR/MEE and the
secretariat see (proposals, the level rules' verdicts, cycle times).
"""

from collections import defaultdict
from datetime import date
from functools import lru_cache

from flask_babel import get_locale, get_translations
from sqlalchemy import Integer, String, and_, case, cast, extract, func, select, type_coerce
from sqlalchemy.orm import Session

from workbench.auth.models import Organisation
from workbench.catalogue import coverage as cov
from workbench.catalogue import lists
from workbench.catalogue.models import (
    OPEN_STATUSES,
    Call,
    ListBatch,
    Proposal,
    ProposalStatus,
)
from workbench.dates import iso, local_zone
from workbench.drafting.models import Rule, StageEvent
from workbench.guideline.articles import citation_text
from workbench.registry import hierarchy
from workbench.registry.models import Product, Standard, Status
from workbench.registry.numbers import Level

TARGET_LEVELS_SETTING = "COVERAGE_TARGET_LEVELS"
TARGETS_SETTING = "COVERAGE_TARGETS"
_LEVELS = [Level(level) for level in cov.LEVELS]


def counted_levels(settings) -> tuple[str, ...]:
    return cov.parse_levels((settings or {}).get(TARGET_LEVELS_SETTING))


def targets(settings) -> dict[str, int]:
    return dict((settings or {}).get(TARGETS_SETTING) or cov.DEFAULT_TARGETS)


# --- reading ---------------------------------------------------------------------------------------


def priority_records(session: Session) -> list[cov.PriorityRecord]:
    """The priority list in force (lists.priority_in_force, the one reading of it: the latest
    published priority batch naming each product; an item that removes it takes it off), with the
    products' names and the batches' titles: two more queries of plain columns."""
    in_force = lists.priority_in_force(session)
    if not in_force:
        return []
    names = dict(_read(session, select(Product.id, Product.name).where(Product.id.in_(list(in_force)))))
    batch_ids = sorted({row.batch_id for row in in_force.values()})
    titles = dict(_read(session, select(ListBatch.id, ListBatch.title).where(ListBatch.id.in_(batch_ids))))
    return [
        cov.PriorityRecord(
            product_id=product_id,
            product=names[product_id],
            category=_value(row.category),
            batch_id=row.batch_id,
            batch_number=row.batch_number,
            batch_title=titles[row.batch_id],
            level=_value(row.level),
            target_year=row.target_year,
        )
        for product_id, row in in_force.items()
    ]


def _value(member) -> str | None:
    return member.value if member is not None else None


def _text(column):
    """An enum column read as its stored text: the records hold plain strings."""
    return type_coerce(column, String)


def _read(session: Session, query) -> list:
    """The rows of a SELECT of plain columns through Core (no ORM result machinery), all at once."""
    return session.connection().execute(query).fetchall()


_year = func.coalesce(cast(extract("year", Standard.published_on), Integer), Standard.year)


def _counting(*conditions):
    """The standards that count, as a WHERE clause (the one statement of the rule): for a product,
    not archived, published or under revision, at one of the five Chinese levels."""
    return (
        Standard.product_id.is_not(None),
        Standard.archived_at.is_(None),
        Standard.status.in_([Status(status) for status in cov.COUNTED_STATUSES]),
        Standard.level.in_(_LEVELS),
        *conditions,
    )


def published_counts(session: Session, today: date, levels) -> tuple[list, int]:
    """The standards that count, in one GROUP BY: (level, year, count), and the standards at the
    counted levels published in the rate's window (the last 365 days up to today). The one place
    that counts: coverage.published does the arithmetic on these numbers."""
    in_window = case(
        (and_(Standard.published_on > today - cov.RATE_WINDOW, Standard.published_on <= today), 1), else_=0
    )
    counts, recent = [], 0
    for level, year, number, window in session.execute(
        select(type_coerce(Standard.level, String), _year, func.count(), func.sum(in_window))
        .where(*_counting())
        .group_by(Standard.level, _year)
    ):
        counts.append((level, year, number))
        if level in levels:
            recent += int(window or 0)
    return counts, recent


def standard_records(session: Session, product_ids) -> list[cov.StandardRecord]:
    """The active standards and projects (hierarchy.ACTIVE) of these products at the five Chinese
    levels, not archived, as plain records (the enum columns read as their stored text)."""
    if not product_ids:
        return []
    rows = session.connection().execute(  # Core: no ORM result machinery for thousands of rows
        select(
            Standard.id,
            func.coalesce(func.nullif(Standard.numbers, ""), Standard.title),
            type_coerce(Standard.level, String),
            type_coerce(Standard.status, String),
            Standard.product_id,
            Standard.published_on,
            Standard.implemented_on,
            Standard.year,
        ).where(
            Standard.archived_at.is_(None),
            Standard.level.in_(_LEVELS),
            Standard.status.in_([Status(status) for status in hierarchy.ACTIVE]),
            Standard.product_id.in_(product_ids),
        )
    )
    return list(map(cov.StandardRecord._make, rows.fetchall()))


def rule_records(session: Session, product_ids) -> list[cov.RuleRecord]:
    rows = _read(
        session,
        select(Rule.id, Rule.code, Rule.product_id, Rule.standard_id, Rule.stage).where(
            Rule.archived_at.is_(None), Rule.product_id.in_(product_ids)
        ),
    )
    return [cov.RuleRecord(*row) for row in rows]


def proposal_records(session: Session, product_ids) -> list[cov.ProposalRecord]:
    rows = _read(
        session,
        select(
            Proposal.id,
            Proposal.product_id,
            Proposal.title,
            _text(Proposal.level),
            _text(Proposal.status),
            Organisation.name,
        )
        .join(Organisation, Proposal.organisation_id == Organisation.id)
        .where(
            Proposal.status.in_(sorted(OPEN_STATUSES)),
            Proposal.product_id.in_(product_ids),
        )
        .order_by(Proposal.id),
    )
    return [cov.ProposalRecord(*row) for row in rows]


def project_records(session: Session) -> list[cov.ProjectRecord]:
    """Approved proposals with their call's target, their rule's stage events and their registry
    entry's status and publication (a project below national level has no rule). Two queries."""
    rows = _read(
        session,
        select(
            Proposal.id,
            Proposal.title,
            Product.name,
            _text(Proposal.level),
            Proposal.plan_number,
            Proposal.approved_on,
            Proposal.due_on,
            Call.months_to_approval,
            Call.id,
            Call.title,
            Rule.id,
            Rule.code,
            Rule.stage,
            _text(Standard.status),
            Standard.published_on,
            Standard.year,
        )
        .join(Product, Proposal.product_id == Product.id)
        .join(Call, Proposal.call_id == Call.id)
        .outerjoin(Rule, Proposal.rule_id == Rule.id)
        .outerjoin(Standard, Proposal.standard_id == Standard.id)
        .where(Proposal.status == ProposalStatus.APPROVED, Proposal.approved_on.is_not(None)),
    )
    changes: dict[int, list[cov.StageChange]] = defaultdict(list)
    rule_ids = [row[10] for row in rows if row[10] is not None]
    if rule_ids:
        zone = local_zone()
        events = _read(
            session,
            select(StageEvent.rule_id, StageEvent.occurred_at, StageEvent.from_stage, StageEvent.to_stage)
            .where(
                StageEvent.rule_id.in_(
                    select(Proposal.rule_id).where(Proposal.status == ProposalStatus.APPROVED).scalar_subquery()
                )
            )
            .order_by(StageEvent.occurred_at, StageEvent.id),
        )
        for rule_id, occurred_at, source, target in events:
            changes[rule_id].append(cov.StageChange(occurred_at.astimezone(zone).date(), source, target))
    return [
        cov.ProjectRecord(
            proposal_id=row[0],
            title=row[1],
            product=row[2],
            level=row[3],
            plan_number=row[4],
            approved_on=row[5],
            due_on=row[6],
            months_to_approval=row[7],
            call_id=row[8],
            call_title=row[9],
            rule_id=row[10],
            rule_code=row[11],
            stage=row[12],
            changes=tuple(changes.get(row[10], ())) if row[10] is not None else (),
            standard_status=row[13],
            published_on=row[14],
            year=row[15],
        )
        for row in rows
    ]


# --- the result ------------------------------------------------------------------------------------


def summary(session: Session, today: date, settings=None) -> dict:
    """Counts, burn-up and projection only (the home page, the public part of the page)."""
    levels = counted_levels(settings)
    counts, recent = published_counts(session, today, levels)
    return cov.published(counts, recent, today, counted_levels=levels, targets=targets(settings))


class Coverage:
    """What the page needs: the summary, the matrix rows and (detail) the cycle times."""

    def __init__(
        self, session: Session, today: date, settings=None, *, detail: bool = True, shown: slice = slice(None)
    ):
        """`shown`: the matrix rows a page shows; the level rules run for those only (the counts
        of states cover every row)."""
        self.today, self.detail = today, detail
        self.summary = summary(session, today, settings)
        priorities = sorted(
            priority_records(session),
            key=lambda record: (record.batch_number, record.category or "", record.product),
        )
        product_ids = [record.product_id for record in priorities]
        by_product: dict[int, list[cov.StandardRecord]] = defaultdict(list)
        for record in standard_records(session, product_ids):
            by_product[record.product_id].append(record)
        rules: dict[int, list[cov.RuleRecord]] = defaultdict(list)
        proposals: dict[int, list[cov.ProposalRecord]] = defaultdict(list)
        if product_ids:
            for rule in rule_records(session, product_ids):
                rules[rule.product_id].append(rule)
            if detail:
                for proposal in proposal_records(session, product_ids):
                    proposals[proposal.product_id].append(proposal)
        self.rows = [
            cov.product_state(
                record,
                by_product.get(record.product_id, ()),
                rules.get(record.product_id, ()),
                proposals.get(record.product_id, ()),
                today,
                with_verdict=False,  # rendered below, remembered across requests
            )
            for record in priorities
        ]
        self.verdicts: dict[int, tuple] = {}
        self._keys: dict[int, tuple] = {}
        if detail:
            for record in priorities[shown]:
                standards = by_product.get(record.product_id, ())
                if cov.may_have_verdict(standards):  # a single standard outside the local level: nothing to say
                    key = (record.product_id, record.product, tuple(sorted(standards)), today)
                    self.verdicts[record.product_id] = _verdict(*key)
                    self._keys[record.product_id] = key
        self._render: _Renderer | None = None
        self.states = cov.matrix_counts(self.rows)
        self.cycles = cov.cycle_times(project_records(session), today) if detail else []

    @property
    def render(self) -> "_Renderer":
        if self._render is None:
            self._render = _Renderer()
        return self._render

    def findings(self, row: cov.ProductCoverage) -> list[dict]:
        """The level rules' verdict on the row's product as JSON (code, severity, article, message,
        standards), in the reader's language."""
        key = self._keys.get(row.priority.product_id)
        return list(_verdict_json(str(get_locale()), *key)) if key is not None else []

    def verdict_codes(self, row: cov.ProductCoverage) -> list[dict]:
        """The row's verdict, one finding per code, without the messages (the matrix shows what is
        wrong and the requirement; the product's page shows every message)."""
        seen: dict[str, dict] = {}
        for found in self.verdicts.get(row.priority.product_id, ()):
            if found.code not in seen:
                seen[found.code] = {
                    "code": found.code,
                    "severity": found.severity.value,
                    "article": self.render.article(found.article),
                }
        return list(seen.values())

    def to_json(self, *, findings: bool = True) -> dict:
        document = {
            "today": self.today.isoformat(),
            **self.summary,
            "states": self.states,
            "products": [self._product_json(row, findings) for row in self.rows],
        }
        if self.detail:
            document["cycle_times"] = [_cycle_json(row) for row in self.cycles]
        return document

    def _product_json(self, row: cov.ProductCoverage, findings: bool) -> dict:
        shape = _product_json(row, self.detail)
        if self.detail and findings:
            shape["findings"] = self.findings(row)
        return shape


@lru_cache(maxsize=4096)
def _verdict(product_id: int, product: str, standards: tuple, today: date) -> tuple:
    """coverage.verdict, remembered by everything it depends on: the records are tuples of plain
    values, so the key is cheap to hash and any change to a standard makes a new one. The findings
    are rendered in the reader's language when shown (the page needs only their codes). A first
    request (and every run of the command) pays for the rules; later requests find them here."""
    return tuple(cov.verdict(product_id, product, standards, today))


@lru_cache(maxsize=4096)
def _verdict_json(locale: str, product_id: int, product: str, standards: tuple, today: date) -> tuple[dict, ...]:
    """The verdict's findings as JSON in one language (the JSON's `findings`), remembered like the
    verdict itself."""
    render = _Renderer()
    return tuple(render.finding(found) for found in _verdict(product_id, product, standards, today))


class _Renderer:
    """Findings in the reader's language: what i18n.finding_text and article_text do, with the
    request's translations looked up once (they cost a context lookup per call)."""

    def __init__(self):
        translations = get_translations()
        self.translate = lambda text: translations.gettext(text) if text else ""
        self.articles: dict[str, str] = {}

    def article(self, article: str | None) -> str:
        text = self.articles.get(article)
        if text is None:
            text = self.articles[article] = citation_text(article or "", self.translate)
        return text

    def finding(self, found) -> dict:
        return {
            "code": found.code,
            "severity": found.severity.value,
            "article": self.article(found.article),
            "message": found.text(self.translate),
            "standards": list(found.standard_ids),
        }


def coverage(session: Session, today: date, settings=None, *, detail: bool = True, findings: bool = True) -> dict:
    """The JSON of `workbench catalogue coverage --format json` (and of the API). `findings`: run
    the level rules for every priority product and give each one's verdict (the detail only); they
    cost more than everything else together, so the command asks for them with --findings."""
    shown = slice(None) if findings else slice(0)
    return Coverage(session, today, settings, detail=detail, shown=shown).to_json(findings=findings)


def _standard_json(record: cov.StandardRecord) -> dict:
    return {
        "id": record.id,
        "designation": record.designation,
        "level": record.level,
        "status": record.status,
        "published_on": iso(record.published_on),
    }


def _product_json(row: cov.ProductCoverage, detail: bool) -> dict:
    priority = row.priority
    shape = {
        "product": {"id": priority.product_id, "name": priority.product},
        "priority_batch": {"id": priority.batch_id, "number": priority.batch_number, "title": priority.batch_title},
        "category": priority.category,
        "intended_level": priority.level,
        "target_year": priority.target_year,
        "state": row.state,
        "levels": row.levels,
        "stage": row.stage,
        "standards": [_standard_json(record) for record in row.standards],
        "projects": [
            {
                "standard": _standard_json(project["standard"]) if project["standard"] is not None else None,
                "stage": project["stage"],
                **({"rule": _rule_json(project["rule"])} if detail else {}),
            }
            for project in row.projects
            if detail or project["standard"] is not None  # a rule without a registry entry is internal
        ],
    }
    if detail:
        shape["proposals"] = [
            {
                "id": proposal.id,
                "title": proposal.title,
                "level": proposal.level,
                "status": proposal.status,
                "organisation": proposal.organisation,
            }
            for proposal in row.proposals
        ]
    return shape


def _rule_json(rule: cov.RuleRecord | None) -> dict | None:
    return {"id": rule.id, "code": rule.code, "stage": rule.stage} if rule is not None else None


def _cycle_json(row: dict) -> dict:
    project: cov.ProjectRecord = row["project"]
    return {
        "proposal": {"id": project.proposal_id, "title": project.title},
        "product": project.product,
        "level": project.level,
        "plan_number": project.plan_number,
        "call": {"id": project.call_id, "title": project.call_title, "months_to_approval": project.months_to_approval},
        "rule": {"id": project.rule_id, "code": project.rule_code} if project.rule_id is not None else None,
        "approved_on": iso(project.approved_on),
        "due_on": iso(project.due_on),
        "stage": row["stage"],  # None for a project without a rule: see registry_status
        "registry_status": row["registry_status"],
        "stages": [
            {"stage": stage["stage"], "from": iso(stage["from"]), "to": iso(stage["to"]), "days": stage["days"]}
            for stage in row["stages"]
        ],
        "reached_approval_on": iso(row["reached_approval_on"]),
        "elapsed_days": row["elapsed_days"],
        "target_days": row["target_days"],
        "days_over": row["days_over"],
        "days_left": row["days_left"],
        "status": row["status"],
    }
