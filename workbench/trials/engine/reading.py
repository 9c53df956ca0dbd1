"""Reading the dataset and the rule into a `Model` (`prepare`): for each line the factor the rule's
electricity method gives, read into kg CO2e per activity unit, the amount's conversion to the
factor's activity unit, its process's scaling (`network`) and the uncertainty distributions; what
cannot be read becomes a finding, or a problem that stops the calculation.

PURE: the guideline's findings, the standard library and the modules below (pint through
`model`'s unit conversions); no Flask, no database.

Decisions worth knowing:
- Per-gas values (`gases`) are in the mass unit of the factor's unit per activity unit (kg for
  kgCO2e/…). With `gases`, the CO2e value is recomputed with the rule's GWP set; a `value` that
  disagrees by more than 1 % is reported (it was probably computed with another GWP set).
- Biogenic: a factor's `biogenic` is the biogenic part of its CO2e (same mass unit as `value`);
  with per-gas values and no `biogenic`, non-fossil CH4 is the biogenic part.
- Electricity: a line with an `electricity` object is electricity. Without a `factor`, and with the
  rule's grid_factor national_average, it takes the national life-cycle factor published by MEE
  (data/electricity-factors.csv) of the year the dataset's `period` covers (the rule's
  electricity.grid_factor_year "data_period", the default), or the latest ("latest", the 1.0
  behaviour). The year is read from the period's dates (2024-01/2024-12, 2023年7月至2024年6月,
  2025 年): the year with most months of the period, the later one on a tie. A year without a
  published factor takes the nearest earlier year's (else the earliest published), and a period
  without a readable year the latest: both with `grid_factor_year_mismatch` at /period. A
  contractual instrument is used only when the rule allows contractual instruments, lists the
  instrument (or lists none) and the line carries evidence; otherwise a finding, and the grid
  factor. Partly covered consumption is two lines. A line whose factor is one of the library's
  electricity factors (kind cfp_life_cycle or a CO2-only kind) is purchased electricity on the
  grid too, with or without an `electricity` object: it is listed with the electricity and the
  grid/contractual scenario applies to it.
- Every rule template asks for an average carbon-footprint factor of the grid (CO2e over the
  life cycle, electricity.grid_factor). An electricity line on the grid whose factor is one of
  MEE's CO2-only emission factors (a library kind co2_*, or a factor in kgCO2/kWh without other
  gases) gets `electricity_factor_co2_only` (an error: the footprint is understated); the
  result is still calculated with it. Contractual factors (kgCO2/kWh of a green certificate) are
  the instrument's and are not checked.
- Direct emissions: a line without a factor whose unit is a mass of a gas of the GWP tables
  ("kg CF4", "t SF6", "g N2O", "t CO2") is that gas emitted; its CO2e is the mass × the gas's GWP
  in the rule's set (a `direct` factor: no tier, its source the GWP table). Factors may also be
  given per gas in any formula of the tables (kgCF4/t).
- Additional declared units (the rule's additional_units): the result is reported per such a unit
  only when the dataset gives that unit's reference flow (`additional_reference_flows`, matched
  by `product` to the unit's reference_product): the same total divided by that flow. Nothing is
  derived from the principal unit: 1 t of liquid aluminium and 1 t of ingot are different
  products, and only the enterprise knows how much of each its period produced.
- Uncertainty: a line's `uncertainty` describes its amount, a factor's `uncertainty` the factor.
  Lognormal has the static value as its median (so the Monte Carlo mean lies above the static
  value); normal has it as its mean, triangular as its mode; bounds (min, max) and sd are in the
  quantity's own unit. A pedigree gives a lognormal (`reference.pedigree_sigma`).
"""

import re
from collections.abc import Callable

from workbench.guideline import Finding
from workbench.guideline.vocabulary import INSTRUMENTS
from workbench.messages import N_, Message
from workbench.trials.engine.model import (
    UNSPECIFIED_GAS,
    Factor,
    Line,
    Model,
    _activity_ratio,
    _Collector,
    _dict,
    _direct_emission,
    _distribution,
    _list,
    _mass_to_kg,
    _name,
    _params,
    _ratio,
    _reason,
)
from workbench.trials.engine.network import _scaling
from workbench.trials.engine.reference import (
    CFP_ELECTRICITY_KIND,
    CO2_ONLY_ELECTRICITY_KINDS,
    DEFAULT_GWP_SET,
    GWP_FILES,
    gwp_source,
    gwp_table,
    national_grid_factor,
)

ELECTRICITY_MODES = ("rule", "grid", "contractual")
ALLOCATION_MODES = ("rule", "physical", "economic")
MISMATCH_TOLERANCE = 0.01  # factor value vs. its per-gas values under the rule's GWP set
# The library's kinds of electricity factor: a line using one is purchased electricity.
ELECTRICITY_KINDS = CO2_ONLY_ELECTRICITY_KINDS | {CFP_ELECTRICITY_KIND}


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
    additional_units = _additional_units(params, dataset, report)
    scaling, allocation_report, network, technosphere = _scaling(params, dataset, allocation, report)
    grid = _GridFactor(params, dataset, report)

    included = set(_list(_dict(params.get("system_boundary")).get("stages_included")))
    factors: list[Factor] = []
    factor_index: dict[str, int] = {}
    lines: list[Line] = []
    for index, line in enumerate(dataset.get("lines") or []):
        path = f"/lines/{index}"
        direct = _direct_emission(str(line["unit"])) if _is_direct(line) else None
        if direct is not None:
            spec, spec_path, mode = None, f"{path}/unit", None
        else:
            spec, spec_path, mode = _factor_spec(params, line, index, electricity, grid, report)
            if spec is None:
                continue
        key = f"id:{spec['id']}" if spec is not None and "id" in spec else f"line:{index}"
        if key not in factor_index:
            if direct is not None:
                factor = _direct_factor(direct[1], key, spec_path, gwp, gwp_set, report)
            else:
                factor = _read_factor(spec, key, spec_path, gwp, gwp_set, factor_lookup, report)
            if factor is None:
                continue
            factor_index[key] = len(factors)
            factors.append(factor)
        factor = factors[factor_index[key]]
        if mode is None and factor.kind in ELECTRICITY_KINDS:
            mode = "grid"  # purchased electricity named by its library factor, without an `electricity` object
        if mode == "grid" and (factor.kind in CO2_ONLY_ELECTRICITY_KINDS or factor.co2_only):
            report.add(
                "electricity_factor_co2_only", spec_path, line=_name(line, index), unit=factor.unit or "kgCO2/kWh"
            )
        try:
            ratio = direct[0] if direct is not None else _activity_ratio(str(line["unit"]), factor.unit)
        except ValueError as error:
            report.add(
                "unit_not_convertible",
                f"{path}/unit",
                line=_name(line, index),
                unit=str(line["unit"]),
                factor_unit=factor.unit,
                reason=_reason(error),
            )
            continue
        process = line.get("process") if network is not None else None
        if scaling and process not in scaling:
            report.add("network_invalid", f"{path}/process", "process", line=_name(line, index), process=str(process))
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
                process=process,
                ratio=ratio / reference_units if reference_units else 0.0,
                counted=line["stage"] in included and not excluded,
                excluded=excluded and line["stage"] in included,
                uncertainty=amount_uncertainty,
                pedigree=tuple(int(score) for score in scores) if scores else None,
                electricity=mode,
            )
        )
    if report.problems:
        return None, report.findings, report.problems
    model = Model(
        unit_label, reference_units, gwp_set, lines, factors, allocation_report, network, additional_units, technosphere
    )
    return model, report.findings, []


def _is_direct(line: dict) -> bool:
    """A direct emission: neither a factor nor electricity, so the unit must say the gas."""
    return line.get("factor") is None and not isinstance(line.get("electricity"), dict)


def _reference_units(params: dict, dataset: dict, report: _Collector) -> tuple[str, float]:
    """The result's unit label and how many declared/functional units the reference flow holds."""
    unit = _dict(params.get("functional_unit") or params.get("declared_unit"))
    quantity, name = float(unit.get("quantity") or 1), str(unit.get("unit") or "")
    label = _unit_label(quantity, name)
    flow = dataset["reference_flow"]
    try:
        ratio = _ratio(str(flow["unit"]), name) if name else 1.0
    except ValueError as error:
        kind = Message(N_("功能单位") if params.get("functional_unit") else N_("声明单位"))
        report.add(
            "unit_not_convertible",
            "/reference_flow/unit",
            "reference_flow",
            unit=str(flow["unit"]),
            unit_kind=kind,
            rule_unit=name,
            reason=_reason(error),
        )
        return label, 0.0
    return label, float(flow["quantity"]) * ratio / quantity


def _unit_label(quantity: float, name: str) -> str:
    return f"kg CO2e/{name}" if quantity == 1 else f"kg CO2e/({quantity:g} {name})"


def _additional_units(params: dict, dataset: dict, report: _Collector) -> list[tuple[dict, float | None]]:
    """The rule's additional units, each with how many of it the dataset's reference flow for it
    (matched by product) holds, or None when the dataset gives none."""
    flows = {
        str(flow.get("product") or "").strip(): (position, flow)
        for position, flow in enumerate(_list(dataset.get("additional_reference_flows")))
        if isinstance(flow, dict)
    }
    units = []
    for unit in _list(params.get("additional_units")):
        if not isinstance(unit, dict):
            continue
        quantity, name = float(unit.get("quantity") or 1), str(unit.get("unit") or "")
        entry = {
            "kind": str(unit.get("kind") or ""),
            "description": str(unit.get("description") or ""),
            "reference_product": str(unit.get("reference_product") or ""),
            "unit": _unit_label(quantity, name),
        }
        found = flows.get(entry["reference_product"].strip()) if entry["reference_product"].strip() else None
        if found is None:
            units.append((entry, None))
            continue
        position, flow = found
        try:
            ratio = _ratio(str(flow["unit"]), name) if name else 1.0
        except ValueError as error:
            report.add(
                "unit_not_convertible",
                f"/additional_reference_flows/{position}/unit",
                "additional_unit",
                unit=str(flow["unit"]),
                rule_unit=name,
                description=entry["description"],
                reason=_reason(error),
            )
            units.append((entry, None))
            continue
        units.append((entry, float(flow["quantity"]) * ratio / quantity))
    return units


# A year, and the month after it when there is one: 2024-01, 2024.1, 2024/01, 2024年1月, 2024 年.
_YEAR_MONTH = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:\s*[-./年]\s*(\d{1,2})(?!\d))?")


def period_year(period) -> int | None:
    """The year a data period covers: with most of its months, the later year on a tie; None
    when the period names no year."""
    points = [
        (int(year), int(month) if month and 1 <= int(month) <= 12 else None)
        for year, month in _YEAR_MONTH.findall(str(period or ""))
    ]
    if not points:
        return None
    (first, first_month), (last, last_month) = points[0], points[-1]
    if last <= first:
        return first
    months = {first: 12 - (first_month or 1) + 1, last: last_month or 12}
    months.update({year: 12 for year in range(first + 1, last)})
    return max(months, key=lambda year: (months[year], year))


class _GridFactor:
    """The national grid factor of this dataset, chosen once as the rule's
    electricity.grid_factor_year says (the finding, if any, is reported once)."""

    def __init__(self, params: dict, dataset: dict, report: _Collector):
        self.latest = _dict(params.get("electricity")).get("grid_factor_year") == "latest"
        self.period = dataset.get("period")
        self.report = report
        self.chosen: dict | None = None

    def spec(self) -> dict:
        if self.chosen is None:
            self.chosen = self._choose()
        return self.chosen

    def _choose(self) -> dict:
        if self.latest:
            return national_grid_factor()
        year = period_year(self.period)
        if year is None:
            chosen = national_grid_factor()
            self.report.add("grid_factor_year_mismatch", "/period", "no_period", used=str(chosen["data_year"]))
            return chosen
        chosen = national_grid_factor(year)
        if chosen["data_year"] != year:
            variant = "" if chosen["data_year"] < year else "later"
            self.report.add(
                "grid_factor_year_mismatch", "/period", variant, year=str(year), used=str(chosen["data_year"])
            )
        return chosen


def _factor_spec(params, line, index, mode, grid, report) -> tuple[dict | None, str, str | None]:
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
            label = INSTRUMENTS.term(instrument)
            if not rule_supply.get("contractual_instruments_allowed") or (listed and instrument not in listed):
                report.add(
                    "electricity_instrument_not_allowed",
                    f"{path}/electricity/instrument",
                    line=_name(line, index),
                    instrument=label,
                )
            elif not evidenced:
                report.add(
                    "electricity_evidence_missing",
                    f"{path}/electricity/evidence",
                    line=_name(line, index),
                    instrument=label,
                )
            else:
                use_contract = True
    if use_contract:
        return supply["contract_factor"], f"{path}/electricity/contract_factor", "contractual"
    if line.get("factor") is not None:
        return line["factor"], f"{path}/factor", "grid"
    if _dict(params.get("electricity")).get("grid_factor", "national_average") == "national_average":
        return grid.spec(), f"{path}/factor", "grid"
    report.add("factor_unresolved", f"{path}/factor", "regional_grid", line=_name(line, index))
    return None, f"{path}/factor", "grid"


def _read_factor(spec, key, path, gwp, gwp_set, factor_lookup, report) -> Factor | None:
    library = "id" in spec
    if library:
        found = factor_lookup(str(spec["id"])) if factor_lookup is not None else None
        if found is None:
            report.add(
                "factor_unresolved", f"{path}/id", "" if factor_lookup is not None else "offline", id=str(spec["id"])
            )
            return None
        spec = found
    unit = str(spec.get("unit") or "")
    try:
        mass, gas = _mass_to_kg(unit)
    except ValueError as error:
        report.add("unit_not_convertible", f"{path}/unit", "factor", unit=unit, reason=_reason(error))
        return None
    gases_given = _dict(spec.get("gases"))
    if gases_given or gas != "CO2e":
        if gwp is None and (set(gases_given) - {"CO2"} or gas not in ("CO2", "CO2e")):
            report.add("gwp_unavailable", path, gwp_set=gwp_set, available="、".join(GWP_FILES))
            return None
        table = gwp or {"CO2": 1.0}
    gases: dict[str, float] = {}
    if gases_given:
        for name, amount in gases_given.items():
            if name not in table:
                report.add(
                    "gwp_unavailable",
                    f"{path}/gases/{name}",
                    "gas",
                    gwp_set=gwp_set,
                    gas=name,
                    available="、".join(table),
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
                    given=f"{given:g}",
                    unit=unit,
                    gwp_set=gwp_set,
                    computed=f"{raw:.6g}",
                    tolerance=f"{MISMATCH_TOLERANCE:.0%}",
                )
    elif spec.get("value") is None:
        report.add("factor_unresolved", path, "no_value", unit=unit)
        return None
    else:
        raw = float(spec["value"])
        if gas == "CO2e":
            scale = mass
            gases[UNSPECIFIED_GAS] = raw * scale
        else:
            if gas not in table:
                report.add("gwp_unavailable", f"{path}/unit", "unit_gas", gwp_set=gwp_set, gas=gas)
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
        kind=str(spec.get("kind") or ""),
        co2_only=gas == "CO2" and not gases_given,
    )


def _direct_factor(gas, key, path, gwp, gwp_set, report) -> Factor | None:
    """The "factor" of a direct emission in kg of `gas`: its GWP in the rule's set."""
    if gas == "CO2e":
        value, gases = 1.0, {UNSPECIFIED_GAS: 1.0}
    else:
        table = gwp if gwp is not None else {"CO2": 1.0}
        if gas not in table:
            if gwp is None:
                report.add("gwp_unavailable", path, gwp_set=gwp_set, available="、".join(GWP_FILES))
            else:
                report.add("gwp_unavailable", path, "unit_gas", gwp_set=gwp_set, gas=gas)
            return None
        value, gases = table[gas], {gas: table[gas]}
    return Factor(
        key=key,
        unit=f"kg{gas}/kg",
        raw=1.0,
        scale=value,
        value=value,
        gases=gases,
        biogenic=gases.get("CH4_non_fossil", 0.0),
        tier="",
        source=gwp_source(gwp_set) or gwp_set,
        uncertainty=None,
        direct=True,
    )
