"""The cut-off report (`_cut_off`): the lines left out under the rule's cut-off criteria against
its per-item and total thresholds, and the counted lines small enough to be candidates.

PURE: numpy, the guideline's findings and the standard library; no Flask, no database.

A line marked `excluded` is an estimate of an input left out under the rule's cut-off criteria.
It is not counted; its share of the full total (counted + excluded) must stay below the per-item
threshold, and all excluded lines together within the total threshold. Counted lines below the
per-item threshold are listed as candidates.
"""

import numpy as np

from workbench.guideline import Finding
from workbench.trials.engine.model import _Collector, _dict


def _cut_off(params, lines, emission, counted, excluded) -> tuple[dict, list[Finding]]:
    rule = _dict(params.get("cut_off"))
    per_item, total_limit = float(rule.get("per_item_percent", 1)), float(rule.get("total_percent", 5))
    full = float(emission[counted | excluded].sum())
    share = 100 * np.abs(emission) / abs(full) if full else np.zeros_like(emission)
    report = _Collector()
    excluded_lines = []
    for line, percent in zip(lines, share, strict=True):
        if not line.excluded:
            continue
        excluded_lines.append({"path": f"/lines/{line.index}", "item": line.item, "percent": float(percent)})
        if percent >= per_item:
            report.add(
                "cut_off_item_exceeded",
                f"/lines/{line.index}/excluded",
                item=line.item,
                line=f"/lines/{line.index}",
                percent=float(percent),
                limit=f"{per_item:g}",
            )
    excluded_percent = float(share[excluded].sum())
    if excluded_percent > total_limit:
        report.add("cut_off_total_exceeded", "/lines", percent=excluded_percent, limit=f"{total_limit:g}")
    below = [
        {"path": f"/lines/{line.index}", "item": line.item, "percent": float(percent)}
        for line, percent in zip(lines, share, strict=True)
        if line.counted and percent < per_item
    ]
    return {
        "per_item_percent": per_item,
        "total_percent": total_limit,
        "excluded": excluded_lines,
        "excluded_percent": excluded_percent,
        "within_total": excluded_percent <= total_limit,
        "below_threshold": below,
        "below_threshold_percent": float(sum(item["percent"] for item in below)),
    }, report.findings
