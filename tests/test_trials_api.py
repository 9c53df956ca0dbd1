"""The factor library and the trials through /api/v1: the shapes the OpenAPI document promises, the
numbers of the cement example, the refusals (dataset problems by line, stale versions) and who may
read and run what."""

import json

import pytest
from sqlalchemy import func, select

from workbench.auth import service as auth_service
from workbench.auth.models import User, WorkingGroup
from workbench.auth.permissions import Role
from workbench.drafting.models import Rule
from workbench.factors import service as factors
from workbench.trials import dataset as datasets
from workbench.trials.models import Calculation, Trial

from .conftest import ADMIN, PASSWORD
from .drafting_helpers import make_rule
from .trials_helpers import CEMENT_CFP, cement_dataset, make_trial

ELECTRICITY_LINE = 3  # index of 外购电力 (90 kWh per t at 0.6 kgCO2e/kWh) in cement_dataset()
FACTOR = {
    "code": "GRID-TEST-2024",
    "name": "测试电网电力碳足迹因子",
    "value": 0.6,
    "unit": "kgCO2e/kWh",
    "kind": "cfp_life_cycle",
    "tier": "government",
    "source": "测试公告 第 3 页",
    "geography": "全国",
    "data_year": 2024,
}


def _error(response, status, code):
    assert response.status_code == status, response.text
    assert response.json["error"]["code"] == code
    return response.json["error"]


@pytest.fixture
def rule_id(people, database):
    """A rule (stage 20) of the test working group, whose drafter may run its trials."""
    with database() as session:
        group = session.get(WorkingGroup, people["working_group"])
        rule = make_rule(session, working_group=group)
        session.commit()
        return rule.id


@pytest.fixture
def trial_id(rule_id, database):
    with database() as session:
        trial = make_trial(session, session.get(Rule, rule_id))
        session.commit()
        return trial.id


def _outsider(app, database):
    """A drafter of another working group, signed in."""
    with database() as session:
        group = auth_service.create_working_group(session, code="WG-OTHER", name="其他起草组", by=ADMIN)
        auth_service.create_user(
            session,
            username="outsider",
            display_name="其他组起草人",
            password=PASSWORD,
            role=Role.DRAFTER,
            working_groups=[group],
            by=ADMIN,
        )
        session.commit()
    client = app.test_client()
    assert client.post_form("/login", {"username": "outsider", "password": PASSWORD}).status_code == 302
    return client


# --- the factor library -------------------------------------------------------------------------------


def test_the_factor_list_filters_and_pages_for_anyone(app, database, validate_response):
    with database() as session:
        factors.create_factor(session, factors.FactorInput(**FACTOR), by=ADMIN)
        factors.create_factor(
            session,
            factors.FactorInput(
                **{**FACTOR, "code": "COAL-1", "name": "烟煤", "unit": "kgCO2/kg", "kind": "co2_combustion_only"}
            ),
            by=ADMIN,
        )
        factors.create_factor(
            session, factors.FactorInput(**{**FACTOR, "code": "LIT-1", "tier": "literature"}), by=ADMIN
        )
        session.commit()
    client = app.test_client()  # a visitor
    everything = client.get("/api/v1/factors")
    validate_response("/api/v1/factors", "get", everything)
    assert everything.json["total"] == 3
    assert [item["code"] for item in client.get("/api/v1/factors?q=烟煤").json["items"]] == ["COAL-1"]
    assert [item["code"] for item in client.get("/api/v1/factors?unit=kgco2/kg").json["items"]] == ["COAL-1"]
    assert [item["code"] for item in client.get("/api/v1/factors?tier=literature").json["items"]] == ["LIT-1"]
    assert client.get("/api/v1/factors?kind=co2_combustion_only").json["total"] == 1
    assert len(client.get("/api/v1/factors?geography=全国&per_page=2").json["items"]) == 2
    _error(client.get("/api/v1/factors?tier=best"), 422, "invalid_input")

    first = everything.json["items"][0]
    detail = client.get(f"/api/v1/factors/{first['id']}")
    validate_response("/api/v1/factors/{factor_id}", "get", detail)
    assert [version["version"] for version in detail.json["versions"]] == [1]
    assert detail.json["versions"][0]["snapshot"]["code"] == first["code"]
    _error(client.get("/api/v1/factors/424242"), 404, "not_found")


def test_the_secretariat_adds_and_changes_a_factor(people, login, validate_response):
    client = login(Role.SECRETARIAT)
    body = {
        **FACTOR,
        "published_on": "2025-01-15",
        "gases": {"CO2": 0.58, "CH4": 0.0005},
        "uncertainty": {"distribution": "lognormal", "gsd": 1.1},
    }
    created = client.api("POST", "/api/v1/factors", body)
    assert created.status_code == 201, created.text
    validate_response("/api/v1/factors", "post", created)
    assert created.headers["Location"] == f"/api/v1/factors/{created.json['id']}"
    assert created.json["gases"] == {"CO2": 0.58, "CH4": 0.0005}
    assert created.json["uncertainty"]["gsd"] == 1.1
    assert created.json["published_on"] == "2025-01-15"
    assert created.json["version"] == 1

    duplicate = _error(
        client.api("POST", "/api/v1/factors", {**FACTOR, "code": "grid-test-2024"}), 422, "invalid_input"
    )
    assert "测试电网电力碳足迹因子" in duplicate["message"] and "code" in duplicate["details"]
    bad_unit = _error(
        client.api("POST", "/api/v1/factors", {**FACTOR, "code": "X", "unit": "kWh"}), 422, "invalid_input"
    )
    assert "unit" in bad_unit["details"]
    shape = _error(client.api("POST", "/api/v1/factors", {**FACTOR, "code": "Y", "colour": 1}), 422, "invalid_input")
    assert shape["details"]["errors"][0]["pointer"] == "/"

    url = created.headers["Location"]
    changed = client.api("PATCH", url, {"value": 0.57, "reason": "2025 年公告更新", "version": 1})
    assert changed.status_code == 200, changed.text
    validate_response("/api/v1/factors/{factor_id}", "patch", changed)
    assert changed.json["value"] == 0.57 and changed.json["version"] == 2
    assert changed.json["gases"] == {"CO2": 0.58, "CH4": 0.0005}  # untouched fields stay
    assert [(v["version"], v["snapshot"]["value"]) for v in changed.json["versions"]] == [(1, 0.6), (2, 0.57)]
    history = client.get(f"/api/v1/audit/factor/{created.json['id']}").json["items"]
    assert history[0]["reason"] == "2025 年公告更新"

    stale = _error(client.api("PATCH", url, {"value": 0.5, "version": 1}), 409, "stale_version")
    assert stale["details"]["current_version"] == 2
    assert client.get(url).json["value"] == 0.57

    cleared = client.api("PATCH", url, {"gases": None, "published_on": None})
    assert cleared.json["gases"] is None and cleared.json["published_on"] is None
    _error(client.api("PATCH", url, {"published_on": "15/01/2025"}), 422, "invalid_input")
    _error(client.api("PATCH", "/api/v1/factors/424242", {"value": 1}), 404, "not_found")


def test_only_the_keepers_of_the_library_change_it(app, people, login):
    _error(login(Role.DRAFTER).api("POST", "/api/v1/factors", FACTOR), 403, "forbidden")
    _error(app.test_client().api("POST", "/api/v1/factors", FACTOR), 401, "unauthenticated")


# --- trials -------------------------------------------------------------------------------------------


def test_the_dataset_schema_is_public(client, validate_response):
    response = client.get("/api/v1/trial-dataset-schema")
    validate_response("/api/v1/trial-dataset-schema", "get", response)
    assert response.json == datasets.SCHEMA
    assert "lines" in response.json["required"]


def test_a_drafter_enters_a_dataset_and_reads_the_result(people, login, rule_id, validate_response):
    client = login(Role.DRAFTER)
    created = client.api("POST", f"/api/v1/rules/{rule_id}/trials", {"dataset": cement_dataset()})
    assert created.status_code == 201, created.text
    validate_response("/api/v1/rules/{rule_id}/trials", "post", created)
    trial = created.json
    assert created.headers["Location"] == f"/api/v1/trials/{trial['id']}"
    assert (trial["label"], trial["enterprise"], trial["revision"], trial["version"]) == (
        "企业A",
        "华北水泥有限公司",
        1,
        1,
    )
    assert trial["source"] == "json" and trial["period"] == "2025 年"
    latest = trial["latest_calculation"]
    assert latest["usable"] is True and latest["unit"] == "kg CO2e/t"
    assert latest["cfp_per_unit"] == pytest.approx(CEMENT_CFP)
    assert latest["result"]["by_stage"] == {
        "raw_material_acquisition": pytest.approx(15.6),
        "production": pytest.approx(874.3),
    }
    assert latest["result"]["by_category"]["energy"] == pytest.approx(354.0)
    assert latest["result"]["monte_carlo"] is None  # no line gives an uncertainty
    assert latest["options"] == {"electricity": "rule", "allocation": "rule", "iterations": 10_000, "seed": None}
    assert latest["factor_versions"] == []  # all factors inline
    assert [calculation["id"] for calculation in trial["calculations"]] == [latest["id"]]

    again = client.get(created.headers["Location"])
    validate_response("/api/v1/trials/{trial_id}", "get", again)
    assert again.json == trial

    listing = client.get(f"/api/v1/rules/{rule_id}/trials")
    validate_response("/api/v1/rules/{rule_id}/trials", "get", listing)
    assert (listing.json["revision"], listing.json["current_revision"], listing.json["enterprises"]) == (1, 1, 1)
    [item] = listing.json["items"]
    assert (item["label"], item["enterprise"]) == ("企业A", "华北水泥有限公司")
    summary = item["latest_calculation"]
    assert summary["cfp_per_unit"] == pytest.approx(CEMENT_CFP)
    assert (summary["usable"], summary["errors"], summary["warnings"]) == (True, latest["errors"], latest["warnings"])
    assert "result" not in summary
    assert client.get(f"/api/v1/rules/{rule_id}/trials?revision=1").json == listing.json

    calculation = client.get(f"/api/v1/calculations/{latest['id']}")
    validate_response("/api/v1/calculations/{calculation_id}", "get", calculation)
    assert calculation.json == latest
    assert calculation.json["dataset"] == cement_dataset()

    second = client.api(
        "POST",
        f"/api/v1/rules/{rule_id}/trials",
        {"dataset": cement_dataset("某某"), "enterprise": "华东水泥股份公司"},
    )
    assert second.status_code == 201
    assert (second.json["label"], second.json["enterprise"]) == ("企业B", "华东水泥股份公司")
    duplicate = client.api("POST", f"/api/v1/rules/{rule_id}/trials", {"dataset": cement_dataset("华北水泥 有限公司")})
    assert "enterprise" in _error(duplicate, 422, "invalid_input")["details"]


def test_a_malformed_dataset_is_refused_line_by_line_and_nothing_is_stored(people, login, rule_id, database):
    data = cement_dataset()
    data["lines"][2]["amount"] = "一百二十"
    del data["lines"][4]["unit"]
    response = login(Role.DRAFTER).api("POST", f"/api/v1/rules/{rule_id}/trials", {"dataset": data})
    error = _error(response, 422, "invalid_input")
    paths = [problem["path"] for problem in error["details"]["problems"]]
    assert paths == ["/lines/2/amount", "/lines/4/unit"]
    assert all(problem["message"] for problem in error["details"]["problems"])
    assert "/lines/2" in error["message"] or "/lines/4" in error["message"]

    not_an_object = login(Role.DRAFTER).api("POST", f"/api/v1/rules/{rule_id}/trials", {"dataset": [1, 2]})
    assert _error(not_an_object, 422, "invalid_input")["details"]["errors"][0]["pointer"] == "/dataset"
    with database() as session:
        assert session.scalar(select(func.count()).select_from(Trial)) == 0


def test_data_that_cannot_be_calculated_are_kept_with_their_problems(people, login, rule_id, validate_response):
    data = cement_dataset()
    data["lines"][ELECTRICITY_LINE]["factor"] = {"id": "NO-SUCH-FACTOR"}
    client = login(Role.DRAFTER)
    created = client.api("POST", f"/api/v1/rules/{rule_id}/trials", {"dataset": data})
    assert created.status_code == 201, created.text
    validate_response("/api/v1/rules/{rule_id}/trials", "post", created)
    latest = created.json["latest_calculation"]
    assert (latest["usable"], latest["cfp_per_unit"], latest["unit"]) == (False, None, "")
    assert latest["errors"] >= 1
    [problem] = latest["result"]["problems"]
    assert problem["path"].startswith(f"/lines/{ELECTRICITY_LINE}/factor") and "NO-SUCH-FACTOR" in problem["message"]
    calculation = client.get(f"/api/v1/calculations/{latest['id']}")
    validate_response("/api/v1/calculations/{calculation_id}", "get", calculation)
    listing = client.get(f"/api/v1/rules/{rule_id}/trials").json
    assert listing["enterprises"] == 0  # no usable calculation: not counted for the 送审 gate
    assert listing["items"][0]["latest_calculation"]["usable"] is False


def _raw(client, method, url, body):
    """`body` sent as Python writes JSON: NaN and Infinity included, as some clients do."""
    headers = {"X-CSRFToken": client.csrf_token(), "Content-Type": "application/json"}
    return client.open(url, method=method, data=json.dumps(body), headers=headers)


def test_nan_and_infinity_are_refused_by_place(people, login, rule_id, trial_id, database):
    client = login(Role.SECRETARIAT)
    data = cement_dataset()
    data["lines"][0]["amount"] = float("nan")
    data["lines"][3]["factor"]["value"] = float("inf")
    for method, url in (("POST", f"/api/v1/rules/{rule_id}/trials"), ("PUT", f"/api/v1/trials/{trial_id}/dataset")):
        error = _error(_raw(client, method, url, {"dataset": data, "enterprise": "另一家"}), 422, "invalid_input")
        assert [problem["path"] for problem in error["details"]["problems"]] == [
            "/lines/0/amount",
            "/lines/3/factor/value",
        ]
    refused = _raw(client, "POST", "/api/v1/factors", {**FACTOR, "gases": {"CO2": float("-inf")}})
    assert _error(refused, 422, "invalid_input")["details"]["errors"] == [
        {"pointer": "/gases/CO2", "message": "应为有限的数值，不能是 NaN 或 Infinity。"}
    ]
    with database() as session:
        assert session.scalar(select(func.count()).select_from(Trial)) == 1
        assert session.get(Trial, trial_id).version == 1


def test_new_data_are_recalculated_and_an_old_version_is_refused(people, login, trial_id, validate_response):
    client = login(Role.DRAFTER)
    url = f"/api/v1/trials/{trial_id}/dataset"
    first = client.get(f"/api/v1/trials/{trial_id}").json
    changed = client.api("PUT", url, {"dataset": cement_dataset(scale=2.0), "version": first["version"]})
    assert changed.status_code == 200, changed.text
    validate_response("/api/v1/trials/{trial_id}/dataset", "put", changed)
    # limestone and coal doubled: + 2.6 + 300
    assert changed.json["latest_calculation"]["cfp_per_unit"] == pytest.approx(CEMENT_CFP + 302.6)
    assert changed.json["version"] == first["version"] + 1
    assert changed.json["latest_calculation"]["trial_version"] == changed.json["version"]
    assert len(changed.json["calculations"]) == 2
    old = client.get(f"/api/v1/calculations/{first['latest_calculation']['id']}").json
    assert old["cfp_per_unit"] == pytest.approx(CEMENT_CFP)  # earlier calculations keep their data
    assert old["dataset"]["lines"][0]["amount"] == 1300

    stale = _error(
        client.api("PUT", url, {"dataset": cement_dataset(), "version": first["version"]}), 409, "stale_version"
    )
    assert stale["details"]["current_version"] == changed.json["version"]
    assert client.get(f"/api/v1/trials/{trial_id}").json["latest_calculation"]["cfp_per_unit"] == pytest.approx(
        CEMENT_CFP + 302.6
    )

    bad = cement_dataset()
    bad["lines"][1]["stage"] = "orbit"
    problems = _error(client.api("PUT", url, {"dataset": bad}), 422, "invalid_input")["details"]["problems"]
    assert [problem["path"] for problem in problems] == ["/lines/1/stage"]


def test_a_seed_reproduces_the_monte_carlo_and_options_are_kept(people, login, rule_id, validate_response):
    client = login(Role.SECRETARIAT)
    data = cement_dataset()
    data["lines"][2]["uncertainty"] = {"distribution": "normal", "sd": 6}  # coal, t
    data["lines"][ELECTRICITY_LINE]["factor"]["uncertainty"] = {"distribution": "lognormal", "gsd": 1.1}
    trial_id = client.api("POST", f"/api/v1/rules/{rule_id}/trials", {"dataset": data}).json["id"]
    url = f"/api/v1/trials/{trial_id}/calculations"
    body = {"iterations": 2000, "seed": 20250101, "electricity": "grid", "allocation": "physical"}

    def calculated(options):
        """Monte Carlo runs as a background job: 202 with where to follow it, then its result."""
        accepted = client.api("POST", url, options)
        assert accepted.status_code == 202, accepted.text
        validate_response("/api/v1/trials/{trial_id}/calculations", "post", accepted)
        assert accepted.headers["Location"] == accepted.json["status_url"] == f"/jobs/{accepted.json['id']}.json"
        job = client.get(accepted.headers["Location"]).json
        assert job["status"] == "done", job
        calculation_id = int(job["result_url"].rsplit("calculation=", 1)[1])
        return client.get(f"/api/v1/calculations/{calculation_id}")

    first = calculated(body)
    second = calculated(body)
    monte_carlo = first.json["result"]["monte_carlo"]
    assert monte_carlo == second.json["result"]["monte_carlo"]
    assert (monte_carlo["iterations"], monte_carlo["seed"]) == (2000, 20250101)
    assert 1960 <= sum(monte_carlo["histogram"]["counts"]) <= 2000  # the middle 99 % of the draws
    assert monte_carlo["p2_5"] <= monte_carlo["median"] <= monte_carlo["p97_5"]
    assert first.json["options"] == {
        "electricity": "grid",
        "allocation": "physical",
        "iterations": 2000,
        "seed": 20250101,
    }
    assert first.json["calculated_by"].endswith("(secretariat)")

    other = calculated({**body, "seed": 7}).json["result"]["monte_carlo"]
    assert other["seed"] == 7 and other["mean"] != monte_carlo["mean"]
    none = client.api("POST", url, {"iterations": 0})  # no draws: milliseconds, in the request
    assert none.status_code == 201 and none.json["result"]["monte_carlo"] is None
    validate_response("/api/v1/trials/{trial_id}/calculations", "post", none)
    assert none.headers["Location"] == f"/api/v1/calculations/{none.json['id']}"
    assert none.json["cfp_per_unit"] == pytest.approx(CEMENT_CFP)
    _error(client.api("POST", url, {"iterations": 100_001}), 422, "invalid_input")
    _error(client.api("POST", url, {"electricity": "solar"}), 422, "invalid_input")
    assert len(client.get(f"/api/v1/trials/{trial_id}").json["calculations"]) == 5


def test_a_calculation_names_the_library_factor_version_it_used(people, login, rule_id):
    secretariat = login(Role.SECRETARIAT)
    factor = secretariat.api("POST", "/api/v1/factors", FACTOR).json
    data = cement_dataset()
    data["lines"][ELECTRICITY_LINE]["factor"] = {"id": FACTOR["code"]}
    drafter = login(Role.DRAFTER)
    trial = drafter.api("POST", f"/api/v1/rules/{rule_id}/trials", {"dataset": data}).json
    first = trial["latest_calculation"]
    assert first["cfp_per_unit"] == pytest.approx(CEMENT_CFP)
    [used] = first["factor_versions"]
    assert (used["factor_id"], used["code"], used["version"]) == (factor["id"], FACTOR["code"], 1)
    assert used["id"] == factor["versions"][0]["id"]

    changed = secretariat.api("PATCH", f"/api/v1/factors/{factor['id']}", {"value": 0.7, "reason": "新公告"}).json
    second = drafter.api("POST", f"/api/v1/trials/{trial['id']}/calculations", {"iterations": 0}).json
    assert second["cfp_per_unit"] == pytest.approx(CEMENT_CFP + 9.0)  # 90 kWh × 0.1 kg more
    assert [(v["code"], v["version"], v["id"]) for v in second["factor_versions"]] == [
        (FACTOR["code"], 2, changed["versions"][1]["id"])
    ]
    old = drafter.get(f"/api/v1/calculations/{first['id']}").json
    assert [(v["version"], v["id"]) for v in old["factor_versions"]] == [(1, used["id"])]
    assert old["cfp_per_unit"] == pytest.approx(CEMENT_CFP)


def test_archived_trials_leave_the_list_and_cannot_be_calculated(people, login, trial_id, rule_id, validate_response):
    client = login(Role.DRAFTER)
    archived = client.api("POST", f"/api/v1/trials/{trial_id}/archive", {"reason": "数据期间有误"})
    assert archived.status_code == 200, archived.text
    validate_response("/api/v1/trials/{trial_id}/archive", "post", archived)
    assert archived.json["archived_at"] is not None
    assert client.get(f"/api/v1/rules/{rule_id}/trials").json["items"] == []
    assert len(client.get(f"/api/v1/rules/{rule_id}/trials?include_archived=true").json["items"]) == 1
    _error(client.api("POST", f"/api/v1/trials/{trial_id}/calculations", {}), 409, "conflict")
    _error(client.api("PUT", f"/api/v1/trials/{trial_id}/dataset", {"dataset": cement_dataset()}), 409, "conflict")
    _error(client.api("POST", f"/api/v1/trials/{trial_id}/archive", {}), 409, "conflict")

    # The same enterprise entered again: restoring the old trial would make two.
    replacement = client.api("POST", f"/api/v1/rules/{rule_id}/trials", {"dataset": cement_dataset()})
    assert replacement.json["label"] == "企业A"
    _error(client.api("POST", f"/api/v1/trials/{trial_id}/restore", {}), 422, "invalid_input")
    client.api("POST", f"/api/v1/trials/{replacement.json['id']}/archive", {})
    restored = client.api("POST", f"/api/v1/trials/{trial_id}/restore", {"reason": "恢复"})
    assert restored.status_code == 200
    validate_response("/api/v1/trials/{trial_id}/restore", "post", restored)
    assert restored.json["archived_at"] is None


def test_a_published_rule_takes_no_more_trials(people, login, trial_id, rule_id, database):
    with database() as session:
        session.get(Rule, rule_id).stage = "60"
        session.commit()
    client = login(Role.SECRETARIAT)
    _error(
        client.api("POST", f"/api/v1/rules/{rule_id}/trials", {"dataset": cement_dataset("新企业")}), 409, "conflict"
    )
    _error(client.api("POST", f"/api/v1/trials/{trial_id}/calculations", {}), 409, "conflict")
    assert client.get(f"/api/v1/trials/{trial_id}").status_code == 200  # still readable


def test_the_feasibility_report_of_a_revision(people, login, rule_id, database, validate_response):
    with database() as session:
        rule = session.get(Rule, rule_id)
        make_trial(session, rule)
        make_trial(session, rule, enterprise="华东水泥股份公司", scale=2.0)
        code = rule.code
        session.commit()
    evaluator = login(Role.EVALUATOR)
    response = evaluator.get(f"/api/v1/rules/{rule_id}/feasibility")
    assert response.status_code == 200, response.text
    validate_response("/api/v1/rules/{rule_id}/feasibility", "get", response)
    assert response.json["rule"]["code"] == code and response.json["revision"] == 1
    report = response.json["report"]
    assert (report["trials"], report["enterprises"], report["calculated"], report["unit"]) == (2, 2, 2, "kg CO2e/t")
    assert [row["label"] for row in report["results"]] == ["企业A", "企业B"]
    assert report["spread"]["min"] == pytest.approx(CEMENT_CFP)
    assert report["spread"]["max"] == pytest.approx(CEMENT_CFP + 302.6)
    assert "华北" not in response.text and "华东" not in response.text  # enterprises by label only
    assert evaluator.get(f"/api/v1/rules/{rule_id}/feasibility?revision=1").json == response.json
    _error(evaluator.get(f"/api/v1/rules/{rule_id}/feasibility?revision=9"), 404, "not_found")
    _error(evaluator.get(f"/api/v1/rules/{rule_id}/feasibility?revision=first"), 422, "invalid_input")


def test_who_may_read_and_run_trials(app, people, login, trial_id, rule_id, database):
    with database() as session:
        calculation_id = session.scalar(select(Calculation.id).where(Calculation.trial_id == trial_id))
    reads = [
        f"/api/v1/trials/{trial_id}",
        f"/api/v1/rules/{rule_id}/trials",
        f"/api/v1/calculations/{calculation_id}",
    ]
    visitor = app.test_client()
    for url in [*reads, f"/api/v1/rules/{rule_id}/feasibility"]:
        _error(visitor.get(url), 401, "unauthenticated")
    _error(visitor.get("/api/v1/trials/424242"), 401, "unauthenticated")  # visitors learn nothing, not even ids

    outsider = _outsider(app, database)
    for url in reads:
        _error(outsider.get(url), 403, "forbidden")
    _error(
        outsider.api("POST", f"/api/v1/rules/{rule_id}/trials", {"dataset": cement_dataset("外组")}), 403, "forbidden"
    )
    _error(outsider.api("POST", f"/api/v1/trials/{trial_id}/calculations", {}), 403, "forbidden")
    _error(outsider.api("PUT", f"/api/v1/trials/{trial_id}/dataset", {"dataset": cement_dataset()}), 403, "forbidden")
    assert outsider.get(f"/api/v1/rules/{rule_id}/feasibility").status_code == 200

    evaluator = login(Role.EVALUATOR)
    for url in reads:
        _error(evaluator.get(url), 403, "forbidden")
    assert evaluator.get(f"/api/v1/rules/{rule_id}/feasibility").status_code == 200

    for role in (Role.DRAFTER, Role.SECRETARIAT, Role.ADMINISTRATOR):
        client = login(role)
        assert all(client.get(url).status_code == 200 for url in reads), role
    with database() as session:
        assert session.scalar(select(func.count()).select_from(Trial)) == 1
        assert session.scalar(select(func.count()).select_from(Calculation)) == 1


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/trials/424242",
        "/api/v1/calculations/424242",
        "/api/v1/rules/424242/trials",
        "/api/v1/rules/424242/feasibility",
        "/api/v1/rules/{rule}/trials?revision=2",
        "/api/v1/trials/0",
        "/api/v1/calculations/99999999999",
    ],
)
def test_unknown_ids_are_404(people, login, rule_id, url):
    _error(login(Role.SECRETARIAT).get(url.format(rule=rule_id)), 404, "not_found")


def test_a_token_runs_trials_without_a_csrf_token(app, people, rule_id, database):
    with database() as session:
        owner = session.get(User, people[Role.DRAFTER])
        _token, plain = auth_service.create_api_token(session, owner, name="企业数据同步")
        session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {plain}"}
    created = client.post(f"/api/v1/rules/{rule_id}/trials", json={"dataset": cement_dataset()}, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json["latest_calculation"]["calculated_by"].endswith("(drafter)")
    with database() as session:
        assert session.get(Trial, created.json["id"]).created_by_id == people[Role.DRAFTER]
