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
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import MatrixRankWarning, spsolve

from workbench.drafting.checks import FACTOR_PRIORITY, SECONDARY_PRIORITY, STAGE_NAMES, STAGES, Finding
from workbench.trials.engine.model import (
    UNSPECIFIED_GAS,
    DatasetError,
    Factor,
    Line,
    Model,
    _activity_ratio,
    _Collector,
    _dict,
    _list,
    _mass_to_kg,
    _name,
    _params,
    _ratio,
    _sorted,
)
from workbench.trials.engine.reference import (
    DEFAULT_BASIC_VARIANCE,
    DEFAULT_GWP_SET,
    GWP_FILES,
    GWP_SOURCE,
    PEDIGREE_INDICATORS,
    gwp_table,
    national_grid_factor,
    pedigree_sigma,
)

CATEGORY_NAMES = {
    "raw_materials": "原材料消耗",
    "energy": "能源使用",
    "transport": "运输方式",
    "waste_treatment": "废物处理",
    "process_emissions": "过程排放",
}
# Where each category normally arises (see the module docstring).
CATEGORY_STAGES = {
    "raw_materials": ("raw_material_acquisition",),
    "energy": ("production",),
    "transport": ("raw_material_acquisition", "distribution"),
    "waste_treatment": ("production", "end_of_life"),
    "process_emissions": ("production",),
}
DATA_TYPE_NAMES = {"primary": "初级数据", "statistical": "统计数据", "literature": "文献数据", "estimated": "估算数据"}
TIER_NAMES = {
    "measured_verified": "经溯源性核验的实测数据",
    "government": "政府官方数据",
    "industry": "行业经验值",
    "literature": "文献值",
}
INSTRUMENT_NAMES = {"green_certificate": "绿色电力证书", "green_power_trading": "绿色电力交易合同", "ppa": "购电协议"}
# EU PEF data-quality rating bands (upper bounds, inclusive) applied to the weighted pedigree score.
QUALITY_BANDS = ((1.5, "excellent", "优秀"), (2.0, "very_good", "很好"), (3.0, "good", "好"), (4.0, "fair", "一般"))
MISMATCH_TOLERANCE = 0.01  # factor value vs. its per-gas values under the rule's GWP set
REFERENCE_PRODUCT = "reference"  # the product of a single-process dataset
HISTOGRAM_BINS = 30
MONTE_CARLO_CHUNK = 1000  # iterations drawn at once: bounded memory, same numbers for the same seed

ELECTRICITY_MODES = ("rule", "grid", "contractual")
ALLOCATION_MODES = ("rule", "physical", "economic")


# --- the prepared model -----------------------------------------------------------------------------


def prepare(
    rule: dict,
    dataset: dict,
    *,
    factor_lookup: Callable[[str], dict | None] | None = None,
    electricity: str = "rule",
    allocation: str = "rule",
) -> tuple[Model | None, list[Finding], list[Finding]]:
    """(model, findings, problems). The model is None when there are problems (unusable input).
    `electricity`: "rule", or "grid"/"contractual" for a scenario (contractual uses an evidenced
    instrument whatever the rule allows); `allocation`: "rule", "physical" or "economic"."""
    if electricity not in ELECTRICITY_MODES or allocation not in ALLOCATION_MODES:
        raise ValueError(f"unknown scenario: electricity={electricity!r}, allocation={allocation!r}")
    params = _params(rule)
    report = _Collector()
    gwp_set = params.get("gwp_set") or DEFAULT_GWP_SET
    gwp = gwp_table(gwp_set)

    unit_label, reference_units = _reference_units(params, dataset, report)
    scaling, allocation_report, network = _scaling(params, dataset, allocation, report)

    included = set(_list(_dict(params.get("system_boundary")).get("stages_included")))
    factors: list[Factor] = []
    factor_index: dict[str, int] = {}
    lines: list[Line] = []
    for index, line in enumerate(dataset.get("lines") or []):
        path = f"/lines/{index}"
        spec, spec_path, mode = _factor_spec(params, line, index, electricity, report)
        if spec is None:
            continue
        key = f"id:{spec['id']}" if "id" in spec else f"line:{index}"
        if key not in factor_index:
            factor = _read_factor(spec, key, spec_path, gwp, gwp_set, factor_lookup, report)
            if factor is None:
                continue
            factor_index[key] = len(factors)
            factors.append(factor)
        factor = factors[factor_index[key]]
        try:
            ratio = _activity_ratio(str(line["unit"]), factor.unit)
        except ValueError as error:
            report.add(
                "unit_not_convertible",
                f"{path}/unit",
                f"{_name(line, index)}的单位“{line['unit']}”不能换算为碳足迹因子单位“{factor.unit}”的活动单位：{error}。"
                "请改用可换算的单位，或换用与之相符的因子。",
            )
            continue
        process = line.get("process") if network is not None else None
        if scaling and process not in scaling:
            report.add("network_invalid", f"{path}/process", f"{_name(line, index)}所属的过程“{process}”不存在。")
            continue
        amount_uncertainty = _distribution(
            line.get("uncertainty"), float(line["amount"]), f"{path}/uncertainty", report
        )
        scores = _dict(line.get("uncertainty")).get("pedigree")
        excluded = bool(line.get("excluded"))
        lines.append(
            Line(
                index=index,
                stage=line["stage"],
                category=line["category"],
                item=str(line["item"]),
                data_type=line["data_type"],
                amount=float(line["amount"]),
                unit=str(line["unit"]),
                factor=factor_index[key],
                factor_path=spec_path,
                coefficient=ratio * scaling.get(process, 0.0) / reference_units if reference_units else 0.0,
                counted=line["stage"] in included and not excluded,
                excluded=excluded and line["stage"] in included,
                uncertainty=amount_uncertainty,
                pedigree=tuple(int(score) for score in scores) if scores else None,
                electricity=mode,
            )
        )
    if report.problems:
        return None, report.findings, report.problems
    model = Model(unit_label, reference_units, gwp_set, lines, factors, allocation_report, network)
    return model, report.findings, []


# --- reading the dataset ----------------------------------------------------------------------------


def _reference_units(params: dict, dataset: dict, report: _Collector) -> tuple[str, float]:
    """The result's unit label and how many declared/functional units the reference flow holds."""
    unit = _dict(params.get("functional_unit") or params.get("declared_unit"))
    quantity, name = float(unit.get("quantity") or 1), str(unit.get("unit") or "")
    label = f"kg CO2e/{name}" if quantity == 1 else f"kg CO2e/({quantity:g} {name})"
    flow = dataset["reference_flow"]
    try:
        ratio = _ratio(str(flow["unit"]), name) if name else 1.0
    except ValueError as error:
        report.add(
            "unit_not_convertible",
            "/reference_flow/unit",
            f"基准流的单位“{flow['unit']}”不能换算为规则的{'功能' if params.get('functional_unit') else '声明'}单位“{name}”：{error}。",
        )
        return label, 0.0
    return label, float(flow["quantity"]) * ratio / quantity


def _factor_spec(params, line, index, mode, report) -> tuple[dict | None, str, str | None]:
    """(the factor to use, its path, "grid"/"contractual" for electricity lines) per the rule."""
    path = f"/lines/{index}"
    supply = line.get("electricity")
    if not isinstance(supply, dict):
        return line.get("factor"), f"{path}/factor", None
    instrument = supply.get("instrument")
    use_contract = False
    if instrument:
        evidenced = bool(str(supply.get("evidence") or "").strip())
        if mode == "contractual":
            use_contract = evidenced
        elif mode == "rule":
            rule_supply = _dict(params.get("electricity"))
            listed = _list(rule_supply.get("instruments"))
            label = INSTRUMENT_NAMES.get(instrument, instrument)
            if not rule_supply.get("contractual_instruments_allowed") or (listed and instrument not in listed):
                report.add(
                    "electricity_instrument_not_allowed",
                    f"{path}/electricity/instrument",
                    f"{_name(line, index)}声明了{label}，但规则不允许以该凭证核算电力：已按电网平均因子计算。",
                )
            elif not evidenced:
                report.add(
                    "electricity_evidence_missing",
                    f"{path}/electricity/evidence",
                    f"{_name(line, index)}声明了{label}，但没有给出凭证（编号、电量、核销状态）：已按电网平均因子计算。",
                )
            else:
                use_contract = True
    if use_contract:
        return supply["contract_factor"], f"{path}/electricity/contract_factor", "contractual"
    if line.get("factor") is not None:
        return line["factor"], f"{path}/factor", "grid"
    if _dict(params.get("electricity")).get("grid_factor", "national_average") == "national_average":
        return national_grid_factor(), f"{path}/factor", "grid"
    report.add(
        "factor_unresolved",
        f"{path}/factor",
        f"{_name(line, index)}没有给出碳足迹因子：规则要求采用区域电网平均因子，请给出所在区域的电力碳足迹因子。",
    )
    return None, f"{path}/factor", "grid"


def _read_factor(spec, key, path, gwp, gwp_set, factor_lookup, report) -> Factor | None:
    library = "id" in spec
    if library:
        found = factor_lookup(str(spec["id"])) if factor_lookup is not None else None
        if found is None:
            where = "因子库中没有" if factor_lookup is not None else "离线计算无法查询因子库，"
            report.add(
                "factor_unresolved",
                f"{path}/id",
                f"{where}编号为“{spec['id']}”的因子：请核对编号，或直接给出因子的数值、单位、层级和来源。",
            )
            return None
        spec = found
    unit = str(spec.get("unit") or "")
    try:
        mass, gas = _mass_to_kg(unit)
    except ValueError as error:
        report.add("unit_not_convertible", f"{path}/unit", f"碳足迹因子的单位“{unit}”无法识别：{error}。")
        return None
    gases_given = _dict(spec.get("gases"))
    if gases_given or gas != "CO2e":
        if gwp is None and (set(gases_given) - {"CO2"} or gas not in ("CO2", "CO2e")):
            report.add(
                "gwp_unavailable",
                path,
                f"规则的全球变暖潜势“{gwp_set}”没有可用数据（现有：{'、'.join(GWP_FILES)}），无法换算分气体的因子。",
            )
            return None
        table = gwp or {"CO2": 1.0}
    gases: dict[str, float] = {}
    if gases_given:
        for name, amount in gases_given.items():
            if name not in table:
                report.add(
                    "gwp_unavailable",
                    f"{path}/gases/{name}",
                    f"{gwp_set} 中没有气体“{name}”：可用的气体为 {'、'.join(table)}。",
                )
                return None
            gases[name] = float(amount) * table[name] * mass
        raw = sum(gases.values()) / mass
        scale = mass
        if "value" in spec and gas == "CO2e":
            given = float(spec["value"])
            if abs(given - raw) > MISMATCH_TOLERANCE * max(abs(raw), 1e-12):
                report.add(
                    "factor_value_mismatch",
                    f"{path}/id" if library else f"{path}/value",
                    f"因子数值 {given:g} {unit} 与按 {gwp_set} 计算的分气体合计 {raw:.6g} 相差超过 "
                    f"{MISMATCH_TOLERANCE:.0%}：已按分气体数值计算。请核对因子所用的全球变暖潜势。",
                )
    elif spec.get("value") is None:
        report.add("factor_unresolved", path, f"碳足迹因子（{unit}）没有数值，也没有分气体数值。")
        return None
    else:
        raw = float(spec["value"])
        if gas == "CO2e":
            scale = mass
            gases[UNSPECIFIED_GAS] = raw * scale
        else:
            if gas not in table:
                report.add("gwp_unavailable", f"{path}/unit", f"{gwp_set} 中没有气体“{gas}”。")
                return None
            scale = mass * table[gas]
            gases[gas] = raw * scale
    # Without a stated biogenic part, non-fossil methane is the biogenic part of per-gas values.
    biogenic = float(spec["biogenic"]) * mass if "biogenic" in spec else gases.get("CH4_non_fossil", 0.0)
    return Factor(
        key=key,
        unit=unit,
        raw=raw,
        scale=scale,
        value=raw * scale,
        gases=gases,
        biogenic=biogenic,
        tier=str(spec.get("tier") or ""),
        source=str(spec.get("source") or "").strip(),
        uncertainty=_distribution(spec.get("uncertainty"), raw, f"{path}/uncertainty", report),
    )


def _distribution(spec, static: float, path: str, report: _Collector) -> tuple | None:
    """("lognormal", σ) | ("normal", sd) | ("triangular", min, max) | ("uniform", min, max), or None."""
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
        name = "三角分布" if kind == "triangular" else "均匀分布"
        report.add(
            "uncertainty_invalid",
            path,
            f"{name}的范围 [{low:g}, {high:g}] 应包含数值 {static:g}，且下限小于上限。",
        )
        return None
    return (kind, low, high)


@dataclass
class _Process:
    id: str | None  # None for a single-process dataset
    path: str  # "/processes/3"; "" for a single-process dataset
    outputs: list[tuple[dict, str]]  # (output, its path)
    inputs: list[dict]


def _processes(dataset: dict) -> tuple[list[_Process], str]:
    """The foreground processes and the reference product. A dataset without processes is one
    process whose outputs are the reference flow and the co-products."""
    flow = dataset["reference_flow"]
    processes = _list(dataset.get("processes"))
    if processes:
        return [
            _Process(
                process.get("id"),
                f"/processes/{k}",
                [(output, f"/processes/{k}/outputs/{j}") for j, output in enumerate(_list(process.get("outputs")))],
                _list(process.get("inputs")),
            )
            for k, process in enumerate(processes)
        ], flow.get("product")
    reference = flow.get("product") or REFERENCE_PRODUCT
    main = {"product": reference, "amount": flow["quantity"], "unit": flow["unit"], "price": flow.get("price")}
    co_products = [(co, f"/co_products/{j}") for j, co in enumerate(_list(dataset.get("co_products")))]
    return [_Process(None, "", [(main, "/reference_flow"), *co_products], [])], reference


def _scaling(params, dataset, mode, report) -> tuple[dict, dict, list[dict] | None]:
    """({process id: line scaling}, allocation report, network report or None). A multi-output
    process is one column per output, each with its allocation share of the inputs and lines; a
    line's scaling is Σ over its process's columns of share × s."""
    processes, reference = _processes(dataset)
    rule_method = _dict(params.get("allocation")).get("method")
    method = rule_method if mode == "rule" else mode
    multi = [process for process in processes if len(process.outputs) > 1]
    if multi and method not in ("physical", "economic"):
        report.add(
            "allocation_method_unsupported",
            f"{multi[0].path}/outputs" if multi[0].path else "/co_products",
            f"规则的分配方法“{rule_method}”无法由试算数据计算，多产出过程已按物理关系（产出量）分配。"
            "请按规则细分过程或扩展系统后再试算。",
        )
        method = "physical"
    allocation = {"rule_method": rule_method, "method": method, "processes": []}

    columns: list[tuple[int, dict, float]] = []  # (process position, output, allocation share)
    for position, process in enumerate(processes):
        shares = _shares(process.outputs, method, report) if len(process.outputs) > 1 else [1.0]
        if shares is None:
            continue
        if len(shares) > 1:
            products = [str(output["product"]) for output, _ in process.outputs]
            allocation["processes"].append({"process": process.id, "shares": dict(zip(products, shares, strict=True))})
        columns += [(position, output, share) for (output, _), share in zip(process.outputs, shares, strict=True)]
    if report.problems:  # without shares the network is incomplete; say first what to fix
        return {}, allocation, None

    technosphere, demand = _technosphere(processes, reference, dataset["reference_flow"], columns, report)
    scaling = None if report.problems else _solve(technosphere, demand, report)
    if scaling is None:
        return {}, allocation, None
    line_scaling: dict = {}
    for (position, _, share), value in zip(columns, scaling.tolist(), strict=True):
        process_id = processes[position].id
        line_scaling[process_id] = line_scaling.get(process_id, 0.0) + share * value
    network = None
    if dataset.get("processes"):
        network = [
            {"process": processes[position].id, "product": str(output["product"]), "share": share, "scaling": value}
            for (position, output, share), value in zip(columns, scaling.tolist(), strict=True)
        ]
    return line_scaling, allocation, network


def _technosphere(processes, reference, flow, columns, report):
    """(A, f): one row per product and one column per (process, output); outputs on the diagonal,
    inputs negative, converted to the unit of the producing output and shared by allocation."""
    producer: dict[str, int] = {}
    for column, (position, output, _) in enumerate(columns):
        product = str(output["product"])
        if product in producer:
            path = next(path for item, path in processes[position].outputs if item is output)
            report.add(
                "network_invalid",
                f"{path}/product",
                f"产品“{product}”由多个过程产出：每种中间产品只能由一个过程产出，请合并这些过程或区分产品名称。",
            )
        producer.setdefault(product, column)
    if reference not in producer:
        report.add("network_invalid", "/reference_flow/product", f"没有过程产出基准流的产品“{reference}”。")
        return None, None
    own: dict[int, list[tuple[int, float]]] = {}
    rows, cols, data = [], [], []
    for column, (position, output, share) in enumerate(columns):
        own.setdefault(position, []).append((column, share))
        rows.append(column)
        cols.append(column)
        data.append(float(output["amount"]))
    for position, process in enumerate(processes):
        for j, item in enumerate(process.inputs):
            product = str(item["product"])
            if product not in producer:
                report.add(
                    "network_invalid",
                    f"{process.path}/inputs/{j}/product",
                    f"没有过程产出中间产品“{product}”：请补上产出它的过程，或把它作为带碳足迹因子的活动数据填写。",
                )
                continue
            supplier_unit = str(columns[producer[product]][1]["unit"])
            try:
                amount = float(item["amount"]) * _ratio(str(item["unit"]), supplier_unit)
            except ValueError as error:
                report.add(
                    "unit_not_convertible",
                    f"{process.path}/inputs/{j}/unit",
                    f"中间产品“{product}”的单位“{item['unit']}”不能换算为产出它的过程所用的单位“{supplier_unit}”：{error}。",
                )
                continue
            for column, share in own.get(position, ()):
                rows.append(producer[product])
                cols.append(column)
                data.append(-amount * share)
    demand = np.zeros(len(columns))
    output_unit = str(columns[producer[reference]][1]["unit"])
    try:
        demand[producer[reference]] = float(flow["quantity"]) * _ratio(str(flow["unit"]), output_unit)
    except ValueError as error:
        report.add(
            "unit_not_convertible",
            "/reference_flow/unit",
            f"基准流的单位“{flow['unit']}”不能换算为其产品的产出单位“{output_unit}”：{error}。",
        )
    return sparse.csc_array((data, (rows, cols)), shape=(len(columns), len(columns))), demand


def _shares(outputs, method, report) -> list[float] | None:
    if method == "economic":
        missing = [path for output, path in outputs if output.get("price") is None]
        if missing:
            report.add(
                "allocation_data_missing",
                f"{missing[0]}/price",
                "按经济价值分配需要每种产出的价格（同一货币，每产出单位），请补上。",
            )
            return None
        basis = [float(output["amount"]) * float(output["price"]) for output, _ in outputs]
    else:
        first_unit = str(outputs[0][0]["unit"])
        basis = []
        for output, path in outputs:
            try:
                basis.append(float(output["amount"]) * _ratio(str(output["unit"]), first_unit))
            except ValueError as error:
                report.add(
                    "unit_not_convertible",
                    f"{path}/unit",
                    f"按物理关系分配需要可比的产出单位：“{output['unit']}”不能换算为“{first_unit}”（{error}）。",
                )
                return None
    total = sum(basis)
    if total <= 0:
        report.add("allocation_data_missing", f"{outputs[0][1]}", "分配依据之和应大于零。")
        return None
    return [value / total for value in basis]


def solve(technosphere, demand: np.ndarray) -> np.ndarray:
    """The scaling s with A·s = f (A square, sparse). A is first put in supply order, where it is
    near triangular: LU with the natural column ordering then has almost no fill-in (COLAMD,
    spsolve's default, was 30× slower on a 2,000-process foreground). Raises ValueError when A is
    singular."""
    technosphere = sparse.csc_array(technosphere)
    order = _supply_order(technosphere)
    permuted = technosphere[order, :][:, order].tocsc()
    with warnings.catch_warnings():
        warnings.simplefilter("error", MatrixRankWarning)
        try:
            solved = np.atleast_1d(spsolve(permuted, demand[order], permc_spec="NATURAL"))
        except (MatrixRankWarning, RuntimeError) as error:
            raise ValueError("singular technosphere matrix") from error
    if not np.all(np.isfinite(solved)):
        raise ValueError("singular technosphere matrix")
    scaling = np.empty_like(solved)
    scaling[order] = solved
    return scaling


def _solve(technosphere, demand, report) -> np.ndarray | None:
    try:
        return solve(technosphere, demand)
    except ValueError:
        report.add(
            "network_invalid",
            "/processes",
            "过程网络无法求解（技术矩阵奇异）：检查是否有循环中的过程消耗的中间产品不少于其产出。",
        )
        return None


def _supply_order(technosphere) -> np.ndarray:
    """Processes in reverse depth-first post-order of the supply graph: each process before the
    processes that supply it, as far as loops allow (a loop leaves a few entries above the
    diagonal)."""
    indptr, indices = technosphere.indptr.tolist(), technosphere.indices.tolist()  # CSC: suppliers per column
    size = len(indptr) - 1
    visited = [False] * size
    post = []
    for root in range(size):
        if visited[root]:
            continue
        visited[root] = True
        stack = [(root, indptr[root])]
        while stack:
            node, position = stack[-1]
            end = indptr[node + 1]
            while position < end and visited[indices[position]]:
                position += 1
            if position < end:
                supplier = indices[position]
                stack[-1] = (node, position + 1)
                visited[supplier] = True
                stack.append((supplier, indptr[supplier]))
            else:
                stack.pop()
                post.append(node)
    return np.array(post[::-1], dtype=np.intp)


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


def _conformance(params, dataset, model: Model | None, better_factor) -> list[Finding]:
    """Findings on how the data follow the rule (指引(三)–(五)); the electricity, allocation and
    factor-value findings come from `prepare`, the cut-off ones from `calculate`."""
    report = _Collector()
    included = _list(_dict(params.get("system_boundary")).get("stages_included"))
    primary_stages = [stage for stage in _list(params.get("primary_data_stages")) if stage in included]
    priority = _list(params.get("secondary_data_priority")) or list(SECONDARY_PRIORITY)
    factor_priority = _list(params.get("factor_priority")) or list(FACTOR_PRIORITY)
    rank = {tier: position for position, tier in enumerate(FACTOR_PRIORITY)}
    factors_of = {line.index: (model.factors[line.factor], line.factor_path) for line in model.lines} if model else {}
    seen: dict[str, set[str]] = {}
    for index, line in enumerate(dataset.get("lines") or []):
        path, name, stage, data_type = f"/lines/{index}", _name(line, index), line["stage"], line["data_type"]
        if stage not in included:
            report.add(
                "stage_outside_boundary",
                f"{path}/stage",
                f"{name}属于“{STAGE_NAMES.get(stage, stage)}”阶段，不在规则的系统边界内：未计入结果。",
            )
            continue
        seen.setdefault(line["category"], set()).add(stage)
        if stage in primary_stages and data_type != "primary":
            report.add(
                "primary_data_missing",
                f"{path}/data_type",
                f"规则要求“{STAGE_NAMES[stage]}”阶段使用初级数据，{name}为{DATA_TYPE_NAMES.get(data_type, data_type)}。",
            )
        elif data_type != "primary":
            if data_type not in priority:
                report.add(
                    "secondary_type_not_allowed",
                    f"{path}/data_type",
                    f"规则的次级数据优先级（{'、'.join(DATA_TYPE_NAMES[t] for t in priority if t in DATA_TYPE_NAMES)}）不包括"
                    f"{DATA_TYPE_NAMES.get(data_type, data_type)}，{name}不能使用。",
                )
            elif priority.index(data_type) > 0 and not str(line.get("justification") or "").strip():
                better = "、".join(DATA_TYPE_NAMES[t] for t in priority[: priority.index(data_type)])
                report.add(
                    "secondary_priority_unjustified",
                    f"{path}/justification",
                    f"{name}使用{DATA_TYPE_NAMES[data_type]}：按规则应优先使用{better}，请说明无法获得的原因。",
                )
            if not str(line.get("source") or "").strip():
                report.add(
                    "secondary_source_missing",
                    f"{path}/source",
                    f"{name}为次级数据，应注明数据来源（数据库名称和版本、文献或统计资料的名称和年份，或估算方法）。",
                )
        if index not in factors_of:
            continue
        factor, factor_path = factors_of[index]
        if not factor.source:
            report.add("factor_source_missing", f"{factor_path}/source", f"{name}所用的碳足迹因子没有注明来源。")
        if factor.tier not in factor_priority:
            report.add(
                "factor_tier_not_allowed",
                f"{factor_path}/tier",
                f"{name}所用因子的层级“{TIER_NAMES.get(factor.tier, factor.tier)}”不在规则的因子优先级中。",
            )
        elif better_factor is not None and not line.get("excluded"):
            best = better_factor(line)
            if best in rank and rank[best] < rank.get(factor.tier, len(rank)):
                report.add(
                    "factor_lower_tier",
                    f"{factor_path}/tier",
                    f"{name}使用{TIER_NAMES[factor.tier]}，而因子库中有同一项目的{TIER_NAMES[best]}：应优先采用。",
                )
    for stage in primary_stages:
        if not any(stage in stages for stages in seen.values()):
            report.add(
                "primary_data_missing",
                "/lines",
                f"规则要求“{STAGE_NAMES[stage]}”阶段使用初级数据，数据中没有该阶段的活动数据。",
            )
    for category in _list(params.get("activity_data_categories")):
        expected = [stage for stage in CATEGORY_STAGES.get(category, ()) if stage in included]
        found = seen.get(category, set())
        label = CATEGORY_NAMES.get(category, category)
        if not expected:
            if not found:
                report.add("activity_category_empty", "/lines", f"规则要求收集“{label}”类活动数据，数据中没有。")
            continue
        for stage in expected:
            if stage not in found:
                report.add(
                    "activity_category_empty",
                    "/lines",
                    f"规则要求分类别收集活动数据，“{STAGE_NAMES[stage]}”阶段没有“{label}”类数据；如确实没有，请在报告中说明。",
                )
    return report.findings


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
                f"{line.item}（/lines/{line.index}）估算占碳足迹的 {percent:.2f}%，不低于规则的单项取舍比例 {per_item:g}%：不能忽略，应计入。",
            )
    excluded_percent = float(share[excluded].sum())
    if excluded_percent > total_limit:
        report.add(
            "cut_off_total_exceeded",
            "/lines",
            f"被忽略的输入合计占碳足迹的 {excluded_percent:.2f}%，超过规则的累计取舍比例 {total_limit:g}%：应计入其中较大的几项。",
        )
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
