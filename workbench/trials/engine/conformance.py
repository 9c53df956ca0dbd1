"""How the data follow the rule (指引（三）–（五）): stages inside the system boundary, primary data
where the rule asks for them, secondary data by the rule's priority and with a source, activity
categories where the rule expects them, factor sources and tiers.

PURE: the guideline's vocabulary and findings and the standard library; no Flask, no database.

Decisions worth knowing:
- Activity categories (指引（四）): each category the rule lists is expected in the stages where it
  normally arises (vocabulary.CATEGORY_STAGES), among the stages the rule includes: raw_materials in
  raw_material_acquisition; energy, process_emissions in production; transport in
  raw_material_acquisition (to the plant) and distribution; waste_treatment in production and
  end_of_life. A category whose stages are all excluded is expected somewhere in the dataset.
- Secondary data (指引（四）): a type the rule's priority does not list is an error; a type other
  than the first in the rule's priority needs a `justification` (why better data were not
  available). Secondary data need a `source`; every factor needs a `source` (指引（五）).
- A direct emission (a line in mass of a gas, no factor) has no factor to source or rank: the
  factor checks skip it.
"""

from workbench.guideline import Finding
from workbench.guideline.vocabulary import (
    ACTIVITY_CATEGORIES,
    CATEGORY_STAGES,
    DATA_TYPES,
    FACTOR_TIERS,
    LIFE_CYCLE_STAGES,
    SECONDARY_PRIORITY,
)
from workbench.trials.engine.model import Model, _Collector, _dict, _list, _name

FACTOR_PRIORITY = FACTOR_TIERS.codes


def _conformance(params, dataset, model: Model | None, better_factor) -> list[Finding]:
    """Findings on how the data follow the rule (指引（三）–（五）); the electricity, allocation and
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
            report.add("stage_outside_boundary", f"{path}/stage", line=name, stage=LIFE_CYCLE_STAGES.term(stage))
            continue
        seen.setdefault(line["category"], set()).add(stage)
        if stage in primary_stages and data_type != "primary":
            report.add(
                "primary_data_missing",
                f"{path}/data_type",
                stage=LIFE_CYCLE_STAGES.term(stage),
                line=name,
                data_type=DATA_TYPES.term(data_type),
            )
        elif data_type != "primary":
            if data_type not in priority:
                report.add(
                    "secondary_type_not_allowed",
                    f"{path}/data_type",
                    priority=DATA_TYPES.terms(kind for kind in priority if kind in DATA_TYPES),
                    data_type=DATA_TYPES.term(data_type),
                    line=name,
                )
            elif priority.index(data_type) > 0 and not str(line.get("justification") or "").strip():
                report.add(
                    "secondary_priority_unjustified",
                    f"{path}/justification",
                    line=name,
                    data_type=DATA_TYPES.term(data_type),
                    better=DATA_TYPES.terms(priority[: priority.index(data_type)]),
                )
            if not str(line.get("source") or "").strip():
                report.add("secondary_source_missing", f"{path}/source", line=name)
        if index not in factors_of:
            continue
        factor, factor_path = factors_of[index]
        if factor.direct:  # a direct emission's "factor" is the GWP of the rule's set, not a factor to choose
            continue
        if not factor.source:
            report.add("factor_source_missing", f"{factor_path}/source", line=name)
        if factor.tier not in factor_priority:
            report.add("factor_tier_not_allowed", f"{factor_path}/tier", line=name, tier=FACTOR_TIERS.term(factor.tier))
        elif better_factor is not None and not line.get("excluded"):
            best = better_factor(line)
            if best in rank and rank[best] < rank.get(factor.tier, len(rank)):
                report.add(
                    "factor_lower_tier",
                    f"{factor_path}/tier",
                    line=name,
                    tier=FACTOR_TIERS.term(factor.tier),
                    better=FACTOR_TIERS.term(best),
                )
    for stage in primary_stages:
        if not any(stage in stages for stages in seen.values()):
            report.add("primary_data_missing", "/lines", "stage", stage=LIFE_CYCLE_STAGES.term(stage))
    for category in _list(params.get("activity_data_categories")):
        expected = [stage for stage in CATEGORY_STAGES.get(category, ()) if stage in included]
        found = seen.get(category, set())
        label = ACTIVITY_CATEGORIES.term(category)
        if not expected:
            if not found:
                report.add("activity_category_empty", "/lines", "anywhere", category=label)
            continue
        for stage in expected:
            if stage not in found:
                report.add("activity_category_empty", "/lines", stage=LIFE_CYCLE_STAGES.term(stage), category=label)
    return report.findings
