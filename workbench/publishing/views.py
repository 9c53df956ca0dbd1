"""The public portal (guideline (十七): standard texts free to everyone, no login): the list of
published rules and consultation drafts, each rule's text, downloads, version history and the
comparison of any two versions, and the comment form while a draft is out for consultation.

Everything shown comes from the publication repository, so the portal shows exactly what a
clone of it holds. Pages are kept rendered by workbench.page_cache, keyed by the repository's
HEAD among the rest, with an ETag of the same, so a publication through any server shows at once
and a browser that has a page asks again cheaply; files of a version never change and are cached
for a year.
"""

import hashlib
import json
from functools import lru_cache

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action
from workbench.dates import seconds_until
from workbench.db import db, utcnow, write
from workbench.drafting import service as drafting
from workbench.drafting import stages
from workbench.drafting.forms import COMMENT_RECEIVED, CommentForm
from workbench.drafting.models import Rule
from workbench.errors import WorkbenchError
from workbench.forms import ConfirmForm
from workbench.jobs import service as jobs
from workbench.page_cache import cached_page
from workbench.publishing import document as documents
from workbench.publishing import service, tasks
from workbench.publishing.document import MEDIA_TYPES, html
from workbench.publishing.repository import FILES, PublicationRepository, tag_name
from workbench.web import REJECTED, refusal_at_form

bp = Blueprint("portal", __name__, url_prefix="/published")

DOWNLOAD_NAMES = {"rule.pdf": "pdf", "rule.docx": "docx", "rule.json": "json", "rule.md": "md", "index.html": "html"}
KINDS = {"standards": stages.codes(published=True), "drafts": stages.codes(published=False, publishable=True)}


@bp.context_processor
def _stages():
    return {"STAGES": stages.STAGES}


def _repository() -> PublicationRepository:
    return PublicationRepository(current_app.config["PUBLICATION_REPOSITORY"])


def _head() -> str | None:
    """The commit the portal shows: a publication through any server changes the pages."""
    return _repository().head()


# What a commit holds never changes, so what is read or built from one is kept (per process).
# The pages themselves are kept by page_cache, bounded in bytes; these few spare reading a
# version again for its other pages (another language, a comparison). Documents are large (a
# 40-page rule, its JSON and its parsed text, is a few megabytes), so only a handful are kept.
@lru_cache(maxsize=64)
def _index(path: str, head: str) -> list[dict]:
    return PublicationRepository(path).index(head)


@lru_cache(maxsize=64)
def _history(path: str, head: str, slug: str) -> list:
    return PublicationRepository(path).history(slug)


@lru_cache(maxsize=8)
def _rule_at(path: str, commit: str, slug: str) -> dict | None:
    data = PublicationRepository(path).read(commit, f"{slug}/rule.json")
    return json.loads(data) if data else None


@lru_cache(maxsize=4)
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
@cached_page(Action.READ_PUBLISHED, version=_head)
def index():
    require(Action.READ_PUBLISHED)
    head = _repository().head()
    entries = _index(_path(), head) if head else []
    open_rules = _open_for_comment([entry["rule"] for entry in entries])
    query = (request.args.get("q") or "").strip()[:100]
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else ""
    words = query.lower().split()
    shown = [
        entry
        for entry in entries
        if (not kind or entry.get("stage") in KINDS[kind]) and (not words or _matches(entry, words))
    ]
    return render_template(
        "publishing/index.html",
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
@cached_page(Action.READ_PUBLISHED, version=_head)
def rule(slug: str, commit: str | None = None):
    require(Action.READ_PUBLISHED)
    page = _rule_page(slug, commit)
    if page["consultation"] is not None:
        page["consultation"]["form"] = CommentForm(formdata=None, revision=str(page["shown"].revision))
    return render_template("publishing/rule.html", **page)


def _rule_page(slug: str, commit: str | None = None) -> dict:
    """What the rule page shows: the version `commit` (else the one presented), its history, and
    the consultation (its rule; the caller adds the comment form) when the version shown is the
    draft out for comment."""
    head = _repository().head()
    entry = next((item for item in _index(_path(), head) if item["slug"] == slug), None) if head else None
    if entry is None:
        abort(404)
    consultation_rule = db.session.scalar(
        select(Rule).where(Rule.code == entry["rule"], Rule.stage == stages.CONSULTATION)
    )
    versions = _history(_path(), head, slug)
    # While a draft is out for consultation the portal presents the version that was sent out,
    # even if a later one was published (before the workbench published only that one).
    sent_out = _sent_out(consultation_rule, versions) if consultation_rule is not None else None
    presented = sent_out or versions[0]
    shown = presented if commit is None else next((item for item in versions if item.commit == commit), None)
    if shown is None:
        abort(404)
    doc = _built(_path(), shown.commit, slug) or abort(404)
    consultation = None
    if sent_out is not None and shown.commit == sent_out.commit:
        consultation = {"rule": consultation_rule, "form": None, "error": None}
    return {
        "entry": entry,
        "doc": doc,
        "shown": shown,
        "versions": versions,
        "latest": presented,
        "newer": [item.commit for item in versions[: versions.index(presented)]],
        "consultation": consultation,
        "awaiting_draft": consultation_rule is not None and sent_out is None,
        "render": lambda section: html(section.tokens),
    }


@bp.post("/<slug>/comments")
def add_comment(slug: str):
    """A comment on the draft out for consultation, sent from its portal page. Received: back to
    the page, where the form says so. Refused: the page again, with the reason at the form and
    what was typed kept (the form's address ends in #comment-form, so the browser shows the form)."""
    require(Action.READ_PUBLISHED)
    require(Action.COMMENT_ON_RULE)
    page = _rule_page(slug)
    consultation = page["consultation"]
    if consultation is None:  # the consultation closed (or the draft was sent out again) meanwhile
        flash(_("该规则目前不在征求意见阶段，不能提交意见。"), "error")
        return redirect(url_for(".rule", slug=slug))
    form = consultation["form"] = CommentForm()
    if form.validate():
        user = current_principal()
        # Signed-in reviewers are counted by account, visitors by (hashed) address.
        key = f"user:{user.id}" if user.is_authenticated else request.remote_addr or ""
        source = drafting.source_of(key, current_app.config["SECRET_KEY"])
        try:  # committed here, so that a refused write still shows the comment as typed
            write(
                lambda: drafting.add_comment(
                    db.session,
                    consultation["rule"],
                    _comment_input(form),
                    source=source,
                    by=user,
                    now=utcnow(),
                    revision=form.read_revision(),
                )
            )
        except drafting.DuplicateComment as duplicate:  # sent twice: the first copy was received
            flash(duplicate.message, COMMENT_RECEIVED)
            return redirect(url_for(".rule", slug=slug, _anchor="comment-form"))
        except WorkbenchError as error:
            consultation["error"] = refusal_at_form(form, error)
        else:
            flash(_("意见已提交，感谢！起草组会逐条处理并在汇总处理表中说明。"), COMMENT_RECEIVED)
            return redirect(url_for(".rule", slug=slug, _anchor="comment-form"))
    # The page shows the draft out for consultation now; a comment sent again from it is on that text.
    form.revision.data = str(page["shown"].revision)
    response = make_response(render_template("publishing/rule.html", **page), getattr(form, "refused_with", REJECTED))
    if getattr(form, "retry_at", None) is not None:
        response.retry_after = seconds_until(form.retry_at)
    return response


@bp.get("/<slug>/comments")
def comment_form(slug: str):
    """The address a refused comment leaves in the browser: reloaded or bookmarked, it opens the
    rule page at its comment form rather than answering "method not allowed"."""
    return redirect(url_for(".rule", slug=slug, _anchor="comment-form"))


def _comment_input(form: CommentForm) -> drafting.CommentInput:
    return drafting.CommentInput(
        name=form.name.data,
        organisation=form.organisation.data or "",
        clause=form.clause.data or "",
        kind=form.kind.data,
        comment=form.comment.data,
        proposed_change=form.proposed_change.data or "",
    )


def _sent_out(rule: Rule, versions: list):
    """The published version of the revision `rule` sent out for consultation, or None when it is
    not published (yet)."""
    number = drafting.consultation_revision(db.session, rule).number
    return next((item for item in versions if item.stage == stages.CONSULTATION and item.revision == number), None)


@bp.get("/<slug>/versions/<commit>/<any(" + ", ".join(f'"{name}"' for name in FILES) + "):name>")
def download(slug: str, commit: str, name: str):
    require(Action.READ_PUBLISHED)
    repository = _repository()
    data = repository.read(commit, f"{slug}/{name}") if len(commit) == 40 else None
    if data is None:
        abort(404)
    etag = hashlib.sha1(data).hexdigest()
    # content_type, not mimetype: the media types that name their charset would get it twice.
    response = current_app.response_class(data, content_type=MEDIA_TYPES[DOWNLOAD_NAMES[name]])
    response.set_etag(etag)
    # A version's files never change: cache them for a year. The HTML is downloaded, not shown
    # on this site (its inline stylesheet is not the site's), so it is an attachment too.
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["Content-Disposition"] = _published_file_name(slug, commit, name)
    return response.make_conditional(request)


def _published_file_name(slug: str, commit: str, name: str) -> str:
    """The Content-Disposition of a published file: named as the version calls itself (its
    standard number, or its title and stage), with its tag as the plain ASCII name."""
    extension = name.rsplit(".", 1)[1]
    entry = next((item for item in _index(_path(), commit) if item["slug"] == slug), {})
    readable = service.download_name(
        title=entry.get("title") or slug,
        standard_number=entry.get("standard_number") or "",
        stage_label=entry.get("stage_label") or "",
    )
    number, revision = entry.get("standard_number"), entry.get("revision")
    plain = (
        tag_name(number) if number else "-".join(filter(None, (slug, entry.get("stage"), revision and f"r{revision}")))
    )
    return service.content_disposition(f"{readable}.{extension}", f"{plain}.{extension}")


@bp.get("/<slug>/compare")
@cached_page(Action.READ_PUBLISHED, version=_head)
def compare(slug: str):
    require(Action.READ_PUBLISHED)
    head = _repository().head()
    entry = next((item for item in _index(_path(), head) if item["slug"] == slug), None) if head else None
    if entry is None:
        abort(404)
    versions = _history(_path(), head, slug)
    by_commit = {version.commit: version for version in versions}
    if len(versions) < 2:
        flash(_("这项规则只发布过一个版本，没有可比较的版本。"), "info")
        return redirect(url_for(".rule", slug=slug))
    old = by_commit.get(request.args.get("from", ""), versions[1])
    new = by_commit.get(request.args.get("to", ""), versions[0])
    rows, clauses = drafting.compare(_document_at(old.commit, slug), _document_at(new.commit, slug), public=True)
    return render_template(
        "publishing/compare.html", entry=entry, versions=versions, old=old, new=new, rows=rows, clauses=clauses
    )


# --- the workspace side: any revision as a file ------------------------------------------------------

workspace = Blueprint("publishing", __name__, url_prefix="/drafting")


FILE_NAMES = "<any(" + ", ".join(f'"{name}"' for name in FILES) + "):name>"
LAID_OUT_NAMES = "<any(" + ", ".join(f'"{name}"' for name in tasks.LAID_OUT) + "):name>"


def _revision_of(rule_id: int, number: int):
    record = drafting.get_rule(db.session, rule_id)
    try:
        return record, drafting.revision(db.session, record, number)
    except WorkbenchError:
        abort(404)


@workspace.get("/<id:rule_id>/revisions/<id:number>/" + FILE_NAMES)
def revision_file(rule_id: int, number: int, name: str):
    """Any revision as PDF, Word, HTML, JSON or Markdown, at the rule's present stage: what a
    drafting group sends round before anything is published. PDF and Word are laid out by a
    background job once and served from the store of documents after that; until then this
    page offers to start the job (or follows the one already running)."""
    require(Action.VIEW_RULES)
    record, revision = _revision_of(rule_id, number)
    kind = DOWNLOAD_NAMES[name]
    if name in tasks.LAID_OUT:
        key = service.document_key(revision.document, service.meta_for(record, revision), tasks.LAID_OUT[name])
        stored = service.stored_document(db.session, key)
        if stored is None:
            return _not_laid_out_yet(record, revision, name, key)
        data = stored.content
    else:
        data = _revision_text(revision.document, service.rule_document(record, revision), name)
    response = current_app.response_class(data, content_type=MEDIA_TYPES[kind])
    extension = name.rsplit(".", 1)[1]
    meta = service.meta_for(record, revision)
    readable = service.download_name(
        title=revision.document.get("title") or record.title,
        standard_number=meta.standard_number,
        stage_label=meta.stage_label,
        revision=revision.number,
    )
    response.headers["Content-Disposition"] = service.content_disposition(
        f"{readable}.{extension}", f"{record.code}-r{revision.number}.{extension}"
    )
    return response


def _not_laid_out_yet(record, revision, name: str, key: str):
    """The job already laying the document out (whoever asked for it), or a page that offers to start one."""
    running = jobs.open_job(db.session, tasks.RENDER, key)
    if running is not None:
        return redirect(url_for("jobs.job", job_id=running.id))
    label = "PDF" if name == "rule.pdf" else "Word"
    return render_template(
        "publishing/document_pending.html", rule=record, revision=revision, name=name, label=label, form=ConfirmForm()
    )


@workspace.post("/<id:rule_id>/revisions/<id:number>/" + LAID_OUT_NAMES + "/render")
def render_revision_file(rule_id: int, number: int, name: str):
    """Ask for a revision's PDF or Word file: a background job lays it out (or the one already
    doing so is followed); the job page shows its progress and then the download."""
    require(Action.VIEW_RULES)
    record, revision = _revision_of(rule_id, number)
    if not ConfirmForm().validate():
        abort(400)  # only the page's own button posts here
    try:
        job, _created = tasks.request_document(db.session, record, revision.number, name, by=current_principal())
    except WorkbenchError as error:
        flash(str(error.message), "error")
        return redirect(url_for(".revision_file", rule_id=record.id, number=revision.number, name=name))
    return redirect(url_for("jobs.job", job_id=job.id))


def _revision_text(document: dict, doc, name: str) -> bytes:
    """The files that need no layout: made in the request, in milliseconds."""
    from workbench.publishing import render

    if name == "index.html":
        return render.to_html(doc).encode("utf-8")
    if name == "rule.md":
        return render.to_markdown(document, doc).encode("utf-8")
    return render.to_json(document, doc).encode("utf-8")
