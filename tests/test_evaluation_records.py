"""The evaluation record (指引（十二）): scoring, the conclusion and the follow-up it creates, the
withdrawal SAMR/MEE decide, the facts stored with it, and who may keep it."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from workbench.auth import service as accounts
from workbench.auth.models import OrganisationKind
from workbench.auth.permissions import Role
from workbench.drafting import service as drafting
from workbench.drafting.models import StageEvent
from workbench.errors import AccessDenied, Conflict, InvalidInput
from workbench.evaluation import facts, feedback, records, reviews
from workbench.evaluation.dimensions import EVALUATION_DIMENSIONS
from workbench.evaluation.models import (
    Conclusion,
    EvaluationStatus,
    PlanStatus,
    Withdrawal,
    WithdrawalStatus,
)
from workbench.factors import service as factors
from workbench.registry import service as registry
from workbench.registry.models import RelationKind, Status

from .conftest import ADMIN, PASSWORD

TODAY = date(2026, 3, 1)


def _user(session, username, role, organisation):
    return accounts.create_user(
        session,
        by=ADMIN,
        username=username,
        display_name=f"测试{username}",
        password=PASSWORD,
        role=role,
        organisation=organisation,
    )


@pytest.fixture
def world(session):
    return make_world(session)


def make_world(session):
    """电解铝 with GB/T 44905-2024 (published 2024-08-23), 石灰 with a national standard, an
    institute with an evaluator, another institute's evaluator, the secretariat and SAMR."""
    aluminium = registry.create_product(
        session, registry.ProductInput(name="电解铝", side="production", end_use="intermediate"), by=ADMIN
    )
    lime = registry.create_product(
        session, registry.ProductInput(name="石灰", side="production", end_use="intermediate"), by=ADMIN
    )
    standard, _found = registry.create_standard(
        session,
        registry.StandardInput(
            level="national",
            numbers="GB/T 44905-2024",
            title="温室气体 产品碳足迹量化方法与要求 电解铝",
            status="published",
            product=aluminium,
            committee="TC548",
            published_on=date(2024, 8, 23),
            implemented_on=date(2024, 12, 1),
        ),
        by=ADMIN,
    )
    other, _found = registry.create_standard(
        session,
        registry.StandardInput(
            level="national",
            numbers="GB/T 45000-2024",
            title="温室气体 产品碳足迹量化方法与要求 石灰",
            status="published",
            product=lime,
            published_on=date(2024, 9, 1),
        ),
        by=ADMIN,
    )
    institute = accounts.create_organisation(
        session, by=ADMIN, name="中国标准化研究院", kind=OrganisationKind.RESEARCH_INSTITUTE
    )
    elsewhere = accounts.create_organisation(
        session, by=ADMIN, name="某某研究院", kind=OrganisationKind.RESEARCH_INSTITUTE
    )
    tc = accounts.create_organisation(session, by=ADMIN, name="TC548 秘书处", kind=OrganisationKind.TC_SECRETARIAT)
    ministry = accounts.create_organisation(session, by=ADMIN, name="市场监管总局", kind=OrganisationKind.MINISTRY)
    users = {
        "evaluator": _user(session, "evaluator", Role.EVALUATOR, institute),
        "outsider": _user(session, "outsider", Role.EVALUATOR, elsewhere),
        "secretariat": _user(session, "secretariat", Role.SECRETARIAT, tc),
        "samr": _user(session, "samr", Role.ADMINISTRATOR, ministry),
    }
    session.flush()
    return {"standard": standard, "other": other, "institute": institute, "tc": tc, **users}


def _plan(session, world):
    plans = reviews.schedule(
        session,
        reviews.PlanInput(
            standard_ids=[world["standard"].id], organisation_id=world["institute"].id, due_on=date(2026, 6, 30)
        ),
        by=world["secretariat"],
        today=TODAY,
    )
    return plans[0]


def _score_all(session, evaluation, by, *, skip=()):
    for dimension in EVALUATION_DIMENSIONS:
        if dimension.key in skip:
            continue
        records.score(
            session, evaluation, dimension.key, dimension.scale[1][0], evidence=f"{dimension.key} 的依据", by=by
        )


def test_the_conclusion_is_refused_until_every_dimension_is_scored_naming_those_missing(session, world):
    evaluator = world["evaluator"]
    evaluation = records.start(session, world["standard"], by=evaluator, today=TODAY, plan=_plan(session, world))
    _score_all(session, evaluation, evaluator, skip=("coordination", "benefits"))

    with pytest.raises(InvalidInput) as refused:
        records.conclude(session, evaluation, "continue", "继续有效。", by=evaluator, today=TODAY)
    assert "协调性" in refused.value.message and "实施效益" in refused.value.message
    assert "技术水平" not in refused.value.message
    assert refused.value.details["missing"] == ["coordination", "benefits"]
    assert evaluation.status == EvaluationStatus.DRAFT

    # a value outside the dimension's scale, or no evidence, is refused too
    with pytest.raises(InvalidInput) as refused:
        records.score(session, evaluation, "coordination", "ahead", evidence="x", by=evaluator)
    assert "协调一致" in refused.value.details["value"]
    with pytest.raises(InvalidInput) as refused:
        records.score(session, evaluation, "coordination", "consistent", evidence="  ", by=evaluator)
    assert "依据" in refused.value.details["evidence"]


def test_revise_registers_the_revision_project_replacing_the_standard_and_finishes_the_plan(session, world):
    evaluator, standard = world["evaluator"], world["standard"]
    plan = _plan(session, world)
    evaluation = records.start(session, standard, by=evaluator, today=TODAY, plan=plan)
    assert evaluation.organisation is world["institute"] and evaluation.plan is plan
    _score_all(session, evaluation, evaluator)
    records.conclude(session, evaluation, "revise", "电力排放因子方法已落后，应修订。", by=evaluator, today=TODAY)

    project = evaluation.follow_up
    assert evaluation.status == EvaluationStatus.CONCLUDED and evaluation.concluded_on == TODAY
    assert project.status == Status.PLANNED and project.level == standard.level
    assert project.product is standard.product and project.title == standard.title
    assert f"#{evaluation.id}" in project.note and "修订项目" in project.note
    assert [(relation.kind, relation.target) for relation in project.relations] == [(RelationKind.REPLACES, standard)]
    assert standard.status == Status.UNDER_REVISION
    assert plan.status == PlanStatus.DONE
    assert {fact["key"] for fact in evaluation.facts["facts"]} >= {"age", "feedback", "factors", "trials"}
    # the registry's level rules see two editions, not a duplicate
    assert not [found for found in registry.findings_for(session, project) if found.code == "duplicate_at_level"]


def test_integrate_requires_the_standards_it_merges_and_names_them(session, world):
    evaluator, standard, other = world["evaluator"], world["standard"], world["other"]
    evaluation = records.start(session, standard, by=evaluator, today=TODAY, plan=_plan(session, world))
    _score_all(session, evaluation, evaluator)

    with pytest.raises(InvalidInput) as refused:
        records.conclude(session, evaluation, "integrate", "与石灰标准整合。", by=evaluator, today=TODAY)
    assert "整合的标准编号" in refused.value.details["merges"]
    with pytest.raises(InvalidInput) as refused:
        records.conclude(session, evaluation, "integrate", "整合。", merges=[standard], by=evaluator, today=TODAY)
    assert "本身" in refused.value.details["merges"]
    with pytest.raises(InvalidInput) as refused:
        records.resolve_numbers(session, "GB/T 45000—2024\nGB/T 99999-2030")
    assert "GB/T 99999-2030" in refused.value.details["merges"]
    assert "GB/T 45000" not in refused.value.details["merges"]
    with pytest.raises(InvalidInput):  # merges belong to 整合 only
        records.conclude(session, evaluation, "revise", "修订。", merges=[other], by=evaluator, today=TODAY)

    merges = records.resolve_numbers(session, "GB/T 45000—2024")
    records.conclude(session, evaluation, "integrate", "与石灰标准整合。", merges=merges, by=evaluator, today=TODAY)
    assert evaluation.merges == [other]
    assert "GB/T 45000—2024" in evaluation.follow_up.note and "整合项目" in evaluation.follow_up.note


def test_withdraw_is_decided_by_samr_and_moves_the_rule_to_95(session, world):
    evaluator, standard, samr = world["evaluator"], world["standard"], world["samr"]
    rule = drafting.create_rule(session, product=standard.product, by=ADMIN, today=TODAY, standard=standard)
    rule.stage, rule.published_on = "60", standard.published_on  # a rule published in the workbench
    session.flush()
    evaluation = records.start(session, standard, by=evaluator, today=TODAY, plan=_plan(session, world))
    _score_all(session, evaluation, evaluator)
    records.conclude(session, evaluation, "withdraw", "已被新方法取代，建议废止。", by=evaluator, today=TODAY)
    withdrawal = session.scalar(select(Withdrawal).where(Withdrawal.evaluation_id == evaluation.id))
    assert withdrawal.status == WithdrawalStatus.PROPOSED and evaluation.follow_up is None
    assert standard.status == Status.PUBLISHED  # nothing happens before the decision

    with pytest.raises(AccessDenied):
        records.decide_withdrawal(session, withdrawal, approve=True, by=world["secretariat"], today=TODAY)
    with pytest.raises(InvalidInput) as refused:
        records.decide_withdrawal(session, withdrawal, approve=False, reason="", by=samr, today=TODAY)
    assert "reason" in refused.value.details

    records.decide_withdrawal(session, withdrawal, approve=True, reason="同意废止。", by=samr, today=TODAY)
    assert withdrawal.status == WithdrawalStatus.APPROVED and withdrawal.decided_on == TODAY
    assert standard.status == Status.WITHDRAWN and standard.withdrawn_on == TODAY
    assert rule.stage == "95"
    step = session.scalar(select(StageEvent).where(StageEvent.rule_id == rule.id).order_by(StageEvent.id.desc()))
    assert (step.from_stage, step.to_stage) == ("60", "95")
    with pytest.raises(Conflict):
        records.decide_withdrawal(session, withdrawal, approve=False, reason="再议", by=samr, today=TODAY)


def test_a_rejected_withdrawal_keeps_the_standard_with_the_reason(session, world):
    evaluator, standard = world["evaluator"], world["standard"]
    evaluation = records.start(session, standard, by=evaluator, today=TODAY, plan=_plan(session, world))
    _score_all(session, evaluation, evaluator)
    records.conclude(session, evaluation, Conclusion.WITHDRAW, "建议废止。", by=evaluator, today=TODAY)
    withdrawal = records.withdrawal_of(session, evaluation)
    records.decide_withdrawal(
        session, withdrawal, approve=False, reason="仍被广泛引用。", by=world["samr"], today=TODAY
    )
    assert withdrawal.status == WithdrawalStatus.REJECTED and withdrawal.decision_reason == "仍被广泛引用。"
    assert standard.status == Status.PUBLISHED and standard.withdrawn_on is None


def test_a_concluded_evaluation_never_changes(session, world):
    evaluator = world["evaluator"]
    evaluation = records.start(session, world["standard"], by=evaluator, today=TODAY, plan=_plan(session, world))
    _score_all(session, evaluation, evaluator)
    records.conclude(session, evaluation, "continue", "继续有效。", by=evaluator, today=TODAY)
    with pytest.raises(Conflict):
        records.score(session, evaluation, "technical_level", "ahead", evidence="新依据", by=evaluator)
    with pytest.raises(Conflict):
        records.conclude(session, evaluation, "revise", "改为修订。", by=evaluator, today=TODAY)
    assert evaluation.conclusion == Conclusion.CONTINUE and evaluation.follow_up is None
    assert world["standard"].status == Status.PUBLISHED


def test_an_evaluator_of_another_organisation_is_refused(session, world):
    evaluator, outsider = world["evaluator"], world["outsider"]
    plan = _plan(session, world)
    with pytest.raises(AccessDenied):  # the plan names the institute
        records.start(session, world["standard"], by=outsider, today=TODAY, plan=plan)
    with pytest.raises(AccessDenied):  # nor may it start one in the institute's name
        records.start(session, world["standard"], by=outsider, today=TODAY, organisation=world["institute"])
    evaluation = records.start(session, world["standard"], by=evaluator, today=TODAY, plan=plan)
    with pytest.raises(AccessDenied):
        records.score(session, evaluation, "technical_level", "ahead", evidence="x", by=outsider)
    _score_all(session, evaluation, evaluator)
    with pytest.raises(AccessDenied):
        records.conclude(session, evaluation, "continue", "继续有效。", by=outsider, today=TODAY)
    with pytest.raises(AccessDenied):  # an evaluation in progress is its organisation's
        records.get(session, evaluation.id, by=outsider)
    # the secretariat starts one for any evaluating organisation; a second one in progress is refused
    with pytest.raises(Conflict):
        records.start(session, world["standard"], by=world["secretariat"], today=TODAY, organisation=world["institute"])


def test_the_facts_hold_feedback_counts_and_factor_citations_with_their_sources(session, world):
    standard = world["standard"]
    now = datetime(2026, 2, 1, tzinfo=UTC)
    for kind, text in (("infeasible", "阳极数据难以取得。"), ("unclear", "第 5 章表述不清。")):
        feedback.submit(
            session, standard, feedback.FeedbackInput(kind=kind, text=text), source=f"test-{kind}", by=None, now=now
        )
    for code in ("ALU-ELEC-1", "ALU-ANODE-2"):
        factors.create_factor(
            session,
            factors.FactorInput(
                code=code,
                name="电解铝因子",
                value="1.5",
                unit="kgCO2e/kg",
                kind="cfp_life_cycle",
                tier="industry",
                source="行业平均",
                standards="GB/T 44905-2024",
            ),
            by=ADMIN,
        )
    session.flush()
    gathered = {fact.key: fact for fact in facts.gather(session, standard, TODAY)}

    assert "共 2 条" in str(gathered["feedback"].value) and "待答复 2 条" in str(gathered["feedback"].value)
    assert "反馈" in str(gathered["feedback"].source)
    assert "2 项因子" in str(gathered["factors"].value)
    assert "ALU-ANODE-2" in str(gathered["factors"].value) and "ALU-ELEC-1" in str(gathered["factors"].value)
    assert "因子库" in str(gathered["factors"].source)
    assert "2024-08-23" in str(gathered["age"].value) and "已实施满 1 年" in str(gathered["age"].value)
    assert "声明" in str(gathered["declarations"].value)  # none registered under its rule
    assert gathered["coordination"].link == ("coordination.index", {})  # the report's page
    # the snapshot reads back the same
    stored = facts.from_json(facts.as_json(list(gathered.values()), TODAY))
    assert [str(fact.value) for fact in stored] == [str(fact.value) for fact in gathered.values()]


def test_the_pages_and_the_api_refuse_another_organisation_and_show_the_record(app, database, world_ids):
    """The routes ask the services: another institute's evaluator is refused (403), a visitor is
    sent to sign in; the API concludes with 修订 and the standard lists the evaluation."""

    def client_of(username):
        client = app.test_client()
        response = client.post_form("/login", {"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.text
        return client

    evaluator, outsider = client_of("evaluator"), client_of("outsider")
    standard_id = world_ids["standard"]
    started = evaluator.api("POST", "/api/v1/evaluations", {"standard_id": standard_id})
    assert started.status_code == 201, started.text
    evaluation_id = started.json["id"]
    assert started.json["missing"] == [dimension.key for dimension in EVALUATION_DIMENSIONS]
    assert {fact["key"] for fact in started.json["facts"]} >= {"feedback", "factors"}

    assert outsider.get(f"/evaluation/{evaluation_id}").status_code == 403
    data = {"technical_level-value": "ahead", "technical_level-evidence": "x"}
    assert outsider.post_form(f"/evaluation/{evaluation_id}/scores", data).status_code == 403
    assert (
        outsider.api(
            "POST",
            f"/api/v1/evaluations/{evaluation_id}/scores",
            {"dimension": "technical_level", "value": "ahead", "evidence": "x"},
        ).status_code
        == 403
    )
    assert app.test_client().post(f"/evaluation/{evaluation_id}/conclude").status_code in (302, 400, 401)

    # a value with no evidence is refused beside the field, what was typed kept
    response = evaluator.post_form(f"/evaluation/{evaluation_id}/scores", {"technical_level-value": "ahead"})
    assert response.status_code == 422 and "请填写依据" in response.text
    refused = evaluator.api(
        "POST", f"/api/v1/evaluations/{evaluation_id}/conclusion", {"conclusion": "revise", "summary": "修订。"}
    )
    assert refused.status_code == 422 and "技术水平" in refused.json["error"]["message"]

    for dimension in EVALUATION_DIMENSIONS:
        response = evaluator.api(
            "POST",
            f"/api/v1/evaluations/{evaluation_id}/scores",
            {"dimension": dimension.key, "value": dimension.scale[0][0], "evidence": "依据"},
        )
        assert response.status_code == 200, response.text
    concluded = evaluator.api(
        "POST", f"/api/v1/evaluations/{evaluation_id}/conclusion", {"conclusion": "revise", "summary": "修订。"}
    )
    assert concluded.status_code == 200, concluded.text
    assert concluded.json["status"] == "concluded" and concluded.json["follow_up_id"]

    # public: the record, the standard's list and the standard's page
    visitor = app.test_client()
    assert visitor.get(f"/api/v1/evaluations/{evaluation_id}").json["conclusion"] == "revise"
    listed = visitor.get(f"/api/v1/standards/{standard_id}/evaluations").json
    assert [row["id"] for row in listed] == [evaluation_id]
    page = visitor.get(f"/standards/{standard_id}").text
    assert "评估历史" in page and "中国标准化研究院" in page and "修订项目" in page
    assert "开始评估" not in page  # a visitor may not start one
    assert visitor.get("/evaluation/").status_code == 200


@pytest.fixture
def world_ids(database):
    with database() as session:
        made = make_world(session)
        _plan(session, made)  # the secretariat asks the institute to evaluate GB/T 44905-2024
        session.commit()
        return {key: value.id for key, value in made.items()}


# --- who starts an evaluation: the secretariat schedules them (指引（十二）) ----------------------


def test_an_evaluator_without_a_plan_is_refused_and_the_oversight_starts_one(session, world):
    """An evaluator could otherwise conclude 修订 of any national standard on their own."""
    evaluator, standard = world["evaluator"], world["standard"]
    with pytest.raises(AccessDenied):
        records.start(session, standard, by=evaluator, today=TODAY)
    with pytest.raises(AccessDenied):  # naming its own organisation changes nothing
        records.start(session, standard, by=evaluator, today=TODAY, organisation=world["institute"])
    assert records.of_standard(session, standard, by=world["samr"]) == []
    assert not records.may_start(session, evaluator, standard)

    # the secretariat and SAMR/MEE start one without a plan, for any evaluating organisation
    assert records.may_start(session, world["secretariat"], standard)
    started = records.start(session, standard, by=world["samr"], today=TODAY, organisation=world["tc"])
    assert started.organisation is world["tc"] and started.plan is None

    # once the secretariat schedules the institute, its evaluator starts from the plan (named or not)
    plan = _plan(session, world)
    assert records.may_start(session, evaluator, standard)
    evaluation = records.start(session, standard, by=evaluator, today=TODAY)
    assert evaluation.plan is plan and evaluation.organisation is world["institute"]


def test_register_follow_up_project_asks_about_the_evaluation(session, world):
    evaluator, outsider, standard = world["evaluator"], world["outsider"], world["standard"]
    evaluation = records.start(session, standard, by=evaluator, today=TODAY, plan=_plan(session, world))
    data = registry.StandardInput(level="national", title=standard.title, status="planned", product=standard.product)
    with pytest.raises(AccessDenied):  # an evaluator of another organisation
        registry.register_follow_up_project(session, data, evaluation=evaluation, replaces=[standard], by=outsider)
    project, _found = registry.register_follow_up_project(
        session, data, evaluation=evaluation, replaces=[standard], by=evaluator
    )
    assert [relation.target for relation in project.relations] == [standard]


# --- follow-ups that would contradict each other ------------------------------------------------


def _concluded(session, world, conclusion, *, by=None, organisation=None, merges=()):
    """An evaluation of GB/T 44905-2024 started by SAMR/MEE for `organisation`, scored and concluded."""
    samr = world["samr"]
    evaluation = records.start(
        session, world["standard"], by=samr, today=TODAY, organisation=organisation or world["institute"]
    )
    _score_all(session, evaluation, by or world["evaluator"])
    return records.conclude(
        session, evaluation, conclusion, "结论。", merges=merges, by=by or world["evaluator"], today=TODAY
    )


def test_a_revision_under_way_refuses_another_revision_and_a_withdrawal_naming_the_project(session, world):
    first = _concluded(session, world, "revise")
    project = first.follow_up
    tc_member = _user(session, "tc_member", Role.SECRETARIAT, world["tc"])
    evaluation = records.start(session, world["standard"], by=tc_member, today=TODAY, organisation=world["tc"])
    _score_all(session, evaluation, tc_member)
    for conclusion in ("revise", "integrate", "withdraw"):
        merges = [world["other"]] if conclusion == "integrate" else []
        with pytest.raises(Conflict) as refused:
            records.conclude(session, evaluation, conclusion, "再议。", merges=merges, by=tc_member, today=TODAY)
        assert project.designation in refused.value.message and "GB/T 44905" in refused.value.message
    assert evaluation.status == EvaluationStatus.DRAFT
    assert session.scalars(select(Withdrawal)).all() == []
    # a conclusion without a follow-up is still possible
    records.conclude(session, evaluation, "continue", "修订期间继续有效。", by=tc_member, today=TODAY)


def test_a_proposed_withdrawal_refuses_a_revision_and_a_second_withdrawal(session, world):
    first = _concluded(session, world, "withdraw")
    tc_member = _user(session, "tc_member", Role.SECRETARIAT, world["tc"])
    evaluation = records.start(session, world["standard"], by=tc_member, today=TODAY, organisation=world["tc"])
    _score_all(session, evaluation, tc_member)
    for conclusion in ("revise", "withdraw"):
        with pytest.raises(Conflict) as refused:
            records.conclude(session, evaluation, conclusion, "再议。", by=tc_member, today=TODAY)
        assert "废止建议" in refused.value.message and f"#{first.id}" in refused.value.message
    assert evaluation.follow_up is None and world["standard"].status == Status.PUBLISHED

    # once SAMR/MEE reject it, a revision may follow
    records.decide_withdrawal(
        session,
        records.withdrawal_of(session, first),
        approve=False,
        reason="仍在使用。",
        by=world["samr"],
        today=TODAY,
    )
    records.conclude(session, evaluation, "revise", "修订。", by=tc_member, today=TODAY)
    assert evaluation.follow_up is not None


def test_integration_replaces_every_merged_standard_and_puts_them_under_revision(session, world):
    standard, other = world["standard"], world["other"]
    evaluation = _concluded(session, world, "integrate", merges=[other])
    project = evaluation.follow_up
    replaced = {relation.target for relation in project.relations if relation.kind == RelationKind.REPLACES}
    assert replaced == {standard, other}
    assert standard.status == other.status == Status.UNDER_REVISION
    assert not [found for found in registry.findings_for(session, project) if found.severity.value == "error"]


def test_integration_merges_only_standards_in_force(session, world):
    evaluator, other = world["evaluator"], world["other"]
    other.status = Status.WITHDRAWN
    session.flush()
    evaluation = records.start(session, world["standard"], by=evaluator, today=TODAY, plan=_plan(session, world))
    _score_all(session, evaluation, evaluator)
    with pytest.raises(InvalidInput) as refused:
        records.conclude(session, evaluation, "integrate", "整合。", merges=[other], by=evaluator, today=TODAY)
    assert "GB/T 45000" in refused.value.details["merges"] and "现行标准" in refused.value.details["merges"]
    assert evaluation.follow_up is None and world["standard"].status == Status.PUBLISHED


# --- the facts ------------------------------------------------------------------------------------


def test_the_years_in_force_count_full_years_across_29_february(session, world):
    """One count of full years for the section (eligibility.full_years): 29 February's anniversary
    in a common year is 28 February, as the review due date."""
    standard = world["standard"]
    standard.published_on, standard.implemented_on = date(2024, 1, 10), date(2024, 2, 29)
    age = {fact.key: fact for fact in facts.gather(session, standard, date(2025, 2, 27))}["age"]
    assert "已实施满 0 年" in str(age.value)
    age = {fact.key: fact for fact in facts.gather(session, standard, date(2025, 2, 28))}["age"]
    assert "已实施满 1 年" in str(age.value)


def test_the_stored_words_are_the_models_labels_and_feedback_kinds_keep_the_enums_order(session, world):
    from workbench.evaluation.models import CONCLUSION_LABELS, FEEDBACK_KIND_LABELS, FeedbackKind

    # the snapshot stores the Chinese sources of the models' (lazy) labels
    assert {key: str(label) for key, label in CONCLUSION_LABELS.items()} == facts.CONCLUSION_WORDS
    assert {key.value: str(label) for key, label in FEEDBACK_KIND_LABELS.items()} == facts.FEEDBACK_KIND_WORDS
    now = datetime(2026, 2, 1, tzinfo=UTC)
    for kind in ("other", "infeasible", "unclear"):  # submitted out of order
        feedback.submit(
            session, world["standard"], feedback.FeedbackInput(kind=kind, text="反馈。"), source=kind, by=None, now=now
        )
    value = str({fact.key: fact for fact in facts.gather(session, world["standard"], TODAY)}["feedback"].value)
    assert value.index("表述不清") < value.index("难以实施") < value.index("其他")
    assert [kind.value for kind in FeedbackKind][:2] == ["unclear", "infeasible"]


# --- the pages ------------------------------------------------------------------------------------


def _client_of(app, username):
    client = app.test_client()
    response = client.post_form("/login", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return client


def test_the_start_page_tells_an_evaluator_without_a_plan_that_the_secretariat_schedules(app, database):
    with database() as session:
        made = make_world(session)
        session.commit()
        standard_id, other_id, tc_id = made["standard"].id, made["other"].id, made["tc"].id
        _plan(session, made)  # the institute is asked to evaluate GB/T 44905-2024, not GB/T 45000
        session.commit()
    evaluator = _client_of(app, "evaluator")

    page = evaluator.get(f"/evaluation/start?standard={other_id}")
    assert page.status_code == 200
    assert "评估由秘书处安排" in page.text and 'id="own-plans"' in page.text
    assert "GB/T 44905" in page.text  # its open plan, with the button to start it
    assert 'name="organisation_id"' not in page.text
    refused = evaluator.post_form(
        "/evaluation/start", {"standard_id": str(other_id), "plan_id": "", "organisation_id": ""}
    )
    assert refused.status_code == 403
    assert "开始评估" not in evaluator.get(f"/standards/{other_id}").text.split('id="evaluation-history"')[1]

    # from its plan it starts (the plan is found without being named)
    started = evaluator.post_form("/evaluation/start", {"standard_id": str(standard_id), "plan_id": ""})
    assert started.status_code == 302, started.text

    # the secretariat starts one without a plan; an id too large for the database is refused
    secretariat = _client_of(app, "secretariat")
    for chosen in ("99999999999999999999999", "abc", ""):
        response = secretariat.post_form(
            "/evaluation/start", {"standard_id": str(other_id), "plan_id": "", "organisation_id": chosen}
        )
        assert response.status_code == 422 and "请选择评估机构" in response.text, chosen
    response = secretariat.post_form(
        "/evaluation/start", {"standard_id": "99999999999999999999999", "plan_id": "", "organisation_id": str(tc_id)}
    )
    assert response.status_code == 404
    response = secretariat.post_form(
        "/evaluation/start", {"standard_id": str(other_id), "plan_id": "", "organisation_id": str(tc_id)}
    )
    assert response.status_code == 302, response.text


def test_the_landing_page_links_coordination_for_the_secretariat_and_adoption_for_an_association(app, database):
    with database() as session:
        make_world(session)
        association = accounts.create_organisation(
            session, by=ADMIN, name="中国有色金属工业协会", kind=OrganisationKind.ASSOCIATION
        )
        _user(session, "association", Role.ASSOCIATION, association)
        session.commit()
    secretariat = _client_of(app, "secretariat").get("/evaluation/").text
    assert 'href="/coordination/"' in secretariat and 'href="/evaluation/reviews/"' in secretariat
    association = _client_of(app, "association").get("/evaluation/").text
    assert 'href="/adoption/"' in association and 'href="/coordination/"' not in association
    visitor = app.test_client().get("/evaluation/").text
    assert 'href="/adoption/decided"' in visitor and 'href="/adoption/"' not in visitor
