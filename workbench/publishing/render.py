"""The four outputs of one rule document: HTML, PDF, Markdown and JSON (Word is in `word.py`).

Pure: Jinja2, WeasyPrint and the standard library; no Flask, no database. Everything a render
needs is in the package (the template and the stylesheet) or in the rule itself (inline images);
the fonts are the system's Noto CJK, found by fontconfig. The PDF renderer fetches nothing: its
URL fetcher refuses every address that is not a data: URL, so a rule that names a file:// or
http:// image (which the Markdown renderer already drops) still cannot make WeasyPrint read a
file or open a connection.
"""

import io
import json
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from importlib import resources

import jinja2
from markupsafe import Markup, escape
from weasyprint import HTML, Document
from weasyprint.urls import URLFetcher

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
) -> str:
    """A self-contained HTML file (its stylesheet inline). The PDF is made of its parts: "front"
    (cover, 目次, 前言) and "body" (the chapters and annexes, or the `sections` of one piece of
    it, `first` and `last` saying where the piece lies; `furniture=False` leaves the running head
    and page number off its pages)."""
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
            no_furniture=Markup(NO_FURNITURE),
            stylesheet=Markup(stylesheet()),
        )
    )


def to_pdf(doc: RuleDocument, fetcher: InlineOnlyFetcher | None = None) -> bytes:
    """The PDF: A4, fonts embedded (subset), 目次 and 前言 paged I, II, … and the body from 1.

    The body is laid out first; its pages say where each clause landed, and those numbers are
    printed in the 目次 of the front part; the two are then written as one PDF. (WeasyPrint
    cannot restart the page counter within one layout.) A long body is laid out in two pieces in
    two processes at once, split before a chapter or annex, which then starts on a new page; the
    pieces after the first get their running head and page numbers stamped on afterwards, since
    where they start is known only when the first piece is done."""
    fetcher = fetcher or InlineOnlyFetcher()
    try:
        pieces = split(doc)
        if len(pieces) > 1 and (os.cpu_count() or 1) > 1:
            try:
                return _pdf_in_parallel(doc, pieces, fetcher)
            except (BrokenProcessPool, OSError) as error:  # no second process to be had: one will do
                logger.warning("laying out in one process: %s", error)
                _discard_pool()
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
    weights = [sum(len(token.content) for token in section.tokens) + 40 for section in body]
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
    """The pieces of the body side by side, then the front matter (which needs their page
    numbers) beside the page furniture of the later pieces, joined with qpdf."""
    import pikepdf  # qpdf: joins the pieces and stamps the furniture without reading the text again

    last = len(pieces) - 1
    pool = _pool()
    laid_out = [
        pool.submit(_lay_out_piece, doc.source, doc.meta, ids, index == 0, index == last)
        for index, ids in enumerate(pieces)
    ]
    results = [future.result() for future in laid_out]
    page_numbers: dict[str, int] = {}
    starts, offset = [], 0
    for _pdf, anchors, refused in results:
        fetcher.refused.extend(refused)
        for number, names in enumerate(anchors, offset + 1):
            for name in names:
                page_numbers.setdefault(name, number)
        starts.append(offset)
        offset += len(anchors)
    front = pool.submit(_front_pdf, doc.source, doc.meta, page_numbers)
    furniture = {
        start: pool.submit(_furniture, doc.cover.running_head, start, len(anchors))
        for (_pdf, anchors, _refused), start in zip(results, starts, strict=True)
        if start
    }
    front_pdf, refused = front.result()
    fetcher.refused.extend(refused)
    furniture_pdfs = {start: future.result() for start, future in furniture.items()}
    opened = [pikepdf.Pdf.open(io.BytesIO(front_pdf))]
    joined = opened[0]
    for (pdf, anchors, _refused), start in zip(results, starts, strict=True):
        piece = pikepdf.Pdf.open(io.BytesIO(pdf))
        opened.append(piece)
        if start:
            stamps = pikepdf.Pdf.open(io.BytesIO(furniture_pdfs[start]))
            opened.append(stamps)
            lead = len(stamps.pages) - len(anchors)  # a left-hand first page needs a page before it
            for index, page in enumerate(piece.pages):
                page.add_overlay(stamps.pages[lead + index])
        joined.add_pages_from(piece)
    out = io.BytesIO()
    joined.save(out)
    for pdf in opened:
        pdf.close()
    return out.getvalue()


_workers: ProcessPoolExecutor | None = None


def _pool() -> ProcessPoolExecutor:
    """Two worker processes kept for the life of this process, started from a forkserver that
    has WeasyPrint loaded and its fonts warm (workbench.publishing.warm)."""
    global _workers
    if _workers is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["workbench.publishing.warm"])
        _workers = ProcessPoolExecutor(max_workers=2, mp_context=context)
    return _workers


def _discard_pool() -> None:
    global _workers
    if _workers is not None:
        _workers.shutdown(wait=False, cancel_futures=True)
        _workers = None


def _front_pdf(source: dict, meta, page_numbers: dict) -> tuple[bytes, list]:
    """In a worker process: the front matter as PDF, and the addresses its fetcher refused."""
    from workbench.publishing.document import build

    fetcher = InlineOnlyFetcher()
    return _front(build(source, meta), page_numbers, fetcher).write_pdf(), fetcher.refused


def _furniture(running_head: str, start: int, count: int) -> bytes:
    """Empty pages numbered start + 1 … start + count with the running head, sides alternating as
    in the body (page 1 on the right): what the body pages after `start` are stamped with."""
    first = start + 1
    lead = 1 if first % 2 == 0 else 0  # WeasyPrint's first page is a right-hand one
    pages = "".join('<div class="furniture-page"></div>' for _ in range(count + lead))
    html = (
        f"<style>{stylesheet()} @page :first {{ counter-reset: page {first - lead}; }}"
        " .furniture-page + .furniture-page { break-before: page; }</style>"
        f'<div class="running-head" data-text="{escape(running_head)}"></div>{pages}'
    )
    return HTML(string=html, base_url=None, url_fetcher=InlineOnlyFetcher()).render().write_pdf()


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
