"""The rule template: schema, clause skeletons, new documents, Chinese schema problems, examples."""

import copy
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from workbench.drafting import template as templates
from workbench.drafting.template import DEFAULT_TEMPLATE, TemplateError
from workbench.schema_errors import Problem as SchemaProblem

FOLDER = templates.TEMPLATES_DIR / "cfp-product-rule" / "1.0"
EXAMPLES = sorted((FOLDER / "examples").glob("*.json"))
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
    assert template.manifest["id"] == "cfp-product-rule" and template.manifest["version"] == "1.0"
    assert template.checks == tuple(json.loads((FOLDER / "checks.json").read_text(encoding="utf-8")))


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
    assert kinds_in_order[-2:] == ["annex_normative", "annex_informative"]


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
    assert (
        template.title_en_for("Cement")
        == "Greenhouse gases—Carbon footprint of products—Quantification methods and requirements—Cement"
    )
    assert template.title_en_for("  ") == ""


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
    assert document["title_en"].endswith("—Lithium-ion batteries")
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
    assert [clause["id"] for clause in document["clauses"]] == [entry["id"] for entry in template.manifest["clauses"]]


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
    assert "单项 0.5%，累计 3%" in clause_text(clauses, "annex-b")
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
    assert "annex-a" in found and "annex-b" in found


@pytest.mark.parametrize("end_use", ["final", "intermediate"])
def test_cross_references_in_new_documents_resolve(template, end_use):
    document = template.new_document(product_name="产品", end_use=end_use)
    for clause in document["clauses"]:
        assert set(CROSS_REFERENCE.findall(clause["text"])) <= targets_of(document), clause["id"]


# -- examples -----------------------------------------------------------------------------------


def test_there_are_two_examples():
    assert [path.name for path in EXAMPLES] == ["cement.json", "lithium-ion-battery.json"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_examples_validate_and_resolve(template, path):
    document = json.loads(path.read_text(encoding="utf-8"))
    assert template.validate(document) == []
    assert document["title"] == template.title_for(document["product"]["name"])
    assert document["title_en"] == template.title_en_for(document["title_en"].rsplit("—", 1)[1])
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
    assert "cfp-product-rule@1.0" in problems[3].message


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
