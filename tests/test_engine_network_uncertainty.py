"""Issue 18's acceptance: uncertainty on every process exchange, solved per draw; sensitivity; the
deterministic solve of large and ill-conditioned networks.

Written against the contract, apart from the engine's implementation. Every expected value is
computed here independently: the network's matrices straight from the dataset this file builds,
dense numpy or per-draw scipy.sparse.linalg.spsolve solves of the engine's own draws
(`engine.sample`), bw2calc's Monte Carlo on a datapackage built from the same dataset, and the
statistical tolerances from the samples themselves.

The rule is the cement example (cradle-to-gate: raw material acquisition and production inside
the boundary, end of life outside). Every line's factor is 1 kg CO2/kg and certain, so a line's
emission is its amount in kg and the CFP per tonne of the reference product is emissions · s.
"""

import json
import math
import warnings
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import sparse, stats
from scipy.sparse.linalg import MatrixRankWarning, spsolve

from workbench.trials import dataset as datasets
from workbench.trials import engine

from .conftest import PROJECT_ROOT

RULE_FILE = PROJECT_ROOT / "rule_templates" / "cfp-product-rule" / "1.0" / "examples" / "cement.json"
RULE = json.loads(RULE_FILE.read_text(encoding="utf-8"))
EXACT = 1e-9
ITERATIONS = 10_000
SEED = 1818
BW2CALC_ITERATIONS = 3_000  # about 5 s; the engine's 10,000 draws make the other sample


# --- building datasets and their matrices ------------------------------------------------------------


def lognormal(sigma: float, as_gsd: bool = False) -> dict:
    """A lognormal uncertainty, given by σ or (the same thing) by its geometric standard deviation."""
    if as_gsd:
        return {"distribution": "lognormal", "gsd": math.exp(sigma)}
    return {"distribution": "lognormal", "sigma": sigma}


def emission_line(process: str | None, amount: float, sigma: float | None, item: str, **more) -> dict:
    entry = {
        "stage": "production",
        "category": "process_emissions",
        "item": item,
        "amount": amount,
        "unit": "kg",
        "data_type": "primary",
        "source": "监测",
        "factor": {"value": 1, "unit": "kgCO2/kg", "tier": "measured_verified", "source": "定义"},
        **more,
    }
    if process is not None:
        entry["process"] = process
    if sigma is not None:
        entry["uncertainty"] = lognormal(sigma)
    return entry


@dataclass
class Network:
    """What the dataset says, as matrices: A's entries (signed, in the supplying output's unit) with
    each one's σ (0 when certain), one emission per process with its σ, and the demand."""

    data: dict
    rows: np.ndarray
    cols: np.ndarray
    amounts: np.ndarray
    sigmas: np.ndarray
    emissions: np.ndarray
    emission_sigmas: np.ndarray

    @property
    def size(self) -> int:
        return self.emissions.size

    @property
    def demand(self) -> np.ndarray:
        demand = np.zeros(self.size)
        demand[0] = 1.0
        return demand

    def dense(self) -> np.ndarray:
        matrix = np.zeros((self.size, self.size))
        np.add.at(matrix, (self.rows, self.cols), self.amounts)
        return matrix

    def static_result(self) -> float:
        return float(self.emissions @ np.linalg.solve(self.dense(), self.demand))


def build_network(processes: list[dict], lines: list[dict]) -> Network:
    """The dataset (1 t of p0, the first process's product) and its matrices. Every process has one
    output in t; an input given in kg counts a thousandth of a tonne of its supplier's output."""
    column = {process["outputs"][0]["product"]: j for j, process in enumerate(processes)}
    rows, cols, amounts, sigmas = [], [], [], []

    def sigma_of(exchange: dict) -> float:
        spec = exchange.get("uncertainty")
        if spec is None:
            return 0.0
        return spec["sigma"] if "sigma" in spec else math.log(spec["gsd"])

    for j, process in enumerate(processes):
        output = process["outputs"][0]
        rows.append(j)
        cols.append(j)
        amounts.append(output["amount"])
        sigmas.append(sigma_of(output))
        for item in process["inputs"]:
            rows.append(column[item["product"]])
            cols.append(j)
            amounts.append(-item["amount"] * {"t": 1.0, "kg": 0.001}[item["unit"]])
            sigmas.append(sigma_of(item))
    emissions = np.zeros(len(processes))
    emission_sigmas = np.zeros(len(processes))
    for entry in lines:
        if entry["stage"] == "production" and not entry.get("excluded"):
            k = int(entry["process"][1:])
            emissions[k] += entry["amount"]
            emission_sigmas[k] = entry.get("uncertainty", {}).get("sigma", 0.0)
    data = {"reference_flow": {"quantity": 1, "unit": "t", "product": "p0"}, "processes": processes, "lines": lines}
    return Network(
        data, np.array(rows), np.array(cols), np.array(amounts), np.array(sigmas), emissions, emission_sigmas
    )


def process(j: int, output: float, inputs: dict[int, float], output_sigma=None, input_sigmas=None, kg=()) -> dict:
    """Process Pj making `output` t of pj from {supplier: t}; inputs listed in `kg` are given in kg."""
    input_sigmas = input_sigmas or {}
    made = {"product": f"p{j}", "amount": output, "unit": "t"}
    if output_sigma is not None:
        made["uncertainty"] = lognormal(output_sigma)
    taken = []
    for supplier, amount in inputs.items():
        item = {"product": f"p{supplier}", "amount": amount, "unit": "t"}
        if supplier in kg:
            item.update(amount=amount * 1000, unit="kg")
        if input_sigmas.get(supplier) is not None:
            item["uncertainty"] = lognormal(input_sigmas[supplier])
        taken.append(item)
    return {"id": f"P{j}", "outputs": [made], "inputs": taken}


def looped_foreground(size: int, rng: np.random.Generator, uncertain: bool = True) -> Network:
    """A near-triangular foreground with loops: each process takes up to three upstream products,
    one in ten also a downstream product (recycled scrap), processes 12 ↔ 13 and 30 ↔ 31 (where the
    network is large enough) supply each other, process 20 takes some of its own product. With
    `uncertain`, every output, input and line amount is lognormal with σ in 0.05–0.3, some given as
    a geometric standard deviation; one input in five is given in kg."""

    def sigma() -> float | None:
        return float(rng.uniform(0.05, 0.3)) if uncertain else None

    processes, lines = [], []
    for j in range(size):
        inputs: dict[int, float] = {}
        upstream = np.arange(j + 1, size)
        for supplier in rng.choice(upstream, min(3, upstream.size), replace=False):
            inputs[int(supplier)] = float(rng.uniform(0.05, 0.4))
        if j % 10 == 7:
            inputs[int(rng.integers(0, j))] = float(rng.uniform(0.02, 0.08))
        for a, b in ((12, 13), (30, 31)):
            if j in (a, b) and b < size:
                inputs[b if j == a else a] = float(rng.uniform(0.1, 0.3))
        if j == 20:
            inputs[20] = 0.03
        kg = {supplier for supplier in inputs if rng.random() < 0.2}
        entry = process(j, float(rng.uniform(0.8, 1.5)), inputs, sigma(), {s: sigma() for s in inputs}, kg)
        if uncertain:  # a few exchanges give their σ as a geometric standard deviation
            for item in [*entry["inputs"], *entry["outputs"]]:
                if rng.random() < 0.2:
                    item["uncertainty"] = lognormal(item["uncertainty"]["sigma"], as_gsd=True)
        processes.append(entry)
        lines.append(emission_line(f"P{j}", float(rng.uniform(1, 100)), sigma(), f"过程{j}直接排放"))
    return build_network(processes, lines)


def model_of(data: dict) -> engine.Model:
    assert datasets.validate(data) == []
    return engine.calculate(RULE, data).model


# --- independent computations ------------------------------------------------------------------------


def per_draw_totals(sample) -> tuple[np.ndarray, np.ndarray]:
    """(totals, solved): for each draw d, A_d from the sample's entries solved by spsolve and
    total_d = line_values[:, d] · (lines_matrix · s_d); solved is False where A_d is singular."""
    size = sample.demand.size
    iterations = sample.technosphere.shape[1]
    lines_matrix = sparse.csr_array(sample.lines_matrix)
    totals = np.full(iterations, np.nan)
    solved = np.zeros(iterations, bool)
    for d in range(iterations):
        matrix = sparse.csc_array((sample.technosphere[:, d], (sample.rows, sample.cols)), shape=(size, size))
        with warnings.catch_warnings():
            warnings.simplefilter("error", MatrixRankWarning)
            try:
                scaling = np.atleast_1d(spsolve(matrix, sample.demand))
            except (MatrixRankWarning, RuntimeError):
                continue
        if np.all(np.isfinite(scaling)):
            solved[d] = True
            totals[d] = sample.line_values[:, d] @ (lines_matrix @ scaling)
    return totals, solved


def relative_difference(actual, expected) -> float:
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    return float(np.max(np.abs(actual - expected)) / np.max(np.abs(expected)))


def sd_standard_error(values: np.ndarray) -> float:
    """Standard error of the sample standard deviation from the fourth central moment:
    Var(s²) ≈ (m4 − s⁴(n−3)/(n−1))/n and SE(s) ≈ √Var(s²) / 2s."""
    n = values.size
    sd = values.std(ddof=1)
    m4 = np.mean((values - values.mean()) ** 4)
    return math.sqrt((m4 - sd**4 * (n - 3) / (n - 1)) / n) / (2 * sd)


def bw2calc_scores(network: Network, iterations: int, seed: int) -> np.ndarray:
    """bw2calc's Monte Carlo of the same network: stats_arrays lognormals (type 2, loc = ln|amount|,
    scale = σ) on every technosphere entry (inputs stored positive with flip) and on one biosphere
    flow per process, each characterised by 1."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "pypardiso is not installed"
        import bw2calc
        import bw_processing

    def lognormals(amounts, sigmas) -> np.ndarray:
        distributions = np.zeros(len(amounts), dtype=bw_processing.UNCERTAINTY_DTYPE)
        distributions["uncertainty_type"] = np.where(np.asarray(sigmas) > 0, 2, 0)
        distributions["loc"] = np.where(np.asarray(sigmas) > 0, np.log(np.abs(amounts)), np.abs(amounts))
        distributions["scale"] = sigmas
        distributions["shape"] = distributions["minimum"] = distributions["maximum"] = np.nan
        distributions["negative"] = False
        return distributions

    activity = 100  # activity and product j have id 100 + j; biosphere flow j has 10,000 + j
    package = bw_processing.create_datapackage()
    package.add_persistent_vector(
        matrix="technosphere_matrix",
        indices_array=np.array(
            list(zip(network.rows + activity, network.cols + activity, strict=True)), dtype=bw_processing.INDICES_DTYPE
        ),
        data_array=np.abs(network.amounts),
        flip_array=network.amounts < 0,
        distributions_array=lognormals(network.amounts, network.sigmas),
    )
    flows = np.arange(network.size) + 10_000
    package.add_persistent_vector(
        matrix="biosphere_matrix",
        indices_array=np.array(
            list(zip(flows, np.arange(network.size) + activity, strict=True)), dtype=bw_processing.INDICES_DTYPE
        ),
        data_array=network.emissions,
        distributions_array=lognormals(network.emissions, network.emission_sigmas),
    )
    package.add_persistent_vector(
        matrix="characterization_matrix",
        indices_array=np.array([(flow, 1) for flow in flows], dtype=bw_processing.INDICES_DTYPE),
        data_array=np.ones(network.size),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = bw2calc.LCA({activity: 1}, data_objs=[package], use_distributions=True, seed_override=seed)
        lca.lci()
        lca.lcia()
        scores = [lca.score]
        for _ in range(iterations - 1):
            next(lca)
            scores.append(lca.score)
    return np.array(scores)


# --- 1 and 2: every exchange of a 50-process network with loops is lognormal -----------------------------


@pytest.fixture(scope="module")
def loops():
    network = looped_foreground(50, np.random.default_rng(18))
    model = model_of(network.data)
    return network, model, engine.monte_carlo(model, ITERATIONS, SEED), engine.sample(model, ITERATIONS, SEED)


def test_the_network_is_built_as_the_acceptance_asks(loops):
    network, *_ = loops
    dense = network.dense()
    gain = np.abs(np.linalg.eigvals(np.eye(network.size) - dense / np.diag(dense)[None, :]))
    assert network.size == 50
    assert np.all(network.sigmas >= 0.05) and np.all(network.sigmas <= 0.3)
    assert np.all(network.emission_sigmas >= 0.05) and np.all(network.emission_sigmas <= 0.3)
    assert np.count_nonzero(np.triu(dense, 1)) >= 5  # loop entries above the diagonal
    assert dense[12, 13] < 0 and dense[13, 12] < 0  # a two-process cycle
    assert 0 < gain.max() < 1  # loops, and the network has a positive solution


def test_every_exchange_lognormal_equals_a_per_draw_sparse_solve(loops):
    network, model, result, sample = loops
    assert result["iterations"] == ITERATIONS and result["seed"] == SEED
    # the static value is a dense solve of the dataset's own matrices
    assert result["static"] == pytest.approx(network.static_result(), rel=EXACT)
    assert engine.calculate(RULE, network.data).cfp_per_unit == pytest.approx(network.static_result(), rel=EXACT)
    assert result["network"] == {
        "uncertain_exchanges": network.amounts.size,  # every output and input, the self-input included
        "fallback_draws": 0,  # loop gains below 0.52 in every draw: the iteration converges for all
        "excluded_draws": 0,
    }

    # every exchange and every line amount is drawn, with the dataset's medians and σ (compared where
    # one exchange alone makes the entry: the engine may add P20's output and its own input in one)
    assert sample.technosphere.shape == (sample.rows.size, ITERATIONS)
    drawn = np.ptp(sample.technosphere, axis=1) > 0
    assert set(zip(sample.rows[drawn].tolist(), sample.cols[drawn].tolist(), strict=True)) == set(
        zip(network.rows.tolist(), network.cols.tolist(), strict=True)
    )
    positions = list(zip(network.rows.tolist(), network.cols.tolist(), strict=True))
    alone = np.array([positions.count(position) == 1 for position in positions])
    drawn_positions = list(zip(sample.rows.tolist(), sample.cols.tolist(), strict=True))
    drawn_alone = drawn & np.array(
        [position in positions and positions.count(position) == 1 for position in drawn_positions]
    )
    assert np.count_nonzero(drawn_alone) == np.count_nonzero(alone)
    log_draws = np.log(np.abs(sample.technosphere[drawn_alone]))
    assert np.sort(log_draws.std(axis=1)) == pytest.approx(np.sort(network.sigmas[alone]), abs=0.01)
    medians = np.exp(np.median(log_draws, axis=1))
    assert np.sort(medians) == pytest.approx(np.sort(np.abs(network.amounts[alone])), rel=0.02)
    varying_lines = np.ptp(sample.line_values, axis=1) > 0
    assert np.count_nonzero(varying_lines) == network.size
    line_sigmas = np.log(sample.line_values[varying_lines]).std(axis=1)
    assert np.sort(line_sigmas) == pytest.approx(np.sort(network.emission_sigmas), abs=0.01)

    # the same draws, solved one by one
    totals, solved = per_draw_totals(sample)
    assert solved.all()
    assert relative_difference(sample.totals, totals) <= EXACT
    assert result["mean"] == pytest.approx(totals.mean(), rel=EXACT)
    assert result["sd"] == pytest.approx(totals.std(ddof=1), rel=EXACT)
    assert result["median"] == pytest.approx(np.median(totals), rel=EXACT)
    assert [result["p2_5"], result["p97_5"]] == pytest.approx(np.percentile(totals, [2.5, 97.5]), rel=EXACT)
    # the spread of the network itself: far wider than the lines' alone would give (the issue's 12 %)
    fixed = sample.line_values.T @ (
        sparse.csr_array(sample.lines_matrix) @ np.linalg.solve(network.dense(), network.demand)
    )
    assert result["sd"] > 1.5 * fixed.std(ddof=1)


def test_every_exchange_lognormal_equals_bw2calc_within_three_standard_errors(loops):
    network, _, result, sample = loops
    ours = sample.totals
    assert result["mean"] == pytest.approx(ours.mean(), rel=EXACT)
    theirs = bw2calc_scores(network, BW2CALC_ITERATIONS, seed=SEED)
    assert theirs.size == BW2CALC_ITERATIONS and np.ptp(theirs) > 0
    mean_error = math.hypot(ours.std(ddof=1) / math.sqrt(ours.size), theirs.std(ddof=1) / math.sqrt(theirs.size))
    sd_error = math.hypot(sd_standard_error(ours), sd_standard_error(theirs))
    mean_gap = (result["mean"] - theirs.mean()) / mean_error
    sd_gap = (result["sd"] - theirs.std(ddof=1)) / sd_error
    assert abs(mean_gap) < 3, (result["mean"], theirs.mean(), mean_error)
    assert abs(sd_gap) < 3, (result["sd"], theirs.std(ddof=1), sd_error)


# --- 3: sensitivity ------------------------------------------------------------------------------------


def check_shares(sensitivity: dict, iterations: int) -> None:
    assert sensitivity["method"] == "spearman_squared"
    assert sensitivity["draws"] == min(2_000, iterations)
    assert len(sensitivity["inputs"]) <= 10 and sensitivity["count"] >= len(sensitivity["inputs"])
    shares = [entry["share"] for entry in sensitivity["inputs"]]
    assert shares == sorted(shares, reverse=True)
    assert all(0 <= share <= 100 for share in shares) and sensitivity["others"] >= 0
    assert sum(shares) + sensitivity["others"] == pytest.approx(100, abs=1e-9)


def spearman(draws: np.ndarray, sample, sensitivity: dict) -> float:
    """ρ of an input's draws with the result over the first draws the sensitivity used."""
    used = sensitivity["draws"]
    return float(stats.spearmanr(draws[:used], sample.totals[:used]).statistic)


def entry_draws(sample, row: int, col: int) -> np.ndarray:
    """The draws of the one technosphere entry at (row, col), as the exchange's amount (positive)."""
    (k,) = np.flatnonzero((sample.rows == row) & (sample.cols == col))
    return np.abs(sample.technosphere[k])


def noise_share_limit(draws: int) -> float:
    """The largest share (percent) an input unrelated to the result gets by chance, when the summed ρ²
    is about 1: its ρ is about normal with sd 1/√draws, so ρ² < 16/draws at four sd."""
    return 100 * 16 / draws


def test_sensitivity_ranks_a_dominant_line_amount_first_and_ignores_lines_not_counted():
    lines = [emission_line(None, 100.0, 0.02, f"物料{k}") for k in range(5)]
    lines[2]["uncertainty"] = lognormal(0.8)
    # would dominate everything if it were counted: outside the boundary, and excluded under cut-off
    outside = emission_line(None, 1000.0, 1.0, "废弃处置", stage="end_of_life", category="waste_treatment")
    excluded = emission_line(None, 1.0, 1.0, "助剂", excluded=True, justification="低于 1 %")
    data = {"reference_flow": {"quantity": 1, "unit": "t"}, "lines": [*lines, outside, excluded]}
    model = model_of(data)
    result = engine.monte_carlo(model, 5_000, seed=3)
    sensitivity = result["sensitivity"]
    check_shares(sensitivity, 5_000)
    first = sensitivity["inputs"][0]
    assert (first["path"], first["kind"], first["label"]) == ("/lines/2", "amount", "物料2")
    assert (first["stage"], first["category"]) == ("production", "process_emissions")
    assert first["share"] > 80 and first["rho"] > 0.9
    assert result["network"] is None
    for entry in sensitivity["inputs"]:
        if entry["path"] in ("/lines/5", "/lines/6"):
            assert entry["share"] < noise_share_limit(sensitivity["draws"]), entry
    assert result["static"] == pytest.approx(500.0, rel=EXACT)
    # ρ is the rank correlation of the line's own draws (the counted lines' rows) with the result
    sample = engine.sample(model, 5_000, 3)
    assert first["rho"] == pytest.approx(spearman(sample.line_values[2], sample, sensitivity), rel=EXACT)


@pytest.mark.parametrize(
    ("path", "sign"),
    [("/processes/0/inputs/0", 1), ("/processes/1/outputs/0", -1)],
    ids=["an input: more of it, more emissions", "an output: more of it, less per unit"],
)
def test_sensitivity_ranks_a_dominant_exchange_first_with_the_sign_of_its_effect(path, sign):
    # P0 takes 0.5 t of p1 and 0.5 t of p2; P1 and P2 each emit 100 kg per t: 10 + 50 + 50 kg
    sigmas = {"/processes/0/inputs/0": 0.02, "/processes/1/outputs/0": 0.02, path: 0.8}
    processes = [
        process(0, 1.0, {1: 0.5, 2: 0.5}, 0.02, {1: sigmas["/processes/0/inputs/0"], 2: 0.02}),
        process(1, 1.0, {}, sigmas["/processes/1/outputs/0"]),
        process(2, 1.0, {}, 0.02),
    ]
    lines = [emission_line(f"P{j}", amount, 0.02, f"过程{j}") for j, amount in enumerate((10.0, 100.0, 100.0))]
    network = build_network(processes, lines)
    model = model_of(network.data)
    result = engine.monte_carlo(model, 5_000, seed=4)
    assert result["static"] == pytest.approx(110.0, rel=EXACT)
    sensitivity = result["sensitivity"]
    check_shares(sensitivity, 5_000)
    assert sensitivity["count"] == 8  # three outputs, two inputs, three line amounts
    first = sensitivity["inputs"][0]
    assert (first["path"], first["kind"], first["stage"], first["category"]) == (path, "exchange", None, None)
    assert ("P0" if sign > 0 else "P1") in first["label"] and "p1" in first["label"]
    assert first["share"] > 80
    assert first["rho"] * sign > 0.9
    sample = engine.sample(model, 5_000, 4)
    drawn = entry_draws(sample, 1, 0) if sign > 0 else entry_draws(sample, 1, 1)
    assert first["rho"] == pytest.approx(spearman(drawn, sample, sensitivity), rel=EXACT)


def equal_share_tolerance(draws: int, replications: int = 300) -> float:
    """Four standard deviations of the first of two equal inputs' share (percent), simulated: two
    independent lognormals of σ 0.3 added, `draws` at a time, shares from squared Spearman ρ."""
    rng = np.random.default_rng(99)
    shares = []
    for _ in range(replications):
        inputs = np.exp(0.3 * rng.standard_normal((2, draws)))
        total = inputs.sum(axis=0)
        rho = np.array([stats.spearmanr(row, total).statistic for row in inputs])
        shares.append(100 * rho[0] ** 2 / np.sum(rho**2))
    return 4 * float(np.std(shares))


def test_sensitivity_gives_two_equal_inputs_equal_shares():
    # P0's line (100 kg, σ 0.3) and P0's input of p1 (1 t, σ 0.3; P1 emits 100 kg per t, certain)
    processes = [process(0, 1.0, {1: 1.0}, None, {1: 0.3}), process(1, 1.0, {})]
    lines = [emission_line("P0", 100.0, 0.3, "过程0"), emission_line("P1", 100.0, None, "过程1")]
    network = build_network(processes, lines)
    model = model_of(network.data)
    result = engine.monte_carlo(model, 5_000, seed=5)
    sensitivity = result["sensitivity"]
    check_shares(sensitivity, 5_000)
    assert sensitivity["count"] == 2 and sensitivity["others"] == pytest.approx(0, abs=1e-9)
    shares = {entry["path"]: entry["share"] for entry in sensitivity["inputs"]}
    assert set(shares) == {"/lines/0", "/processes/0/inputs/0"}
    tolerance = equal_share_tolerance(sensitivity["draws"])
    assert shares["/lines/0"] == pytest.approx(50, abs=tolerance)
    assert shares["/processes/0/inputs/0"] == pytest.approx(50, abs=tolerance)
    assert all(entry["rho"] > 0.5 for entry in sensitivity["inputs"])
    sample = engine.sample(model, 5_000, 5)
    rho = {entry["path"]: entry["rho"] for entry in sensitivity["inputs"]}
    assert rho["/lines/0"] == pytest.approx(spearman(sample.line_values[0], sample, sensitivity), rel=EXACT)
    exchange = spearman(entry_draws(sample, 1, 0), sample, sensitivity)
    assert rho["/processes/0/inputs/0"] == pytest.approx(exchange, rel=EXACT)


# --- 4: the deterministic solve --------------------------------------------------------------------------


def sparse_network(size: int, rng: np.random.Generator) -> sparse.csc_array:
    """A as bench_engine's network_dataset: about three upstream inputs per process, one process in
    twenty also takes a downstream product (a loop), outputs 1."""
    rows, cols, values = list(range(size)), list(range(size)), [1.0] * size
    for j in range(size):
        upstream = np.arange(j + 1, size)
        for supplier in rng.choice(upstream, min(3, upstream.size), replace=False):
            rows.append(int(supplier))
            cols.append(j)
            values.append(-float(rng.uniform(0.01, 0.3)))
        if j > 0 and j % 20 == 0:
            rows.append(int(rng.integers(0, j)))
            cols.append(j)
            values.append(-float(rng.uniform(0.01, 0.05)))
    return sparse.csc_array((values, (rows, cols)), shape=(size, size))


def test_solve_of_a_few_thousand_processes_with_loops_equals_spsolve():
    size = 3_000
    rng = np.random.default_rng(2026)
    matrix = sparse_network(size, rng)
    assert sparse.triu(matrix, 1).nnz > 100  # loops: entries above the diagonal
    for demand in (np.eye(size)[0], rng.uniform(0, 1, size)):
        expected = spsolve(matrix, demand)
        scaling = engine.solve(matrix, demand)
        assert relative_difference(scaling, expected) <= EXACT
        assert np.linalg.norm(matrix @ scaling - demand) <= EXACT * np.linalg.norm(demand)


@pytest.mark.parametrize("gain", [0.9999, 1 - 1e-6, 1.5], ids=["gain 0.9999", "gain 1 − 1e-6", "gain 1.5"])
def test_solve_of_a_loop_with_a_high_gain_is_right(gain):
    # a 200-process chain in which processes 50 and 51 supply each other with a·b = gain
    size = 200
    rng = np.random.default_rng(int(gain * 1000))
    matrix = sparse_network(size, rng).tolil()
    matrix[50, 51], matrix[51, 50] = -1.0, -gain
    matrix = sparse.csc_array(matrix)
    demand = np.eye(size)[0]
    expected = np.linalg.solve(matrix.toarray(), demand)
    assert relative_difference(engine.solve(matrix, demand), expected) <= EXACT
    # the cycle alone: s = (1, b) / (1 − a·b)
    pair = sparse.csc_array(np.array([[1.0, -1.0], [-gain, 1.0]]))
    assert engine.solve(pair, np.array([1.0, 0.0])) == pytest.approx(np.array([1, gain]) / (1 - gain), rel=1e-6)


def test_a_loop_with_a_high_gain_in_a_dataset_is_calculated():
    processes = [process(0, 1.0, {1: 0.999}), process(1, 1.0, {0: 0.999})]
    lines = [emission_line("P0", 1.0, None, "过程0"), emission_line("P1", 2.0, None, "过程1")]
    network = build_network(processes, lines)
    assert engine.calculate(RULE, network.data).cfp_per_unit == pytest.approx(network.static_result(), rel=EXACT)
    assert network.static_result() == pytest.approx((1 + 2 * 0.999) / (1 - 0.999**2), rel=EXACT)


def test_a_singular_network_raises_and_is_reported_as_network_invalid():
    pair = sparse.csc_array(np.array([[1.0, -1.0], [-1.0, 1.0]]))
    with pytest.raises(ValueError):
        engine.solve(pair, np.array([1.0, 0.0]))
    # in a larger network, P40 and P41 each take all the other makes, and P0 takes some p40
    larger = sparse_network(100, np.random.default_rng(1)).tolil()
    larger[:, 40] = 0
    larger[:, 41] = 0
    larger[40, 40], larger[41, 40], larger[41, 41], larger[40, 41] = 1.0, -1.0, 1.0, -1.0
    larger[40, 0] = -0.1
    assert np.linalg.matrix_rank(larger.toarray()) < 100
    with pytest.raises(ValueError):
        engine.solve(sparse.csc_array(larger), np.eye(100)[0])

    processes = [process(0, 1.0, {1: 1.0}), process(1, 1.0, {0: 1.0})]
    network = build_network(processes, [emission_line("P0", 1.0, None, "过程0")])
    with pytest.raises(engine.DatasetError) as raised:
        engine.calculate(RULE, network.data)
    assert [problem.code for problem in raised.value.problems] == ["network_invalid"]


# --- 5: draws whose loop gain exceeds 1 ----------------------------------------------------------------------


def test_draws_whose_loop_gain_exceeds_one_are_solved_directly_and_equal_spsolve():
    # P0 ← P1 ← P2 ⇄ P3 ← P4 …: the cycle P2 ⇄ P3 has gain 0.9 × 0.95 with σ 0.25 on both, so
    # about a third of the draws have a gain above 1 (then a plain iteration diverges)
    size = 8
    processes = []
    for j in range(size):
        inputs = {j + 1: 0.3} if j + 1 < size else {}
        sigmas = {j + 1: 0.05}
        if j == 2:
            inputs[3], sigmas[3] = 0.9, 0.25
        if j == 3:
            inputs[2], sigmas[2] = 0.95, 0.25
        processes.append(process(j, 1.0, inputs, 0.05, sigmas))
    lines = [emission_line(f"P{j}", 10.0 * (j + 1), 0.1, f"过程{j}") for j in range(size)]
    network = build_network(processes, lines)
    model = model_of(network.data)
    iterations = 2_000
    result = engine.monte_carlo(model, iterations, seed=6)
    sample = engine.sample(model, iterations, 6)

    # how many draws have a gain above 1, from the drawn entries themselves
    entry = {(int(r), int(c)): k for k, (r, c) in enumerate(zip(sample.rows, sample.cols, strict=True))}
    cycle = sample.technosphere[[entry[3, 2], entry[2, 3]]].prod(axis=0)
    outputs = sample.technosphere[[entry[2, 2], entry[3, 3]]].prod(axis=0)
    above = int(np.count_nonzero(cycle / outputs > 1))
    assert above > iterations / 10

    totals, solved = per_draw_totals(sample)
    assert result["network"]["fallback_draws"] > 0, (result["network"], above)
    assert result["network"]["excluded_draws"] == np.count_nonzero(~solved)
    assert relative_difference(sample.totals[solved], totals[solved]) <= EXACT
    assert result["mean"] == pytest.approx(totals[solved].mean(), rel=EXACT)
    assert result["sd"] == pytest.approx(totals[solved].std(ddof=1), rel=EXACT)
    assert result["median"] == pytest.approx(np.median(totals[solved]), rel=EXACT)


# --- 6: reproducibility, sensitivity off, no exchange uncertainty ------------------------------------------------


@pytest.fixture(scope="module")
def small():
    network = looped_foreground(15, np.random.default_rng(6))
    return network, model_of(network.data)


def test_the_same_seed_gives_the_same_numbers(small):
    _, model = small
    first = engine.monte_carlo(model, 2_000, seed=21)
    assert engine.monte_carlo(model, 2_000, seed=21) == first
    assert engine.monte_carlo(model, 2_000, seed=22)["mean"] != first["mean"]
    chosen = engine.monte_carlo(model, 500)
    assert engine.monte_carlo(model, 500, seed=chosen["seed"]) == chosen
    assert np.array_equal(engine.sample(model, 2_000, 21).totals, engine.sample(model, 2_000, 21).totals)
    assert engine.sample(model, 2_000, 21).totals.mean() == pytest.approx(first["mean"], rel=1e-12)


def test_without_sensitivity_the_statistics_are_the_same(small):
    _, model = small
    with_sensitivity = engine.monte_carlo(model, 2_000, seed=23)
    without = engine.monte_carlo(model, 2_000, seed=23, sensitivity=False)
    assert without["sensitivity"] is None and with_sensitivity["sensitivity"] is not None
    assert {key: value for key, value in without.items() if key != "sensitivity"} == {
        key: value for key, value in with_sensitivity.items() if key != "sensitivity"
    }


def test_processes_without_exchange_uncertainty_scale_the_lines_by_the_static_network():
    rng = np.random.default_rng(7)
    network = looped_foreground(15, rng, uncertain=False)
    for entry in network.data["lines"]:
        entry["uncertainty"] = lognormal(float(rng.uniform(0.05, 0.3)))
    model = model_of(network.data)
    result = engine.monte_carlo(model, 5_000, seed=24)
    assert result["network"] is None
    scaling = np.linalg.solve(network.dense(), network.demand)
    assert result["static"] == pytest.approx(network.emissions @ scaling, rel=EXACT)
    sample = engine.sample(model, 5_000, 24)
    expected = sample.line_values.T @ (sparse.csr_array(sample.lines_matrix) @ scaling)
    assert relative_difference(sample.totals, expected) <= EXACT
    assert result["mean"] == pytest.approx(expected.mean(), rel=EXACT)
    assert result["sd"] == pytest.approx(expected.std(ddof=1), rel=EXACT)
    assert {entry["kind"] for entry in result["sensitivity"]["inputs"]} == {"amount"}

    # as before this issue: the same as the lines alone, each amount times its process's scaling
    flat = {
        "reference_flow": {"quantity": 1, "unit": "t"},
        "lines": [
            {**{key: value for key, value in entry.items() if key != "process"}, "amount": entry["amount"] * scaling[j]}
            for j, entry in enumerate(network.data["lines"])
        ],
    }
    alone = engine.monte_carlo(model_of(flat), 5_000, seed=24)
    for key in ("static", "mean", "sd", "median", "p2_5", "p97_5"):
        assert result[key] == pytest.approx(alone[key], rel=EXACT), key
