"""`workbench rules …`: rules as JSON files, for exchange with other tools."""

import json
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import or_, select

from workbench.commands import acting
from workbench.dates import today
from workbench.db import db
from workbench.drafting import importing, service
from workbench.drafting.models import Rule
from workbench.errors import AccessDenied, WorkbenchError
from workbench.guideline.findings import counts as count_findings

EXPORT_KEY = "x_workbench"  # where an exported file says which rule and revision it came from


def find_rule(code_or_id: str) -> Rule:
    """The rule with this code (CFP-R-0001) or id, or a one-line refusal."""
    conditions = [Rule.code == code_or_id.upper()]
    if code_or_id.isdecimal():
        conditions.append(Rule.id == int(code_or_id))
    rule = db.session.scalar(select(Rule).where(or_(*conditions)))
    if rule is None:
        raise click.ClickException(f"没有规则“{code_or_id}” (no such rule): workbench rules list 列出全部规则")
    return rule


@click.group()
def rules():
    """Product rules being drafted (规则起草): list, export and import as JSON, migrate to the current template."""


@rules.command("list")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True)
@with_appcontext
def list_rules(output):
    """Every rule with its stage, current revision and findings."""
    found = db.session.scalars(select(Rule).where(Rule.archived_at.is_(None)).order_by(Rule.code)).all()
    latest = service.latest_counts(db.session, [rule.id for rule in found])
    shapes = [
        {
            "code": rule.code,
            "title": rule.title,
            "product": rule.product.name,
            "working_group": rule.working_group.code if rule.working_group else None,
            "stage": rule.stage,
            "revision": rule.current_revision,
            "errors": latest[rule.id].errors if rule.id in latest else None,
            "warnings": latest[rule.id].warnings if rule.id in latest else None,
        }
        for rule in found
    ]
    if output == "json":
        click.echo(json.dumps(shapes, ensure_ascii=False, indent=2))
        return
    for shape in shapes:
        click.echo(
            f"{shape['code']:<12} {shape['stage']}  r{shape['revision']:<3} "
            f"错误 {shape['errors']} 警告 {shape['warnings']}  {shape['title']}"
        )


@rules.command("migrate")
@click.option("--dry-run", is_flag=True, help="List the rules that would be upgraded; write nothing.")
@with_appcontext
def migrate(dry_run):
    """Upgrade the rules written against an older template version (1.0) to the current one (1.1).

    Each such rule gets a new revision: its current revision with the template reference upgraded
    and nothing else changed (author system, message 模板升级到 1.1), audited under the account
    running the command. Rules already on 1.1 are left alone, so running it again changes
    nothing. Published and archived rules get no new revision (they are read as 1.1 anyway)."""
    session = db.session
    by = acting(session)
    found = session.scalars(select(Rule).order_by(Rule.code)).all()
    upgraded = kept = 0
    for rule in found:
        change = service.template_upgrade(session, rule)
        if change is None:
            continue
        line = f"{rule.code} {change[0]} → {change[1]}"
        if dry_run:
            click.echo(f"{line}: 将升级 (would upgrade)")
            upgraded += 1
            continue
        try:
            saved = service.upgrade_template(session, rule, by=by)
        except (WorkbenchError, AccessDenied) as error:  # published, archived, not this account's
            click.echo(f"{line}: 保持原样 (kept): {error}")
            kept += 1
            continue
        click.echo(f"{line}: " + (f"第 {saved.number} 版 (revision {saved.number})" if saved else "已更新模板标识"))
        upgraded += 1
    if dry_run:
        session.rollback()
    else:
        session.commit()
    current = len(found) - upgraded - kept
    verb = "将升级 would upgrade" if dry_run else "升级 upgraded"
    click.echo(f"{verb} {upgraded}，保持原样 kept {kept}，已是当前版本 current {current}")


@rules.command("export")
@click.argument("rule")
@click.option("--revision", type=int, help="Revision number [default: the current one].")
@with_appcontext
def export(rule, revision):
    """Write RULE (code or id) as its JSON document to standard output."""
    found = find_rule(rule)
    saved = service.revision(db.session, found, revision)
    document = {**saved.document, EXPORT_KEY: {"rule": found.code, "revision": saved.number}}
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


@rules.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--message", default="", help="Revision message.")
@click.option("--as-revision-of", "as_revision_of", metavar="RULE", help="Import as the next revision of this rule.")
@click.option(
    "--new-project",
    is_flag=True,
    help="Register a new national project even though the product has a national standard or project.",
)
@with_appcontext
def import_rule(file, message, as_revision_of, new_project):
    """Import a rule document. A file exported from a rule becomes that rule's next revision
    (refused if the rule has moved on since the export); any other file becomes a new rule, or
    the next revision of --as-revision-of RULE. A published standard's file (with its
    "publication" block) keeps that block as source_publication and becomes a published rule
    attached to the registry's record of its number. When the product already has a national
    standard or project, the import stops and names it: choose --as-revision-of or --new-project."""
    session = db.session
    by = acting(session)
    try:
        document = service.parse_json(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise click.ClickException(f"{file}: {error}") from None
    origin = document.pop(EXPORT_KEY, None) if isinstance(document, dict) else None
    document = importing.split_publication(document)
    problems = service.validate(document.get("template") if isinstance(document, dict) else "", document)
    if problems:
        first = problems[0]
        raise click.ClickException(f"{first.path or '/'}: {first.message} (共 {len(problems)} 处 problems)")
    if origin and isinstance(origin, dict) and origin.get("rule") and not as_revision_of:
        rule = find_rule(str(origin["rule"]))
        based_on = origin.get("revision")
        if not isinstance(based_on, int):
            raise click.ClickException(f"{EXPORT_KEY}.revision 应为修订号 (must be a revision number)")
        saved = service.save_revision(session, rule, document, message=message or "导入", based_on=based_on, by=by)
    else:
        try:
            imported = importing.import_rule(
                session,
                document,
                by=by,
                today=today(),
                message=message,
                as_revision_of=find_rule(as_revision_of) if as_revision_of else None,
                new_project=new_project,
            )
        except service.NationalExists as error:
            raise click.ClickException(_decision_needed(error)) from None
        rule, saved = imported.rule, imported.revision
        if imported.published:
            standard = rule.standard
            click.echo(
                f"已发布的标准 published standard: {standard.numbers}（{standard.issuer}，{standard.published_on}）"
            )
    db.session.commit()
    counts = count_findings(service.findings(session, rule, saved.document))
    click.echo(
        f"{rule.code} 第 {saved.number} 版 revision {saved.number}: 错误 errors {counts['errors']}, 警告 warnings {counts['warnings']}"
    )


def _decision_needed(error) -> str:
    """The refusal with the two ways on: a revision of an existing rule, or a new project."""
    lines = [str(error.message), "请选择 choose one:"]
    for entry in error.details.get("national", []):
        if entry["rule"]:
            lines.append(f"  --as-revision-of {entry['rule']}   作为 {entry['rule']} 的新修订 (as its next revision)")
    lines.append("  --new-project   仍然新建国家标准项目 (register another national project)")
    return "\n".join(lines)
