"""End to end in the system Chromium against `workbench serve` (gunicorn, two workers)."""

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from workbench.auth.permissions import Role
from workbench.db import db
from workbench.registry import service as registry
from workbench.workflow import service as workflow

from .conftest import ADMIN, PASSWORD, SECRETARIAT, Acting
from .test_i18n import NAVIGATION_EN, NAVIGATION_ZH

pytestmark = pytest.mark.browser


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
            db.session, registry.ProductInput(name="电解铝", side="production", end_use="intermediate"), by=ADMIN
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
            by=ADMIN,
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


# --- the drafting workspace -----------------------------------------------------------------------

BOUNDARY_TYPE = "/parameters/system_boundary/type"
BOUNDARY_ANCHOR = "field-parameters-system_boundary-type"


@pytest.fixture
def cement_rule(app, people):
    """A rule for 水泥 (an intermediate product) created from the template by the secretariat, committed.

    With the product's English name the template fills every title, so the new rule has no errors
    (without it, title_en_missing is one)."""
    from workbench.drafting import service as drafting

    with app.app_context():
        product = registry.create_product(
            db.session,
            registry.ProductInput(name="水泥", side="production", end_use="intermediate", name_en="Cement"),
            by=ADMIN,
        )
        rule = drafting.create_rule(
            db.session,
            product=product,
            working_group=None,
            by=ADMIN,
            today=date.today(),
        )
        db.session.commit()
        return {"id": rule.id, "code": rule.code, "title": rule.title}


def current_revision(app, rule_id):
    from workbench.drafting.models import Rule

    with app.app_context():
        db.session.remove()
        return db.session.get(Rule, rule_id).current_revision


def open_the_parameters(page, live_server, rule_id):
    page.goto(live_server + f"/drafting/{rule_id}/parameters")
    expect(page.locator("nav.subnav a[aria-current=page]")).to_have_text("参数")


def test_a_boundary_change_raises_a_finding_that_goes_away_and_shows_in_the_comparison(page, live_server, cement_rule):
    rule_id = cement_rule["id"]
    parameters_url = live_server + f"/drafting/{rule_id}/parameters"
    sign_in(page, live_server, "secretariat")

    page.locator("nav.primary").get_by_role("link", name="规则起草").click()
    expect(page.get_by_role("heading", name="规则起草", exact=True)).to_be_visible()
    page.get_by_role("link", name=cement_rule["code"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("温室气体 产品碳足迹量化方法与要求 水泥")
    findings = page.locator("#findings")
    # The template proposes 摇篮到大门 for a product that is not for end users: no errors.
    expect(findings.locator(".badge-error").first).to_have_text("错误 0")
    expect(findings.locator("li.finding-error")).to_have_count(0)

    page.locator("nav.subnav").get_by_role("link", name="参数").click()
    expect(page).to_have_url(parameters_url)
    boundary = page.get_by_label("边界类型", exact=True)
    expect(boundary).to_have_attribute("name", BOUNDARY_TYPE)
    expect(boundary).to_have_value("cradle_to_gate")
    boundary.select_option(label="摇篮到坟墓")
    page.get_by_label("修改说明（记入修订记录）").fill("边界改为摇篮到坟墓")
    page.get_by_role("button", name="保存为新修订").click()

    expect(page).to_have_url(parameters_url)
    expect(page.locator(".flash-success")).to_contain_text("已保存为第 2 版")
    expect(page.get_by_label("边界类型", exact=True)).to_have_value("cradle_to_grave")
    mismatch = findings.locator(f'li.finding[data-code="boundary_end_use_mismatch"][data-path="{BOUNDARY_TYPE}"]')
    expect(mismatch).to_have_count(1)
    expect(mismatch).to_have_class(re.compile(r"\bfinding-error\b"))
    expect(mismatch.locator(".badge")).to_have_text("错误")
    expect(mismatch.locator(".article")).to_have_text("指引（三）")
    expect(mismatch.locator("a.message")).to_contain_text("非终端消费产品一般采用“摇篮到大门”边界")
    # The five stages of 摇篮到坟墓 are not all included either.
    expect(
        findings.locator(
            'li.finding-error[data-code="boundary_stages_inconsistent"]'
            '[data-path="/parameters/system_boundary/stages_included"]'
        )
    ).to_have_count(1)
    expect(findings.locator(".badge-error").first).not_to_have_text("错误 0")
    page.screenshot(path="/tmp/drafting-finding.png", full_page=True)

    link = mismatch.locator("a.message")
    expect(link).to_have_attribute("href", f"/drafting/{rule_id}/parameters#{BOUNDARY_ANCHOR}")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    link.click()
    expect(page).to_have_url(f"{parameters_url}#{BOUNDARY_ANCHOR}")
    field = page.locator(f"#{BOUNDARY_ANCHOR}")
    expect(field).to_be_in_viewport()
    expect(field.get_by_label("边界类型", exact=True)).to_have_value("cradle_to_grave")

    page.get_by_label("边界类型", exact=True).select_option(label="摇篮到大门")
    page.get_by_label("修改说明（记入修订记录）").fill("边界改回摇篮到大门")
    page.get_by_role("button", name="保存为新修订").click()

    expect(page.locator(".flash-success")).to_contain_text("已保存为第 3 版：0 项错误")
    expect(page.get_by_label("边界类型", exact=True)).to_have_value("cradle_to_gate")
    expect(findings.locator('li.finding[data-code="boundary_end_use_mismatch"]')).to_have_count(0)
    expect(findings.locator('li.finding[data-code="boundary_stages_inconsistent"]')).to_have_count(0)
    expect(findings.locator("li.finding-error")).to_have_count(0)
    expect(findings.locator(".badge-error").first).to_have_text("错误 0")

    page.locator("nav.subnav").get_by_role("link", name="修订记录").click()
    expect(page).to_have_url(live_server + f"/drafting/{rule_id}/revisions")
    history = page.locator("table.table tbody tr")
    expect(history).to_have_count(3)
    expect(history.nth(0)).to_contain_text("第 3 版")
    expect(history.nth(0)).to_contain_text("边界改回摇篮到大门")
    expect(history.nth(0)).to_contain_text("错误 0")
    expect(history.nth(1)).to_contain_text("边界改为摇篮到坟墓")
    expect(history.nth(1)).not_to_contain_text("错误 0")
    expect(history.nth(2)).to_contain_text("由模板创建")

    compare_form = page.locator("#compare-form")
    compare_form.locator("select[name=a]").select_option(label="第 1 版")
    compare_form.locator("select[name=b]").select_option(label="第 2 版")
    compare_form.get_by_role("button", name="比较").click()

    expect(page).to_have_url(live_server + f"/drafting/{rule_id}/compare?a=1&b=2")
    expect(page.get_by_role("heading", level=1)).to_have_text("第 1 版与第 2 版")
    changes = page.locator("#parameter-changes")
    expect(changes.locator("thead")).to_contain_text("第 1 版")
    expect(changes.locator("thead")).to_contain_text("第 2 版")
    row = changes.locator("tbody tr", has=page.locator("code", has_text=re.compile(f"^{re.escape(BOUNDARY_TYPE)}$")))
    expect(row).to_have_count(1)
    # Only what was changed: an untouched empty field is not written as "" by the save.
    expect(changes.locator("tbody tr")).to_have_count(1)
    # Values as the form shows them, not the stored codes.
    expect(row.locator("td.before")).to_have_text("摇篮到大门")
    expect(row.locator("td.after")).to_have_text("摇篮到坟墓")
    page.screenshot(path="/tmp/drafting-compare.png", full_page=True)


def test_a_stale_save_is_refused_and_keeps_what_was_typed(browser, live_server, app, cement_rule):
    rule_id = cement_rule["id"]
    assert current_revision(app, rule_id) == 1
    first_context = browser.new_context(viewport={"width": 1280, "height": 800})
    second_context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        first, second = first_context.new_page(), second_context.new_page()
        for page in (first, second):
            sign_in(page, live_server, "secretariat")
            open_the_parameters(page, live_server, rule_id)
        original_flow = second.get_by_label("基准流", exact=True).input_value()

        first.get_by_label("数据时间范围", exact=True).fill("2024 年 1 月 1 日至 12 月 31 日")
        first.get_by_label("修改说明（记入修订记录）").fill("明确数据时间范围")
        first.get_by_role("button", name="保存为新修订").click()
        expect(first.locator(".flash-success")).to_contain_text("已保存为第 2 版")

        typed = "1 t 出厂水泥（P·O 42.5），含包装"
        second.get_by_label("基准流", exact=True).fill(typed)
        second.get_by_label("修改说明（记入修订记录）").fill("改写基准流")
        second.get_by_role("button", name="保存为新修订").click()

        refusal = second.locator(".flash-error")
        expect(refusal).to_contain_text("您的内容没有保存")
        expect(refusal).to_contain_text("第 1 版")
        expect(refusal).to_contain_text("第 2 版")
        expect(second.locator(".params-form .notice")).to_contain_text("尚未保存")
        # Nothing typed is lost.
        expect(second.get_by_label("基准流", exact=True)).to_have_value(typed)
        expect(second.get_by_label("修改说明（记入修订记录）")).to_have_value("改写基准流")
    finally:
        first_context.close()
        second_context.close()

    from workbench.drafting import service as drafting
    from workbench.drafting.models import Rule

    with app.app_context():
        db.session.remove()
        rule = db.session.get(Rule, rule_id)
        assert rule.current_revision == 2
        assert len(rule.revisions) == 2
        saved = drafting.revision(db.session, rule).document["parameters"]
        assert saved["data_period"] == "2024 年 1 月 1 日至 12 月 31 日"
        assert saved["reference_flow"] == original_flow


# --- live checking -------------------------------------------------------------------------------

SCREENSHOTS = Path("/tmp/live-check")


def check_requests(page) -> list:
    """The live checks the page sends from now on."""
    sent = []
    page.on("request", lambda request: sent.append(request) if request.url.endswith("/check") else None)
    return sent


def test_typing_and_choosing_update_the_findings_without_saving(page, live_server, app, cement_rule):
    rule_id = cement_rule["id"]
    SCREENSHOTS.mkdir(exist_ok=True)
    sign_in(page, live_server, "secretariat")
    open_the_parameters(page, live_server, rule_id)
    findings = page.locator("#findings")
    status = findings.locator("[data-live-status]")
    expect(findings.locator("li.finding-error")).to_have_count(0)
    sent = check_requests(page)

    boundary = page.get_by_label("边界类型", exact=True)
    boundary.select_option(label="摇篮到坟墓")
    mismatch = findings.locator(f'li.finding[data-code="boundary_end_use_mismatch"][data-path="{BOUNDARY_TYPE}"]')
    expect(mismatch).to_have_count(1)
    expect(mismatch).to_have_class(re.compile(r"\bfinding-error\b"))
    expect(mismatch.locator(".article")).to_have_text("指引（三）")
    expect(mismatch.locator("a.message")).to_contain_text("非终端消费产品一般采用“摇篮到大门”边界")
    expect(status).to_have_text(re.compile(r"^已检查（未保存）：错误 [1-9]\d* 项"))
    expect(findings.locator(".badge-error").first).not_to_have_text("错误 0")
    # No suppress form for a finding of an unsaved form: it would leave the page and lose the edit.
    expect(findings.locator("details.suppress")).to_have_count(0)
    # The field is marked: its message under it, and for assistive technology.
    marks = page.locator(f"#{BOUNDARY_ANCHOR}-marks")
    expect(marks.locator(".finding-note")).to_have_text(re.compile("^指引（三）：非终端消费产品一般采用"))
    expect(boundary).to_have_attribute("aria-invalid", "true")
    expect(boundary).to_have_attribute("aria-describedby", f"{BOUNDARY_ANCHOR}-marks")
    expect(page.locator(f"#{BOUNDARY_ANCHOR}")).to_have_class(re.compile(r"\bhas-finding\b"))
    page.screenshot(path=SCREENSHOTS / "parameters-zh.png", full_page=True)
    assert current_revision(app, rule_id) == 1

    # Typing in a text field: checked once the typing pauses, not at every key.
    before = len(sent)
    page.get_by_label("数据时间范围", exact=True).press_sequentially("（含检修期）", delay=40)
    expect(status).to_have_text(re.compile("^已检查（未保存）"))
    page.wait_for_timeout(700)
    assert 1 <= len(sent) - before <= 2, len(sent) - before

    # Back to what is saved: the finding and the marks go, and the status says nothing differs.
    page.get_by_label("数据时间范围", exact=True).fill(
        page.get_by_label("数据时间范围", exact=True).input_value().replace("（含检修期）", "")
    )
    boundary.select_option(label="摇篮到大门")
    expect(status).to_have_text("已检查：与已保存的第 1 版相同。")
    expect(mismatch).to_have_count(0)
    expect(marks.locator("p")).to_have_count(0)
    expect(boundary).not_to_have_attribute("aria-invalid", "true")
    assert current_revision(app, rule_id) == 1

    # The clause editor: a cross-reference to no clause, typed, is found in the text.
    page.goto(live_server + f"/drafting/{rule_id}/clauses/scope")
    text = page.get_by_label("正文（Markdown）", exact=True)
    text.press("Control+End")
    text.press_sequentially("另见 [第 99 章](#no-such-clause)。", delay=20)
    unresolved = findings.locator('li.finding[data-code="cross_reference_unresolved"]')
    expect(unresolved).to_have_count(1)
    expect(unresolved.locator(".article")).to_have_text("GB/T 1.1—2020 9.5")
    expect(unresolved.locator("a.message")).to_have_attribute("href", f"/drafting/{rule_id}/clauses/scope")
    expect(page.locator("#text-marks .finding-note")).to_contain_text("GB/T 1.1—2020 9.5：")
    expect(text).to_have_attribute("aria-invalid", "true")
    expect(status).to_have_text(re.compile(r"^已检查（未保存）：错误 [1-9]"))
    page.screenshot(path=SCREENSHOTS / "clause-zh.png", full_page=True)

    # Nothing was saved: one revision, as created.
    assert current_revision(app, rule_id) == 1
    page.goto(live_server + f"/drafting/{rule_id}/revisions")
    expect(page.locator("table.table tbody tr")).to_have_count(1)


def test_live_findings_read_in_english_and_fit_a_phone(browser, live_server, cement_rule):
    rule_id = cement_rule["id"]
    SCREENSHOTS.mkdir(exist_ok=True)
    for width, language in ((390, "zh"), (1280, "en")):  # English last: the account keeps the choice
        context = browser.new_context(viewport={"width": width, "height": 844})
        page = context.new_page()
        sign_in(page, live_server, "secretariat")
        if language == "en":
            page.get_by_role("button", name="English").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        page.goto(live_server + f"/drafting/{rule_id}/parameters")
        findings = page.locator("#findings")
        label = "Boundary type" if language == "en" else "边界类型"
        page.get_by_label(label, exact=True).select_option("cradle_to_grave")
        mismatch = findings.locator('li.finding[data-code="boundary_end_use_mismatch"]')
        expect(mismatch).to_have_count(1)
        if language == "en":
            expect(mismatch.locator(".badge")).to_have_text("Error")
            expect(mismatch.locator(".article")).to_have_text("Guideline (3)")
            expect(page.locator(f"#{BOUNDARY_ANCHOR}-marks .finding-note")).to_have_text(
                re.compile("^Guideline \\(3\\): Products not for final consumption")
            )
        else:
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=SCREENSHOTS / f"parameters-{language}-{width}.png", full_page=True)

        page.goto(live_server + f"/drafting/{rule_id}/clauses/scope")
        text = page.locator("textarea[name=text]")
        text.press("Control+End")
        text.press_sequentially(" [x](#no-such-clause)", delay=20)
        unresolved = findings.locator('li.finding[data-code="cross_reference_unresolved"]')
        expect(unresolved).to_have_count(1)
        expect(page.locator("#text-marks .finding-note")).to_have_count(1)
        if language != "en":
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=SCREENSHOTS / f"clause-{language}-{width}.png", full_page=True)
        context.close()


# --- trials (试算) --------------------------------------------------------------------------------

TRIAL_ENTERPRISES = ("华北水泥有限公司", "华东建材集团", "西南水泥股份公司")


@pytest.fixture
def group_rule(app, people):
    """A cement rule of the drafter's working group (made from the template by the service), committed."""
    from workbench.auth.models import WorkingGroup

    from .drafting_helpers import make_rule

    with app.app_context():
        group = db.session.get(WorkingGroup, people["working_group"])
        rule = make_rule(db.session, working_group=group, user_id=people["secretariat"])
        db.session.commit()
        return {"id": rule.id, "code": rule.code, "title": rule.title}


def make_trials(app, rule_id, enterprises):
    """Trials of the rule through the service, one per enterprise; their ids."""
    from workbench.drafting.models import Rule

    from .trials_helpers import make_trial

    with app.app_context():
        rule = db.session.get(Rule, rule_id)
        ids = [make_trial(db.session, rule, name, scale=1 + index / 10).id for index, name in enumerate(enterprises)]
        db.session.commit()
        return ids


def fill_line(page, row, *, stage, category, data_type, item, amount, unit, source, factor, pedigree=None):
    """Row `row` (from 0) of the table form, as typed and chosen."""

    def cell(column):
        return page.locator(f'#lines [name="line-{row}-{column}"]')

    cell("stage").select_option(label=stage)
    cell("category").select_option(label=category)
    cell("data_type").select_option(label=data_type)
    cell("item").fill(item)
    cell("amount").fill(amount)
    cell("unit").fill(unit)
    cell("source").fill(source)
    value, factor_unit, tier, factor_source = factor
    cell("factor_value").fill(value)
    cell("factor_unit").fill(factor_unit)
    cell("factor_tier").select_option(label=tier)
    cell("factor_source").fill(factor_source)
    if pedigree:
        cell("pedigree").fill(pedigree)


def test_a_drafter_enters_a_trial_in_the_table_form_and_sees_the_result(page, live_server, group_rule):
    rule_id = group_rule["id"]
    sign_in(page, live_server, "drafter")
    page.goto(live_server + f"/drafting/{rule_id}")
    page.locator("nav.subnav").get_by_role("link", name="试算", exact=True).click()
    expect(page).to_have_url(live_server + f"/drafting/{rule_id}/trials")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"试算 · {group_rule['title']}")
    expect(page.locator("#no-trials")).to_be_visible()
    expect(page.locator("#gate")).to_contain_text("未满足")

    page.get_by_role("link", name="在线填写").click()
    expect(page).to_have_url(live_server + f"/drafting/{rule_id}/trials/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("填写试算数据")
    page.get_by_label("企业名称", exact=True).fill("华北水泥有限公司")
    page.get_by_label("数据期间", exact=True).fill("2025 年")
    page.get_by_label("产品产量", exact=True).fill("100")
    page.get_by_label("产量单位", exact=True).fill("t")
    # 100 t of cement: coal 12 t × 2,500 kg + limestone 130 t × 2.0 kg = 30,260 kg, so 302.6 kg CO2e/t.
    fill_line(
        page, 0,
        stage="生产", category="能源使用", data_type="初级数据",
        item="烟煤", amount="12", unit="t", source="能源计量台账",
        factor=("2500", "kgCO2e/t", "政府官方数据", "《中国产品全生命周期温室气体排放系数集（2022）》"),
        pedigree="2,3,1,2,1",
    )  # fmt: skip
    fill_line(
        page, 1,
        stage="原材料获取", category="原材料消耗", data_type="统计数据",
        item="石灰石", amount="130", unit="t", source="企业台账",
        factor=("2.0", "kgCO2e/t", "政府官方数据", "《中国产品全生命周期温室气体排放系数集（2022）》"),
    )  # fmt: skip
    page.get_by_role("button", name="保存并计算").click()

    expect(page).to_have_url(re.compile(re.escape(live_server) + r"/trials/\d+$"))
    expect(page.locator(".flash-success")).to_contain_text("试算已保存并完成计算。")
    expect(page.get_by_role("heading", level=1)).to_contain_text("企业A · 华北水泥有限公司")
    expect(page.locator("#cfp strong")).to_have_text("302.6")
    expect(page.locator("#cfp")).to_contain_text("kg CO2e/t")
    for chart in ("#chart-stages", "#chart-contributions", "#chart-uncertainty"):
        svg = page.locator(f"{chart} svg")
        expect(svg).to_be_visible()
        box = svg.bounding_box()
        assert box["width"] > 100 and box["height"] > 20, (chart, box)
    expect(page.locator("#chart-stages svg rect")).to_have_count(2)
    expect(page.locator("#chart-stages svg")).to_contain_text("生产")
    expect(page.locator("#chart-stages svg")).to_contain_text("300")
    expect(page.locator("#chart-contributions svg")).to_contain_text("烟煤")
    expect(page.locator("#monte-carlo")).to_contain_text("95 % 区间")
    page.screenshot(path="/tmp/trial-result.png", full_page=True)

    page.locator("nav.subnav").get_by_role("link", name="试算列表").click()
    row = page.locator("#trials tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("企业A")
    expect(row).to_contain_text("华北水泥有限公司")
    expect(row.locator("strong")).to_have_text("302.6")


def test_an_evaluator_reads_the_anonymised_report_and_downloads_it(page, live_server, app, group_rule, tmp_path):
    from openpyxl import load_workbook

    rule_id = group_rule["id"]
    make_trials(app, rule_id, TRIAL_ENTERPRISES)
    sign_in(page, live_server, "evaluator")
    page.goto(live_server + f"/drafting/{rule_id}/trials/report")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"试算可行性报告 · {group_rule['title']}")
    expect(page.locator("#counts")).to_contain_text("3 份试算，3 家企业，3 份可计算")
    results = page.locator("#results tbody tr")
    expect(results).to_have_count(3)
    for index, label in enumerate(("企业A", "企业B", "企业C")):
        expect(results.nth(index).locator("td").first).to_have_text(label)
    expect(page.locator("#chart-results svg")).to_be_visible()
    # The evaluator does not see the enterprises' data: no names, and no way to the trials.
    html = page.content()
    for name in TRIAL_ENTERPRISES:
        assert name not in html
    expect(page.locator("nav.subnav").get_by_role("link", name="试算列表")).to_have_count(0)
    page.screenshot(path="/tmp/trial-report.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 Excel").click()
    download = download_info.value
    name_pattern = re.escape(group_rule["code"]) + r"-r1-feasibility-\d{4}-\d{2}-\d{2}\.xlsx"
    assert re.fullmatch(name_pattern, download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    workbook = load_workbook(saved, read_only=True)
    text = "\n".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    workbook.close()
    for label in ("企业A", "企业B", "企业C"):
        assert label in text
    for name in TRIAL_ENTERPRISES:
        assert name not in text


def test_the_trial_result_fits_a_phone(browser, live_server, app, group_rule):
    (trial_id,) = make_trials(app, group_rule["id"], TRIAL_ENTERPRISES[:1])
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in(page, live_server, "drafter")
        page.goto(live_server + f"/trials/{trial_id}")
        expect(page.locator("#cfp strong")).to_have_text("889.9")
        expect(page.locator("#chart-stages svg")).to_be_visible()
        page.screenshot(path="/tmp/trial-result-phone.png", full_page=True)
        width, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width <= client + 1, f"the page scrolls sideways: {width} px wide in a {client} px window"
        # The charts shrink to the window; only the tables scroll, inside their wrappers.
        for chart in ("#chart-stages", "#chart-contributions"):
            box = page.locator(f"{chart} svg").bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= client + 1, (chart, box)
    finally:
        context.close()


# --- the public portal ----------------------------------------------------------------------------


@pytest.fixture
def published_twice(app, people):
    """The cement rule published as a consultation draft, revised (a new cut-off), published again."""
    from workbench.drafting import service as drafting
    from workbench.publishing import service as publishing
    from workbench.publishing.repository import PublicationRepository

    from .drafting_helpers import make_rule

    secretariat = SECRETARIAT
    repository = PublicationRepository(app.config["PUBLICATION_REPOSITORY"])
    with app.app_context():
        session = db.session
        rule = make_rule(session)
        workflow.move_stage(session, rule, "30", by=Acting(Role("secretariat")), today=date.today())
        publishing.publish(session, rule, by=secretariat, repository=repository)
        workflow.move_stage(session, rule, "20", by=Acting(Role("secretariat")), today=date.today())
        document = drafting.revision(session, rule).document
        document["parameters"]["cut_off"]["per_item_percent"] = 0.5
        drafting.save_revision(session, rule, document, message="收紧取舍准则", based_on=1, by=secretariat)
        workflow.move_stage(session, rule, "30", by=Acting(Role("secretariat")), today=date.today())
        publishing.publish(session, rule, by=secretariat, repository=repository)
        session.commit()
        return rule.title


def test_a_visitor_reads_a_rule_downloads_its_pdf_and_compares_two_versions(
    page, live_server, published_twice, tmp_path
):
    page.goto(live_server + "/published/")  # anonymous: nobody signs in
    expect(page.locator("#published-rules")).to_contain_text(published_twice)
    expect(page.locator("#published-rules")).to_contain_text("征求意见中")
    page.get_by_role("link", name=published_twice).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(published_twice)
    expect(page.locator(".gb-document")).to_contain_text("5.3　取舍准则")
    expect(page.locator("#comment-form")).to_be_visible()

    with page.expect_download() as download_info:
        page.locator("#downloads").get_by_role("link", name="PDF", exact=True).click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.suffix == ".pdf" and saved.read_bytes().startswith(b"%PDF")

    page.get_by_role("button", name="比较所选版本").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("比较版本")
    changes = page.locator("#parameter-changes")
    expect(changes).to_contain_text("单项取舍比例（%）")  # labelled from the schema
    expect(page.locator("#diff-cut-off del").first).to_have_text("1")
    expect(page.locator("#diff-cut-off ins").first).to_have_text("0.5")
    page.screenshot(path="/tmp/portal-compare.png", full_page=True)


# --- the English interface ------------------------------------------------------------------------

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def demo_rules(app, people):
    """The demo's product catalogue, reference factors, rules (锂离子电池 being drafted, 水泥 out for
    consultation) and the three cement plants' trials, loaded as `workbench demo` loads them."""
    from workbench import demo
    from workbench.auth import service as accounts
    from workbench.auth.models import User
    from workbench.drafting.models import Rule

    with app.app_context():
        drafter = db.session.get(User, people[Role.DRAFTER])
        accounts.create_working_group(db.session, by=ADMIN, code="WG-LIB", name="锂离子电池起草组", members=[drafter])
        demo.load_registry(db.session, ADMIN)
        demo.load_factors(db.session, ADMIN)
        demo.load_rules(db.session, ADMIN)
        demo.load_trials(db.session, ADMIN)
        db.session.commit()
        rules = {rule.product.name: rule.id for rule in db.session.query(Rule)}
    return {"battery": rules["锂离子电池"], "cement": rules["水泥"]}


def english_text(locator) -> list[str]:
    """The texts of `locator` that still hold Chinese outside quotation marks (quoted: user data)."""
    return [text for text in locator.all_text_contents() if CJK.search(re.sub(r"“[^”]*”", "", text))]


def test_the_english_interface_reads_in_english_from_parameters_to_the_feasibility_report(
    page, live_server, demo_rules, tmp_path
):
    sign_in(page, live_server, "secretariat")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # The lithium-ion battery rule's parameters: stages and categories in English; a boundary that
    # does not fit a final product gives findings in English, with the article cited in English.
    page.goto(live_server + f"/drafting/{demo_rules['battery']}/parameters")
    included = page.locator("#field-parameters-system_boundary-stages_included")
    for stage in ("Raw material acquisition", "Production", "Distribution", "Use", "End of life"):
        expect(included.get_by_label(stage, exact=True)).to_be_checked()
    categories = page.locator("#field-parameters-activity_data_categories")
    for category in ("Raw material consumption", "Energy use", "Transport", "Waste treatment"):
        expect(categories.get_by_label(category, exact=True)).to_be_checked()
    page.get_by_label("Boundary type", exact=True).select_option(label="Cradle-to-gate")
    page.get_by_label("What changed (recorded in the revision history)").fill("boundary to the gate")
    page.get_by_role("button", name="Save as a new revision").click()
    findings = page.locator("#findings")
    mismatch = findings.locator('li.finding[data-code="boundary_end_use_mismatch"]')
    expect(mismatch).to_have_count(1)
    expect(mismatch.locator(".badge")).to_have_text("Error")
    expect(mismatch.locator(".article")).to_have_text("Guideline (3)")
    stages = findings.locator('li.finding[data-code="boundary_stages_inconsistent"] .message')
    expect(stages).to_have_count(3)
    assert [re.search(r"stage “([^”]+)”", text)[1] for text in stages.all_inner_texts()] == [
        "Distribution",
        "Use",
        "End of life",
    ]
    assert english_text(findings.locator("li.finding")) == []
    page.screenshot(path=tmp_path / "parameters-en.png", full_page=True)

    # A trial result: the stage chart, the categories and the trial's own findings.
    page.locator("nav.primary").get_by_role("link", name="Trials", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trial calculations")
    page.locator("#rule-trials").get_by_role("link", name=re.compile("^CFP-R-")).last.click()
    page.get_by_role("link", name="Enterprise C", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Enterprise C")
    stage_chart = page.locator("#chart-stages svg")
    expect(stage_chart).to_contain_text("Production")
    assert english_text(stage_chart.locator("text")) == []
    expect(page.locator("#chart-stages figcaption")).to_have_text("By life-cycle stage (kg CO2e/t)")
    expect(page.locator("#by-category")).to_contain_text("Energy use")
    assert english_text(page.locator("#by-category td:first-child")) == []
    trial_findings = page.locator("#result li.finding")
    expect(trial_findings.first).to_be_visible()
    assert english_text(trial_findings) == []  # badge, article and message (item names are quoted data)
    page.screenshot(path=tmp_path / "trial-en.png", full_page=True)

    # The cement rule's feasibility report: enterprises, stage and category shares, the results
    # chart and the gaps, all in English.
    page.goto(live_server + f"/drafting/{demo_rules['cement']}/trials/report")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Trial feasibility report")
    results = page.locator("#results tbody tr td:first-child")
    expect(results).to_have_text(["Enterprise A", "Enterprise B", "Enterprise C"])
    expect(page.locator("#chart-results svg")).to_contain_text("Enterprise A")
    assert english_text(page.locator("#chart-results svg text")) == []
    for table in ("#stages", "#categories", "#gaps"):
        rows = page.locator(f"{table} tbody tr")
        expect(rows.first).to_be_visible()
        assert english_text(rows.locator("td:nth-child(-n+4)")) == [], table
    expect(page.locator("#stages")).to_contain_text("Production")
    expect(page.locator("#gaps")).to_contain_text("Guideline (")
    assert english_text(page.locator("#notes li")) == []
    page.screenshot(path=tmp_path / "report-en.png", full_page=True)
