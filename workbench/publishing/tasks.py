"""Publishing's background jobs: laying out a revision's PDF or Word file, and publishing a
rule. Requests only ask for them (`request_document`, `request_publication`); job runners do
them (workbench.jobs). Only job runners therefore write the publication repository or load
WeasyPrint."""

from flask import current_app
from flask_babel import gettext as _

from workbench.auth.permissions import Action, require
from workbench.drafting import service as drafting
from workbench.drafting.models import Rule
from workbench.errors import Conflict, WorkbenchError
from workbench.jobs import service as jobs
from workbench.jobs.registry import DOCUMENTS, PUBLICATION, Outcome, kind
from workbench.messages import N_
from workbench.publishing import service
from workbench.publishing.document import RenderError
from workbench.publishing.repository import PublicationRepository

RENDER = "render"
PUBLISH = "publish"
# The files of a revision that need a layout, and how the job page names them.
LAID_OUT = {"rule.pdf": "pdf", "rule.docx": "docx"}
IN_PROGRESS = {"pdf": N_("正在生成 PDF…"), "docx": N_("正在生成 Word 文档…")}
READY = {"pdf": N_("PDF 已生成，可以下载。"), "docx": N_("Word 文档已生成，可以下载。")}


def revision_file_url(rule_id: int, number: int, name: str) -> str:
    """Where the workspace serves a revision's file (publishing.views.revision_file)."""
    return f"/drafting/{rule_id}/revisions/{number}/{name}"


def request_document(session, rule: Rule, number: int, name: str, *, by):
    """The job that lays out revision `number`'s `name` (rule.pdf, rule.docx): the one already
    queued or running for the same document, whoever asked for it, or a new one within the
    account's limit."""
    require(by, Action.VIEW_RULES)
    revision = drafting.revision(session, rule, number)
    kind_name = LAID_OUT[name]
    return jobs.enqueue(
        session,
        RENDER,
        {"rule_id": rule.id, "revision": revision.number, "name": name},
        by=by,
        subject=f"{rule.code}-r{revision.number}.{name.rsplit('.', 1)[1]}",
        key=service.document_key(revision.document, service.meta_for(rule, revision), kind_name),
        limit=current_app.config["RENDER_LIMIT"],
    )


def request_publication(session, rule: Rule, *, by, note: str = ""):
    """A job that publishes the rule's current revision (during consultation: the one sent out);
    refused at once when `by` may not."""
    require(by, Action.PUBLISH_RULE, rule)
    service.check_publishable(rule)
    return jobs.enqueue(
        session, PUBLISH, {"rule_id": rule.id, "note": note}, by=by, subject=rule.code, key=f"publish:{rule.id}"
    )


# A document's layout is the same for everyone who may read the rule: a second reader follows the
# job already laying it out (and may see its page) instead of laying it out again.
@kind(
    RENDER,
    label=N_("生成文档"),
    queue=DOCUMENTS,
    too_many=N_("您已有 %(count)d 个文档正在排队或生成，最多同时 %(limit)d 个。请等其中一个完成后再试。"),
    shared_with=Action.VIEW_RULES,
)
def render_document(context: jobs.JobContext, *, rule_id: int, revision: int, name: str) -> Outcome:
    kind_name = LAID_OUT[name]
    rule = drafting.get_rule(context.session, rule_id)
    found = drafting.revision(context.session, rule, revision)
    context.progress(10, IN_PROGRESS[kind_name])
    try:
        service.laid_out(context.session, service.rule_document(rule, found), kind_name)
    except RenderError as error:  # the rule's text cannot be laid out: the job page says why
        raise WorkbenchError(str(error)) from error
    return Outcome(url=revision_file_url(rule_id, revision, name), message=READY[kind_name])


@kind(PUBLISH, label=N_("发布规则"), queue=PUBLICATION, shared_with=Action.PUBLISH_RULE)
def publish_rule(context: jobs.JobContext, *, rule_id: int, note: str) -> Outcome:
    rule = drafting.get_rule(context.session, rule_id)
    require(context.by, Action.PUBLISH_RULE, rule)
    service.check_publishable(rule)
    # The PDF and Word files first, each stored and committed on its own (progress commits): a
    # layout takes seconds, and on SQLite no write lock may be held meanwhile.
    doc = service.rule_document(rule, drafting.public_revision(context.session, rule))
    for percent, kind_name in ((10, "pdf"), (40, "docx")):
        context.progress(percent, IN_PROGRESS[kind_name])
        try:
            service.laid_out(context.session, doc, kind_name)
        except RenderError as error:
            raise WorkbenchError(_("无法生成发布文件，仓库和数据库均未改变：%(error)s", error=str(error))) from error
    context.progress(70, N_("正在写入发布仓库…"))
    repository = PublicationRepository(current_app.config["PUBLICATION_REPOSITORY"])
    publication, created = service.publish(context.session, rule, by=context.by, repository=repository, note=note)
    if not created:
        raise Conflict(_("该修订在这一阶段已经发布过（%(tag)s），没有生成新的版本。", tag=publication.tag))
    return Outcome(
        url=f"/published/{publication.slug}/", message=N_("已发布：任何人无需登录即可在发布平台阅读和下载。")
    )
