"""Implementation feedback (标准实施信息反馈, 《标准化法》第二十九条): anyone reports on a standard in
force, rate-limited like consultation comments; the working group of the standard's rule, the
association that issued a group standard and the secretariat answer; the contact stays with them;
counts and the latest items show on the standard's page, cheaply even with 1,000 items."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from workbench.audit.models import AuditEvent
from workbench.auth import service as accounts
from workbench.auth.models import OrganisationKind
from workbench.auth.permissions import Role
from workbench.db import utcnow
from workbench.drafting.models import Rule
from workbench.errors import AccessDenied, Conflict, InvalidInput, TooManyAttempts
from workbench.evaluation import feedback
from workbench.evaluation.models import Feedback, FeedbackStatus
from workbench.registry import service as registry
from workbench.registry.models import Standard

from .conftest import ADMIN, PASSWORD

TODAY = date(2026, 3, 10)


def build(session) -> dict:
    """A national standard in force drafted by working group WG-A; a group standard of 中国有色金属工业协会;
    a planned project; drafters of WG-A and WG-B, both associations and the secretariat."""
    own = accounts.create_organisation(
        session, by=ADMIN, name="中国有色金属工业协会", kind=OrganisationKind.ASSOCIATION
    )
    other = accounts.create_organisation(session, by=ADMIN, name="中国钢铁工业协会", kind=OrganisationKind.ASSOCIATION)
    group_a = accounts.create_working_group(session, by=ADMIN, code="WG-A", name="有色金属起草组")
    group_b = accounts.create_working_group(session, by=ADMIN, code="WG-B", name="钢铁起草组")
    people = {}
    for username, role, organisation, groups in (
        ("drafter_a", Role.DRAFTER, None, [group_a]),
        ("drafter_b", Role.DRAFTER, None, [group_b]),
        ("association", Role.ASSOCIATION, own, []),
        ("steel", Role.ASSOCIATION, other, []),
        ("secretariat", Role.SECRETARIAT, None, []),
    ):
        people[username] = accounts.create_user(
            session,
            by=ADMIN,
            username=username,
            display_name=username,
            password=PASSWORD,
            role=role,
            organisation=organisation,
            working_groups=groups,
        )
    product = registry.create_product(
        session, registry.ProductInput(name="电解铝", side="production", end_use="intermediate"), by=ADMIN
    )
    national, _ = registry.create_standard(
        session,
        registry.StandardInput(
            level="national",
            numbers="GB/T 46001-2024",
            title="温室气体 产品碳足迹量化方法与要求 电解铝",
            status="published",
            product=product,
            published_on=date(2024, 5, 1),
            implemented_on=date(2024, 11, 1),
        ),
        by=ADMIN,
        on=TODAY,
    )
    group_standard, _ = registry.create_standard(
        session,
        registry.StandardInput(
            level="group",
            numbers="T/CNIA 0123-2023",
            title="电解铝产品碳足迹核算 团体标准",
            status="published",
            association="中国有色金属工业协会",
            published_on=date(2023, 6, 1),
            implemented_on=date(2023, 7, 1),
        ),
        by=ADMIN,
        on=TODAY,
    )
    planned, _ = registry.create_standard(
        session,
        registry.StandardInput(level="national", title="温室气体 产品碳足迹量化方法与要求 氧化铝", status="planned"),
        by=ADMIN,
        on=TODAY,
    )
    session.add(
        Rule(
            code="CFP-R-0001",
            title=national.title,
            template="generic",
            product=product,
            working_group_id=group_a.id,
            standard=national,
            stage="60",
            stage_entered_on=date(2024, 5, 1),
        )
    )
    session.flush()
    return {"national": national, "group": group_standard, "planned": planned, "wg_a": group_a, **people}


@pytest.fixture
def world(app, session):
    return build(session)


@pytest.fixture
def web_world(app, database):
    with database() as session:
        built = build(session)
        session.commit()
        return {key: value.id for key, value in built.items()}


def report(text="5.2 的电力排放因子年份不清楚。", **changes) -> feedback.FeedbackInput:
    values = {"kind": "unclear", "text": text, "clause": "5.2", "contact": ""}
    values.update(changes)
    return feedback.FeedbackInput(**values)


def submit(session, standard, data=None, *, source="a", by=None):
    return feedback.submit(session, standard, data or report(), source=source, by=by, now=utcnow())


# --- the service -------------------------------------------------------------------------------------


def test_anonymous_feedback_is_stored_for_the_working_group_of_the_standards_rule(session, world):
    item = submit(
        session, world["national"], report("表 3\x07 缺少\x00数据", contact=" 13800000000 ", kind="data_unavailable")
    )
    stored = session.get(Feedback, item.id)
    assert stored.author_id is None and stored.status == FeedbackStatus.OPEN
    assert stored.working_group_id == world["wg_a"].id  # from the rule registered as this standard
    assert (stored.text, stored.contact, stored.clause) == ("表 3 缺少数据", "13800000000", "5.2")
    assert stored.kind == "data_unavailable"
    # A standard without a rule of the workbench has no working group: the secretariat answers.
    assert submit(session, world["group"]).working_group_id is None


def test_feedback_is_refused_on_a_standard_not_in_force_and_checks_its_fields(session, world):
    with pytest.raises(Conflict, match="不是现行标准"):
        submit(session, world["planned"])
    with pytest.raises(InvalidInput) as refused:
        submit(session, world["national"], report(""))
    assert "text" in refused.value.details
    with pytest.raises(InvalidInput) as refused:
        submit(session, world["national"], report("长" * (feedback.MAX_TEXT + 1)))
    assert "text" in refused.value.details
    with pytest.raises(InvalidInput) as refused:
        submit(session, world["national"], report(contact="x" * 201))
    assert "contact" in refused.value.details
    with pytest.raises(InvalidInput) as refused:
        submit(session, world["national"], report(kind="angry"))
    assert "kind" in refused.value.details


def test_the_rate_limit_is_that_of_consultation_comments_per_source(session, world):
    for index in range(feedback.FEEDBACK_PER_HOUR):
        submit(session, world["national"], report(f"反馈 {index}"), source="same")
    with pytest.raises(TooManyAttempts, match="一小时内最多"):
        submit(session, world["national"], source="same")
    submit(session, world["national"], source="another")  # another address still reports


def test_answer_permission_follows_who_answers_for_the_standard(session, world):
    national = submit(session, world["national"])
    group = submit(session, world["group"])
    with pytest.raises(AccessDenied):
        feedback.answer(session, national, "已转起草组。", by=world["drafter_b"], now=utcnow())
    with pytest.raises(AccessDenied):
        feedback.answer(session, national, "已转起草组。", by=None, now=utcnow())
    feedback.answer(session, national, "将在修订时明确为 2022 年。", by=world["drafter_a"], now=utcnow())
    assert national.status == FeedbackStatus.ANSWERED and national.answered_by_id == world["drafter_a"].id
    with pytest.raises(AccessDenied):
        feedback.answer(session, group, "答复", by=world["steel"], now=utcnow())
    with pytest.raises(AccessDenied):
        feedback.answer(session, group, "答复", by=world["drafter_a"], now=utcnow())
    feedback.answer(session, group, "协会已收到。", by=world["association"], now=utcnow())
    # The answer can be corrected; the reason goes to the audit trail.
    feedback.answer(
        session, national, "将在修订时明确为 2023 年。", by=world["secretariat"], now=utcnow(), reason="年份写错"
    )
    session.flush()
    reasons = session.scalars(
        select(AuditEvent.reason).where(AuditEvent.record_type == "feedback", AuditEvent.record_id == str(national.id))
    ).all()
    assert "年份写错" in reasons
    with pytest.raises(InvalidInput):
        feedback.answer(session, national, "  ", by=world["secretariat"], now=utcnow())


def test_counts_are_by_kind_and_status_in_one_query_and_items_are_newest_first(session, world):
    first = submit(session, world["national"])
    submit(session, world["national"], report(kind="conflict"))
    last = submit(session, world["national"], report(kind="conflict"))
    last.submitted_at = first.submitted_at + timedelta(minutes=5)
    feedback.answer(session, first, "已答复", by=world["secretariat"], now=utcnow())
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(session.get_bind(), "before_cursor_execute", listener)
    try:
        tallies = feedback.counts(session, [world["national"].id, world["group"].id])
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listener)
    assert len(statements) == 1
    national = tallies[world["national"].id]
    assert (national.total, national.open) == (3, 2)
    assert national.by_kind == {"unclear": 1, "infeasible": 0, "conflict": 2, "data_unavailable": 0, "other": 0}
    assert tallies[world["group"].id].total == 0
    listed = feedback.items(session, world["national"].id)
    assert listed[0].id == last.id and len(listed) == 3
    assert len(feedback.items(session, world["national"].id, limit=2)) == 2


def test_the_answer_list_holds_what_the_user_may_answer(session, world):
    national = submit(session, world["national"])
    group = submit(session, world["group"])
    assert [item.id for item in feedback.answerable(session, world["drafter_a"])] == [national.id]
    assert feedback.answerable(session, world["drafter_b"]) == []
    assert [item.id for item in feedback.answerable(session, world["association"])] == [group.id]
    assert feedback.answerable(session, world["steel"]) == []
    assert {item.id for item in feedback.answerable(session, world["secretariat"])} == {national.id, group.id}


# --- the pages ---------------------------------------------------------------------------------------


def test_a_visitor_reports_on_the_form_and_the_standard_page_shows_counts_only(app, client, web_world, database):
    page = client.get(f"/evaluation/feedback/standards/{web_world['national']}/new")
    assert page.status_code == 200 and "反馈类型" in page.text
    response = client.post_form(
        f"/evaluation/feedback/standards/{web_world['national']}/new",
        {"kind": "infeasible", "clause": "6.1", "text": "中小企业无法取得上游数据。", "contact": "secret@example.com"},
    )
    assert response.status_code == 302
    standard_page = client.get(f"/standards/{web_world['national']}")
    assert "实施信息反馈" in standard_page.text and "难以实施：1" in standard_page.text
    assert "中小企业无法取得上游数据" not in standard_page.text  # items are for signed-in users
    assert "secret@example.com" not in standard_page.text
    with database() as session:
        item = session.scalars(select(Feedback)).one()
        assert item.contact == "secret@example.com" and item.author_id is None


def test_the_rate_limit_refuses_the_next_report_and_keeps_its_text(client, web_world):
    url = f"/evaluation/feedback/standards/{web_world['national']}/new"
    for index in range(feedback.FEEDBACK_PER_HOUR):
        assert client.post_form(url, {"kind": "other", "text": f"第 {index} 条"}).status_code == 302
    refused = client.post_form(url, {"kind": "other", "clause": "7.3", "text": "这条被限流的反馈应当保留"})
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "一小时内最多" in refused.text
    assert "这条被限流的反馈应当保留" in refused.text and 'value="7.3"' in refused.text


def test_a_report_on_a_standard_not_in_force_is_refused_with_the_reason(client, web_world):
    url = f"/evaluation/feedback/standards/{web_world['planned']}/new"
    assert "不接受实施信息反馈" in client.get(url).text
    refused = client.post_form(url, {"kind": "other", "text": "项目还没发布"})
    assert refused.status_code == 422 and "不是现行标准" in refused.text


def test_the_contact_is_shown_only_to_those_who_answer(app, web_world, database):
    with database() as session:
        national = session.get(Standard, web_world["national"])
        submit(session, national, report("电力因子年份", contact="13800000000"))
        session.commit()
    unrelated = login_as(app, "drafter_b")
    page = unrelated.get(f"/standards/{web_world['national']}")
    assert "电力因子年份" in page.text and "13800000000" not in page.text
    listed = unrelated.get(f"/api/v1/standards/{web_world['national']}/feedback").json
    assert listed["total"] == 1 and "contact" not in listed["items"][0]
    answerer = login_as(app, "drafter_a")
    assert "13800000000" in answerer.get(f"/standards/{web_world['national']}").text
    assert (
        answerer.get(f"/api/v1/standards/{web_world['national']}/feedback").json["items"][0]["contact"] == "13800000000"
    )
    assert app.test_client().get(f"/api/v1/standards/{web_world['national']}/feedback").status_code == 401


def login_as(app, username):
    client = app.test_client()
    response = client.post_form("/login", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return client


def test_answering_on_the_page_is_for_the_working_group_not_another(app, web_world, database):
    with database() as session:
        item = submit(session, session.get(Standard, web_world["national"]))
        session.commit()
        item_id = item.id
    other = login_as(app, "drafter_b")
    assert "保存答复" not in other.get(f"/evaluation/feedback/{item_id}").text
    assert other.post_form(f"/evaluation/feedback/{item_id}/answer", {"answer": "越权答复"}).status_code == 403
    drafter = login_as(app, "drafter_a")
    assert f"/evaluation/feedback/{item_id}" in drafter.get("/evaluation/feedback/to-answer").text
    assert f"/evaluation/feedback/{item_id}" not in other.get("/evaluation/feedback/to-answer").text
    empty = drafter.post_form(f"/evaluation/feedback/{item_id}/answer", {"answer": ""})
    assert empty.status_code == 422 and "请填写答复" in empty.text
    assert drafter.post_form(f"/evaluation/feedback/{item_id}/answer", {"answer": "修订时明确。"}).status_code == 302
    with database() as session:
        assert session.get(Feedback, item_id).answer == "修订时明确。"
    assert "修订时明确。" in other.get(f"/evaluation/feedback/{item_id}").text


def test_a_standard_with_1000_items_shows_the_latest_20_and_a_link(app, web_world, database):
    with database() as session:
        now = utcnow()
        standard = session.get(Standard, web_world["national"])
        session.add_all(
            Feedback(
                standard=standard,
                kind="other",
                text=f"反馈第 {index} 条",
                submitted_at=now + timedelta(seconds=index),
                source="bulk",
                status=FeedbackStatus.OPEN,
            )
            for index in range(1000)
        )
        session.commit()
    client = login_as(app, "drafter_b")
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    with database() as session:
        engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", listener)
    try:
        page = client.get(f"/standards/{web_world['national']}")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert page.status_code == 200
    latest = page.text.split('id="feedback-latest"')[1].split("</ul>")[0]
    assert latest.count("<li") == feedback.PANEL_ITEMS
    assert "反馈第 999 条" in latest and "反馈第 979 条" not in latest
    assert "查看全部 1000 条反馈" in page.text
    assert sum("feedback" in statement for statement in statements) <= 2
    listed = client.get(f"/evaluation/feedback/standards/{web_world['national']}?page=2")
    assert listed.status_code == 200 and "第 2 / 20 页" in listed.text


# --- the API -----------------------------------------------------------------------------------------


def test_the_api_takes_feedback_answers_it_and_counts_it(app, web_world, validate_response):
    reporter = login_as(app, "steel")
    created = reporter.api(
        "POST",
        f"/api/v1/standards/{web_world['national']}/feedback",
        {"kind": "conflict", "text": "与 GB/T 24067 矛盾"},
    )
    assert created.status_code == 201, created.text
    validate_response("/api/v1/standards/{standard_id}/feedback", "post", created)
    refused = reporter.api("POST", f"/api/v1/standards/{web_world['planned']}/feedback", {"kind": "other", "text": "x"})
    assert refused.status_code == 409
    counts = app.test_client().get(f"/api/v1/standards/{web_world['national']}/feedback/counts")
    assert counts.json == {
        "total": 1,
        "open": 1,
        "by_kind": {"unclear": 0, "infeasible": 0, "conflict": 1, "data_unavailable": 0, "other": 0},
    }
    validate_response("/api/v1/standards/{standard_id}/feedback/counts", "get", counts)
    item_id = created.json["id"]
    assert reporter.api("POST", f"/api/v1/feedback/{item_id}/answer", {"answer": "x"}).status_code == 403
    answered = login_as(app, "drafter_a").api("POST", f"/api/v1/feedback/{item_id}/answer", {"answer": "已核对。"})
    assert answered.status_code == 200 and answered.json["status"] == "answered"
    validate_response("/api/v1/feedback/{feedback_id}/answer", "post", answered)


def test_feedback_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/standards/{standard_id}/feedback"])
    assert "post" in paths["/api/v1/feedback/{feedback_id}/answer"]
    assert "get" in paths["/api/v1/standards/{standard_id}/feedback/counts"]
