"""PACT v3 export and import (issue 17): the demo calculations validate against the project's
schema, malformed documents are refused by JSON path, a supplier's footprint becomes a factor a
trial then uses."""

import copy
from datetime import UTC, date, datetime
from types import SimpleNamespace

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


def test_each_problem_names_its_place_once_and_is_rendered_when_shown():
    problems = pact_schema.validate({"specVersion": "9", "pcf": {"declaredUnitAmount": 5}}, incoming=True)
    by_path = {problem.path: problem for problem in problems}
    # a missing key by its own path, in one wording; the sentence does not repeat the place
    assert by_path["/pcf/crossSectoralStandards"].message == by_path["/companyName"].message == "缺少必填项，请补上。"
    assert all(problem.path not in problem.message and "/pcf" not in problem.message for problem in problems)
    # a pattern in words, never as a regular expression
    assert "3.0.0" in by_path["/specVersion"].message and "\\d" not in by_path["/specVersion"].message
    assert "JSON" in by_path["/pcf/declaredUnitAmount"].message
    # the sentence is a Message: the reader's language is chosen where it is shown
    english = {"缺少必填项，请补上。": "required field missing"}
    assert by_path["/companyName"].text(lambda text: english.get(text, text)) == "required field missing"
    with pytest.raises(InvalidInput) as refused:
        pact_schema.check({"specVersion": "9"}, incoming=True)
    listed = refused.value.details["problems"]
    assert listed[0]["message"].render(lambda text: english.get(text, text)) == "required field missing"


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


def _facts(**changes) -> pact.FootprintFacts:
    base = {
        "pf_id": "0f4b1225-bd44-4c8e-861d-079e4e1dfd69",
        "created": datetime(2026, 1, 5, 8, 0, tzinfo=UTC),
        "status": "Active",
        "company_name": "供应商甲",
        "company_ids": [pact.company_urn("供应商甲")],
        "product_ids": [pact.product_urn("供应商甲", "板材")],
        "product_name": "板材",
        "product_description": "板材",
        "declared_unit": "t",
        "cfp_per_unit": 500.0,
        "fossil": 400.0,
        "period_start": date(2025, 1, 1),
        "period_end": date(2025, 12, 31),
        "geography_kind": "country",
        "geography": "CN",
        "rule_numbers": ["T/ABC 1—2025"],
    }
    return pact.FootprintFacts(**(base | changes))


def test_biogenic_uptake_and_the_fossil_part_are_written_apart():
    pcf = pact.product_footprint(_facts(cfp_per_unit=500.0, fossil=400.0, biogenic_uptake=-120.0))["pcf"]
    assert pcf["pcfExcludingBiogenicUptake"] == "500" and pcf["pcfIncludingBiogenicUptake"] == "380"
    assert pcf["biogenicCO2Uptake"] == "-120" and pcf["fossilGhgEmissions"] == "400"
    # unknown: optional fields left out, never "0"; fossil never above the whole
    unknown = pact.product_footprint(_facts(fossil=900.0))
    assert "biogenicCarbonContent" not in unknown["pcf"] and "biogenicCO2Uptake" not in unknown["pcf"]
    assert unknown["pcf"]["fossilGhgEmissions"] == "500"
    assert unknown["pcf"]["pcfIncludingBiogenicUptake"] == "500"
    assert pact_schema.validate(unknown) == []
    # the "SHALL" flags are written
    assert unknown["pcf"]["packagingEmissionsIncluded"] is False
    assert unknown["pcf"]["ccsTechnologicalCO2CaptureIncluded"] is False


def test_a_calculation_with_a_biogenic_removal_maps_it_to_the_uptake(cli_runner, session):
    calculation = _demo_calculations(cli_runner, session)[0]
    calculation.result = {**calculation.result, "fossil": 700.0, "biogenic": -50.0}
    calculation.cfp_per_unit = 650.0
    pcf = footprints.calculation_document(session, calculation, by=ADMIN)["pcf"]
    assert pcf["pcfExcludingBiogenicUptake"] == "700" and pcf["pcfIncludingBiogenicUptake"] == "650"
    assert pcf["biogenicCO2Uptake"] == "-50" and pcf["fossilGhgEmissions"] == "700"
    calculation.result = {**calculation.result, "fossil": 600.0, "biogenic": 50.0}
    pcf = footprints.calculation_document(session, calculation, by=ADMIN)["pcf"]
    assert pcf["pcfExcludingBiogenicUptake"] == pcf["pcfIncludingBiogenicUptake"] == "650"
    assert pcf["fossilGhgEmissions"] == "600" and pcf["biogenicCO2Uptake"] == "0"


def test_the_reference_period_end_is_exclusive_both_ways():
    document = pact.product_footprint(_facts())
    assert document["pcf"]["referencePeriodEnd"] == "2026-01-01T00:00:00Z"
    assert pact_reading.read(document).period_end == date(2025, 12, 31)
    document["pcf"]["referencePeriodEnd"] = "2025-12-31T23:59:59Z"  # an inclusive writer's end
    assert pact_reading.read(document).period_end == date(2025, 12, 31)


def test_a_supplier_document_needs_only_the_specifications_required_fields():
    document = pact.product_footprint(_facts())
    for key in ("geographyCountry", "packagingEmissionsIncluded", "ccsTechnologicalCO2CaptureIncluded"):
        del document["pcf"][key]
    assert "biogenicCarbonContent" not in document["pcf"]
    supplier = pact_reading.read(document)
    assert (supplier.geography_kind, supplier.geography) == ("global", "全球")
    # what the workbench writes stays strict
    paths = {problem.path for problem in pact_schema.validate(document)}
    assert "/pcf" in paths  # no geography, and the packaging flag missing
    two = pact.product_footprint(_facts())
    two["pcf"]["geographyRegionOrSubregion"] = "Eastern Asia"
    with pytest.raises(InvalidInput):
        pact_reading.read(two)


def test_a_declared_quantity_other_than_one_goes_into_the_amount():
    assert pact.pact_unit("10 m2") == ("square meter", 10.0)
    assert pact.pact_unit("1000 kg") == ("kilogram", 1000.0)
    assert pact.pact_unit("m2", 10) == ("square meter", 10.0)
    document = pact.product_footprint(_facts(declared_unit="10 m2", cfp_per_unit=80.0, fossil=80.0))
    assert document["pcf"]["declaredUnitAmount"] == "10"
    supplier = pact_reading.read(document)
    assert supplier.declared_as == "10 m2" and pact.pact_unit(supplier.declared_as) == ("square meter", 10.0)
    assert (supplier.declared_unit, supplier.value_per_unit) == ("m2", 8.0)


def test_one_rule_number_and_every_number_in_rule_names():
    standard = SimpleNamespace(numbers="GB/T 1—2025、T/ABC 2—2025", number_list=["GB/T 1—2025", "T/ABC 2—2025"])
    rule = SimpleNamespace(standard=standard, code="CFP-X")
    assert footprints.rule_number(rule) == "GB/T 1—2025、T/ABC 2—2025"
    assert footprints.rule_numbers(rule) == ["GB/T 1—2025", "T/ABC 2—2025"]
    bare = SimpleNamespace(standard=None, code="CFP-X")
    assert footprints.rule_number(bare) == "CFP-X" and footprints.rule_numbers(bare) == ["CFP-X"]


def test_read_bytes_measures_size_then_depth_then_parses():
    assert pact_reading.read_bytes(b'\xef\xbb\xbf{"id": "x"}') == {"id": "x"}
    with pytest.raises(InvalidInput) as too_big:
        pact_reading.read_bytes(b" " * (pact_reading.MAX_BYTES + 1))
    assert "512" in str(too_big.value.message.params)
    with pytest.raises(InvalidInput):
        pact_reading.read_bytes(b"[" * 100 + b"]" * 100)
    with pytest.raises(InvalidInput):
        pact_reading.read_bytes(b"{not json")


def test_a_verified_declaration_says_its_validity_and_claims_no_fossil_part_it_does_not_know(session):
    declaration = SimpleNamespace(
        id=7,
        organisation=SimpleNamespace(name="演示水泥甲有限公司"),
        verified_on=date(2026, 3, 1),
        valid_until=date(2029, 2, 28),
        certificate_number="C-1",
        certification_body=SimpleNamespace(name="低碳认证中心"),
        verification_scope="水泥",
        status="verified",
        created_at=datetime(2026, 2, 1, tzinfo=UTC),
        product="水泥",
        rule_number="T/ABC 1—2025",
        declared_unit="t",
        value=612.0,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        geography_kind="country",
        geography="CN",
        pact_document=None,
        calculation_id=None,
        calculation=None,
    )
    document = footprints.declaration_document(session, declaration)
    assert document["validityPeriodStart"] == "2026-03-01T00:00:00Z"
    assert document["validityPeriodEnd"] == "2029-03-01T00:00:00Z"
    assert "fossilGhgEmissions" not in document["pcf"]
    assert document["pcf"]["pcfExcludingBiogenicUptake"] == "612"
