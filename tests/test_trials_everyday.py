"""The trial pages in everyday use (issue 19): the report shows each trial's period and names gaps in
words, numbers are shown by one policy, purchased electricity gets its scenario, a CO2-only grid
factor is found, the carry-forward prompt goes once nothing is left, an unknown unit is named in
the reader's language, and the pages read in English and fit a phone."""

import copy
import html
import re

import pytest
from flask_babel import force_locale
from playwright.sync_api import expect

from workbench.auth.models import WorkingGroup
from workbench.auth.permissions import Role
from workbench.db import db
from workbench.drafting import service as drafting
from workbench.drafting.models import Rule
from workbench.factors import service as factor_service
from workbench.factors import units
from workbench.guideline import CATALOGUE
from workbench.i18n import translate
from workbench.trials import display, feasibility, service

from .conftest import ADMIN, PASSWORD
from .drafting_helpers import make_rule
from .page_checks import check_page, chinese_left, overflowing
from .trials_helpers import TESTER, cement_dataset, make_trial

ENGLISH = {"Accept-Language": "en"}
ELECTRICITY = 3  # the line of cement_dataset() that is purchased electricity


@pytest.fixture
def rule_id(database, people):
    with database() as session:
        rule = make_rule(session, working_group=session.get(WorkingGroup, people["working_group"]))
        session.commit()
        return rule.id


def electricity_factor(session, code, kind, unit, value):
    return factor_service.create_factor(
        session,
        factor_service.FactorInput(
            code=code,
            name=f"电网因子 {code}",
            value=value,
            unit=unit,
            kind=kind,
            tier="government",
            source="生态环境部",
        ),
        by=ADMIN,
    )


def with_electricity_factor(code: str, enterprise="华北水泥有限公司") -> dict:
    """The cement dataset whose electricity names a library factor, without an `electricity` object."""
    data = copy.deepcopy(cement_dataset(enterprise))
    data["lines"][ELECTRICITY]["factor"] = {"id": code}
    return data


def in_english(client):
    """The signed-in account reads English from now on (the pages follow the account's choice)."""
    assert client.post_form("/language", {"locale": "en", "next": "/"}).status_code == 302
    return client


def codes(calculation) -> list[tuple[str, str]]:
    return [(found["code"], found["path"]) for found in calculation.result["findings"]]


# --- 1. the report shows each trial's period --------------------------------------------------------


def test_the_report_shows_each_trials_period_without_the_words_that_could_name_the_plant(login, database, rule_id):
    with database() as session:
        rule = session.get(Rule, rule_id)
        make_trial(session, rule, "甲厂")
        second = copy.deepcopy(cement_dataset("乙厂"))
        second["period"] = "2024-01/2024-12（二号窑）"
        service.create_trial(session, rule, data=second, source="json", by=TESTER)
        session.commit()
        report = service.report(session, drafting.revision(session, rule))
    assert [(row["label"], row["period"]) for row in report["results"]] == [("企业A", "2025 年"), ("企业B", "2024")]
    page = login(Role.EVALUATOR).get(f"/drafting/{rule_id}/trials/report").text
    results = page.split('id="results"', 1)[1].split("</table>", 1)[0]
    assert '<span lang="zh-CN">2025 年</span>' in results and '<span lang="zh-CN">2024</span>' in results
    assert "二号窑" not in page


def test_a_period_of_dates_only_is_shown_as_typed_and_other_words_leave_only_the_years():
    assert feasibility.anonymous_period("2023年7月至2024年6月") == "2023年7月至2024年6月"
    assert feasibility.anonymous_period(" 2025 年 1 月—12 月 ") == "2025 年 1 月—12 月"
    assert feasibility.anonymous_period("海螺芜湖 2023—2024") == "2023–2024"
    assert feasibility.anonymous_period("去年") == ""


# --- 2. the gap table names gaps in words -----------------------------------------------------------


def test_the_gap_table_says_what_the_rule_asks_in_words_in_chinese_and_english(login, database, rule_id):
    data = cement_dataset()
    for line in data["lines"]:
        if line["stage"] == "production":
            line["data_type"] = "statistical"  # production has no primary data: primary_data_missing
    with database() as session:
        service.create_trial(session, session.get(Rule, rule_id), data=data, source="json", by=TESTER)
        session.commit()
    evaluator = login(Role.EVALUATOR)
    summary = CATALOGUE["primary_data_missing"].summary
    for english, words in (
        (False, summary),
        (True, "Stages where the rule requires primary data must use primary data"),
    ):
        if english:
            in_english(evaluator)
        page = evaluator.get(f"/drafting/{rule_id}/trials/report").text
        row = page.split('data-code="primary_data_missing"', 1)[1].split("</tr>", 1)[0]
        assert words in row
        assert "primary_data_missing" not in re.sub(r"<[^>]+>", " ", row)  # the code is no text of the row


# --- 3. one number format -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (679.04, "679.0"),  # the same precision as 724.1 beside it, not "679"
        (700.0, "700"),  # a whole number (a class limit) stays whole
        (724.1, "724.1"),
        (757.95, "758.0"),
        (999.96, "1,000"),
        (1234567.0, "1,235,000"),  # four figures are all a calculation claims, large or small
        (724144850.0, "724,100,000"),
        (1090.3, "1,090"),
        (0.018, "0.018"),  # not 0.01800: trailing zeros below 1 claim a precision nobody reads
        (0.5777, "0.5777"),
        (12.5, "12.50"),  # from 1 up trailing zeros stay, so that figures side by side line up
        (0.0001234, "1.234e-04"),
        (0, "0"),
        (None, "—"),
    ],
)
def test_a_calculated_figure_has_four_significant_figures(value, shown):
    assert display.number(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"), [(800000.0, "800,000"), (1000, "1,000"), (12.5, "12.5"), (0.35, "0.35"), (None, "—")]
)
def test_a_typed_quantity_is_shown_as_given_without_a_trailing_zero(value, shown):
    assert display.quantity(value) == shown


@pytest.mark.parametrize(
    ("kilograms", "shown"), [(724144850, "724,100 t CO2e"), (1000, "1 t CO2e"), (512.34, "512.3 kg CO2e"), (None, "—")]
)
def test_a_period_total_is_shown_in_tonnes_to_four_figures(kilograms, shown):
    assert display.co2e_total(kilograms) == shown


def test_percentages_ranges_and_ratios_have_one_style():
    nbsp = "\u00a0"
    assert display.pct(8.1234) == f"8.1{nbsp}%"  # one decimal, the sign kept with its number
    assert display.pct(0) == f"0.0{nbsp}%"  # not 0.00 %
    assert display.pct(5.0, typed=True) == f"5{nbsp}%"  # a rule's limit as it was typed, not 5.0 %
    assert display.pct(None) == "—"
    assert display.share(99.249) == "99.2"  # the bare number, under a column headed %
    assert display.interval(1090.3, 1142.4) == "1,090 – 1,142"  # no comma between two figures
    assert display.ratio(1.1748) == "1.17" and display.ratio(0.871, signed=True) == "+0.87"


def test_the_reports_sentences_show_the_figures_as_its_table_does(app):
    outcomes = [
        feasibility.TrialOutcome(label, "2025", True, {"cfp_per_unit": value, "unit": "kg CO2e/t"})
        for label, value in (("企业A", 724.1), ("企业B", 679.04), ("企业C", 757.95))
    ]
    (spread,) = [note.render() for note in feasibility.report(outcomes)["notes"] if "之间" in note.render()]
    assert "679.0（企业B）至 758.0（企业C）" in spread and "中位数 724.1" in spread
    assert "变异系数 5.5\u00a0%" in spread and "最大值为最小值的 1.12 倍" in spread  # as the page's table shows them
    with app.test_request_context(), force_locale("en"):
        (english,) = [note.render(translate) for note in feasibility.report(outcomes)["notes"] if "679.0" in str(note)]
    assert "coefficient of variation 5.5\u00a0%" in english


def test_the_trial_page_shows_every_figure_by_the_policy_and_names_who_calculated(login, database, rule_id):
    with database() as session:  # kiln dust adds 0.3 kg CO2e/t: a contribution below 1; 889,900 kg in all
        trial = make_trial(session, session.get(Rule, rule_id))
        session.commit()
        trial_id, result = trial.id, trial.calculations[-1].result
    page = login(Role.DRAFTER).get(f"/trials/{trial_id}").text
    heading = page.split('id="result"', 1)[1].split('id="cfp"', 1)[0]
    assert '<span lang="zh-CN">测试</span>' in heading and "(test)" not in heading  # the name, not the username
    total = html.unescape(page.split('id="period-total">', 1)[1].split("</dd>", 1)[0])
    assert total.startswith("889.9 t CO2e") and display.co2e_total(result["total"]) == "889.9 t CO2e"
    cut_off = html.unescape(page.split('id="cut-off">', 1)[1].split("</p>", 1)[0])
    limit = display.pct(result["cut_off"]["total_percent"], typed=True)
    assert f"占 {display.pct(result['cut_off']['excluded_percent'])}（限值 {limit}）" in cut_off
    assert not re.search(r"\d\.\d\d\u00a0?%|\d\.0\u00a0%）", cut_off)  # neither 0.00 % nor a typed 5.0 %
    primary = html.unescape(page.split('id="primary-share">', 1)[1].split("</dd>", 1)[0])
    assert primary.startswith(display.pct(result["primary_data_share"]))
    contributions = page.split('id="contributions"', 1)[1].split("</table>", 1)[0]
    small = [c for c in result["contributions"] if 0 < c["kg_co2e_per_unit"] < 1]
    assert small and all(f"<td>{display.number(c['kg_co2e_per_unit'])}</td>" in contributions for c in small)
    assert not re.search(r"<td>0\.\d*0</td>", contributions.split("<code>")[0])  # no trailing zero below 1
    for plain in re.findall(r"\d %", re.sub(r"<[^>]+>", " ", page)):
        pytest.fail(f"a percentage without its no-break space: {plain!r}")


def test_the_report_page_shows_percentages_and_ranges_in_one_style(login, database, rule_id):
    with database() as session:
        rule = session.get(Rule, rule_id)
        for enterprise, scale in (("甲水泥", 1.0), ("乙水泥", 1.1)):
            data = copy.deepcopy(cement_dataset(enterprise, scale))
            data["lines"][4]["uncertainty"] = {"distribution": "lognormal", "gsd": 1.2}
            service.create_trial(session, rule, data=data, source="json", by=TESTER)
        session.commit()
    page = html.unescape(login(Role.DRAFTER).get(f"/drafting/{rule_id}/trials/report").text)
    text = re.sub(r"<[^>]+>", "", page)
    assert re.search(r"变异系数 \d+\.\d\u00a0%", text)  # the note, as the table
    assert re.search(r'id="cv">\d+\.\d\u00a0%<', page)
    results = page.split('id="results"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"\d – \d", results) and not re.search(r"\[\d", results)  # 697.5 – 751.4, not [697.5, 751.4]
    assert not re.search(r"\d%", text)  # every percentage is written 8.1 %, never 8.1%


def test_a_quantity_reads_without_a_trailing_zero_on_the_page_and_in_the_form(login, database, rule_id):
    data = cement_dataset()
    data["reference_flow"]["quantity"] = 800000.0
    with database() as session:
        trial_id = service.create_trial(session, session.get(Rule, rule_id), data=data, source="json", by=TESTER).id
        session.commit()
    drafter = login(Role.DRAFTER)
    page = drafter.get(f"/trials/{trial_id}").text
    assert "800,000 t" in page and "800000.0" not in page
    form = drafter.get(f"/trials/{trial_id}/edit").text
    assert 'value="800000"' in form and "800000.0" not in form


# --- 4. purchased electricity gets its scenario ------------------------------------------------------


def test_electricity_named_by_its_library_factor_is_purchased_electricity(login, database, rule_id):
    with database() as session:
        electricity_factor(session, "ELEC-CFP-2024", "cfp_life_cycle", "kgCO2e/kWh", 0.5777)
        trial = service.create_trial(
            session, session.get(Rule, rule_id), data=with_electricity_factor("ELEC-CFP-2024"), source="json", by=TESTER
        )
        session.commit()
        result = trial.calculations[-1].result
        trial_id = trial.id
    assert result["scenarios"]["electricity"]["applicable"] is True
    assert result["scenarios"]["electricity"]["instruments"] is False
    assert [(line["path"], line["method"]) for line in result["electricity"]] == [(f"/lines/{ELECTRICITY}", "grid")]
    page = login(Role.DRAFTER).get(f"/trials/{trial_id}").text
    scenarios = page.split('id="scenarios"', 1)[1].split("</table>", 1)[0]
    electricity_rows = [row for row in scenarios.split("<tr>") if "电力" in row.split("</td>", 1)[0]]
    assert len(electricity_rows) == 2
    assert all("本数据不涉及" not in row and "没有合同电力凭证" in row for row in electricity_rows)
    assert 'id="electricity"' in page  # the electricity table lists the line


def test_data_without_purchased_electricity_say_the_choice_does_not_apply(session):
    data = copy.deepcopy(cement_dataset())
    del data["lines"][ELECTRICITY]
    trial = service.create_trial(session, make_rule(session), data=data, source="json", by=TESTER)
    assert trial.calculations[-1].result["scenarios"]["electricity"]["applicable"] is False


# --- 5. a CO2-only grid factor is a finding -----------------------------------------------------------


def test_a_co2_only_grid_factor_is_found_and_a_carbon_footprint_factor_is_not(session):
    rule = make_rule(session)
    electricity_factor(session, "ELEC-CO2-2022", "co2_location_based", "kgCO2/kWh", 0.5366)
    electricity_factor(session, "ELEC-CFP-2024", "cfp_life_cycle", "kgCO2e/kWh", 0.5777)
    co2_only = service.create_trial(
        session, rule, data=with_electricity_factor("ELEC-CO2-2022", "甲厂"), source="json", by=TESTER
    )
    cfp = service.create_trial(
        session, rule, data=with_electricity_factor("ELEC-CFP-2024", "乙厂"), source="json", by=TESTER
    )
    (calculation,) = co2_only.calculations
    assert ("electricity_factor_co2_only", f"/lines/{ELECTRICITY}/factor") in codes(calculation)
    assert calculation.usable and calculation.errors == 1  # still calculated, with the error counted
    (found,) = [item for item in calculation.result["findings"] if item["code"] == "electricity_factor_co2_only"]
    assert found["severity"] == "error" and found["article"] == "指引（四）"
    assert "外购电力" in found["message"] and "电力碳足迹因子" in found["message"]
    assert "electricity_factor_co2_only" not in [code for code, _ in codes(cfp.calculations[0])]


def test_an_electricity_line_with_an_inline_co2_factor_is_found_too(session):
    data = copy.deepcopy(cement_dataset())
    line = data["lines"][ELECTRICITY]
    line["electricity"] = {}
    line["factor"] = {"value": 0.5366, "unit": "kgCO2/kWh", "tier": "government", "source": "生态环境部 2022"}
    trial = service.create_trial(session, make_rule(session), data=data, source="json", by=TESTER)
    assert ("electricity_factor_co2_only", f"/lines/{ELECTRICITY}/factor") in codes(trial.calculations[0])


def test_the_finding_reads_in_english_on_the_trial_page(login, database, rule_id):
    with database() as session:
        electricity_factor(session, "ELEC-CO2-2022", "co2_location_based", "kgCO2/kWh", 0.5366)
        trial_id = service.create_trial(
            session, session.get(Rule, rule_id), data=with_electricity_factor("ELEC-CO2-2022"), source="json", by=TESTER
        ).id
        session.commit()
    page = in_english(login(Role.DRAFTER)).get(f"/trials/{trial_id}").text
    finding = page.split('data-code="electricity_factor_co2_only"', 1)[1].split("</li>", 1)[0]
    assert "CO2-only electricity emission factor" in finding and "carbon-footprint factor" in finding


# --- 6. the carry-forward prompt goes once nothing is left to carry ---------------------------------


def test_the_carry_forward_prompt_goes_once_every_enterprise_is_carried(login, database, rule_id):
    with database() as session:
        rule = session.get(Rule, rule_id)
        for name in ("甲厂", "乙厂"):
            make_trial(session, rule, name)
        document = copy.deepcopy(drafting.revision(session, rule).document)
        document["parameters"]["cut_off"]["per_item_percent"] = 0.5
        drafting.save_revision(session, rule, document, message="改取舍", based_on=rule.current_revision, by=TESTER)
        make_trial(session, rule, "甲厂")  # one enterprise is already tried on the new revision
        session.commit()
    drafter = login(Role.DRAFTER)
    page = drafter.get(f"/drafting/{rule_id}/trials").text
    prompt = page.split('id="carry-forward"', 1)[1].split("</form>", 1)[0]
    assert "第 1 版还有 1 家企业的试算没有转入当前版本" in prompt
    assert drafter.post_form(f"/drafting/{rule_id}/trials/carry-forward").status_code == 302
    after = drafter.get(f"/drafting/{rule_id}/trials").text
    assert 'id="carry-forward"' not in after and "企业B" in after
    with database() as session:
        assert service.to_carry_forward(session, session.get(Rule, rule_id)) is None


# --- 7. an unknown unit is named, with units to use, in the reader's language ------------------------


def test_an_unknown_unit_says_which_and_what_to_use_in_chinese_and_english(app):
    with pytest.raises(units.UnitError) as refused:
        units.activity_unit("tCO")
    assert refused.value.message.render().startswith("未知单位“tCO”：请使用 t、kg、kWh")
    with app.test_request_context(), force_locale("en"):
        english = refused.value.message.render(translate)
    assert english.startswith('Unknown unit "tCO": use units such as t, kg, kWh') and "piece" in english
    assert "registry" not in english and "registry" not in refused.value.message.render()


def test_an_unknown_unit_in_the_form_and_the_api_is_named_in_the_readers_language(login, database, rule_id):
    from .test_trials import table_form

    drafter = login(Role.DRAFTER)
    form = table_form(cement_dataset(), **{"line-0-unit": "tCO"})
    saved = drafter.post_form(f"/drafting/{rule_id}/trials/new", form)
    assert saved.status_code == 302, saved.text
    zh = drafter.get(saved.headers["Location"]).text
    assert "未知单位“tCO”：请使用 t、kg、kWh" in zh and "not defined" not in zh
    en = in_english(drafter).get(saved.headers["Location"]).text
    assert "Unknown unit &#34;tCO&#34;: use units such as t, kg, kWh" in en or 'Unknown unit "tCO"' in en

    data = cement_dataset("华东建材集团")
    data["lines"][0]["unit"] = "tCO"
    created = drafter.api("POST", f"/api/v1/rules/{rule_id}/trials", {"dataset": data}, headers=ENGLISH)
    assert created.status_code == 201, created.text
    (problem,) = created.json["latest_calculation"]["result"]["problems"]
    assert problem["path"] == "/lines/0/unit" and 'Unknown unit "tCO": use units such as t, kg' in problem["message"]


def test_a_cell_of_the_table_form_that_cannot_be_read_is_named_in_the_readers_language(login, rule_id):
    from .test_trials import table_form

    drafter = login(Role.DRAFTER)
    form = table_form(cement_dataset(), **{"line-3-amount": "ninety", "line-3-pedigree": "9"})
    chinese = drafter.post_form(f"/drafting/{rule_id}/trials/new", form)
    assert chinese.status_code == 422 and "第 4 行「数量」“ninety”不是数字" in html.unescape(chinese.text)
    english = html.unescape(in_english(drafter).post_form(f"/drafting/{rule_id}/trials/new", form).text)
    assert "Row 4, “Quantity”: “ninety” is not a number: enter a number such as 1234.5" in english
    cell = english.split('id="line-3-amount-error"', 1)[1].split("</ul>", 1)[0]
    assert "“Quantity”: “ninety” is not a number" in cell and "Row 4" not in cell  # the cell names no row
    assert "should be five whole numbers from 1 to 5" in english
    assert "不是数字" not in english and "整数" not in english


# --- 8 and 9. the pages on a phone and in English (browser) ---------------------------------------------


def signed_in(browser, live_server, username, *, english=False, phone=False):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".account-bar .who")).to_be_visible()
    wanted = "en" if english else "zh_CN"
    button = page.locator(f"button[name=locale][value={wanted}]")
    if button.is_enabled():  # the account may keep the language of an earlier test
        button.click()
        page.wait_for_load_state()
    if phone:
        page.set_viewport_size({"width": 390, "height": 844})
    return page


@pytest.fixture
def browser_rule(app, people):
    with app.app_context():
        rule = make_rule(db.session, working_group=db.session.get(WorkingGroup, people["working_group"]))
        ids = [make_trial(db.session, rule, name, scale=1 + n / 10).id for n, name in enumerate(("甲厂", "乙厂"))]
        db.session.commit()
        return {"id": rule.id, "trials": ids}


@pytest.mark.browser
def test_the_table_form_fits_a_phone(browser, live_server, browser_rule):
    page = signed_in(browser, live_server, "drafter", phone=True)
    for url in (f"/drafting/{browser_rule['id']}/trials/new", f"/trials/{browser_rule['trials'][0]}/edit"):
        page.goto(live_server + url)
        expect(page.locator("#table-form")).to_be_visible()
        assert overflowing(page) == [], url
    # refused: the list of problems on top and the messages under the cells stay on the screen too
    page.locator('#lines [name="line-0-amount"]').fill("九万千瓦时 not a number at all")
    page.locator("#table-form button[type=submit]:not([name])").click()
    expect(page.locator("#lines .cell-errors").first).to_be_visible()
    assert overflowing(page) == []
    page.context.close()


@pytest.mark.browser
def test_the_trial_pages_read_in_english(browser, live_server, browser_rule):
    page = signed_in(browser, live_server, "drafter", english=True)
    rule_id, trial_id = browser_rule["id"], browser_rule["trials"][0]
    pages = (
        f"/trials/{trial_id}",
        f"/drafting/{rule_id}/trials/report",
        f"/drafting/{rule_id}/trials",
        f"/drafting/{rule_id}/trials/new",
        f"/trials/{trial_id}/json",
        f"/drafting/{rule_id}/trials/upload",
        "/trials",
    )
    problems = []
    for url in pages:
        page.goto(live_server + url)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        problems += [item for item in chinese_left(page) if "account-bar" not in item and "a.who" not in item]
        page.set_viewport_size({"width": 390, "height": 844})
        problems += check_page(page, english=False, phone=True)
        page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server + f"/trials/{trial_id}")
    expect(page.locator("#chart-stages svg")).to_contain_text("Production")
    page.context.close()
    assert problems == []
