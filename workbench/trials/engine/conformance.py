"""How the data follow the rule (指引(三)–(五)): stages inside the system boundary, primary data
where the rule asks for them, secondary data by the rule's priority and with a source, activity
categories where the rule expects them, factor sources and tiers.

PURE: the drafting constants and `Finding` and the standard library; no Flask, no database.

Decisions worth knowing:
- Activity categories (指引(四)): each category the rule lists is expected in the stages where it
  normally arises (CATEGORY_STAGES), among the stages the rule includes: raw_materials in
  raw_material_acquisition; energy, process_emissions in production; transport in
  raw_material_acquisition (to the plant) and distribution; waste_treatment in production and
  end_of_life. A category whose stages are all excluded is expected somewhere in the dataset.
- Secondary data (指引(四)): a type the rule's priority does not list is an error; a type other
  than the first in the rule's priority needs a `justification` (why better data were not
  available). Secondary data need a `source`; every factor needs a `source` (指引(五)).
"""

from workbench.drafting.checks import FACTOR_PRIORITY, SECONDARY_PRIORITY, STAGE_NAMES, Finding
from workbench.trials.engine.model import Model, _Collector, _dict, _list, _name

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
