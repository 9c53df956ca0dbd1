"""`workbench check RULE.json`: the conformance checks on a rule file, without a database.

Exit status: 0 when no error is found, 1 when at least one error is found, 2 when the file cannot
be checked at all (not JSON, not the template's shape, unknown template). Those input problems
print one line on standard error; the findings go to standard output, as a table or as JSON.
Registry statuses (withdrawn, replaced) need the database and are not looked up here.
"""

import json
import sys
import unicodedata
from dataclasses import asdict
from pathlib import Path

import click

from workbench.drafting import checks
from workbench.drafting import template as templates

DEFAULT_TEMPLATE = templates.DEFAULT_TEMPLATE
INPUT_PROBLEM = 2  # the exit status when the file cannot be checked


@click.command("check")
@click.argument("rule_file", metavar="RULE.json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
def check(rule_file: Path, output: str):
    """Check RULE.json against its template (指引, GB/T 24067-2024, GB/T 1.1-2020).

    Exit status 1 when an error is found, 2 when the file cannot be checked.
    """
    document = read_json_object(rule_file)
    ref = document.get("template") or DEFAULT_TEMPLATE
    if not isinstance(ref, str):
        refuse(f"{rule_file}: /template 应为模板标识，如 {DEFAULT_TEMPLATE} (template must be a string)")
    try:
        template = templates.load(ref)
    except templates.TemplateError as error:  # unknown or malformed reference, broken template folder
        refuse(f"{rule_file}: 找不到模板“{ref}”(no such template): {_first_line(error)}")
    problems = template.validate(document)
    if problems:
        first = problems[0]
        more = f"（另有 {len(problems) - 1} 处问题 and {len(problems) - 1} more）" if len(problems) > 1 else ""
        refuse(f"{rule_file}: 不符合模板 {ref} (schema): {first.path or '/'}: {first.message}{more}")

    findings = checks.check(document, catalogue=template.checks, reference_status=None)
    tally = checks.counts(findings)
    if output == "json":
        click.echo(
            json.dumps({"findings": [asdict(finding) for finding in findings], **tally}, ensure_ascii=False, indent=2)
        )
    else:
        _print_table(findings, tally)
    sys.exit(1 if tally["errors"] else 0)


def read_json_object(path: Path) -> dict:
    """The JSON object in `path`, or one line naming what is wrong and exit status 2."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        refuse(f"{path}: 不是 UTF-8 编码的文本 (not UTF-8): 第 {error.start + 1} 个字节")
    except OSError as error:
        refuse(f"{path}: 无法读取 (cannot read): {error.strerror or error}")
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        refuse(
            f"{path}: 第 {error.lineno} 行第 {error.colno} 列不是有效的 JSON "
            f"(invalid JSON at line {error.lineno}, column {error.colno}): {error.msg}"
        )
    except RecursionError:
        refuse(f"{path}: JSON 嵌套过深 (nested too deeply)")
    except ValueError as error:  # NaN/Infinity, or an integer of thousands of digits
        refuse(f"{path}: JSON 中的数值无法读取 (unreadable number): {str(error)[:200]}")
    if not isinstance(document, dict):
        refuse(f"{path}: 文件应是一个 JSON 对象 (the file must hold a JSON object)")
    return document


def _no_constant(name: str):
    raise ValueError(f"{name} 不是有限的数值 (not a finite number)")


def refuse(message: str):
    click.echo(f"错误 error: {message}", err=True)
    sys.exit(INPUT_PROBLEM)


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _print_table(findings: list[checks.Finding], tally: dict[str, int]) -> None:
    rows = [(finding.severity, finding.code, finding.article, finding.path, finding.message) for finding in findings]
    if rows:
        widths = [max(_width(row[column]) for row in rows) for column in range(4)]
        for row in rows:
            cells = [_pad(cell, width) for cell, width in zip(row[:4], widths, strict=True)]
            click.echo("  ".join([*cells, row[4]]))
    else:
        click.echo("未发现问题 (no findings)")
    click.echo(f"错误 errors: {tally['errors']}  警告 warnings: {tally['warnings']}  提示 info: {tally['info']}")


def _width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
