"""What an uploaded trial workbook and the factor form say about bad input, in the reader's
language: every workbook problem names its sheet, row and column (once), in English on the English
interface and in Chinese on the Chinese one; the factor form's unit message likewise."""

import html
import io

import pytest
from flask_babel import force_locale

from workbench.auth.permissions import Role
from workbench.i18n import translate
from workbench.trials import workbook as wb
from workbench.trials.workbook import PROCESS_COLUMNS, header_text

from .test_trials import rule_id  # noqa: F401  (a fixture)
from .test_workbook import HEADERS, build, row

PROCESS_HEADERS = [header_text(column) for column in PROCESS_COLUMNS]


def process_row(process, name, direction, product, amount, unit) -> list:
    return [process, name, direction, product, amount, unit]


def bad_workbook() -> bytes:
    """A workbook with a few bad cells on each kind of sheet, and a sheet that is not the template's."""
    return build(
        {
            "基本信息": [["产品产量", "一百万"], ["产量单位", "t"]],
            "生产": [
                HEADERS,
                row(category="能源使用", item="柴油", amount="abc", unit="t", data_type="初级数据"),
                row(category="能源使用", item="外购电力", amount=5, unit="kWh", data_type="初级数据", pedigree="9,9"),
            ],
            "过程": [
                PROCESS_HEADERS,
                process_row("P1", "熟料煅烧", "产出", "熟料", 1, "t"),
                process_row("P1", "煅烧", "输入", "生料", 1.5, "t"),
            ],
            "Sheet1": [["备注"]],
        }
    )


def upload(client, rule: int, content: bytes) -> str:
    response = client.post_form(
        f"/drafting/{rule}/trials/upload",
        {"file": (io.BytesIO(content), "企业填报.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422, response.text
    return html.unescape(response.text)


def test_a_bad_workbook_uploaded_in_english_names_sheet_row_and_column_in_english(login, rule_id):  # noqa: F811
    drafter = login(Role.DRAFTER)
    drafter.post_form("/language", {"locale": "en"})
    try:
        page = upload(drafter, rule_id, bad_workbook())
    finally:
        drafter.post_form("/language", {"locale": "zh_CN"})  # the account keeps its language otherwise
    assert "Sheet “生产”, row 2, “Quantity”: “abc” is not a number: enter a number such as 1234.5" in page
    assert "Sheet “生产”, row 3, “Pedigree scores”: “9,9”" in page
    assert "Sheet “基本信息”, row 1, “Product output”: “一百万” is not a number" in page
    assert (
        "Sheet “过程”, row 3, “Process name”: “煅烧” differs from “熟料煅烧” (Sheet “过程”, row 2): "
        "every row of process “P1” should give the same name"
    ) in page
    assert "Unknown sheet “Sheet1”: a sheet must be one of 说明, 基本信息, 原材料获取, 生产" in page
    for chinese in ("工作表“", "第 2 行", "不是数字", "不认识工作表", "不同：过程"):
        assert chinese not in page
    assert page.count("Sheet “生产”, row 2, “Quantity”") == 1  # the place is said once, not "place: place …"


def test_the_same_workbook_uploaded_in_chinese_says_it_in_chinese(login, rule_id):  # noqa: F811
    drafter = login(Role.DRAFTER)
    drafter.post_form("/language", {"locale": "zh_CN"})
    page = upload(drafter, rule_id, bad_workbook())
    assert "工作表“生产”第 2 行「数量」“abc”不是数字：请填写数值，如 1234.5 或 1,234.5。" in page
    assert "工作表“基本信息”第 1 行「产品产量」“一百万”不是数字" in page
    assert (
        "工作表“过程”第 3 行「过程名称」“煅烧”与工作表“过程”第 2 行的“熟料煅烧”不同：过程“P1”的各行应填写同一名称"
        in page
    )
    assert "不认识工作表“Sheet1”：工作表应为 说明、基本信息、原材料获取、生产" in page
    assert page.count("工作表“生产”第 2 行「数量」") == 1
    assert "Sheet “" not in page and "is not a number" not in page


@pytest.mark.parametrize(
    ("content", "english"),
    [
        (b"", "The file is empty: choose the filled-in workbook and upload it again."),
        (
            "项目名称,数量\n石灰石,12\n".encode(),
            "This is not an Excel workbook (.xlsx) file (CSV, .xls, .et and other formats cannot be read): "
            "open it in Excel or WPS, “Save As” an Excel workbook (.xlsx) and upload that.",
        ),
        (build({"生产": [["能源使用", "柴油", 3, "t"]]}), "Sheet “生产” has no header row"),
        (
            build({"生产": [HEADERS[:2]]}),
            "The header row of sheet “生产” lacks the column(s) 数量 (amount), 单位 (unit)",
        ),
    ],
)
def test_a_workbook_refused_as_a_whole_says_why_in_english(app, content, english):
    with app.test_request_context(), force_locale("en"):
        dataset, problems = wb.read_workbook(content, translate)
    assert dataset == {} and len(problems) == 1
    assert problems[0][1].startswith(english)


def test_the_command_line_and_stored_text_stay_chinese_by_default():
    _, problems = wb.read_workbook(bad_workbook())
    assert (
        "工作表“生产”第 2 行「数量」",
        "工作表“生产”第 2 行「数量」“abc”不是数字：请填写数值，如 1234.5 或 1,234.5。",
    ) in problems
    assert wb.read_workbook(b"") == ({}, [("上传的文件", "文件是空的：请选择填好的工作簿后再上传。")])


def test_the_factor_form_names_an_unknown_unit_in_english(login):
    secretariat = login(Role.SECRETARIAT)
    secretariat.post_form("/language", {"locale": "en"})
    form = {
        "code": "TEST-FROBS",
        "name": "柴油燃烧",
        "value": "3.1",
        "unit": "kgCO2e/frobs",
        "kind": "co2_combustion_only",
        "tier": "government",
        "source": "GB/T 32150 缺省值",
    }
    try:
        unknown = html.unescape(secretariat.post_form("/factors/new", form).text)
        unwritten = html.unescape(secretariat.post_form("/factors/new", {**form, "unit": "kg/kWh"}).text)
    finally:
        secretariat.post_form("/language", {"locale": "zh_CN"})
    assert 'The unit “kgCO2e/frobs” cannot be read: Unknown unit "frobs": use units such as t, kg, kWh' in unknown
    assert "未知单位" not in unknown
    assert "The unit “kg/kWh” cannot be read: " in unwritten and "质量+气体" not in unwritten
    chinese = html.unescape(secretariat.post_form("/factors/new", form).text)
    assert "单位“kgCO2e/frobs”无法识别：未知单位“frobs”：请使用 t、kg、kWh" in chinese
