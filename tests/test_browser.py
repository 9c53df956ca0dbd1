"""End to end in the system Chromium against `workbench serve` (gunicorn, two workers)."""

import pytest
from playwright.sync_api import expect, sync_playwright

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
