"""Data quality (`_data_quality`): the pedigree scores of the counted lines, weighted by each
line's contribution |e_i|, rated with the EU PEF data-quality rating (DQR) bands, then "poor".

PURE: numpy and the standard library; no Flask, no database.
"""

import numpy as np

from workbench.trials.engine.model import Line
from workbench.trials.engine.reference import PEDIGREE_INDICATORS

# EU PEF data-quality rating bands (upper bounds, inclusive) applied to the weighted pedigree score.
QUALITY_BANDS = ((1.5, "excellent", "优秀"), (2.0, "very_good", "很好"), (3.0, "good", "好"), (4.0, "fair", "一般"))


def _data_quality(lines: list[Line], weights: np.ndarray) -> dict:
    """Pedigree scores weighted by each line's |contribution|; rated with the EU PEF DQR bands."""
    scored = [
        (line.pedigree, float(weight))
        for line, weight in zip(lines, weights, strict=True)
        if line.counted and line.pedigree
    ]
    total = float(weights.sum())
    covered = sum(weight for _, weight in scored)
    result = {
        "method": "pedigree",
        "indicators": None,
        "score": None,
        "rating": None,
        "rating_zh": None,
        "coverage_percent": 100 * covered / total if total else 0.0,
        "lines_without_pedigree": sum(1 for line in lines if line.counted and not line.pedigree),
    }
    if not scored or covered == 0:
        return result
    indicators = {
        name: sum(scores[position] * weight for scores, weight in scored) / covered
        for position, name in enumerate(PEDIGREE_INDICATORS)
    }
    score = sum(indicators.values()) / len(indicators)
    rating, rating_zh = next(((key, zh) for bound, key, zh in QUALITY_BANDS if score <= bound), ("poor", "差"))
    result.update(indicators=indicators, score=score, rating=rating, rating_zh=rating_zh)
    return result
