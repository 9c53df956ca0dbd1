"""The prepared model the calculation runs on (Factor, Line, Model), how the engine reports
findings (the collector, DatasetError) and the small helpers the engine's modules share.

PURE: pint (through `workbench.factors.units`), the guideline's catalogue and the standard
library; no Flask, no database. Every finding's code, severity, article and message come from
the catalogue (workbench/guideline/catalogue/data.py); the engine decides only which of them
make a dataset unusable.
"""

import functools
import math
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from workbench.factors import units
from workbench.factors.uncertainty import DISTRIBUTION_NAMES
from workbench.guideline import Finding, finding
from workbench.guideline.findings import sort_key
from workbench.messages import N_, Message
from workbench.trials.engine.reference import DEFAULT_BASIC_VARIANCE, pedigree_sigma

UNSPECIFIED_GAS = "unspecified"  # CO2e factors not split by gas

# Findings that make a dataset unusable: `calculate` raises DatasetError with them.
UNUSABLE = (
    "unit_not_convertible",
    "factor_unresolved",
    "gwp_unavailable",
    "uncertainty_invalid",
    "network_invalid",
    "allocation_data_missing",
)


class DatasetError(ValueError):
    """The dataset cannot be calculated. `problems` are error findings (codes in UNUSABLE), each
    naming the place and what to change; `findings` are the other findings collected so far."""

    def __init__(self, problems: list[Finding], findings: list[Finding]):
        self.problems = _sorted(problems)
        self.findings = _sorted(findings)
        first = self.problems[0]
        if len(problems) > 1:
            self.message = Message(
                N_("%(path)s: %(first)s（另有 %(more)d 处问题）"),
                {"path": first.path, "first": Message(first.template, first.params), "more": len(problems) - 1},
            )
        else:
            self.message = Message(
                N_("%(path)s: %(first)s"), {"path": first.path, "first": Message(first.template, first.params)}
            )
        super().__init__(self.message.render())


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
    direct: bool = False  # a direct emission in mass of a gas: the "factor" is the gas's GWP
    kind: str = ""  # the library's kind of factor (cfp_life_cycle, co2_location_based …), if given
    co2_only: bool = False  # given in CO2 alone (kgCO2/kWh), no other gas or CO2e


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
    process: str | None = None  # the process id of a foreground network (Technosphere.process_columns)
    ratio: float = 0.0  # activity-unit conversion / reference units: coefficient without the scaling


@dataclass
class Technosphere:
    """The foreground network as Monte Carlo draws it. Each entry of A (products × columns) is
    `multiplier × amount` of one exchange of the dataset: +1 × an output's amount on the diagonal,
    −(unit ratio × allocation share) × an input's amount below or above it. An exchange of a
    multi-output process is one draw shared by all its columns; the allocation shares stay those
    of the reported amounts (as in an allocated system model, the uncertainty sits on the
    exchanges). The reference flow (the demand) is certain."""

    size: int  # columns: one per (process, output)
    rows: np.ndarray  # entry → product row
    columns: np.ndarray  # entry → column
    multipliers: np.ndarray  # entry → sign × unit ratio × share
    exchange_of_entry: np.ndarray  # entry → exchange
    amounts: np.ndarray  # exchange → amount as given, in its own unit
    uncertainty: list[tuple | None]  # exchange → distribution of its amount
    paths: list[str]  # exchange → "/processes/2/inputs/0"
    labels: list[str]  # exchange → "P2 ← 熟料" (input) / "P2 → 水泥" (output)
    demand: np.ndarray
    process_columns: dict  # process id → [(column, allocation share)]

    @property
    def values(self) -> np.ndarray:
        """The static entries of A."""
        return self.multipliers * self.amounts[self.exchange_of_entry]

    @property
    def matrix(self) -> sparse.csc_array:
        """The static A."""
        return sparse.csc_array((self.values, (self.rows, self.columns)), shape=(self.size, self.size))

    @property
    def uncertain(self) -> bool:
        return any(spec is not None for spec in self.uncertainty)


@dataclass
class Model:
    unit: str  # e.g. "kg CO2e/t"
    reference_units: float
    gwp_set: str
    lines: list[Line]
    factors: list[Factor]
    allocation: dict
    network: list[dict] | None
    # The rule's additional declared/functional units, each with how many of it the dataset's
    # reference flow for it holds (None when the dataset gives no reference flow for it).
    additional_units: list[tuple[dict, float | None]] = field(default_factory=list)
    technosphere: Technosphere | None = None


# --- findings ---------------------------------------------------------------------------------------


class _Collector:
    def __init__(self):
        self.findings: list[Finding] = []
        self.problems: list[Finding] = []

    def add(self, code: str, path: str, variant: str = "", **params) -> None:
        (self.problems if code in UNUSABLE else self.findings).append(finding(code, path, variant, **params))


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=sort_key)


# --- reading the dataset's JSON ---------------------------------------------------------------------


def _params(rule) -> dict:
    return _dict(_dict(rule).get("parameters"))


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _name(line: dict, index: int) -> Message:
    """How a finding names an activity line: 活动数据 /lines/3（“外购电力”）."""
    return Message(
        N_("活动数据 %(path)s（“%(item)s”）"), {"path": f"/lines/{index}", "item": str(line.get("item", ""))}
    )


def _reason(error: ValueError) -> Message | str:
    """Why a unit did not read or convert, in the reader's language where the units say it."""
    return getattr(error, "message", None) or str(error)


# --- units (cached: pint takes a third of a millisecond per conversion) -----------------------------


@functools.lru_cache(maxsize=4096)
def _activity_ratio(line_unit: str, factor_unit: str) -> float:
    """How many of the factor's activity unit one `line_unit` is."""
    parsed = units.factor_unit(factor_unit)
    if line_unit.strip() == factor_unit.split("/", 1)[1].strip():
        return 1.0  # the same word is the same unit, also for units pint does not know
    return units.conversion(line_unit, parsed.activity)


def _direct_emission(line_unit: str) -> tuple[float, str] | None:
    """(kilograms per unit, gas) when a line's unit is a mass of a gas (kg CF4): a direct emission."""
    return units.gas_mass(line_unit)


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


# --- uncertainty -----------------------------------------------------------------------------------


def _distribution(spec, static: float, path: str, report: _Collector) -> tuple | None:
    """("lognormal", σ) | ("normal", sd) | ("triangular", min, max) | ("uniform", min, max), or None.
    Lognormal has the static value as its median, normal as its mean, triangular as its mode; a
    pedigree gives a lognormal (`reference.pedigree_sigma`)."""
    if not isinstance(spec, dict):
        return None
    kind = spec.get("distribution")
    if kind is None:
        if not spec.get("pedigree"):
            return None
        return (
            "lognormal",
            pedigree_sigma(spec["pedigree"], float(spec.get("basic_variance", DEFAULT_BASIC_VARIANCE))),
        )
    if kind == "lognormal":
        return ("lognormal", float(spec["sigma"]) if "sigma" in spec else math.log(float(spec["gsd"])))
    if kind == "normal":
        return ("normal", float(spec["sd"]))
    low, high = float(spec["min"]), float(spec["max"])
    if not low <= static <= high or low >= high:
        report.add(
            "uncertainty_invalid",
            path,
            distribution=Message(DISTRIBUTION_NAMES[kind]),
            low=f"{low:g}",
            high=f"{high:g}",
            value=f"{static:g}",
        )
        return None
    return (kind, low, high)
