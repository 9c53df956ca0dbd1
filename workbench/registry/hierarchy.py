"""The level rules of the 2025 drafting guideline, articles (八) to (十四): which level of
carbon-footprint standard may be made for a product when others exist.

Pure: no Flask, no database. The service hands in plain `Entry` records (the standards of the
product and of its neighbours in the product tree) and gets findings of the guideline's catalogue
back (codes, severities, articles and messages in workbench/guideline/catalogue/levels.py); an
error refuses the registration.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from workbench.guideline import CATALOGUE, Finding, finding
from workbench.guideline.findings import SEVERITY_RANK
from workbench.messages import N_, Message
from workbench.registry.numbers import Level

PATH = "/level"  # level findings are about the level chosen for the product


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
    """Each product's parent, names for messages, and the products on the priority list.

    `listed` holds the products whose Product.priority_category is set: the catalogue keeps that
    field in step with the priority list batches it publishes (指引（七）), and this module sits
    below the catalogue, so it learns of the list this way."""

    parents: dict[int, int | None]
    names: dict[int, str]
    listed: frozenset[int] = frozenset()

    def ancestors(self, product_id: int) -> list[int]:
        found, current = [], self.parents.get(product_id)
        while current is not None and current not in found and current != product_id:
            found.append(current)
            current = self.parents.get(current)
        return found

    def descendants(self, product_id: int) -> list[int]:
        return [other for other in self.parents if product_id in self.ancestors(other)]


@dataclass(frozen=True)
class WithdrawalDue:
    """指引（十四）: an industry or local standard whose product has a national standard in force."""

    standard: Entry
    national: Entry
    since: date  # the day the national standard came into force

    @property
    def code(self) -> str:
        """The catalogue's entry: 指引（十四） for industry standards; 指引（九） and the 2023 Opinions
        for local ones."""
        return "industry_withdrawal_due" if self.standard.level == Level.INDUSTRY else "local_withdrawal_due"

    @property
    def article(self) -> str:
        return CATALOGUE[self.code].article


def _names(entries: Iterable[Entry]) -> str:
    return "、".join(entry.designation for entry in entries)


def _ids(entries: Iterable[Entry]) -> tuple[int, ...]:
    return tuple(entry.id for entry in entries if entry.id is not None)


def check(candidate: Entry, others: Iterable[Entry], tree: ProductTree, today: date) -> list[Finding]:
    """The findings a standard like `candidate` gets, given the other standards of its product and
    of the products above and below it. Errors first."""
    if candidate.product_id is None or candidate.status not in ACTIVE or candidate.level == Level.INTERNATIONAL:
        # general standards (no product), finished ones and international ones (referenced and
        # adopted, not made under the guideline) are outside the level rules
        return []
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

    def add(code: str, involved: list[Entry], **params) -> None:
        findings.append(
            finding(code, PATH, product=product, standards=_names(involved), standard_ids=_ids(involved), **params)
        )

    higher = {Level.NATIONAL, Level.INDUSTRY}
    if candidate.level == Level.LOCAL:
        if existing := issued_by(higher):
            add("local_where_higher_exists", existing)
        elif coming := preparing(higher):
            add("local_where_higher_in_preparation", coming)

        # 指引（九）: local character is for products outside the national track; a product on the
        # priority list is on it (指引（七）), whatever the registry holds for it today.
        if candidate.product_id in tree.listed:
            add("local_on_priority_list", [])

    if candidate.level == Level.GROUP and (existing := issued_by(higher)):
        add("group_where_higher_exists", existing)

    if candidate.level == Level.INDUSTRY:
        if existing := issued_by({Level.NATIONAL}):
            add("industry_where_national_exists", existing)
        elif coming := preparing({Level.NATIONAL}):
            add("industry_where_national_in_preparation", coming)

    if candidate.level == Level.NATIONAL:
        lower = [other for other in same_product if other.level in {Level.INDUSTRY, Level.LOCAL}]
        if lower:
            add("national_supersedes_lower", lower)

    # Every enterprise may have its own standard for its products; elsewhere two is a duplicate.
    if candidate.level != Level.ENTERPRISE:
        twins = [other for other in same_product if other.level == candidate.level]
        if twins:
            add("duplicate_at_level", twins)

    neighbours = {
        product_id: relation
        for relation, product_ids in (
            (Message(N_("上级产品")), tree.ancestors(candidate.product_id)),
            (Message(N_("下级产品")), tree.descendants(candidate.product_id)),
        )
        for product_id in product_ids
    }
    for product_id, relation in neighbours.items():
        overlapping = [other for other in others if other.product_id == product_id]
        if overlapping:
            add("overlap_in_product_tree", overlapping, relation=relation, other=tree.names.get(product_id, ""))
    return sorted(findings, key=lambda found: SEVERITY_RANK[found.severity])


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
