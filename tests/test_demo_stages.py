"""`workbench demo` holds a rule at every stage from 10 to 60, so every page and gate can be seen:
one published through the real workflow with its number and dates, on the portal and in the
registry; the cement rule drafted by a group the demo drafter is in, its 60-day consultation
over; everything dated back says it is demo data; loading twice adds nothing."""

from datetime import timedelta

from sqlalchemy import func, select

from workbench.audit.models import AuditEvent
from workbench.auth.models import User
from workbench.auth.permissions import Action, can
from workbench.dates import today
from workbench.drafting import service, stages
from workbench.drafting.models import Rule, StageEvent
from workbench.guideline.findings import counts
from workbench.publishing.models import Publication
from workbench.registry.models import Status
from workbench.trials import service as trials
from workbench.trials.models import Calculation, Trial
from workbench.workflow import service as workflow

CEMENT = "温室气体 产品碳足迹量化方法与要求 水泥"


def test_the_demo_has_a_rule_at_every_stage_and_a_published_standard(cli_runner, database, client):
    first = cli_runner("demo")
    assert first.exit_code == 0, first.output
    assert "新建演示规则 6 项" in first.output and "演示在立项至出版各阶段各有一项规则" in first.output
    assert "新建演示试算 12 份" in first.output  # every demo trial: the cement plants' and the staged rules'
    with database() as session:
        rules = {rule.stage: rule for rule in session.scalars(select(Rule).where(Rule.archived_at.is_(None)))}
        assert set(rules) >= {"10", "20", "30", "40", "50", "60"}
        assert rules["20"].product.name == "锂离子电池"  # the product the rule names, not the plan's 锂电池
        for code in ("20", "30", "40", "50", "60"):  # the drafts and the standard have no errors
            rule = rules[code]
            assert counts(service.findings(session, rule, service.revision(session, rule).document))["errors"] == 0

        # 60: published through the workflow, every gate passed, about four months ago.
        lime = rules["60"]
        assert lime.product.name == "石灰"
        published = today() - timedelta(days=120)
        assert lime.published_on == published
        standard = lime.standard
        assert standard.status == Status.PUBLISHED and standard.published_on == published
        assert standard.numbers == f"GB/T 99001—{published.year}"
        assert standard.implemented_on is not None and published < standard.implemented_on <= today()
        assert "演示数据" in standard.note
        moves = session.scalars(select(StageEvent).where(StageEvent.rule_id == lime.id).order_by(StageEvent.id)).all()
        assert [(move.from_stage, move.to_stage) for move in moves] == [
            ("20", "30"),
            ("30", "40"),
            ("40", "50"),
            ("50", "60"),
        ]
        assert all("演示数据" in move.note for move in moves)
        assert all(gate["state"] == "passed" for move in moves for gate in move.gates)
        review = next(move for move in moves if move.to_stage == "40")
        assert {gate["gate"] for gate in review.gates} >= {"comment_period", "comments_dispositioned", "trials"}
        assert moves[-1].occurred_at.date() == published
        assert session.scalar(select(Publication.id).where(Publication.rule_id == lime.id, Publication.stage == "60"))
        slug = session.scalar(select(Publication.slug).where(Publication.rule_id == lime.id))

        # 40 and 50 passed the review gate with three enterprises' trials; 10 is an approved proposal.
        for code in ("40", "50"):
            assert trials.trial_enterprises(session, rules[code]) >= stages.MIN_TRIAL_ENTERPRISES
            assert "演示数据" in rules[code].standard.note
        assert rules["10"].standard.status == Status.PLANNED and "演示数据" in rules["10"].standard.note

        # 30: the cement rule, drafted by a group the demo drafter is in, its 60 days over today.
        cement = rules["30"]
        assert cement.title == CEMENT
        drafter = session.scalar(select(User).where(User.username == "drafter"))
        assert cement.working_group is not None and drafter in cement.working_group.members
        moves = dict((move.target, results) for move, results in workflow.moves(session, cement, today()))
        gates = {result.gate.value: result.passed for result in moves["40"]}
        assert gates["comment_period"] and gates["trials"] and gates["no_errors"]
        assert not gates["comments_dispositioned"]  # one comment left for the secretariat to dispose of

    # The standard answers on the portal, and the registry lists it as published.
    page = client.get(f"/published/{slug}/")
    assert page.status_code == 200 and "GB/T 99001" in page.text
    assert "演示数据" in page.text  # the version's note says the publication is the demo's


def test_the_drafter_can_edit_the_cement_rule(cli_runner, database, client):
    assert cli_runner("demo").exit_code == 0
    with database() as session:
        cement = session.scalar(select(Rule).where(Rule.title == CEMENT))
        drafter = session.scalar(select(User).where(User.username == "drafter"))
        assert can(drafter, Action.EDIT_RULE, cement)
        cement_id = cement.id
    signed_in = client.post_form("/login", {"username": "drafter", "password": "workbench-demo"})
    assert signed_in.status_code == 302
    page = client.get(f"/drafting/{cement_id}/parameters")
    assert page.status_code == 200 and 'name="based_on"' in page.text


def test_loading_the_demo_twice_adds_nothing(cli_runner, database):
    assert cli_runner("demo").exit_code == 0
    with database() as session:
        before = (
            session.scalar(select(func.count()).select_from(Rule)),
            session.scalar(select(func.count()).select_from(StageEvent)),
            session.scalar(select(func.count()).select_from(Publication)),
            session.scalar(select(func.count()).select_from(AuditEvent)),
        )
    second = cli_runner("demo")
    assert second.exit_code == 0 and "新建演示规则 0 项" in second.output and "新建演示试算 0 份" in second.output
    with database() as session:
        after = (
            session.scalar(select(func.count()).select_from(Rule)),
            session.scalar(select(func.count()).select_from(StageEvent)),
            session.scalar(select(func.count()).select_from(Publication)),
            session.scalar(select(func.count()).select_from(AuditEvent)),
        )
    assert after == before


def test_the_demo_is_dated_as_its_story_tells(cli_runner, database, client):
    """The backdated demo agrees with itself: each publication (its record and the portal's version
    history) is dated the day its rule entered the stage, not the day the demo was loaded; every
    trial was entered and calculated on a day of the story (the cement plants' during the
    consultation); and what says it is demo data says so in both languages."""
    assert cli_runner("demo").exit_code == 0
    loaded = today()
    with database() as session:
        rules = {rule.stage: rule for rule in session.scalars(select(Rule).where(Rule.archived_at.is_(None)))}
        lime, cement = rules["60"], rules["30"]
        opened = cement.consultation_opened_on
        assert opened == loaded - timedelta(days=70)
        expected = {lime.id: lime.published_on, cement.id: opened}
        slugs = {}
        for publication in session.scalars(select(Publication)):
            assert publication.published_at.date() == expected[publication.rule_id]
            assert "演示数据" in publication.message and "Demo data" in publication.message
            slugs[publication.rule_id] = publication.slug

        trials_by_rule = {}
        for trial in session.scalars(select(Trial)):
            trials_by_rule.setdefault(trial.rule_id, []).append(trial)
            calculated = session.scalars(
                select(Calculation.calculated_at).where(Calculation.trial_id == trial.id)
            ).all()
            assert calculated and all(at == trial.created_at for at in calculated)
            assert trial.created_at.date() < loaded  # not "last calculated" on the day of loading
        assert sum(len(found) for found in trials_by_rule.values()) == 12
        assert all(opened < trial.created_at.date() < loaded for trial in trials_by_rule[cement.id])

        moves = session.scalars(select(StageEvent).where(StageEvent.rule_id.in_([lime.id, cement.id]))).all()
        assert moves and all("演示数据" in move.note and "demo data" in move.note for move in moves)

    for rule_id, day in expected.items():
        page = client.get(f"/published/{slugs[rule_id]}/")
        assert page.status_code == 200
        history = page.text.split('id="version-history"')[1].split("</table>")[0]
        assert day.isoformat() in history and loaded.isoformat() not in history
        assert "Demo data: published by the demo" in history
