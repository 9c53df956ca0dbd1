"""Reading a rule's text the way a GB editor reads it, for the checks: Unicode-normalised
(full-width letters, digits, punctuation and spaces), split into sentences that keep their line
numbers, standard numbers found in running text, placeholders ("无", "N/A", "见上") told apart
from content.

PURE: standard library and `workbench.registry.numbers` only.

Decisions worth knowing:
- Normalisation is NFKC (full-width forms and U+3000 become their ASCII forms, "（" "(", "："
  ":", "％" "%", "CO₂" "CO2"), invisible characters dropped, runs of whitespace one space.
  "。" and "、" have no ASCII form and stay.
- A sentence ends at 。 ; ! ? or the end of a line; its line number is the 1-based line of the
  clause text as the editor shows it. A line that starts with "|" is a row of a Markdown table;
  one that starts with "注：", "注 1：", "示例：" is a note or an example (GB/T 1.1—2020 9.3, 9.4:
  informative), and so are its sentences.
- A placeholder is what is left when punctuation and spaces are taken away, lower-cased, being
  empty or one of PLACEHOLDERS. Substance is the number of letters and digits (a Chinese
  character counts one) once punctuation and spaces are taken away.
- Standard numbers in running text: national (GB, GB/T, GB/Z), industry (a code of
  `numbers.INDUSTRY_CODES` with /T or /Z, or without them followed by a space: "SF6" is a gas,
  not 司法 standard 6), local (DB + region), group (T/…), enterprise (Q/…), and ISO/IEC numbers.
  Each candidate is read by `read_reference`; what does not read as a number is not one.
  "GB/T 32151（所有部分）" is the undated reference to every part (GB/T 1.1—2020 9.5.4.2).
- Quantities: a unit is compared by its symbol (吨 = t, 千瓦时 = kWh) and its size in the base unit
  (1 000 kg = 1 t); a data period is read as features (a natural year, N months, N years = 12·N
  months), for `text_checks`.
"""

import re
import unicodedata
from contextlib import suppress
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from workbench.registry import numbers

# Words that contain 应/宜/可 without being a provision. The modal verbs of GB/T 1.1-2020 附录 C
# are 应 (不应, 应该), 宜 (不宜), 可 (可以, 不必); 能/可能 state a possibility, not a permission.
NOT_PROVISIONS = (
    # 应
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
    # 宜
    "事宜",
    "便宜",
    "适宜",
    "宜居",
    "因地制宜",
    "宜宾",
    "宜昌",
    "宜兴",
    "宜春",
    "宜都",
    "宜州",
    "宜城",
    # 可
    "可能",
    "可行",
    "可信",
    "可比",
    "可靠",
    "可追溯",
    "可溯源",
    "可再生",
    "可持续",
    "可回收",
    "可循环",
    "可降解",
    "可控",
    "可视",
    "可见",
    "可量化",
    "可测量",
    "可核查",
    "可核验",
    "可验证",
    "可重复",
    "可获得",
    "可获取",
    "可用性",
    "可操作",
    "可扩展",
    "可燃",
    "认可",
    "许可",
    "不可抗力",
    "尽可能",
    "宁可",
    "可是",
)

# --- normalisation ----------------------------------------------------------------------------------

DASHES = "\u2010-\u2015\u2043\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d-"
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_WHITESPACE = re.compile(r"\s+")
# A dash between the elements of a title: any run of dashes other than a lone hyphen, or a hyphen
# with spaces on both sides ("gases - Carbon"). A hyphen inside a word ("Lithium-ion") stays.
_ELEMENT_DASH = re.compile(r"\s*(?:[\u2012-\u2015\u2212\ufe58\u2e3a\u2e3b]+|-{2,})\s*|\s+[-\u2010\u2011]\s+")
_NOT_CONTENT = re.compile(r"[^\w]|_", re.UNICODE)

PLACEHOLDERS = frozenset(
    {
        "无",
        "暂无",
        "没有",
        "空",
        "略",
        "见上",
        "同上",
        "见下",
        "待定",
        "待补充",
        "待填写",
        "待完善",
        "不适用",
        "无要求",
        "na",
        "none",
        "nil",
        "null",
        "tbd",
        "todo",
        "xxx",
    }
)


_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")


def _half_width(match: re.Match) -> str:
    character = match.group()
    return " " if character == "\u3000" else chr(ord(character) - 0xFEE0)


def _compatibility_characters() -> tuple[re.Pattern, re.Pattern]:
    """(the other characters NFKC changes one by one, the characters that may compose with a
    neighbour), over the blocks
    Chinese text draws on (Latin-1 to CJK symbols, the compatibility and half/full-width forms):
    ₂, ², …, ℃, ①, ㎏. A scan of some 16 000 code points, once, at import."""
    changed, combining = [], []
    for start, end in ((0xA0, 0x3400), (0xF900, 0x10000)):
        for code in range(start, end):
            character = chr(code)
            if unicodedata.combining(character):
                combining.append(character)
            elif unicodedata.normalize("NFKC", character) != character and not _FULL_WIDTH.match(character):
                changed.append(character)
    # Scripts whose letters compose without being combining marks (Indic vowel signs, Hangul jamo)
    # are normalised whole, like combining marks.
    composing = "".join(combining) + "\u0900-\u1fff\u3130-\u318f\ua960-\ud7ff"
    return re.compile(f"[{re.escape(''.join(changed))}]"), re.compile(f"[{composing}]")


_COMPATIBILITY, _COMPOSING = _compatibility_characters()


def _nfkc_character(match: re.Match) -> str:
    return unicodedata.normalize("NFKC", match.group())


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), ten times faster on Chinese text: the full-width forms
    and U+3000 are mapped by a table, the few other characters NFKC changes one by one, and NFKC
    runs on the whole text only when a combining mark may compose with its neighbour."""
    if _COMPOSING.search(text):
        return unicodedata.normalize("NFKC", text)
    return _COMPATIBILITY.sub(_nfkc_character, _FULL_WIDTH.sub(_half_width, text))


def normalise(text: str) -> str:
    """`text` in NFKC, invisible characters dropped, whitespace runs as one space, stripped."""
    return " ".join(_INVISIBLE.sub("", nfkc(text)).split())


def element_dashes(text: str) -> str:
    """`text` (normalised) with the dashes between title elements written as one em dash without
    spaces, as GB English titles print them."""
    return _ELEMENT_DASH.sub("\u2014", text)


def title_key(text: str) -> str:
    """What two titles of one document share however they were typed: normalised, element dashes
    unified, no spaces at all, case folded, without the 《》 of a title written as in running text."""
    key = element_dashes(normalise(text)).replace(" ", "").casefold()
    if key.startswith("《") and key.endswith("》"):
        key = key[1:-1]
    return key


def content(value) -> str:
    """The letters and digits of a string, lower-cased ("" for anything else)."""
    if not isinstance(value, str):
        return ""
    return _NOT_CONTENT.sub("", nfkc(value)).casefold()


def is_placeholder(value) -> bool:
    """Whether `value` says nothing: not a string, empty, punctuation only, or a placeholder."""
    key = content(value)
    return not key or key in PLACEHOLDERS


def substance(value) -> int:
    """How much `value` says: its letters and digits (0 for a placeholder)."""
    return 0 if is_placeholder(value) else len(content(value))


# --- sentences --------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[。;!?])")


class Sentence(NamedTuple):
    text: str  # normalised
    line: int  # 1-based line of the clause text
    table: bool = False  # a row of a Markdown table
    note: bool = False  # in a note or an example ("注：", "注 1：", "示例：")


# A note or an example of GB/T 1.1—2020 9.3/9.4: a paragraph that starts "注：", "注 1：", "示例：",
# "示例 2：" (normalised, so the colon is ASCII); informative, never a provision.
NOTE = re.compile(r"(?:注|示例) ?[0-9]* ?:")


def is_note(line: str) -> bool:
    """Whether a normalised line is a note or an example."""
    return NOTE.match(line) is not None


def lines(text: str) -> list[tuple[int, str]]:
    """(1-based number, normalised text) of the lines of a clause text that are not blank."""
    found = []
    for number, line in enumerate(_INVISIBLE.sub("", nfkc(text)).split("\n"), start=1):
        tidy = " ".join(line.split())
        if tidy:
            found.append((number, tidy))
    return found


def split_sentences(numbered_lines: list[tuple[int, str]]) -> list[Sentence]:
    """The sentences of normalised lines, each with its line."""
    found = []
    for number, line in numbered_lines:
        if line.startswith("|"):
            found.append(Sentence(line, number, True))
            continue
        note = is_note(line)
        if not any(end in line[:-1] for end in "。;!?"):
            found.append(Sentence(line, number, note=note))
        else:
            for part in _SENTENCE_END.split(line):
                part = part.strip()
                if part:
                    found.append(Sentence(part, number, note=note))
    return found


def sentences(text: str) -> list[Sentence]:
    """The sentences of a clause text, each with its line."""
    return split_sentences(lines(text))


@dataclass
class ClauseText:
    """One clause as the text checks read it; its sentences are split once, when first asked."""

    index: int
    kind: str
    number: str
    title: str
    text: str
    _lines: list[tuple[int, str]] | None = field(default=None, repr=False)
    _sentences: list[Sentence] | None = field(default=None, repr=False)

    @property
    def path(self) -> str:
        return f"/clauses/{self.index}/text"

    @property
    def name(self) -> str:
        """How a message names the clause: its number and its title in quotation marks
        ("5.4“数据时间范围”", "“前言”"); quoted, because the title is the document's own words and
        stays Chinese in an English message."""
        title = f"“{self.title}”" if self.title else ""
        return f"{self.number}{title}" or self.kind

    def mentions(self, hint: tuple[str, ...] | re.Pattern) -> bool:
        """Whether the raw text has one of the `hint` words (or matches a `hint` pattern), in
        either width: a check reads the sentences of the clauses that may concern it only."""
        if isinstance(hint, re.Pattern):
            return hint.search(self.text) is not None
        return any(word in self.text for word in hint)

    @property
    def lines(self) -> list[tuple[int, str]]:
        """(number, normalised text) of the lines that are not blank."""
        if self._lines is None:
            self._lines = lines(self.text)
        return self._lines

    @property
    def sentences(self) -> list[Sentence]:
        if self._sentences is None:
            self._sentences = split_sentences(self.lines)
        return self._sentences


def read_clauses(document: dict) -> list[ClauseText]:
    """The clauses of `document` that have a kind and a text; the rest is left to the schema."""
    clauses = document.get("clauses") if isinstance(document, dict) else None
    found = []
    for index, clause in enumerate(clauses if isinstance(clauses, list) else []):
        if not isinstance(clause, dict):
            continue
        kind, text = clause.get("kind"), clause.get("text")
        if isinstance(kind, str) and isinstance(text, str):
            number = clause.get("number") if isinstance(clause.get("number"), str) else ""
            title = clause.get("title") if isinstance(clause.get("title"), str) else ""
            found.append(ClauseText(index, kind, number.strip(), title.strip(), text))
    return found


# Where a standard number may be: two capital letters, or one and a slash, in either width.
NUMBER_HINT = re.compile("[A-ZＡ-Ｚ][A-ZＡ-Ｚ/／]")


# --- standard numbers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    designation: str  # without the year: "GB/T 24067", "ISO 14067"
    year: int | None  # None: undated
    key: str | None  # registry key of a dated Chinese number

    @property
    def identity(self) -> tuple[str, int | None]:
        return (self.designation, self.year)


class UnreadableInternational(ValueError):
    """An international number (ISO, IEC, ITU) that does not read as one."""


_INTERNATIONAL_PREFIX = re.compile(r"(?:ISO|IEC|ITU)\b", re.IGNORECASE)
_INTERNATIONAL = re.compile(
    r"((?:ISO|IEC|ITU-[TR])(?:/(?:IEC|IEEE|ASTM|TS|TR|PAS))*(?: (?:TS|TR|PAS|Guide))? [A-Z]?\.?[0-9]+(?:[-.][0-9]+)*)"
    r"(?::([0-9]{4}))?((?:/(?:Amd|Cor) ?[0-9]+:[0-9]{4})*)",
    re.IGNORECASE,
)


# "GB/T 32151（所有部分）": every part of a document, undated (GB/T 1.1—2020 9.5.4.2)
ALL_PARTS_WORD = "(所有部分)"
_ALL_PARTS = re.compile(r"(?P<number>.+?) ?\(所有部分\)")


def read_reference(text: str) -> Reference:
    """The number of a reference; raises numbers.InvalidNumber or UnreadableInternational when
    unreadable. "GB/T 24067" without a year is undated, told apart from an invalid number by
    parsing it again with a placeholder year; international numbers are dated by ":year".
    "GB/T 32151（所有部分）" is the undated reference to all parts, read as "GB/T 32151"."""
    tidy = normalise(text)
    all_parts = _ALL_PARTS.fullmatch(tidy)
    if all_parts:
        with suppress(ValueError):  # otherwise refused as the number it is
            reference = read_reference(all_parts["number"])
            if reference.year is None:
                return reference
    if _INTERNATIONAL_PREFIX.match(tidy):
        match = _INTERNATIONAL.fullmatch(tidy)
        if not match:
            raise UnreadableInternational(text)
        return Reference(match[1].upper(), int(match[2]) if match[2] else None, None)
    try:
        parsed = numbers.parse(text)
    except numbers.InvalidNumber as error:
        if error.template != numbers.MISSING_YEAR:
            raise
        try:  # valid but for the missing year?
            parsed = numbers.parse(f"{text.rstrip()}-2000")
        except ValueError:
            raise error from None
        return Reference(parsed.designation, None, None)
    return Reference(parsed.designation, parsed.year, parsed.key)


def printed(reference: Reference) -> str:
    """A reference as GB/T 1.1 prints it: GB/T 24067—2024, ISO 14067:2018, GB/T 24040."""
    if reference.year is None:
        return reference.designation
    separator = ":" if _INTERNATIONAL_PREFIX.match(reference.designation) else "\u2014"
    return f"{reference.designation}{separator}{reference.year}"


_INDUSTRY = "|".join(sorted(numbers.INDUSTRY_CODES))
_NUMBER_IN_TEXT = re.compile(
    r"(?<![A-Za-z0-9/.])(?:"
    # Chinese numbers: the code, the sequence with its parts, the year after a dash
    r"(?:GB(?:/[TZ])?|(?:" + _INDUSTRY + r")/[TZ]|(?:" + _INDUSTRY + r")(?= )"
    r"|DB[0-9]{2}(?:[0-9]{2})?/T?|T/[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*|Q/[A-Z0-9]+(?:-[A-Z0-9]+)*)"
    r" ?[0-9]+(?:\.[0-9]+)*(?: ?[" + DASHES + r"]+ ?[0-9]{4})?"
    # international numbers
    r"|(?:ISO|IEC)(?:/(?:IEC|IEEE|ASTM|TS|TR|PAS))*(?: (?:TS|TR|PAS|Guide))? [0-9]+(?:-[0-9]+)*(?::[0-9]{4})?"
    r")(?![0-9])"
)
_NUMBER_QUICK = re.compile("[A-Z][A-Z/][^0-9]{0,12}[0-9]")  # what every number in the text has
# What names a part of a cited document right after its number: "的 5.2", "第 5 章", "，3.1",
# "表 1", "附录 A", "A.2".
_SPECIFIC_PART = re.compile(
    r" ?(?:, ?)?(?:中的|规定的|的|中|之)? ?"
    r"(第 ?[0-9]+(?:\.[0-9]+)* ?[章条]|[0-9]+(?:\.[0-9]+)+|[0-9]+ ?章|[表图] ?[A-Z]?\.?[0-9]+"
    r"|附录 ?[A-Z](?![A-Za-z])|[A-Z]\.[0-9]+(?:\.[0-9]+)*)"
)


@dataclass(frozen=True)
class Cited:
    reference: Reference
    written: str  # as the text writes it (normalised)
    part: str  # the clause, table or annex cited right after the number, "" for none


@lru_cache(maxsize=2048)
def _number_in_text(written: str) -> Reference | None:
    try:
        return read_reference(written)
    except ValueError:  # InvalidNumber and UnreadableInternational are ValueErrors
        return None


def cited_numbers(text: str) -> list[Cited]:
    """The standard numbers a normalised sentence or line cites, in order."""
    if _NUMBER_QUICK.search(text) is None:
        return []
    found = []
    for match in _NUMBER_IN_TEXT.finditer(text):
        reference = _number_in_text(match.group(0))
        if reference is None:
            continue
        part = _SPECIFIC_PART.match(text, match.end())
        found.append(Cited(reference, match.group(0), part.group(1) if part else ""))
    return found


def leading_number(line: str) -> tuple[Cited, str] | None:
    """(the number, the rest) when a normalised line starts with a standard number, as the
    entries of the list of normative references do ("GB/T 24067—2024 温室气体 …")."""
    line = re.sub(r"^(?:[-*+] |[0-9]+[.)] )", "", line)
    match = _NUMBER_IN_TEXT.match(line)
    if match is None:
        return None
    try:
        reference = read_reference(match.group(0))
    except ValueError:
        return None
    rest = line[match.end() :].strip()
    if reference.year is None and rest.startswith(ALL_PARTS_WORD):
        rest = rest[len(ALL_PARTS_WORD) :].strip()
    return Cited(reference, match.group(0), ""), rest


# --- quantities: units and periods ------------------------------------------------------------------

_UNIT_NAMES = {
    "吨": "t",
    "千克": "kg",
    "公斤": "kg",
    "克": "g",
    "千瓦时": "kwh",
    "度": "kwh",
    "kw·h": "kwh",
    "kw h": "kwh",
    "兆瓦时": "mwh",
    "平方米": "m2",
    "m²": "m2",
    "立方米": "m3",
    "m³": "m3",
    "米": "m",
}
# Units that are a multiple of another (compared in the base unit: 1 000 kg is 1 t)
_UNIT_SCALE = {"t": ("kg", 1000.0), "g": ("kg", 0.001), "mwh": ("kwh", 1000.0), "wh": ("kwh", 0.001)}


def _unit_symbol(unit: str) -> str:
    tidy = normalise(unit).casefold()
    return _UNIT_NAMES.get(tidy, tidy)


def in_base_unit(quantity: float, unit: str) -> tuple[float, str]:
    """(`quantity` in the base unit, the base unit's symbol): 1 000 kg and 1 t are (1000.0, "kg")."""
    symbol = _unit_symbol(unit)
    base, factor = _UNIT_SCALE.get(symbol, (symbol, 1.0))
    return round(quantity * factor, 9), base


_NATURAL_YEAR = re.compile(r"自然年|日历年|公历年|完整年度|1 ?月 ?1 ?日 ?(?:至|到|~|-|—) ?12 ?月 ?31 ?日")
_CHINESE_NUMERALS = "一二三四五六七八九十"
_MONTHS = re.compile(r"([0-9]+|[一二三四五六七八九十]+) ?个月")
_YEARS = re.compile(r"(?:连续|最近|近)([0-9]+|[一二三四五六七八九十]+) ?个?年(?!度)")


def _count(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CHINESE_NUMERALS.index(text[1]) + 1
    if text.endswith("十"):
        return 10 * (_CHINESE_NUMERALS.index(text[0]) + 1)
    if len(text) == 3 and text[1] == "十":
        return 10 * (_CHINESE_NUMERALS.index(text[0]) + 1) + _CHINESE_NUMERALS.index(text[2]) + 1
    return _CHINESE_NUMERALS.index(text[0]) + 1 if len(text) == 1 else 0


def period_features(text: str) -> set[str]:
    """What a statement of the data period says: "natural_year", "months:N" (N years count as
    12·N months too)."""
    features = set()
    if _NATURAL_YEAR.search(text):
        features.add("natural_year")
    for match in _MONTHS.finditer(text):
        features.add(f"months:{_count(match.group(1))}")
    for match in _YEARS.finditer(text):
        years = _count(match.group(1))
        features.update({f"years:{years}", f"months:{12 * years}"})
    return features
