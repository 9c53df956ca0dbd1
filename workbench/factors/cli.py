"""`workbench factors export|import FILE`: the factor library as a CSV or XLSX file, in the one
format of `files` (an exported file imports back unchanged; an import takes all rows or none).
"""

from pathlib import Path

import click
from flask.cli import with_appcontext

from workbench.commands import FORMAT, acting, echo_json
from workbench.db import db
from workbench.factors import files
from workbench.factors import service as library


@click.group("factors")
def factors_group():
    """The factor library (因子库) as a CSV or XLSX file."""


@factors_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "xlsx"]),
    help="File format [default: from FILE's extension].",
)
@with_appcontext
def export_factors(file: Path, file_format: str | None):
    """Write the factor library (every factor not archived) to FILE, in the import format."""
    file_format = file_format or {".csv": "csv", ".xlsx": "xlsx"}.get(file.suffix.lower())
    if file_format is None:
        raise click.UsageError(f"无法从扩展名判断格式 (cannot tell the format of {file.name}): 用 --format csv 或 xlsx")
    factors = db.session.scalars(library.search(library.FactorFilters())).all()
    if file_format == "xlsx":
        content = files.export_xlsx(factors)
    else:
        content = ("\ufeff" + files.export_csv(factors)).encode("utf-8")
    try:
        file.write_bytes(content)
    except OSError as error:
        raise click.ClickException(f"{file}: 无法写入 (cannot write): {error.strerror or error}") from None
    click.echo(f"已导出 {len(factors)} 个因子 (exported {len(factors)} factors): {file}")


@factors_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@FORMAT
@with_appcontext
def import_factors(file: Path, output: str):
    """Import factors from a CSV or XLSX FILE in the export format: all rows or none. A factor
    whose code exists is updated (a new version when something changed)."""
    created, updated = library.import_file(db.session, file.read_bytes(), file.name, by=acting())
    db.session.commit()
    if output == "json":
        echo_json({"created": [f.code for f in created], "updated": [f.code for f in updated]})
        return
    click.echo(f"新增 created {len(created)}，更新 updated {len(updated)}")
