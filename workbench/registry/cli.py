"""`workbench standards …` and `workbench hierarchy …`: the registry from the command line.

Every command prints a table for people or, with --format json, one JSON document for tools.
"""

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from workbench.commands import FORMAT, acting
from workbench.commands import echo_json as _json
from workbench.db import db
from workbench.guideline import Severity
from workbench.i18n import article_text, finding_text
from workbench.registry import importing, numbers, service
from workbench.registry.models import Level


@click.group()
def standards():
    """Carbon-footprint standards at every level (标准体系)."""


@standards.command("parse")
@click.argument("number")
@FORMAT
def parse(number, output):
    """Parse a standard NUMBER (one, or several issued jointly) and print its canonical form.

    Exit status 2 when the number is invalid.
    """
    from workbench.registry.shapes import number_json

    try:
        parsed = numbers.parse_joint(number)
    except numbers.InvalidNumber as error:
        click.echo(f"错误 error: {service.number_error(error)}", err=True)
        sys.exit(2)
    if output == "json":
        _json([number_json(item) for item in parsed] if len(parsed) > 1 else number_json(parsed[0]))
        return
    for item in parsed:
        part = f"  部分 part {item.part}" if item.part else ""
        adopted = f"  采用 adopts {item.adopted.canonical}" if item.adopted else ""
        click.echo(
            f"{item.canonical}  级别 level {item.level.value}  性质 nature {item.nature.value}  "
            f"代号 code {item.code}  顺序号 sequence {item.sequence}{part}  年份 year {item.year}  "
            f"键 key {item.key}{adopted}"
        )


@standards.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@FORMAT
@with_appcontext
def import_file(file, output):
    """Import standards from a CSV FILE in the format of data/standards.csv: all rows or none."""
    report = importing.import_csv(db.session, file.read_bytes(), by=acting())
    db.session.commit()
    if output == "json":
        _json(
            {
                "created": [standard.designation for standard in report.created],
                "unchanged": [standard.designation for standard in report.unchanged],
                "differing": [{"row": row, "standard": standard.designation} for row, standard in report.differing],
                "without_product": [standard.designation for standard in report.without_product],
            }
        )
        return
    click.echo(
        f"新登记 created {len(report.created)}，未变 unchanged {len(report.unchanged)}，"
        f"与文件不同未修改 differing (left as they were) {len(report.differing)}"
    )
    for row, standard in report.differing:
        click.echo(f"  第 {row} 行 row {row}: {standard.designation} 与登记内容不同 differs from the registry")


@click.group()
def hierarchy():
    """The level rules of the 2025 drafting guideline (指引（八）至（十四）)."""


@hierarchy.command("check")
@click.option("--product", "product_name", required=True, help="Product name or alias (产品名称或别名).")
@click.option(  # the five Chinese levels: an international standard is not made for a product here
    "--level", required=True, type=click.Choice([level.value for level in Level if level != Level.INTERNATIONAL])
)
@FORMAT
@with_appcontext
def check(product_name, level, output):
    """The findings a new standard at LEVEL for PRODUCT would get.

    Exit status 1 when a finding refuses the registration (an error), 0 otherwise.
    """
    from workbench.registry.shapes import finding_json

    product = service.find_product(db.session, product_name)
    if product is None:
        raise click.ClickException(f"产品目录中没有“{product_name}” (no such product in the catalogue)")
    findings = service.check_level(db.session, product, level)
    if output == "json":
        _json({"product": product.name, "level": level, "findings": [finding_json(f) for f in findings]})
    else:
        if not findings:
            click.echo(f"{product.name} · {level}: 未发现冲突 no findings")
        for finding in findings:
            click.echo(f"[{finding.severity.value}] {article_text(finding.article)}: {finding_text(finding)}")
    sys.exit(1 if any(finding.severity == Severity.ERROR for finding in findings) else 0)


@hierarchy.command("due")
@FORMAT
@with_appcontext
def due(output):
    """Industry and local standards due for withdrawal: their product has a national standard in force."""
    from workbench.registry.shapes import due_json

    items = service.withdrawal_due(db.session)
    if output == "json":
        _json([due_json(*item) for item in items])
        return
    if not items:
        click.echo("没有应废止的标准 nothing is due for withdrawal")
    for item, standard, national in items:
        click.echo(
            f"{standard.designation}  {standard.product.name}  ← {national.designation} 实施 in force {item.since}"
            f"  依据 per {article_text(item.article)}"
        )
