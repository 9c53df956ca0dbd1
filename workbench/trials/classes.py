"""Performance classes (分级) proposed from the trial results of a revision: the thresholds a drafting
group may copy into the rule's parameters.performance_classes (the 2024 plan's tiered management).
Nothing is saved: the group decides the classes, the workbench only proposes a starting point.

PURE: numpy and the standard library; no Flask, no database.

Decisions worth knowing:
- Grade k of n (1 级 the best, the lowest footprint) has as upper limit the k/n quantile of the
  results per declared unit (numpy's linear interpolation); the last grade's limit is the largest
  result, so every trial falls in a grade. Three or five grades.
- Limits are rounded up to three significant figures (889.93 → 890): a round number a standard can
  print, and a trial at the quantile stays inside its grade.
- At least as many results as grades: fewer results cannot tell so many grades apart. Two limits
  that round to the same number are one grade (fewer grades, renumbered), and a limit of 0 or
  below is left out (the template wants upper limits above 0).
- The proposal uses the results the feasibility report puts in its spread (usable, of record, in
  the most common unit), so it agrees with what the report shows.
"""

import math
from collections.abc import Sequence

import numpy as np

from workbench.messages import N_, Message

GRADE_COUNTS = (3, 5)
GRADE = N_("%(number)d 级")  # stored in the rule document in Chinese, as a standard prints it


def round_up(value: float, digits: int = 3) -> float:
    """`value` rounded up (towards +∞) to `digits` significant figures."""
    if value == 0 or not math.isfinite(value):
        return value
    step = 10.0 ** (math.floor(math.log10(abs(value))) - digits + 1)
    # A value already on the step (890.0000000001 from float noise) is not pushed to the next one.
    return round(math.ceil(round(value / step, 9)) * step, 12)


def propose(values: Sequence[float], grades: int = 3) -> list[dict]:
    """[{grade: "1 级", upper_limit}, …] from the results `values` (kg CO2e per declared unit)."""
    if grades not in GRADE_COUNTS:
        raise ValueError(f"grades must be one of {GRADE_COUNTS}")
    values = [float(value) for value in values]
    if len(values) < grades:
        raise ValueError("fewer results than grades")
    quantiles = np.quantile(np.array(values), [k / grades for k in range(1, grades + 1)])
    limits: list[float] = []
    for quantile in quantiles.tolist():
        limit = round_up(quantile)
        if limit > 0 and (not limits or limit > limits[-1]):
            limits.append(limit)
    return [
        {
            "grade": Message(GRADE, {"number": number}).render(),
            "upper_limit": int(limit) if limit.is_integer() else limit,
        }
        for number, limit in enumerate(limits, start=1)
    ]


def basis(revision: int, trials: int, unit: str, grades: int) -> str:
    """The proposal's basis as the rule would state it (Chinese, the document's language)."""
    return Message(
        N_("单位产品碳足迹（%(unit)s），按第 %(revision)d 版 %(trials)d 份试算结果的 %(grades)d 等分位数划分"),
        {"unit": unit, "revision": revision, "trials": trials, "grades": grades},
    ).render()
