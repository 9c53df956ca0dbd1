"""The trial-data workbook (试算数据填报表): an Excel file generated from a rule, filled in by an
enterprise and read back into a trial dataset (the shape of workbench/trials/dataset.py).

PURE: openpyxl and the standard library, plus the engine's and the drafting checks' names; no
Flask, no database. The same row reading (`line_from_row`) serves the web form where lines are
typed into a table, and `rows_from_dataset` turns a stored dataset back into such rows.

The workbook `template_workbook` writes:

    说明          how to fill it in (Chinese): the rule (title, code, revision), the steps, and one
                  row per column with its meaning and the values it takes
    基本信息      two columns 项目 / 填写 (and a hint): 企业名称, 数据期间, 产品产量, 产量单位
                  (pre-filled with the unit of the rule's declared/functional unit), 产品名称
    <stage>       one sheet per stage of parameters.system_boundary.stages_included, named by
                  STAGE_NAMES (原材料获取, 生产 …): a header row of COLUMNS ("数量 (amount)"),
                  frozen panes, drop-down lists, and one pre-filled row per activity category
                  the rule lists and the engine expects in that stage (CATEGORY_STAGES)
    _workbench    hidden: template id, rule code and revision, naming what the file was made from

Decisions worth knowing:
- Headers are matched by the key in parentheses or by the Chinese part, so columns may be moved,
  and unknown columns (an enterprise's own notes) are ignored. Sheets are matched by the stage's
  Chinese name or code; hidden sheets other than stage sheets are ignored (helper lists).
- Choices (category, data type, tier, distribution, instrument) accept the code, the Chinese
  name, or "中文 (code)". The drop-down lists warn but do not block other values, since codes
  are accepted too.
- Numbers typed as text are accepted: thousands separators only in groups of three ("1,234.5",
  never "1,5", which is a decimal comma elsewhere), full-width digits and punctuation (NFKC),
  the minus sign U+2212, exponents. NaN, infinities, logical values and dates are refused, each
  with its own message. Integral text stays an int so the JSON looks as typed.
- A row reports only what it cannot express (a bad number, an unknown choice, a bad pedigree, a
  formula without a saved result). Missing fields and rules between fields (a factor is a library
  code or value + unit + tier + source, a distribution needs its parameters) are left to
  dataset.validate, so that the web form and the JSON editor say the same thing.
- Electricity: a row with an instrument, evidence or a contract factor is electricity; so is a row
  in kWh/MWh/GWh without a factor, for which the engine then uses the grid factor. A contract
  factor is the instrument's own (tier measured_verified, source = the evidence).
- A formula is read from the value Excel saved with it (data_only). openpyxl cannot tell a formula
  without a saved value from an empty cell, so the sheet XML is scanned for <f> without a value.
- Upload limits: MAX_BYTES for callers to check; here a zip whose members add up to more than
  MAX_UNCOMPRESSED is refused before openpyxl opens it (zipfile never inflates a member beyond its
  declared size), and more than MAX_ROWS data rows in all are refused. Read-only mode loads no
  images or charts.
- The template is deterministic: fixed document dates and zip entry times, so the same rule
  revision gives the same bytes.
"""

import datetime as dt
import io
import math
import re
import unicodedata
import zipfile
from typing import NamedTuple
from xml.etree import ElementTree

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet.datavalidation import DataValidation

from workbench.drafting.checks import STAGE_NAMES, STAGES
from workbench.trials.engine import (
    CATEGORY_NAMES,
    CATEGORY_STAGES,
    DATA_TYPE_NAMES,
    INSTRUMENT_NAMES,
    TIER_NAMES,
)

MAX_BYTES = 5 * 1024 * 1024  # an upload larger than this should be refused by the caller
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_ROWS = 5000  # data rows in all stage sheets together
TEMPLATE_ID = "cfp-workbench/trial-workbook@1"
INSTRUCTIONS_SHEET = "说明"
INFO_SHEET = "基本信息"
META_SHEET = "_workbench"
HEADER_SEARCH_ROWS = 10  # the header may sit below a title row or two the enterprise added

DISTRIBUTION_NAMES = {"lognormal": "对数正态", "normal": "正态", "triangular": "三角", "uniform": "均匀"}
EXCLUDED_NAMES = {"yes": "是", "no": "否"}
_YES = {"是", "yes", "y", "true", "1", "√", "✓"}
_NO = {"否", "no", "n", "false", "0", "×", "✗"}
_ELECTRIC_UNITS = {"kwh", "mwh", "gwh", "千瓦时", "万kwh"}
_EXCEL_ERRORS = {
    "#DIV/0!",
    "#N/A",
    "#NAME?",
    "#NULL!",
    "#NUM!",
    "#REF!",
    "#VALUE!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
}
_FIXED_TIME = dt.datetime(2000, 1, 1)  # document dates of the template, for identical bytes


class Column(NamedTuple):
    key: str
    header: str  # Chinese; the workbook shows "header (key)"
    kind: str  # "choice" | "text" | "number" | "pedigree" | "flag"


COLUMNS = (
    Column("category", "排放类别", "choice"),
    Column("item", "项目名称", "text"),
    Column("amount", "数量", "number"),
    Column("unit", "单位", "text"),
    Column("data_type", "数据类型", "choice"),
    Column("source", "数据来源", "text"),
    Column("factor_id", "因子库编号", "text"),
    Column("factor_value", "因子数值", "number"),
    Column("factor_unit", "因子单位", "text"),
    Column("factor_tier", "因子层级", "choice"),
    Column("factor_source", "因子来源", "text"),
    Column("pedigree", "谱系评分", "pedigree"),
    Column("distribution", "分布", "choice"),
    Column("gsd", "几何标准差", "number"),
    Column("sd", "标准差", "number"),
    Column("min", "最小值", "number"),
    Column("max", "最大值", "number"),
    Column("instrument", "电力凭证类型", "choice"),
    Column("evidence", "凭证", "text"),
    Column("contract_factor_value", "合同电力因子数值", "number"),
    Column("contract_factor_unit", "合同电力因子单位", "text"),
    Column("excluded", "取舍忽略", "flag"),
    Column("justification", "使用次级数据的理由", "text"),
    Column("process", "过程编号", "text"),
)
COLUMN = {column.key: column for column in COLUMNS}
REQUIRED_COLUMNS = ("category", "item", "amount", "unit", "data_type")  # a stage sheet without them is refused
# The values a choice column takes: code -> Chinese name (what the drop-down lists show).
CHOICES = {
    "category": CATEGORY_NAMES,
    "data_type": DATA_TYPE_NAMES,
    "factor_tier": TIER_NAMES,
    "distribution": DISTRIBUTION_NAMES,
    "instrument": INSTRUMENT_NAMES,
    "excluded": EXCLUDED_NAMES,
}
# The 基本信息 sheet: (key, label, hint).
INFO_FIELDS = (
    ("enterprise", "企业名称", "填报企业的全称"),
    ("period", "数据期间", "活动数据所属的期间，如 2024-01-01 至 2024-12-31"),
    ("quantity", "产品产量", "数据期间内产品的产量（与各阶段的数量属同一期间），数值"),
    ("unit", "产量单位", "产量的单位，应能换算为规则的声明单位或功能单位"),
    ("product", "产品名称", "产品的名称或型号"),
)
_COLUMN_HELP = {
    "category": "活动数据所属的排放类别（必填）",
    "item": "活动的名称，如“石灰石”“外购电力”“公路运输”（必填）",
    "amount": "数据期间内的总量：整个期间的量，不是单位产品的量（必填）。可带千位分隔符，如 1,234.5",
    "unit": "数量的单位，如 t、kg、kWh、m3、t·km（必填）",
    "data_type": "活动数据的类型（必填）",
    "source": "活动数据的来源，如计量台账、统计年鉴及年份；次级数据必须填写",
    "factor_id": "因子库中的因子编号；填写后不要再填因子数值、单位和层级",
    "factor_value": "不使用因子库时，碳足迹因子的数值",
    "factor_unit": "碳足迹因子的单位：质量+气体/活动单位，如 kgCO2e/kWh、kgCO2/t",
    "factor_tier": "碳足迹因子的层级",
    "factor_source": "碳足迹因子的出处：发布机构、文件名称和年份；每个因子都应写明",
    "pedigree": "数据质量的谱系矩阵评分：可靠性、完整性、时间、地理、技术相关性，5 个 1–5 的整数，如 2,3,1,2,1",
    "distribution": "数量的概率分布（用于不确定性分析，可选）",
    "gsd": "对数正态分布的几何标准差（不小于 1）",
    "sd": "正态分布的标准差，与数量同单位",
    "min": "三角分布或均匀分布的下限，与数量同单位",
    "max": "三角分布或均匀分布的上限，与数量同单位",
    "instrument": "外购电力持有的凭证类型（仅电力）",
    "evidence": "凭证的编号、电量和核销状态",
    "contract_factor_value": "凭证对应电力的碳足迹因子数值，如绿色电力为 0",
    "contract_factor_unit": "凭证对应电力的碳足迹因子单位，如 kgCO2e/kWh",
    "excluded": "按取舍准则忽略的项目选“是”，并仍填写其估算数量；留空为“否”",
    "justification": "使用规则优先顺序中非首选的数据类型时，说明无法获得更优数据的理由",
    "process": "所属过程的编号（多过程数据使用，一般留空）",
}
_WIDE = {"item": 22, "source": 24, "factor_source": 28, "evidence": 26, "justification": 30, "factor_tier": 24}


# --- one row ----------------------------------------------------------------------------------------


class _Refused(ValueError):
    """What is wrong with a cell's value, as the end of a Chinese sentence."""


def line_from_row(values: dict, stage: str, where: str) -> tuple[dict | None, list[tuple[str, str]]]:
    """A dataset line from one row of a stage sheet or of the web form's table.

    `values` maps COLUMNS keys to what was typed (str, int, float or None; a workbook may also give
    bool or datetime); other keys are ignored. `where` names the row in messages, e.g.
    "工作表“生产”第 7 行". Returns (line, problems), problems as (column key, message); the line
    leaves out what could not be read. (None, []) for a row holding nothing but a category (the
    template's pre-filled rows)."""
    cells = {column.key: _blank_to_none(values.get(column.key)) for column in COLUMNS}
    filled = [key for key, value in cells.items() if value is not None and key != "category"]
    # An explicit "否" in 取舍忽略 is what an empty cell means, so it does not make a row.
    if not filled or (filled == ["excluded"] and _flag_or_none(cells["excluded"]) is False):
        return None, []
    problems: list[tuple[str, str]] = []

    def read(key):
        value = cells[key]
        if value is None:
            return None
        column = COLUMN[key]
        try:
            if isinstance(value, str) and value.strip() in _EXCEL_ERRORS:
                raise _Refused(f"是公式的错误值 {value.strip()}：请修正公式，或直接填写。")
            return _PARSERS[column.kind](value, key)
        except _Refused as refused:
            problems.append((key, f"{where}「{column.header}」{refused}"))
            return None

    line: dict = {"stage": stage}
    for key in ("category", "item", "amount", "unit", "data_type", "source"):
        _put(line, key, read(key))
    factor: dict = {}
    for key, name in (("factor_id", "id"), ("factor_value", "value"), ("factor_unit", "unit")):
        _put(factor, name, read(key))
    _put(factor, "tier", read("factor_tier"))
    _put(factor, "source", read("factor_source"))
    _put(line, "factor", factor or None)
    uncertainty: dict = {}
    for key in ("distribution", "gsd", "sd", "min", "max", "pedigree"):
        _put(uncertainty, key, read(key))
    _put(line, "uncertainty", uncertainty or None)
    _put(line, "electricity", _electricity(read, line, factor, cells))
    _put(line, "process", read("process"))
    if read("excluded"):
        line["excluded"] = True
    _put(line, "justification", read("justification"))
    return line, problems


def _electricity(read, line: dict, factor: dict, cells: dict) -> dict | None:
    if all(cells[key] is None for key in ("instrument", "evidence", "contract_factor_value", "contract_factor_unit")):
        # Electricity bought from the grid: no factor, so the engine applies the rule's grid factor.
        unit = str(line.get("unit", "")).replace(" ", "").casefold()
        return {} if not factor and unit in _ELECTRIC_UNITS else None
    instrument, evidence = read("instrument"), read("evidence")
    contract: dict = {}
    _put(contract, "value", read("contract_factor_value"))
    _put(contract, "unit", read("contract_factor_unit"))
    supply: dict = {}
    _put(supply, "instrument", instrument)
    _put(supply, "evidence", evidence)
    if instrument or contract:
        # The instrument's own factor: measured and verified, its source the evidence. Always
        # present with an instrument so dataset.validate names what is missing in it.
        contract["tier"] = "measured_verified"
        _put(contract, "source", evidence)
        supply["contract_factor"] = contract
    return supply


def _put(target: dict, key: str, value) -> None:
    if value is not None and value != "":
        target[key] = value


def _blank_to_none(value):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def _text(value, key=None) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # a code typed as a number (Excel stores 1001 as 1001.0)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?([eE][+-]?\d+)?")
_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _number(value, key=None) -> int | float:
    if isinstance(value, bool):
        raise _Refused(f"是逻辑值 {_text(value)}，不是数字：请填写数值。")
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        raise _Refused(f"被 Excel 当作日期或时间（{_text(value)}）：请把单元格格式设为“常规”或“数值”后重新填写数值。")
    if isinstance(value, int | float):
        number = value
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace("\u2212", "-")
        if _GROUPED.fullmatch(text):
            text = text.replace(",", "")
        elif not _PLAIN.fullmatch(text):
            raise _Refused(f"{_show(value)}不是数字：请填写数值，如 1234.5 或 1,234.5。")
        try:
            number = float(text) if any(mark in text for mark in ".eE") else int(text)
        except ValueError:  # more digits than Python converts
            raise _Refused(f"{_show(value)}不是可用的数字。") from None
    try:
        finite = math.isfinite(number)
    except OverflowError:
        finite = False
    if not finite:
        raise _Refused(f"{_show(value)}不是有限的数值：请填写数值。")
    return number


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


_PARENTHESISED = re.compile(r"^(.*?)\s*\(\s*([^()]*?)\s*\)$")


def _choice(value, key: str) -> str:
    names = CHOICES[key]
    text = _normal(_text(value))
    candidates = [text]
    match = _PARENTHESISED.match(text)
    if match:  # "能源使用 (energy)"
        candidates = [match[2], match[1]]
    for candidate in candidates:
        for code, name in names.items():
            folded = candidate.casefold()
            if folded == code.casefold() or candidate in (name, f"{name}分布"):
                return code
    shown = "、".join(names.values())
    raise _Refused(f"{_show(value)}不是可选的值：请填写 {shown} 之一（或其英文代码）。")


def _flag_or_none(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    folded = _normal(_text(value)).casefold()
    return True if folded in _YES else False if folded in _NO else None


def _flag(value, key=None) -> bool:
    flag = _flag_or_none(value)
    if flag is None:
        raise _Refused(f"{_show(value)}应为“是”或“否”（留空为否）。")
    return flag


_PEDIGREE_SPLIT = re.compile(r"[\s,;/、，；]+")


def _pedigree(value, key=None) -> list[int]:
    message = (
        f"{_show(value)}应为 5 个 1–5 的整数（可靠性、完整性、时间、地理、技术相关性），用逗号分隔，如 2,3,1,2,1。"
    )
    if isinstance(value, bool):
        raise _Refused(message)
    text = _normal(_text(value)).strip("()[]{}【】")
    # Excel turns "23121" (and sometimes "2,3,1,2,1") into the number 23121: five digits are five scores.
    parts = list(text) if re.fullmatch(r"\d{5}", text) else [part for part in _PEDIGREE_SPLIT.split(text) if part]
    if len(parts) != 5 or not all(re.fullmatch(r"[1-5]", part) for part in parts):
        raise _Refused(message)
    return [int(part) for part in parts]


_PARSERS = {"text": _text, "number": _number, "choice": _choice, "flag": _flag, "pedigree": _pedigree}


def _show(value) -> str:
    text = _text(value)
    return f"“{text if len(text) <= 40 else text[:39] + '…'}”"


# --- datasets as rows ---------------------------------------------------------------------------------


def rows_from_dataset(dataset: dict) -> list[dict]:
    """The table rows of a dataset's lines: "stage" plus every COLUMNS key, all as strings ("" when
    empty); choices as codes, 取舍忽略 as "yes" or "", pedigree as "2,3,1,2,1". The inverse of
    `line_from_row` for datasets that are `representable`."""
    rows = []
    for line in _list(_dict(dataset).get("lines")):
        line = _dict(line)
        factor = _dict(line.get("factor"))
        uncertainty = _dict(line.get("uncertainty"))
        supply = _dict(line.get("electricity"))
        contract = _dict(supply.get("contract_factor"))
        values = {
            "stage": line.get("stage"),
            **{key: line.get(key) for key in ("category", "item", "amount", "unit", "data_type", "source")},
            "factor_id": factor.get("id"),
            "factor_value": factor.get("value"),
            "factor_unit": factor.get("unit"),
            "factor_tier": factor.get("tier"),
            "factor_source": factor.get("source"),
            **{key: uncertainty.get(key) for key in ("distribution", "gsd", "sd", "min", "max")},
            "pedigree": ",".join(map(str, uncertainty["pedigree"])) if uncertainty.get("pedigree") else None,
            "instrument": supply.get("instrument"),
            "evidence": supply.get("evidence"),
            "contract_factor_value": contract.get("value"),
            "contract_factor_unit": contract.get("unit"),
            "excluded": "yes" if line.get("excluded") is True else None,
            "justification": line.get("justification"),
            "process": line.get("process"),
        }
        rows.append({key: _cell_text(value) for key, value in values.items()})
    return rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and not isinstance(value, bool):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


_TOP_LEVEL = {"enterprise", "period", "reference_flow", "lines"}
_REFERENCE_FLOW = {"quantity", "unit", "product"}


def representable(dataset: dict) -> bool:
    """Whether the table (workbook or web form) can express the dataset without losing anything:
    False with processes, co-products, per-gas or biogenic factors, factor uncertainty, σ or basic
    variance, a contract factor other than the instrument's own, electricity marked where the table
    would not infer it, x_ extensions, or values the table would read otherwise."""
    if not isinstance(dataset, dict) or not set(dataset) <= _TOP_LEVEL:
        return False
    if not set(_dict(dataset.get("reference_flow"))) <= _REFERENCE_FLOW:
        return False
    lines = dataset.get("lines")
    if lines is not None and not isinstance(lines, list):
        return False
    for line, row in zip(lines or [], rows_from_dataset(dataset), strict=True):
        if not isinstance(line, dict):
            return False
        read, problems = line_from_row(row, row["stage"], "")
        if problems or read != _trimmed(line):
            return False
    return True


def _trimmed(value):
    """A line as the table reads it back: text stripped, empty text and `excluded: false` left out."""
    if isinstance(value, dict):
        return {
            key: _trimmed(item)
            for key, item in value.items()
            if item is not None
            and not (isinstance(item, str) and not item.strip())
            and (key, item) != ("excluded", False)
        }
    return value.strip() if isinstance(value, str) else value


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


# --- the template -------------------------------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
_PREFILLED_FILL = PatternFill("solid", fgColor="F2F2F2")
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


def header_text(column: Column) -> str:
    return f"{column.header} ({column.key})"


def template_workbook(document: dict, *, rule_code: str, revision: int) -> bytes:
    """The .xlsx an enterprise fills in for `document` (a rule document), revision `revision`."""
    params = _dict(_dict(document).get("parameters"))
    included = _list(_dict(params.get("system_boundary")).get("stages_included"))
    # A draft without a boundary still gets a usable workbook: every stage.
    stages = [stage for stage in STAGES if stage in included] or list(STAGES)
    prefilled = _prefilled_categories(params, stages)

    book = Workbook()
    book.properties.creator = "CFP Standards Workbench"
    book.properties.created = book.properties.modified = _FIXED_TIME
    book.properties.title = f"{document.get('title') or rule_code} 试算数据填报表"
    _instructions(book.active, document, params, stages, rule_code, revision)
    _info_sheet(book.create_sheet(INFO_SHEET), document, params)
    for stage in stages:
        _stage_sheet(book.create_sheet(_sheet_name(STAGE_NAMES[stage])), prefilled[stage])
    meta = book.create_sheet(META_SHEET)
    for row in (("template", TEMPLATE_ID), ("rule_code", rule_code), ("revision", revision)):
        meta.append(row)
    meta.sheet_state = "hidden"
    book.active = 0
    out = io.BytesIO()
    book.save(out)
    return _fixed_zip(out.getvalue())


def _prefilled_categories(params: dict, stages: list[str]) -> dict[str, list[str]]:
    """The rule's activity categories per stage where the engine expects them; a category whose
    stages are all outside the boundary is expected somewhere, so it goes to the first stage."""
    result: dict[str, list[str]] = {stage: [] for stage in stages}
    for category in _list(params.get("activity_data_categories")):
        if category not in CATEGORY_NAMES:
            continue
        places = [stage for stage in CATEGORY_STAGES.get(category, ()) if stage in result] or stages[:1]
        for stage in places:
            result[stage].append(category)
    return result


def _sheet_name(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "", text).strip("'")[:31]


def _reference_unit(params: dict) -> tuple[str, dict]:
    if isinstance(params.get("functional_unit"), dict):
        return "功能单位", params["functional_unit"]
    if isinstance(params.get("declared_unit"), dict):
        return "声明单位", params["declared_unit"]
    return "", {}


def _names(codes, names: dict) -> str:
    return "、".join(names.get(code, str(code)) for code in codes)


def _instructions(sheet, document, params, stages, rule_code, revision) -> None:
    sheet.title = INSTRUCTIONS_SHEET
    title = str(document.get("title") or "")
    kind, unit = _reference_unit(params)
    primary = [stage for stage in _list(params.get("primary_data_stages")) if stage in STAGE_NAMES]
    secondary = _list(params.get("secondary_data_priority"))
    supply = _dict(params.get("electricity"))
    cut_off = _dict(params.get("cut_off"))
    steps = [
        f"规则：{title}（编号 {rule_code}，第 {revision} 版）",
        "1. 在“基本信息”中填写企业名称、数据期间、产品产量和产量单位"
        + (f"（产量单位应能换算为规则的{kind}“{unit.get('description') or unit.get('unit')}”）" if unit else "")
        + "。",
        f"2. 每个生命周期阶段一张工作表（{_names(stages, STAGE_NAMES)}），每行填写一项活动数据。"
        "已按规则预填各阶段应有的排放类别，请在该行补全；同一类别有多项时可插入新行；用不到的预填行留空即可。",
        "3. 数量是数据期间内的总量（整个期间的量，不是单位产品的量），与“基本信息”中的产品产量属同一期间。",
        "4. 每行应给出碳足迹因子：填写因子库编号，或填写因子数值、因子单位、因子层级和因子来源（四项都要填），二者选其一。",
        (
            f"5. {_names(primary, STAGE_NAMES)}阶段的活动数据应采用初级数据（企业实测或记录的数据）。"
            if primary
            else "5. 尽可能采用初级数据（企业实测或记录的数据）。"
        )
        + (
            f"使用次级数据时按 {_names(secondary, DATA_TYPE_NAMES)} 的优先顺序，"
            "不是首选类型时请在“使用次级数据的理由”中说明；次级数据应填写数据来源。"
            if secondary
            else ""
        ),
        "6. 外购电力：不填碳足迹因子时按规则采用电网平均因子。"
        + (
            f"规则允许以{_names(_list(supply.get('instruments')), INSTRUMENT_NAMES) or '合同凭证'}核算电力，"
            "持有凭证的电量请单独一行，填写电力凭证类型、凭证（编号、电量、核销状态）和合同电力因子数值与单位"
            "（如 0 kgCO2e/kWh）。"
            if supply.get("contractual_instruments_allowed")
            else "规则不允许以绿色电力证书等合同凭证核算电力。"
        ),
        "7. 按取舍准则忽略的项目仍应填写估算数量，并在“取舍忽略”中选“是”"
        + (
            f"（单项不超过 {cut_off['per_item_percent']} %，合计不超过 {cut_off['total_percent']} %）"
            if "per_item_percent" in cut_off and "total_percent" in cut_off
            else ""
        )
        + "。",
        "8. 不确定性（可选）：填写谱系评分，或填写分布及其参数（对数正态：几何标准差；正态：标准差；三角、均匀：最小值和最大值）。",
        "9. 请不要修改表头文字和工作表名称；可以调整列的顺序、插入行或增加自己的备注列（不会读取）。"
        "填好后保存为 Excel 工作簿（.xlsx）上传；使用公式时请在 Excel 中保存后再上传。",
    ]
    sheet.append([f"{title} 试算数据填报表"])
    sheet["A1"].font = Font(bold=True, size=14)
    for step in steps:
        sheet.append([step])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=3)
        sheet.cell(sheet.max_row, 1).alignment = _WRAP
        # Excel does not grow merged rows to fit wrapped text: about 130 half-width characters a line.
        sheet.row_dimensions[sheet.max_row].height = 16 * (1 + _display_width(step) // 130)
    sheet.append([])
    sheet.append(["列", "含义", "可填写的值"])
    for cell in sheet[sheet.max_row]:
        cell.font, cell.fill = _BOLD, _HEADER_FILL
    for column in COLUMNS:
        names = CHOICES.get(column.key)
        allowed = {
            "number": "数值",
            "text": "文本",
            "pedigree": "5 个 1–5 的整数，如 2,3,1,2,1",
        }.get(column.kind, "、".join(names.values()) if names else "")
        sheet.append([header_text(column), _COLUMN_HELP[column.key], allowed])
        for cell in sheet[sheet.max_row]:
            cell.alignment = _WRAP
    for letter, width in (("A", 30), ("B", 70), ("C", 45)):
        sheet.column_dimensions[letter].width = width


def _info_sheet(sheet, document, params) -> None:
    _, unit = _reference_unit(params)
    product = str(_dict(document.get("product")).get("name") or "")
    defaults = {"unit": str(unit.get("unit") or "")}
    hints = {
        "period": f"规则要求：{params['data_period']}" if params.get("data_period") else None,
        "unit": f"规则的基准：{unit['description']}" if unit.get("description") else None,
        "product": f"规则适用的产品：{product}" if product else None,
    }
    sheet.append(["项目", "填写", "说明"])
    for cell in sheet[1]:
        cell.font, cell.fill = _BOLD, _HEADER_FILL
    for key, label, hint in INFO_FIELDS:
        sheet.append([f"{label} ({key})", defaults.get(key), hints.get(key) or hint])
        sheet.cell(sheet.max_row, 3).alignment = _WRAP
    for letter, width in (("A", 24), ("B", 36), ("C", 60)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _stage_sheet(sheet, categories: list[str]) -> None:
    sheet.append([header_text(column) for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(1, index)
        cell.font, cell.alignment = _BOLD, Alignment(wrap_text=True, vertical="center")
        cell.fill = _REQUIRED_FILL if column.key in REQUIRED_COLUMNS else _HEADER_FILL
        letter = get_column_letter(index)
        dimension = sheet.column_dimensions[letter]
        dimension.width = max(_WIDE.get(column.key, 0), min(_display_width(header_text(column)) + 2, 22), 10)
        if column.kind in ("text", "pedigree"):
            # Text format keeps codes such as 0012 and scores such as 2,3,1,2,1 as typed.
            dimension.number_format = "@"
        names = CHOICES.get(column.key)
        if names:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(names.values()) + '"',
                allow_blank=True,
                showErrorMessage=True,
                # A warning, not a stop: the English codes are accepted as well.
                errorStyle="warning",
                errorTitle=column.header,
                error=f"请从列表中选择：{'、'.join(names.values())}",
            )
            validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            sheet.add_data_validation(validation)
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "C2"  # the header row and the category and item columns stay in view
    category_column = 1 + [column.key for column in COLUMNS].index("category")
    for row, category in enumerate(categories, start=2):
        cell = sheet.cell(row, category_column, CATEGORY_NAMES[category])
        cell.fill = _PREFILLED_FILL


def _fixed_zip(content: bytes) -> bytes:
    """The same bytes for the same workbook: openpyxl stamps the save time into docProps/core.xml
    and every zip entry."""
    out = io.BytesIO()
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)
    return out.getvalue()


# --- reading a workbook -------------------------------------------------------------------------------


class _Refusal(Exception):
    """The file as a whole cannot be read: one problem, no dataset."""

    def __init__(self, location: str, message: str):
        super().__init__(message)
        self.problem = (location, message)


def read_workbook(content: bytes) -> tuple[dict, list[tuple[str, str]]]:
    """(dataset, problems) from an uploaded workbook; problems as (location, message), the location
    naming the sheet, row and column. A file that cannot be read at all gives ({}, [one problem])."""
    dataset, problems, _ = read_workbook_located(content)
    return dataset, problems


def read_workbook_located(content: bytes) -> tuple[dict, list[tuple[str, str]], list[str]]:
    """As `read_workbook`, plus where each line came from ("工作表“生产”第 7 行" for lines[i]), so a
    caller can name the row in dataset.validate's messages about /lines/i."""
    try:
        return _read(content)
    except _Refusal as refusal:
        return {}, [refusal.problem], []


_FILE = "文件"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of .xls, and of encrypted .xlsx


def _archive(content: bytes) -> zipfile.ZipFile:
    """The zip of an .xlsx, refused before any XML is parsed when it is not one or too big inside."""
    save_as = "请在 Excel 或 WPS 中打开，“另存为” Excel 工作簿（.xlsx）后再上传。"
    if not content:
        raise _Refusal(_FILE, "文件是空的。")
    if content.startswith(_OLE):
        raise _Refusal(_FILE, f"这是旧版 Excel（.xls）文件或设置了密码的工作簿，无法读取：{save_as}如有密码请先取消。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise _Refusal(_FILE, f"这不是 Excel 工作簿（.xlsx）文件（CSV、.xls、.et 等格式不能读取）：{save_as}") from None
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED:
        archive.close()
        raise _Refusal(
            _FILE, f"工作簿解压后超过 {MAX_UNCOMPRESSED // (1024 * 1024)} MB：请删除图片和无关的工作表后再上传。"
        )
    if "xl/workbook.xml" not in archive.namelist():
        archive.close()
        raise _Refusal(_FILE, f"这不是 Excel 工作簿（.xlsx）文件：{save_as}")
    return archive


def _read(content: bytes) -> tuple[dict, list[tuple[str, str]], list[str]]:
    archive = _archive(content)
    with archive:
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
        except Exception:  # openpyxl raises many kinds of error for a damaged file
            raise _Refusal(
                _FILE, "无法读取该工作簿，文件可能已损坏：请在 Excel 中打开，“另存为” Excel 工作簿（.xlsx）后再上传。"
            ) from None
        try:
            return _read_book(book, archive)
        finally:
            book.close()


def _stage_of(title: str) -> str | None:
    text = _normal(title)
    match = _PARENTHESISED.match(text)
    candidates = [match[1], match[2]] if match else [text]
    for candidate in candidates:
        for stage in STAGES:
            if candidate == STAGE_NAMES[stage] or candidate.casefold() == stage:
                return stage
    return None


def _read_book(book, archive: zipfile.ZipFile) -> tuple[dict, list[tuple[str, str]], list[str]]:
    problems: list[tuple[str, str]] = []
    info: dict = {}
    stage_sheets = []
    seen: dict[str, str] = {}
    allowed = "、".join([INSTRUCTIONS_SHEET, INFO_SHEET, *STAGE_NAMES.values()])
    for sheet in book.worksheets:
        title = sheet.title
        if title in (META_SHEET, INSTRUCTIONS_SHEET):
            continue
        if _normal(title) == INFO_SHEET:
            info = _read_info(sheet, archive, problems)
            continue
        stage = _stage_of(title)
        if stage is None:
            if sheet.sheet_state == "visible":
                problems.append(
                    (f"工作表“{title}”", f"不认识工作表“{title}”：工作表应为 {allowed} 之一，请改名或删除该工作表。")
                )
            continue
        if stage in seen:
            problems.append(
                (
                    f"工作表“{title}”",
                    f"工作表“{title}”与“{seen[stage]}”都是{STAGE_NAMES[stage]}阶段，未读取：请把数据合并到一张工作表中。",
                )
            )
            continue
        seen[stage] = title
        stage_sheets.append((sheet, stage))

    lines: list[dict] = []
    locations: list[str] = []
    for sheet, stage in stage_sheets:
        _read_stage(sheet, stage, archive, lines, locations, problems)

    dataset: dict = {key: info[key] for key in ("enterprise", "period") if key in info}
    dataset["reference_flow"] = {key: info[key] for key in ("quantity", "unit", "product") if key in info}
    dataset["lines"] = lines
    return dataset, problems, locations


def _column_of(text) -> Column | None:
    if not isinstance(text, str):
        return None
    text = _normal(text).rstrip("*＊").strip()
    match = _PARENTHESISED.match(text)
    if match and match[2] in COLUMN:
        return COLUMN[match[2]]
    label = match[1] if match else text
    for column in COLUMNS:
        if label in (column.header, column.key):
            return column
    return None


def _rows(sheet):
    """(row number, values) of every row, whatever the sheet claims its size is."""
    sheet.reset_dimensions()  # some writers state a wrong size; read what is there
    return enumerate(sheet.iter_rows(min_row=1, min_col=1, values_only=True), start=1)


def _read_stage(sheet, stage, archive, lines, locations, problems) -> None:
    title = sheet.title
    pending = _formulas_without_values(sheet, archive)
    rows = _rows(sheet)
    header: dict[str, int] | None = None
    header_row = 0
    # The header is the first row naming a known column; an enterprise may add a title row above it.
    for number, values in rows:
        found = {}
        for index, text in enumerate(values):
            column = _column_of(text)
            if column is not None and column.key not in found:
                found[column.key] = index
        if found:
            header, header_row = found, number
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if header is None:
        if not _sheet_has_values(sheet):
            return  # an empty stage sheet: no lines in this stage
        raise _Refusal(
            f"工作表“{title}”",
            f"工作表“{title}”找不到表头行：第一行应为各列的名称，如“{header_text(COLUMN['amount'])}”。"
            "请从模板中复制表头。",
        )
    missing = [key for key in REQUIRED_COLUMNS if key not in header]
    if missing:
        raise _Refusal(
            f"工作表“{title}”第 {header_row} 行",
            f"工作表“{title}”的表头缺少 {'、'.join(header_text(COLUMN[key]) for key in missing)} 列：请从模板中复制表头。",
        )
    for number, values in rows:
        where = f"工作表“{title}”第 {number} 行"
        row = {}
        for key, index in header.items():
            value = values[index] if index < len(values) else None
            if value is None and (number, index + 1) in pending:
                problems.append(
                    (
                        f"{where}「{COLUMN[key].header}」",
                        f"{where}「{COLUMN[key].header}」是公式，但文件中没有保存计算结果："
                        "请在 Excel 中打开该文件并保存后再上传。",
                    )
                )
            row[key] = value
        line, row_problems = line_from_row(row, stage, where)
        if line is None:
            continue
        if len(lines) >= MAX_ROWS:
            raise _Refusal(_FILE, f"活动数据超过 {MAX_ROWS} 行：请合并同类项目后再上传。")
        lines.append(line)
        locations.append(where)
        problems.extend((f"{where}「{COLUMN[key].header}」", message) for key, message in row_problems)


def _sheet_has_values(sheet) -> bool:
    return any(_blank_to_none(value) is not None for _, values in _rows(sheet) for value in values)


def _read_info(sheet, archive, problems) -> dict:
    pending = _formulas_without_values(sheet, archive)
    names = {key: label for key, label, _ in INFO_FIELDS}
    keys = {label: key for key, label in names.items()} | {key: key for key in names}
    info: dict = {}
    for number, values in _rows(sheet):
        if not values or not isinstance(values[0], str):
            continue
        text = _normal(values[0])  # "企业名称 (enterprise)", "企业名称" or "enterprise"
        match = _PARENTHESISED.match(text)
        key = (keys.get(match[2]) or keys.get(match[1])) if match else keys.get(text)
        if key is None or key in info:
            continue
        label = names[key]
        where = f"工作表“{INFO_SHEET}”第 {number} 行「{label}」"
        value = _blank_to_none(values[1] if len(values) > 1 else None)
        if value is None:
            if (number, 2) in pending:
                problems.append(
                    (where, f"{where}是公式，但文件中没有保存计算结果：请在 Excel 中打开该文件并保存后再上传。")
                )
            continue
        try:
            info[key] = _number(value) if key == "quantity" else _text(value)
        except _Refused as refused:
            problems.append((where, f"{where}{refused}"))
    return info


def _formulas_without_values(sheet, archive: zipfile.ZipFile) -> set[tuple[int, int]]:
    """(row, column) of the cells holding a formula whose result was never saved (files written by
    scripts; Excel and WPS save results). openpyxl's data_only reading gives None for them, as for an
    empty cell; a formula whose saved result is empty text (t="str") is not one of them."""
    path = getattr(sheet, "_worksheet_path", None)  # openpyxl's read-only sheets know their part
    if not path or path not in archive.namelist():
        return set()
    found = set()
    row_number, column_number = 0, 0
    with archive.open(path) as source:
        for event, element in ElementTree.iterparse(source, events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "row":
                if event == "start":  # r may be left out: then it is the next row
                    row_number, column_number = int(element.get("r") or row_number + 1), 0
                else:
                    element.clear()  # keep memory flat on long sheets
                continue
            if tag != "c" or event != "end":
                continue
            reference = element.get("r")
            if reference:
                row_number, column_number = coordinate_to_tuple(reference)
            else:
                column_number += 1
            children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
            if "f" in children:
                value = children.get("v")
                saved = value is not None and (value.text or element.get("t") in ("str", "s", "inlineStr"))
                if not saved:
                    found.add((row_number, column_number))
    return found
