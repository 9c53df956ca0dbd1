"""The stages a rule goes through (GB/T 16733, stage codes aligned with ISO), as data: what each
stage allows, who may move a rule from one stage to the next, and which gates the move must pass.

Pure: no Flask, no database. Everything that depends on a rule's stage asks the stage itself
(`STAGES[code].editable`, `.public_draft` …); no other module lists stage codes. The service
gathers the facts (`RuleFacts`) and asks `evaluate`; each gate's result is a finding of the
guideline's catalogue (workbench/guideline/catalogue/gates.py), passed or failed.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from workbench.guideline import Finding, finding
from workbench.messages import N_

DRAFTING = "20"  # a new rule starts here, and a published one returns here to be revised
CONSULTATION = "30"
PUBLICATION = "60"  # the move 50 → 60 publishes the standard (number, date)
WITHDRAWN = "95"


@dataclass(frozen=True)
class Stage:
    code: str
    name: str  # Chinese, N_
    document: str  # what the text is called at this stage
    registry_status: str  # workbench.registry.models.Status value of the rule's registry entry
    editable: bool = True  # drafters may change the text (a published standard goes 90 → 20 first)
    public_draft: bool = False  # the draft is public and takes comments from anyone
    publishable: bool = False  # the current revision may be published to the portal
    published: bool = False  # a standard has been issued: the cover shows no draft wording
    patent_notice: bool = False  # the cover asks readers to disclose patents
    trials_open: bool = True  # trial calculations may be entered and calculated

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


STAGES = {
    stage.code: stage
    for stage in (
        Stage("00", N_("预阶段"), N_("项目建议"), "planned"),
        Stage("10", N_("立项"), N_("立项文件"), "planned"),
        Stage(DRAFTING, N_("起草"), N_("工作组讨论稿"), "drafting"),
        Stage(
            CONSULTATION,
            N_("征求意见"),
            N_("征求意见稿"),
            "consultation",
            public_draft=True,
            publishable=True,
            patent_notice=True,
        ),
        Stage("40", N_("审查"), N_("送审稿"), "consultation", publishable=True, patent_notice=True),
        Stage("50", N_("批准"), N_("报批稿"), "consultation", publishable=True),
        # Trials of a published rule happen on its next revision, after 90 → 20.
        Stage(
            PUBLICATION,
            N_("出版"),
            N_("标准"),
            "published",
            editable=False,
            publishable=True,
            published=True,
            trials_open=False,
        ),
        Stage("90", N_("复审"), N_("标准"), "published", editable=False, published=True),
        Stage(WITHDRAWN, N_("废止"), N_("已废止标准"), "withdrawn", editable=False, trials_open=False),
    )
}


def codes(**properties: bool) -> tuple[str, ...]:
    """The codes of the stages with these properties, e.g. codes(publishable=True)."""
    return tuple(
        code
        for code, stage in STAGES.items()
        if all(getattr(stage, name) == wanted for name, wanted in properties.items())
    )


# 《国家标准管理办法》: the consultation lasts at least 60 days (gate_comment_period).
COMMENT_PERIOD = timedelta(days=60)
# 《中华人民共和国标准化法》第二十九条: periodic review at most every five years (review_due).
REVIEW_INTERVAL_YEARS = 5
# 指引（六）: trial calculations by several enterprises prove the rule; three before review (gate_trials).
MIN_TRIAL_ENTERPRISES = 3


class Gate(StrEnum):
    """Each gate is the catalogue's finding of the same name with the prefix "gate_"."""

    NO_ERRORS = "no_errors"
    COMMENT_PERIOD = "comment_period"
    COMMENTS_DISPOSITIONED = "comments_dispositioned"
    TRIALS = "trials"
    NUMBER = "number"


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    roles: frozenset[str]
    gates: tuple[Gate, ...] = ()

    @property
    def publishes(self) -> bool:
        return self.target == PUBLICATION and not STAGES[self.source].published


OVERSIGHT = frozenset({"administrator", "secretariat"})
MINISTRY = frozenset({"administrator"})

MOVES = [
    Move("00", "10", MINISTRY),  # SAMR approves the project (立项)
    Move("10", DRAFTING, OVERSIGHT),
    Move(DRAFTING, CONSULTATION, OVERSIGHT, (Gate.NO_ERRORS,)),
    Move(CONSULTATION, DRAFTING, OVERSIGHT),  # back to drafting
    Move(
        CONSULTATION, "40", OVERSIGHT, (Gate.NO_ERRORS, Gate.COMMENT_PERIOD, Gate.COMMENTS_DISPOSITIONED, Gate.TRIALS)
    ),
    Move("40", DRAFTING, OVERSIGHT),  # the review sends it back
    Move("40", "50", OVERSIGHT, (Gate.NO_ERRORS,)),
    Move("50", PUBLICATION, MINISTRY, (Gate.NO_ERRORS, Gate.NUMBER)),
    Move(PUBLICATION, "90", OVERSIGHT),
    Move("90", PUBLICATION, OVERSIGHT),  # confirmed (确认继续有效)
    Move("90", DRAFTING, OVERSIGHT),  # to be revised
    Move("90", WITHDRAWN, MINISTRY),
    Move(PUBLICATION, WITHDRAWN, MINISTRY),
]


@dataclass(frozen=True)
class RuleFacts:
    """What the gates look at, gathered by the service for the rule's current revision."""

    errors: int
    consultation_opened_on: date | None
    comments: int
    comments_open: int
    trial_enterprises: int  # with a calculated trial of the current revision
    has_number: bool
    today: date


@dataclass(frozen=True)
class GateResult:
    gate: Gate
    state: str  # "passed" or "failed"
    finding: Finding  # what was checked, or what still has to happen

    @property
    def passed(self) -> bool:
        return self.state == "passed"


def moves_from(stage: str) -> list[Move]:
    return [move for move in MOVES if move.source == stage]


def find_move(source: str, target: str) -> Move | None:
    return next((move for move in MOVES if move.source == source and move.target == target), None)


def _result(gate: Gate, passed: bool, variant: str = "", **params) -> GateResult:
    code = f"gate_{gate.value}"
    if passed:
        return GateResult(gate, "passed", finding(code, "/stage", "passed", **params))
    return GateResult(gate, "failed", finding(code, "/stage", variant, **params))


def _gate(gate: Gate, facts: RuleFacts) -> GateResult:
    if gate is Gate.NO_ERRORS:
        return _result(gate, not facts.errors, errors=facts.errors) if facts.errors else _result(gate, True)
    if gate is Gate.COMMENT_PERIOD:
        opened = facts.consultation_opened_on
        if opened is None:
            return _result(gate, False, "not_opened")
        ends = opened + COMMENT_PERIOD
        if facts.today < ends:
            return _result(gate, False, ends=ends.isoformat())
        # Say how long it has actually run: a consultation left open for 70 days has not "run for 60".
        return _result(gate, True, opened=opened.isoformat(), days=(facts.today - opened).days)
    if gate is Gate.COMMENTS_DISPOSITIONED:
        if facts.comments_open:
            return _result(gate, False, open=facts.comments_open)
        return _result(gate, True, count=facts.comments)
    if gate is Gate.TRIALS:
        if facts.trial_enterprises < MIN_TRIAL_ENTERPRISES:
            return _result(gate, False, count=facts.trial_enterprises, min=MIN_TRIAL_ENTERPRISES)
        return _result(gate, True, count=facts.trial_enterprises)
    if gate is Gate.NUMBER:
        return _result(gate, facts.has_number)
    raise ValueError(gate)


def evaluate(move: Move, facts: RuleFacts) -> list[GateResult]:
    return [_gate(gate, facts) for gate in move.gates]


def blocked(results: list[GateResult]) -> list[GateResult]:
    return [result for result in results if not result.passed]


def review_due(published_on: date | None) -> date | None:
    """复审: at most five years after publication."""
    if published_on is None:
        return None
    try:
        return published_on.replace(year=published_on.year + REVIEW_INTERVAL_YEARS)
    except ValueError:  # 29 February
        return published_on.replace(year=published_on.year + REVIEW_INTERVAL_YEARS, day=28)


def review_finding(published_on: date | None, today: date) -> Finding | None:
    """The overdue periodic review of a published rule, or None."""
    due = review_due(published_on)
    if due is None or today < due:
        return None
    return finding("review_due", "/stage", due=due.isoformat())
