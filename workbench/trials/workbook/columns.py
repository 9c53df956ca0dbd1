"""The columns of the trial-data workbook and reading one row of them (see the package's
docstring): shared by the workbook, the web table form and `rows_from_dataset`. PURE."""

import datetime as dt
import math
import re
import unicodedata
from typing import NamedTuple

from workbench.guideline.vocabulary import (
    ACTIVITY_CATEGORIES,
    DATA_TYPES,
    FACTOR_TIERS,
    INSTRUMENTS,
    LIFE_CYCLE_STAGES,
)
from workbench.messages import N_, Joined, Message, Translate, identity

# The workbook is a Chinese form for enterprises (the labels of the guideline's vocabulary, not
# translated); codes are accepted wherever a Chinese word is.
STAGES = LIFE_CYCLE_STAGES.codes
STAGE_NAMES = LIFE_CYCLE_STAGES.labels
CATEGORY_NAMES = ACTIVITY_CATEGORIES.labels

MAX_BYTES = 5 * 1024 * 1024  # an upload larger than this should be refused by the caller
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_ROWS = 5000  # data rows in all stage sheets and the 过程 sheet together
TEMPLATE_ID = "cfp-workbench/trial-workbook@1"
INSTRUCTIONS_SHEET = "说明"
INFO_SHEET = "基本信息"
PROCESS_SHEET = "过程"
META_SHEET = "_workbench"
HEADER_SEARCH_ROWS = 10  # the header may sit below a title row or two the enterprise added

# N_: the web table form shows these names (and the column headers) in the reader's language.
DISTRIBUTION_NAMES = {
    "lognormal": N_("对数正态"),
    "normal": N_("正态"),
    "triangular": N_("三角"),
    "uniform": N_("均匀"),
}
EXCLUDED_NAMES = {"yes": N_("是"), "no": N_("否")}
DIRECTION_NAMES = {"output": N_("产出"), "input": N_("输入")}
# The parameters each distribution uses (a triangular one's mode is the amount): another one typed
# beside it would be stored and never used, so it is refused.
_PARAMETERS = {"lognormal": ("gsd",), "normal": ("sd",), "triangular": ("min", "max"), "uniform": ("min", "max")}
_SIDES = {"output": "outputs", "input": "inputs"}  # a direction's list in a process
_YES = {"是", "yes", "y", "true", "1", "√", "✓"}
_NO = {"否", "no", "n", "false", "0", "×", "✗"}
_ELECTRIC_UNITS = {"kwh", "mwh", "gwh", "千瓦时", "万kwh"}
_EXCEL_ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"}
_EXCEL_ERRORS |= {"#SPILL!", "#CALC!", "#GETTING_DATA"}  # the newer versions' own
_FIXED_TIME = dt.datetime(2000, 1, 1)  # document dates of the template, for identical bytes


class Column(NamedTuple):
    key: str
    header: str  # Chinese (N_); the workbook shows "header (key)", the web form its translation
    kind: str  # "choice" | "text" | "number" | "pedigree" | "flag"


COLUMNS = (
    Column("category", N_("排放类别"), "choice"),
    Column("item", N_("项目名称"), "text"),
    Column("amount", N_("数量"), "number"),
    Column("unit", N_("单位"), "text"),
    Column("data_type", N_("数据类型"), "choice"),
    Column("source", N_("数据来源"), "text"),
    Column("factor_id", N_("因子库编号"), "text"),
    Column("factor_value", N_("因子数值"), "number"),
    Column("factor_unit", N_("因子单位"), "text"),
    Column("factor_tier", N_("因子层级"), "choice"),
    Column("factor_source", N_("因子来源"), "text"),
    Column("pedigree", N_("谱系评分"), "pedigree"),
    Column("distribution", N_("分布"), "choice"),
    Column("gsd", N_("几何标准差"), "number"),
    Column("sd", N_("标准差"), "number"),
    Column("min", N_("最小值"), "number"),
    Column("max", N_("最大值"), "number"),
    Column("instrument", N_("电力凭证类型"), "choice"),
    Column("evidence", N_("凭证"), "text"),
    Column("contract_factor_value", N_("合同电力因子数值"), "number"),
    Column("contract_factor_unit", N_("合同电力因子单位"), "text"),
    Column("excluded", N_("取舍忽略"), "flag"),
    Column("justification", N_("使用次级数据的理由"), "text"),
    Column("process", N_("过程编号"), "text"),
)
COLUMN = {column.key: column for column in COLUMNS}
REQUIRED_COLUMNS = ("category", "item", "amount", "unit", "data_type")  # a stage sheet without them is refused
# The 过程 sheet (and the web form's process table): one row per output or input of a process.
PROCESS_COLUMNS = (
    Column("process", N_("过程编号"), "text"),
    Column("process_name", N_("过程名称"), "text"),
    Column("direction", N_("类型"), "choice"),
    Column("product", N_("产品"), "text"),
    Column("amount", N_("数量"), "number"),
    Column("unit", N_("单位"), "text"),
    Column("price", N_("价格"), "number"),
    *(COLUMN[key] for key in ("pedigree", "distribution", "gsd", "sd", "min", "max")),
)
PROCESS_COLUMN = {column.key: column for column in PROCESS_COLUMNS}
REQUIRED_PROCESS_COLUMNS = ("process", "direction", "product", "amount", "unit")
# The values a choice column takes: code -> Chinese name (what the drop-down lists show).
CHOICES = {
    "category": CATEGORY_NAMES,
    "data_type": DATA_TYPES.labels,
    "factor_tier": FACTOR_TIERS.labels,
    "distribution": DISTRIBUTION_NAMES,
    "instrument": INSTRUMENTS.labels,
    "excluded": EXCLUDED_NAMES,
    "direction": DIRECTION_NAMES,
}
# The 基本信息 sheet: (key, label, hint).
INFO_FIELDS = (
    ("enterprise", N_("企业名称"), "填报企业的全称"),  # N_: the labels name the row in messages
    ("period", N_("数据期间"), "活动数据所属的期间，如 2024-01-01 至 2024-12-31"),
    ("quantity", N_("产品产量"), "数据期间内产品的产量（与各阶段的数量属同一期间），数值"),
    ("unit", N_("产量单位"), "产量的单位，应能换算为规则的声明单位或功能单位"),
    ("product", N_("产品名称"), "产品的名称或型号"),
)
_COLUMN_HELP = {
    "category": "活动数据所属的排放类别（必填）",
    "item": "活动的名称，如“石灰石”“外购电力”“公路运输”（必填）",
    "amount": "数据期间内的总量：整个期间的量，不是单位产品的量（必填）。可带千位分隔符，如 1,234.5",
    "unit": "数量的单位，如 t、kg、kWh、m3、t·km（必填）；直接排放的温室气体写作质量+气体，如 kg CF4、t SF6，不填因子",
    "data_type": "活动数据的类型（必填）",
    "source": "活动数据的来源，如计量台账、统计年鉴及年份；次级数据必须填写",
    "factor_id": "因子库中的因子编号；填写后不要再填因子数值、单位和层级",
    "factor_value": "不使用因子库时，碳足迹因子的数值",
    "factor_unit": "碳足迹因子的单位：质量+气体/活动单位，如 kgCO2e/kWh、kgCO2/t、kgCF4/t",
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
_PROCESS_COLUMN_HELP = {
    "process": "过程的编号，如 P1；同一过程的各行填写相同的编号，活动数据的“过程编号”列引用它（必填）",
    "process_name": "过程的名称，如“熟料煅烧”；同一过程填写一次即可",
    "direction": "该行是过程的产出还是输入（必填）；输入指来自其他过程的中间产品",
    "product": "产出或输入的产品名称；输入的产品应与提供它的过程的产出同名，基准流的产品名称应为某一过程的产出（必填）",
    "amount": "数据期间内该过程产出或输入的总量，与该过程的活动数据属同一期间（必填）",
    "unit": "数量的单位，如 t、kg、kWh（必填）",
    "price": "产出的单价（用于经济分配，仅产出行填写）",
    "pedigree": _COLUMN_HELP["pedigree"],
    "distribution": "数量的概率分布（用于不确定性分析，可选）",
    "gsd": _COLUMN_HELP["gsd"],
    "sd": _COLUMN_HELP["sd"],
    "min": _COLUMN_HELP["min"],
    "max": _COLUMN_HELP["max"],
}
_WIDE = {
    "item": 22,
    "source": 24,
    "factor_source": 28,
    "evidence": 26,
    "justification": 30,
    "factor_tier": 24,
    "process_name": 18,
    "product": 18,
}


# --- one row ----------------------------------------------------------------------------------------


class _Refused(ValueError):
    """What is wrong with a cell's value (a message that follows the cell's name), in Chinese as
    `str` and in any language as `message`."""

    def __init__(self, template: str, **params):
        self.message = Message(template, params)
        super().__init__(self.message.render())


def _at(where: str | Message, header: str, problem: Message) -> Message:
    """A problem of one cell: the row (`where`, in the reader's language or a Message), the column."""
    return Message(
        N_("%(where)s「%(column)s」%(problem)s"), {"where": where, "column": Message(header), "problem": problem}
    )


def _rendered(problems: list, translate: Translate) -> list[tuple[str, str]]:
    return [(key, message.render(translate) if isinstance(message, Message) else message) for key, message in problems]


def line_from_row(
    values: dict, stage: str, where: str, translate: Translate = identity
) -> tuple[dict | None, list[tuple[str, str]]]:
    """A dataset line from one row of a stage sheet or of the web form's table.

    `values` maps COLUMNS keys to what was typed (str, int, float or None; a workbook may also give
    bool or datetime); other keys are ignored. `where` names the row in messages, e.g.
    "工作表“生产”第 7 行". Returns (line, problems), problems as (column key, message in the language
    of `translate`, Chinese by default); the line
    leaves out what could not be read. (None, []) for a row holding nothing but a category (the
    template's pre-filled rows)."""
    cells = {column.key: _blank_to_none(values.get(column.key)) for column in COLUMNS}
    filled = [key for key, value in cells.items() if value is not None and key != "category"]
    # An explicit "否" in 取舍忽略 is what an empty cell means, so it does not make a row.
    if not filled or (filled == ["excluded"] and _flag_or_none(cells["excluded"]) is False):
        return None, []
    problems: list[tuple[str, str]] = []
    read = _reader(cells, COLUMN, where, problems)
    line: dict = {"stage": stage}
    for key in ("category", "item", "amount", "unit", "data_type", "source"):
        _put(line, key, read(key))
    factor: dict = {}
    for key, name in (("factor_id", "id"), ("factor_value", "value"), ("factor_unit", "unit")):
        _put(factor, name, read(key))
    _put(factor, "tier", read("factor_tier"))
    _put(factor, "source", read("factor_source"))
    _put(line, "factor", factor or None)
    _put(line, "uncertainty", _uncertainty(read, where, problems))
    _put(line, "electricity", _electricity(read, line, factor, cells))
    _put(line, "process", read("process"))
    if read("excluded"):
        line["excluded"] = True
    _put(line, "justification", read("justification"))
    return line, _rendered(problems, translate)


def exchange_from_row(
    values: dict, where: str, translate: Translate = identity
) -> tuple[dict | None, list[tuple[str, str]]]:
    """One output or input of a process from a row of the 过程 sheet or of the web form's process
    table: {"process": id, "name"?: the process's name, "side": "outputs" | "inputs", "exchange":
    {product, amount, unit, price?, uncertainty?}}, leaving out what could not be read; `values`
    and `where` as for `line_from_row`. (None, []) for an empty row. A row says which process and
    which side it belongs to, or it is reported: it could not be placed otherwise."""
    cells = {column.key: _blank_to_none(values.get(column.key)) for column in PROCESS_COLUMNS}
    if all(value is None for value in cells.values()):
        return None, []
    problems: list[tuple[str, str]] = []
    read = _reader(cells, PROCESS_COLUMN, where, problems)
    entry: dict = {}
    _put(entry, "process", read("process"))
    _put(entry, "name", read("process_name"))
    direction = read("direction")
    exchange: dict = {}
    for key in ("product", "amount", "unit"):
        _put(exchange, key, read(key))
    price = read("price")
    if price is not None and direction == "input":
        problems.append(("price", _at(where, N_("价格"), Message(N_("只用于产出：输入行请留空。")))))
    elif price is not None:
        exchange["price"] = price
    _put(exchange, "uncertainty", _uncertainty(read, where, problems))
    if cells["process"] is None:
        empty = Message(N_("是空的：请填写该行所属过程的编号，同一过程的各行编号相同。"))
        problems.append(("process", _at(where, N_("过程编号"), empty)))
    if cells["direction"] is None:
        problems.append(("direction", _at(where, N_("类型"), Message(N_("是空的：请填写“产出”或“输入”。")))))
    if direction is not None:
        entry["side"] = _SIDES[direction]
    entry["exchange"] = exchange
    return entry, _rendered(problems, translate)


def processes_from_exchanges(
    located: list[tuple[dict, str]], translate: Translate = identity
) -> tuple[list[dict], list[tuple[str, str, str]]]:
    """processes[] from `exchange_from_row`'s entries with where each came from: grouped by process
    id in the order the ids first appear, outputs and inputs in row order. Problems as (where,
    column key, message in the language of `translate`): a process named differently on two rows."""
    processes: dict[str, dict] = {}
    named_at: dict[str, str] = {}
    problems = []
    for entry, where in located:
        identifier, side = entry.get("process"), entry.get("side")
        if identifier is None or side is None:
            continue  # already reported by exchange_from_row
        process = processes.setdefault(identifier, {"id": identifier, "outputs": [], "inputs": []})
        name = entry.get("name")
        if name is not None and "name" not in process:
            process["name"], named_at[identifier] = name, where
        elif name is not None and name != process["name"]:
            message = Message(
                N_("“%(name)s”与%(first)s的“%(other)s”不同：过程“%(id)s”的各行应填写同一名称（也可只在第一行填写）。"),
                {"name": name, "first": named_at[identifier], "other": process["name"], "id": identifier},
            )
            problems.append((where, "process_name", _at(where, N_("过程名称"), message).render(translate)))
        process[side].append(entry["exchange"])
    ordered = [
        {key: process[key] for key in ("id", "name", "outputs", "inputs") if key in process and process[key] != []}
        for process in processes.values()
    ]
    return ordered, problems


def _reader(cells: dict, columns: dict[str, Column], where: str, problems: list[tuple[str, str]]):
    """read(key): the parsed value of a cell, or None (then a problem is recorded, if it was not empty)."""

    def read(key):
        value = cells[key]
        if value is None:
            return None
        column = columns[key]
        try:
            if isinstance(value, str) and value.strip() in _EXCEL_ERRORS:
                raise _Refused(N_("是公式的错误值 %(value)s：请修正公式，或直接填写。"), value=value.strip())
            return _PARSERS[column.kind](value, key)
        except _Refused as refused:
            problems.append((key, _at(where, column.header, refused.message)))
            return None

    return read


def _uncertainty(read, where: str, problems: list[tuple[str, str]]) -> dict | None:
    """A row's uncertainty; a parameter its distribution does not use (or none is chosen) is reported."""
    uncertainty: dict = {}
    for key in ("distribution", "gsd", "sd", "min", "max", "pedigree"):
        _put(uncertainty, key, read(key))
    kind = uncertainty.get("distribution")
    unread = kind is None and any(key == "distribution" for key, _message in problems)  # that is the problem
    for key in [key for key in ("gsd", "sd", "min", "max") if key in uncertainty and not unread]:
        if key in _PARAMETERS.get(kind, ()):
            continue
        del uncertainty[key]
        header = Message(COLUMN[key].header)
        users = Joined(N_("、"), tuple(_distribution(d) for d in _PARAMETERS if key in _PARAMETERS[d]))
        if kind is None:
            message = Message(
                N_("只用于%(users)s：请在「分布」中选择分布，或删去%(header)s。"), {"users": users, "header": header}
            )
        else:
            needs = Joined(N_("和"), tuple(Message(COLUMN[other].header) for other in _PARAMETERS[kind]))
            template = (
                N_("不用于%(distribution)s：它只用%(needs)s（或谱系评分），请删去%(header)s，或改为%(users)s。")
                if kind == "lognormal"
                else N_("不用于%(distribution)s：它只用%(needs)s，请删去%(header)s，或改为%(users)s。")
            )
            params = {"distribution": _distribution(kind), "needs": needs, "header": header, "users": users}
            message = Message(template, params)
        problems.append((key, _at(where, COLUMN[key].header, message)))
    return uncertainty or None


def _distribution(kind: str) -> Message:
    return Message(N_("%(name)s分布"), {"name": Message(DISTRIBUTION_NAMES[kind])})


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
        raise _Refused(N_("是逻辑值 %(value)s，不是数字：请填写数值。"), value=_text(value))
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        raise _Refused(
            N_("被 Excel 当作日期或时间（%(value)s）：请把单元格格式设为“常规”或“数值”后重新填写数值。"),
            value=_text(value),
        )
    if isinstance(value, int | float):
        number = value
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace("\u2212", "-")
        if _GROUPED.fullmatch(text):
            text = text.replace(",", "")
        elif not _PLAIN.fullmatch(text):
            raise _Refused(N_("%(value)s不是数字：请填写数值，如 1234.5 或 1,234.5。"), value=_show(value))
        try:
            number = float(text) if any(mark in text for mark in ".eE") else int(text)
        except ValueError:  # more digits than Python converts
            raise _Refused(N_("%(value)s不是可用的数字。"), value=_show(value)) from None
    try:
        finite = math.isfinite(number)
    except OverflowError:
        finite = False
    if not finite:
        raise _Refused(N_("%(value)s不是有限的数值：请填写数值。"), value=_show(value))
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
            plain = _normal(name)
            short = bracket[1] if (bracket := _PARENTHESISED.match(plain)) else plain  # 购电协议 for 购电协议（PPA）
            if folded == code.casefold() or candidate in (name, plain, short, f"{name}分布"):
                return code
    shown = Joined(N_("、"), tuple(Message(name) for name in names.values()))
    raise _Refused(
        N_("%(value)s不是可选的值：请填写 %(choices)s 之一（或其英文代码）。"), value=_show(value), choices=shown
    )


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
        raise _Refused(N_("%(value)s应为“是”或“否”（留空为否）。"), value=_show(value))
    return flag


_PEDIGREE_SPLIT = re.compile(r"[\s,;/、，；]+")


def _pedigree(value, key=None) -> list[int]:
    message = N_("%(value)s应为 5 个 1–5 的整数（可靠性、完整性、时间、地理、技术相关性），用逗号分隔，如 2,3,1,2,1。")
    if isinstance(value, bool):
        raise _Refused(message, value=_show(value))
    text = _normal(_text(value)).strip("()[]{}【】")
    # Excel turns "23121" (and sometimes "2,3,1,2,1") into the number 23121: five digits are five scores.
    parts = list(text) if re.fullmatch(r"\d{5}", text) else [part for part in _PEDIGREE_SPLIT.split(text) if part]
    if len(parts) != 5 or not all(re.fullmatch(r"[1-5]", part) for part in parts):
        raise _Refused(message, value=_show(value))
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


def exchange_rows_from_dataset(dataset: dict) -> list[dict]:
    """The process-table rows of a dataset's processes, one per output then input: every
    PROCESS_COLUMNS key, all as strings ("" when empty), the process's name on its first row only.
    The inverse of `exchange_from_row` and `processes_from_exchanges` for `representable` datasets."""
    rows = []
    for process in _list(_dict(dataset).get("processes")):
        process = _dict(process)
        name = process.get("name")
        for side, direction in (("outputs", "output"), ("inputs", "input")):
            for exchange in _list(process.get(side)):
                exchange = _dict(exchange)
                uncertainty = _dict(exchange.get("uncertainty"))
                values = {
                    "process": process.get("id"),
                    "process_name": name,
                    "direction": direction,
                    **{key: exchange.get(key) for key in ("product", "amount", "unit", "price")},
                    **{key: uncertainty.get(key) for key in ("distribution", "gsd", "sd", "min", "max")},
                    "pedigree": ",".join(map(str, uncertainty["pedigree"])) if uncertainty.get("pedigree") else None,
                }
                rows.append({key: _cell_text(value) for key, value in values.items()})
                name = None
    return rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and not isinstance(value, bool):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


_TOP_LEVEL = {"enterprise", "period", "reference_flow", "lines", "processes"}
_REFERENCE_FLOW = {"quantity", "unit", "product"}


def representable(dataset: dict) -> bool:
    """Whether the table (workbook or web form) can express the dataset without losing anything:
    False with co-products, per-gas or biogenic factors, factor uncertainty, σ or basic variance
    (of a line or an exchange), a contract factor other than the instrument's own, electricity
    marked where the table would not infer it, a process without outputs or inputs, x_ extensions,
    or values the table would read otherwise."""
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
    processes = dataset.get("processes")
    if processes is None:
        return True
    if not isinstance(processes, list) or not all(isinstance(process, dict) for process in processes):
        return False
    located = []
    for row in exchange_rows_from_dataset(dataset):
        entry, problems = exchange_from_row(row, "")
        if problems:
            return False
        located.append((entry, ""))
    read, problems = processes_from_exchanges(located)
    return not problems and read == _trimmed(processes)


def _trimmed(value):
    """A line or processes[] as the table reads them back: text stripped, empty text, empty lists and
    `excluded: false` left out."""
    if isinstance(value, dict):
        return {
            key: _trimmed(item)
            for key, item in value.items()
            if item is not None
            and item != []
            and not (isinstance(item, str) and not item.strip())
            and (key, item) != ("excluded", False)
        }
    if isinstance(value, list):
        return [_trimmed(item) for item in value]
    return value.strip() if isinstance(value, str) else value


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def header_text(column: Column) -> str:
    return f"{column.header} ({column.key})"
