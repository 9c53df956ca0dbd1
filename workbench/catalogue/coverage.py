"""Coverage against the targets of 指引 一 (100 product carbon-footprint accounting standards by
2027, 200 by 2030; the 2024 implementation plan): what is published by level and by year, the
burn-up and a projection at the current rate; the state of each priority product; the cycle
times of approved projects against their call's target.

Pure: no Flask, no database. `workbench.catalogue.progress` reads the records (few set-based
queries) and hands them in; the page, the API and `workbench catalogue coverage` show the result.

What counts (docs/architecture.md, "Coverage"):
- a standard counts when it is for a product (general standards such as GB/T 24067 and
  GB/T 32150 do not) and it is published or under revision (not replaced, not withdrawn, not a
  project); its year is the year of publication (the number's year when only that is known);
- toward the target only the levels in `counted_levels` count: national and industry standards
  by default (the plan's "重点产品碳足迹核算规则标准" are made through the national and industry
  standard plans that 指引（七）（八）（十四） coordinate), set by WORKBENCH_TARGET_LEVELS; every
  level is shown beside it, so the reading that counts every level is always visible;
- the current rate is the number of counted standards published in the last 365 days (a year's
  output, so the projection follows what is happening now rather than the slow start of 2024).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import NamedTuple

from workbench.guideline import Finding, Severity, finding
from workbench.registry import hierarchy
from workbench.registry.numbers import CHINESE_LEVELS, Level

# The five Chinese levels, in the order of the Standardization Law; international standards are
# references, never counted.
LEVELS = tuple(level.value for level in CHINESE_LEVELS)
DEFAULT_TARGETS = {"2027": 100, "2030": 200}
DEFAULT_COUNTED_LEVELS = (Level.NATIONAL.value, Level.INDUSTRY.value)
PLAN_ISSUED_ON = date(2024, 6, 4)  # 《关于建立碳足迹管理体系的实施方案》 (环气候〔2024〕30号)
RATE_WINDOW = timedelta(days=365)
COUNTED_STATUSES = hierarchy.ISSUED  # published (in force or upcoming) or under revision
APPROVAL_STAGE = "50"  # 报批: the green channel's target of 指引（七） runs from 立项 to here
STOPPED_STAGE = "95"
# A project's registry entry that was published once (replaced and withdrawn standards were too):
# its publication is past 报批 whether or not a rule recorded the way there.
PUBLISHED_ONCE = hierarchy.ISSUED | {"replaced", "withdrawn"}

# The states of a priority product in the coverage matrix, most advanced last.
NONE, PROPOSED, PROJECT, PUBLISHED, SEVERAL_LEVELS = "none", "proposed", "project", "published", "several_levels"
STATES = (NONE, PROPOSED, PROJECT, PUBLISHED, SEVERAL_LEVELS)

# Cycle-time statuses, in the order the table lists them (overdue first).
OVERDUE, OPEN, LATE, ON_TIME, STOPPED = "overdue", "open", "late", "on_time", "stopped"
CYCLE_ORDER = {OVERDUE: 0, OPEN: 1, LATE: 2, ON_TIME: 3, STOPPED: 4}


_CHINESE = frozenset(LEVELS)


class InvalidLevels(ValueError):
    """A WORKBENCH_TARGET_LEVELS value that names no level or an unknown one."""


def parse_levels(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """ "national,industry" (or a list) → the levels in LEVELS order; None or empty → the default."""
    if text is None:
        return DEFAULT_COUNTED_LEVELS
    items = text.replace("，", ",").split(",") if isinstance(text, str) else list(text)
    wanted = {item.strip().lower() for item in items if item.strip()}
    if not wanted:
        return DEFAULT_COUNTED_LEVELS
    unknown = sorted(wanted - set(LEVELS))
    if unknown:
        raise InvalidLevels(f"unknown level(s): {', '.join(unknown)}; choose from {', '.join(LEVELS)}")
    return tuple(level for level in LEVELS if level in wanted)


# --- records handed in --------------------------------------------------------------------------


class StandardRecord(NamedTuple):
    """A standard or project as the rules need it (a tuple: thousands are read per request). It
    has what the registry's rules read of a hierarchy.Entry (the level as its text, which equals
    the Level member), so the verdict hands the records to them as they are: making 10,000 frozen
    Entry objects per request cost more than a query."""

    id: int
    designation: str  # number(s), or the title of a project without one
    level: str
    status: str
    product_id: int | None
    published_on: date | None = None
    implemented_on: date | None = None
    year: int | None = None  # the number's year (a year-only publication date is stored as unknown)

    related = frozenset()  # editions are the registry pages' business, not the matrix's (not a field)

    def in_force(self, today: date) -> bool:
        return self.status in hierarchy.ISSUED and self.implemented_on is not None and self.implemented_on <= today


@dataclass(frozen=True)
class RuleRecord:
    id: int
    code: str
    product_id: int
    standard_id: int | None
    stage: str


@dataclass(frozen=True)
class ProposalRecord:
    """An open proposal (models.OPEN_STATUSES: submitted or returned, not yet decided); progress.py
    reads only those."""

    id: int
    product_id: int
    title: str
    level: str
    status: str
    organisation: str = ""


@dataclass(frozen=True)
class PriorityRecord:
    """A product in force on the priority list, with the batch that put it there."""

    product_id: int
    product: str
    category: str | None
    batch_id: int
    batch_number: int
    batch_title: str
    level: str | None = None  # the intended level
    target_year: int | None = None


@dataclass(frozen=True)
class StageChange:
    on: date
    source: str
    target: str


@dataclass(frozen=True)
class ProjectRecord:
    """An approved proposal (立项) and what its rule has done since."""

    proposal_id: int
    title: str
    product: str
    level: str
    plan_number: str | None
    approved_on: date
    due_on: date | None
    months_to_approval: int | None
    call_id: int
    call_title: str
    rule_id: int | None = None
    rule_code: str | None = None
    stage: str | None = None  # the rule's stage today
    changes: tuple[StageChange, ...] = ()  # the rule's stage events, oldest first
    # The project's registry entry (below national level an approval makes no rule: this is all
    # there is to follow): its status, its publication date and its number's year.
    standard_status: str | None = None
    published_on: date | None = None
    year: int | None = None


# --- (a) counts, burn-up, projection ------------------------------------------------------------


def published(
    counts: Iterable[tuple[str, int | None, int]],
    recent: int,
    today: date,
    *,
    counted_levels: Sequence[str] = DEFAULT_COUNTED_LEVELS,
    targets: dict[str, int] | None = None,
) -> dict:
    """The counts by level and by year, the cumulative burn-up of the counted levels, and the
    projection at the current rate (`recent`: counted standards published in the last 365 days)
    to the end of each target year. `counts`: (level, year of publication or None, number)."""
    targets = dict(DEFAULT_TARGETS if targets is None else targets)
    counted_levels = tuple(counted_levels)
    by_level = dict.fromkeys(LEVELS, 0)
    per_year: dict[int, dict[str, int]] = {}
    unknown_year = dict.fromkeys(LEVELS, 0)
    window_start = today - RATE_WINDOW
    for level, year, number in counts:
        if level not in by_level:
            continue
        by_level[level] += number
        if year is None:
            unknown_year[level] += number
        else:
            per_year.setdefault(int(year), dict.fromkeys(LEVELS, 0))[level] += number

    counted = sum(by_level[level] for level in counted_levels)
    undated = sum(unknown_year[level] for level in counted_levels)
    by_year, cumulative = [], undated  # standards of unknown year are counted from the start
    if per_year:
        for year in range(min(per_year), max(max(per_year), today.year) + 1):
            levels = per_year.get(year, dict.fromkeys(LEVELS, 0))
            in_year = sum(levels[level] for level in counted_levels)
            cumulative += in_year
            by_year.append({"year": year, "levels": levels, "counted": in_year, "cumulative": cumulative})

    projection = {}
    for year_text, target in sorted(targets.items()):
        end = date(int(year_text), 12, 31)
        if end <= today:  # the date has passed: what was actually published by then
            expected = undated + sum(row["counted"] for row in by_year if row["year"] <= end.year)
        else:
            expected = counted + recent * (end - today).days / RATE_WINDOW.days
        expected = round(expected)
        projection[year_text] = {
            "date": end.isoformat(),
            "expected": expected,
            "target": target,
            "on_track": expected >= target,
            "remaining": max(0, target - counted),
        }
    return {
        "published": by_level,
        "all_levels": sum(by_level.values()),
        "burn_up": burn_up(by_year, counted, recent, today, targets),
        "counted": counted,
        "counted_levels": list(counted_levels),
        "targets": targets,
        "unknown_year": unknown_year,
        "by_year": by_year,
        "rate": {
            "per_year": recent,
            "basis": "last_365_days",
            "from": (window_start + timedelta(days=1)).isoformat(),
            "to": today.isoformat(),
        },
        "projection": projection,
    }


def burn_up(by_year: list[dict], counted: int, rate: int, today: date, targets: dict[str, int]) -> list[dict]:
    """The chart's rows: the cumulative count up to this year, the projection at `rate` a year from
    today's count to the end of the last target year, and the targets in their years."""
    if not by_year and not targets:
        return []
    last = max([today.year, *(int(year) for year in targets)])
    first = by_year[0]["year"] if by_year else today.year
    actual = {row["year"]: row["cumulative"] for row in by_year}
    rows = []
    for year in range(first, last + 1):
        projected = None
        if year == today.year:
            projected = counted
        elif year > today.year:
            projected = round(counted + rate * (date(year, 12, 31) - today).days / RATE_WINDOW.days)
        rows.append(
            {
                "year": year,
                "actual": actual.get(year, counted if year == today.year else None) if year <= today.year else None,
                "projected": projected,
                "target": targets.get(str(year)),
            }
        )
    return rows


# --- (b) the coverage matrix ---------------------------------------------------------------------


def _stage_rank(stage: str | None) -> int:
    return int(stage) if stage and stage.isdigit() else -1


def may_have_verdict(standards: Sequence[StandardRecord]) -> bool:
    """Whether the level rules can say anything of a listed product's standards: only of a local
    one (指引（九）) or of two or more outside the enterprise level (two levels, or two at one)."""
    held = 0
    for record in standards:
        if record.status in hierarchy.ACTIVE and record.level != "enterprise":
            held += 1
            if held > 1 or record.level == "local":
                return True
    return False


def verdict(product_id: int, product: str, standards: Sequence[StandardRecord], today: date) -> list[Finding]:
    """The level rules' verdict on the product's standards as they stand: errors and warnings of
    the registry's rules (a local standard where a national one exists, two at one level …) and
    the withdrawal-due findings (a local or industry standard whose product has a national one in
    force; one finding per kind naming every standard due). One check per level held (its newest
    standard), against the product's own standards only; the product tree's overlaps are the
    registry pages' business."""
    if not may_have_verdict(standards):
        return []
    entries = [record for record in standards if record.status in hierarchy.ACTIVE]
    # Every matrix row is a product on the priority list: a local standard for it gets 指引（九）'s finding.
    tree = hierarchy.ProductTree(
        parents={product_id: None}, names={product_id: product}, listed=frozenset({product_id})
    )
    newest: dict[str, StandardRecord] = {}
    for entry in entries:
        held = newest.get(entry.level)
        if held is None or (entry.published_on or date.max, entry.id or 0) > (
            held.published_on or date.max,
            held.id or 0,
        ):
            newest[entry.level] = entry
    found: dict[tuple, Finding] = {}
    for level, entry in newest.items():
        if level == Level.ENTERPRISE:
            continue
        for item in hierarchy.check(entry, entries, tree, today):
            if item.severity != Severity.INFO:
                found.setdefault((item.code, item.standard_ids), item)
    # One withdrawal-due finding per kind (industry, local) naming every standard that is due.
    due_by_kind: dict[str, list[hierarchy.WithdrawalDue]] = {}
    for due in hierarchy.withdrawal_due(entries, today):
        due_by_kind.setdefault(due.code, []).append(due)
    for code, items in due_by_kind.items():
        national = items[0].national
        item = finding(
            code,
            hierarchy.PATH,
            product=product,
            national=national.designation,
            since=items[0].since.isoformat(),
            standards="、".join(due.standard.designation for due in items),
        )
        ids = tuple(entry_id for entry_id in (*(due.standard.id for due in items), national.id) if entry_id is not None)
        found.setdefault((code, ids), replace(item, standard_ids=ids))
    severity_rank = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return sorted(found.values(), key=lambda item: (severity_rank[item.severity], item.code))


@dataclass
class ProductCoverage:
    priority: PriorityRecord
    state: str
    levels: list[str]  # the levels published, in LEVELS order
    stage: str | None  # the most advanced project's stage (its rule's), when the state is "project"
    project_status: str | None  # the registry status of that project when it has no rule
    standards: list[StandardRecord]  # published or under revision
    projects: list[dict]  # {standard, rule, stage, status}
    proposals: list[ProposalRecord]  # open ones
    findings: list[Finding] = field(default_factory=list)

    @property
    def level_counts(self) -> list[tuple[str, int]]:
        """(level, how many published) for each level published, in LEVELS order."""
        return [(level, sum(1 for record in self.standards if record.level == level)) for level in self.levels]


def product_state(
    priority: PriorityRecord,
    standards: Sequence[StandardRecord],
    rules: Sequence[RuleRecord],
    proposals: Sequence[ProposalRecord],
    today: date,
    *,
    with_verdict: bool = True,
) -> ProductCoverage:
    """One row of the matrix: nothing yet / proposed / project at stage NN / published at level X /
    several levels, with the level rules' verdict."""
    rule_of = {rule.standard_id: rule for rule in rules if rule.standard_id is not None}
    issued, held, projects = [], set(), []
    for record in standards:  # one pass: 10,000 standards are read per request
        if record.status in COUNTED_STATUSES:
            if record.level in _CHINESE:
                issued.append(record)
                held.add(record.level)
        elif record.status in hierarchy.IN_PREPARATION:
            rule = rule_of.get(record.id)
            projects.append({"standard": record, "rule": rule, "stage": rule.stage if rule else None})
    levels = [level for level in LEVELS if level in held]
    known = {record.id for record in standards}
    for rule in rules:  # a rule being drafted before (or without) its registry entry
        if (rule.standard_id is None or rule.standard_id not in known) and _stage_rank(rule.stage) < _stage_rank("60"):
            projects.append({"standard": None, "rule": rule, "stage": rule.stage})
    open_proposals = list(proposals)
    stage = project_status = None
    if len(levels) > 1:
        state = SEVERAL_LEVELS
    elif levels:
        state = PUBLISHED
    elif projects:
        state = PROJECT
        lead = max(projects, key=lambda project: _stage_rank(project["stage"]))
        stage = lead["stage"]
        project_status = lead["standard"].status if lead["standard"] is not None else None
    elif open_proposals:
        state = PROPOSED
    else:
        state = NONE
    return ProductCoverage(
        priority=priority,
        state=state,
        levels=levels,
        stage=stage,
        project_status=project_status,
        standards=issued,
        projects=projects,
        proposals=open_proposals,
        findings=verdict(priority.product_id, priority.product, standards, today) if with_verdict and standards else [],
    )


def matrix_counts(rows: Iterable[ProductCoverage]) -> dict[str, int]:
    counts = dict.fromkeys(STATES, 0)
    for row in rows:
        counts[row.state] += 1
    return counts


# --- (c) cycle times -----------------------------------------------------------------------------


def publication(project: ProjectRecord, today: date) -> date | None:
    """When the project's standard was published, if it was: its publication date, else the last
    day it can have been (31 December of its number's year, or today when nothing says)."""
    if project.standard_status not in PUBLISHED_ONCE:
        return None
    if project.published_on is not None:
        return project.published_on
    if project.standard_status == "withdrawn":
        return None  # a project withdrawn with no date of publication was never published: stopped
    return min(date(project.year, 12, 31), today) if project.year else today


def cycle(project: ProjectRecord, today: date) -> dict:
    """Days in each stage since 立项, and whether 报批 (stage 50) came by the call's deadline.

    A project reaches its target when its rule reaches stage 50 (报批) or any later stage but 95
    (stopped), or when its standard is published (publication comes after 报批), whichever comes
    first. A project with no rule (an approval below national level makes none) has no stage: it
    shows its registry status, and until its standard is published it has not been submitted for
    approval, so it is overdue once its deadline passes."""
    has_rule = project.rule_id is not None
    stages = []
    current, since = "10", project.approved_on
    reached_on = None
    stopped = False
    for change in project.changes:
        if change.on < project.approved_on:
            continue
        stages.append({"stage": current, "from": since, "to": change.on, "days": (change.on - since).days})
        current, since = change.target, change.on
        if change.target == STOPPED_STAGE:
            stopped = True
        elif reached_on is None and _stage_rank(change.target) >= _stage_rank(APPROVAL_STAGE):
            reached_on = change.on
    if project.changes or project.stage is not None:
        current = project.stage or current
    if has_rule:
        stages.append({"stage": current, "from": since, "to": None, "days": (today - since).days})
    else:
        current = None
        stopped = project.standard_status == "withdrawn"
    published_on = publication(project, today)
    if published_on is not None:
        published_on = max(published_on, project.approved_on)
        if reached_on is None or published_on < reached_on:
            reached_on = published_on
    target_days = (project.due_on - project.approved_on).days if project.due_on else None
    end = reached_on or today
    elapsed = (end - project.approved_on).days
    if stopped and reached_on is None:
        status = STOPPED
    elif reached_on is not None:
        status = LATE if project.due_on and reached_on > project.due_on else ON_TIME
    elif project.due_on is not None and today > project.due_on:
        status = OVERDUE
    else:
        status = OPEN
    return {
        "project": project,
        "stages": stages,
        "stage": current,
        "registry_status": project.standard_status,
        "reached_approval_on": reached_on,
        "elapsed_days": elapsed,
        "target_days": target_days,
        "days_over": (end - project.due_on).days if project.due_on and end > project.due_on else 0,
        "days_left": (project.due_on - today).days if project.due_on and status == OPEN else None,
        "status": status,
    }


def cycle_times(projects: Iterable[ProjectRecord], today: date) -> list[dict]:
    """Every approved project's cycle, overdue first (the longest overdue first), then open ones by
    their deadline, then finished ones."""
    rows = [cycle(project, today) for project in projects]
    return sorted(
        rows,
        key=lambda row: (
            CYCLE_ORDER[row["status"]],
            -row["days_over"],
            row["project"].due_on or date.max,
            row["project"].proposal_id,
        ),
    )
