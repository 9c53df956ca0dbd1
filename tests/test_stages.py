"""The stage rules as data: which moves exist, who may make them, and the gates each must pass."""

from datetime import date

import pytest

from workbench.drafting import stages
from workbench.drafting.stages import Gate, RuleFacts

TODAY = date(2026, 11, 21)


def facts(**changes) -> RuleFacts:
    values = dict(
        errors=0,
        consultation_opened_on=date(2026, 9, 1),
        comments=3,
        comments_open=0,
        trial_enterprises=3,
        has_number=True,
        today=TODAY,
    )
    values.update(changes)
    return RuleFacts(**values)


def states(source: str, target: str, **changes) -> dict:
    move = stages.find_move(source, target)
    return {result.gate: result.state for result in stages.evaluate(move, facts(**changes))}


def test_every_move_joins_known_stages_and_names_who_may_make_it():
    for move in stages.MOVES:
        assert move.source in stages.STAGES and move.target in stages.STAGES
        assert move.roles and move.roles <= {"administrator", "secretariat"}
    assert stages.find_move("20", "60") is None  # no skipping consultation and review
    assert [move.target for move in stages.moves_from("30")] == ["20", "40"]


def test_entering_consultation_needs_no_errors():
    assert states("20", "30", errors=2) == {Gate.NO_ERRORS: "failed"}
    assert states("20", "30") == {Gate.NO_ERRORS: "passed"}


@pytest.mark.parametrize(
    ("opened", "state"),
    [(date(2026, 9, 23), "failed"), (date(2026, 9, 22), "passed"), (None, "failed")],
)
def test_leaving_consultation_needs_sixty_days(opened, state):
    # 2026-09-22 + 60 days = 2026-11-21: the period is complete today, not a day earlier.
    assert states("30", "40", consultation_opened_on=opened)[Gate.COMMENT_PERIOD] == state


def test_leaving_consultation_needs_every_comment_dispositioned():
    assert states("30", "40", comments_open=1)[Gate.COMMENTS_DISPOSITIONED] == "failed"
    assert states("30", "40", comments=0, comments_open=0)[Gate.COMMENTS_DISPOSITIONED] == "passed"


def test_leaving_consultation_needs_trials_from_three_enterprises():
    assert states("30", "40", trial_enterprises=0)[Gate.TRIALS] == "failed"
    assert states("30", "40", trial_enterprises=2)[Gate.TRIALS] == "failed"
    assert states("30", "40", trial_enterprises=3)[Gate.TRIALS] == "passed"
    results = stages.evaluate(stages.find_move("30", "40"), facts(trial_enterprises=2))
    assert [result.gate for result in stages.blocked(results)] == [Gate.TRIALS]


def test_publication_needs_a_number_and_review_is_due_after_five_years():
    assert states("50", "60", has_number=False)[Gate.NUMBER] == "failed"
    assert stages.review_due(date(2026, 3, 1)) == date(2031, 3, 1)
    assert stages.review_due(date(2028, 2, 29)) == date(2033, 2, 28)
    assert stages.review_due(None) is None


def test_each_stage_maps_to_a_registry_status():
    assert stages.STAGES["30"].registry_status == "consultation" and stages.STAGES["60"].registry_status == "published"
    assert {stage.registry_status for stage in stages.STAGES.values()} <= {
        "planned",
        "drafting",
        "consultation",
        "published",
        "withdrawn",
    }


@pytest.mark.parametrize(
    ("prop", "codes"),
    [
        ("editable", ("00", "10", "20", "30", "40", "50")),
        ("public_draft", ("30",)),
        ("publishable", ("30", "40", "50", "60")),
        ("published", ("60", "90")),
        ("patent_notice", ("30", "40")),
        ("trials_open", ("00", "10", "20", "30", "40", "50", "90")),
    ],
)
def test_what_each_stage_allows_is_a_property_of_the_stage(prop, codes):
    assert stages.codes(**{prop: True}) == codes


def test_gates_are_findings_of_the_catalogue_naming_their_article():
    results = stages.evaluate(stages.find_move("30", "40"), facts(comments_open=2, trial_enterprises=1))
    by_gate = {result.gate: result for result in results}
    assert by_gate[Gate.COMMENTS_DISPOSITIONED].finding.code == "gate_comments_dispositioned"
    assert "2 条意见未处理" in by_gate[Gate.COMMENTS_DISPOSITIONED].finding.message
    assert by_gate[Gate.TRIALS].finding.article == "指引（六）"
    assert by_gate[Gate.NO_ERRORS].finding.message == "当前修订没有错误。"


def test_an_overdue_review_is_a_finding_under_the_standardization_law():
    assert stages.review_finding(date(2020, 1, 1), TODAY).code == "review_due"
    assert stages.review_finding(date(2024, 1, 1), TODAY) is None


def test_the_passed_comment_period_says_how_long_the_consultation_has_run():
    # Opened 2026-09-01, today 2026-11-21: 81 days, not "60 days".
    move = stages.find_move("30", "40")
    result = next(r for r in stages.evaluate(move, facts()) if r.gate is Gate.COMMENT_PERIOD)
    assert result.state == "passed"
    assert result.finding.params == {"opened": "2026-09-01", "days": 81}
    assert result.finding.text() == "征求意见已进行 81 天（2026-09-01 起），满 60 天。"
