"""Markdown for rule text: CommonMark with tables, never raw HTML (it is shown as text)."""

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
_SAFE_LINK = re.compile(r"^(#|https?://|mailto:|data:image/(png|jpeg|gif|webp);)", re.IGNORECASE)


def _validate_link(url: str) -> bool:
    """Cross-references (#id), web and mail links, inline images; never script, never a bare
    "//host" (which would follow the page's scheme to another site) or a relative path."""
    return bool(_SAFE_LINK.match(url.strip()))


_renderer.validateLink = _validate_link
_render_image = _renderer.renderer.rules["image"]


def _image(tokens, index, options, env):
    """Only inline (data:) images: rule text must not fetch anything from another server."""
    if not (tokens[index].attrGet("src") or "").lower().startswith("data:image/"):
        return _renderer.renderer.renderInline(tokens[index].children or [], options, env)
    return _render_image(tokens, index, options, env)


_renderer.renderer.rules["image"] = _image


@lru_cache(maxsize=8192)
def render(text: str) -> Markup:
    """HTML for `text`. Raw HTML in the source is escaped, and markdown-it refuses javascript:
    and data: links, so user text cannot run script (the CSP forbids inline script as well).
    Cached by text: a rule page renders every clause, and most clauses do not change between
    revisions (markdown-it is pure Python, about 0.5 ms per clause)."""
    return Markup(_renderer.render(text or ""))
