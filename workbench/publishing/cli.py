"""`workbench render RULE.json` (a rule file to HTML, PDF, Word and Markdown, no database) and
`workbench publish RULE` (a rule's current revision into the publication repository)."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from workbench.commands import acting, read_json_object, refuse
from workbench.drafting import stages
from workbench.drafting import template as templates
from workbench.publishing import document as documents

_OUTPUT = click.Path(dir_okay=False, writable=True, path_type=Path)


@click.command("render")
@click.argument("rule_file", metavar="RULE.json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--html", "html_file", type=_OUTPUT, help="Write the HTML document here.")
@click.option("--pdf", "pdf_file", type=_OUTPUT, help="Write the PDF (GB/T 1.1 layout) here.")
@click.option("--docx", "docx_file", type=_OUTPUT, help="Write the Word document here.")
@click.option("--markdown", "markdown_file", type=_OUTPUT, help="Write the rule as one Markdown file here.")
@click.option(
    "--stage",
    type=click.Choice([stages.DRAFTING, *stages.codes(publishable=True)]),
    help="Stage the cover shows [default: the file's publication block, else 20].",
)
def render_command(rule_file, html_file, pdf_file, docx_file, markdown_file, stage):
    """Render RULE.json (a rule file; no database needed). A file published by the workbench
    keeps the cover it was published with. Exit status 2 when the file cannot be rendered."""
    if not any((html_file, pdf_file, docx_file, markdown_file)):
        refuse("请至少指定一个输出 (name at least one output): --html、--pdf、--docx 或 --markdown")
    document = templates.upgrade(read_json_object(rule_file))  # a 1.0 file is read as 1.1
    try:
        problems = templates.load(document.get("template") or templates.DEFAULT_TEMPLATE).validate(document)
    except templates.TemplateError as error:
        refuse(f"{rule_file}: {error}")
    if problems:
        first = problems[0]
        refuse(f"{rule_file}: 不符合模板 (schema): {first.path or '/'}: {first.message}")
    meta = documents.Meta.from_publication(document.get(documents.PUBLICATION_KEY))
    if stage:
        meta = documents.Meta(stage=stage, **{key: value for key, value in vars(meta).items() if key != "stage"})
    doc = documents.build(document, meta)
    from workbench.publishing import render  # WeasyPrint: loaded only when rendering

    writers = [
        (html_file, lambda: render.to_html(doc).encode("utf-8")),
        (markdown_file, lambda: render.to_markdown(document, doc).encode("utf-8")),
        (pdf_file, lambda: render.to_pdf(doc)),
        (docx_file, lambda: _docx(doc)),
    ]
    for path, produce in writers:
        if path is None:
            continue
        try:
            data = produce()
        except documents.RenderError as error:
            refuse(f"{rule_file}: {error}")
        path.write_bytes(data)
        click.echo(f"{path} ({len(data):,} bytes)")


def _docx(doc) -> bytes:
    from workbench.publishing.word import to_docx

    return to_docx(doc)


@click.command("publish")
@click.argument("rule")
@click.option("--message", default="", help="A note for the commit (why this version goes out).")
@click.option(
    "--timeout", default=600, show_default=True, type=click.IntRange(1), help="Seconds to wait for the job to finish."
)
@with_appcontext
def publish_command(rule, message, timeout):
    """Publish RULE's (code or id) current revision at its present stage to the publication
    repository (WORKBENCH_PUBLICATION_REPO): files, index.json, one commit and a tag. Runs as a
    background job like the workspace's button, and waits for it: with
    WORKBENCH_JOB_QUEUE=procrastinate a `workbench worker` on the publication queue does it."""
    from workbench.db import db
    from workbench.drafting import service as drafting
    from workbench.drafting.rules_cli import find_rule
    from workbench.jobs.models import JobStatus
    from workbench.jobs.runner import wait_for
    from workbench.publishing import service, tasks

    by = acting()
    found = find_rule(rule)
    record = service.publication_of(db.session, drafting.revision(db.session, found), found.stage)
    if record is None:
        job, _created = tasks.request_publication(db.session, found, by=by, note=message)
        db.session.commit()  # hands the job over (to this process's thread, or to procrastinate)
        finished = wait_for(current_app, job.id, timeout)
        if finished is None:
            raise click.ClickException(
                f"任务 #{job.id} 在 {timeout} 秒内没有完成 (job not finished; see /jobs/{job.id})"
            )
        if finished.status != JobStatus.DONE:
            raise click.ClickException(f"发布失败 (publication failed): {finished.message}")
        db.session.expire_all()
        record = service.publication_of(db.session, drafting.revision(db.session, found), found.stage)
        state = "已发布 published"
    else:
        state = "未变化，此前已发布 unchanged, published before"
    click.echo(f"{found.code} r{record.revision.number} → {record.slug} {record.tag} {record.commit[:12]} ({state})")
