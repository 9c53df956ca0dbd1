"""`workbench catalogue …`: lists and coverage from the command line.

Every command prints a table for people or, with --format json, one JSON document for tools.
Both commands only read; they read as the server does (SAMR/MEE's detail included).
"""

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from workbench.catalogue import lists, progress
from workbench.catalogue.shapes import batch_json
from workbench.commands import FORMAT
from workbench.commands import echo_json as _json
from workbench.dates import iso, today
from workbench.db import db

STATE_TEXT = {
    "none": "尚无 nothing yet",
    "proposed": "已有立项建议 proposed",
    "project": "项目 project",
    "published": "已发布 published",
    "several_levels": "多个级别 several levels",
}
CYCLE_TEXT = {
    "overdue": "逾期 overdue",
    "open": "进行中 open",
    "late": "逾期报批 late",
    "on_time": "按期报批 on time",
    "stopped": "终止 stopped",
}


@click.group("catalogue")
def catalogue():
    """The priority product list, the recommended group-standard list and coverage against the targets."""


@catalogue.command("coverage")
@click.option(
    "--findings",
    is_flag=True,
    help="Also each priority product's level-rule findings (级别规则), which runs the rules for every product.",
)
@FORMAT
@with_appcontext
def coverage_command(findings, output):
    """Standards published against 100 by 2027 and 200 by 2030, each priority product's state, cycle times."""
    document = progress.coverage(db.session, today(), current_app.config, findings=findings)
    if output == "json":
        _echo_lines(document)
        return
    counted = "、".join(document["counted_levels"])
    click.echo(f"计入目标的级别 counted levels: {counted}    今天 today: {document['today']}")
    click.echo(
        f"已发布 published (counted): {document['counted']}    全部级别 all levels: {document['all_levels']}    "
        f"近一年 last 365 days: {document['rate']['per_year']}"
    )
    click.echo("  " + "  ".join(f"{level} {n}" for level, n in document["published"].items()))
    for year, target in document["targets"].items():
        projection = document["projection"][year]
        mark = "可达到 on track" if projection["on_track"] else "不足 short"
        click.echo(
            f"目标 target {year}: {target}    预计 expected by {projection['date']}: {projection['expected']}  {mark}"
        )
    click.echo("")
    click.echo(f"{'年份 year':<10}{'当年 in year':>14}{'累计 cumulative':>18}")
    for row in document["by_year"]:
        click.echo(f"{row['year']:<10}{row['counted']:>14}{row['cumulative']:>18}")
    click.echo("")
    click.echo(f"重点产品 priority products: {len(document['products'])}")
    for row in document["products"]:
        state = STATE_TEXT[row["state"]]
        if row["levels"]:
            state += " " + "、".join(row["levels"])
        elif row["stage"]:
            state += f" {row['stage']}"
        codes = f"  [{', '.join(found['code'] for found in row['findings'])}]" if row.get("findings") else ""
        click.echo(f"  {row['product']['name']:<16} 第{row['priority_batch']['number']}批  {state}{codes}")
    if document["cycle_times"]:
        click.echo("")
        click.echo("项目周期 cycle times (立项 → 报批):")
        for row in document["cycle_times"]:
            target = f"{row['target_days']}" if row["target_days"] is not None else "—"
            click.echo(
                f"  {CYCLE_TEXT[row['status']]:<16} {row['plan_number'] or '—':<18} {row['product']:<12} "
                f"阶段 stage {row['stage'] or row['registry_status'] or '—'}  {row['elapsed_days']}/{target} 天 days  期限 due {row['due_on'] or '—'}"
            )


@catalogue.command("lists")
@FORMAT
@with_appcontext
def lists_command(output):
    """Every batch of both lists (drafts included), with its items."""
    batches = lists.batches(db.session, drafts=True)  # as GET /api/v1/lists/batches?drafts=true
    if output == "json":
        _json([batch_json(batch) for batch in batches])
        return
    if not batches:
        click.echo("没有清单批次 no list batches")
    for batch in batches:
        click.echo(
            f"[{batch.kind.value}] 第{batch.number}批 {batch.title}  {batch.status.value}  "
            f"{iso(batch.issued_on) or '—'}  {batch.document_number}"
        )
        for item in batch.items:
            subject = item.product.name if item.product else item.standard.designation if item.standard else "—"
            extra = "  ".join(
                value
                for value in (
                    item.category.value if item.category else "",
                    item.level.value if item.level else "",
                    str(item.target_year) if item.target_year else "",
                )
                if value
            )
            click.echo(f"  {item.position:>3}. {item.change.value:<6} {subject}  {extra}")


def _echo_lines(document: dict) -> None:
    """The document as JSON with each top-level key, and each product and project of the long
    lists, on a line of its own. echo_json's indent=2 makes Python's json module use its
    pure-Python encoder, which took 0.2–0.4 s for the document of 10,000 standards; one line per
    item keeps the C encoder and still reads (and greps) one product at a time."""

    def line(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    parts = []
    for key, value in document.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            items = ",\n    ".join(line(item) for item in value)
            parts.append(f"  {line(key)}: [\n    {items}\n  ]")
        else:
            parts.append(f"  {line(key)}: {line(value)}")
    click.echo("{\n" + ",\n".join(parts) + "\n}")
