"""Reference data of the trial calculation: the ecoinvent pedigree variances, read once from
workbench/trials/data/; the GWP tables and the national grid factor are the factor library's
reference data (workbench.factors.reference).

PURE: the standard library; no Flask, no database.

A pedigree (five indicator scores) gives a lognormal with σ² = basic variance (default 0.0006,
ecoinvent v3's default for the demand of energy and materials, to be checked) + the five
indicator variances.
"""

import csv
import functools
import math
from pathlib import Path

from workbench.factors.reference import (  # noqa: F401  (re-exported for the engine's modules)
    CFP_ELECTRICITY_KIND,
    CO2_ONLY_ELECTRICITY_KINDS,
    DEFAULT_GWP_SET,
    GWP_FILES,
    GWP_SOURCE,
    GWP_SOURCES,
    grid_factor_years,
    gwp_source,
    gwp_table,
    national_grid_factor,
)

DATA = Path(__file__).parent.parent / "data"
PEDIGREE_INDICATORS = (
    "reliability",
    "completeness",
    "temporal_correlation",
    "geographical_correlation",
    "technological_correlation",
)
DEFAULT_BASIC_VARIANCE = 0.0006  # ecoinvent v3 default basic uncertainty, demand of energy and materials


@functools.cache
def pedigree_variances() -> dict[str, tuple[float, ...]]:
    """Variance of ln added per indicator and score 1–5 (ecoinvent v3)."""
    with (DATA / "pedigree-ecoinvent-v3.csv").open(encoding="utf-8") as file:
        return {
            row["indicator"]: tuple(float(row[f"score_{score}"]) for score in range(1, 6))
            for row in csv.DictReader(file)
        }


def pedigree_sigma(scores, basic_variance: float = DEFAULT_BASIC_VARIANCE) -> float:
    """σ of ln for five pedigree scores (reliability, completeness, temporal, geographical,
    technological); GSD = exp(σ)."""
    table = pedigree_variances()
    variance = basic_variance + sum(
        table[name][int(score) - 1] for name, score in zip(PEDIGREE_INDICATORS, scores, strict=True)
    )
    return math.sqrt(variance)
