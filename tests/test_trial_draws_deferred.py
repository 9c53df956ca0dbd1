"""Saving a trial draws its Monte Carlo in the request only while the draws are cheap
(service.DRAWS_IN_REQUEST, judged from the prepared model before drawing): a small trial keeps its
Monte Carlo on save; a large foreground network with uncertain exchanges is saved at once with the
static result and a job draws the rest, through the pages and the API alike; and when the account's
job limit refuses that job, the save stands and the user is told how to start the draws."""

import copy
import io
import json

import pytest
from sqlalchemy import func, select

from workbench.auth.models import WorkingGroup
from workbench.auth.permissions import Role
from workbench.jobs import runner as runners
from workbench.jobs.models import Job, JobStatus
from workbench.trials import engine, service
from workbench.trials.models import Calculation, Trial

from .drafting_helpers import make_rule
from .trials_helpers import cement_dataset

PROCESSES = 400
UPSTREAM = 3  # each process takes this many products of the next processes (a near-triangular network)


def lognormal(sigma: float) -> dict:
    return {"distribution": "lognormal", "sigma": sigma}


def small_dataset(enterprise: str = "小型水泥厂") -> dict:
    """The cement plant's six lines, each amount lognormal: a flat trial of the ordinary kind."""
    data = cement_dataset(enterprise)
    for line in data["lines"]:
        line["uncertainty"] = lognormal(0.1)
    return data


def network_dataset(enterprise: str = "大型水泥集团", processes: int = PROCESSES) -> dict:
    """The cement plant's lines in its grinding process P0 (1,000 t of cement), which with every
    other process takes 0.1 t of each of the next UPSTREAM processes' products; every process also
    emits 5 kg of CO2 per t. Every output, input and line amount is lognormal."""
    data = small_dataset(enterprise)
    for line in data["lines"]:
        line["process"] = "P0"
    for j in range(1, processes):
        data["lines"].append(
            {
                "stage": "production",
                "category": "process_emissions",
                "item": f"中间过程{j}直接排放",
                "amount": 5,
                "unit": "kg",
                "data_type": "primary",
                "source": "监测",
                "factor": {"value": 1, "unit": "kgCO2/kg", "tier": "measured_verified", "source": "定义"},
                "process": f"P{j}",
                "uncertainty": lognormal(0.05),
            }
        )
    product = data["reference_flow"]["product"]
    data["processes"] = [
        {
            "id": f"P{j}",
            "outputs": [
                {
                    "product": product if j == 0 else f"中间品{j}",
                    "amount": 1000 if j == 0 else 1,
                    "unit": "t",
                    "uncertainty": lognormal(0.02),
                }
            ],
            "inputs": [
                {
                    "product": f"中间品{k}",
                    "amount": 100 if j == 0 else 0.1,
                    "unit": "t",
                    "uncertainty": lognormal(0.1),
                }
                for k in range(j + 1, min(j + 1 + UPSTREAM, processes))
            ],
        }
        for j in range(processes)
    ]
    return data


def prepared(rule_document: dict, data: dict) -> engine.Model:
    return engine.calculate(rule_document, data).model


@pytest.fixture
def rule_id(database, people):
    with database() as session:
        rule = make_rule(session, working_group=session.get(WorkingGroup, people["working_group"]))
        session.commit()
        return rule.id


@pytest.fixture
def rule_document(database, rule_id):
    from workbench.drafting import service as drafting
    from workbench.drafting.models import Rule

    with database() as session:
        return copy.deepcopy(drafting.revision(session, session.get(Rule, rule_id)).document)


class Idle(runners.Runner):
    """A queue nobody works on: every job stays queued (its account's limit then fills up)."""

    def dispatch(self, pending):
        pass


def latest(session, trial_id: int) -> Calculation:
    return service.latest_calculations(session, [trial_id])[trial_id]


def check_static(calculation: Calculation) -> None:
    """A save whose draws were left for a job: a usable result without Monte Carlo, which says so."""
    assert calculation.usable and calculation.cfp_per_unit > 0
    assert calculation.result["monte_carlo"] is None
    assert calculation.options["iterations"] == 0
    assert calculation.options["deferred_iterations"] == service.MONTE_CARLO_ITERATIONS


def check_drawn(calculation: Calculation, static: Calculation) -> None:
    """The job's calculation: the same static result, now with the network's draws and a sensitivity."""
    monte_carlo = calculation.result["monte_carlo"]
    assert monte_carlo["iterations"] == service.MONTE_CARLO_ITERATIONS
    assert calculation.options["iterations"] == service.MONTE_CARLO_ITERATIONS
    assert "deferred_iterations" not in calculation.options
    assert calculation.cfp_per_unit == pytest.approx(static.cfp_per_unit, rel=1e-12)
    assert monte_carlo["static"] == pytest.approx(static.cfp_per_unit, rel=1e-9)
    exchanges = sum(len(process["outputs"]) + len(process["inputs"]) for process in calculation.dataset["processes"])
    assert monte_carlo["network"]["uncertain_exchanges"] == exchanges
    assert monte_carlo["sd"] > 0
    assert monte_carlo["sensitivity"]["inputs"]


# --- the budget ----------------------------------------------------------------------------------------


def test_the_budget_keeps_flat_trials_and_sends_a_large_network_to_a_job(rule_document):
    flat = small_dataset()
    flat["lines"] = [
        {**copy.deepcopy(flat["lines"][k % 6]), "item": f"项目{k}", "factor": {**flat["lines"][k % 6]["factor"]}}
        for k in range(1000)
    ]
    for line in flat["lines"]:  # every amount and every (inline) factor uncertain: the worst flat case
        line["factor"]["uncertainty"] = lognormal(0.1)
    assert service.draws_in_request(prepared(rule_document, flat))
    large = prepared(rule_document, network_dataset())
    assert not service.draws_in_request(large)
    # Without uncertain exchanges the network is solved once: the same processes stay in the request.
    certain = network_dataset()
    for process in certain["processes"]:
        for exchange in process["outputs"] + process["inputs"]:
            del exchange["uncertainty"]
    assert service.draws_in_request(prepared(rule_document, certain))
    # The cost grows with the iterations asked for.
    assert service.draws_cost(large, 2000) * 5 == service.draws_cost(large)


def test_the_demo_cement_plants_keep_their_monte_carlo_on_save(app, people):
    from workbench import demo
    from workbench.auth import service as accounts
    from workbench.auth.models import User
    from workbench.db import db
    from workbench.trials.seed import PLANTS

    from .conftest import ADMIN

    with app.app_context():
        drafter = db.session.get(User, people[Role.DRAFTER])  # the demo's battery rule needs its group
        accounts.create_working_group(db.session, by=ADMIN, code="WG-LIB", name="锂离子电池起草组", members=[drafter])
        demo.load_registry(db.session, ADMIN)
        demo.load_factors(db.session, ADMIN)
        demo.load_rules(db.session, ADMIN)
        demo.load_trials(db.session, ADMIN)
        db.session.commit()
        trials = db.session.scalars(select(Trial)).all()
        assert sorted(trial.enterprise for trial in trials) == sorted(name for name, _figures in PLANTS)
        for trial in trials:
            calculation = latest(db.session, trial.id)
            assert calculation.result["monte_carlo"]["iterations"] == service.MONTE_CARLO_ITERATIONS
            assert service.deferred_iterations(db.session, trial) == 0
        assert db.session.scalar(select(func.count()).select_from(Job)) == 0


# --- through the pages -----------------------------------------------------------------------------------


def test_a_small_trial_keeps_its_monte_carlo_on_save(login, database, rule_id):
    drafter = login(Role.DRAFTER)
    saved = drafter.post_form(
        f"/drafting/{rule_id}/trials/upload",
        {"file": (io.BytesIO(json.dumps(small_dataset()).encode()), "data.json")},
        content_type="multipart/form-data",
    )
    assert saved.status_code == 302 and saved.headers["Location"].startswith("/trials/")
    with database() as session:
        trial = session.scalars(select(Trial)).one()
        calculation = latest(session, trial.id)
        assert calculation.result["monte_carlo"]["iterations"] == service.MONTE_CARLO_ITERATIONS
        assert "deferred_iterations" not in calculation.options
        assert session.scalar(select(func.count()).select_from(Job)) == 0


def test_a_large_network_saved_through_the_forms_is_drawn_by_a_job(login, database, rule_id):
    drafter = login(Role.DRAFTER)
    saved = drafter.post_form(
        f"/drafting/{rule_id}/trials/upload",
        {"file": (io.BytesIO(json.dumps(network_dataset()).encode()), "data.json")},
        content_type="multipart/form-data",
    )
    assert saved.status_code == 302 and "/jobs/" in saved.headers["Location"]
    job_page = drafter.get(saved.headers["Location"])
    assert "后台计算" in job_page.text  # the flash message says why the page is the job's
    status = drafter.get(saved.headers["Location"] + ".json").json
    assert status["status"] == "done"
    with database() as session:
        trial = session.scalars(select(Trial)).one()
        static, drawn = session.scalars(select(Calculation).order_by(Calculation.id)).all()
        check_static(static)
        check_drawn(drawn, static)
        assert status["result_url"] == f"/trials/{trial.id}?calculation={drawn.id}"
        version = trial.version
    # New data through the JSON form: saved statically at once, the draws again by a job.
    changed = network_dataset()
    changed["lines"][0]["amount"] *= 2
    edited = drafter.post_form(f"/trials/{trial.id}/json", {"dataset": json.dumps(changed), "version": str(version)})
    assert edited.status_code == 302 and "/jobs/" in edited.headers["Location"]
    with database() as session:
        *_earlier, static, drawn = session.scalars(select(Calculation).order_by(Calculation.id)).all()
        assert static.trial_version == drawn.trial_version == version + 1
        check_static(static)
        check_drawn(drawn, static)
    # A static calculation's page says where its Monte Carlo went.
    page = drafter.get(f"/trials/{trial.id}?calculation={static.id}")
    assert "蒙特卡洛模拟（10,000 次）在后台计算" in page.text


def test_when_the_job_limit_refuses_the_draws_the_save_stands_and_says_how_to_start_them(
    app, login, database, rule_id, monkeypatch
):
    monkeypatch.setitem(app.extensions, runners.EXTENSION, Idle(app, "thread"))
    monkeypatch.setitem(app.config, "CALCULATION_LIMIT", 1)
    drafter = login(Role.DRAFTER)
    first = drafter.post_form(
        f"/drafting/{rule_id}/trials/upload",
        {"file": (io.BytesIO(json.dumps(network_dataset("甲集团")).encode()), "data.json")},
        content_type="multipart/form-data",
    )
    assert "/jobs/" in first.headers["Location"]  # queued, and nobody runs it: the limit is reached
    second = drafter.post_form(
        f"/drafting/{rule_id}/trials/upload",
        {"file": (io.BytesIO(json.dumps(network_dataset("乙集团")).encode()), "data.json")},
        content_type="multipart/form-data",
    )
    assert second.status_code == 302 and second.headers["Location"].startswith("/trials/")
    page = drafter.get(second.headers["Location"])
    assert "后台计算未能排队" in page.text and "最多同时 1 项" in page.text and "重新计算" in page.text
    with database() as session:
        trial = session.scalar(select(Trial).where(Trial.enterprise == "乙集团"))
        check_static(latest(session, trial.id))
        assert [job.status for job in session.scalars(select(Job))] == [JobStatus.QUEUED]
    # Through the API: 201 (200 for new data) with the static calculation, and the job refused.
    created = drafter.api("POST", f"/api/v1/rules/{rule_id}/trials", {"dataset": network_dataset("丙集团")})
    assert created.status_code == 201, created.text
    assert created.json["monte_carlo_job"]["job"] is None and "Link" not in created.headers
    assert f"/api/v1/trials/{created.json['id']}/calculations" in created.json["monte_carlo_job"]["message"]
    assert created.json["latest_calculation"]["result"]["monte_carlo"] is None
    with database() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 1


# --- through the API ---------------------------------------------------------------------------------------


def test_a_small_trial_through_the_api_keeps_its_monte_carlo(login, rule_id, validate_response):
    drafter = login(Role.DRAFTER)
    created = drafter.api("POST", f"/api/v1/rules/{rule_id}/trials", {"dataset": small_dataset()})
    assert created.status_code == 201, created.text
    validate_response("/api/v1/rules/{rule_id}/trials", "post", created)
    assert "monte_carlo_job" not in created.json and "Link" not in created.headers
    monte_carlo = created.json["latest_calculation"]["result"]["monte_carlo"]
    assert monte_carlo["iterations"] == service.MONTE_CARLO_ITERATIONS


def test_a_large_network_through_the_api_is_answered_at_once_and_drawn_by_a_job(
    login, database, rule_id, validate_response
):
    drafter = login(Role.DRAFTER)
    created = drafter.api("POST", f"/api/v1/rules/{rule_id}/trials", {"dataset": network_dataset()})
    assert created.status_code == 201, created.text
    validate_response("/api/v1/rules/{rule_id}/trials", "post", created)
    trial_id = created.json["id"]
    assert created.headers["Location"].endswith(f"/api/v1/trials/{trial_id}")
    deferred = created.json["monte_carlo_job"]
    assert deferred["iterations"] == service.MONTE_CARLO_ITERATIONS
    assert created.headers["Link"] == f'<{deferred["job"]["status_url"]}>; rel="monitor"'
    answered = created.json["latest_calculation"]
    assert answered["result"]["monte_carlo"] is None and answered["options"]["iterations"] == 0
    status = drafter.get(deferred["job"]["status_url"]).json
    assert status["status"] == "done"
    with database() as session:
        static, drawn = session.scalars(select(Calculation).order_by(Calculation.id)).all()
        assert static.id == answered["id"]
        check_static(static)
        check_drawn(drawn, static)
        assert status["result_url"] == f"/trials/{trial_id}?calculation={drawn.id}"
    # New data: 200 as before, the static calculation and the job again.
    url = f"/api/v1/trials/{trial_id}/dataset"
    changed = drafter.api("PUT", url, {"dataset": network_dataset(), "version": created.json["version"]})
    assert changed.status_code == 200, changed.text
    validate_response("/api/v1/trials/{trial_id}/dataset", "put", changed)
    assert changed.json["monte_carlo_job"]["job"]["status_url"] in changed.headers["Link"]
    # Back to a small network: the draws are made while saving.
    small = drafter.api("PUT", url, {"dataset": small_dataset(), "version": changed.json["version"]})
    assert "monte_carlo_job" not in small.json and "Link" not in small.headers
    assert small.json["latest_calculation"]["result"]["monte_carlo"]["iterations"] == service.MONTE_CARLO_ITERATIONS
