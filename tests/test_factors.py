"""The factor library: reference factors with their sources, versions kept on every change,
units read by pint, search, and CSV import (all rows or none) and export."""

import pytest
from sqlalchemy import func, select

from workbench.audit.models import AuditEvent
from workbench.auth.permissions import Role
from workbench.errors import InvalidInput, StaleVersion
from workbench.trials import factors, units
from workbench.trials.models import Factor, FactorVersion, Tier

DIESEL = dict(
    code="TEST-DIESEL",
    name="柴油燃烧",
    value="3.0959",
    unit="kgCO2/kg",
    kind="co2_combustion_only",
    tier="government",
    source="GB/T 32150 缺省值",
)


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_the_reference_factors_load_once_with_their_sources(session):
    created = factors.load_reference_factors(session)
    assert len(created) == 24  # 21 MEE/NBS electricity factors and 3 fuels
    national_2023 = session.scalar(
        select(Factor).where(Factor.kind == "cfp_life_cycle", Factor.data_year == 2023, Factor.geography == "全国")
    )
    assert (national_2023.value, national_2023.unit, national_2023.tier) == (0.6205, "kgCO2e/kWh", Tier.GOVERNMENT)
    assert "公告2025年第3号" in national_2023.source
    assert factors.load_reference_factors(session) == []
    assert count(session, FactorVersion) == 24


def test_a_change_keeps_the_old_version(session):
    factor = factors.create_factor(session, factors.FactorInput(**DIESEL))
    factors.update_factor(session, factor, factors.FactorInput(**{**DIESEL, "value": "3.10"}), reason="新版缺省值")
    session.commit()
    assert [(v.version, v.snapshot["value"]) for v in factor.versions] == [(1, 3.0959), (2, 3.10)]
    event = session.scalar(select(AuditEvent).where(AuditEvent.record_type == "factor", AuditEvent.action == "updated"))
    assert event.changes["value"] == {"before": 3.0959, "after": 3.1} and event.reason == "新版缺省值"
    with pytest.raises(StaleVersion):
        factors.update_factor(session, factor, factors.FactorInput(**DIESEL), expected_version=1)
    factors.update_factor(session, factor, factors.FactorInput(**{**DIESEL, "value": "3.10"}))
    assert len(factor.versions) == 2  # saving the same values adds no version


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"unit": "kg/kWh"}, "unit", "质量+气体/活动单位"),
        ({"unit": "kgCO2e/frobs"}, "unit", "frobs"),
        ({"value": "-1"}, "value", "非负"),
        ({"value": "nan"}, "value", "非负"),
        ({"value": "三"}, "value", "不是数字"),
        ({"source": " "}, "source", "来源"),
        ({"data_year": "24"}, "data_year", "四位年份"),
        ({"tier": "rumour"}, "tier", "层级"),
        ({"kind": "guess"}, "kind", "类型"),
    ],
)
def test_bad_factors_are_refused_naming_the_field(session, change, field, fragment):
    with pytest.raises(InvalidInput) as refused:
        factors.create_factor(session, factors.FactorInput(**{**DIESEL, **change}))
    assert fragment in str(refused.value.details[field])


def test_codes_are_unique_whatever_their_case(session):
    factors.create_factor(session, factors.FactorInput(**DIESEL))
    with pytest.raises(InvalidInput, match="已被"):
        factors.create_factor(session, factors.FactorInput(**{**DIESEL, "code": "test-diesel"}))


def test_units_are_read_by_pint():
    unit = units.factor_unit("tCO2e/t·km")
    assert (str(unit.gas), units.registry.Quantity(1, unit.activity).to("kg*km").magnitude) == ("CO2e", 1000)
    assert units.conversion("MWh", units.activity_unit("kWh")) == 1000
    with pytest.raises(ValueError, match="不能换算"):
        units.conversion("kg", units.activity_unit("kWh"))


def test_search_by_name_unit_geography_and_tier(session):
    factors.load_reference_factors(session)

    def found(**filters):
        return session.scalars(factors.search(factors.FactorFilters(**filters))).all()

    assert {f.name for f in found(text="柴油")} == {"柴油燃烧二氧化碳排放因子"}
    assert len(found(unit="kgco2e/kwh")) == 5
    assert {f.data_year for f in found(geography="华北")} == {2022}
    assert found(tier="literature") == []


def test_csv_import_is_all_or_nothing_and_export_round_trips(session):
    factors.load_reference_factors(session)
    session.commit()
    exported = factors.export_csv(session.scalars(select(Factor).order_by(Factor.id)))
    created, updated = factors.import_csv(session, exported)
    assert (created, updated) == ([], [])  # nothing changed, no new versions
    before = (count(session, Factor), count(session, FactorVersion))
    bad = exported + "NEW-1,新因子,1.0,kgCO2e/frobs,cfp_life_cycle,,,,government,来源,,,,\n"
    with pytest.raises(InvalidInput) as refused:
        factors.import_csv(session, bad.encode())
    session.rollback()
    assert "第 26 行" in str(refused.value.message) and "frobs" in str(refused.value.message)
    assert (count(session, Factor), count(session, FactorVersion)) == before


def test_the_library_pages(client, database, login):
    with database() as session:
        factors.load_reference_factors(session)
        session.commit()
        factor_id = session.scalar(select(Factor.id).where(Factor.geography == "华北"))
    page = client.get("/factors/", query_string={"q": "电力", "geography": "华北"})
    assert page.status_code == 200 and "0.6776" in page.text
    assert "生态环境部" in client.get(f"/factors/{factor_id}").text
    export = client.get("/factors/export.csv", query_string={"geography": "华北"})
    assert export.mimetype == "text/csv" and export.text.count("\n") == 2
    edited = login(Role.SECRETARIAT).post_form(
        f"/factors/{factor_id}/edit",
        {
            **DIESEL,
            "code": "HB-2022",
            "name": "华北电网",
            "unit": "kgCO2/kWh",
            "kind": "co2_location_based",
            "value": "0.68",
        },
    )
    assert edited.status_code == 302
    assert "0.6776" in client.get(f"/factors/{factor_id}").text  # the old version is still listed


@pytest.mark.parametrize(
    ("written", "base"),
    [("kt", ("t", 1000)), ("万t", ("t", 10000)), ("tkm", ("t*km", 1)), ("Nm3", ("m**3", 1)), ("万kWh", ("kWh", 10000))],
)
def test_units_of_chinese_statistics(written, base):
    unit, factor = base
    assert units.conversion(written, units.activity_unit(unit)) == pytest.approx(factor, rel=1e-12)
