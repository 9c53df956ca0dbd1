"""Periodic review (复审, 《标准化法》第二十九条) and evaluation plans (指引（十二））: when each standard in
force is due (five years from publication or from its last concluded evaluation; 29 February), the
review-due list and its overdue days, the secretariat's plans (evaluating organisations only, one
open plan per standard, cancelling with a reason, the overdue list), the pages, the API and the
command line."""

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from workbench.audit.models import AuditEvent
from workbench.auth import service as accounts
from workbench.auth.models import OrganisationKind
from workbench.auth.permissions import Role
from workbench.dates import today as real_today
from workbench.errors import AccessDenied, Conflict, InvalidInput
from workbench.evaluation import reviews
from workbench.evaluation.models import Evaluation, EvaluationPlan, EvaluationStatus, PlanStatus
from workbench.registry import service as registry
from workbench.registry.models import Standard

from .conftest import ADMIN, PASSWORD

TODAY = date(2026, 3, 10)


def standard(session, number, published_on, *, status="published", level="national", **extra) -> Standard:
    record, _ = registry.create_standard(
        session,
        registry.StandardInput(
            level=level,
            numbers=number,
            title=f"碳足迹标准 {number}",
            status=status,
            published_on=published_on,
            **extra,
        ),
        by=ADMIN,
        on=TODAY,
    )
    return record


def evaluation(session, record, organisation, concluded_on, *, status=EvaluationStatus.CONCLUDED):
    item = Evaluation(
        standard=record,
        organisation=organisation,
        status=status,
        started_on=concluded_on - timedelta(days=30),
        concluded_on=concluded_on if status == EvaluationStatus.CONCLUDED else None,
    )
    session.add(item)
    session.flush()
    return item


def build(session) -> dict:
    tc = accounts.create_organisation(
        session, by=ADMIN, name="全国碳排放管理标准化技术委员会", kind=OrganisationKind.TC_SECRETARIAT
    )
    institute = accounts.create_organisation(
        session, by=ADMIN, name="中国标准化研究院", kind=OrganisationKind.RESEARCH_INSTITUTE
    )
    enterprise = accounts.create_organisation(
        session, by=ADMIN, name="某铝业有限公司", kind=OrganisationKind.ENTERPRISE
    )
    people = {}
    for username, role, organisation in (
        ("secretariat", Role.SECRETARIAT, None),
        ("evaluator", Role.EVALUATOR, institute),
        ("tc_member", Role.EVALUATOR, tc),
        ("drafter", Role.DRAFTER, None),
    ):
        people[username] = accounts.create_user(
            session,
            by=ADMIN,
            username=username,
            display_name=username,
            password=PASSWORD,
            role=role,
            organisation=organisation,
        )
    return {"tc": tc, "institute": institute, "enterprise": enterprise, **people}


@pytest.fixture
def world(app, session):
    return build(session)


# --- due dates ---------------------------------------------------------------------------------------


def test_review_is_due_five_years_after_publication_or_the_last_concluded_evaluation(session, world):
    record = standard(session, "GB/T 46001-2021", date(2021, 6, 1))
    assert reviews.last_review(session, record) is None
    assert reviews.review_due(record, None) == date(2026, 6, 1)
    evaluation(session, record, world["institute"], date(2025, 1, 10))
    evaluation(session, record, world["institute"], date(2025, 9, 1), status=EvaluationStatus.DRAFT)  # not a review yet
    assert reviews.last_review(session, record) == date(2025, 1, 10)
    assert reviews.review_due(record, reviews.last_review(session, record)) == date(2030, 1, 10)


def test_a_29_february_publication_is_due_on_28_february(session, world):
    record = standard(session, "GB/T 46002-2024", date(2024, 2, 29))
    assert reviews.review_due(record, None) == date(2029, 2, 28)
    # The list's window ending on that day includes it.
    rows = reviews.due_list(session, date(2029, 2, 1), within_days=27)
    assert [row.number for row in rows] == ["GB/T 46002—2024"] and rows[0].overdue_days == -27


def test_a_standard_not_in_force_has_no_review_due(session, world):
    project = standard(session, "", None, status="planned")
    withdrawn = standard(
        session, "GB/T 46003-2015", date(2015, 1, 1), status="withdrawn", withdrawn_on=date(2020, 1, 1)
    )
    assert reviews.review_due(project, None) is None
    assert reviews.review_due(withdrawn, None) is None


def test_the_due_list_gives_overdue_days_and_leaves_out_what_is_not_due(session, world):
    overdue = standard(session, "GB/T 46004-2020", date(2020, 3, 1))  # due 2025-03-01
    soon = standard(session, "GB/T 46005-2021", date(2021, 6, 1))  # due 2026-06-01
    later = standard(session, "GB/T 46006-2023", date(2023, 6, 1))  # due 2028: outside a year
    reviewed = standard(session, "GB/T 46007-2019", date(2019, 1, 1))
    evaluation(session, reviewed, world["tc"], date(2024, 12, 1))  # due 2029-12-01
    revising = standard(session, "GB/T 46008-2018", date(2018, 5, 1), status="under_revision")
    withdrawn = standard(
        session, "GB/T 46009-2015", date(2015, 1, 1), status="withdrawn", withdrawn_on=date(2020, 1, 1)
    )
    archived = standard(session, "GB/T 46010-2016", date(2016, 1, 1))
    registry.set_archived(session, archived, True, by=ADMIN)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(session.get_bind(), "before_cursor_execute", listener)
    try:
        rows = reviews.due_list(session, TODAY, within_days=365)
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listener)
    assert len(statements) == 2
    by_number = {row.number: row for row in rows}
    assert set(by_number) == {overdue.numbers, soon.numbers, revising.numbers}
    assert by_number[overdue.numbers].overdue_days == (TODAY - date(2025, 3, 1)).days > 0
    assert by_number[soon.numbers].overdue_days == -(date(2026, 6, 1) - TODAY).days
    assert by_number[overdue.numbers].published == date(2020, 3, 1) and by_number[overdue.numbers].last_review is None
    assert rows[0].number == revising.numbers  # the most overdue first
    assert later.numbers not in by_number and reviewed.numbers not in by_number and withdrawn.numbers not in by_number
    assert [row.number for row in reviews.due_list(session, TODAY, within_days=0)] == [
        revising.numbers,
        overdue.numbers,
    ]


# --- plans -------------------------------------------------------------------------------------------


def plan(session, world, records, *, organisation="institute", due_on=TODAY + timedelta(days=90), by=None):
    return reviews.schedule(
        session,
        reviews.PlanInput(
            standard_ids=[record.id for record in records],
            organisation_id=world[organisation].id,
            due_on=due_on,
            note="按复审要求评估",
        ),
        by=by or world["secretariat"],
        today=TODAY,
    )


def test_plans_are_made_for_several_standards_by_an_evaluating_organisation(session, world):
    first = standard(session, "GB/T 46004-2020", date(2020, 3, 1))
    second = standard(session, "GB/T 46005-2021", date(2021, 6, 1))
    plans = plan(session, world, [first, second], organisation="tc")
    assert [(item.standard_id, item.status) for item in plans] == [
        (first.id, PlanStatus.PLANNED),
        (second.id, PlanStatus.PLANNED),
    ]
    assert reviews.open_plan(session, first) is plans[0]
    with pytest.raises(InvalidInput, match="不能承担评估") as refused:
        plan(session, world, [standard(session, "GB/T 46006-2023", date(2023, 6, 1))], organisation="enterprise")
    assert "organisation_id" in refused.value.details
    with pytest.raises(InvalidInput, match="已过") as refused:
        plan(session, world, [second], due_on=TODAY - timedelta(days=1))
    assert "due_on" in refused.value.details
    with pytest.raises(AccessDenied):
        plan(session, world, [first], by=world["evaluator"])


def test_a_second_open_plan_is_refused_naming_the_first_until_it_is_cancelled(session, world):
    record = standard(session, "GB/T 46004-2020", date(2020, 3, 1))
    (first,) = plan(session, world, [record], organisation="tc")
    with pytest.raises(InvalidInput) as refused:
        plan(session, world, [record])
    message = refused.value.details["standard_ids"]
    assert (
        "GB/T 46004—2020" in message
        and "全国碳排放管理标准化技术委员会" in message
        and first.due_on.isoformat() in message
    )
    assert session.scalars(select(EvaluationPlan)).all() == [first]  # nothing of the refused plan saved
    with pytest.raises(InvalidInput):
        reviews.cancel(session, first, "  ", by=world["secretariat"])
    reviews.cancel(session, first, "评估机构调整", by=world["secretariat"])
    assert first.status == PlanStatus.CANCELLED and reviews.open_plan(session, record) is None
    reasons = session.scalars(select(AuditEvent.reason).where(AuditEvent.record_type == "evaluation_plan")).all()
    assert "评估机构调整" in reasons
    with pytest.raises(Conflict):
        reviews.cancel(session, first, "再取消", by=world["secretariat"])
    (second,) = plan(session, world, [record])
    assert second.organisation_id == world["institute"].id


def test_plans_past_their_due_date_are_overdue(session, world):
    late = standard(session, "GB/T 46004-2020", date(2020, 3, 1))
    on_time = standard(session, "GB/T 46005-2021", date(2021, 6, 1))
    (late_plan,) = plan(session, world, [late], due_on=TODAY)
    plan(session, world, [on_time], due_on=TODAY + timedelta(days=30))
    assert reviews.overdue_plans(session, TODAY) == []
    assert reviews.overdue_plans(session, TODAY + timedelta(days=1)) == [late_plan]
    late_plan.status = PlanStatus.DONE
    assert reviews.overdue_plans(session, TODAY + timedelta(days=1)) == []


# --- pages, API, command line ----------------------------------------------------------------------


@pytest.fixture
def web_world(app, database):
    with database() as session:
        built = build(session)
        on = real_today()
        due = standard(
            session, "GB/T 46004-2020", on.replace(year=on.year - 6) if on.day < 29 else date(on.year - 6, on.month, 28)
        )
        fresh = standard(session, "GB/T 46005-2025", on - timedelta(days=30))
        session.commit()
        return {**{key: value.id for key, value in built.items()}, "due": due.id, "fresh": fresh.id}


def signed_in(app, username):
    client = app.test_client()
    response = client.post_form("/login", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return client


def test_the_secretariat_sees_the_due_list_and_schedules_from_it(app, web_world, database):
    client = signed_in(app, "secretariat")
    page = client.get("/evaluation/reviews/")
    assert page.status_code == 200 and "GB/T 46004—2020" in page.text and "GB/T 46005—2025" not in page.text
    assert f"/standards/{web_world['due']}" in page.text
    form = client.get(f"/evaluation/reviews/plans?standard={web_world['due']}")
    assert "GB/T 46004—2020" in form.text  # the schedule link fills the form
    due_on = (real_today() + timedelta(days=60)).isoformat()
    refused = client.post_form(
        "/evaluation/reviews/plans",
        {"standards": "GB/T 46004-2020\nGB/T 49999-2020", "organisation_id": web_world["institute"], "due_on": due_on},
    )
    assert refused.status_code == 422 and "GB/T 49999-2020" in refused.text
    enterprise = client.post_form(
        "/evaluation/reviews/plans",
        {"standards": "GB/T 46004-2020", "organisation_id": web_world["enterprise"], "due_on": due_on},
    )
    assert enterprise.status_code == 422  # not offered, and refused if sent
    done = client.post_form(
        "/evaluation/reviews/plans",
        {"standards": "GB/T 46004-2020、GB/T 46005-2025", "organisation_id": web_world["institute"], "due_on": due_on},
    )
    assert done.status_code == 302
    again = client.post_form(
        "/evaluation/reviews/plans",
        {"standards": "GB/T 46004-2020", "organisation_id": web_world["tc"], "due_on": due_on, "note": "重复"},
    )
    assert again.status_code == 422 and "已有评估计划" in again.text and "重复" in again.text
    with database() as session:
        plans = session.scalars(select(EvaluationPlan).order_by(EvaluationPlan.id)).all()
        assert [item.standard_id for item in plans] == [web_world["due"], web_world["fresh"]]
        plan_id = plans[0].id
    assert (
        client.post_form(f"/evaluation/reviews/plans/{plan_id}/cancel", {"reason": "改由技委会评估"}).status_code == 302
    )
    with database() as session:
        assert session.get(EvaluationPlan, plan_id).status == PlanStatus.CANCELLED


def test_evaluating_members_see_their_own_plans_and_others_are_refused(app, web_world, database):
    with database() as session:
        secretariat = session.get(accounts.User, web_world["secretariat"])
        records = [session.get(Standard, web_world["due"])]
        reviews.schedule(
            session,
            reviews.PlanInput(
                standard_ids=[web_world["due"]], organisation_id=web_world["institute"], due_on=real_today()
            ),
            by=secretariat,
            today=real_today(),
        )
        reviews.schedule(
            session,
            reviews.PlanInput(standard_ids=[web_world["fresh"]], organisation_id=web_world["tc"], due_on=real_today()),
            by=secretariat,
            today=real_today(),
        )
        session.commit()
        assert records
    evaluator = signed_in(app, "evaluator")
    page = evaluator.get("/evaluation/reviews/plans")
    assert page.status_code == 200 and "GB/T 46004—2020" in page.text and "GB/T 46005—2025" not in page.text
    assert "安排评估" not in page.text.split("</h1>")[1].split('class="filters"')[0]
    assert evaluator.get("/evaluation/reviews/").status_code == 403
    assert evaluator.post_form("/evaluation/reviews/plans", {"standards": "x"}).status_code == 403
    assert signed_in(app, "drafter").get("/evaluation/reviews/plans").status_code == 403
    assert app.test_client().get("/evaluation/reviews/plans").status_code == 302  # sign in first
    assert evaluator.get("/evaluation/reviews/plans/overdue").status_code == 200


def test_the_api_lists_creates_and_cancels_plans_and_gives_the_due_list(app, web_world, validate_response):
    client = signed_in(app, "secretariat")
    due_on = (real_today() + timedelta(days=30)).isoformat()
    created = client.api(
        "POST",
        "/api/v1/evaluation/plans",
        {"standard_ids": [web_world["due"]], "organisation_id": web_world["tc"], "due_on": due_on},
    )
    assert created.status_code == 201, created.text
    validate_response("/api/v1/evaluation/plans", "post", created)
    refused = client.api(
        "POST",
        "/api/v1/evaluation/plans",
        {"standard_ids": [web_world["fresh"]], "organisation_id": web_world["enterprise"], "due_on": due_on},
    )
    assert refused.status_code == 422 and "organisation_id" in refused.json["error"]["details"]
    listed = client.get("/api/v1/evaluation/plans")
    assert listed.json["total"] == 1
    validate_response("/api/v1/evaluation/plans", "get", listed)
    cancelled = client.api("POST", f"/api/v1/evaluation/plans/{created.json[0]['id']}/cancel", {"reason": "调整"})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    due = client.get("/api/v1/evaluation/review-due")
    assert [row["number"] for row in due.json] == ["GB/T 46004—2020"]
    validate_response("/api/v1/evaluation/review-due", "get", due)
    assert signed_in(app, "evaluator").get("/api/v1/evaluation/review-due").status_code == 403


def test_the_command_line_lists_standards_due_and_plans(app, web_world, cli_runner):
    result = cli_runner("evaluation", "due", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [row["number"] for row in rows] == ["GB/T 46004—2020"]
    assert {"number", "published", "last_review", "due", "overdue_days"} <= set(rows[0])
    assert rows[0]["last_review"] is None and rows[0]["overdue_days"] > 0
    table = cli_runner("evaluation", "due", "--within-days", "0")
    assert "GB/T 46004—2020" in table.output
    assert json.loads(cli_runner("evaluation", "plans", "--overdue", "--format", "json").output) == []
