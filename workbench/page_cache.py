"""Rendered pages kept in memory, so that a page read again is not rendered again.

`@cached_page()` on a view keeps the HTML it rendered, per app process, under a key naming
everything the page may depend on:

- the URL (host, path and query), the reader's language, today's date in the app's time zone;
- who is reading: the account id, or nobody (visitors share one copy). A page rendered for one
  account is never served to another;
- what the database holds: the newest audit event, its id and time (every change to an audited
  record writes one in the same transaction, workbench.audit), and how many of the newest
  RECENT_EVENTS there are (on PostgreSQL ids are taken before commit, so a transaction may
  commit an id older than one already visible; it then adds to the count). Any change, made
  through any app server, changes the key, and the next request renders the page afresh;
- what else the view names: `unaudited` models whose rows are only added (trial calculations),
  by their newest id, and `version()` (the publication repository's HEAD).

Per request only the parts that belong to the browser are put in: the CSRF token of the
reader's own session takes the place of the token of whoever rendered the page. Pages with flash
messages, responses other than 200 HTML and requests other than GET/HEAD are never kept.

Each page also gets an ETag of its key and of the session's CSRF secret, so a browser that has
the page gets 304 without the page being rendered or even read from the cache; a new session,
another language or any change answers the page again. Visitors' pages may be kept by their own
browser only (private, no-cache); signed-in pages by none (the app's no-store).

The cache is bounded in bytes (PAGE_CACHE_BYTES, per process) and each page is kept at most
PAGE_CACHE_SECONDS, a last guard should a change ever slip past the key.
"""

import functools
import hashlib
import secrets
import threading

from cachetools import TTLCache
from flask import current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from workbench.audit.models import AuditEvent
from workbench.auth.access import require
from workbench.auth.permissions import Action
from workbench.dates import today
from workbench.db import db
from workbench.i18n import select_locale

DEFAULT_BYTES = 16 * 1024 * 1024
DEFAULT_SECONDS = 60
# Newest audit events counted in the key (see the module's docstring): a transaction that
# commits later than this many events taken after its own goes unseen until PAGE_CACHE_SECONDS.
RECENT_EVENTS = 1000
CSRF_FIELD = "csrf_token"  # Flask-WTF's default WTF_CSRF_FIELD_NAME: g and the session keep it there
EXTENSION = "workbench.page_cache"


class PageCache:
    """One process's pages: bytes, with the CSRF token cut out, bounded in bytes and in age."""

    def __init__(self, max_bytes: int, seconds: float):
        self.pages = TTLCache(maxsize=max_bytes, ttl=seconds, getsizeof=len)
        self.lock = threading.Lock()  # a gunicorn worker serves several threads
        # Stands for the CSRF token in kept pages; random, so no text on a page can forge it.
        self.placeholder = f"csrf-{secrets.token_hex(16)}".encode()

    def get(self, key) -> bytes | None:
        with self.lock:
            return self.pages.get(key)

    def put(self, key, page: bytes) -> None:
        if len(page) > self.pages.maxsize:
            return
        with self.lock:
            self.pages[key] = page


def cache() -> PageCache:
    """This app's cache in this process, made on first use."""
    found = current_app.extensions.get(EXTENSION)
    if found is None:
        config = current_app.config
        made = PageCache(
            config.get("PAGE_CACHE_BYTES", DEFAULT_BYTES), config.get("PAGE_CACHE_SECONDS", DEFAULT_SECONDS)
        )
        found = current_app.extensions.setdefault(EXTENSION, made)  # atomic: two first requests keep one
    return found


def data_version(unaudited=()) -> tuple:
    """The newest audit event (its id and time), how many of the newest RECENT_EVENTS exist, and
    the newest id of each of the `unaudited` models. The time tells a database emptied or restored
    since (ids counted again from 1) from the one the page was rendered from. Index reads in one
    statement, sent as written: this runs on every request of a cached page, where compiling a
    statement would cost more than running it."""
    audit = AuditEvent.__tablename__
    newest = f"(SELECT max(id) FROM {audit})"
    others = "".join(f", (SELECT max(id) FROM {model.__tablename__})" for model in unaudited)
    statement = (
        f"SELECT {newest}, (SELECT occurred_at FROM {audit} WHERE id = {newest}), "
        f"(SELECT count(*) FROM {audit} WHERE id > coalesce({newest}, 0) - {RECENT_EVENTS}){others}"
    )
    return tuple(db.session.connection().exec_driver_sql(statement).one())


def _cacheable() -> bool:
    return request.method in ("GET", "HEAD") and "_flashes" not in session


def _etag(key) -> str:
    """The key plus this session's CSRF secret: a page with another session's token never matches."""
    seed = repr((key, session.get(CSRF_FIELD)))
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


def cached_page(action: Action | None = None, *, unaudited=(), version=None):
    """Keep the page the view renders. `action` is what reading it needs, if anything (asked
    before the cache is, as the view asks it). What else the page shows that the audit trail does
    not record: `unaudited`, models whose rows are only ever added (their newest id is part of the
    key), and `version()`, anything else."""

    def decorator(view):
        @functools.wraps(view)
        def cached(**arguments):
            if action is not None:
                require(action)
            if not _cacheable():
                return view(**arguments)
            reader = current_user.id if current_user.is_authenticated else None
            key = (
                request.endpoint,
                request.url,
                select_locale(),
                reader,
                today(),
                data_version(unaudited),
                version() if version else None,
            )
            if CSRF_FIELD in session and request.if_none_match.contains(etag := _etag(key)):
                response = current_app.response_class(status=304)
                response.set_etag(etag)
                return response
            pages = cache()
            page = pages.get(key)
            if page is None:
                # Rendered here: answered as the view made it (its headers and cookies too), and kept.
                response = current_app.make_response(view(**arguments))
                if response.status_code != 200 or response.mimetype != "text/html" or "_flashes" in session:
                    return response
                token = g.get(CSRF_FIELD)
                kept = response.get_data()
                pages.put(key, kept.replace(token.encode(), pages.placeholder) if token else kept)
            else:
                response = current_app.response_class(
                    page.replace(pages.placeholder, generate_csrf().encode()), mimetype="text/html"
                )
            response.set_etag(_etag(key))  # after generate_csrf: a first visit's session has its secret now
            if reader is None:
                # The page carries this session's CSRF token: no shared cache may keep it; browsers
                # keep it and ask again (304). A signed-in page is not kept at all (no-store,
                # workbench/__init__.py): nothing private stays on a shared computer.
                response.headers["Cache-Control"] = "private, no-cache"
            response.vary.add("Cookie")
            return response

        return cached

    return decorator
