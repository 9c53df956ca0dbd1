"""Trial calculation (试算): the pure engine, being split into modules (see calculation.py)."""

from workbench.trials.engine.calculation import (
    HISTOGRAM_BINS,
    MONTE_CARLO_CHUNK,
    Result,
    calculate,
    check_dataset,
    compare,
    monte_carlo,
)
from workbench.trials.engine.conformance import (
    CATEGORY_NAMES,
    CATEGORY_STAGES,
    DATA_TYPE_NAMES,
    TIER_NAMES,
)
from workbench.trials.engine.model import (
    CHECKS,
    UNSPECIFIED_GAS,
    UNUSABLE,
    DatasetError,
    Factor,
    Line,
    Model,
)
from workbench.trials.engine.network import (
    solve,
)
from workbench.trials.engine.quality import (
    QUALITY_BANDS,
)
from workbench.trials.engine.reading import (
    ALLOCATION_MODES,
    ELECTRICITY_MODES,
    INSTRUMENT_NAMES,
    prepare,
)
from workbench.trials.engine.reference import (
    DEFAULT_GWP_SET,
    GWP_SOURCE,
    gwp_table,
    national_grid_factor,
    pedigree_sigma,
    pedigree_variances,
)

__all__ = [
    "ALLOCATION_MODES",
    "CATEGORY_NAMES",
    "CATEGORY_STAGES",
    "CHECKS",
    "DATA_TYPE_NAMES",
    "DEFAULT_GWP_SET",
    "ELECTRICITY_MODES",
    "GWP_SOURCE",
    "HISTOGRAM_BINS",
    "INSTRUMENT_NAMES",
    "MONTE_CARLO_CHUNK",
    "QUALITY_BANDS",
    "TIER_NAMES",
    "UNSPECIFIED_GAS",
    "UNUSABLE",
    "DatasetError",
    "Factor",
    "Line",
    "Model",
    "Result",
    "calculate",
    "check_dataset",
    "compare",
    "gwp_table",
    "monte_carlo",
    "national_grid_factor",
    "pedigree_sigma",
    "pedigree_variances",
    "prepare",
    "solve",
]
