"""Declarations in the JSON API and from a PACT file, on the demo: the enterprise member `cement`
declares under the published cement rule (from its calculation of record, or from a supplier-style
PACT ProductFootprint made from that calculation's export), the certifier of 示例低碳认证中心
verifies, rejects, suspends, reinstates; the enterprise withdraws; the secretariat sets the rule's
terms. Who may list, read and change what; the PACT form of a verified declaration validates and
carries the verification."""

import copy
import io
import json

import pytest
from sqlalchemy import func, select

from workbench.auth.models import Organisation, User
from workbench.dates import today
from workbench.drafting.models import Rule
from workbench.errors import InvalidInput
from workbench.exchange import declaration_reading as reading
from workbench.exchange import declarations as service
from workbench.exchange import footprints, pact_schema
from workbench.exchange.models import Declaration, DeclarationSource, DeclarationStatus

from .test_declarations import CEMENT_TITLE, data, sign_in

TODAY = today().isoformat()
BODY = {
    "product": "P·O 42.5 普通硅酸盐水泥",
    "period_start": "2025-01-01",
    "period_end": "2025-12-31",
    "geography_kind": "subdivision",
    "geography": "CN-ZJ",
}


@pytest.fixture
def demo(cli_runner, database):
    result = cli_runner("demo")
    assert result.exit_code == 0, result.output
    with database() as session:
        rule = session.scalar(select(Rule).where(Rule.title == CEMENT_TITLE))
        cement = session.scalar(select(User).where(User.username == "cement"))
        certifier = session.scalar(select(User).where(User.username == "certifier"))
        calculation = reading.own_calculations(session, rule, by=cement)[0]
        # A supplier-style PACT file: the calculation's own export, as a partner would send it.
        document = footprints.calculation_document(session, calculation, by=cement)
        session.rollback()
        return {
            "rule": rule.id,
            "calculation": calculation.id,
            "value": calculation.cfp_per_unit,
            "body": certifier.organisation_id,
            "document": document,
        }


def supplier_file(demo, **pcf) -> dict:
    """The exported footprint adjusted as a supplier's: another product and period, another value."""
    document = copy.deepcopy(demo["document"])
    document["productNameCompany"] = "P·II 52.5 硅酸盐水泥（供应商）"
    document["pcf"].update(pcf)
    return document


def _error(response, status, code=None):
    assert response.status_code == status, response.text
    if code:
        assert response.json["error"]["code"] == code, response.json
    return response.json["error"]


def test_the_whole_life_through_the_api(demo, app, database, validate_response):
    cement = sign_in(app, "cement")
    created = cement.api(
        "POST", "/api/v1/declarations", {"rule_id": demo["rule"], "calculation_id": demo["calculation"], **BODY}
    )
    assert created.status_code == 201, created.text
    validate_response("/api/v1/declarations", "post", created)
    item = created.json
    assert created.headers["Location"].endswith(f"/api/v1/declarations/{item['id']}")
    assert item["status"] == "draft" and item["source"] == "calculation"
    assert item["value"] == pytest.approx(demo["value"]) and item["declared_unit"] == "t"
    assert item["calculation_id"] == demo["calculation"]
    path = f"/api/v1/declarations/{item['id']}"

    # A draft is the enterprise's: anonymous gets 401/403, the public list does not show it.
    assert app.test_client().get(path).status_code in (401, 403)
    public = app.test_client().get("/api/v1/declarations").json["items"]
    assert item["id"] not in [row["id"] for row in public]
    assert {row["status"] for row in public} <= {"verified", "suspended", "withdrawn", "expired"}
    assert cement.get("/api/v1/declarations?status=draft").json["total"] == 1

    # Edit with the version read; an old version is refused.
    stale = cement.api("PATCH", path, {"product": "旧的", "version": item["version"] - 1})
    _error(stale, 409)
    edited = cement.api("PATCH", path, {"product": "P·O 42.5R 水泥", "version": item["version"]})
    assert edited.status_code == 200, edited.text
    assert edited.json["product"] == "P·O 42.5R 水泥" and edited.json["geography"]["code"] == "CN-ZJ"

    submitted = cement.api(
        "POST", f"{path}/submit", {"certification_body_id": demo["body"], "version": edited.json["version"]}
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json["status"] == "submitted"
    assert submitted.json["certification_body"]["name"] == "示例低碳认证中心（演示）"
    # The enterprise may not verify its own declaration.
    _error(cement.api("POST", f"{path}/verify", {"certificate_number": "X", "verified_on": TODAY, "scope": "x"}), 403)

    certifier = sign_in(app, "certifier")
    queue = certifier.get("/api/v1/declarations?status=submitted")
    validate_response("/api/v1/declarations", "get", queue)
    assert [row["id"] for row in queue.json["items"]] == [item["id"]]
    assert queue.json["items"][0]["calculation_id"] is None  # the enterprise's trial is not the body's to see
    rejected = certifier.api("POST", f"{path}/reject", {"reason": "数据期间与证书不符"})
    assert rejected.json["status"] == "rejected" and rejected.json["status_reason"] == "数据期间与证书不符"
    resubmitted = cement.api("POST", f"{path}/submit", {"certification_body_id": demo["body"]})
    assert resubmitted.json["status"] == "submitted" and resubmitted.json["status_reason"] == ""

    bad_date = certifier.api(
        "POST", f"{path}/verify", {"certificate_number": "LC-9", "verified_on": "2025-02-30", "scope": "全部"}
    )
    assert "verified_on" in _error(bad_date, 422)["details"]
    verified = certifier.api(
        "POST", f"{path}/verify", {"certificate_number": "LC-2026-0042", "verified_on": TODAY, "scope": "全部产品"}
    )
    assert verified.status_code == 200, verified.text
    validate_response("/api/v1/declarations/{declaration_id}/verify", "post", verified)
    document = verified.json
    assert document["status"] == "verified" and document["certificate"]["number"] == "LC-2026-0042"
    assert document["certificate"]["valid_until"] and len(document["certificate"]["surveillance_dates"]) == 1

    # Public now: anonymous reads it in the list (filtered by rule) and alone, with its links.
    anonymous = app.test_client()
    listed = anonymous.get(f"/api/v1/declarations?rule={demo['rule']}&status=verified")
    assert document["public_id"] in [row["public_id"] for row in listed.json["items"]]
    assert {row["rule"]["id"] for row in listed.json["items"]} == {demo["rule"]}
    one = anonymous.get(path)
    assert one.status_code == 200 and one.json["calculation_id"] is None
    assert anonymous.get(one.json["links"]["json"].replace("http://localhost", "")).json["value"] == pytest.approx(
        demo["value"]
    )
    assert anonymous.get(f"/api/v1/declarations?rule={demo['rule'] + 1000}").json["total"] == 0

    suspended = certifier.api("POST", f"{path}/suspend", {"reason": "未按期接受监督"})
    assert suspended.json["status"] == "suspended"
    _error(cement.api("POST", f"{path}/reinstate", {}), 403)
    reinstated = certifier.api("POST", f"{path}/reinstate", {"version": suspended.json["version"]})
    assert reinstated.json["status"] == "verified"
    withdrawn = cement.api("POST", f"{path}/withdraw", {"reason": "产品停产"})
    assert withdrawn.json["status"] == "withdrawn"
    _error(certifier.api("POST", f"{path}/withdraw", {"reason": "again"}), 409)


def test_refusals_name_what_to_fix(demo, app):
    cement = sign_in(app, "cement")
    neither = cement.api("POST", "/api/v1/declarations", {"rule_id": demo["rule"], **BODY})
    assert set(_error(neither, 422)["details"]) == {"calculation_id", "pact"}
    both = cement.api(
        "POST",
        "/api/v1/declarations",
        {"rule_id": demo["rule"], "calculation_id": demo["calculation"], "pact": demo["document"], **BODY},
    )
    _error(both, 422)
    region = cement.api(
        "POST",
        "/api/v1/declarations",
        {"rule_id": demo["rule"], "calculation_id": demo["calculation"], **BODY, "geography": "ZJ"},
    )
    assert "CN-ZJ" in _error(region, 422)["message"]
    unknown = cement.api(
        "POST",
        "/api/v1/declarations",
        {"rule_id": demo["rule"], "calculation_id": demo["calculation"], **BODY, "colour": "green"},
    )
    _error(unknown, 422, "invalid_input")  # the schema: no other properties
    too_long = cement.api(
        "POST",
        "/api/v1/declarations",
        {"rule_id": demo["rule"], "calculation_id": demo["calculation"], **BODY, "product": "水" * 301},
    )
    _error(too_long, 422, "invalid_input")
    # Those who may not declare are refused before the body is read.
    certifier = sign_in(app, "certifier")
    _error(certifier.api("POST", "/api/v1/declarations", {"rule_id": demo["rule"]}), 403)
    _error(app.test_client().open("/api/v1/declarations", method="POST", json={"rule_id": demo["rule"]}), 401)


def test_terms_are_the_secretariats(demo, app):
    path = f"/api/v1/rules/{demo['rule']}/declaration-terms"
    assert app.test_client().get(path).json == {
        "rule_id": demo["rule"],
        "validity_months": 24,
        "surveillance_months": 12,
    }
    _error(sign_in(app, "cement").api("PUT", path, {"validity_months": 36, "surveillance_months": 6}), 403)
    secretariat = sign_in(app, "secretariat")
    _error(secretariat.api("PUT", path, {"validity_months": 12, "surveillance_months": 24}), 422)
    _error(secretariat.api("PUT", path, {"validity_months": 1000, "surveillance_months": 6}), 422, "invalid_input")
    saved = secretariat.api("PUT", path, {"validity_months": 36, "surveillance_months": 6})
    assert saved.status_code == 200, saved.text
    assert app.test_client().get(path).json["validity_months"] == 36


# --- from a PACT file -------------------------------------------------------------------------------


def test_a_supplier_pact_file_through_the_api_takes_its_fields_from_the_file(demo, app, database):
    document = supplier_file(demo, pcfExcludingBiogenicUptake="801.5", pcfIncludingBiogenicUptake="801.5")
    assert pact_schema.validate(document) == []
    cement = sign_in(app, "cement")
    created = cement.api("POST", "/api/v1/declarations", {"rule_id": demo["rule"], "pact": document})
    assert created.status_code == 201, created.text
    item = created.json
    assert item["source"] == "pact" and item["product"] == "P·II 52.5 硅酸盐水泥（供应商）"
    assert item["value"] == pytest.approx(801.5)
    assert item["performance_class"] is None  # above the last class (3 级 ≤ 800)
    assert item["declared_unit"] == "t"
    assert item["geography"] == {"kind": "country", "code": "CN"}  # the file's (geographyCountry)
    with database() as session:
        stored = session.get(Declaration, item["id"])
        assert stored.pact_document == document  # kept as uploaded
        assert stored.period_start.isoformat() == document["pcf"]["referencePeriodStart"][:10]

    # A file with a problem is refused with its JSON path, nothing saved.
    broken = copy.deepcopy(document)
    del broken["pcf"]["declaredUnitOfMeasurement"]
    refused = cement.api("POST", "/api/v1/declarations", {"rule_id": demo["rule"], "pact": broken})
    error = _error(refused, 422)
    assert "declaredUnitOfMeasurement" in json.dumps(error, ensure_ascii=False)
    with database() as session:
        assert session.scalar(select(func.max(Declaration.id))) == item["id"]


def test_a_pact_file_in_another_declared_unit_is_refused(demo, database):
    with database() as session:
        document = supplier_file(demo, declaredUnitOfMeasurement="kilowatt hour", declaredUnitAmount="1")
        cement = session.scalar(select(User).where(User.username == "cement"))
        rule = session.get(Rule, demo["rule"])
        with pytest.raises(InvalidInput) as refused:
            service.create_from_pact(session, rule, document, data(product=""), by=cement)
        assert "file" in refused.value.details or "声明单位" in refused.value.message


def test_the_upload_form_declares_from_a_pact_file_and_the_pact_form_carries_the_verification(demo, app, database):
    document = supplier_file(demo)
    cement = sign_in(app, "cement")
    response = cement.post_form(
        "/declarations/new",
        {
            "rule_id": demo["rule"],
            "source": "pact",
            "product": "",
            "geography_kind": "country",
            "geography": "CN",
            "action": "save",
            "file": (io.BytesIO(json.dumps(document, ensure_ascii=False).encode()), "supplier.json"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.text
    declaration_id = int(response.headers["Location"].rsplit("/", 1)[1])
    not_json = cement.post_form(
        "/declarations/new",
        {"rule_id": demo["rule"], "source": "pact", "action": "save", "file": (io.BytesIO(b"{nope"), "x.json")},
        content_type="multipart/form-data",
    )
    assert not_json.status_code == 422 and "不是 UTF-8 编码的 JSON" in not_json.text
    with database() as session:
        declaration = session.get(Declaration, declaration_id)
        assert declaration.source == DeclarationSource.PACT
        assert declaration.product == "P·II 52.5 硅酸盐水泥（供应商）"
        assert declaration.value == pytest.approx(demo["value"])
        cement_user = session.scalar(select(User).where(User.username == "cement"))
        certifier = session.scalar(select(User).where(User.username == "certifier"))
        service.submit(session, declaration, session.get(Organisation, demo["body"]), by=cement_user)
        service.verify(
            session,
            declaration,
            certificate_number="LC-PACT-7",
            verified_on=today(),
            scope="供应商水泥",
            by=certifier,
            today=today(),
        )
        session.commit()
        public_id = declaration.public_id
    pact = app.test_client().get(f"/declarations/p/{public_id}/pact.json")
    assert pact.status_code == 200, pact.text
    form = pact.json
    assert pact_schema.validate(form) == []
    assert form["productNameCompany"] == "P·II 52.5 硅酸盐水泥（供应商）"
    assert float(form["pcf"]["pcfExcludingBiogenicUptake"]) == pytest.approx(demo["value"], rel=1e-6)
    verification = form["pcf"]["verification"]
    assert verification["providerName"] == "示例低碳认证中心（演示）"
    assert "LC-PACT-7" in json.dumps(verification, ensure_ascii=False)
    # A draft has no public PACT form.
    with database() as session:
        draft = service.create_from_pact(
            session,
            session.get(Rule, demo["rule"]),
            document,
            data(product=""),
            by=session.scalar(select(User).where(User.username == "cement")),
        )
        session.commit()
        assert draft.status == DeclarationStatus.DRAFT
        draft_id = draft.public_id
    assert app.test_client().get(f"/declarations/p/{draft_id}/pact.json").status_code == 404
