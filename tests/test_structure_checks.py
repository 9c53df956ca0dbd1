"""GB/T 1.1—2020 structure checks of a rule's text (workbench.drafting.structure_checks).

The base is the real standard GB/T 44905-2024 encoded in tests/rules/gbt-44905-2024.json: it gives
none of these findings. Each test makes exactly one breach on it and asserts code, severity,
article, place and line; the false positives a GB editor would not raise are tested to stay away.
"""

import copy
import json
from pathlib import Path

import pytest

from workbench.drafting import checks, structure_checks
from workbench.drafting import template as templates
from workbench.drafting.check_report import Report
from workbench.guideline import Finding
from workbench.guideline.catalogue import structure

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "rules" / "gbt-44905-2024.json"
EXAMPLES_1_0 = sorted((ROOT / "rule_templates" / "cfp-product-rule" / "1.0" / "examples").glob("*.json"))
EXAMPLES_1_1 = sorted((ROOT / "rule_templates" / "cfp-product-rule" / "1.1" / "examples").glob("*.json"))
CODES = tuple(check.code for check in structure.CHECKS)
GB = "GB/T 1.1—2020"


def base() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def run(document) -> list[Finding]:
    report = Report(CODES)
    structure_checks.check(document, report)
    return report.findings


def summary(findings) -> list[tuple]:
    return [(found.code, found.severity, found.article, found.path, found.params.get("line")) for found in findings]


def at(document, number: str) -> int:
    """The index of the clause numbered `number`."""
    return next(index for index, clause in enumerate(document["clauses"]) if clause["number"] == number)


def clause(document, number: str) -> dict:
    return document["clauses"][at(document, number)]


def replace_text(document, number: str, old: str, new: str) -> None:
    target = clause(document, number)
    assert old in target["text"], (number, old)
    target["text"] = target["text"].replace(old, new)


def new_clause(number: str, *, kind="technical", text="", title="示例", clause_id=None) -> dict:
    return {"id": clause_id or f"x-{number}", "kind": kind, "number": number, "title": title, "text": text}


# --- the clean documents ---------------------------------------------------------------------------


def test_the_published_standard_has_no_structure_finding():
    assert run(base()) == []


@pytest.mark.parametrize("path", EXAMPLES_1_1, ids=[path.stem for path in EXAMPLES_1_1])
def test_the_1_1_examples_have_no_structure_finding(path):
    assert run(json.loads(path.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("path", EXAMPLES_1_0, ids=[path.stem for path in EXAMPLES_1_0])
def test_a_1_0_example_lacks_only_the_gwp_annex(path):
    """Template 1.0 has annexes A (数据收集) and B (报告格式) only: 1.1 adds 附录C."""
    document = json.loads(path.read_text(encoding="utf-8"))
    assert summary(run(document)) == [("annex_gwp_missing", "error", "指引（二）", "/clauses", None)]


@pytest.mark.parametrize("end_use", ["final", "intermediate"])
def test_a_new_1_1_rule_has_no_structure_finding(end_use):
    document = templates.load("cfp-product-rule@1.1").new_document(
        product_name="水泥", end_use=end_use, product_name_en="cement"
    )
    assert run(document) == []


def test_the_checks_run_from_the_rule_checks():
    document = base()
    document["clauses"][at(document, "")]["number"] = "0"
    found = checks.check(document, enabled=CODES)
    assert summary(found) == [("preliminary_numbered", "error", f"{GB} 8.3、8.4", "/clauses/0/number", None)]


# --- numbering ---------------------------------------------------------------------------------------


def test_a_duplicate_sub_clause_number():
    document = base()
    inserted = at(document, "6.2")
    document["clauses"].insert(inserted, new_clause("6.1", text="本条为示例。"))
    found = run(document)
    assert summary(found) == [("clause_numbering", "error", f"{GB} 7.2、7.3", f"/clauses/{inserted}/number", None)]
    assert found[0].message.startswith("编号“6.1”已在前面使用过")


def test_a_gap_in_sub_clause_numbers():
    document = base()
    clause(document, "6.5")["number"] = "6.6"
    clause(document, "6.4")["number"] = "6.5"
    found = run(document)
    assert summary(found) == [
        ("clause_numbering", "error", f"{GB} 7.2、7.3", f"/clauses/{at(document, '6.5')}/number", None)
    ]
    assert found[0].message.startswith("编号“6.5”前面是“6.3”，缺少“6.4”")


def test_a_duplicate_and_a_gap_are_each_reported():
    document = base()
    duplicate, gap = at(document, "6.4"), at(document, "6.5")
    clause(document, "6.4")["number"] = "6.1"  # 6.1 twice, then 6.3 → 6.5
    found = run(document)
    assert [(f.code, f.path, f.params["number"]) for f in found] == [
        ("clause_numbering", f"/clauses/{duplicate}/number", "6.1"),
        ("clause_numbering", f"/clauses/{gap}/number", "6.5"),
    ]
    assert found[1].params == {"number": "6.5", "previous": "6.3", "expected": "6.4"}


def test_a_gap_in_chapter_numbers():
    document = base()
    clause(document, "9")["number"] = "10"
    found = run(document)
    assert summary(found) == [
        ("clause_numbering", "error", f"{GB} 7.2、7.3", f"/clauses/{at(document, '10')}/number", None)
    ]
    assert found[0].params == {"number": "10", "previous": "8", "expected": "9"}


def test_a_sub_clause_outside_its_chapter():
    document = base()
    moved = document["clauses"].pop(at(document, "6.5"))
    document["clauses"].insert(at(document, "7.1"), moved)  # 7, 6.5, 7.1 …
    found = run(document)
    assert summary(found) == [
        ("clause_numbering", "error", f"{GB} 7.2、7.3", f"/clauses/{at(document, '6.5')}/number", None)
    ]
    assert found[0].params == {"number": "6.5", "parent": "6", "previous": "7"}


def test_a_sub_clause_without_its_parent():
    document = base()
    document["clauses"].insert(at(document, "附录A"), new_clause("10.1", text="本条为示例。"))
    found = run(document)
    assert summary(found) == [
        ("clause_numbering", "error", f"{GB} 7.2、7.3", f"/clauses/{at(document, '10.1')}/number", None)
    ]
    assert found[0].params == {"number": "10.1", "parent": "10"}


def test_a_chapter_without_a_number_and_a_number_that_is_none():
    document = base()
    invalid, missing = at(document, "8.2"), at(document, "9")
    clause(document, "9")["number"] = ""
    clause(document, "8.2")["number"] = "8.二"
    found = run(document)
    assert [(f.code, f.path, f.params) for f in found] == [
        ("clause_numbering", f"/clauses/{invalid}/number", {"number": "8.二"}),
        ("clause_numbering", f"/clauses/{missing}/number", {"title": "报告"}),
    ]


def test_full_width_digits_and_spaces_in_numbers_read_as_ascii():
    document = base()
    clause(document, "6.2")["number"] = "６．２"
    clause(document, "附录B")["number"] = "附录 B"
    assert run(document) == []


def test_the_foreword_is_not_numbered():
    document = base()
    clause(document, "")["number"] = "0"
    found = run(document)
    assert summary(found) == [("preliminary_numbered", "error", f"{GB} 8.3、8.4", "/clauses/0/number", None)]


def test_the_introduction_is_not_numbered():
    document = base()
    document["clauses"].insert(1, new_clause("0", kind="introduction", title="引言", text="本文件统一了量化方法。"))
    found = run(document)
    assert summary(found) == [("preliminary_numbered", "error", f"{GB} 8.3、8.4", "/clauses/1/number", None)]
    assert found[0].message == "引言不编号（现为“0”）：清空编号。"


def test_a_gap_in_annex_sub_clauses():
    document = base()
    clause(document, "A.3")["number"] = "A.4"
    found = run(document)
    assert summary(found) == [
        ("clause_numbering", "error", f"{GB} 7.2、7.3", f"/clauses/{at(document, 'A.4')}/number", None)
    ]
    assert found[0].params == {"number": "A.4", "previous": "A.2", "expected": "A.3"}


def test_an_annex_sub_clause_under_another_annex():
    document = base()
    clause(document, "A.3")["number"] = "B.1"
    found = run(document)
    assert summary(found) == [
        ("clause_numbering", "error", f"{GB} 7.2、7.3", f"/clauses/{at(document, 'B.1')}/number", None)
    ]
    assert found[0].message == "条“B.1”在附录A之内：附录A中的条编为 A.1、A.2 …。"


# --- hanging paragraphs --------------------------------------------------------------------------------


def test_a_hanging_paragraph():
    document = base()
    clause(document, "6")["text"] = "\n本章规定数据收集的要求。"
    found = run(document)
    assert summary(found) == [("hanging_paragraph", "error", f"{GB} 7.4", f"/clauses/{at(document, '6')}/text", 2)]
    assert found[0].params["child"] == "6.1" and "6.1 概述" in found[0].message


def test_a_hanging_paragraph_with_a_requirement_says_so():
    document = base()
    clause(document, "6")["text"] = "本章规定数据收集的要求。\n\n数据应完整、可追溯。"
    found = run(document)
    assert summary(found) == [("hanging_paragraph", "error", f"{GB} 7.4", f"/clauses/{at(document, '6')}/text", 3)]
    assert "含有要求（“应”）" in found[0].message


def test_a_hanging_paragraph_in_an_annex():
    document = base()
    clause(document, "附录A")["text"] = "本附录给出数据收集表。"
    found = run(document)
    assert summary(found) == [("hanging_paragraph", "error", f"{GB} 7.4", f"/clauses/{at(document, '附录A')}/text", 1)]
    assert found[0].params["suggestion"] == "A.1"


def test_text_of_a_clause_without_sub_clauses_and_blank_text_are_not_hanging():
    document = base()
    clause(document, "6")["text"] = "  \n\n"
    clause(document, "6.5")["text"] += "\n\n应分别核算。"  # 6.5 has no sub-clauses
    assert run(document) == []


# --- annexes ------------------------------------------------------------------------------------------


def test_two_annexes_a():
    document = base()
    document["clauses"].append(new_clause("附录A", kind="annex_informative", title="补充说明"))
    found = run(document)
    assert summary(found) == [
        ("annex_numbering", "error", f"{GB} 9.6", f"/clauses/{len(document['clauses']) - 1}/number", None)
    ]
    assert found[0].message.startswith("“附录A”已在前面使用过")


def test_annexes_lettered_out_of_order():
    document = base()
    clause(document, "附录C")["number"] = "附录D"
    replace_text(document, "7.2", "见附录C", "见附录D")
    found = run(document)
    assert summary(found) == [
        ("annex_numbering", "error", f"{GB} 9.6", f"/clauses/{at(document, '附录D')}/number", None)
    ]
    assert found[0].params == {"number": "附录D", "previous": "B", "expected": "C"}


def test_an_annex_never_cited():
    document = base()
    replace_text(document, "7.2", "，数值见附录C", "")
    found = run(document)
    assert summary(found) == [
        ("annex_not_cited", "error", f"{GB} 9.6", f"/clauses/{at(document, '附录C')}/number", None)
    ]


def test_an_annex_cited_only_in_its_own_text_is_not_cited():
    document = base()
    replace_text(document, "7.2", "，数值见附录C", "")
    clause(document, "附录C")["text"] += "\n\n本附录C的数值取自 IPCC。"
    assert [found.code for found in run(document)] == ["annex_not_cited"]


def test_another_documents_annex_is_not_a_citation_of_ours():
    document = base()
    replace_text(document, "7.2", "，数值见附录C", "，数值见 GB/T 24067—2024 附录C")
    assert [found.code for found in run(document)] == ["annex_not_cited"]


def test_a_normative_annex_cited_without_a_requirement():
    document = base()
    replace_text(
        document, "6.1", "数据应按附录A 的要求收集和记录，每项数据应注明数据类型和来源。", "数据的收集和记录见附录A。"
    )
    found = run(document)
    assert summary(found) == [
        ("annex_normative_not_required", "error", f"{GB} 9.6", f"/clauses/{at(document, '6.1')}/text", 1)
    ]


def test_an_informative_annex_cited_as_a_requirement():
    document = base()
    replace_text(document, "9", "报告格式见附录B", "报告应按附录B 的格式编写")
    found = run(document)
    assert summary(found) == [
        ("annex_informative_as_requirement", "warning", f"{GB} 9.6", f"/clauses/{at(document, '9')}/text", 1)
    ]


def test_an_informative_annex_in_a_sentence_whose_other_part_is_a_requirement_is_fine():
    # the published text: "…的编写应符合 GB/T 24067—2024 的规定，报告格式见附录B。"
    assert "编写应符合 GB/T 24067—2024 的规定，报告格式见附录B" in clause(base(), "9")["text"]
    document = base()
    replace_text(document, "9", "报告格式见附录B", "相应的报告格式见附录B")  # 相应 is not 应
    assert run(document) == []


def test_an_annex_cited_that_does_not_exist():
    document = base()
    replace_text(document, "9", "报告格式见附录B。", "报告格式见附录B，示例见附录D。")
    found = run(document)
    assert summary(found) == [
        ("annex_citation_unresolved", "error", f"{GB} 9.6", f"/clauses/{at(document, '9')}/text", 1)
    ]


@pytest.mark.parametrize(
    ("number", "title", "code"),
    [
        ("附录A", "现场记录", "annex_data_collection_missing"),
        ("附录B", "报告示例", "annex_report_format_missing"),
        ("附录C", "温室气体清单", "annex_gwp_missing"),
    ],
)
def test_each_annex_the_template_requires(number, title, code):
    document = base()
    clause(document, number)["title"] = title
    found = run(document)
    assert summary(found) == [(code, "error", "指引（二）", "/clauses", None)]


def test_removing_the_report_format_and_gwp_annexes():
    document = base()
    citing = {number: at(document, number) for number in ("6.1", "7.2", "9")}
    document["clauses"] = [c for c in document["clauses"] if c["number"] not in ("附录B", "附录C")]
    # each missing annex, and each sentence that still cites one
    assert sorted(summary(run(document)), key=str) == sorted(
        [
            ("annex_report_format_missing", "error", "指引（二）", "/clauses", None),
            ("annex_gwp_missing", "error", "指引（二）", "/clauses", None),
            ("annex_citation_unresolved", "error", f"{GB} 9.6", f"/clauses/{citing['6.1']}/text", 5),
            ("annex_citation_unresolved", "error", f"{GB} 9.6", f"/clauses/{citing['9']}/text", 1),
            ("annex_citation_unresolved", "error", f"{GB} 9.6", f"/clauses/{citing['7.2']}/text", 1),
        ],
        key=str,
    )


def test_a_gwp_annex_may_say_gwp():
    document = base()
    clause(document, "附录C")["title"] = "ＧＷＰ 值"
    assert run(document) == []


# --- the 前言 ---------------------------------------------------------------------------------------------


def test_the_drafting_rules_sentence_removed_from_the_foreword():
    document = base()
    foreword = clause(document, "")
    foreword["text"] = foreword["text"].split("\n\n", 1)[1]
    found = run(document)
    assert summary(found) == [("foreword_drafting_rules_missing", "error", f"{GB} 8.3", "/clauses/0/text", None)]


@pytest.mark.parametrize(
    "sentence",
    [
        "本文件按照GB/T 1.1-2020《标准化工作导则　第1部分：标准化文件的结构和起草规则》的规定起草。",
        "本文件按照 ＧＢ／Ｔ １．１―２０２０ 的规定起草。",
        "本文件按照 GB/T 1.1——2020《标准化工作导则 第1部分：标准化文件的结构和起草规则》的规定起草。",
    ],
)
def test_the_drafting_rules_sentence_is_read_after_normalisation(sentence):
    document = base()
    foreword = clause(document, "")
    foreword["text"] = sentence + "\n\n" + foreword["text"].split("\n\n", 1)[1]
    assert run(document) == []


# --- figures ---------------------------------------------------------------------------------------------


def test_a_figure_cited_that_does_not_exist():
    document = base()
    replace_text(document, "5.3", "可舍弃；", "可舍弃（见图 2）；")
    found = run(document)
    assert summary(found) == [
        ("figure_citation_unresolved", "error", f"{GB} 9.7", f"/clauses/{at(document, '5.3')}/text", 1)
    ]
    assert found[0].params["number"] == "2"


def test_figure_1_cited_without_any_figure():
    document = base()
    replace_text(document, "5.2", "![电解铝产品碳足迹的系统边界](figure:fig-system-boundary)\n\n", "")
    found = run(document)
    assert summary(found) == [
        ("figure_citation_unresolved", "error", f"{GB} 9.7", f"/clauses/{at(document, '5.2')}/text", 1)
    ]
    assert found[0].message.startswith("5.2“系统边界” 第 1 行提及“图 1”，但文件中没有图 1")


def test_a_figure_that_is_not_uploaded():
    document = base()
    replace_text(document, "5.2", "figure:fig-system-boundary", "figure:fig-missing")
    found = run(document)
    assert summary(found) == [
        ("figure_object_missing", "error", f"{GB} 9.7", f"/clauses/{at(document, '5.2')}/text", 3)
    ]
    assert found[0].params["id"] == "fig-missing"


def test_a_figure_never_cited():
    document = base()
    replace_text(document, "5.2", "两个阶段，见图 1。", "两个阶段。")
    found = run(document)
    assert summary(found) == [("figure_not_cited", "warning", f"{GB} 9.7", f"/clauses/{at(document, '5.2')}/text", 3)]


def test_a_figure_numbered_twice():
    """A 1.0 plain-text caption numbers its figure as written."""
    document = base()
    replace_text(
        document, "5.2", "(figure:fig-system-boundary)\n\n", "(figure:fig-system-boundary)\n\n图 1　系统边界示意\n\n"
    )
    found = run(document)
    assert summary(found) == [("figure_numbering", "error", f"{GB} 9.7", f"/clauses/{at(document, '5.2')}/text", 5)]
    assert found[0].message.startswith("5.2“系统边界” 第 5 行的“图 1”已在前面使用过")


# --- tables ----------------------------------------------------------------------------------------------


def test_a_table_cited_that_does_not_exist():
    document = base()
    replace_text(document, "A.3", "按表 A.3 收集", "按表 A.3 和表 A.4 收集")
    found = run(document)
    assert summary(found) == [
        ("table_citation_unresolved", "error", f"{GB} 9.8", f"/clauses/{at(document, 'A.3')}/text", 1)
    ]
    assert found[0].params["number"] == "A.4"


def test_a_table_numbered_out_of_order():
    document = base()
    for number in ("5.2", "6.1"):
        clause(document, number)["text"] = clause(document, number)["text"].replace("表 1", "表 2")
    found = run(document)
    assert summary(found) == [("table_numbering", "error", f"{GB} 9.8", f"/clauses/{at(document, '5.2')}/text", 7)]
    assert found[0].params == {"number": "2", "expected": "1", "line": 7, "clause": "5.2“系统边界”"}


def test_a_table_number_used_twice():
    document = base()
    clause(document, "7.2")["text"] += "\n\n表 1　温室气体\n\n| 温室气体 | 来源 |\n|---|---|\n| CF₄ | 阳极效应 |"
    found = run(document)
    assert summary(found) == [("table_numbering", "error", f"{GB} 9.8", f"/clauses/{at(document, '7.2')}/text", 5)]


def test_a_table_without_number_and_caption():
    document = base()
    clause(document, "7.2")["text"] += "\n\n| 温室气体 | 来源 |\n|---|---|\n| CF₄ | 阳极效应 |"
    found = run(document)
    assert summary(found) == [("table_numbering", "error", f"{GB} 9.8", f"/clauses/{at(document, '7.2')}/text", 5)]
    assert found[0].params["expected"] == "2"


def test_an_annex_table_numbered_in_the_body_style():
    document = base()
    replace_text(document, "附录C", "表 C.1　温室气体", "表 1　温室气体")
    codes = [(found.code, found.params.get("number"), found.params.get("expected")) for found in run(document)]
    assert ("table_numbering", "1", "C.1") in codes


def test_a_table_never_cited():
    document = base()
    replace_text(document, "附录C", "见表 C.1。", "如下。")
    found = run(document)
    assert summary(found) == [("table_not_cited", "warning", f"{GB} 9.8", f"/clauses/{at(document, '附录C')}/text", 3)]


# --- formulas --------------------------------------------------------------------------------------------


def test_a_formula_cited_that_does_not_exist():
    document = base()
    replace_text(document, "7.7", "按公式（5）计算", "按公式（5）和公式(6)计算")
    found = run(document)
    assert summary(found) == [
        ("formula_citation_unresolved", "error", f"{GB} 9.9", f"/clauses/{at(document, '7.7')}/text", 1)
    ]
    assert found[0].params["number"] == "6"


def test_a_formula_numbered_out_of_order():
    document = base()
    for number in ("7.4", "7.7"):
        clause(document, number)["text"] = clause(document, number)["text"].replace("（5）", "（6）")
    found = run(document)
    assert summary(found) == [("formula_numbering", "error", f"{GB} 9.9", f"/clauses/{at(document, '7.7')}/text", 3)]
    assert found[0].params == {"number": "6", "expected": "5", "line": 3, "clause": "7.7“电力消耗的排放”"}


def test_a_formula_never_cited():
    document = base()
    for number in ("7.4", "7.7"):
        replace_text(document, number, "按公式（5）计算", "按下式计算")
    assert "公式（5）" not in json.dumps(document, ensure_ascii=False)
    found = run(document)
    assert summary(found) == [("formula_not_cited", "warning", f"{GB} 9.9", f"/clauses/{at(document, '7.7')}/text", 3)]


def test_a_1_0_plain_text_formula_is_numbered_and_cited():
    """The 1.0 convention: "E_cl = … × 1 000　　（2）" is formula (2) of the cement rule."""
    document = json.loads(EXAMPLES_1_0[0].read_text(encoding="utf-8"))
    assert EXAMPLES_1_0[0].stem == "cement"
    replace_text(document, "7.5", "按公式（2）计算", "按下式计算")
    found = [f for f in run(document) if f.code != "annex_gwp_missing"]
    assert summary(found) == [("formula_not_cited", "warning", f"{GB} 9.9", f"/clauses/{at(document, '7.5')}/text", 3)]


def test_words_that_only_look_like_citations():
    document = base()
    clause(document, "7.3")["text"] += (
        "\n\n每批代表 1 t 铝液，仪表 2 台；计算方式(3)不变；GB/T 24067—2024 的表 9 不适用，ISO 14067:2018 图 7 亦然。"
    )
    assert run(document) == []


def test_citation_ranges_cite_every_number_in_them():
    document = base()
    replace_text(document, "A.2", "按表 A.1 收集", "按表 A.1～表 A.2 收集")
    replace_text(document, "A.2", "阳极和阳极效应数据按表 A.2 收集。", "")
    assert run(document) == []


def test_another_documents_parts_joined_by_and_are_its_own():
    document = base()
    clause(document, "7.1")["text"] += (
        "\n\n数据质量可按 GB/T 24067—2024 的 6.3 和附录 D 评价；缺省值见 GB/T 32151.4—2015 的表 3 和表 4、"
        "GB/T 32150—2015 第 5 章及公式（6）。"
    )
    assert run(document) == []


def test_our_own_annex_after_another_documents_clause_is_still_ours():
    document = base()
    clause(document, "7.1")["text"] += "\n\n因子的选取应符合 GB/T 24067—2024 的规定，缺省值见附录 D。"
    found = run(document)
    assert summary(found) == [
        ("annex_citation_unresolved", "error", f"{GB} 9.6", f"/clauses/{at(document, '7.1')}/text", 13)
    ]


def test_a_list_of_formula_numbers_cites_each():
    document = base()
    replace_text(document, "7.4", "按公式（3）和公式（4）计算", "按公式（3）、（4）计算")
    replace_text(document, "7.6", "六氟乙烷排放按公式（4）计算", "六氟乙烷排放按下式计算")
    assert run(document) == []
    replace_text(document, "7.4", "按公式（3）、（4）计算", "按公式（3）计算")
    assert [(found.code, found.params["number"]) for found in run(document)] == [("formula_not_cited", "4")]


@pytest.mark.parametrize("separator", ["\n\n", "\n"])
def test_a_unit_line_between_a_tables_caption_and_the_table(separator):
    """GB/T 1.1—2020 9.8: the unit of a table's values is stated above it, "单位为…"."""
    document = base()
    replace_text(
        document,
        "附录C",
        "表 C.1　温室气体的全球变暖潜势（IPCC AR6，100 年）\n\n",
        f"表 C.1　温室气体的全球变暖潜势{separator}单位为千克二氧化碳当量每千克\n\n",
    )
    if separator == "\n":  # caption, unit and table in one paragraph
        replace_text(document, "附录C", "每千克\n\n|", "每千克\n|")
    assert run(document) == []


def test_a_continued_table_keeps_its_number():
    document = base()
    clause(document, "A.3")["text"] += (
        "\n\n表 A.3（续）\n\n| 序号 | 物料或能源名称 | 消耗量 | 单位 | 供应商或来源地 | 数据类型 |\n"
        "|---|---|---|---|---|---|\n| 3 |  |  |  |  |  |"
    )
    assert run(document) == []


def test_a_message_names_the_clause_or_term_entry_whose_line_it_means():
    document = base()
    document["terms"][3]["definition"] += "见表 9。"
    replace_text(document, "9", "报告格式见附录B。", "报告格式见附录B，示例见附录D。")
    messages = {found.code: found.message for found in run(document)}
    assert messages["table_citation_unresolved"].startswith("3.4“系统边界” 第 1 行提及“表 9”")
    assert messages["annex_citation_unresolved"].startswith("9“报告” 第 1 行提及附录D")


# --- term entries ----------------------------------------------------------------------------------------


def test_a_term_entry_out_of_sequence():
    document = base()
    document["terms"][12]["id"] = "3.14"
    found = run(document)
    assert summary(found) == [("term_entry_number", "error", f"{GB} 8.7", "/terms/12/id", None)]
    assert found[0].params == {"position": 13, "expected": "3.13", "id": "3.14"}


def test_a_duplicate_term_id_is_left_to_term_defined_twice():
    document = base()
    document["terms"][12]["id"] = "3.12"
    assert run(document) == []


def test_a_source_written_into_the_definition():
    document = base()
    term = document["terms"][3]
    term["definition"] += "\n[来源：GB/T 24067—2024]"
    del term["source"]
    found = run(document)
    assert summary(found) == [("term_source_missing", "error", f"{GB} 8.7", "/terms/3/definition", None)]


def test_a_source_that_names_no_document():
    document = base()
    document["terms"][3]["source"] = "国家标准"
    found = run(document)
    assert summary(found) == [("term_source_missing", "error", f"{GB} 8.7", "/terms/3/source", None)]
    assert found[0].params == {"source": "国家标准"}


def test_the_template_terms_give_their_sources():
    manifest = json.loads((ROOT / "rule_templates" / "cfp-product-rule" / "1.1" / "manifest.json").read_text("utf-8"))
    document = base()
    document["terms"] = [{"id": f"3.{k}", **term} for k, term in enumerate(manifest["terms"], 1)]
    assert run(document) == []


# --- robustness and speed --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        None,
        {},
        {"clauses": "x", "terms": 3, "figures": [1]},
        {"clauses": [None, {"kind": 3, "number": 5, "text": 7}, {"kind": "technical"}], "terms": [{"id": 1}]},
    ],
)
def test_odd_shapes_do_not_raise(document):
    run(document)


def test_a_230_clause_rule_is_read_whole_without_false_findings():
    """The speed of this size is measured by benchmarks/bench_checks.py and bench_live_check.py."""
    document = base()
    template = clause(document, "6.4")
    last = max(int(c["number"]) for c in document["clauses"] if c["number"].isdigit())
    chapter = [new_clause(str(last + 1), title="附加要求")] + [
        {**copy.deepcopy(template), "id": f"extra-{n}", "number": f"{last + 1}.{n}"} for n in range(1, 200)
    ]
    document["clauses"][at(document, "附录A") : at(document, "附录A")] = chapter
    assert len(document["clauses"]) >= 230
    assert run(document) == []


def test_a_lone_sub_clause_is_an_error_at_its_number():
    document = base()
    document["clauses"] = [c for c in document["clauses"] if not c["number"].startswith("8.") or c["number"] == "8.1"]
    found = run(document)
    assert summary(found) == [
        ("clause_single_subclause", "error", f"{GB} 7.2、7.3", f"/clauses/{at(document, '8.1')}/number", None)
    ]
    assert found[0].params["number"] == "8.1"
    assert found[0].message.startswith("第 8 章之下只有一个条 8.1")
