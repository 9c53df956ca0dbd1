"""The trial-data workbook (workbench.trials.workbook): the template made from a rule, reading a
filled-in copy back into a dataset, the row reading shared with the web form, and every refusal.

The rule is the cement example (cradle-to-gate: 原材料获取 and 生产; primary data in production;
green certificates and green-power trading allowed). Filled-in files are written with openpyxl,
as an enterprise's Excel would save them, except that openpyxl saves no formula results: the
tests that need one patch the sheet XML.
"""

import copy
import io
import json
import math
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from workbench.trials import dataset as datasets
from workbench.trials import engine
from workbench.trials import workbook as wb
from workbench.trials.workbook import COLUMNS, header_text

from .conftest import PROJECT_ROOT

EXAMPLES = PROJECT_ROOT / "rule_templates" / "cfp-product-rule" / "1.0" / "examples"
CEMENT = json.loads((EXAMPLES / "cement.json").read_text(encoding="utf-8"))
BATTERY = json.loads((EXAMPLES / "lithium-ion-battery.json").read_text(encoding="utf-8"))
HEADERS = [header_text(column) for column in COLUMNS]
KEYS = [column.key for column in COLUMNS]
WHERE = "工作表“生产”第 7 行"


def template(document=CEMENT, code="CFP-2025-001", revision=3) -> bytes:
    return wb.template_workbook(document, rule_code=code, revision=revision)


def row(**values) -> list:
    """A stage-sheet row in COLUMNS order."""
    unknown = set(values) - set(KEYS)
    assert not unknown, unknown
    return [values.get(key) for key in KEYS]


def column_of(key: str) -> int:
    return KEYS.index(key) + 1


def build(sheets: dict[str, list[list]], hidden: tuple[str, ...] = ()) -> bytes:
    """An .xlsx with the given sheets (rows as lists), as an enterprise might make one by hand."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for values in rows:
            sheet.append(values)
        if title in hidden:
            sheet.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def patch_sheet(content: bytes, sheet_part: str, old: str, new: str) -> bytes:
    """Rewrite one worksheet's XML in an .xlsx (to put in what openpyxl cannot: saved formula results)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == sheet_part:
                # openpyxl writes an empty element as <v /> or <v></v>, depending on whether lxml is installed.
                text = re.sub(r"<(\w+)></\1>", r"<\1 />", data.decode())
                assert old in text, text
                data = text.replace(old, new).encode()
            target.writestr(info, data)
    return out.getvalue()


def lookup(code: str) -> dict:
    return {"value": 0.5, "unit": "kgCO2e/kg", "tier": "government", "source": "x"}


# --- the template -------------------------------------------------------------------------------------


def test_template_has_the_sheets_headers_and_pre_filled_categories():
    book = load_workbook(io.BytesIO(template()))
    assert book.sheetnames == ["说明", "基本信息", "原材料获取", "生产", "过程", "_workbench"]
    assert [sheet.title for sheet in book.worksheets if sheet.sheet_state == "visible"] == book.sheetnames[:-1]
    assert book["_workbench"].sheet_state == "hidden"
    assert [tuple(values) for values in book["_workbench"].values] == [
        ("template", wb.TEMPLATE_ID),
        ("rule_code", "CFP-2025-001"),
        ("revision", 3),
    ]
    prefilled = {"原材料获取": ["原材料消耗", "运输方式"], "生产": ["能源使用", "废物处理", "过程排放"]}
    for title, categories in prefilled.items():
        sheet = book[title]
        rows = [list(values) for values in sheet.values]
        assert rows[0] == HEADERS
        assert "数据来源 (source)" in rows[0]
        assert sheet.freeze_panes == "C2"
        assert [values[0] for values in rows[1:]] == categories
        assert all(value is None for values in rows[1:] for value in values[1:])
        assert sheet.column_dimensions["B"].width >= 20  # the item column is wide enough for a name


def test_template_drop_down_lists():
    sheet = load_workbook(io.BytesIO(template()))["生产"]
    lists = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list"
        assert validation.allow_blank
        (cell_range,) = str(validation.sqref).split()
        letter = re.match(r"([A-Z]+)2:\1(\d+)$", cell_range)
        assert letter and int(letter[2]) == wb.MAX_ROWS + 1
        lists[KEYS[ord(letter[1]) - ord("A")]] = validation.formula1.strip('"').split(",")
    assert lists == {
        "category": ["原材料消耗", "能源使用", "运输方式", "废物处理", "过程排放"],
        "data_type": ["初级数据", "统计数据", "文献数据", "估算数据"],
        "factor_tier": ["经溯源性核验的实测数据", "政府官方数据", "行业经验值", "文献值"],
        "distribution": ["对数正态", "正态", "三角", "均匀"],
        "instrument": ["绿色电力证书", "绿色电力交易合同", "购电协议（PPA）"],
        "excluded": ["是", "否"],
    }


def test_template_information_and_instructions():
    book = load_workbook(io.BytesIO(template()))
    info = [list(values[:2]) for values in book["基本信息"].values]
    assert info == [
        ["项目", "填写"],
        ["企业名称 (enterprise)", None],
        ["数据期间 (period)", None],
        ["产品产量 (quantity)", None],
        ["产量单位 (unit)", "t"],  # the declared unit's unit
        ["产品名称 (product)", None],
    ]
    text = "\n".join(str(value) for values in book["说明"].values for value in values if value is not None)
    assert CEMENT["title"] in text
    assert "编号 CFP-2025-001，第 3 版" in text
    assert "生产阶段的活动数据应采用初级数据" in text
    assert "整个期间的量，不是单位产品的量" in text
    assert "因子数值、因子单位、因子层级和因子来源" in text
    assert "绿色电力证书、绿色电力交易合同" in text  # the instruments the rule allows
    for column in COLUMNS:  # one row per column
        assert header_text(column) in text


def test_template_follows_the_rule_boundary_and_units():
    book = load_workbook(io.BytesIO(template(BATTERY)))
    assert book.sheetnames == [
        "说明",
        "基本信息",
        "原材料获取",
        "生产",
        "分销运输",
        "使用",
        "废弃处置",
        "过程",
        "_workbench",
    ]
    assert book["基本信息"]["B5"].value == "kWh"  # the functional unit's unit
    prefilled = {
        title: [values[0] for values in book[title].iter_rows(min_row=2, values_only=True)]
        for title in book.sheetnames[2:-2]
    }
    assert prefilled == {
        "原材料获取": ["原材料消耗", "运输方式"],
        "生产": ["能源使用", "废物处理", "过程排放"],
        "分销运输": ["运输方式"],
        "使用": [],
        "废弃处置": ["废物处理"],
    }
    # A category whose stages are all outside the boundary is still expected: in the first stage.
    partial = copy.deepcopy(CEMENT)
    partial["parameters"]["system_boundary"]["stages_included"] = ["production"]
    book = load_workbook(io.BytesIO(template(partial)))
    assert book.sheetnames[2:-2] == ["生产"]
    assert [values[0] for values in book["生产"].iter_rows(min_row=2, values_only=True)] == [
        "原材料消耗",
        "能源使用",
        "运输方式",
        "废物处理",
        "过程排放",
    ]


def test_template_is_deterministic():
    first = template()
    assert first == template()
    assert first != template(revision=4)


def test_an_empty_template_reads_as_no_lines():
    assert wb.read_workbook(template()) == ({"reference_flow": {"unit": "t"}, "lines": []}, [])


# --- a filled-in template, read back ------------------------------------------------------------------


def fill(book, title: str, number: int, **values) -> None:
    for key, value in values.items():
        book[title].cell(number, column_of(key), value)


def filled_template() -> bytes:
    book = load_workbook(io.BytesIO(template()))
    info = book["基本信息"]
    info["B2"], info["B3"], info["B4"], info["B6"] = (
        "示例水泥有限公司",
        "2024-01-01 至 2024-12-31",
        "1,000,000",
        "P·O 42.5",
    )
    # 原材料获取: row 2 (原材料消耗) and row 3 (运输方式) are pre-filled; row 4 is added.
    fill(book, "原材料获取", 2, item="石灰石", amount=1_200_000, unit="t", data_type="统计数据")
    fill(book, "原材料获取", 2, source="采购台账 2024", factor_id="CN-LIMESTONE-01", pedigree="2,3,1,2,1")
    fill(book, "原材料获取", 3, item="公路运输", amount="１２，０００，０００", unit="t·km", data_type="literature")
    fill(book, "原材料获取", 3, source="行业调研报告 2023", factor_value=0.1, factor_unit="kgCO2e/t·km")
    fill(book, "原材料获取", 3, factor_tier="行业经验值", factor_source="《中国产品全生命周期温室气体排放系数集》2022")
    fill(book, "原材料获取", 3, distribution="对数正态", gsd=1.5, justification="承运商未提供运输台账")
    fill(book, "原材料获取", 4, category="raw_materials", item="包装袋", amount=50, unit="t", data_type="估算数据")
    fill(book, "原材料获取", 4, source="采购估算", factor_id=1001, excluded="是", justification="用量很小")
    # 生产: row 2 (能源使用) is certified green power, row 3 (废物处理) stays pre-filled only.
    fill(book, "生产", 2, item="外购电力（绿证）", amount="10,000", unit="MWh", data_type="初级数据", source="电表读数")
    fill(book, "生产", 2, instrument="绿色电力证书", evidence="GEC-2024-0001，10,000 MWh，已核销")
    fill(book, "生产", 2, contract_factor_value=0, contract_factor_unit="kgCO2e/kWh", excluded="否")
    fill(book, "生产", 4, item="碳酸盐分解", amount=520_000, unit="t", data_type="primary", source="生料配料记录")
    fill(book, "生产", 4, factor_value=500, factor_unit="kgCO2/t", factor_tier="经溯源性核验的实测数据")
    fill(book, "生产", 4, factor_source="企业实测 2024", distribution="正态", sd=20_000)
    fill(book, "生产", 5, category="能源使用", item="外购电力（电网）", amount=70_000_000.0, unit="kWh")
    fill(book, "生产", 5, data_type="初级数据", source="电表读数")
    fill(book, "生产", 6, category="能源使用", item="原煤", amount=150_000, unit="t", data_type="初级数据")
    fill(book, "生产", 6, source="燃料台账", factor_id="CN-COAL-01", pedigree=11111)
    return save(book)


EXPECTED = {
    "enterprise": "示例水泥有限公司",
    "period": "2024-01-01 至 2024-12-31",
    "reference_flow": {"quantity": 1_000_000, "unit": "t", "product": "P·O 42.5"},
    "lines": [
        {
            "stage": "raw_material_acquisition",
            "category": "raw_materials",
            "item": "石灰石",
            "amount": 1_200_000,
            "unit": "t",
            "data_type": "statistical",
            "source": "采购台账 2024",
            "factor": {"id": "CN-LIMESTONE-01"},
            "uncertainty": {"pedigree": [2, 3, 1, 2, 1]},
        },
        {
            "stage": "raw_material_acquisition",
            "category": "transport",
            "item": "公路运输",
            "amount": 12_000_000,
            "unit": "t·km",
            "data_type": "literature",
            "source": "行业调研报告 2023",
            "factor": {
                "value": 0.1,
                "unit": "kgCO2e/t·km",
                "tier": "industry",
                "source": "《中国产品全生命周期温室气体排放系数集》2022",
            },
            "uncertainty": {"distribution": "lognormal", "gsd": 1.5},
            "justification": "承运商未提供运输台账",
        },
        {
            "stage": "raw_material_acquisition",
            "category": "raw_materials",
            "item": "包装袋",
            "amount": 50,
            "unit": "t",
            "data_type": "estimated",
            "source": "采购估算",
            "factor": {"id": "1001"},
            "excluded": True,
            "justification": "用量很小",
        },
        {
            "stage": "production",
            "category": "energy",
            "item": "外购电力（绿证）",
            "amount": 10_000,
            "unit": "MWh",
            "data_type": "primary",
            "source": "电表读数",
            "electricity": {
                "instrument": "green_certificate",
                "evidence": "GEC-2024-0001，10,000 MWh，已核销",
                "contract_factor": {
                    "value": 0,
                    "unit": "kgCO2e/kWh",
                    "tier": "measured_verified",
                    "source": "GEC-2024-0001，10,000 MWh，已核销",
                },
            },
        },
        {
            "stage": "production",
            "category": "process_emissions",
            "item": "碳酸盐分解",
            "amount": 520_000,
            "unit": "t",
            "data_type": "primary",
            "source": "生料配料记录",
            "factor": {"value": 500, "unit": "kgCO2/t", "tier": "measured_verified", "source": "企业实测 2024"},
            "uncertainty": {"distribution": "normal", "sd": 20_000},
        },
        {
            "stage": "production",
            "category": "energy",
            "item": "外购电力（电网）",
            "amount": 70_000_000,
            "unit": "kWh",
            "data_type": "primary",
            "source": "电表读数",
            "electricity": {},  # no factor: the rule's grid factor
        },
        {
            "stage": "production",
            "category": "energy",
            "item": "原煤",
            "amount": 150_000,
            "unit": "t",
            "data_type": "primary",
            "source": "燃料台账",
            "factor": {"id": "CN-COAL-01"},
            "uncertainty": {"pedigree": [1, 1, 1, 1, 1]},
        },
    ],
}


def test_filled_template_reads_back_into_a_valid_dataset_that_calculates():
    content = filled_template()
    dataset, problems, locations = wb.read_workbook_located(content)
    assert problems == []
    assert dataset == EXPECTED
    assert json.loads(json.dumps(dataset)) == dataset  # JSON as it stands
    assert locations == [
        "工作表“原材料获取”第 2 行",
        "工作表“原材料获取”第 3 行",
        "工作表“原材料获取”第 4 行",
        "工作表“生产”第 2 行",
        "工作表“生产”第 4 行",
        "工作表“生产”第 5 行",
        "工作表“生产”第 6 行",
    ]
    assert wb.read_workbook(content) == (dataset, [])
    assert datasets.validate(dataset) == []
    result = engine.calculate(CEMENT, dataset, factor_lookup=lookup)
    assert math.isfinite(result.cfp_per_unit) and result.cfp_per_unit > 0
    assert set(result.by_stage) == {"raw_material_acquisition", "production"}
    assert [(entry["item"], entry["method"]) for entry in result.electricity] == [
        ("外购电力（绿证）", "contractual"),
        ("外购电力（电网）", "grid"),
    ]
    assert [entry["item"] for entry in result.cut_off["excluded"]] == ["包装袋"]
    # Only waste treatment is missing (its pre-filled row was left empty).
    assert [(finding.code, finding.path) for finding in result.findings] == [("activity_category_empty", "/lines")]
    assert "废物处理" in result.findings[0].message


def test_columns_may_be_moved_renamed_to_either_part_and_sit_below_a_title():
    # Chinese only, key only, both (also in full-width parentheses), and a column of the enterprise's own.
    headers = ["数量", "item", "排放类别 (category)", "数据类型（data_type）", "单位 (unit)", "因子库编号", "我的备注"]
    content = build(
        {
            "生产": [
                ["2024 年生产阶段活动数据"],
                headers,
                ["2,500", "原煤", "能源使用", "初级数据", "t", "CN-COAL-01", "燃料台账"],
            ]
        }
    )
    dataset, problems = wb.read_workbook(content)
    assert problems == []
    assert dataset["lines"] == [
        {
            "stage": "production",
            "category": "energy",
            "item": "原煤",
            "amount": 2500,
            "unit": "t",
            "data_type": "primary",
            "factor": {"id": "CN-COAL-01"},
        }
    ]


def test_sheets_are_matched_by_stage_code_and_unknown_hidden_sheets_are_ignored():
    content = build(
        {
            "production": [HEADERS, row(category="energy", item="柴油", amount=3, unit="t", data_type="primary")],
            "lists": [["a", "b"]],
        },
        hidden=("lists",),
    )
    dataset, problems = wb.read_workbook(content)
    assert problems == []
    assert [line["stage"] for line in dataset["lines"]] == ["production"]
    assert dataset["reference_flow"] == {}


# --- one row --------------------------------------------------------------------------------------------


def minimal(**values) -> dict:
    return {"category": "energy", "item": "柴油", "amount": 1, "unit": "t", "data_type": "primary", **values}


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        (1234.5, 1234.5),
        (7, 7),
        ("1,234.5", 1234.5),
        ("1,234,567", 1234567),
        (" 42 ", 42),
        ("１２３４．５", 1234.5),
        ("１，２３４", 1234),
        ("-0.5", -0.5),
        ("\u22123", -3),
        ("1.5e3", 1500.0),
        (".5", 0.5),
    ],
)
def test_numbers_as_typed(typed, number):
    line, problems = wb.line_from_row(minimal(amount=typed), "production", WHERE)
    assert problems == []
    assert line["amount"] == number
    assert type(line["amount"]) is type(number)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("abc", "“abc”不是数字"),
        ("1,5", "“1,5”不是数字"),  # a decimal comma elsewhere: refused, not read as 15
        ("12,34", "“12,34”不是数字"),
        ("1 234", "“1 234”不是数字"),
        ("1_000", "“1_000”不是数字"),
        ("nan", "“nan”不是数字"),
        ("inf", "“inf”不是数字"),
        (float("nan"), "不是有限的数值"),
        (float("inf"), "不是有限的数值"),
        ("1e999", "“1e999”不是有限的数值"),
        (True, "是逻辑值"),
        ("#DIV/0!", "是公式的错误值 #DIV/0!"),
    ],
)
def test_bad_numbers_name_the_row_and_column(typed, says):
    line, problems = wb.line_from_row(minimal(amount=typed), "production", WHERE)
    assert "amount" not in line
    assert len(problems) == 1
    key, message = problems[0]
    assert key == "amount"
    assert message.startswith(f"{WHERE}「数量」")
    assert says in message


def test_a_date_in_a_number_column_says_excel_took_it_for_a_date():
    from datetime import datetime

    _, problems = wb.line_from_row(minimal(gsd=datetime(2024, 3, 1)), "production", WHERE)
    assert problems == [
        (
            "gsd",
            f"{WHERE}「几何标准差」被 Excel 当作日期或时间（2024-03-01）：请把单元格格式设为“常规”或“数值”后重新填写数值。",
        )
    ]


@pytest.mark.parametrize(
    ("key", "typed", "code"),
    [
        ("category", "能源使用", "energy"),
        ("category", "Energy", "energy"),
        ("category", "能源使用 (energy)", "energy"),
        ("data_type", "统计数据", "statistical"),
        ("data_type", "estimated", "estimated"),
        ("factor_tier", "政府官方数据", "government"),
        ("factor_tier", "measured_verified", "measured_verified"),
        ("distribution", "三角", "triangular"),
        ("distribution", "均匀分布", "uniform"),
        ("distribution", "LogNormal", "lognormal"),
        ("instrument", "购电协议", "ppa"),
        ("instrument", "green_power_trading", "green_power_trading"),
    ],
)
def test_choices_take_the_code_or_the_chinese_name(key, typed, code):
    line, problems = wb.line_from_row(minimal(**{key: typed}), "production", WHERE)
    assert problems == []
    found = {
        "category": line["category"],
        "data_type": line["data_type"],
        "factor_tier": line.get("factor", {}).get("tier"),
        "distribution": line.get("uncertainty", {}).get("distribution"),
        "instrument": line.get("electricity", {}).get("instrument"),
    }[key]
    assert found == code


@pytest.mark.parametrize(
    ("key", "typed", "header"),
    [
        ("category", "能源", "排放类别"),
        ("data_type", "实测数据", "数据类型"),
        ("factor_tier", "国家数据", "因子层级"),
        ("distribution", "泊松", "分布"),
        ("instrument", "碳汇", "电力凭证类型"),
    ],
)
def test_unknown_choices_list_the_allowed_values(key, typed, header):
    line, problems = wb.line_from_row(minimal(**{key: typed}), "production", WHERE)
    assert len(problems) == 1
    assert problems[0][0] == key
    message = problems[0][1]
    assert message.startswith(f"{WHERE}「{header}」“{typed}”不是可选的值")
    assert "、".join(wb.CHOICES[key].values()) in message
    if key == "category":
        assert "category" not in line


@pytest.mark.parametrize(
    ("typed", "scores"),
    [
        ("2,3,1,2,1", [2, 3, 1, 2, 1]),
        ("2、3、1、2、1", [2, 3, 1, 2, 1]),
        ("2 3 1 2 1", [2, 3, 1, 2, 1]),
        ("２，３，１，２，１", [2, 3, 1, 2, 1]),
        ("(5;4;3;2;1)", [5, 4, 3, 2, 1]),
        (23121, [2, 3, 1, 2, 1]),  # Excel made a number of it
        (23121.0, [2, 3, 1, 2, 1]),
    ],
)
def test_pedigree_as_typed(typed, scores):
    line, problems = wb.line_from_row(minimal(pedigree=typed), "production", WHERE)
    assert problems == []
    assert line["uncertainty"] == {"pedigree": scores}


@pytest.mark.parametrize(
    "typed", ["2,3,1,2", "2,3,1,2,1,1", "2,3,6,2,1", "0,1,1,1,1", "a,b,c,d,e", "2.5,3,1,2,1", 123456, True]
)
def test_bad_pedigree(typed):
    line, problems = wb.line_from_row(minimal(pedigree=typed), "production", WHERE)
    assert "uncertainty" not in line
    assert len(problems) == 1
    assert problems[0][0] == "pedigree"
    assert problems[0][1].startswith(f"{WHERE}「谱系评分」")
    assert "应为 5 个 1–5 的整数" in problems[0][1]


@pytest.mark.parametrize(
    ("typed", "excluded"),
    [("是", True), ("yes", True), ("TRUE", True), (True, True), (1, True), ("√", True)]
    + [("否", False), ("no", False), ("false", False), (False, False), (0, False), ("", False), (None, False)],
)
def test_excluded_flag(typed, excluded):
    line, problems = wb.line_from_row(minimal(excluded=typed), "production", WHERE)
    assert problems == []
    assert line.get("excluded", False) is excluded
    assert "excluded" in line if excluded else "excluded" not in line


def test_bad_excluded_flag():
    _, problems = wb.line_from_row(minimal(excluded="maybe"), "production", WHERE)
    assert problems == [("excluded", f"{WHERE}「取舍忽略」“maybe”应为“是”或“否”（留空为否）。")]


def test_empty_rows_and_rows_with_only_a_category_are_not_lines():
    assert wb.line_from_row({}, "production", WHERE) == (None, [])
    assert wb.line_from_row({key: None for key in KEYS}, "production", WHERE) == (None, [])
    assert wb.line_from_row({"category": "能源使用", "item": "  ", "amount": ""}, "production", WHERE) == (None, [])
    assert wb.line_from_row({"category": "能源使用", "excluded": "否"}, "production", WHERE) == (None, [])
    # Anything else makes a line, even if incomplete: dataset.validate names what is missing.
    line, problems = wb.line_from_row({"category": "能源使用", "item": "柴油"}, "production", WHERE)
    assert (line, problems) == ({"stage": "production", "category": "energy", "item": "柴油"}, [])
    assert datasets.validate({"reference_flow": {"quantity": 1, "unit": "t"}, "lines": [line]}) != []


def test_electricity_without_a_factor_uses_the_grid_factor_and_is_no_problem():
    for unit in ("kWh", "MWh", "千瓦时", "万kWh"):
        line, problems = wb.line_from_row(minimal(unit=unit, item="外购电力"), "production", WHERE)
        assert problems == []
        assert line["electricity"] == {}
        assert "factor" not in line
    # With a factor, or in another unit, it is an ordinary line.
    line, _ = wb.line_from_row(minimal(unit="kWh", factor_id="CN-GRID-EAST"), "production", WHERE)
    assert "electricity" not in line
    line, _ = wb.line_from_row(minimal(unit="GJ", item="外购蒸汽"), "production", WHERE)
    assert "electricity" not in line
    # An instrument without its factor: kept, and dataset.validate names what the factor lacks.
    line, problems = wb.line_from_row(minimal(unit="kWh", instrument="ppa"), "production", WHERE)
    assert problems == []
    assert line["electricity"] == {"instrument": "ppa", "contract_factor": {"tier": "measured_verified"}}
    assert [
        path for path, _ in datasets.validate({"reference_flow": {"quantity": 1, "unit": "t"}, "lines": [line]})
    ] == [
        "/lines/0/electricity/contract_factor/unit",
        "/lines/0/electricity/contract_factor/value",
    ]


def test_cross_field_rules_are_left_to_dataset_validate():
    # A library code together with an inline value: the row can say it, validate refuses it.
    line, problems = wb.line_from_row(minimal(factor_id="CN-1", factor_value=2), "production", WHERE)
    assert problems == []
    assert line["factor"] == {"id": "CN-1", "value": 2}
    assert [
        path for path, _ in datasets.validate({"reference_flow": {"quantity": 1, "unit": "t"}, "lines": [line]})
    ] == ["/lines/0/factor"]


def test_several_problems_in_one_row_are_all_reported():
    line, problems = wb.line_from_row(
        minimal(category="能源", amount="x", factor_value="y", pedigree="9"), "production", WHERE
    )
    assert [key for key, _ in problems] == ["category", "amount", "factor_value", "pedigree"]
    assert line == {"stage": "production", "item": "柴油", "unit": "t", "data_type": "primary"}


# --- problems in a workbook -------------------------------------------------------------------------------


def test_a_bad_number_names_sheet_row_and_column():
    book = load_workbook(io.BytesIO(template()))
    fill(book, "生产", 3, item="废物填埋", amount="abc", unit="t", data_type="初级数据")
    dataset, problems = wb.read_workbook(save(book))
    assert problems == [
        ("工作表“生产”第 3 行「数量」", "工作表“生产”第 3 行「数量」“abc”不是数字：请填写数值，如 1234.5 或 1,234.5。")
    ]
    assert dataset["lines"] == [
        {"stage": "production", "category": "waste_treatment", "item": "废物填埋", "unit": "t", "data_type": "primary"}
    ]


def test_an_unknown_category_and_a_bad_pedigree_in_a_workbook():
    content = build(
        {
            "原材料获取": [
                HEADERS,
                row(category="原料", item="石膏", amount=2, unit="t", data_type="primary"),
                row(category="原材料消耗", item="砂岩", amount=2, unit="t", data_type="primary", pedigree="1,2,3"),
            ]
        }
    )
    _, problems = wb.read_workbook(content)
    assert [location for location, _ in problems] == [
        "工作表“原材料获取”第 2 行「排放类别」",
        "工作表“原材料获取”第 3 行「谱系评分」",
    ]
    assert "“原料”不是可选的值" in problems[0][1]
    assert "应为 5 个 1–5 的整数" in problems[1][1]


def test_an_unknown_visible_sheet_is_a_problem_naming_the_allowed_sheets():
    content = build(
        {
            "生产": [HEADERS, row(category="energy", item="柴油", amount=1, unit="t", data_type="primary")],
            "Sheet1": [["x"]],
        }
    )
    dataset, problems = wb.read_workbook(content)
    assert problems == [
        (
            "工作表“Sheet1”",
            "不认识工作表“Sheet1”：工作表应为 说明、基本信息、原材料获取、生产、分销运输、使用、废弃处置、过程 之一，"
            "请改名或删除该工作表。",
        )
    ]
    assert len(dataset["lines"]) == 1  # the rest is still read


def test_the_same_stage_twice_is_a_problem():
    line = row(category="energy", item="柴油", amount=1, unit="t", data_type="primary")
    dataset, problems = wb.read_workbook(build({"生产": [HEADERS, line], "production": [HEADERS, line]}))
    assert [location for location, _ in problems] == ["工作表“production”"]
    assert "都是生产阶段" in problems[0][1]
    assert len(dataset["lines"]) == 1


def test_a_stage_sheet_without_the_required_columns_is_refused():
    headers = [text for text in HEADERS if text != "数量 (amount)" and text != "单位 (unit)"]
    dataset, problems = wb.read_workbook(build({"生产": [headers, ["能源使用", "柴油"]]}))
    assert dataset == {}
    assert problems == [
        (
            "工作表“生产”第 1 行",
            "工作表“生产”的表头缺少 数量 (amount)、单位 (unit) 列：请从模板中复制表头。",
        )
    ]


def test_a_stage_sheet_without_a_header_row_is_refused_and_an_empty_one_is_not():
    dataset, problems = wb.read_workbook(build({"生产": [["能源使用", "柴油", 3, "t", "初级数据"]]}))
    assert dataset == {}
    assert len(problems) == 1
    assert problems[0][0] == "工作表“生产”"
    assert "找不到表头行" in problems[0][1]
    assert wb.read_workbook(build({"生产": []})) == ({"reference_flow": {}, "lines": []}, [])


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "文件是空的"),
        ("项目名称,数量\n石灰石,12\n".encode(), "这不是 Excel 工作簿（.xlsx）文件（CSV、.xls、.et 等格式不能读取）"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000), "这是旧版 Excel（.xls）文件"),
        (b"PK\x03\x04 truncated", "这不是 Excel 工作簿（.xlsx）文件"),
    ],
)
def test_files_that_are_not_xlsx_are_refused(content, says):
    dataset, problems = wb.read_workbook(content)
    assert dataset == {}
    assert len(problems) == 1
    assert problems[0][0] == "上传的文件"
    assert says in problems[0][1]
    if content:
        assert "另存为” Excel 工作簿（.xlsx）" in problems[0][1]


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    dataset, problems = wb.read_workbook(out.getvalue())
    assert dataset == {}
    assert [location for location, _ in problems] == ["上传的文件"]
    assert "这不是 Excel 工作簿（.xlsx）文件" in problems[0][1]


def test_a_damaged_workbook_is_refused():
    content = patch_sheet(template(), "xl/workbook.xml", "<sheets>", "<sheets><broken")
    dataset, problems = wb.read_workbook(content)
    assert dataset == {}
    assert len(problems) == 1
    assert "无法读取该工作簿" in problems[0][1]


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", bytes(wb.MAX_UNCOMPRESSED + 1))
    content = out.getvalue()
    assert len(content) < wb.MAX_BYTES  # small enough to be uploaded
    dataset, problems = wb.read_workbook(content)
    assert dataset == {}
    assert problems == [("上传的文件", "工作簿解压后超过 50 MB：请删除图片和无关的工作表后再上传。")]


def test_more_than_max_rows_is_refused():
    book = Workbook(write_only=True)
    sheet = book.create_sheet("生产")
    sheet.append(HEADERS)
    line = row(category="energy", item="柴油", amount=1, unit="t", data_type="primary")
    for _ in range(wb.MAX_ROWS + 1):
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    dataset, problems = wb.read_workbook(out.getvalue())
    assert dataset == {}
    assert problems == [("上传的文件", f"活动数据超过 {wb.MAX_ROWS} 行：请合并同类项目后再上传。")]


def test_max_rows_counts_lines_in_all_sheets_and_allows_the_limit(monkeypatch):
    monkeypatch.setattr(wb.reading, "MAX_ROWS", 3)  # where the limit is read
    line = row(category="energy", item="柴油", amount=1, unit="t", data_type="primary")
    skipped = row(category="能源使用")
    at_limit = build({"原材料获取": [HEADERS, line, skipped, line], "生产": [HEADERS, line, [], skipped]})
    assert len(wb.read_workbook(at_limit)[0]["lines"]) == 3
    over = build({"原材料获取": [HEADERS, line, line], "生产": [HEADERS, line, line]})
    assert wb.read_workbook(over) == ({}, [("上传的文件", "活动数据超过 3 行：请合并同类项目后再上传。")])


def formula_workbook() -> bytes:
    """生产 with a formula in 数量 (C2) and 因子数值 (H2), saved by openpyxl: no results saved."""
    line = row(category="energy", item="柴油", amount="=1+2", unit="t", data_type="primary", factor_value="=A1")
    return build({"基本信息": [["项目", "填写"], ["产品产量 (quantity)", "=10*10"]], "生产": [HEADERS, line]})


def test_a_formula_without_a_saved_result_says_to_save_in_excel():
    dataset, problems = wb.read_workbook(formula_workbook())
    assert [location for location, _ in problems] == [
        "工作表“基本信息”第 2 行「产品产量」",
        "工作表“生产”第 2 行「数量」",
        "工作表“生产”第 2 行「因子数值」",
    ]
    assert all("请在 Excel 中打开该文件并保存后再上传" in message for _, message in problems)
    assert "amount" not in dataset["lines"][0]


def test_a_formula_with_a_saved_result_is_read_as_its_result():
    content = formula_workbook()
    content = patch_sheet(
        content, "xl/worksheets/sheet2.xml", '<c r="C2"><f>1+2</f><v /></c>', '<c r="C2"><f>1+2</f><v>3</v></c>'
    )
    # A formula whose saved result is empty text is an empty cell, not a missing result.
    content = patch_sheet(
        content, "xl/worksheets/sheet2.xml", '<c r="H2"><f>A1</f><v /></c>', '<c r="H2" t="str"><f>A1</f><v></v></c>'
    )
    content = patch_sheet(
        content, "xl/worksheets/sheet1.xml", '<c r="B2"><f>10*10</f><v /></c>', '<c r="B2"><f>10*10</f><v>100</v></c>'
    )
    dataset, problems = wb.read_workbook(content)
    assert problems == []
    assert dataset["reference_flow"] == {"quantity": 100}
    assert dataset["lines"] == [
        {"stage": "production", "category": "energy", "item": "柴油", "amount": 3, "unit": "t", "data_type": "primary"}
    ]


def test_a_bad_reference_quantity_names_the_information_sheet():
    book = load_workbook(io.BytesIO(template()))
    book["基本信息"]["B4"] = "一百万"
    dataset, problems = wb.read_workbook(save(book))
    assert problems == [
        (
            "工作表“基本信息”第 4 行「产品产量」",
            "工作表“基本信息”第 4 行「产品产量」“一百万”不是数字：请填写数值，如 1234.5 或 1,234.5。",
        )
    ]
    assert dataset["reference_flow"] == {"unit": "t"}


# --- datasets as rows -------------------------------------------------------------------------------------


def test_rows_from_dataset_are_strings_with_codes():
    rows = wb.rows_from_dataset(EXPECTED)
    assert len(rows) == len(EXPECTED["lines"])
    assert all(set(entry) == {"stage", *KEYS} for entry in rows)
    assert all(isinstance(value, str) for entry in rows for value in entry.values())
    assert rows[2] == {
        **dict.fromkeys(KEYS, ""),
        "stage": "raw_material_acquisition",
        "category": "raw_materials",
        "item": "包装袋",
        "amount": "50",
        "unit": "t",
        "data_type": "estimated",
        "source": "采购估算",
        "factor_id": "1001",
        "excluded": "yes",
        "justification": "用量很小",
    }
    assert rows[0]["pedigree"] == "2,3,1,2,1"
    assert rows[3]["instrument"] == "green_certificate"
    assert rows[3]["contract_factor_value"] == "0"


def test_rows_round_trip_to_the_same_lines():
    lines = copy.deepcopy(EXPECTED["lines"])
    lines[1]["amount"] = 0.1 + 0.2  # floats keep every digit
    lines[4]["amount"] = 1e-7
    lines[4]["uncertainty"] = {"distribution": "triangular", "min": 500_000.5, "max": 540_000}
    lines.append({**lines[0], "amount": -12.25, "excluded": False, "process": "P1", "source": ""})
    dataset = {**EXPECTED, "lines": lines}
    read = [wb.line_from_row(entry, entry["stage"], "") for entry in wb.rows_from_dataset(dataset)]
    assert all(problems == [] for _, problems in read)
    expected = copy.deepcopy(lines)
    del expected[-1]["excluded"], expected[-1]["source"]  # an empty source and excluded: false are no cells
    assert [line for line, _ in read] == expected
    assert wb.representable(dataset)
    assert wb.representable(EXPECTED)


@pytest.mark.parametrize(
    "change",
    [
        lambda data: data.update(processes=[{"id": "P1"}]),  # a process without outputs or inputs has no row
        lambda data: data.update(
            processes=[{"id": "P1", "outputs": [{"product": "水泥", "amount": 1, "unit": "t"}], "x_note": "ERP"}]
        ),
        lambda data: data.update(
            processes=[
                {
                    "id": "P1",
                    "outputs": [
                        {
                            "product": "水泥",
                            "amount": 1,
                            "unit": "t",
                            "uncertainty": {"distribution": "lognormal", "sigma": 0.1},
                        }
                    ],
                }
            ]
        ),
        lambda data: data.update(co_products=[{"product": "熟料", "amount": 1, "unit": "t"}]),
        lambda data: data.update(x_note="extension"),
        lambda data: data["reference_flow"].update(price=300),
        lambda data: data["lines"][0].update(x_origin="ERP"),
        lambda data: data["lines"][1]["factor"].update(gases={"CO2": 0.1}),
        lambda data: data["lines"][1]["factor"].update(biogenic=0.01),
        lambda data: data["lines"][1]["factor"].update(uncertainty={"distribution": "lognormal", "gsd": 1.2}),
        lambda data: data["lines"][1].update(uncertainty={"distribution": "lognormal", "sigma": 0.2}),
        lambda data: data["lines"][0].update(uncertainty={"pedigree": [1, 1, 1, 1, 1], "basic_variance": 0.001}),
        lambda data: data["lines"][3]["electricity"]["contract_factor"].update(tier="government"),
        lambda data: data["lines"][3]["electricity"]["contract_factor"].update(source="另一出处"),
        lambda data: data["lines"][4].update(electricity={}),  # electricity with its own factor
        lambda data: data["lines"][5].pop("electricity"),  # grid electricity not marked as such
    ],
)
def test_what_the_table_cannot_express_is_not_representable(change):
    dataset = copy.deepcopy(EXPECTED)
    change(dataset)
    assert not wb.representable(dataset)


def test_a_dataset_from_the_engine_tests_is_representable_or_not_as_it_should():
    grid_with_factor = {
        "reference_flow": {"quantity": 1, "unit": "t"},
        "lines": [
            {
                "stage": "production",
                "category": "energy",
                "item": "外购电力",
                "amount": 1000,
                "unit": "kWh",
                "data_type": "primary",
                "factor": {"value": 0.6205, "unit": "kgCO2e/kWh", "tier": "government", "source": "x"},
                "electricity": {},
            }
        ],
    }
    assert not wb.representable(grid_with_factor)
    del grid_with_factor["lines"][0]["electricity"]
    assert wb.representable(grid_with_factor)
    assert not wb.representable([])
    assert not wb.representable({"lines": "x"})
