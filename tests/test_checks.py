"""Conformance checks (workbench.drafting.checks) and `workbench check` (workbench.drafting.cli).

Each requirement is tested both ways: the conformant rule built here gives no finding, and a rule
that breaks exactly one requirement gives exactly that one finding.
"""

import copy
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.drafting import checks
from workbench.guideline import CATALOGUE as GUIDELINE
from workbench.guideline import Finding, Severity
from workbench.guideline.findings import counts

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "rule_templates" / "cfp-product-rule" / "1.0"
CATALOGUE = json.loads((TEMPLATE_DIR / "checks.json").read_text(encoding="utf-8"))  # the codes 1.0 checks
EXAMPLES = sorted((TEMPLATE_DIR / "examples").glob("*.json"))

ALL_STAGES = ["raw_material_acquisition", "production", "distribution", "use", "end_of_life"]


def conformant(end_use: str = "final") -> dict:
    """A rule that passes every check (and the template's schema). "final": a lithium-ion battery,
    cradle-to-grave; "intermediate": primary aluminium, cradle-to-gate."""
    final = end_use == "final"
    product = "锂离子电池" if final else "电解铝"
    product_en = "lithium-ion batteries" if final else "primary aluminium"
    if final:
        unit = {"functional_unit": {"description": "电池在全生命周期内提供 1 kWh 的电能", "quantity": 1, "unit": "kWh"}}
        boundary = {
            "type": "cradle_to_grave",
            "stages_included": list(ALL_STAGES),
            "stages_excluded": [],
            "justification": "",
        }
        secondary = ["raw_material_acquisition", "distribution", "use", "end_of_life"]
    else:
        unit = {"declared_unit": {"description": "1 t 电解铝", "quantity": 1, "unit": "t"}}
        boundary = {
            "type": "cradle_to_gate",
            "stages_included": ["raw_material_acquisition", "production"],
            "stages_excluded": ["distribution", "use", "end_of_life"],
            "justification": "电解铝为非终端消费产品，采用摇篮到大门的边界。",
        }
        secondary = ["raw_material_acquisition"]
    return {
        "template": "cfp-product-rule@1.0",
        "title": f"温室气体 产品碳足迹量化方法与要求 {product}",
        "title_en": f"Greenhouse gases—Carbon footprint of products—Quantification methods and requirements for {product_en}",
        "product": {"name": product, "classification_code": "3841", "end_use": end_use},
        "parameters": {
            **unit,
            "reference_flow": "提供一个功能单位所需的产品数量",
            "system_boundary": boundary,
            "cut_off": {"per_item_percent": 1, "total_percent": 5},
            "data_period": "最近连续 12 个月",
            "primary_data_stages": ["production"],
            "secondary_data_allowed_stages": secondary,
            "secondary_data_priority": ["statistical", "literature", "estimated"],
            "activity_data_categories": [
                "raw_materials",
                "energy",
                "transport",
                "waste_treatment",
                "process_emissions",
            ],
            "electricity": {
                "grid_factor": "regional_average",
                "contractual_instruments_allowed": True,
                "instruments": ["green_certificate", "green_power_trading"],
                "conditions": "凭证须与核算期内的实际用电量对应，且未被重复声明。",
            },
            "factor_priority": ["measured_verified", "government", "industry", "literature"],
            "allocation": {"method": "physical", "justification": "按产品质量分配"},
            "gwp_set": "IPCC-AR6-GWP100",
            "data_quality_method": "按 GB/T 24067—2024 的数据质量要求，采用谱系矩阵评价",
            "uncertainty_method": "蒙特卡洛模拟（10 000 次）",
            "report_format": "附录B 给出的报告格式",
        },
        "normative_references": [
            {"number": "GB/T 24067—2024", "title": "温室气体 产品碳足迹 量化要求和指南"},
            {"number": "GB/T 24040—2008", "title": "环境管理 生命周期评价 原则与框架"},
            {"number": "GB/T 24044—2008", "title": "环境管理 生命周期评价 要求与指南"},
            {"number": "ISO 14067:2018", "title": "Greenhouse gases — Carbon footprint of products"},
        ],
        "terms": [
            {
                "id": "3.1",
                "zh": "产品碳足迹",
                "en": "carbon footprint of a product; CFP",
                "definition": "产品系统中温室气体排放量和清除量之和。",
            },
            {
                "id": "3.2",
                "zh": "功能单位",
                "en": "functional unit",
                "definition": "[产品碳足迹](#3.1)量化中用作基准单位的量化的产品系统性能。",
            },
            {
                "id": "3.3",
                "zh": "初级数据",
                "en": "primary data",
                "definition": "通过直接测量得到的过程或活动的量化值。",
            },
        ],
        "clauses": [
            {
                "id": "foreword",
                "kind": "foreword",
                "number": "",
                "title": "前言",
                "text": (
                    "本文件按照 GB/T 1.1—2020《标准化工作导则 第1部分：标准化文件的结构和起草规则》的规定起草。\n\n"
                    "请注意本文件的某些内容可能涉及专利。本文件的发布机构不承担识别专利的责任。\n\n"
                    "本文件由中华人民共和国生态环境部应对气候变化司提出。\n\n"
                    "本文件由全国碳排放管理标准化技术委员会（SAC/TC548）归口。\n\n"
                    "本文件起草单位：中国标准化研究院、宜宾市锂电产业研究院、中国合格评定国家认可委员会。\n\n"
                    "本文件主要起草人：张可、李宜、王应。"
                ),
            },
            {
                "id": "introduction",
                "kind": "introduction",
                "number": "",
                "title": "引言",
                "text": (
                    "为应对气候变化、推动供应链绿色低碳转型，本文件统一了产品碳足迹的量化方法，"
                    "以提高核算结果的可比性、可靠性和可追溯性，并与 GB/T 24067—2024 的相应条款对应。"
                ),
            },
            {
                "id": "scope",
                "kind": "scope",
                "number": "1",
                "title": "范围",
                "text": "本文件规定了产品碳足迹量化的要求。",
            },
            {
                "id": "normative-references",
                "kind": "normative_references",
                "number": "2",
                "title": "规范性引用文件",
                "text": (
                    "下列文件中的内容通过文中的规范性引用而构成本文件必不可少的条款。\n\n"
                    "GB/T 24067—2024　温室气体 产品碳足迹 量化要求和指南\n\n"
                    "GB/T 24040—2008　环境管理 生命周期评价 原则与框架\n\n"
                    "GB/T 24044—2008　环境管理 生命周期评价 要求与指南\n\n"
                    "ISO 14067:2018　Greenhouse gases — Carbon footprint of products"
                ),
            },
            {
                "id": "terms",
                "kind": "terms",
                "number": "3",
                "title": "术语和定义",
                "text": "GB/T 24067—2024 界定的以及下列术语和定义适用于本文件。",
            },
            {
                "id": "system-boundary",
                "kind": "technical",
                "number": "4",
                "title": "系统边界",
                "text": "系统边界应包括全部生命周期阶段，数据收集见 [5](#data-collection)，术语见 [3.1](#3.1)。",
            },
            {
                "id": "data-collection",
                "kind": "technical",
                "number": "5",
                "title": "数据收集",
                "text": (
                    "应按 [4](#system-boundary) 确定的边界收集数据，宜优先使用初级数据，可使用次级数据。\n\n"
                    "数据应按附录A 收集，报告格式见附录B，全球变暖潜势值见附录C。\n\n"
                    "生命周期评价的方法应符合 GB/T 24040—2008、GB/T 24044—2008 和 ISO 14067:2018 的规定。"
                ),
            },
            {
                "id": "annex-a",
                "kind": "annex_normative",
                "number": "附录A",
                "title": "数据收集表",
                "text": "表 A.1 给出数据收集表。\n\n表 A.1　数据收集表\n\n| 序号 | 名称 | 数量 |\n|---|---|---|\n| 1 |  |  |",
            },
            {
                "id": "annex-b",
                "kind": "annex_informative",
                "number": "附录B",
                "title": "报告格式",
                "text": "报告格式见表 B.1。\n\n表 B.1　报告格式\n\n| 项目 | 内容 |\n|---|---|\n| 产品 |  |",
            },
            {
                "id": "annex-c",
                "kind": "annex_informative",
                "number": "附录C",
                "title": "全球变暖潜势值",
                "text": "全球变暖潜势值按所采用的 GWP 数据集取值。",
            },
        ],
    }


def run(document, **options) -> list[Finding]:
    return checks.check(document, enabled=CATALOGUE, **options)


def summary(findings) -> list[tuple[str, str, str, str]]:
    return [(finding.code, finding.severity, finding.article, finding.path) for finding in findings]


def _walk(document, pointer: str):
    *parents, last = pointer.strip("/").split("/")
    target = document
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    return target, int(last) if isinstance(target, list) else last


def put(document, pointer, value):
    target, last = _walk(document, pointer)
    target[last] = value


def drop(document, pointer):
    target, last = _walk(document, pointer)
    del target[last]


def insert(document, pointer, value):
    target, last = _walk(document, pointer)
    target.insert(last, value)


def edit(end_use, *changes):
    document = conformant(end_use)
    for change in changes:
        change(document)
    return document


def move_clause(source: int, destination: int):
    def change(document):
        clause = document["clauses"].pop(source)
        document["clauses"].insert(destination, clause)

    return change


def set_(pointer, value):
    return lambda document: put(document, pointer, value)


def del_(pointer):
    return lambda document: drop(document, pointer)


def append_text(pointer, text):
    def change(document):
        target, last = _walk(document, pointer)
        target[last] += text

    return change


BOUNDARY = "/parameters/system_boundary"
GATE_FOR_FINAL = (
    set_(f"{BOUNDARY}/type", "cradle_to_gate"),
    set_(f"{BOUNDARY}/stages_included", ["raw_material_acquisition", "production"]),
    set_(f"{BOUNDARY}/stages_excluded", ["distribution", "use", "end_of_life"]),
    set_("/parameters/secondary_data_allowed_stages", ["raw_material_acquisition"]),
)
GRAVE_FOR_INTERMEDIATE = (
    set_(f"{BOUNDARY}/type", "cradle_to_grave"),
    set_(f"{BOUNDARY}/stages_included", list(ALL_STAGES)),
    set_(f"{BOUNDARY}/stages_excluded", []),
    set_(
        "/parameters/secondary_data_allowed_stages", ["raw_material_acquisition", "distribution", "use", "end_of_life"]
    ),
)


# --- the catalogue -----------------------------------------------------------------------------


def test_template_1_0_checks_exactly_the_rule_codes_of_the_guideline_catalogue():
    assert len(CATALOGUE) == len(set(CATALOGUE))
    assert set(CATALOGUE) <= set(checks.CODES)  # 1.0 keeps the checks it was published with
    assert all(code in GUIDELINE for code in CATALOGUE)


# --- the conformant rule ---------------------------------------------------------------------------


@pytest.mark.parametrize("end_use", ["final", "intermediate"])
def test_conformant_rule_has_no_findings(end_use):
    assert run(conformant(end_use)) == []


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param((), id="as built"),
        pytest.param(
            (set_("/parameters/secondary_data_priority", ["statistical", "estimated"]),), id="priority subset"
        ),
        pytest.param((set_("/parameters/secondary_data_priority", []),), id="no secondary priority"),
        pytest.param((del_("/parameters/secondary_data_priority"),), id="secondary priority absent"),
        pytest.param((set_("/parameters/factor_priority", ["measured_verified", "literature"]),), id="factor subset"),
        pytest.param(
            (
                set_("/parameters/electricity/contractual_instruments_allowed", False),
                set_("/parameters/electricity/instruments", []),
                set_("/parameters/electricity/conditions", ""),
            ),
            id="no contractual instruments",
        ),
        pytest.param((set_("/parameters/cut_off/per_item_percent", 5),), id="per item equals total"),
        pytest.param(
            (set_("/parameters/cut_off/total_percent", 0.5), set_("/parameters/cut_off/per_item_percent", 0.5)),
            id="small cut-off",
        ),
        pytest.param(
            (
                *GATE_FOR_FINAL,
                set_(f"{BOUNDARY}/type", "partial"),
                set_(f"{BOUNDARY}/justification", "分销运输、使用和废弃处置阶段的数据目前无法获取。"),
            ),
            id="partial with justification",
        ),
        pytest.param(
            (set_("/title", "温室气体　产品碳足迹量化方法与要求　锂离子电池"),), id="title with full-width spaces"
        ),
        # GB/T 1.1—2020 9.5.4.2 allows undated references; the text here cites no part of them
        pytest.param((set_("/normative_references/1/number", "GB/T 24040"),), id="undated reference"),
        pytest.param((set_("/normative_references/3/number", "ISO 14067"),), id="undated international"),
        pytest.param((move_clause(8, 7),), id="informative annex before normative"),
        pytest.param((del_("/clauses/1"),), id="no introduction"),
        pytest.param((set_("/normative_references/3/number", "ISO 14064-1:2018"),), id="international part"),
        pytest.param((set_("/normative_references/0/number", "GB/T 24067-2024"),), id="hyphen before year"),
        pytest.param((set_("/normative_references/0/number", "GB/T 24067——2024"),), id="double dash"),
        pytest.param((set_("/terms/1/definition", "见[3.1]( #3.1 )。"),), id="spaced link"),
    ],
)
def test_variants_that_still_conform(changes):
    assert run(edit("final", *changes)) == []


# --- one requirement broken, one finding -------------------------------------------------------------

CASES = [
    # title (指引（二）)
    (
        "final",
        [set_("/title", "温室气体 产品碳足迹量化方法与要求 电池")],
        ("title_pattern", "error", "指引（二）", "/title"),
    ),
    (
        "final",
        [set_("/title", "温室气体 产品碳足迹量化方法与要求锂离子电池")],
        ("title_pattern", "error", "指引（二）", "/title"),
    ),
    ("final", [set_("/title", "锂离子电池产品碳足迹核算技术规范")], ("title_pattern", "error", "指引（二）", "/title")),
    ("final", [set_("/title_en", " ")], ("title_en_missing", "error", "GB/T 1.1—2020 8.1", "/title_en")),
    ("final", [del_("/title_en")], ("title_en_missing", "error", "GB/T 1.1—2020 8.1", "/title_en")),
    # normative references
    (
        "final",
        [del_("/normative_references/0")],
        ("reference_gbt24067_missing", "error", "指引（二）", "/normative_references"),
    ),
    (
        "final",
        [set_("/normative_references/0/number", "GB/T 24067")],
        ("reference_gbt24067_undated", "error", "指引（二）", "/normative_references/0/number"),
    ),
    (
        "final",
        [set_("/normative_references/0/number", "GB/T 24067—")],
        ("reference_gbt24067_undated", "error", "指引（二）", "/normative_references/0/number"),
    ),
    (
        "final",
        [set_("/normative_references/0/number", "GB/T 24067-2015")],
        ("reference_gbt24067_edition", "error", "指引（二）", "/normative_references/0/number"),
    ),
    (  # undated, and the text cites a clause of it: only a dated edition has that clause
        "final",
        [
            set_("/normative_references/1/number", "GB/T 24040"),
            append_text("/clauses/5/text", "\n\n生命周期阶段的划分应符合 GB/T 24040 的 5.2。"),
        ],
        ("reference_undated", "error", "GB/T 1.1—2020 9.5", "/normative_references/1/number"),
    ),
    (
        "final",
        [set_("/normative_references/1/number", "GBT 24040-2008")],
        ("reference_invalid_number", "error", "GB/T 1.1—2020 8.6", "/normative_references/1/number"),
    ),
    (
        "final",
        [set_("/normative_references/1/number", "GB/T 24040-08")],
        ("reference_invalid_number", "error", "GB/T 1.1—2020 8.6", "/normative_references/1/number"),
    ),
    (
        "final",
        [set_("/normative_references/1/number", "")],
        ("reference_invalid_number", "error", "GB/T 1.1—2020 8.6", "/normative_references/1/number"),
    ),
    (
        "final",
        [set_("/normative_references/3/number", "ISO 14067 2018")],
        ("reference_invalid_number", "error", "GB/T 1.1—2020 8.6", "/normative_references/3/number"),
    ),
    (
        "final",
        [set_("/normative_references/2/number", "GB/T 24040-2008")],
        ("reference_duplicate", "warning", "GB/T 1.1—2020 8.6", "/normative_references/2/number"),
    ),
    # boundary (指引（三）)
    ("final", [*GATE_FOR_FINAL], ("boundary_end_use_mismatch", "error", "指引（三）", f"{BOUNDARY}/type")),
    (
        "final",
        [*GATE_FOR_FINAL, set_(f"{BOUNDARY}/justification", "下游数据难以获取。")],
        ("boundary_end_use_mismatch", "error", "指引（三）", f"{BOUNDARY}/type"),
    ),
    (
        "intermediate",
        [*GRAVE_FOR_INTERMEDIATE],
        ("boundary_end_use_mismatch", "error", "指引（三）", f"{BOUNDARY}/type"),
    ),
    (
        "final",
        [set_(f"{BOUNDARY}/type", "partial")],
        ("boundary_partial_without_justification", "error", "指引（三）", f"{BOUNDARY}/justification"),
    ),
    (
        "intermediate",
        [set_(f"{BOUNDARY}/type", "partial"), set_(f"{BOUNDARY}/justification", "  ")],
        ("boundary_partial_without_justification", "error", "指引（三）", f"{BOUNDARY}/justification"),
    ),
    (
        "final",
        [
            set_(
                f"{BOUNDARY}/stages_included", ["raw_material_acquisition", "production", "distribution", "end_of_life"]
            ),
            set_(f"{BOUNDARY}/stages_excluded", ["use"]),
            set_(
                "/parameters/secondary_data_allowed_stages", ["raw_material_acquisition", "distribution", "end_of_life"]
            ),
        ],
        ("boundary_stages_inconsistent", "error", "指引（三）", f"{BOUNDARY}/stages_included"),
    ),
    (
        "intermediate",
        [
            set_(f"{BOUNDARY}/stages_included", ["raw_material_acquisition", "production", "use"]),
            set_(f"{BOUNDARY}/stages_excluded", ["distribution", "end_of_life"]),
            set_("/parameters/secondary_data_allowed_stages", ["raw_material_acquisition", "use"]),
        ],
        ("boundary_stages_inconsistent", "error", "指引（三）", f"{BOUNDARY}/stages_included/2"),
    ),
    (
        "intermediate",
        [set_(f"{BOUNDARY}/stages_included", ["production"]), set_("/parameters/secondary_data_allowed_stages", [])],
        ("boundary_stages_inconsistent", "error", "指引（三）", f"{BOUNDARY}/stages_included"),
    ),
    (
        "final",
        [set_(f"{BOUNDARY}/stages_excluded", ["use"])],
        ("boundary_stages_inconsistent", "error", "指引（三）", f"{BOUNDARY}/stages_excluded/0"),
    ),
    (
        "intermediate",
        [set_(f"{BOUNDARY}/type", "partial"), set_(f"{BOUNDARY}/stages_included", [])],
        ("boundary_stages_inconsistent", "error", "指引（三）", f"{BOUNDARY}/stages_included"),
    ),
    # data (指引（四）)
    (
        "final",
        [set_("/parameters/primary_data_stages", [])],
        ("primary_stages_missing", "error", "指引（四）", "/parameters/primary_data_stages"),
    ),
    (
        "final",
        [del_("/parameters/primary_data_stages")],
        ("primary_stages_missing", "error", "指引（四）", "/parameters/primary_data_stages"),
    ),
    (
        "intermediate",
        [set_("/parameters/primary_data_stages", ["production", "use"])],
        ("primary_stage_outside_boundary", "error", "指引（四）", "/parameters/primary_data_stages/1"),
    ),
    (
        "intermediate",
        [set_("/parameters/secondary_data_allowed_stages", ["raw_material_acquisition", "end_of_life"])],
        ("secondary_stage_outside_boundary", "warning", "指引（四）", "/parameters/secondary_data_allowed_stages/1"),
    ),
    (
        "final",
        [
            set_(
                "/parameters/secondary_data_allowed_stages", ["raw_material_acquisition", "distribution", "end_of_life"]
            )
        ],
        ("data_stage_unassigned", "warning", "指引（四）", "/parameters/secondary_data_allowed_stages"),
    ),
    (
        "final",
        [set_("/parameters/secondary_data_priority", ["literature", "statistical", "estimated"])],
        ("secondary_priority_order", "error", "指引（四）", "/parameters/secondary_data_priority"),
    ),
    (
        "final",
        [set_("/parameters/secondary_data_priority", ["estimated", "statistical"])],
        ("secondary_priority_order", "error", "指引（四）", "/parameters/secondary_data_priority"),
    ),
    (
        "final",
        [set_("/parameters/secondary_data_priority", ["statistical", "statistical"])],
        ("secondary_priority_order", "error", "指引（四）", "/parameters/secondary_data_priority"),
    ),
    (
        "final",
        [set_("/parameters/activity_data_categories", ["raw_materials", "energy", "waste_treatment"])],
        ("activity_categories_incomplete", "error", "指引（四）", "/parameters/activity_data_categories"),
    ),
    (
        "final",
        [del_("/parameters/activity_data_categories")],
        ("activity_categories_incomplete", "error", "指引（四）", "/parameters/activity_data_categories"),
    ),
    (
        "final",
        [del_("/parameters/electricity")],
        ("electricity_method_missing", "error", "指引（四）", "/parameters/electricity"),
    ),
    (
        "final",
        [set_("/parameters/electricity/grid_factor", "")],
        ("electricity_method_missing", "error", "指引（四）", "/parameters/electricity/grid_factor"),
    ),
    (
        "final",
        [set_("/parameters/electricity/instruments", [])],
        ("electricity_method_missing", "error", "指引（四）", "/parameters/electricity/instruments"),
    ),
    (
        "final",
        [set_("/parameters/electricity/conditions", "")],
        ("electricity_method_missing", "error", "指引（四）", "/parameters/electricity/conditions"),
    ),
    (
        "final",
        [set_("/parameters/data_quality_method", "")],
        ("data_quality_method_missing", "error", "指引（四）", "/parameters/data_quality_method"),
    ),
    # factors and methods (指引（五）)
    (
        "final",
        [set_("/parameters/factor_priority", [])],
        ("factor_priority_missing", "error", "指引（五）", "/parameters/factor_priority"),
    ),
    (
        "final",
        [set_("/parameters/factor_priority", ["government", "measured_verified", "industry", "literature"])],
        ("factor_priority_order", "error", "指引（五）", "/parameters/factor_priority"),
    ),
    (
        "final",
        [set_("/parameters/factor_priority", ["measured_verified", "literature", "industry"])],
        ("factor_priority_order", "error", "指引（五）", "/parameters/factor_priority"),
    ),
    (
        "final",
        [set_("/parameters/uncertainty_method", "  ")],
        ("uncertainty_method_missing", "error", "指引（五）", "/parameters/uncertainty_method"),
    ),
    # GB/T 24067-2024 technical content
    ("final", [del_("/parameters/cut_off")], ("cut_off_missing", "error", "GB/T 24067—2024", "/parameters/cut_off")),
    (
        "final",
        [del_("/parameters/cut_off/per_item_percent")],
        ("cut_off_missing", "error", "GB/T 24067—2024", "/parameters/cut_off/per_item_percent"),
    ),
    (
        "final",
        [set_("/parameters/cut_off/total_percent", True)],
        ("cut_off_missing", "error", "GB/T 24067—2024", "/parameters/cut_off/total_percent"),
    ),
    (
        "final",
        [set_("/parameters/cut_off/per_item_percent", 0)],
        ("cut_off_inconsistent", "error", "GB/T 24067—2024", "/parameters/cut_off/per_item_percent"),
    ),
    (
        "final",
        [set_("/parameters/cut_off/per_item_percent", 2), set_("/parameters/cut_off/total_percent", 1.5)],
        ("cut_off_inconsistent", "error", "GB/T 24067—2024", "/parameters/cut_off/per_item_percent"),
    ),
    (
        "final",
        [set_("/parameters/cut_off/total_percent", 0)],
        ("cut_off_inconsistent", "error", "GB/T 24067—2024", "/parameters/cut_off/total_percent"),
    ),
    (
        "final",
        [set_("/parameters/cut_off/total_percent", 150)],
        ("cut_off_inconsistent", "error", "GB/T 24067—2024", "/parameters/cut_off/total_percent"),
    ),
    (
        "final",
        [set_("/parameters/cut_off/total_percent", 10)],
        ("cut_off_implausible", "warning", "GB/T 24067—2024", "/parameters/cut_off/total_percent"),
    ),
    (
        "final",
        [set_("/parameters/cut_off/total_percent", 5.5)],
        ("cut_off_implausible", "warning", "GB/T 24067—2024", "/parameters/cut_off/total_percent"),
    ),
    (
        "final",
        [set_("/parameters/gwp_set", "")],
        ("gwp_set_missing", "error", "GB/T 24067—2024", "/parameters/gwp_set"),
    ),
    (
        "final",
        [set_("/parameters/gwp_set", "IPCC-AR5-GWP100")],
        ("gwp_set_not_default", "info", "指引（十三）", "/parameters/gwp_set"),
    ),
    (
        "final",
        [set_("/parameters/report_format", "")],
        ("report_format_missing", "error", "指引（二）", "/parameters/report_format"),
    ),
    # GB/T 1.1-2020 structure
    ("final", [del_("/clauses/4")], ("structure_element_missing", "error", "GB/T 1.1—2020 6.2", "/clauses")),
    ("final", [del_("/clauses/0")], ("structure_element_missing", "error", "GB/T 1.1—2020 6.2", "/clauses")),
    (
        "final",
        [del_("/clauses/6"), del_("/clauses/5")],
        ("structure_element_missing", "error", "GB/T 1.1—2020 6.2", "/clauses"),
    ),
    (
        "final",
        [lambda d: insert(d, "/clauses/3", {**copy.deepcopy(d["clauses"][2]), "id": "scope-2"})],
        ("structure_element_duplicate", "error", "GB/T 1.1—2020 6.2", "/clauses/3/kind"),
    ),
    ("final", [move_clause(0, 2)], ("structure_order", "error", "GB/T 1.1—2020 6.2", "/clauses/2/kind")),
    ("final", [move_clause(4, 3)], ("structure_order", "error", "GB/T 1.1—2020 6.2", "/clauses/3/kind")),
    ("final", [move_clause(6, 8)], ("structure_order", "error", "GB/T 1.1—2020 6.2", "/clauses/8/kind")),
    ("final", [move_clause(1, 8)], ("structure_order", "error", "GB/T 1.1—2020 6.2", "/clauses/8/kind")),
    # provisions in the foreword and the introduction
    (
        "final",
        [append_text("/clauses/0/text", "\n\n本文件应与 GB/T 24067—2024 配合使用。")],
        ("provision_in_foreword", "error", "GB/T 1.1—2020 8.3", "/clauses/0/text"),
    ),
    (
        "final",
        [append_text("/clauses/1/text", "企业宜按本文件开展核算。")],
        ("provision_in_introduction", "error", "GB/T 1.1—2020 8.4", "/clauses/1/text"),
    ),
    # terms, ids and cross-references
    ("final", [set_("/terms/2/zh", "产品碳足迹")], ("term_defined_twice", "error", "GB/T 1.1—2020 8.7", "/terms/2/zh")),
    (
        "final",
        [set_("/terms/2/zh", " 产品 碳足迹")],
        ("term_defined_twice", "error", "GB/T 1.1—2020 8.7", "/terms/2/zh"),
    ),
    ("final", [set_("/terms/2/id", "3.1")], ("term_defined_twice", "error", "GB/T 1.1—2020 8.7", "/terms/2/id")),
    (
        "final",
        [set_("/clauses/8/id", "annex-a")],
        ("clause_id_duplicate", "error", "GB/T 1.1—2020 9.5", "/clauses/8/id"),
    ),
    ("final", [set_("/terms/2/id", "scope")], ("clause_id_duplicate", "error", "GB/T 1.1—2020 9.5", "/terms/2/id")),
    (
        "final",
        [append_text("/clauses/6/text", "分配方法见 [7](#allocation)。")],
        ("cross_reference_unresolved", "error", "GB/T 1.1—2020 9.5", "/clauses/6/text"),
    ),
    (
        "final",
        [append_text("/clauses/2/text", "见[附录C](#)。")],
        ("cross_reference_unresolved", "error", "GB/T 1.1—2020 9.5", "/clauses/2/text"),
    ),
    (
        "final",
        [set_("/terms/1/definition", "见 [3.9](#3.9)。")],
        ("cross_reference_unresolved", "error", "GB/T 1.1—2020 9.5", "/terms/1/definition"),
    ),
    (
        "final",
        [set_("/clauses/6/id", "data-collecting")],
        ("cross_reference_unresolved", "error", "GB/T 1.1—2020 9.5", "/clauses/5/text"),
    ),
]


@pytest.mark.parametrize(
    ("end_use", "changes", "expected"), CASES, ids=[f"{case[2][0]}-{n}" for n, case in enumerate(CASES)]
)
def test_one_broken_requirement_gives_exactly_one_finding(end_use, changes, expected):
    findings = run(edit(end_use, *changes))
    assert summary(findings) == [expected]
    assert findings[0].message and not findings[0].suppressed and findings[0].suppression_reason is None


def test_every_code_of_template_1_0_has_a_breaking_case():
    # the codes that came with template 1.1 have theirs in test_structure_checks.py and test_text_checks.py
    tested = {case[2][0] for case in CASES} | {"reference_withdrawn", "reference_replaced"}
    assert tested == set(CATALOGUE)


def test_messages_say_what_to_write():
    finding = run(edit("final", set_("/title", "锂离子电池碳足迹")))[0]
    assert "温室气体 产品碳足迹量化方法与要求 锂离子电池" in finding.message
    finding = run(edit("final", set_("/normative_references/1/number", "GBT 24040-2008")))[0]
    assert "GB/T" in finding.message and "GBT 24040-2008" in finding.message
    finding = run(edit("final", set_("/parameters/factor_priority", ["government", "measured_verified"])))[0]
    assert "经溯源性核验的实测数据、政府官方数据" in finding.message
    finding = run(edit("final", move_clause(4, 3)))[0]
    assert "“术语和定义”应排在“规范性引用文件”之后" in finding.message
    finding = run(edit("final", set_("/parameters/activity_data_categories", ["energy"])))[0]
    assert "原材料消耗、运输方式、废物处理" in finding.message


def test_findings_for_several_problems_each_name_their_own_path():
    document = edit(
        "final",
        set_(f"{BOUNDARY}/type", "cradle_to_gate"),  # stages still those of cradle-to-grave
    )
    assert summary(run(document)) == [
        ("boundary_stages_inconsistent", "error", "指引（三）", f"{BOUNDARY}/stages_included/2"),
        ("boundary_stages_inconsistent", "error", "指引（三）", f"{BOUNDARY}/stages_included/3"),
        ("boundary_stages_inconsistent", "error", "指引（三）", f"{BOUNDARY}/stages_included/4"),
        ("boundary_end_use_mismatch", "error", "指引（三）", f"{BOUNDARY}/type"),
    ]


# --- 应/宜/可 in the foreword: both ways -------------------------------------------------------------

NOT_PROVISIONS = [
    "本文件的应用范围见第1章。",
    "为应对气候变化制定本文件。",
    "相应的数据见附录。",
    "与 ISO 14067:2018 的对应关系见附录。",
    "供应链上下游企业参与了起草。",
    "适应国际贸易的需要。",
    "化学反应产生的排放。",
    "可再生能源电力的核算。",
    "推动可持续发展。",
    "提高核算结果的可比性。",
    "数据可靠。",
    "数据可追溯。",
    "请注意本文件的某些内容可能涉及专利。",
    "温室效应。",
    "响应国家号召。",
    "有关事宜另行规定。",
    "中国合格评定国家认可委员会参与了起草。",
    "本文件参考了《生命周期评价 应用指南》。",
    "本文件中的“应”表示要求。",
    "本文件起草单位：宜宾市某研究院、宜昌某公司。",
    "本文件由应急管理部提出。",
    "尽可能采用初级数据的企业。",
    "不可再生资源的消耗。",
]

PROVISIONS = [
    ("本文件应与 GB/T 24067 配合使用。", "应"),
    ("本文件不应单独使用。", "应"),
    ("使用者应当注意。", "应"),
    ("企业宜优先使用初级数据。", "宜"),
    ("不宜采用估算数据。", "宜"),
    ("企业可采用其他方法。", "可"),
    ("也可以采用其他方法。", "可"),
    ("相应地，企业应保存记录。", "应"),
    ("应用本文件时应注意专利。", "应"),
    ("“本文件应与其他标准配合使用。", "应"),  # a stray quotation mark hides nothing
    ("见“附录A”。本文件可单独使用。", "可"),
    ("本文件由企业提出。企业应按本文件核算。", "应"),
]


@pytest.mark.parametrize("sentence", NOT_PROVISIONS)
@pytest.mark.parametrize("clause", [0, 1], ids=["foreword", "introduction"])
def test_words_containing_modal_characters_are_not_provisions(sentence, clause):
    assert run(edit("final", append_text(f"/clauses/{clause}/text", "\n\n" + sentence))) == []


@pytest.mark.parametrize(("sentence", "verb"), PROVISIONS)
@pytest.mark.parametrize(
    ("clause", "code", "article"),
    [(0, "provision_in_foreword", "GB/T 1.1—2020 8.3"), (1, "provision_in_introduction", "GB/T 1.1—2020 8.4")],
    ids=["foreword", "introduction"],
)
def test_provisions_in_foreword_and_introduction_are_found(sentence, verb, clause, code, article):
    findings = run(edit("final", append_text(f"/clauses/{clause}/text", "\n\n" + sentence)))
    assert summary(findings) == [(code, "error", article, f"/clauses/{clause}/text")]
    assert f"“{verb}”" in findings[0].message


def test_provisions_belong_in_technical_clauses():
    document = edit("final", append_text("/clauses/5/text", "企业应、宜、可按本文件核算。"))
    assert run(document) == []


# --- registry status of referenced standards ----------------------------------------------------------


def test_reference_status_is_asked_by_number_key():
    asked = []

    def status(key):
        asked.append(key)
        return None

    assert run(conformant(), reference_status=status) == []
    assert asked == ["GB/T24067-2024", "GB/T24040-2008", "GB/T24044-2008"]  # not the ISO number


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("withdrawn", [("reference_withdrawn", "warning", "GB/T 1.1—2020 8.6", "/normative_references/1/number")]),
        ("replaced", [("reference_replaced", "warning", "GB/T 1.1—2020 8.6", "/normative_references/1/number")]),
        ("in_force", []),
        ("published", []),
        ("upcoming", []),
        (None, []),
    ],
)
def test_withdrawn_and_replaced_references_are_warned(status, expected):
    statuses = {"GB/T24040-2008": status}
    findings = run(conformant(), reference_status=statuses.get)
    assert summary(findings) == expected
    if expected:
        assert "GB/T 24040—2008" in findings[0].message


def test_undated_and_invalid_references_are_not_looked_up():
    asked = []
    document = edit(
        "final",
        set_("/normative_references/1/number", "GB/T 24040"),
        set_("/normative_references/2/number", "GBT 24044-2008"),
    )
    run(document, reference_status=lambda key: asked.append(key))
    assert asked == ["GB/T24067-2024"]


# --- the catalogue decides ------------------------------------------------------------------------


def test_severity_and_article_come_from_the_guideline_catalogue():
    findings = checks.check(edit("final", set_("/title_en", "")), enabled=CATALOGUE)
    entry = GUIDELINE["title_en_missing"]
    assert summary(findings) == [("title_en_missing", entry.severity, entry.article, "/title_en")]
    assert findings[0].template == entry.messages[""]


def test_a_code_the_template_does_not_check_is_not_reported():
    enabled = [code for code in CATALOGUE if code != "title_en_missing"]
    assert checks.check(edit("final", set_("/title_en", "")), enabled=enabled) == []
    assert checks.check(edit("final", set_("/title_en", "")), enabled=[]) == []


# --- order, suppressions, counts ---------------------------------------------------------------------


def test_findings_are_sorted_by_severity_then_path_with_numeric_indices():
    document = conformant()
    for number in range(10):
        document["clauses"].insert(
            7, {"id": f"extra-{number}", "kind": "technical", "number": str(6 + number), "title": "补充", "text": ""}
        )
    document["clauses"][16]["text"] += "见 [x](#missing)。"  # annex-a, now at 16
    document["clauses"][2]["text"] += "见 [x](#missing)。"
    document["parameters"]["gwp_set"] = "IPCC-AR5-GWP100"
    document["parameters"]["cut_off"]["total_percent"] = 8
    document["title_en"] = ""
    assert summary(run(document)) == [
        ("cross_reference_unresolved", "error", "GB/T 1.1—2020 9.5", "/clauses/2/text"),
        ("cross_reference_unresolved", "error", "GB/T 1.1—2020 9.5", "/clauses/16/text"),
        ("title_en_missing", "error", "GB/T 1.1—2020 8.1", "/title_en"),
        ("cut_off_implausible", "warning", "GB/T 24067—2024", "/parameters/cut_off/total_percent"),
        ("gwp_set_not_default", "info", "指引（十三）", "/parameters/gwp_set"),
    ]


def test_suppressions_match_code_and_path():
    document = edit(
        "final",
        set_("/title_en", ""),
        set_("/parameters/cut_off/total_percent", 8),
        set_("/parameters/gwp_set", "IPCC-AR5-GWP100"),
    )
    findings = run(document)
    assert counts(findings) == {"errors": 1, "warnings": 1, "info": 1}
    marked = checks.apply_suppressions(
        findings,
        [
            ("title_en_missing", "/title_en", "英文名称待翻译"),
            ("cut_off_implausible", "/title_en", "路径不同，不匹配"),
            ("gwp_set_missing", "/parameters/gwp_set", "代码不同，不匹配"),
        ],
    )
    assert [(finding.code, finding.suppressed, finding.suppression_reason) for finding in marked] == [
        ("title_en_missing", True, "英文名称待翻译"),
        ("cut_off_implausible", False, None),
        ("gwp_set_not_default", False, None),
    ]
    assert counts(marked) == {"errors": 0, "warnings": 1, "info": 1}
    assert not findings[0].suppressed  # the findings given are left as they were
    assert checks.apply_suppressions(findings, []) == findings
    assert counts([]) == {"errors": 0, "warnings": 0, "info": 0}


# --- never raises ------------------------------------------------------------------------------------

ODD_VALUES = [None, 0, -1, 2.5, math.nan, math.inf, True, "", "x", "GB/T", [], {}, [None], [1, "x"], {"a": 1}]


def _pointers(value, pointer=""):
    yield pointer
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _pointers(item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _pointers(item, f"{pointer}/{index}")


@pytest.mark.parametrize("document", [None, [], "rule", 3, {}, {"parameters": None, "clauses": {}, "terms": "x"}])
def test_documents_of_the_wrong_shape_give_findings_not_exceptions(document):
    findings = run(document)
    assert "title_pattern" in {finding.code for finding in findings}
    assert "structure_element_missing" in {finding.code for finding in findings}


@pytest.mark.parametrize("end_use", ["final", "intermediate"])
def test_any_part_replaced_by_an_odd_value_never_raises(end_use):
    base = conformant(end_use)
    statuses = {"GB/T24040-2008": "withdrawn"}.get
    for pointer in list(_pointers(base))[1:]:
        for value in ODD_VALUES:
            document = copy.deepcopy(base)
            put(document, pointer, value)
            for finding in run(document, reference_status=statuses):
                assert finding.severity in set(Severity) and finding.path.startswith("/")
        document = copy.deepcopy(base)
        drop(document, pointer)
        run(document, reference_status=statuses)


def test_odd_reference_numbers_never_raise():
    for number in [
        "—",
        "GB/T",
        "GB/T /",
        "DB/ 1",
        "T/ 1—2024",
        "ISO",
        "ISO/",
        "ISO 1:",
        "Q/ —",
        "\u200b",
        "ＧＢ／Ｔ　２４０６７",
        "x" * 500,
    ]:
        run(edit("final", set_("/normative_references/1/number", number)), reference_status=lambda key: None)


# --- performance ----------------------------------------------------------------------------------------


def test_a_rule_with_200_clauses_and_many_cross_references_gives_no_false_findings():
    """Its speed is measured by benchmarks/bench_checks.py, not asserted here."""
    document = conformant()
    technical = [
        {
            "id": f"clause-{number}",
            "kind": "technical",
            "number": f"6.{number}",
            "title": "数据要求",
            "text": ("企业应按相应的要求收集可追溯的初级数据，见 [4](#system-boundary) 和 [3.1](#3.1)。" * 6)
            + f"见 [6.{number}](#clause-{max(number - 1, 0)})。",
        }
        for number in range(200)
    ]
    document["clauses"][7:7] = technical
    document["terms"] += [
        {"id": f"3.{number}", "zh": f"术语{number}", "en": "term", "definition": "见 [3.1](#3.1)。"}
        for number in range(4, 60)
    ]
    assert run(document) == []


# --- the template's examples ------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_the_template_examples_fit_the_schema_and_have_no_errors(path):
    from workbench.drafting import template as templates

    document = json.loads(path.read_text(encoding="utf-8"))
    template = templates.load(document["template"])
    assert template.validate(document) == []
    findings = checks.check(document, enabled=template.checks)
    assert [finding for finding in findings if finding.severity == "error"] == []


def test_there_are_template_examples():
    assert EXAMPLES, f"no examples in {TEMPLATE_DIR / 'examples'}"


def test_the_template_catalogue_is_checks_json():
    from workbench.drafting import template as templates

    assert templates.load("cfp-product-rule@1.0").checks == tuple(CATALOGUE)


# --- workbench check ------------------------------------------------------------------------------------


@pytest.fixture
def check_file(tmp_path):
    from workbench.drafting.cli import check as command

    def invoke(content, *arguments):
        path = tmp_path / "rule.json"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(
                content if isinstance(content, str) else json.dumps(content, ensure_ascii=False), encoding="utf-8"
            )
        return CliRunner().invoke(command, [str(path), *arguments])

    return invoke


def test_cli_conformant_rule_exits_0(check_file):
    result = check_file(conformant())
    assert result.exit_code == 0, result.output
    assert "未发现问题" in result.stdout
    assert result.stderr == ""


def test_cli_error_exits_1_with_a_table(check_file):
    result = check_file(
        edit("final", set_("/parameters/cut_off/total_percent", 8), set_("/parameters/report_format", ""))
    )
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["error", "report_format_missing", "指引（二）", "/parameters/report_format"]
    assert lines[1].split()[:4] == ["warning", "cut_off_implausible", "GB/T", "24067—2024"]
    assert "错误 errors: 1" in lines[-1] and "警告 warnings: 1" in lines[-1]


def test_cli_warnings_only_exit_0(check_file):
    result = check_file(edit("final", set_("/parameters/cut_off/total_percent", 8)), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["warnings"] == 1


def test_cli_json_output(check_file):
    result = check_file(
        edit("final", set_("/title", "锂电池碳足迹"), set_("/parameters/gwp_set", "IPCC-AR5-GWP100")),
        "--format",
        "json",
    )
    assert result.exit_code == 1, result.output
    shown = json.loads(result.stdout)
    assert set(shown) == {"findings", "errors", "warnings", "info"}
    assert (shown["errors"], shown["warnings"], shown["info"]) == (1, 0, 1)
    assert shown["findings"][0] == {
        "code": "title_pattern",
        "severity": "error",
        "article": "指引（二）",
        "path": "/title",
        "message": shown["findings"][0]["message"],
        "template": GUIDELINE["title_pattern"].messages["current"],
        "params": {"expected": "温室气体 产品碳足迹量化方法与要求 锂离子电池", "title": "锂电池碳足迹"},
        "suppressed": False,
        "suppression_reason": None,
    }
    assert "锂离子电池" in shown["findings"][0]["message"]
    assert shown["findings"][1]["code"] == "gwp_set_not_default"


def test_cli_conformant_json(check_file):
    result = check_file(conformant("intermediate"), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"findings": [], "errors": 0, "warnings": 0, "info": 0}


def test_cli_malformed_json_names_line_and_column(check_file):
    result = check_file('{\n  "title": "x",\n  oops\n}\n')
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "第 3 行第 3 列" in result.stderr and "line 3, column 3" in result.stderr


def test_cli_schema_problem_names_the_json_path(check_file):
    result = check_file(edit("final", set_("/parameters/cut_off/total_percent", "5")))
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert "/parameters/cut_off/total_percent" in result.stderr


def test_cli_counts_the_other_schema_problems(check_file):
    result = check_file(edit("final", set_("/parameters/cut_off/total_percent", "5"), set_("/title", 3)))
    assert result.exit_code == 2, result.output
    assert "另有 1 处问题" in result.stderr


@pytest.mark.parametrize("ref", ["cfp-product-rule@9.9", "no-such-template@1.0", "garbage"])
def test_cli_unknown_template_exits_2(check_file, ref):
    result = check_file(edit("final", set_("/template", ref)))
    assert result.exit_code == 2, result.output
    assert ref in result.stderr


def test_cli_without_a_template_key_uses_the_default_schema(check_file):
    document = conformant()
    del document["template"]
    result = check_file(document)
    # the schema requires the key, and says so with its path
    assert result.exit_code == 2, result.output
    assert "template" in result.stderr


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe{}", "[]", '"rule"', ""],
    ids=["not utf-8", "array", "string", "empty"],
)
def test_cli_files_that_are_not_a_rule_exit_2(check_file, content):
    result = check_file(content)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("错误 error:")


def test_cli_missing_file_exits_2(tmp_path):
    from workbench.drafting.cli import check as command

    result = CliRunner().invoke(command, [str(tmp_path / "nothing.json")])
    assert result.exit_code == 2


def test_cli_byte_order_mark_is_accepted(check_file):
    result = check_file(b"\xef\xbb\xbf" + json.dumps(conformant(), ensure_ascii=False).encode())
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("text", ['{"a": NaN}', '{"a": Infinity}', '{"a": ' + "1" * 5000 + "}"])
def test_check_refuses_numbers_json_cannot_carry(tmp_path, text):
    from click.testing import CliRunner

    from workbench.drafting.cli import check as check_command

    path = tmp_path / "rule.json"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(check_command, [str(path)])
    assert result.exit_code == 2 and "数值" in result.output
