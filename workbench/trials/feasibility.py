"""The feasibility report (可行性分析 / 试算报告) of one rule revision: what the trial calculations
(试算) of several enterprises show about whether the rule can be followed and gives comparable
results (指引(六)). Shown on a page, exported as XLSX, later printed in the rule's informative annex.

PURE: numpy, openpyxl, the standard library, the trial engine and the drafting constants; no Flask,
no database. Enterprises appear only by their anonymised labels (企业A, 企业B …): nothing here
reads or writes an enterprise's name.

`report(outcomes)` takes one `TrialOutcome` per trial (the stored engine result, or the problems
that stopped the calculation) and returns JSON-ready data:

    trials, enterprises, calculated   number of outcomes, of distinct labels, of usable outcomes
    unit, units                       the most common unit among usable results; {unit: count}
    results[]                         one row per outcome, by label then period
    spread                            the CFP per unit over the usable results in `unit`
    stages[], categories[]            share of each life-cycle stage / activity category
    gaps[]                            findings aggregated by code across trials, with a cause
    quality                           data-quality ratings, primary data share, uncertainty
    notes[]                           plain Chinese sentences stating the facts

Decisions:
- Only usable outcomes enter the figures; the problems of the others are counted in `gaps`.
- The spread (min, max, mean, median, sd, CV) is over trials, not enterprises: an enterprise with
  two trials (two periods) counts twice, and a note says so. sd is the sample standard deviation
  (ddof=1, the trials being a sample of the sector), None for fewer than two results; the
  coefficient of variation is sd / |mean| × 100 (None when the mean is 0); max_over_min is None
  when the minimum is not positive. No pass/fail threshold is applied: the figures are stated.
- Results in another unit than the most common one (ties: the first in label order) stay out of
  the spread, and the difference is itself a gap (`unit_inconsistent`) and a note. Shares and
  ratings are dimensionless and use every usable result.
- Shares are percent of each trial's own CFP per unit; a trial whose CFP is 0 has no shares. A
  stage or category absent from a trial's breakdown counts as 0 % in that trial. The dominant
  stage (category) of a trial is the one with the largest positive contribution; ties go to the
  first in STAGES (CATEGORY_NAMES) order.
- Findings marked suppressed (with a recorded reason) are left out of the error and warning
  counts and of the gaps. For an unusable trial, the gaps hold its `problems` and, when its
  result holds findings, those too (the same finding is counted once).
- Lines left out under cut-off are counted from result["cut_off"]["excluded"] as the gap
  `cut_off_excluded` (severity info). The stored result does not keep the lines' data types, so
  estimated data (估算数据) are not counted here; where they break the rule, their findings
  (primary_data_missing, secondary_*) are.
- Data-quality ratings are the engine's (EU PEF bands, `engine.QUALITY_BANDS`, then "poor");
  a result without pedigree scores has rating None (未评价).
- The uncertainty of a trial is the relative width of its Monte Carlo 95 % interval,
  (p97.5 − p2.5) / |median| × 100, for trials with a Monte Carlo run and a non-zero median.
- In the XLSX, every text cell passes through `workbench.spreadsheet.safe_text`, which neutralises formula injection (a
  leading =, +, -, @, tab or carriage return gets an apostrophe) and drops control characters;
  numbers are written as numbers.
"""

import io
import math
import statistics
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from workbench.drafting.checks import STAGE_NAMES, STAGES
from workbench.drafting.stages import MIN_TRIAL_ENTERPRISES
from workbench.spreadsheet import safe_text
from workbench.trials import engine

RATINGS = (
    *((key, zh) for _, key, zh in engine.QUALITY_BANDS),
    ("poor", "差"),
    (None, "未评价"),
)
SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}

UNIT_INCONSISTENT = "unit_inconsistent"
CUT_OFF_EXCLUDED = "cut_off_excluded"

# What each gap means for the rule (the secretariat reads these beside the counts).
CAUSES = {
    "primary_data_missing": "企业无法按规则要求获得初级数据：规则对初级数据的要求可能过高，或需要说明可用的替代数据。",
    "activity_category_empty": "规则要求的活动数据类别在试算数据中缺失：该类别在企业可能不存在或难以计量，规则可说明其适用条件或计量方法。",
    "factor_unresolved": "企业无法确定所需的碳足迹因子：规则推荐的因子来源可能未覆盖该项目，需要补充因子或指明数据来源。",
    "unit_not_convertible": "活动数据的计量单位无法换算为因子或声明单位：规则宜统一规定计量单位，或给出换算方法。",
    "gwp_unavailable": "规则规定的 GWP 值版本无法取得：规则宜采用公开可得的 GWP 值（如 IPCC AR6）。",
    "uncertainty_invalid": "企业给出的不确定性信息不合规范：规则的不确定性评价方法可能需要更具体的说明或示例。",
    "network_invalid": "企业的过程网络无法求解：规则对过程划分和中间产品的规定可能需要说明。",
    "stage_outside_boundary": "企业提供了系统边界以外阶段的数据：规则的系统边界规定可能不够清楚。",
    "secondary_type_not_allowed": "企业只能获得规则次级数据优先级以外的数据类型：规则的次级数据优先级可能需要调整。",
    "secondary_priority_unjustified": "企业使用了较低优先级的次级数据而未说明理由：规则可说明在何种情况下允许使用。",
    "secondary_source_missing": "次级数据未注明来源：规则宜要求并示例数据来源的写法。",
    "factor_source_missing": "碳足迹因子未注明来源：规则宜要求并示例因子来源的写法。",
    "factor_tier_not_allowed": "企业使用的因子层级不在规则的因子优先级中：规则可能需要补充可用的因子来源。",
    "factor_lower_tier": "有更高层级的因子可用而企业未采用：规则宜指明推荐的因子来源。",
    "factor_value_mismatch": "因子数值与其分气体数值按规则的 GWP 值不一致：企业可能采用了其他 GWP 版本，规则宜写明 GWP 版本。",
    "electricity_instrument_not_allowed": "企业持有规则不认可的电力合同凭证：规则对合同凭证的规定可能需要说明或调整。",
    "electricity_evidence_missing": "企业声明了绿色电力但缺少凭证：规则宜列明所需的凭证材料。",
    "allocation_method_unsupported": "规则规定的分配方法无法用试算数据计算：规则需要给出可操作的分配方法和所需数据。",
    "allocation_data_missing": "企业缺少分配所需的数据（如产出的价格）：规则宜说明分配依据的数据来源。",
    "cut_off_item_exceeded": "企业忽略的单项输入超过单项取舍比例：规则的取舍准则可能不够清楚，或需列明不得忽略的输入。",
    "cut_off_total_exceeded": "企业忽略的输入合计超过累计取舍比例：规则的取舍准则可能不够清楚，或需列明不得忽略的输入。",
    UNIT_INCONSISTENT: "试算结果的单位不一致，结果无法直接比较：规则的声明单位或功能单位可能不够明确。",
    CUT_OFF_EXCLUDED: "企业按取舍准则忽略了这些输入（估算值只用于核对取舍比例，不计入结果）：多家企业忽略同一输入时，规则可考虑明确其取舍。",
}
CAUSE_PREFIXES = (
    ("cut_off_", "企业执行取舍准则有困难：规则的取舍准则可能需要更具体的规定。"),
    ("secondary_", "企业的次级数据不符合规则要求：规则对次级数据的类型、优先级或来源的规定可能需要说明。"),
    ("factor_", "企业使用的碳足迹因子不符合规则要求：规则对因子来源和层级的规定可能需要说明。"),
    ("electricity_", "企业的电力数据不符合规则要求：规则对电力因子和合同凭证的规定可能需要说明。"),
    ("allocation_", "企业无法按规则要求分配：规则的分配方法可能需要更具体的规定。"),
)
GENERIC_CAUSE = "试算数据不满足规则要求：需核实是企业数据的问题，还是规则的规定难以执行。"


def cause(code: str) -> str:
    """A short Chinese explanation of what a gap with this finding code means for the rule."""
    if code in CAUSES:
        return CAUSES[code]
    return next((text for prefix, text in CAUSE_PREFIXES if code.startswith(prefix)), GENERIC_CAUSE)


@dataclass
class TrialOutcome:
    """One trial as the report sees it: its anonymised label, the data period, and either the stored
    result (engine `Result.as_dict()` plus "monte_carlo" and "scenarios") or the problems (finding
    dicts) that made the data unusable."""

    label: str
    period: str
    usable: bool
    result: dict | None
    problems: list[dict] = field(default_factory=list)


# --- the report --------------------------------------------------------------------------------------


def report(outcomes: list[TrialOutcome]) -> dict:
    """The feasibility report of the trials of one rule revision, as JSON-ready data (see the
    module docstring for the keys and the decisions)."""
    outcomes = sorted(outcomes, key=lambda outcome: (outcome.label, outcome.period))
    usable = [outcome for outcome in outcomes if outcome.usable and isinstance(outcome.result, dict)]
    units = Counter(str(outcome.result.get("unit") or "") for outcome in usable)
    unit = units.most_common(1)[0][0] if units else None
    in_spread = [outcome for outcome in usable if str(outcome.result.get("unit") or "") == unit]
    counted = {id(outcome) for outcome in in_spread}

    results = [_row(outcome, id(outcome) in counted) for outcome in outcomes]
    spread = _spread(in_spread, unit)
    stages = _shares(usable, "by_stage", list(STAGES), STAGE_NAMES, "stage")
    categories = _shares(usable, "by_category", list(engine.CATEGORY_NAMES), engine.CATEGORY_NAMES, "category")
    gaps = _gaps(outcomes, usable, unit)
    quality = _quality(usable)
    data = {
        "trials": len(outcomes),
        "enterprises": len({outcome.label for outcome in outcomes}),
        "calculated": len(usable),
        "unit": unit,
        "units": dict(units),
        "results": results,
        "spread": spread,
        "stages": stages,
        "categories": categories,
        "gaps": gaps,
        "quality": quality,
    }
    data["notes"] = _notes(outcomes, usable, in_spread, results, data)
    return data


def _findings(outcome: TrialOutcome) -> list[dict]:
    """The outcome's findings that count: not suppressed; for an unusable trial its problems first,
    then the result's findings, each distinct finding once."""
    found = list(outcome.problems or []) if not outcome.usable else []
    if isinstance(outcome.result, dict):
        found += [item for item in outcome.result.get("findings") or [] if isinstance(item, dict)]
    seen, kept = set(), []
    for finding in found:
        key = (finding.get("code"), finding.get("path"), finding.get("message"))
        if finding.get("suppressed") or key in seen:
            continue
        seen.add(key)
        kept.append(finding)
    return kept


def _number(value) -> float | None:
    """A finite float, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _largest(values: dict, order: list[str]) -> str | None:
    """The key with the largest positive value (ties: the first in `order`, then by name)."""
    best, best_value = None, 0.0
    for key in _ordered(values, order):
        value = _number(values.get(key))
        if value is not None and value > best_value:
            best, best_value = key, value
    return best


def _ordered(keys, order: list[str]) -> list[str]:
    return [key for key in order if key in keys] + sorted(key for key in keys if key not in order)


def _row(outcome: TrialOutcome, in_spread: bool) -> dict:
    findings = _findings(outcome)
    result = outcome.result if outcome.usable and isinstance(outcome.result, dict) else None
    row = {
        "label": outcome.label,
        "period": outcome.period,
        "usable": result is not None,
        "in_spread": in_spread,
        "unit": None,
        "cfp_per_unit": None,
        "fossil": None,
        "biogenic": None,
        "primary_data_share": None,
        "data_quality": {"score": None, "rating": None, "rating_zh": None},
        "errors": sum(1 for finding in findings if finding.get("severity") == "error"),
        "warnings": sum(1 for finding in findings if finding.get("severity") == "warning"),
        "monte_carlo": None,
        "top_stage": None,
    }
    if result is None:
        return row
    cfp = _number(result.get("cfp_per_unit"))
    quality = result.get("data_quality") or {}
    row.update(
        unit=result.get("unit"),
        cfp_per_unit=cfp,
        fossil=_number(result.get("fossil")),
        biogenic=_number(result.get("biogenic")),
        primary_data_share=_number(result.get("primary_data_share")),
        data_quality={
            "score": _number(quality.get("score")),
            "rating": quality.get("rating"),
            "rating_zh": quality.get("rating_zh"),
        },
    )
    monte_carlo = result.get("monte_carlo")
    if isinstance(monte_carlo, dict):
        row["monte_carlo"] = {"p2_5": _number(monte_carlo.get("p2_5")), "p97_5": _number(monte_carlo.get("p97_5"))}
    by_stage = result.get("by_stage") or {}
    top = _largest(by_stage, list(STAGES))
    if top is not None:
        value = _number(by_stage[top])
        row["top_stage"] = {
            "stage": top,
            "name": STAGE_NAMES.get(top, top),
            "percent": 100 * value / cfp if cfp else None,
        }
    return row


def _spread(outcomes: list[TrialOutcome], unit: str | None) -> dict:
    values = [(outcome.label, _number(outcome.result.get("cfp_per_unit"))) for outcome in outcomes]
    values = [(label, value) for label, value in values if value is not None]
    spread = {
        "n": len(values),
        "unit": unit,
        "min": None,
        "max": None,
        "mean": None,
        "median": None,
        "sd": None,
        "cv_percent": None,
        "max_over_min": None,
        "min_label": None,
        "max_label": None,
    }
    if not values:
        return spread
    array = np.array([value for _, value in values])
    low, high = int(np.argmin(array)), int(np.argmax(array))
    mean = float(array.mean())
    spread.update(
        min=float(array[low]),
        max=float(array[high]),
        mean=mean,
        median=float(np.median(array)),
        min_label=values[low][0],
        max_label=values[high][0],
    )
    if len(values) >= 2:
        sd = float(array.std(ddof=1))
        spread["sd"] = sd
        spread["cv_percent"] = 100 * sd / abs(mean) if mean else None
    if array[low] > 0:
        spread["max_over_min"] = float(array[high] / array[low])
    return spread


def _shares(outcomes: list[TrialOutcome], breakdown: str, order: list[str], names: dict, key: str) -> list[dict]:
    """Per stage (category): mean, min and max share of the trials' CFP, and in how many trials it
    is the largest."""
    present: set[str] = set()
    shares: dict[str, list[float]] = {}
    dominant: Counter = Counter()
    trials = 0
    for outcome in outcomes:
        values = outcome.result.get(breakdown) or {}
        present.update(values)
        top = _largest(values, order)
        if top is not None:
            dominant[top] += 1
        cfp = _number(outcome.result.get("cfp_per_unit"))
        if not cfp:
            continue
        trials += 1
        for name, value in values.items():
            shares.setdefault(name, []).append(100 * (_number(value) or 0.0) / cfp)
    rows = []
    for name in _ordered(present, order):
        # a trial whose breakdown lacks the key contributes 0 %
        values = shares.get(name, []) + [0.0] * (trials - len(shares.get(name, [])))
        rows.append(
            {
                key: name,
                "name": names.get(name, name),
                "trials": trials,
                "mean_percent": float(np.mean(values)) if values else None,
                "min_percent": float(min(values)) if values else None,
                "max_percent": float(max(values)) if values else None,
                "dominant_in": dominant[name],
            }
        )
    return rows


def _gaps(outcomes: list[TrialOutcome], usable: list[TrialOutcome], unit: str | None) -> list[dict]:
    gaps: dict[str, dict] = {}

    def add(code, severity, article, label, message):
        gap = gaps.setdefault(
            code,
            {
                "code": code,
                "severity": severity,
                "article": article,
                "count": 0,
                "labels": [],
                "example": message,
                "example_label": label,
                "cause": cause(code),
            },
        )
        gap["count"] += 1
        if label not in gap["labels"]:
            gap["labels"].append(label)

    for outcome in outcomes:
        for finding in _findings(outcome):
            if finding.get("severity") not in ("error", "warning"):
                continue
            code = str(finding.get("code") or "")
            add(code, finding["severity"], finding.get("article") or "", outcome.label, finding.get("message") or "")
    for outcome in usable:
        other = str(outcome.result.get("unit") or "")
        if other != unit:
            add(
                UNIT_INCONSISTENT,
                "warning",
                "指引(六)",
                outcome.label,
                f"{outcome.label}的结果单位为“{other}”，多数试算为“{unit}”。",
            )
        cut_off = outcome.result.get("cut_off") or {}
        for line in cut_off.get("excluded") or []:
            percent = _number(line.get("percent"))
            share = f"（估算占 {percent:.2f}%）" if percent is not None else ""
            add(CUT_OFF_EXCLUDED, "info", "GB/T 24067-2024", outcome.label, f"{line.get('item', '')}{share}")
    for gap in gaps.values():
        gap["labels"].sort()
    return sorted(gaps.values(), key=lambda gap: (_SEVERITY_RANK.get(gap["severity"], 3), -gap["count"], gap["code"]))


def _range(values: list[float]) -> dict:
    return {
        "n": len(values),
        "min": float(min(values)) if values else None,
        "mean": float(statistics.fmean(values)) if values else None,
        "max": float(max(values)) if values else None,
    }


def _quality(outcomes: list[TrialOutcome]) -> dict:
    ratings = Counter()
    primary, widths = [], []
    for outcome in outcomes:
        result = outcome.result
        rating = (result.get("data_quality") or {}).get("rating")
        ratings[rating if rating in {key for key, _ in RATINGS} else None] += 1
        share = _number(result.get("primary_data_share"))
        if share is not None:
            primary.append(share)
        width = _interval_width(result.get("monte_carlo"))
        if width is not None:
            widths.append(width)
    return {
        "ratings": [{"rating": key, "rating_zh": zh, "count": ratings[key]} for key, zh in RATINGS],
        "primary_data_share": _range(primary),
        "uncertainty": {
            "n": len(widths),
            "min_percent": float(min(widths)) if widths else None,
            "max_percent": float(max(widths)) if widths else None,
        },
    }


def _interval_width(monte_carlo) -> float | None:
    """(p97.5 − p2.5) / |median| × 100, or None."""
    if not isinstance(monte_carlo, dict):
        return None
    low, high, median = (_number(monte_carlo.get(key)) for key in ("p2_5", "p97_5", "median"))
    if low is None or high is None or not median:
        return None
    return 100 * (high - low) / abs(median)


def _figure(value: float) -> str:
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3g}"


def _labels(labels) -> str:
    return "、".join(dict.fromkeys(labels))


def _notes(outcomes, usable, in_spread, results, data) -> list[str]:
    if not outcomes:
        return ["尚无试算：指引（六）要求采用多家企业的数据进行试算。"]
    notes = []
    enterprises = len({outcome.label for outcome in usable})
    if enterprises < MIN_TRIAL_ENTERPRISES:
        notes.append(
            f"可以计算的试算只来自 {enterprises} 家企业：指引（六）要求采用多家企业的数据进行试算，"
            f"提交送审须有至少 {MIN_TRIAL_ENTERPRISES} 家企业的试算。"
        )
    calculated = {id(outcome) for outcome in usable}
    failed = [outcome.label for outcome in outcomes if id(outcome) not in calculated]
    if failed:
        notes.append(f"{len(failed)} 项试算的数据无法计算（{_labels(failed)}），未纳入结果统计，原因见数据缺口。")
    if len(data["units"]) > 1:
        listing = "；".join(
            f"{unit or '（无单位）'}：{_labels(o.label for o in usable if str(o.result.get('unit') or '') == unit)}"
            for unit in data["units"]
        )
        notes.append(f"试算结果的单位不一致（{listing}），离散程度只按多数试算的单位（{data['unit']}）统计。")
    repeated = sorted(label for label, count in Counter(o.label for o in in_spread).items() if count > 1)
    if repeated:
        notes.append(f"{_labels(repeated)}有多项试算：离散程度按试算计，不按企业计。")
    spread = data["spread"]
    if spread["n"] == 1:
        notes.append(f"只有 1 项试算结果（{_figure(spread['min'])} {spread['unit']}），无法统计离散程度。")
    elif spread["n"] >= 2:
        parts = [
            f"{spread['n']} 项试算的碳足迹在 {_figure(spread['min'])}（{spread['min_label']}）至 "
            f"{_figure(spread['max'])}（{spread['max_label']}）{spread['unit']} 之间",
            f"平均值 {_figure(spread['mean'])}",
            f"中位数 {_figure(spread['median'])}",
            f"样本标准差 {_figure(spread['sd'])}",
        ]
        if spread["cv_percent"] is not None:
            parts.append(f"变异系数 {spread['cv_percent']:.1f}%")
        if spread["max_over_min"] is not None:
            parts.append(f"最大值为最小值的 {spread['max_over_min']:.2f} 倍")
        notes.append("，".join(parts) + "。")
    with_errors = [row for row in results if row["usable"] and row["errors"]]
    if with_errors:
        notes.append(
            f"{_labels(row['label'] for row in with_errors)}的试算结果仍有未处理的错误"
            f"（共 {sum(row['errors'] for row in with_errors)} 项）：其数据不完全符合规则要求。"
        )
    unrated = [row["label"] for row in results if row["usable"] and row["data_quality"]["rating"] is None]
    if unrated:
        notes.append(f"{_labels(unrated)}的活动数据没有谱系矩阵评分，未评价数据质量。")
    no_monte_carlo = [row["label"] for row in results if row["usable"] and row["monte_carlo"] is None]
    if no_monte_carlo:
        notes.append(f"{_labels(no_monte_carlo)}未做蒙特卡洛不确定性分析。")
    return notes


# --- the workbook ------------------------------------------------------------------------------------


AMOUNT = "#,##0.00##"  # kg CO2e per unit: from tenths of a kilogram to tonnes
PERCENT = "0.0"  # percent figures are stored as percent (12.5 means 12.5 %)
SCORE = "0.00"
COUNT = "0"


def report_xlsx(data: dict, *, rule_code: str, title: str, revision: int) -> bytes:
    """The feasibility report as an Excel workbook: 汇总, 各企业结果, 阶段贡献, 类别贡献, 数据缺口,
    数据质量."""
    from openpyxl import Workbook

    book = Workbook()
    _summary(book.active, data, rule_code, title, revision)
    _results_sheet(book.create_sheet(), data)
    _shares_sheet(book.create_sheet(), "阶段贡献", "阶段", data["stages"], "stage")
    _shares_sheet(book.create_sheet(), "类别贡献", "活动数据类别", data["categories"], "category")
    _gaps_sheet(book.create_sheet(), data)
    _quality_sheet(book.create_sheet(), data)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _put(sheet, row: int, column: int, value, number_format: str | None = None):
    """One cell: text through `safe_text`, numbers as numbers, None empty."""
    cell = sheet.cell(row=row, column=column)
    if value is None:
        return cell
    if isinstance(value, bool):
        cell.value = safe_text("是" if value else "否")
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


def _summary(sheet, data, rule_code, title, revision) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.title = "汇总"
    _put(sheet, 1, 1, f"《{title}》试算报告（可行性分析）").font = Font(bold=True, size=13)
    spread = data["spread"]
    unit = spread["unit"] or ""
    rows = [
        ("规则编号", rule_code, None),
        ("规则名称", title, None),
        ("规则修订", revision, COUNT),
        ("试算数", data["trials"], COUNT),
        ("参加企业数", data["enterprises"], COUNT),
        ("可计算的试算数", data["calculated"], COUNT),
        ("结果单位", data["unit"], None),
        ("纳入离散程度统计的试算数", spread["n"], COUNT),
        (f"最小值（{unit}）", spread["min"], AMOUNT),
        (f"最大值（{unit}）", spread["max"], AMOUNT),
        (f"平均值（{unit}）", spread["mean"], AMOUNT),
        (f"中位数（{unit}）", spread["median"], AMOUNT),
        (f"样本标准差（{unit}）", spread["sd"], AMOUNT),
        ("变异系数（%）", spread["cv_percent"], PERCENT),
        ("最大值/最小值", spread["max_over_min"], SCORE),
    ]
    next_row = _table(sheet, 3, [("项目", 28, None), ("数值", 40, None)], [list(row[:2]) for row in rows])
    for offset, (_, _, number_format) in enumerate(rows, start=4):
        if number_format:
            sheet.cell(row=offset, column=2).number_format = number_format
    notes_row = next_row + 1
    _put(sheet, notes_row, 1, "说明").font = Font(bold=True)
    for offset, note in enumerate(data["notes"], start=1):
        cell = _put(sheet, notes_row + offset, 1, note)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(start_row=notes_row + offset, start_column=1, end_row=notes_row + offset, end_column=2)
    _widths(sheet, (28, 60))
    sheet.freeze_panes = "A4"


def _results_sheet(sheet, data) -> None:
    sheet.title = "各企业结果"
    columns = [
        ("企业", 10, None),
        ("数据期间", 18, None),
        ("可计算", 8, None),
        ("纳入离散程度统计", 10, None),
        ("单位", 14, None),
        ("产品碳足迹", 14, AMOUNT),
        ("化石", 14, AMOUNT),
        ("生物源", 12, AMOUNT),
        ("初级数据占比（%）", 12, PERCENT),
        ("数据质量得分", 10, SCORE),
        ("数据质量评级", 10, None),
        ("错误", 8, COUNT),
        ("警告", 8, COUNT),
        ("蒙特卡洛 P2.5", 14, AMOUNT),
        ("蒙特卡洛 P97.5", 14, AMOUNT),
        ("贡献最大的阶段", 14, None),
        ("该阶段占比（%）", 12, PERCENT),
    ]
    rows = []
    for row in data["results"]:
        monte_carlo, top = row["monte_carlo"] or {}, row["top_stage"] or {}
        rows.append(
            [
                row["label"],
                row["period"],
                row["usable"],
                row["in_spread"] if row["usable"] else None,
                row["unit"],
                row["cfp_per_unit"],
                row["fossil"],
                row["biogenic"],
                row["primary_data_share"],
                row["data_quality"]["score"],
                row["data_quality"]["rating_zh"] or ("未评价" if row["usable"] else None),
                row["errors"],
                row["warnings"],
                monte_carlo.get("p2_5"),
                monte_carlo.get("p97_5"),
                top.get("name"),
                top.get("percent"),
            ]
        )
    _table(sheet, 1, columns, rows)
    _widths(sheet, [width for _, width, _ in columns])
    sheet.freeze_panes = "B2"


def _shares_sheet(sheet, name, header, rows, key) -> None:
    sheet.title = name
    columns = [
        (header, 16, None),
        ("代码", 24, None),
        ("平均占比（%）", 12, PERCENT),
        ("最小占比（%）", 12, PERCENT),
        ("最大占比（%）", 12, PERCENT),
        ("贡献最大的试算数", 12, COUNT),
        ("统计的试算数", 12, COUNT),
    ]
    values = [
        [
            row["name"],
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


def _gaps_sheet(sheet, data) -> None:
    sheet.title = "数据缺口"
    columns = [
        ("代码", 28, None),
        ("严重程度", 8, None),
        ("条款", 14, None),
        ("出现次数", 8, COUNT),
        ("涉及企业", 16, None),
        ("示例", 50, None),
        ("原因", 50, None),
    ]
    rows = [
        [
            gap["code"],
            SEVERITY_NAMES.get(gap["severity"], gap["severity"]),
            gap["article"],
            gap["count"],
            "、".join(gap["labels"]),
            f"{gap['example_label']}：{gap['example']}",
            gap["cause"],
        ]
        for gap in data["gaps"]
    ]
    _table(sheet, 1, columns, rows)
    _widths(sheet, [width for _, width, _ in columns])
    sheet.freeze_panes = "B2"


def _quality_sheet(sheet, data) -> None:
    from openpyxl.styles import Font

    sheet.title = "数据质量"
    quality = data["quality"]
    next_row = _table(
        sheet,
        1,
        [("数据质量评级", 20, None), ("代码", 14, None), ("试算数", 10, COUNT)],
        [[item["rating_zh"], item["rating"] or "none", item["count"]] for item in quality["ratings"]],
    )
    primary, uncertainty = quality["primary_data_share"], quality["uncertainty"]
    top = next_row + 1
    _put(sheet, top, 1, "初级数据占比与不确定性").font = Font(bold=True)
    _table(
        sheet,
        top + 1,
        [
            ("项目", 20, None),
            ("试算数", 14, COUNT),
            ("最小（%）", 10, PERCENT),
            ("平均（%）", 10, PERCENT),
            ("最大（%）", 10, PERCENT),
        ],
        [
            ["初级数据占比", primary["n"], primary["min"], primary["mean"], primary["max"]],
            [
                "95% 置信区间相对宽度",
                uncertainty["n"],
                uncertainty["min_percent"],
                None,
                uncertainty["max_percent"],
            ],
        ],
    )
    _widths(sheet, (24, 14, 10, 10, 10))
    sheet.freeze_panes = "A2"
