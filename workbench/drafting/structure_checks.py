"""GB/T 1.1—2020 structure of a rule's text: numbering, hanging paragraphs, annexes, figures,
tables and formulas and their citations, the drafting-rules sentence of the 前言, the annexes the
template requires, term entries. PURE: standard library and the check report only.

One pass over the clauses numbers them and reads their text line by line (each line normalised
once with NFKC); what needs the whole document (uncited objects, citations that resolve, annex
citations) is settled from what the pass collected. A 200-clause rule checks in a few ms.

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
- Annex citations: "附录A" anywhere outside annex A's own text (its head and its sub-clauses),
  including the 前言 and other annexes, where GB/T 1.1 lets an annex be pointed to. "附录A" right
  after another document's number or title ("GB/T 24067—2024 附录B", "《…》的附录B") is that
  document's annex and does not count. A normative annex needs at least one citing sentence with
  应 (a requirement); an informative annex gets a warning when 应 governs the citation itself:
  the comma-delimited part of the sentence holding "附录B" has 应 ("报告的编写应符合 GB/T 24067
  的规定，报告格式见附录B" is fine, "报告应按附录B编写" is not). Words like 相应、对应、供应、
  应用 are not 应.
- Required annexes are found by their title after NFKC: 数据收集 (data collection), 报告格式
  (report format), 全球变暖潜势 or GWP (GWP values). Each missing one is its own code so that a
  group can suppress one with a reason without hiding the others. Template 1.0 has no GWP annex:
  a 1.0 document checked with every code gets annex_gwp_missing, which is right (1.1 adds 附录C).
- Figures: a paragraph of its own `![caption](figure:id)`, numbered by order of appearance (图 1
  … in the body, 图 A.1 … in annex A); the id must be one of the top-level `figures`. A 1.0
  plain-text caption line "图 1　标题" (number, then a full-width space or two spaces, then the
  title) also defines figure 1 with the number written.
- Tables: a Markdown pipe table (a header row and a |---| delimiter row) whose caption is the
  paragraph just before it (or its first line), "表 1 标题" / "表 A.1 标题". A pipe table without
  a caption is an unnumbered table (error). A "表 1 …" paragraph not followed by a table is text.
- Formulas: a paragraph of its own `$$…$$（2）`, or a 1.0 plain-text formula line: it has "=" and
  ends in its number after two or more spaces (or a leader of dots): "CFP = … ÷ Q　　（1）". A
  formula without a number is allowed (GB/T 1.1 numbers only formulas that are cited).
- Numbers of figures, tables and formulas run 1, 2 … in the body (from 引言 to the last chapter)
  and A.1, A.2 … in annex A; a number out of sequence or outside its annex's letter is an error
  naming the expected one, a number used twice an error at the second use.
- Citations: 图 1, 图1, 表 A.1, 公式（2）, 公式(2), 式（2） after 按/见/由/用/和/与/及/或/据/入, and
  ranges "表 A.1～表 A.3" (all of A.1 to A.3 cited). "图"/"表" count only at the start of a
  word: after punctuation, a space or one of 见按和与及或至由在用于从如依据照同将把对是为的入中,
  so 代表 1 t, 仪表 2 or 数据收集表 1 are not citations. A citation after another document's
  number or title is that document's and is skipped. A citation that does not resolve is an
  error; a figure or table never cited, and a numbered formula never cited, a warning (the text
  stays usable; someone should decide).
- The 前言 sentence: "按照 GB/T 1.1—2020《…》的规定起草" after NFKC, spaces removed and any dash
  (—, ―, –, -, －, ——) read as one; the title in 《》 may be left out. Only checked when there
  is a 前言 (a missing 前言 is structure_element_missing).
- Term entries: the k-th entry of `terms` is numbered "<chapter of 术语和定义>.k" (3.1, 3.2 …);
  an id used twice is left to term_defined_twice. A definition taken from another document is
  detected where the document shows it: the definition text says "来源：" (the source belongs in
  the `source` field, which prints as [来源：…]), or `source` is given but names no document (no
  standard number like GB/T 24067—2024, no 《title》). An entry number in the source is advised in
  the summary but not required: the template's own terms cite GB/T 24067—2024 as a whole.
- Places: numbering findings at /clauses/<i>/number, text findings at /clauses/<i>/text with the
  1-based line of the clause text in the `line` parameter; term findings at /terms/<i>/id,
  /definition or /source; the missing annexes at /clauses.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from workbench.drafting.check_report import Report, items
from workbench.drafting.check_report import text as _text

ANNEX_KINDS = ("annex_normative", "annex_informative")
PRELIMINARY_KINDS = ("foreword", "introduction")
DEFAULT_TERMS_CHAPTER = "3"

# (code, words in the title after NFKC, upper-cased, spaces removed) of the annexes every rule has
REQUIRED_ANNEXES = (
    ("annex_data_collection_missing", ("数据收集",)),
    ("annex_report_format_missing", ("报告格式",)),
    ("annex_gwp_missing", ("全球变暖潜势", "GWP")),
)

# 应 inside these words is not the modal verb of a requirement
_NOT_REQUIREMENT = (
    "应用",
    "应对",
    "应急",
    "应力",
    "应变",
    "应邀",
    "应聘",
    "应收",
    "应付",
    "相应",
    "对应",
    "供应",
    "适应",
    "反应",
    "响应",
    "效应",
    "感应",
    "呼应",
    "回应",
    "顺应",
    "答应",
)
_MODAL = re.compile("|".join(_NOT_REQUIREMENT) + "|(?P<modal>应)")

_BODY_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)*")
_ANNEX_HEAD = re.compile(r"附录([A-Z])")
_ANNEX_CLAUSE = re.compile(r"([A-Z])((?:\.[0-9]+)+)")
_SPACES = re.compile(r"\s+")
_DASHES = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d-]+")
_DRAFTING_RULES = re.compile(r"按照GB/T1\.1-2020(?:《[^《》]*》)?的规定起草")

_NUMBER = r"(?:[A-Z]\.)?[0-9]+"
_FIGURE_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*figure:([^)\s]+)\s*\)")
_FIGURE_CAPTION = re.compile(rf"图 ?({_NUMBER})\s{{2,}}(\S.*)")  # 1.0: 图 1　标题
_TABLE_CAPTION = re.compile(rf"表 ?({_NUMBER})(?:\s+.*)?")
_TABLE_DELIMITER = re.compile(r"\|?(?:\s*:?-{3,}:?\s*\|)+\s*(?::?-{3,}:?\s*)?")
_DISPLAY_FORMULA = re.compile(rf"\$\$.+\$\$\s*(?:\(\s*({_NUMBER})\s*\))?", re.DOTALL)
_PLAIN_FORMULA = re.compile(rf"[^$]*=[^$]*?(?:\s{{2,}}|\s*(?:\.{{2,}}|…+)\s*)\(\s*({_NUMBER})\s*\)")
_FIGURE_TABLE_CITATION = re.compile(
    rf"(?P<kind>[图表]) ?(?P<first>{_NUMBER})(?![0-9]|\.[0-9])"
    rf"(?: ?(?:[~〜至到] ?(?P=kind)?|[-—–] ?(?P=kind)) ?(?P<last>{_NUMBER})(?![0-9]|\.[0-9]))?"
)
_FORMULA_CITATION = re.compile(
    rf"(?P<word>公式|式) ?\( ?(?P<first>{_NUMBER}) ?\)(?: ?[~〜至到—–-] ?(?:公式|式)? ?\( ?(?P<last>{_NUMBER}) ?\))?"
)
_ANNEX_CITATION = re.compile(r"附录 ?(?P<letter>[A-Z])(?![A-Za-z])")
_SENTENCE = re.compile(r"[^。;!?]+[。;!?]?")
_CLAUSE_SEPARATOR = re.compile(r"[,:，：]")
# another document's number or title right before a citation: its annex, table or figure
_FOREIGN = re.compile(r"(?:》|[A-Z][A-Z/]* ?[0-9]+(?:\.[0-9]+)*(?: ?[-—―–:] ?[0-9]{4})?) ?(?:中的|的|中)? ?$")
_CJK = re.compile("[\u3400-\u9fff]")
_WORD_BEFORE = frozenset("见按和与及或至由在用于从如依据照同将把对是为的入中")
_FORMULA_WORD_BEFORE = frozenset("见按和与及或至由用据入")
_MAY_MATTER = re.compile(r"[图表=＝]|式\s*[(（]|附录|figure:|^\s*(?:\$\$|[|｜])", re.MULTILINE)
_SOURCE_IN_DEFINITION = re.compile(r"(?:^|[\[［【(（])\s*来源\s*[:：]", re.MULTILINE)  # [来源：…] as printed
_DOCUMENT = re.compile(r"[A-Z][A-Z0-9]*(?:/[A-Z]+)? ?[0-9]+(?:\.[0-9]+)*|《[^《》]+》")

FIGURE, TABLE, FORMULA = "figure", "table", "formula"


def check(document: dict, report: Report) -> None:
    """Adds the structure findings on `document` to `report`."""
    doc = document if isinstance(document, dict) else {}
    figure_ids = {_text(item.get("id")) for _, item in items(doc.get("figures"))}
    reader = _Reader(report, figure_ids)
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
            reader.read(text, f"/clauses/{index}/text", numbering.scope, numbering.owner)
    for index, term in items(doc.get("terms")):
        definition = term.get("definition")
        if isinstance(definition, str) and definition:
            reader.read(definition, f"/terms/{index}/definition", "", None)
    reader.settle(numbering.annexes)
    _check_required_annexes(numbering.annexes, report)
    _check_terms(items(doc.get("terms")), terms_chapter, report)


def _normal(line: str) -> str:
    """NFKC, with a full-width space read as two spaces (it separates a caption's number from its
    title, and a formula from its number)."""
    return unicodedata.normalize("NFKC", line.replace("\u3000", "  "))


def _requires(sentence: str) -> bool:
    return any(match.group("modal") for match in _MODAL.finditer(sentence))


# --- numbering -------------------------------------------------------------------------------------


@dataclass
class _Annex:
    letter: str
    index: int
    kind: str
    title: str


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
        self.annexes: list[_Annex] = []  # the first annex of each letter, in order
        self.letters: list[str] = []
        self.previous: tuple[int, tuple, str] | None = None  # (index, key, text) for hanging paragraphs

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
            self.annexes.append(_Annex(letter, index, kind, _text(clause.get("title"))))
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
        self.seen.add(key)
        self.current = key

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
    required = next((number for number, line in enumerate(lines, 1) if _requires(_normal(line))), None)
    report.add(
        "hanging_paragraph",
        f"/clauses/{index}/text",
        "provision" if required else "",
        number=_shown(parent),
        child=_shown(child),
        line=required or first,
        suggestion=_shown((*parent, 1)),
    )


def _shown(key: tuple) -> str:
    """A clause number as printed: "6.1", "附录A", "A.1"."""
    if not key:
        return ""
    if isinstance(key[0], str):
        return f"附录{key[0]}" if len(key) == 1 else ".".join((key[0], *(str(part) for part in key[1:])))
    return ".".join(str(part) for part in key)


# --- figures, tables, formulas and annex citations ------------------------------------------------------


@dataclass
class _Place:
    path: str
    line: int


@dataclass
class _AnnexCitation:
    place: _Place
    owner: str | None  # the annex whose text holds the citation
    requirement: bool  # the sentence has 应
    governed: bool  # the part of the sentence holding the citation has 应


@dataclass
class _Reader:
    report: Report
    figure_ids: set[str]
    defined: dict[str, dict[str, _Place]] = field(default_factory=lambda: {FIGURE: {}, TABLE: {}, FORMULA: {}})
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    citations: list[tuple[str, str, _Place]] = field(default_factory=list)
    annex_citations: dict[str, list[_AnnexCitation]] = field(default_factory=dict)

    def read(self, text: str, path: str, scope: str | None, owner: str | None) -> None:
        # Only lines that may hold a caption, formula, table row or citation are read further and
        # normalised: NFKC costs about a microsecond a character, more than everything else here.
        if not _MAY_MATTER.search(text):
            return
        raw = text.split("\n")
        matters = [_MAY_MATTER.search(line) is not None for line in raw]
        lines = [_normal(line).strip() if matter else line.strip() for line, matter in zip(raw, matters, strict=True)]
        paragraphs: list[tuple[int, int]] = []  # [start, end) of runs of non-blank lines
        start = None
        for number, line in enumerate(lines):
            if line and start is None:
                start = number
            elif not line and start is not None:
                paragraphs.append((start, number))
                start = None
        if start is not None:
            paragraphs.append((start, len(lines)))
        captioned: set[int] = set()  # paragraphs that are tables with a caption
        for position, (start, end) in enumerate(paragraphs):
            if not matters[start]:  # prose: only its other lines may cite
                self._cite_lines(lines, matters, start + 1, end, path, owner)
                continue
            first = lines[start]
            single = end - start == 1
            if single and (image := _FIGURE_IMAGE.fullmatch(first)):
                self._define(FIGURE, None, scope, _Place(path, start + 1))
                if image[2] not in self.figure_ids:
                    self.report.add("figure_object_missing", path, id=image[2], line=start + 1)
                continue
            if single and (caption := _FIGURE_CAPTION.fullmatch(first)) and "。" not in caption[2]:
                self._define(FIGURE, caption[1], scope, _Place(path, start + 1))
                continue
            if first.startswith("$$") and (formula := _DISPLAY_FORMULA.fullmatch(" ".join(lines[start:end]))):
                if formula[1]:
                    self._define(FORMULA, formula[1], scope, _Place(path, start + 1))
                continue
            if single and (formula := _PLAIN_FORMULA.fullmatch(first)):
                self._define(FORMULA, formula[1], scope, _Place(path, start + 1))
                continue
            body = start
            if caption := _TABLE_CAPTION.fullmatch(first):
                if not single and _is_table(lines[start + 1 : end]):
                    self._define(TABLE, caption[1], scope, _Place(path, start + 1))
                    captioned.add(position)
                    body = start + 1
                elif single and position + 1 < len(paragraphs) and _is_table(lines[slice(*paragraphs[position + 1])]):
                    self._define(TABLE, caption[1], scope, _Place(path, start + 1))
                    captioned.add(position + 1)
                    continue
            elif position not in captioned and _is_table(lines[start:end]):
                expected = self._expected(TABLE, scope) if scope is not None else "1"
                self.report.add("table_numbering", path, "unnumbered", line=start + 1, expected=expected)
            self._cite_lines(lines, matters, body, end, path, owner)

    def _cite_lines(self, lines: list[str], matters: list[bool], start: int, end: int, path, owner) -> None:
        for number in range(start, end):
            if matters[number]:
                self._cite(lines[number], _Place(path, number + 1), owner)

    def _expected(self, kind: str, scope: str) -> str:
        return (
            f"{scope}.{self.counts.get((kind, scope), 0) + 1}" if scope else str(self.counts.get((kind, scope), 0) + 1)
        )

    def _define(self, kind: str, number: str | None, scope: str | None, place: _Place) -> None:
        """A figure, table or formula `number` (None: numbered by its position) in `scope`."""
        if scope is None:  # in an annex without a readable letter: taken as written
            if number is not None:
                self.defined[kind].setdefault(number, place)
            return
        expected = self._expected(kind, scope)
        number = expected if number is None else number
        code = f"{kind}_numbering"
        prefix = f"{scope}." if scope else ""
        rest = number[len(prefix) :] if number.startswith(prefix) else ""
        if not rest.isdigit():  # "表 1" in an annex, "表 A.1" in the body or in annex B
            self.report.add(code, place.path, number=number, expected=expected, line=place.line)
            self.defined[kind].setdefault(number, place)
            self.counts[(kind, scope)] = self.counts.get((kind, scope), 0) + 1
            return
        if number in self.defined[kind]:
            self.report.add(code, place.path, "duplicate", number=number, line=place.line)
            return
        if number != expected:
            self.report.add(code, place.path, number=number, expected=expected, line=place.line)
        self.defined[kind][number] = place
        self.counts[(kind, scope)] = int(rest)

    def _cite(self, line: str, place: _Place, owner: str | None) -> None:
        for sentence in _SENTENCE.finditer(line):
            text = sentence.group()
            for match in _FIGURE_TABLE_CITATION.finditer(text):
                if _starts_word(text, match.start(), _WORD_BEFORE):
                    kind = FIGURE if match["kind"] == "图" else TABLE
                    for number in _numbers(match["first"], match["last"]):
                        self.citations.append((kind, number, place))
            for match in _FORMULA_CITATION.finditer(text):
                allowed = _WORD_BEFORE if match["word"] == "公式" else _FORMULA_WORD_BEFORE
                if _starts_word(text, match.start(), allowed, strict=match["word"] == "式"):
                    for number in _numbers(match["first"], match["last"]):
                        self.citations.append((FORMULA, number, place))
            for match in _ANNEX_CITATION.finditer(text):
                if _FOREIGN.search(text[max(0, match.start() - 40) : match.start()]):
                    continue
                part_start = max(
                    (found.end() for found in _CLAUSE_SEPARATOR.finditer(text, 0, match.start())), default=0
                )
                after = _CLAUSE_SEPARATOR.search(text, match.end())
                part = text[part_start : after.start() if after else len(text)]
                self.annex_citations.setdefault(match["letter"], []).append(
                    _AnnexCitation(place, owner, _requires(text), _requires(part))
                )

    def settle(self, annexes: list[_Annex]) -> None:
        """The findings that need the whole document: citations that do not resolve, objects and
        annexes never cited, annexes cited the wrong way."""
        cited: dict[str, set[str]] = {FIGURE: set(), TABLE: set(), FORMULA: set()}
        for kind, number, place in self.citations:
            cited[kind].add(number)
            if number not in self.defined[kind]:
                self.report.add(f"{kind}_citation_unresolved", place.path, number=number, line=place.line)
        for kind, defined in self.defined.items():
            for number, place in defined.items():
                if number not in cited[kind]:
                    self.report.add(f"{kind}_not_cited", place.path, number=number, line=place.line)
        letters = set()
        for annex in annexes:
            letters.add(annex.letter)
            citations = [item for item in self.annex_citations.get(annex.letter, ()) if item.owner != annex.letter]
            path = f"/clauses/{annex.index}/number"
            if not citations:
                self.report.add("annex_not_cited", path, annex=annex.letter, title=annex.title)
            elif annex.kind == "annex_normative":
                if not any(item.requirement for item in citations):
                    first = citations[0].place
                    self.report.add("annex_normative_not_required", first.path, annex=annex.letter, line=first.line)
            else:
                warned = set()
                for item in citations:
                    if item.governed and item.place.path not in warned:
                        warned.add(item.place.path)
                        self.report.add(
                            "annex_informative_as_requirement",
                            item.place.path,
                            annex=annex.letter,
                            line=item.place.line,
                        )
        for letter, citations in self.annex_citations.items():
            if letter not in letters:
                for item in citations:
                    self.report.add("annex_citation_unresolved", item.place.path, annex=letter, line=item.place.line)


def _is_table(lines: list[str]) -> bool:
    return len(lines) >= 2 and lines[0].startswith("|") and any(_TABLE_DELIMITER.fullmatch(line) for line in lines[1:])


def _starts_word(text: str, start: int, allowed: frozenset[str], *, strict: bool = False) -> bool:
    """Whether a citation at `start` begins a word (see the module's decisions) and is not another
    document's."""
    before = text[start - 1] if start else ""
    if before and before not in allowed and (strict or _CJK.match(before) or before.isalnum()):
        return False
    return not _FOREIGN.search(text[max(0, start - 40) : start])


def _numbers(first: str, last: str | None) -> list[str]:
    """The numbers a citation names: one, or a range "A.1"–"A.3" within one scope."""
    if not last:
        return [first]
    prefix, _, low = first.rpartition(".")
    last_prefix, _, high = last.rpartition(".")
    if prefix != last_prefix or not (low.isdigit() and high.isdigit()) or not 0 <= int(high) - int(low) <= 100:
        return [first, last]
    dot = f"{prefix}." if prefix else ""
    return [f"{dot}{value}" for value in range(int(low), int(high) + 1)]


# --- the 前言, the required annexes, term entries ---------------------------------------------------------


def _check_foreword(index: int, text: str, report: Report) -> None:
    flat = _DASHES.sub("-", _SPACES.sub("", unicodedata.normalize("NFKC", text)))
    if not _DRAFTING_RULES.search(flat):
        report.add("foreword_drafting_rules_missing", f"/clauses/{index}/text")


def _check_required_annexes(annexes: list[_Annex], report: Report) -> None:
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
