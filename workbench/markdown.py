"""Markdown for rule text: CommonMark with tables, never raw HTML (it is shown as text)."""

import re
import threading

from cachetools import LRUCache
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

# The cache is bounded by what it holds, not by entries: 8,192 entries of any size let 40
# previews of 1.8M characters grow a worker by 389 MB. A clause is a few thousand characters;
# the cache keeps about 8 million (source and HTML counted; roughly 16–32 MB per process), and a
# text longer than CACHED_TEXT_LIMIT is rendered every time rather than pushing out the clauses.
CACHE_CHARACTERS = 8_000_000
CACHED_TEXT_LIMIT = 100_000

_cache: LRUCache = LRUCache(maxsize=CACHE_CHARACTERS, getsizeof=lambda entry: entry[0])
_cache_lock = threading.Lock()  # gthread workers render on several threads; LRUCache is not thread-safe


def render(text: str) -> Markup:
    """HTML for `text`. Raw HTML in the source is escaped, and markdown-it refuses javascript:
    and data: links, so user text cannot run script (the CSP forbids inline script as well).
    Cached by text: a rule page renders every clause, and most clauses do not change between
    revisions (markdown-it is pure Python, about 0.5 ms per clause)."""
    text = text or ""
    if len(text) > CACHED_TEXT_LIMIT:
        return Markup(_renderer.render(text))
    with _cache_lock:
        entry = _cache.get(text)
    if entry is None:
        html = Markup(_renderer.render(text))
        entry = (len(text) + len(html), html)  # what the entry holds: its key and its HTML
        with _cache_lock:  # an entry is at most a few times CACHED_TEXT_LIMIT: it always fits
            _cache[text] = entry
    return entry[1]


def cached_characters() -> int:
    """Characters the cache holds now (sources and HTML), never more than CACHE_CHARACTERS."""
    with _cache_lock:
        return _cache.currsize
