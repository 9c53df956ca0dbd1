"""The prepared model the calculation runs on (Factor, Line, Model), the findings it can report
(CHECKS, the collector, DatasetError) and the small helpers the engine's modules share.

PURE: pint (through `workbench.trials.units`), the drafting `Finding` and the standard library; no
Flask, no database.
"""

import functools
from dataclasses import dataclass

from workbench.drafting.checks import Finding
from workbench.trials import units

UNSPECIFIED_GAS = "unspecified"  # CO2e factors not split by gas

# code: (severity, article). The first group makes a dataset unusable: `calculate` raises.
CHECKS = {
    "unit_not_convertible": ("error", "指引(四)"),
    "factor_unresolved": ("error", "指引(五)"),
    "gwp_unavailable": ("error", "GB/T 24067-2024"),
    "uncertainty_invalid": ("error", "指引(四)"),
    "network_invalid": ("error", "指引(六)"),
    "allocation_data_missing": ("error", "GB/T 24067-2024"),
    "stage_outside_boundary": ("error", "指引(三)"),
    "primary_data_missing": ("error", "指引(四)"),
    "secondary_type_not_allowed": ("error", "指引(四)"),
    "secondary_priority_unjustified": ("warning", "指引(四)"),
    "secondary_source_missing": ("error", "指引(四)"),
    "activity_category_empty": ("warning", "指引(四)"),
    "electricity_instrument_not_allowed": ("warning", "指引(四)"),
    "electricity_evidence_missing": ("warning", "指引(四)"),
    "factor_source_missing": ("error", "指引(五)"),
    "factor_tier_not_allowed": ("error", "指引(五)"),
    "factor_lower_tier": ("warning", "指引(五)"),
    "factor_value_mismatch": ("warning", "指引(五)"),
    "allocation_method_unsupported": ("warning", "GB/T 24067-2024"),
    "cut_off_item_exceeded": ("error", "GB/T 24067-2024"),
    "cut_off_total_exceeded": ("error", "GB/T 24067-2024"),
}
UNUSABLE = (
    "unit_not_convertible",
    "factor_unresolved",
    "gwp_unavailable",
    "uncertainty_invalid",
    "network_invalid",
    "allocation_data_missing",
)
_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


class DatasetError(ValueError):
    """The dataset cannot be calculated. `problems` are error findings (codes in UNUSABLE), each
    naming the place and what to change; `findings` are the other findings collected so far."""

    def __init__(self, problems: list[Finding], findings: list[Finding]):
        self.problems = _sorted(problems)
        self.findings = _sorted(findings)
        more = f"（另有 {len(problems) - 1} 处问题）" if len(problems) > 1 else ""
        super().__init__(f"{self.problems[0].path}: {self.problems[0].message}{more}")


@dataclass
class Factor:
    """A factor as the calculation uses it. value = raw × scale, in kg CO2e per activity unit; the
    uncertainty describes `raw`, the number as given (or the per-gas CO2e sum in the factor's
    mass unit)."""

    key: str  # "id:<id>" for a library factor (drawn once per iteration), "line:<index>" otherwise
    unit: str
    raw: float
    scale: float
    value: float
    gases: dict[str, float]  # kg CO2e per activity unit by gas
    biogenic: float  # kg CO2e per activity unit
    tier: str
    source: str
    uncertainty: tuple | None


@dataclass
class Line:
    index: int
    stage: str
    category: str
    item: str
    data_type: str
    amount: float
    unit: str
    factor: int  # index into Model.factors
    factor_path: str  # where the factor is in the dataset
    coefficient: float  # activity-unit conversion × scaling × allocation share / reference units
    counted: bool  # inside the boundary and not excluded under cut-off
    excluded: bool
    uncertainty: tuple | None
    pedigree: tuple | None
    electricity: str | None  # "grid" | "contractual" for electricity lines


@dataclass
class Model:
    unit: str  # e.g. "kg CO2e/t"
    reference_units: float
    gwp_set: str
    lines: list[Line]
    factors: list[Factor]
    allocation: dict
    network: list[dict] | None


# --- findings ---------------------------------------------------------------------------------------


class _Collector:
    def __init__(self):
        self.findings: list[Finding] = []
        self.problems: list[Finding] = []

    def add(self, code: str, path: str, message: str) -> None:
        severity, article = CHECKS[code]
        (self.problems if code in UNUSABLE else self.findings).append(Finding(code, severity, article, path, message))


def _sorted(findings: list[Finding]) -> list[Finding]:
    def key(finding: Finding):
        parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in finding.path.split("/"))
        return (_SEVERITY_RANK.get(finding.severity, 3), parts, finding.code, finding.message)

    return sorted(findings, key=key)


# --- reading the dataset's JSON ---------------------------------------------------------------------


def _params(rule) -> dict:
    return _dict(_dict(rule).get("parameters"))


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _name(line: dict, index: int) -> str:
    return f"活动数据 /lines/{index}（“{line.get('item', '')}”）"


# --- units (cached: pint takes a third of a millisecond per conversion) -----------------------------


@functools.lru_cache(maxsize=4096)
def _activity_ratio(line_unit: str, factor_unit: str) -> float:
    """How many of the factor's activity unit one `line_unit` is."""
    parsed = units.factor_unit(factor_unit)
    if line_unit.strip() == factor_unit.split("/", 1)[1].strip():
        return 1.0  # the same word is the same unit, also for units pint does not know
    return units.conversion(line_unit, parsed.activity)


@functools.lru_cache(maxsize=1024)
def _mass_to_kg(factor_unit: str) -> tuple[float, str]:
    """(kilograms per mass unit of the factor, the factor's gas: CO2e, CO2, CH4 …)."""
    parsed = units.factor_unit(factor_unit)
    return units.registry.Quantity(1, parsed.mass).to("kg").magnitude, parsed.gas


@functools.lru_cache(maxsize=4096)
def _ratio(from_unit: str, to_unit: str) -> float:
    """How many `to_unit` one `from_unit` is."""
    if from_unit.strip() == to_unit.strip():
        return 1.0
    return units.conversion(from_unit, units.activity_unit(to_unit))
