"""The four outputs of one rule document: HTML, PDF, Markdown and JSON (Word is in `word.py`).

Pure: Jinja2, WeasyPrint and the standard library; no Flask, no database. Everything a render needs is in the
package (the template and the stylesheet) or in the rule itself (inline images); the fonts are
the system's Noto CJK, found by fontconfig. The PDF renderer fetches nothing: its
URL fetcher refuses every address that is not a data: URL, so a rule that names a file:// or
http:// image (which the Markdown renderer already drops) still cannot make WeasyPrint read a
file or open a connection.
"""

import copy
import json
import re
from functools import cache
from importlib import resources
from xml.etree import ElementTree

import jinja2
from markupsafe import Markup
from weasyprint import HTML, Document
from weasyprint.formatting_structure import boxes
from weasyprint.urls import URLFetcher

from workbench.publishing.document import PUBLICATION_KEY, RenderError, RuleDocument, html, text_html


class InlineOnlyFetcher(URLFetcher):
    """Lets WeasyPrint read data: URLs (the rule's own inline images) and nothing else. Every
    refused address is kept in `refused`, which the tests read."""

    def __init__(self):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, timeout=1)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if not url.lower().startswith("data:"):
            self.refused.append(url)
            raise ValueError(f"publishing fetches nothing from outside the rule: {url[:80]}")
        return super().fetch(url, headers)


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("workbench.publishing", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.globals["render"] = lambda section: Markup(html(section.tokens))
    environment.filters["text"] = text_html  # headings and titles: numbers kept on one line, as in the text
    return environment


@cache
def stylesheet() -> str:
    return resources.files("workbench.publishing").joinpath("assets/gb.css").read_text(encoding="utf-8")


def to_html(doc: RuleDocument, part: str = "all", page_numbers: dict | None = None) -> str:
    """A self-contained HTML file (its stylesheet inline). The PDF is made of its parts: "front"
    (cover, 目次, 前言) and "body" (the chapters and annexes)."""
    return (
        _environment()
        .get_template("rule.html")
        .render(doc=doc, part=part, page_numbers=page_numbers or {}, stylesheet=Markup(stylesheet()))
    )


def to_pdf(doc: RuleDocument, fetcher: InlineOnlyFetcher | None = None) -> bytes:
    """The PDF: A4, fonts embedded (subset), 目次 and 前言 paged I, II, … and the body from 1.

    The body is laid out first; its pages say where each clause landed, and those numbers are
    printed in the 目次 of the front part; the two are then written as one PDF. (WeasyPrint
    cannot restart the page counter within one layout.) All in this one process: a job runner
    calls it (publishing/isolation.py), never a request."""
    fetcher = fetcher or InlineOnlyFetcher()
    try:
        body = _layout(to_html(doc, "body"), fetcher)
        page_numbers: dict[str, int] = {}
        for number, page in enumerate(body.pages, 1):
            for anchor in page.anchors:  # a clause running over pages is listed where it starts
                page_numbers.setdefault(anchor, number)
        front = _front(doc, page_numbers, fetcher)
        return front.copy(front.pages + body.pages).write_pdf()
    except Exception as error:  # WeasyPrint raises many kinds; the caller needs one
        raise RenderError(f"PDF 生成失败：{error}") from error


def _front(doc: RuleDocument, page_numbers: dict, fetcher) -> Document:
    front = _layout(to_html(doc, "front", page_numbers), fetcher)
    if len(front.pages) % 2:  # the body's page 1 is a right-hand page, as in a printed standard
        front = front.copy([*front.pages, _blank_page()])
    return front


# A long table is laid out whole first; where a page ends inside it, the table is split and the
# part laid out again. A continuation's "表 n（续）" row pushes what follows down, so a later long
# table may then need its split a row earlier: another pass (splits only move earlier, so the
# passes end). Two are the usual; the most only guards against a layout that never settles.
_MOST_LAYOUT_PASSES = 6
_TABLE_NUMBER = re.compile(r"^表[\s\u00a0\u202f]*(?:[A-Z]\.)?[0-9]+")


def _layout(source: str, fetcher) -> Document:
    """Lays out one part of the PDF, a table that runs over pages continued as GB/T 1.1—2020
    asks: "表 n（续）" and the header row again at the top of each further page.

    WeasyPrint repeats a table's header rows on every page, but the same on each, so a caption
    cannot say 续 on the later pages only. So the table is split before the row that opened the
    second page: its first part stays as it was, the rest is a table of its own on a new page
    whose header has a row more, "表 n（续）", which WeasyPrint then repeats on every page."""
    splits: dict[int, int] = {}  # table → the first row of its continuation
    for _ in range(_MOST_LAYOUT_PASSES):
        html = HTML(string=source, base_url=None, url_fetcher=fetcher)
        _unstretchable_spaces(html.etree_element)
        _split_tables(html.etree_element, splits)
        laid_out = html.render()
        opening = _rows_opening_pages(laid_out, splits)
        if not opening:
            break
        splits.update(opening)
    return laid_out


# WeasyPrint justifies a line by widening its spaces (U+0020, U+00A0) and nothing else; in a
# Chinese line the one space before "IPCC" or inside "P·O 42.5" took all the slack and gaped.
# In the PDF's text, spaces become a quarter-em space (U+2005) that a line still breaks at but
# justification leaves alone, and no-break spaces narrow no-break ones (U+202F); the lines of
# Chinese text then end where their characters do, as wide as the column or a character short.
_UNSTRETCHABLE = str.maketrans({" ": "\u2005", "\u00a0": "\u202f"})
_KEEP_SPACES = {"head", "style", "pre", "code"}


def _unstretchable_spaces(element) -> None:
    """Every space of the text under `element` made one justification does not widen; spaces
    between blocks (the template's indentation) are left to collapse as they do."""
    for child in element:
        if child.tag not in _KEEP_SPACES:
            if child.text and child.text.strip():
                child.text = child.text.translate(_UNSTRETCHABLE)
            _unstretchable_spaces(child)
        if child.tail and child.tail.strip() and element.tag not in _KEEP_SPACES:
            child.tail = child.tail.translate(_UNSTRETCHABLE)


def _split_tables(root, splits: dict[int, int]) -> None:
    """Numbers the body rows of the tables (data-row="table.row") and moves the rows of each
    table in `splits` from its split on into a continuation table right after it."""
    parents = {child: parent for parent in root.iter() for child in parent}
    for table_number, table in enumerate(list(root.iter("table"))):
        body = table.find("tbody")
        rows = list(body) if body is not None else []
        for row_number, row in enumerate(rows):
            row.set("data-row", f"{table_number}.{row_number}")
        if table_number not in splits or body is None:
            continue
        continuation = _continuation(table, _table_number(parents[table], table))
        continued_body = ElementTree.SubElement(continuation, "tbody")
        for row in rows[splits[table_number] :]:
            body.remove(row)
            continued_body.append(row)
        parent = parents[table]
        parent.insert(list(parent).index(table) + 1, continuation)


def _continuation(table, number: str):
    """An empty table that continues `table` on a new page: its header rows, under a row saying
    "表 n（续）" (no row when the table has no numbered caption)."""
    continuation = ElementTree.Element("table", {**table.attrib, "class": "table-continued"})
    head = table.find("thead")
    if head is None:
        return continuation
    head = copy.deepcopy(head)
    continuation.append(head)
    if number:
        columns = sum(int(cell.get("colspan") or 1) for cell in head[0]) if len(head) else 1
        caption_row = ElementTree.Element("tr", {"class": "continued-caption"})
        caption = ElementTree.SubElement(caption_row, "th", {"colspan": str(columns)})
        caption.text = f"{number}（续）"
        head.insert(0, caption_row)
    return continuation


def _table_number(parent, table) -> str:
    """The number ("表 A.1") of the caption right above `table`, or "" when it has none."""
    siblings = list(parent)
    index = siblings.index(table)
    above = siblings[index - 1] if index else None
    if above is None or "caption" not in (above.get("class") or "").split():
        return ""
    number = _TABLE_NUMBER.match("".join(above.itertext()).strip())
    return number.group() if number else ""


def _rows_opening_pages(laid_out: Document, splits: dict[int, int]) -> dict[int, int]:
    """Each table whose first part runs over a page, and the row that opens the new page."""
    opening: dict[int, int] = {}
    for page in laid_out.pages:
        tables_seen = set()
        for box in page._page_box.descendants():  # WeasyPrint's box tree: no public API for rows
            row = (
                box.element.get("data-row") if isinstance(box, boxes.TableRowBox) and box.element is not None else None
            )
            if row is None:  # not a row, or a header row
                continue
            table, number = map(int, row.split("."))
            if table in tables_seen:
                continue
            tables_seen.add(table)
            if 0 < number < splits.get(table, number + 1):  # a continuation repeats its own header
                opening[table] = min(number, opening.get(table, number))
    return opening


def warm_up() -> None:
    """Lay out a line in each of the document's fonts (fontconfig and Pango load on first use)."""
    sample = f"<style>{stylesheet()}</style><p>文本 Text 1</p><h2>标题 Heading</h2><p><strong>术语</strong></p>"
    HTML(string=sample, base_url=None, url_fetcher=InlineOnlyFetcher()).render().write_pdf()


@cache
def _blank_page():
    """An empty A4 page without header or number, to end the front matter on a left-hand page."""
    blank = f'<style>{stylesheet()}</style><div class="blank-page"></div>'
    return HTML(string=blank, base_url=None, url_fetcher=InlineOnlyFetcher()).render().pages[0]


def to_markdown(document: dict, doc: RuleDocument) -> str:
    """The rule as one Markdown file: readable in any git viewer, and what `git diff` compares."""
    cover = doc.cover
    lines = [f"# {cover.title}", ""]
    if cover.title_en:
        lines += [cover.title_en, ""]
    facts = [cover.running_head, f"ICS {cover.ics}" if cover.ics else "", f"CCS {cover.ccs}" if cover.ccs else ""]
    lines += ["　".join(fact for fact in facts if fact), ""]
    for clause, section in zip(document["clauses"], doc.sections, strict=True):
        numbered = clause["kind"] == "technical" or (section.in_annex and not section.is_annex)  # 5.1, A.1
        depth = min(section.level + 1, 6) if numbered else 2
        heading = f"{clause['number']}　{clause['title']}" if clause["number"] else clause["title"]
        lines += [f"{'#' * depth} {heading}" + " {#" + clause["id"] + "}", ""]
        if clause["text"].strip():
            lines += [clause["text"].strip(), ""]
    return "\n".join(lines)


def to_json(document: dict, doc: RuleDocument) -> str:
    """The machine-readable rule: the document with its publication block (stage, number,
    revision, checksum), keys in the template's order, indented for readable diffs."""
    rule = {key: value for key, value in document.items() if key != PUBLICATION_KEY}
    rule[PUBLICATION_KEY] = doc.meta.publication(document)
    return json.dumps(rule, ensure_ascii=False, indent=2) + "\n"


def outputs(document: dict, doc: RuleDocument, *, pdf: bytes, docx: bytes) -> dict[str, bytes]:
    """Every file of one publication, in memory before anything is written (a render that fails
    leaves the repository untouched); the PDF and Word files come laid out already, usually from
    the store of documents."""
    return {
        "rule.json": to_json(document, doc).encode("utf-8"),
        "rule.md": to_markdown(document, doc).encode("utf-8"),
        "index.html": to_html(doc).encode("utf-8"),
        "rule.pdf": pdf,
        "rule.docx": docx,
    }
