"""Markdown for rule text: CommonMark with tables, never raw HTML (it is shown as text)."""

from markdown_it import MarkdownIt
from markupsafe import Markup

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def render(text: str) -> Markup:
    """HTML for `text`. Raw HTML in the source is escaped, and markdown-it refuses javascript:
    and data: links, so user text cannot run script (the CSP forbids inline script as well)."""
    return Markup(_renderer.render(text or ""))
