"""Coverage against the targets of 指引 一 (workbench.catalogue.coverage, pure) and its page, command
and API on a registry and a priority list built in the test."""

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from workbench.auth import service as auth_service
from workbench.auth.models import OrganisationKind
from workbench.auth.permissions import Role
from workbench.catalogue import coverage as cov
from workbench.catalogue import progress
from workbench.catalogue.models import (
    BatchStatus,
    Call,
    ItemChange,
    ListBatch,
    ListItem,
    ListKind,
    Proposal,
    ProposalStatus,
)
from workbench.drafting.models import Rule, StageEvent
from workbench.registry.models import Level, Nature, Product, Standard

from .conftest import ADMIN

TODAY = date(2026, 12, 5)


def record(id, level="national", status="published", product_id=1, published_on=date(2025, 3, 1), **more):
    return cov.StandardRecord(
        id=id,
        designation=more.pop("designation", f"S{id}"),
        level=level,
        status=status,
        product_id=product_id,
        published_on=published_on,
        **more,
    )


PRIORITY = cov.PriorityRecord(
    product_id=1, product="电解铝", category="raw_material", batch_id=1, batch_number=1, batch_title="第一批"
)


# --- counts ----------------------------------------------------------------------------------------


@pytest.fixture
def published(session):
    """coverage.published on what progress.published_counts reads from the database (the one place
    that counts) after storing these records as standards."""
    product = Product(name="电解铝", side="production", end_use="intermediate")
    session.add(product)
    session.flush()
    stored = set()

    def count(standards, today=TODAY, *, counted_levels=cov.DEFAULT_COUNTED_LEVELS, **options):
        for number, each in enumerate(standards):
            if each.id in stored:
                continue
            stored.add(each.id)
            session.add(
                Standard(
                    level=each.level,
                    nature=Nature.RECOMMENDED,
                    numbers=f"GB/T {90000 + number}—2025",
                    title=f"标准 {number}",
                    product_id=product.id if each.product_id is not None else None,
                    status=each.status,
                    published_on=each.published_on,
                    year=each.year,
                )
            )
        session.flush()
        counts, recent = progress.published_counts(session, today, counted_levels)
        return cov.published(counts, recent, today, counted_levels=counted_levels, **options)

    return count


def test_only_published_standards_for_a_product_count_by_level(published):
    standards = [
        record(1, "national"),
        record(2, "national", status="under_revision"),
        record(3, "industry"),
        record(4, "group"),
        record(5, "national", product_id=None),  # a general standard (GB/T 24067)
        record(6, "national", status="replaced"),
        record(7, "national", status="withdrawn"),
        record(8, "national", status="drafting", published_on=None),
        record(9, "international", published_on=date(2018, 8, 1)),  # ISO 14067: a reference
    ]
    result = published(standards)
    assert result["published"] == {"national": 2, "industry": 1, "local": 0, "group": 1, "enterprise": 0}
    assert result["all_levels"] == 4
    assert result["counted_levels"] == ["national", "industry"]
    assert result["counted"] == 3
    assert result["targets"] == {"2027": 100, "2030": 200}


def test_the_counted_levels_decide_the_count_and_every_level_stays_visible(published):
    standards = [record(1, "national"), record(2, "group"), record(3, "local"), record(4, "group")]
    national = published(standards, counted_levels=("national",))
    every = published(standards, counted_levels=cov.LEVELS)
    assert national["counted"] == 1
    assert every["counted"] == 4
    assert national["published"] == every["published"]


def test_parse_levels_reads_the_setting():
    assert cov.parse_levels(None) == ("national", "industry")
    assert cov.parse_levels("") == ("national", "industry")
    assert cov.parse_levels("group, National，local") == ("national", "local", "group")
    with pytest.raises(cov.InvalidLevels, match="provincial"):
        cov.parse_levels("national,provincial")


def test_by_year_counts_each_year_and_accumulates_the_counted_levels(published):
    standards = [
        record(1, "national", published_on=date(2024, 5, 1)),
        record(2, "industry", published_on=date(2026, 1, 1)),
        record(3, "group", published_on=date(2026, 2, 1)),
        record(4, "national", published_on=None, year=2025),  # a year-only publication date
        record(5, "national", published_on=None, year=None),  # unknown: counted from the start
    ]
    result = published(standards)
    rows = {row["year"]: row for row in result["by_year"]}
    assert list(rows) == [2024, 2025, 2026]
    assert rows[2024]["counted"] == 1 and rows[2024]["cumulative"] == 2
    assert rows[2025]["counted"] == 1 and rows[2025]["cumulative"] == 3
    assert rows[2026]["levels"]["group"] == 1
    assert rows[2026]["counted"] == 1 and rows[2026]["cumulative"] == 4
    assert result["unknown_year"]["national"] == 1


def test_the_projection_adds_the_last_365_days_rate_to_each_target_date(published):
    # 10 counted standards, 4 of them in the last 365 days: 4 a year.
    standards = [record(i, published_on=date(2023, 1, 1)) for i in range(6)]
    standards += [record(10 + i, published_on=date(2026, 6, 1)) for i in range(4)]
    standards.append(record(99, published_on=date(2025, 12, 5)))  # exactly 365 days ago: outside the window
    result = published(standards)
    assert result["counted"] == 11
    assert result["rate"]["per_year"] == 4
    days_2027 = (date(2027, 12, 31) - TODAY).days
    days_2030 = (date(2030, 12, 31) - TODAY).days
    assert result["projection"]["2027"]["expected"] == round(11 + 4 * days_2027 / 365)
    assert result["projection"]["2030"]["expected"] == round(11 + 4 * days_2030 / 365)
    assert result["projection"]["2027"]["date"] == "2027-12-31"
    assert result["projection"]["2027"]["on_track"] is False
    assert result["projection"]["2030"]["remaining"] == 189


def test_a_passed_target_date_shows_what_was_published_by_then(published):
    standards = [record(1, published_on=date(2027, 6, 1)), record(2, published_on=date(2028, 2, 1))]
    result = published(standards, date(2028, 3, 1), targets={"2027": 1})
    assert result["projection"]["2027"]["expected"] == 1
    assert result["projection"]["2027"]["on_track"] is True


def test_the_burn_up_runs_to_the_last_target_year(published):
    standards = [record(1, published_on=date(2025, 1, 1)), record(2, published_on=date(2026, 1, 1))]
    rows = {row["year"]: row for row in published(standards)["burn_up"]}
    assert list(rows) == [2025, 2026, 2027, 2028, 2029, 2030]
    assert rows[2025]["actual"] == 1 and rows[2025]["projected"] is None
    assert rows[2026]["actual"] == 2 and rows[2026]["projected"] == 2
    assert rows[2027]["actual"] is None and rows[2027]["target"] == 100
    assert rows[2030]["target"] == 200


# --- the matrix ------------------------------------------------------------------------------------


def state(standards=(), rules=(), proposals=()):
    return cov.product_state(PRIORITY, standards, rules, proposals, TODAY)


def test_a_product_with_nothing_is_nothing_yet():
    assert state().state == cov.NONE


def test_an_open_proposal_makes_it_proposed():
    submitted = cov.ProposalRecord(1, 1, "提案", "national", "submitted")
    assert state(proposals=[submitted]).state == cov.PROPOSED  # progress reads open ones only (seeded: 钢铁)


def test_a_project_shows_its_rules_stage_or_else_its_registry_status():
    project = record(1, status="drafting", published_on=None)
    plain = state([project])
    assert plain.state == cov.PROJECT and plain.stage is None and plain.project_status == "drafting"
    with_rule = state([project], [cov.RuleRecord(5, "R-1", 1, 1, "30")])
    assert with_rule.state == cov.PROJECT and with_rule.stage == "30"


def test_published_at_one_level_and_at_several():
    one = state([record(1, "group")])
    assert one.state == cov.PUBLISHED and one.levels == ["group"]
    several = state([record(1, "group"), record(2, "national")])
    assert several.state == cov.SEVERAL_LEVELS and several.levels == ["national", "group"]


def test_the_verdict_names_a_local_standard_due_for_withdrawal():
    national = record(1, "national", published_on=date(2024, 1, 1), implemented_on=date(2024, 7, 1))
    local = record(2, "local", published_on=date(2023, 1, 1), designation="DB34/T 1—2023")
    row = state([national, local])
    assert row.state == cov.SEVERAL_LEVELS
    assert [found.code for found in row.findings] == ["local_on_priority_list", "local_withdrawal_due"]
    assert row.findings[1].standard_ids == (2, 1)


def test_the_verdict_names_a_local_standard_made_where_a_national_one_existed():
    national = record(1, "national", published_on=date(2024, 1, 1), implemented_on=date(2027, 1, 1))
    local = record(2, "local", published_on=date(2025, 1, 1))
    codes = [found.code for found in state([national, local]).findings]
    assert codes == ["local_where_higher_exists", "local_on_priority_list"]  # not yet in force: nothing is due


def test_a_single_standard_has_no_verdict():
    assert state([record(1, "national")]).findings == []
    assert state([record(1, "national"), record(2, "enterprise")]).findings == []


def test_a_local_standard_for_a_listed_product_gets_the_finding_of_guideline_9():
    # Every matrix row is a product on the priority list: local character is for products outside it.
    (found,) = state([record(1, "local", designation="DB33/T 1—2025")]).findings
    assert found.code == "local_on_priority_list"


def test_two_standards_at_one_level_are_a_duplicate():
    codes = [found.code for found in state([record(1, "group"), record(2, "group")]).findings]
    assert codes == ["duplicate_at_level"]


# --- cycle times -----------------------------------------------------------------------------------


def project(proposal_id, approved_on, due_on, changes=(), stage="10"):
    return cov.ProjectRecord(
        proposal_id=proposal_id,
        title=f"项目{proposal_id}",
        product="电解铝",
        level="national",
        plan_number=None,
        approved_on=approved_on,
        due_on=due_on,
        months_to_approval=12,
        call_id=1,
        call_title="征集",
        rule_id=proposal_id,
        rule_code=f"R-{proposal_id}",
        stage=stage,
        changes=tuple(cov.StageChange(on, source, target) for on, source, target in changes),
    )


def test_days_in_each_stage_and_the_approval_date():
    row = cov.cycle(
        project(
            1,
            date(2026, 1, 1),
            date(2027, 1, 1),
            [(date(2026, 1, 11), "10", "20"), (date(2026, 3, 1), "20", "30"), (date(2026, 6, 1), "30", "50")],
            stage="50",
        ),
        TODAY,
    )
    assert [(stage["stage"], stage["days"]) for stage in row["stages"]] == [
        ("10", 10),
        ("20", 49),
        ("30", 92),
        ("50", (TODAY - date(2026, 6, 1)).days),
    ]
    assert row["reached_approval_on"] == date(2026, 6, 1)
    assert row["status"] == cov.ON_TIME
    assert row["elapsed_days"] == 151 and row["target_days"] == 365


def test_overdue_projects_come_first_the_longest_overdue_first():
    rows = cov.cycle_times(
        [
            project(1, date(2026, 1, 1), date(2026, 12, 31)),  # open
            project(2, date(2025, 1, 1), date(2026, 1, 1)),  # overdue by 338 days
            project(3, date(2025, 6, 1), date(2026, 6, 1)),  # overdue by 187 days
            project(4, date(2025, 1, 1), date(2025, 6, 1), [(date(2025, 7, 1), "40", "50")], stage="50"),  # late
            project(5, date(2025, 1, 1), date(2025, 6, 1), [(date(2025, 3, 1), "10", "95")], stage="95"),  # stopped
        ],
        TODAY,
    )
    assert [row["project"].proposal_id for row in rows] == [2, 3, 1, 4, 5]
    assert [row["status"] for row in rows] == [cov.OVERDUE, cov.OVERDUE, cov.OPEN, cov.LATE, cov.STOPPED]
    assert rows[0]["days_over"] == (TODAY - date(2026, 1, 1)).days
    assert rows[2]["days_left"] == 26
    assert rows[3]["days_over"] == 30


def ruleless(proposal_id, due_on, status, published_on=None, year=None):
    """An approved proposal below national level: a registry project, no rule."""
    return cov.ProjectRecord(
        proposal_id=proposal_id,
        title=f"项目{proposal_id}",
        product="水泥",
        level="group",
        plan_number=None,
        approved_on=date(2025, 1, 1),
        due_on=due_on,
        months_to_approval=12,
        call_id=1,
        call_title="征集",
        standard_status=status,
        published_on=published_on,
        year=year,
    )


def test_a_project_without_a_rule_shows_its_registry_status_and_is_judged_by_its_publication():
    preparing = cov.cycle(ruleless(1, date(2026, 1, 1), "drafting"), TODAY)
    assert preparing["stage"] is None and preparing["registry_status"] == "drafting" and preparing["stages"] == []
    assert preparing["status"] == cov.OVERDUE  # not published, so not past 报批: overdue after its deadline
    assert cov.cycle(ruleless(2, date(2027, 1, 1), "consultation"), TODAY)["status"] == cov.OPEN
    on_time = cov.cycle(ruleless(3, date(2026, 1, 1), "published", date(2025, 10, 1)), TODAY)
    assert on_time["status"] == cov.ON_TIME and on_time["reached_approval_on"] == date(2025, 10, 1)
    assert on_time["elapsed_days"] == 273
    late = cov.cycle(ruleless(4, date(2026, 1, 1), "replaced", date(2026, 3, 1)), TODAY)
    assert late["status"] == cov.LATE and late["days_over"] == 59
    # Known only by its number's year: the latest it can have been, 31 December.
    year_only = cov.cycle(ruleless(5, date(2025, 6, 1), "published", year=2025), TODAY)
    assert year_only["reached_approval_on"] == date(2025, 12, 31) and year_only["status"] == cov.LATE
    assert cov.cycle(ruleless(6, date(2026, 1, 1), "withdrawn"), TODAY)["status"] == cov.STOPPED


def test_a_rule_past_approval_or_a_published_standard_has_reached_the_target():
    jumped = project(1, date(2026, 1, 1), date(2026, 6, 1), [(date(2026, 5, 1), "40", "60")], stage="60")
    assert cov.cycle(jumped, TODAY)["status"] == cov.ON_TIME
    # The rule never recorded 报批 but its standard was published on time.
    published = replace(
        project(2, date(2026, 1, 1), date(2026, 6, 1)), standard_status="published", published_on=date(2026, 5, 20)
    )
    row = cov.cycle(published, TODAY)
    assert row["status"] == cov.ON_TIME and row["stage"] == "10"


# --- page, command, API on seeded data ------------------------------------------------------------


def _product(session, name, category=None):
    product = Product(name=name, side="production", end_use="intermediate", priority_category=category)
    session.add(product)
    session.flush()
    return product


def _standard(session, product, level, status="published", *, numbers="", published_on=None, implemented_on=None):
    standard = Standard(
        level=level,
        nature=Nature.RECOMMENDED,
        numbers=numbers,
        title=f"温室气体 产品碳足迹量化方法与要求 {product.name if product else '通则'}",
        product_id=product.id if product else None,
        status=status,
        published_on=published_on,
        implemented_on=implemented_on,
        year=published_on.year if published_on else None,
    )
    session.add(standard)
    session.flush()
    return standard


@pytest.fixture
def seeded(app, people):
    """Five priority products in every state, a removed one, a general standard, and an overdue project."""
    from workbench.db import db

    with app.app_context():
        session = db.session
        aluminium = _product(session, "电解铝", "raw_material")
        cement = _product(session, "水泥", "raw_material")
        battery = _product(session, "锂电池", "export_product")
        glass = _product(session, "平板玻璃", "raw_material")
        steel = _product(session, "钢铁", "raw_material")
        removed = _product(session, "纺织品", "consumer_product")
        _standard(session, None, Level.NATIONAL, numbers="GB/T 24067—2024", published_on=date(2024, 8, 23))
        _standard(
            session,
            aluminium,
            Level.NATIONAL,
            numbers="GB/T 44905—2024",
            published_on=date(2024, 10, 26),
            implemented_on=date(2025, 5, 1),
        )
        _standard(session, aluminium, Level.LOCAL, numbers="DB15/T 3000—2024", published_on=date(2024, 3, 1))
        _standard(session, cement, Level.GROUP, numbers="T/CBMF 100—2026", published_on=date(2026, 4, 1))
        project = _standard(session, battery, Level.NATIONAL, "drafting")
        _standard(session, removed, Level.INDUSTRY, numbers="FZ/T 1—2026", published_on=date(2026, 2, 1))
        organisation = auth_service.create_organisation(
            session, by=ADMIN, name="中国有色金属工业协会", kind=OrganisationKind.ASSOCIATION
        )
        batch = ListBatch(
            kind=ListKind.PRIORITY,
            number=1,
            title="重点产品碳足迹核算标准清单（第一批）",
            status=BatchStatus.PUBLISHED,
            published_at=datetime(2024, 6, 4, tzinfo=UTC),
        )
        for position, product in enumerate([aluminium, cement, battery, glass, steel, removed], start=1):
            batch.items.append(ListItem(position=position, product_id=product.id, category=product.priority_category))
        correction = ListBatch(
            kind=ListKind.PRIORITY,
            number=2,
            title="更正",
            status=BatchStatus.PUBLISHED,
            published_at=datetime(2025, 6, 1, tzinfo=UTC),
        )
        correction.items.append(ListItem(position=1, change=ItemChange.REMOVE, product_id=removed.id))
        draft = ListBatch(kind=ListKind.PRIORITY, number=3, title="草稿", status=BatchStatus.DRAFT)
        draft.items.append(ListItem(position=1, change=ItemChange.REMOVE, product_id=steel.id))
        session.add_all([batch, correction, draft])
        call = Call(
            title="2026 年立项建议征集",
            opens_on=date(2026, 1, 1),
            closes_on=date(2026, 3, 1),
            levels=["national"],
            months_to_approval=6,
        )
        session.add(call)
        session.flush()
        base = dict(
            call_id=call.id,
            organisation_id=organisation.id,
            level=Level.NATIONAL,
            submitted_at=datetime(2026, 1, 5, tzinfo=UTC),
        )
        session.add(Proposal(**base, product_id=glass.id, title="温室气体 产品碳足迹量化方法与要求 平板玻璃"))
        rejected = dict(base, status=ProposalStatus.REJECTED)  # decided: 钢铁 stays "nothing yet"
        session.add(Proposal(**rejected, product_id=steel.id, title="温室气体 产品碳足迹量化方法与要求 钢铁"))
        rule = Rule(
            code="CFP-BATTERY",
            title="温室气体 产品碳足迹量化方法与要求 锂电池",
            template="cfp-product-rule@1.1",
            product_id=battery.id,
            standard_id=project.id,
            stage="20",
            stage_entered_on=date(2026, 2, 1),
        )
        session.add(rule)
        session.flush()
        session.add(
            StageEvent(
                rule_id=rule.id,
                from_stage="10",
                to_stage="20",
                revision=0,
                actor_label="秘书处",
                occurred_at=datetime(2026, 1, 31, 20, 0, tzinfo=UTC),  # 1 February in Beijing
            )
        )
        session.add(
            Proposal(
                **base,
                product_id=battery.id,
                title="温室气体 产品碳足迹量化方法与要求 锂电池",
                status=ProposalStatus.APPROVED,
                plan_number="20260001-T-469",
                approved_on=date(2026, 1, 20),
                due_on=date(2026, 7, 20),
                standard_id=project.id,
                rule_id=rule.id,
            )
        )
        session.commit()
        return {"aluminium": aluminium.id, "rule": rule.id}


def test_the_command_prints_the_keys_and_the_states(seeded, cli_runner):
    result = cli_runner("catalogue", "coverage", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert {"published", "targets", "counted_levels", "projection", "products", "cycle_times"} <= set(document)
    assert all("findings" not in row for row in document["products"])  # the level rules only with --findings
    with_findings = json.loads(cli_runner("catalogue", "coverage", "--findings", "--format", "json").output)
    verdicts = {
        row["product"]["name"]: [found["code"] for found in row["findings"]] for row in with_findings["products"]
    }
    assert verdicts["电解铝"] == ["local_on_priority_list", "local_withdrawal_due"]
    assert verdicts["水泥"] == []
    assert document["targets"] == {"2027": 100, "2030": 200}
    assert document["counted_levels"] == ["national", "industry"]
    # GB/T 24067 (general) does not count; the removed product's industry standard still does.
    assert document["published"] == {"national": 1, "industry": 1, "local": 1, "group": 1, "enterprise": 0}
    assert document["counted"] == 2
    assert set(document["projection"]) == {"2027", "2030"}
    states = {row["product"]["name"]: row for row in document["products"]}
    assert {name: row["state"] for name, row in states.items()} == {
        "电解铝": "several_levels",
        "水泥": "published",
        "锂电池": "project",
        "平板玻璃": "proposed",
        "钢铁": "none",  # the batch that would remove it is still a draft
    }
    assert states["锂电池"]["stage"] == "20"
    assert states["锂电池"]["projects"][0]["rule"]["code"] == "CFP-BATTERY"
    assert states["平板玻璃"]["proposals"][0]["organisation"] == "中国有色金属工业协会"
    assert states["电解铝"]["priority_batch"]["number"] == 1
    (cycle,) = document["cycle_times"]
    assert cycle["plan_number"] == "20260001-T-469"
    assert cycle["status"] == "overdue"  # 报批 was due on 2026-07-20 (six months after 立项)
    assert cycle["stages"][0] == {"stage": "10", "from": "2026-01-20", "to": "2026-02-01", "days": 12}


def test_an_approved_group_project_follows_its_registry_entry(seeded, database, cli_runner):
    """Below national level an approval makes no rule: the cycle reads the project's registry entry."""
    with database() as session:
        cement = session.scalar(select(Product).where(Product.name == "水泥"))
        project = _standard(session, cement, Level.GROUP, "drafting")
        proposal = Proposal(
            call_id=session.scalar(select(Call.id)),
            organisation_id=session.scalar(select(Proposal.organisation_id)),
            product_id=cement.id,
            level=Level.GROUP,
            title="温室气体 产品碳足迹量化方法与要求 水泥",
            submitted_at=datetime(2026, 1, 5, tzinfo=UTC),
            status=ProposalStatus.APPROVED,
            approved_on=date(2026, 1, 20),
            due_on=date(2026, 7, 20),
            standard_id=project.id,
        )
        session.add(proposal)
        session.commit()
        project_id, proposal_id = project.id, proposal.id

    def cycle():
        document = json.loads(cli_runner("catalogue", "coverage", "--format", "json").output)
        return next(row for row in document["cycle_times"] if row["proposal"]["id"] == proposal_id)

    row = cycle()
    assert (row["status"], row["stage"], row["registry_status"], row["rule"]) == ("overdue", None, "drafting", None)
    with database() as session:
        standard = session.get(Standard, project_id)
        standard.status, standard.published_on = "published", date(2026, 6, 30)
        session.commit()
    row = cycle()
    assert (row["status"], row["reached_approval_on"], row["registry_status"]) == ("on_time", "2026-06-30", "published")


def test_the_command_prints_a_table(seeded, cli_runner):
    result = cli_runner("catalogue", "coverage", "--findings")
    assert result.exit_code == 0, result.output
    assert "电解铝" in result.output and "several levels" in result.output
    assert "local_withdrawal_due" in result.output
    assert "overdue" in result.output


def test_the_target_levels_setting_changes_the_count(seeded, app):
    from workbench.db import db

    with app.app_context():
        document = progress.coverage(db.session, TODAY, {"COVERAGE_TARGET_LEVELS": "national,industry,local,group"})
    assert document["counted"] == 4
    assert document["counted_levels"] == ["national", "industry", "local", "group"]


def test_the_lists_command_shows_every_batch_with_its_items(seeded, cli_runner):
    result = cli_runner("catalogue", "lists", "--format", "json")
    assert result.exit_code == 0, result.output
    batches = json.loads(result.output)
    assert [(batch["number"], batch["status"]) for batch in batches] == [
        (1, "published"),
        (2, "published"),
        (3, "draft"),
    ]
    assert [item["product"]["name"] for item in batches[0]["items"]][:2] == ["电解铝", "水泥"]
    assert batches[1]["items"][0]["change"] == "remove"
    text = cli_runner("catalogue", "lists")
    assert "纺织品" in text.output and "remove" in text.output


def test_the_lists_command_and_the_api_give_one_shape(seeded, login, cli_runner):
    command = json.loads(cli_runner("catalogue", "lists", "--format", "json").output)
    api = login(Role.ADMINISTRATOR).get("/api/v1/lists/batches?drafts=true").json
    assert command == api
    assert "corrects_id" in command[1] and all("id" in item for item in command[0]["items"])


def test_the_public_page_shows_the_summary_without_internal_detail(seeded, login):
    response = login(None).get("/coverage")
    assert response.status_code == 200
    page = response.text
    assert 'id="burn-up-table"' in page and 'id="coverage-matrix"' in page
    assert 'type="application/json" id="coverage-data"' in page
    assert "<script>" not in page  # no inline script: the CSP allows only files from the site
    assert "电解铝" in page and "多个级别" in page
    assert "level=national" in page and "国家标准 1" in page  # 电解铝's published standards, by level
    assert "CFP-BATTERY" not in page and "20260001-T-469" not in page
    assert "中国有色金属工业协会" not in page  # who proposed what is internal
    assert 'id="cycle-times-table"' not in page


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.SECRETARIAT])
def test_samr_mee_and_the_secretariat_see_the_detail(seeded, login, role):
    page = login(role).get("/coverage").text
    assert 'id="cycle-times-table"' in page
    assert "20260001-T-469" in page and "CFP-BATTERY" in page
    assert "中国有色金属工业协会" in page
    assert "已有碳足迹国家标准的产品，不再保留地方标准。" in page  # the verdict on 电解铝's local standard


def test_a_drafter_sees_the_summary_only(seeded, login):
    page = login(Role.DRAFTER).get("/coverage").text
    assert 'id="coverage-matrix"' in page and 'id="cycle-times-table"' not in page


def test_the_api_gives_the_summary_to_anyone_and_the_detail_to_samr_mee(seeded, login, validate_response):
    public = login(None).get("/api/v1/coverage")
    assert public.status_code == 200
    validate_response("/api/v1/coverage", "get", public)
    assert "cycle_times" not in public.json
    assert all("findings" not in row and "proposals" not in row for row in public.json["products"])
    assert public.json["counted"] == 2
    detail = login(Role.ADMINISTRATOR).get("/api/v1/coverage")
    validate_response("/api/v1/coverage", "get", detail)
    assert len(detail.json["cycle_times"]) == 1
    assert {row["product"]["name"] for row in detail.json["products"] if row["findings"]} == {"电解铝"}


def test_the_home_page_shows_the_count_against_the_targets(seeded, login):
    page = login(None).get("/").text
    assert 'id="coverage-summary"' in page
    assert "/coverage" in page


def test_the_page_follows_a_new_standard_and_a_stage_move(seeded, login, database):
    """The page is kept rendered (page_cache.py): a published standard (audited) and a stage move
    (a stage event, not audited) must both show at once."""
    from workbench.registry import service as registry

    client = login(Role.ADMINISTRATOR)
    page = client.get("/coverage").text
    assert "钢铁" in page and "逾期" in page
    with database() as session:
        steel = registry.find_product(session, "钢铁")
        steel_id = steel.id
        registry.create_standard(
            session,
            registry.StandardInput(
                level="national",
                numbers="GB/T 45000—2026",
                title="温室气体 产品碳足迹量化方法与要求 钢铁",
                status="published",
                product=steel,
                published_on=date(2026, 11, 1),
            ),
            by=ADMIN,
            on=TODAY,
        )
        session.commit()
    page = client.get("/coverage").text
    row = page[page.index(f'<tr id="product-{steel_id}"') :].split("</tr>")[0]
    assert "已发布" in row and "国家标准 1" in row
    with database() as session:
        session.add(  # only the event: the rule itself (audited) is left as it was
            StageEvent(
                rule_id=seeded["rule"],
                from_stage="40",
                to_stage="50",
                revision=0,
                actor_label="秘书处",
                occurred_at=datetime(2026, 7, 1, 4, 0, tzinfo=UTC),
            )
        )
        session.commit()
    page = client.get("/coverage").text
    table = page[page.index('id="cycle-times-table"') :]
    assert "按期报批" in table  # 报批 on 2026-07-01, before the deadline of 2026-07-20


def test_the_priority_list_read_for_coverage_is_the_lists_own(seeded, session):
    from workbench.catalogue import lists

    effective = lists.effective_priority_items(session)
    records = progress.priority_records(session)
    assert {record.product_id: record.batch_id for record in records} == {
        product_id: item.batch_id for product_id, item in effective.items()
    }
    assert "纺织品" not in {record.product for record in records}
