"""Acceptance of issue 15 in the system Chromium against `workbench serve`: the priority list, a
call for proposals and a proposal from refusal to a rule at stage 10, as SAMR/MEE, an association
and a provincial bureau do it, on the real product catalogue and standards of the registry seed.

Screenshots of the pages go to tmp_path, or to the folder WORKBENCH_SCREENSHOTS names."""

import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from workbench.auth import service as accounts
from workbench.auth.models import OrganisationKind
from workbench.auth.permissions import Role
from workbench.catalogue import seed as catalogue_seed
from workbench.db import db
from workbench.registry import seed as registry_seed
from workbench.registry import service as registry

from .conftest import ADMIN, PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SCOPE = "适用于电解铝生产企业的产品碳足迹量化。"
URGENCY = "出口企业急需统一的核算方法。"
TECHNICAL = "功能单位、系统边界、数据收集、分配和报告。"
PLAN_NUMBER = re.compile(r"^\d{8}-T-\d{3}$")


@pytest.fixture
def world(app):
    """The seed's products and standards, the 2024 priority batch, SAMR/MEE (`mee`), an association
    (`association`), a provincial bureau (`province`) and working group WG-ALU; ids only."""
    with app.app_context():
        session = db.session
        registry_seed.load_products(session, by=ADMIN)
        registry_seed.load_standards(session, by=ADMIN)
        catalogue_seed.load(session, ADMIN)
        ministry = accounts.create_organisation(session, by=ADMIN, name="生态环境部", kind=OrganisationKind.MINISTRY)
        association = accounts.create_organisation(
            session, by=ADMIN, name="中国有色金属工业协会", kind=OrganisationKind.ASSOCIATION
        )
        province = accounts.create_organisation(
            session, by=ADMIN, name="浙江省市场监督管理局", kind=OrganisationKind.LOCAL_AUTHORITY
        )
        group = accounts.create_working_group(session, by=ADMIN, code="WG-ALU", name="有色金属起草组")
        for username, role, organisation in (
            ("mee", Role.ADMINISTRATOR, ministry),
            ("association", Role.ASSOCIATION, association),
            ("province", Role.DRAFTER, province),
        ):
            accounts.create_user(
                session,
                by=ADMIN,
                username=username,
                display_name=f"测试{username}",
                password=PASSWORD,
                role=role,
                organisation=organisation,
            )
        session.commit()
        names = ("电解铝", "石灰", "再生铝合金锭")
        return {"group": group.id, **{name: registry.find_product(session, name).id for name in names}}


def shots_folder(tmp_path) -> Path:
    folder = Path(os.environ.get("WORKBENCH_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def signed_in(browser, live_server, username, viewport=None):
    """A page of a new browser context, signed in as `username`."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800})
    tab = context.new_page()
    tab.goto(live_server + "/login")
    tab.get_by_label("用户名").fill(username)
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    expect(tab.locator(".account-bar .who")).to_have_text(f"测试{username}")
    return tab


def choose_language(page, english: bool, phone: bool):
    """The language is the account's: switch only when it is not the one wanted."""
    wanted = "en" if english else "zh-CN"
    if page.locator("html").get_attribute("lang") == wanted:
        return
    if phone:  # the switch is in the menu
        page.get_by_role("button", name=re.compile("^(菜单|Menu)$")).click()
    page.get_by_role("button", name="English" if english else "中文").click()
    expect(page.locator("html")).to_have_attribute("lang", wanted)


def open_the_call(page, live_server):
    page.goto(live_server + "/catalogue/calls")
    page.get_by_role("link", name="2026年碳足迹标准立项建议征集").first.click()
    page.get_by_role("link", name="提出立项建议").click()
    expect(page.get_by_role("heading", name="提出立项建议")).to_be_visible()


def propose(page, product, level, scope=SCOPE, trial_enterprises="3"):
    page.get_by_label("产品", exact=True).select_option(label=product)
    page.get_by_label("级别", exact=True).select_option(label=level)
    page.get_by_label("适用范围").fill(scope)
    page.get_by_label("立项必要性（急用先行）").fill(URGENCY)
    page.get_by_label("主要技术内容").fill(TECHNICAL)
    page.get_by_label("拟试算企业数").fill(trial_enterprises)
    page.get_by_role("button", name="提交").click()


def test_from_the_list_to_a_rule_at_stage_10(browser, live_server, world, tmp_path):
    shots = shots_folder(tmp_path)

    # mee publishes a second priority batch that lists 再生铝合金锭 ...
    mee = signed_in(browser, live_server, "mee")
    mee.locator("nav.primary").get_by_role("link", name="清单与立项").click()
    expect(mee.get_by_role("heading", name="清单与立项", exact=True)).to_be_visible()
    expect(mee.locator("#priority-list")).to_contain_text("电解铝")
    mee.screenshot(path=shots / "catalogue-index.png", full_page=True)
    mee.get_by_role("link", name="新建清单批次").click()
    mee.get_by_label("标题", exact=True).fill("重点产品碳足迹核算标准清单（第二批）")
    mee.get_by_label("发布部门").fill("市场监管总局、生态环境部")
    mee.get_by_role("button", name="保存").click()
    expect(mee.get_by_role("heading", level=1)).to_contain_text("第2批")
    expect(mee.get_by_role("heading", level=1)).to_contain_text("草稿")
    adding = mee.locator("#add-item")
    adding.get_by_label("产品", exact=True).select_option(label="再生铝合金锭")
    adding.get_by_label("类别", exact=True).select_option(label="原材料")
    adding.get_by_label("目标年份").fill("2027")
    adding.get_by_role("button", name="添加").click()
    expect(mee.locator("#batch-items")).to_contain_text("再生铝合金锭")
    publishing = mee.locator("#publish")
    publishing.get_by_role("button", name="发布本批次").click()  # without the confirmation: refused
    expect(mee.get_by_text("请勾选确认后再发布。")).to_be_visible()
    mee.locator("#publish").get_by_role("checkbox").check()
    mee.locator("#publish").get_by_role("button", name="发布本批次").click()
    expect(mee.get_by_text("已发布。", exact=False).first).to_be_visible()
    expect(mee.get_by_role("heading", level=1)).to_contain_text("已发布")
    expect(mee.locator("#add-item")).to_have_count(0)
    batch_url = mee.url
    mee.screenshot(path=shots / "batch.png", full_page=True)

    # ... and opens a call covering both priority batches, for four levels, open today.
    mee.goto(live_server + "/catalogue/calls")
    mee.get_by_role("link", name="发出征集").click()
    mee.get_by_label("标题", exact=True).fill("2026年碳足迹标准立项建议征集")
    opens_on = mee.get_by_label("开始日期").input_value()
    closes_on = (date.fromisoformat(opens_on) + timedelta(days=60)).isoformat()
    mee.get_by_label("截止日期").fill(closes_on)
    for batch in mee.get_by_role("checkbox", name=re.compile("^重点产品")).all():
        batch.check()
    for level in ("国家标准", "行业标准", "地方标准", "团体标准"):
        mee.get_by_role("checkbox", name=level, exact=True).check()
    mee.get_by_label("立项至报批目标（月）").fill("18")
    mee.get_by_role("button", name="保存").click()
    expect(mee.get_by_role("heading", level=1)).to_contain_text("征集中")
    facts = mee.locator("dl.facts")
    expect(facts).to_contain_text("国家标准、行业标准、地方标准、团体标准")
    expect(facts).to_contain_text("第1批")
    expect(facts).to_contain_text("第2批")
    expect(facts).to_contain_text("18 个月")
    call_url = mee.url
    mee.screenshot(path=shots / "call.png", full_page=True)

    # The association proposes a national standard for 电解铝: refused, naming GB/T 44905—2024.
    association = signed_in(browser, live_server, "association")
    open_the_call(association, live_server)
    form_url = association.url
    propose(association, "电解铝", "国家标准")
    refusal = association.locator("#findings")
    expect(refusal).to_contain_text("立项建议未提交")
    error = refusal.locator("li.finding-error")
    expect(error).to_have_count(1)
    expect(error.locator(".article")).to_have_text("指引（十二）")
    expect(error.locator(".message")).to_contain_text("GB/T 44905—2024")
    # Nothing typed is lost.
    expect(association.get_by_label("产品", exact=True)).to_have_value(str(world["电解铝"]))
    expect(association.get_by_label("级别", exact=True)).to_have_value("national")
    expect(association.get_by_label("适用范围")).to_have_value(SCOPE)
    expect(association.get_by_label("立项必要性（急用先行）")).to_have_value(URGENCY)
    expect(association.get_by_label("主要技术内容")).to_have_value(TECHNICAL)
    expect(association.get_by_label("拟试算企业数")).to_have_value("3")
    association.screenshot(path=shots / "proposal-refused.png", full_page=True)

    # The provincial bureau proposes a local standard for 石灰, a listed product: 指引（九）.
    province = signed_in(browser, live_server, "province")
    open_the_call(province, live_server)
    propose(province, "石灰", "地方标准", scope="适用于浙江省石灰生产企业。")
    expect(province.get_by_role("heading", level=1)).to_have_text("温室气体 产品碳足迹量化方法与要求 石灰")
    expect(province.get_by_text("已提交", exact=False).first).to_be_visible()
    ninth = province.locator("#findings li.finding", has=province.locator(".article", has_text="指引（九）"))
    expect(ninth).to_have_count(1)
    expect(ninth).to_have_class(re.compile("finding-warning"))
    expect(ninth.locator(".message")).to_contain_text("石灰")

    # The association proposes a national standard for 再生铝合金锭, listed by the new batch: submitted.
    association.goto(form_url)
    propose(association, "再生铝合金锭", "国家标准", scope="适用于再生铝合金锭生产企业的产品碳足迹量化。")
    title = "温室气体 产品碳足迹量化方法与要求 再生铝合金锭"
    expect(association.get_by_role("heading", level=1)).to_have_text(title)
    expect(association.locator("#findings")).not_to_contain_text("不在本次征集所涉的重点产品清单上")
    expect(association.locator(".lead")).to_contain_text("中国有色金属工业协会 · 国家标准")
    proposal_url = association.url

    # mee finds it in the inbox and approves it with the suggested plan number and WG-ALU.
    mee.get_by_role("link", name="待办").click()
    expect(mee.get_by_role("heading", name="待办")).to_be_visible()
    mee.screenshot(path=shots / "inbox.png", full_page=True)
    mee.get_by_role("link", name=title).click()
    expect(mee).to_have_url(proposal_url)
    decide = mee.locator("#decide")
    plan_number = decide.get_by_label("计划号").input_value()
    assert PLAN_NUMBER.match(plan_number), plan_number
    decide.get_by_label("承担工作组").select_option(label="WG-ALU 有色金属起草组")
    decide.get_by_role("button", name="立项", exact=True).click()
    expect(mee.get_by_text("已立项。")).to_be_visible()
    project = mee.locator("#project")
    expect(project).to_contain_text(plan_number)
    expect(project).to_contain_text("WG-ALU 有色金属起草组")
    expect(project).to_contain_text("阶段 10")
    expect(mee.locator("#decide")).to_have_count(0)
    mee.screenshot(path=shots / "proposal-approved.png", full_page=True)

    # The rule is at stage 10 with its working group; its registry project carries the plan number.
    project.get_by_role("link", name=re.compile(r"^CFP-R-\d+$")).click()
    expect(mee).to_have_url(re.compile(re.escape(live_server) + r"/drafting/\d+$"))
    expect(mee.get_by_role("heading", level=1)).to_have_text(title)
    expect(mee.locator(".heading-row .badge-stage")).to_contain_text("10")
    facts = mee.locator("dl.facts")
    expect(facts).to_contain_text("WG-ALU 有色金属起草组")
    facts.get_by_role("link", name="（尚无编号）").click()
    expect(mee).to_have_url(re.compile(re.escape(live_server) + r"/standards/\d+$"))
    expect(mee.locator("dl.facts")).to_contain_text(plan_number)

    # The proposer follows it: approved, with the plan number.
    association.reload()
    expect(association.locator(".heading-row .badge")).to_contain_text("已立项")
    expect(association.locator("#project")).to_contain_text(plan_number)

    # The coverage page shows 再生铝合金锭 as a project at stage 10.
    mee.goto(live_server + "/coverage")
    row = mee.locator("#coverage-matrix tr", has=mee.get_by_role("link", name="再生铝合金锭", exact=True))
    expect(row).to_have_count(1)
    expect(row.locator(".badge").first).to_have_text("标准项目")
    expect(row).to_contain_text("10 立项")
    expect(row).to_contain_text("第2批")
    lime = mee.locator("#coverage-matrix tr", has=mee.get_by_role("link", name="石灰", exact=True))
    expect(lime.locator(".badge").first).to_have_text("已有立项建议")
    mee.screenshot(path=shots / "coverage.png", full_page=True)

    pages = {
        "catalogue-index": "/catalogue/",
        "batch": batch_url,
        "call": call_url,
        "proposal-approved": proposal_url,
        "inbox": "/inbox",
        "coverage": "/coverage",
    }
    for context in (mee.context, association.context, province.context):
        context.close()

    # The same pages in English, and on a phone in both languages: nothing wider than the screen.
    for label, viewport, english in (("en", None, True), ("phone-zh", PHONE, False), ("phone-en", PHONE, True)):
        for username, names in (("mee", pages), ("association", {"proposal-refused": None})):
            page = signed_in(browser, live_server, username, viewport)
            choose_language(page, english, phone=viewport is not None)
            for name, address in names.items():
                if address is None:
                    page.goto(form_url)
                    page.locator("#product_id").select_option(str(world["电解铝"]))
                    page.locator("#level").select_option("national")
                    page.locator("#scope").fill(SCOPE)
                    page.locator("#urgency").fill(URGENCY)
                    page.locator("#technical_content").fill(TECHNICAL)
                    page.locator("form.form button[type=submit]").click()
                    expect(page.locator("#findings li.finding-error")).to_have_count(1)
                else:
                    page.goto(address if address.startswith("http") else live_server + address)
                page.screenshot(path=shots / f"{name}-{label}.png", full_page=True)
                if viewport:
                    width = page.evaluate("document.documentElement.scrollWidth")
                    assert width <= PHONE["width"], f"{name} is {width} px wide on a phone"
            page.context.close()
