"""The public portal (guideline (十七): standard texts free to everyone, no login): the list of
published rules and consultation drafts, each rule's text, downloads, version history and the
comparison of any two versions, and the comment form while a draft is out for consultation.

Everything shown comes from the publication repository, so the portal shows exactly what a
clone of it holds. Pages carry an ETag made of the repository's HEAD (and who is looking), so a
browser or proxy asks again cheaply; files of a version never change and are cached for a year.
"""

import hashlib
import json
from functools import lru_cache

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from workbench.auth.access import require
from workbench.auth.permissions import Action
from workbench.db import db
from workbench.drafting import service as drafting
from workbench.drafting import stages
from workbench.drafting.forms import CommentForm
from workbench.drafting.models import Rule
from workbench.errors import WorkbenchError
from workbench.i18n import select_locale
from workbench.publishing import document as documents
from workbench.publishing import service
from workbench.publishing.document import MEDIA_TYPES, RenderError, html
from workbench.publishing.repository import FILES, PublicationRepository

bp = Blueprint("portal", __name__, url_prefix="/published")

DOWNLOAD_NAMES = {"rule.pdf": "pdf", "rule.docx": "docx", "rule.json": "json", "rule.md": "md", "index.html": "html"}
KINDS = {"standards": stages.codes(published=True), "drafts": stages.codes(published=False, publishable=True)}


def _repository() -> PublicationRepository:
    return PublicationRepository(current_app.config["PUBLICATION_REPOSITORY"])


def _etag(head: str | None, *facts) -> str:
    """What a page depends on: the repository's HEAD, whatever else the view names, the
    language, the account (the page header shows it) and the URL."""
    user = current_user.get_id() if current_user.is_authenticated else "-"
    seed = "|".join(map(str, (head, *facts, select_locale(), user, request.full_path)))
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


def _not_modified(etag: str):
    """304 before any work, when the visitor already has this page."""
    if request.if_none_match.contains(etag):
        return current_app.response_class(status=304, headers={"ETag": f'"{etag}"'})
    return None


def _page(template: str, etag: str, **context):
    response = current_app.make_response(render_template(template, **context))
    response.set_etag(etag)
    response.headers.setdefault("Cache-Control", "no-cache")  # revalidate: a publication changes HEAD
    return response


# What a commit holds never changes, so what is read or built from one is kept (per process).
@lru_cache(maxsize=64)
def _index(path: str, head: str) -> list[dict]:
    return PublicationRepository(path).index(head)


@lru_cache(maxsize=256)
def _history(path: str, head: str, slug: str) -> list:
    return PublicationRepository(path).history(slug)


@lru_cache(maxsize=256)
def _rule_at(path: str, commit: str, slug: str) -> dict | None:
    data = PublicationRepository(path).read(commit, f"{slug}/rule.json")
    return json.loads(data) if data else None


@lru_cache(maxsize=64)
def _built(path: str, commit: str, slug: str) -> documents.RuleDocument | None:
    rule = _rule_at(path, commit, slug)
    return documents.build(rule) if rule else None


def _path() -> str:
    return current_app.config["PUBLICATION_REPOSITORY"]


def _document_at(commit: str, slug: str) -> dict:
    found = _rule_at(_path(), commit, slug)
    if found is None:
        abort(404)
    return found


def _matches(entry: dict, words: list[str]) -> bool:
    text = " ".join(str(entry.get(key, "")) for key in ("title", "title_en", "product", "standard_number", "rule"))
    return all(word in text.lower() for word in words)


@bp.get("/")
def index():
    require(Action.READ_PUBLISHED)
    head = _repository().head()
    entries = _index(_path(), head) if head else []
    open_rules = _open_for_comment([entry["rule"] for entry in entries])
    etag = _etag(head, sorted(open_rules))
    if (unchanged := _not_modified(etag)) is not None:
        return unchanged
    query = (request.args.get("q") or "").strip()[:100]
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else ""
    words = query.lower().split()
    shown = [
        entry
        for entry in entries
        if (not kind or entry.get("stage") in KINDS[kind]) and (not words or _matches(entry, words))
    ]
    return _page(
        "publishing/index.html",
        etag,
        head_commit=head,
        entries=shown,
        total=len(entries),
        query=query,
        kind=kind,
        open_rules=open_rules,
    )


def _open_for_comment(codes: list[str]) -> set[str]:
    """Which of these rules are out for consultation now (the repository cannot know)."""
    if not codes:
        return set()
    return set(db.session.scalars(select(Rule.code).where(Rule.code.in_(codes), Rule.stage == stages.CONSULTATION)))


@bp.get("/<slug>/")
@bp.get("/<slug>/versions/<commit>")
def rule(slug: str, commit: str | None = None):
    require(Action.READ_PUBLISHED)
    head = _repository().head()
    entry = next((item for item in _index(_path(), head) if item["slug"] == slug), None) if head else None
    if entry is None:
        abort(404)
    consultation_rule = db.session.scalar(
        select(Rule).where(Rule.code == entry["rule"], Rule.stage == stages.CONSULTATION)
    )
    etag = _etag(head, consultation_rule is not None)
    if (unchanged := _not_modified(etag)) is not None:
        return unchanged
    versions = _history(_path(), head, slug)
    shown = versions[0] if commit is None else next((item for item in versions if item.commit == commit), None)
    if shown is None:
        abort(404)
    doc = _built(_path(), shown.commit, slug) or abort(404)
    latest = shown.commit == versions[0].commit
    consultation = None
    if consultation_rule is not None and latest and entry.get("stage") == stages.CONSULTATION:
        consultation = {"rule": consultation_rule, "form": CommentForm()}
    return _page(
        "publishing/rule.html",
        etag,
        entry=entry,
        doc=doc,
        shown=shown,
        versions=versions,
        latest=versions[0],
        consultation=consultation,
        render=lambda section: html(section.tokens),
    )


@bp.get("/<slug>/versions/<commit>/<any(" + ", ".join(f'"{name}"' for name in FILES) + "):name>")
def download(slug: str, commit: str, name: str):
    require(Action.READ_PUBLISHED)
    repository = _repository()
    data = repository.read(commit, f"{slug}/{name}") if len(commit) == 40 else None
    if data is None:
        abort(404)
    etag = hashlib.sha1(data).hexdigest()
    response = current_app.response_class(data, mimetype=MEDIA_TYPES[DOWNLOAD_NAMES[name]])
    response.set_etag(etag)
    # A version's files never change: cache them for a year. The HTML is downloaded, not shown
    # on this site (its inline stylesheet is not the site's), so it is an attachment too.
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    extension = name.rsplit(".", 1)[1]
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}-{commit[:8]}.{extension}"'
    return response.make_conditional(request)


@bp.get("/<slug>/compare")
def compare(slug: str):
    require(Action.READ_PUBLISHED)
    head = _repository().head()
    entry = next((item for item in _index(_path(), head) if item["slug"] == slug), None) if head else None
    if entry is None:
        abort(404)
    etag = _etag(head)
    if (unchanged := _not_modified(etag)) is not None:
        return unchanged
    versions = _history(_path(), head, slug)
    by_commit = {version.commit: version for version in versions}
    if len(versions) < 2:
        flash(_("这项规则只发布过一个版本，没有可比较的版本。"), "info")
        return redirect(url_for(".rule", slug=slug))
    old = by_commit.get(request.args.get("from", ""), versions[1])
    new = by_commit.get(request.args.get("to", ""), versions[0])
    rows, clauses = drafting.compare(_document_at(old.commit, slug), _document_at(new.commit, slug))
    return _page(
        "publishing/compare.html", etag, entry=entry, versions=versions, old=old, new=new, rows=rows, clauses=clauses
    )


# --- the workspace side: any revision as a file ------------------------------------------------------

workspace = Blueprint("publishing", __name__, url_prefix="/drafting")


@workspace.get("/<id:rule_id>/revisions/<int:number>/<any(" + ", ".join(f'"{name}"' for name in FILES) + "):name>")
def revision_file(rule_id: int, number: int, name: str):
    """Any revision as PDF, Word, HTML, JSON or Markdown, at the rule's present stage: what a
    drafting group sends round before anything is published."""
    require(Action.VIEW_RULES)
    record = drafting.get_rule(db.session, rule_id)
    try:
        revision = drafting.revision(db.session, record, number)
    except WorkbenchError:
        abort(404)
    doc = service.rule_document(record, revision)
    kind = DOWNLOAD_NAMES[name]
    try:
        data = _revision_output(revision.document, doc, name)
    except RenderError as error:
        flash(str(error), "error")
        return redirect(url_for("workflow.rule", rule_id=record.id)), 303
    response = current_app.response_class(data, mimetype=MEDIA_TYPES[kind])
    filename = f"{record.code}-r{revision.number}.{name.rsplit('.', 1)[1]}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _revision_output(document: dict, doc, name: str) -> bytes:
    from workbench.publishing import render

    if name == "rule.pdf":
        return render.to_pdf(doc)
    if name == "rule.docx":
        from workbench.publishing.word import to_docx

        return to_docx(doc)
    if name == "index.html":
        return render.to_html(doc).encode("utf-8")
    if name == "rule.md":
        return render.to_markdown(document, doc).encode("utf-8")
    return render.to_json(document, doc).encode("utf-8")
