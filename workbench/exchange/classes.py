"""Performance classes (分级管理) of declared footprints: which class a value falls in, the benchmark
(the median) and the bins of the distribution chart on a rule's declarations page.

PURE: the standard library only; no Flask, no database.

Decisions worth knowing:
- The classes are the rule's parameters.performance_classes.classes, [{grade, upper_limit}], in
  the order the rule lists them (1 级 the best, the lowest limit). A value belongs to the first
  class whose upper limit it does not exceed (the limit itself is inside the class, as a standard
  writes "≤"). A value above the last limit is in no class: None, said as "超出分级" on the pages.
- The classes are sorted by their limit before reading, so a rule that lists them out of order
  still gives each value its right class; entries without a number as limit are ignored.
- The benchmark is the median (statistics.median: the mean of the two middle values when even).
- Bins: round edges (a step of 1, 2, 2.5 or 5 × 10ⁿ) spanning the values and the class limits,
  about √n + 2 of them and at most MAX_BINS. Where the rule has classes every limit is an edge:
  the step is one that divides all the limits when such a step gives at most MAX_BINS bins, else
  the limits are added to the round edges (and round edges too close to a limit dropped), so the
  bins are then of unequal width. A bin holds the values above its lower edge up to and including
  its upper edge, as a class does ("≤ limit"): a bar never straddles two classes.
- The grade is the rule's own text, as the standard prints it ("2 级"); class_number reads the
  number out of it so that the pages can say it in the reader's language ("Class 2").
"""

import math
import re
import statistics
from collections.abc import Iterable, Sequence

from workbench.messages import N_

BEYOND = N_("超出分级")  # a value above the last class limit
MAX_BINS = 12
STEPS = (1, 2, 2.5, 5)  # the round steps in each power of ten
_GRADE = re.compile(r"^\s*(\d{1,3})\s*级\s*$")


def _limits(classes: Sequence[dict] | None) -> list[tuple[float, str]]:
    rows = []
    for item in classes or ():
        if not isinstance(item, dict):
            continue
        limit = item.get("upper_limit")
        if isinstance(limit, bool) or not isinstance(limit, int | float) or not math.isfinite(limit):
            continue
        rows.append((float(limit), str(item.get("grade", ""))))
    return sorted(rows, key=lambda row: row[0])


def classes_of(parameters: dict | None) -> list[dict]:
    """The classes a rule's parameters define ([] when none): [{grade, upper_limit}] by limit."""
    performance = (parameters or {}).get("performance_classes")
    if not isinstance(performance, dict):
        return []
    return [{"grade": grade, "upper_limit": limit} for limit, grade in _limits(performance.get("classes"))]


def basis_of(parameters: dict | None) -> str:
    """The rule's stated basis of its classes ('' when none)."""
    performance = (parameters or {}).get("performance_classes")
    return str(performance.get("basis") or "") if isinstance(performance, dict) else ""


def class_of(value: float, classes: Sequence[dict] | None) -> str | None:
    """The grade of `value` (kg CO2e per declared unit) under `classes`; None above the last limit
    or when the rule has no classes."""
    for limit, grade in _limits(classes):
        if value <= limit:
            return grade
    return None


def benchmark(values: Iterable[float]) -> float | None:
    """The median of `values`, or None when there are none."""
    values = [float(value) for value in values if value is not None and math.isfinite(float(value))]
    return statistics.median(values) if values else None


def class_number(grade: str | None) -> int | None:
    """The number of a grade written "N 级" (the way the standards print it), else None."""
    match = _GRADE.match(grade or "")
    return int(match.group(1)) if match else None


def _round_steps(span: float):
    """Round steps (1, 2, 2.5, 5 × 10ⁿ), ascending, from one giving over MAX_BINS bins over `span`."""
    power = math.floor(math.log10(span / MAX_BINS))
    for exponent in range(power, power + 3):
        for factor in STEPS:
            yield factor * 10.0**exponent


def _multiple(value: float, step: float) -> bool:
    ratio = value / step
    return abs(ratio - round(ratio)) < 1e-9 * max(1.0, abs(ratio))


def _edges(values: list[float], limits: list[float], step: float) -> list[float]:
    """Multiples of `step` from below the lowest value (strictly: a bin holds its upper edge) and
    the lowest limit to the highest value and limit."""
    first = (math.ceil(min(values) / step - 1e-9) - 1) * step
    last = math.ceil(max(values) / step - 1e-9) * step
    if limits:
        first = min(first, math.floor(limits[0] / step + 1e-9) * step)
        last = max(last, math.ceil(limits[-1] / step - 1e-9) * step)
    count = round((last - first) / step)
    return [round(first + index * step, 10) for index in range(count + 1)]


def bin_edges(values: Sequence[float], classes: Sequence[dict] | None = None) -> list[float]:
    """The edges of the chart's bins (see the module's docstring); [] when there are no values."""
    values = [float(value) for value in values]
    if not values:
        return []
    limits = [limit for limit, _grade in _limits(classes)]
    low, high = min([*values, *limits]), max([*values, *limits])
    span = high - low or abs(high) * 0.1 or 1.0
    target = min(MAX_BINS, max(1, math.ceil(math.sqrt(len(values))) + 2))
    candidates = []
    for step in _round_steps(span):
        edges = _edges(values, limits, step)
        if len(edges) - 1 <= MAX_BINS and all(_multiple(limit, step) for limit in limits):
            candidates.append((abs(len(edges) - 1 - target), abs(math.log(step * target / span)), edges))
    if candidates:
        return min(candidates)[2]
    # No round step divides every limit: the round edges for the values, and the limits.
    step = next(step for step in _round_steps(span) if len(_edges(values, limits, step)) - 1 <= target)
    round_edges = [
        edge for edge in _edges(values, limits, step) if all(abs(edge - limit) > step / 4 for limit in limits)
    ]
    edges = sorted({*round_edges, *limits})
    if edges[0] >= min(values):  # the lowest value sits on a limit: a bin below it holds it
        edges.insert(0, edges[0] - step)
    if edges[-1] < max(values):
        edges.append(edges[-1] + step)
    return edges


def bins(values: Sequence[float], classes: Sequence[dict] | None = None) -> list[dict]:
    """The bins of the chart over the values (and the class limits, so the thresholds fall on the
    axis, at bin edges): [{low, high, count}]. Empty when there are no values."""
    values = [float(value) for value in values]
    edges = bin_edges(values, classes)
    rows = [{"low": low, "high": high, "count": 0} for low, high in zip(edges, edges[1:], strict=False)]
    for value in values:
        # The first bin whose upper edge the value does not exceed (with room for rounding).
        index = next(
            (i for i, row in enumerate(rows) if value <= row["high"] + 1e-9 * max(1.0, abs(value))), len(rows) - 1
        )
        rows[index]["count"] += 1
    return rows


def chart_data(values: Sequence[float], classes: Sequence[dict] | None, benchmark_value: float | None) -> dict:
    """What the chart script reads: the bins, the class thresholds and the benchmark."""
    return {
        "bins": [
            {"low": round(row["low"], 6), "high": round(row["high"], 6), "count": row["count"]}
            for row in bins(values, classes)
        ],
        "thresholds": [{"grade": grade, "limit": limit} for limit, grade in _limits(classes)],
        "benchmark": benchmark_value,
        "values": sorted(float(value) for value in values),
    }
