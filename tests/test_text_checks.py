"""Checks that read the text (workbench.drafting.text_checks, reference_checks) and the guideline
content the parameters alone cannot show, on the rule that encodes GB/T 44905-2024.

Each breach starts from that rule, which gives no finding, and makes exactly one breach; the test
asserts the code, severity, article and place (and the line, where the text is the place). The
false positives the issue names are tested to be gone, on the same rule and on the template's
examples and skeletons.
"""

import json
from pathlib import Path

import pytest

from workbench.drafting import checks, service
from workbench.drafting import template as templates
from workbench.errors import InvalidInput
from workbench.guideline.catalogue import text as text_catalogue
from workbench.registry import service as registry

from .conftest import ADMIN
from .drafting_helpers import make_rule

TESTS = Path(__file__).resolve().parent
FIXTURE = TESTS / "rules" / "gbt-44905-2024.json"
TEMPLATES = TESTS.parent / "rule_templates" / "cfp-product-rule"
EXAMPLES_1_0 = sorted((TEMPLATES / "1.0" / "examples").glob("*.json"))

# The codes this part of the issue added or changed: none of them may fire on a conformant rule.
TEXT_CODES = {check.code for check in text_catalogue.CHECKS} | {
    "title_pattern",
    "title_en_pattern",
    "reference_undated",
    "boundary_partial_without_justification",
    "secondary_priority_order",
    "secondary_priority_skipped",
    "factor_priority_order",
    "factor_priority_skipped",
    "electricity_method_missing",
}
BOUNDARY = "/parameters/system_boundary"


def aluminium() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def run(document, **options):
    return checks.check(document, **options)


def summary(findings) -> list[tuple[str, str, str, str]]:
    return [(finding.code, finding.severity, finding.article, finding.path) for finding in findings]


def index(document, clause_id: str) -> int:
    return next(number for number, clause in enumerate(document["clauses"]) if clause["id"] == clause_id)


def text_path(document, clause_id: str) -> str:
    return f"/clauses/{index(document, clause_id)}/text"


def replace_text(document, clause_id: str, old: str, new: str) -> dict:
    clause = document["clauses"][index(document, clause_id)]
    assert old in clause["text"], (clause_id, old)
    clause["text"] = clause["text"].replace(old, new)
    return document


def add_text(document, clause_id: str, paragraph: str) -> dict:
    document["clauses"][index(document, clause_id)]["text"] += "\n\n" + paragraph
    return document


def one(document, **options):
    """The one finding `document` gives."""
    findings = run(document, **options)
    assert len(findings) == 1, [(f.code, f.path, f.message) for f in findings]
    return findings[0]


# --- no false positives ------------------------------------------------------------------------------


def test_the_gbt_44905_rule_gives_no_finding():
    assert summary(run(aluminium())) == []


def test_a_title_printed_with_full_width_spaces_is_the_title():
    document = aluminium()
    assert "\u3000" in document["title"]  # as GB/T 44905-2024 prints it
    for title in ("温室气体 产品碳足迹量化方法与要求 电解铝", "温室气体  产品碳足迹量化方法与要求\u3000 电解铝"):
        document["title"] = title
        assert run(document) == []
    document["title"] = "温室气体 产品碳足迹量化方法与要求电解铝"  # no space before the product: still wrong
    assert summary(run(document)) == [("title_pattern", "error", "指引（二）", "/title")]


def test_undated_references_are_allowed_where_the_whole_document_applies():
    document = aluminium()
    assert document["normative_references"][0]["number"] == "GB/T 1196"  # undated, as the standard has it
    assert "应符合 GB/T 1196 的规定" in document["clauses"][index(document, "product-description")]["text"]
    assert run(document) == []


@pytest.mark.parametrize("path", EXAMPLES_1_0, ids=[path.stem for path in EXAMPLES_1_0])
def test_the_1_0_examples_give_no_text_finding(path):
    document = json.loads(path.read_text(encoding="utf-8"))
    document["title_en"] = document["title_en"].replace("requirements—", "requirements for ")  # the 1.1 pattern
    assert [f for f in run(document) if f.code in TEXT_CODES] == []


@pytest.mark.parametrize("ref", ["cfp-product-rule@1.0", "cfp-product-rule@1.1"])
@pytest.mark.parametrize("end_use", ["final", "intermediate"])
def test_a_rule_fresh_from_the_template_gives_no_text_finding(ref, end_use):
    template = templates.load(ref)
    document = template.new_document(product_name="光伏组件", end_use=end_use, product_name_en="photovoltaic modules")
    document["title_en"] = checks.TITLE_EN_PREFIX + "photovoltaic modules"
    assert [f for f in run(document, catalogue_end_use=end_use) if f.code in TEXT_CODES] == []


def test_the_english_title_may_be_typed_with_spaced_dashes_or_hyphens():
    document = aluminium()
    for title_en in (
        "Greenhouse gases — Carbon footprint of products — Quantification methods and requirements for primary aluminium",
        "Greenhouse gases - Carbon footprint of products - Quantification methods and requirements for primary aluminium",
        "Greenhouse gases--Carbon footprint of products--Quantification methods and requirements for primary aluminium",
    ):
        document["title_en"] = title_en
        assert run(document) == [], title_en


# --- variations a drafting group legitimately writes: no finding ------------------------------------------


@pytest.mark.parametrize(
    ("clause_id", "sentence", "code"),
    [
        ("system-boundary", "“摇篮到坟墓”的边界包括全部五个生命周期阶段。", "text_boundary_mismatch"),
        ("gwp", "IPCC 第五次评估报告（AR5）给出的化石源甲烷 GWP 为 30。", "text_gwp_mismatch"),
        ("electricity", "位于南方区域电网的企业采用区域电网平均因子。", "text_electricity_mismatch"),
        ("factors", "GB/T 24067—2024 的量化方法与 ISO 14067:2018 一致。", "reference_cited_not_listed"),
    ],
)
def test_a_note_is_informative_and_states_no_parameter(clause_id, sentence, code):
    """GB/T 1.1—2020 9.3, 9.4: notes and examples are informative; the same sentence outside a note
    is read as the rule's own statement."""
    for note in ("注：", "注 1：", "示例："):
        assert run(add_text(aluminium(), clause_id, note + sentence)) == [], note
    assert one(add_text(aluminium(), clause_id, sentence)).code == code


def test_a_sentence_about_products_of_the_other_end_use_is_not_the_rules_boundary():
    document = replace_text(
        aluminium(),
        "system-boundary",
        "故采用“摇篮到大门”的边界。",
        "故采用“摇篮到大门”的边界；终端产品采用摇篮到坟墓。",
    )
    assert run(document) == []
    battery = json.loads((TEMPLATES / "1.1" / "examples" / "lithium-ion-battery.json").read_text(encoding="utf-8"))
    add_text(battery, "system-boundary", "正极材料等中间产品的碳足迹量化采用“摇篮到大门”的边界。")
    assert [f for f in run(battery) if f.code in TEXT_CODES] == []
    add_text(battery, "scope", "本文件采用“摇篮到大门”的边界。")  # the rule's own product: still read
    assert [f.code for f in run(battery) if f.code in TEXT_CODES] == ["text_boundary_mismatch"]


def test_a_cut_off_word_states_the_percentage_after_it_only():
    document = replace_text(
        aluminium(), "cut-off", "该项输入可舍弃；", "该项输入可舍弃，但含氟气体排放占比超过 0.1 % 的不应舍弃；"
    )
    assert run(document) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "次级数据宜采用最近5年内发布的数据，并尽量与数据时间范围一致。",
        "季节性生产的，数据时间范围应覆盖完整的生产季（通常为 6 个月）。",
        "数据时间范围内停产超过 3 个月的，应在报告中说明。",
        "数据时间范围为最近一个完整自然年，即 12 个月。",
    ],
)
def test_a_data_period_is_read_from_what_the_sentence_says_of_the_period(sentence):
    assert run(add_text(aluminium(), "time-boundary", sentence)) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("声明单位为 1 t 重熔用铝锭或", "声明单位为 1 t（1 000 kg）重熔用铝锭或"),
        ("声明单位为 1 t 重熔用铝锭或", "声明单位为 1 000 kg 重熔用铝锭或"),
        ("声明单位为 1 t 重熔用铝锭或", "声明单位为 1 t 重熔用铝锭（每块约 20 kg）或"),
    ],
)
def test_a_unit_restated_in_another_unit_or_with_a_remark_in_brackets_is_the_same_unit(old, new):
    assert run(replace_text(aluminium(), "declared-units", old, new)) == []


def test_a_unit_in_another_unit_of_another_size_is_still_wrong():
    document = replace_text(
        aluminium(), "declared-units", "声明单位为 1 t 重熔用铝锭或", "声明单位为 1 000 g 重熔用铝锭或"
    )
    assert_text_finding(document, "text_unit_mismatch", "GB/T 24067—2024", "declared-units", 1)


def test_a_supplementary_result_with_other_grid_factors_is_not_the_rules_method():
    sentence = "报告中可另行给出按区域电网平均电力碳足迹因子计算的结果，供参考。"
    assert run(add_text(aluminium(), "electricity", sentence)) == []


@pytest.mark.parametrize(
    ("title_en", "suggested"),
    [
        (
            "Greenhouse gases—Carbon footprint of products—Quantification methods and requirements—LED lamps",
            "LED lamps",
        ),
        (
            "Greenhouse Gases—Carbon Footprint of Products—Quantification Methods and Requirements for Primary Aluminium",
            "primary aluminium",
        ),
    ],
)
def test_the_suggested_english_title_is_in_sentence_case_and_keeps_acronyms(title_en, suggested):
    document = aluminium()
    document["title_en"] = title_en
    finding = one(document)
    assert summary([finding]) == [("title_en_pattern", "error", "指引（二）", "/title_en")]
    assert finding.params["suggested"] == checks.TITLE_EN_PREFIX + suggested


# --- 1. the product's end use from the registry's product catalogue -------------------------------------


def test_an_end_use_other_than_the_catalogues_is_an_error():
    finding = one(aluminium(), catalogue_end_use="final")
    assert summary([finding]) == [("product_end_use_catalogue", "error", "指引（三）", "/product/end_use")]
    assert "终端产品" in finding.message and "摇篮到坟墓" in finding.message
    assert run(aluminium(), catalogue_end_use="intermediate") == []
    assert run(aluminium(), catalogue_end_use=None) == []  # `workbench check` has no catalogue


def test_a_battery_rule_declared_intermediate_is_reported_and_suppressed_only_with_a_reason(session):
    rule = make_rule(session, name="锂离子电池", name_en="lithium-ion batteries", end_use="final")
    document = json.loads(json.dumps(service.revision(session, rule).document))
    document["product"]["end_use"] = "intermediate"  # and so allowed cradle-to-gate
    params = document["parameters"]
    params["system_boundary"].update(
        type="cradle_to_gate",
        stages_included=["raw_material_acquisition", "production"],
        stages_excluded=["distribution", "use", "end_of_life"],
        justification="锂离子电池作为中间产品，采用摇篮到大门的边界。",
    )
    params["secondary_data_allowed_stages"] = ["raw_material_acquisition"]
    service.save_revision(session, rule, document, message="改为中间产品", based_on=rule.current_revision, by=ADMIN)
    found = service.findings(session, rule, service.revision(session, rule).document)
    [finding] = [f for f in found if f.code == "product_end_use_catalogue"]
    assert (finding.severity, finding.article, finding.path) == ("error", "指引（三）", "/product/end_use")
    with pytest.raises(InvalidInput, match="理由"):
        service.suppress(session, rule, code=finding.code, path=finding.path, reason="", by=ADMIN)
    service.suppress(
        session, rule, code=finding.code, path=finding.path, reason="本规则只覆盖电芯，供下游组装", by=ADMIN
    )
    [shown] = [
        f
        for f in service.findings(session, rule, service.revision(session, rule).document)
        if f.code == "product_end_use_catalogue"
    ]
    assert shown.suppressed and shown.suppression_reason == "本规则只覆盖电芯，供下游组装"


# --- 2. a partial boundary justified in substance --------------------------------------------------------


def partial(justification: str) -> dict:
    document = aluminium()
    document["parameters"]["system_boundary"].update(type="partial", justification=justification)
    return document


@pytest.mark.parametrize("justification", ["。", "", "  ", "无", "暂无", "N/A", "-", "略", "见上", "无。"])
def test_a_partial_boundary_without_a_reason_is_an_error(justification):
    finding = one(partial(justification))
    assert summary([finding]) == [
        ("boundary_partial_without_justification", "error", "指引（三）", f"{BOUNDARY}/justification")
    ]


def test_a_partial_boundary_with_a_reason_too_short_is_an_error():
    finding = one(partial("数据不全。"))
    assert summary([finding]) == [
        ("boundary_partial_without_justification", "error", "指引（三）", f"{BOUNDARY}/justification")
    ]
    assert "至少 12 个字" in finding.message


def test_a_partial_boundary_must_name_the_stages_it_leaves_out():
    finding = one(partial("由于数据收集困难，且需求评估表明这些内容不必核算，故不纳入。"))
    assert summary([finding]) == [
        ("boundary_partial_without_justification", "error", "指引（三）", f"{BOUNDARY}/justification")
    ]
    assert "分销运输、使用、废弃处置" in finding.message
    assert run(partial("分销运输、使用和废弃处置阶段的数据无法从下游用户处收集，故不纳入。")) == []
    assert run(partial("电解铝的下游加工和用途多样，下游阶段的数据无法收集，故只核算到出厂。")) == []


# --- 3. references against chapter 2 and the text ---------------------------------------------------------

NUMBER_LINE = "GB/T 24067—2024　温室气体 产品碳足迹 量化要求和指南"


def test_gbt_24067_missing_from_the_printed_list_is_an_error():
    document = replace_text(aluminium(), "normative-references", NUMBER_LINE + "\n\n", "")
    finding = one(document)
    assert summary([finding]) == [
        ("reference_list_mismatch", "error", "GB/T 1.1—2020 8.6", text_path(document, "normative-references"))
    ]
    assert "GB/T 24067—2024" in finding.message


def test_gbt_24067_printed_with_a_wrong_title_is_an_error():
    document = replace_text(aluminium(), "normative-references", NUMBER_LINE, "GB/T 24067—2024　温室气体 产品碳足迹")
    finding = one(document)
    assert summary([finding]) == [
        ("reference_list_mismatch", "error", "GB/T 1.1—2020 8.6", text_path(document, "normative-references"))
    ]
    assert finding.params["line"] == 5 and finding.params["printed"] == "温室气体 产品碳足迹"


def test_titles_printed_with_other_spaces_and_dashes_are_the_same_title():
    document = replace_text(
        aluminium(),
        "normative-references",
        NUMBER_LINE,
        "GB/T 24067-2024  温室气体\u3000产品碳足迹\u3000量化要求和指南",
    )
    assert run(document) == []


def test_a_title_printed_in_book_title_marks_is_the_same_title():
    document = replace_text(
        aluminium(), "normative-references", NUMBER_LINE, "GB/T 24067—2024《温室气体 产品碳足迹 量化要求和指南》"
    )
    assert run(document) == []


def test_a_reference_to_all_parts_of_a_document_is_an_undated_reference():
    """GB/T 1.1—2020 9.5.4.2: "GB/T 32151（所有部分）"."""
    document = aluminium()
    document["normative_references"].append({"number": "GB/T 32151（所有部分）", "title": "温室气体排放核算与报告要求"})
    add_text(document, "normative-references", "GB/T 32151（所有部分）　温室气体排放核算与报告要求")
    add_text(document, "activity-data", "其他排放的核算应符合 GB/T 32151（所有部分）的规定。")
    assert run(document) == []
    document["normative_references"][-1]["number"] = "GB/T 32151—2015（所有部分）"  # all parts are undated
    assert "reference_invalid_number" in {finding.code for finding in run(document)}


def test_a_wrong_title_of_gbt_24067_in_the_list_itself_is_warned():
    document = replace_text(aluminium(), "normative-references", NUMBER_LINE, "GB/T 24067—2024　温室气体 产品碳足迹")
    document["normative_references"][1]["title"] = "温室气体 产品碳足迹"
    finding = one(document)
    assert summary([finding]) == [
        ("reference_title_registry", "warning", "GB/T 1.1—2020 8.6", "/normative_references/1/title")
    ]


def test_titles_are_checked_against_the_registry_when_it_knows_them():
    titles = {"GB/T32150-2015": "工业企业温室气体排放核算和报告通则"}
    assert run(aluminium(), reference_title=titles.get) == []
    titles["GB/T32150-2015"] = "工业企业温室气体排放核算和报告指南"
    finding = one(aluminium(), reference_title=titles.get)
    assert summary([finding]) == [
        ("reference_title_registry", "warning", "GB/T 1.1—2020 8.6", "/normative_references/2/title")
    ]


def test_a_printed_entry_that_is_not_listed_is_an_error():
    document = add_text(aluminium(), "normative-references", "GB/T 2589—2020　综合能耗计算通则")
    finding = one(document)
    assert summary([finding]) == [
        ("reference_list_mismatch", "error", "GB/T 1.1—2020 8.6", text_path(document, "normative-references"))
    ]
    assert finding.params["number"] == "GB/T 2589—2020"


def test_a_listed_reference_never_cited_in_the_text_is_warned():
    document = aluminium()
    document["normative_references"].append({"number": "GB/T 2589—2020", "title": "综合能耗计算通则"})
    add_text(document, "normative-references", "GB/T 2589—2020　综合能耗计算通则")
    add_text(document, "foreword", "本文件参考了 GB/T 2589—2020。")  # the 前言 does not cite normatively
    finding = one(document)
    assert summary([finding]) == [
        ("reference_not_cited", "warning", "GB/T 1.1—2020 9.5", "/normative_references/4/number")
    ]


def test_a_document_cited_in_the_text_but_not_listed_is_an_error():
    document = add_text(aluminium(), "activity-data", "能源消耗量应按 GB/T 2589—2020 折算为标准煤。")
    finding = one(document)
    assert summary([finding]) == [
        ("reference_cited_not_listed", "error", "GB/T 1.1—2020 9.5", text_path(document, "activity-data"))
    ]
    assert finding.params["line"] == 15 and finding.params["number"] == "GB/T 2589—2020"


def test_a_document_cited_only_in_an_informative_annex_need_not_be_listed():
    document = add_text(aluminium(), "annex-b", "报告的编排可参考 GB/T 2589—2020。")
    assert run(document) == []


def test_the_text_citing_another_edition_than_the_listed_one_is_an_error():
    document = replace_text(aluminium(), "activity-data", "GB/T 32150—2015", "GB/T 32150—2011")
    finding = one(document)
    assert summary([finding]) == [
        ("reference_cited_not_listed", "error", "GB/T 1.1—2020 9.5", text_path(document, "activity-data"))
    ]
    assert finding.params["cited"] == "GB/T 32150—2011" and finding.params["number"] == "GB/T 32150—2015"


# --- 4. undated references: only what the text contradicts ------------------------------------------------


@pytest.mark.parametrize("citation", ["GB/T 1196 的 4.1", "GB/T 1196 第 4 章", "GB/T 1196 表 1", "GB/T 1196 附录 A"])
def test_an_undated_reference_whose_clause_the_text_cites_is_an_error(citation):
    document = replace_text(aluminium(), "product-description", "应符合 GB/T 1196 的规定", f"应符合 {citation}的规定")
    finding = one(document)
    assert summary([finding]) == [("reference_undated", "error", "GB/T 1.1—2020 9.5", "/normative_references/0/number")]
    assert finding.params["line"] == 3


# --- 6. the English title -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title_en",
    [
        "Greenhouse gases—Carbon footprint of products—Quantification methods and requirements—Primary aluminium",
        "Carbon footprint of products—Primary aluminium",
        "Greenhouse gases—Carbon footprint of products—Quantification methods and requirements for ",
    ],
)
def test_an_english_title_off_the_pattern_is_an_error(title_en):
    document = aluminium()
    document["title_en"] = title_en
    finding = one(document)
    assert summary([finding]) == [("title_en_pattern", "error", "指引（二）", "/title_en")]
    assert "Greenhouse gases—Carbon footprint of products—Quantification methods and requirements for …" in (
        finding.message
    )


def test_the_old_english_title_gets_the_new_one_suggested():
    document = aluminium()
    document["title_en"] = (
        "Greenhouse gases—Carbon footprint of products—Quantification methods and requirements—Primary aluminium"
    )
    finding = one(document)
    assert finding.params["suggested"] == (
        "Greenhouse gases—Carbon footprint of products—Quantification methods and requirements for primary aluminium"
    )


def test_the_missing_english_title_message_shows_the_pattern():
    document = aluminium()
    document["title_en"] = "N/A"
    finding = one(document)
    assert summary([finding]) == [("title_en_missing", "error", "GB/T 1.1—2020 8.1", "/title_en")]
    assert "requirements for lithium-ion batteries" in finding.message


# --- 7. priority orders: the guideline's order and its first choices ---------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("secondary_data_priority", ["estimated"], ("secondary_priority_order", "error", "指引（四）")),
        ("secondary_data_priority", ["literature", "estimated"], ("secondary_priority_order", "error", "指引（四）")),
        ("factor_priority", ["literature"], ("factor_priority_order", "error", "指引（五）")),
        ("factor_priority", ["government", "industry", "literature"], ("factor_priority_order", "error", "指引（五）")),
        (
            "secondary_data_priority",
            ["statistical", "estimated"],
            ("secondary_priority_skipped", "warning", "指引（四）"),
        ),
        ("factor_priority", ["measured_verified", "literature"], ("factor_priority_skipped", "warning", "指引（五）")),
    ],
)
def test_a_priority_list_that_drops_the_first_choice_or_a_middle_tier_is_reported(field, value, expected):
    document = aluminium()
    document["parameters"][field] = value
    assert summary([one(document)]) == [(*expected, f"/parameters/{field}")]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("secondary_data_priority", ["statistical", "literature"]),
        ("secondary_data_priority", ["statistical"]),
        ("secondary_data_priority", []),
        ("factor_priority", ["measured_verified", "government"]),
    ],
)
def test_dropping_the_last_tiers_makes_a_stricter_rule_and_is_accepted(field, value):
    document = aluminium()
    document["parameters"][field] = value
    assert run(document) == []


def test_the_first_choice_message_names_it():
    document = aluminium()
    document["parameters"]["factor_priority"] = ["literature"]
    assert "首选经溯源性核验的实测数据" in one(document).message


# --- 8. instruments and electricity sources only with conditions ----------------------------------------


def instruments(conditions: str) -> dict:
    document = aluminium()
    document["parameters"]["electricity"].update(
        contractual_instruments_allowed=True, instruments=["green_certificate"], conditions=conditions
    )
    return document


@pytest.mark.parametrize("conditions", ["无", "", "N/A", "见上", "-"])
def test_instruments_with_conditions_written_as_nothing_are_an_error(conditions):
    finding = one(instruments(conditions))
    assert summary([finding]) == [
        ("electricity_method_missing", "error", "指引（四）", "/parameters/electricity/conditions")
    ]


def test_instruments_with_conditions_too_short_are_an_error():
    finding = one(instruments("按规定执行"))
    assert summary([finding]) == [
        ("electricity_method_missing", "error", "指引（四）", "/parameters/electricity/conditions")
    ]
    assert "至少 10 个字" in finding.message
    assert run(instruments("绿色电力证书对应的电量应在数据时间范围内由本厂区消纳，且未被重复声明")) == []


@pytest.mark.parametrize("conditions", ["无", "", "按规定"])
def test_an_electricity_source_other_than_the_grid_needs_its_conditions(conditions):
    document = aluminium()
    document["parameters"]["electricity"]["sources"][1]["conditions"] = conditions
    finding = one(document)
    assert summary([finding]) == [
        ("electricity_method_missing", "error", "指引（四）", "/parameters/electricity/sources/1/conditions")
    ]
    assert "自备电厂" in finding.message


def test_the_grid_needs_no_conditions_of_its_own():
    document = aluminium()
    document["parameters"]["electricity"]["sources"][0]["conditions"] = ""
    assert run(document) == []


# --- 9. the producer's own processes on primary data ------------------------------------------------------


def test_primary_data_for_raw_materials_only_and_secondary_for_production_is_an_error():
    document = aluminium()
    document["parameters"]["primary_data_stages"] = ["raw_material_acquisition"]
    document["parameters"]["secondary_data_allowed_stages"] = ["production"]
    replace_text(document, "primary-data", "生产阶段应使用初级数据", "原材料获取阶段应使用初级数据")
    finding = one(document)
    assert summary([finding]) == [
        ("primary_data_own_processes", "error", "GB/T 24067—2024 6.3.5", "/parameters/primary_data_stages")
    ]


def test_secondary_data_allowed_for_production_as_well_is_warned():
    document = aluminium()
    document["parameters"]["secondary_data_allowed_stages"] = ["raw_material_acquisition", "production"]
    finding = one(document)
    assert summary([finding]) == [
        (
            "secondary_data_own_processes",
            "warning",
            "GB/T 24067—2024 6.3.5",
            "/parameters/secondary_data_allowed_stages/1",
        )
    ]


def test_a_production_process_on_background_data_is_an_error():
    document = aluminium()
    processes = document["parameters"]["unit_processes"]
    electrolysis = next(number for number, process in enumerate(processes) if process["id"] == "electrolysis")
    processes[electrolysis]["data_source"] = "background"
    finding = one(document)
    assert summary([finding]) == [
        (
            "primary_data_own_processes",
            "error",
            "GB/T 24067—2024 6.3.5",
            f"/parameters/unit_processes/{electrolysis}/data_source",
        )
    ]
    assert "电解" in finding.message


# --- 10. the text against the parameters -----------------------------------------------------------------


def assert_text_finding(document, code: str, article: str, clause_id: str, line: int, severity: str = "error"):
    finding = one(document)
    assert summary([finding]) == [(code, severity, article, text_path(document, clause_id))]
    assert finding.params["line"] == line
    return finding


def test_scope_saying_cradle_to_grave_for_a_cradle_to_gate_boundary_is_an_error():
    document = replace_text(
        aluminium(), "scope", "从原材料获取到产品出厂（摇篮到大门）", "从原材料获取到废弃处置（摇篮到坟墓）"
    )
    finding = assert_text_finding(document, "text_boundary_mismatch", "指引（三）", "scope", 3)
    assert "摇篮到坟墓" in finding.message and "摇篮到大门" in finding.message


def test_the_boundarys_name_in_the_scope_counts_over_the_words_around_it():
    document = replace_text(aluminium(), "scope", "（摇篮到大门）", "（摇篮到坟墓）")
    finding = assert_text_finding(document, "text_boundary_mismatch", "指引（三）", "scope", 3)
    assert finding.params["said"].code == "cradle_to_grave"


def test_a_sentence_that_negates_or_compares_boundaries_is_not_a_statement():
    document = add_text(aluminium(), "system-boundary", "本文件不采用摇篮到坟墓的边界。")
    assert run(document) == []


@pytest.mark.parametrize(
    ("clause_id", "sentence"),
    [
        ("electricity", "企业可采用区域电网平均电力碳足迹因子开展敏感性分析。"),
        ("gwp", "需要与其他研究比较时，可同时给出按 IPCC 第五次评估报告（AR5）计算的结果。"),
        ("scope", "预焙阳极生产企业可参照本文件量化从原材料获取到废弃处置的碳足迹。"),
        ("system-boundary", "生产阶段不计入资本货物的排放。"),
    ],
)
def test_sentences_about_alternatives_are_not_statements_of_the_rules_choice(clause_id, sentence):
    assert run(add_text(aluminium(), clause_id, sentence)) == []


def test_the_templates_own_boundary_sentence_is_read_past_its_negated_part():
    """ "边界为“摇篮到坟墓”，包括…，不包括…": the negation belongs to the last part only."""
    sentence = (
        "电解铝碳足迹量化的系统边界为“摇篮到坟墓”，包括原材料获取、生产阶段，不包括分销运输、使用、废弃处置阶段。"
    )
    finding = assert_text_finding(
        add_text(aluminium(), "system-boundary", sentence),
        "text_boundary_mismatch",
        "指引（三）",
        "system-boundary",
        31,
    )
    assert "摇篮到坟墓" in finding.message


def test_an_excluded_stage_said_to_be_included_is_an_error():
    document = replace_text(
        aluminium(), "system-boundary", "包括原材料获取和生产两个阶段", "包括原材料获取、生产和使用阶段"
    )
    finding = assert_text_finding(document, "text_boundary_mismatch", "指引（三）", "system-boundary", 1)
    assert "使用" in finding.message


def test_an_included_stage_said_to_be_excluded_is_an_error():
    document = replace_text(
        aluminium(),
        "system-boundary",
        "分销运输、使用和废弃处置阶段不纳入系统边界",
        "生产、分销运输、使用和废弃处置阶段不纳入系统边界",
    )
    assert_text_finding(document, "text_boundary_mismatch", "指引（三）", "system-boundary", 25)


def test_a_declared_unit_stated_in_kilograms_for_one_tonne_is_an_error():
    document = replace_text(aluminium(), "annex-b", "声明单位（1 t 重熔用铝锭", "声明单位（1 kg 重熔用铝锭")
    finding = assert_text_finding(document, "text_unit_mismatch", "GB/T 24067—2024", "annex-b", 5)
    assert finding.params["said"] == "1 kg" and finding.params["expected"] == "1 t 重熔用铝锭、1 t 铝液"


def test_a_functional_unit_named_where_the_rule_has_declared_units_is_an_error():
    document = add_text(aluminium(), "declared-units", "本文件的功能单位为 1 t 铝液。")
    finding = assert_text_finding(document, "text_unit_mismatch", "GB/T 24067—2024", "declared-units", 9)
    assert "参数中只有声明单位：改为“声明单位”" in finding.message


def test_units_written_as_words_or_symbols_are_the_same_unit():
    document = add_text(aluminium(), "declared-units", "铝液的声明单位为 1 吨铝液。")
    assert run(document) == []


def test_a_data_period_stated_otherwise_than_the_parameter_is_an_error():
    document = replace_text(
        aluminium(), "time-boundary", "最近一个完整自然年（1 月 1 日至 12 月 31 日）", "最近连续 12 个月"
    )
    assert_text_finding(document, "text_data_period_mismatch", "GB/T 24067—2024", "time-boundary", 1)


def test_the_demo_cement_rule_states_two_data_periods():
    """The demo's third revision of the cement rule (workbench/drafting/seed.py) changes the
    parameter to 12 months and leaves 5.4 and annex B saying a natural year."""
    document = json.loads((TEMPLATES / "1.0" / "examples" / "cement.json").read_text(encoding="utf-8"))
    document["parameters"]["data_period"] = "核算前最近连续 12 个月（不足 12 个月的按实际生产期）"
    found = [f for f in run(document) if f.code == "text_data_period_mismatch"]
    assert [(f.severity, f.article, f.path, f.params["line"]) for f in found] == [
        ("error", "GB/T 24067—2024", text_path(document, "time-boundary"), 1),
        ("error", "GB/T 24067—2024", text_path(document, "annex-b"), 9),
    ]


def test_an_exception_for_new_production_lines_is_not_a_data_period():
    document = add_text(
        aluminium(), "time-boundary", "新建电解系列投产不满 12 个月的，数据时间范围可为连续稳定生产 3 个月以上。"
    )
    assert run(document) == []


@pytest.mark.parametrize(
    ("old", "new", "clause_id", "line", "variant"),
    [
        ("小于电解铝产品碳足迹的 1 %", "小于电解铝产品碳足迹的 2 %", "cut-off", 1, ""),
        ("不应超过电解铝产品碳足迹的 5 %", "不应超过电解铝产品碳足迹的 10 %", "cut-off", 1, "total"),
        ("单项 1 %，合计 5 %", "单项 1 %，合计 3 %", "annex-b", 5, "total"),
    ],
)
def test_cut_off_numbers_stated_otherwise_are_an_error(old, new, clause_id, line, variant):
    document = replace_text(aluminium(), clause_id, old, new)
    finding = assert_text_finding(document, "text_cut_off_mismatch", "GB/T 24067—2024", clause_id, line)
    assert (
        finding.template
        == text_catalogue.CHECKS[
            [check.code for check in text_catalogue.CHECKS].index("text_cut_off_mismatch")
        ].messages[variant]
    )


def test_a_gwp_report_other_than_the_set_is_an_error():
    document = replace_text(aluminium(), "gwp", "第六次评估报告（AR6）", "第五次评估报告（AR5）")
    assert_text_finding(document, "text_gwp_mismatch", "GB/T 24067—2024", "gwp", 1)


def test_a_gwp_horizon_other_than_the_set_is_an_error():
    document = replace_text(aluminium(), "gwp", "（AR6）100 年", "（AR6）20 年")
    assert_text_finding(document, "text_gwp_mismatch", "GB/T 24067—2024", "gwp", 1)


def test_regional_grid_factors_in_the_text_of_a_national_rule_are_an_error():
    document = replace_text(aluminium(), "electricity", "全国电网平均", "区域电网平均")
    finding = assert_text_finding(document, "text_electricity_mismatch", "指引（四）", "electricity", 3)
    assert "区域电网平均" in finding.message and "全国电网平均" in finding.message


def test_primary_data_stages_stated_otherwise_are_an_error():
    document = replace_text(aluminium(), "primary-data", "生产阶段应使用初级数据", "原材料获取阶段应使用初级数据")
    assert_text_finding(document, "text_data_stages_mismatch", "指引（四）", "primary-data", 1)


def test_secondary_data_allowed_in_the_text_for_a_stage_the_parameters_do_not_is_an_error():
    document = add_text(aluminium(), "secondary-data", "生产阶段在初级数据无法获取时可使用次级数据。")
    assert_text_finding(document, "text_data_stages_mismatch", "指引（四）", "secondary-data", 13)


def test_every_new_code_has_a_breaking_case_here():
    source = Path(__file__).read_text(encoding="utf-8")
    for check in text_catalogue.CHECKS:
        assert f'"{check.code}"' in source, check.code
    for code in ("title_en_pattern", "secondary_priority_skipped", "factor_priority_skipped"):
        assert f'"{code}"' in source, code


# --- the registry, through the service -----------------------------------------------------------------


def test_the_service_passes_the_registered_titles_to_the_checks(session):
    rule = make_rule(session)
    registry.create_standard(
        session,
        registry.StandardInput(
            level="national", numbers="GB/T 2589-2020", title="综合能耗计算通则", status="published"
        ),
        by=ADMIN,
    )
    document = json.loads(json.dumps(service.revision(session, rule).document))
    document["normative_references"].append({"number": "GB/T 2589—2020", "title": "综合能耗计算导则"})
    found = {(f.code, f.severity, f.path) for f in service.findings(session, rule, document)}
    assert ("reference_title_registry", "warning", "/normative_references/1/title") in found
