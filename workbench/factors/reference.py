"""The reference data shipped with the factor library (`data/`, unchanged copies of the project's
public files): the MEE/NBS electricity factors and the fuel combustion factors of GB/T 32150, read
as the library's reference factors; the national grid factor the calculation engine falls back
on; and the GWP tables that per-gas factor values are weighted with (IPCC AR6, AR5, AR4).

PURE: the standard library only; no Flask, no database, so the engine reads the grid factor
offline. Checking and storing the reference factors is `service.load_reference_factors`.

Decisions worth knowing:
- GWP tables hold the same gases in every set. AR5 (WG1 Table 8.A.1) is taken without the
  climate-carbon feedback, the column AR5 prints first and the one UNFCCC reporting and the GHG
  Protocol use; the values with the feedback are in each row's note. Fossil methane is AR5's 30
  (the CO2 from its oxidation added), non-fossil methane 28. AR4 (WG1 Table 2.14) has one value
  for methane (25), used for fossil and non-fossil methane alike. AR6 GWP20 has no table: a rule
  choosing it gets `gwp_unavailable` as soon as a per-gas value needs weighting.
- The national grid factor is the MEE life-cycle electricity factor (cfp_life_cycle, 全国) of a
  given year, else of the nearest earlier year, else of the earliest published one; without a
  year, the latest. The caller compares `data_year` with the year it asked for.
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
# What an electricity factor covers, by the library's `kind`: the carbon-footprint factor is life
# cycle CO2e (generation with its fuel chains, and grid losses), what a product footprint needs;
# the others are MEE's CO2-only emission factors of generation, made for enterprises' and regions'
# emission accounting, not for product footprints.
CFP_ELECTRICITY_KIND = "cfp_life_cycle"
CO2_ONLY_ELECTRICITY_KINDS = frozenset(ELECTRICITY_NAMES) - {CFP_ELECTRICITY_KIND}


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
def _national_grid_rows() -> dict[int, dict]:
    with (DATA / "electricity-factors.csv").open(encoding="utf-8") as file:
        return {
            int(row["data_year"]): row
            for row in csv.DictReader(file)
            if row["kind"] == "cfp_life_cycle" and row["scope"] == "全国"
        }


def grid_factor_years() -> list[int]:
    """The years MEE published a national life-cycle electricity factor for, in order."""
    return sorted(_national_grid_rows())


def national_grid_factor(year: int | None = None) -> dict:
    """The national life-cycle electricity factor published by MEE, as an inline factor with its
    `data_year`: the factor of `year`, else of the nearest earlier year, else the earliest one;
    the latest without a year."""
    rows = _national_grid_rows()
    years = sorted(rows)
    chosen = years[-1] if year is None else max((known for known in years if known <= year), default=years[0])
    row = rows[chosen]
    return {
        "value": float(row["value"]),
        "unit": row["unit"],
        "tier": "government",
        "source": f"{row['source']}，{row['data_year']} 年全国电力碳足迹因子",
        "data_year": chosen,
    }


GWP_FILES = {
    "IPCC-AR6-GWP100": "gwp-ar6.csv",
    "IPCC-AR5-GWP100": "gwp-ar5.csv",
    "IPCC-AR4-GWP100": "gwp-ar4.csv",
}
GWP_SOURCES = {
    "IPCC-AR6-GWP100": "IPCC AR6 WG1 第 7 章及其补充材料 (IPCC AR6 WG1 Chapter 7 and supplement)",
    "IPCC-AR5-GWP100": "IPCC AR5 WG1 第 8 章表 8.A.1，不含气候-碳循环反馈 (IPCC AR5 WG1 Table 8.A.1, "
    "without climate-carbon feedback)",
    "IPCC-AR4-GWP100": "IPCC AR4 WG1 第 2 章表 2.14 (IPCC AR4 WG1 Table 2.14)",
}
DEFAULT_GWP_SET = "IPCC-AR6-GWP100"
GWP_SOURCE = GWP_SOURCES[DEFAULT_GWP_SET]  # kept for callers that name the default set's source


def gwp_source(gwp_set: str) -> str:
    """Where the values of a GWP set come from; "" for a set without data."""
    return GWP_SOURCES.get(gwp_set, "")


@functools.cache
def gwp_table(gwp_set: str) -> dict[str, float] | None:
    """GWP per gas formula for a GWP set, or None when the workbench has no data for the set."""
    name = GWP_FILES.get(gwp_set)
    if name is None:
        return None
    with (DATA / name).open(encoding="utf-8") as file:
        return {row["formula"]: float(row["gwp100"]) for row in csv.DictReader(file)}


@functools.cache
def gas_formulas() -> tuple[str, ...]:
    """Every gas formula of the GWP tables (CO2, CH4_fossil, CF4, c-C4F8, HFC-134a …)."""
    return tuple(sorted({formula for gwp_set in GWP_FILES for formula in gwp_table(gwp_set)}))
