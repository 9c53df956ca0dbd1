"""Acceptance of issue 17, item 4 and 5 (信息披露、碳标识、分级管理) in the system Chromium against
`workbench serve`, on the demo: the enterprise member `cement` declares under the published cement
rule from its calculation of record and submits it to 示例低碳认证中心（演示）; `certifier`
verifies it (certificate number, date, scope); signed out, the public page shows the QR code, the
class and the certificate; the rule's distribution page draws its chart and lists the value.

Screenshots go to tmp_path, or to the folder WORKBENCH_SCREENSHOTS names."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from workbench.db import db
from workbench.drafting.models import Rule
from workbench.exchange.models import Declaration
from workbench.trials import display

from .test_catalogue_browser import PHONE, shots_folder
from .test_declarations import CEMENT_TITLE, DEMO_PASSWORD

pytestmark = pytest.mark.browser

PRODUCT = "P·O 42.5R 普通硅酸盐水泥（浏览器测试）"


@pytest.fixture
def demo(cli_runner, app):
    result = cli_runner("demo")
    assert result.exit_code == 0, result.output
    with app.app_context():
        return {"rule": db.session.scalar(select(Rule.id).where(Rule.title == CEMENT_TITLE))}


def signed_in(browser, live_server, username, viewport=None):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800}, locale="zh-CN")
    tab = context.new_page()
    tab.goto(live_server + "/login")
    tab.get_by_label("用户名").fill(username)
    tab.get_by_label("密码").fill(DEMO_PASSWORD)
    tab.get_by_role("button", name="登录").click()
    expect(tab.locator(".account-bar")).to_be_visible()
    expect(tab).not_to_have_url(re.compile(r"/login"))
    return tab


def test_declare_verify_and_show_the_label_and_the_distribution(browser, live_server, demo, app, tmp_path):
    shots = shots_folder(tmp_path)

    # The enterprise declares from its calculation of record under the published cement rule.
    plant = signed_in(browser, live_server, "cement")
    plant.goto(live_server + "/declarations/new")
    expect(plant.get_by_role("button", name="选择规则")).to_be_hidden()  # the script shows the fields itself
    plant.evaluate("window.notReloaded = true")
    plant.get_by_label("规则", exact=True).select_option(value=str(demo["rule"]))
    expect(plant.get_by_label("依据")).to_be_visible()
    assert plant.evaluate("window.notReloaded === true")  # no round trip
    # Only the chosen basis's field is shown: the calculation, or the PACT file.
    plant.get_by_label("依据").select_option(value="pact")
    expect(plant.get_by_label("PACT 文件")).to_be_visible()
    expect(plant.get_by_label("试算结果", exact=True)).to_be_hidden()
    plant.get_by_label("依据").select_option(value="calculation")
    expect(plant.get_by_label("PACT 文件")).to_be_hidden()
    calculation = plant.get_by_label("试算结果", exact=True)
    expect(calculation.locator("option")).to_have_count(2)  # the prompt and the plant's calculation
    calculation.select_option(index=1)
    plant.get_by_label("产品", exact=True).fill(PRODUCT)
    plant.get_by_label("数据期间起").fill("2025-01-01")
    plant.get_by_label("数据期间止").fill("2025-12-31")
    plant.get_by_label("地理范围类型").select_option(value="subdivision")
    plant.get_by_label("地理范围", exact=True).fill("CN-ZJ")
    plant.screenshot(path=shots / "declaration-new.png", full_page=True)
    plant.get_by_role("button", name="保存草稿").click()
    expect(plant.get_by_text("声明草稿已保存")).to_be_visible()
    workspace = plant.url
    plant.get_by_label("认证机构").select_option(label="示例低碳认证中心（演示）")
    plant.get_by_role("button", name="提交核查").click()
    expect(plant.get_by_text("声明已提交认证机构核查。")).to_be_visible()

    # The certifier verifies it.
    auditor = signed_in(browser, live_server, "certifier")
    auditor.goto(live_server + "/declarations/?status=submitted")
    auditor.get_by_role("link", name=PRODUCT).click()
    expect(auditor).to_have_url(workspace)
    form = auditor.locator("#verify")
    form.get_by_label("证书编号").fill("LC-浏览器-2026-0007")
    expect(form.get_by_label("核查日期")).not_to_have_value("")  # today, by default
    form.get_by_label("核查范围").fill("P·O 42.5R 水泥，摇篮到大门，2025 年数据")
    auditor.screenshot(path=shots / "declaration-verify.png", full_page=True)
    form.get_by_role("button", name="核查通过").click()
    expect(auditor.get_by_text("声明已核查通过")).to_be_visible()

    with app.app_context():
        declaration = db.session.scalar(select(Declaration).where(Declaration.product == PRODUCT))
        public_id, rule_id, value = declaration.public_id, declaration.rule_id, declaration.value
        grade = declaration.performance_class
    assert grade  # the demo rule defines classes and the plant's value falls in one

    # Signed out, on a phone: the public page with its QR code, class and certificate.
    visitor = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    visitor.goto(live_server + f"/declarations/p/{public_id}")
    expect(visitor.locator("h1")).to_have_text(PRODUCT)
    qr = visitor.locator("#qr-code")
    expect(qr).to_be_visible()
    visitor.wait_for_function("document.getElementById('qr-code').complete")
    assert qr.evaluate("img => img.naturalWidth") > 0
    expect(visitor.locator("#public-class")).to_have_text(grade)
    expect(visitor.locator("#public-certificate")).to_have_text("LC-浏览器-2026-0007")
    expect(visitor.locator("#public-status")).to_have_text("已核查")
    expect(visitor.locator("#public-value")).to_contain_text(display.number(value))  # as on every page
    expect(visitor.locator("#public-geography")).to_have_text("CN-ZJ")  # a subdivision as given
    facts = visitor.locator("#public-facts").bounding_box()
    assert facts["x"] + facts["width"] <= PHONE["width"]  # long values wrap, nothing is cut
    visitor.screenshot(path=shots / "declaration-public.png", full_page=True)
    assert visitor.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # The rule's distribution: the chart drawn, the value in the table.
    visitor.goto(live_server + f"/declarations/rules/{rule_id}")
    canvas = visitor.locator("#distribution-chart")
    expect(canvas).to_be_visible()
    visitor.wait_for_function(
        "() => { const c = document.getElementById('distribution-chart'); return window.Chart && Chart.getChart(c); }"
    )
    size = canvas.evaluate("c => [c.width, c.height]")
    assert size[0] > 0 and size[1] > 0
    row = visitor.locator("#distribution-table tr", has_text=PRODUCT)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(display.number(value))
    expect(row).to_contain_text(grade)
    visitor.screenshot(path=shots / "declaration-distribution.png", full_page=True)

    # The rule's overview (the secretariat's) links to the distribution.
    secretariat = signed_in(browser, live_server, "secretariat")
    secretariat.goto(live_server + f"/drafting/{rule_id}")
    secretariat.locator("#rule-declarations").click()
    expect(secretariat).to_have_url(re.compile(rf"/declarations/rules/{rule_id}$"))
