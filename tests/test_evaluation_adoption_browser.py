"""Acceptance of issue 16 (adoption, 指引（十五）) in the system Chromium against `workbench serve`:
an association applies for its young group standard and is told why not; its older standard,
cited by three library factors, passes; a panel member from the association is refused and the
recusal recorded; two evaluators score; SAMR adopts; a national project at stage 10 exists with
the 采信 relation in the registry.

Screenshots go to tmp_path, or to the folder WORKBENCH_SCREENSHOTS names."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from workbench.dates import today
from workbench.db import db
from workbench.drafting.models import Rule
from workbench.evaluation.models import AdoptionApplication, PanelMember, PanelStatus
from workbench.registry.models import RelationKind, StandardRelation

from .test_catalogue_browser import PHONE, shots_folder, signed_in
from .test_evaluation_adoption import FIELDS, PDF, make_world

pytestmark = pytest.mark.browser

OLD, YOUNG = "T/CISA 469—2022", "T/CISA 470—2025"


@pytest.fixture
def world(app):
    with app.app_context():
        return make_world(db.session, on=today())


TITLES = {OLD: "温室气体 产品碳足迹量化方法与要求 长流程钢材", YOUNG: "温室气体 产品碳足迹量化方法与要求 短流程钢材"}


def choose_standard(page, number):
    page.get_by_label("团体标准", exact=True).select_option(label=f"{number} {TITLES[number]}")
    page.get_by_role("button", name="检查资格").click()


def score(browser, live_server, username, url, value):
    expert = signed_in(browser, live_server, username)
    expert.goto(url)
    form = expert.locator("#score-form")
    for dimension in ("需求紧迫性", "技术内容合理性", "数据来源可靠性", "测试验证充分性"):
        form.get_by_label(dimension, exact=True).select_option(value=str(value))
    form.get_by_role("button", name="保存评分").click()
    expect(expert.get_by_text("评分已保存。")).to_be_visible()


def test_from_an_application_to_a_national_project_at_stage_10(browser, live_server, world, app, tmp_path):
    shots = shots_folder(tmp_path)

    # The association applies for its young standard: in force one year, not cited.
    # It finds the way from the registry's page of the standard.
    assoc = signed_in(browser, live_server, "assoc", viewport=PHONE)
    assoc.goto(live_server + f"/standards/{world['young']}")
    assoc.locator("#adoption").get_by_role("link", name="申请采信").click()
    expect(assoc.get_by_label("团体标准", exact=True)).to_have_value(str(world["young"]))
    lines = assoc.locator("#eligibility")
    years = lines.locator('li[data-code="adoption_years_in_force"]')
    expect(years).to_have_count(1)
    expect(years).to_have_class(re.compile("finding-error"))
    expect(years.locator(".article")).to_have_text("指引（十五）")
    expect(years.locator(".message")).to_contain_text("不足两年")
    assoc.screenshot(path=shots / "adoption-young.png", full_page=True)

    # Its older standard, cited by three library factors, passes every line.
    choose_standard(assoc, OLD)
    expect(lines.locator("li.finding-error")).to_have_count(0)
    expect(lines.locator("li.finding-info")).to_have_count(4)
    expect(assoc.locator("#citing-factors li")).to_have_count(3)
    for name, value in FIELDS.items():
        label = {
            "necessity": "必要性和可行性",
            "main_content": "主要技术内容",
            "expected_uptake": "预期应用和效益",
            "proposed_committee": "建议归口技术委员会",
            "drafting_units": "起草单位",
        }[name]
        assoc.get_by_label(label, exact=True).fill(value)
    assoc.get_by_role("button", name="保存草稿").click()
    expect(assoc.get_by_role("heading", level=1)).to_contain_text(OLD)
    application_url = assoc.url
    # Without the proof of good practice, the page says what is missing.
    expect(assoc.locator('#eligibility li[data-code="adoption_good_practice_missing"]')).to_have_count(1)
    upload = assoc.locator("#attachments")
    upload.get_by_label("材料", exact=True).select_option(label="良好行为评价证明（GB/T 20004）")
    upload.get_by_label("文件", exact=True).set_input_files(
        files=[{"name": "良好行为评价证明.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    upload.get_by_role("button", name="上传").click()
    expect(assoc.get_by_text("附件已上传。")).to_be_visible()
    expect(assoc.locator("#attachments table")).to_contain_text("良好行为评价证明.pdf")
    expect(assoc.locator("#eligibility li.finding-error")).to_have_count(0)
    assoc.get_by_role("button", name="提交采信申请").click()
    expect(assoc.get_by_text("采信申请已提交，等待评审。")).to_be_visible()
    expect(assoc.locator(".heading-row .badge")).to_have_text("评审中")
    assoc.screenshot(path=shots / "adoption-submitted.png", full_page=True)
    # The standard's page shows the application and its status.
    assoc.get_by_role("link", name=f"{OLD} {TITLES[OLD]}").click()
    expect(assoc.locator("#adoption .badge")).to_have_text("评审中")
    expect(assoc.locator("#adoption").get_by_role("link", name="申请采信")).to_have_count(0)

    # The secretariat proposes a member of the association: refused, and the recusal recorded.
    sec = signed_in(browser, live_server, "sec")
    sec.goto(application_url)
    panel = sec.locator("#add-member")
    panel.get_by_label("评估专家", exact=True).select_option(label="测试assoc_expert（中国钢铁工业协会）")
    panel.get_by_role("button", name="加入评审组").click()
    expect(sec.get_by_text("不能加入评审组，已记录回避", exact=False)).to_be_visible()
    expect(sec.locator("#panel li.panel-member-recused")).to_contain_text("测试assoc_expert")
    for username in ("expert1", "expert2"):
        sec.locator("#add-member").get_by_label("评估专家", exact=True).select_option(
            label=f"测试{username}（中国标准化研究院）"
        )
        sec.locator("#add-member").get_by_role("button", name="加入评审组").click()
        expect(sec.get_by_text(f"“测试{username}”已加入评审组。")).to_be_visible()
    with app.app_context():
        recused = db.session.scalar(select(PanelMember).where(PanelMember.status == PanelStatus.RECUSED))
        assert recused.user_id == world["assoc_expert"] and "中国钢铁工业协会" in recused.recusal_reason

    # Two evaluators score the four dimensions.
    score(browser, live_server, "expert1", application_url, 4)
    score(browser, live_server, "expert2", application_url, 5)

    # SAMR adopts.
    samr = signed_in(browser, live_server, "samr")
    samr.goto(application_url)
    expect(samr.locator('#score-summary tr[data-dimension="urgency"] .mean')).to_have_text("4.50")
    decide = samr.locator("#decide")
    decide.get_by_label("说明（可选）").fill("填补长流程钢材碳足迹国家标准的空白。")
    decide.get_by_role("button", name="采信", exact=True).click()
    expect(samr.get_by_text("已决定采信", exact=False)).to_be_visible()
    decision = samr.locator("#decision")
    expect(decision).to_contain_text("阶段 10")
    expect(decision).to_contain_text(OLD)
    samr.screenshot(path=shots / "adoption-adopted.png", full_page=True)

    # The national project in the registry records the 采信 relation.
    decision.get_by_role("link", name=re.compile("温室气体 产品碳足迹量化方法与要求")).click()
    expect(samr.locator("body")).to_contain_text("采信团体标准")
    expect(samr.locator("body")).to_contain_text(OLD)
    with app.app_context():
        application = db.session.scalar(select(AdoptionApplication))
        assert db.session.get(Rule, application.rule_id).stage == "10"
        relation = db.session.scalar(
            select(StandardRelation).where(StandardRelation.standard_id == application.national_id)
        )
        assert (relation.kind, relation.target_id) == (RelationKind.ADOPTS_GROUP, world["old"])

    # Anyone reads the outcome.
    visitor = browser.new_context().new_page()
    visitor.goto(live_server + "/adoption/decided")
    expect(visitor.locator("#decided")).to_contain_text(OLD)
    expect(visitor.locator("#decided")).to_contain_text("已采信")
