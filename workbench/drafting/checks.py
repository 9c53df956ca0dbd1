"""Conformance checks of a product rule (cfp-product-rule@1.0): 指引, GB/T 24067-2024, GB/T 1.1-2020.

PURE: standard library and `workbench.registry.numbers` only, so the checks run in the web app,
the CLI and the tests alike, without a database. The code only detects; the catalogue (the
template's checks.json) decides each code's severity and article, and a code that the catalogue
does not list is not reported (an older template keeps the checks it was published with).

`check` never raises on odd input: the schema is validated elsewhere, and a part of the document
with the wrong shape is either reported as missing or skipped by the checks that need it.

Decisions worth knowing:
- Boundary stages: 摇篮到坟墓 includes all five stages; 摇篮到大门 includes 原材料获取 and 生产 and none
  of 分销运输, 使用, 废弃处置 (the gate is the factory gate); 部分生命周期 includes at least one stage.
  A stage may not be both included and excluded.
- A non-partial boundary that does not fit the product's end use is an error even with a
  justification: the way out that 指引（三） leaves is "partial" with its reason written down.
- Priority lists (secondary data, factors) keep the guideline's order and its first choice
  (统计数据; 经溯源性核验的实测数据): a list without it is an error. Each value once. Dropping the
  last tiers (a prefix of the order) makes a stricter rule and is accepted; dropping a tier
  between two kept ones lets a lower tier be used before a higher one and is a warning
  (*_priority_skipped). An empty secondary list names no secondary data; unknown values are left
  to the schema.
- Titles are compared after NFKC normalisation and whitespace runs collapsed (a title printed
  with full-width spaces is the same title). The English title is "Greenhouse gases—Carbon
  footprint of products—Quantification methods and requirements for …" (em dashes without
  spaces, as GB English titles print them); spaced dashes and runs of hyphens read as the em
  dash, the message shows the canonical form. A title off the pattern only in its dashes, its case
  or " for " gets the pattern with its product suggested, in sentence case (capitalised words in
  lower case, acronyms such as LED kept; the message asks to keep proper nouns).
- A partial boundary's justification must say something (at least MIN_JUSTIFICATION letters or
  Chinese characters once punctuation and spaces are gone) and name every stage it leaves out, by
  its term, a synonym or a word for several (下游, 上游). Conditions for contractual instruments
  and for every electricity source other than the grid need MIN_CONDITIONS. Placeholders ("无",
  "N/A", "-", "略", "见上") are empty everywhere a text is required.
- References: read by `clause_text.read_reference`; undated ones are allowed (GB/T 1.1—2020
  9.5.4.2) and only checked against what the text cites of them (`reference_checks`), except
  GB/T 24067, which must be dated 2024.
- Annexes: normative and informative annexes share one place in the order (GB/T 1.1 orders
  annexes by where the text first cites them, so they may alternate).
- Provisions in 前言/引言: 应, 宜, 可 outside words that merely contain them (应用, 相应, 可能,
  可持续, 宜宾 …), outside 《titles》 and “quotations”, and outside the lists of 起草单位/起草人
  and the 本文件由…提出/归口 sentence (names of people and places contain these characters).
"""

import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence

from workbench.drafting import structure_checks, text_checks
from workbench.drafting.check_report import Report
from workbench.drafting.check_report import as_dict as _dict
from workbench.drafting.check_report import items as _items
from workbench.drafting.check_report import number as _number
from workbench.drafting.check_report import strings as _strings
from workbench.drafting.check_report import text as _text
from workbench.drafting.clause_text import (
    DASHES,
    NOT_PROVISIONS,
    UnreadableInternational,
    is_placeholder,
    normalise,
    read_reference,
    substance,
)
from workbench.guideline import Finding
from workbench.guideline.catalogue import SUBJECTS
from workbench.guideline.findings import sort_key
from workbench.guideline.vocabulary import (
    ACTIVITY_CATEGORIES,
    BOUNDARIES,
    BOUNDARY_FOR_END_USE,
    DATA_TYPES,
    ELECTRICITY_SOURCES,
    ELEMENTS,
    FACTOR_TIERS,
    LIFE_CYCLE_STAGES,
    REQUIRED_CATEGORIES,
    SECONDARY_PRIORITY,
    STAGES_FOR_BOUNDARY,
    Vocabulary,
)
from workbench.registry import numbers

TITLE_PREFIX = "温室气体 产品碳足迹量化方法与要求 "
TITLE_EN_PREFIX = "Greenhouse gases\u2014Carbon footprint of products\u2014Quantification methods and requirements for "
# The prefix however its two dashes were typed (em, en, hyphen, doubled, spaced), then the product;
# a dash in place of " for " is the 1.0 examples' form, "…requirements—Cement".
_DASH = f" ?[{DASHES}]+ ?"
_TITLE_EN = re.compile(
    f"Greenhouse gases{_DASH}Carbon footprint of products{_DASH}Quantification methods and requirements"
    f"(?P<for> for |{_DASH})(?P<product>.*)",
    re.DOTALL,
)
# The same words in any case ("Greenhouse Gases—Carbon Footprint …"): a new title is suggested.
_TITLE_EN_ANY_CASE = re.compile(_TITLE_EN.pattern, re.DOTALL | re.IGNORECASE)
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:-[a-z]+)*\b")  # "Primary", "Lithium-ion"; not "LED", "iPhone"
MIN_JUSTIFICATION = 12  # letters or Chinese characters of a partial boundary's justification
MIN_CONDITIONS = 10  # of the conditions for contractual instruments or an electricity source
GBT_24067 = "GB/T 24067"
GBT_24067_YEAR = 2024
DEFAULT_GWP_SET = "IPCC-AR6-GWP100"
PLAUSIBLE_TOTAL_CUT_OFF = 5  # percent; GB/T 44905-2024 uses 1 % per item and 5 % in total

# GB/T 1.1-2020 order of elements; both kinds of annex share a place.
ELEMENT_RANK = {
    "foreword": 0,
    "introduction": 1,
    "scope": 2,
    "normative_references": 3,
    "terms": 4,
    "technical": 5,
    "annex_normative": 6,
    "annex_informative": 6,
}
REQUIRED_ELEMENTS = ("foreword", "scope", "normative_references", "terms", "technical")
SINGLE_ELEMENTS = ("foreword", "introduction", "scope", "normative_references", "terms")

# Every code `check` can report: the rule checks of the guideline's catalogue.
CODES = tuple(check.code for check in SUBJECTS["rule"])

_PROVISION = re.compile(
    "《[^《》\n]{1,100}》"  # titles of documents
    # quoted words; short and on one line, so a stray quotation mark cannot hide a whole paragraph
    '|“[^“”\n]{1,30}”|「[^「」\n]{1,30}」|"[^"\n]{1,30}"'
    r"|(?:主要)?起草(?:人|单位)\s*[:：][^。\n]*"  # names of people and organisations
    r"|本文件由[^。\n]*?(?:提出|归口)"
    "|" + "|".join(sorted(NOT_PROVISIONS, key=len, reverse=True)) + "|(?P<modal>[应宜可])"
)
_CROSS_REFERENCE = re.compile(r"\]\(\s*#([^)\s]*)")
_WHITESPACE = re.compile(r"\s+")


def check(
    document: dict,
    *,
    enabled: Collection[str] | None = None,
    reference_status: Callable[[str], str | None] | None = None,
    reference_title: Callable[[str], str | None] | None = None,
    catalogue_end_use: str | None = None,
) -> list[Finding]:
    """The findings on `document`: errors first, then warnings, then info; then by path (array
    indices in numeric order). `enabled` are the codes the rule's template checks (all rule checks
    when None). `reference_status(key)` gives the registry's status of a referenced standard by
    its number key ("GB/T24067-2024"), or None when the registry does not know it;
    `reference_title(key)` its registered Chinese title. `catalogue_end_use` is the end use the
    registry's product catalogue gives the rule's product ("final" or "intermediate")."""
    report = Report(CODES if enabled is None else enabled)
    doc = document if isinstance(document, dict) else {}
    params = _dict(doc.get("parameters"))
    _check_title(doc, report)
    _check_references(doc, report, reference_status)
    included = _check_boundary(doc, params, report)
    _check_data(params, included, report)
    _check_methods(params, report)
    clause_list = _items(doc.get("clauses"))
    _check_structure(clause_list, report)
    _check_provisions(clause_list, report)
    _check_ids_and_references(clause_list, _items(doc.get("terms")), report)
    structure_checks.check(doc, report)
    text_checks.check(doc, report, reference_title=reference_title, catalogue_end_use=catalogue_end_use)
    return sorted(report.findings, key=sort_key)


def apply_suppressions(findings: Iterable[Finding], suppressions: Iterable[Sequence[str | None]]) -> list[Finding]:
    """`findings` with those matching a suppression (code, path, reason) on code and path marked
    suppressed, with the reason."""
    reasons: dict[tuple[str, str], str | None] = {}
    for code, path, reason in suppressions:
        reasons[(code, path)] = reason
    return [
        found.suppress(reasons[(found.code, found.path)]) if (found.code, found.path) in reasons else found
        for found in findings
    ]


def _percent(value: float) -> str:
    return f"{value:g}"


# --- title -----------------------------------------------------------------------------------------


def _check_title(doc: dict, report: Report) -> None:
    title = doc.get("title")
    written = normalise(title) if isinstance(title, str) else ""
    name = normalise(_text(_dict(doc.get("product")).get("name")))
    if name:
        expected = TITLE_PREFIX + name
        if written != expected:
            if written:
                report.add("title_pattern", "/title", "current", expected=expected, title=title)
            else:
                report.add("title_pattern", "/title", expected=expected)
    elif not (written.startswith(TITLE_PREFIX) and written[len(TITLE_PREFIX) :].strip()):
        report.add("title_pattern", "/title", "no_product", prefix=TITLE_PREFIX)
    title_en = doc.get("title_en")
    if is_placeholder(title_en):
        report.add("title_en_missing", "/title_en")
        return
    match = _TITLE_EN.fullmatch(normalise(title_en))
    product = match["product"].strip() if match else ""
    if product and match["for"] == " for ":
        return
    match = match if product else _TITLE_EN_ANY_CASE.fullmatch(normalise(title_en))
    product = match["product"].strip() if match else ""
    if product:
        # the elements of a GB English title are in sentence case: capitalised words go lower case
        # (the message asks to keep proper nouns), acronyms stay
        suggested = TITLE_EN_PREFIX + _CAPITALISED.sub(lambda word: word.group().lower(), product)
        report.add(
            "title_en_pattern",
            "/title_en",
            "suggest",
            prefix=TITLE_EN_PREFIX + "…",
            title_en=title_en,
            suggested=suggested,
        )
    else:
        report.add("title_en_pattern", "/title_en", prefix=TITLE_EN_PREFIX + "…", title_en=title_en)


# --- normative references --------------------------------------------------------------------------


def _check_references(doc: dict, report: Report, reference_status) -> None:
    cited_24067 = False
    seen: dict[tuple[str, int | None], int] = {}
    for index, reference in _items(doc.get("normative_references")):
        number = reference.get("number")
        if not isinstance(number, str):
            continue
        path = f"/normative_references/{index}/number"
        try:
            read = read_reference(number)
        except UnreadableInternational:
            report.add("reference_invalid_number", path, "international", number=number)
            continue
        except numbers.InvalidNumber as error:
            report.add("reference_invalid_number", path, number=number, reason=error.message)
            continue
        identity = (read.designation, read.year)
        if identity in seen:
            report.add("reference_duplicate", path, number=number, first=seen[identity] + 1)
            continue
        seen[identity] = index
        if read.designation == GBT_24067:
            cited_24067 = True
            if read.year is None:
                report.add("reference_gbt24067_undated", path)
            elif read.year != GBT_24067_YEAR:
                report.add("reference_gbt24067_edition", path, year=read.year)
        if reference_status is not None and read.key is not None:
            status = reference_status(read.key)
            if status == "withdrawn":
                report.add("reference_withdrawn", path, number=number)
            elif status == "replaced":
                report.add("reference_replaced", path, number=number)
    if not cited_24067:
        report.add("reference_gbt24067_missing", "/normative_references")


# --- boundary and data -----------------------------------------------------------------------------


def _check_boundary(doc: dict, params: dict, report: Report) -> set[str] | None:
    """Checks the system boundary; returns the stages included, or None when not stated."""
    boundary = params.get("system_boundary")
    if not isinstance(boundary, dict):
        return None
    base = "/parameters/system_boundary"
    kind = boundary.get("type") if isinstance(boundary.get("type"), str) else None
    end_use = _dict(doc.get("product")).get("end_use")
    expected = BOUNDARY_FOR_END_USE.get(end_use) if isinstance(end_use, str) else None
    if kind == "partial":
        _check_justification(boundary, report)
    elif expected is not None and kind in BOUNDARIES and kind != expected:
        report.add(
            "boundary_end_use_mismatch",
            f"{base}/type",
            "final" if end_use == "final" else "",
            expected=BOUNDARIES.term(expected),
            boundary=BOUNDARIES.term(kind),
        )

    if not isinstance(boundary.get("stages_included"), list):
        return None
    included_items = _strings(boundary["stages_included"])
    included = {stage for _, stage in included_items}
    if kind in STAGES_FOR_BOUNDARY:
        required, forbidden = STAGES_FOR_BOUNDARY[kind]
        missing = [stage for stage in required if stage not in included]
        if missing:
            report.add(
                "boundary_stages_inconsistent",
                f"{base}/stages_included",
                boundary=BOUNDARIES.term(kind),
                stages=LIFE_CYCLE_STAGES.terms(missing),
            )
        for index, stage in included_items:
            if stage in forbidden:
                report.add(
                    "boundary_stages_inconsistent",
                    f"{base}/stages_included/{index}",
                    "forbidden",
                    boundary=BOUNDARIES.term(kind),
                    stage=LIFE_CYCLE_STAGES.term(stage),
                )
    elif kind == "partial" and not included:
        report.add("boundary_stages_inconsistent", f"{base}/stages_included", "empty")
    for index, stage in _strings(boundary.get("stages_excluded")):
        if stage in included:
            report.add(
                "boundary_stages_inconsistent",
                f"{base}/stages_excluded/{index}",
                "both",
                stage=LIFE_CYCLE_STAGES.term(stage),
            )
    return included


def _check_justification(boundary: dict, report: Report) -> None:
    """A partial boundary's reasons: substantive, and naming each stage left out."""
    path = "/parameters/system_boundary/justification"
    justification = boundary.get("justification")
    if is_placeholder(justification):
        report.add("boundary_partial_without_justification", path)
        return
    included = {stage for _, stage in _strings(boundary.get("stages_included"))}
    left_out = [stage for stage in LIFE_CYCLE_STAGES if stage not in included]
    if substance(justification) < MIN_JUSTIFICATION:
        report.add(
            "boundary_partial_without_justification",
            path,
            "short",
            justification=justification.strip(),
            minimum=MIN_JUSTIFICATION,
            stages=LIFE_CYCLE_STAGES.terms(left_out),
        )
        return
    named = text_checks.mentions_stages(justification)
    unnamed = [stage for stage in left_out if stage not in named]
    if unnamed and included:  # nothing included at all is boundary_stages_inconsistent's
        report.add("boundary_partial_without_justification", path, "stages", stages=LIFE_CYCLE_STAGES.terms(unnamed))


def _check_data(params: dict, included: set[str] | None, report: Report) -> None:
    primary = [(index, stage) for index, stage in _strings(params.get("primary_data_stages")) if stage.strip()]
    secondary = _strings(params.get("secondary_data_allowed_stages"))
    if not primary:
        report.add("primary_stages_missing", "/parameters/primary_data_stages")
    if included:  # an empty boundary is reported by boundary_stages_inconsistent alone
        for index, stage in primary:
            if stage not in included:
                report.add(
                    "primary_stage_outside_boundary",
                    f"/parameters/primary_data_stages/{index}",
                    stage=LIFE_CYCLE_STAGES.term(stage),
                )
        for index, stage in secondary:
            if stage not in included:
                report.add(
                    "secondary_stage_outside_boundary",
                    f"/parameters/secondary_data_allowed_stages/{index}",
                    stage=LIFE_CYCLE_STAGES.term(stage),
                )
        if primary:
            assigned = {stage for _, stage in primary} | {stage for _, stage in secondary}
            unassigned = [stage for stage in LIFE_CYCLE_STAGES if stage in included and stage not in assigned]
            if unassigned:
                report.add(
                    "data_stage_unassigned",
                    "/parameters/secondary_data_allowed_stages",
                    stages=LIFE_CYCLE_STAGES.terms(unassigned),
                )

    priority = params.get("secondary_data_priority")
    if isinstance(priority, list):
        _check_order(
            report,
            ("secondary_priority_order", "secondary_priority_skipped"),
            "/parameters/secondary_data_priority",
            priority,
            SECONDARY_PRIORITY,
            DATA_TYPES,
        )

    categories = {category for _, category in _strings(params.get("activity_data_categories"))}
    missing = [category for category in REQUIRED_CATEGORIES if category not in categories]
    if missing:
        report.add(
            "activity_categories_incomplete",
            "/parameters/activity_data_categories",
            categories=ACTIVITY_CATEGORIES.terms(missing),
        )

    _check_electricity(params, report)

    factors = params.get("factor_priority")
    if not isinstance(factors, list) or not factors:
        report.add("factor_priority_missing", "/parameters/factor_priority", order=FACTOR_TIERS.terms(FACTOR_TIERS))
    else:
        _check_order(
            report,
            ("factor_priority_order", "factor_priority_skipped"),
            "/parameters/factor_priority",
            factors,
            FACTOR_TIERS.codes,
            FACTOR_TIERS,
        )


def _check_electricity(params: dict, report: Report) -> None:
    electricity = params.get("electricity")
    base = "/parameters/electricity"
    if not isinstance(electricity, dict):
        report.add("electricity_method_missing", base)
        return
    if not _text(electricity.get("grid_factor")):
        report.add("electricity_method_missing", f"{base}/grid_factor", "grid_factor")
    if electricity.get("contractual_instruments_allowed") is True:
        if not [item for _, item in _strings(electricity.get("instruments")) if item.strip()]:
            report.add("electricity_method_missing", f"{base}/instruments", "instruments")
        conditions = electricity.get("conditions")
        if is_placeholder(conditions):
            report.add("electricity_method_missing", f"{base}/conditions", "conditions")
        elif substance(conditions) < MIN_CONDITIONS:
            report.add(
                "electricity_method_missing",
                f"{base}/conditions",
                "conditions_short",
                conditions=conditions.strip(),
                minimum=MIN_CONDITIONS,
            )
    for index, source in _items(electricity.get("sources")):
        kind = source.get("source")
        if isinstance(kind, str) and kind != "grid" and substance(source.get("conditions")) < MIN_CONDITIONS:
            report.add(
                "electricity_method_missing",
                f"{base}/sources/{index}/conditions",
                "source_conditions",
                source=ELECTRICITY_SOURCES.term(kind),
                minimum=MIN_CONDITIONS,
            )


def _check_order(
    report: Report, codes: tuple[str, str], path: str, values: list, order: Sequence[str], words: Vocabulary
) -> None:
    """A priority list: known values, each once, in `order`, starting with its first choice; a
    tier left out between two kept ones is a warning (`codes`: the error's, the warning's)."""
    code, skipped_code = codes
    known = [value for value in values if isinstance(value, str) and value in order]
    tally = Counter(known)
    duplicates = [value for value in order if tally[value] > 1]
    if duplicates:
        report.add(code, path, "duplicate", duplicates=words.terms(duplicates), order=words.terms(order))
    elif known != sorted(known, key=order.index):
        report.add(code, path, expected=words.terms(sorted(known, key=order.index)), current=words.terms(known))
    elif known and known[0] != order[0]:
        report.add(code, path, "first", first=words.term(order[0]), current=words.terms(known))
    elif known:
        last = order.index(known[-1])
        skipped = [value for value in order[:last] if value not in tally]
        if skipped:
            report.add(
                skipped_code, path, skipped=words.terms(skipped), current=words.terms(known), order=words.terms(order)
            )


# --- methods ---------------------------------------------------------------------------------------


def _check_methods(params: dict, report: Report) -> None:
    if is_placeholder(params.get("data_quality_method")):
        report.add("data_quality_method_missing", "/parameters/data_quality_method")
    if is_placeholder(params.get("uncertainty_method")):
        report.add("uncertainty_method_missing", "/parameters/uncertainty_method")
    gwp = _text(params.get("gwp_set"))
    if not gwp:
        report.add("gwp_set_missing", "/parameters/gwp_set", default=DEFAULT_GWP_SET)
    elif gwp != DEFAULT_GWP_SET:
        report.add("gwp_set_not_default", "/parameters/gwp_set", gwp_set=gwp, default=DEFAULT_GWP_SET)
    if is_placeholder(params.get("report_format")):
        report.add("report_format_missing", "/parameters/report_format")
    _check_cut_off(params, report)


def _check_cut_off(params: dict, report: Report) -> None:
    cut_off = params.get("cut_off")
    base = "/parameters/cut_off"
    if not isinstance(cut_off, dict):
        report.add("cut_off_missing", base)
        return
    per_item = _number(cut_off.get("per_item_percent"))
    total = _number(cut_off.get("total_percent"))
    if per_item is None:
        report.add("cut_off_missing", f"{base}/per_item_percent", "per_item")
    if total is None:
        report.add("cut_off_missing", f"{base}/total_percent", "total")
    total_valid = total is not None and 0 < total <= 100
    if total is not None and not total_valid:
        report.add("cut_off_inconsistent", f"{base}/total_percent", total=_percent(total))
    if per_item is not None and per_item <= 0:
        report.add("cut_off_inconsistent", f"{base}/per_item_percent", "per_item", per_item=_percent(per_item))
    elif per_item is not None and total_valid and per_item > total:
        report.add(
            "cut_off_inconsistent",
            f"{base}/per_item_percent",
            "per_item_above_total",
            per_item=_percent(per_item),
            total=_percent(total),
        )
    if total_valid and total > PLAUSIBLE_TOTAL_CUT_OFF:
        report.add(
            "cut_off_implausible", f"{base}/total_percent", total=_percent(total), plausible=PLAUSIBLE_TOTAL_CUT_OFF
        )


# --- document structure (GB/T 1.1-2020) ------------------------------------------------------------


def _check_structure(clause_list: list[tuple[int, dict]], report: Report) -> None:
    ranked: list[tuple[int, str]] = []  # (index, kind) of the clauses with a known kind
    seen: set[str] = set()
    for index, clause in clause_list:
        kind = clause.get("kind")
        if not isinstance(kind, str) or kind not in ELEMENT_RANK:
            continue
        if kind in SINGLE_ELEMENTS and kind in seen:
            report.add("structure_element_duplicate", f"/clauses/{index}/kind", element=ELEMENTS.term(kind))
            continue
        seen.add(kind)
        ranked.append((index, kind))
    missing = [kind for kind in REQUIRED_ELEMENTS if kind not in seen]
    if missing:
        report.add("structure_element_missing", "/clauses", elements=ELEMENTS.terms(missing))
    kept = _longest_in_order([ELEMENT_RANK[kind] for _, kind in ranked])
    if len(kept) == len(ranked):
        return
    kept_set = set(kept)
    previous_kept: list[int | None] = []  # for each position, the last kept position before it
    last = None
    for position in range(len(ranked)):
        previous_kept.append(last)
        if position in kept_set:
            last = position
    following = None
    next_kept: list[int | None] = [None] * len(ranked)
    for position in range(len(ranked) - 1, -1, -1):
        next_kept[position] = following
        if position in kept_set:
            following = position
    for position, (index, kind) in enumerate(ranked):
        if position in kept_set:
            continue
        before, after = previous_kept[position], next_kept[position]
        path, element = f"/clauses/{index}/kind", ELEMENTS.term(kind)
        if before is not None and ELEMENT_RANK[ranked[before][1]] > ELEMENT_RANK[kind]:
            report.add("structure_order", path, element=element, other=ELEMENTS.term(ranked[before][1]))
        elif after is not None:
            report.add("structure_order", path, "after", element=element, other=ELEMENTS.term(ranked[after][1]))
        else:
            report.add("structure_order", path, "misplaced", element=element)


def _longest_in_order(ranks: list[int]) -> list[int]:
    """Positions of a longest non-decreasing subsequence of `ranks` (O(n log n)): the clauses that
    stay; the others are the ones out of place."""
    tails: list[int] = []  # rank at the end of the best subsequence of each length
    tail_positions: list[int] = []
    parents: list[int | None] = []
    for position, rank in enumerate(ranks):
        length = bisect_right(tails, rank)
        parents.append(tail_positions[length - 1] if length else None)
        if length == len(tails):
            tails.append(rank)
            tail_positions.append(position)
        else:
            tails[length] = rank
            tail_positions[length] = position
    kept = []
    position = tail_positions[-1] if tail_positions else None
    while position is not None:
        kept.append(position)
        position = parents[position]
    return kept[::-1]


def _check_provisions(clause_list: list[tuple[int, dict]], report: Report) -> None:
    for index, clause in clause_list:
        kind = clause.get("kind")
        if kind not in ("foreword", "introduction"):
            continue
        text = clause.get("text")
        if not isinstance(text, str):
            continue
        found = _first_provision(text)
        if found is None:
            continue
        start, word = found
        context = text[max(0, start - 10) : start + 10].replace("\n", " ")
        report.add(f"provision_in_{kind}", f"/clauses/{index}/text", word=word, context=context)


def _first_provision(text: str) -> tuple[int, str] | None:
    """(position, verb) of the first provision verb (应, 宜, 可) in `text`, or None."""
    for match in _PROVISION.finditer(text):
        if match.group("modal"):
            return match.start(), match.group("modal")
    return None


# --- terms, ids and cross-references ---------------------------------------------------------------


def _check_ids_and_references(
    clause_list: list[tuple[int, dict]], term_list: list[tuple[int, dict]], report: Report
) -> None:
    targets: set[str] = set()
    for index, clause in clause_list:
        clause_id = _text(clause.get("id"))
        if not clause_id:
            continue
        if clause_id in targets:
            report.add("clause_id_duplicate", f"/clauses/{index}/id", id=clause_id)
        targets.add(clause_id)
    term_ids: set[str] = set()
    term_names: dict[str, int] = {}
    for index, term in term_list:
        term_id = _text(term.get("id"))
        if term_id:
            if term_id in term_ids:
                report.add("term_defined_twice", f"/terms/{index}/id", "id", id=term_id)
            elif term_id in targets:
                report.add("clause_id_duplicate", f"/terms/{index}/id", "term", id=term_id)
            term_ids.add(term_id)
            targets.add(term_id)
        name = _WHITESPACE.sub("", unicodedata.normalize("NFKC", _text(term.get("zh"))))
        if name:
            if name in term_names:
                report.add("term_defined_twice", f"/terms/{index}/zh", term=name, first=term_names[name] + 1)
            else:
                term_names[name] = index
    for index, clause in clause_list:
        _check_links(clause.get("text"), f"/clauses/{index}/text", targets, report)
    for index, term in term_list:
        _check_links(term.get("definition"), f"/terms/{index}/definition", targets, report)


def _check_links(text, path: str, targets: set[str], report: Report) -> None:
    if not isinstance(text, str) or "](" not in text:
        return
    for match in _CROSS_REFERENCE.finditer(text):
        target = match.group(1)
        if target not in targets:
            report.add("cross_reference_unresolved", path, target=target)
