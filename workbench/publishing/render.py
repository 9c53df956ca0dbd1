"""The four outputs of one rule document: HTML, PDF, Markdown and JSON (Word is in `word.py`).

Pure: Jinja2, WeasyPrint, pikepdf and the standard library; no Flask, no database. A long
rule's PDF is laid out in worker processes (see `to_pdf`; the processes are `workers.py`'s). Everything a render needs is in the
package (the template and the stylesheet) or in the rule itself (inline images); the fonts are
the system's Noto CJK, found by fontconfig. The PDF renderer fetches nothing: its
URL fetcher refuses every address that is not a data: URL, so a rule that names a file:// or
http:// image (which the Markdown renderer already drops) still cannot make WeasyPrint read a
file or open a connection.
"""

import io
import json
import logging
import math
import os
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from importlib import resources

import jinja2
from markupsafe import Markup, escape
from weasyprint import HTML, Document
from weasyprint.urls import URLFetcher

from workbench.publishing import workers
from workbench.publishing.document import PUBLICATION_KEY, RenderError, RuleDocument, html

logger = logging.getLogger(__name__)


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
    return environment


@cache
def stylesheet() -> str:
    return resources.files("workbench.publishing").joinpath("assets/gb.css").read_text(encoding="utf-8")


NO_FURNITURE = "".join(
    f"@page{side} {{ @top-left {{ content: none; }} @top-right {{ content: none; }} "
    f"@bottom-left {{ content: none; }} @bottom-right {{ content: none; }} }}"
    for side in ("", " :left", " :right")
)
# A body this long (about fifteen pages) is laid out in two processes at once; see to_pdf.
PARALLEL_CHARACTERS = 30_000


def to_html(
    doc: RuleDocument,
    part: str = "all",
    page_numbers: dict | None = None,
    *,
    sections: list | None = None,
    first: bool = True,
    last: bool = True,
    furniture: bool = True,
    placeholders: bool = False,
) -> str:
    """A self-contained HTML file (its stylesheet inline). The PDF is made of its parts: "front"
    (cover, 目次, 前言) and "body" (the chapters and annexes, or the `sections` of one piece of
    it, `first` and `last` saying where the piece lies; `furniture=False` leaves the running head
    and page number off its pages; `placeholders` keeps room in 目次 for numbers stamped on later)."""
    return (
        _environment()
        .get_template("rule.html")
        .render(
            doc=doc,
            part=part,
            page_numbers=page_numbers or {},
            sections=sections,
            first=first,
            last=last,
            furniture=furniture,
            placeholders=placeholders,
            no_furniture=Markup(NO_FURNITURE),
            stylesheet=Markup(stylesheet()),
        )
    )


def to_pdf(doc: RuleDocument, fetcher: InlineOnlyFetcher | None = None) -> bytes:
    """The PDF: A4, fonts embedded (subset), 目次 and 前言 paged I, II, … and the body from 1.

    The body is laid out first; its pages say where each clause landed, and those numbers are
    printed in the 目次 of the front part; the two are then written as one PDF. (WeasyPrint
    cannot restart the page counter within one layout.) A long body is laid out in two pieces
    in worker processes, split before a chapter, clause or annex, which then starts on a new
    page, while a third worker lays out the front matter with empty room for the 目次 numbers.
    The numbers, and the running head and page numbers of the second piece (where it starts is
    known only when the first piece is done), are then stamped on with qpdf."""
    fetcher = fetcher or InlineOnlyFetcher()
    try:
        pieces = split(doc)
        if len(pieces) > 1 and (os.cpu_count() or 1) > 1:
            try:
                return _pdf_in_parallel(doc, pieces, fetcher)
            except (BrokenProcessPool, OSError) as error:  # no second process to be had: one will do
                logger.warning("laying out in one process: %s", error)
                workers.discard()
        body = HTML(string=to_html(doc, "body"), base_url=None, url_fetcher=fetcher).render()
        page_numbers: dict[str, int] = {}
        for number, page in enumerate(body.pages, 1):
            for anchor in page.anchors:  # a clause running over pages is listed where it starts
                page_numbers.setdefault(anchor, number)
        front = _front(doc, page_numbers, fetcher)
        return front.copy(front.pages + body.pages).write_pdf()
    except Exception as error:  # WeasyPrint raises many kinds; the caller needs one
        raise RenderError(f"PDF 生成失败：{error}") from error


def _front(doc: RuleDocument, page_numbers: dict, fetcher) -> Document:
    front = HTML(string=to_html(doc, "front", page_numbers), base_url=None, url_fetcher=fetcher).render()
    if len(front.pages) % 2:  # the body's page 1 is a right-hand page, as in a printed standard
        front = front.copy([*front.pages, _blank_page()])
    return front


def warm_up() -> None:
    """Lay out a line in each of the document's fonts (fontconfig and Pango load on first use)."""
    sample = f"<style>{stylesheet()}</style><p>文本 Text 1</p><h2>标题 Heading</h2><p><strong>术语</strong></p>"
    HTML(string=sample, base_url=None, url_fetcher=InlineOnlyFetcher()).render().write_pdf()


@cache
def _blank_page():
    """An empty A4 page without header or number, to end the front matter on a left-hand page."""
    blank = f'<style>{stylesheet()}</style><div class="blank-page"></div>'
    return HTML(string=blank, base_url=None, url_fetcher=InlineOnlyFetcher()).render().pages[0]


def split(doc: RuleDocument) -> list[list[str]]:
    """The body's sections in one piece, or in two of about equal length for a long body: split
    before an annex when that is fair (annexes start on a new page anyway), else before the
    chapter or clause (5, 5.2) nearest the middle."""
    body = doc.body
    weights = [_weight(section) for section in body]
    total = sum(weights)
    if total < PARALLEL_CHARACTERS:
        return [[section.id for section in body]]
    before, annexes, others = 0, [], []
    for index, (section, weight) in enumerate(zip(body, weights, strict=True)):
        if index and section.level <= 2:
            (annexes if section.is_annex else others).append((abs(before - total / 2), index))
        before += weight
    fair = [candidate for candidate in annexes if candidate[0] < total / 5]
    _, cut = min(fair or annexes + others)
    return [[section.id for section in body[:cut]], [section.id for section in body[cut:]]]


def _weight(section) -> int:
    """How much a section has to lay out, in characters (a heading counts as a short line)."""
    return sum(len(token.content) for token in section.tokens) + 40


def _lay_out_piece(source: dict, meta, ids: list[str], first: bool, last: bool) -> tuple[bytes, list, list]:
    """In a worker process: one piece of the body as PDF, the anchors on each of its pages and
    the addresses its fetcher refused."""
    from workbench.publishing.document import build

    doc = build(source, meta)
    wanted = set(ids)
    sections = [section for section in doc.body if section.id in wanted]
    fetcher = InlineOnlyFetcher()
    html = to_html(doc, "body", sections=sections, first=first, last=last, furniture=first)
    rendered = HTML(string=html, base_url=None, url_fetcher=fetcher).render()
    return rendered.write_pdf(), [sorted(page.anchors) for page in rendered.pages], fetcher.refused


def _pdf_in_parallel(doc: RuleDocument, pieces: list[list[str]], fetcher: InlineOnlyFetcher) -> bytes:
    """The pieces of the body and the front matter side by side; then the page furniture of the
    later pieces and the page numbers of 目次, both stamped on with qpdf."""
    import pikepdf  # qpdf: joins the parts and stamps them without reading the text again

    pool = workers.pool()
    head, tail = pieces  # split() gives at most two
    first = pool.submit(_lay_out_piece, doc.source, doc.meta, head, True, False)
    second = pool.submit(_lay_out_piece, doc.source, doc.meta, tail, False, True)
    front = pool.submit(_front_pdf, doc.source, doc.meta)
    results = [first.result()]
    # The second piece's furniture can start as soon as the first piece's length is known; its
    # length is guessed generously from the text, and made again in the rare case it falls short.
    start = len(results[0][1])
    weight = {section.id: _weight(section) for section in doc.body}
    share = sum(weight[name] for name in tail) / max(1, sum(weight[name] for name in head))
    guess = math.ceil(start * share * 1.25) + 4
    running_head = doc.cover.running_head
    stamps_future = pool.submit(_furniture, running_head, start, guess)
    results.append(second.result())
    if len(results[1][1]) > guess:
        stamps_future = pool.submit(_furniture, running_head, start, len(results[1][1]))
    page_numbers: dict[str, int] = {}
    for (_pdf, anchors, refused), offset in zip(results, (0, start), strict=True):
        fetcher.refused.extend(refused)
        for number, names in enumerate(anchors, offset + 1):
            for name in names:
                page_numbers.setdefault(name, number)
    front_pdf, places, refused = front.result()
    fetcher.refused.extend(refused)
    opened = [
        pikepdf.Pdf.open(io.BytesIO(front_pdf)),
        pikepdf.Pdf.open(io.BytesIO(_contents_numbers(places, page_numbers))),
    ]
    joined, numbers = opened
    for index, page in enumerate(joined.pages):
        if places[index]:
            page.add_overlay(numbers.pages[index])
    for (pdf, _anchors, _refused), offset in zip(results, (0, start), strict=True):
        piece = pikepdf.Pdf.open(io.BytesIO(pdf))
        opened.append(piece)
        if offset:
            stamps = pikepdf.Pdf.open(io.BytesIO(stamps_future.result()))
            opened.append(stamps)
            lead = _lead(offset)
            for index, page in enumerate(piece.pages):
                page.add_overlay(stamps.pages[lead + index])
        joined.add_pages_from(piece)
    out = io.BytesIO()
    joined.save(out)
    for pdf in opened:
        pdf.close()
    return out.getvalue()


def _contents_numbers(places: list[dict], page_numbers: dict[str, int]) -> bytes:
    """One page per front page, holding each 目次 entry's page number right-aligned where its
    empty placeholder was laid out, in the same font and size, so its baseline falls on the
    entry's (WeasyPrint reports the rectangle of every link, and each entry is one)."""
    pages = []
    for found in places:
        numbers = "".join(
            f'<div class="stamp" style="width:{right:.3f}px;top:{top:.3f}px">{page_numbers.get(target, "")}</div>'
            for target, (right, top) in found.items()
        )
        pages.append(f'<div class="stamp-page">{numbers}</div>')
    html = (
        f"<style>{stylesheet()} @page {{ margin: 0; }} {NO_FURNITURE.replace('@page', '@page stamps')}"
        " .stamp-page { page: stamps; position: relative; height: 296mm; break-after: page; }"
        " .stamp-page:last-child { break-after: auto; }"
        " .stamp { position: absolute; left: 0; text-align: right; line-height: normal; }"
        "</style>" + "".join(pages)
    )
    return HTML(string=html, base_url=None, url_fetcher=InlineOnlyFetcher()).render().write_pdf()


def _front_pdf(source: dict, meta) -> tuple[bytes, list[dict], list]:
    """In a worker process: the front matter with room for the 目次 page numbers, where each
    number goes (per page: entry → right edge and top of its last line) and what was refused."""
    from workbench.publishing.document import build

    doc = build(source, meta)
    fetcher = InlineOnlyFetcher()
    front = HTML(string=to_html(doc, "front", placeholders=True), base_url=None, url_fetcher=fetcher).render()
    if len(front.pages) % 2:
        front = front.copy([*front.pages, _blank_page()])
    wanted = {section.id for section in doc.body}
    places = []
    for page in front.pages:
        lines: dict[str, tuple[float, float, float]] = {}  # entry → (bottom, right, top) of its lowest box
        for kind, target, (_left, top, right, bottom), *_rest in page.links:
            if kind == "internal" and target in wanted and (bottom, right) > lines.get(target, (0, 0, 0))[:2]:
                lines[target] = (bottom, right, top)
        places.append({target: (right, top) for target, (_bottom, right, top) in lines.items()})
    return front.write_pdf(), places, fetcher.refused


def _furniture(running_head: str, start: int, count: int) -> bytes:
    """Empty pages numbered start + 1 … start + count with the running head, sides alternating as
    in the body (page 1 on the right): what the body pages after `start` are stamped with."""
    first = start + 1
    lead = _lead(start)
    pages = "".join('<div class="furniture-page"></div>' for _ in range(count + lead))
    html = (
        f"<style>{stylesheet()} @page :first {{ counter-reset: page {first - lead}; }}"
        " .furniture-page + .furniture-page { break-before: page; }</style>"
        f'<div class="running-head" data-text="{escape(running_head)}"></div>{pages}'
    )
    return HTML(string=html, base_url=None, url_fetcher=InlineOnlyFetcher()).render().write_pdf()


def _lead(start: int) -> int:
    """1 when page start + 1 is a left-hand page: WeasyPrint's first page is a right-hand one, so
    the furniture then begins with a page to skip."""
    return 1 if (start + 1) % 2 == 0 else 0


def to_markdown(document: dict, doc: RuleDocument) -> str:
    """The rule as one Markdown file: readable in any git viewer, and what `git diff` compares."""
    cover = doc.cover
    lines = [f"# {cover.title}", ""]
    if cover.title_en:
        lines += [cover.title_en, ""]
    facts = [cover.running_head, f"ICS {cover.ics}" if cover.ics else "", f"CCS {cover.ccs}" if cover.ccs else ""]
    lines += ["　".join(fact for fact in facts if fact), ""]
    for clause in document["clauses"]:
        depth = 2 if clause["kind"] != "technical" else min(clause["number"].count(".") + 2, 6)
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


def outputs(document: dict, doc: RuleDocument) -> dict[str, bytes]:
    """Every file of one publication, rendered in memory before anything is written: a render
    that fails leaves the repository untouched."""
    from workbench.publishing.word import to_docx  # python-docx is only needed here

    return {
        "rule.json": to_json(document, doc).encode("utf-8"),
        "rule.md": to_markdown(document, doc).encode("utf-8"),
        "index.html": to_html(doc).encode("utf-8"),
        "rule.pdf": to_pdf(doc),
        "rule.docx": to_docx(doc),
    }
