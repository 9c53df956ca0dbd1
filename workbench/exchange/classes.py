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
- Bins: equal-width, from the lowest to the highest value (or the last class limit when it is
  higher), at most MAX_BINS; each bin counts its lower edge and, for the last, its upper edge.
"""

import math
import statistics
from collections.abc import Iterable, Sequence

from workbench.messages import N_

BEYOND = N_("超出分级")  # a value above the last class limit
MAX_BINS = 12


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


def bins(values: Sequence[float], classes: Sequence[dict] | None = None, count: int | None = None) -> list[dict]:
    """Equal-width bins over the values (and the class limits, so the thresholds fall on the axis):
    [{low, high, count}]. Empty when there are no values."""
    values = [float(value) for value in values]
    if not values:
        return []
    limits = [limit for limit, _grade in _limits(classes)]
    low = min(values)
    high = max([*values, *limits]) if limits else max(values)
    low = min(low, min(limits)) if limits else low
    if count is None:
        count = min(MAX_BINS, max(1, math.ceil(math.sqrt(len(values))) + 2))
    if high <= low:
        return [{"low": low, "high": high, "count": len(values)}]
    width = (high - low) / count
    rows = [{"low": low + index * width, "high": low + (index + 1) * width, "count": 0} for index in range(count)]
    for value in values:
        index = min(count - 1, int((value - low) / width))
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
