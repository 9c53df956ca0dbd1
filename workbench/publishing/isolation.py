"""Laying out one document (PDF or Word) in a process of its own that ends with it.

WeasyPrint and the fonts take a few hundred megabytes that a Python process never gives back; a
render in a fresh child process (spawned, not forked: the parent has threads) leaves the job
runner, and the app server it may live in, as small as before. Pure: no Flask, no database."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from workbench.publishing.document import Meta, RuleDocument, build

KINDS = ("pdf", "docx")


def lay_out(kind: str, doc: RuleDocument) -> bytes:
    """The document as `kind` ("pdf" or "docx"), laid out in this process."""
    if kind not in KINDS:
        raise ValueError(f"no layout for {kind!r}")
    if kind == "pdf":
        from workbench.publishing.render import to_pdf  # WeasyPrint: loaded only to lay out

        return to_pdf(doc)
    from workbench.publishing.word import to_docx

    return to_docx(doc)


def _in_child(kind: str, source: dict, meta: Meta) -> bytes:
    return lay_out(kind, build(source, meta))


def lay_out_in_child(kind: str, doc: RuleDocument) -> bytes:
    """The same, in a child process used once; its RenderError comes back as raised there."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context, max_tasks_per_child=1) as child:
        return child.submit(_in_child, kind, doc.source, doc.meta).result()


def html_to_pdf(source: str) -> bytes:
    """A self-contained HTML page (its stylesheet inline) as a PDF, laid out in this process with
    the fetcher that fetches nothing (render.InlineOnlyFetcher); for short documents such as an
    informative annex. RenderError when WeasyPrint fails."""
    from weasyprint import HTML

    from workbench.publishing.document import RenderError
    from workbench.publishing.render import InlineOnlyFetcher

    try:
        return HTML(string=source, base_url=None, url_fetcher=InlineOnlyFetcher()).write_pdf()
    except Exception as error:  # WeasyPrint raises many kinds; the caller needs one
        raise RenderError(f"PDF 生成失败：{error}") from error


def html_to_pdf_in_child(source: str) -> bytes:
    """The same, in a child process used once (see lay_out_in_child)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context, max_tasks_per_child=1) as child:
        return child.submit(html_to_pdf, source).result()
