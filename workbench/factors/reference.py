"""The reference data shipped with the factor library (`data/`, unchanged copies of the project's
public files): the MEE/NBS electricity factors and the fuel combustion factors of GB/T 32150, read
as the library's reference factors; the national grid factor the calculation engine falls back
on; and the GWP tables that per-gas factor values are weighted with (IPCC AR6).

PURE: the standard library only; no Flask, no database, so the engine reads the grid factor
offline. Checking and storing the reference factors is `service.load_reference_factors`.
"""

import csv
import functools
from pathlib import Path

DATA = Path(__file__).parent / "data"

ELECTRICITY_NAMES = {
    "co2_location_based": "电力平均二氧化碳排放因子",
    "co2_excluding_market_non_fossil": "不含市场化交易非化石能源电量的电力二氧化碳排放因子",
    "co2_fossil_only": "化石能源电力二氧化碳排放因子",
    "cfp_life_cycle": "电力碳足迹因子",
}


def factor_rows() -> list[dict]:
    """The public reference factors, each as the fields of a factor's input (`service.FactorInput`):
    codes numbered by the row of their file, so loading them again finds the same factors."""
    items = []
    with (DATA / "electricity-factors.csv").open(encoding="utf-8") as file:
        for index, row in enumerate(csv.DictReader(file), start=1):
            items.append(
                {
                    "code": f"MEE-ELEC-{row['data_year']}-{row['kind']}-{index:02d}",
                    "name": f"{ELECTRICITY_NAMES[row['kind']]}（{row['scope']}，{row['data_year']}年）",
                    "value": row["value"],
                    "unit": row["unit"],
                    "kind": row["kind"],
                    "tier": "government",
                    "source": row["source"],
                    "geography": row["scope"],
                    "data_year": row["data_year"],
                }
            )
    with (DATA / "fuel-combustion-factors.csv").open(encoding="utf-8") as file:
        for index, row in enumerate(csv.DictReader(file), start=1):
            items.append(
                {
                    "code": f"FUEL-COMBUSTION-{index:02d}",
                    "name": f"{row['fuel']}燃烧二氧化碳排放因子",
                    "value": row["value"],
                    "unit": row["unit"],
                    "kind": row["kind"],
                    "tier": row["source_tier"],
                    "source": row["source"],
                    "geography": "全国",
                    "standards": "GB/T 32150—2015",
                    "note": (
                        f"低位发热量 {row['net_calorific_value']} {row['ncv_unit']}；单位热值含碳量 "
                        f"{row['carbon_content_tC_per_TJ']} tC/TJ；碳氧化率 {row['oxidation_rate']}。仅燃烧环节，不是燃料的摇篮到大门因子。"
                    ),
                }
            )
    return items


@functools.cache
def national_grid_factor() -> dict:
    """The latest national life-cycle electricity factor published by MEE, as an inline factor."""
    with (DATA / "electricity-factors.csv").open(encoding="utf-8") as file:
        rows = [row for row in csv.DictReader(file) if row["kind"] == "cfp_life_cycle" and row["scope"] == "全国"]
    latest = max(rows, key=lambda row: int(row["data_year"]))
    return {
        "value": float(latest["value"]),
        "unit": latest["unit"],
        "tier": "government",
        "source": f"{latest['source']}，{latest['data_year']} 年全国电力碳足迹因子",
    }


GWP_FILES = {"IPCC-AR6-GWP100": "gwp-ar6.csv"}
GWP_SOURCE = "IPCC AR6 WG1 第 7 章及其补充材料 (IPCC AR6 WG1 Chapter 7 and supplement)"
DEFAULT_GWP_SET = "IPCC-AR6-GWP100"


@functools.cache
def gwp_table(gwp_set: str) -> dict[str, float] | None:
    """GWP per gas formula for a GWP set, or None when the workbench has no data for the set."""
    name = GWP_FILES.get(gwp_set)
    if name is None:
        return None
    with (DATA / name).open(encoding="utf-8") as file:
        return {row["formula"]: float(row["gwp100"]) for row in csv.DictReader(file)}
