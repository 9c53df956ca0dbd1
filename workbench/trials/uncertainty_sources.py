"""The sources of uncertainty of the feasibility report (workbench.trials.feasibility): which inputs
drive each trial's Monte Carlo spread, and which groups of inputs drive the spread across trials.

PURE: numpy, the standard library and the guideline's vocabulary; no Flask, no database.

Decisions:
- The sources are the engine's sensitivity (result["monte_carlo"]["sensitivity"]: squared Spearman
  rank correlations, normalised to 100 %). Per trial the three largest inputs are kept by kind,
  place (/lines/3) and category, never by their label, which quotes the enterprise's item names.
- Across trials the shares are summed per group — the line's activity category; process exchanges
  and shared library factors have none and form the groups "exchanges" and "library_factors" — and
  averaged over the trials that have a sensitivity (a group absent from a trial counts 0 %). The
  inputs beyond the engine's listed ones ("others") belong to no group: their mean is stated apart.
- The summary names the largest groups, at most three, each with a mean of at least 10 % (the
  largest always).
"""

import math
from collections import Counter

import numpy as np

from workbench.guideline.vocabulary import ACTIVITY_CATEGORIES
from workbench.messages import N_, Joined, Message, Term
from workbench.trials import display

# What is uncertain in a sensitivity input (the engine's "kind"), and the groups of the summary that
# are not activity categories.
SENSITIVITY_KINDS = {
    "amount": N_("活动数据数量"),
    "factor": N_("排放因子"),
    "amount_and_factor": N_("活动数据与其因子"),
    "exchange": N_("过程间交换量"),
}
EXCHANGES, LIBRARY_FACTORS = "exchanges", "library_factors"
SOURCE_GROUPS = {**ACTIVITY_CATEGORIES.labels, EXCHANGES: N_("过程间交换量"), LIBRARY_FACTORS: N_("因子库因子")}
TOP_SOURCES = 3  # inputs kept per trial
SUMMARY_GROUPS, SUMMARY_MIN_PERCENT = 3, 10.0  # groups named in the summary sentence


def finite(value) -> float | None:
    """A finite float, or None (booleans and text are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def ordered(keys, order: list[str]) -> list[str]:
    """`keys` in `order`, then the others by name."""
    return [key for key in order if key in keys] + sorted(key for key in keys if key not in order)


def sensitivity(result: dict) -> dict | None:
    """The engine's sensitivity of a result, when its Monte Carlo computed one (older results and
    runs without it have none)."""
    monte_carlo = result.get("monte_carlo")
    found = monte_carlo.get("sensitivity") if isinstance(monte_carlo, dict) else None
    return found if isinstance(found, dict) and isinstance(found.get("inputs"), list) else None


def source_group(item: dict) -> str:
    """The summary's group of a sensitivity input: the line's activity category; exchanges and
    shared factors have none."""
    if item.get("kind") == "exchange":
        return EXCHANGES
    category = item.get("category")
    return category if category else LIBRARY_FACTORS


def uncertainty_sources(outcomes) -> dict:
    """Per usable trial (`outcomes`: objects with label, period and result) with a Monte Carlo result
    its largest inputs (anonymised: kind, place and category; None when the result has no
    sensitivity), and their shares summed per group and averaged over the trials that have a
    sensitivity (`n`)."""
    trials, group_shares, unlisted = [], [], []
    for outcome in outcomes:
        if not isinstance(outcome.result.get("monte_carlo"), dict):
            continue
        found = sensitivity(outcome.result)
        if found is None:  # a Monte Carlo of before the sensitivity, or run without it
            trials.append({"label": outcome.label, "period": outcome.period, "inputs": None})
            continue
        inputs = [item for item in found["inputs"] if isinstance(item, dict)]
        trials.append(
            {
                "label": outcome.label,
                "period": outcome.period,
                "method": found.get("method"),
                "draws": found.get("draws"),
                "count": found.get("count"),
                "inputs": [_input(item) for item in inputs[:TOP_SOURCES]],
            }
        )
        shares: Counter = Counter()
        for item in inputs:
            shares[source_group(item)] += finite(item.get("share")) or 0.0
        group_shares.append(shares)
        unlisted.append(finite(found.get("others")) or 0.0)
    present = set().union(*group_shares) if group_shares else set()
    groups = [
        {
            "group": group,
            "name": SOURCE_GROUPS.get(group, group),
            "mean_percent": float(np.mean([shares[group] for shares in group_shares])),
            "trials": sum(1 for shares in group_shares if shares[group] > 0),
        }
        for group in ordered(present, list(SOURCE_GROUPS))
    ]
    groups.sort(key=lambda row: -row["mean_percent"])  # stable: ties keep the vocabulary's order
    return {
        "n": len(group_shares),
        "trials": trials,
        "groups": groups,
        "unlisted_mean_percent": float(np.mean(unlisted)) if unlisted else None,
        "summary": summary(groups, len(group_shares)),
    }


def _input(item: dict) -> dict:
    return {
        "kind": item.get("kind"),
        "path": item.get("path"),
        "stage": item.get("stage"),
        "category": item.get("category"),
        "group": source_group(item),
        "rho": finite(item.get("rho")),
        "share": finite(item.get("share")),
    }


def _source_name(group: str) -> Term | Message:
    if group in ACTIVITY_CATEGORIES:
        return ACTIVITY_CATEGORIES.term(group)
    return Message(SOURCE_GROUPS.get(group, group))


def _percent(value: float) -> str:
    """52.3 %, as every percentage of the trial pages (display.pct)."""
    return display.pct(value)


def summary(groups: list[dict], trials: int) -> Message | None:
    """The summary sentence: 本规则试算结果的离散主要来自：能源使用（平均 52 %）、原材料消耗（平均 30 %）…"""
    named = [row for row in groups[:SUMMARY_GROUPS] if row["mean_percent"] >= SUMMARY_MIN_PERCENT] or groups[:1]
    if not named:
        return None
    sources = Joined(
        N_("、"),
        tuple(
            Message(
                N_("%(name)s（平均 %(share)s）"),
                {"name": _source_name(row["group"]), "share": _percent(row["mean_percent"])},
            )
            for row in named
        ),
    )
    return Message(
        N_("本规则试算结果的离散主要来自：%(sources)s（%(n)d 项有敏感性分析的试算的平均）。"),
        {"sources": sources, "n": trials},
    )
