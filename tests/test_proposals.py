"""Project proposals (立项建议): the checks at submission (each broken alone), refusals that keep
nothing, the decisions of SAMR/MEE (立项 with plan number, rule at stage 10 and deadline; return
and reject with reasons), who may do what, the inbox, the pages and the API. On the real product
catalogue and standards of the registry seed."""

from datetime import date

import pytest
from sqlalchemy import func, select

from workbench.audit import set_actor
from workbench.audit.models import AuditEvent
from workbench.auth import service as accounts
from workbench.auth.models import OrganisationKind, User, WorkingGroup, actor_of
from workbench.auth.permissions import Role
from workbench.catalogue import proposals
from workbench.catalogue.models import (
    BatchStatus,
    Call,
    ListBatch,
    ListItem,
    ListKind,
    Proposal,
    ProposalComment,
    ProposalStatus,
)
from workbench.drafting.models import Rule
from workbench.errors import AccessDenied, InvalidInput
from workbench.guideline import Severity
from workbench.registry import seed
from workbench.registry import service as registry
from workbench.registry.models import Product, Standard, Status
from workbench.workflow import service as workflow

from .conftest import ADMIN, PASSWORD

TODAY = date(2026, 3, 10)
OPENS, CLOSES = date(2026, 3, 1), date(2026, 4, 30)
VALID = dict(
    scope="适用于电石生产企业的产品碳足迹量化。",
    urgency="电石是重点原材料，出口企业急需统一方法。",
    technical_content="功能单位、系统边界、数据收集、分配和报告。",
    trial_enterprises=3,
)


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def codes(findings):
    return {finding.code for finding in findings}


@pytest.fixture
def world(app, session):
    return build_world(session)


@pytest.fixture
def web_world(app, database):
    """The same world for tests that send requests: ids only, no session held."""
    with database() as session:
        built = build_world(session)
        return {
            "call": built["call"].id,
            "group": built["group"].id,
            "aluminium": product(session, "电解铝").id,
            "carbide": product(session, "电石").id,
        }


def build_world(session):
    """The seed's products and standards; a published priority batch of the listed products; an
    open call for national, local and group proposals covering it; an association, a provincial
    bureau, SAMR/MEE, the secretariat and a drafter of working group WG-ALU."""
    seed.load_products(session, by=ADMIN)
    seed.load_standards(session, by=ADMIN)
    listed = session.scalars(select(Product).where(Product.priority_category.is_not(None)).order_by(Product.id)).all()
    batch = ListBatch(
        kind=ListKind.PRIORITY,
        number=1,
        title="重点产品碳足迹核算标准清单",
        issuers="市场监管总局 生态环境部",
        status=BatchStatus.PUBLISHED,
        items=[
            ListItem(position=i, product=product, category=product.priority_category)
            for i, product in enumerate(listed, 1)
        ],
    )
    call = Call(
        title="2026年碳足迹标准立项建议征集",
        opens_on=OPENS,
        closes_on=CLOSES,
        levels=["national", "local", "group"],
        months_to_approval=18,
        batches=[batch],
    )
    session.add_all([batch, call])
    ministry = accounts.create_organisation(session, by=ADMIN, name="生态环境部", kind=OrganisationKind.MINISTRY)
    association = accounts.create_organisation(
        session, by=ADMIN, name="中国有色金属工业协会", kind=OrganisationKind.ASSOCIATION
    )
    other = accounts.create_organisation(session, by=ADMIN, name="中国钢铁工业协会", kind=OrganisationKind.ASSOCIATION)
    province = accounts.create_organisation(
        session, by=ADMIN, name="浙江省市场监督管理局", kind=OrganisationKind.LOCAL_AUTHORITY
    )
    group = accounts.create_working_group(session, by=ADMIN, code="WG-ALU", name="有色金属起草组")
    people = {}
    for username, role, organisation in (
        ("mee", Role.ADMINISTRATOR, ministry),
        ("secretariat", Role.SECRETARIAT, None),
        ("association", Role.ASSOCIATION, association),
        ("steel", Role.ASSOCIATION, other),
        ("province", Role.DRAFTER, province),
        ("drafter", Role.DRAFTER, None),
        ("evaluator", Role.EVALUATOR, None),
    ):
        people[username] = accounts.create_user(
            session,
            by=ADMIN,
            username=username,
            display_name=username,
            password=PASSWORD,
            role=role,
            organisation=organisation,
            working_groups=[group] if username == "drafter" else [],
        )
    session.commit()
    return {"call": call, "batch": batch, "group": group, **people}


def product(session, name) -> Product:
    return registry.find_product(session, name)


def data(session, name="电石", level="national", **changes) -> proposals.ProposalInput:
    values = {**VALID, **changes}
    return proposals.ProposalInput(product_id=product(session, name).id, level=level, **values)


def check(session, world, name="电石", level="national", *, today=TODAY, **changes):
    return proposals.check_proposal(session, world["call"], data(session, name, level, **changes), today)


def submit(session, world, name="电石", level="national", *, by="association", **changes) -> Proposal:
    return proposals.submit(session, world["call"], data(session, name, level, **changes), by=world[by], today=TODAY)


# --- each check, broken alone ---------------------------------------------------------------------


def test_a_national_proposal_for_a_listed_product_without_standards_has_no_findings(session, world):
    assert check(session, world) == []


@pytest.mark.parametrize(
    ("today", "variant_word"), [(date(2026, 5, 1), "截止"), (date(2026, 2, 28), "开放")], ids=["closed", "not_yet"]
)
def test_a_call_outside_its_period_refuses(session, world, today, variant_word):
    found = check(session, world, today=today)
    assert codes(found) == {"proposal_call_closed"}
    assert found[0].severity == Severity.ERROR and found[0].article == "指引（七）"
    assert variant_word in found[0].message


def test_a_call_closed_early_refuses(session, world):
    from workbench.db import utcnow

    world["call"].closed_at = utcnow()
    assert codes(check(session, world)) == {"proposal_call_closed"}


def test_a_level_the_call_does_not_accept_is_refused(session, world):
    found = check(session, world, level="industry")
    errors = {finding.code for finding in found if finding.severity == Severity.ERROR}
    assert errors == {"proposal_level_not_accepted"}
    assert "国家标准" in next(f for f in found if f.code == "proposal_level_not_accepted").message


def test_a_national_proposal_where_a_national_standard_exists_is_refused_naming_it(session, world):
    found = check(session, world, "电解铝")
    errors = [finding for finding in found if finding.severity == Severity.ERROR]
    assert [finding.code for finding in errors] == ["proposal_duplicates_standard"]
    assert "GB/T 44905—2024" in errors[0].message and "修订" in errors[0].message
    assert errors[0].article == "指引（十二）"
    assert "duplicate_at_level" not in codes(found)  # the registry's warning became the refusal


def test_another_open_proposal_for_the_same_product_and_level_is_a_warning(session, world):
    first = submit(session, world)
    found = check(session, world)
    assert codes(found) == {"proposal_duplicates_proposal"}
    assert found[0].severity == Severity.WARNING and first.title in found[0].message
    assert "中国有色金属工业协会" in found[0].message
    # The proposal itself is not its own duplicate, and a decided one is no longer open.
    assert proposals.check_proposal(session, world["call"], data(session), TODAY, exclude=first) == []
    proposals.reject(session, first, "重复", by=world["mee"])
    assert check(session, world) == []


def test_open_proposals_for_a_parent_or_child_product_are_pointed_out(session, world):
    parent = registry.create_product(
        session, registry.ProductInput(name="测试金属", side="production", end_use="intermediate"), by=ADMIN
    )
    child = registry.create_product(
        session,
        registry.ProductInput(name="测试金属锭", side="production", end_use="intermediate", parent=parent),
        by=ADMIN,
    )
    world["batch"].items.extend(
        ListItem(position=100 + i, product=item, category="raw_material") for i, item in enumerate((parent, child))
    )
    submit(session, world, "测试金属", level="group")
    found = check(session, world, "测试金属锭", level="group")
    assert codes(found) == {"proposal_overlap_in_tree"}
    assert found[0].severity == Severity.INFO and "上级产品" in found[0].message and "测试金属" in found[0].message


def test_a_product_off_the_calls_priority_list_gets_a_warning_on_the_national_track(session, world):
    registry.create_product(
        session, registry.ProductInput(name="测试中间品", side="production", end_use="intermediate"), by=ADMIN
    )
    found = check(session, world, "测试中间品")
    assert codes(found) == {"proposal_product_not_listed"}
    assert found[0].severity == Severity.WARNING and "重点产品碳足迹核算标准清单" in found[0].message
    assert check(session, world, "测试中间品", level="group") == []  # group standards need no list


def test_a_product_removed_by_a_later_batch_is_off_the_list(session, world):
    coal = product(session, "电石")
    correction = ListBatch(
        kind=ListKind.PRIORITY,
        number=2,
        title="更正",
        status=BatchStatus.PUBLISHED,
        items=[ListItem(position=1, product=coal, change="remove")],
    )
    world["call"].batches.append(correction)
    assert codes(check(session, world)) == {"proposal_product_not_listed"}


def test_a_national_proposal_for_an_unlisted_end_product_suggests_a_group_standard(session, world):
    registry.create_product(
        session, registry.ProductInput(name="测试服饰", side="consumption", end_use="final"), by=ADMIN
    )
    found = check(session, world, "测试服饰")
    assert codes(found) == {"proposal_product_not_listed", "proposal_national_for_end_product"}
    assert {f.severity for f in found if f.code == "proposal_national_for_end_product"} == {Severity.INFO}
    # 锂电池 is a listed end product (export): national first.
    assert check(session, world, "锂电池") == []


def test_a_thin_trial_plan_gets_a_warning(session, world):
    found = check(session, world, trial_enterprises=2)
    assert codes(found) == {"proposal_trial_plan_thin"}
    assert found[0].article == "指引（六）" and "3" in found[0].message


def test_a_title_off_the_pattern_gets_a_warning(session, world):
    found = check(session, world, title="电石碳足迹核算规则")
    assert codes(found) == {"proposal_title_pattern"}
    assert "温室气体 产品碳足迹量化方法与要求 电石" in found[0].message


def test_the_registry_refuses_a_local_proposal_where_a_national_standard_exists(session, world):
    found = check(session, world, "电解铝", level="local")
    assert {f.code for f in found if f.severity == Severity.ERROR} == {"local_where_higher_exists"}


def test_a_local_proposal_for_a_listed_product_gets_the_article_9_finding(session, world):
    found = check(session, world, "煤炭", level="local")
    assert codes(found) == {"local_on_priority_list"}
    assert found[0].severity == Severity.WARNING and found[0].article.startswith("指引（九）")


# --- submitting -----------------------------------------------------------------------------------


def test_a_refused_submission_keeps_nothing(session, world):
    events = count(session, AuditEvent)
    with pytest.raises(proposals.ProposalRefused) as refused:
        submit(session, world, "电解铝")
    assert "GB/T 44905—2024" in refused.value.message and "指引（十二）" in refused.value.message
    assert refused.value.details["findings"][0]["code"] == "proposal_duplicates_standard"
    # Nothing was added to the session, so nothing reaches the database, rolled back or not.
    assert not any(isinstance(record, Proposal) for record in session.new)
    session.flush()
    assert count(session, Proposal) == 0 and count(session, AuditEvent) == events


def test_a_submission_stores_its_warnings_and_fills_the_title(session, world):
    proposal = submit(session, world, trial_enterprises=1)
    assert proposal.title == "温室气体 产品碳足迹量化方法与要求 电石"
    assert proposal.status == ProposalStatus.SUBMITTED
    assert proposal.organisation_id == world["association"].organisation_id
    assert proposal.proposer_id == world["association"].id
    assert [finding["code"] for finding in proposal.findings] == ["proposal_trial_plan_thin"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"scope": " "}, "scope"),
        ({"urgency": ""}, "urgency"),
        ({"technical_content": ""}, "technical_content"),
        ({"trial_enterprises": -1}, "trial_enterprises"),
        ({"working_group_id": 999999}, "working_group_id"),
        ({"level": "worldwide"}, "level"),
    ],
)
def test_a_missing_or_wrong_field_is_refused_by_name(session, world, changes, field):
    values = {**VALID, "product_id": product(session, "电石").id, "level": "national", **changes}
    with pytest.raises(InvalidInput) as refused:
        proposals.submit(
            session, world["call"], proposals.ProposalInput(**values), by=world["association"], today=TODAY
        )
    assert field in refused.value.details


def test_an_archived_product_cannot_be_proposed(session, world):
    item = product(session, "电石")
    registry.set_archived(session, item, True, by=ADMIN)
    with pytest.raises(InvalidInput) as refused:
        submit(session, world)
    assert "product_id" in refused.value.details


def test_only_a_member_of_an_organisation_proposes(session, world):
    with pytest.raises(AccessDenied):
        submit(session, world, by="secretariat")  # no organisation


# --- deciding -------------------------------------------------------------------------------------


def test_approving_a_national_proposal_makes_a_rule_at_stage_10_with_plan_number_and_deadline(session, world):
    proposal = submit(session, world)
    number = proposals.suggest_plan_number(session, TODAY)
    assert number == "20260001-T-469"
    proposals.approve(
        session, proposal, by=world["mee"], today=TODAY, plan_number=number, working_group_id=world["group"].id
    )
    session.commit()
    assert proposal.status == ProposalStatus.APPROVED and proposal.plan_number == "20260001-T-469"
    assert proposal.approved_on == TODAY and proposal.due_on == date(2027, 9, 10)  # 18 months
    rule = session.get(Rule, proposal.rule_id)
    assert rule.stage == "10" and rule.working_group_id == world["group"].id
    standard = session.get(Standard, proposal.standard_id)
    assert standard is rule.standard and standard.status == Status.PLANNED and standard.level == "national"
    assert standard.note == "计划号 20260001-T-469（立项建议“温室气体 产品碳足迹量化方法与要求 电石”）"
    assert proposals.suggest_plan_number(session, TODAY) == "20260002-T-469"
    # The secretariat moves the rule on to drafting: the project follows.
    workflow.move_stage(session, rule, "20", by=world["secretariat"], today=TODAY)
    assert rule.stage == "20" and standard.status == Status.DRAFTING


def test_approving_a_group_proposal_registers_a_planned_group_project(session, world):
    proposal = submit(session, world, level="group")
    proposals.approve(session, proposal, by=world["mee"], today=TODAY)
    standard = session.get(Standard, proposal.standard_id)
    assert standard.level == "group" and standard.status == Status.PLANNED
    assert standard.association == "中国有色金属工业协会"
    assert standard.note == "立项建议“温室气体 产品碳足迹量化方法与要求 电石”"
    assert proposal.rule_id is None and proposal.plan_number is None


@pytest.mark.parametrize(
    ("plan_number", "with_group", "field"),
    [("20260001-T-469", False, "working_group_id"), ("2026-1-T", True, "plan_number"), ("", True, "plan_number")],
)
def test_a_national_approval_needs_a_working_group_and_a_well_formed_plan_number(
    session, world, plan_number, with_group, field
):
    proposal = submit(session, world)
    with pytest.raises(InvalidInput) as refused:
        proposals.approve(
            session,
            proposal,
            by=world["mee"],
            today=TODAY,
            plan_number=plan_number,
            working_group_id=world["group"].id if with_group else None,
        )
    assert field in refused.value.details


def test_a_plan_number_is_used_once(session, world):
    first = submit(session, world)
    proposals.approve(
        session, first, by=world["mee"], today=TODAY, plan_number="20260007-T-469", working_group_id=world["group"].id
    )
    second = submit(session, world, "煤炭")
    with pytest.raises(InvalidInput) as refused:
        proposals.approve(
            session,
            second,
            by=world["mee"],
            today=TODAY,
            plan_number="20260007-T-469",
            working_group_id=world["group"].id,
        )
    assert "plan_number" in refused.value.details


def test_approval_runs_the_checks_again(session, world):
    proposal = submit(session, world, "煤炭")
    registry.create_standard(
        session,
        registry.StandardInput(
            level="national",
            title="温室气体 产品碳足迹量化方法与要求 煤炭",
            status="planned",
            product=product(session, "煤炭"),
        ),
        by=ADMIN,
        on=TODAY,
    )
    with pytest.raises(proposals.ProposalRefused):
        proposals.approve(
            session,
            proposal,
            by=world["mee"],
            today=TODAY,
            plan_number="20260001-T-469",
            working_group_id=world["group"].id,
        )


def test_return_and_reject_need_a_reason(session, world):
    proposal = submit(session, world)
    for decide in (proposals.return_for_changes, proposals.reject):
        with pytest.raises(InvalidInput) as refused:
            decide(session, proposal, "  ", by=world["mee"])
        assert "reason" in refused.value.details
    assert proposal.status == ProposalStatus.SUBMITTED


def test_a_returned_proposal_is_changed_and_resubmitted_by_its_organisation(session, world):
    proposal = submit(session, world, trial_enterprises=1)
    proposals.return_for_changes(session, proposal, "请补充试算企业。", by=world["mee"])
    assert proposal.status == ProposalStatus.RETURNED and proposal.decision_reason == "请补充试算企业。"
    with pytest.raises(AccessDenied):
        proposals.resubmit(session, proposal, data(session), by=world["steel"], today=TODAY)
    proposals.resubmit(session, proposal, data(session, trial_enterprises=4), by=world["association"], today=TODAY)
    assert proposal.status == ProposalStatus.SUBMITTED and proposal.trial_enterprises == 4
    assert proposal.findings == []
    with pytest.raises(InvalidInput):
        proposals.resubmit(session, proposal, data(session), by=world["association"], today=TODAY)  # not returned


def test_a_returned_proposal_answers_its_call_after_it_closes(session, world):
    proposal = submit(session, world)
    proposals.return_for_changes(session, proposal, "请补充。", by=world["mee"])
    after = date(2026, 6, 1)
    proposals.resubmit(session, proposal, data(session, trial_enterprises=5), by=world["association"], today=after)
    assert proposal.status == ProposalStatus.SUBMITTED
    proposals.approve(
        session,
        proposal,
        by=world["mee"],
        today=after,
        plan_number="20260001-T-469",
        working_group_id=world["group"].id,
    )
    assert proposal.due_on == date(2027, 12, 1)


def test_withdrawing_and_deciding_only_while_open(session, world):
    proposal = submit(session, world)
    proposals.withdraw(session, proposal, by=world["association"])
    assert proposal.status == ProposalStatus.WITHDRAWN
    with pytest.raises(InvalidInput):
        proposals.reject(session, proposal, "晚了", by=world["mee"])
    with pytest.raises(InvalidInput):
        proposals.withdraw(session, proposal, by=world["association"])


def test_who_may_comment_and_decide(session, world):
    proposal = submit(session, world)
    proposals.comment(session, proposal, "建议补充国际方法比对。", by=world["secretariat"])
    proposals.comment(session, proposal, "已补充。", by=world["association"])
    with pytest.raises(AccessDenied):
        proposals.comment(session, proposal, "路过", by=world["steel"])
    for decide in (proposals.reject, proposals.return_for_changes):
        with pytest.raises(AccessDenied):
            decide(session, proposal, "理由", by=world["secretariat"])
    with pytest.raises(AccessDenied):
        proposals.approve(session, proposal, by=world["association"], today=TODAY)
    assert [note.author_label for note in proposal.comments] == [
        "secretariat (secretariat)",
        "association (association)",
    ]


def test_every_step_is_in_the_audit_trail(session, world):
    def acting(name):  # what the pages do for the signed-in user
        set_actor(session, actor_of(world[name]))
        return world[name]

    acting("association")
    proposal = submit(session, world, by="association")
    note = proposals.comment(session, proposal, "请补充国际方法比对。", by=acting("secretariat"))
    proposals.return_for_changes(session, proposal, "请补充。", by=acting("mee"))
    proposals.resubmit(session, proposal, data(session, trial_enterprises=4), by=acting("association"), today=TODAY)
    proposals.approve(
        session,
        proposal,
        by=acting("mee"),
        today=TODAY,
        plan_number="20260001-T-469",
        working_group_id=world["group"].id,
    )
    rejected = submit(session, world, "煤炭")
    session.flush()
    proposals.reject(session, rejected, "重复。", by=world["mee"])
    withdrawn = submit(session, world, "石灰")
    session.flush()
    proposals.withdraw(session, withdrawn, by=world["association"], reason="改为团体标准。")
    session.commit()

    steps = proposals.timeline(session, proposal, by=world["association"])
    assert [step.status for step in steps] == ["submitted", "returned", "submitted", "approved"]
    assert [step.reason for step in steps][1:3] == ["请补充。", "修改后重新提交"]
    assert [step.actor for step in steps] == [
        "association (association)",
        "mee (mee)",
        "association (association)",
        "mee (mee)",
    ]
    assert [(s.status, s.reason) for s in proposals.timeline(session, rejected, by=world["mee"])][-1] == (
        "rejected",
        "重复。",
    )
    assert [(s.status, s.reason) for s in proposals.timeline(session, withdrawn, by=world["mee"])][-1] == (
        "withdrawn",
        "改为团体标准。",
    )
    comment_events = session.scalars(
        select(AuditEvent).where(AuditEvent.record_type == "proposal_comment", AuditEvent.record_id == str(note.id))
    ).all()
    assert [event.actor_label for event in comment_events] == ["secretariat (secretariat)"]
    # The trail is read like the proposal: not by another organisation.
    with pytest.raises(AccessDenied):
        proposals.timeline(session, proposal, by=world["steel"])


def test_a_proposal_is_read_only_by_those_who_may(session, world):
    proposal = submit(session, world)
    session.flush()
    for name in ("association", "mee", "secretariat"):
        assert proposals.get_proposal(session, proposal.id, by=world[name]) is proposal
    for name in ("steel", "drafter"):
        with pytest.raises(AccessDenied):
            proposals.get_proposal(session, proposal.id, by=world[name])


@pytest.mark.parametrize(
    ("day", "months", "due"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 8, 31), 18, date(2028, 2, 29)),
        (date(2026, 3, 10), 18, date(2027, 9, 10)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ],
)
def test_a_deadline_in_months_keeps_the_day_or_takes_the_months_last(day, months, due):
    assert proposals.add_months(day, months) == due


def test_the_suggested_plan_number_follows_the_years_highest_serial(session, world):
    rejected = submit(session, world, "煤炭")
    session.flush()
    proposals.reject(session, rejected, "重复。", by=world["mee"])
    rejected.plan_number = "20250042-T-469"  # another year's serial does not count
    session.flush()
    assert proposals.suggest_plan_number(session, TODAY, "027") == "20260001-T-027"
    approved = submit(session, world)
    proposals.approve(
        session,
        approved,
        by=world["mee"],
        today=TODAY,
        plan_number="20260998-Z-469",
        working_group_id=world["group"].id,
    )
    assert proposals.suggest_plan_number(session, TODAY) == "20260999-T-469"
    approved.plan_number = "20269999-T-469"
    session.flush()
    with pytest.raises(InvalidInput) as refused:
        proposals.suggest_plan_number(session, TODAY)
    assert "plan_number" in refused.value.details and "9999" in refused.value.message


# --- the inbox ------------------------------------------------------------------------------------


def test_the_inbox_of_each_role(session, world):
    waiting = submit(session, world)
    returned = submit(session, world, "煤炭")
    proposals.return_for_changes(session, returned, "请补充。", by=world["mee"])
    approved = submit(session, world, "石灰")
    proposals.approve(
        session,
        approved,
        by=world["mee"],
        today=TODAY,
        plan_number="20260001-T-469",
        working_group_id=world["group"].id,
    )
    session.commit()

    def inbox(name):
        return {(item.kind, item.proposal_id or item.rule_id) for item in proposals.inbox(session, world[name], TODAY)}

    assert inbox("mee") == {("decide", waiting.id), ("start_drafting", approved.rule_id)}
    assert inbox("secretariat") == {("comment", waiting.id), ("start_drafting", approved.rule_id)}
    assert inbox("association") == {("returned", returned.id)}
    assert inbox("steel") == set()
    assert inbox("evaluator") == set()
    # The drafters of its working group may prepare its text; only the oversight moves it on.
    assert inbox("drafter") == {("new_rule", approved.rule_id)}
    proposals.comment(session, waiting, "意见", by=world["secretariat"])
    assert inbox("secretariat") == {("start_drafting", approved.rule_id)}
    workflow.move_stage(session, session.get(Rule, approved.rule_id), "20", by=world["secretariat"], today=TODAY)
    assert inbox("secretariat") == set() and inbox("drafter") == set()


# --- pages and API --------------------------------------------------------------------------------


def sign_in(app, username):
    client = app.test_client()
    response = client.post_form("/login", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return client


FORM = {**{key: str(value) for key, value in VALID.items()}, "title": "", "working_group_id": "0"}


def test_the_browser_flow_from_refusal_to_rule(app, database, web_world, monkeypatch):
    monkeypatch.setattr("workbench.catalogue.proposal_views.today", lambda: TODAY)
    call_id, aluminium, carbide, group_id = (web_world[key] for key in ("call", "aluminium", "carbide", "group"))
    association = sign_in(app, "association")
    page = association.get(f"/proposals/new?call={call_id}")
    assert page.status_code == 200 and "电石" in page.text

    refused = association.post_form(
        f"/proposals/new?call={call_id}", {**FORM, "product_id": str(aluminium), "level": "national", "scope": "范围"}
    )
    assert refused.status_code == 422
    assert "GB/T 44905—2024" in refused.text and "指引（十二）" in refused.text
    assert "范围" in refused.text  # what was typed is still there
    with database() as session:
        assert count(session, Proposal) == 0

    done = association.post_form(
        f"/proposals/new?call={call_id}", {**FORM, "product_id": str(carbide), "level": "national"}
    )
    assert done.status_code == 302
    proposal_id = int(done.headers["Location"].rsplit("/", 1)[1])
    assert association.get(f"/proposals/{proposal_id}").status_code == 200
    assert sign_in(app, "steel").get(f"/proposals/{proposal_id}").status_code == 403
    assert "电石" not in sign_in(app, "steel").get("/proposals").text

    secretariat = sign_in(app, "secretariat")
    assert secretariat.post_form(f"/proposals/{proposal_id}/reject", {"reason": "不行"}).status_code == 403
    assert secretariat.post_form(f"/proposals/{proposal_id}/comment", {"text": "同意立项。"}).status_code == 302

    mee = sign_in(app, "mee")
    inbox = mee.get("/inbox")
    assert inbox.status_code == 200 and "温室气体 产品碳足迹量化方法与要求 电石" in inbox.text
    page = mee.get(f"/proposals/{proposal_id}")
    assert "20260001-T-469" in page.text and "同意立项。" in page.text
    assert mee.post_form(f"/proposals/{proposal_id}/return", {"reason": ""}).status_code == 422
    approved = mee.post_form(
        f"/proposals/{proposal_id}/approve", {"plan_number": "20260001-T-469", "working_group_id": str(group_id)}
    )
    assert approved.status_code == 302
    with database() as session:
        proposal = session.get(Proposal, proposal_id)
        rule = session.get(Rule, proposal.rule_id)
        assert rule.stage == "10" and rule.working_group_id == group_id
        assert proposal.plan_number == "20260001-T-469" and proposal.due_on == date(2027, 9, 10)
    page = association.get(f"/proposals/{proposal_id}")
    assert "20260001-T-469" in page.text and "2027-09-10" in page.text


def test_a_user_without_organisation_cannot_open_the_form(app, web_world):
    assert sign_in(app, "evaluator").get(f"/proposals/new?call={web_world['call']}").status_code == 403
    assert app.test_client().get("/inbox").status_code in (302, 401)


def test_the_api_submits_refuses_and_decides(app, database, web_world, monkeypatch, validate_response):
    monkeypatch.setattr("workbench.catalogue.proposal_api.today", lambda: TODAY)
    call_id, aluminium, carbide, group_id = (web_world[key] for key in ("call", "aluminium", "carbide", "group"))
    association = sign_in(app, "association")
    body = {"call_id": call_id, "level": "national", **VALID}
    refused = association.api("POST", "/api/v1/proposals", {**body, "product_id": aluminium})
    assert refused.status_code == 422, refused.text
    error = refused.get_json()["error"]
    assert error["code"] == "proposal_refused"
    assert any(
        "GB/T 44905—2024" in f["message"] and f["article"] == "指引（十二）" for f in error["details"]["findings"]
    )

    created = association.api("POST", "/api/v1/proposals", {**body, "product_id": carbide})
    assert created.status_code == 201, created.text
    validate_response("/api/v1/proposals", "post", created)
    proposal_id = created.get_json()["id"]
    listed = association.get("/api/v1/proposals")
    validate_response("/api/v1/proposals", "get", listed)
    assert [item["id"] for item in listed.get_json()["items"]] == [proposal_id]
    assert sign_in(app, "steel").get("/api/v1/proposals").get_json()["items"] == []
    assert sign_in(app, "steel").get(f"/api/v1/proposals/{proposal_id}").status_code == 403

    secretariat = sign_in(app, "secretariat")
    decision = f"/api/v1/proposals/{proposal_id}/decision"
    assert secretariat.api("POST", decision, {"decision": "reject", "reason": "x"}).status_code == 403
    commented = secretariat.api("POST", f"/api/v1/proposals/{proposal_id}/comments", {"text": "同意。"})
    assert commented.status_code == 201

    mee = sign_in(app, "mee")
    assert mee.api("POST", decision, {"decision": "reject"}).status_code == 422  # no reason
    approved = mee.api(
        "POST", decision, {"decision": "approve", "plan_number": "20260001-T-469", "working_group_id": group_id}
    )
    assert approved.status_code == 200, approved.text
    validate_response("/api/v1/proposals/{proposal_id}/decision", "post", approved)
    shape = approved.get_json()
    assert shape["status"] == "approved" and shape["plan_number"] == "20260001-T-469" and shape["rule_id"]
    with database() as session:
        assert session.get(Rule, shape["rule_id"]).stage == "10"
        assert count(session, ProposalComment) == 1
        assert session.scalar(select(User.id).where(User.username == "mee")) is not None
        assert session.get(WorkingGroup, group_id) is not None


def test_a_returned_proposal_is_resubmitted_from_its_page(app, database, web_world, monkeypatch):
    monkeypatch.setattr("workbench.catalogue.proposal_views.today", lambda: TODAY)
    with database() as session:
        users = {user.username: user for user in session.scalars(select(User))}
        proposal = proposals.submit(
            session,
            session.get(Call, web_world["call"]),
            data(session, trial_enterprises=1),
            by=users["association"],
            today=TODAY,
        )
        proposals.return_for_changes(session, proposal, "请补充试算企业。", by=users["mee"])
        approved = proposals.submit(
            session, session.get(Call, web_world["call"]), data(session, "煤炭"), by=users["association"], today=TODAY
        )
        proposals.approve(
            session,
            approved,
            by=users["mee"],
            today=TODAY,
            plan_number="20260009-T-469",
            working_group_id=web_world["group"],
        )
        session.commit()
        proposal_id, rule_id = proposal.id, approved.rule_id
    association = sign_in(app, "association")
    assert "请补充试算企业。" in association.get("/inbox").text
    page = association.get(f"/proposals/{proposal_id}")
    assert page.status_code == 200 and "修改后重新提交" in page.text and "请补充试算企业。" in page.text
    assert sign_in(app, "steel").post_form(f"/proposals/{proposal_id}/resubmit", {**FORM}).status_code == 403
    form = {**FORM, "product_id": str(web_world["carbide"]), "level": "national", "trial_enterprises": "5"}
    assert association.post_form(f"/proposals/{proposal_id}/resubmit", form).status_code == 302
    with database() as session:
        assert session.get(Proposal, proposal_id).status == ProposalStatus.SUBMITTED
    inbox = sign_in(app, "drafter").get("/inbox")
    assert f"/drafting/{rule_id}" in inbox.text


def test_the_api_resubmits_withdraws_suggests_a_plan_number_and_gives_the_inbox(
    app, web_world, monkeypatch, validate_response
):
    monkeypatch.setattr("workbench.catalogue.proposal_api.today", lambda: TODAY)
    association, mee = sign_in(app, "association"), sign_in(app, "mee")
    body = {"call_id": web_world["call"], "level": "national", "product_id": web_world["carbide"], **VALID}
    proposal_id = association.api("POST", "/api/v1/proposals", {**body, "trial_enterprises": 1}).get_json()["id"]
    url = f"/api/v1/proposals/{proposal_id}"

    # Only a user who may decide is given the next plan number.
    assert mee.get(url).get_json()["suggested_plan_number"] == "20260001-T-469"
    assert association.get(url).get_json()["suggested_plan_number"] is None
    validate_response("/api/v1/proposals/{proposal_id}", "get", mee.get(url))
    inbox = mee.get("/api/v1/inbox")
    validate_response("/api/v1/inbox", "get", inbox)
    assert [(item["kind"], item["proposal_id"]) for item in inbox.get_json()] == [("decide", proposal_id)]

    mee.api("POST", f"{url}/decision", {"decision": "return", "reason": "请补充试算企业。"})
    returned = association.get("/api/v1/inbox").get_json()
    assert [(item["kind"], item["note"]) for item in returned] == [("returned", "请补充试算企业。")]
    assert association.get(url).get_json()["suggested_plan_number"] is None
    resubmit = {key: value for key, value in body.items() if key != "call_id"}
    assert sign_in(app, "steel").api("POST", f"{url}/resubmit", resubmit).status_code == 403
    again = association.api("POST", f"{url}/resubmit", {**resubmit, "trial_enterprises": 4})
    assert again.status_code == 200, again.text
    validate_response("/api/v1/proposals/{proposal_id}/resubmit", "post", again)
    assert again.get_json()["status"] == "submitted" and again.get_json()["trial_enterprises"] == 4

    withdrawn = association.api("POST", f"{url}/withdraw", {"reason": "改为团体标准。"})
    assert withdrawn.status_code == 200, withdrawn.text
    validate_response("/api/v1/proposals/{proposal_id}/withdraw", "post", withdrawn)
    assert withdrawn.get_json()["status"] == "withdrawn"
    assert association.api("POST", f"{url}/withdraw", {}).status_code == 422  # decided: no longer open
    assert mee.get("/api/v1/inbox").get_json() == []
