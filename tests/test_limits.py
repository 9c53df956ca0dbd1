"""Bounded work per request: input is measured before it is parsed or rendered, and whatever a
client sends is answered with a status that says what was wrong, never a 500 (issue 13, item 4)."""

import io
import json

import pytest

from workbench import json_input
from workbench import markdown as markdown_module
from workbench.api.spec import spec as api_spec
from workbench.auth.models import WorkingGroup
from workbench.auth.permissions import Role
from workbench.drafting.forms import MAX_CLAUSE_LENGTH

from .conftest import ADMIN
from .drafting_helpers import make_rule
from .trials_helpers import cement_dataset, make_trial

DEEP = "[" * 990 + "]" * 990  # ~990 levels deep: a RecursionError in the old code


def _error(response, status, code):
    assert response.status_code == status, response.text
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    return response.json["error"]


@pytest.fixture
def rule_id(people, database):
    with database() as session:
        rule = make_rule(session, working_group=session.get(WorkingGroup, people["working_group"]))
        session.commit()
        return rule.id


@pytest.fixture
def trial_id(rule_id, database):
    from workbench.drafting.models import Rule

    with database() as session:
        trial = make_trial(session, session.get(Rule, rule_id))
        session.commit()
        return trial.id


def _writes(app):
    """Every API operation that takes a JSON body, with its path filled in with real ids."""
    with app.test_request_context():
        document = api_spec.document(server_url="http://localhost")
    return [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation
    ]


@pytest.fixture
def evaluation_ids(people, rule_id, database):
    """A group standard of the test accounts' organisation with feedback, an evaluation plan, an
    evaluation in progress by that organisation, a coordination reason between two rules, and the
    association's submitted application with the evaluator on its panel: the records the
    evaluation and adoption operations look up before they read the body."""
    from datetime import date

    from workbench.auth.models import Organisation, User
    from workbench.db import utcnow
    from workbench.drafting.models import Rule
    from workbench.evaluation.models import (
        AdoptionApplication,
        ApplicationStatus,
        CoordinationReason,
        Evaluation,
        EvaluationPlan,
        Feedback,
        FeedbackKind,
        PanelMember,
    )
    from workbench.registry import service as registry

    with database() as session:
        organisation = session.get(Organisation, people["organisation"])
        standard, _ = registry.create_standard(
            session,
            registry.StandardInput(
                level="group",
                numbers="T/TEST 1-2024",
                title="测试团体标准",
                status="published",
                association=organisation.name,
            ),
            by=ADMIN,
        )
        feedback = Feedback(
            standard=standard, kind=FeedbackKind.OTHER, text="反馈", submitted_at=utcnow(), source="test"
        )
        plan = EvaluationPlan(standard=standard, organisation=organisation, due_on=date(2099, 1, 1))
        evaluation = Evaluation(standard=standard, organisation=organisation, started_on=date(2026, 1, 1))
        application = AdoptionApplication(
            standard=standard, organisation=organisation, status=ApplicationStatus.SUBMITTED
        )
        rule, other = session.get(Rule, rule_id), make_rule(session, name="石灰", name_en="Lime")
        reason = CoordinationReason(
            rule=rule, other_rule=other, choice="gwp_set", reason="有意不同", created_at=utcnow()
        )
        session.add_all([feedback, plan, evaluation, application, reason])
        session.flush()
        session.add(PanelMember(application=application, user=session.get(User, people[Role.EVALUATOR])))
        session.commit()
        return {
            "feedback_id": feedback.id,
            "plan_id": plan.id,
            "evaluation_id": evaluation.id,
            "application_id": application.id,
            "reason_id": reason.id,
        }


@pytest.fixture
def declaration_ids(people, rule_id, database):
    """A draft declaration of the enterprise account's enterprise, naming the certifier account's
    certification body: what the declaration operations look up before they read the body."""
    from datetime import date

    from sqlalchemy import select

    from workbench.auth import service as accounts
    from workbench.auth.models import OrganisationKind, User
    from workbench.db import utcnow
    from workbench.drafting.models import RuleRevision
    from workbench.exchange.models import Declaration, DeclarationSource, DeclarationStatus

    with database() as session:
        plant = accounts.create_organisation(session, by=ADMIN, name="测试水泥厂", kind=OrganisationKind.ENTERPRISE)
        body = accounts.create_organisation(
            session, by=ADMIN, name="测试认证机构", kind=OrganisationKind.CERTIFICATION_BODY
        )
        session.get(User, people[Role.ENTERPRISE]).organisation = plant
        session.get(User, people[Role.CERTIFIER]).organisation = body
        revision = session.scalar(select(RuleRevision).where(RuleRevision.rule_id == rule_id).limit(1))
        declaration = Declaration(
            public_id="limits-test",
            organisation=plant,
            certification_body=body,
            rule_id=rule_id,
            revision=revision,
            rule_number="CFP-TEST",
            product="水泥",
            declared_unit="t",
            value=700.0,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            geography_kind="country",
            geography="CN",
            source=DeclarationSource.CALCULATION,
            status=DeclarationStatus.SUBMITTED,
            created_at=utcnow(),
        )
        session.add(declaration)
        session.commit()
        return {"declaration_id": declaration.id}


# The writes an administrator may not make: the evaluating members of the organisation keep an
# evaluation, the association applies, the panel's evaluators score; an enterprise's member
# declares and the certification body it names verifies.
WRITERS = {
    "/api/v1/declarations": Role.ENTERPRISE,
    "/api/v1/declarations/{declaration_id}": Role.ENTERPRISE,
    "/api/v1/declarations/{declaration_id}/submit": Role.ENTERPRISE,
    "/api/v1/declarations/{declaration_id}/withdraw": Role.ENTERPRISE,
    "/api/v1/declarations/{declaration_id}/verify": Role.CERTIFIER,
    "/api/v1/declarations/{declaration_id}/reject": Role.CERTIFIER,
    "/api/v1/declarations/{declaration_id}/suspend": Role.CERTIFIER,
    "/api/v1/declarations/{declaration_id}/reinstate": Role.CERTIFIER,
    "/api/v1/evaluations/{evaluation_id}/scores": Role.SECRETARIAT,
    "/api/v1/evaluations/{evaluation_id}/conclusion": Role.SECRETARIAT,
    "/api/v1/adoption/applications": Role.ASSOCIATION,
    "/api/v1/adoption/applications/{application_id}/submit": Role.ASSOCIATION,
    "/api/v1/adoption/applications/{application_id}/withdraw": Role.ASSOCIATION,
    "/api/v1/adoption/applications/{application_id}/scores": Role.EVALUATOR,
}


def _address(path, rule_id, trial_id, people, records=None):
    ids = {
        "rule_id": rule_id,
        "trial_id": trial_id,
        "group_id": people["working_group"],
        "factor_id": 1,
        "standard_id": 1,
        "batch_id": 1,
        "call_id": 1,
        "proposal_id": 1,
        **(records or {}),
    }
    for name, value in ids.items():
        path = path.replace("{" + name + "}", str(value))
    assert "{" not in path, path
    return path


# --- JSON depth ---------------------------------------------------------------------------------------


def test_the_depth_is_measured_without_parsing_and_strings_do_not_count():
    assert json_input.nesting_depth('{"a": [1, {"b": "[[[{{{\\"["}]}') == 3
    assert json_input.nesting_depth("[" * 100_000) == 100_000  # no recursion, no RecursionError
    with pytest.raises(json_input.NestedTooDeeply):
        json_input.loads(DEEP)
    assert json_input.loads("[" * 64 + "]" * 64) is not None


def test_deep_json_to_every_api_write_is_a_clear_400(
    app, people, login, rule_id, trial_id, database, evaluation_ids, declaration_ids
):
    from datetime import UTC, date, datetime

    from workbench.catalogue.models import Call, ListBatch, ListKind, Proposal
    from workbench.drafting.models import Rule

    # The batch, call and proposal the ids 1 name: their operations look them up before the body.
    with database() as session:
        session.add(ListBatch(kind=ListKind.PRIORITY, number=1, title="重点产品清单（测试）"))
        call = Call(title="征集", opens_on=date(2026, 1, 1), closes_on=date(2026, 12, 31), months_to_approval=12)
        session.add(call)
        session.flush()
        session.add(
            Proposal(
                call_id=call.id,
                organisation_id=people["organisation"],
                product_id=session.get(Rule, rule_id).product_id,
                level="national",
                title="温室气体 产品碳足迹量化方法与要求 水泥",
                submitted_at=datetime(2026, 3, 1, tzinfo=UTC),
            )
        )
        session.commit()
    # The administrator writes almost everywhere (lists and calls are SAMR/MEE's alone); WRITERS the rest.
    clients = {role: login(role) for role in {Role.ADMINISTRATOR, *WRITERS.values()}}
    for method, path in _writes(app):
        client = clients[WRITERS.get(path, Role.ADMINISTRATOR)]
        body = '{"dataset": ' + DEEP + "}"
        response = client.open(
            _address(path, rule_id, trial_id, people, {**evaluation_ids, **declaration_ids}),
            method=method,
            data=body,
            headers={"X-CSRFToken": client.csrf_token(), "Content-Type": "application/json"},
        )
        error = _error(response, 400, "malformed_request")
        assert "64" in error["message"], (method, path)


def test_a_body_over_the_size_limit_is_refused_before_it_is_read(app, people, login, trial_id):
    client = login(Role.SECRETARIAT)
    too_large = app.config["MAX_CONTENT_LENGTH"] + 1
    response = client.open(
        f"/api/v1/trials/{trial_id}/dataset",
        method="PUT",
        data=b"[" * too_large,
        headers={"X-CSRFToken": client.csrf_token(), "Content-Type": "application/json"},
    )
    _error(response, 413, "too_large")
    with app.test_request_context():
        documented = api_spec.document(server_url="http://localhost")["paths"]["/api/v1/trials/{trial_id}/dataset"]
    assert "413" in documented["put"]["responses"]


def test_a_deep_json_upload_is_refused_with_the_form(login, rule_id):
    client = login(Role.DRAFTER)
    response = client.post_form(
        f"/drafting/{rule_id}/trials/upload",
        {"file": (io.BytesIO(('{"lines": ' + DEEP + "}").encode()), "data.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "嵌套超过 64 层" in response.text


def test_a_deep_json_in_the_trial_editor_is_refused_with_the_form(login, trial_id):
    client = login(Role.DRAFTER)
    response = client.post_form(f"/trials/{trial_id}/json", {"dataset": '{"lines": ' + DEEP + "}", "version": "1"})
    assert response.status_code == 422 and "嵌套超过 64 层" in response.text


# --- numbers and ids ----------------------------------------------------------------------------------


def test_a_whole_number_written_as_a_float_is_an_integer(login, rule_id):
    client = login(Role.DRAFTER)
    data = cement_dataset()
    data["lines"][2]["uncertainty"] = {"distribution": "normal", "sd": 6}  # so that the Monte Carlo runs
    trial_id = client.api("POST", f"/api/v1/rules/{rule_id}/trials", {"dataset": data}).json["id"]
    accepted = client.api("POST", f"/api/v1/trials/{trial_id}/calculations", {"iterations": 251.0, "seed": 7.0})
    assert accepted.status_code == 202, accepted.text  # a Monte Carlo run is a background job
    job = client.get(accepted.headers["Location"]).json
    assert job["status"] == "done", job
    calculation_id = int(job["result_url"].rsplit("calculation=", 1)[1])
    response = client.get(f"/api/v1/calculations/{calculation_id}")
    assert response.json["options"]["iterations"] == 251 and response.json["options"]["seed"] == 7
    assert response.json["result"]["monte_carlo"]["iterations"] == 251
    assert '"iterations":251,' in response.text  # an integer, as the document promises
    refused = client.api("POST", f"/api/v1/trials/{trial_id}/calculations", {"iterations": 251.5})
    _error(refused, 422, "invalid_input")


@pytest.mark.parametrize("number", ["3000000000", "0", "99999999999999999999"])
def test_revision_numbers_out_of_range_are_404(login, rule_id, number):
    client = login(Role.SECRETARIAT)
    assert client.get(f"/drafting/{rule_id}/revisions/{number}/rule.json").status_code == 404
    assert client.get(f"/drafting/{rule_id}/compare?a=1&b={number}").status_code == 404
    assert client.get(f"/drafting/{rule_id}/compare?a={number}&b=1").status_code == 404


def test_paging_arguments_that_are_not_integers_are_refused(people, login):
    client = login(Role.DRAFTER)
    for query in ("per_page=null", "per_page=", "per_page=1.5", "page=null", "page=0"):
        error = _error(client.get(f"/api/v1/factors?{query}"), 422, "invalid_input")
        assert error["details"]["errors"][0]["parameter"] in query
    _error(client.get("/api/v1/factors?per_page=0"), 422, "invalid_input")
    assert "1 到 200" in client.get("/api/v1/factors?per_page=null").json["error"]["message"]
    _error(client.get("/api/v1/standards?include_archived=null"), 422, "invalid_input")
    assert client.get("/api/v1/factors?per_page=2&page=1").status_code == 200


# --- methods, sign-in, permission before validation -------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/factors", "/api/v1/", "/", "/login"])
def test_an_unsupported_method_is_405_with_the_allowed_ones(client, path):
    response = client.open(path, method="TRACE")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_unauthenticated_api_writes_are_401_whatever_the_body(
    app, people, rule_id, trial_id, evaluation_ids, declaration_ids
):
    anonymous = app.test_client()
    for method, path in _writes(app):
        address = _address(path, rule_id, trial_id, people, {**evaluation_ids, **declaration_ids})
        _error(anonymous.open(address, method=method, json={"nonsense": True}), 401, "unauthenticated")
        _error(anonymous.open(address, method=method, data="{not json"), 401, "unauthenticated")


def test_a_user_without_the_permission_is_refused_before_the_body_is_validated(people, login, rule_id, trial_id):
    evaluator = login(Role.EVALUATOR)
    _error(evaluator.api("POST", "/api/v1/factors", {"colour": "green"}), 403, "forbidden")
    _error(evaluator.api("POST", "/api/v1/standards", {"colour": "green"}), 403, "forbidden")
    _error(evaluator.api("POST", f"/api/v1/rules/{rule_id}/trials", {"colour": "green"}), 403, "forbidden")
    _error(evaluator.api("POST", f"/api/v1/trials/{trial_id}/calculations", {"iterations": "x"}), 403, "forbidden")
    _error(evaluator.api("PUT", f"/api/v1/trials/{trial_id}/dataset", {"colour": "green"}), 403, "forbidden")
    # Allowed users still get the schema's details.
    secretariat = login(Role.SECRETARIAT)
    _error(secretariat.api("POST", "/api/v1/factors", {"colour": "green"}), 422, "invalid_input")


# --- rendering ----------------------------------------------------------------------------------------


def test_an_oversized_clause_preview_is_refused_before_rendering(login, rule_id, monkeypatch):
    rendered = []
    monkeypatch.setattr("workbench.drafting.views.markdown", lambda text: rendered.append(text) or "")
    client = login(Role.DRAFTER)
    response = client.post_form(
        f"/drafting/{rule_id}/clauses/scope",
        {"based_on": "1", "title": "范围", "text": "字" * (MAX_CLAUSE_LENGTH + 1), "preview": "1"},
    )
    assert response.status_code == 422
    assert f"最多 {MAX_CLAUSE_LENGTH} 个字符" in response.text
    assert rendered == []
    client.post_form(
        f"/drafting/{rule_id}/clauses/scope", {"based_on": "1", "title": "范围", "text": "短文", "preview": "1"}
    )
    assert rendered == ["短文"]


def test_the_markdown_cache_is_bounded_by_characters_not_entries():
    limit = markdown_module.CACHE_CHARACTERS
    huge = "长" * (markdown_module.CACHED_TEXT_LIMIT + 1)
    for index in range(5):
        assert str(index) in markdown_module.render(huge + str(index))  # rendered, never cached
    near_limit = "文" * (markdown_module.CACHED_TEXT_LIMIT - 10)
    for index in range(limit // markdown_module.CACHED_TEXT_LIMIT + 20):  # far more than fits
        markdown_module.render(f"{index} {near_limit}")
        assert markdown_module.cached_characters() <= limit
    assert markdown_module.cached_characters() > limit // 2  # it does cache what fits
    small = "**小条款**"
    assert markdown_module.render(small) is markdown_module.render(small)  # cached


def test_json_numbers_from_the_api_keep_their_meaning():
    assert json.loads("251.0", parse_float=json_input.integral_floats) == 251
    assert isinstance(json.loads("2.51e2", parse_float=json_input.integral_floats), int)
    assert json.loads("0.5", parse_float=json_input.integral_floats) == 0.5
