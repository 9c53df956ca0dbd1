"""Whether a group standard may be adopted (采信) as a recommended national standard: 指引（十）
（十五） and SAMR's interim rules of 2023. PURE: plain facts in, findings of the guideline's
catalogue out (workbench/guideline/catalogue/adoption.py); the service (adoption.py) gathers the
facts from the registry, the factor library and the application's attachments.

The lines, each a finding citing its article; an error refuses the submission:
- a published group standard (adoption_not_group);
- in force at least two full years from its implementation date (adoption_years_in_force). A
  year is full on the anniversary of the implementation date: implemented 2024-03-01, two full
  years on 2026-03-01. The anniversary of 29 February in a common year is 28 February, the
  month's last day, as 《民法典》第二百零一条 reads a period whose last month has no
  corresponding day (and as catalogue.proposals.add_months counts months): implemented
  2024-02-29, two full years on 2026-02-28;
- cited by the factor library at least `threshold` times (adoption_factor_citations; the
  threshold is the setting ADOPTION_CITATION_THRESHOLD, default 3: no text fixes the number);
- no national or industry standard, issued or in preparation, for the product (the registry's
  level rules, 指引（十）; adoption_higher_level_exists);
- the association's GB/T 20004 good-practice evaluation proof attached
  (adoption_good_practice_missing), asked of an application only.
Every line that is met is reported as information (adoption_requirement_met).
"""

import calendar
from dataclasses import dataclass
from datetime import date

from workbench.guideline import Finding, Severity, finding
from workbench.guideline.findings import SEVERITY_RANK
from workbench.messages import LIST_SEPARATOR, Joined

MIN_FULL_YEARS = 2
GROUP = "group"  # workbench.registry.numbers.Level.GROUP
ISSUED = frozenset({"published", "under_revision"})  # workbench.registry.hierarchy.ISSUED


@dataclass(frozen=True)
class AdoptionFacts:
    number: str  # the group standard's designation
    level: str  # Level value
    status: str  # Status value as stored
    implemented_on: date | None
    today: date
    citations: int  # factors of the library derived under it
    citing_codes: tuple[str, ...]
    threshold: int
    product: str | None  # the product's name; None when it has none
    higher_standards: tuple[str, ...] = ()  # national or industry standards issued for the product
    higher_projects: tuple[str, ...] = ()  # … in preparation
    good_practice: bool | None = None  # proof attached; None: not an application (not asked)


def anniversary(day: date, years: int) -> date:
    """`day` moved on by `years` years; 29 February becomes 28 February in a common year."""
    year = day.year + years
    return date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def full_years(since: date | None, today: date) -> int:
    """Whole years from `since` to `today` (0 before `since` or without a date)."""
    if since is None or today < since:
        return 0
    years = today.year - since.year
    if today < anniversary(since, years):
        years -= 1
    return years


def eligible_on(since: date | None) -> date | None:
    """The first day the standard has been in force two full years."""
    return anniversary(since, MIN_FULL_YEARS) if since is not None else None


def _factors(codes: tuple[str, ...]) -> str:
    return Joined(LIST_SEPARATOR, tuple(codes)) if codes else "—"


def findings(facts: AdoptionFacts) -> list[Finding]:
    """Every line of eligibility, errors first, each severity in the order of the lines."""
    found: list[Finding] = []
    number = facts.number

    if facts.level != GROUP:
        found.append(finding("adoption_not_group", "/standard", number=number))
    elif facts.status not in ISSUED:
        found.append(finding("adoption_not_group", "/standard", "not_published", number=number))
    else:
        found.append(finding("adoption_requirement_met", "/standard", number=number))

    if facts.implemented_on is None:
        found.append(finding("adoption_years_in_force", "/implemented_on", "no_date", number=number))
    else:
        years = full_years(facts.implemented_on, facts.today)
        since = facts.implemented_on.isoformat()
        if years < MIN_FULL_YEARS:
            found.append(
                finding(
                    "adoption_years_in_force",
                    "/implemented_on",
                    number=number,
                    since=since,
                    today=facts.today.isoformat(),
                    years=years,
                    eligible_on=eligible_on(facts.implemented_on).isoformat(),
                )
            )
        else:
            found.append(
                finding("adoption_requirement_met", "/implemented_on", "years", number=number, since=since, years=years)
            )

    citing = dict(number=number, count=facts.citations, threshold=facts.threshold, factors=_factors(facts.citing_codes))
    if facts.citations == 0 and facts.threshold > 0:
        found.append(finding("adoption_factor_citations", "/factor_citations", "none", **citing))
    elif facts.citations < facts.threshold:
        found.append(finding("adoption_factor_citations", "/factor_citations", **citing))
    else:
        found.append(finding("adoption_requirement_met", "/factor_citations", "citations", **citing))

    if facts.product is None:
        found.append(finding("adoption_higher_level_exists", "/product", "no_product", number=number))
    elif facts.higher_standards:
        found.append(
            finding(
                "adoption_higher_level_exists",
                "/product",
                product=facts.product,
                standards=Joined(LIST_SEPARATOR, tuple(facts.higher_standards)),
            )
        )
    elif facts.higher_projects:
        found.append(
            finding(
                "adoption_higher_level_exists",
                "/product",
                "in_preparation",
                product=facts.product,
                standards=Joined(LIST_SEPARATOR, tuple(facts.higher_projects)),
            )
        )
    else:
        found.append(finding("adoption_requirement_met", "/product", "higher", product=facts.product))

    if facts.good_practice is False:
        found.append(finding("adoption_good_practice_missing", "/attachments/good_practice"))
    elif facts.good_practice:
        found.append(finding("adoption_requirement_met", "/attachments/good_practice", "good_practice"))
    return sorted(found, key=lambda item: SEVERITY_RANK[item.severity])


def errors(found: list[Finding]) -> list[Finding]:
    return [item for item in found if item.severity == Severity.ERROR]


def is_eligible(found: list[Finding]) -> bool:
    return not errors(found)
