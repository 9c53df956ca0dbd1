"""Publishing a rule revision: render it, commit it to the publication repository, record it.

`publish` is what the workspace button, the API and `workbench publish` call. Like every service
it does not commit the database session; the caller does, after it returns. The repository is
written first, under its lock: if the database transaction then fails, the next publication of
the same revision finds the files already there (no new commit) and records them.
"""

import hashlib
import json
import re
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.metadata import version
from urllib.parse import quote

import git
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbench.auth.models import actor_of
from workbench.auth.permissions import Action, require
from workbench.dates import iso, local_zone
from workbench.db import utcnow
from workbench.drafting import service as drafting
from workbench.drafting import stages
from workbench.drafting.models import Rule, RuleRevision
from workbench.drafting.stages import STAGES
from workbench.errors import Conflict, WorkbenchError
from workbench.publishing import document as documents
from workbench.publishing.models import Publication, StoredDocument
from workbench.publishing.repository import PublicationRepository, RepositoryError, commit_message, slugify, tag_name

# Drafts go out for comment (30), for review (40) and for approval (50); the standard at 60.
# A working-group draft (20) stays inside the workbench.
PUBLISHABLE_STAGES = stages.codes(publishable=True)


def meta_for(rule: Rule, revision: RuleRevision) -> documents.Meta:
    """The cover facts of `revision` at the rule's present stage, from the registry entry."""
    standard = rule.standard
    numbers = [number.strip() for number in re.split(r"[；;]", standard.numbers if standard else "") if number.strip()]
    published = STAGES[rule.stage].published
    return documents.Meta(
        stage=rule.stage,
        standard_number=numbers[0] if numbers and published else "",
        draft_date=revision.created_at.astimezone(local_zone()).date().isoformat(),
        published_on=iso(standard.published_on if standard else None) if published else None,
        implemented_on=iso(standard.implemented_on if standard else None) if published else None,
        level=standard.level.value if standard else "national",
        issuers=tuple((standard.issuer if standard else "").split()),
        rule=rule.code,
        revision=revision.number,
        revision_id=revision.id,
    )


def rule_document(rule: Rule, revision: RuleRevision) -> documents.RuleDocument:
    return documents.build(revision.document, meta_for(rule, revision))


# Raise when the layout changes in a way the libraries' versions do not show: every stored
# document is then laid out again on its next request. 2: formulas, figures and annex sub-clauses.
# 3: the Word file's 目次 page numbers, fonts with stand-ins, line pitch, cover foot, unbroken numbers.
# 4: the PDF title's elements each kept whole on the cover and page 1.
LAYOUT_VERSION = "4"


def document_key(document: dict, meta: documents.Meta, kind: str) -> str:
    """The checksum a laid-out document is stored under: of everything that decides its bytes
    (the rule text, the cover facts, the format, the layout and its libraries). Made without
    building the document, so that serving a stored one parses nothing."""
    facts = {
        "rule": documents.checksum(document),
        "meta": asdict(meta),
        "kind": kind,
        "layout": [LAYOUT_VERSION, version("weasyprint"), version("python-docx"), version("pikepdf")],
    }
    canonical = json.dumps(facts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def stored_document(session: Session, key: str) -> StoredDocument | None:
    return session.get(StoredDocument, key)


def laid_out(session: Session, doc: documents.RuleDocument, kind: str) -> bytes:
    """The document as `kind` ("pdf", "docx"): from the store, or laid out once and stored. Only
    job runners call this (a request never lays out); the layout runs in a child process unless
    WORKBENCH_LAYOUT_PROCESS=inline."""
    key = document_key(doc.source, doc.meta, kind)
    found = stored_document(session, key)
    if found is not None:
        return found.content
    from workbench.publishing import isolation

    if current_app.config["LAYOUT_PROCESS"] == "inline":
        data = isolation.lay_out(kind, doc)
    else:
        data = isolation.lay_out_in_child(kind, doc)
    try:
        with session.begin_nested():
            session.add(StoredDocument(checksum=key, kind=kind, content=data, size=len(data)))
    except IntegrityError:  # another runner stored the same document a moment ago: same bytes
        pass
    return data


def slug_for(session: Session, rule: Rule, document: dict) -> str:
    """The rule's folder in the repository: kept from its first publication; otherwise the
    English product name (from the catalogue, else the product the English title names),
    or the rule code when there is none or another rule has it."""
    kept = session.scalar(select(Publication.slug).where(Publication.rule_id == rule.id).limit(1))
    if kept:
        return kept
    english = rule.product.name_en or product_in_english_title(document.get("title_en") or "")
    candidate = slugify(english) or slugify(rule.code)
    taken = session.scalar(
        select(Publication.id).where(Publication.slug == candidate, Publication.rule_id != rule.id).limit(1)
    )
    return f"{candidate}-{slugify(rule.code)}" if taken else candidate


def product_in_english_title(title: str) -> str:
    """The product of an English title: "…requirements for cement" (template 1.1) or "…—Cement"
    (1.0)."""
    last = title.rsplit("—", 1)[-1]
    head, found, product = last.partition(" for ")
    return product if found and head.strip().lower().endswith("requirements") else last


def publication_of(session: Session, revision: RuleRevision, stage: str) -> Publication | None:
    return session.scalar(select(Publication).where(Publication.revision_id == revision.id, Publication.stage == stage))


def publications(session: Session, rule: Rule) -> list[Publication]:
    return list(
        session.scalars(select(Publication).where(Publication.rule_id == rule.id).order_by(Publication.id.desc()))
    )


def check_publishable(rule: Rule) -> None:
    """Refuse, with the reason, a rule that cannot be published as it stands."""
    if rule.is_archived:
        raise Conflict(_("规则“%(code)s”已归档，不能发布。", code=rule.code))
    if not STAGES[rule.stage].publishable:
        stage = STAGES[rule.stage]
        raise Conflict(
            _(
                "只有征求意见稿、送审稿、报批稿和出版的标准可以发布；这项规则现在是%(document)s（%(code)s %(name)s阶段）。",
                document=_(stage.document),
                code=stage.code,
                name=_(stage.name),
            )
        )


def publish(
    session: Session,
    rule: Rule,
    *,
    by,
    repository: PublicationRepository,
    note: str = "",
    now: datetime | None = None,
) -> tuple[Publication, bool]:
    """Publish the rule's current revision at its present stage (during consultation: the revision
    sent out for it, drafting.public_revision). Returns the publication and whether it is new
    (False: this revision was already published at this stage). `now`: when it is published, in
    the record and the repository's commit (default: now; only the demo dates it back, so that
    its portal history agrees with its backdated stages)."""
    require(by, Action.PUBLISH_RULE, rule)
    actor = actor_of(by)
    check_publishable(rule)
    revision = drafting.public_revision(session, rule)
    existing = publication_of(session, revision, rule.stage)
    if existing is not None:
        return existing, False
    slug = slug_for(session, rule, revision.document)
    doc = rule_document(rule, revision)
    from workbench.publishing import render  # WeasyPrint loads on the first publication, not at start-up

    try:
        files = render.outputs(
            revision.document, doc, pdf=laid_out(session, doc, "pdf"), docx=laid_out(session, doc, "docx")
        )
    except documents.RenderError as error:
        raise WorkbenchError(_("无法生成发布文件，仓库和数据库均未改变：%(error)s", error=str(error))) from error
    stage_label = doc.cover.stage_label
    message = commit_message(
        title=revision.document["title"],
        rule=rule.code,
        revision=revision.number,
        stage=rule.stage,
        stage_label=stage_label,
        publisher=actor.label,
        checksum=doc.checksum,
        note=note,
    )
    number = doc.meta.standard_number
    tag = tag_name(number) if number else f"{slug}/{rule.stage}-r{revision.number}"
    entry = {
        "slug": slug,
        "rule": rule.code,
        "title": revision.document["title"],
        "title_en": revision.document.get("title_en", ""),
        "product": revision.document["product"]["name"],
        "stage": rule.stage,
        "stage_label": doc.meta.stage_label,
        "standard_number": number,
        "revision": revision.number,
        "date": doc.meta.published_on or doc.meta.draft_date,
        "checksum": doc.checksum,
        "files": list(files),
    }
    try:
        result = repository.publish(
            slug,
            files,
            entry,
            message=message,
            tag=tag,
            author=git.Actor(actor.label, "publisher@workbench"),
            date=now,
        )
    except (RepositoryError, git.GitCommandError, OSError) as error:
        raise WorkbenchError(_("发布仓库无法写入，数据库未改变：%(error)s", error=str(error))) from error
    record = Publication(
        rule=rule,
        revision=revision,
        stage=rule.stage,
        slug=slug,
        tag=result.tag,
        commit=result.commit,
        checksum=doc.checksum,
        message=note.strip(),
        publisher_id=actor.user_id,
        publisher_label=actor.label,
        published_at=(now or utcnow()).astimezone(UTC),
    )
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError:  # another publisher recorded the same revision a moment ago
        return publication_of(session, revision, rule.stage), False
    return record, result.created


# --- downloads ---------------------------------------------------------------------------------------

# Characters no file system or browser keeps in a file name, and control characters.
_UNSAFE_IN_FILE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def download_name(*, title: str, standard_number: str = "", stage_label: str = "", revision: int | None = None) -> str:
    """The name a downloaded rule file is saved under (without extension), as people call the
    document: a standard by its number and title ("GB/T 44905—2024 温室气体…"), a draft by its
    title and what it is ("温室气体…水泥（征求意见稿）"), a workspace revision with its number."""
    name = f"{standard_number} {title}" if standard_number else title
    if stage_label:
        name += f"（{stage_label}）"
    if revision is not None:
        name += f" r{revision}"
    cleaned = " ".join(_UNSAFE_IN_FILE_NAME.sub("-", name).split()).strip(" .-")
    return cleaned[:150] or "rule"


def content_disposition(readable: str, plain: str) -> str:
    """`attachment` with the readable (Chinese) name as RFC 6266/5987 `filename*`, and `plain`,
    an ASCII name, for clients that do not read `filename*`."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "-", plain).strip("-.") or "rule"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(readable, safe='')}"
