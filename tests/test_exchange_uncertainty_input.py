"""Uncertainty on every exchange, the input side (issue 18): a process's outputs and inputs take a
line's uncertainty forms in the dataset JSON, the Excel template's 过程 sheet and the web table form."""

import copy
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from workbench.auth.models import WorkingGroup
from workbench.auth.permissions import Role
from workbench.trials import dataset as datasets
from workbench.trials import workbook as wb
from workbench.trials.models import Trial
from workbench.trials.workbook import PROCESS_COLUMNS, header_text

from .drafting_helpers import make_rule
from .test_workbook import save, template
from .trials_helpers import cement_dataset

FORMS = [
    {"distribution": "lognormal", "gsd": 1.2},
    {"distribution": "lognormal", "sigma": 0.1},
    {"distribution": "normal", "sd": 30},
    {"distribution": "triangular", "min": 300, "max": 500},
    {"distribution": "uniform", "min": 350, "max": 450},
    {"pedigree": [2, 3, 1, 2, 1]},
    {"pedigree": [1, 1, 1, 1, 1], "basic_variance": 0.0006},
]
P1_LINES = (0, 1, 2, 4)  # limestone, its transport, coal and calcination make clinker; the rest grinds cement


def network_dataset() -> dict:
    """The cement plant as two processes: P1 makes 800 t of clinker, P2 grinds 1,000 t of cement from
    400 t of it (the rest is sold), so P1 runs at half its scale for the reference flow."""
    data = cement_dataset()
    for index, line in enumerate(data["lines"]):
        line["process"] = "P1" if index in P1_LINES else "P2"
    data["processes"] = [
        {
            "id": "P1",
            "name": "熟料煅烧",
            "outputs": [
                {
                    "product": "熟料",
                    "amount": 800,
                    "unit": "t",
                    "price": 300,
                    "uncertainty": {"distribution": "normal", "sd": 10},
                }
            ],
        },
        {
            "id": "P2",
            "name": "水泥粉磨",
            "outputs": [{"product": "P·O 42.5 水泥", "amount": 1000, "unit": "t"}],
            "inputs": [
                {
                    "product": "熟料",
                    "amount": 400,
                    "unit": "t",
                    "uncertainty": {"distribution": "lognormal", "gsd": 1.1},
                }
            ],
        },
    ]
    return data


def expected_cfp(data: dict) -> float:
    """kg CO2e per t of cement: P1's lines scaled by 400/800, P2's as they are (every factor is kg per unit)."""
    emissions = {"P1": 0.0, "P2": 0.0}
    for line in data["lines"]:
        emissions[line["process"]] += line["amount"] * line["factor"]["value"]
    return (emissions["P1"] * 400 / 800 + emissions["P2"]) / data["reference_flow"]["quantity"]


# --- the dataset JSON ------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("side", ["inputs", "outputs"])
def test_each_uncertainty_form_is_accepted_on_an_input_and_an_output(form, side):
    data = network_dataset()
    data["processes"][1][side][0]["uncertainty"] = copy.deepcopy(form)
    assert datasets.validate(data) == []


@pytest.mark.parametrize(
    ("side", "uncertainty", "path", "says"),
    [
        ("inputs", {"distribution": "normal"}, "/processes/1/inputs/0/uncertainty/sd", "缺少「标准差」（sd）"),
        ("inputs", {"distribution": "triangular", "min": 1}, "/processes/1/inputs/0/uncertainty/max", "缺少「上限」"),
        ("outputs", {"distribution": "lognormal"}, "/processes/1/outputs/0/uncertainty/gsd", "应给出「几何标准差」"),
        ("outputs", {"gsd": 1.2}, "/processes/1/outputs/0/uncertainty/distribution", "应给出「分布」"),
        ("inputs", {"distribution": "lognormal", "gsd": 0.5}, "/processes/1/inputs/0/uncertainty/gsd", "不应小于 1"),
        ("outputs", {"distribution": "gamma"}, "/processes/1/outputs/0/uncertainty/distribution", "gamma"),
        ("inputs", {"pedigree": [1, 2, 3]}, "/processes/1/inputs/0/uncertainty/pedigree", "谱系矩阵评分"),
    ],
)
def test_a_bad_uncertainty_is_refused_at_its_path_naming_the_process_and_exchange(side, uncertainty, path, says):
    data = network_dataset()
    data["processes"][1][side][0]["uncertainty"] = uncertainty
    problems = datasets.validate(data)
    assert [problem.path for problem in problems] == [path]
    product = data["processes"][1][side][0]["product"]
    exchange = "输入" if side == "inputs" else "产出"
    assert f"过程 P2 的{exchange} /processes/1/{side}/0（“{product}”）" in problems[0].message
    assert says in problems[0].message


def test_a_process_without_an_id_is_named_by_its_path():
    data = network_dataset()
    del data["processes"][1]["id"]
    data["processes"][1]["inputs"][0]["uncertainty"] = {"distribution": "normal"}
    messages = {problem.path: problem.message for problem in datasets.validate(data)}
    assert (
        "过程 /processes/1 的输入 /processes/1/inputs/0（“熟料”）" in messages["/processes/1/inputs/0/uncertainty/sd"]
    )


def test_co_products_and_the_reference_flow_stay_certain():
    data = cement_dataset()
    data["co_products"] = [{"product": "熟料", "amount": 10, "unit": "t", "uncertainty": {"pedigree": [1] * 5}}]
    data["reference_flow"]["uncertainty"] = {"pedigree": [1] * 5}
    paths = {problem.path for problem in datasets.validate(data)}
    assert paths == {"/co_products/0/uncertainty", "/reference_flow/uncertainty"}


# --- the Excel template ------------------------------------------------------------------------------------


def test_the_template_has_the_process_sheet_with_lists_and_instructions():
    book = load_workbook(io.BytesIO(template()))
    sheet = book[wb.PROCESS_SHEET]
    rows = [list(values) for values in sheet.values]
    assert rows == [[header_text(column) for column in PROCESS_COLUMNS]]
    assert "类型 (direction)" in rows[0] and "几何标准差 (gsd)" in rows[0] and "价格 (price)" in rows[0]
    assert sheet.freeze_panes == "C2"
    lists = {}
    for validation in sheet.data_validations.dataValidation:
        letter = str(validation.sqref).split(":")[0].rstrip("0123456789")
        lists[PROCESS_COLUMNS[ord(letter) - ord("A")].key] = validation.formula1.strip('"').split(",")
    assert lists == {"direction": ["产出", "输入"], "distribution": ["对数正态", "正态", "三角", "均匀"]}
    text = "\n".join(str(value) for values in book["说明"].values for value in values if value is not None)
    assert "“过程”工作表的列" in text and "多过程数据" in text
    for column in PROCESS_COLUMNS:
        assert header_text(column) in text
    assert wb.read_workbook(template())[0] == {"reference_flow": {"unit": "t"}, "lines": []}  # empty: no processes


def filled_network_template(data: dict) -> bytes:
    """The template filled as an enterprise would: 基本信息, the lines in their stage sheets, and the
    process sheet typed in Chinese names (the exchange rows in the table's own order)."""
    book = load_workbook(io.BytesIO(template()))
    info = book["基本信息"]
    info["B2"], info["B3"], info["B4"], info["B6"] = data["enterprise"], data["period"], 1000, "P·O 42.5 水泥"
    sheets = {"raw_material_acquisition": book["原材料获取"], "production": book["生产"]}
    for row in wb.rows_from_dataset(data):
        sheet = sheets[row.pop("stage")]
        headers = [cell.value for cell in sheet[1]]
        sheet.append([row[key] or None for key in (header.split("(")[1].rstrip(")") for header in headers)])
    process = book[wb.PROCESS_SHEET]
    process.append(["P1", "熟料煅烧", "产出", "熟料", 800, "t", 300, None, "正态", None, 10])
    process.append(["P2", "水泥粉磨", "output", "P·O 42.5 水泥", "1,000", "t"])
    process.append(["P2", None, "输入", "熟料", 400, "t", None, None, "对数正态分布", 1.1])
    return save(book)


def test_a_filled_process_sheet_reads_into_the_dataset_and_rows_round_trip():
    data = network_dataset()
    dataset, problems = wb.read_workbook(filled_network_template(data))
    assert problems == []
    assert dataset["processes"] == data["processes"]
    assert [line["process"] for line in dataset["lines"]] == [line["process"] for line in data["lines"]]
    assert datasets.validate(dataset) == []

    rows = wb.exchange_rows_from_dataset(dataset)
    assert [(row["process"], row["process_name"], row["direction"], row["product"]) for row in rows] == [
        ("P1", "熟料煅烧", "output", "熟料"),
        ("P2", "水泥粉磨", "output", "P·O 42.5 水泥"),
        ("P2", "", "input", "熟料"),
    ]
    assert rows[2]["gsd"] == "1.1" and rows[0]["price"] == "300" and rows[0]["sd"] == "10"
    located = [(wb.exchange_from_row(row, "")[0], "") for row in rows]
    assert wb.processes_from_exchanges(located) == (data["processes"], [])
    assert wb.representable(data) and wb.representable(dataset)
    for uncertainty in FORMS[:1] + FORMS[2:6]:  # what the table has columns for
        changed = copy.deepcopy(data)
        changed["processes"][1]["inputs"][0]["uncertainty"] = uncertainty
        assert wb.representable(changed), uncertainty
    for uncertainty in (FORMS[1], FORMS[6]):  # σ and basic variance have no column
        changed = copy.deepcopy(data)
        changed["processes"][1]["inputs"][0]["uncertainty"] = uncertainty
        assert not wb.representable(changed), uncertainty


def test_bad_process_cells_are_reported_by_sheet_row_and_column():
    book = load_workbook(io.BytesIO(template()))
    process = book[wb.PROCESS_SHEET]
    process.append(["P1", "熟料煅烧", "产出", "熟料", 800, "t", None, None, "对数正态", "很大"])
    process.append([None, None, "输入", "石膏", 50, "t"])
    process.append(["P1", "煅烧", "输入", "生料", 1300, "t", 20])
    process.append(["P2", None, "外购", "电", 1, "kWh"])
    dataset, problems = wb.read_workbook(save(book))
    assert problems == [
        (
            "工作表“过程”第 2 行「几何标准差」",
            "工作表“过程”第 2 行「几何标准差」“很大”不是数字：请填写数值，如 1234.5 或 1,234.5。",
        ),
        (
            "工作表“过程”第 3 行「过程编号」",
            "工作表“过程”第 3 行「过程编号」是空的：请填写该行所属过程的编号，同一过程的各行编号相同。",
        ),
        ("工作表“过程”第 4 行「价格」", "工作表“过程”第 4 行「价格」只用于产出：输入行请留空。"),
        (
            "工作表“过程”第 5 行「类型」",
            "工作表“过程”第 5 行「类型」“外购”不是可选的值：请填写 产出、输入 之一（或其英文代码）。",
        ),
        (
            "工作表“过程”第 4 行「过程名称」",
            "工作表“过程”第 4 行「过程名称」“煅烧”与工作表“过程”第 2 行的“熟料煅烧”不同："
            "过程“P1”的各行应填写同一名称（也可只在第一行填写）。",
        ),
    ]
    # What could be read is kept: the first row without its bad gsd.
    assert dataset["processes"][0]["outputs"] == [
        {"product": "熟料", "amount": 800, "unit": "t", "uncertainty": {"distribution": "lognormal"}}
    ]


def test_a_process_sheet_without_its_required_columns_is_refused_and_rows_count_against_the_limit(monkeypatch):
    book = load_workbook(io.BytesIO(template()))
    book[wb.PROCESS_SHEET].delete_cols(3)  # 类型
    book[wb.PROCESS_SHEET].append(["P1", "熟料煅烧", "熟料", 800, "t"])
    dataset, problems = wb.read_workbook(save(book))
    assert dataset == {} and problems[0][0] == "工作表“过程”第 1 行" and "类型 (direction)" in problems[0][1]

    monkeypatch.setattr("workbench.trials.workbook.reading.MAX_ROWS", 7)
    dataset, problems = wb.read_workbook(filled_network_template(network_dataset()))  # 6 lines, 3 exchanges
    assert (dataset, problems) == ({}, [("上传的文件", "活动数据与过程的数据行合计超过 7 行：请合并同类项目后再上传。")])


# --- the web table form ------------------------------------------------------------------------------------


@pytest.fixture
def rule_id(database, people):
    with database() as session:
        rule = make_rule(session, working_group=session.get(WorkingGroup, people["working_group"]))
        session.commit()
        return rule.id


def table_form(data: dict, **extra) -> dict:
    """The table form as a browser posts it, both tables filled from `data`."""
    flow = data["reference_flow"]
    form = {
        "enterprise": data["enterprise"],
        "period": data["period"],
        "quantity": str(flow["quantity"]),
        "unit": flow["unit"],
        "product": flow.get("product", ""),
    }
    for prefix, count, rows in (
        ("line", "rows", wb.rows_from_dataset(data)),
        ("exchange", "exchange_rows", wb.exchange_rows_from_dataset(data)),
    ):
        form[count] = str(len(rows))
        for index, row in enumerate(rows):
            form.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    form.update(extra)
    return form


def cell(page: str, name: str) -> str:
    """The table cell of field `name` on a page, from its field to the end of the cell."""
    return page.split(f'name="{name}"', 1)[1].split("</td>", 1)[0]


def top(page: str) -> str:
    """The list of problems at the top of a refused form."""
    return page.split('id="problems"', 1)[1].split("</div>", 1)[0]


def test_the_new_table_form_offers_the_process_table_in_a_scroll_wrapper(login, rule_id):
    page = login(Role.DRAFTER).get(f"/drafting/{rule_id}/trials/new").text
    assert "过程与中间产品" in page
    table = page.split('id="exchanges"', 1)[1].split("</table>", 1)[0]
    assert '<div class="table-scroll"><table class="table dataset-table" id="exchanges"' in page
    assert 'name="exchange-0-process"' in table and 'name="exchange-3-gsd"' in table
    assert '<option value="input" >输入</option>' in table
    assert 'name="exchange_rows" value="4"' in page


def test_the_table_form_posts_processes_with_uncertainty_and_edits_them_again(login, database, rule_id):
    client = login(Role.DRAFTER)
    data = network_dataset()
    response = client.post_form(f"/drafting/{rule_id}/trials/new", table_form(data))
    assert response.status_code == 302, response.text
    with database() as session:
        trial = session.scalars(select(Trial)).one()
        assert trial.dataset["processes"] == data["processes"]
        assert trial.dataset["lines"] == data["lines"]
        assert trial.calculations[0].cfp_per_unit == pytest.approx(expected_cfp(data), rel=1e-12)
        trial_id = trial.id
    edit = client.get(f"/trials/{trial_id}/edit")
    assert edit.status_code == 200  # the table can hold it: not sent to the JSON editor
    assert 'name="exchange-2-product" value="熟料"' in edit.text and 'name="exchange-2-gsd" value="1.1"' in edit.text


def test_a_bad_process_cell_is_shown_at_the_cell_and_nothing_typed_is_lost(login, database, rule_id):
    client = login(Role.DRAFTER)
    form = table_form(network_dataset(), **{"exchange-2-gsd": "很大", "exchange-1-price": "1,2"})
    response = client.post_form(f"/drafting/{rule_id}/trials/new", form)
    assert response.status_code == 422
    page = response.text
    gsd = cell(page, "exchange-2-gsd")
    assert 'value="很大"' in gsd and 'aria-invalid="true"' in gsd
    # At the cell without its row (the cell is in it), in a box wide enough to read; the row at the top.
    assert '<ul class="errors cell-errors" id="exchange-2-gsd-error"><li>「几何标准差」“很大”不是数字' in gsd
    assert "过程表第 3 行" not in gsd.split("<ul", 1)[1]
    assert top(page).count("过程表第 3 行「几何标准差」“很大”不是数字") == 1
    assert 'name="exchange-1-price" value="1,2"' in page and "过程表第 2 行「价格」" in top(page)
    assert 'name="exchange-0-product" value="熟料"' in page and 'value="碳酸盐分解"' in page
    with database() as session:
        assert session.scalar(select(func.count(Trial.id))) == 0


def test_more_process_rows_save_nothing_and_keep_what_was_typed(login, database, rule_id):
    client = login(Role.DRAFTER)
    page = client.post_form(f"/drafting/{rule_id}/trials/new", table_form(network_dataset(), more="exchanges"))
    assert page.status_code == 200
    assert 'name="exchange-6-product"' in page.text and 'name="exchange-7-product"' not in page.text
    assert 'name="exchange-2-gsd" value="1.1"' in page.text and 'name="line-6-item"' not in page.text
    with database() as session:
        assert session.scalar(select(func.count(Trial.id))) == 0


@pytest.mark.browser
def test_the_table_form_with_processes_fits_a_phone(browser, live_server, app, people):
    from workbench.db import db

    from .test_browser import sign_in

    with app.app_context():
        rule = make_rule(db.session, working_group=db.session.get(WorkingGroup, people["working_group"]))
        db.session.commit()
        rule_id = rule.id
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server, "drafter")
    page.goto(live_server + f"/drafting/{rule_id}/trials/new")
    page.locator('[name="exchange-0-gsd"]').fill("很大")
    page.locator('[name="exchange-0-process"]').fill("P1")
    page.locator('[name="exchange-0-direction"]').select_option(label="产出")
    page.locator("#exchanges").scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_label("企业名称", exact=True).fill("华北水泥有限公司")
    page.get_by_label("产品产量", exact=True).fill("100")
    page.get_by_role("button", name="保存并计算").click()
    assert page.locator('[name="exchange-0-gsd"]').input_value() == "很大"
    assert page.locator('[name="exchange-0-gsd"]').get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def shifted(form: dict, prefix: str, count: str, by: int) -> dict:
    """`form` with `by` empty rows before the rows of one table (as a browser posts rows left blank)."""
    moved = {}
    for name, value in form.items():
        parts = name.split("-")
        if parts[0] == prefix and len(parts) == 3:
            name = f"{prefix}-{int(parts[1]) + by}-{parts[2]}"
        moved[name] = value
    moved[count] = str(int(form[count]) + by)
    return moved


def test_problems_found_at_save_are_shown_at_the_cells_they_came_from_and_once_at_the_top(login, database, rule_id):
    data = network_dataset()
    data["lines"][3]["uncertainty"] = {"distribution": "normal"}  # no sd: dataset.validate's problem
    form = shifted(table_form(data), "line", "rows", 2)  # lines[3] is on row 6
    # The process table's rows interleaved: P2's output, P1's output, P2's input. processes[0] is P2
    # (first named), so the input on row 4 (after a blank row) is /processes/0/inputs/0.
    rows = wb.exchange_rows_from_dataset(data)
    rows = [rows[1], {}, rows[0], {**rows[2], "process_name": "水泥粉磨", "gsd": "0.5"}]
    for index, row in enumerate(rows):
        form.update({f"exchange-{index}-{key}": value for key, value in row.items()})
    form["exchange_rows"] = "4"
    response = login(Role.DRAFTER).post_form(f"/drafting/{rule_id}/trials/new", form)
    assert response.status_code == 422
    page = response.text
    listed = top(page)
    assert listed.count("<li>") == 2 and "试算数据有" not in page  # each once, no summary repeating the first
    sd = cell(page, "line-5-sd")
    assert 'aria-invalid="true"' in sd and "为正态分布，缺少「标准差」（sd）" in sd
    assert "<li>第 6 行：活动数据 /lines/3" in listed and "缺少「标准差」（sd）" in listed
    gsd = cell(page, "exchange-3-gsd")
    assert 'value="0.5"' in gsd and "过程 P2 的输入 /processes/0/inputs/0（“熟料”）" in gsd and "不应小于 1" in gsd
    assert "<li>过程表第 4 行：过程 P2 的输入 /processes/0/inputs/0" in listed
    assert sum('aria-invalid="true"' in cell(page, f"exchange-{n}-gsd") for n in range(4)) == 1
    with database() as session:
        assert session.scalar(select(func.count(Trial.id))) == 0


@pytest.mark.parametrize(
    ("uncertainty", "key", "says"),
    [
        (
            {"distribution": "lognormal", "gsd": "1.2", "min": "2000"},
            "min",
            "不用于对数正态分布：它只用几何标准差（或谱系评分）",
        ),
        (
            {"distribution": "normal", "sd": "3", "max": "9"},
            "max",
            "不用于正态分布：它只用标准差，请删去最大值，或改为三角分布、均匀分布",
        ),
        (
            {"distribution": "triangular", "min": "1", "max": "9", "gsd": "1.2"},
            "gsd",
            "它只用最小值和最大值，请删去几何标准差，或改为对数正态分布",
        ),
        ({"pedigree": "2,3,1,2,1", "sd": "3"}, "sd", "「标准差」只用于正态分布：请在「分布」中选择分布"),
    ],
)
def test_a_parameter_the_distribution_does_not_use_is_refused_in_both_tables(uncertainty, key, says):
    values = {"category": "energy", "item": "烟煤", "amount": "100", "unit": "t", "data_type": "primary", **uncertainty}
    line, problems = wb.line_from_row(values, "production", "第 2 行")
    assert [(found, message.startswith("第 2 行「")) for found, message in problems] == [(key, True)]
    assert says in problems[0][1] and key not in line["uncertainty"]
    row = {"process": "P1", "direction": "output", "product": "熟料", "amount": "800", "unit": "t", **uncertainty}
    entry, problems = wb.exchange_from_row(row, "过程表第 1 行")
    assert [found for found, _message in problems] == [key] and says in problems[0][1]
    assert key not in entry["exchange"]["uncertainty"]


def test_a_distribution_that_could_not_be_read_is_the_only_problem_of_its_parameters():
    values = {"category": "energy", "item": "烟煤", "amount": "100", "unit": "t", "distribution": "伽马", "gsd": "1.2"}
    assert [key for key, _message in wb.line_from_row(values, "production", "第 2 行")[1]] == ["distribution"]


def test_the_table_form_refuses_min_and_max_on_a_lognormal_row_at_the_cell(login, database, rule_id):
    data = network_dataset()
    typed = {"line-0-distribution": "lognormal", "line-0-gsd": "1.1", "line-0-min": "2000", "exchange-2-max": "500"}
    form = table_form(data, **typed)
    assert form["exchange-2-distribution"] == "lognormal"
    response = login(Role.DRAFTER).post_form(f"/drafting/{rule_id}/trials/new", form)
    assert response.status_code == 422
    assert "「最小值」不用于对数正态分布" in cell(response.text, "line-0-min")
    assert "「最大值」不用于对数正态分布" in cell(response.text, "exchange-2-max")
    with database() as session:
        assert session.scalar(select(func.count(Trial.id))) == 0
    stored = copy.deepcopy(data)  # such a dataset saved before: the table cannot show it as it is
    stored["processes"][1]["inputs"][0]["uncertainty"]["min"] = 2000
    assert datasets.validate(stored) == [] and not wb.representable(stored)


def test_the_english_table_form_shows_headers_and_list_labels_through_the_catalogue(login, rule_id, monkeypatch):
    """Every header and option label goes through gettext (marked here, so the test does not depend
    on the English catalogue); the values posted stay the codes."""
    import flask_babel

    real = flask_babel.Domain.get_translations

    class Marked:
        def __init__(self, translations):
            self.translations = translations

        def gettext(self, text):
            return f"⟦{text}⟧"

        ugettext = gettext

        def __getattr__(self, name):
            return getattr(self.translations, name)

    monkeypatch.setattr(flask_babel.Domain, "get_translations", lambda self: Marked(real(self)))
    client = login(Role.DRAFTER)
    client.post_form("/language", {"locale": "en"})
    page = client.get(f"/drafting/{rule_id}/trials/new").text
    heads = page.split('id="exchanges"', 1)[1].split("</thead>", 1)[0]
    assert heads.count("<th>⟦") == len(PROCESS_COLUMNS) and "<th>⟦几何标准差⟧</th>" in heads
    assert "<th>⟦排放类别⟧</th>" in page.split('id="lines"', 1)[1].split("</thead>", 1)[0]
    assert '<option value="lognormal" >⟦对数正态⟧</option>' in page
    assert '<option value="input" >⟦输入⟧</option>' in page
    name = wb.CHOICES["category"]["energy"]
    assert f'<option value="energy" >⟦{name}⟧</option>' in page
