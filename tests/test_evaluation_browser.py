"""Acceptance of issue 16 (the evaluation record) in the system Chromium against `workbench serve`:
an evaluator records an evaluation the secretariat scheduled for its institute (evaluators start
only from a plan), of a published standard, ending in 修订; the revision project
appears linked to it; the standard's page shows the evaluation. On the registry seed's real
standards (GB/T 44905-2024 电解铝).

Screenshots of the pages go to tmp_path, or to the folder WORKBENCH_SCREENSHOTS names."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from workbench.auth import service as accounts
from workbench.auth.models import OrganisationKind
from workbench.auth.permissions import Role
from workbench.dates import today
from workbench.db import db
from workbench.evaluation import reviews
from workbench.evaluation.dimensions import EVALUATION_DIMENSIONS
from workbench.registry import seed as registry_seed
from workbench.registry import service as registry

from .conftest import ADMIN, PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
NUMBER = "GB/T 44905—2024"


@pytest.fixture
def world(app):
    """The seed's products and standards, an evaluator of a research institute and the plan that
    asks the institute to evaluate GB/T 44905-2024; the standard's id."""
    with app.app_context():
        session = db.session
        registry_seed.load_products(session, by=ADMIN)
        registry_seed.load_standards(session, by=ADMIN)
        institute = accounts.create_organisation(
            session, by=ADMIN, name="中国标准化研究院", kind=OrganisationKind.RESEARCH_INSTITUTE
        )
        accounts.create_user(
            session,
            by=ADMIN,
            username="evaluator",
            display_name="测试evaluator",
            password=PASSWORD,
            role=Role.EVALUATOR,
            organisation=institute,
        )
        standard = registry.find_standard(session, NUMBER)
        reviews.schedule(
            session,
            reviews.PlanInput(
                standard_ids=[standard.id], organisation_id=institute.id, due_on=today() + timedelta(days=90)
            ),
            by=ADMIN,
            today=today(),
        )
        session.commit()
        return standard.id


def shots_folder(tmp_path) -> Path:
    folder = Path(os.environ.get("WORKBENCH_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def signed_in(browser, live_server, username, viewport=None):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800})
    tab = context.new_page()
    tab.goto(live_server + "/login")
    tab.get_by_label("用户名").fill(username)
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    expect(tab.locator(".account-bar .who")).to_have_text(f"测试{username}")
    return tab


def test_an_evaluator_records_an_evaluation_ending_in_revision(browser, live_server, world, tmp_path):
    shots = shots_folder(tmp_path)
    page = signed_in(browser, live_server, "evaluator")

    # from the standard's page: its evaluation history is empty, and it may be evaluated
    page.goto(f"{live_server}/standards/{world}")
    history = page.locator("#evaluation-history")
    expect(history).to_contain_text("尚无评估结论")
    history.get_by_role("link", name="开始评估").click()
    expect(page.get_by_role("heading", name="开始评估")).to_be_visible()
    expect(page.locator(".notice")).to_contain_text("评估计划：由中国标准化研究院于")
    page.get_by_role("button", name="开始评估").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(NUMBER)

    # the facts come with their sources
    facts = page.locator(".evaluation-facts")
    expect(facts).to_contain_text("2024-10-26 发布")
    expect(facts).to_contain_text("因子库")
    expect(facts).to_contain_text("没有依据它登记的声明")

    # concluding before scoring is refused, naming the dimensions still to score
    conclude = page.locator("#conclude")
    conclude.get_by_label("修订").check()
    conclude.get_by_label("评估意见").fill("电力排放因子方法已落后于 GB/T 24067-2024，应修订。")
    conclude.get_by_role("button", name="记录结论").click()
    expect(page.get_by_text("还有指标没有评价：技术水平、协调性").first).to_be_visible()

    # every dimension scored with its evidence
    for dimension in EVALUATION_DIMENSIONS:
        box = page.locator(f"#dimension-{dimension.key}")
        box.get_by_label(dimension.scale[1][1], exact=True).check()
        box.get_by_label("依据").fill(f"试算与反馈：{dimension.key}")
    page.get_by_role("button", name="保存评价").click()
    expect(page.get_by_text("已保存 5 项指标的评价。")).to_be_visible()
    page.screenshot(path=shots / "evaluation-scored.png", full_page=True)

    conclude = page.locator("#conclude")
    conclude.get_by_label("修订").check()
    conclude.get_by_label("评估意见").fill("电力排放因子方法已落后于 GB/T 24067-2024，应修订。")
    conclude.get_by_role("button", name="记录结论").click()
    expect(page.get_by_text("评估结论已记录。")).to_be_visible()
    expect(page.locator("#conclusion")).to_contain_text("修订")
    expect(page.locator("#conclude")).to_have_count(0)  # concluded: no more forms

    # the revision project, linked to the evaluation, replaces the standard
    page.locator("#follow-up").get_by_role("link").click()
    expect(page.locator("dl.facts")).to_contain_text("修订项目（预阶段 00）")
    expect(page.locator(".relations")).to_contain_text("代替")
    expect(page.locator(".relations")).to_contain_text(NUMBER)

    # the standard's page shows the evaluation, at phone width too
    phone = signed_in(browser, live_server, "evaluator", viewport=PHONE)
    phone.goto(f"{live_server}/standards/{world}")
    history = phone.locator("#evaluation-history")
    expect(history).to_contain_text("中国标准化研究院")
    expect(history).to_contain_text("修订")
    expect(phone.locator("dl.facts")).to_contain_text("修订中")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    phone.screenshot(path=shots / "standard-evaluation-history-phone.png", full_page=True)

    # and the section's landing page lists the conclusion for everyone
    page.goto(live_server + "/evaluation/")
    expect(page.locator("#recent")).to_be_visible()
    expect(page.locator("table").last).to_contain_text(NUMBER)
