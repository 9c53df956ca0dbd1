"""Data quality (`_data_quality`): the pedigree scores of the counted lines, weighted by each
line's contribution |e_i|, rated with the EU PEF data-quality rating (DQR) bands, then "poor".

PURE: numpy, the guideline's vocabulary and the standard library; no Flask, no database. A
result keeps the rating's code and its Chinese label (`rating_zh`, as results always stored it);
pages show the code's label in the reader's language.
"""

import numpy as np

from workbench.guideline.vocabulary import QUALITY_RATINGS
from workbench.trials.engine.model import Line
from workbench.trials.engine.reference import PEDIGREE_INDICATORS

# EU PEF data-quality rating bands (upper bounds, inclusive) applied to the weighted pedigree score.
QUALITY_BANDS = ((1.5, "excellent"), (2.0, "very_good"), (3.0, "good"), (4.0, "fair"))
BELOW_BANDS = "poor"


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
    rating = next((key for bound, key in QUALITY_BANDS if score <= bound), BELOW_BANDS)
    result.update(indicators=indicators, score=score, rating=rating, rating_zh=QUALITY_RATINGS.label(rating))
    return result
