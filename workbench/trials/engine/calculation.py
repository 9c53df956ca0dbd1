"""Trial calculation (试算) of a product carbon footprint: one enterprise's dataset under one rule.

PURE: numpy, scipy, pint (through `workbench.trials.units`), the drafting `Finding` and the
standard library; no Flask, no database. A factor given by library id is resolved by the caller's
`factor_lookup(id) -> dict | None` (the library's snapshot shape: value, unit, tier, source, gases,
uncertainty); offline there is none. The dataset is expected to pass `dataset.validate`.

The calculation (DOMAIN.md §5). Each activity line i gives

    e_i = amount_i × u_i × F_i × g_i / n

amount_i in the line's unit; u_i converts it to the activity unit of the factor (pint); F_i is the
factor in kg CO2e per activity unit (per-gas factors × GWP of the rule's gwp_set); g_i is the
scaling of the line's process times the allocation share of the product (1 for a single-process
dataset without co-products); n is the number of declared/functional units in the reference flow.
The CFP per unit is Σ e_i over the lines inside the boundary that are not excluded under cut-off.

Foreground networks: processes (each with outputs and intermediate inputs) form the technosphere
matrix A (products × processes, outputs positive, inputs negative), the demand f is the reference
flow, s = A⁻¹ f by scipy.sparse.linalg.spsolve (processes first put in supply order, where A is
near triangular, then the natural column ordering: see `solve`). A multi-output process is split
into one column per output, each carrying its allocation share of the inputs and lines
(ecoinvent's allocated system model), so A stays square. B (lines × processes) holds each line's activity, C the
factors: result = C·B·s, kept per line so the breakdowns and contributions add up exactly.

Decisions worth knowing:
- Fossil and biogenic: a factor's `biogenic` is the biogenic part of its CO2e (same mass unit as
  `value`); with per-gas values and no `biogenic`, non-fossil CH4 is the biogenic part. The CFP
  includes both (GB/T 24067 / ISO 14067 count biogenic emissions and removals and report them
  separately); `fossil` + `biogenic` = `cfp_per_unit`.
- Per-gas values (`gases`) are in the mass unit of the factor's unit per activity unit (kg for
  kgCO2e/…). With `gases`, the CO2e value is recomputed with the rule's GWP set; a `value` that
  disagrees by more than 1 % is reported (it was probably computed with another GWP set).
- Electricity: a line with an `electricity` object is electricity. Without a `factor`, and with the
  rule's grid_factor national_average, it takes the latest national life-cycle factor published
  by MEE (data/electricity-factors.csv). A contractual instrument is used only when the rule
  allows contractual instruments, lists the instrument (or lists none) and the line carries
  evidence; otherwise a finding, and the grid factor. Partly covered consumption is two lines.
- Allocation: physical by the outputs' amounts (converted to the first output's unit), economic
  by amount × price. A rule method other than physical or economic (avoid, system expansion,
  other) cannot be computed from a dataset: a multi-output process then gets a finding and
  physical allocation, so the trial still runs.
- Cut-off: a line marked `excluded` is an estimate of an input left out under the rule's cut-off
  criteria. It is not counted; its share of the full total (counted + excluded) must stay below
  the per-item threshold, and all excluded lines together within the total threshold. Counted
  lines below the per-item threshold are listed as candidates.
- Activity categories (指引(四)): each category the rule lists is expected in the stages where it
  normally arises, among the stages the rule includes: raw_materials in raw_material_acquisition;
  energy, process_emissions in production; transport in raw_material_acquisition (to the plant)
  and distribution; waste_treatment in production and end_of_life. A category whose stages are
  all excluded is expected somewhere in the dataset.
- Secondary data (指引(四)): a type the rule's priority does not list is an error; a type other
  than the first in the rule's priority needs a `justification` (why better data were not
  available). Secondary data need a `source`; every factor needs a `source` (指引(五)).
- Primary data share: by contribution |e_i|, a line counting as primary only when its data are
  primary and its factor is measured_verified (PACT). Data quality: the pedigree scores of the
  lines, weighted by |e_i|, rated with the EU PEF DQR bands.
- Uncertainty: a line's `uncertainty` describes its amount, a factor's `uncertainty` the factor.
  Lognormal has the static value as its median (so the Monte Carlo mean lies above the static
  value); normal has it as its mean, triangular as its mode; bounds (min, max) and sd are in the
  quantity's own unit. A pedigree gives a lognormal with σ² = basic variance (default 0.0006,
  ecoinvent v3's default for the demand of energy and materials, to be checked) + the five
  indicator variances. A library factor is drawn once per iteration, whichever lines use it.
"""

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from workbench.drafting.checks import STAGES, Finding
from workbench.trials.engine.conformance import _conformance
from workbench.trials.engine.cutoff import _cut_off
from workbench.trials.engine.model import UNSPECIFIED_GAS, DatasetError, Model, _dict, _list, _params, _sorted
from workbench.trials.engine.quality import _data_quality
from workbench.trials.engine.reading import prepare
from workbench.trials.engine.reference import GWP_SOURCE, gwp_table

HISTOGRAM_BINS = 30
MONTE_CARLO_CHUNK = 1000  # iterations drawn at once: bounded memory, same numbers for the same seed


# --- calculating ------------------------------------------------------------------------------------


@dataclass
class Result:
    cfp_per_unit: float
    unit: str
    reference_units: float
    total: float  # kg CO2e for the whole reference flow
    by_stage: dict[str, float]
    by_category: dict[str, float]
    by_gas: dict[str, float]
    fossil: float
    biogenic: float
    primary_data_share: float  # percent of |contributions|
    data_quality: dict
    electricity: list[dict]
    allocation: dict
    network: list[dict] | None
    cut_off: dict
    contributions: list[dict]
    gwp: dict
    findings: list[Finding]
    model: Model = field(repr=False)

    def as_dict(self) -> dict:
        """The result as JSON-ready data (the model stays out)."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__ if name not in ("model", "findings")}
        data["findings"] = [asdict(finding) for finding in self.findings]
        return data


def calculate(
    rule: dict,
    dataset: dict,
    *,
    factor_lookup: Callable[[str], dict | None] | None = None,
    better_factor: Callable[[dict], str | None] | None = None,
    electricity: str = "rule",
    allocation: str = "rule",
    top: int = 10,
) -> Result:
    """The footprint of `dataset` under `rule`, with its breakdowns and findings. Raises
    DatasetError when the dataset cannot be calculated. `better_factor(line)` returns the best tier
    the caller's factor library holds for the line's item, or None."""
    model, findings, problems = prepare(
        rule, dataset, factor_lookup=factor_lookup, electricity=electricity, allocation=allocation
    )
    params = _params(rule)
    findings = findings + _conformance(params, dataset, model, better_factor)
    if problems:
        raise DatasetError(problems, findings)
    lines, factors = model.lines, model.factors
    size = len(lines)
    amount = np.fromiter((line.amount for line in lines), float, size)
    coefficient = np.fromiter((line.coefficient for line in lines), float, size)
    factor_value = np.fromiter((factors[line.factor].value for line in lines), float, size)
    counted = np.fromiter((line.counted for line in lines), bool, size)
    excluded = np.fromiter((line.excluded for line in lines), bool, size)
    emission = amount * coefficient * factor_value  # per declared/functional unit
    contribution = np.where(counted, emission, 0.0)
    cfp = float(contribution.sum())

    by_stage = {
        stage: 0.0 for stage in STAGES if stage in _list(_dict(params.get("system_boundary")).get("stages_included"))
    }
    by_category: dict[str, float] = {}
    by_gas: dict[str, float] = {}
    biogenic = 0.0
    for line, value in zip(lines, contribution, strict=True):
        if not line.counted:
            continue
        by_stage[line.stage] = by_stage.get(line.stage, 0.0) + float(value)
        by_category[line.category] = by_category.get(line.category, 0.0) + float(value)
        factor = factors[line.factor]
        per_activity = line.amount * line.coefficient
        for gas, gas_value in factor.gases.items():
            by_gas[gas] = by_gas.get(gas, 0.0) + per_activity * gas_value
        biogenic += per_activity * factor.biogenic

    weights = np.abs(contribution)
    weight_total = float(weights.sum())
    primary = np.fromiter(
        (line.data_type == "primary" and factors[line.factor].tier == "measured_verified" for line in lines), bool, size
    )
    primary_share = 100 * float(weights[primary].sum()) / weight_total if weight_total else 0.0

    cut_off, cut_findings = _cut_off(params, lines, emission, counted, excluded)
    findings = _sorted(findings + cut_findings)
    order = np.argsort(-weights, kind="stable")[: max(top, 0)]
    contributions = [
        {
            "path": f"/lines/{lines[i].index}",
            "stage": lines[i].stage,
            "category": lines[i].category,
            "item": lines[i].item,
            "kg_co2e_per_unit": float(contribution[i]),
            "percent": 100 * float(contribution[i]) / cfp if cfp else 0.0,
        }
        for i in order
        if lines[i].counted
    ]
    electricity_report = [
        {
            "path": f"/lines/{line.index}",
            "item": line.item,
            "amount": line.amount,
            "unit": line.unit,
            "method": line.electricity,
            "factor": factors[line.factor].value,
            "factor_unit": "kgCO2e/" + factors[line.factor].unit.split("/", 1)[1].strip(),
            "source": factors[line.factor].source,
        }
        for line in lines
        if line.electricity
    ]
    gwp = gwp_table(model.gwp_set) or {}
    used_gases = sorted({gas for factor in factors for gas in factor.gases if gas != UNSPECIFIED_GAS})
    return Result(
        cfp_per_unit=cfp,
        unit=model.unit,
        reference_units=model.reference_units,
        total=cfp * model.reference_units,
        by_stage=by_stage,
        by_category=by_category,
        by_gas=by_gas,
        fossil=cfp - biogenic,
        biogenic=biogenic,
        primary_data_share=primary_share,
        data_quality=_data_quality(lines, weights),
        electricity=electricity_report,
        allocation=model.allocation,
        network=model.network,
        cut_off=cut_off,
        contributions=contributions,
        gwp={"set": model.gwp_set, "source": GWP_SOURCE, "values": {gas: gwp.get(gas, 1.0) for gas in used_gases}},
        findings=findings,
        model=model,
    )


def check_dataset(
    rule: dict,
    dataset: dict,
    *,
    factor_lookup: Callable[[str], dict | None] | None = None,
    better_factor: Callable[[dict], str | None] | None = None,
) -> list[Finding]:
    """Every finding on `dataset` under `rule`, including the problems that stop a calculation;
    never raises on a dataset that passes `dataset.validate`."""
    try:
        return calculate(rule, dataset, factor_lookup=factor_lookup, better_factor=better_factor).findings
    except DatasetError as error:
        return _sorted(error.problems + error.findings)


# --- Monte Carlo --------------------------------------------------------------------------------------


def monte_carlo(model: Model, iterations: int = 10_000, seed: int | None = None) -> dict:
    """Monte Carlo statistics of the CFP per unit: each uncertain line amount and factor drawn per
    iteration (a library factor once for all lines that use it), vectorised over iterations in
    chunks. The same seed gives the same numbers; a missing seed is chosen and returned, and the
    static value is returned beside the statistics (with lognormal inputs the mean lies above it)."""
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % 2**63)
    rng = np.random.default_rng(seed)
    lines = [line for line in model.lines if line.counted]
    used = sorted({line.factor for line in lines})
    position = {factor: k for k, factor in enumerate(used)}
    factor_of_line = np.array([position[line.factor] for line in lines], dtype=np.intp)
    raw = np.array([model.factors[k].raw for k in used], float)
    amount_specs = [line.uncertainty for line in lines]
    factor_specs = [model.factors[k].uncertainty for k in used]
    # A lognormal factor used by one line only folds into that line's lognormal (or certain)
    # amount: a product of independent lognormals is lognormal with σ² = σa² + σf². Exact, and
    # about half the draws for datasets whose factors are given inline.
    users = np.bincount(factor_of_line, minlength=len(used))
    for k, line_factor in enumerate(factor_of_line):
        amount_spec, factor_spec = amount_specs[k], factor_specs[line_factor]
        unshared_lognormal = users[line_factor] == 1 and factor_spec and factor_spec[0] == "lognormal"
        if unshared_lognormal and (amount_spec is None or amount_spec[0] == "lognormal"):
            amount_specs[k] = ("lognormal", math.hypot(amount_spec[1] if amount_spec else 0.0, factor_spec[1]))
            factor_specs[line_factor] = None
    # Lines whose factor is certain first: their sum is one matrix product with fixed weights;
    # only the rest need each iteration's factor draws gathered per line.
    order = sorted(range(len(lines)), key=lambda k: factor_specs[factor_of_line[k]] is not None)
    certain = sum(1 for k in order if factor_specs[factor_of_line[k]] is None)
    lines = [lines[k] for k in order]
    amount_specs = [amount_specs[k] for k in order]
    factor_of_line = factor_of_line[order] if lines else factor_of_line
    amount = np.array([line.amount for line in lines], float)
    # kg CO2e per unit for one unit of amount and of raw factor
    weight = np.array([line.coefficient * model.factors[line.factor].scale for line in lines], float)
    fixed = weight[:certain] * raw[factor_of_line[:certain]]
    amount_groups, factor_groups = _groups(amount_specs), _groups(factor_specs)

    totals = np.empty(iterations)
    for start in range(0, iterations, MONTE_CARLO_CHUNK):
        n = min(MONTE_CARLO_CHUNK, iterations - start)
        amounts = _draw(rng, n, amount, amount_groups)
        factors = _draw(rng, n, raw, factor_groups)
        # einsum, not @: these matrix-vector products are too small for BLAS threads, whose
        # spinning workers halved the speed of the random draws on a busy 2-CPU machine.
        totals[start : start + n] = np.einsum("nl,l->n", amounts[:, :certain], fixed)
        if certain < len(lines):
            tail = factors[:, factor_of_line[certain:]]
            totals[start : start + n] += np.einsum("nl,nl,l->n", amounts[:, certain:], tail, weight[certain:])
    static = float(np.dot(amount * weight, raw[factor_of_line])) if lines else 0.0
    p2_5, median, p97_5 = np.percentile(totals, [2.5, 50, 97.5]) if iterations else (math.nan,) * 3
    # The distribution's shape for a chart: 0.5 %–99.5 % in HISTOGRAM_BINS equal bins, so a few
    # extreme draws of a skewed lognormal do not squeeze the rest into one bar.
    counts, edges = (
        np.histogram(totals, bins=HISTOGRAM_BINS, range=tuple(np.percentile(totals, [0.5, 99.5])))
        if iterations > 1 and np.ptp(totals) > 0
        else (np.array([]), np.array([]))
    )
    return {
        "iterations": iterations,
        "seed": seed,
        "static": static,
        "mean": float(totals.mean()) if iterations else math.nan,
        "median": float(median),
        "sd": float(totals.std(ddof=1)) if iterations > 1 else 0.0,
        "p2_5": float(p2_5),
        "p97_5": float(p97_5),
        "histogram": {"edges": edges.tolist(), "counts": counts.tolist()},
    }


def _groups(specs: list[tuple | None]) -> list[tuple]:
    """Uncertain columns grouped by distribution: (kind, columns, parameter arrays …)."""
    groups = []
    for kind in ("lognormal", "normal", "triangular", "uniform"):
        columns = [k for k, spec in enumerate(specs) if spec is not None and spec[0] == kind]
        if columns:
            parameters = [np.array([specs[k][p] for k in columns], float) for p in range(1, len(specs[columns[0]]))]
            groups.append((kind, np.array(columns, int), *parameters))
    return groups


def _draw(rng: np.random.Generator, n: int, static: np.ndarray, groups: list[tuple]) -> np.ndarray:
    """n draws of every column: the static value where certain. In place where possible: at
    10,000 × 1,000 the temporaries cost as much as the draws."""
    if not groups:
        return np.broadcast_to(static, (n, static.size))
    values = np.tile(static, (n, 1))
    for kind, columns, *parameters in groups:
        base = static[columns]
        size = (n, columns.size)
        if kind == "lognormal":
            draw = rng.standard_normal(size)
            draw *= parameters[0]
            np.exp(draw, out=draw)
            draw *= base
        elif kind == "normal":
            draw = rng.standard_normal(size)
            draw *= parameters[0]
            draw += base
        elif kind == "triangular":
            draw = rng.triangular(parameters[0], base, parameters[1], size)
        else:
            draw = rng.uniform(parameters[0], parameters[1], size)
        values[:, columns] = draw
    return values


# --- scenarios ----------------------------------------------------------------------------------------


def compare(rule: dict, dataset: dict, *, factor_lookup: Callable[[str], dict | None] | None = None) -> dict:
    """The same dataset side by side: grid vs contractual electricity, physical vs economic
    allocation. A scenario that cannot be calculated (no prices for economic allocation) gives
    {"unavailable": reason}."""

    def run(**options) -> dict:
        try:
            result = calculate(rule, dataset, factor_lookup=factor_lookup, **options)
        except DatasetError as error:
            return {"unavailable": str(error)}
        return {"cfp_per_unit": result.cfp_per_unit, "by_stage": result.by_stage}

    lines = dataset.get("lines") or []
    multi_output = bool(dataset.get("co_products")) or any(
        len(_list(process.get("outputs"))) > 1 for process in _list(dataset.get("processes"))
    )
    return {
        "electricity": {
            "applicable": any(_dict(line.get("electricity")).get("instrument") for line in lines),
            "grid": run(electricity="grid"),
            "contractual": run(electricity="contractual"),
        },
        "allocation": {
            "applicable": multi_output,
            "physical": run(allocation="physical"),
            "economic": run(allocation="economic"),
        },
    }
