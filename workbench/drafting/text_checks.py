"""Checks that read the clause text against the structured parameters, the references against
the text, and the guideline's content requirements that the parameters alone cannot show. PURE.

`check` reads the clauses once (`clause_text.read_clauses`) and hands the same reading to each
check. A check first asks a clause's raw text for its hint words (plain substring tests: "声明单位",
"%", "电网" …) and reads the sentences only of the clauses that have them; a clause is normalised
and split into sentences once, when a check first needs it. Patterns are compiled at import. A
200-clause rule of real text (GB/T 44905-2024's chapters repeated) checks in about 10 ms of CPU.

Decisions worth knowing:
- The text is what gets published: a sentence that states a parameter differently from the
  parameters is an error, reported at the clause text (/clauses/<i>/text) with the clause number
  and the line in the message. Only clauses of kind scope, technical, annex_normative and
  annex_informative are read for parameters; the 前言, 引言, chapter 2 and chapter 3 (whose
  definitions may name every kind of boundary) are not.
- A sentence is read as a statement only where it is one: a sentence with a negation, a
  comparison, a condition or an extension of scope (不, 非, 未, 无需, 除, 而是, 相比, 对比, 同时,
  参照, 供参考, 另行, 部分碳足迹, 敏感性, "…时，" …) or naming both of two alternatives is never a
  contradiction of the boundary, the GWP set or the electricity method; table rows are not read
  (a table's caption is a sentence), nor are notes and examples ("注：", "注 1：", "示例：";
  informative under GB/T 1.1—2020 9.3, 9.4, where groups compare with other reports and products).
  A sentence naming products of the other end use (终端产品 in a rule for an intermediate product,
  中间产品 in one for a final product) speaks of those products, not of the rule's boundary.
- Boundary: 摇篮到坟墓 / "从原材料获取到废弃处置" and 摇篮到大门 / "从原材料获取到产品出厂" against a
  cradle-to-grave or cradle-to-gate boundary (a partial boundary may be described by comparing it
  with either). A stage list after 包括/纳入/涵盖/包含 in a sentence about the (system) boundary,
  or in brackets after the boundary's name, must list included stages only; a list before
  "阶段不纳入" or after "不纳入：" in a sentence about the boundary excluded stages only. Stages are named by their terms or the
  synonyms of STAGE_WORDS, each item exactly.
- Units: a sentence "声明单位为/功能单位为/声明单位：…/声明单位（…）" states the unit; every
  "quantity unit" up to the next comma must be one of the rule's units (declared_unit/functional_unit and
  additional_units), unit names compared as symbols (吨 = t, 千克 = kg, 千瓦时 = kWh) and sizes in
  the base unit (1 000 kg = 1 t, 1 000 Wh = 1 kWh). What brackets add after the unit is a remark
  and not read ("1 t（1 000 kg）", "1 t 水泥（含 50 kg 包装袋…）"), except in "声明单位（…）", where
  the bracket holds the unit. The kind (声明/功能) must be one the parameters have.
- Data period: a sentence about the 时间范围 (数据期, 核算期) and the parameter are read as
  features: a natural year (自然年, 日历年, 1 月 1 日至 12 月 31 日), N months, N years (N years
  also count as 12·N months). A contradiction is a sentence whose features share none with the
  parameter's. Only the comma-separated parts of a sentence that name the 时间范围 are read ("，即 …"
  belongs to the part before it), so "次级数据宜采用最近 5 年内发布的数据，并与数据时间范围一致" states
  no period. Sentences about exceptions (不足, 不满, 新建, 投产, 季节, 停产, 检修 …) are not read.
- Cut-off: in a sentence about cutting off (取舍, 忽略, 舍弃 …, or any sentence of a clause whose
  title has 取舍), a 单项 or 累计 word states the first percentage after it; a percentage with no
  such word of its own ("但含氟气体排放占比超过 0.1 % 的不应舍弃") is not a cut-off.
- GWP: the assessment report (AR4–AR6, 第四次–第六次评估报告) and the horizon (20/100/500 年,
  GWP100) named in a sentence about GWP against parameters.gwp_set.
- Primary and secondary data: "<stages>阶段应使用初级数据" and "<stages>阶段（在…时）可使用次级数据"
  must name stages of primary_data_stages and secondary_data_allowed_stages respectively.
- The producer's own processes (GB/T 24067—2024 6.3.5, after ISO 14067:2018 6.3.5: site data for
  the processes under the organisation's control): with 生产 in the boundary, primary data must
  be required for it (error); allowing secondary data for it as well is a warning (the fallback
  undoes the requirement); a unit process of the production stage marked background data is an
  error.
- The product's end use comes from the registry's product catalogue when the caller knows it:
  a rule declaring another end use is an error; suppressing it needs a recorded reason, as every
  suppression does (`service.suppress`).
- Placeholders ("无", "N/A", "-", "略", "见上" …) are empty text (`clause_text.is_placeholder`).
"""

import re
from collections.abc import Callable, Iterable

from workbench.drafting import reference_checks
from workbench.drafting.check_report import Report
from workbench.drafting.check_report import as_dict as _dict
from workbench.drafting.check_report import items as _items
from workbench.drafting.check_report import number as _number
from workbench.drafting.check_report import strings as _strings
from workbench.drafting.clause_text import (
    ClauseText,
    Sentence,
    in_base_unit,
    normalise,
    period_features,
    read_clauses,
)
from workbench.guideline.vocabulary import (
    BOUNDARIES,
    BOUNDARY_FOR_END_USE,
    END_USES,
    GRID_FACTORS,
    LIFE_CYCLE_STAGES,
)

PARAMETER_KINDS = frozenset({"scope", "technical", "annex_normative", "annex_informative"})
OWN_PROCESS_STAGE = "production"

# How clause text names the life-cycle stages: each item of a list must be one of these exactly.
STAGE_WORDS = {
    "原材料获取": "raw_material_acquisition",
    "原料获取": "raw_material_acquisition",
    "原材料开采": "raw_material_acquisition",
    "原材料": "raw_material_acquisition",
    "生产": "production",
    "产品生产": "production",
    "生产制造": "production",
    "制造": "production",
    "分销运输": "distribution",
    "分销": "distribution",
    "运输": "distribution",
    "配送": "distribution",
    "使用": "use",
    "产品使用": "use",
    "废弃处置": "end_of_life",
    "废弃": "end_of_life",
    "处置": "end_of_life",
    "回收处置": "end_of_life",
    "寿命终止": "end_of_life",
    "报废": "end_of_life",
}
# Words that name several stages at once, for justifications.
STAGE_GROUPS = {
    "上游": ("raw_material_acquisition",),
    "下游": ("distribution", "use", "end_of_life"),
    "出厂后": ("distribution", "use", "end_of_life"),
    "出厂之后": ("distribution", "use", "end_of_life"),
    "大门之后": ("distribution", "use", "end_of_life"),
    "运输": ("distribution",),
    "回收": ("end_of_life",),
}

# What makes a sentence something other than a statement of the rule's own choice: a negation, a
# comparison or alternative, a condition, an extension of scope ("可参照"), a sensitivity analysis.
_NOT_ASSERTED = re.compile(
    "不|非|未|无需|除|而是|相比|相对于|区别于|对比|比较|例如|同时|参照|供参考|另行|部分碳足迹|敏感性|时,"
)
# Of those, what qualifies the whole sentence (a condition or comparison reaches across its
# commas); a negation reaches only the comma-separated part it stands in: "边界为“摇篮到坟墓”，包括
# 原材料获取、生产阶段，不包括分销运输…" states the boundary in its first part.
_QUALIFIED = re.compile("而是|相比|相对于|区别于|对比|比较|例如|同时|参照|供参考|另行|部分碳足迹|敏感性|时,")
_NEGATION = re.compile("不|非|未|无需|除")
_PART = re.compile("[,;]")
_STAGE = "(?:" + "|".join(sorted(STAGE_WORDS, key=len, reverse=True)) + ")"
_STAGE_LIST = _STAGE + "(?:(?:、|和|及|与|以及|,)" + _STAGE + ")*"
_LIST_START = r"(?:^|(?<=[\s,;:、()“”\"']))"
_LIST_SPLIT = re.compile("、|以及|和|及|与|,")

# What a clause's raw text must hold (any of these words, either width) for a check to read its
# sentences: substring tests, far cheaper than a pattern over every clause.
_BOUNDARY_HINT = ("摇篮", "从原材料获取", "边界", "不纳入", "不包括", "不计入", "cradle", "Cradle", "CRADLE")
_UNIT_HINT = ("声明单位", "功能单位")
_PERIOD_HINT = ("时间范围", "时间边界", "数据期", "核算期", "数据收集期")
_CUT_HINT = ("%", "％")
_GWP_HINT = ("全球变暖潜势", "全球增温潜势", "GWP", "gwp", "ＧＷＰ", "评估报告", "IPCC", "ＩＰＣＣ")
_GRID_HINT = ("全国电网", "全国平均", "全国范围", "区域电网", "区域平均", "省级电网", "省级平均", "地区电网")
# (a pattern with a literal head: re finds "阶段" fast and tries the rest only there)
_DATA_STAGE_HINT = re.compile(
    "阶段(?:均?(?:应|须|必须)当?(?:使用|采用)初级数据|(?:在[^，,；;。]{0,30}?时)?[，,]?可(?:以)?(?:使用|采用)次级数据)"
)

# boundary
# The boundary's name first; a paraphrase ("从原材料获取到产品出厂") counts only where no name is
# written, so "从原材料获取到产品出厂（摇篮到坟墓）" states cradle to grave, wrongly.
_GRAVE = re.compile(r"摇篮到坟墓|cradle[- ]to[- ]grave", re.IGNORECASE)
_GATE = re.compile(r"摇篮到(?:工厂)?大门|cradle[- ]to[- ]gate", re.IGNORECASE)
_GRAVE_IN_WORDS = re.compile(r"从原材料获取到(?:产品)?废弃")
_GATE_IN_WORDS = re.compile(r"从原材料获取到产品出厂")
# Words naming products of the other end use: a sentence with them speaks of those products.
_OTHER_PRODUCTS = {"intermediate": ("终端产品", "最终产品"), "final": ("中间产品",)}
_INCLUDES = re.compile(r"(?:包括|纳入|涵盖|包含)(?:了)?:?(" + _STAGE_LIST + r")(?=阶段|$|[。;,()])")
_NAMED_LIST = re.compile(r"(?:摇篮到坟墓|摇篮到大门|部分生命周期)[\"”’]?\((" + _STAGE_LIST + r")\)")
_EXCLUDED_BEFORE = re.compile(_LIST_START + "(" + _STAGE_LIST + ")阶段(?:均)?不(?:纳入|包括|计入)")
_EXCLUDED_AFTER = re.compile(r"不(?:纳入|包括|计入):(" + _STAGE_LIST + ")")

# units
_UNIT_STATEMENT = re.compile(r"(声明单位|功能单位)(?:为|是|:|\()")
_QUANTITY = re.compile(
    r"([0-9]+(?: [0-9]{3})*(?:\.[0-9]+)?) ?"
    r"(kW·h|kW h|kWh|MWh|Wh|[A-Za-z][A-Za-z0-9²³/]*|吨|千克|公斤|克|千瓦时|兆瓦时|度|件|个|台|块|只|套|片|张|平方米|立方米|米)"
)
_STATEMENT_END = re.compile("[,;。]")
_UNIT_KINDS = {"declared_unit": "声明单位", "functional_unit": "功能单位"}  # as the text names them
_BRACKETED = re.compile(r"\([^()]*\)")

# data period
_PERIOD_CONTEXT = ("时间范围", "时间边界", "数据期", "核算期", "数据收集期")
_PERIOD_EXCEPTION = re.compile("不足|不满|未满|少于|新建|投产|季节|停产|停窑|停槽|检修")
# A part of a sentence starting with 即 ("，即 1 月 1 日至 12 月 31 日") belongs to the part before it.
_PERIOD_PART = re.compile(r"[,;](?!即)")

# cut-off
_CUT_CONTEXT = re.compile("取舍|忽略|舍去|舍弃|截断|可不计|不予计")
_CUT_TOKENS = re.compile(
    r"(?P<per>单项|单个|每项|单一|单种)|(?P<total>累计|总和|之和|合计|总计)|(?P<value>[0-9]+(?:\.[0-9]+)?) ?%"
)

# GWP
_GWP_CONTEXT = ("全球变暖潜势", "全球增温潜势", "GWP", "gwp", "评估报告", "IPCC")
_REPORT = re.compile(r"(?<![A-Za-z])AR ?([4-6])(?![0-9])|第([四五六])次评估报告")
_HORIZON = re.compile(r"GWP ?(20|100|500)(?![0-9])|(?<![0-9])(20|100|500) ?年")
_GWP_SET = re.compile(r"AR([0-9])-GWP([0-9]+)")
_REPORT_NUMBERS = {"四": "4", "五": "5", "六": "6"}

# electricity
_NATIONAL_GRID = re.compile("全国电网|全国平均|全国范围")
_REGIONAL_GRID = re.compile("区域电网|区域平均|省级电网|省级平均|地区电网")

# primary and secondary data stages
_PRIMARY_STATEMENT = re.compile(
    _LIST_START + "(" + _STAGE_LIST + ")阶段(?:均)?(?:应|须|必须)(?:当)?(?:使用|采用)初级数据"
)
_SECONDARY_STATEMENT = re.compile(
    _LIST_START + "(" + _STAGE_LIST + r")阶段(?:在[^,;。]{0,30}?时)?,?(?:可|可以)(?:使用|采用)次级数据"
)


def check(
    document: dict,
    report: Report,
    *,
    reference_title: Callable[[str], str | None] | None = None,
    catalogue_end_use: str | None = None,
) -> None:
    """Adds the text findings on `document` to `report`."""
    doc = document if isinstance(document, dict) else {}
    params = _dict(doc.get("parameters"))
    clauses = read_clauses(doc)
    _check_end_use(doc, report, catalogue_end_use)
    _check_own_processes(params, report)
    reference_checks.check(doc, clauses, report, reference_title=reference_title)
    read = [clause for clause in clauses if clause.kind in PARAMETER_KINDS]
    _check_boundary_text(params, _dict(doc.get("product")).get("end_use"), read, report)
    _check_unit_text(params, read, report)
    _check_period_text(params, read, report)
    _check_cut_off_text(params, read, report)
    _check_gwp_text(params, read, report)
    _check_electricity_text(params, read, report)
    _check_data_stage_text(params, read, report)


def mentions_stages(text: str) -> set[str]:
    """The stages a free text names anywhere, by term, synonym or a word for several."""
    tidy = normalise(text)
    found = {stage for word, stage in STAGE_WORDS.items() if word in tidy}
    for word, stages in STAGE_GROUPS.items():
        if word in tidy:
            found.update(stages)
    return found


def _stage_list(text: str) -> list[str]:
    return [STAGE_WORDS[item] for item in _LIST_SPLIT.split(text) if item in STAGE_WORDS]


def _statements(
    clauses: Iterable[ClauseText], hint: tuple[str, ...] | re.Pattern
) -> Iterable[tuple[ClauseText, Sentence]]:
    """The sentences (not table rows, notes or examples) of the clauses whose raw text has one of
    the `hint` words."""
    for clause in clauses:
        if clause.mentions(hint):
            for sentence in clause.sentences:
                if not sentence.table and not sentence.note:
                    yield clause, sentence


def _asserted(sentence: Sentence) -> bool:
    """Whether a sentence asserts what it says: no negation, no comparison."""
    return _NOT_ASSERTED.search(sentence.text) is None


def _asserted_parts(sentence: Sentence) -> list[str]:
    """The comma-separated parts of a sentence that assert what they say: none when a condition
    or comparison qualifies the sentence, otherwise the parts without a negation."""
    if _QUALIFIED.search(sentence.text):
        return []
    return [part for part in _PART.split(sentence.text) if not _NEGATION.search(part)]


# --- the guideline: end use and the producer's own processes ------------------------------------------


def _check_end_use(doc: dict, report: Report, catalogue_end_use: str | None) -> None:
    declared = _dict(doc.get("product")).get("end_use")
    if catalogue_end_use not in END_USES or declared not in END_USES or declared == catalogue_end_use:
        return
    report.add(
        "product_end_use_catalogue",
        "/product/end_use",
        catalogue_end_use,
        declared=END_USES.term(declared),
        boundary=BOUNDARIES.term(BOUNDARY_FOR_END_USE[catalogue_end_use]),
    )


def _check_own_processes(params: dict, report: Report) -> None:
    boundary = _dict(params.get("system_boundary"))
    included = {stage for _, stage in _strings(boundary.get("stages_included"))}
    primary = {stage for _, stage in _strings(params.get("primary_data_stages"))}
    stage_term = LIFE_CYCLE_STAGES.term(OWN_PROCESS_STAGE)
    if OWN_PROCESS_STAGE in included and primary:  # no primary stage at all: primary_stages_missing
        if OWN_PROCESS_STAGE not in primary:
            report.add("primary_data_own_processes", "/parameters/primary_data_stages", stage=stage_term)
        else:
            for index, stage in _strings(params.get("secondary_data_allowed_stages")):
                if stage == OWN_PROCESS_STAGE:
                    report.add(
                        "secondary_data_own_processes",
                        f"/parameters/secondary_data_allowed_stages/{index}",
                        stage=stage_term,
                    )
    for index, process in _items(params.get("unit_processes")):
        if process.get("stage") == OWN_PROCESS_STAGE and process.get("data_source") == "background":
            name = process.get("name") if isinstance(process.get("name"), str) else ""
            report.add(
                "primary_data_own_processes",
                f"/parameters/unit_processes/{index}/data_source",
                "unit_process",
                process=name or str(process.get("id", index + 1)),
                stage=stage_term,
            )


# --- text against parameters ------------------------------------------------------------------------


def _check_boundary_text(params: dict, end_use, clauses: list[ClauseText], report: Report) -> None:
    boundary = _dict(params.get("system_boundary"))
    kind = boundary.get("type")
    stages = boundary.get("stages_included")
    included = {stage for _, stage in _strings(stages)} if isinstance(stages, list) else None
    other_products = _OTHER_PRODUCTS.get(end_use, ()) if isinstance(end_use, str) else ()
    for clause, sentence in _statements(clauses, _BOUNDARY_HINT):
        if any(word in sentence.text for word in other_products):
            continue  # "终端产品采用摇篮到坟墓" in a rule for an intermediate product: about others
        said = _boundary_said(sentence) if kind in ("cradle_to_gate", "cradle_to_grave") else None
        if said is not None and said != kind:
            report.add(
                "text_boundary_mismatch",
                clause.path,
                clause=clause.name,
                line=sentence.line,
                said=BOUNDARIES.term(said),
                boundary=BOUNDARIES.term(kind),
            )
        elif included is not None:
            _check_stages_said(clause, sentence, included, report)


def _boundary_said(sentence: Sentence) -> str | None:
    """The boundary type a sentence states, if it states exactly one."""
    text = sentence.text
    if "摇篮" not in text and "从原材料获取" not in text and "radle" not in text:
        return None
    parts = _asserted_parts(sentence)
    for grave_pattern, gate_pattern in ((_GRAVE, _GATE), (_GRAVE_IN_WORDS, _GATE_IN_WORDS)):
        grave = any(grave_pattern.search(part) for part in parts)
        gate = any(gate_pattern.search(part) for part in parts)
        if grave != gate:
            return "cradle_to_grave" if grave else "cradle_to_gate"
        if grave:  # both named: a comparison, not a statement
            return None
    return None


def _check_stages_said(clause: ClauseText, sentence: Sentence, included: set[str], report: Report) -> None:
    text = sentence.text
    said_included: list[str] = []
    if "边界" in text and any(verb in text for verb in ("包括", "纳入", "涵盖", "包含")):
        for part in _asserted_parts(sentence):
            for match in _INCLUDES.finditer(part):
                said_included += _stage_list(match.group(1))
    if "(" in text and ("摇篮" in text or "部分生命周期" in text):
        for match in _NAMED_LIST.finditer(text):
            said_included += _stage_list(match.group(1))
    outside = [stage for stage in dict.fromkeys(said_included) if stage not in included]
    if outside:
        report.add(
            "text_boundary_mismatch",
            clause.path,
            "included",
            clause=clause.name,
            line=sentence.line,
            stages=LIFE_CYCLE_STAGES.terms(outside),
        )
    if "不" not in text or "边界" not in text:
        return
    said_excluded: list[str] = []
    for pattern in (_EXCLUDED_BEFORE, _EXCLUDED_AFTER):
        for match in pattern.finditer(text):
            said_excluded += _stage_list(match.group(1))
    inside = [stage for stage in dict.fromkeys(said_excluded) if stage in included]
    if inside:
        report.add(
            "text_boundary_mismatch",
            clause.path,
            "excluded",
            clause=clause.name,
            line=sentence.line,
            stages=LIFE_CYCLE_STAGES.terms(inside),
        )


def _check_unit_text(params: dict, clauses: list[ClauseText], report: Report) -> None:
    units: dict[str, set[tuple[float, str]]] = {}
    written: dict[str, list[str]] = {}
    for key in ("declared_unit", "functional_unit"):
        unit = params.get(key)
        if isinstance(unit, dict):
            _add_unit(units, written, key, unit)
    for _, unit in _items(params.get("additional_units")):
        if unit.get("kind") in ("declared_unit", "functional_unit"):
            _add_unit(units, written, unit["kind"], unit)
    if not units:
        return
    for clause, sentence in _statements(clauses, _UNIT_HINT):
        for match in _UNIT_STATEMENT.finditer(sentence.text):
            key = "declared_unit" if match.group(1) == "声明单位" else "functional_unit"
            if key not in units:
                report.add(
                    "text_unit_mismatch",
                    clause.path,
                    "kind",
                    clause=clause.name,
                    line=sentence.line,
                    said=match.group(1),
                    expected=_UNIT_KINDS[next(iter(units))],  # the one kind the parameters have
                )
                continue
            rest = sentence.text[match.end() :]
            # "声明单位（1 t 重熔用铝锭或 1 t 铝液）" holds the unit in its bracket; elsewhere what brackets
            # add is a remark: "1 t（1 000 kg）", "1 t 水泥（含 50 kg 包装袋…）"
            rest = rest.split(")", 1)[0] if match.group(0).endswith("(") else _BRACKETED.sub("", rest)
            end = _STATEMENT_END.search(rest)
            for quantity in _QUANTITY.finditer(rest[: end.start()] if end else rest):
                if in_base_unit(float(quantity.group(1).replace(" ", "")), quantity.group(2)) not in units[key]:
                    report.add(
                        "text_unit_mismatch",
                        clause.path,
                        clause=clause.name,
                        line=sentence.line,
                        said=quantity.group(0),
                        expected="、".join(written[key]),
                    )
                    break


def _add_unit(units: dict, written: dict, key: str, unit: dict) -> None:
    quantity, symbol = _number(unit.get("quantity")), unit.get("unit")
    if quantity is None or not isinstance(symbol, str) or not symbol.strip():
        return
    units.setdefault(key, set()).add(in_base_unit(quantity, symbol))
    # as the parameters describe it ("1 t 铝液"), so that two units of one size can be told apart
    description = unit.get("description")
    shown = f"{quantity:g} {symbol.strip()}"
    if isinstance(description, str) and description.strip().startswith(shown):
        shown = description.strip()
    written.setdefault(key, []).append(shown)


def _check_period_text(params: dict, clauses: list[ClauseText], report: Report) -> None:
    period = params.get("data_period")
    expected = period_features(normalise(period)) if isinstance(period, str) else set()
    if not expected:
        return
    for clause, sentence in _statements(clauses, _PERIOD_HINT):
        text = sentence.text
        if not any(word in text for word in _PERIOD_CONTEXT) or _PERIOD_EXCEPTION.search(text):
            continue
        # what the parts about the 时间范围 say: "次级数据宜采用最近5年内发布的数据，并与数据时间范围
        # 一致" states no data period
        said = set()
        for part in _PERIOD_PART.split(text):
            if any(word in part for word in _PERIOD_CONTEXT):
                said |= period_features(part)
        if said and said.isdisjoint(expected):
            report.add(
                "text_data_period_mismatch",
                clause.path,
                clause=clause.name,
                line=sentence.line,
                said=text,
                period=period.strip(),  # as the group wrote it
            )


def _check_cut_off_text(params: dict, clauses: list[ClauseText], report: Report) -> None:
    cut_off = _dict(params.get("cut_off"))
    expected = {"per_item": _number(cut_off.get("per_item_percent")), "total": _number(cut_off.get("total_percent"))}
    if expected["per_item"] is None and expected["total"] is None:
        return
    for clause, sentence in _statements(clauses, _CUT_HINT):
        text = sentence.text
        if "%" not in text or not (_CUT_CONTEXT.search(text) or "取舍" in clause.title):
            continue
        kind = None
        for token in _CUT_TOKENS.finditer(text):
            if token.group("per"):
                kind = "per_item"
            elif token.group("total"):
                kind = "total"
            elif kind is not None:
                claimed, kind = kind, None  # a 单项 or 累计 word states one percentage, the next one
                if expected[claimed] is None:
                    continue
                value = float(token.group("value"))
                if abs(value - expected[claimed]) > 1e-9:
                    report.add(
                        "text_cut_off_mismatch",
                        clause.path,
                        "" if claimed == "per_item" else "total",
                        clause=clause.name,
                        line=sentence.line,
                        said=f"{value:g}",
                        expected=f"{expected[claimed]:g}",
                    )


def _check_gwp_text(params: dict, clauses: list[ClauseText], report: Report) -> None:
    gwp_set = params.get("gwp_set")
    parsed = _GWP_SET.search(gwp_set) if isinstance(gwp_set, str) else None
    if parsed is None:
        return
    report_number, horizon = parsed.group(1), parsed.group(2)
    for clause, sentence in _statements(clauses, _GWP_HINT):
        text = sentence.text
        if not any(word in text for word in _GWP_CONTEXT) or not _asserted(sentence):
            continue
        reports = {match.group(1) or _REPORT_NUMBERS[match.group(2)] for match in _REPORT.finditer(text)}
        horizons = {match.group(1) or match.group(2) for match in _HORIZON.finditer(text)}
        wrong_report = reports and report_number not in reports
        wrong_horizon = horizons and horizon not in horizons
        if wrong_report or wrong_horizon:
            report.add(
                "text_gwp_mismatch",
                clause.path,
                clause=clause.name,
                line=sentence.line,
                said=text,
                gwp_set=gwp_set,
            )


def _check_electricity_text(params: dict, clauses: list[ClauseText], report: Report) -> None:
    grid = _dict(params.get("electricity")).get("grid_factor")
    if grid not in ("national_average", "regional_average"):
        return
    for clause, sentence in _statements(clauses, _GRID_HINT):
        national, regional = _NATIONAL_GRID.search(sentence.text), _REGIONAL_GRID.search(sentence.text)
        if bool(national) == bool(regional) or not _asserted(sentence):
            continue
        said = "national_average" if national else "regional_average"
        if said != grid:
            report.add(
                "text_electricity_mismatch",
                clause.path,
                clause=clause.name,
                line=sentence.line,
                said=GRID_FACTORS.term(said),
                grid_factor=GRID_FACTORS.term(grid),
            )


def _check_data_stage_text(params: dict, clauses: list[ClauseText], report: Report) -> None:
    expected = {
        "": (_PRIMARY_STATEMENT, params.get("primary_data_stages")),
        "secondary": (_SECONDARY_STATEMENT, params.get("secondary_data_allowed_stages")),
    }
    for variant, (pattern, stages) in expected.items():
        if not isinstance(stages, list):
            continue
        allowed = {stage for _, stage in _strings(stages)}
        for clause, sentence in _statements(clauses, _DATA_STAGE_HINT):
            for match in pattern.finditer(sentence.text):
                said = [stage for stage in dict.fromkeys(_stage_list(match.group(1))) if stage not in allowed]
                if said:
                    report.add(
                        "text_data_stages_mismatch",
                        clause.path,
                        variant,
                        clause=clause.name,
                        line=sentence.line,
                        stages=LIFE_CYCLE_STAGES.terms(said),
                        expected=LIFE_CYCLE_STAGES.terms([stage for stage in LIFE_CYCLE_STAGES if stage in allowed]),
                    )
