"""The trial-calculation engine (workbench.trials.engine), its dataset schema and `workbench calc`.

Expected values are computed by hand (or by an independent dense solve) and compared to 1e-9
relative. The rule is the cement example: cradle-to-gate, primary data in production, national
grid factor, green certificates and green-power trading allowed, physical allocation, AR6, cut-off
1 % per item and 5 % in total.
"""

import copy
import csv
import io
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from workbench.guideline import CATALOGUE
from workbench.guideline.catalogue import SUBJECTS
from workbench.trials import dataset as datasets
from workbench.trials import engine
from workbench.trials.cli import calc

from .conftest import PROJECT_ROOT

RULE_FILE = PROJECT_ROOT / "rule_templates" / "cfp-product-rule" / "1.0" / "examples" / "cement.json"
RULE = json.loads(RULE_FILE.read_text(encoding="utf-8"))
EXACT = 1e-9


def rule(**parameters) -> dict:
    document = copy.deepcopy(RULE)
    document["parameters"].update(parameters)
    return document


def factor(value, unit, tier="industry", source="《中国产品全生命周期温室气体排放系数集》2022", **more) -> dict:
    return {"value": value, "unit": unit, "tier": tier, "source": source, **more}


def line(stage, category, item, amount, unit, fact, data_type="primary", source="生产记录", **more) -> dict:
    return {
        "stage": stage,
        "category": category,
        "item": item,
        "amount": amount,
        "unit": unit,
        "data_type": data_type,
        "source": source,
        "factor": fact,
        **more,
    }


def electricity(amount=1000, unit="kWh", fact=None, **supply) -> dict:
    entry = line("production", "energy", "外购电力", amount, unit, fact or factor(0.6205, "kgCO2e/kWh", "government"))
    entry["electricity"] = supply
    return entry


# A dataset without findings: one line per category where the rule expects it. 2,150.5 kg CO2e/t.
def clean(quantity=1) -> dict:
    return {
        "enterprise": "示例水泥有限公司",
        "period": "2024-01/2024-12",
        "reference_flow": {"quantity": quantity, "unit": "t"},
        "lines": [
            electricity(),  # 620.5
            line(
                "raw_material_acquisition",
                "raw_materials",
                "石膏",
                2,
                "t",
                factor(0.5, "kgCO2e/kg"),
                "statistical",
                "统计年鉴 2023",
            ),  # 1000
            line(
                "raw_material_acquisition",
                "transport",
                "公路运输",
                100,
                "t·km",
                factor(0.1, "kgCO2e/t·km"),
                "statistical",
                "统计年鉴 2023",
            ),  # 10
            line("production", "waste_treatment", "废物填埋", 1, "t", factor(20, "kgCO2e/t", "literature")),  # 20
            line(
                "production", "process_emissions", "碳酸盐分解", 1, "t", factor(500, "kgCO2/t", "measured_verified")
            ),  # 500
        ],
    }


CLEAN_TOTAL = 620.5 + 1000 + 10 + 20 + 500


def result(data, document=None, **options) -> engine.Result:
    return engine.calculate(document or RULE, data, **options)


def codes(findings) -> list[str]:
    return [finding.code for finding in findings]


# --- the arithmetic ----------------------------------------------------------------------------------


def test_clean_dataset_has_no_findings_and_adds_up():
    outcome = result(clean())
    assert outcome.findings == []
    assert outcome.cfp_per_unit == pytest.approx(CLEAN_TOTAL, rel=EXACT)
    assert outcome.unit == "kg CO2e/t"
    assert outcome.by_stage == pytest.approx({"raw_material_acquisition": 1010, "production": 1140.5}, rel=EXACT)
    assert outcome.by_category == pytest.approx(
        {"energy": 620.5, "raw_materials": 1000, "transport": 10, "waste_treatment": 20, "process_emissions": 500},
        rel=EXACT,
    )
    assert outcome.by_gas == pytest.approx({"unspecified": 1650.5, "CO2": 500}, rel=EXACT)
    assert outcome.fossil == pytest.approx(CLEAN_TOTAL, rel=EXACT)
    assert outcome.biogenic == 0


def test_electricity_1000_kwh_at_the_2023_grid_factor():
    data = clean()
    data["lines"] = [electricity(1000)]
    assert result(data).cfp_per_unit == pytest.approx(620.5, rel=EXACT)


@pytest.mark.parametrize(
    ("amount", "unit", "fact", "expected"),
    [
        (2, "t", factor(0.5, "kgCO2e/kg"), 1000),  # 2 t of a per-kg factor
        (500, "kg", factor(0.9, "tCO2e/t"), 450),  # tonnes of CO2e per tonne, amount in kg
        (1, "MWh", factor(0.6205, "kgCO2e/kWh"), 620.5),
        (3.6, "GJ", factor(0.6205, "kgCO2e/kWh"), 620.5),  # 3.6 GJ = 1,000 kWh
        (250, "g", factor(2, "kgCO2e/kg"), 0.5),
        (2, "m3", factor(2.1622, "kgCO2/m3"), 4.3244),  # written as in Chinese statistics
        (5, "件", factor(3, "kgCO2e/件"), 15),  # the same word is the same unit
    ],
)
def test_units_convert_through_pint(amount, unit, fact, expected):
    data = clean()
    data["lines"] = [line("production", "energy", "x", amount, unit, fact)]
    assert result(data).cfp_per_unit == pytest.approx(expected, rel=EXACT)


@pytest.mark.parametrize(
    ("gases", "unit", "expected", "by_gas"),
    [
        ({"CH4_fossil": 1}, "kgCO2e/kg", 29.8, {"CH4_fossil": 29.8}),
        ({"CH4_non_fossil": 1}, "kgCO2e/kg", 27.0, {"CH4_non_fossil": 27.0}),
        ({"N2O": 1}, "kgCO2e/kg", 273, {"N2O": 273}),
        ({"SF6": 0.001}, "kgCO2e/kg", 25.2, {"SF6": 25.2}),
        (
            {"CO2": 2, "CH4_fossil": 0.01, "N2O": 0.001},
            "kgCO2e/kg",
            2 + 0.298 + 0.273,
            {"CO2": 2, "CH4_fossil": 0.298, "N2O": 0.273},
        ),
        ({"CH4": 1}, "tCO2e/t", 27.9, {"CH4": 27.9}),  # per tonne in tonnes: the same ratio
    ],
)
def test_per_gas_factors_use_the_rules_gwp_set(gases, unit, expected, by_gas):
    data = clean()
    data["lines"] = [
        line(
            "production",
            "process_emissions",
            "逸散",
            1,
            "kg",
            {"gases": gases, "unit": unit, "tier": "measured_verified", "source": "实测"},
        )
    ]
    outcome = result(data)
    assert outcome.cfp_per_unit == pytest.approx(expected, rel=EXACT)
    assert outcome.by_gas == pytest.approx(by_gas, rel=EXACT)
    assert set(outcome.gwp["values"]) == set(gases)


@pytest.mark.parametrize(
    ("gwp_set", "gas", "expected", "source"),
    [
        ("IPCC-AR6-GWP100", "CH4_fossil", 29.8, "AR6"),
        ("IPCC-AR5-GWP100", "CH4_fossil", 30, "AR5"),  # without climate-carbon feedback
        ("IPCC-AR5-GWP100", "CH4_non_fossil", 28, "AR5"),
        ("IPCC-AR5-GWP100", "N2O", 265, "AR5"),
        ("IPCC-AR5-GWP100", "SF6", 23500, "AR5"),
        ("IPCC-AR4-GWP100", "CH4_fossil", 25, "AR4"),  # AR4 has one value for methane
        ("IPCC-AR4-GWP100", "CH4_non_fossil", 25, "AR4"),
        ("IPCC-AR4-GWP100", "N2O", 298, "AR4"),
        ("IPCC-AR4-GWP100", "HFC-134a", 1430, "AR4"),
    ],
)
def test_the_rules_gwp_set_is_used_end_to_end(gwp_set, gas, expected, source):
    data = clean()
    data["lines"] = [
        line("production", "process_emissions", "逸散", 1, "kg", factor(1, f"kg{gas}/kg", "measured_verified"))
    ]
    outcome = result(data, rule(gwp_set=gwp_set))
    assert outcome.cfp_per_unit == pytest.approx(expected, rel=EXACT)
    assert outcome.gwp["set"] == gwp_set and outcome.gwp["values"] == {gas: expected}
    assert outcome.gwp["source"].startswith(f"IPCC {source} WG1")


def test_the_gwp_tables_hold_the_same_gases():
    tables = {name: engine.gwp_table(name) for name in ("IPCC-AR6-GWP100", "IPCC-AR5-GWP100", "IPCC-AR4-GWP100")}
    assert len({frozenset(table) for table in tables.values()}) == 1
    assert engine.gwp_table("IPCC-AR6-GWP20") is None


# Primary aluminium: 1,000 t of ingot; anode effects emit 40 kg CF4 and 4 kg C2F6 over the period.
ALUMINIUM_RULE = {
    "parameters": {
        **RULE["parameters"],
        "declared_unit": {"description": "1 t 铝锭", "quantity": 1, "unit": "t"},
        "activity_data_categories": ["process_emissions"],
    }
}


def aluminium(*lines) -> dict:
    return {
        "enterprise": "示例电解铝厂",
        "period": "2024",
        "reference_flow": {"quantity": 1000, "unit": "t"},
        "lines": list(lines),
    }


def direct(item, amount, unit, **more) -> dict:
    entry = line("production", "process_emissions", item, amount, unit, None, source="阳极效应监测", **more)
    del entry["factor"]
    return entry


@pytest.mark.parametrize(
    ("gwp_set", "expected"),
    [
        ("IPCC-AR6-GWP100", (40 * 7380 + 4 * 12400) / 1000),  # 344.8
        ("IPCC-AR5-GWP100", (40 * 6630 + 4 * 11100) / 1000),  # 309.6
        ("IPCC-AR4-GWP100", (40 * 7390 + 4 * 12200) / 1000),
    ],
)
def test_direct_emissions_in_mass_of_cf4_and_c2f6(gwp_set, expected):
    document = copy.deepcopy(ALUMINIUM_RULE)
    document["parameters"]["gwp_set"] = gwp_set
    data = aluminium(direct("阳极效应 CF4", 40, "kg CF4"), direct("阳极效应 C2F6", 0.004, "t C2F6"))
    assert datasets.validate(data) == []
    outcome = result(data, document)
    assert outcome.cfp_per_unit == pytest.approx(expected, rel=EXACT)
    table = engine.gwp_table(gwp_set)
    assert outcome.by_gas == pytest.approx({"CF4": 0.04 * table["CF4"], "C2F6": 0.004 * table["C2F6"]}, rel=EXACT)
    assert outcome.gwp["values"] == {"CF4": table["CF4"], "C2F6": table["C2F6"]}
    # The same emissions as per-gas factors per tonne of aluminium.
    per_tonne = aluminium(
        line(
            "production", "process_emissions", "阳极效应 CF4", 1000, "t", factor(0.04, "kgCF4/t", "measured_verified")
        ),
        line("production", "process_emissions", "阳极效应 C2F6", 1000, "t", factor(4, "gC2F6/t", "measured_verified")),
    )
    assert result(per_tonne, document).cfp_per_unit == pytest.approx(expected, rel=EXACT)


@pytest.mark.parametrize(
    ("amount", "unit", "expected"),
    [
        (1, "g N2O", 0.273),
        (2, "kgSF6", 50400),
        (0.5, "t CO2", 500),
        (3, "kg CO2e", 3),
        (1, "kg c-C4F8", 10200),
        (1, "kg HFC-134a", 1530),
        (1, "kg CH4_non_fossil", 27.0),
    ],
)
def test_direct_emission_units(amount, unit, expected):
    data = aluminium(direct("排放", amount * 1000, unit))  # per 1,000 t: per tonne it is `amount`
    assert result(data, ALUMINIUM_RULE).cfp_per_unit == pytest.approx(expected, rel=EXACT)


def test_direct_emissions_need_no_factor_checks_and_count_as_primary():
    document = copy.deepcopy(ALUMINIUM_RULE)
    document["parameters"]["factor_priority"] = ["government"]
    data = aluminium(direct("阳极效应 CF4", 40, "kg CF4"), direct("甲烷", 10, "kg CH4_non_fossil"))
    outcome = result(data, document)
    assert outcome.findings == []  # no tier, no factor source: the GWP is no factor to choose
    assert outcome.primary_data_share == pytest.approx(100, rel=EXACT)
    assert outcome.biogenic == pytest.approx(10 * 27.0 / 1000, rel=EXACT)


def test_a_direct_emission_of_a_gas_the_rules_set_lacks():
    data = aluminium(direct("阳极效应 CF4", 40, "kg CF4"))
    with pytest.raises(engine.DatasetError) as caught:
        result(data, rule(gwp_set="IPCC-AR6-GWP20"))
    assert [(f.code, f.path) for f in caught.value.problems] == [("gwp_unavailable", "/lines/0/unit")]


def test_only_a_mass_of_a_gas_goes_without_a_factor():
    data = aluminium(direct("阳极效应 CF4", 40, "kg CF4"), direct("石灰", 40, "kg"), direct("氟化物", 40, "kg cf4"))
    assert [path for path, _ in datasets.validate(data)] == ["/lines/1/factor", "/lines/2/factor"]


def test_a_factor_in_mass_of_one_gas():
    data = clean()
    data["lines"] = [
        line("production", "process_emissions", "N2O", 2, "t", factor(0.5, "kgN2O/t", "measured_verified"))
    ]
    outcome = result(data)
    assert outcome.cfp_per_unit == pytest.approx(2 * 0.5 * 273, rel=EXACT)
    assert outcome.by_gas == pytest.approx({"N2O": 273}, rel=EXACT)


def test_fossil_and_biogenic_are_kept_apart():
    data = clean()
    data["lines"] = [
        line("production", "energy", "替代燃料", 10, "t", factor(100, "kgCO2e/t", biogenic=40)),
        line(
            "production",
            "process_emissions",
            "生物甲烷",
            1,
            "kg",
            {
                "gases": {"CH4_non_fossil": 1, "CO2": 3},
                "unit": "kgCO2e/kg",
                "tier": "measured_verified",
                "source": "实测",
            },
        ),
    ]
    outcome = result(data)
    assert outcome.cfp_per_unit == pytest.approx(1000 + 27 + 3, rel=EXACT)
    assert outcome.biogenic == pytest.approx(400 + 27, rel=EXACT)
    assert outcome.fossil == pytest.approx(600 + 3, rel=EXACT)


def test_result_is_per_declared_unit_of_the_reference_flow():
    outcome = result(clean(quantity=1000))
    assert outcome.cfp_per_unit == pytest.approx(CLEAN_TOTAL / 1000, rel=EXACT)
    assert outcome.total == pytest.approx(CLEAN_TOTAL, rel=EXACT)
    data = clean()
    data["reference_flow"] = {"quantity": 2_000_000, "unit": "kg"}  # 2,000 t
    assert result(data).cfp_per_unit == pytest.approx(CLEAN_TOTAL / 2000, rel=EXACT)
    per_ten = rule(declared_unit={"description": "10 t 水泥", "quantity": 10, "unit": "t"})
    outcome = result(clean(quantity=1000), per_ten)
    assert outcome.cfp_per_unit == pytest.approx(CLEAN_TOTAL / 100, rel=EXACT)
    assert outcome.unit == "kg CO2e/(10 t)"


def test_primary_data_share_needs_primary_data_and_a_measured_factor():
    outcome = result(clean())
    # Only 碳酸盐分解 has primary data and a measured_verified factor; 外购电力 uses a government factor.
    assert outcome.primary_data_share == pytest.approx(100 * 500 / CLEAN_TOTAL, rel=EXACT)
    assert outcome.primary_data_share_basis == "activity_and_factor"  # the default, as 1.0 rules had it
    outcome = result(clean(), rule(primary_data_share="activity_and_factor"))
    assert outcome.primary_data_share == pytest.approx(100 * 500 / CLEAN_TOTAL, rel=EXACT)


def test_primary_data_share_of_site_activity_data():
    outcome = result(clean(), rule(primary_data_share="site_activity"))
    # Primary activity data: 外购电力 620.5, 废物填埋 20, 碳酸盐分解 500, whatever their factors.
    assert outcome.primary_data_share == pytest.approx(100 * (620.5 + 20 + 500) / CLEAN_TOTAL, rel=EXACT)
    assert outcome.primary_data_share_basis == "site_activity"
    assert outcome.as_dict()["primary_data_share_basis"] == "site_activity"


def test_an_additional_unit_is_reported_when_the_dataset_gives_its_reference_flow():
    document = rule(
        additional_units=[
            {
                "kind": "declared_unit",
                "description": "1 t 铝液",
                "quantity": 1,
                "unit": "t",
                "reference_product": "铝液",
            },
            {
                "kind": "declared_unit",
                "description": "1 m3 产品",
                "quantity": 1,
                "unit": "m3",
                "reference_product": "x",
            },
        ]
    )
    data = clean(quantity=1000)
    data["additional_reference_flows"] = [{"product": "铝液", "quantity": 1_250_000, "unit": "kg"}]
    assert datasets.validate(data) == []
    outcome = result(data, document)
    assert outcome.cfp_per_unit == pytest.approx(CLEAN_TOTAL / 1000, rel=EXACT)  # the principal unit
    liquid, other = outcome.additional_units
    assert liquid["description"] == "1 t 铝液" and liquid["unit"] == "kg CO2e/t"
    assert liquid["reference_units"] == pytest.approx(1250, rel=EXACT)
    assert liquid["cfp_per_unit"] == pytest.approx(CLEAN_TOTAL / 1250, rel=EXACT)
    assert other["cfp_per_unit"] is None  # the dataset gives no reference flow for it
    assert result(clean(), RULE).additional_units == []


def test_an_additional_units_reference_flow_in_a_unit_that_does_not_convert():
    document = rule(
        additional_units=[{"description": "1 t 铝液", "quantity": 1, "unit": "t", "reference_product": "铝液"}]
    )
    data = clean()
    data["additional_reference_flows"] = [{"product": "铝液", "quantity": 5, "unit": "kWh"}]
    with pytest.raises(engine.DatasetError) as caught:
        result(data, document)
    problem = caught.value.problems[0]
    assert (problem.code, problem.path) == ("unit_not_convertible", "/additional_reference_flows/0/unit")
    assert "1 t 铝液" in problem.message


def test_data_quality_weights_pedigree_scores_by_contribution():
    data = clean()
    data["lines"][0]["uncertainty"] = {"pedigree": [1, 1, 1, 1, 1]}  # 620.5
    data["lines"][1]["uncertainty"] = {"pedigree": [3, 3, 3, 3, 3]}  # 1000
    quality = result(data).data_quality
    expected = (620.5 * 1 + 1000 * 3) / 1620.5
    assert quality["score"] == pytest.approx(expected, rel=EXACT)
    assert quality["indicators"]["reliability"] == pytest.approx(expected, rel=EXACT)
    assert quality["rating"] == "good"  # 2.23: PEF band 2–3
    assert quality["coverage_percent"] == pytest.approx(100 * 1620.5 / CLEAN_TOTAL, rel=EXACT)
    assert quality["lines_without_pedigree"] == 3


def test_contributions_are_the_largest_lines():
    top = result(clean(), top=2).contributions
    assert [entry["path"] for entry in top] == ["/lines/1", "/lines/0"]
    assert top[0]["percent"] == pytest.approx(100 * 1000 / CLEAN_TOTAL, rel=EXACT)


# --- electricity -------------------------------------------------------------------------------------

GREEN = factor(0.0336, "kgCO2e/kWh", "government", "公告2025年第3号 风电")


def test_contractual_instrument_with_evidence_uses_its_factor():
    data = clean()
    data["lines"][0] = electricity(
        1000, instrument="green_certificate", evidence="GEC-2024-0001 1000 kWh 已核销", contract_factor=GREEN
    )
    outcome = result(data)
    assert outcome.cfp_per_unit == pytest.approx(CLEAN_TOTAL - 620.5 + 33.6, rel=EXACT)
    assert outcome.electricity[0]["method"] == "contractual"
    assert outcome.findings == []


def test_contractual_instrument_without_evidence_falls_back_to_the_grid():
    data = clean()
    data["lines"][0] = electricity(1000, instrument="green_certificate", contract_factor=GREEN)
    outcome = result(data)
    assert outcome.cfp_per_unit == pytest.approx(CLEAN_TOTAL, rel=EXACT)
    assert codes(outcome.findings) == ["electricity_evidence_missing"]
    assert outcome.findings[0].path == "/lines/0/electricity/evidence"


@pytest.mark.parametrize(
    ("parameters", "instrument"),
    [
        ({"contractual_instruments_allowed": False}, "green_certificate"),
        ({}, "ppa"),  # allowed in general, but not this instrument
    ],
)
def test_contractual_instrument_the_rule_does_not_allow(parameters, instrument):
    document = copy.deepcopy(RULE)
    document["parameters"]["electricity"].update(parameters)
    data = clean()
    data["lines"][0] = electricity(1000, instrument=instrument, evidence="PPA-7", contract_factor=GREEN)
    outcome = result(data, document)
    assert outcome.cfp_per_unit == pytest.approx(CLEAN_TOTAL, rel=EXACT)
    assert codes(outcome.findings) == ["electricity_instrument_not_allowed"]


def test_grid_line_without_a_factor_takes_the_national_factor_of_the_data_period():
    data = clean()  # period 2024-01/2024-12
    del data["lines"][0]["factor"]
    outcome = result(data)
    assert outcome.cfp_per_unit == pytest.approx(CLEAN_TOTAL - 620.5 + 577.7, rel=EXACT)  # 2024: 0.5777
    assert "2024" in outcome.electricity[0]["source"]
    assert outcome.findings == []


GRID_RULE = rule(activity_data_categories=[])


def grid_only(period=None) -> dict:
    """Grid electricity only, without a factor (a rule with no activity categories to expect)."""
    data = clean()
    data["lines"] = [electricity(1000)]
    del data["lines"][0]["factor"]
    if period is None:
        del data["period"]
    else:
        data["period"] = period
    return data


@pytest.mark.parametrize(
    ("period", "kg", "variant", "params"),
    [
        ("2023-01/2023-12", 620.5, None, {}),  # the 2023 factor, though 2024's is published
        ("2023年7月至2024年6月", 577.7, None, {}),  # six months each: the later year
        ("2023-03/2024-02", 620.5, None, {}),  # ten months in 2023
        ("2024-01-01 至 2024-12-31", 577.7, None, {}),
        ("2026 年", 577.7, "", {"year": "2026", "used": "2024"}),  # not yet published: the nearest earlier
        ("2021年", 620.5, "later", {"year": "2021", "used": "2023"}),  # nothing earlier: the earliest
        (None, 577.7, "no_period", {"used": "2024"}),  # no period: the latest
        ("全年", 577.7, "no_period", {"used": "2024"}),
    ],
)
def test_grid_factor_of_the_year_the_data_period_covers(period, kg, variant, params):
    outcome = result(grid_only(period), GRID_RULE)
    assert outcome.cfp_per_unit == pytest.approx(kg, rel=EXACT)
    year = {620.5: "2023", 577.7: "2024"}[kg]
    assert f"{year} 年全国电力碳足迹因子" in outcome.electricity[0]["source"]
    found = [f for f in outcome.findings if f.code == "grid_factor_year_mismatch"]
    if variant is None:
        assert found == []
    else:
        check = CATALOGUE["grid_factor_year_mismatch"]
        assert [(f.path, f.template, f.severity) for f in found] == [("/period", check.messages[variant], "warning")]
        assert {key: found[0].params[key] for key in params} == params


def test_grid_factor_year_latest_keeps_the_newest_factor():
    document = copy.deepcopy(GRID_RULE)
    document["parameters"]["electricity"]["grid_factor_year"] = "latest"
    outcome = result(grid_only("2023-01/2023-12"), document)
    assert outcome.cfp_per_unit == pytest.approx(577.7, rel=EXACT)
    assert outcome.findings == []


def test_one_grid_factor_finding_however_many_grid_lines():
    data = grid_only("2026")
    data["lines"].append(copy.deepcopy(data["lines"][0]))
    assert codes(result(data, GRID_RULE).findings) == ["grid_factor_year_mismatch"]


@pytest.mark.parametrize(
    ("period", "year"),
    [
        ("2024-01/2024-12", 2024),
        ("2024.01-2024.12", 2024),
        ("2023-07/2024-06", 2024),
        ("2023-06/2024-05", 2023),
        ("2022-11/2024-02", 2023),  # a whole year in between
        ("2025（海螺芜湖）", 2025),
        ("20240101-20241231", 2024),
        ("最近 12 个月", None),
        ("", None),
        (None, None),
    ],
)
def test_period_year(period, year):
    assert engine.period_year(period) == year


def test_regional_grid_needs_the_lines_own_factor():
    document = copy.deepcopy(RULE)
    document["parameters"]["electricity"]["grid_factor"] = "regional_average"
    data = clean()
    del data["lines"][0]["factor"]
    with pytest.raises(engine.DatasetError) as caught:
        result(data, document)
    assert codes(caught.value.problems) == ["factor_unresolved"]


def test_scenarios_grid_versus_contractual_side_by_side():
    document = copy.deepcopy(RULE)
    document["parameters"]["electricity"]["contractual_instruments_allowed"] = False
    data = clean()
    data["lines"][0] = electricity(
        1000, instrument="green_power_trading", evidence="交易凭证 2024-18", contract_factor=GREEN
    )
    scenarios = engine.compare(document, data)["electricity"]
    assert scenarios["applicable"]
    assert scenarios["grid"]["cfp_per_unit"] == pytest.approx(CLEAN_TOTAL, rel=EXACT)
    # The what-if: contractual electricity even though this rule does not allow it.
    assert scenarios["contractual"]["cfp_per_unit"] == pytest.approx(CLEAN_TOTAL - 620.5 + 33.6, rel=EXACT)


# --- allocation --------------------------------------------------------------------------------------


def multi_output(price_main=None, price_co=None) -> dict:
    data = clean(quantity=800)
    data["reference_flow"]["price"] = price_main
    data["co_products"] = [{"product": "外售熟料", "amount": 200, "unit": "t", "price": price_co}]
    for entry in (data["reference_flow"], data["co_products"][0]):
        if entry["price"] is None:
            del entry["price"]
    return data


def test_physical_allocation_by_mass():
    outcome = result(multi_output())
    assert outcome.cfp_per_unit == pytest.approx(CLEAN_TOTAL * 0.8 / 800, rel=EXACT)
    assert outcome.allocation["processes"][0]["shares"] == pytest.approx({"reference": 0.8, "外售熟料": 0.2}, rel=EXACT)


def test_physical_allocation_converts_units():
    data = multi_output()
    data["co_products"][0].update(amount=200_000, unit="kg")
    assert result(data).cfp_per_unit == pytest.approx(CLEAN_TOTAL * 0.8 / 800, rel=EXACT)


def test_economic_allocation_by_revenue():
    data = multi_output(price_main=100, price_co=300)
    outcome = result(data, rule(allocation={"method": "economic", "justification": "按销售收入"}))
    share = 800 * 100 / (800 * 100 + 200 * 300)
    assert outcome.cfp_per_unit == pytest.approx(CLEAN_TOTAL * share / 800, rel=EXACT)
    scenarios = engine.compare(RULE, data)["allocation"]
    assert scenarios["applicable"]
    assert scenarios["physical"]["cfp_per_unit"] == pytest.approx(CLEAN_TOTAL * 0.8 / 800, rel=EXACT)
    assert scenarios["economic"]["cfp_per_unit"] == pytest.approx(CLEAN_TOTAL * share / 800, rel=EXACT)


def test_economic_allocation_without_prices_cannot_be_calculated():
    with pytest.raises(engine.DatasetError) as caught:
        result(multi_output(), rule(allocation={"method": "economic", "justification": "按销售收入"}))
    assert codes(caught.value.problems) == ["allocation_data_missing"]
    assert caught.value.problems[0].path == "/reference_flow/price"
    assert "unavailable" in engine.compare(RULE, multi_output())["allocation"]["economic"]


def test_a_rule_method_the_data_cannot_compute_falls_back_to_physical():
    outcome = result(multi_output(), rule(allocation={"method": "system_expansion", "justification": "替代"}))
    assert codes(outcome.findings) == ["allocation_method_unsupported"]
    assert outcome.allocation["method"] == "physical"
    assert outcome.cfp_per_unit == pytest.approx(CLEAN_TOTAL * 0.8 / 800, rel=EXACT)


# --- foreground networks -----------------------------------------------------------------------------


def process_line(process, amount, item="直接排放") -> dict:
    return line(
        "production",
        "process_emissions",
        item,
        amount,
        "kg",
        factor(1, "kgCO2/kg", "measured_verified"),
        process=process,
    )


def network(processes, lines, product="p", quantity=1) -> dict:
    return {
        "reference_flow": {"quantity": quantity, "unit": "t", "product": product},
        "processes": processes,
        "lines": lines,
    }


def test_network_with_a_loop_equals_the_analytic_solution():
    # P makes p and needs 200 kg of q; Q makes q and needs 0.1 t of p (recycled scrap).
    # s_p − 0.1 s_q = 1, −0.2 s_p + s_q = 0  →  s_p = 1/0.98, s_q = 0.2/0.98.
    data = network(
        [
            {
                "id": "P",
                "outputs": [{"product": "p", "amount": 1, "unit": "t"}],
                "inputs": [{"product": "q", "amount": 200, "unit": "kg"}],
            },
            {
                "id": "Q",
                "outputs": [{"product": "q", "amount": 1, "unit": "t"}],
                "inputs": [{"product": "p", "amount": 0.1, "unit": "t"}],
            },
        ],
        [process_line("P", 10), process_line("Q", 5)],
    )
    outcome = result(data)
    assert outcome.cfp_per_unit == pytest.approx((10 + 5 * 0.2) / 0.98, rel=EXACT)
    assert {entry["process"]: entry["scaling"] for entry in outcome.network} == pytest.approx(
        {"P": 1 / 0.98, "Q": 0.2 / 0.98}, rel=EXACT
    )


def test_network_with_a_multi_output_process_in_a_loop():
    # Steel makes 1 t steel and 0.25 t slag (leaves the system) from 0.3 t scrap; scrap
    # preparation makes 1 t scrap from 0.02 t steel. Physical shares 0.8 / 0.2.
    data = network(
        [
            {
                "id": "steel",
                "outputs": [
                    {"product": "steel", "amount": 1, "unit": "t"},
                    {"product": "slag", "amount": 0.25, "unit": "t"},
                ],
                "inputs": [{"product": "scrap", "amount": 0.3, "unit": "t"}],
            },
            {
                "id": "scrap",
                "outputs": [{"product": "scrap", "amount": 1, "unit": "t"}],
                "inputs": [{"product": "steel", "amount": 0.02, "unit": "t"}],
            },
        ],
        [process_line("steel", 100), process_line("scrap", 10)],
        product="steel",
    )
    # Columns steel, slag, scrap, built independently and solved dense.
    a = np.array([[1, 0, -0.02], [0, 0.25, 0], [-0.3 * 0.8, -0.3 * 0.2, 1]])
    s = np.linalg.solve(a, [1, 0, 0])
    expected = 100 * (0.8 * s[0] + 0.2 * s[1]) + 10 * s[2]
    outcome = result(data)
    assert outcome.cfp_per_unit == pytest.approx(expected, rel=EXACT)
    assert outcome.cfp_per_unit == pytest.approx(82.4 / 0.9952, rel=EXACT)
    assert outcome.allocation["processes"][0]["shares"] == pytest.approx({"steel": 0.8, "slag": 0.2}, rel=EXACT)


def test_random_network_with_loops_equals_a_dense_solve():
    rng = np.random.default_rng(7)
    size = 60
    inputs = np.zeros((size, size))
    for column in range(size):
        for row in rng.choice(size, 4, replace=False):  # loops, self-loops included
            inputs[row, column] = rng.uniform(0, 0.2)
    outputs = rng.uniform(0.5, 2, size)
    emissions = rng.uniform(0, 100, size)
    processes = [
        {
            "id": f"P{j}",
            "outputs": [{"product": f"p{j}", "amount": outputs[j], "unit": "t"}],
            "inputs": [{"product": f"p{i}", "amount": inputs[i, j], "unit": "t"} for i in range(size) if inputs[i, j]],
        }
        for j in range(size)
    ]
    data = network(processes, [process_line(f"P{j}", emissions[j]) for j in range(size)], product="p0", quantity=3)
    technosphere = np.diag(outputs) - inputs
    demand = np.zeros(size)
    demand[0] = 3
    expected = emissions @ np.linalg.solve(technosphere, demand) / 3
    assert result(data).cfp_per_unit == pytest.approx(expected, rel=EXACT)


# --- cut-off -----------------------------------------------------------------------------------------


def test_lines_below_the_per_item_threshold_are_listed():
    cut = result(clean()).cut_off
    assert [entry["path"] for entry in cut["below_threshold"]] == ["/lines/2", "/lines/3"]
    assert cut["below_threshold_percent"] == pytest.approx(100 * 30 / CLEAN_TOTAL, rel=EXACT)


def test_an_excluded_line_is_not_counted_and_within_the_limits():
    data = clean()
    data["lines"].append(line("production", "raw_materials", "助磨剂", 1, "kg", factor(10, "kgCO2e/kg"), excluded=True))
    outcome = result(data)
    assert outcome.findings == []
    assert outcome.cfp_per_unit == pytest.approx(CLEAN_TOTAL, rel=EXACT)
    assert outcome.cut_off["excluded_percent"] == pytest.approx(100 * 10 / (CLEAN_TOTAL + 10), rel=EXACT)
    assert outcome.cut_off["within_total"]


# --- Monte Carlo -------------------------------------------------------------------------------------


def uncertain(spec, amount=1000) -> dict:
    data = clean()
    data["lines"] = [electricity(amount)]
    data["lines"][0]["uncertainty"] = spec
    return data


def test_monte_carlo_of_a_lognormal_line_converges_to_the_analytic_mean():
    outcome = result(uncertain({"distribution": "lognormal", "gsd": 1.5}))
    stats = engine.monte_carlo(outcome.model, 10_000, seed=42)
    sigma = math.log(1.5)
    assert stats["static"] == pytest.approx(620.5, rel=EXACT)
    assert stats["mean"] == pytest.approx(620.5 * math.exp(sigma**2 / 2), rel=0.01)
    assert stats["median"] == pytest.approx(620.5, rel=0.01)  # the static value is the median
    assert stats["mean"] > stats["static"]
    assert stats["p2_5"] < stats["median"] < stats["p97_5"]
    assert set(stats) >= {"iterations", "seed", "mean", "median", "sd", "p2_5", "p97_5"}


def test_monte_carlo_is_reproducible_with_its_seed():
    model = result(uncertain({"distribution": "lognormal", "sigma": 0.2})).model
    first = engine.monte_carlo(model, 5_000, seed=1)
    assert engine.monte_carlo(model, 5_000, seed=1) == first
    assert engine.monte_carlo(model, 5_000, seed=2)["mean"] != first["mean"]
    chosen = engine.monte_carlo(model, 100)
    assert engine.monte_carlo(model, 100, seed=chosen["seed"]) == chosen


@pytest.mark.parametrize(
    ("spec", "mean", "sd"),
    [
        ({"distribution": "normal", "sd": 100}, 620.5, 62.05),
        ({"distribution": "triangular", "min": 800, "max": 1300}, 0.6205 * (800 + 1000 + 1300) / 3, None),
        ({"distribution": "uniform", "min": 900, "max": 1100}, 620.5, 0.6205 * 200 / math.sqrt(12)),
    ],
)
def test_monte_carlo_distributions(spec, mean, sd):
    stats = engine.monte_carlo(result(uncertain(spec)).model, 10_000, seed=3)
    assert stats["mean"] == pytest.approx(mean, rel=0.01)
    if sd is not None:
        assert stats["sd"] == pytest.approx(sd, rel=0.03)


def test_pedigree_gives_a_lognormal_from_the_ecoinvent_variances():
    # reliability 2, completeness 3, temporal 1, geographical 4, technological 5, basic 0.0006
    assert engine.pedigree_sigma([2, 3, 1, 4, 5]) == pytest.approx(
        math.sqrt(0.0006 + 0.0006 + 0.0006 + 0 + 0.0006 + 0.12), rel=EXACT
    )
    assert engine.pedigree_sigma([1, 1, 1, 1, 1], basic_variance=0.04) == pytest.approx(0.2, rel=EXACT)
    model = result(uncertain({"pedigree": [5, 5, 5, 5, 5]})).model
    sigma = math.sqrt(0.0006 + 0.04 + 0.008 + 0.04 + 0.002 + 0.12)
    kind, drawn_sigma = model.lines[0].uncertainty
    assert kind == "lognormal" and drawn_sigma == pytest.approx(sigma, rel=EXACT)
    stats = engine.monte_carlo(model, 50_000, seed=5)  # σ = 0.46: 10,000 draws leave ±1 % noise
    assert stats["mean"] == pytest.approx(620.5 * math.exp(sigma**2 / 2), rel=0.01)


def test_a_library_factor_is_drawn_once_for_all_lines_that_use_it():
    library = {"F1": factor(1, "kgCO2e/kg", uncertainty={"distribution": "lognormal", "sigma": 0.3})}
    shared = clean()
    shared["lines"] = [line("production", "raw_materials", f"物料{k}", 1, "kg", {"id": "F1"}) for k in range(2)]
    independent = clean()
    independent["lines"] = [line("production", "raw_materials", f"物料{k}", 1, "kg", library["F1"]) for k in range(2)]
    sd_shared = engine.monte_carlo(result(shared, factor_lookup=library.get).model, 20_000, seed=9)["sd"]
    sd_independent = engine.monte_carlo(result(independent).model, 20_000, seed=9)["sd"]
    assert sd_shared / sd_independent == pytest.approx(math.sqrt(2), rel=0.05)


# --- findings: every code ------------------------------------------------------------------------------


def _mutate(change, document=None, **options):
    def case():
        data = clean()
        change(data)
        return data, document or RULE, options

    return case


def _set(index, **values):
    return lambda data: data["lines"][index].update(values)


def _drop(index, key):
    return lambda data: data["lines"][index].pop(key)


def _excluded_many(data):
    for k in range(6):  # six lines of 0.9 % each: each below 1 %, together above 5 %
        data["lines"].append(
            line("production", "raw_materials", f"辅料{k}", 1, "kg", factor(20, "kgCO2e/kg"), excluded=True)
        )


FINDING_CASES = {
    "stage_outside_boundary": (_mutate(_set(3, stage="end_of_life")), "/lines/3/stage"),
    "primary_data_missing": (_mutate(_set(4, data_type="statistical")), "/lines/4/data_type"),
    "secondary_type_not_allowed": (
        _mutate(_set(1, data_type="estimated"), rule(secondary_data_priority=["statistical", "literature"])),
        "/lines/1/data_type",
    ),
    "secondary_priority_unjustified": (_mutate(_set(1, data_type="literature")), "/lines/1/justification"),
    "secondary_source_missing": (_mutate(_set(1, source=" ")), "/lines/1/source"),
    "activity_category_empty": (_mutate(lambda data: data["lines"].pop(2)), "/lines"),
    "electricity_instrument_not_allowed": (
        _mutate(_set(0, electricity={"instrument": "ppa", "evidence": "PPA-1", "contract_factor": GREEN})),
        "/lines/0/electricity/instrument",
    ),
    "electricity_evidence_missing": (
        _mutate(_set(0, electricity={"instrument": "green_certificate", "contract_factor": GREEN})),
        "/lines/0/electricity/evidence",
    ),
    "electricity_factor_co2_only": (
        _mutate(_set(0, factor=factor(0.5366, "kgCO2/kWh", "government"))),  # MEE's CO2-only grid factor
        "/lines/0/factor",
    ),
    "factor_source_missing": (_mutate(lambda data: data["lines"][3]["factor"].pop("source")), "/lines/3/factor/source"),
    # the clean dataset as it is: its landfill factor is a literature value
    "factor_tier_not_allowed": (
        _mutate(lambda data: None, rule(factor_priority=["measured_verified", "government", "industry"])),
        "/lines/3/factor/tier",
    ),
    "factor_lower_tier": (
        _mutate(lambda data: None, better_factor=lambda entry: "government" if entry["item"] == "石膏" else None),
        "/lines/1/factor/tier",
    ),
    "factor_value_mismatch": (
        _mutate(
            _set(
                4,
                factor={
                    "value": 28,
                    "gases": {"CH4_fossil": 1},
                    "unit": "kgCO2e/t",
                    "tier": "measured_verified",
                    "source": "AR5",
                },
            )
        ),
        "/lines/4/factor/value",
    ),
    "allocation_method_unsupported": (
        lambda: (multi_output(), rule(allocation={"method": "avoid", "justification": "细分"}), {}),
        "/co_products",
    ),
    "cut_off_item_exceeded": (
        _mutate(
            lambda data: data["lines"].append(
                line("production", "raw_materials", "外加剂", 5, "kg", factor(10, "kgCO2e/kg"), excluded=True)
            )
        ),
        "/lines/5/excluded",
    ),
    "cut_off_total_exceeded": (_mutate(_excluded_many), "/lines"),
    "grid_factor_year_mismatch": (
        _mutate(lambda data: (data["lines"][0].pop("factor"), data.update(period="2030-01/2030-12"))),
        "/period",
    ),
    # the problems that stop a calculation
    "unit_not_convertible": (_mutate(_set(1, unit="kWh")), "/lines/1/unit"),
    "factor_unresolved": (_mutate(_set(1, factor={"id": "GYP-01"})), "/lines/1/factor/id"),
    "gwp_unavailable": (
        _mutate(
            _set(
                4, factor={"gases": {"CH4_fossil": 1}, "unit": "kgCO2e/t", "tier": "measured_verified", "source": "x"}
            ),
            rule(gwp_set="IPCC-AR6-GWP20"),  # no table shipped for it
        ),
        "/lines/4/factor",
    ),
    "uncertainty_invalid": (
        _mutate(_set(0, uncertainty={"distribution": "uniform", "min": 0, "max": 10})),
        "/lines/0/uncertainty",
    ),
    "network_invalid": (
        lambda: (
            network(
                [
                    {
                        "id": "P",
                        "outputs": [{"product": "p", "amount": 1, "unit": "t"}],
                        "inputs": [{"product": "p", "amount": 1, "unit": "t"}],
                    }
                ],
                [process_line("P", 1)],
            ),
            RULE,
            {},
        ),
        "/processes",
    ),
    "allocation_data_missing": (
        lambda: (multi_output(price_main=100), rule(allocation={"method": "economic", "justification": "按收入"}), {}),
        "/co_products/0/price",
    ),
}


ENGINE_CODES = {check.code for check in SUBJECTS["dataset"]} - {
    "result_out_of_range",
    "unit_inconsistent",
    "cut_off_excluded",
}


def test_every_finding_code_has_a_case():
    # result_out_of_range is the service's (a result too large to store), the last two the report's
    assert set(FINDING_CASES) == ENGINE_CODES


@pytest.mark.parametrize("code", sorted(FINDING_CASES))
def test_finding(code):
    case, path = FINDING_CASES[code]
    data, document, options = case()
    assert datasets.validate(data) == []
    if code in engine.UNUSABLE:
        with pytest.raises(engine.DatasetError) as caught:
            engine.calculate(document, data, **options)
        findings = caught.value.problems + caught.value.findings
    else:
        findings = engine.calculate(document, data, **options).findings  # still calculated
    matching = [finding for finding in findings if finding.code == code]
    assert matching, codes(findings)
    assert matching[0].path == path
    assert (matching[0].severity, matching[0].article) == (CATALOGUE[code].severity, CATALOGUE[code].article)
    assert matching[0].message


def test_unit_problem_names_the_line_and_both_units():
    data = clean()
    data["lines"][1]["unit"] = "kWh"
    with pytest.raises(engine.DatasetError) as caught:
        result(data)
    message = caught.value.problems[0].message
    assert "/lines/1" in message and "石膏" in message and "kWh" in message and "kgCO2e/kg" in message


def test_primary_stage_without_any_line():
    data = clean()
    data["lines"] = [entry for entry in data["lines"] if entry["stage"] != "production"]
    findings = result(data).findings
    assert any(f.code == "primary_data_missing" and f.path == "/lines" for f in findings)


def test_a_line_outside_the_boundary_is_not_counted():
    data = clean()
    data["lines"][3]["stage"] = "end_of_life"
    outcome = result(data)
    assert outcome.cfp_per_unit == pytest.approx(CLEAN_TOTAL - 20, rel=EXACT)
    assert "end_of_life" not in outcome.by_stage


def test_factor_from_the_library_lookup():
    library = {"GYP-01": factor(0.5, "kgCO2e/kg", "government")}
    data = clean()
    data["lines"][1]["factor"] = {"id": "GYP-01"}
    assert result(data, factor_lookup=library.get).cfp_per_unit == pytest.approx(CLEAN_TOTAL, rel=EXACT)


# --- dataset schema ----------------------------------------------------------------------------------


def test_schema_messages_name_the_line_and_field():
    data = clean()
    data["lines"][3]["amount"] = "abc"
    problems = datasets.validate(data)
    assert [path for path, _ in problems] == ["/lines/3/amount"]
    message = problems[0].message
    assert "/lines/3" in message and "废物填埋" in message and "数量" in message


def test_schema_problems():
    data = clean()
    del data["lines"][0]["data_type"]
    data["lines"][1]["colour"] = "red"
    data["lines"][1]["x_note"] = "extensions are kept"
    data["lines"][2]["factor"] = {"id": "T-1", "value": 1}
    data["lines"][3]["factor"] = {"unit": "kgCO2e/t", "tier": "literature", "source": "x"}
    data["lines"][4]["uncertainty"] = {"pedigree": [1, 2, 3]}
    data["lines"][4]["stage"] = "shipping"
    paths = [path for path, _ in datasets.validate(data)]
    assert paths == [
        "/lines/0/data_type",
        "/lines/1/colour",
        "/lines/2/factor",
        "/lines/3/factor/value",
        "/lines/4/stage",
        "/lines/4/uncertainty/pedigree",
    ]


def test_rules_between_fields():
    data = clean()
    del data["lines"][1]["factor"]  # only electricity may go without: it has the grid default
    data["lines"][0]["electricity"] = {"instrument": "green_certificate", "evidence": "GEC-1"}
    data["lines"][2]["uncertainty"] = {"distribution": "triangular", "min": 50}
    data["lines"][3]["uncertainty"] = {"distribution": "lognormal"}
    data["lines"][4]["factor"]["uncertainty"] = {"basic_variance": 0.001}
    problems = datasets.validate(data)
    assert [path for path, _ in problems] == [
        "/lines/0/electricity/contract_factor",
        "/lines/1/factor",
        "/lines/2/uncertainty/max",
        "/lines/3/uncertainty/gsd",
        "/lines/4/factor/uncertainty/distribution",
    ]
    assert all(problem.message.startswith("活动数据 /lines/") for problem in problems)


def test_schema_cross_references_of_a_network():
    data = network(
        [
            {"id": "P", "outputs": [{"product": "p", "amount": 1, "unit": "t"}]},
            {"id": "P", "outputs": [{"product": "q", "amount": 1, "unit": "t"}]},
        ],
        [
            process_line("P", 1),
            process_line("R", 1),
            line("production", "energy", "电", 1, "kWh", factor(1, "kgCO2e/kWh")),
        ],
    )
    assert [path for path, _ in datasets.validate(data)] == ["/lines/1/process", "/lines/2/process", "/processes/1/id"]


# --- the command line --------------------------------------------------------------------------------


def run(tmp_path, data, *arguments, document=None):
    rule_file, data_file = tmp_path / "rule.json", tmp_path / "data.json"
    rule_file.write_text(json.dumps(document or RULE, ensure_ascii=False), encoding="utf-8")
    data_file.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return CliRunner().invoke(calc, [str(rule_file), str(data_file), *arguments])


def test_cli_json(tmp_path):
    outcome = run(
        tmp_path,
        uncertain({"distribution": "lognormal", "gsd": 1.2}),
        "--format",
        "json",
        "--seed",
        "11",
        "--monte-carlo",
        "2000",
    )
    assert outcome.exit_code == 0, outcome.output
    report = json.loads(outcome.output)
    for key in (
        "cfp_per_unit",
        "unit",
        "by_stage",
        "by_category",
        "by_gas",
        "fossil",
        "biogenic",
        "primary_data_share",
        "data_quality",
        "monte_carlo",
        "findings",
        "contributions",
        "scenarios",
    ):
        assert key in report
    assert report["cfp_per_unit"] == pytest.approx(620.5, rel=EXACT)
    assert report["monte_carlo"]["iterations"] == 2000 and report["monte_carlo"]["seed"] == 11
    again = json.loads(
        run(
            tmp_path,
            uncertain({"distribution": "lognormal", "gsd": 1.2}),
            "--format",
            "json",
            "--seed",
            "11",
            "--monte-carlo",
            "2000",
        ).output
    )
    assert again["monte_carlo"] == report["monte_carlo"]


def test_cli_summary_and_no_monte_carlo(tmp_path):
    outcome = run(tmp_path, clean(), "--monte-carlo", "0")
    assert outcome.exit_code == 0, outcome.output
    assert "2150.5 kg CO2e/t" in outcome.output
    report = json.loads(run(tmp_path, clean(), "--monte-carlo", "0", "--format", "json").output)
    assert report["monte_carlo"] is None


def test_cli_exit_1_on_error_findings(tmp_path):
    data = clean()
    data["lines"][4]["data_type"] = "estimated"
    outcome = run(tmp_path, data, "--monte-carlo", "0", "--format", "json")
    assert outcome.exit_code == 1
    assert json.loads(outcome.output)["counts"]["errors"] >= 1


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ('{"lines": [', "JSON"),
        ('{"reference_flow": {"quantity": NaN, "unit": "t"}, "lines": []}', "NaN"),
    ],
)
def test_cli_exit_2_on_unreadable_files(tmp_path, data, expected):
    outcome = run(tmp_path, data)
    assert outcome.exit_code == 2
    assert expected in outcome.output and len(outcome.output.strip().splitlines()) == 1


def test_cli_exit_2_names_the_line_and_field(tmp_path):
    data = clean()
    data["lines"][3]["amount"] = "abc"
    outcome = run(tmp_path, data)
    assert outcome.exit_code == 2
    assert "/lines/3/amount" in outcome.output and "废物填埋" in outcome.output


def test_cli_exit_2_on_units_that_do_not_convert(tmp_path):
    data = clean()
    data["lines"][1]["unit"] = "kWh"
    outcome = run(tmp_path, data)
    assert outcome.exit_code == 2
    assert "/lines/1/unit" in outcome.output and "kWh" in outcome.output and "kgCO2e/kg" in outcome.output


def test_cli_exit_2_on_a_library_factor_offline(tmp_path):
    data = clean()
    data["lines"][1]["factor"] = {"id": "GYP-01"}
    outcome = run(tmp_path, data)
    assert outcome.exit_code == 2
    assert "/lines/1/factor/id" in outcome.output and "GYP-01" in outcome.output
    assert "用 --factors 指定因子库导出文件 (use --factors with an exported library)" in outcome.output


LIBRARY_HEADER = "code,name,value,unit,kind,geography,data_year,published_on,tier,source,source_url,database,standards,note,gases,uncertainty"


def library_file(tmp_path, *rows, file_format="csv"):
    """An exported factor library: CSV text rows, or the same rows as an XLSX workbook."""
    text = "\n".join([LIBRARY_HEADER, *rows]) + "\n"
    if file_format == "csv":
        path = tmp_path / "factors.csv"
        path.write_text(text, encoding="utf-8-sig")
        return path
    from openpyxl import Workbook

    book = Workbook()
    for row in csv.reader(io.StringIO(text)):
        book.active.append(
            [float(cell) if index == 2 and cell[:1].isdigit() else cell or None for index, cell in enumerate(row)]
        )
    path = tmp_path / "factors.xlsx"
    book.save(path)
    return path


GRID = 'GRID-2023,全国电网,0.5,kgCO2e/kWh,cfp_life_cycle,全国,2023,2024-05-01,government,公告,,,,,,"{""distribution"": ""lognormal"", ""gsd"": 1.1}"'


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_cli_factors_file_resolves_library_codes(tmp_path, file_format):
    data = clean()
    data["lines"][0]["factor"] = {"id": "grid-2023"}  # the code, whatever its case
    factors_file = library_file(tmp_path, GRID, file_format=file_format)
    outcome = run(tmp_path, data, "--factors", str(factors_file), "--format", "json", "--monte-carlo", "0")
    assert outcome.exit_code == 0, outcome.output
    report = json.loads(outcome.output)
    assert report["cfp_per_unit"] == pytest.approx(CLEAN_TOTAL - 620.5 + 1000 * 0.5, rel=EXACT)
    assert report["scenarios"]["electricity"]["grid"]["cfp_per_unit"] == pytest.approx(
        report["cfp_per_unit"], rel=EXACT
    )
    missing = clean()
    missing["lines"][0]["factor"] = {"id": "GRID-2099"}
    outcome = run(tmp_path, missing, "--factors", str(factors_file))
    assert outcome.exit_code == 2
    assert "因子库中没有编号为“GRID-2099”的因子" in outcome.output and "--factors" not in outcome.output


def test_cli_bad_factors_file_exits_2_naming_the_file_row_and_column(tmp_path):
    bad = library_file(tmp_path, GRID, "GYP-01,石膏,0.5,kgCO2e/kg,cfp_life_cycle,,,,rumour,文献,,,,,,")
    outcome = run(tmp_path, clean(), "--factors", str(bad))
    assert outcome.exit_code == 2
    lines = outcome.output.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0]
    assert "第 3 行 row 3 tier 列 column tier" in lines[0] and "rumour" in lines[0]
    not_xlsx = tmp_path / "library.xlsx"
    not_xlsx.write_text("code,name\n", encoding="utf-8")
    outcome = run(tmp_path, clean(), "--factors", str(not_xlsx))
    assert outcome.exit_code == 2 and str(not_xlsx) in outcome.output and "另存为" in outcome.output


def test_cli_factor_lower_tier_offline(tmp_path):
    data = clean()
    data["lines"][1]["factor"] = {"id": "GYP-IND"}
    factors_file = library_file(
        tmp_path,
        "GYP-IND,石膏,0.5,kgCO2e/kg,cfp_life_cycle,,,,industry,行业数据,,,,,,",
        "GYP-GOV, 石膏 ,0.4,kgCO2e/kg,cfp_life_cycle,,,,government,公告,,,,,,",
        "GYP-LIT,石膏,0.3,kgCO2e/kg,cfp_life_cycle,,,,literature,文献,,,,,,",
    )
    outcome = run(tmp_path, data, "--factors", str(factors_file), "--format", "json", "--monte-carlo", "0")
    assert outcome.exit_code == 0, outcome.output  # a warning
    report = json.loads(outcome.output)
    assert report["cfp_per_unit"] == pytest.approx(CLEAN_TOTAL, rel=EXACT)
    lower = [f for f in report["findings"] if f["code"] == "factor_lower_tier"]
    assert [(f["path"], f["severity"]) for f in lower] == [("/lines/1/factor/tier", "warning")]
    assert "政府官方数据" in lower[0]["message"]


def test_cli_exit_2_on_a_rule_that_does_not_fit_its_template(tmp_path):
    document = copy.deepcopy(RULE)
    document["parameters"]["gwp_set"] = 5
    outcome = run(tmp_path, clean(), document=document)
    assert outcome.exit_code == 2
    assert "/parameters/gwp_set" in outcome.output
