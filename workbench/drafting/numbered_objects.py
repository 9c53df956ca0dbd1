"""Figures, tables and formulas in a rule's text, their numbers and the citations of them and of
the annexes (GB/T 1.1—2020 9.6–9.9), read for `structure_checks`. PURE: standard library and the
check report only.

`Reader.read` takes one clause text (or term definition) at a time, in document order, and
reports what a line shows by itself (a number out of sequence, an unnumbered table, an image that
was not uploaded); `Reader.settle` reports what needs the whole document (citations that do not
resolve, objects and annexes never cited, annexes cited the wrong way).

Decisions worth knowing:
- Annex citations: "附录A" anywhere outside annex A's own text (its head and its sub-clauses),
  including the 前言 and other annexes, where GB/T 1.1 lets an annex be pointed to. "附录A" right
  after another document's number or title ("GB/T 24067—2024 附录B", "《…》的附录B") is that
  document's annex and does not count. A normative annex needs at least one citing sentence with
  应 (a requirement); an informative annex gets a warning when 应 governs the citation itself:
  the comma-delimited part of the sentence holding "附录B" has 应 ("报告的编写应符合 GB/T 24067
  的规定，报告格式见附录B" is fine, "报告应按附录B编写" is not). Words like 相应、对应、供应、
  应用 are not 应.
- Figures: a paragraph of its own `![caption](figure:id)`, numbered by order of appearance (图 1
  … in the body, 图 A.1 … in annex A); the id must be one of the top-level `figures`. A 1.0
  plain-text caption line "图 1　标题" (number, then a full-width space or two spaces, then the
  title) also defines figure 1 with the number written.
- Tables: a Markdown pipe table (a header row and a |---| delimiter row) whose caption is the
  paragraph just before it (or its first line), "表 1 标题" / "表 A.1 标题"; a "单位为…" line may
  stand between the caption and the table (GB/T 1.1—2020 9.8). "表 A.3（续）" heads the rest of
  table A.3 and numbers nothing. A pipe table without a caption is an unnumbered table (error). A
  "表 1 …" paragraph not followed by a table is text.
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
  number or title is that document's and is skipped, and so is one joined to it by 和/及/与/或/、
  ("GB/T 24067—2024 的 6.3 和附录D", "…的表 3 和表 4"). A list of formula numbers "公式（3）、
  （4）" cites each. A citation that does not resolve is an error; a figure or table never cited,
  and a numbered formula never cited, a warning (the text stays usable; someone should decide).
- Places: /clauses/<i>/text or /terms/<i>/definition, the 1-based line in the `line` parameter
  and the clause named in the message ("5.2“系统边界” 第 3 行", as the text checks name it; a term
  entry as "3.4“系统边界”").
"""

import re
import unicodedata
from dataclasses import dataclass, field

from workbench.drafting.check_report import Report
from workbench.drafting.clause_text import NOT_PROVISIONS

# 应 inside a word of NOT_PROVISIONS is not the modal verb of a requirement
_MODAL = re.compile("|".join(sorted(NOT_PROVISIONS, key=len, reverse=True)) + "|(?P<modal>应)")

_NUMBER = r"(?:[A-Z]\.)?[0-9]+"
_FIGURE_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*figure:([^)\s]+)\s*\)")
_FIGURE_CAPTION = re.compile(rf"图 ?({_NUMBER})\s{{2,}}(\S.*)")  # 1.0: 图 1　标题
_TABLE_CAPTION = re.compile(rf"表 ?({_NUMBER})(?:\s+.*)?")
_TABLE_CONTINUED = re.compile(rf"表 ?({_NUMBER}) ?\(续\)")  # the caption of a table continued
_TABLE_UNIT = re.compile(r"单位(?:为|:|：) ?\S.*")  # "单位为千克" between a table's caption and the table
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
_FORMULA_MORE = re.compile(rf" ?(?:、|和|及|与|或|以及) ?\( ?({_NUMBER}) ?\)")  # "公式（3）、（4）"
_ANNEX_CITATION = re.compile(r"附录 ?(?P<letter>[A-Z])(?![A-Za-z])")
_SENTENCE = re.compile(r"[^。;!?]+[。;!?]?")
_CLAUSE_SEPARATOR = re.compile(r"[,:，：]")
# another document's number or title right before a citation: its annex, table or figure
_FOREIGN_PART = (
    r"(?:第 ?[0-9]+(?:\.[0-9]+)* ?[章条]|[0-9]+(?:\.[0-9]+)+|[0-9]+ ?章|[表图] ?(?:[A-Z]\.)?[0-9]+(?:\.[0-9]+)*"
    r"|附录 ?[A-Z]|[A-Z]\.[0-9]+(?:\.[0-9]+)*|公?式 ?\([A-Z0-9.]+\))"
)
_FOREIGN = re.compile(
    r"(?:》|[A-Z][A-Z/]* ?[0-9]+(?:\.[0-9]+)*(?: ?[-—―–:] ?[0-9]{4})?) ?(?:中的|的|中)? ?"
    rf"(?:{_FOREIGN_PART} ?(?:和|及|与|以及|或|、) ?)*$"  # "GB/T 24067—2024 的 6.3 和附录D": its annex too
)
_CJK = re.compile("[\u3400-\u9fff]")
_WORD_BEFORE = frozenset("见按和与及或至由在用于从如依据照同将把对是为的入中")
_FORMULA_WORD_BEFORE = frozenset("见按和与及或至由用据入")
_MAY_MATTER = re.compile(r"[图表=＝]|式\s*[(（]|附录|figure:|^\s*(?:\$\$|[|｜])", re.MULTILINE)

FIGURE, TABLE, FORMULA = "figure", "table", "formula"


def normal(line: str) -> str:
    """NFKC, with a full-width space read as two spaces (it separates a caption's number from its
    title, and a formula from its number)."""
    return unicodedata.normalize("NFKC", line.replace("\u3000", "  "))


def requires(sentence: str) -> bool:
    return any(match.group("modal") for match in _MODAL.finditer(sentence))


@dataclass
class Annex:
    letter: str
    index: int
    kind: str
    title: str


@dataclass
class _Place:
    path: str
    line: int
    clause: str = ""  # how a message names the clause: "5.2“系统边界”"


@dataclass
class _AnnexCitation:
    place: _Place
    owner: str | None  # the annex whose text holds the citation
    requirement: bool  # the sentence has 应
    governed: bool  # the part of the sentence holding the citation has 应


@dataclass
class Reader:
    report: Report
    figure_ids: set[str]
    defined: dict[str, dict[str, _Place]] = field(default_factory=lambda: {FIGURE: {}, TABLE: {}, FORMULA: {}})
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    citations: list[tuple[str, str, _Place]] = field(default_factory=list)
    annex_citations: dict[str, list[_AnnexCitation]] = field(default_factory=dict)
    where: str = ""  # the clause being read, as messages name it

    def read(self, text: str, path: str, where: str, scope: str | None, owner: str | None) -> None:
        # Only lines that may hold a caption, formula, table row or citation are read further and
        # normalised: NFKC costs about a microsecond a character, more than everything else here.
        if not _MAY_MATTER.search(text):
            return
        self.where = where
        raw = text.split("\n")
        matters = [_MAY_MATTER.search(line) is not None for line in raw]
        lines = [normal(line).strip() if matter else line.strip() for line, matter in zip(raw, matters, strict=True)]
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
                self._define(FIGURE, None, scope, _Place(path, start + 1, self.where))
                if image[2] not in self.figure_ids:
                    self.report.add("figure_object_missing", path, id=image[2], line=start + 1, clause=where)
                continue
            if single and (caption := _FIGURE_CAPTION.fullmatch(first)) and "。" not in caption[2]:
                self._define(FIGURE, caption[1], scope, _Place(path, start + 1, self.where))
                continue
            if first.startswith("$$") and (formula := _DISPLAY_FORMULA.fullmatch(" ".join(lines[start:end]))):
                if formula[1]:
                    self._define(FORMULA, formula[1], scope, _Place(path, start + 1, self.where))
                continue
            if single and (formula := _PLAIN_FORMULA.fullmatch(first)):
                self._define(FORMULA, formula[1], scope, _Place(path, start + 1, self.where))
                continue
            body = start
            if _TABLE_CONTINUED.fullmatch(first):  # "表 A.3（续）": the rows go on under the same number
                if not single:
                    continue
                table = self._table_after(lines, paragraphs, position)
                if table is not None:
                    captioned.add(table)
                    continue
            if caption := _TABLE_CAPTION.fullmatch(first):
                unit = 1 if not single and _TABLE_UNIT.fullmatch(lines[start + 1]) else 0
                if not single and _is_table(lines[start + 1 + unit : end]):
                    self._define(TABLE, caption[1], scope, _Place(path, start + 1, self.where))
                    captioned.add(position)
                    body = start + 1 + unit
                elif single and (table := self._table_after(lines, paragraphs, position)) is not None:
                    self._define(TABLE, caption[1], scope, _Place(path, start + 1, self.where))
                    captioned.add(table)
                    continue
            elif position not in captioned and _is_table(lines[start:end]):
                expected = self._expected(TABLE, scope) if scope is not None else "1"
                self.report.add("table_numbering", path, "unnumbered", line=start + 1, expected=expected, clause=where)
            self._cite_lines(lines, matters, body, end, path, owner)

    @staticmethod
    def _table_after(lines: list[str], paragraphs: list[tuple[int, int]], position: int) -> int | None:
        """The position of the table paragraph that a one-line caption at `position` heads: the next
        paragraph, or the one after a "单位为…" line; None when no table follows."""
        following = position + 1
        if following < len(paragraphs):
            start, end = paragraphs[following]
            if end - start == 1 and _TABLE_UNIT.fullmatch(lines[start]):
                following += 1
        if following < len(paragraphs) and _is_table(lines[slice(*paragraphs[following])]):
            return following
        return None

    def _cite_lines(self, lines: list[str], matters: list[bool], start: int, end: int, path, owner) -> None:
        for number in range(start, end):
            if matters[number]:
                self._cite(lines[number], _Place(path, number + 1, self.where), owner)

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
            self.report.add(code, place.path, number=number, expected=expected, line=place.line, clause=place.clause)
            self.defined[kind].setdefault(number, place)
            self.counts[(kind, scope)] = self.counts.get((kind, scope), 0) + 1
            return
        if number in self.defined[kind]:
            self.report.add(code, place.path, "duplicate", number=number, line=place.line, clause=place.clause)
            return
        if number != expected:
            self.report.add(code, place.path, number=number, expected=expected, line=place.line, clause=place.clause)
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
                    position = match.end()
                    while more := _FORMULA_MORE.match(text, position):
                        self.citations.append((FORMULA, more[1], place))
                        position = more.end()
            for match in _ANNEX_CITATION.finditer(text):
                if _FOREIGN.search(text[max(0, match.start() - 40) : match.start()]):
                    continue
                part_start = max(
                    (found.end() for found in _CLAUSE_SEPARATOR.finditer(text, 0, match.start())), default=0
                )
                after = _CLAUSE_SEPARATOR.search(text, match.end())
                part = text[part_start : after.start() if after else len(text)]
                self.annex_citations.setdefault(match["letter"], []).append(
                    _AnnexCitation(place, owner, requires(text), requires(part))
                )

    def settle(self, annexes: list[Annex]) -> None:
        """The findings that need the whole document: citations that do not resolve, objects and
        annexes never cited, annexes cited the wrong way."""
        cited: dict[str, set[str]] = {FIGURE: set(), TABLE: set(), FORMULA: set()}
        for kind, number, place in self.citations:
            cited[kind].add(number)
            if number not in self.defined[kind]:
                self.report.add(
                    f"{kind}_citation_unresolved", place.path, number=number, line=place.line, clause=place.clause
                )
        for kind, defined in self.defined.items():
            for number, place in defined.items():
                if number not in cited[kind]:
                    self.report.add(
                        f"{kind}_not_cited", place.path, number=number, line=place.line, clause=place.clause
                    )
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
                    self.report.add(
                        "annex_normative_not_required",
                        first.path,
                        annex=annex.letter,
                        line=first.line,
                        clause=first.clause,
                    )
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
                            clause=item.place.clause,
                        )
        for letter, citations in self.annex_citations.items():
            if letter not in letters:
                for item in citations:
                    self.report.add(
                        "annex_citation_unresolved",
                        item.place.path,
                        annex=letter,
                        line=item.place.line,
                        clause=item.place.clause,
                    )


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
