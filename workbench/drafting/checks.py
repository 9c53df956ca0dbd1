"""Conformance checks of a product rule (cfp-product-rule@1.0): 指引, GB/T 24067-2024, GB/T 1.1-2020.

PURE: standard library and `workbench.registry.numbers` only, so the checks run in the web app,
the CLI and the tests alike, without a database. The code only detects; the catalogue (the
template's checks.json) decides each code's severity and article, and a code that the catalogue
does not list is not reported (an older template keeps the checks it was published with).

`check` never raises on odd input: the schema is validated elsewhere, and a part of the document
with the wrong shape is either reported as missing or skipped by the checks that need it.

Decisions worth knowing:
- Boundary stages: 摇篮到坟墓 includes all five stages; 摇篮到大门 includes 原材料获取 and 生产 and none
  of 分销运输, 使用, 废弃处置 (the gate is the factory gate); 部分生命周期 includes at least one stage.
  A stage may not be both included and excluded.
- A non-partial boundary that does not fit the product's end use is an error even with a
  justification: the way out that 指引(三) leaves is "partial" with its reason written down.
- Priority lists (secondary data, factors) may name a subset, in the prescribed relative order,
  each value once. Unknown values are left to the schema.
- References: "GB/T 24067" without a year is undated, told apart from an invalid number by
  parsing it again with a placeholder year. International numbers (ISO, IEC, ITU) are outside
  `numbers.parse`; they are read by their own pattern, dated by ":year".
- Annexes: normative and informative annexes share one place in the order (GB/T 1.1 orders
  annexes by where the text first cites them, so they may alternate).
- Provisions in 前言/引言: 应, 宜, 可 outside words that merely contain them (应用, 相应, 可能,
  可持续, 宜宾 …), outside 《titles》 and “quotations”, and outside the lists of 起草单位/起草人
  and the 本文件由…提出/归口 sentence (names of people and places contain these characters).
"""

import math
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from workbench.registry import numbers

SEVERITIES = ("error", "warning", "info")
_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}

TITLE_PREFIX = "温室气体 产品碳足迹量化方法与要求 "
GBT_24067 = "GB/T 24067"
GBT_24067_YEAR = 2024
DEFAULT_GWP_SET = "IPCC-AR6-GWP100"
PLAUSIBLE_TOTAL_CUT_OFF = 5  # percent; GB/T 44905-2024 uses 1 % per item and 5 % in total

STAGES = ("raw_material_acquisition", "production", "distribution", "use", "end_of_life")
STAGE_NAMES = {
    "raw_material_acquisition": "原材料获取",
    "production": "生产",
    "distribution": "分销运输",
    "use": "使用",
    "end_of_life": "废弃处置",
}
BOUNDARY_NAMES = {"cradle_to_gate": "摇篮到大门", "cradle_to_grave": "摇篮到坟墓", "partial": "部分生命周期"}
BOUNDARY_FOR_END_USE = {"final": "cradle_to_grave", "intermediate": "cradle_to_gate"}
END_USE_NAMES = {"final": "面向终端用户或消费者的产品", "intermediate": "非终端消费产品"}
# (stages that must be included, stages that must not be)
STAGES_FOR_BOUNDARY = {
    "cradle_to_grave": (STAGES, ()),
    "cradle_to_gate": (("raw_material_acquisition", "production"), ("distribution", "use", "end_of_life")),
}

SECONDARY_PRIORITY = ("statistical", "literature", "estimated")
SECONDARY_NAMES = {"statistical": "统计数据", "literature": "文献数据", "estimated": "估算数据"}
FACTOR_PRIORITY = ("measured_verified", "government", "industry", "literature")
FACTOR_NAMES = {
    "measured_verified": "经溯源性核验的实测数据",
    "government": "政府官方数据",
    "industry": "行业经验值",
    "literature": "文献值",
}
REQUIRED_CATEGORIES = ("raw_materials", "energy", "transport", "waste_treatment")
CATEGORY_NAMES = {
    "raw_materials": "原材料消耗",
    "energy": "能源使用",
    "transport": "运输方式",
    "waste_treatment": "废物处理",
}

# GB/T 1.1-2020 order of elements; both kinds of annex share a place.
ELEMENT_RANK = {
    "foreword": 0,
    "introduction": 1,
    "scope": 2,
    "normative_references": 3,
    "terms": 4,
    "technical": 5,
    "annex_normative": 6,
    "annex_informative": 6,
}
ELEMENT_NAMES = {
    "foreword": "前言",
    "introduction": "引言",
    "scope": "范围",
    "normative_references": "规范性引用文件",
    "terms": "术语和定义",
    "technical": "技术内容",
    "annex_normative": "规范性附录",
    "annex_informative": "资料性附录",
}
ELEMENT_ORDER_TEXT = "前言、引言、范围、规范性引用文件、术语和定义、技术内容、附录"
REQUIRED_ELEMENTS = ("foreword", "scope", "normative_references", "terms", "technical")
SINGLE_ELEMENTS = ("foreword", "introduction", "scope", "normative_references", "terms")

# Every code `check` can report; checks.json lists the same ones (a test keeps them in step).
CODES = (
    "title_pattern",
    "title_en_missing",
    "reference_gbt24067_missing",
    "reference_gbt24067_undated",
    "reference_gbt24067_edition",
    "reference_undated",
    "reference_invalid_number",
    "reference_duplicate",
    "reference_withdrawn",
    "reference_replaced",
    "boundary_end_use_mismatch",
    "boundary_partial_without_justification",
    "boundary_stages_inconsistent",
    "primary_stages_missing",
    "primary_stage_outside_boundary",
    "secondary_stage_outside_boundary",
    "data_stage_unassigned",
    "secondary_priority_order",
    "activity_categories_incomplete",
    "electricity_method_missing",
    "factor_priority_missing",
    "factor_priority_order",
    "data_quality_method_missing",
    "uncertainty_method_missing",
    "cut_off_missing",
    "cut_off_inconsistent",
    "cut_off_implausible",
    "gwp_set_missing",
    "gwp_set_not_default",
    "report_format_missing",
    "structure_element_missing",
    "structure_element_duplicate",
    "structure_order",
    "provision_in_foreword",
    "provision_in_introduction",
    "term_defined_twice",
    "clause_id_duplicate",
    "cross_reference_unresolved",
)

# Words that contain 应/宜/可 without being a provision. The modal verbs of GB/T 1.1-2020 附录 C
# are 应 (不应, 应该), 宜 (不宜), 可 (可以, 不必); 能/可能 state a possibility, not a permission.
_NOT_PROVISIONS = (
    # 应
    "应用",
    "应对",
    "应急",
    "应力",
    "应变",
    "应邀",
    "应聘",
    "应收",
    "相应",
    "对应",
    "供应",
    "适应",
    "反应",
    "响应",
    "效应",
    "感应",
    "呼应",
    "回应",
    "顺应",
    "答应",
    # 宜
    "事宜",
    "便宜",
    "适宜",
    "宜居",
    "因地制宜",
    "宜宾",
    "宜昌",
    "宜兴",
    "宜春",
    "宜都",
    "宜州",
    "宜城",
    # 可
    "可能",
    "可行",
    "可信",
    "可比",
    "可靠",
    "可追溯",
    "可溯源",
    "可再生",
    "可持续",
    "可回收",
    "可循环",
    "可降解",
    "可控",
    "可视",
    "可见",
    "可量化",
    "可测量",
    "可核查",
    "可核验",
    "可验证",
    "可重复",
    "可获得",
    "可获取",
    "可用性",
    "可操作",
    "可扩展",
    "可燃",
    "认可",
    "许可",
    "不可抗力",
    "尽可能",
    "宁可",
    "可是",
)
_PROVISION = re.compile(
    "《[^《》\n]{1,100}》"  # titles of documents
    # quoted words; short and on one line, so a stray quotation mark cannot hide a whole paragraph
    '|“[^“”\n]{1,30}”|「[^「」\n]{1,30}」|"[^"\n]{1,30}"'
    r"|(?:主要)?起草(?:人|单位)\s*[:：][^。\n]*"  # names of people and organisations
    r"|本文件由[^。\n]*?(?:提出|归口)"
    "|" + "|".join(sorted(_NOT_PROVISIONS, key=len, reverse=True)) + "|(?P<modal>[应宜可])"
)
_CROSS_REFERENCE = re.compile(r"\]\(\s*#([^)\s]*)")
_WHITESPACE = re.compile(r"\s+")
_INTERNATIONAL_PREFIX = re.compile(r"(?:ISO|IEC|ITU)\b", re.IGNORECASE)
_INTERNATIONAL = re.compile(
    r"((?:ISO|IEC|ITU-[TR])(?:/(?:IEC|IEEE|ASTM|TS|TR|PAS))*(?: (?:TS|TR|PAS|Guide))? [A-Z]?\.?[0-9]+(?:[-.][0-9]+)*)"
    r"(?::([0-9]{4}))?((?:/(?:Amd|Cor) ?[0-9]+:[0-9]{4})*)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # error | warning | info, from the catalogue
    article: str  # e.g. "指引(三)", "GB/T 1.1-2020 8.3", from the catalogue
    path: str  # JSON pointer into the rule, e.g. "/parameters/system_boundary/type"
    message: str  # Chinese, says what to change
    suppressed: bool = False
    suppression_reason: str | None = None


def check(
    document: dict,
    *,
    catalogue: list[dict],
    reference_status: Callable[[str], str | None] | None = None,
) -> list[Finding]:
    """The findings on `document`: errors first, then warnings, then info; then by path (array
    indices in numeric order). `reference_status(key)` gives the registry's status of a referenced
    standard by its number key ("GB/T24067-2024"), or None when the registry does not know it."""
    report = _Report(catalogue)
    doc = document if isinstance(document, dict) else {}
    params = _dict(doc.get("parameters"))
    _check_title(doc, report)
    _check_references(doc, report, reference_status)
    included = _check_boundary(doc, params, report)
    _check_data(params, included, report)
    _check_methods(params, report)
    clause_list = _items(doc.get("clauses"))
    _check_structure(clause_list, report)
    _check_provisions(clause_list, report)
    _check_ids_and_references(clause_list, _items(doc.get("terms")), report)
    return sorted(report.findings, key=_order)


def apply_suppressions(findings: Iterable[Finding], suppressions: Iterable[Sequence[str | None]]) -> list[Finding]:
    """`findings` with those matching a suppression (code, path, reason) on code and path marked
    suppressed, with the reason."""
    reasons: dict[tuple[str, str], str | None] = {}
    for code, path, reason in suppressions:
        reasons[(code, path)] = reason
    marked = []
    for finding in findings:
        key = (finding.code, finding.path)
        if key in reasons:
            finding = replace(finding, suppressed=True, suppression_reason=reasons[key])
        marked.append(finding)
    return marked


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    """{"errors": n, "warnings": n, "info": n}, counting unsuppressed findings only."""
    tally = {"errors": 0, "warnings": 0, "info": 0}
    names = {"error": "errors", "warning": "warnings", "info": "info"}
    for finding in findings:
        if not finding.suppressed and finding.severity in names:
            tally[names[finding.severity]] += 1
    return tally


# --- collecting ------------------------------------------------------------------------------------


class _Report:
    def __init__(self, catalogue):
        self.entries: dict[str, dict] = {}
        for entry in catalogue if isinstance(catalogue, list) else ():
            if isinstance(entry, dict) and isinstance(entry.get("code"), str):
                self.entries[entry["code"]] = entry
        self.findings: list[Finding] = []

    def add(self, code: str, path: str, message: str) -> None:
        entry = self.entries.get(code)
        if entry is None:
            return  # not in this template's catalogue
        self.findings.append(
            Finding(code, str(entry.get("severity", "")), str(entry.get("article", "")), path, message)
        )


def _order(finding: Finding):
    return (
        _SEVERITY_RANK.get(finding.severity, len(SEVERITIES)),
        _path_key(finding.path),
        finding.code,
        finding.message,
    )


def _path_key(path: str):
    return tuple((0, int(part), "") if part.isascii() and part.isdigit() else (1, 0, part) for part in path.split("/"))


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _items(value) -> list[tuple[int, dict]]:
    """(index, item) for the objects of a list; anything else in it is left to the schema."""
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def _text(value) -> str:
    """The stripped text of a string, "" for anything else."""
    return value.strip() if isinstance(value, str) else ""


def _strings(value) -> list[tuple[int, str]]:
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, str)]


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _names(values: Iterable[str], names: dict[str, str]) -> str:
    return "、".join(names.get(value, value) for value in values)


def _percent(value: float) -> str:
    return f"{value:g} %"


# --- title -----------------------------------------------------------------------------------------


def _check_title(doc: dict, report: _Report) -> None:
    title = doc.get("title")
    name = _text(_dict(doc.get("product")).get("name"))
    if name:
        expected = TITLE_PREFIX + name
        if title != expected:
            shown = f"（现为“{title}”）" if isinstance(title, str) and title else ""
            report.add(
                "title_pattern",
                "/title",
                f"标准名称应为“{expected}”{shown}：按指引(二)统一命名，“要求”与产品名称之间空一格，产品名称与 product.name 一致。",
            )
    elif not (isinstance(title, str) and title.startswith(TITLE_PREFIX) and title[len(TITLE_PREFIX) :].strip()):
        report.add("title_pattern", "/title", f"标准名称应为“{TITLE_PREFIX}XX产品”，XX产品为本规则的产品名称。")
    if not _text(doc.get("title_en")):
        report.add(
            "title_en_missing",
            "/title_en",
            "请填写标准名称的英文译名，如“Greenhouse gases—Carbon footprint of products—"
            "Quantification methods and requirements—Lithium-ion batteries”。",
        )


# --- normative references --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reference:
    designation: str  # without the year: "GB/T 24067", "ISO 14067"
    year: int | None  # None: undated
    key: str | None  # registry key of a dated Chinese number


def _read_reference(text: str) -> _Reference:
    """The number of a reference; raises numbers.InvalidNumber (or ValueError) when unreadable."""
    tidy = _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    if _INTERNATIONAL_PREFIX.match(tidy):
        match = _INTERNATIONAL.fullmatch(tidy)
        if not match:
            raise ValueError(f"国际标准编号“{text}”无法识别：应写作如 ISO 14067:2018、ISO/TS 14071:2014 的形式。")
        return _Reference(match[1].upper(), int(match[2]) if match[2] else None, None)
    try:
        parsed = numbers.parse(text)
    except numbers.InvalidNumber as error:
        if error.template != numbers.MISSING_YEAR:
            raise
        try:  # valid but for the missing year?
            parsed = numbers.parse(f"{text.rstrip()}-2000")
        except ValueError:
            raise error from None
        return _Reference(parsed.designation, None, None)
    return _Reference(parsed.designation, parsed.year, parsed.key)


def _check_references(doc: dict, report: _Report, reference_status) -> None:
    cited_24067 = False
    seen: dict[tuple[str, int | None], int] = {}
    for index, reference in _items(doc.get("normative_references")):
        number = reference.get("number")
        if not isinstance(number, str):
            continue
        path = f"/normative_references/{index}/number"
        try:
            read = _read_reference(number)
        except ValueError as error:
            report.add("reference_invalid_number", path, f"编号“{number}”无法识别：{error}")
            continue
        identity = (read.designation, read.year)
        if identity in seen:
            report.add(
                "reference_duplicate",
                path,
                f"{number} 已在第 {seen[identity] + 1} 条列出：删除重复的一条。",
            )
            continue
        seen[identity] = index
        if read.designation == GBT_24067:
            cited_24067 = True
            if read.year is None:
                report.add(
                    "reference_gbt24067_undated",
                    path,
                    f"写作“{GBT_24067}—{GBT_24067_YEAR}”：指引(二)要求与 GB/T 24067—2024 协调一致，应注日期引用。",
                )
            elif read.year != GBT_24067_YEAR:
                report.add(
                    "reference_gbt24067_edition",
                    path,
                    f"引用的是 {GBT_24067}—{read.year}：改为 {GBT_24067}—{GBT_24067_YEAR}。",
                )
        elif read.year is None:
            report.add(
                "reference_undated",
                path,
                f"“{number}”未注日期：写明所引版本的年份（如 {read.designation}—年份），或确认本规则适用其最新版本。",
            )
        if reference_status is not None and read.key is not None:
            status = reference_status(read.key)
            if status == "withdrawn":
                report.add("reference_withdrawn", path, f"{number} 已废止：改引现行标准，或删除该引用。")
            elif status == "replaced":
                report.add("reference_replaced", path, f"{number} 已被代替：核对并改引代替它的现行版本。")
    if not cited_24067:
        report.add(
            "reference_gbt24067_missing",
            "/normative_references",
            "在规范性引用文件中加入 GB/T 24067—2024《温室气体 产品碳足迹 量化要求和指南》。",
        )


# --- boundary and data -----------------------------------------------------------------------------


def _check_boundary(doc: dict, params: dict, report: _Report) -> set[str] | None:
    """Checks the system boundary; returns the stages included, or None when not stated."""
    boundary = params.get("system_boundary")
    if not isinstance(boundary, dict):
        return None
    base = "/parameters/system_boundary"
    kind = boundary.get("type") if isinstance(boundary.get("type"), str) else None
    end_use = _dict(doc.get("product")).get("end_use")
    expected = BOUNDARY_FOR_END_USE.get(end_use) if isinstance(end_use, str) else None
    if kind == "partial":
        if not _text(boundary.get("justification")):
            report.add(
                "boundary_partial_without_justification",
                f"{base}/justification",
                "选取部分生命周期阶段核算时，写明理由：根据数据收集情况和需求评估，说明为何不纳入其余阶段。",
            )
    elif expected is not None and kind in BOUNDARY_NAMES and kind != expected:
        report.add(
            "boundary_end_use_mismatch",
            f"{base}/type",
            f"{END_USE_NAMES[end_use]}一般采用“{BOUNDARY_NAMES[expected]}”边界，本规则为“{BOUNDARY_NAMES[kind]}”："
            f"改为“{BOUNDARY_NAMES[expected]}”，或改为“部分生命周期”并写明理由。",
        )

    if not isinstance(boundary.get("stages_included"), list):
        return None
    included_items = _strings(boundary["stages_included"])
    included = {stage for _, stage in included_items}
    if kind in STAGES_FOR_BOUNDARY:
        required, forbidden = STAGES_FOR_BOUNDARY[kind]
        missing = [stage for stage in required if stage not in included]
        if missing:
            report.add(
                "boundary_stages_inconsistent",
                f"{base}/stages_included",
                f"“{BOUNDARY_NAMES[kind]}”边界应纳入{_names(missing, STAGE_NAMES)}阶段：补上，或改为“部分生命周期”并写明理由。",
            )
        for index, stage in included_items:
            if stage in forbidden:
                report.add(
                    "boundary_stages_inconsistent",
                    f"{base}/stages_included/{index}",
                    f"“{BOUNDARY_NAMES[kind]}”边界不含{STAGE_NAMES[stage]}阶段：删除该阶段，或改用与之相符的边界类型。",
                )
    elif kind == "partial" and not included:
        report.add(
            "boundary_stages_inconsistent",
            f"{base}/stages_included",
            "部分生命周期边界至少应纳入一个生命周期阶段。",
        )
    for index, stage in _strings(boundary.get("stages_excluded")):
        if stage in included:
            report.add(
                "boundary_stages_inconsistent",
                f"{base}/stages_excluded/{index}",
                f"{STAGE_NAMES.get(stage, stage)}阶段既被纳入又被排除：只保留其中之一。",
            )
    return included


def _check_data(params: dict, included: set[str] | None, report: _Report) -> None:
    primary = [(index, stage) for index, stage in _strings(params.get("primary_data_stages")) if stage.strip()]
    secondary = _strings(params.get("secondary_data_allowed_stages"))
    if not primary:
        report.add(
            "primary_stages_missing",
            "/parameters/primary_data_stages",
            "写明必须使用初级数据（现场数据）的生命周期阶段，至少一个，如生产阶段。",
        )
    if included:  # an empty boundary is reported by boundary_stages_inconsistent alone
        for index, stage in primary:
            if stage not in included:
                report.add(
                    "primary_stage_outside_boundary",
                    f"/parameters/primary_data_stages/{index}",
                    f"{STAGE_NAMES.get(stage, stage)}阶段不在系统边界内：从初级数据阶段中删除，或把它纳入系统边界。",
                )
        for index, stage in secondary:
            if stage not in included:
                report.add(
                    "secondary_stage_outside_boundary",
                    f"/parameters/secondary_data_allowed_stages/{index}",
                    f"{STAGE_NAMES.get(stage, stage)}阶段不在系统边界内：从可使用次级数据的阶段中删除。",
                )
        if primary:
            assigned = {stage for _, stage in primary} | {stage for _, stage in secondary}
            unassigned = [stage for stage in STAGES if stage in included and stage not in assigned]
            if unassigned:
                report.add(
                    "data_stage_unassigned",
                    "/parameters/secondary_data_allowed_stages",
                    f"{_names(unassigned, STAGE_NAMES)}阶段在系统边界内，但既未规定必须使用初级数据，"
                    "也未规定可使用次级数据：把它列入其中之一。",
                )

    priority = params.get("secondary_data_priority")
    if isinstance(priority, list):
        problem = _order_problem(priority, SECONDARY_PRIORITY, SECONDARY_NAMES)
        if problem:
            report.add("secondary_priority_order", "/parameters/secondary_data_priority", problem)

    categories = {category for _, category in _strings(params.get("activity_data_categories"))}
    missing = [category for category in REQUIRED_CATEGORIES if category not in categories]
    if missing:
        report.add(
            "activity_categories_incomplete",
            "/parameters/activity_data_categories",
            f"活动数据类别缺少{_names(missing, CATEGORY_NAMES)}：按排放类别分别收集活动数据，补上这些类别。",
        )

    electricity = params.get("electricity")
    base = "/parameters/electricity"
    if not isinstance(electricity, dict):
        report.add(
            "electricity_method_missing",
            base,
            "规定电力碳排放的核算方法：所用电网排放因子（全国或区域平均），以及是否允许使用绿证或绿电交易凭证及其条件。",
        )
    else:
        if not _text(electricity.get("grid_factor")):
            report.add(
                "electricity_method_missing",
                f"{base}/grid_factor",
                "写明所用的电网排放因子：全国平均（national_average）或区域平均（regional_average）。",
            )
        if electricity.get("contractual_instruments_allowed") is True:
            if not [item for _, item in _strings(electricity.get("instruments")) if item.strip()]:
                report.add(
                    "electricity_method_missing",
                    f"{base}/instruments",
                    "允许使用非化石能源电力凭证时，列出认可的凭证类型：绿色电力证书、绿电交易合同或购电协议。",
                )
            if not _text(electricity.get("conditions")):
                report.add(
                    "electricity_method_missing",
                    f"{base}/conditions",
                    "写明使用绿证或电力交易合同的条件，如凭证与核算期实际用电量对应、未被重复声明。",
                )

    factors = params.get("factor_priority")
    if not isinstance(factors, list) or not factors:
        report.add(
            "factor_priority_missing",
            "/parameters/factor_priority",
            f"规定碳足迹因子的优先级：{_names(FACTOR_PRIORITY, FACTOR_NAMES)}。",
        )
    else:
        problem = _order_problem(factors, FACTOR_PRIORITY, FACTOR_NAMES)
        if problem:
            report.add("factor_priority_order", "/parameters/factor_priority", problem)


def _order_problem(values: list, order: tuple[str, ...], names: dict[str, str]) -> str | None:
    """What is wrong with a priority list, or None: known values, each once, in `order`."""
    known = [value for value in values if isinstance(value, str) and value in order]
    tally = Counter(known)
    duplicates = [value for value in order if tally[value] > 1]
    if duplicates:
        return f"{_names(duplicates, names)}重复列出：每类只列一次，顺序为{_names(order, names)}。"
    if known != sorted(known, key=order.index):
        fixed = sorted(known, key=order.index)
        return f"优先级顺序应为{_names(fixed, names)}（现为{_names(known, names)}）。"
    return None


# --- methods ---------------------------------------------------------------------------------------


def _check_methods(params: dict, report: _Report) -> None:
    if not _text(params.get("data_quality_method")):
        report.add(
            "data_quality_method_missing",
            "/parameters/data_quality_method",
            "写明数据质量评价方法，如按 GB/T 24067—2024 的数据质量要求采用谱系矩阵或数据质量评级（DQR）。",
        )
    if not _text(params.get("uncertainty_method")):
        report.add(
            "uncertainty_method_missing",
            "/parameters/uncertainty_method",
            "写明数据有效性和不确定性分析的方法，如蒙特卡洛模拟或误差传递。",
        )
    gwp = _text(params.get("gwp_set"))
    if not gwp:
        report.add("gwp_set_missing", "/parameters/gwp_set", f"写明所用的 GWP 数据集，如 {DEFAULT_GWP_SET}。")
    elif gwp != DEFAULT_GWP_SET:
        report.add(
            "gwp_set_not_default",
            "/parameters/gwp_set",
            f"本规则采用 {gwp}，TC548 的规则统一采用 {DEFAULT_GWP_SET}：确认有理由采用其他数据集，否则改为 {DEFAULT_GWP_SET}。",
        )
    if not _text(params.get("report_format")):
        report.add(
            "report_format_missing",
            "/parameters/report_format",
            "规定产品碳足迹报告的格式，如“附录 C 给出的报告格式”，并在附录中给出报告模板。",
        )
    _check_cut_off(params, report)


def _check_cut_off(params: dict, report: _Report) -> None:
    cut_off = params.get("cut_off")
    base = "/parameters/cut_off"
    if not isinstance(cut_off, dict):
        report.add(
            "cut_off_missing",
            base,
            "以数值规定取舍准则：单项（per_item_percent）和累计（total_percent）的百分比，如 1 % 和 5 %。",
        )
        return
    per_item = _number(cut_off.get("per_item_percent"))
    total = _number(cut_off.get("total_percent"))
    if per_item is None:
        report.add("cut_off_missing", f"{base}/per_item_percent", "填写单项取舍比例（百分比数值），如 1。")
    if total is None:
        report.add("cut_off_missing", f"{base}/total_percent", "填写累计取舍比例（百分比数值），如 5。")
    total_valid = total is not None and 0 < total <= 100
    if total is not None and not total_valid:
        report.add(
            "cut_off_inconsistent",
            f"{base}/total_percent",
            f"累计取舍比例 {_percent(total)} 不成立：应大于 0 且不超过 100 %，一般为 5 %。",
        )
    if per_item is not None and per_item <= 0:
        report.add(
            "cut_off_inconsistent",
            f"{base}/per_item_percent",
            f"单项取舍比例 {_percent(per_item)} 不成立：应大于 0，一般为 1 %。",
        )
    elif per_item is not None and total_valid and per_item > total:
        report.add(
            "cut_off_inconsistent",
            f"{base}/per_item_percent",
            f"单项取舍比例 {_percent(per_item)} 大于累计比例 {_percent(total)}：单项不应超过累计。",
        )
    if total_valid and total > PLAUSIBLE_TOTAL_CUT_OFF:
        report.add(
            "cut_off_implausible",
            f"{base}/total_percent",
            f"累计取舍比例 {_percent(total)} 超过 {PLAUSIBLE_TOTAL_CUT_OFF} %：已发布的产品碳足迹标准一般为单项 1 %、"
            f"累计 5 %（如 GB/T 44905—2024）；降低比例，或在正文中说明理由。",
        )


# --- document structure (GB/T 1.1-2020) ------------------------------------------------------------


def _check_structure(clause_list: list[tuple[int, dict]], report: _Report) -> None:
    ranked: list[tuple[int, str]] = []  # (index, kind) of the clauses with a known kind
    seen: set[str] = set()
    for index, clause in clause_list:
        kind = clause.get("kind")
        if not isinstance(kind, str) or kind not in ELEMENT_RANK:
            continue
        if kind in SINGLE_ELEMENTS and kind in seen:
            report.add(
                "structure_element_duplicate",
                f"/clauses/{index}/kind",
                f"“{ELEMENT_NAMES[kind]}”已经出现过：合并为一个，其下的内容写成条或段。",
            )
            continue
        seen.add(kind)
        ranked.append((index, kind))
    missing = [kind for kind in REQUIRED_ELEMENTS if kind not in seen]
    if missing:
        report.add(
            "structure_element_missing",
            "/clauses",
            f"缺少{_names(missing, ELEMENT_NAMES)}：补上这些要素（技术内容指至少一章 kind 为 technical 的条款）。",
        )
    kept = _longest_in_order([ELEMENT_RANK[kind] for _, kind in ranked])
    if len(kept) == len(ranked):
        return
    kept_set = set(kept)
    previous_kept: list[int | None] = []  # for each position, the last kept position before it
    last = None
    for position in range(len(ranked)):
        previous_kept.append(last)
        if position in kept_set:
            last = position
    following = None
    next_kept: list[int | None] = [None] * len(ranked)
    for position in range(len(ranked) - 1, -1, -1):
        next_kept[position] = following
        if position in kept_set:
            following = position
    for position, (index, kind) in enumerate(ranked):
        if position in kept_set:
            continue
        before, after = previous_kept[position], next_kept[position]
        rank = ELEMENT_RANK[kind]
        if before is not None and ELEMENT_RANK[ranked[before][1]] > rank:
            where = f"应排在“{ELEMENT_NAMES[ranked[before][1]]}”之前"
        else:
            where = f"应排在“{ELEMENT_NAMES[ranked[after][1]]}”之后" if after is not None else "位置不对"
        report.add(
            "structure_order",
            f"/clauses/{index}/kind",
            f"“{ELEMENT_NAMES[kind]}”{where}：要素顺序为{ELEMENT_ORDER_TEXT}。",
        )


def _longest_in_order(ranks: list[int]) -> list[int]:
    """Positions of a longest non-decreasing subsequence of `ranks` (O(n log n)): the clauses that
    stay; the others are the ones out of place."""
    tails: list[int] = []  # rank at the end of the best subsequence of each length
    tail_positions: list[int] = []
    parents: list[int | None] = []
    for position, rank in enumerate(ranks):
        length = bisect_right(tails, rank)
        parents.append(tail_positions[length - 1] if length else None)
        if length == len(tails):
            tails.append(rank)
            tail_positions.append(position)
        else:
            tails[length] = rank
            tail_positions[length] = position
    kept = []
    position = tail_positions[-1] if tail_positions else None
    while position is not None:
        kept.append(position)
        position = parents[position]
    return kept[::-1]


def _check_provisions(clause_list: list[tuple[int, dict]], report: _Report) -> None:
    for index, clause in clause_list:
        kind = clause.get("kind")
        if kind not in ("foreword", "introduction"):
            continue
        text = clause.get("text")
        if not isinstance(text, str):
            continue
        found = _first_provision(text)
        if found is None:
            continue
        start, word = found
        context = text[max(0, start - 10) : start + 10].replace("\n", " ")
        element = ELEMENT_NAMES[kind]
        report.add(
            f"provision_in_{kind}",
            f"/clauses/{index}/text",
            f"{element}中有条款用语“{word}”（“…{context}…”）：{element}不写要求、推荐或允许，"
            f"把这句移到正文的技术章条，或改写为陈述。",
        )


def _first_provision(text: str) -> tuple[int, str] | None:
    """(position, verb) of the first provision verb (应, 宜, 可) in `text`, or None."""
    for match in _PROVISION.finditer(text):
        if match.group("modal"):
            return match.start(), match.group("modal")
    return None


# --- terms, ids and cross-references ---------------------------------------------------------------


def _check_ids_and_references(
    clause_list: list[tuple[int, dict]], term_list: list[tuple[int, dict]], report: _Report
) -> None:
    targets: set[str] = set()
    for index, clause in clause_list:
        clause_id = _text(clause.get("id"))
        if not clause_id:
            continue
        if clause_id in targets:
            report.add(
                "clause_id_duplicate",
                f"/clauses/{index}/id",
                f"标识“{clause_id}”已被前面的章条使用：换一个唯一的 id（字母、数字和连字符）。",
            )
        targets.add(clause_id)
    term_ids: set[str] = set()
    term_names: dict[str, int] = {}
    for index, term in term_list:
        term_id = _text(term.get("id"))
        if term_id:
            if term_id in term_ids:
                report.add(
                    "term_defined_twice",
                    f"/terms/{index}/id",
                    f"术语编号“{term_id}”重复：每个术语用自己的编号，同一术语只界定一次。",
                )
            elif term_id in targets:
                report.add(
                    "clause_id_duplicate",
                    f"/terms/{index}/id",
                    f"术语编号“{term_id}”与某个章条的 id 相同：交叉引用无法区分，换一个编号。",
                )
            term_ids.add(term_id)
            targets.add(term_id)
        name = _WHITESPACE.sub("", unicodedata.normalize("NFKC", _text(term.get("zh"))))
        if name:
            if name in term_names:
                report.add(
                    "term_defined_twice",
                    f"/terms/{index}/zh",
                    f"术语“{name}”已在第 {term_names[name] + 1} 条界定：删除这一条，或合并两处定义。",
                )
            else:
                term_names[name] = index
    for index, clause in clause_list:
        _check_links(clause.get("text"), f"/clauses/{index}/text", targets, report)
    for index, term in term_list:
        _check_links(term.get("definition"), f"/terms/{index}/definition", targets, report)


def _check_links(text, path: str, targets: set[str], report: _Report) -> None:
    if not isinstance(text, str) or "](" not in text:
        return
    for match in _CROSS_REFERENCE.finditer(text):
        target = match.group(1)
        if target not in targets:
            report.add(
                "cross_reference_unresolved",
                path,
                f"交叉引用“#{target}”找不到对应的章条或术语：改为现有的章条 id 或术语编号，或删除该引用。",
            )
