"""The feasibility report (workbench.trials.feasibility): the trials of one rule revision summed up.

Three enterprises calculated by the engine under the cement example rule, with different data, and
one whose data cannot be calculated. Expected figures are computed here independently (statistics,
numpy, by hand) from the engine's per-trial results.
"""

import copy
import io
import json
import statistics

import numpy as np
import pytest
from openpyxl import load_workbook

from workbench.guideline import CATALOGUE, meaning
from workbench.guideline.catalogue import SUBJECTS
from workbench.guideline.vocabulary import ACTIVITY_CATEGORIES
from workbench.guideline.vocabulary import LIFE_CYCLE_STAGES as STAGE_WORDS
from workbench.spreadsheet import safe_text
from workbench.trials import engine, feasibility, feasibility_xlsx
from workbench.trials.feasibility import TrialOutcome

from .conftest import PROJECT_ROOT

RULE = json.loads(
    (PROJECT_ROOT / "rule_templates" / "cfp-product-rule" / "1.0" / "examples" / "cement.json").read_text(
        encoding="utf-8"
    )
)
CLOSE = 1e-9


def factor(value, unit, tier="industry", source="《中国产品全生命周期温室气体排放系数集》2022") -> dict:
    return {"value": value, "unit": unit, "tier": tier, "source": source}


def line(stage, category, item, amount, unit, fact, data_type="primary", source="生产记录", pedigree=None, **more):
    entry = {
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
    if pedigree:
        entry["uncertainty"] = {"pedigree": pedigree}
    return entry


def dataset(kwh, gypsum_t, road_tkm, waste_t, carbonate_t, *, carbonate_data="primary", pedigree=None, extra=()):
    """A cement plant: electricity, gypsum, road transport, carbonate decomposition, landfill."""
    lines = [
        line(
            "production",
            "energy",
            "外购电力",
            kwh,
            "kWh",
            factor(0.6205, "kgCO2e/kWh", "government"),
            pedigree=pedigree,
        ),
        line(
            "raw_material_acquisition",
            "raw_materials",
            "石膏",
            gypsum_t,
            "t",
            factor(0.5, "kgCO2e/kg"),
            "statistical",
            "统计年鉴 2023",
            pedigree=pedigree,
        ),
        line(
            "raw_material_acquisition",
            "transport",
            "公路运输",
            road_tkm,
            "t·km",
            factor(0.1, "kgCO2e/t·km"),
            "statistical",
            "统计年鉴 2023",
            pedigree=pedigree,
        ),
        line(
            "production",
            "process_emissions",
            "碳酸盐分解",
            carbonate_t,
            "t",
            factor(500, "kgCO2/t", "measured_verified"),
            carbonate_data,
            "生产记录",
            pedigree=pedigree,
        ),
    ]
    if waste_t:
        lines.append(
            line(
                "production",
                "waste_treatment",
                "废物填埋",
                waste_t,
                "t",
                factor(20, "kgCO2e/t", "literature"),
                pedigree=pedigree,
            )
        )
    return {
        "enterprise": "保密",
        "period": "2024-01/2024-12",
        "reference_flow": {"quantity": 1, "unit": "t"},
        "lines": lines + list(extra),
    }


# 企业A: every category, excellent pedigree (1.4). 2,150.5 kg CO2e/t; production dominates.
DATA_A = dataset(1000, 2, 100, 1, 1, pedigree=[1, 2, 1, 2, 1])
# 企业B: no landfill (activity_category_empty), packaging left out under cut-off, pedigree 2.0.
# 2,416.4 kg CO2e/t; raw material acquisition dominates.
DATA_B = dataset(
    800,
    3,
    200,
    0,
    0.8,
    pedigree=[2, 2, 2, 2, 2],
    extra=[line("production", "raw_materials", "包装", 1, "t", factor(5, "kgCO2e/t"), excluded=True)],
)
# 企业C: statistical data for a production line (primary_data_missing), no landfill, no pedigree.
# 2,223.7 kg CO2e/t; production dominates, energy is the largest category.
DATA_C = dataset(1400, 1.5, 50, 0, 1.2, carbonate_data="statistical")


def calculated(label, data, *, iterations=0) -> TrialOutcome:
    result = engine.calculate(RULE, data)
    stored = {
        **result.as_dict(),
        "monte_carlo": engine.monte_carlo(result.model, iterations, seed=7) if iterations else None,
        "scenarios": engine.compare(RULE, data),
    }
    return TrialOutcome(label=label, period=data["period"], usable=True, result=json.loads(json.dumps(stored)))


def unusable(label) -> TrialOutcome:
    data = copy.deepcopy(DATA_A)
    data["lines"][0]["factor"] = {"id": "EF-404"}  # offline: no factor library
    with pytest.raises(engine.DatasetError) as error:
        engine.calculate(RULE, data)
    return TrialOutcome(
        label=label, period="2024", usable=False, result=None, problems=[p.to_dict() for p in error.value.problems]
    )


@pytest.fixture(scope="module")
def outcomes() -> list[TrialOutcome]:
    a = calculated("企业A", DATA_A, iterations=2000)
    # a suppressed finding (with a recorded reason) counts nowhere
    a.result["findings"].append(
        {
            "code": "secondary_priority_unjustified",
            "severity": "warning",
            "article": "指引（四）",
            "path": "/lines/1/justification",
            "message": "已说明",
            "suppressed": True,
            "suppression_reason": "起草组已核实",
        }
    )
    b = calculated("企业B", DATA_B, iterations=2000)
    c = calculated("企业C", DATA_C)
    # given out of order: the report sorts by label
    return [c, unusable("企业D"), a, b]


@pytest.fixture(scope="module")
def data(outcomes) -> dict:
    return feasibility.report(outcomes)


def named(outcomes) -> dict[str, TrialOutcome]:
    return {outcome.label: outcome for outcome in outcomes}


def by_label(outcomes) -> dict[str, dict]:
    return {outcome.label: outcome.result for outcome in outcomes}


# --- counts and rows ---------------------------------------------------------------------------------


def test_counts_and_json_ready(data):
    assert (data["trials"], data["enterprises"], data["calculated"]) == (4, 4, 3)
    assert data["unit"] == "kg CO2e/t"
    assert data["units"] == {"kg CO2e/t": 3}
    json.dumps(feasibility.as_json(data), allow_nan=False)  # JSON-ready: no numpy types, no NaN


def test_results_one_row_per_outcome_sorted_by_label(data, outcomes):
    results = by_label(outcomes)
    rows = {row["label"]: row for row in data["results"]}
    assert [row["label"] for row in data["results"]] == ["企业A", "企业B", "企业C", "企业D"]

    a = rows["企业A"]
    assert a["usable"] and a["in_spread"]
    assert a["cfp_per_unit"] == pytest.approx(2150.5, rel=CLOSE)
    assert a["fossil"] == results["企业A"]["fossil"] and a["biogenic"] == 0
    assert a["primary_data_share"] == pytest.approx(100 * 500 / 2150.5, rel=CLOSE)
    assert a["data_quality"] == {"score": pytest.approx(1.4), "rating": "excellent", "rating_zh": "优秀"}
    assert (a["errors"], a["warnings"]) == (0, 0)  # the suppressed warning is not counted
    monte_carlo = results["企业A"]["monte_carlo"]
    assert a["monte_carlo"] == {"p2_5": monte_carlo["p2_5"], "p97_5": monte_carlo["p97_5"]}
    assert a["top_stage"] == {
        "stage": "production",
        "name": "生产",
        "percent": pytest.approx(100 * 1140.5 / 2150.5, rel=CLOSE),
    }

    b = rows["企业B"]
    assert (b["errors"], b["warnings"]) == (0, 1)
    assert b["top_stage"]["stage"] == "raw_material_acquisition"
    assert b["data_quality"]["rating"] == "very_good"

    c = rows["企业C"]
    assert (c["errors"], c["warnings"]) == (1, 1)
    assert c["monte_carlo"] is None
    assert c["data_quality"] == {"score": None, "rating": None, "rating_zh": None}

    d = rows["企业D"]
    assert not d["usable"] and not d["in_spread"]
    assert d["cfp_per_unit"] is None and d["top_stage"] is None and d["monte_carlo"] is None
    assert (d["errors"], d["warnings"]) == (1, 0)


def test_report_does_not_depend_on_the_order_of_outcomes(outcomes, data):
    assert feasibility.report(list(reversed(outcomes))) == data


# --- spread ------------------------------------------------------------------------------------------


def test_spread_matches_independent_statistics(data, outcomes):
    results = by_label(outcomes)
    values = [results[label]["cfp_per_unit"] for label in ("企业A", "企业B", "企业C")]
    assert values == pytest.approx([2150.5, 2416.4, 2223.7], rel=CLOSE)
    spread = data["spread"]
    sd = statistics.stdev(values)
    mean = statistics.fmean(values)
    assert spread["n"] == 3
    assert spread["unit"] == "kg CO2e/t"
    assert spread["min"] == pytest.approx(min(values), rel=CLOSE)
    assert spread["max"] == pytest.approx(max(values), rel=CLOSE)
    assert spread["mean"] == pytest.approx(mean, rel=CLOSE)
    assert spread["median"] == pytest.approx(statistics.median(values), rel=CLOSE)
    assert spread["sd"] == pytest.approx(sd, rel=CLOSE)  # sample sd, not population
    assert spread["sd"] != pytest.approx(statistics.pstdev(values), rel=1e-6)
    assert spread["cv_percent"] == pytest.approx(100 * sd / mean, rel=CLOSE)
    assert spread["max_over_min"] == pytest.approx(2416.4 / 2150.5, rel=CLOSE)
    assert (spread["min_label"], spread["max_label"]) == ("企业A", "企业B")


def synthetic(label, cfp, unit="kg CO2e/t", **more) -> TrialOutcome:
    return TrialOutcome(label, "2024", True, {"cfp_per_unit": cfp, "unit": unit, **more})


def test_spread_of_one_result_has_no_sd():
    spread = feasibility.report([synthetic("企业A", 2.0)])["spread"]
    assert (spread["n"], spread["min"], spread["max"], spread["mean"], spread["median"]) == (1, 2.0, 2.0, 2.0, 2.0)
    assert spread["sd"] is None and spread["cv_percent"] is None
    assert spread["max_over_min"] == 1.0


def test_spread_guards_zero_mean_and_non_positive_minimum():
    spread = feasibility.report([synthetic("企业A", -3.0), synthetic("企业B", 3.0)])["spread"]
    assert spread["mean"] == 0
    assert spread["sd"] == pytest.approx(np.std([-3.0, 3.0], ddof=1))
    assert spread["cv_percent"] is None
    assert spread["max_over_min"] is None
    # net removals: the CV is relative to |mean|
    spread = feasibility.report([synthetic("企业A", -2.0), synthetic("企业B", -4.0)])["spread"]
    assert spread["cv_percent"] == pytest.approx(100 * statistics.stdev([-2.0, -4.0]) / 3)
    assert spread["max_over_min"] is None


def test_empty_report():
    data = feasibility.report([])
    assert (data["trials"], data["enterprises"], data["calculated"], data["unit"]) == (0, 0, 0, None)
    assert data["spread"]["n"] == 0 and data["spread"]["mean"] is None
    assert data["results"] == [] and data["stages"] == [] and data["gaps"] == []
    assert data["notes"] and "指引（六）" in str(data["notes"][0])
    json.dumps(feasibility.as_json(data), allow_nan=False)


# --- stages and categories ---------------------------------------------------------------------------


def test_stage_shares_and_dominant_counts(data):
    shares = {
        "raw_material_acquisition": [100 * 1010 / 2150.5, 100 * 1520 / 2416.4, 100 * 755 / 2223.7],
        "production": [100 * 1140.5 / 2150.5, 100 * 896.4 / 2416.4, 100 * 1468.7 / 2223.7],
    }
    assert [row["stage"] for row in data["stages"]] == ["raw_material_acquisition", "production"]
    for row in data["stages"]:
        expected = shares[row["stage"]]
        assert row["name"] == STAGE_WORDS.label(row["stage"])
        assert row["trials"] == 3
        assert row["mean_percent"] == pytest.approx(statistics.fmean(expected), rel=CLOSE)
        assert row["min_percent"] == pytest.approx(min(expected), rel=CLOSE)
        assert row["max_percent"] == pytest.approx(max(expected), rel=CLOSE)
    dominant = {row["stage"]: row["dominant_in"] for row in data["stages"]}
    assert dominant == {"raw_material_acquisition": 1, "production": 2}


def test_category_shares_count_a_missing_category_as_zero(data):
    rows = {row["category"]: row for row in data["categories"]}
    assert [row["category"] for row in data["categories"]] == list(ACTIVITY_CATEGORIES.codes)  # all five, in order
    assert rows["energy"]["name"] == "能源使用"
    waste = rows["waste_treatment"]  # only 企业A has landfill
    assert waste["mean_percent"] == pytest.approx(100 * 20 / 2150.5 / 3, rel=CLOSE)
    assert (waste["min_percent"], waste["max_percent"]) == (0, pytest.approx(100 * 20 / 2150.5, rel=CLOSE))
    energy = [100 * 620.5 / 2150.5, 100 * 496.4 / 2416.4, 100 * 868.7 / 2223.7]
    assert rows["energy"]["mean_percent"] == pytest.approx(statistics.fmean(energy), rel=CLOSE)
    # the packaging left out under cut-off is not counted in 企业B's raw materials
    raw = [100 * 1000 / 2150.5, 100 * 1500 / 2416.4, 100 * 750 / 2223.7]
    assert rows["raw_materials"]["max_percent"] == pytest.approx(max(raw), rel=CLOSE)
    assert {key: row["dominant_in"] for key, row in rows.items()} == {
        "raw_materials": 2,
        "energy": 1,
        "transport": 0,
        "waste_treatment": 0,
        "process_emissions": 0,
    }


def test_a_trial_with_zero_cfp_has_no_shares_but_is_still_counted_elsewhere():
    zero = synthetic("企业A", 0.0, by_stage={"production": 0.0})
    other = synthetic("企业B", 10.0, by_stage={"production": 4.0, "raw_material_acquisition": 6.0})
    stages = {row["stage"]: row for row in feasibility.report([zero, other])["stages"]}
    assert stages["production"]["trials"] == 1
    assert stages["production"]["mean_percent"] == pytest.approx(40)
    assert stages["raw_material_acquisition"]["dominant_in"] == 1
    assert stages["production"]["dominant_in"] == 0  # 0 kg is nobody's largest contribution


# --- gaps --------------------------------------------------------------------------------------------


def test_gaps_aggregated_by_code_with_labels(data):
    gaps = {gap["code"]: gap for gap in data["gaps"]}
    assert set(gaps) == {"factor_unresolved", "primary_data_missing", "activity_category_empty", "cut_off_excluded"}
    assert "secondary_priority_unjustified" not in gaps  # suppressed

    unresolved = gaps["factor_unresolved"]  # the problem of the unusable trial
    assert (unresolved["severity"], unresolved["article"], unresolved["count"]) == ("error", "指引（五）", 1)
    assert unresolved["labels"] == ["企业D"]
    assert "EF-404" in str(unresolved["example"])

    empty = gaps["activity_category_empty"]
    assert (empty["severity"], empty["count"], empty["labels"]) == ("warning", 2, ["企业B", "企业C"])
    assert empty["example_label"] == "企业B" and "废物处理" in str(empty["example"])
    assert str(empty["cause"]) == meaning("activity_category_empty")

    primary = gaps["primary_data_missing"]
    assert primary["labels"] == ["企业C"]
    assert "初级数据" in str(primary["cause"])

    cut = gaps["cut_off_excluded"]
    assert (cut["severity"], cut["count"], cut["labels"]) == ("info", 1, ["企业B"])
    assert "包装" in str(cut["example"])

    # errors first, then warnings by count, then the rest
    assert [gap["severity"] for gap in data["gaps"]] == ["error", "error", "warning", "info"]


def test_gap_counts_occurrences_and_counts_a_finding_once():
    finding = {"code": "factor_unresolved", "severity": "error", "article": "指引（五）", "path": "/a", "message": "m"}
    other = {**finding, "path": "/b"}
    outcome = TrialOutcome("企业A", "2024", False, {"findings": [finding]}, problems=[finding, other])
    gap = feasibility.report([outcome])["gaps"][0]
    assert (gap["code"], gap["count"], gap["labels"]) == ("factor_unresolved", 2, ["企业A"])


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("primary_data_missing", "初级数据"),
        ("cut_off_item_exceeded", "单项取舍比例"),
        ("something_from_an_older_version", "需核实"),
    ],
)
def test_every_code_has_what_it_means_for_the_rule(code, expected):
    assert expected in meaning(code)


def test_every_finding_on_trial_data_has_a_meaning_of_its_own():
    assert all(CATALOGUE[check.code].meaning for check in SUBJECTS["dataset"])


# --- quality -----------------------------------------------------------------------------------------


def test_quality_distribution_primary_share_and_uncertainty(data, outcomes):
    quality = data["quality"]
    assert [(item["rating"], item["count"]) for item in quality["ratings"]] == [
        ("excellent", 1),
        ("very_good", 1),
        ("good", 0),
        ("fair", 0),
        ("poor", 0),
        (None, 1),
    ]
    assert [item["rating_zh"] for item in quality["ratings"]] == ["优秀", "很好", "好", "一般", "差", "未评价"]
    results = by_label(outcomes)
    shares = [results[label]["primary_data_share"] for label in ("企业A", "企业B", "企业C")]
    assert shares[2] == 0
    assert quality["primary_data_share"] == {
        "n": 3,
        "min": 0,
        "mean": pytest.approx(statistics.fmean(shares), rel=CLOSE),
        "max": pytest.approx(max(shares), rel=CLOSE),
    }
    widths = []
    for label in ("企业A", "企业B"):
        mc = results[label]["monte_carlo"]
        widths.append(100 * (mc["p97_5"] - mc["p2_5"]) / abs(mc["median"]))
    assert all(width > 0 for width in widths)
    assert quality["uncertainty"] == {
        "n": 2,
        "min_percent": pytest.approx(min(widths), rel=CLOSE),
        "mean_percent": pytest.approx(statistics.fmean(widths), rel=CLOSE),
        "max_percent": pytest.approx(max(widths), rel=CLOSE),
    }


# --- notes -------------------------------------------------------------------------------------------


def test_notes_state_the_facts(data):
    notes = "\n".join(map(str, data["notes"]))
    assert "至少 3 家" not in notes  # three enterprises calculated
    assert "1 项试算的数据无法计算（企业D）" in notes
    assert "3 项试算的碳足迹" in notes and "变异系数" in notes
    assert f"变异系数 {data['spread']['cv_percent']:.1f}\u00a0%" in notes  # one decimal, the sign as on the page
    assert "企业C的试算结果仍有未处理的错误" in notes
    assert "企业C的活动数据没有谱系矩阵评分" in notes
    assert "企业C未做蒙特卡洛" in notes
    assert "单位不一致" not in notes


def test_fewer_than_three_enterprises(outcomes):
    a, d = (named(outcomes)[label] for label in ("企业A", "企业D"))
    # 企业A twice (two periods): two trials, one enterprise
    again = copy.deepcopy(a)
    again.period = "2023-01/2023-12"
    data = feasibility.report([a, again, d])
    assert (data["trials"], data["enterprises"], data["calculated"]) == (3, 2, 2)
    notes = "\n".join(map(str, data["notes"]))
    assert "只来自 1 家企业" in notes and "指引（六）" in notes and "至少 3 家企业" in notes
    assert "企业A有多项试算" in notes
    assert [row["period"] for row in data["results"][:2]] == ["2023-01/2023-12", "2024-01/2024-12"]


def test_units_differ(outcomes):
    a, b, c = (copy.deepcopy(named(outcomes)[label]) for label in ("企业A", "企业B", "企业C"))
    c.result["unit"] = "kg CO2e/kg"
    c.result["cfp_per_unit"] = 2.4687
    data = feasibility.report([a, b, c])
    assert data["unit"] == "kg CO2e/t"
    assert data["units"] == {"kg CO2e/t": 2, "kg CO2e/kg": 1}
    spread = data["spread"]
    assert spread["n"] == 2
    assert spread["mean"] == pytest.approx(statistics.fmean([2150.5, 2416.4]), rel=CLOSE)
    assert spread["sd"] == pytest.approx(statistics.stdev([2150.5, 2416.4]), rel=CLOSE)
    assert [row["in_spread"] for row in data["results"]] == [True, True, False]
    gap = next(gap for gap in data["gaps"] if gap["code"] == "unit_inconsistent")
    assert (gap["severity"], gap["count"], gap["labels"]) == ("warning", 1, ["企业C"])
    assert "kg CO2e/kg" in str(gap["example"])
    notes = "\n".join(map(str, data["notes"]))
    assert "单位不一致" in notes and "kg CO2e/kg：企业C" in notes
    # shares are dimensionless: 企业C still counts there
    assert data["stages"][0]["trials"] == 3
    assert data["categories"][0]["trials"] == 3


# --- the workbook ------------------------------------------------------------------------------------


def workbook(data, **options):
    arguments = {"rule_code": "R-0001", "title": "温室气体 产品碳足迹量化方法与要求 水泥", "revision": 3, **options}
    return load_workbook(io.BytesIO(feasibility_xlsx.report_xlsx(data, **arguments)))


def test_xlsx_sheets_and_cells(data):
    book = workbook(data)
    assert book.sheetnames == ["汇总", "各企业结果", "阶段贡献", "类别贡献", "数据缺口", "数据质量"]

    summary = book["汇总"]
    values = {summary.cell(row, 1).value: summary.cell(row, 2) for row in range(4, 19)}
    assert values["规则编号"].value == "R-0001"
    assert values["规则修订"].value == 3
    assert values["试算数"].value == 4 and values["可计算的试算数"].value == 3
    mean = values["平均值（kg CO2e/t）"]
    assert isinstance(mean.value, float) and mean.value == pytest.approx(data["spread"]["mean"])
    assert mean.number_format == feasibility_xlsx.AMOUNT
    assert values["变异系数（%）"].value == pytest.approx(data["spread"]["cv_percent"])
    notes = [
        cell.value
        for (cell,) in summary.iter_rows(min_col=1, max_col=1)
        if cell.value in [str(note) for note in data["notes"]]
    ]
    assert notes == [str(note) for note in data["notes"]]
    assert summary["A3"].font.bold and summary.freeze_panes == "A4"

    results = book["各企业结果"]
    headers = [cell.value for cell in results[1]]
    assert headers[:6] == ["企业", "数据期间", "可计算", "纳入离散程度统计", "单位", "产品碳足迹"]
    assert all(cell.font.bold for cell in results[1])
    assert results.freeze_panes == "B2"
    assert results.column_dimensions["A"].width == 10
    assert [results.cell(row, 1).value for row in range(2, 6)] == ["企业A", "企业B", "企业C", "企业D"]
    cfp = results.cell(2, 6)
    assert cfp.data_type == "n" and cfp.value == pytest.approx(2150.5) and cfp.number_format == feasibility_xlsx.AMOUNT
    assert results.cell(2, 3).value == "是" and results.cell(5, 3).value == "否"
    assert results.cell(5, 6).value is None  # 企业D: no result
    assert results.cell(5, 12).value == 1 and results.cell(5, 12).data_type == "n"  # its error
    assert results.cell(2, 11).value == "优秀" and results.cell(4, 11).value == "未评价"

    stages = book["阶段贡献"]
    assert stages["A2"].value == "原材料获取" and stages["B2"].value == "raw_material_acquisition"
    assert stages["C2"].value == pytest.approx(data["stages"][0]["mean_percent"])
    assert stages["C2"].number_format == feasibility_xlsx.PERCENT
    assert stages["F3"].value == 2  # production dominant in two trials

    categories = book["类别贡献"]
    assert [categories.cell(row, 2).value for row in range(2, 7)] == list(ACTIVITY_CATEGORIES.codes)

    gaps = book["数据缺口"]
    assert [gaps.cell(row, 2).value for row in range(2, 6)] == [gap["code"] for gap in data["gaps"]]
    row = 2 + [gap["code"] for gap in data["gaps"]].index("activity_category_empty")
    assert gaps.cell(row, 1).value == CATALOGUE["activity_category_empty"].summary  # the gap in words first
    assert (
        gaps.cell(row, 3).value == "警告" and gaps.cell(row, 5).value == 2 and gaps.cell(row, 6).value == "企业B、企业C"
    )

    quality = book["数据质量"]
    assert [quality.cell(row, 1).value for row in range(2, 8)] == ["优秀", "很好", "好", "一般", "差", "未评价"]
    assert [quality.cell(row, 3).value for row in range(2, 8)] == [1, 1, 0, 0, 0, 1]
    share_row = next(row for row in range(1, quality.max_row + 1) if quality.cell(row, 1).value == "初级数据占比")
    assert quality.cell(share_row, 4).value == pytest.approx(data["quality"]["primary_data_share"]["mean"])
    width_row = next(
        row for row in range(1, quality.max_row + 1) if quality.cell(row, 1).value == "95% 置信区间相对宽度"
    )
    uncertainty = data["quality"]["uncertainty"]
    assert uncertainty["n"] == 2 and uncertainty["mean_percent"] is not None  # the mean cell is filled
    assert [quality.cell(width_row, column).value for column in range(2, 6)] == [
        uncertainty["n"],
        pytest.approx(uncertainty["min_percent"]),
        pytest.approx(uncertainty["mean_percent"]),
        pytest.approx(uncertainty["max_percent"]),
    ]


def test_xlsx_neutralises_formulas():
    finding = {
        "code": "factor_unresolved",
        "severity": "error",
        "article": "指引（五）",
        "path": "/lines/0",
        "message": '=HYPERLINK("http://example.invalid")',
    }
    outcomes = [
        synthetic("=1+1", 5.0, by_stage={"production": 5.0}),
        TrialOutcome("@SUM(A1)", "-2024\x07", False, None, problems=[finding]),
    ]
    book = workbook(feasibility.report(outcomes), title="=cmd|' /C calc'!A0", rule_code="+R")
    results = book["各企业结果"]
    labels = [results.cell(row, 1).value for row in (2, 3)]
    assert sorted(labels) == ["'=1+1", "'@SUM(A1)"]
    assert all(results.cell(row, 1).data_type == "s" for row in (2, 3))
    period = next(results.cell(row, 2).value for row in (2, 3) if results.cell(row, 1).value == "'@SUM(A1)")
    assert period == "'-2024"  # and the control character is gone
    assert results.cell(3 if labels[1] == "'=1+1" else 2, 6).value == 5.0
    summary = book["汇总"]
    assert summary["A1"].value.startswith("《=cmd")  # inside the title text: harmless
    assert summary["B4"].value == "'+R" and summary["B5"].value == "'=cmd|' /C calc'!A0"
    gaps = book["数据缺口"]
    assert gaps["G2"].value == '\'@SUM(A1)：=HYPERLINK("http://example.invalid")'
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def test_text_guard():
    assert safe_text("=A1") == "'=A1"
    assert safe_text("\tx") == "'\tx"
    assert safe_text("a\x00b") == "ab"
    assert safe_text(None) == ""
    assert safe_text("企业A") == "企业A"
