"""The JSON API keeps its OpenAPI promise: documented routes, bodies and errors are what it does."""

import re

import pytest
from openapi_spec_validator import validate

from workbench.auth.permissions import Role

ERROR_CODES = {400, 401, 403, 404, 409, 422}


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").json


def test_the_document_is_valid_openapi_3_1(spec):
    assert spec["openapi"] == "3.1.0"
    validate(spec)


def test_every_api_route_is_documented_and_every_documented_route_exists(app, spec):
    served = {
        (re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule).rstrip("/"), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path.rstrip("/"), method) for path, item in spec["paths"].items() for method in item}
    assert served == documented


def test_every_operation_documents_the_error_body(spec):
    for item in spec["paths"].values():
        for operation in item.values():
            public = {} in operation.get("security", [])
            for status in ERROR_CODES - {401} if public else ERROR_CODES:
                schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}


def test_reads_match_their_schemas(people, login, validate_response):
    client = login(Role.DRAFTER)
    validate_response("/api/v1/me", "get", client.get("/api/v1/me"))
    validate_response("/api/v1/organisations", "get", client.get("/api/v1/organisations"))
    response = client.get(f"/api/v1/organisations/{people['organisation']}")
    validate_response("/api/v1/organisations/{organisation_id}", "get", response)
    listing = client.get("/api/v1/working-groups")
    validate_response("/api/v1/working-groups", "get", listing)
    assert listing.json["items"][0]["members"] == ["drafter"]
    response = client.get(f"/api/v1/audit/user/{people[Role.DRAFTER]}")
    validate_response("/api/v1/audit/{record_type}/{record_id}", "get", response)
    assert response.json["items"][0]["action"] == "created"


def test_create_and_change_a_working_group(people, login, validate_response):
    client = login(Role.SECRETARIAT)
    created = client.api(
        "POST",
        "/api/v1/working-groups",
        {"code": "wg-pv", "name": "光伏组件起草组", "description": "光伏组件", "members": ["Drafter"]},
    )
    assert created.status_code == 201
    validate_response("/api/v1/working-groups", "post", created)
    assert created.json["code"] == "WG-PV" and created.json["members"] == ["drafter"]

    changed = client.api("PATCH", created.headers["Location"], {"members": ["drafter", "evaluator"], "reason": "扩充"})
    assert changed.status_code == 200
    validate_response("/api/v1/working-groups/{group_id}", "patch", changed)
    assert changed.json["members"] == ["drafter", "evaluator"]
    assert changed.json["name"] == "光伏组件起草组"  # untouched fields stay

    history = client.get(f"/api/v1/audit/working_group/{created.json['id']}").json["items"]
    assert history[0]["reason"] == "扩充"
    assert history[0]["actor"]["id"] == people[Role.SECRETARIAT]


def _error(response, status, code):
    assert response.status_code == status, response.text
    assert set(response.json) == {"error"}
    assert set(response.json["error"]) == {"code", "message", "details"}
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    return response.json["error"]


def test_error_bodies_and_status_codes(people, login, app):
    anonymous = app.test_client()
    _error(anonymous.get("/api/v1/me"), 401, "unauthenticated")
    drafter = login(Role.DRAFTER)
    _error(drafter.api("POST", "/api/v1/working-groups", {"code": "WG-NO", "name": "无权"}), 403, "forbidden")
    _error(drafter.get("/api/v1/working-groups/424242"), 404, "not_found")
    _error(drafter.get("/api/v1/no-such-thing"), 404, "not_found")
    _error(drafter.get("/api/v1/audit/standard/1"), 404, "not_found")
    _error(drafter.api("DELETE", "/api/v1/working-groups/1"), 405, "method_not_allowed")

    secretariat = login(Role.SECRETARIAT)
    _error(secretariat.api("POST", "/api/v1/working-groups", {"code": "WG-TEST", "name": "重复"}), 409, "conflict")
    malformed = secretariat.open(
        "/api/v1/working-groups",
        method="POST",
        data="{not json",
        headers={"X-CSRFToken": secretariat.csrf_token(), "Content-Type": "application/json"},
    )
    _error(malformed, 400, "malformed_request")

    invalid = _error(
        secretariat.api("POST", "/api/v1/working-groups", {"code": "x", "colour": "green"}), 422, "invalid_input"
    )
    pointers = {error["pointer"] for error in invalid["details"]["errors"]}
    assert pointers == {"/", "/code"}  # missing name and unknown "colour" at the root; bad code
    unknown = _error(
        secretariat.api("POST", "/api/v1/working-groups", {"code": "WG-Y", "name": "Y", "members": ["ghost"]}),
        422,
        "invalid_input",
    )
    assert "ghost" in unknown["message"]


def test_api_messages_follow_accept_language(people, app):
    client = app.test_client()
    chinese = client.get("/api/v1/me").json["error"]["message"]
    english = client.get("/api/v1/me", headers={"Accept-Language": "en-GB,en;q=0.9"}).json["error"]["message"]
    assert chinese == "请先登录后再执行此操作。"
    assert english == "Please sign in first."


def test_a_change_against_an_old_version_is_refused(people, login):
    client = login(Role.SECRETARIAT)
    url = f"/api/v1/working-groups/{people['working_group']}"
    version = client.get(url).json["version"]
    assert client.api("PATCH", url, {"name": "第一次", "version": version}).status_code == 200
    stale = client.api("PATCH", url, {"name": "第二次", "version": version})
    error = _error(stale, 409, "stale_version")
    assert error["details"]["current_version"] == version + 1
    assert client.get(url).json["name"] == "第一次"


def test_paging_parameters(people, login):
    client = login(Role.DRAFTER)
    one = client.get("/api/v1/organisations?per_page=1")
    assert one.json["per_page"] == 1 and len(one.json["items"]) == 1
    _error(client.get("/api/v1/organisations?per_page=0"), 422, "invalid_input")
    _error(client.get("/api/v1/organisations?per_page=201"), 422, "invalid_input")
    _error(client.get("/api/v1/organisations?page=99999999999999999999"), 404, "not_found")
