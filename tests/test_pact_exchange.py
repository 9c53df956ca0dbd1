"""PACT footprints on the pages, in the API and on the command line (issue 17): the download a
trading partner receives, sharing and deprecating, and a supplier's file into the factor library."""

import copy
import io
import json
import re

import pytest
from sqlalchemy import select

from workbench.auth.models import User
from workbench.errors import AccessDenied
from workbench.exchange import footprints, pact_schema
from workbench.exchange.models import FootprintStatus, SharedFootprint
from workbench.factors.models import Factor
from workbench.trials.models import Calculation

from .conftest import ADMIN

DEMO_PASSWORD = "workbench-demo"
SUPPLIER_ID = "0f4b1225-bd44-4c8e-861d-079e4e1dfd69"


def _demo(cli_runner, database):
    """The demo data; (the cement enterprise's calculation of record, another enterprise's)."""
    cli_runner("demo")
    with database() as session:
        cement = session.scalar(select(User).where(User.username == "cement"))
        own, other = None, None
        for calculation in session.scalars(
            select(Calculation).where(Calculation.of_record.is_(True), Calculation.usable.is_(True))
        ):
            if calculation.trial.enterprise == cement.organisation.name:
                own = own or calculation.id
            else:
                other = other or calculation.id
        assert own and other
        return own, other


def _no_shares(database):
    """The demo shares the cement plant's footprint already: these tests start without it."""
    with database() as session:
        for row in session.scalars(select(SharedFootprint)):
            session.delete(row)
        session.commit()


def _sign_in(app, username):
    client = app.test_client()
    response = client.post_form("/login", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.text
    return client


def _supplier_document(database, calculation_id) -> dict:
    with database() as session:
        document = footprints.calculation_document(session, session.get(Calculation, calculation_id), by=ADMIN)
    document = copy.deepcopy(document)
    document["id"] = SUPPLIER_ID
    document["companyName"] = "供应商熟料厂"
    document["pcf"]["pcfExcludingBiogenicUptake"] = "812.5"
    return document


def test_the_enterprise_downloads_its_calculation_as_pact_json(app, cli_runner, database):
    own, other = _demo(cli_runner, database)
    cement = _sign_in(app, "cement")
    response = cement.get(f"/exchange/calculations/{own}/pact.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="pact-')
    assert disposition.isascii() and f'-{own}.json"' in disposition and "filename*=UTF-8''pact-" in disposition
    document = json.loads(response.data.decode("utf-8"))
    assert pact_schema.validate(document) == []
    assert "演示水泥甲有限公司" in response.data.decode("utf-8")  # written as is, not \\u escapes
    # the same id the second time; the trial page links to it
    assert json.loads(cement.get(f"/exchange/calculations/{own}/pact.json").data)["id"] == document["id"]
    with database() as session:
        trial_id = session.get(Calculation, own).trial_id
    page = _sign_in(app, "admin").get(f"/trials/{trial_id}?calculation={own}")
    assert page.status_code == 200 and f'id="pact-download" href="/exchange/calculations/{own}/pact.json"' in page.text
    # another enterprise's calculation, and anyone not signed in: refused
    assert cement.get(f"/exchange/calculations/{other}/pact.json").status_code == 403
    anonymous = app.test_client().get(f"/exchange/calculations/{own}/pact.json")
    assert anonymous.status_code in (302, 401, 403) and "pcf" not in anonymous.text


def test_sharing_and_deprecating_through_the_page(app, cli_runner, database):
    own, _other = _demo(cli_runner, database)
    _no_shares(database)
    cement = _sign_in(app, "cement")
    page = cement.get("/exchange/footprints")
    assert page.status_code == 200 and f'id="calculation-{own}"' in page.text
    # without the CSRF token nothing is shared
    assert cement.post(f"/exchange/calculations/{own}/share").status_code in (302, 400)
    with database() as session:
        assert session.scalars(select(SharedFootprint)).all() == []
    response = cement.post_form(f"/exchange/calculations/{own}/share")
    assert response.status_code == 302
    with database() as session:
        row = session.scalar(select(SharedFootprint))
        assert row.calculation_id == own and row.status == FootprintStatus.ACTIVE
        footprint_id, pf_id = row.id, row.pf_id
    page = cement.get("/exchange/footprints")
    assert pf_id in page.text and "已共享" in page.text
    # deprecating asks for the confirmation first
    refused = cement.post_form(f"/exchange/footprints/{footprint_id}/deprecate")
    assert refused.status_code == 422 and "请勾选确认" in refused.text
    with database() as session:
        assert session.get(SharedFootprint, footprint_id).status == FootprintStatus.ACTIVE
    assert cement.post_form(f"/exchange/footprints/{footprint_id}/deprecate", {"confirm": "y"}).status_code == 302
    with database() as session:
        row = session.get(SharedFootprint, footprint_id)
        assert row.status == FootprintStatus.DEPRECATED and row.document["status"] == "Deprecated"


def test_the_cement_account_sees_what_the_exchange_offers_it(app, cli_runner, database):
    _demo(cli_runner, database)
    page = _sign_in(app, "cement").get("/exchange/")
    assert page.status_code == 200
    assert "/exchange/footprints" in page.text and "/exchange/partners/" in page.text
    assert "/exchange/import" not in page.text  # the library is not the enterprise's to fill
    assert "/declarations/" in page.text and "/international/" in page.text
    anonymous = app.test_client().get("/exchange/")
    assert anonymous.status_code == 200 and "/exchange/footprints" not in anonymous.text
    # A visitor is told the rest needs signing in, and where to do it.
    assert 'id="exchange-sign-in"' in anonymous.text and "/login?next=" in anonymous.text
    assert "/declarations/" in anonymous.text and "/exchange/import" not in anonymous.text
    assert _sign_in(app, "cement").get("/exchange/import").status_code == 403


def test_a_supplier_file_imports_through_the_page(app, cli_runner, database):
    own, _other = _demo(cli_runner, database)
    document = _supplier_document(database, own)
    drafter = _sign_in(app, "drafter")
    assert drafter.get("/exchange/import").status_code == 200
    content = json.dumps(document, ensure_ascii=False).encode("utf-8")
    response = drafter.post_form("/exchange/import", {"file": (io.BytesIO(content), "supplier.json")})
    assert response.status_code == 302
    with database() as session:
        factor = session.scalar(select(Factor).where(Factor.code == f"PACT-{SUPPLIER_ID}"))
        assert (factor.value, factor.unit, factor.tier.value) == (812.5, "kgCO2e/t", "literature")
        assert response.headers["Location"].endswith(f"/factors/{factor.id}")


def test_a_malformed_file_lists_each_path_and_creates_nothing(app, cli_runner, database):
    own, _other = _demo(cli_runner, database)
    document = _supplier_document(database, own)
    del document["companyName"]
    document["pcf"]["declaredUnitAmount"] = 1000
    drafter = _sign_in(app, "drafter")
    content = json.dumps(document).encode("utf-8")
    response = drafter.post_form("/exchange/import", {"file": (io.BytesIO(content), "supplier.json")})
    assert response.status_code == 422
    listed = dict(re.findall(r"<li><code>([^<]+)</code> ([^<]+)</li>", response.text))
    assert "/companyName" in listed and "/pcf/declaredUnitAmount" in listed
    # Each path once, then what is wrong there: a missing field by its own path.
    assert listed["/companyName"] == "缺少必填项，请补上。"
    assert all(path not in sentence for path, sentence in listed.items())
    not_json = drafter.post_form("/exchange/import", {"file": (io.BytesIO(b"{not json"), "supplier.json")})
    assert not_json.status_code == 422 and "JSON" in not_json.text
    with database() as session:
        assert session.scalar(select(Factor).where(Factor.code == f"PACT-{SUPPLIER_ID}")) is None


def test_the_api_exports_shares_lists_and_deprecates(app, cli_runner, database):
    own, other = _demo(cli_runner, database)
    _no_shares(database)
    cement = _sign_in(app, "cement")
    document = cement.get(f"/api/v1/calculations/{own}/pact").json
    assert pact_schema.validate(document) == []
    assert cement.get(f"/api/v1/calculations/{other}/pact").status_code == 403
    assert app.test_client().get(f"/api/v1/calculations/{own}/pact").status_code == 401
    shared = cement.api("POST", f"/api/v1/calculations/{own}/share")
    assert shared.status_code == 201 and shared.json["pf_id"] == document["id"]
    assert cement.api("POST", f"/api/v1/calculations/{own}/share").json["id"] == shared.json["id"]
    listed = cement.get("/api/v1/shared-footprints?per_page=10").json
    assert listed["total"] == 1 and listed["items"][0]["status"] == "Active"
    deprecated = cement.api("POST", f"/api/v1/shared-footprints/{shared.json['id']}/deprecate")
    assert deprecated.status_code == 200 and deprecated.json["status"] == "Deprecated"


def test_the_api_imports_a_supplier_footprint(app, cli_runner, database):
    own, _other = _demo(cli_runner, database)
    document = _supplier_document(database, own)
    secretariat = _sign_in(app, "secretariat")
    response = secretariat.api("POST", "/api/v1/pact/import", document)
    assert response.status_code == 201
    assert response.json["code"] == f"PACT-{SUPPLIER_ID}" and response.json["value"] == 812.5
    assert response.headers["Location"].endswith(f"/api/v1/factors/{response.json['id']}")
    broken = copy.deepcopy(document)
    broken["pcf"]["pcfExcludingBiogenicUptake"] = 800.0
    del broken["productIds"]
    refused = secretariat.api("POST", "/api/v1/pact/import", broken)
    assert refused.status_code == 422
    problems = {problem["path"]: problem["message"] for problem in refused.json["error"]["details"]["problems"]}
    assert {"/productIds", "/pcf/pcfExcludingBiogenicUptake"} <= set(problems)
    assert problems["/productIds"] == "缺少必填项，请补上。"  # a sentence, rendered for the reader
    with database() as session:
        assert session.scalar(select(Factor).where(Factor.code == f"PACT-{SUPPLIER_ID}")).version == 1
    assert _sign_in(app, "cement").api("POST", "/api/v1/pact/import", document).status_code == 403


def test_the_command_line_exports_and_imports(app, cli_runner, database, tmp_path):
    own, _other = _demo(cli_runner, database)
    first = cli_runner("pact", "export", str(own))
    assert first.exit_code == 0, first.output
    document = json.loads(first.output)
    assert pact_schema.validate(document) == []
    assert json.loads(cli_runner("pact", "export", str(own), "--as", "cement").output)["id"] == document["id"]
    supplier = _supplier_document(database, own)
    path = tmp_path / "supplier.json"
    path.write_text(json.dumps(supplier, ensure_ascii=False), encoding="utf-8")
    imported = cli_runner("pact", "import", str(path))
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.output)["code"] == f"PACT-{SUPPLIER_ID}"
    del supplier["companyName"]
    path.write_text(json.dumps(supplier), encoding="utf-8")
    refused = cli_runner("pact", "import", str(path))
    assert refused.exit_code == 2 and "/companyName" in refused.output


def test_deep_or_oversized_json_to_the_import_is_refused_before_it_is_read(app, cli_runner, database):
    _demo(cli_runner, database)
    secretariat = _sign_in(app, "secretariat")
    deep = '{"pcf": ' + "[" * 990 + "]" * 990 + "}"
    response = secretariat.open(
        "/api/v1/pact/import",
        method="POST",
        data=deep,
        headers={"X-CSRFToken": secretariat.csrf_token(), "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.json["error"]["code"] == "malformed_request"
    too_many = {f"x{number}": "1" for number in range(101)}
    assert secretariat.api("POST", "/api/v1/pact/import", too_many).status_code == 422
    page = secretariat.post_form("/exchange/import", {"file": (io.BytesIO(deep.encode()), "deep.json")})
    assert page.status_code == 422 and "64" in page.text


def test_a_drafter_of_another_enterprise_may_export_but_not_share_its_calculation(app, cli_runner, database):
    own, _other = _demo(cli_runner, database)
    _no_shares(database)
    with database() as session:
        smelter = session.scalar(select(User).where(User.username == "smelter"))
        assert smelter.organisation.kind == "enterprise" and smelter.working_groups
        calculation = session.get(Calculation, own)
        assert calculation.trial.enterprise != smelter.organisation.name
        calculation.trial.rule.working_group_id = smelter.working_groups[0].id  # smelter edits the rule
        session.commit()
    drafter = _sign_in(app, "smelter")
    assert drafter.get(f"/api/v1/calculations/{own}/pact").status_code == 200
    assert drafter.api("POST", f"/api/v1/calculations/{own}/share").status_code == 403
    assert drafter.post_form(f"/exchange/calculations/{own}/share").status_code in (302, 403)
    with database() as session:
        assert session.scalars(select(SharedFootprint)).all() == []
        smelter = session.scalar(select(User).where(User.username == "smelter"))
        with pytest.raises(AccessDenied):
            footprints.share_calculation(session, session.get(Calculation, own), by=smelter)


def test_a_deprecated_footprint_is_not_shared_again(app, cli_runner, database):
    own, _other = _demo(cli_runner, database)
    _no_shares(database)
    cement = _sign_in(app, "cement")
    shared = cement.api("POST", f"/api/v1/calculations/{own}/share")
    cement.api("POST", f"/api/v1/shared-footprints/{shared.json['id']}/deprecate")
    again = cement.api("POST", f"/api/v1/calculations/{own}/share")
    assert again.status_code == 409 and "重新计算" in again.json["error"]["message"]
    with database() as session:
        assert session.get(SharedFootprint, shared.json["id"]).status == FootprintStatus.DEPRECATED


def test_only_the_library_keepers_update_an_imported_factor_and_only_from_the_same_supplier(app, cli_runner, database):
    own, _other = _demo(cli_runner, database)
    document = _supplier_document(database, own)
    drafter = _sign_in(app, "drafter")
    assert drafter.api("POST", "/api/v1/pact/import", document).status_code == 201
    changed = copy.deepcopy(document)
    changed["pcf"]["pcfExcludingBiogenicUptake"] = "1.5"
    refused = drafter.api("POST", "/api/v1/pact/import", changed)
    assert refused.status_code == 422 and "秘书处" in refused.json["error"]["message"]
    secretariat = _sign_in(app, "secretariat")
    other_company = copy.deepcopy(changed)
    other_company["companyName"] = "另一供应商"
    assert secretariat.api("POST", "/api/v1/pact/import", other_company).status_code == 422
    other_ids = copy.deepcopy(changed)
    other_ids["companyIds"] = ["urn:pact:company:customcode:vendor-assigned:name-other"]
    assert secretariat.api("POST", "/api/v1/pact/import", other_ids).status_code == 422
    with database() as session:
        factor = session.scalar(select(Factor).where(Factor.code == f"PACT-{SUPPLIER_ID}"))
        assert (factor.version, factor.value) == (1, 812.5)
    updated = secretariat.api("POST", "/api/v1/pact/import", changed)
    assert updated.status_code == 201 and (updated.json["version"], updated.json["value"]) == (2, 1.5)


def test_a_name_with_a_full_width_space_is_the_same_enterprise(cli_runner, database):
    cli_runner("demo")
    with database() as session:
        cement = session.scalar(select(User).where(User.username == "cement"))
        name = cement.organisation.name
        trials = {calculation.trial for calculation in footprints.shareable_calculations(session, by=cement)}
        assert trials
        for trial in trials:
            trial.enterprise = name[:2] + "\u3000" + name[2:].upper()
        session.flush()
        again = {calculation.trial for calculation in footprints.shareable_calculations(session, by=cement)}
        assert again == trials


def test_one_size_limit_for_a_pact_file(app, cli_runner, database):
    own, _other = _demo(cli_runner, database)
    document = _supplier_document(database, own)
    padded = json.dumps(document).encode("utf-8") + b" " * (600 * 1024)  # under 1 MB, over 512 KB
    response = _sign_in(app, "drafter").post_form("/exchange/import", {"file": (io.BytesIO(padded), "big.json")})
    assert response.status_code == 422 and "512 KB" in response.text
    with database() as session:
        assert session.scalar(select(Factor).where(Factor.code == f"PACT-{SUPPLIER_ID}")) is None


def test_too_many_properties_are_refused_without_repeating_them(app, cli_runner, database):
    _demo(cli_runner, database)
    too_many = {f"x{number}": "value-echoed" for number in range(100_000)}
    response = _sign_in(app, "secretariat").api("POST", "/api/v1/pact/import", too_many)
    assert response.status_code in (413, 422)
    assert "value-echoed" not in response.text and "x99999" not in response.text
    if response.status_code == 422:
        assert "100" in response.json["error"]["message"]
