"""Markdown for rule text: CommonMark with tables, never raw HTML (it is shown as text), with
formulas in dollars ($…$ inline, $$…$$ displayed; workbench.formulas typesets them) and figures
written as images of the document's own figures (![图题](figure:标识)).

Decisions worth knowing:
- Formulas: mdit-py-plugins' dollar rule, inline only (a displayed formula is a paragraph of its
  own, `$$…$$　　（2）`, whose number the publishing document reads); `$` next to a digit or a
  space does not open or close a formula, so "5 $ or 6 $" stays text.
- A figure link names a figure of the document, which this module does not have: the workspace
  shows its caption as a placeholder, the published document (publishing/document.py) the image.
"""

import re
import threading

from cachetools import LRUCache
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markupsafe import Markup, escape
from mdit_py_plugins.dollarmath.index import math_inline_dollar

from workbench import formulas

# The workspace also follows mail links; a published document links only to the web and to its
# own clauses (guideline (十七): a public text that sends readers nowhere unexpected).
WORKSPACE_LINKS = re.compile(r"^(#|https?://|mailto:|data:image/(png|jpeg|gif|webp);)", re.IGNORECASE)
PUBLISHED_LINKS = re.compile(r"^(#|https?://|data:image/(png|jpeg|gif|webp);)", re.IGNORECASE)
# ![图题](figure:system-boundary): a figure of the rule document (template 1.1 `figures`), by its id.
FIGURE_LINK = re.compile(r"^figure:([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)$")


# HTML may be at most this many times as long as its source, plus a constant. Ordinary rule text
# stays well below (escaped "&" is 5×, a table of empty cells about 10×, a sparse aligned table
# padded to its header's width more, hence the constant); a link target of 20,000 characters
# defined once and used as "[a]" 20,000 times (80 KB) would be 200 MB of HTML.
MAX_EXPANSION = 20
EXPANSION_ALLOWANCE = 100_000
_BUDGET = "html_budget"  # the key, in markdown-it's `env`, of the characters still allowed


class TooExpanded(ValueError):
    """The HTML of a text would exceed its budget (MAX_EXPANSION times the text, plus a constant)."""


def html_budget(text: str) -> int:
    return MAX_EXPANSION * len(text) + EXPANSION_ALLOWANCE


class BoundedRenderer(RendererHTML):
    """markdown-it's HTML renderer, counting what it writes when `env` carries a budget and
    raising TooExpanded as soon as the budget is spent, before the whole HTML exists. Every piece
    it counts (one token's HTML) is at most a few times the source, so the HTML built before
    stopping stays within a few times the budget."""

    def _spent(self, piece: str, env) -> str:
        if _BUDGET in env:
            env[_BUDGET] -= len(piece)
            if env[_BUDGET] < 0:
                raise TooExpanded("the HTML would be too long for its source")
        return piece

    def render(self, tokens, options, env) -> str:
        out = []
        for index, token in enumerate(tokens):
            if token.type == "inline":
                if token.children:
                    out.append(self.renderInline(token.children, options, env))  # counted there
            else:
                rule = self.rules.get(token.type, self.renderToken)
                out.append(self._spent(rule(tokens, index, options, env), env))
        return "".join(out)

    def renderInline(self, tokens, options, env) -> str:
        out = []
        for index, token in enumerate(tokens):
            rule = self.rules.get(token.type, self.renderToken)
            out.append(self._spent(rule(tokens, index, options, env), env))
        return "".join(out)


def renderer(allowed_links: re.Pattern) -> MarkdownIt:
    """A CommonMark parser with tables and no raw HTML, following only `allowed_links`: never
    script, never a bare "//host" (which would follow the page's scheme to another site) or a
    relative path. Images are inline (data:) only, so rule text fetches nothing from a server;
    any other image is shown as its alternative text."""
    options = {"html": False, "linkify": False, "typographer": False}
    parser = MarkdownIt("commonmark", options, renderer_cls=BoundedRenderer).enable("table")
    parser.validateLink = lambda url: bool(allowed_links.match(url.strip()) or FIGURE_LINK.match(url.strip()))
    parser.inline.ruler.before("escape", "math_inline", math_inline_dollar(False, False, True))
    parser.core.ruler.push("figure_links", _drop_figure_links)
    render_image = parser.renderer.rules["image"]

    def image(tokens, index, options, env):
        source = tokens[index].attrGet("src") or ""
        if FIGURE_LINK.match(source):
            caption = parser.renderer.renderInline(tokens[index].children or [], options, env)
            return f'<span class="figure-placeholder">［图：{caption or escape(source)}］</span>'
        if not source.lower().startswith("data:image/"):
            return parser.renderer.renderInline(tokens[index].children or [], options, env)
        return render_image(tokens, index, options, env)

    parser.renderer.rules["image"] = image
    parser.renderer.rules["math_inline"] = lambda tokens, index, options, env: str(
        formulas.to_html(tokens[index].content)
    )
    parser.renderer.rules["math_inline_double"] = lambda tokens, index, options, env: str(
        formulas.to_html(tokens[index].content, display=True)
    )
    return parser


def _drop_figure_links(state) -> None:
    """[text](figure:id) as a link would lead nowhere: its text stays, the link goes (only an
    image, ![…](figure:id), places a figure)."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        kept, dropping = [], 0
        for child in token.children:
            if child.type == "link_open" and FIGURE_LINK.match(child.attrGet("href") or ""):
                dropping += 1
                continue
            if child.type == "link_close" and dropping:
                dropping -= 1
                continue
            kept.append(child)
        token.children = kept


_renderer = renderer(WORKSPACE_LINKS)

# The cache is bounded by what it holds, not by entries: 8,192 entries of any size let 40
# previews of 1.8M characters grow a worker by 389 MB. A clause is a few thousand characters;
# the cache keeps about 8 million (source and HTML counted; roughly 16–32 MB per process), and a
# text longer than CACHED_TEXT_LIMIT, or an entry larger than the whole cache (cachetools would
# raise "value too large"), is rendered every time rather than pushing out the clauses.
CACHE_CHARACTERS = 8_000_000
CACHED_TEXT_LIMIT = 100_000

_cache: LRUCache = LRUCache(maxsize=CACHE_CHARACTERS, getsizeof=lambda entry: entry[0])
_cache_lock = threading.Lock()  # gthread workers render on several threads; LRUCache is not thread-safe


def _bounded(text: str) -> tuple[Markup, bool]:
    """The HTML of `text` and True; or, when the HTML would exceed html_budget(text), the text
    escaped as preformatted plain text and False (text saved before the limit existed must not
    take a page down)."""
    try:
        return Markup(_renderer.render(text, {_BUDGET: html_budget(text)})), True
    except TooExpanded:
        return Markup('<pre class="unrendered">') + escape(text) + Markup("</pre>"), False


def _entry(text: str) -> tuple[int, Markup, bool]:
    """(characters held, HTML, rendered within its budget), from the cache when it is there."""
    with _cache_lock:
        entry = _cache.get(text)
    if entry is None:
        html, within_budget = _bounded(text)
        entry = (len(text) + len(html), html, within_budget)  # what the entry holds: key and HTML
        if len(text) <= CACHED_TEXT_LIMIT and entry[0] <= _cache.maxsize:
            with _cache_lock:
                _cache[text] = entry
    return entry


def render(text: str) -> Markup:
    """HTML for `text`. Raw HTML in the source is escaped, and markdown-it refuses javascript:
    and data: links, so user text cannot run script (the CSP forbids inline script as well).
    Cached by text: a rule page renders every clause, and most clauses do not change between
    revisions (markdown-it is pure Python, about 0.5 ms per clause). A text whose HTML would be
    far longer than itself (see MAX_EXPANSION) is shown escaped, as preformatted plain text."""
    return _entry(text or "")[1]


def expands_too_far(text: str) -> bool:
    """Whether the HTML of `text` would exceed html_budget(text): such a text is refused when it
    is saved or previewed. Rendering stops at the budget, and the result is cached for the page."""
    return not _entry(text or "")[2]


def cached_characters() -> int:
    """Characters the cache holds now (sources and HTML), never more than CACHE_CHARACTERS."""
    with _cache_lock:
        return _cache.currsize
