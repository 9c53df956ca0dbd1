"""`workbench calc RULE.json DATASET.json`: a trial calculation (试算) from files, without a database
(the factor library's commands are `workbench.factors.cli`).

`calc` exit status: 0 when calculated without error findings, 1 when calculated with at least one
error finding, 2 when the input cannot be used (not JSON, a rule that does not fit its template, a
dataset that does not fit the dataset schema, units that do not convert, a factor given by
library id that is not in the library given with --factors, or without --factors at all, a
factors file with a bad row). Those print one line on standard error naming the file and the
place; the result goes to standard output, as a summary or as JSON.
"""

import json
import sys
from pathlib import Path

import click

from workbench.commands import FORMAT, read_json_object, refuse, width
from workbench.drafting import template as templates
from workbench.errors import InvalidInput
from workbench.factors import files
from workbench.factors import service as library
from workbench.factors.models import TIER_ORDER, Tier
from workbench.guideline.vocabulary import ACTIVITY_CATEGORIES, LIFE_CYCLE_STAGES
from workbench.trials import dataset as datasets
from workbench.trials import engine
from workbench.trials.feasibility import SENSITIVITY_KINDS as KINDS

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("calc")
@click.argument("rule_file", metavar="RULE.json", type=_FILE)
@click.argument("dataset_file", metavar="DATASET.json", type=_FILE)
@click.option(
    "--monte-carlo",
    "iterations",
    type=click.IntRange(0, 1_000_000),
    default=10_000,
    show_default=True,
    help="Monte Carlo iterations (0: none).",
)
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Random seed; chosen and reported when not given.")
@click.option("--top", type=click.IntRange(0, 1000), default=10, show_default=True, help="Contributions to list.")
@FORMAT
@click.option(
    "--factors",
    "factors_file",
    metavar="FILE",
    type=_FILE,
    help="The factor library as exported (CSV or XLSX, `workbench factors export`): resolves factors "
    'given by id ({"id": code}) and finds better-tier factors for the same item.',
)
def calc(
    rule_file: Path,
    dataset_file: Path,
    iterations: int,
    seed: int | None,
    top: int,
    output: str,
    factors_file: Path | None,
):
    """Calculate the carbon footprint of DATASET.json under the rule RULE.json (试算).

    Exit status 1 when the data break the rule (error findings), 2 when the input cannot be used.
    """
    rule = templates.upgrade(read_json_object(rule_file))  # a 1.0 rule is read as 1.1
    ref = rule.get("template") or templates.DEFAULT_TEMPLATE
    try:
        template = templates.load(ref) if isinstance(ref, str) else None
    except templates.TemplateError as error:
        refuse(f"{rule_file}: 找不到模板“{ref}”(no such template): {error}")
    if template is None:
        refuse(f"{rule_file}: /template 应为模板标识，如 {templates.DEFAULT_TEMPLATE} (template must be a string)")
    problems = template.validate(rule)
    if problems:
        refuse(
            f"{rule_file}: 不符合模板 {ref} (schema): {problems[0].path or '/'}: {problems[0].message}{_more(problems)}"
        )

    data = read_json_object(dataset_file)
    problems = datasets.validate(data)
    if problems:
        refuse(
            f"{dataset_file}: 不符合试算数据格式 (schema): {problems[0].path or '/'}: {problems[0].message}{_more(problems)}"
        )
    factor_lookup = better_factor = None
    if factors_file is not None:
        factor_lookup, better_factor = _library(factors_file)
    try:
        result = engine.calculate(rule, data, top=top, factor_lookup=factor_lookup, better_factor=better_factor)
    except engine.DatasetError as error:
        first = error.problems[0]
        line = f"{dataset_file}: 无法计算 (cannot calculate): {first.path}: {first.message}{_more(error.problems)}"
        if first.code == "factor_unresolved" and first.path.endswith("/id") and factors_file is None:
            hint = "用 --factors 指定因子库导出文件 (use --factors with an exported library)"
            line += ("" if line.endswith("。") else "；") + hint
        refuse(line)

    report = {
        "rule": {"title": rule.get("title"), "template": ref},
        "enterprise": data.get("enterprise"),
        "period": data.get("period"),
        **result.as_dict(),
        "monte_carlo": engine.monte_carlo(result.model, iterations, seed) if iterations else None,
        "scenarios": engine.compare(rule, data, factor_lookup=factor_lookup),
    }
    tally = {
        severity: sum(1 for f in result.findings if f.severity == severity) for severity in ("error", "warning", "info")
    }
    report["counts"] = {"errors": tally["error"], "warnings": tally["warning"], "info": tally["info"]}
    if output == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_summary(report)
    sys.exit(1 if tally["error"] else 0)


def _library(path: Path):
    """(factor_lookup, better_factor) over an exported factor library, or exit 2 naming the file,
    row and column of the first problem. A factor {"id": X} is the row whose code is X (whatever
    its case); the better factor of a line is the best tier among rows named as its item."""
    try:
        content = path.read_bytes()
    except OSError as error:
        refuse(f"{path}: 无法读取 (cannot read): {error.strerror or error}")
    try:
        rows = library.snapshots(files.read_rows(content, path.name))
    except InvalidInput as error:
        problems = error.details.get("rows") or []
        if not problems:
            refuse(f"{path}: 不能用作因子库 (not a factor library): {error.message}")
        first = problems[0]
        place = f"第 {first['row']} 行 row {first['row']}" + (
            f" {first['column']} 列 column {first['column']}" if first["column"] else ""
        )
        refuse(f"{path}: 因子库文件有误 (bad factor file): {place}: {first['message']}{_more(problems)}")
    by_code = {row["code"].lower(): row for row in rows}
    best: dict[str, str] = {}
    for row in rows:
        name = _key(row["name"])
        if name not in best or TIER_ORDER[Tier(row["tier"])] < TIER_ORDER[Tier(best[name])]:
            best[name] = row["tier"]

    def factor_lookup(code: str) -> dict | None:
        return by_code.get(" ".join(code.split()).lower())

    def better_factor(line: dict) -> str | None:
        return best.get(_key(str(line.get("item") or "")))

    return factor_lookup, better_factor


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _more(problems) -> str:
    return f"（另有 {len(problems) - 1} 处问题 and {len(problems) - 1} more）" if len(problems) > 1 else ""


# --- the summary ------------------------------------------------------------------------------------


def _print_summary(report: dict) -> None:
    unit = report["unit"]
    click.echo(f"{report['rule']['title'] or ''}  {report['enterprise'] or ''}  {report['period'] or ''}".strip())
    click.echo(f"产品碳足迹 CFP: {_n(report['cfp_per_unit'])} {unit}")
    click.echo(
        f"  化石 fossil {_n(report['fossil'])}  生物源 biogenic {_n(report['biogenic'])}  "
        f"基准流 reference flow: {_n(report['reference_units'])} 个单位, 合计 total {_n(report['total'])} kg CO2e"
    )
    cfp = report["cfp_per_unit"]
    for title, values, names in (
        ("按生命周期阶段 by stage", report["by_stage"], LIFE_CYCLE_STAGES.labels),
        ("按排放类别 by category", report["by_category"], ACTIVITY_CATEGORIES.labels),
        ("按温室气体 by gas", report["by_gas"], {engine.UNSPECIFIED_GAS: "未分气体"}),
    ):
        click.echo(title)
        _rows(
            [(f"{names.get(key, '')} {key}".strip(), _n(value), _percent(value, cfp)) for key, value in values.items()]
        )
    click.echo(
        f"初级数据占比 primary data share: {report['primary_data_share']:.1f} % ({report['primary_data_share_basis']})"
    )
    for extra in report["additional_units"]:
        if extra["cfp_per_unit"] is not None:
            click.echo(f"{extra['description']}: {_n(extra['cfp_per_unit'])} {extra['unit']}")
    click.echo(f"GWP: {report['gwp']['set']} {report['gwp']['source']}")
    quality = report["data_quality"]
    if quality["score"] is None:
        click.echo("数据质量 data quality: 无谱系矩阵评分 (no pedigree scores)")
    else:
        click.echo(
            f"数据质量 data quality: {quality['score']:.2f} {quality['rating_zh']} ({quality['rating']}), "
            f"覆盖 coverage {quality['coverage_percent']:.1f} %"
        )
    mc = report["monte_carlo"]
    if mc:
        click.echo(
            f"蒙特卡洛 Monte Carlo ({mc['iterations']} 次, seed {mc['seed']}): 静态值 static {_n(mc['static'])}  "
            f"中位数 median {_n(mc['median'])}  平均值 mean {_n(mc['mean'])}  标准差 sd {_n(mc['sd'])}  "
            f"95 % [{_n(mc['p2_5'])}, {_n(mc['p97_5'])}]"
        )
        _print_network(mc.get("network"))
        _print_sensitivity(mc.get("sensitivity"))
    cut = report["cut_off"]
    click.echo(
        f"取舍 cut-off: 忽略 excluded {len(cut['excluded'])} 项 {cut['excluded_percent']:.2f} % "
        f"(限值 limit {cut['total_percent']:g} %); 低于单项限值 below {cut['per_item_percent']:g} %: "
        f"{len(cut['below_threshold'])} 项 {cut['below_threshold_percent']:.2f} %"
    )
    if report["contributions"]:
        click.echo("主要贡献 top contributions")
        _rows(
            [
                (c["path"], c["item"], _n(c["kg_co2e_per_unit"]), f"{c['percent']:.1f} %")
                for c in report["contributions"]
            ]
        )
    scenarios = report["scenarios"]
    click.echo("情景 scenarios")
    _rows(
        [
            (f"{group} {name}", _n(outcome["cfp_per_unit"]) if "cfp_per_unit" in outcome else outcome["unavailable"])
            for group, options in scenarios.items()
            for name, outcome in options.items()
            if isinstance(outcome, dict)  # not the flags "applicable", "instruments"
        ]
    )
    findings = report["findings"]
    if findings:
        _rows([(f["severity"], f["code"], f["article"], f["path"], f["message"]) for f in findings], indent="")
    else:
        click.echo("未发现问题 (no findings)")
    counts = report["counts"]
    click.echo(f"错误 errors: {counts['errors']}  警告 warnings: {counts['warnings']}  提示 info: {counts['info']}")


def _print_network(network: dict | None) -> None:
    if not network:
        return
    click.echo(
        f"  过程间交换量 uncertain exchanges: {network['uncertain_exchanges']} 项, 逐次求解 solved one by one "
        f"{network['fallback_draws']} 次, 无解剔除 left out (no solution) {network['excluded_draws']} 次"
    )


def _print_sensitivity(sensitivity: dict | None) -> None:
    """The three inputs that drive the spread most, with their share of the variance."""
    if not sensitivity:
        return
    click.echo(
        f"敏感性 sensitivity ({sensitivity['method']}: 斯皮尔曼秩相关系数平方 squared Spearman rank correlation, "
        f"前 first {sensitivity['draws']} 次 draws; {sensitivity['count']} 项不确定 uncertain inputs)"
    )
    _rows(
        [
            (
                item["path"],
                item["label"],
                f"{KINDS.get(item['kind'], '')} {item['kind']}".strip(),
                f"ρ {item['rho']:+.3f}",
                f"{item['share']:.1f} %",
            )
            for item in sensitivity["inputs"][:3]
        ]
    )


def _n(value: float) -> str:
    return f"{value:.6g}"


def _percent(value: float, total: float) -> str:
    return f"{100 * value / total:.1f} %" if total else ""


def _rows(rows: list[tuple], indent: str = "  ") -> None:
    """Aligned columns (CJK characters take two); the last column is not padded."""
    if not rows:
        return
    widths = [max(width(str(row[column])) for row in rows) for column in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [str(cell) + " " * (columns - width(str(cell))) for cell, columns in zip(row, widths, strict=False)]
        click.echo(indent + "  ".join([*cells, str(row[-1])]))
