"""Trial calculation (试算) of a product carbon footprint: one enterprise's dataset under one rule.

PURE: numpy, scipy, pint (through `workbench.factors.units`), the guideline's vocabulary and
findings, the factor library's reference data and the standard library; no Flask, no database. A factor given by library id is resolved by the caller's
`factor_lookup(id) -> dict | None` (the library's snapshot shape: value, unit, tier, source, gases,
uncertainty); offline there is none. The dataset is expected to pass `dataset.validate`.

The calculation (docs/domain.md). Each activity line i gives

    e_i = amount_i × u_i × F_i × g_i / n

amount_i in the line's unit; u_i converts it to the activity unit of the factor (pint); F_i is the
factor in kg CO2e per activity unit (per-gas factors × GWP of the rule's gwp_set); g_i is the
scaling of the line's process times the allocation share of the product (1 for a single-process
dataset without co-products); n is the number of declared/functional units in the reference flow.
The CFP per unit is Σ e_i over the lines inside the boundary that are not excluded under cut-off.
With the scaling s of the foreground network (A·s = f, see `network`), B (lines × processes) holds
each line's activity and C the factors: result = C·B·s, kept per line so the breakdowns and
contributions add up exactly. Monte Carlo draws every uncertain amount, factor and exchange (A, B
and C) and solves A·s = f again for every draw.

The modules, reading the data apart from calculating as in Brightway's bw2calc; each imports only
from those listed before it:

    substitution  A·s = f along the supply order: `solve` for one demand, `Substitution` for all
                  Monte Carlo draws at once (the loops by iteration, a direct solve where that fails)
    reference     reference data: pedigree variances; GWP tables and the national grid factor
                  from the factor library
    model         the prepared model (Factor, Line, Technosphere, Model), UNUSABLE, the findings collector,
                  DatasetError and the small helpers the others share
    network       foreground processes, allocation shares, the technosphere matrix, `solve`
    reading       `prepare`: the dataset and the rule read into a Model
    conformance   how the data follow the rule
    cutoff        the cut-off report and its findings
    quality       data quality from the pedigree scores
    calculation   `calculate` and its `Result`: the static result, breakdowns, contributions
    montecarlo    `monte_carlo` with the sensitivity of the result to each input; `sample`
    scenarios     `compare`: the other method choices side by side

Each module states the decisions it makes. A name with a leading underscore is shared between
these modules only; what the application, the tests and the benchmarks use is re-exported here,
so `from workbench.trials import engine` then `engine.calculate(...)` stays the way in.
"""

from workbench.trials.engine.calculation import PRIMARY_SHARE_BASES, Result, calculate
from workbench.trials.engine.model import UNSPECIFIED_GAS, UNUSABLE, DatasetError, Factor, Line, Model, Technosphere
from workbench.trials.engine.montecarlo import (
    HISTOGRAM_BINS,
    SENSITIVITY_DRAWS,
    SENSITIVITY_METHOD,
    SENSITIVITY_TOP,
    Sample,
    monte_carlo,
    sample,
)
from workbench.trials.engine.quality import QUALITY_BANDS
from workbench.trials.engine.reading import ALLOCATION_MODES, ELECTRICITY_MODES, period_year, prepare
from workbench.trials.engine.reference import (
    DEFAULT_GWP_SET,
    GWP_SOURCE,
    GWP_SOURCES,
    grid_factor_years,
    gwp_source,
    gwp_table,
    national_grid_factor,
    pedigree_sigma,
    pedigree_variances,
)
from workbench.trials.engine.scenarios import compare
from workbench.trials.engine.substitution import solve

__all__ = [
    "ALLOCATION_MODES",
    "DEFAULT_GWP_SET",
    "ELECTRICITY_MODES",
    "GWP_SOURCE",
    "GWP_SOURCES",
    "PRIMARY_SHARE_BASES",
    "HISTOGRAM_BINS",
    "SENSITIVITY_DRAWS",
    "SENSITIVITY_METHOD",
    "SENSITIVITY_TOP",
    "QUALITY_BANDS",
    "UNSPECIFIED_GAS",
    "UNUSABLE",
    "DatasetError",
    "Factor",
    "Line",
    "Model",
    "Result",
    "Sample",
    "Technosphere",
    "calculate",
    "compare",
    "grid_factor_years",
    "gwp_source",
    "gwp_table",
    "monte_carlo",
    "national_grid_factor",
    "pedigree_sigma",
    "pedigree_variances",
    "period_year",
    "prepare",
    "sample",
    "solve",
]
