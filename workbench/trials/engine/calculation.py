"""The static result (`calculate`): the dataset read into a model (`reading.prepare`), the findings
on conformance and cut-off, and e_i per line summed into the CFP per declared or functional unit,
broken down by stage, category and gas, fossil and biogenic apart, with the primary-data share,
the data quality, the electricity method per line and the largest contributions.

PURE: numpy, the guideline's vocabulary and findings, and the modules below; no Flask, no database.

Decisions worth knowing:
- Fossil and biogenic: the CFP includes both (GB/T 24067 / ISO 14067 count biogenic emissions and
  removals and report them separately); `fossil` + `biogenic` = `cfp_per_unit`.
- Primary data share: by contribution |e_i|, by the rule's definition (parameters.
  primary_data_share): "activity_and_factor" (the default, and what 1.0 rules always got) counts a
  line as primary only when its activity data are primary and its factor is measured_verified, as
  PACT defines primaryDataShare; "site_activity" counts every line whose activity data are primary
  (site) data, whatever its factor. A direct emission (mass of a gas) has no factor but the GWP,
  so its activity data decide under both. The result names the definition it used
  (`primary_data_share_basis`).
- Additional units: `additional_units` lists the rule's other declared/functional units, with the
  CFP per such a unit where the dataset gives its reference flow (see `reading`), else None.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from workbench.guideline import Finding
from workbench.guideline.vocabulary import LIFE_CYCLE_STAGES
from workbench.trials.engine.conformance import _conformance
from workbench.trials.engine.cutoff import _cut_off
from workbench.trials.engine.model import UNSPECIFIED_GAS, DatasetError, Model, _dict, _list, _params, _sorted
from workbench.trials.engine.quality import _data_quality
from workbench.trials.engine.reading import prepare
from workbench.trials.engine.reference import gwp_source, gwp_table

PRIMARY_SHARE_BASES = ("activity_and_factor", "site_activity")
DEFAULT_PRIMARY_SHARE_BASIS = "activity_and_factor"


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
    primary_data_share_basis: str  # which definition: "activity_and_factor" | "site_activity"
    data_quality: dict
    electricity: list[dict]
    allocation: dict
    network: list[dict] | None
    cut_off: dict
    contributions: list[dict]
    gwp: dict
    additional_units: list[dict]
    findings: list[Finding]
    model: Model = field(repr=False)

    def as_dict(self) -> dict:
        """The result as JSON-ready data (the model stays out)."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__ if name not in ("model", "findings")}
        data["findings"] = [finding.to_dict() for finding in self.findings]
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
        stage: 0.0
        for stage in LIFE_CYCLE_STAGES
        if stage in _list(_dict(params.get("system_boundary")).get("stages_included"))
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
    basis = params.get("primary_data_share")
    basis = basis if basis in PRIMARY_SHARE_BASES else DEFAULT_PRIMARY_SHARE_BASIS
    primary = np.fromiter((_primary(line, factors[line.factor], basis) for line in lines), bool, size)
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
        primary_data_share_basis=basis,
        data_quality=_data_quality(lines, weights),
        electricity=electricity_report,
        allocation=model.allocation,
        network=model.network,
        cut_off=cut_off,
        contributions=contributions,
        gwp={
            "set": model.gwp_set,
            "source": gwp_source(model.gwp_set),
            "values": {gas: gwp.get(gas, 1.0) for gas in used_gases},
        },
        additional_units=[
            {
                **unit,
                "reference_units": units,
                "cfp_per_unit": cfp * model.reference_units / units if units else None,
            }
            for unit, units in model.additional_units
        ],
        findings=findings,
        model=model,
    )


def _primary(line, factor, basis: str) -> bool:
    if line.data_type != "primary":
        return False
    return basis == "site_activity" or factor.direct or factor.tier == "measured_verified"
