"""PACT v3 export and import (issue 17): the demo calculations validate against the project's
schema, malformed documents are refused by JSON path, a supplier's footprint becomes a factor a
trial then uses."""

import copy

import pytest
from sqlalchemy import select

from workbench.drafting.models import Rule
from workbench.errors import InvalidInput
from workbench.exchange import footprints, pact, pact_reading, pact_schema
from workbench.factors.models import Factor
from workbench.trials import service
from workbench.trials.models import Calculation
from workbench.trials.seed import CEMENT_TITLE

from .conftest import ADMIN
from .trials_helpers import cement_dataset


def _demo_calculations(cli_runner, session):
    cli_runner("demo")
    return session.scalars(
        select(Calculation).where(Calculation.of_record.is_(True), Calculation.usable.is_(True))
    ).all()


def test_every_demo_calculation_of_record_exports_a_valid_footprint(cli_runner, session):
    calculations = _demo_calculations(cli_runner, session)
    assert len(calculations) >= 3
    for calculation in calculations:
        document = footprints.calculation_document(session, calculation, by=ADMIN)
        assert pact_schema.validate(document) == []
        pcf = document["pcf"]
        assert (pcf["declaredUnitOfMeasurement"], pcf["declaredUnitAmount"]) == ("kilogram", "1000")
        assert pcf["productMassPerDeclaredUnit"] == "1000"
        assert float(pcf["pcfExcludingBiogenicUptake"]) == pytest.approx(calculation.cfp_per_unit, rel=1e-9)
        assert pcf["geographyCountry"] == "CN" and pcf["referencePeriodStart"] == "2025-01-01T00:00:00Z"
        assert pcf["productOrSectorSpecificRules"][0]["otherOperatorName"] == "SAC/TC548"
        # the same calculation keeps its id
        assert footprints.calculation_document(session, calculation, by=ADMIN)["id"] == document["id"]


def _valid_document(session, cli_runner) -> dict:
    return footprints.calculation_document(session, _demo_calculations(cli_runner, session)[0], by=ADMIN)


def test_a_missing_field_and_a_json_number_are_refused_with_their_paths(cli_runner, session):
    document = _valid_document(session, cli_runner)
    broken = copy.deepcopy(document)
    del broken["companyName"]
    broken["pcf"]["declaredUnitAmount"] = 1000
    broken["pcf"]["geographyRegionOrSubregion"] = "Asia"
    paths = {problem.path for problem in pact_schema.validate(broken)}
    assert {"/companyName", "/pcf/declaredUnitAmount", "/pcf"} <= paths
    with pytest.raises(InvalidInput) as refused:
        pact_schema.check(broken)
    listed = [problem["path"] for problem in refused.value.details["problems"]]
    assert "/pcf/declaredUnitAmount" in listed and "/companyName" in str(refused.value)


def test_urns_and_units():
    assert pact.company_urn("演示水泥甲有限公司", "91110000MA00ABCD1X") == (
        "urn:pact:company:customcode:vendor-assigned:uscc-91110000MA00ABCD1X"
    )
    assert pact.company_urn(" 演示 水泥 ") == pact.company_urn("演示 水泥")
    assert pact.product_urn("甲", "水泥").startswith("urn:pact:product:customcode:vendor-assigned:")
    assert pact.pact_unit("t") == ("kilogram", 1000.0)
    assert pact.pact_unit("kWh") == ("kilowatt hour", 1.0)
    assert pact.pact_unit("GJ") == ("megajoule", 1000.0)
    assert pact.decimal_string(1e-5) == "0.00001" and pact.decimal_string(-0.0) == "0"


def test_a_supplier_footprint_becomes_a_factor_a_trial_uses(cli_runner, session):
    document = copy.deepcopy(_valid_document(session, cli_runner))
    document["id"] = "0f4b1225-bd44-4c8e-861d-079e4e1dfd69"
    document["companyName"] = "供应商熟料厂"
    document["pcf"]["pcfExcludingBiogenicUptake"] = "812.5"
    factor = footprints.import_as_factor(session, document, by=ADMIN)
    assert (factor.unit, factor.value, factor.tier.value) == ("kgCO2e/t", 812.5, "literature")
    assert factor.code == "PACT-0f4b1225-bd44-4c8e-861d-079e4e1dfd69"
    # verified and again: the same factor, a new version
    document["pcf"]["verification"] = {"providerName": "示例认证中心", "completedAt": "2025-06-01T00:00:00Z"}
    document["pcf"]["pcfExcludingBiogenicUptake"] = "800"
    again = footprints.import_as_factor(session, document, by=ADMIN)
    assert again.id == factor.id and again.version == 2 and again.tier.value == "measured_verified"
    assert session.scalars(select(Factor).where(Factor.code == factor.code)).all() == [factor]
    # a trial names it
    rule = session.scalar(select(Rule).where(Rule.title == CEMENT_TITLE))
    data = cement_dataset("用外购熟料的水泥厂")
    data["lines"][0]["factor"] = {"id": factor.code}
    trial = service.create_trial(session, rule, data=data, source="json", by=ADMIN)
    calculation = trial.calculations[-1]
    assert calculation.usable
    assert any(version.factor_id == factor.id and version.version == 2 for version in calculation.factor_versions)


def test_a_malformed_supplier_file_is_refused_with_each_path(session):
    with pytest.raises(InvalidInput) as refused:
        pact_reading.read({"id": "not-a-uuid", "pcf": {"declaredUnitAmount": 1, "pcfExcludingBiogenicUptake": "1e3"}})
    paths = [problem["path"] for problem in refused.value.details["problems"]]
    assert "/id" in paths and "/pcf/declaredUnitAmount" in paths and "/pcf/pcfExcludingBiogenicUptake" in paths
    assert "/companyName" in paths
