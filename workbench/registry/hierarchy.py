"""The level rules of the 2025 drafting guideline, articles (八) to (十四): which level of
carbon-footprint standard may be made for a product when others exist.

Pure: no Flask, no database. The service hands in plain `Entry` records (the standards of the
product and of its neighbours in the product tree) and gets `Finding`s back; each finding names its
article and severity, and carries a Chinese message template that the app translates when shown.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from workbench.registry.numbers import Level


def N_(text: str) -> str:
    """Marks a message for translation (Babel extracts it); the app translates it when shown."""
    return text


class Severity(StrEnum):
    ERROR = "error"  # the registration is refused
    WARNING = "warning"  # allowed, but the guideline discourages it
    NOTICE = "notice"  # for information: someone should look


# Statuses as stored (workbench.registry.models.Status values).
IN_PREPARATION = frozenset({"planned", "drafting", "consultation"})
ISSUED = frozenset({"published", "under_revision"})  # published, whether or not in force yet
ACTIVE = IN_PREPARATION | ISSUED  # not replaced, not withdrawn


@dataclass(frozen=True)
class Entry:
    """What the rules need to know of one standard or project."""

    id: int | None  # None for a standard not saved yet
    designation: str  # its number(s), or its title while it has none
    level: Level
    status: str
    product_id: int | None
    published_on: date | None = None
    implemented_on: date | None = None
    related: frozenset[int] = frozenset()  # standards it replaces or is replaced by: editions, not rivals

    def in_force(self, today: date) -> bool:
        return self.status in ISSUED and self.implemented_on is not None and self.implemented_on <= today


@dataclass(frozen=True)
class ProductTree:
    """Each product's parent, and names for messages."""

    parents: dict[int, int | None]
    names: dict[int, str]

    def ancestors(self, product_id: int) -> list[int]:
        found, current = [], self.parents.get(product_id)
        while current is not None and current not in found and current != product_id:
            found.append(current)
            current = self.parents.get(current)
        return found

    def descendants(self, product_id: int) -> list[int]:
        return [other for other in self.parents if product_id in self.ancestors(other)]


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    article: str
    template: str
    params: dict = field(default_factory=dict)
    standard_ids: tuple[int, ...] = ()

    @property
    def message(self) -> str:
        return self.template % self.params


@dataclass(frozen=True)
class WithdrawalDue:
    """指引（十四）: an industry or local standard whose product has a national standard in force."""

    standard: Entry
    national: Entry
    since: date  # the day the national standard came into force


ARTICLE_8 = N_("指引（八）")
ARTICLE_9 = N_("指引（九）；《关于加快建立产品碳足迹管理体系的意见》（2023）")
ARTICLE_10 = N_("指引（十）")
ARTICLE_12 = N_("指引（十二）")
ARTICLE_14 = N_("指引（十四）")
ARTICLE_8_14 = N_("指引（八）（十四）")

SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTICE: 2}


def _names(entries: Iterable[Entry]) -> str:
    return "、".join(entry.designation for entry in entries)


def _ids(entries: Iterable[Entry]) -> tuple[int, ...]:
    return tuple(entry.id for entry in entries if entry.id is not None)


def check(candidate: Entry, others: Iterable[Entry], tree: ProductTree, today: date) -> list[Finding]:
    """The findings a standard like `candidate` gets, given the other standards of its product and
    of the products above and below it. Errors first."""
    if candidate.product_id is None or candidate.status not in ACTIVE:
        return []  # general standards (no product) and finished ones are outside the level rules
    others = [
        other
        for other in others
        if other.status in ACTIVE
        and other.id not in {candidate.id, *candidate.related}
        and candidate.id not in other.related
    ]
    same_product = [other for other in others if other.product_id == candidate.product_id]
    product = tree.names.get(candidate.product_id, "")
    # A standard published before the national one is history, not a new duplicate: it is refused
    # only if the higher standard already existed when it was made (or today, for a project).
    made_on = candidate.published_on or today

    def issued_by(levels: set[Level]) -> list[Entry]:
        return [
            other
            for other in same_product
            if other.level in levels
            and other.status in ISSUED
            and (other.published_on is None or other.published_on <= made_on)
        ]

    def preparing(levels: set[Level]) -> list[Entry]:
        return [other for other in same_product if other.level in levels and other.status in IN_PREPARATION]

    findings: list[Finding] = []
    add = findings.append
    higher = {Level.NATIONAL, Level.INDUSTRY}

    if candidate.level == Level.LOCAL:
        if existing := issued_by(higher):
            add(
                Finding(
                    "local_where_higher_exists",
                    Severity.ERROR,
                    ARTICLE_9,
                    N_(
                        "“%(product)s”已有碳足迹国家标准或行业标准（%(standards)s），不再制定地方标准。"
                        "请改为参与国家标准或行业标准的编制，提供基础数据和因子测算支持。"
                    ),
                    {"product": product, "standards": _names(existing)},
                    _ids(existing),
                )
            )
        elif coming := preparing(higher):
            add(
                Finding(
                    "local_where_higher_in_preparation",
                    Severity.WARNING,
                    ARTICLE_9,
                    N_(
                        "“%(product)s”的碳足迹国家标准或行业标准正在制定（%(standards)s），发布后将不再制定地方标准；"
                        "建议地方参与该标准的编制。"
                    ),
                    {"product": product, "standards": _names(coming)},
                    _ids(coming),
                )
            )

    if candidate.level == Level.GROUP and (existing := issued_by(higher)):
        add(
            Finding(
                "group_where_higher_exists",
                Severity.WARNING,
                ARTICLE_10,
                N_("“%(product)s”已有碳足迹国家标准或行业标准（%(standards)s），不再鼓励制定团体标准。"),
                {"product": product, "standards": _names(existing)},
                _ids(existing),
            )
        )

    if candidate.level == Level.INDUSTRY:
        if existing := issued_by({Level.NATIONAL}):
            add(
                Finding(
                    "industry_where_national_exists",
                    Severity.ERROR,
                    ARTICLE_8_14,
                    N_(
                        "“%(product)s”已有碳足迹国家标准（%(standards)s）。行业标准只补充国家标准未覆盖的细分产品，"
                        "且国家标准实施后应由行业主管部门废止，因此不予登记。"
                    ),
                    {"product": product, "standards": _names(existing)},
                    _ids(existing),
                )
            )
        elif coming := preparing({Level.NATIONAL}):
            add(
                Finding(
                    "industry_where_national_in_preparation",
                    Severity.WARNING,
                    ARTICLE_8_14,
                    N_(
                        "“%(product)s”的碳足迹国家标准正在制定（%(standards)s）。严格控制行业标准数量："
                        "请与国家标准计划协调，国家标准实施后该行业标准应废止。"
                    ),
                    {"product": product, "standards": _names(coming)},
                    _ids(coming),
                )
            )

    if candidate.level == Level.NATIONAL:
        lower = [other for other in same_product if other.level in {Level.INDUSTRY, Level.LOCAL}]
        if lower:
            add(
                Finding(
                    "national_supersedes_lower",
                    Severity.NOTICE,
                    ARTICLE_14,
                    N_("本国家标准实施后，“%(product)s”的行业标准或地方标准（%(standards)s）应由其主管部门废止。"),
                    {"product": product, "standards": _names(lower)},
                    _ids(lower),
                )
            )

    # Every enterprise may have its own standard for its products; elsewhere two is a duplicate.
    if candidate.level != Level.ENTERPRISE:
        twins = [other for other in same_product if other.level == candidate.level]
        if twins:
            add(
                Finding(
                    "duplicate_at_level",
                    Severity.WARNING,
                    ARTICLE_12,
                    N_("“%(product)s”在同一级别已有有效的碳足迹标准或项目（%(standards)s），可能重复制定。"),
                    {"product": product, "standards": _names(twins)},
                    _ids(twins),
                )
            )

    neighbours = {
        product_id: relation
        for relation, product_ids in (
            (N_("上级产品"), tree.ancestors(candidate.product_id)),
            (N_("下级产品"), tree.descendants(candidate.product_id)),
        )
        for product_id in product_ids
    }
    for product_id, relation in neighbours.items():
        overlapping = [other for other in others if other.product_id == product_id]
        if overlapping:
            add(
                Finding(
                    "overlap_in_product_tree",
                    Severity.NOTICE,
                    ARTICLE_12,
                    N_(
                        "%(relation)s“%(other)s”已有碳足迹标准（%(standards)s），请协调两者的范围和方法，避免交叉重复。"
                    ),
                    {"relation": relation, "other": tree.names.get(product_id, ""), "standards": _names(overlapping)},
                    _ids(overlapping),
                )
            )
    return sorted(findings, key=lambda finding: SEVERITY_ORDER[finding.severity])


def withdrawal_due(entries: Iterable[Entry], today: date) -> list[WithdrawalDue]:
    """Industry and local standards (issued or still projects) whose product has a national
    standard in force, with the day it came into force; the longest overdue first."""
    entries = list(entries)
    national_in_force: dict[int, Entry] = {}
    for entry in entries:
        if entry.level == Level.NATIONAL and entry.product_id is not None and entry.in_force(today):
            first = national_in_force.get(entry.product_id)
            if first is None or entry.implemented_on < first.implemented_on:
                national_in_force[entry.product_id] = entry
    due = [
        WithdrawalDue(entry, national, national.implemented_on)
        for entry in entries
        if entry.level in {Level.INDUSTRY, Level.LOCAL}
        and entry.status in ACTIVE
        and (national := national_in_force.get(entry.product_id)) is not None
    ]
    return sorted(due, key=lambda item: (item.since, item.standard.designation))
