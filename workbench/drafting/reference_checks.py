"""The normative references against the text: the list printed in chapter 2, the documents the
text cites, and the titles the registry knows (GB/T 1.1—2020 8.6, 9.5). PURE.

Decisions worth knowing:
- Chapter 2 is the clause of kind normative_references. Its entries are the lines that start
  with a standard number; the rest of the line is the title. Numbers are matched by designation
  and year; titles after `clause_text.title_key` (NFKC, dashes, no spaces, case folded), so a
  title typed with full-width spaces or spaced dashes is the same title.
- A normative reference is one the text cites normatively (GB/T 1.1—2020 9.5): in 范围, 术语和定义
  (the clause and the terms' sources), the technical chapters and the annexes. The 前言 and
  引言 are not normative, nor is chapter 2 itself: a listed document cited only there is reported
  as never cited (a warning: it may belong in a bibliography). A document number cited in 范围,
  术语和定义, the technical chapters or a normative annex but not listed is an error; in an
  informative annex, a note or an example (注：, 示例：, GB/T 1.1—2020 9.3, 9.4) it is informative
  and is not reported. The rule's own number
  (publication.standard_number) is never a reference.
- Undated references are allowed (GB/T 1.1—2020 9.5.4.2: the latest edition, amendments
  included, applies). What the text contradicts is reported: an undated reference whose specific
  clause, table, figure or annex is cited ("GB/T 24040 的 5.2") is an error, since a part of a
  document can only be cited in a fixed edition; GB/T 24067 keeps its own rule (dated 2024,
  `checks.py`).
- The text citing another edition than the one listed (GB/T 24040—2006 when 2008 is listed, or
  a year when the list is undated) is an error.
- Titles against the registry (by number key) are warnings: the registry may lag. GB/T 24067—2024's
  title is known without a registry.
"""

from collections.abc import Callable

from workbench.drafting.check_report import Report
from workbench.drafting.check_report import as_dict as _dict
from workbench.drafting.check_report import items as _items
from workbench.drafting.check_report import text as _text
from workbench.drafting.clause_text import (
    NUMBER_HINT,
    ClauseText,
    Reference,
    cited_numbers,
    is_note,
    leading_number,
    normalise,
    printed,
    read_reference,
    title_key,
)

GBT_24067_2024 = "GB/T24067-2024"
KNOWN_TITLES = {GBT_24067_2024: "温室气体 产品碳足迹 量化要求和指南"}

# Where a citation is normative, and where a number that is not listed is an error.
CITING_KINDS = frozenset({"scope", "terms", "technical", "annex_normative", "annex_informative"})
LISTING_REQUIRED_KINDS = frozenset({"scope", "terms", "technical", "annex_normative"})


class _Listed:
    __slots__ = ("index", "reference", "title", "number", "cited")

    def __init__(self, index: int, reference: Reference, title: str, number: str):
        self.index, self.reference, self.title, self.number = index, reference, title, number
        self.cited = False


def check(
    document: dict,
    clauses: list[ClauseText],
    report: Report,
    *,
    reference_title: Callable[[str], str | None] | None = None,
) -> None:
    listed = _listed(document)
    _check_registry_titles(listed, report, reference_title)
    chapter = next((clause for clause in clauses if clause.kind == "normative_references"), None)
    if chapter is not None:
        _check_printed_list(chapter, listed, report)
    _check_citations(document, clauses, listed, report)


def _listed(document: dict) -> list[_Listed]:
    listed = []
    seen = set()
    for index, entry in _items(document.get("normative_references")):
        number = entry.get("number")
        if not isinstance(number, str):
            continue
        try:
            reference = read_reference(number)
        except ValueError:  # reported by checks.py as reference_invalid_number
            continue
        if reference.identity in seen:  # reported as reference_duplicate
            continue
        seen.add(reference.identity)
        listed.append(_Listed(index, reference, _text(entry.get("title")), number))
    return listed


def _check_registry_titles(listed: list[_Listed], report: Report, reference_title) -> None:
    for entry in listed:
        key = entry.reference.key
        if key is None or not entry.title:
            continue
        registered = reference_title(key) if reference_title is not None else None
        registered = registered or KNOWN_TITLES.get(key)
        if registered and title_key(registered) != title_key(entry.title):
            report.add(
                "reference_title_registry",
                f"/normative_references/{entry.index}/title",
                number=printed(entry.reference),
                title=entry.title,
                registered=normalise(registered),
            )


def _check_printed_list(chapter: ClauseText, listed: list[_Listed], report: Report) -> None:
    by_identity = {entry.reference.identity: entry for entry in listed}
    by_designation = {entry.reference.designation: entry for entry in listed}
    found: set[tuple[str, int | None]] = set()
    for number, line in chapter.lines:
        read = leading_number(line)
        if read is None:
            continue
        cited, title = read
        reference = cited.reference
        entry = by_identity.get(reference.identity)
        if entry is None:
            other = by_designation.get(reference.designation)
            if other is not None:
                report.add(
                    "reference_list_mismatch",
                    chapter.path,
                    "edition",
                    line=number,
                    printed=cited.written,
                    number=printed(other.reference),
                )
                found.add(other.reference.identity)
            else:
                report.add("reference_list_mismatch", chapter.path, "extra", line=number, number=cited.written)
            continue
        found.add(reference.identity)
        if entry.title and title_key(title) != title_key(entry.title):
            report.add(
                "reference_list_mismatch",
                chapter.path,
                "title",
                line=number,
                number=printed(reference),
                printed=title,
                title=entry.title,
            )
    for entry in listed:
        if entry.reference.identity not in found:
            report.add(
                "reference_list_mismatch",
                chapter.path,
                number=printed(entry.reference),
                title=entry.title,
            )


def _check_citations(document: dict, clauses: list[ClauseText], listed: list[_Listed], report: Report) -> None:
    by_designation = {entry.reference.designation: entry for entry in listed}
    own = _own_designation(document)
    reported: set[tuple[str, str, str]] = set()  # (code, path, designation): once per place

    def cite(text: str, path: str, where: str, line: int, required: bool) -> None:
        for cited in cited_numbers(text):
            designation = cited.reference.designation
            if designation == own:
                continue
            entry = by_designation.get(designation)
            if entry is None:
                if required and ("reference_cited_not_listed", path, designation) not in reported:
                    reported.add(("reference_cited_not_listed", path, designation))
                    report.add("reference_cited_not_listed", path, clause=where, line=line, number=cited.written)
                continue
            entry.cited = True
            listed_year, cited_year = entry.reference.year, cited.reference.year
            if cited_year is not None and cited_year != listed_year:
                if ("edition", path, designation) not in reported:
                    reported.add(("edition", path, designation))
                    report.add(
                        "reference_cited_not_listed",
                        path,
                        "edition",
                        clause=where,
                        line=line,
                        cited=cited.written,
                        number=printed(entry.reference),
                    )
            elif listed_year is None and cited.part and ("undated", path, designation) not in reported:
                reported.add(("undated", path, designation))
                report.add(
                    "reference_undated",
                    f"/normative_references/{entry.index}/number",
                    clause=where,
                    line=line,
                    number=entry.number,
                    part=cited.part,
                )

    for clause in clauses:
        if clause.kind not in CITING_KINDS or not clause.mentions(NUMBER_HINT):
            continue
        required = clause.kind in LISTING_REQUIRED_KINDS
        for number, line in clause.lines:
            cite(line, clause.path, clause.name, number, required and not is_note(line))
    for index, term in _items(document.get("terms")):
        for field in ("source", "definition"):
            value = term.get(field)
            if isinstance(value, str) and value:
                cite(normalise(value), f"/terms/{index}/{field}", _text(term.get("id")), 1, False)
    for entry in listed:
        if not entry.cited:
            report.add("reference_not_cited", f"/normative_references/{entry.index}/number", number=entry.number)


def _own_designation(document: dict) -> str | None:
    number = _dict(document.get("publication")).get("standard_number")
    if not isinstance(number, str) or not number.strip():
        return None
    try:
        return read_reference(number).designation
    except ValueError:
        return None
