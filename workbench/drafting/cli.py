"""`workbench check RULE.json`: the conformance checks on a rule file, without a database.

Exit status: 0 when no error is found, 1 when at least one error is found, 2 when the file cannot
be checked at all (not JSON, not the template's shape, unknown template). Those input problems
print one line on standard error; the findings go to standard output, as a table or as JSON.
Registry statuses (withdrawn, replaced) need the database and are not looked up here.

A file written against template 1.0 is checked as 1.1 (templates.upgrade: its template reference
changes, nothing else), so with every rule check of the catalogue, as the workbench checks a
stored 1.0 rule; the findings' places are the file's own.
"""

import sys
from pathlib import Path

import click

from workbench.commands import FORMAT, echo_json, first_line, pad, read_json_object, refuse, width
from workbench.drafting import checks
from workbench.drafting import template as templates
from workbench.guideline import Finding
from workbench.guideline.findings import counts

DEFAULT_TEMPLATE = templates.DEFAULT_TEMPLATE


@click.command("check")
@click.argument("rule_file", metavar="RULE.json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@FORMAT
def check(rule_file: Path, output: str):
    """Check RULE.json against its template (指引, GB/T 24067—2024, GB/T 1.1—2020).

    Exit status 1 when an error is found, 2 when the file cannot be checked.
    """
    document = templates.upgrade(read_json_object(rule_file))  # a 1.0 file is checked as 1.1
    ref = document.get("template") or DEFAULT_TEMPLATE
    if not isinstance(ref, str):
        refuse(f"{rule_file}: /template 应为模板标识，如 {DEFAULT_TEMPLATE} (template must be a string)")
    try:
        template = templates.load(ref)
    except templates.TemplateError as error:  # unknown or malformed reference, broken template folder
        refuse(f"{rule_file}: 找不到模板“{ref}”(no such template): {first_line(error)}")
    problems = template.validate(document)
    if problems:
        first = problems[0]
        more = f"（另有 {len(problems) - 1} 处问题 and {len(problems) - 1} more）" if len(problems) > 1 else ""
        refuse(f"{rule_file}: 不符合模板 {ref} (schema): {first.path or '/'}: {first.message}{more}")

    findings = checks.check(document, enabled=template.checks, reference_status=None)
    tally = counts(findings)
    if output == "json":
        echo_json({"findings": [finding.to_dict() for finding in findings], **tally})
    else:
        _print_table(findings, tally)
    sys.exit(1 if tally["errors"] else 0)


def _print_table(findings: list[Finding], tally: dict[str, int]) -> None:
    rows = [(finding.severity, finding.code, finding.article, finding.path, finding.message) for finding in findings]
    if rows:
        widths = [max(width(row[column]) for row in rows) for column in range(4)]
        for row in rows:
            cells = [pad(cell, columns) for cell, columns in zip(row[:4], widths, strict=True)]
            click.echo("  ".join([*cells, row[4]]))
    else:
        click.echo("未发现问题 (no findings)")
    click.echo(f"错误 errors: {tally['errors']}  警告 warnings: {tally['warnings']}  提示 info: {tally['info']}")
