"""End to end in the system Chromium against `workbench serve` (gunicorn, two workers)."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect, sync_playwright

from workbench.db import db
from workbench.registry import service as registry

from .conftest import PASSWORD
from .test_i18n import NAVIGATION_EN, NAVIGATION_ZH

pytestmark = pytest.mark.browser

# As the machine notes advise: no sandbox as root, and no background traffic to the internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()


def navigation(page):
    return [label.strip() for label in page.locator("nav.primary a").all_inner_texts()]


def test_sign_in_and_switch_language(page, live_server, people, tmp_path):
    page.goto(live_server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    assert navigation(page) == NAVIGATION_ZH

    page.get_by_role("link", name="登录", exact=True).click()
    page.get_by_label("用户名").fill("drafter")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="您好，测试drafter")).to_be_visible()
    page.screenshot(path=tmp_path / "home-zh.png", full_page=True)

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert navigation(page) == NAVIGATION_EN
    expect(page.get_by_role("heading", name="Hello, 测试drafter")).to_be_visible()
    page.screenshot(path=tmp_path / "home-en.png", full_page=True)

    # Every request may land on either worker: the session and language live in the cookie.
    for _ in range(6):
        page.reload()
        assert navigation(page) == NAVIGATION_EN

    page.get_by_role("button", name="中文").click()
    assert navigation(page) == NAVIGATION_ZH


def test_a_protected_page_sends_visitors_to_sign_in_and_back(page, live_server, people):
    page.goto(live_server + "/working-groups")
    expect(page).to_have_url(live_server + "/login?next=%2Fworking-groups")
    expect(page.get_by_text("请先登录后再访问该页面。")).to_be_visible()
    page.get_by_label("用户名").fill("secretariat")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(live_server + "/working-groups")
    expect(page.get_by_role("link", name="测试起草组")).to_be_visible()


def test_a_secretariat_member_edits_a_group_and_sees_it_in_the_history(page, live_server, people):
    page.goto(live_server + "/login")
    page.get_by_label("用户名").fill("secretariat")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(live_server + f"/working-groups/{people['working_group']}/edit")
    page.get_by_label("测试evaluator（evaluator）", exact=False).check()
    page.get_by_label("修改原因").fill("增补评估专家")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("工作组“测试起草组”已保存。")).to_be_visible()
    page.get_by_role("link", name="变更记录").click()
    expect(page.get_by_text("增补评估专家")).to_be_visible()
    expect(page.locator("td.after").first).to_contain_text("evaluator")


def test_the_layout_fits_a_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator("nav.primary")).to_be_hidden()
    page.get_by_role("button", name="菜单").click()
    expect(page.locator("nav.primary")).to_be_visible()
    context.close()


# --- the standards registry -----------------------------------------------------------------------

ALUMINIUM_TITLE = "温室气体 产品碳足迹量化方法与要求 电解铝"
GROUP_WARNING = "“电解铝”已有碳足迹国家标准或行业标准（GB/T 44905—2024），不再鼓励制定团体标准。"


@pytest.fixture
def aluminium(app):
    """The product 电解铝 with its national standard GB/T 44905-2024, committed."""
    with app.app_context():
        product = registry.create_product(
            db.session, registry.ProductInput(name="电解铝", side="production", end_use="intermediate")
        )
        national, _ = registry.create_standard(
            db.session,
            registry.StandardInput(
                level="national",
                numbers="GB/T 44905-2024",
                title=ALUMINIUM_TITLE,
                status="published",
                product=product,
                published_on=date(2024, 10, 26),
                implemented_on=date(2025, 5, 1),
            ),
        )
        db.session.commit()
        return {"product": product.id, "national": national.id}


def sign_in(page, live_server, username):
    page.goto(live_server + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name=f"您好，测试{username}")).to_be_visible()


def open_the_standard_form(page):
    page.locator("nav.primary").get_by_role("link", name="标准体系").click()
    expect(page.get_by_role("heading", name="标准体系", exact=True)).to_be_visible()
    page.get_by_role("link", name="登记标准或项目").click()
    expect(page.get_by_role("heading", name="登记标准或项目")).to_be_visible()


def test_registering_a_group_standard_shows_the_level_warning(page, live_server, people, aluminium):
    sign_in(page, live_server, "secretariat")
    open_the_standard_form(page)
    page.get_by_label("级别", exact=True).select_option(label="团体标准")
    page.get_by_label("标准编号", exact=True).fill("t/cnia 0300－2025")
    page.get_by_label("标准名称", exact=True).fill("温室气体 产品碳足迹量化方法与要求 电解铝（团体）")
    page.get_by_label("产品", exact=True).select_option(label="电解铝")
    page.get_by_label("状态", exact=True).select_option(label="已发布")
    page.get_by_label("发布日期", exact=True).fill("2025-03-01")
    page.get_by_label("实施日期", exact=True).fill("2025-06-01")
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("T/CNIA 0300—2025")
    expect(page).to_have_url(re.compile(re.escape(live_server) + r"/standards/\d+$"))
    warning = page.locator(".flash-warning")
    expect(warning).to_have_count(1)
    expect(warning).to_contain_text("指引（十）")
    expect(warning).to_contain_text(GROUP_WARNING)
    findings = page.locator("#findings")
    expect(findings.get_by_role("heading", name="级别检查")).to_be_visible()
    finding = findings.locator("li.finding-warning")
    expect(finding).to_have_count(1)
    expect(finding.locator(".badge")).to_have_text("警告")
    expect(finding.locator(".article")).to_have_text("指引（十）")
    expect(finding.locator(".message")).to_have_text(GROUP_WARNING)
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("团体标准 · 推荐性")
    expect(facts.get_by_role("link", name="电解铝")).to_be_visible()
    page.screenshot(path="/tmp/registry-warning.png", full_page=True)

    # The warning is not stored in the session: it stays on the page but not in the next flash.
    page.reload()
    expect(page.locator(".flash-warning")).to_have_count(0)
    expect(page.locator("#findings li.finding-warning .message")).to_have_text(GROUP_WARNING)

    page.locator("dl.facts").get_by_role("link", name="电解铝").click()
    expect(page).to_have_url(live_server + f"/products/{aluminium['product']}")
    expect(page.locator("section.rung", has=page.locator("#rung-national"))).to_contain_text("GB/T 44905—2024")
    expect(page.locator("section.rung", has=page.locator("#rung-group"))).to_contain_text("T/CNIA 0300—2025")
    page.screenshot(path="/tmp/registry-ladder.png", full_page=True)


def test_a_local_standard_is_refused_where_a_national_one_exists(page, live_server, people, aluminium):
    sign_in(page, live_server, "secretariat")
    open_the_standard_form(page)
    page.get_by_label("级别", exact=True).select_option(label="地方标准")
    page.get_by_label("标准编号", exact=True).fill("DB15/T 1-2025")
    page.get_by_label("标准名称", exact=True).fill("温室气体 产品碳足迹量化方法与要求 电解铝（内蒙古）")
    page.get_by_label("产品", exact=True).select_option(label="电解铝")
    page.get_by_label("状态", exact=True).select_option(label="已发布")
    page.get_by_label("发布日期", exact=True).fill("2025-02-01")
    page.get_by_label("实施日期", exact=True).fill("2025-03-01")
    page.get_by_role("button", name="保存").click()

    # The form comes back (with 422, which the browser does not show) saying why.
    expect(page.get_by_role("heading", name="登记标准或项目")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("提交的内容有误")
    level_errors = page.locator("#level-errors")
    expect(level_errors).to_contain_text("不再制定地方标准")
    expect(level_errors).to_contain_text("GB/T 44905—2024")
    expect(page.get_by_label("级别", exact=True)).to_have_attribute("aria-invalid", "true")
    # What was typed is still there.
    expect(page.get_by_label("级别", exact=True)).to_have_value("local")
    expect(page.get_by_label("标准编号", exact=True)).to_have_value("DB15/T 1-2025")
    expect(page.get_by_label("标准名称", exact=True)).to_have_value(
        "温室气体 产品碳足迹量化方法与要求 电解铝（内蒙古）"
    )
    expect(page.get_by_label("产品", exact=True)).to_have_value(str(aluminium["product"]))
    expect(page.get_by_label("状态", exact=True)).to_have_value("published")
    expect(page.get_by_label("发布日期", exact=True)).to_have_value("2025-02-01")
    expect(page.get_by_label("实施日期", exact=True)).to_have_value("2025-03-01")

    # Nothing was registered.
    page.get_by_role("link", name="取消").click()
    page.get_by_label("编号或名称").fill("DB15/T 1-2025")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("#standards tbody tr")).to_have_count(1)
    expect(page.locator("#standards tbody")).to_have_text("没有符合条件的标准。")


def test_the_list_finds_a_standard_by_its_number_written_any_way(page, live_server, people, aluminium):
    page.goto(live_server + "/standards")
    page.get_by_label("编号或名称").fill("ＧＢ／Ｔ 44905-2024")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_label("编号或名称")).to_have_value("ＧＢ／Ｔ 44905-2024")
    rows = page.locator("#standards tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link", name="GB/T 44905—2024")).to_be_visible()
    expect(rows.first).to_contain_text(ALUMINIUM_TITLE)
    expect(rows.first.get_by_role("link", name="电解铝")).to_be_visible()
    rows.first.get_by_role("link", name="GB/T 44905—2024").click()
    expect(page).to_have_url(live_server + f"/standards/{aluminium['national']}")
