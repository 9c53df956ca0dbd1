"""`workbench rules …`: rules as JSON files, for exchange with other tools."""

import json
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import or_, select

from workbench.commands import acting
from workbench.dates import today
from workbench.db import db
from workbench.drafting import service
from workbench.drafting.models import Rule
from workbench.guideline.findings import counts as count_findings
from workbench.registry.service import find_product

EXPORT_KEY = "x_workbench"  # where an exported file says which rule and revision it came from


def find_rule(code_or_id: str) -> Rule:
    """The rule with this code (CFP-R-0001) or id, or a one-line refusal."""
    conditions = [Rule.code == code_or_id.upper()]
    if code_or_id.isdigit():
        conditions.append(Rule.id == int(code_or_id))
    rule = db.session.scalar(select(Rule).where(or_(*conditions)))
    if rule is None:
        raise click.ClickException(f"没有规则“{code_or_id}” (no such rule): workbench rules list 列出全部规则")
    return rule


@click.group()
def rules():
    """Product rules being drafted (规则起草): list, export and import as JSON."""


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
@with_appcontext
def import_rule(file, message):
    """Import a rule document. A file exported from a rule becomes that rule's next revision
    (refused if the rule has moved on since the export); any other file becomes a new rule."""
    session = db.session
    by = acting(session)
    try:
        document = service.parse_json(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise click.ClickException(f"{file}: {error}") from None
    origin = document.pop(EXPORT_KEY, None) if isinstance(document, dict) else None
    problems = service.validate(document.get("template") if isinstance(document, dict) else "", document)
    if problems:
        first = problems[0]
        raise click.ClickException(f"{first.path or '/'}: {first.message} (共 {len(problems)} 处 problems)")
    if origin and isinstance(origin, dict) and origin.get("rule"):
        rule = find_rule(str(origin["rule"]))
        based_on = origin.get("revision")
        if not isinstance(based_on, int):
            raise click.ClickException(f"{EXPORT_KEY}.revision 应为修订号 (must be a revision number)")
        saved = service.save_revision(session, rule, document, message=message or "导入", based_on=based_on, by=by)
    else:
        product = find_product(session, document["product"]["name"])
        if product is None:
            raise click.ClickException(f"产品目录中没有“{document['product']['name']}” (no such product)")
        rule = service.create_rule(session, product=product, by=by, today=today())
        saved = service.save_revision(
            session, rule, document, message=message or "导入", based_on=rule.current_revision, by=by
        )
    db.session.commit()
    counts = count_findings(service.findings(session, rule, saved.document))
    click.echo(
        f"{rule.code} 第 {saved.number} 版 revision {saved.number}: 错误 errors {counts['errors']}, 警告 warnings {counts['warnings']}"
    )
