"""The four outputs of one rule document: HTML, PDF, Markdown and JSON (Word is in `word.py`).

Pure: Jinja2, WeasyPrint and the standard library; no Flask, no database. Everything a render needs is in the
package (the template and the stylesheet) or in the rule itself (inline images); the fonts are
the system's Noto CJK, found by fontconfig. The PDF renderer fetches nothing: its
URL fetcher refuses every address that is not a data: URL, so a rule that names a file:// or
http:// image (which the Markdown renderer already drops) still cannot make WeasyPrint read a
file or open a connection.
"""

import json
from functools import cache
from importlib import resources

import jinja2
from markupsafe import Markup
from weasyprint import HTML, Document
from weasyprint.urls import URLFetcher

from workbench.publishing.document import PUBLICATION_KEY, RenderError, RuleDocument, html


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
