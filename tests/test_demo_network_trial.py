"""The demo plant 演示水泥丙 reports its year as a two-process foreground network (熟料烧成 making
clinker, 水泥粉磨 making the cement from it) with uncertain exchanges, so the demo shows Monte Carlo
on the network and which inputs drive its spread. Its static result is the flat dataset's: the
network only adds the exchanges' uncertainty."""

import json

import pytest
from sqlalchemy import select

from workbench import demo
from workbench.db import db
from workbench.drafting import seed as drafting_seed
from workbench.factors.service import Library
from workbench.trials import dataset as trial_dataset
from workbench.trials import engine, seed
from workbench.trials.models import Trial

from .conftest import ADMIN

RULE = json.loads((drafting_seed.EXAMPLES / drafting_seed.CONSULTATION_DRAFT).read_text(encoding="utf-8"))
NETWORK_PLANT = "演示水泥丙有限公司"
SAME = 1e-9
GRID = {"value": 0.5366, "unit": "kgCO2e/kWh", "tier": "government", "source": "演示电网因子"}
LIBRARY = {
    "GRID-DEMO": GRID,
    "GRID-UNCERTAIN": {**GRID, "uncertainty": {"distribution": "lognormal", "gsd": 1.1}},
}
CLINKER_INPUT = "/processes/1/inputs/0"


def figures(enterprise: str) -> dict:
    """The plant's figures in the demo, without the choice of flat or network data."""
    return {key: value for key, value in dict(seed.PLANTS)[enterprise].items() if key != "network"}


def flat_and_network(enterprise: str, grid_code: str | None) -> tuple[dict, dict]:
    plant = {**figures(enterprise), "grid_code": grid_code}
    return seed.cement_plant(enterprise, **plant, network=False), seed.cement_plant(enterprise, **plant, network=True)


@pytest.mark.parametrize("grid_code", [None, "GRID-DEMO", "GRID-UNCERTAIN"])
@pytest.mark.parametrize("enterprise", [name for name, _ in seed.PLANTS])
def test_the_network_gives_the_flat_datasets_static_result(enterprise, grid_code):
    flat, network = flat_and_network(enterprise, grid_code)
    assert trial_dataset.validate(network) == []
    flat_result = engine.calculate(RULE, flat, factor_lookup=LIBRARY.get)
    network_result = engine.calculate(RULE, network, factor_lookup=LIBRARY.get)
    assert network_result.cfp_per_unit == pytest.approx(flat_result.cfp_per_unit, rel=SAME)
    assert network_result.total == pytest.approx(flat_result.total, rel=SAME)
    for breakdown in ("by_stage", "by_category", "by_gas"):
        flat_values, network_values = getattr(flat_result, breakdown), getattr(network_result, breakdown)
        assert network_values.keys() == flat_values.keys()
        assert network_values == {key: pytest.approx(value, rel=SAME) for key, value in flat_values.items()}
    assert [(row["path"], row["kg_co2e_per_unit"]) for row in network_result.contributions] == [
        (row["path"], pytest.approx(row["kg_co2e_per_unit"], rel=SAME)) for row in flat_result.contributions
    ]
    assert flat_result.network is None
    assert {row["process"]: row["scaling"] for row in network_result.network} == {
        seed.CLINKER_BURNING: pytest.approx(1, rel=SAME),
        seed.CEMENT_GRINDING: pytest.approx(1, rel=SAME),
    }


def test_the_plant_reports_clinker_burning_feeding_cement_grinding():
    flat, network = flat_and_network(NETWORK_PLANT, None)
    burning, grinding = network["processes"]
    assert (burning["id"], grinding["id"]) == (seed.CLINKER_BURNING, seed.CEMENT_GRINDING)
    # The reference product is what grinding makes, from the clinker burning makes.
    assert [output["product"] for output in grinding["outputs"]] == [network["reference_flow"]["product"]]
    assert [output["product"] for output in burning["outputs"]] == [seed.CLINKER]
    (clinker_input,) = grinding["inputs"]
    assert clinker_input["product"] == seed.CLINKER
    per_t = clinker_input["amount"] / grinding["outputs"][0]["amount"]
    assert per_t == pytest.approx(figures(NETWORK_PLANT)["clinker"], rel=SAME)  # the clinker per t of cement
    assert clinker_input["uncertainty"] == {"distribution": "lognormal", "gsd": 1.05}
    # Every figure of the flat data is kept; each line belongs to one of the two processes.
    assert [{key: value for key, value in line.items() if key != "process"} for line in network["lines"]] == flat[
        "lines"
    ]
    assert {line["process"] for line in network["lines"]} == {seed.CLINKER_BURNING, seed.CEMENT_GRINDING}
    # 丙 still estimates its waste: the gap the demo shows.
    (waste,) = [line for line in network["lines"] if line["category"] == "waste_treatment"]
    assert waste["data_type"] == "estimated"
    # Only 丙 is a network: 甲's calculation feeds the exchange and declaration demo as flat data.
    assert [name for name, plant in seed.PLANTS if plant.get("network")] == [NETWORK_PLANT]


def test_monte_carlo_draws_the_exchanges_and_names_the_clinker_input_among_the_drivers():
    _, network = flat_and_network(NETWORK_PLANT, None)
    result = engine.calculate(RULE, network)
    stats = engine.monte_carlo(result.model, 4_000, seed=18)
    assert stats["static"] == pytest.approx(result.cfp_per_unit, rel=SAME)
    assert stats["network"] == {"uncertain_exchanges": 3, "fallback_draws": 0, "excluded_draws": 0}
    drivers = {row["path"]: row for row in stats["sensitivity"]["inputs"]}
    assert drivers[CLINKER_INPUT]["kind"] == "exchange" and drivers[CLINKER_INPUT]["rho"] > 0
    # The flat plant's spread comes from the lines alone; the uncertain clinker input widens it.
    flat, _ = flat_and_network(NETWORK_PLANT, None)
    assert engine.monte_carlo(engine.calculate(RULE, flat).model, 4_000, seed=18)["sd"] < stats["sd"]


def test_the_demo_stores_the_network_plants_monte_carlo_with_its_sensitivity(app):
    with app.app_context():
        demo.load_registry(db.session, ADMIN)
        demo.load_factors(db.session, ADMIN)
        demo.load_rules(db.session, ADMIN)
        assert demo.load_trials(db.session, ADMIN) == len(seed.PLANTS)
        db.session.commit()
        trials = {trial.enterprise: trial for trial in db.session.scalars(select(Trial))}
        trial = trials[NETWORK_PLANT]
        calculation = trial.calculations[-1]
        assert calculation.usable
        monte_carlo = calculation.result["monte_carlo"]
        assert monte_carlo["network"] is not None and monte_carlo["network"]["uncertain_exchanges"] == 3
        assert CLINKER_INPUT in [row["path"] for row in monte_carlo["sensitivity"]["inputs"]]
        # The stored result is the flat plant's, calculated the same way with the same library factor.
        grid_code = trial.dataset["lines"][3]["factor"]["id"]
        flat = seed.cement_plant(NETWORK_PLANT, **figures(NETWORK_PLANT), grid_code=grid_code)
        library = Library(db.session)
        flat_result = engine.calculate(trial.revision.document, flat, factor_lookup=library.lookup)
        assert calculation.cfp_per_unit == pytest.approx(flat_result.cfp_per_unit, rel=SAME)
        assert [name for name, other in trials.items() if other.dataset.get("processes")] == [NETWORK_PLANT]
