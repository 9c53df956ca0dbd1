"""The rule template: schema, clause skeletons, new documents, Chinese schema problems, examples;
template 1.1 (its new fields, 附录C, the optional 分级 chapter) and reading 1.0 documents as 1.1,
with `workbench rules migrate` making it permanent."""

import copy
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from workbench.drafting import template as templates
from workbench.drafting.template import DEFAULT_TEMPLATE, TemplateError
from workbench.schema_errors import Problem as SchemaProblem

FOLDER = templates.TEMPLATES_DIR / "cfp-product-rule" / "1.1"
EXAMPLES = sorted((FOLDER / "examples").glob("*.json"))
OLD_FOLDER = templates.TEMPLATES_DIR / "cfp-product-rule" / "1.0"
OLD_EXAMPLES = sorted((OLD_FOLDER / "examples").glob("*.json"))
DOCS = Path(__file__).resolve().parent.parent / "docs" / "rule-document.md"
CROSS_REFERENCE = re.compile(r"\]\(#([^)\s]*)\)")
ALL_STAGES = ["raw_material_acquisition", "production", "distribution", "use", "end_of_life"]


@pytest.fixture(scope="module")
def template():
    return templates.load()


@pytest.fixture
def document(template):
    return template.new_document(product_name="水泥", end_use="intermediate", classification_code="3011")


def example(name: str) -> dict:
    return json.loads((FOLDER / "examples" / name).read_text(encoding="utf-8"))


def paths(problems: list[SchemaProblem]) -> list[str]:
    return [problem.path for problem in problems]


def targets_of(document: dict) -> set[str]:
    return {clause["id"] for clause in document["clauses"]} | {term["id"] for term in document["terms"]}


# -- loading ------------------------------------------------------------------------------------


def test_schema_is_a_valid_2020_12_schema(template):
    assert template.schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(template.schema)


def test_load_reads_the_default_template_once(template):
    assert template.ref == DEFAULT_TEMPLATE
    assert templates.load() is templates.load(DEFAULT_TEMPLATE)
    assert template.manifest["id"] == "cfp-product-rule" and template.manifest["version"] == "1.1"
    assert not (FOLDER / "checks.json").exists()
    assert template.checks == templates.RULE_CODES  # no checks.json: every rule check applies


def test_version_1_0_still_loads_with_its_own_checks():
    old = templates.load("cfp-product-rule@1.0")
    assert old.ref == "cfp-product-rule@1.0" and old.manifest["version"] == "1.0"
    assert old.checks == tuple(json.loads((OLD_FOLDER / "checks.json").read_text(encoding="utf-8")))


def test_parse_ref():
    assert templates.parse_ref("cfp-product-rule@1.0") == ("cfp-product-rule", "1.0")


@pytest.mark.parametrize("ref", ["cfp-product-rule@9.9", "no-such-template@1.0"])
def test_unknown_template_raises(ref):
    with pytest.raises(TemplateError, match="没有模板"):
        templates.load(ref)


@pytest.mark.parametrize("ref", ["", "cfp-product-rule", "../etc@1.0", "cfp-product-rule@1.0/../x", None, 1])
def test_malformed_template_ref_raises(ref):
    with pytest.raises(TemplateError, match="格式不正确"):
        templates.load(ref)


def test_manifest_clauses_match_the_skeletons_and_the_schema(template):
    entries = template.manifest["clauses"]
    ids = [entry["id"] for entry in entries]
    assert len(ids) == len(set(ids))
    clause_schema = template.schema["properties"]["clauses"]["items"]
    id_pattern = re.compile(clause_schema["properties"]["id"]["pattern"])
    kinds = clause_schema["properties"]["kind"]["enum"]
    for entry in entries:
        assert id_pattern.fullmatch(entry["id"]) and entry["kind"] in kinds
        assert (FOLDER / entry["file"]).is_file()
    assert [skeleton["id"] for skeleton in template.skeletons] == ids
    assert {"id", "kind", "number", "title", "source"} <= set(template.skeletons[0])
    kinds_in_order = [entry["kind"] for entry in entries]
    assert kinds_in_order[:4] == ["foreword", "scope", "normative_references", "terms"]
    annexes = [entry for entry in entries if entry["kind"].startswith("annex")]
    assert entries[-len(annexes) :] == annexes  # the annexes come last
    headings = [(entry["number"], entry["title"]) for entry in annexes if entry["number"].startswith("附录")]
    assert headings == [("附录A", "数据收集表"), ("附录B", "报告格式"), ("附录C", "全球变暖潜势值")]
    assert [entry["kind"] for entry in annexes if entry["number"].startswith("附录")] == [
        "annex_normative",
        "annex_informative",
        "annex_informative",
    ]
    assert [entry["number"] for entry in annexes if entry["number"].startswith("B.")] == [f"B.{n}" for n in range(1, 7)]
    assert [entry["id"] for entry in entries if entry.get("when")] == ["performance-classes"]


def test_every_enum_has_chinese_labels_and_every_property_a_chinese_title(template):
    def walk(node, where):
        if not isinstance(node, dict):
            return
        if "enum" in node:
            assert set(node["enum"]) == set(node["x-enum-labels"]), where
        for key, child in node.get("properties", {}).items():
            assert re.search(r"[\u4e00-\u9fff]", child.get("title", "")), f"{where}/{key}"
            walk(child, f"{where}/{key}")
        for key, child in node.get("$defs", {}).items():
            walk(child, f"{where}/$defs/{key}")
        walk(node.get("items"), f"{where}/items")

    walk(template.schema, "")
    assert template.schema["$defs"]["stage"]["x-enum-labels"]["production"] == "生产"
    boundary = template.schema["properties"]["parameters"]["properties"]["system_boundary"]
    assert boundary["properties"]["type"]["x-enum-labels"]["cradle_to_gate"] == "摇篮到大门"


# -- titles and new documents -------------------------------------------------------------------


def test_titles_follow_the_patterns(template):
    assert template.title_for("电解铝") == "温室气体 产品碳足迹量化方法与要求 电解铝"
    pattern = "Greenhouse gases—Carbon footprint of products—Quantification methods and requirements for "
    assert template.title_en_for("Cement") == pattern + "cement"
    assert template.title_en_for("primary aluminium") == pattern + "primary aluminium"
    assert template.title_en_for("PV modules") == pattern + "PV modules"  # an abbreviation keeps its capitals
    assert template.title_en_for("  ") == ""
    old = templates.load("cfp-product-rule@1.0")
    assert old.title_en_for("Cement").endswith("requirements—Cement")  # 1.0 keeps its pattern


def test_new_document_for_a_final_product_is_cradle_to_grave(template):
    document = template.new_document(
        product_name="锂离子电池", end_use="final", product_name_en="Lithium-ion batteries"
    )
    assert template.validate(document) == []
    parameters = document["parameters"]
    assert parameters["system_boundary"]["type"] == "cradle_to_grave"
    assert parameters["system_boundary"]["stages_included"] == ALL_STAGES
    assert "functional_unit" in parameters and "declared_unit" not in parameters
    assert document["title"] == "温室气体 产品碳足迹量化方法与要求 锂离子电池"
    assert document["title_en"].endswith("requirements for lithium-ion batteries")
    assert document["template"] == "cfp-product-rule@1.1"
    assert document["parameters"]["primary_data_share"] == "site_activity"
    assert document["parameters"]["electricity"]["grid_factor_year"] == "data_period"
    assert "performance_classes" not in document["parameters"] and "figures" not in document
    assert "classification_code" not in document["product"]


def test_new_document_for_an_intermediate_product_is_cradle_to_gate(template, document):
    assert template.validate(document) == []
    parameters = document["parameters"]
    boundary = parameters["system_boundary"]
    assert boundary["type"] == "cradle_to_gate"
    assert boundary["stages_included"] == ["raw_material_acquisition", "production"]
    assert not set(boundary["stages_excluded"]) & set(boundary["stages_included"])
    assert parameters["declared_unit"] == {"description": "1 t 水泥", "quantity": 1, "unit": "t"}
    assert document["product"] == {"name": "水泥", "classification_code": "3011", "end_use": "intermediate"}
    assert document["title_en"] == ""  # no English name given: left for the drafters (and the checks)


def test_new_document_carries_the_guideline_defaults(template, document):
    parameters = document["parameters"]
    assert parameters["secondary_data_priority"] == ["statistical", "literature", "estimated"]
    assert parameters["factor_priority"] == ["measured_verified", "government", "industry", "literature"]
    assert {"raw_materials", "energy", "transport", "waste_treatment"} <= set(parameters["activity_data_categories"])
    assert parameters["cut_off"] == {"per_item_percent": 1, "total_percent": 5}
    assert parameters["gwp_set"] == "IPCC-AR6-GWP100" == template.manifest["default_gwp_set"]
    assert set(parameters["primary_data_stages"]) <= set(parameters["system_boundary"]["stages_included"])
    general = {"number": "GB/T 24067—2024", "title": "温室气体 产品碳足迹 量化要求和指南"}
    assert general in document["normative_references"]
    names = [term["zh"] for term in document["terms"]]
    assert len(names) == len(set(names))
    assert {"产品碳足迹", "功能单位", "声明单位", "系统边界", "初级数据", "次级数据", "取舍准则"} <= set(names)
    assert all(term["source"].startswith("GB/T 24067—2024") for term in document["terms"])
    assert [term["id"] for term in document["terms"]] == [f"3.{n}" for n in range(1, len(names) + 1)]
    optional = {"performance-classes"}  # only with parameters.performance_classes
    assert [clause["id"] for clause in document["clauses"]] == [
        entry["id"] for entry in template.manifest["clauses"] if entry["id"] not in optional
    ]


def test_new_document_refuses_bad_input(template):
    with pytest.raises(TemplateError, match="产品用途"):
        template.new_document(product_name="水泥", end_use="consumer")
    with pytest.raises(TemplateError, match="产品名称"):
        template.new_document(product_name="  ", end_use="final")


def test_new_document_does_not_share_state_with_the_manifest(template):
    first = template.new_document(product_name="水泥", end_use="intermediate")
    first["parameters"]["secondary_data_priority"].append("estimated")
    first["terms"][0]["zh"] = "改过"
    second = template.new_document(product_name="水泥", end_use="intermediate")
    assert second["parameters"]["secondary_data_priority"] == ["statistical", "literature", "estimated"]
    assert second["terms"][0]["zh"] == "产品碳足迹"


# -- rendering ----------------------------------------------------------------------------------


def clause_text(clauses: list[dict], clause_id: str) -> str:
    return next(clause["text"] for clause in clauses if clause["id"] == clause_id)


def test_rendered_clauses_carry_the_parameters(template, document):
    parameters = document["parameters"]
    parameters["cut_off"] = {"per_item_percent": 0.5, "total_percent": 3}
    parameters["data_period"] = "2024 年 1 月 1 日至 12 月 31 日"
    parameters["electricity"]["contractual_instruments_allowed"] = False
    parameters["secondary_data_priority"] = ["literature", "statistical"]
    clauses = template.render_clauses(document)
    assert "0.5%" in clause_text(clauses, "cut-off") and "3%" in clause_text(clauses, "cut-off")
    assert "单项 0.5%，累计 3%" in clause_text(clauses, "annex-b-goal-and-scope")
    assert "2024 年 1 月 1 日至 12 月 31 日" in clause_text(clauses, "time-boundary")
    assert "1 t 水泥" in clause_text(clauses, "unit") and "kg CO₂e/t" in clause_text(clauses, "unit")
    assert "摇篮到大门" in clause_text(clauses, "system-boundary")
    assert "不作为调整外购电力碳足迹因子的依据" in clause_text(clauses, "electricity")
    secondary = clause_text(clauses, "secondary-data")
    assert secondary.index("a) 文献数据") < secondary.index("b) 统计数据")
    assert "GB/T 24067—2024　温室气体 产品碳足迹 量化要求和指南" in clause_text(clauses, "normative-references")
    assert "表 A.5　过程排放数据收集表" in clause_text(clauses, "annex-a")
    assert "产品分类代码：3011" in clause_text(clauses, "product-description")


def test_rendered_partial_boundary_states_its_justification(template, document):
    boundary = document["parameters"]["system_boundary"]
    boundary.update(type="partial", stages_included=["production"], justification="上游数据尚不可得")
    document["parameters"]["primary_data_stages"] = ["production"]
    clauses = template.render_clauses(document)
    assert "部分生命周期" in clause_text(clauses, "system-boundary")
    assert "上游数据尚不可得。" in clause_text(clauses, "system-boundary")
    assert "生产阶段的产品部分碳足迹" in clause_text(clauses, "scope")


def test_functional_unit_other_than_one_is_printed_in_the_result_unit(template):
    document = template.new_document(product_name="电冰箱", end_use="final")
    document["parameters"]["functional_unit"] = {"description": "使用 10 年", "quantity": 10, "unit": "a"}
    assert "kg CO₂e/(10 a)" in clause_text(template.render_clauses(document), "unit")


def test_foreword_has_the_fixed_sentences_and_no_provisions(template, document):
    foreword = clause_text(document["clauses"], "foreword")
    assert "本文件按照 GB/T 1.1—2020《标准化工作导则 第1部分：标准化文件的结构和起草规则》的规定起草。" in foreword
    assert "本文件由全国碳排放管理标准化技术委员会（SAC/TC548）提出并归口。" in foreword
    assert not re.search("[应宜可]", foreword.replace("可能", ""))  # 可能 (may happen) is no permission


def test_technical_clauses_use_modal_verbs(template, document):
    technical = [clause["text"] for clause in document["clauses"] if clause["kind"] == "technical" and clause["text"]]
    assert all(re.search("[应宜可]", text) for text in technical)


def test_render_refuses_a_document_that_does_not_fit(template, document):
    del document["parameters"]["cut_off"]
    with pytest.raises(TemplateError, match="cut_off"):
        template.render_clauses(document)


def test_no_raw_html_in_rendered_text(template, document):
    assert not any(re.search(r"<[a-zA-Z/!]", clause["text"]) for clause in document["clauses"])


# -- cross-references ---------------------------------------------------------------------------


def test_cross_references_in_the_skeletons_resolve(template):
    ids = {entry["id"] for entry in template.manifest["clauses"]}
    found = set()
    for skeleton in template.skeletons:
        found |= set(CROSS_REFERENCE.findall(skeleton["source"]))
    assert found and found <= ids
    assert {"annex-a", "annex-b", "annex-c"} <= found


@pytest.mark.parametrize("end_use", ["final", "intermediate"])
def test_cross_references_in_new_documents_resolve(template, end_use):
    document = template.new_document(product_name="产品", end_use=end_use)
    for clause in document["clauses"]:
        assert set(CROSS_REFERENCE.findall(clause["text"])) <= targets_of(document), clause["id"]


# -- examples -----------------------------------------------------------------------------------


def test_the_examples_are_the_demo_rules_and_the_two_of_1_0():
    # 1.1's examples are the demo's rules (workbench.demo loads them at their stages).
    assert [path.name for path in EXAMPLES] == [
        "calcium-carbide.json",
        "cement.json",
        "ethylene.json",
        "lime.json",
        "lithium-ion-battery.json",
    ]
    assert [path.name for path in OLD_EXAMPLES] == ["cement.json", "lithium-ion-battery.json"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_examples_validate_and_resolve(template, path):
    document = json.loads(path.read_text(encoding="utf-8"))
    assert template.validate(document) == []
    assert document["template"] == template.ref
    assert document["title"] == template.title_for(document["product"]["name"])
    assert document["title_en"] == template.title_en_for(document["title_en"].rsplit(" for ", 1)[1])
    ids = [clause["id"] for clause in document["clauses"]] + [term["id"] for term in document["terms"]]
    assert len(ids) == len(set(ids))
    for clause in document["clauses"]:
        assert set(CROSS_REFERENCE.findall(clause["text"])) <= targets_of(document), clause["id"]
    assert any(reference["number"] == "GB/T 24067—2024" for reference in document["normative_references"])
    cited = "\n".join(clause["text"] for clause in document["clauses"] if clause["kind"] == "technical")
    for reference in document["normative_references"]:
        assert reference["number"] in cited, reference["number"]
    numbers = [clause["number"] for clause in document["clauses"] if clause["kind"] == "technical"]
    assert any("." in number for number in numbers)
    assert not re.search("[应宜可]", clause_text(document["clauses"], "foreword").replace("可能", ""))


def test_battery_example_is_cradle_to_grave_per_kwh():
    document = example("lithium-ion-battery.json")
    parameters = document["parameters"]
    assert document["product"]["end_use"] == "final"
    assert parameters["system_boundary"]["stages_included"] == ALL_STAGES
    assert parameters["functional_unit"]["unit"] == "kWh" and parameters["functional_unit"]["quantity"] == 1


def test_cement_example_is_cradle_to_gate_per_tonne_with_calcination():
    document = example("cement.json")
    parameters = document["parameters"]
    assert document["product"]["end_use"] == "intermediate"
    assert parameters["system_boundary"]["type"] == "cradle_to_gate"
    assert parameters["declared_unit"]["unit"] == "t" and parameters["declared_unit"]["quantity"] == 1
    assert "process_emissions" in parameters["activity_data_categories"]
    assert "碳酸盐" in clause_text(document["clauses"], "calcination-emissions")


def test_the_example_in_the_contract_fits_the_schema(template):
    block = re.search(r"```json\n(.*?)\n```", DOCS.read_text(encoding="utf-8"), re.S).group(1)
    assert template.validate(json.loads(block)) == []


# -- schema problems ----------------------------------------------------------------------------


def problem_at(problems: list[SchemaProblem], path: str) -> SchemaProblem:
    matching = [problem for problem in problems if problem.path == path]
    assert len(matching) == 1, problems
    return matching[0]


def test_missing_required_key_points_at_the_key(template, document):
    del document["parameters"]["data_period"]
    del document["title_en"]
    problems = template.validate(document)
    assert paths(problems) == ["/parameters/data_period", "/title_en"]
    message = problem_at(problems, "/parameters/data_period").message
    assert "缺少必填项" in message and "data_period" in message and "数据时间范围" in message


def test_wrong_enum_names_the_value_and_the_choices(template, document):
    document["parameters"]["system_boundary"]["type"] = "cradle_to_cradle"
    document["parameters"]["primary_data_stages"] = ["manufacturing"]
    problems = template.validate(document)
    assert paths(problems) == ["/parameters/primary_data_stages/0", "/parameters/system_boundary/type"]
    message = problem_at(problems, "/parameters/system_boundary/type").message
    assert "cradle_to_cradle" in message and "cradle_to_gate（摇篮到大门）" in message and "边界类型" in message
    assert "production（生产）" in problem_at(problems, "/parameters/primary_data_stages/0").message


def test_both_functional_and_declared_unit(template, document):
    document["parameters"]["functional_unit"] = {"description": "1 m² 墙面", "quantity": 1, "unit": "m²"}
    message = problem_at(template.validate(document), "/parameters").message
    assert "functional_unit" in message and "declared_unit" in message and "只能给出其中一个" in message


def test_neither_functional_nor_declared_unit(template, document):
    del document["parameters"]["declared_unit"]
    message = problem_at(template.validate(document), "/parameters").message
    assert "功能单位" in message and "声明单位" in message and "应给出" in message


def test_negative_or_zero_quantity(template, document):
    document["parameters"]["declared_unit"]["quantity"] = -1
    message = problem_at(template.validate(document), "/parameters/declared_unit/quantity").message
    assert "应大于 0" in message and "-1" in message
    document["parameters"]["declared_unit"]["quantity"] = 0
    assert paths(template.validate(document)) == ["/parameters/declared_unit/quantity"]


def test_percentages_between_0_and_100(template, document):
    document["parameters"]["cut_off"] = {"per_item_percent": -1, "total_percent": 120}
    problems = template.validate(document)
    assert paths(problems) == ["/parameters/cut_off/per_item_percent", "/parameters/cut_off/total_percent"]
    assert "不应大于 100" in problems[1].message and "120" in problems[1].message
    assert "累计取舍比例" in problems[1].message  # the property's title, not the shared definition's
    assert "不应小于 0" in problems[0].message


def test_wrong_type(template, document):
    document["parameters"]["declared_unit"]["quantity"] = "1"
    document["parameters"]["electricity"]["contractual_instruments_allowed"] = "yes"
    problems = template.validate(document)
    assert "应为数字" in problem_at(problems, "/parameters/declared_unit/quantity").message
    assert "文本" in problems[0].message or "文本" in problems[1].message


def test_unknown_key_is_refused_and_x_extensions_are_kept(template, document):
    document["parameters"]["cutoff"] = {}
    document["clauses"][0]["note"] = "…"
    problems = template.validate(document)
    assert paths(problems) == ["/clauses/0/note", "/parameters/cutoff"]
    message = problem_at(problems, "/parameters/cutoff").message
    assert "cutoff" in message and "x_" in message and "不认识的键" in message

    extended = template.new_document(product_name="水泥", end_use="intermediate")
    extended["x_workbench"] = {"anything": [1, 2]}
    extended["product"]["x_hs_code"] = "2523"
    extended["parameters"]["x_note"] = "试算中"
    extended["parameters"]["cut_off"]["x_basis"] = "质量"
    extended["parameters"]["declared_unit"]["x_mass"] = 1000
    extended["normative_references"][0]["x_status"] = "现行"
    extended["terms"][0]["x_note"] = "注"
    extended["clauses"][0]["x_locked"] = True
    assert template.validate(extended) == []


def test_duplicates_pattern_and_empty_lists(template, document):
    parameters = document["parameters"]
    parameters["activity_data_categories"] = ["energy", "energy"]
    parameters["factor_priority"] = []
    document["clauses"][1]["id"] = "范围 1"
    document["template"] = "cfp-product-rule@2.0"
    problems = template.validate(document)
    assert paths(problems) == [
        "/clauses/1/id",
        "/parameters/activity_data_categories",
        "/parameters/factor_priority",
        "/template",
    ]
    assert "字母、数字和连字符" in problems[0].message and "范围 1" in problems[0].message
    assert '"energy"' in problems[1].message and "只能列出一次" in problems[1].message
    assert "不能为空" in problems[2].message
    assert "cfp-product-rule@1.1" in problems[3].message


def test_content_rules_are_left_to_the_checks(template, document):
    """Schema-valid although the guideline is not met: the checks report these as findings."""
    parameters = document["parameters"]
    parameters["secondary_data_priority"] = ["estimated", "statistical"]
    parameters["factor_priority"] = ["literature", "government"]
    parameters["activity_data_categories"] = ["energy"]
    parameters["system_boundary"].update(type="partial", justification="")
    parameters["primary_data_stages"] = ["use"]
    parameters["cut_off"] = {"per_item_percent": 10, "total_percent": 2}
    parameters["data_quality_method"] = ""
    document["title"] = "水泥碳足迹评价规范"
    document["title_en"] = ""
    document["normative_references"] = []
    document["terms"] = [document["terms"][0], {**document["terms"][0], "id": "3.2"}]
    assert template.validate(document) == []


def test_problems_are_sorted_and_in_chinese(template, document):
    del document["product"]["end_use"]
    document["parameters"]["gwp_set"] = "AR6"
    document["parameters"]["cut_off"]["total_percent"] = 101
    document["clauses"][2]["kind"] = "chapter"
    problems = template.validate(document)
    assert paths(problems) == sorted(paths(problems))
    assert all(re.search(r"[\u4e00-\u9fff]", problem.message) for problem in problems)


def test_a_document_that_is_not_an_object(template):
    problems = template.validate(["not", "a", "rule"])
    assert paths(problems) == [""]
    assert "对象" in problems[0].message


def test_problems_are_frozen_values():
    problem = SchemaProblem("/title", "缺少必填项")
    with pytest.raises(AttributeError):
        problem.path = "/x"
    assert problem == SchemaProblem("/title", "缺少必填项")


def test_validate_does_not_change_the_document(template, document):
    before = copy.deepcopy(document)
    document["parameters"]["x_keep"] = 1
    template.validate(document)
    assert document == {**before, "parameters": {**before["parameters"], "x_keep": 1}}


# -- template 1.1: the new fields as the clauses state them --------------------------------------


def with_everything(document: dict) -> dict:
    """`document` with every optional field of 1.1 given, as GB/T 44905 would give them."""
    parameters = document["parameters"]
    parameters["declared_unit"]["reference_product"] = "重熔用铝锭"
    parameters["additional_units"] = [
        {
            "kind": "declared_unit",
            "description": "1 t 铝液",
            "quantity": 1,
            "unit": "t",
            "reference_product": "铝液",
            "reference_flow": "1 t 铝液。",
        }
    ]
    parameters["unit_processes"] = [
        {"id": "electrolysis", "name": "电解", "stage": "production", "data_source": "site"},
        {"id": "anode", "name": "阳极生产", "stage": "production", "data_source": "site", "description": "预焙阳极"},
        {"id": "alumina", "name": "氧化铝生产", "stage": "raw_material_acquisition", "data_source": "background"},
    ]
    parameters["greenhouse_gases"] = [
        {"gas": "CO2", "source": "阳极消耗"},
        {"gas": "CF4", "source": "阳极效应。"},
        {"gas": "CH4_fossil"},
    ]
    parameters["electricity"]["sources"] = [
        {"source": "captive_plant", "conditions": "按自备电厂的实际燃料消耗计算因子"},
        {"source": "ppa", "conditions": ""},
    ]
    parameters["primary_data_share"] = "activity_and_factor"
    parameters["performance_classes"] = {
        "basis": "按行业试算结果的分布确定",
        "classes": [{"grade": "1 级", "upper_limit": 12000}, {"grade": "2 级", "upper_limit": 15500.5}],
    }
    document["figures"] = [
        {"id": "system-boundary", "caption": "系统边界", "media_type": "image/png", "data": "iVBORw0KGgo="}
    ]
    return document


def test_every_optional_field_fits_and_is_stated_in_the_text(template, document):
    document = with_everything(document)
    assert template.validate(document) == []
    clauses = template.render_clauses(document)
    unit = clause_text(clauses, "unit")
    assert "1 t 水泥（数量 1，计量单位 t，对应产品：重熔用铝锭）" in unit
    assert "a) 声明单位：1 t 铝液（数量 1，计量单位 t，对应产品：铝液），基准流为1 t 铝液。\n" in unit + "\n"
    boundary = clause_text(clauses, "system-boundary")
    assert "系统边界示意见图 1。\n\n![系统边界](figure:system-boundary)\n\n" in boundary
    assert "表 1　单元过程及其数据来源" in boundary and "| 生产 | 阳极生产 | 现场数据 | 预焙阳极 |" in boundary
    primary = clause_text(clauses, "primary-data")
    assert "生产者运行的单元过程（电解、阳极生产）应使用现场数据，现场数据为初级数据。" in primary
    assert "活动数据和碳足迹因子均为初级数据" in primary
    electricity = clause_text(clauses, "electricity")
    assert "与[5.4](#time-boundary)规定的数据时间范围所在年份对应的全国电网平均电力碳足迹因子" in electricity
    assert "a) 自备电厂：按自备电厂的实际燃料消耗计算因子；\n\nb) 购电协议（PPA）：核算条件未规定。" in electricity
    gwp = clause_text(clauses, "gwp")
    assert "a) 二氧化碳（CO₂）：阳极消耗；\n\nb) 四氟化碳（CF₄）：阳极效应；\n\nc) 化石源甲烷（CH₄）。" in gwp
    annex_c = clause_text(clauses, "annex-c")
    rows = [line for line in annex_c.splitlines() if line.startswith("| ") and "温室气体" not in line]
    assert rows == ["| 二氧化碳 | CO₂ | 1 |", "| 四氟化碳 | CF₄ | 7 380 |", "| 甲烷（化石源） | CH₄ | 29.8 |"]
    classes = clause_text(clauses, "performance-classes")
    assert "表 2　水泥碳足迹等级" in classes  # 表 1 is the unit processes' table in 5.2
    assert "| 1 级 | ≤ 12 000 |" in classes and "| 2 级 | > 12 000，且 ≤ 15 500.5 |" in classes
    assert "k) 按[第 10 章](#performance-classes)确定的等级。" in clause_text(clauses, "report")
    ids = [clause["id"] for clause in clauses]
    assert ids.index("report") + 1 == ids.index("performance-classes") == ids.index("annex-a") - 1


def test_without_the_optional_fields_the_text_says_what_1_0_said(template, document):
    clauses = template.render_clauses(document)
    assert "performance-classes" not in [clause["id"] for clause in clauses]
    assert "图 1" not in clause_text(clauses, "system-boundary")  # no figure, no citation of one
    assert "量化的温室气体至少包括二氧化碳（CO₂）" in clause_text(clauses, "gwp")
    annex_c = clause_text(clauses, "annex-c")
    assert "| 甲烷（生物源） | CH₄ | 27.0 |" in annex_c and "| 六氟化硫 | SF₆ | 25 200 |" in annex_c
    document["parameters"]["electricity"]["grid_factor_year"] = "latest"
    assert "最新发布的全国电网平均电力碳足迹因子" in clause_text(template.render_clauses(document), "electricity")


@pytest.mark.parametrize(
    ("gwp_set", "expected"),
    [("IPCC-AR5-GWP100", "| 六氟化硫 | SF₆ | 23 500 |"), ("IPCC-AR4-GWP100", "| 氧化亚氮 | N₂O | 298 |")],
)
def test_annex_c_prints_the_values_of_the_rules_gwp_set(template, document, gwp_set, expected):
    document["parameters"]["gwp_set"] = gwp_set
    assert expected in clause_text(template.render_clauses(document), "annex-c")


def test_annex_c_names_the_source_for_a_set_without_values(template, document):
    document["parameters"]["gwp_set"] = "IPCC-AR6-GWP20"
    annex_c = clause_text(template.render_clauses(document), "annex-c")
    assert "IPCC-AR6-GWP20" in annex_c and "表 C.1" not in annex_c


def test_the_gwp_values_of_annex_c_are_the_engines():
    from workbench.factors import reference

    values = templates.load().data["gwp"]["sets"]
    assert set(values) == set(reference.GWP_FILES)
    for gwp_set, table in values.items():
        assert {gas: float(value) for gas, value in table["values"].items()} == reference.gwp_table(gwp_set), gwp_set
    gases = templates.load().schema["$defs"]["gas"]["enum"]
    assert set(gases) == set(reference.gas_formulas()) == set(templates.load().data["gwp"]["formulas"])


def test_every_annex_is_cited_in_the_body(template, document):
    body = "\n".join(clause["text"] for clause in document["clauses"] if not clause["kind"].startswith("annex"))
    assert "应按[附录A](#annex-a)" in body  # a normative annex, cited with a requirement
    assert "见[附录B](#annex-b)" in body and "见[附录C](#annex-c)" in body
    annex_b = [clause for clause in document["clauses"] if clause["number"].startswith("B.")]
    assert [clause["kind"] for clause in annex_b] == ["annex_informative"] * 6
    assert clause_text(document["clauses"], "annex-b") == ""  # its text is in B.1–B.6: no hanging paragraph


def test_formula_1_is_written_in_the_formula_markup(template, document):
    formula = clause_text(document["clauses"], "formula")
    paragraphs = formula.split("\n\n")
    display = [paragraph for paragraph in paragraphs if paragraph.startswith("$$")]
    assert len(display) == 1 and re.fullmatch(r"\$\$[^$]+\$\$[ \u3000]*（1）", display[0])
    assert r"\frac{" in display[0] and "Σ" not in formula  # LaTeX, not the 1.0 plain text
    assert "$C$ ——水泥碳足迹，单位为 kg CO₂e/t；" in paragraphs


def test_size_limits(template, document):
    document["figures"] = [
        {"id": "big", "media_type": "image/png", "data": "A" * 700_004},
        {"id": "bad", "media_type": "image/png", "data": "not base64!"},
        {"id": "gif", "media_type": "image/gif", "data": "R0lGOD=="},
    ]
    document["parameters"]["unit_processes"] = [
        {"id": f"p{n}", "name": "过程", "stage": "production", "data_source": "site"} for n in range(101)
    ]
    problems = template.validate(document)
    assert paths(problems) == [
        "/figures/0/data",
        "/figures/1/data",
        "/figures/2/media_type",
        "/parameters/unit_processes",
    ]
    assert "Base64" in problems[1].message
    document["figures"] = [{"id": "ok", "media_type": "image/svg+xml", "data": "PHN2Zy8+" * 87_500}]  # 700 000
    document["parameters"]["unit_processes"] = []
    assert template.validate(document) == []


def test_an_optional_chapter_follows_its_parameter(template, document):
    with_classes = with_everything(copy.deepcopy(document))
    with_classes["clauses"] = document["clauses"]
    added = template.follow_parameters(document, with_classes)
    ids = [clause["id"] for clause in added["clauses"]]
    assert ids[ids.index("report") + 1] == "performance-classes"
    assert "k) 按[第 10 章]" in clause_text(added["clauses"], "report")

    without = copy.deepcopy(added)
    del without["parameters"]["performance_classes"]
    removed = template.follow_parameters(added, without)
    assert "performance-classes" not in [clause["id"] for clause in removed["clauses"]]

    reworded = copy.deepcopy(added)
    next(clause for clause in reworded["clauses"] if clause["id"] == "performance-classes")["text"] += "\n\n另有规定。"
    kept = copy.deepcopy(reworded)
    del kept["parameters"]["performance_classes"]
    kept = template.follow_parameters(reworded, kept)
    assert "另有规定。" in clause_text(kept["clauses"], "performance-classes")  # the drafters' text stays


# -- the 1.1 examples ------------------------------------------------------------------------------


def test_cement_example_writes_formula_2_in_the_formula_markup():
    calcination = clause_text(example("cement.json")["clauses"], "calcination-emissions")
    assert (
        r"$$E_{\mathrm{cl}} = Q_{\mathrm{cl}} \times [(w_{\mathrm{CaO}} − w_{\mathrm{CaO,nc}}) \times \frac{44}{56} "
        r"+ (w_{\mathrm{MgO}} − w_{\mathrm{MgO,nc}}) \times \frac{44}{40}] \times 1000$$　　（2）"
    ) in calcination.split("\n\n")
    assert r"$w_{\mathrm{CaO,nc}}$、$w_{\mathrm{MgO,nc}}$ ——" in calcination


@pytest.mark.parametrize("name", ["cement.json", "lithium-ion-battery.json"])
def test_examples_state_one_data_period(name):
    document = example(name)
    period = document["parameters"]["data_period"]
    assert f"活动数据的时间范围为{period}" in clause_text(document["clauses"], "time-boundary")
    assert f"数据时间范围：{period}；" in clause_text(document["clauses"], "annex-b-goal-and-scope")


def test_examples_use_the_new_fields():
    cement, battery = example("cement.json"), example("lithium-ion-battery.json")
    for document in (cement, battery):
        parameters = document["parameters"]
        assert parameters["unit_processes"] and parameters["greenhouse_gases"] and parameters["electricity"]["sources"]
    assert cement["parameters"]["primary_data_share"] == "site_activity"
    assert battery["parameters"]["primary_data_share"] == "activity_and_factor"


# -- reading 1.0 documents ---------------------------------------------------------------------------


def test_upgrade_changes_the_template_and_nothing_else():
    for path in OLD_EXAMPLES:
        old = json.loads(path.read_text(encoding="utf-8"))
        before = copy.deepcopy(old)
        upgraded = templates.upgrade(old)
        assert old == before  # pure: the input is not changed
        assert upgraded == {**old, "template": "cfp-product-rule@1.1"}
        assert list(upgraded) == list(old)  # keys keep their order
        assert templates.load().validate(upgraded) == [], path.name
        assert templates.load().render_clauses(upgraded)  # and renders under 1.1


def test_upgrade_leaves_current_unknown_and_broken_documents_alone(document):
    assert templates.upgrade(document) is document
    unknown = {**document, "template": "cfp-product-rule@9.9"}
    assert templates.upgrade(unknown) is unknown
    for value in (None, [], "text", {"title": "没有模板标识"}, {"template": 3}):
        assert templates.upgrade(value) is value
    assert templates.upgraded_ref("cfp-product-rule@1.0") == "cfp-product-rule@1.1" == templates.DEFAULT_TEMPLATE
    assert templates.upgraded_ref("cfp-product-rule@1.1") == "cfp-product-rule@1.1"
    assert templates.upgraded_ref("x@2") == "x@2"


def test_workbench_check_reads_a_1_0_file_as_1_1(tmp_path):
    from click.testing import CliRunner

    from workbench.drafting.cli import check as command

    result = CliRunner().invoke(command, [str(OLD_FOLDER / "examples" / "cement.json"), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert result.stderr == ""
    broken = json.loads((OLD_FOLDER / "examples" / "cement.json").read_text(encoding="utf-8"))
    broken["figures"] = "none"  # a 1.1 field: only a 1.1 schema judges it
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(command, [str(path)])
    assert result.exit_code == 2 and "cfp-product-rule@1.1" in result.stderr and "/figures" in result.stderr


# -- stored 1.0 rules: read as 1.1, saved as 1.1, `workbench rules migrate` --------------------------


def legacy_rule(session, name="水泥"):
    """A rule as the workbench stored it before 1.1: rule.template 1.0 and a 1.0 current revision."""
    from workbench.db import utcnow
    from workbench.drafting.models import RuleRevision

    from .drafting_helpers import make_rule

    rule = make_rule(session, name=name)
    old = json.loads((OLD_FOLDER / "examples" / "cement.json").read_text(encoding="utf-8"))
    old["product"]["name"] = name
    old["title"] = f"温室气体 产品碳足迹量化方法与要求 {name}"
    rule.current_revision += 1
    session.add(
        RuleRevision(
            rule=rule,
            number=rule.current_revision,
            based_on=1,
            document=old,
            message="1.0 时保存",
            author_label="旧版",
            created_at=utcnow(),
        )
    )
    rule.template = "cfp-product-rule@1.0"
    session.flush()
    return rule


def test_a_stored_1_0_rule_is_checked_and_validated_as_1_1(session):
    from workbench.drafting import checks, service

    rule = legacy_rule(session)
    stored = service.revision(session, rule).document
    assert stored["template"] == "cfp-product-rule@1.0"
    assert service.template_of(rule).ref == "cfp-product-rule@1.1"
    assert service.validate(rule, stored) == []
    assert service.validate("cfp-product-rule@1.0", stored) == []  # an imported 1.0 file
    found = service.findings(session, rule, stored)
    expected = checks.check(templates.upgrade(stored), enabled=templates.RULE_CODES, reference_status=lambda key: None)
    assert [(finding.code, finding.path) for finding in found] == [(finding.code, finding.path) for finding in expected]


def test_saving_a_1_0_rule_stores_it_as_1_1(session):
    from workbench.audit.models import AuditEvent
    from workbench.drafting import service

    from .conftest import ADMIN

    rule = legacy_rule(session)
    document = copy.deepcopy(service.revision(session, rule).document)
    document["parameters"]["cut_off"]["per_item_percent"] = 0.5
    saved = service.save_revision(session, rule, document, message="改取舍", based_on=2, by=ADMIN)
    assert saved.number == 3 and saved.document["template"] == "cfp-product-rule@1.1"
    assert saved.document["parameters"]["cut_off"]["per_item_percent"] == 0.5
    assert rule.template == "cfp-product-rule@1.1"
    reasons = session.scalars(
        select(AuditEvent.reason).where(AuditEvent.record_type == "rule", AuditEvent.record_id == str(rule.id))
    ).all()
    assert "规则文件按新版模板保存" in reasons


def test_rules_migrate_upgrades_each_1_0_rule_once(cli_runner, database):
    from workbench.audit.models import AuditEvent
    from workbench.drafting import service
    from workbench.drafting.models import Rule, RuleRevision

    from .drafting_helpers import make_rule

    with database() as session:
        legacy = legacy_rule(session)
        published = legacy_rule(session, name="平板玻璃")
        published.stage = "60"  # a published standard: no revision behind the group's back
        current = make_rule(session, name="电解铝")
        session.commit()
        codes = legacy.code, published.code, current.code
        before = copy.deepcopy(service.revision(session, legacy).document)

    dry = cli_runner("rules", "migrate", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"{codes[0]} cfp-product-rule@1.0 → cfp-product-rule@1.1: 将升级" in dry.output
    assert codes[2] not in dry.output
    with database() as session:
        assert session.scalar(select(func.count()).select_from(RuleRevision)) == 5  # nothing written
        assert session.scalar(select(Rule.template).where(Rule.code == codes[0])) == "cfp-product-rule@1.0"

    result = cli_runner("rules", "migrate")
    assert result.exit_code == 0, result.output
    assert f"{codes[0]} cfp-product-rule@1.0 → cfp-product-rule@1.1: 第 3 版" in result.output
    assert f"{codes[1]} cfp-product-rule@1.0 → cfp-product-rule@1.1: 保持原样" in result.output
    assert "升级 upgraded 1，保持原样 kept 1，已是当前版本 current 1" in result.output
    with database() as session:
        rule = session.scalar(select(Rule).where(Rule.code == codes[0]))
        saved = service.revision(session, rule)
        assert (saved.number, saved.based_on, saved.message) == (3, 2, "模板升级到 1.1")
        assert (saved.author_id, saved.author_label) == (None, "system")
        assert saved.document == {**before, "template": "cfp-product-rule@1.1"}
        assert rule.template == "cfp-product-rule@1.1"
        event = session.scalar(
            select(AuditEvent).where(AuditEvent.record_type == "rule_revision", AuditEvent.record_id == str(saved.id))
        )
        assert event is not None and event.actor_label.endswith("(operator)")  # who ran the command
        untouched = session.scalar(select(Rule).where(Rule.code == codes[1]))
        assert (untouched.current_revision, untouched.template) == (2, "cfp-product-rule@1.0")

    again = cli_runner("rules", "migrate")
    assert "升级 upgraded 0，保持原样 kept 1，已是当前版本 current 2" in again.output
    with database() as session:
        assert session.scalar(select(func.count()).select_from(RuleRevision)) == 6  # one written, once


# -- the parameters form on 1.1 ------------------------------------------------------------------------


def test_the_parameters_form_shows_the_new_scalars_and_keeps_the_lists(template):
    from werkzeug.datastructures import MultiDict

    from workbench.drafting import schema_forms

    from .drafting_helpers import form_data

    document = example("cement.json")
    document["parameters"]["performance_classes"] = {
        "basis": "按分布",
        "classes": [{"grade": "1 级", "upper_limit": 800}],
    }
    fields = {}

    def walk(field):
        fields[field.path] = field
        for child in field.children:
            walk(child)

    for field in schema_forms.fields_for(template.schema, document):
        walk(field)
    assert fields["/parameters/primary_data_share"].kind == "select"
    assert ("activity_and_factor", "活动数据和因子均为初级数据（PACT）") in fields[
        "/parameters/primary_data_share"
    ].choices
    assert fields["/parameters/electricity/grid_factor_year"].value == "data_period"
    assert fields["/parameters/declared_unit/reference_product"].kind == "text"
    for listed in ("unit_processes", "greenhouse_gases", "additional_units", "electricity/sources"):
        assert f"/parameters/{listed}" not in fields  # lists of objects: the document page
    assert not any(path.startswith("/parameters/performance_classes") for path in fields)  # needs its classes

    submitted = form_data(document, **{"/parameters/primary_data_share": "activity_and_factor"})
    saved = schema_forms.apply(template.schema, document, MultiDict(submitted))
    assert saved["parameters"]["primary_data_share"] == "activity_and_factor"
    for key in ("unit_processes", "greenhouse_gases", "performance_classes"):
        assert saved["parameters"][key] == document["parameters"][key]
    assert saved["parameters"]["electricity"]["sources"] == document["parameters"]["electricity"]["sources"]
    cleared = schema_forms.apply(
        template.schema, document, MultiDict(form_data(document, **{"/parameters/primary_data_share": ""}))
    )
    assert "primary_data_share" not in cleared["parameters"] and template.validate(cleared) == []
