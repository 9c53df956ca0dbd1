"""The feasibility report (workbench.trials.feasibility) as an Excel workbook: 汇总, 各企业结果,
阶段贡献, 类别贡献, 数据缺口, 数据质量 (with the sources of uncertainty), in the reader's language.

PURE: openpyxl and the standard library; no Flask, no database. Every text cell passes through
`workbench.spreadsheet.safe_text`, which neutralises formula injection (a leading =, +, -, @, tab
or carriage return gets an apostrophe) and drops control characters; numbers are written as
numbers.
"""

import io

from workbench.guideline.articles import citation_text
from workbench.guideline.findings import SEVERITY_LABELS
from workbench.guideline.vocabulary import LIFE_CYCLE_STAGES, QUALITY_RATINGS
from workbench.messages import N_, Message, Translate, identity
from workbench.spreadsheet import safe_text
from workbench.trials.feasibility import UNRATED, enterprise_label
from workbench.trials.uncertainty_sources import SENSITIVITY_KINDS, SOURCE_GROUPS

AMOUNT = "#,##0.00##"  # kg CO2e per unit: from tenths of a kilogram to tonnes
PERCENT = "0.0"  # percent figures are stored as percent (12.5 means 12.5 %)
SCORE = "0.00"
COUNT = "0"


def report_xlsx(data: dict, *, rule_code: str, title: str, revision: int, translate: Translate = identity) -> bytes:
    """The feasibility report as an Excel workbook: 汇总, 各企业结果, 阶段贡献, 类别贡献, 数据缺口,
    数据质量, in the reader's language (`translate`)."""
    from openpyxl import Workbook

    t = translate
    book = Workbook()
    _summary(book.active, data, rule_code, title, revision, t)
    _results_sheet(book.create_sheet(), data, t)
    _shares_sheet(book.create_sheet(), t(N_("阶段贡献")), t(N_("阶段")), data["stages"], "stage", t)
    _shares_sheet(book.create_sheet(), t(N_("类别贡献")), t(N_("活动数据类别")), data["categories"], "category", t)
    _gaps_sheet(book.create_sheet(), data, t)
    _quality_sheet(book.create_sheet(), data, t)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


YES, NO = N_("是"), N_("否")
NO_SENSITIVITY = N_("未计算敏感性（请重新计算）")


def _put(sheet, row: int, column: int, value, number_format: str | None = None):
    """One cell: text through `safe_text`, numbers as numbers, None empty (yes/no are written as
    text by the sheets, in the reader's language)."""
    cell = sheet.cell(row=row, column=column)
    if value is None:
        return cell
    if isinstance(value, bool):
        cell.value = safe_text(YES if value else NO)
    elif isinstance(value, int | float):
        cell.value = value
        if number_format:
            cell.number_format = number_format
    else:
        cell.value = safe_text(value)
    return cell


def _table(sheet, top: int, columns: list[tuple[str, int, str | None]], rows: list[list]) -> int:
    """A header row at `top` (bold), then the rows; returns the next free row."""
    from openpyxl.styles import Alignment, Font

    for column, (header, _, _) in enumerate(columns, start=1):
        _put(sheet, top, column, header).font = Font(bold=True)
    for offset, values in enumerate(rows, start=1):
        for column, (value, (_, _, number_format)) in enumerate(zip(values, columns, strict=True), start=1):
            cell = _put(sheet, top + offset, column, value, number_format)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return top + len(rows) + 1


def _widths(sheet, widths) -> None:
    from openpyxl.utils import get_column_letter

    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _summary(sheet, data, rule_code, title, revision, t) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.title = t(N_("汇总"))
    _put(sheet, 1, 1, t(N_("《%(title)s》试算报告（可行性分析）")) % {"title": title}).font = Font(bold=True, size=13)
    spread = data["spread"]
    unit = spread["unit"] or ""
    rows = [
        (t(N_("规则编号")), rule_code, None),
        (t(N_("规则名称")), title, None),
        (t(N_("规则修订")), revision, COUNT),
        (t(N_("试算数")), data["trials"], COUNT),
        (t(N_("参加企业数")), data["enterprises"], COUNT),
        (t(N_("可计算的试算数")), data["calculated"], COUNT),
        (t(N_("结果单位")), data["unit"], None),
        (t(N_("纳入离散程度统计的试算数")), spread["n"], COUNT),
        (t(N_("最小值（%(unit)s）")) % {"unit": unit}, spread["min"], AMOUNT),
        (t(N_("最大值（%(unit)s）")) % {"unit": unit}, spread["max"], AMOUNT),
        (t(N_("平均值（%(unit)s）")) % {"unit": unit}, spread["mean"], AMOUNT),
        (t(N_("中位数（%(unit)s）")) % {"unit": unit}, spread["median"], AMOUNT),
        (t(N_("样本标准差（%(unit)s）")) % {"unit": unit}, spread["sd"], AMOUNT),
        (t(N_("变异系数（%）")), spread["cv_percent"], PERCENT),
        (t(N_("最大值/最小值")), spread["max_over_min"], SCORE),
    ]
    next_row = _table(sheet, 3, [(t(N_("项目")), 28, None), (t(N_("数值")), 40, None)], [list(row[:2]) for row in rows])
    for offset, (_, _, number_format) in enumerate(rows, start=4):
        if number_format:
            sheet.cell(row=offset, column=2).number_format = number_format
    notes_row = next_row + 1
    _put(sheet, notes_row, 1, t(N_("说明"))).font = Font(bold=True)
    for offset, note in enumerate(data["notes"], start=1):
        cell = _put(sheet, notes_row + offset, 1, note.render(t))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(start_row=notes_row + offset, start_column=1, end_row=notes_row + offset, end_column=2)
    _widths(sheet, (28, 60))
    sheet.freeze_panes = "A4"


def _results_sheet(sheet, data, t) -> None:
    sheet.title = t(N_("各企业结果"))
    columns = [
        (t(N_("企业")), 10, None),
        (t(N_("数据期间")), 18, None),
        (t(N_("可计算")), 8, None),
        (t(N_("纳入离散程度统计")), 10, None),
        (t(N_("单位")), 14, None),
        (t(N_("产品碳足迹")), 14, AMOUNT),
        (t(N_("化石")), 14, AMOUNT),
        (t(N_("生物源")), 12, AMOUNT),
        (t(N_("初级数据占比（%）")), 12, PERCENT),
        (t(N_("数据质量得分")), 10, SCORE),
        (t(N_("数据质量评级")), 10, None),
        (t(N_("错误")), 8, COUNT),
        (t(N_("警告")), 8, COUNT),
        (t(N_("蒙特卡洛 P2.5")), 14, AMOUNT),
        (t(N_("蒙特卡洛 P97.5")), 14, AMOUNT),
        (t(N_("贡献最大的阶段")), 14, None),
        (t(N_("该阶段占比（%）")), 12, PERCENT),
    ]
    rows = []
    for row in data["results"]:
        monte_carlo, top = row["monte_carlo"] or {}, row["top_stage"] or {}
        rows.append(
            [
                _enterprise(row["label"], t),
                row["period"],
                _yes_no(row["usable"], t),
                _yes_no(row["in_spread"], t) if row["usable"] else None,
                row["unit"],
                row["cfp_per_unit"],
                row["fossil"],
                row["biogenic"],
                row["primary_data_share"],
                row["data_quality"]["score"],
                _rating(row["data_quality"]["rating"], t) if row["usable"] else None,
                row["errors"],
                row["warnings"],
                monte_carlo.get("p2_5"),
                monte_carlo.get("p97_5"),
                t(LIFE_CYCLE_STAGES.label(top["stage"])) if top else None,
                top.get("percent"),
            ]
        )
    _table(sheet, 1, columns, rows)
    _widths(sheet, [width for _, width, _ in columns])
    sheet.freeze_panes = "B2"


def _shares_sheet(sheet, name, header, rows, key, t) -> None:
    sheet.title = name
    columns = [
        (header, 16, None),
        (t(N_("代码")), 24, None),
        (t(N_("平均占比（%）")), 12, PERCENT),
        (t(N_("最小占比（%）")), 12, PERCENT),
        (t(N_("最大占比（%）")), 12, PERCENT),
        (t(N_("贡献最大的试算数")), 12, COUNT),
        (t(N_("统计的试算数")), 12, COUNT),
    ]
    values = [
        [
            t(row["name"]),
            row[key],
            row["mean_percent"],
            row["min_percent"],
            row["max_percent"],
            row["dominant_in"],
            row["trials"],
        ]
        for row in rows
    ]
    _table(sheet, 1, columns, values)
    _widths(sheet, [width for _, width, _ in columns])
    sheet.freeze_panes = "B2"


def _gaps_sheet(sheet, data, t) -> None:
    sheet.title = t(N_("数据缺口"))
    columns = [
        (t(N_("问题")), 36, None),
        (t(N_("代码")), 24, None),
        (t(N_("严重程度")), 8, None),
        (t(N_("条款")), 14, None),
        (t(N_("出现次数")), 8, COUNT),
        (t(N_("涉及企业")), 16, None),
        (t(N_("示例")), 50, None),
        (t(N_("原因")), 50, None),
    ]
    rows = [
        [
            gap["problem"].render(t),
            gap["code"],
            t(SEVERITY_LABELS.get(gap["severity"], gap["severity"])),
            citation_text(gap["article"], t),
            gap["count"],
            t(N_("、")).join(_enterprise(label, t) for label in gap["labels"]),
            t(N_("%(label)s：%(example)s"))
            % {"label": _enterprise(gap["example_label"], t), "example": gap["example"].render(t)},
            gap["cause"].render(t),
        ]
        for gap in data["gaps"]
    ]
    _table(sheet, 1, columns, rows)
    _widths(sheet, [width for _, width, _ in columns])
    sheet.freeze_panes = "B2"


def _quality_sheet(sheet, data, t) -> None:
    from openpyxl.styles import Font

    sheet.title = t(N_("数据质量"))
    quality = data["quality"]
    next_row = _table(
        sheet,
        1,
        [(t(N_("数据质量评级")), 20, None), (t(N_("代码")), 14, None), (t(N_("试算数")), 10, COUNT)],
        [[_rating(item["rating"], t), item["rating"] or "none", item["count"]] for item in quality["ratings"]],
    )
    primary, uncertainty = quality["primary_data_share"], quality["uncertainty"]
    top = next_row + 1
    _put(sheet, top, 1, t(N_("初级数据占比与不确定性"))).font = Font(bold=True)
    _table(
        sheet,
        top + 1,
        [
            (t(N_("项目")), 20, None),
            (t(N_("试算数")), 14, COUNT),
            (t(N_("最小（%）")), 10, PERCENT),
            (t(N_("平均（%）")), 10, PERCENT),
            (t(N_("最大（%）")), 10, PERCENT),
        ],
        [
            [t(N_("初级数据占比")), primary["n"], primary["min"], primary["mean"], primary["max"]],
            [
                t(N_("95% 置信区间相对宽度")),
                uncertainty["n"],
                uncertainty["min_percent"],
                uncertainty["mean_percent"],
                uncertainty["max_percent"],
            ],
        ],
    )
    _uncertainty_sources(sheet, next_row + 6, data["uncertainty_sources"], t)
    _widths(sheet, (24, 14, 16, 24, 22, 14, 14))
    sheet.freeze_panes = "A2"


def _uncertainty_sources(sheet, top: int, sources: dict, t) -> None:
    """Below the uncertainty: the three inputs that drive each trial's spread most (by kind, place
    and category: the report keeps no item names), then the shares per group averaged over the
    trials, and the summary sentence."""
    from openpyxl.styles import Font

    _put(sheet, top, 1, t(N_("不确定性来源"))).font = Font(bold=True)
    rows = []
    for trial in sources["trials"]:
        if trial["inputs"] is None:  # a Monte Carlo result of before the sensitivity
            rows.append([_enterprise(trial["label"], t), None, t(NO_SENSITIVITY), None, None, None, None])
        for rank, item in enumerate(trial["inputs"] or [], start=1):
            rows.append(
                [
                    _enterprise(trial["label"], t),
                    rank,
                    t(SENSITIVITY_KINDS.get(item["kind"], item["kind"] or "")),
                    t(SOURCE_GROUPS.get(item["group"], item["group"])),
                    item["path"],
                    item["rho"],
                    item["share"],
                ]
            )
    next_row = _table(
        sheet,
        top + 1,
        [
            (t(N_("企业")), 24, None),
            (t(N_("排名")), 14, COUNT),
            (t(N_("不确定的量")), 16, None),
            (t(N_("类别")), 24, None),
            (t(N_("位置")), 10, None),
            (t(N_("秩相关系数 ρ")), 10, SCORE),
            (t(N_("方差贡献（%）")), 10, PERCENT),
        ],
        rows,
    )
    next_row = _table(
        sheet,
        next_row + 1,
        [(t(N_("来源")), 24, None), (t(N_("平均方差贡献（%）")), 14, PERCENT), (t(N_("涉及试算数")), 16, COUNT)],
        [[t(row["name"]), row["mean_percent"], row["trials"]] for row in sources["groups"]]
        + ([[t(N_("未列出的输入")), sources["unlisted_mean_percent"], None]] if sources["groups"] else []),
    )
    if sources["summary"] is not None:
        _put(sheet, next_row + 1, 1, sources["summary"].render(t))


def _yes_no(value: bool, t) -> str:
    return t(YES) if value else t(NO)


def _rating(rating: str | None, t) -> str:
    return t(QUALITY_RATINGS.label(rating)) if rating else t(UNRATED)


def _enterprise(label: str, t: Translate) -> str:
    named = enterprise_label(label)
    return named.render(t) if isinstance(named, Message) else named
