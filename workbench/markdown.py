"""Markdown for rule text: CommonMark with tables, never raw HTML (it is shown as text)."""

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

# The workspace also follows mail links; a published document links only to the web and to its
# own clauses (guideline (十七): a public text that sends readers nowhere unexpected).
WORKSPACE_LINKS = re.compile(r"^(#|https?://|mailto:|data:image/(png|jpeg|gif|webp);)", re.IGNORECASE)
PUBLISHED_LINKS = re.compile(r"^(#|https?://|data:image/(png|jpeg|gif|webp);)", re.IGNORECASE)


def renderer(allowed_links: re.Pattern) -> MarkdownIt:
    """A CommonMark parser with tables and no raw HTML, following only `allowed_links`: never
    script, never a bare "//host" (which would follow the page's scheme to another site) or a
    relative path. Images are inline (data:) only, so rule text fetches nothing from a server;
    any other image is shown as its alternative text."""
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    parser.validateLink = lambda url: bool(allowed_links.match(url.strip()))
    render_image = parser.renderer.rules["image"]

    def image(tokens, index, options, env):
        if not (tokens[index].attrGet("src") or "").lower().startswith("data:image/"):
            return parser.renderer.renderInline(tokens[index].children or [], options, env)
        return render_image(tokens, index, options, env)

    parser.renderer.rules["image"] = image
    return parser


_renderer = renderer(WORKSPACE_LINKS)


@lru_cache(maxsize=8192)
def render(text: str) -> Markup:
    """HTML for `text`. Raw HTML in the source is escaped, and markdown-it refuses javascript:
    and data: links, so user text cannot run script (the CSP forbids inline script as well).
    Cached by text: a rule page renders every clause, and most clauses do not change between
    revisions (markdown-it is pure Python, about 0.5 ms per clause)."""
    return Markup(_renderer.render(text or ""))
