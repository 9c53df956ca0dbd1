"""The feasibility report (可行性分析 / 试算报告) of one rule revision: what the trial calculations
(试算) of several enterprises show about whether the rule can be followed and gives comparable
results (指引（六）). Shown on a page, exported as XLSX (feasibility_xlsx.py), later printed in the
rule's informative annex.

PURE: numpy, the standard library, the guideline and the drafting stages; no Flask, no database.
Enterprises appear only by their anonymised labels (企业A, 企业B …): nothing here reads or writes
an enterprise's name. Words shown to people (notes, examples, what a gap means) are messages,
rendered in the reader's language where they are shown.

`report(outcomes)` takes one `TrialOutcome` per trial (the stored engine result, or the problems
that stopped the calculation) and returns data that are JSON-ready once `as_json` has rendered
their sentences:

    trials, enterprises, calculated   number of outcomes, of distinct labels, of usable outcomes
    unit, units                       the most common unit among usable results; {unit: count}
    results[]                         one row per outcome, by label then period
    spread                            the CFP per unit over the usable results in `unit`
    stages[], categories[]            share of each life-cycle stage / activity category
    gaps[]                            findings aggregated by code across trials: what the rule asks
                                      (`problem`, in words), an example and what it means
    quality                           data-quality ratings, primary data share, uncertainty
    uncertainty_sources               which inputs drive each trial's Monte Carlo spread, and by group
    notes[]                           plain sentences stating the facts (messages)

Decisions:
- Only usable outcomes enter the figures; the problems of the others are counted in `gaps`.
- The spread (min, max, mean, median, sd, CV) is over trials, not enterprises: an enterprise with
  two trials (two periods) counts twice, and a note says so. sd is the sample standard deviation
  (ddof=1, the trials being a sample of the sector), None for fewer than two results; the
  coefficient of variation is sd / |mean| × 100 (None when the mean is 0); max_over_min is None
  when the minimum is not positive. No pass/fail threshold is applied: the figures are stated.
- Results in another unit than the most common one (ties: the first in label order) stay out of
  the spread, and the difference is itself a gap (`unit_inconsistent`) and a note. Shares and
  ratings are dimensionless and use every usable result.
- Shares are percent of each trial's own CFP per unit; a trial whose CFP is 0 has no shares. A
  stage or category absent from a trial's breakdown counts as 0 % in that trial. The dominant
  stage (category) of a trial is the one with the largest positive contribution; ties go to the
  first in STAGES (CATEGORY_NAMES) order.
- Findings marked suppressed (with a recorded reason) are left out of the error and warning
  counts and of the gaps. For an unusable trial, the gaps hold its `problems` and, when its
  result holds findings, those too (the same finding is counted once).
- Lines left out under cut-off are counted from result["cut_off"]["excluded"] as the gap
  `cut_off_excluded` (severity info). The stored result does not keep the lines' data types, so
  estimated data (估算数据) are not counted here; where they break the rule, their findings
  (primary_data_missing, secondary_*) are.
- Data-quality ratings are the engine's (EU PEF bands, then "poor"; the guideline's
  QUALITY_RATINGS); a result without pedigree scores has rating None (未评价).
- The uncertainty of a trial is the relative width of its Monte Carlo 95 % interval,
  (p97.5 − p2.5) / |median| × 100, for trials with a Monte Carlo run and a non-zero median.
- What a gap means for the rule is the catalogue's `meaning` of its code
  (workbench/guideline/catalogue/data.py).
- The sources of uncertainty (which inputs drive each trial's Monte Carlo spread, and by group)
  are built by workbench/trials/uncertainty_sources.py; its docstring states their decisions.
"""

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from workbench.drafting.stages import MIN_TRIAL_ENTERPRISES
from workbench.guideline import CATALOGUE, Finding, finding, meaning
from workbench.guideline.findings import SEVERITY_RANK
from workbench.guideline.vocabulary import ACTIVITY_CATEGORIES, LIFE_CYCLE_STAGES, QUALITY_RATINGS
from workbench.messages import N_, Joined, Message, Translate, identity
from workbench.trials import display
from workbench.trials import uncertainty_sources as sources
from workbench.trials.uncertainty_sources import finite as _number
from workbench.trials.uncertainty_sources import ordered as _ordered

# Re-exported: the trial's page and the command line name the kinds of the sensitivity's inputs.
SENSITIVITY_KINDS = sources.SENSITIVITY_KINDS
SOURCE_GROUPS = sources.SOURCE_GROUPS

STAGES = LIFE_CYCLE_STAGES.codes
CATEGORIES = ACTIVITY_CATEGORIES.codes
RATINGS = (*QUALITY_RATINGS.codes, None)  # None: not rated (no pedigree scores)
UNRATED = N_("未评价")

# How the report (and every page but the drafting group's own) names an enterprise: 企业A, 企业B …,
# stored in Chinese with the trial and read as "Enterprise A" in English.
ENTERPRISE = N_("企业%(letter)s")
_ANONYMISED = re.compile(r"^企业([A-Z]+)$")

# A period made only of dates (2025 年 1 月—12 月, 2024-01/2024-12, 2023年7月至2024年6月) is shown as
# it was typed; anything else in it (a plant's or a line's name) could name the enterprise.
_DATES_ONLY = re.compile(r"[\d\s年月日号季度上下半至到\-–—~～/.,，、:：()（）QqHh]*")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")

UNIT_INCONSISTENT = "unit_inconsistent"
CUT_OFF_EXCLUDED = "cut_off_excluded"


@dataclass
class TrialOutcome:
    """One trial as the report sees it: its anonymised label, the data period, and either the stored
    result (engine `Result.as_dict()` plus "monte_carlo" and "scenarios") or the problems (finding
    dicts) that made the data unusable."""

    label: str
    period: str
    usable: bool
    result: dict | None
    problems: list[dict] = field(default_factory=list)


def anonymous_period(period: str | None) -> str:
    """The data period as the report may show it: as typed when it holds only dates; else its
    years (2024 or 2024–2025), since the rest may name the plant; "" when it names no year."""
    period = " ".join(str(period or "").split())
    if not period:
        return ""
    if _DATES_ONLY.fullmatch(period) and _YEAR.search(period):
        return period
    years = sorted({int(year) for year in _YEAR.findall(period)})
    if not years:
        return ""
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


# --- the report --------------------------------------------------------------------------------------


def report(outcomes: list[TrialOutcome]) -> dict:
    """The feasibility report of the trials of one rule revision, as JSON-ready data (see the
    module docstring for the keys and the decisions)."""
    outcomes = sorted(outcomes, key=lambda outcome: (outcome.label, outcome.period))
    usable = [outcome for outcome in outcomes if outcome.usable and isinstance(outcome.result, dict)]
    units = Counter(str(outcome.result.get("unit") or "") for outcome in usable)
    unit = units.most_common(1)[0][0] if units else None
    in_spread = [outcome for outcome in usable if str(outcome.result.get("unit") or "") == unit]
    counted = {id(outcome) for outcome in in_spread}

    results = [_row(outcome, id(outcome) in counted) for outcome in outcomes]
    spread = _spread(in_spread, unit)
    stages = _shares(usable, "by_stage", list(STAGES), LIFE_CYCLE_STAGES.labels, "stage")
    categories = _shares(usable, "by_category", list(CATEGORIES), ACTIVITY_CATEGORIES.labels, "category")
    gaps = _gaps(outcomes, usable, unit)
    quality = _quality(usable)
    uncertainty_sources = sources.uncertainty_sources(usable)
    data = {
        "trials": len(outcomes),
        "enterprises": len({outcome.label for outcome in outcomes}),
        "calculated": len(usable),
        "unit": unit,
        "units": dict(units),
        "results": results,
        "spread": spread,
        "stages": stages,
        "categories": categories,
        "gaps": gaps,
        "quality": quality,
        "uncertainty_sources": uncertainty_sources,
    }
    data["notes"] = _notes(outcomes, usable, in_spread, results, data)
    return data


def as_json(data: dict, translate: Translate = identity) -> dict:
    """The report with its sentences (notes, examples, meanings) rendered, for JSON."""
    return {
        **data,
        "notes": [note.render(translate) for note in data["notes"]],
        "gaps": [
            {
                **gap,
                "problem": gap["problem"].render(translate),
                "example": gap["example"].render(translate),
                "cause": gap["cause"].render(translate),
            }
            for gap in data["gaps"]
        ],
        "uncertainty_sources": {
            **data["uncertainty_sources"],
            "summary": _rendered(data["uncertainty_sources"]["summary"], translate),
        },
    }


def _rendered(message: Message | None, translate: Translate) -> str | None:
    return message.render(translate) if message is not None else None


def _findings(outcome: TrialOutcome) -> list[dict]:
    """The outcome's findings that count: not suppressed; for an unusable trial its problems first,
    then the result's findings, each distinct finding once."""
    found = list(outcome.problems or []) if not outcome.usable else []
    if isinstance(outcome.result, dict):
        found += [item for item in outcome.result.get("findings") or [] if isinstance(item, dict)]
    seen, kept = set(), []
    for item in found:
        key = (item.get("code"), item.get("path"), item.get("message"))
        if item.get("suppressed") or key in seen:
            continue
        seen.add(key)
        kept.append(item)
    return kept


def _largest(values: dict, order: list[str]) -> str | None:
    """The key with the largest positive value (ties: the first in `order`, then by name)."""
    best, best_value = None, 0.0
    for key in _ordered(values, order):
        value = _number(values.get(key))
        if value is not None and value > best_value:
            best, best_value = key, value
    return best


def _row(outcome: TrialOutcome, in_spread: bool) -> dict:
    findings = _findings(outcome)
    result = outcome.result if outcome.usable and isinstance(outcome.result, dict) else None
    row = {
        "label": outcome.label,
        "period": outcome.period,
        "usable": result is not None,
        "in_spread": in_spread,
        "unit": None,
        "cfp_per_unit": None,
        "fossil": None,
        "biogenic": None,
        "primary_data_share": None,
        "data_quality": {"score": None, "rating": None, "rating_zh": None},
        "errors": sum(1 for finding in findings if finding.get("severity") == "error"),
        "warnings": sum(1 for finding in findings if finding.get("severity") == "warning"),
        "monte_carlo": None,
        "top_stage": None,
    }
    if result is None:
        return row
    cfp = _number(result.get("cfp_per_unit"))
    quality = result.get("data_quality") or {}
    row.update(
        unit=result.get("unit"),
        cfp_per_unit=cfp,
        fossil=_number(result.get("fossil")),
        biogenic=_number(result.get("biogenic")),
        primary_data_share=_number(result.get("primary_data_share")),
        data_quality={
            "score": _number(quality.get("score")),
            "rating": quality.get("rating"),
            "rating_zh": quality.get("rating_zh"),
        },
    )
    monte_carlo = result.get("monte_carlo")
    if isinstance(monte_carlo, dict):
        row["monte_carlo"] = {"p2_5": _number(monte_carlo.get("p2_5")), "p97_5": _number(monte_carlo.get("p97_5"))}
    by_stage = result.get("by_stage") or {}
    top = _largest(by_stage, list(STAGES))
    if top is not None:
        value = _number(by_stage[top])
        row["top_stage"] = {
            "stage": top,
            "name": LIFE_CYCLE_STAGES.label(top),
            "percent": 100 * value / cfp if cfp else None,
        }
    return row


def _spread(outcomes: list[TrialOutcome], unit: str | None) -> dict:
    values = [(outcome.label, _number(outcome.result.get("cfp_per_unit"))) for outcome in outcomes]
    values = [(label, value) for label, value in values if value is not None]
    spread = {
        "n": len(values),
        "unit": unit,
        "min": None,
        "max": None,
        "mean": None,
        "median": None,
        "sd": None,
        "cv_percent": None,
        "max_over_min": None,
        "min_label": None,
        "max_label": None,
    }
    if not values:
        return spread
    array = np.array([value for _, value in values])
    low, high = int(np.argmin(array)), int(np.argmax(array))
    mean = float(array.mean())
    spread.update(
        min=float(array[low]),
        max=float(array[high]),
        mean=mean,
        median=float(np.median(array)),
        min_label=values[low][0],
        max_label=values[high][0],
    )
    if len(values) >= 2:
        sd = float(array.std(ddof=1))
        spread["sd"] = sd
        spread["cv_percent"] = 100 * sd / abs(mean) if mean else None
    if array[low] > 0:
        spread["max_over_min"] = float(array[high] / array[low])
    return spread


def _shares(outcomes: list[TrialOutcome], breakdown: str, order: list[str], names: dict, key: str) -> list[dict]:
    """Per stage (category): mean, min and max share of the trials' CFP, and in how many trials it
    is the largest."""
    present: set[str] = set()
    shares: dict[str, list[float]] = {}
    dominant: Counter = Counter()
    trials = 0
    for outcome in outcomes:
        values = outcome.result.get(breakdown) or {}
        present.update(values)
        top = _largest(values, order)
        if top is not None:
            dominant[top] += 1
        cfp = _number(outcome.result.get("cfp_per_unit"))
        if not cfp:
            continue
        trials += 1
        for name, value in values.items():
            shares.setdefault(name, []).append(100 * (_number(value) or 0.0) / cfp)
    rows = []
    for name in _ordered(present, order):
        # a trial whose breakdown lacks the key contributes 0 %
        values = shares.get(name, []) + [0.0] * (trials - len(shares.get(name, [])))
        rows.append(
            {
                key: name,
                "name": names.get(name, name),
                "trials": trials,
                "mean_percent": float(np.mean(values)) if values else None,
                "min_percent": float(min(values)) if values else None,
                "max_percent": float(max(values)) if values else None,
                "dominant_in": dominant[name],
            }
        )
    return rows


def _gaps(outcomes: list[TrialOutcome], usable: list[TrialOutcome], unit: str | None) -> list[dict]:
    gaps: dict[str, dict] = {}

    def add(code, severity, article, label, example):
        gap = gaps.setdefault(
            code,
            {
                "code": code,
                "severity": severity,
                "article": article,
                "count": 0,
                "labels": [],
                "example": example,
                "example_label": label,
                "problem": _summary(code),
                "cause": Message(meaning(code)),
            },
        )
        gap["count"] += 1
        if label not in gap["labels"]:
            gap["labels"].append(label)

    for outcome in outcomes:
        for found in _findings(outcome):
            if found.get("severity") not in ("error", "warning"):
                continue
            code = str(found.get("code") or "")
            stored = Finding.from_dict(found)  # anonymised: the place, not the enterprise
            example = Message(stored.template, stored.params)
            add(code, found["severity"], found.get("article") or "", outcome.label, example)
    for outcome in usable:
        other = str(outcome.result.get("unit") or "")
        if other != unit:
            found = finding(UNIT_INCONSISTENT, "/unit", label=enterprise_label(outcome.label), unit=other, common=unit)
            add(found.code, found.severity, found.article, outcome.label, Message(found.template, found.params))
        cut_off = outcome.result.get("cut_off") or {}
        for line in cut_off.get("excluded") or []:
            percent = _number(line.get("percent"))
            item = str(line.get("item", ""))
            if percent is None:
                found = finding(CUT_OFF_EXCLUDED, "/lines", "no_share", item=item)
            else:
                found = finding(CUT_OFF_EXCLUDED, "/lines", item=item, percent=percent)
            add(found.code, found.severity, found.article, outcome.label, Message(found.template, found.params))
    for gap in gaps.values():
        gap["labels"].sort()
    return sorted(gaps.values(), key=lambda gap: (SEVERITY_RANK.get(gap["severity"], 3), -gap["count"], gap["code"]))


def _summary(code: str) -> Message:
    """What the rule asks that the gap `code` fails, in words (the catalogue's summary)."""
    check = CATALOGUE.get(code)
    return Message(check.summary) if check is not None else Message(N_("其他问题（%(code)s）"), {"code": code})


def _range(values: list[float]) -> dict:
    return {
        "n": len(values),
        "min": float(min(values)) if values else None,
        "mean": float(statistics.fmean(values)) if values else None,
        "max": float(max(values)) if values else None,
    }


def _quality(outcomes: list[TrialOutcome]) -> dict:
    ratings = Counter()
    primary, widths = [], []
    for outcome in outcomes:
        result = outcome.result
        rating = (result.get("data_quality") or {}).get("rating")
        ratings[rating if rating in RATINGS else None] += 1
        share = _number(result.get("primary_data_share"))
        if share is not None:
            primary.append(share)
        width = _interval_width(result.get("monte_carlo"))
        if width is not None:
            widths.append(width)
    return {
        "ratings": [
            {"rating": key, "rating_zh": QUALITY_RATINGS.label(key) if key else UNRATED, "count": ratings[key]}
            for key in RATINGS
        ],
        "primary_data_share": _range(primary),
        "uncertainty": {
            "n": len(widths),
            "min_percent": float(min(widths)) if widths else None,
            "mean_percent": float(statistics.fmean(widths)) if widths else None,
            "max_percent": float(max(widths)) if widths else None,
        },
    }


def _interval_width(monte_carlo) -> float | None:
    """(p97.5 − p2.5) / |median| × 100, or None."""
    if not isinstance(monte_carlo, dict):
        return None
    low, high, median = (_number(monte_carlo.get(key)) for key in ("p2_5", "p97_5", "median"))
    if low is None or high is None or not median:
        return None
    return 100 * (high - low) / abs(median)


def _figure(value: float) -> str:
    """A figure in a note, as the page and its charts show it (display.number)."""
    return display.number(value)


def _labels(labels) -> Joined:
    """Enterprises named in a note: 企业A、企业C, or "Enterprise A, Enterprise C" in English."""
    return Joined(N_("、"), tuple(enterprise_label(label) for label in dict.fromkeys(labels)))


def _note(template: str, **params) -> Message:
    return Message(template, params)


def _notes(outcomes, usable, in_spread, results, data) -> list[Message]:
    if not outcomes:
        return [_note(N_("尚无试算：指引（六）要求采用多家企业的数据进行试算。"))]
    notes = []
    enterprises = len({outcome.label for outcome in usable})
    if enterprises < MIN_TRIAL_ENTERPRISES:
        notes.append(
            _note(
                N_(
                    "可以计算的试算只来自 %(count)d 家企业：指引（六）要求采用多家企业的数据进行试算，"
                    "提交送审须有至少 %(min)d 家企业的试算。"
                ),
                count=enterprises,
                min=MIN_TRIAL_ENTERPRISES,
            )
        )
    calculated = {id(outcome) for outcome in usable}
    failed = [outcome.label for outcome in outcomes if id(outcome) not in calculated]
    if failed:
        notes.append(
            _note(
                N_("%(count)d 项试算的数据无法计算（%(labels)s），未纳入结果统计，原因见数据缺口。"),
                count=len(failed),
                labels=_labels(failed),
            )
        )
    if len(data["units"]) > 1:
        listing = Joined(
            N_("；"),
            tuple(
                _note(
                    N_("%(unit)s：%(labels)s"),
                    unit=unit or Message(N_("（无单位）")),
                    labels=_labels(o.label for o in usable if str(o.result.get("unit") or "") == unit),
                )
                for unit in data["units"]
            ),
        )
        notes.append(
            _note(
                N_("试算结果的单位不一致（%(listing)s），离散程度只按多数试算的单位（%(unit)s）统计。"),
                listing=listing,
                unit=data["unit"],
            )
        )
    repeated = sorted(label for label, count in Counter(o.label for o in in_spread).items() if count > 1)
    if repeated:
        notes.append(_note(N_("%(labels)s有多项试算：离散程度按试算计，不按企业计。"), labels=_labels(repeated)))
    spread = data["spread"]
    if spread["n"] == 1:
        notes.append(
            _note(
                N_("只有 1 项试算结果（%(value)s %(unit)s），无法统计离散程度。"),
                value=_figure(spread["min"]),
                unit=spread["unit"],
            )
        )
    elif spread["n"] >= 2:
        parts = [
            _note(
                N_("%(n)d 项试算的碳足迹在 %(min)s（%(min_label)s）至 %(max)s（%(max_label)s）%(unit)s 之间"),
                n=spread["n"],
                min=_figure(spread["min"]),
                min_label=enterprise_label(spread["min_label"]),
                max=_figure(spread["max"]),
                max_label=enterprise_label(spread["max_label"]),
                unit=spread["unit"],
            ),
            _note(N_("平均值 %(value)s"), value=_figure(spread["mean"])),
            _note(N_("中位数 %(value)s"), value=_figure(spread["median"])),
            _note(N_("样本标准差 %(value)s"), value=_figure(spread["sd"])),
        ]
        if spread["cv_percent"] is not None:
            parts.append(_note(N_("变异系数 %(value)s"), value=display.pct(spread["cv_percent"])))
        if spread["max_over_min"] is not None:
            parts.append(_note(N_("最大值为最小值的 %(value)s 倍"), value=display.ratio(spread["max_over_min"])))
        notes.append(_note(N_("%(facts)s。"), facts=Joined(N_("，"), tuple(parts))))
    with_errors = [row for row in results if row["usable"] and row["errors"]]
    if with_errors:
        notes.append(
            _note(
                N_("%(labels)s的试算结果仍有未处理的错误（共 %(count)d 项）：其数据不完全符合规则要求。"),
                labels=_labels(row["label"] for row in with_errors),
                count=sum(row["errors"] for row in with_errors),
            )
        )
    unrated = [row["label"] for row in results if row["usable"] and row["data_quality"]["rating"] is None]
    if unrated:
        notes.append(_note(N_("%(labels)s的活动数据没有谱系矩阵评分，未评价数据质量。"), labels=_labels(unrated)))
    no_monte_carlo = [row["label"] for row in results if row["usable"] and row["monte_carlo"] is None]
    if no_monte_carlo:
        notes.append(_note(N_("%(labels)s未做蒙特卡洛不确定性分析。"), labels=_labels(no_monte_carlo)))
    if data["uncertainty_sources"]["summary"] is not None:
        notes.append(data["uncertainty_sources"]["summary"])
    return notes


def enterprise_label(label: str | None) -> Message | str:
    """An anonymised label (企业B) as a message, so that it reads "Enterprise B" in English; any
    other label as it is."""
    match = _ANONYMISED.match(label or "")
    return Message(ENTERPRISE, {"letter": match[1]}) if match else (label or "")
