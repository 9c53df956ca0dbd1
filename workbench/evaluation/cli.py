"""`workbench evaluation …`, `workbench coordination …`, `workbench adoption …`: periodic review,
TC548's coordination report and adoption eligibility from the command line.

Every command prints a table for people or, with --format json, one JSON document for tools; they
only read, as the server does.
"""

import click


@click.group("evaluation")
def evaluation():
    """Periodic review (复审) and post-implementation evaluation (后评估) of standards in force."""


@click.group("coordination")
def coordination():
    """TC548's coordination report: the technical choices of all rules side by side (指引（十三）)."""


@click.group("adoption")
def adoption():
    """Adoption (采信) of group standards as recommended national standards (指引（十五）)."""


# --- evaluation (owner A) ---------------------------------------------------------------------

# Imported here rather than at the top, so that each owner's section stays self-contained.
from flask.cli import with_appcontext  # noqa: E402

from workbench.commands import FORMAT, echo_json, pad, width  # noqa: E402
from workbench.dates import today  # noqa: E402
from workbench.db import db  # noqa: E402
from workbench.evaluation import reviews  # noqa: E402


@evaluation.command("due")
@click.option(
    "--within-days",
    type=click.IntRange(0, 3650),
    default=365,
    show_default=True,
    help="Also standards due within this many days (0: only those due today or overdue).",
)
@FORMAT
@with_appcontext
def due_command(within_days, output):
    """Standards in force due for periodic review (复审) within the window, or overdue, earliest first.
    overdue_days is today minus the due date: positive overdue, negative not yet due."""
    rows = [reviews.due_json(row) for row in reviews.due_list(db.session, today(), within_days=within_days)]
    if output == "json":
        echo_json(rows)
        return
    if not rows:
        click.echo("没有复审到期的标准 no standards due for review")
        return
    number_width = max(width(row["number"]) for row in rows) + 2
    click.echo(
        f"{pad('标准 number', number_width)}{'发布 published':<16}{'上次复审 last review':<22}{'到期 due':<14}逾期天数 overdue days"
    )
    for row in rows:
        click.echo(
            f"{pad(row['number'], number_width)}{row['published']:<16}{row['last_review'] or '—':<22}"
            f"{row['due']:<14}{row['overdue_days']}"
        )


@evaluation.command("plans")
@click.option("--overdue", is_flag=True, help="Only plans still planned and past their due date.")
@FORMAT
@with_appcontext
def plans_command(overdue, output):
    """Evaluation plans (评估计划) by due date; --overdue: those past their due date."""
    on = today()
    plans = reviews.overdue_plans(db.session, on) if overdue else db.session.scalars(reviews.all_plans()).all()
    rows = [reviews.plan_json(plan, on) for plan in plans]
    if output == "json":
        echo_json(rows)
        return
    if not rows:
        click.echo("没有评估计划 no evaluation plans")
        return
    for row in rows:
        late = "  逾期 overdue" if row["overdue"] else ""
        click.echo(
            f"{row['due_on']}  {row['status']:<10}{row['standard']['number']}  {row['organisation']['name']}{late}"
        )


# --- coordination (owner C) -------------------------------------------------------------------

import json  # noqa: E402
import sys  # noqa: E402

from workbench.evaluation import coordination as coordination_core  # noqa: E402
from workbench.evaluation import coordination_report  # noqa: E402


def _json_lines(document: dict) -> str:
    """The report as JSON with each top-level key, and each row and finding, on a line of its own
    (as `workbench catalogue` prints its lists): indent=2 makes Python's json module use its
    pure-Python encoder, a third of the command's time for 300 rules and 2,000 standards; one line
    per item keeps the C encoder and still reads (and greps) one rule or finding at a time."""

    def line(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    parts = []
    for key, value in document.items():
        if isinstance(value, list) and value:
            items = ",\n    ".join(line(item) for item in value)
            parts.append(f"  {line(key)}: [\n    {items}\n  ]")
        else:
            parts.append(f"  {line(key)}: {line(value)}")
    return "{\n" + ",\n".join(parts) + "\n}"


@coordination.command("report")
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json", "xlsx"]),
    default="table",
    show_default=True,
    help="Output format. xlsx is binary: it goes to --output, or to standard output when that is not a terminal "
    "(redirect it to a file).",
)
@click.option(
    "--output", "path", type=click.Path(dir_okay=False, writable=True), help="Write to this file instead of stdout."
)
@with_appcontext
def coordination_report_command(output, path):
    """TC548's coordination report: every rule's technical choices side by side and the findings where rules of
    related products disagree without a stated reason (指引（十三）)."""
    result = coordination_report.report(db.session)
    if output == "xlsx":
        content = coordination_report.report_xlsx(result)
        if path:
            with open(path, "wb") as file:
                file.write(content)
            return
        stream = click.get_binary_stream("stdout")
        if stream.isatty():
            click.echo("错误 error: xlsx 是二进制文件，请用 --output FILE 或重定向到文件 (use --output FILE)", err=True)
            sys.exit(2)
        stream.write(content)
        stream.flush()
        return
    text = _json_lines(coordination_report.report_data(result)) if output == "json" else _coordination_table(result)
    if path:
        with open(path, "w", encoding="utf-8") as file:
            file.write(text + "\n")
    else:
        click.echo(text)


def _coordination_table(result) -> str:
    shown = coordination_report.Shown()
    lines = []
    rules = [row for row in result.rows if row.rule_id is not None]
    lines.append(
        f"规则 rules: {len(rules)}    未在工作台起草的标准 standards drafted elsewhere: {len(result.rows) - len(rules)}    "
        f"问题 findings: {len(result.disagreements)}    已说明 explained: {len(result.explained)}"
    )
    for row in rules:
        lines.append("")
        lines.append(f"{row.code}  {row.designation or '—'}  {row.product_name}  [{row.stage}]")
        for kind in coordination_core.CHOICE_KINDS:
            lines.append(f"    {shown.choice_label(kind.key)}: {shown.value(row.choices[kind.key].shown) or '—'}")
    if result.disagreements:
        lines.append("")
        lines.append("协调性问题 findings:")
        for item in result.disagreements:
            lines.append(f"  {item.finding.severity.value:<8}{item.finding.code}  {item.finding.message}")
    return "\n".join(lines)


# --- adoption (owner D) -----------------------------------------------------------------------

from workbench.dates import iso  # noqa: E402
from workbench.evaluation import adoption as adoption_service  # noqa: E402
from workbench.registry import service as registry_service  # noqa: E402


@adoption.command("eligibility")
@click.argument("number")
@FORMAT
@with_appcontext
def adoption_eligibility_command(number, output):
    """Whether the group standard NUMBER may be adopted as a recommended national standard, line by line:
    two full years in force, factor-library citations, no national or industry standard for the product
    (the GB/T 20004 proof is asked of an application only). Exit status 1 when not eligible, 2 for an
    unknown number."""
    standard = registry_service.find_standard(db.session, number)
    if standard is None:
        click.echo(f"错误 error: 标准体系中没有 {number} (no standard with this number)", err=True)
        raise SystemExit(2)
    result = adoption_service.check(db.session, standard, today=today())
    document = {
        "number": result.facts.number,
        "in_force_since": iso(result.facts.implemented_on),
        "full_years_in_force": result.full_years,
        "factor_citations": result.facts.citations,
        "citing_factors": list(result.facts.citing_codes),
        "citation_threshold": result.facts.threshold,
        "findings": [
            {"code": found.code, "severity": found.severity.value, "article": found.article, "message": found.message}
            for found in result.findings
        ],
        "eligible": result.eligible,
    }
    if output == "json":
        echo_json(document)
    else:
        click.echo(f"{document['number']}  {standard.title}")
        click.echo(
            f"实施日期 in force since: {document['in_force_since'] or '—'}    "
            f"完整年度 full years: {document['full_years_in_force']}    "
            f"因子库引用 factor citations: {document['factor_citations']} / {document['citation_threshold']}"
        )
        if document["citing_factors"]:
            click.echo("引用的因子 citing factors: " + "、".join(document["citing_factors"]))
        for found in document["findings"]:
            click.echo(f"  {found['severity']:<8}{found['article']}  {found['message']}")
        click.echo("可以申请采信 eligible" if document["eligible"] else "不符合采信条件 not eligible")
    raise SystemExit(0 if document["eligible"] else 1)
