"""A rule revision as the document a standards committee signs (GB/T 1.1—2020 layout): the pure
core that the HTML, PDF, Word and Markdown outputs share, so the four can never disagree.

Pure: markdown-it, Jinja2-free, no Flask, no database. `build(document, meta)` gives a
`RuleDocument`: the cover, the contents (目次) and the sections, each with its Markdown parsed
once into tokens. The renderers walk the same tokens.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from datetime import date

from markdown_it.token import Token
from markupsafe import escape

from workbench.drafting.stages import DRAFTING, STAGES
from workbench.markdown import PUBLISHED_LINKS, renderer

PUBLICATION_KEY = "publication"
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
}


class RenderError(RuntimeError):
    """A rule that cannot be rendered; the message says which output and why."""


PLACEHOLDER_DATE = "XXXX-XX-XX"

# Cover wording by level (GB/T 1.1—2020 and the level's own rules): the heading, the mark printed
# large at the top right, the number shown before one is assigned, and who issues it.
LEVELS = {
    "national": ("中华人民共和国国家标准", "GB/T", "GB/T XXXXX—XXXX", ("国家市场监督管理总局", "国家标准化管理委员会")),
    "industry": ("中华人民共和国行业标准", "", "XX/T XXXX—XXXX", ()),
    "local": ("地方标准", "DB", "DBXX/T XXXX—XXXX", ()),
    "group": ("团体标准", "T/", "T/XXX XXX—XXXX", ()),
    "enterprise": ("企业标准", "Q/", "Q/XXX XXX—XXXX", ()),
}
# GB/T 1.1—2020 asks drafts sent out for comment or review to carry this request on the cover.
PATENT_NOTICE = "在提交反馈意见时，请将您知道的相关专利连同支持性文件一并附上。"

_parser = renderer(PUBLISHED_LINKS)
# 「CFP = … ÷ Q　　（1）」: an expression followed by its number in full-width brackets.
_FORMULA = re.compile(
    r"^(?P<expression>.*[=＝].*?)[\s\u3000]+[（(](?P<number>[0-9]+(?:[.．][0-9]+)?|[A-Z]\.[0-9]+)[)）]$"
)
_CAPTION = re.compile(r"^(表|图)\s*([A-Z]\.)?[0-9]+[\s\u3000]")
_NOTE = re.compile(r"^注[0-9]*[:：\s\u3000]")
_ITEM = re.compile(r"^([a-z]|[0-9]{1,2})\)\s")  # a) b) … and 1) 2) …, the list items of GB/T 1.1
_WHERE = re.compile(r"^[^\s——]{1,40}\s*——")  # "CFP ——…": an explanation under a formula (式中)
# Spaces a line must not break at, nor a justified line stretch: inside a standard's number
# ("GB/T 24067—2024"), between a number and its unit ("1 t", "5 %"), and after 表/图/公式 ("表 1").
_NO_BREAK = [
    (re.compile(r"\b(GB/[TZ]|GB|ISO|IEC|HJ|JJF|DB[0-9]{2,6}/T|T/[A-Z]+|Q/[A-Z0-9]+) (?=[0-9])"), "\\1\u00a0"),
    (re.compile(r"(?<=[0-9]) (?=(t|kg|g|kWh|MWh|GJ|MJ|km|m|L|%|h|a)\b)"), "\u00a0"),
    (re.compile(r"(表|图|公式|附录) (?=[A-Z0-9（(])"), "\\1\u00a0"),
]
# How each mark shows in HTML (the Word writer has its own styles for them).
BLOCK_CLASSES = {
    "formula": "formula",
    "caption": "caption",
    "note": "note",
    "lead": "lead-in",
    "item": "item",
    "where": "where",
}


@dataclass(frozen=True)
class Meta:
    """Where the rule stands, which the cover shows and the rule text does not hold."""

    stage: str = DRAFTING
    standard_number: str = ""
    draft_date: str = ""  # ISO date of this draft
    published_on: str | None = None
    implemented_on: str | None = None
    level: str = "national"
    issuers: tuple[str, ...] = ()
    rule: str = ""  # the workbench's rule code
    revision: int | None = None
    revision_id: int | None = None

    @property
    def stage_label(self) -> str:
        """征求意见稿, 送审稿, …; a published standard is just the standard."""
        return STAGES[self.stage].document if self.stage in STAGES else ""

    @property
    def published(self) -> bool:
        return self.stage in STAGES and STAGES[self.stage].published

    @classmethod
    def from_publication(cls, block: dict | None) -> "Meta":
        """The meta a published rule.json records, so `workbench render` of a published file
        prints the same cover; a draft without one renders as a working draft."""
        if not isinstance(block, dict):
            return cls()
        known = {name for name in cls.__dataclass_fields__}
        values = {key: value for key, value in block.items() if key in known}
        values["issuers"] = tuple(values.get("issuers") or ())
        return cls(**values)

    def publication(self, document: dict) -> dict:
        """The block a published rule.json carries (see the schema's "publication")."""
        block = {
            "rule": self.rule,
            "revision": self.revision,
            "revision_id": self.revision_id,
            "stage": self.stage,
            "stage_label": self.stage_label,
            "level": self.level,
            "standard_number": self.standard_number,
            "draft_date": self.draft_date or None,
            "published_on": self.published_on,
            "implemented_on": self.implemented_on,
            "issuers": list(self.issuers),
            "checksum": checksum(document),
        }
        return {key: value for key, value in block.items() if value not in (None, "")}


def checksum(document: dict) -> str:
    """SHA-256 of the rule without its publication block, keys sorted, compact UTF-8: two files
    with the same rule have the same checksum, however they were indented."""
    rule = {key: value for key, value in document.items() if key != PUBLICATION_KEY}
    canonical = json.dumps(rule, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Cover:
    ics: str
    ccs: str
    heading: str  # 中华人民共和国国家标准
    mark: str  # GB/T
    designation: str  # the standard number, or its placeholder before one is assigned
    title: str
    title_en: str
    stage_label: str  # "" for a published standard
    draft_date: str
    published_on: str
    implemented_on: str
    issuers: tuple[str, ...]
    patent_notice: str

    @property
    def running_head(self) -> str:
        """What every page's header shows: the number, with the stage on a draft."""
        return f"{self.designation}（{self.stage_label}）" if self.stage_label else self.designation


@dataclass(frozen=True)
class Section:
    id: str
    kind: str
    number: str
    title: str
    level: int  # 1 for a chapter, 前言 or an annex; 2 for 5.1; 3 for 5.1.1
    tokens: list[Token] = field(repr=False)
    anchors: tuple[str, ...] = ()  # term ids defined in this section

    @property
    def is_annex(self) -> bool:
        return self.kind.startswith("annex")

    @property
    def annex_nature(self) -> str:
        return {"annex_normative": "（规范性）", "annex_informative": "（资料性）"}.get(self.kind, "")

    @property
    def is_front(self) -> bool:
        """前言 and 引言 are unnumbered and paged in Roman numerals."""
        return self.kind in ("foreword", "introduction")

    @property
    def heading(self) -> str:
        if self.is_annex or not self.number:
            return self.title
        return f"{self.number}\u3000{self.title}"


@dataclass(frozen=True)
class ContentsEntry:
    target: str
    label: str
    level: int


@dataclass(frozen=True)
class RuleDocument:
    cover: Cover
    contents: list[ContentsEntry]
    sections: list[Section]
    meta: Meta
    checksum: str
    source: dict = field(repr=False, compare=False, default_factory=dict)  # the rule it was built from
    language: str = "zh-CN"

    @property
    def front(self) -> list[Section]:
        return [section for section in self.sections if section.is_front]

    @property
    def body(self) -> list[Section]:
        return [section for section in self.sections if not section.is_front]


def build(document: dict, meta: Meta | None = None, today: date | None = None) -> RuleDocument:
    """The committee document for a schema-valid rule `document` at `meta`'s stage."""
    meta = meta or Meta.from_publication(document.get(PUBLICATION_KEY))
    if not meta.draft_date and not meta.published:
        meta = replace(meta, draft_date=(today or date.today()).isoformat())
    sections = [_section(clause, document) for clause in document["clauses"]]
    return RuleDocument(
        cover=_cover(document, meta),
        contents=[
            ContentsEntry(section.id, _contents_label(section), min(section.level, 2))
            for section in sections
            if section.level <= 2
        ],
        sections=sections,
        meta=meta,
        checksum=checksum(document),
        source=document,
    )


def _cover(document: dict, meta: Meta) -> Cover:
    heading, mark, placeholder, issuers = LEVELS.get(meta.level, LEVELS["national"])
    number = meta.standard_number.strip()
    if number:
        mark = re.split(r"[\s0-9]", number, maxsplit=1)[0] or mark
    front = document.get("front_matter", {})
    published = meta.published
    return Cover(
        ics=front.get("ics", ""),
        ccs=front.get("ccs", ""),
        heading=heading,
        mark=mark,
        designation=number or placeholder,
        title=document["title"],
        title_en=document.get("title_en", ""),
        stage_label="" if published else meta.stage_label,
        draft_date="" if published else meta.draft_date,
        published_on=_cover_date(meta.published_on),
        implemented_on=_cover_date(meta.implemented_on),
        issuers=tuple(meta.issuers) or issuers,
        patent_notice=PATENT_NOTICE if meta.stage in STAGES and STAGES[meta.stage].patent_notice else "",
    )


def _cover_date(value: str | None) -> str:
    return value or PLACEHOLDER_DATE


def _contents_label(section: Section) -> str:
    if section.is_annex:
        return f"{section.number}{section.annex_nature}\u3000{section.title}"
    return section.heading


def _level(clause: dict) -> int:
    number = clause["number"]
    if clause["kind"].startswith("annex") or not number:
        return 1
    return number.count(".") + 1


def _section(clause: dict, document: dict) -> Section:
    anchors = tuple(term["id"] for term in document.get("terms", [])) if clause["kind"] == "terms" else ()
    return Section(
        id=clause["id"],
        kind=clause["kind"],
        number=clause["number"],
        title=clause["title"],
        level=_level(clause),
        tokens=parse(clause["text"]),
        anchors=anchors,
    )


def parse(text: str) -> list[Token]:
    """Tokens of a clause's Markdown, with GB/T 1.1 blocks marked on the paragraph's open and
    close tokens: a formula gets meta {"formula": number} and its expression alone as text; a
    table or figure caption {"caption": True}; a note {"note": True}."""
    tokens = _parser.parse(text or "")
    for position, token in enumerate(tokens):
        if token.type != "paragraph_open" or token.hidden:
            continue
        inline, closing = tokens[position + 1], tokens[position + 2]
        content = inline.content.strip()
        formula = _FORMULA.match(content)
        if formula and all(child.type in ("text", "softbreak") for child in inline.children or []):
            token.meta = {"formula": formula.group("number")}
            inline.children = [_text(formula.group("expression").strip())]
        elif _CAPTION.match(content):
            token.meta = {"caption": True}
        elif _NOTE.match(content):
            token.meta = {"note": True}
        elif _is_lead_in(inline.children or []):
            token.meta = {"lead": True}  # "**B.1　基本信息**", "**3.1**": a heading-like line kept with what follows
        elif _ITEM.match(content):
            token.meta = {"item": True}
        elif _WHERE.match(content):
            token.meta = {"where": True}
        closing.meta = token.meta
    for token in tokens:
        for child in token.children or []:
            if child.type == "text":
                child.content = _keep_together(child.content)
    return tokens


def _is_lead_in(children: list[Token]) -> bool:
    kinds = [child.type for child in children if not (child.type == "text" and not child.content.strip())]
    return (
        len(kinds) >= 3 and kinds[0] == "strong_open" and kinds[-1] == "strong_close" and "strong_open" not in kinds[1:]
    )


def _keep_together(text: str) -> str:
    for pattern, replacement in _NO_BREAK:
        text = pattern.sub(replacement, text)
    return text


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def html(tokens: list[Token]) -> str:
    """HTML of parsed clause tokens, the GB/T 1.1 blocks with their classes."""
    return _parser.renderer.render(tokens, _parser.options, {})


def _paragraph_open(tokens, index, options, env):
    meta = tokens[index].meta or {}
    if tokens[index].hidden:
        return ""
    if "formula" in meta:
        return '<p class="formula"><span class="expression">'
    if meta:
        return f'<p class="{BLOCK_CLASSES[next(iter(meta))]}">'
    return "<p>"


def _paragraph_close(tokens, index, options, env):
    meta = tokens[index].meta or {}
    if tokens[index].hidden:
        return ""
    if "formula" in meta:
        number = escape(meta["formula"])
        return f'</span><span class="formula-number">（{number}）</span></p>\n'
    return "</p>\n"


_parser.renderer.rules["paragraph_open"] = _paragraph_open
_parser.renderer.rules["paragraph_close"] = _paragraph_close
