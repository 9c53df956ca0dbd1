"""GB/T 1.1—2020 structure of a rule's text: numbering, hanging paragraphs, annexes, figures,
tables and formulas and their citations, the drafting-rules sentence of the 前言, the annexes the
template requires, term entries. PURE: standard library and the check report only.

One pass over the clauses numbers them and hands their text to `numbered_objects.Reader`, which
reads it line by line (each line normalised once with NFKC) for figures, tables, formulas and
citations; what needs the whole document (uncited objects, citations that resolve, annex
citations) is settled from what the pass collected. A 200-clause rule checks in a few ms. The
decisions on figures, tables, formulas and citations are in `numbered_objects`.

Element order, duplicate elements, provisions in 前言/引言, term ids and cross-references stay in
`checks.py`; nothing here reports them again.

Decisions worth knowing:
- Numbering: chapters 1, 2 … and the sub-clauses of each clause 1, 2 … in order, each number
  once; a sub-clause follows its parent ("6.1" needs a "6" before it and no other chapter in
  between). One finding per wrong number, naming what it follows and what was expected; a gap
  is reported once at the number after it (6.3 → 6.5 at 6.5), a duplicate at its second use.
  前言 and 引言 are not numbered. Annexes are "附录A", "附录B" … in order (a letter used twice is
  an error); their sub-clauses are "A.1", "A.1.1" … numbered like sub-clauses, under their own
  annex. The kind decides which form a number must have (annex kinds: 附录X or X.n). After a
  misplaced sub-clause the next ones are read against the clause before it, so one wrong number
  gives one finding; in an annex whose own letter is wrong, the numbers of its figures, tables
  and formulas are taken as written (they follow once the letter is put right).
- Hanging paragraph (悬置段): a clause whose next clause is one of its sub-clauses and whose own
  text is not blank. Always an error (GB/T 1.1—2020 7.4): such text cannot be cited on its own,
  and the fix is mechanical (move it into a new "x.1 概述"). The message says when it holds a
  requirement (应).
- Required annexes are found by their title after NFKC: 数据收集 (data collection), 报告格式
  (report format), 全球变暖潜势 or GWP (GWP values). Each missing one is its own code so that a
  group can suppress one with a reason without hiding the others. Template 1.0 has no GWP annex:
  a 1.0 document checked with every code gets annex_gwp_missing, which is right (1.1 adds 附录C).
- The 前言 sentence: "按照 GB/T 1.1—2020《…》的规定起草" after NFKC, spaces removed and any dash
  (—, ―, –, -, －, ——) read as one; the title in 《》 may be left out. Only checked when there
  is a 前言 (a missing 前言 is structure_element_missing).
- Term entries: the k-th entry of `terms` is numbered "<chapter of 术语和定义>.k" (3.1, 3.2 …);
  an id used twice is left to term_defined_twice. A definition taken from another document is
  detected where the document shows it: the definition text says "来源：" (the source belongs in
  the `source` field, which prints as [来源：…]), or `source` is given but names no document (no
  standard number like GB/T 24067—2024, no 《title》). An entry number in the source is advised in
  the summary but not required: the template's own terms cite GB/T 24067—2024 as a whole.
- Places: numbering findings at /clauses/<i>/number, the hanging paragraph at /clauses/<i>/text
  with the 1-based line of the clause text in the `line` parameter; term findings at
  /terms/<i>/id, /definition or /source; the missing annexes at /clauses.
"""

import re
import unicodedata

from workbench.drafting.check_report import Report, items
from workbench.drafting.check_report import text as _text
from workbench.drafting.numbered_objects import Annex, Reader, normal, requires
from workbench.messages import N_, Message

ANNEX_KINDS = ("annex_normative", "annex_informative")
PRELIMINARY_KINDS = ("foreword", "introduction")
DEFAULT_TERMS_CHAPTER = "3"

# (code, words in the title after NFKC, upper-cased, spaces removed) of the annexes every rule has
REQUIRED_ANNEXES = (
    ("annex_data_collection_missing", ("数据收集",)),
    ("annex_report_format_missing", ("报告格式",)),
    ("annex_gwp_missing", ("全球变暖潜势", "GWP")),
)

_BODY_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)*")
_ANNEX_HEAD = re.compile(r"附录([A-Z])")
_ANNEX_CLAUSE = re.compile(r"([A-Z])((?:\.[0-9]+)+)")
_SPACES = re.compile(r"\s+")
_DASHES = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d-]+")
_DRAFTING_RULES = re.compile(r"按照GB/T1\.1-2020(?:《[^《》]*》)?的规定起草")

_SOURCE_IN_DEFINITION = re.compile(r"(?:^|[\[［【(（])\s*来源\s*[:：]", re.MULTILINE)  # [来源：…] as printed
_DOCUMENT = re.compile(r"[A-Z][A-Z0-9]*(?:/[A-Z]+)? ?[0-9]+(?:\.[0-9]+)*|《[^《》]+》")


def check(document: dict, report: Report) -> None:
    """Adds the structure findings on `document` to `report`."""
    doc = document if isinstance(document, dict) else {}
    figure_ids = {_text(item.get("id")) for _, item in items(doc.get("figures"))}
    reader = Reader(report, figure_ids)
    clauses = items(doc.get("clauses"))
    numbering = _Numbering(report)
    terms_chapter = DEFAULT_TERMS_CHAPTER
    for index, clause in clauses:
        kind = clause.get("kind") if isinstance(clause.get("kind"), str) else ""
        text = clause.get("text") if isinstance(clause.get("text"), str) else ""
        numbering.place(index, kind, clause)
        if kind == "terms" and _BODY_NUMBER.fullmatch(numbering.number(clause)):
            terms_chapter = numbering.number(clause)
        if kind == "foreword":
            _check_foreword(index, text, report)
        if text:
            where = _clause_name(clause, kind)
            reader.read(text, f"/clauses/{index}/text", where, numbering.scope, numbering.owner)
    for index, term in items(doc.get("terms")):
        definition = term.get("definition")
        if isinstance(definition, str) and definition:
            reader.read(definition, f"/terms/{index}/definition", _clause_name(term, "", "id", "zh"), "", None)
    numbering.finish()
    reader.settle(numbering.annexes)
    _check_required_annexes(numbering.annexes, report)
    _check_terms(items(doc.get("terms")), terms_chapter, report)


def _clause_name(item: dict, kind: str, number_key: str = "number", title_key: str = "title") -> str:
    """How a message names the clause (or term entry) whose text holds a line, as the text checks
    do: "5.2“系统边界”", "附录C“全球变暖潜势值”", "“前言”", "3.4“系统边界”"."""
    number, title = _text(item.get(number_key)), _text(item.get(title_key))
    return f"{number}“{title}”" if title else number or kind


# --- numbering -------------------------------------------------------------------------------------


class _Numbering:
    """Numbers the clauses one by one. After `place`, `scope` is where the clause's figures, tables
    and formulas are numbered ("" in the body, the letter in an annex, None in an annex whose
    letter is itself wrong: its objects are then taken as numbered) and `owner` the letter of the
    annex the clause belongs to (None in the body)."""

    def __init__(self, report: Report):
        self.report = report
        self.seen: set[tuple] = set()
        self.last_child: dict[tuple, int] = {}
        self.current: tuple = ()  # key of the last numbered clause
        self.annex: str | None = None  # letter of the annex being read, as written
        self.annex_scope: str | None = None  # the same when it is the right letter, else None
        self.scope: str | None = ""
        self.owner: str | None = None
        self.annexes: list[Annex] = []  # the first annex of each letter, in order
        self.letters: list[str] = []
        self.previous: tuple[int, tuple, str] | None = None  # (index, key, text) for hanging paragraphs
        self.first_child: dict[tuple, tuple[str, str]] = {}  # parent → (path, number) of its x.1

    @staticmethod
    def number(clause: dict) -> str:
        number = clause.get("number")
        return _SPACES.sub("", unicodedata.normalize("NFKC", number)) if isinstance(number, str) else ""

    def place(self, index: int, kind: str, clause: dict) -> None:
        number = self.number(clause)
        path = f"/clauses/{index}/number"
        annex_kind = kind in ANNEX_KINDS
        self.scope, self.owner = (self.annex_scope, self.annex) if annex_kind else ("", None)
        if kind in PRELIMINARY_KINDS:
            if number:
                self.report.add(
                    "preliminary_numbered", path, "" if kind == "foreword" else "introduction", number=number
                )
            self.previous = None
            return
        head = _ANNEX_HEAD.fullmatch(number) if annex_kind else None
        sub = _ANNEX_CLAUSE.fullmatch(number) if annex_kind else None
        if head:
            key: tuple = (head[1],)
            self._annex(head[1], index, kind, clause, path)
            self.scope, self.owner = self.annex_scope, self.annex
        elif sub:
            key = (sub[1], *(int(part) for part in sub[2].split(".")[1:]))
            if self.annex != sub[1]:
                if self.annex is None:
                    self.report.add("clause_numbering", path, "parent", number=number, parent=f"附录{sub[1]}")
                else:
                    self.report.add("clause_numbering", path, "annex", number=number, annex=self.annex)
                self.seen.add(key)
                self.current = key
            else:
                self._sub_clause(key, number, path)
        elif not annex_kind and _BODY_NUMBER.fullmatch(number):
            key = tuple(int(part) for part in number.split("."))
            self._sub_clause(key, number, path)
        else:
            title = _text(clause.get("title"))
            if not number:
                self.report.add("clause_numbering", path, "missing", title=title)
            elif annex_kind and number.startswith("附录"):
                self.report.add("annex_numbering", path, "invalid", number=number)
                self.annex = self.annex_scope = self.scope = self.owner = None  # an annex we cannot name
            else:
                self.report.add("clause_numbering", path, "invalid", number=number)
            self.previous = None
            return
        self._hanging(index, key, clause)

    def _annex(self, letter: str, index: int, kind: str, clause: dict, path: str) -> None:
        number = f"附录{letter}"
        right = False
        if letter in self.letters:
            self.report.add("annex_numbering", path, "duplicate", number=number)
        else:
            if not self.letters and letter != "A":
                self.report.add("annex_numbering", path, "first", number=number)
            elif self.letters and ord(letter) != ord(max(self.letters)) + 1:
                previous = max(self.letters)
                self.report.add(
                    "annex_numbering", path, number=number, previous=previous, expected=chr(ord(previous) + 1)
                )
            else:
                right = True
            self.letters.append(letter)
            self.annexes.append(Annex(letter, index, kind, _text(clause.get("title"))))
        self.annex = letter
        self.annex_scope = letter if right else None
        self.seen.add((letter,))
        self.current = (letter,)

    def _sub_clause(self, key: tuple, number: str, path: str) -> None:
        if key in self.seen:
            self.report.add("clause_numbering", path, "duplicate", number=number)
            self.current = key
            return
        parent, position = key[:-1], key[-1]
        last = self.last_child.get(parent, 0)
        if parent and (parent not in self.seen or self.current[: len(parent)] != parent):
            # out of its parent: reported once, and the clauses after it are read against the
            # clause before it, so that one misplaced clause does not make all that follow wrong
            if parent not in self.seen:
                self.report.add("clause_numbering", path, "parent", number=number, parent=_shown(parent))
            else:
                previous = _shown(self.current)
                self.report.add(
                    "clause_numbering", path, "misplaced", number=number, parent=_shown(parent), previous=previous
                )
            self.seen.add(key)
            return
        if position > last + 1:
            if last:
                self.report.add(
                    "clause_numbering",
                    path,
                    number=number,
                    previous=_shown((*parent, last)),
                    expected=_shown((*parent, last + 1)),
                )
            else:
                self.report.add("clause_numbering", path, "first", number=number, expected=_shown((*parent, 1)))
        elif position <= last:
            self.report.add("clause_numbering", path, "order", number=number, previous=_shown(self.current))
        self.last_child[parent] = max(last, position)
        if parent and position == 1:
            self.first_child.setdefault(parent, (path, number))
        self.seen.add(key)
        self.current = key

    def finish(self) -> None:
        """A chapter, clause or annex with exactly one sub-clause (GB/T 1.1: sub-clauses come two
        or more to a level). Not while any number is wrong: a misnumbered 5.2 would leave 5.1 alone
        only in appearance."""
        if any(found.code == "clause_numbering" for found in self.report.findings):
            return
        for parent, (path, number) in self.first_child.items():
            if self.last_child.get(parent) == 1:
                self.report.add("clause_single_subclause", path, number=number, parent=_parent_name(parent))

    def _hanging(self, index: int, key: tuple, clause: dict) -> None:
        if self.previous is not None:
            before, parent, text = self.previous
            if len(key) > len(parent) and key[: len(parent)] == parent:
                _report_hanging(self.report, before, parent, key, text)
        text = clause.get("text")
        self.previous = (index, key, text) if isinstance(text, str) and text.strip() else None


def _report_hanging(report: Report, index: int, parent: tuple, child: tuple, text: str) -> None:
    lines = text.split("\n")
    first = next(number for number, line in enumerate(lines, 1) if line.strip())
    required = next((number for number, line in enumerate(lines, 1) if requires(normal(line))), None)
    report.add(
        "hanging_paragraph",
        f"/clauses/{index}/text",
        "provision" if required else "",
        number=_shown(parent),
        child=_shown(child),
        line=required or first,
        suggestion=_shown((*parent, 1)),
    )


def _parent_name(key: tuple) -> Message | str:
    """How a message names the parent of a sub-clause: "第 5 章" and "附录A" (translated), "5.2"."""
    if len(key) == 1:
        if isinstance(key[0], int):
            return Message(N_("第 %(number)d 章"), {"number": key[0]})
        return Message(N_("附录%(letter)s"), {"letter": key[0]})
    return _shown(key)


def _shown(key: tuple) -> str:
    """A clause number as printed: "6.1", "附录A", "A.1"."""
    if not key:
        return ""
    if isinstance(key[0], str):
        return f"附录{key[0]}" if len(key) == 1 else ".".join((key[0], *(str(part) for part in key[1:])))
    return ".".join(str(part) for part in key)


# --- the 前言, the required annexes, term entries ---------------------------------------------------------


def _check_foreword(index: int, text: str, report: Report) -> None:
    flat = _DASHES.sub("-", _SPACES.sub("", unicodedata.normalize("NFKC", text)))
    if not _DRAFTING_RULES.search(flat):
        report.add("foreword_drafting_rules_missing", f"/clauses/{index}/text")


def _check_required_annexes(annexes: list[Annex], report: Report) -> None:
    titles = [_SPACES.sub("", unicodedata.normalize("NFKC", annex.title)).upper() for annex in annexes]
    for code, words in REQUIRED_ANNEXES:
        if not any(word in title for title in titles for word in words):
            report.add(code, "/clauses")


def _check_terms(terms: list[tuple[int, dict]], chapter: str, report: Report) -> None:
    seen: set[str] = set()
    for position, (index, term) in enumerate(terms, 1):
        term_id = _text(term.get("id"))
        expected = f"{chapter}.{position}"
        if term_id and term_id not in seen and term_id != expected:
            report.add("term_entry_number", f"/terms/{index}/id", position=position, expected=expected, id=term_id)
        seen.add(term_id)
        definition = term.get("definition")
        if isinstance(definition, str) and (found := _SOURCE_IN_DEFINITION.search(definition)):
            context = definition[max(0, found.start() - 2) : found.end() + 20].replace("\n", " ")
            report.add("term_source_missing", f"/terms/{index}/definition", context=context)
        source = _text(term.get("source"))
        if source and not _DOCUMENT.search(unicodedata.normalize("NFKC", source)):
            report.add("term_source_missing", f"/terms/{index}/source", "no_document", source=source)
