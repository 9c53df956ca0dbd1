"""Everyday use (issue 19), small fixes: a stage move's form only for the roles that may make it;
the workspace's consultation form answers at the form and is sent once; the working group's member
list marks names as Chinese in the reader's punctuation; the coverage page names stages in the
reader's language; a published rule's overview shows its number and dates."""

from datetime import date

import pytest
from sqlalchemy import select

from workbench.auth import service as auth_service
from workbench.auth.models import Organisation
from workbench.auth.permissions import Role
from workbench.drafting.models import ConsultationComment, Rule
from workbench.workflow import service as workflow

from .conftest import ADMIN, SECRETARIAT, Acting
from .drafting_helpers import make_rule
from .test_consultation import _edit_scope
from .test_coverage import seeded  # noqa: F401 (a fixture)


def _rule_at(database, stage: str, **values) -> int:
    """A rule put at `stage` directly: what the overview shows depends on the stage, not on the way there."""
    with database() as session:
        rule = make_rule(session)
        rule.stage = stage
        for name, value in values.items():
            setattr(rule, name, value)
        session.commit()
        return rule.id


def _move_block(page: str, target: str) -> str:
    start = page.index(f'<div class="move" data-target="{target}">')
    return page[start : page.index("</div>", start)]


def _english(client):
    client.post_form("/language", {"locale": "en"})
    return client


# --- 1. a move's form only for the roles that may make it -----------------------------------------


def test_at_approval_the_secretariat_sees_who_publishes_instead_of_the_publish_form(database, login):
    rule_id = _rule_at(database, "50")
    block = _move_block(login(Role.SECRETARIAT).get(f"/drafting/{rule_id}").text, "60")
    assert "<form" not in block and 'name="number"' not in block
    assert "由市场监管总局（管理员）批准发布。" in block
    assert "标准编号" in block  # the gates still say where the rule stands
    english = _move_block(_english(login(Role.SECRETARIAT)).get(f"/drafting/{rule_id}").text, "60")
    assert "Publication is approved by SAMR (an administrator)." in english


def test_at_approval_the_administrator_gets_the_publish_form(database, login):
    rule_id = _rule_at(database, "50")
    block = _move_block(login(Role.ADMINISTRATOR).get(f"/drafting/{rule_id}").text, "60")
    assert 'name="target" value="60"' in block and 'name="number"' in block
    assert "批准发布。" not in block


def test_a_move_for_the_ministry_names_the_role_and_the_others_keep_their_forms(database, login):
    rule_id = _rule_at(database, "60", published_on=date(2026, 8, 8))
    page = login(Role.SECRETARIAT).get(f"/drafting/{rule_id}").text
    assert 'name="target" value="90"' in _move_block(page, "90")
    withdrawal = _move_block(page, "95")
    assert "<form" not in withdrawal and "这一转换由管理员（市场监管总局/生态环境部）执行。" in withdrawal


def test_the_secretariat_still_cannot_publish_by_posting_the_move(database, login):
    rule_id = _rule_at(database, "50")
    response = login(Role.SECRETARIAT).post_form(
        f"/drafting/{rule_id}/stage", {"target": "60", "number": "GB/T 49999-2026"}
    )
    assert response.status_code == 422 and "您的角色不能执行这一阶段转换。" in response.text
    with database() as session:
        assert session.get(Rule, rule_id).stage == "50"


# --- 2. the workspace's consultation form -----------------------------------------------------------


@pytest.fixture
def consulting(database):
    with database() as session:
        rule = make_rule(session)
        workflow.move_stage(session, rule, "30", by=SECRETARIAT, today=date.today())
        session.commit()
        return rule.id


def _comment_section(page: str) -> str:
    start = page.index('<section class="panel" id="comment-form">')
    return page[start : page.index("</section>", start)]


COMMENT = {"name": "王工", "kind": "technical", "clause": "5.3", "comment": "建议说明 0.5% 的依据。"}


def test_the_consultation_form_is_sent_once_and_returns_to_itself(client, consulting):
    page = client.get(f"/drafting/{consulting}/consultation").text
    assert "js/submit_once.js" in page
    form = _comment_section(page)
    assert "data-submit-once" in form and f'action="/drafting/{consulting}/comments#comment-form"' in form
    assert 'data-sending="正在提交…"' in form


def test_a_received_comment_is_confirmed_at_the_form_and_a_copy_is_kept_once(client, database, consulting):
    client.get(f"/drafting/{consulting}/consultation")
    sent = client.post_form(f"/drafting/{consulting}/comments", COMMENT)
    assert sent.status_code == 302
    assert sent.headers["Location"].endswith(f"/drafting/{consulting}/consultation#comment-form")
    received = _comment_section(client.get(sent.headers["Location"]).text)
    assert 'id="comment-received"' in received and "意见已提交，感谢！" in received
    again = client.post_form(f"/drafting/{consulting}/comments", COMMENT)  # a second click got through
    assert again.status_code == 302 and again.headers["Location"].endswith("#comment-form")
    assert 'id="comment-received"' in _comment_section(client.get(again.headers["Location"]).text)
    with database() as session:
        assert len(session.scalars(select(ConsultationComment)).all()) == 1


def test_a_refused_comment_says_why_at_the_form_and_keeps_its_text(client, database, consulting):
    client.get(f"/drafting/{consulting}/consultation")
    empty = client.post_form(f"/drafting/{consulting}/comments", {**COMMENT, "comment": ""})
    assert empty.status_code == 422
    form = _comment_section(empty.text)
    assert 'id="comment-refused"' in form and "请填写意见。" in form and "王工" in form
    # A refusal that names no field (the draft was sent out again meanwhile) stands at the form too.
    with database() as session:
        rule = session.get(Rule, consulting)
        _edit_scope(session, rule, "起草组的新写法。")
        workflow.move_stage(session, rule, "20", by=SECRETARIAT, today=date.today())
        workflow.move_stage(session, rule, "30", by=SECRETARIAT, today=date.today())
        session.commit()
    stale = client.post_form(f"/drafting/{consulting}/comments", {**COMMENT, "revision": "1"})
    assert stale.status_code >= 400
    form = _comment_section(stale.text)
    assert 'id="comment-refused"' in form and "您阅读的是第 1 版" in form and "建议说明 0.5% 的依据。" in form
    assert 'class="flash flash-error"' not in stale.text.split('id="comment-form"')[0]


# --- 3. the working group's members -----------------------------------------------------------------


def test_member_names_are_marked_chinese_in_the_readers_punctuation(app, database, login, people):
    with database() as session:
        organisation = session.get(Organisation, people["organisation"])
        auth_service.create_user(
            session,
            by=ADMIN,
            username="mallory",
            display_name="<b>王</b>",
            password="a-long-enough-password",
            role=Role.DRAFTER,
            organisation=organisation,
        )
        session.commit()
    url = f"/working-groups/{people['working_group']}/edit"
    page = login(Role.ADMINISTRATOR).get(url).text
    assert '<span lang="zh-CN">测试drafter</span>（drafter） · <span lang="zh-CN">测试部委</span>' in page
    assert '<span lang="zh-CN">&lt;b&gt;王&lt;/b&gt;</span>（mallory）' in page and "<b>王</b>" not in page
    english = _english(login(Role.ADMINISTRATOR)).get(url).text
    assert '<span lang="zh-CN">测试drafter</span> (drafter) · <span lang="zh-CN">测试部委</span>' in english


# --- 4. stage names on the coverage page ------------------------------------------------------------


def test_the_coverage_page_names_a_projects_stage_in_the_readers_language(seeded, login):  # noqa: F811
    client = login(Role.ADMINISTRATOR)
    assert "20 起草" in client.get("/coverage").text.split('id="cycle-times-table"')[1]
    table = _english(client).get("/coverage").text.split('id="cycle-times-table"')[1]
    assert "20 Drafting" in table and "20 起草" not in table
    assert client.get("/api/v1/coverage").json["cycle_times"][0]["stage"] == "20"  # the API keeps the code


# --- 5. a published rule's number and dates ---------------------------------------------------------


def test_a_published_rules_overview_shows_its_number_and_dates(database, login):
    with database() as session:
        rule = make_rule(session)
        rule.stage = "50"
        workflow.move_stage(
            session, rule, "60", by=Acting(Role.ADMINISTRATOR), today=date(2026, 8, 8), number="GB/T 49999-2026"
        )
        rule.standard.implemented_on = date(2026, 11, 8)
        session.commit()
        rule_id = rule.id
    page = login(Role.SECRETARIAT).get(f"/drafting/{rule_id}").text
    assert '<dd id="standard-number">GB/T 49999—2026</dd>' in page
    assert '<dd id="published-on">2026-08-08</dd>' in page and '<dd id="implemented-on">2026-11-08</dd>' in page
    english = _english(login(Role.SECRETARIAT)).get(f"/drafting/{rule_id}").text
    assert "Publication date" in english and "Implementation date" in english


def test_a_draft_shows_no_publication_dates(database, login):
    rule_id = _rule_at(database, "50")
    page = login(Role.SECRETARIAT).get(f"/drafting/{rule_id}").text
    assert 'id="published-on"' not in page and 'id="implemented-on"' not in page


@pytest.mark.browser
def test_a_reader_of_the_workspace_draft_is_answered_at_the_form(browser, live_server, consulting):
    """In Chromium at 390 px: the answer is in view after the page comes back, where the reader is
    (at the foot of a long draft), and the page has nothing past the screen."""
    from playwright.sync_api import expect

    from .page_checks import check_page

    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(live_server + f"/drafting/{consulting}/consultation")
        form = page.locator("#comment-form")
        form.locator("input[name=name]").fill("王工")
        form.locator("button[type=submit]").click()
        expect(page.locator("#comment-refused")).to_be_in_viewport()
        expect(form.locator("input[name=name]")).to_have_value("王工")
        form.locator("textarea[name=comment]").fill("建议说明取舍比例的依据。")
        form.locator("button[type=submit]").click()
        expect(page.locator("#comment-received")).to_be_in_viewport()
        assert check_page(page, english=False, phone=True) == []
    finally:
        context.close()
