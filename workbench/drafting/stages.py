"""The stages a rule goes through (GB/T 16733, stage codes aligned with ISO), as data: who may
move it from one stage to the next and which gates the move must pass.

Pure: no Flask, no database. The service gathers the facts (`RuleFacts`) and asks `evaluate`.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


def N_(text: str) -> str:
    """Marks a message for translation (Babel extracts it); the app translates it when shown."""
    return text


@dataclass(frozen=True)
class Stage:
    code: str
    name: str
    document: str  # what the text is called at this stage


STAGES = {
    stage.code: stage
    for stage in (
        Stage("00", N_("预阶段"), N_("项目建议")),
        Stage("10", N_("立项"), N_("立项文件")),
        Stage("20", N_("起草"), N_("工作组讨论稿")),
        Stage("30", N_("征求意见"), N_("征求意见稿")),
        Stage("40", N_("审查"), N_("送审稿")),
        Stage("50", N_("批准"), N_("报批稿")),
        Stage("60", N_("出版"), N_("标准")),
        Stage("90", N_("复审"), N_("标准")),
        Stage("95", N_("废止"), N_("已废止标准")),
    )
}

# The registry status each stage stands for (workbench.registry.models.Status values).
REGISTRY_STATUS = {
    "00": "planned",
    "10": "planned",
    "20": "drafting",
    "30": "consultation",
    "40": "consultation",
    "50": "consultation",
    "60": "published",
    "90": "published",
    "95": "withdrawn",
}

COMMENT_PERIOD = timedelta(days=60)  # 征求意见期不少于 60 天
REVIEW_INTERVAL_YEARS = 5  # 复审周期一般不超过 5 年
MIN_TRIAL_ENTERPRISES = 3


class Gate(StrEnum):
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


OVERSIGHT = frozenset({"administrator", "secretariat"})
MINISTRY = frozenset({"administrator"})

MOVES = [
    Move("00", "10", MINISTRY),  # SAMR approves the project (立项)
    Move("10", "20", OVERSIGHT),
    Move("20", "30", OVERSIGHT, (Gate.NO_ERRORS,)),
    Move("30", "20", OVERSIGHT),  # back to drafting
    Move("30", "40", OVERSIGHT, (Gate.NO_ERRORS, Gate.COMMENT_PERIOD, Gate.COMMENTS_DISPOSITIONED, Gate.TRIALS)),
    Move("40", "20", OVERSIGHT),  # the review sends it back
    Move("40", "50", OVERSIGHT, (Gate.NO_ERRORS,)),
    Move("50", "60", MINISTRY, (Gate.NO_ERRORS, Gate.NUMBER)),
    Move("60", "90", OVERSIGHT),
    Move("90", "60", OVERSIGHT),  # confirmed (确认继续有效)
    Move("90", "20", OVERSIGHT),  # to be revised
    Move("90", "95", MINISTRY),
    Move("60", "95", MINISTRY),
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
    message: str
    params: dict


def moves_from(stage: str) -> list[Move]:
    return [move for move in MOVES if move.source == stage]


def find_move(source: str, target: str) -> Move | None:
    return next((move for move in MOVES if move.source == source and move.target == target), None)


def _gate(gate: Gate, facts: RuleFacts) -> GateResult:
    if gate is Gate.NO_ERRORS:
        if facts.errors:
            return GateResult(
                gate,
                "failed",
                N_("当前修订仍有 %(errors)d 项错误：请先修改或记录理由后忽略。"),
                {"errors": facts.errors},
            )
        return GateResult(gate, "passed", N_("当前修订没有错误。"), {})
    if gate is Gate.COMMENT_PERIOD:
        opened = facts.consultation_opened_on
        if opened is None:
            return GateResult(gate, "failed", N_("征求意见尚未开始：须先公开征求意见不少于 60 天。"), {})
        ends = opened + COMMENT_PERIOD
        if facts.today < ends:
            return GateResult(
                gate,
                "failed",
                N_("征求意见期不少于 60 天：%(ends)s 之后才能结束。"),
                {"ends": ends.isoformat()},
            )
        return GateResult(gate, "passed", N_("征求意见期已满 60 天（%(opened)s 起）。"), {"opened": opened.isoformat()})
    if gate is Gate.COMMENTS_DISPOSITIONED:
        if facts.comments_open:
            return GateResult(
                gate,
                "failed",
                N_("还有 %(open)d 条意见未处理：每条意见须给出采纳、部分采纳或未采纳（后两者写明理由）。"),
                {"open": facts.comments_open},
            )
        return GateResult(gate, "passed", N_("%(count)d 条意见均已处理。"), {"count": facts.comments})
    if gate is Gate.TRIALS:
        if facts.trial_enterprises < MIN_TRIAL_ENTERPRISES:
            return GateResult(
                gate,
                "failed",
                N_("针对当前修订的试算只有 %(count)d 家企业，至少需要 %(min)d 家。"),
                {"count": facts.trial_enterprises, "min": MIN_TRIAL_ENTERPRISES},
            )
        return GateResult(gate, "passed", N_("已有 %(count)d 家企业的试算。"), {"count": facts.trial_enterprises})
    if gate is Gate.NUMBER:
        if not facts.has_number:
            return GateResult(gate, "failed", N_("出版前须填写标准编号。"), {})
        return GateResult(gate, "passed", N_("已有标准编号。"), {})
    raise ValueError(gate)


def evaluate(move: Move, facts: RuleFacts) -> list[GateResult]:
    return [_gate(gate, facts) for gate in move.gates]


def blocked(results: list[GateResult]) -> list[GateResult]:
    return [result for result in results if result.state == "failed"]


def review_due(published_on: date | None) -> date | None:
    """复审: at most five years after publication."""
    if published_on is None:
        return None
    try:
        return published_on.replace(year=published_on.year + REVIEW_INTERVAL_YEARS)
    except ValueError:  # 29 February
        return published_on.replace(year=published_on.year + REVIEW_INTERVAL_YEARS, day=28)
