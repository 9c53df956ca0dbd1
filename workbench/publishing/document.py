"""A rule revision as the document a standards committee signs (GB/T 1.1—2020 layout): the pure
core that the HTML, PDF, Word and Markdown outputs share, so the four can never disagree.

Pure: markdown-it, Jinja2-free, no Flask, no database. `build(document, meta)` gives a
`RuleDocument`: the cover, the contents (目次) and the sections, each with its Markdown parsed
once into tokens. The renderers walk the same tokens.

Decisions worth knowing:
- A displayed formula is a paragraph holding one `$$…$$` and, optionally, its number
  (`　　（2）`); the paragraph is marked {"formula": "2", "math": LaTeX}. A formula of plain text
  ("CFP = … （1）", template 1.0) is still recognised by its expression and number, as before.
- A figure is a paragraph holding one `![图题](figure:id)`; `build` numbers figures in order of
  appearance, 图 1, 图 2 … in the body and 图 A.1 … in annex A (per annex), and marks the
  paragraph {"figure": Figure}. The image is cleaned again here (workbench.figures): a figure
  that is missing or refused prints its number, caption and a note instead of an image.
- Annex sub-clauses are clause entries of an annex kind numbered "A.1", "A.1.1": headings of
  level 2 and 3 like 5.1 and 5.1.1, in 目次 and in Word's navigation; only the annex's own entry
  ("附录A") is an annex head on a new page.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from datetime import date

from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markupsafe import Markup, escape

from workbench import figures
from workbench.drafting.stages import DRAFTING, STAGES
from workbench.markdown import FIGURE_LINK, PUBLISHED_LINKS, renderer
from workbench.publishing import standard_numbers

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
# 「$$E = …$$　　（2）」: a displayed formula of the LaTeX subset, with or without its number.
_FORMULA_NUMBER = re.compile(r"^[\s\u3000]*(?:[（(](?P<number>[0-9]+(?:[.．][0-9]+)?|[A-Z]\.[0-9]+)[)）])?[\s\u3000]*$")
_MATH = re.compile(r"\$\$?[^$]+\$\$?")  # a formula in the source, read as one character for the marks below
_ANNEX_SUBCLAUSE = re.compile(r"^[A-Z](\.[0-9]+)+$")  # A.1, A.1.2: a clause inside an annex
_ANNEX_LETTER = re.compile(r"([A-Z])\s*$")  # 附录A
_CAPTION = re.compile(r"^(表|图)\s*([A-Z]\.)?[0-9]+[\s\u3000]")
_NOTE = re.compile(r"^注[0-9]*[:：\s\u3000]")
_ITEM = re.compile(r"^([a-z]|[0-9]{1,2})\)\s")  # a) b) … and 1) 2) …, the list items of GB/T 1.1
_TERM_NUMBER = re.compile(r"^\*\*[0-9]+(\.[0-9]+)+\*\*$")  # "**3.12**", the number of a term entry
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
    "term": "term",
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
class Figure:
    """A figure where the text places it: its number (1, A.1), caption, and the checked image,
    or None with the reason when the document has no usable figure of that id."""

    id: str
    number: str
    caption: str
    image: figures.Image | None
    problem: str = ""

    @property
    def label(self) -> str:
        return f"图\u00a0{self.number}\u3000{self.caption}" if self.caption else f"图\u00a0{self.number}"


@dataclass(frozen=True)
class Section:
    id: str
    kind: str
    number: str
    title: str
    level: int  # 1 for a chapter, 前言 or an annex; 2 for 5.1 or A.1; 3 for 5.1.1 or A.1.1
    tokens: list[Token] = field(repr=False)
    anchors: tuple[str, ...] = ()  # term ids defined in this section

    @property
    def in_annex(self) -> bool:
        """The annex's own entry or one of its clauses (A.1, A.1.1)."""
        return self.kind.startswith("annex")

    @property
    def is_annex(self) -> bool:
        """The head of an annex (附录A, its nature and title), on a page of its own."""
        return self.in_annex and not _ANNEX_SUBCLAUSE.match(self.number)

    @property
    def annex_nature(self) -> str:
        return {"annex_normative": "（规范性）", "annex_informative": "（资料性）"}.get(self.kind, "")

    @property
    def is_front(self) -> bool:
        """前言 and 引言 are unnumbered and paged in Roman numerals."""
        return self.kind in ("foreword", "introduction")

    @property
    def heading(self) -> str:
        if self.is_annex or not self.number:  # an annex head is three lines (see the renderers)
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
    numbers = _FigureNumbers(document)
    sections = [_section(clause, document, numbers) for clause in document["clauses"]]
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
    if clause["kind"].startswith("annex") and _ANNEX_SUBCLAUSE.match(number):
        return number.count(".") + 1
    if clause["kind"].startswith("annex") or not number:
        return 1
    return number.count(".") + 1


class _FigureNumbers:
    """Numbers figures in order of appearance: 1, 2 … in the body, A.1, A.2 … in annex A."""

    def __init__(self, document: dict):
        self.figures = {
            figure.get("id"): figure for figure in document.get("figures") or [] if isinstance(figure, dict)
        }
        self.counts: dict[str, int] = {}
        self.annex = ""  # the letter of the annex being read, "" in the body

    def enter(self, clause: dict) -> None:
        if not clause["kind"].startswith("annex"):
            self.annex = ""
        elif _ANNEX_SUBCLAUSE.match(clause["number"]):
            self.annex = clause["number"][0]
        else:
            letter = _ANNEX_LETTER.search(clause["number"])
            self.annex = letter.group(1) if letter else "?"

    def figure(self, figure_id: str, caption: str) -> Figure:
        self.counts[self.annex] = self.counts.get(self.annex, 0) + 1
        count = self.counts[self.annex]
        number = f"{self.annex}.{count}" if self.annex else str(count)
        entry = self.figures.get(figure_id)
        caption = caption or (entry or {}).get("caption") or ""
        if entry is None:
            return Figure(figure_id, number, caption, None, f"缺少图 {figure_id}")
        try:
            return Figure(figure_id, number, caption, figures.decode(entry))
        except figures.FigureError as error:
            return Figure(figure_id, number, caption, None, str(error))


def _section(clause: dict, document: dict, numbers: _FigureNumbers | None = None) -> Section:
    anchors = tuple(term["id"] for term in document.get("terms", [])) if clause["kind"] == "terms" else ()
    numbers = numbers or _FigureNumbers(document)
    numbers.enter(clause)
    return Section(
        id=clause["id"],
        kind=clause["kind"],
        number=clause["number"],
        title=clause["title"],
        level=_level(clause),
        tokens=parse(clause["text"], numbers),
        anchors=anchors,
    )


def _captions_what_follows(shown: str, tokens: list[Token], following: int) -> bool:
    """A "表 n 标题" paragraph is a caption only right above its table: "表 C.1 给出了…" in running
    text is a sentence. ("图 n 标题" lines of 1.0 documents stand where the figure would be.)"""
    if not shown.startswith("表"):
        return True
    return following < len(tokens) and tokens[following].type == "table_open"


def parse(text: str, numbers: _FigureNumbers | None = None) -> list[Token]:
    """Tokens of a clause's Markdown, with GB/T 1.1 blocks marked on the paragraph's open and
    close tokens: a formula gets meta {"formula": number} (and {"math": LaTeX} when it is
    written in LaTeX) and its expression alone as its content; a figure {"figure": Figure}; a
    table or figure caption {"caption": True}; a note {"note": True}."""
    tokens = _parser.parse(text or "")
    numbers = numbers or _FigureNumbers({})
    for position, token in enumerate(tokens):
        if token.type != "paragraph_open" or token.hidden:
            continue
        inline, closing = tokens[position + 1], tokens[position + 2]
        content = inline.content.strip()
        shown = _MATH.sub("x", content)  # a formula counts as one character for the marks below
        children = [child for child in inline.children or [] if child.content.strip() or child.type != "text"]
        formula = _FORMULA.match(content)
        math_number = _math_number(inline.children or [])
        if math_number is not None:
            math = next(child for child in inline.children if child.type == "math_inline_double")
            token.meta = {"formula": math_number, "math": math.content.strip()}
            inline.children = [math]
        elif len(children) == 1 and children[0].type == "image" and FIGURE_LINK.match(children[0].attrGet("src") or ""):
            image = children[0]
            caption = "".join(part.content for part in image.children or [] if part.type in ("text", "code_inline"))
            token.meta = {"figure": numbers.figure(FIGURE_LINK.match(image.attrGet("src")).group(1), caption.strip())}
            inline.children = []
        elif formula and all(child.type in ("text", "softbreak") for child in inline.children or []):
            token.meta = {"formula": formula.group("number")}
            inline.children = [_text(formula.group("expression").strip())]
        elif _CAPTION.match(shown) and _captions_what_follows(shown, tokens, position + 3):
            token.meta = {"caption": True}
        elif _NOTE.match(shown):
            token.meta = {"note": True}
        elif _is_lead_in(inline.children or []):
            token.meta = {"lead": True}  # "**B.1　基本信息**", "**3.1**": a heading-like line kept with what follows
        elif _names_a_term(tokens, position):
            token.meta = {"term": True}  # "**替代燃料**　alternative fuel" under "**3.12**": kept with its definition
        elif _ITEM.match(shown):
            token.meta = {"item": True}
        elif _WHERE.match(shown):
            token.meta = {"where": True}
        closing.meta = token.meta
    for token in tokens:
        for child in token.children or []:
            if child.type == "text":
                child.content = _keep_together(child.content)
    return tokens


def _math_number(children: list[Token]) -> str | None:
    """The number of a paragraph that is one displayed formula ("" when it has none), else None."""
    significant = [child for child in children if child.content.strip() or child.type not in ("text", "softbreak")]
    if not significant or significant[0].type != "math_inline_double":
        return None
    if len(significant) == 1:
        return ""
    number = _FORMULA_NUMBER.match(significant[1].content) if len(significant) == 2 else None
    if number is None or significant[1].type != "text":
        return None
    return number.group("number") or ""


def _names_a_term(tokens: list[Token], position: int) -> bool:
    """A paragraph opening in bold right under a term's number ("**3.12**"): the term's names."""
    children = [child for child in tokens[position + 1].children or [] if child.type != "text" or child.content]
    previous = tokens[position - 3] if position >= 3 else None
    return bool(
        children
        and children[0].type == "strong_open"
        and previous is not None
        and previous.type == "paragraph_open"
        and (previous.meta or {}).get("lead")
        and _TERM_NUMBER.match(tokens[position - 2].content.strip())
    )


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


def text_html(text: str) -> Markup:
    """Plain rule text as HTML: escaped, each standard's number ("GB/T 24067—2024") in a span
    that no line breaks inside (class "standard-number")."""
    return Markup(
        "".join(
            f'<span class="standard-number">{escapeHtml(piece)}</span>' if number else escapeHtml(piece)
            for piece, number in standard_numbers.split(text)
        )
    )  # escaped as markdown-it escapes text (quotes kept), so the HTML reads as before


def html(tokens: list[Token]) -> str:
    """HTML of parsed clause tokens, the GB/T 1.1 blocks with their classes."""
    return _parser.renderer.render(tokens, _parser.options, {})


def _paragraph_open(tokens, index, options, env):
    meta = tokens[index].meta or {}
    if tokens[index].hidden:
        return ""
    if "figure" in meta:
        return _figure_html(meta["figure"])
    if "formula" in meta:
        return '<p class="formula"><span class="expression">'
    if meta:
        return f'<p class="{BLOCK_CLASSES[next(iter(meta))]}">'
    return "<p>"


def _paragraph_close(tokens, index, options, env):
    meta = tokens[index].meta or {}
    if tokens[index].hidden:
        return ""
    if "figure" in meta:
        return ""  # the whole figure was written at its opening
    if "formula" in meta:
        number = escape(meta["formula"])
        if not number:
            return "</span></p>\n"
        return f'</span><span class="formula-number">（{number}）</span></p>\n'
    return "</p>\n"


def _figure_html(figure: Figure) -> str:
    """The figure, its number and caption below it (GB/T 1.1—2020 8.8); the image is inline data."""
    if figure.image is not None:
        picture = Markup('<img src="{}" alt="{}">').format(figure.image.data_url, figure.caption or figure.label)
    else:
        picture = Markup('<span class="figure-missing">［图片缺失：{}］</span>').format(figure.problem)
    return str(
        Markup('<figure class="figure" id="figure-{}">{}<figcaption>{}</figcaption></figure>\n').format(
            figure.number.replace(".", "-"), picture, figure.label
        )
    )


_parser.renderer.rules["text"] = lambda tokens, index, options, env: str(text_html(tokens[index].content))
_parser.renderer.rules["paragraph_open"] = _paragraph_open
_parser.renderer.rules["paragraph_close"] = _paragraph_close
