"""What a trial calculation costs, beside Brightway's bw2calc on the same matrices and beside the
bare-numpy limit (the same random draws and the same products with nothing else).

Usage: python benchmarks/bench_engine.py [--quick]
  --quick   the engine's cases and their numpy limits only (no bw2calc, no scipy comparisons,
            no statistics check; the 20,000-process result checked against scipy's splu):
            a minute's look at the engine after a change. The whole run takes about 6 minutes.

Cases, each checked before it is timed so that a wrong answer cannot pass for a fast one:
  a) Monte Carlo with EVERY exchange uncertain on generated foreground networks (near-triangular,
     one process in twenty also takes a downstream product: a loop): lognormal on every process
     output and input and on every line amount; the factors are certain (1 kg CO2/kg). 500
     processes × 10,000 iterations and 5,000 × 1,000. bw2calc runs the same system from
     bw_processing datapackages with uncertainty arrays (lognormal, uncertainty_type 2,
     loc = ln|amount|, scale = σ, flip for the technosphere inputs), `use_distributions=True`
     and `next(lca)` per iteration (what MonteCarloLCA was in bw2calc 1.x), with pypardiso when it
     is importable (bw2calc's own choice) and once more without it (in a child process, as bw2calc
     chooses its solver on import); and IterativeLCA (bw2calc 3.1's Monte Carlo solver: BiCGSTAB
     with a Jacobi preconditioner per draw, the static factorisation as fallback). bw2calc, and a
     scipy per-draw solve, are timed for fewer iterations (at most ANCHOR_SECONDS each) and scaled
     to the engine's count: setup + (time per iteration) × iterations. The speed target is checked
     against bw2calc's Monte Carlo with pypardiso (the issue's anchor); the fastest bw2calc
     configuration measured is printed beside it. The mean and standard deviation of the engine must
     equal each reference's within 3 standard errors. The bare-numpy limit: the same number of
     lognormal draws and one multiply-add per draw, nothing else (`numpy_limit`).
  b) Deterministic: a 20,000-process network solved by engine.solve and by engine.calculate,
     equal to scipy's spsolve (COLAMD) and bw2calc (each timed once: a minute and half a minute
     here, fill-in) to 1e-9 relative. The limit of one solve: one sparse triangular solve of the
     lower triangle (the faster of spsolve_triangular and splu NATURAL).
  c) A flat trial of 1,000 lines (no processes), deterministic, equal to a plain pint loop; the
     limit is the same products as one numpy expression.
Each engine case runs once to warm up, then REPEATS times (MC_REPEATS for Monte Carlo); the median
and slowest wall-clock times and the median CPU time of this process (all its threads) are printed
in milliseconds. Progress goes to stderr as each case is measured; the table comes at the end.

bw2calc is a test extra and pypardiso (with mkl, ~230 MB) a bench extra (`make bench` installs
both); without them the output says so and the comparisons are with scipy.
"""

import argparse
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import scipy  # noqa: E402
from scipy import sparse  # noqa: E402
from scipy.sparse.linalg import splu, spsolve, spsolve_triangular  # noqa: E402

from workbench.drafting.cli import read_json_object  # noqa: E402
from workbench.trials import dataset as datasets  # noqa: E402
from workbench.trials import engine  # noqa: E402

LINES = 1_000
NETWORK = 20_000
# (processes, engine iterations, bw2calc iterations timed at most, target: engine at least this many times faster)
MONTE_CARLO_CASES = ((500, 10_000, 500, 100), (5_000, 1_000, 200, 20))
ANCHOR_SECONDS = 20  # each bw2calc or scipy Monte Carlo stops after this long (at least MIN_ANCHOR_ITERATIONS)
MIN_ANCHOR_ITERATIONS = 20
MONTE_CARLO_TARGET_SECONDS = {500: 0.5}
SIGMA = (0.02, 0.2)  # σ of ln(amount) of every exchange and line, uniform in this range
REPEATS = 20
MC_REPEATS = 5
SEED = 2026
# The limit draws in chunks as the engine does (at most 1,000 iterations and 4 million numbers at once):
# the same memory and cache behaviour.
CHUNK_ITERATIONS, CHUNK_VALUES = 1_000, 4_000_000
OFFSET = 10  # bw2calc ids: activity j and its product are OFFSET + j; the one biosphere flow (CO2) is 1
RULE_FILE = (
    Path(__file__).resolve().parent.parent / "rule_templates" / "cfp-product-rule" / "1.0" / "examples" / "cement.json"
)

# (stage, category, unit, factor unit, factor value range): a cement plant's kinds of lines.
KINDS = [
    ("raw_material_acquisition", "raw_materials", "t", "kgCO2e/kg", (0.001, 2)),
    ("raw_material_acquisition", "raw_materials", "kg", "kgCO2e/t", (1, 500)),
    ("raw_material_acquisition", "transport", "t·km", "kgCO2e/t·km", (0.02, 0.2)),
    ("production", "energy", "kWh", "kgCO2e/kWh", (0.03, 0.9)),
    ("production", "energy", "MWh", "kgCO2e/kWh", (0.03, 0.9)),
    ("production", "energy", "GJ", "kgCO2e/kWh", (0.03, 0.9)),
    ("production", "energy", "m3", "kgCO2/m3", (1.9, 2.3)),
    ("production", "waste_treatment", "t", "kgCO2e/t", (5, 100)),
    ("production", "process_emissions", "t", "tCO2/t", (0.4, 0.6)),
]
LIBRARY = {
    f"LIB-{k:02d}": {
        "value": 0.1 + k / 100,
        "unit": "kgCO2e/kg",
        "tier": "industry",
        "source": "library",
        "uncertainty": {"distribution": "lognormal", "sigma": 0.1},
    }
    for k in range(20)
}


def lines_dataset(size: int, rng: np.random.Generator) -> dict:
    """`size` lines of every kind, half with lognormal amounts, a third with pedigree scores, a
    fifth using shared library factors, the rest inline factors with their own uncertainty."""
    lines = []
    for index in range(size):
        stage, category, unit, factor_unit, (low, high) = KINDS[index % len(KINDS)]
        primary = stage == "production"
        line = {
            "stage": stage,
            "category": category,
            "item": f"项目{index}",
            "amount": float(rng.uniform(1, 1000)),
            "unit": unit,
            "data_type": "primary" if primary else "statistical",
            "source": "生产记录" if primary else "统计年鉴 2023",
        }
        if index % 5 == 0:
            line.update(unit="kg", factor={"id": f"LIB-{index % 20:02d}"})
        else:
            line["factor"] = {
                "value": float(rng.uniform(low, high)),
                "unit": factor_unit,
                "tier": "measured_verified" if primary else "industry",
                "source": "实测" if primary else "行业数据库",
                "uncertainty": {"distribution": "lognormal", "gsd": float(rng.uniform(1.05, 1.5))},
            }
        if index % 2 == 0:
            line["uncertainty"] = {"distribution": "lognormal", "sigma": float(rng.uniform(0.02, 0.2))}
        elif index % 3 == 0:
            line["uncertainty"] = {"pedigree": [int(score) for score in rng.integers(1, 6, 5)]}
        lines.append(line)
    return {
        "enterprise": "基准测试",
        "period": "2024",
        "reference_flow": {"quantity": 1000, "unit": "t"},
        "lines": lines,
    }


def line_conversions(data: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(amounts, unit conversions to the factor's activity unit, factors in kg CO2e per activity
    unit) by pint directly: the plain loop the 1,000-line result is checked against."""
    from workbench.factors import units

    amounts, conversions, factors = [], [], []
    for line in data["lines"]:
        spec = LIBRARY[line["factor"]["id"]] if "id" in line["factor"] else line["factor"]
        parsed = units.factor_unit(spec["unit"])
        amounts.append(line["amount"])
        conversions.append(
            units.registry.Quantity(1.0, units.activity_unit(line["unit"])).to(parsed.activity).magnitude
        )
        factors.append(units.registry.Quantity(spec["value"], parsed.mass).to("kg").magnitude)
    return np.array(amounts), np.array(conversions), np.array(factors)


def network_dataset(size: int, rng: np.random.Generator, sigma: tuple[float, float] | None = None) -> dict:
    """A near-triangular foreground: each process takes about three upstream products, and one
    in twenty also takes a downstream one (a loop, as recycled scrap). With `sigma`, every output,
    input and line amount is lognormal with σ drawn uniformly in that range."""

    def uncertain(entry: dict) -> dict:
        if sigma is not None:
            entry["uncertainty"] = {"distribution": "lognormal", "sigma": round(float(rng.uniform(*sigma)), 4)}
        return entry

    processes, lines = [], []
    for j in range(size):
        inputs = {}
        for i in rng.choice(np.arange(j + 1, size), min(3, size - j - 1), replace=False) if j < size - 1 else []:
            inputs[int(i)] = float(rng.uniform(0.01, 0.3))
        if j > 0 and j % 20 == 0:
            inputs[int(rng.integers(0, j))] = float(rng.uniform(0.01, 0.05))
        processes.append(
            {
                "id": f"P{j}",
                "outputs": [uncertain({"product": f"p{j}", "amount": 1.0, "unit": "t"})],
                "inputs": [
                    uncertain({"product": f"p{i}", "amount": amount, "unit": "t"}) for i, amount in inputs.items()
                ],
            }
        )
        lines.append(
            uncertain(
                {
                    "stage": "production",
                    "category": "process_emissions",
                    "item": f"过程{j}直接排放",
                    "amount": float(rng.uniform(1, 100)),
                    "unit": "kg",
                    "data_type": "primary",
                    "source": "监测",
                    "factor": {"value": 1, "unit": "kgCO2/kg", "tier": "measured_verified", "source": "定义"},
                    "process": f"P{j}",
                }
            )
        )
    return {"reference_flow": {"quantity": 1, "unit": "t", "product": "p0"}, "processes": processes, "lines": lines}


@dataclass
class Network:
    """The matrices of a generated network, straight from the dataset: A = technosphere (signed:
    outputs positive, inputs negative) as COO triples with each entry's σ (0 when certain), and
    each process's emission (B has one row, one line per process) with its σ."""

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    sigmas: np.ndarray
    emissions: np.ndarray
    emission_sigmas: np.ndarray

    @property
    def size(self) -> int:
        return self.emissions.size

    def technosphere(self) -> sparse.csc_array:
        return sparse.csc_array((self.values, (self.rows, self.cols)), shape=(self.size, self.size))

    def demand(self) -> np.ndarray:
        demand = np.zeros(self.size)
        demand[0] = 1.0
        return demand


def matrices(data: dict) -> Network:
    supplier = {output["product"]: j for j, process in enumerate(data["processes"]) for output in process["outputs"]}

    def sigma(entry: dict) -> float:
        return entry.get("uncertainty", {}).get("sigma", 0.0)

    rows, cols, values, sigmas = [], [], [], []
    for j, process in enumerate(data["processes"]):
        for sign, entries in ((1.0, process["outputs"]), (-1.0, process["inputs"])):
            for entry in entries:
                rows.append(supplier[entry["product"]])
                cols.append(j)
                values.append(sign * entry["amount"])
                sigmas.append(sigma(entry))
    emissions = np.array([line["amount"] for line in data["lines"]])
    emission_sigmas = np.array([sigma(line) for line in data["lines"]])
    return Network(np.array(rows), np.array(cols), np.array(values), np.array(sigmas), emissions, emission_sigmas)


def numpy_limit(network: Network, iterations: int, seed: int) -> np.ndarray:
    """The bare-numpy limit of a Monte Carlo of this network: the same count of lognormal draws
    (one per technosphere entry and per line, per iteration: standard_normal, × σ, exp, × median)
    and one multiply-add per draw, in the engine's chunks; nothing else (no solve, no statistics)."""
    rng = np.random.default_rng(seed)
    sigma = np.concatenate([network.sigmas, network.emission_sigmas])
    median = np.abs(np.concatenate([network.values, network.emissions]))
    weight = np.ones(sigma.size)
    totals = np.empty(iterations)
    chunk = max(1, min(CHUNK_ITERATIONS, CHUNK_VALUES // sigma.size))
    for start in range(0, iterations, chunk):
        n = min(chunk, iterations - start)
        draw = rng.standard_normal((n, sigma.size))
        draw *= sigma
        np.exp(draw, out=draw)
        draw *= median
        totals[start : start + n] = np.einsum("nk,k->n", draw, weight)
    return totals


def scipy_monte_carlo(network: Network, iterations: int, seed: int) -> np.ndarray:
    """An independent Monte Carlo: every entry drawn lognormal by numpy, one sparse LU solve
    (scipy's spsolve) per draw, `iterations` draws or fewer when ANCHOR_SECONDS have passed. The
    reference when bw2calc is not installed."""
    rng = np.random.default_rng(seed)
    # CSR, as bw2calc hands it to spsolve: SuperLU then orders A's rows, five times faster here than CSC
    structure = sparse.csr_array((np.arange(1, network.values.size + 1), (network.rows, network.cols)))
    position = structure.data.astype(int) - 1  # the COO entry behind each stored CSR entry
    demand = network.demand()
    scores = []
    started = time.perf_counter()
    while len(scores) < iterations and (
        len(scores) < MIN_ANCHOR_ITERATIONS or time.perf_counter() - started < ANCHOR_SECONDS
    ):
        values = network.values * np.exp(rng.standard_normal(network.values.size) * network.sigmas)
        emissions = network.emissions * np.exp(rng.standard_normal(network.size) * network.emission_sigmas)
        matrix = sparse.csr_array((values[position], structure.indices, structure.indptr), shape=structure.shape)
        scores.append(float(emissions @ spsolve(matrix, demand)))
    return np.array(scores)


# -- bw2calc -------------------------------------------------------------------------------------------


def import_bw2calc(pypardiso: bool = True):
    """(bw2calc, bw_processing) or None; without pypardiso when asked (bw2calc chooses its solver
    when it is first imported, so this must come before any other import of it)."""
    if not pypardiso:
        sys.modules["pypardiso"] = None  # makes `import pypardiso` raise ImportError
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "pypardiso is not installed"
            import bw2calc
            import bw_processing
    except ImportError:
        return None
    return bw2calc, bw_processing


def bw2calc_solver_name(bw2calc) -> str:
    solver = "pypardiso" if bw2calc.PYPARDISO else "UMFPACK" if bw2calc.UMFPACK else "scipy SuperLU"
    return f"bw2calc {bw2calc.__version__} [{solver}]"


def bw2calc_package(network: Network, bw_processing, uncertain: bool):
    """The network as one bw_processing datapackage: technosphere (positive amounts, flipped for
    the inputs), biosphere (one CO2 row) and characterisation (1). With `uncertain`, uncertainty
    arrays: lognormal (type 2, loc = ln|amount|, scale = σ) where σ > 0, else certain (type 0)."""

    def distributions(amounts: np.ndarray, sigmas: np.ndarray) -> np.ndarray:
        array = np.zeros(amounts.size, dtype=bw_processing.UNCERTAINTY_DTYPE)
        lognormal = sigmas > 0
        array["uncertainty_type"] = np.where(lognormal, 2, 0)
        array["loc"] = np.where(lognormal, np.log(np.abs(amounts)), np.abs(amounts))
        array["scale"] = np.where(lognormal, sigmas, np.nan)
        array["shape"] = array["minimum"] = array["maximum"] = np.nan
        return array

    def indices(rows, cols) -> np.ndarray:
        return np.array(list(zip(rows, cols, strict=True)), dtype=bw_processing.INDICES_DTYPE)

    package = bw_processing.create_datapackage()
    package.add_persistent_vector(
        matrix="technosphere_matrix",
        indices_array=indices(network.rows + OFFSET, network.cols + OFFSET),
        data_array=np.abs(network.values),
        flip_array=network.values < 0,
        **({"distributions_array": distributions(network.values, network.sigmas)} if uncertain else {}),
    )
    package.add_persistent_vector(
        matrix="biosphere_matrix",
        indices_array=indices(np.ones(network.size, int), np.arange(network.size) + OFFSET),
        data_array=network.emissions,
        **({"distributions_array": distributions(network.emissions, network.emission_sigmas)} if uncertain else {}),
    )
    package.add_persistent_vector(
        matrix="characterization_matrix",
        indices_array=indices([1], [1]),
        data_array=np.array([1.0]),
    )
    return package


def bw2calc_monte_carlo(
    bw2calc, bw_processing, network: Network, iterations: int, seed: int, kind: str = "LCA"
) -> dict:
    """bw2calc's Monte Carlo of the network: `kind`(demand, data_objs, use_distributions=True),
    lci() and lcia() (the first draw), then next() per draw, `iterations` draws or fewer when
    ANCHOR_SECONDS have passed. Setup (datapackage, load, first draw) and the per-iteration time
    are measured apart, wall-clock and CPU."""
    gc.collect()
    started, started_cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = getattr(bw2calc, kind)(
            {OFFSET: 1},
            data_objs=[bw2calc_package(network, bw_processing, uncertain=True)],
            use_distributions=True,
            seed_override=seed,
        )
        lca.lci()
        lca.lcia()
        scores = [lca.score]
        setup, setup_cpu = time.perf_counter() - started, time.process_time() - started_cpu
        started, started_cpu = time.perf_counter(), time.process_time()
        while len(scores) < iterations and (
            len(scores) < MIN_ANCHOR_ITERATIONS or time.perf_counter() - started < ANCHOR_SECONDS
        ):
            next(lca)
            scores.append(lca.score)
    per_iteration = (time.perf_counter() - started) / (len(scores) - 1)
    per_iteration_cpu = (time.process_time() - started_cpu) / (len(scores) - 1)
    return {
        "setup": setup,
        "setup_cpu": setup_cpu,
        "per_iteration": per_iteration,
        "per_iteration_cpu": per_iteration_cpu,
        "scores": scores,
    }


def bw2calc_static(bw2calc, bw_processing, network: Network):
    """(score, supply array, lca) of the deterministic network by bw2calc: datapackage → lci + lcia."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = bw2calc.LCA({OFFSET: 1}, data_objs=[bw2calc_package(network, bw_processing, uncertain=False)])
        lca.lci()
        lca.lcia()
    order = np.array([lca.dicts.activity[OFFSET + j] for j in range(network.size)])
    return lca.score, lca.supply_array[order], lca


def bw2calc_worker(processes: int, iterations: int, pypardiso: bool, kind: str) -> None:
    """Run in a child process: bw2calc's Monte Carlo of case `processes`, as JSON on stdout (how
    bw2calc without pypardiso is measured while this process has it imported)."""
    modules = import_bw2calc(pypardiso)
    if modules is None:
        print(json.dumps(None))
        return
    network = matrices(monte_carlo_dataset(processes))
    run = bw2calc_monte_carlo(*modules, network, iterations, SEED, kind)
    print(json.dumps({**run, "name": bw2calc_solver_name(modules[0])}))


def bw2calc_in_child(
    processes: int, iterations: int, pypardiso: bool, kind: str = "LCA", environment: dict | None = None
) -> dict | None:
    command = [sys.executable, __file__, "--bw2calc-worker", str(processes), str(iterations), kind]
    if not pypardiso:
        command.append("--without-pypardiso")
    completed = subprocess.run(
        command, capture_output=True, text=True, check=True, env={**os.environ, **(environment or {})}
    )
    return json.loads(completed.stdout.splitlines()[-1])


# -- measuring -----------------------------------------------------------------------------------------


def monte_carlo_dataset(processes: int) -> dict:
    return network_dataset(processes, np.random.default_rng([SEED, processes]), SIGMA)


def timed(function, repeats: int) -> dict:
    function()  # warm up
    gc.collect()
    timings, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return {"median": statistics.median(timings), "max": max(timings), "cpu": statistics.median(cpu)}


def timed_once(function) -> tuple:
    """(result, timing) of one call, no warm-up: for the references that take seconds or minutes."""
    gc.collect()
    started, started_cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, once((time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000)


def once(milliseconds: float, cpu: float) -> dict:
    return {"median": milliseconds, "max": milliseconds, "cpu": cpu}


def standard_errors(scores: np.ndarray) -> tuple[float, float]:
    """(standard error of the mean, of the standard deviation) of a sample; the latter from the
    sample's fourth moment, not the normal approximation (the results are skewed)."""
    n = scores.size
    sd = scores.std(ddof=1)
    kurtosis = np.mean((scores - scores.mean()) ** 4) / sd**4
    return sd / math.sqrt(n), sd * math.sqrt(max(kurtosis - (n - 3) / (n - 1), 0.0) / (4 * n))


def agreement(engine_scores: np.ndarray, other: np.ndarray) -> tuple[float, float]:
    """How many standard errors (combined) apart the two samples' means and standard deviations are."""
    (engine_mean_error, engine_sd_error), (other_mean_error, other_sd_error) = map(
        standard_errors, (engine_scores, other)
    )
    mean_gap = abs(engine_scores.mean() - other.mean()) / math.hypot(engine_mean_error, other_mean_error)
    sd_gap = abs(engine_scores.std(ddof=1) - other.std(ddof=1)) / math.hypot(engine_sd_error, other_sd_error)
    return mean_gap, sd_gap


def threads() -> str:
    """The thread settings that change bw2calc's (MKL's) and numpy's speed, as set in the environment."""
    names = ("MKL_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")
    return ", ".join(f"{name}={os.environ.get(name, 'unset')}" for name in names)


def machine() -> str:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        cpuinfo = []
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    return (
        f"machine: {platform.machine()}{', ' + model if model else ''}, {os.cpu_count()} CPUs, "
        f"{platform.platform()}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}"
    )


def load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


class Report:
    """The table of timings, with notes printed under it."""

    def __init__(self):
        self.rows: list[tuple[str, dict | None]] = []
        self.notes: list[str] = []

    def row(self, label: str, timing: dict | None = None) -> dict | None:
        self.rows.append((label, timing))
        progress = label if timing is None else f"{label}: {timing['median']:.1f} ms"
        print(f"[{time.strftime('%H:%M:%S')}] {progress}", file=sys.stderr, flush=True)
        return timing

    def print(self) -> None:
        print(f"  {'case':<96} {'median':>10} {'max':>10} {'cpu':>10}")
        for label, timing in self.rows:
            if timing is None:
                print(f"{label}")
            else:
                print(f"  {label:<96} {timing['median']:>7.1f} ms {timing['max']:>7.1f} ms {timing['cpu']:>7.1f} ms")
        for note in self.notes:
            print(note)


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


# -- the cases -----------------------------------------------------------------------------------------


def monte_carlo_case(report: Report, rule: dict, case: tuple, modules, quick: bool) -> None:
    processes, iterations, anchor_iterations, target_ratio = case
    data = monte_carlo_dataset(processes)
    assert datasets.validate(data) == [], datasets.validate(data)[:3]
    network = matrices(data)
    uncertain = int(np.count_nonzero(network.sigmas) + np.count_nonzero(network.emission_sigmas))
    report.row(
        f"a) Monte Carlo, {processes:,} processes × {iterations:,} iterations: {network.values.size:,} technosphere "
        f"entries + {network.size:,} lines, {uncertain:,} lognormal (factors certain)"
    )
    result = engine.calculate(rule, data)
    stats = engine.monte_carlo(result.model, iterations, SEED, sensitivity=False)
    assert stats["p2_5"] < stats["median"] < stats["p97_5"], stats
    engine_scores = engine.sample(result.model, iterations, SEED).totals
    assert abs(engine_scores.mean() - stats["mean"]) <= 1e-9 * abs(stats["mean"]), (engine_scores.mean(), stats)

    references = []  # (name, scores) the engine's statistics are checked against
    anchors = []  # (label, timing scaled to `iterations`)
    if not quick:
        if modules is not None:
            bw2calc, bw_processing = modules
            name = bw2calc_solver_name(bw2calc)
            runs = [(f"{name} LCA(use_distributions) + next()", "LCA", None)]
            runs.append((f"{name} IterativeLCA(use_distributions) + next()", "IterativeLCA", None))
            if bw2calc.PYPARDISO:
                child = bw2calc_in_child(processes, anchor_iterations, pypardiso=False)
                runs.append((f"{child['name']} LCA(use_distributions) + next(), in a child process", "LCA", child))
                # On a shared 2-CPU machine MKL's second thread can cost more than it gives.
                single = {"MKL_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
                child = bw2calc_in_child(processes, anchor_iterations, True, "IterativeLCA", single)
                runs.append((f"{child['name']} IterativeLCA, one MKL thread, in a child process", "", child))
            for label, kind, run in runs:
                if run is None:
                    run = bw2calc_monte_carlo(bw2calc, bw_processing, network, anchor_iterations, SEED, kind)
                scaled = run["setup"] + run["per_iteration"] * iterations
                scaled_cpu = run["setup_cpu"] + run["per_iteration_cpu"] * iterations
                anchors.append(
                    (
                        label,
                        report.row(
                            f"  {label}: {len(run['scores'])} timed once, → {iterations:,}",
                            once(scaled * 1000, scaled_cpu * 1000),
                        ),
                    )
                )
                references.append((label, np.array(run["scores"])))
        started, started_cpu = time.perf_counter(), time.process_time()
        scipy_scores = scipy_monte_carlo(network, anchor_iterations, SEED)
        per_draw = (time.perf_counter() - started) / scipy_scores.size
        per_draw_cpu = (time.process_time() - started_cpu) / scipy_scores.size
        label = "scipy per-draw spsolve (numpy draws, one sparse LU per draw)"
        anchors.append(
            (
                label,
                report.row(
                    f"  {label}: {scipy_scores.size} timed once, → {iterations:,}",
                    once(per_draw * iterations * 1000, per_draw_cpu * iterations * 1000),
                ),
            )
        )
        references.append((label, scipy_scores))
        for name, scores in references:
            mean_gap, sd_gap = agreement(engine_scores, scores)
            report.notes.append(
                f"  check {processes:,}: engine mean {engine_scores.mean():.6g} sd {engine_scores.std(ddof=1):.4g} "
                f"({iterations:,} draws) vs {name}: mean {scores.mean():.6g} sd {scores.std(ddof=1):.4g} "
                f"({scores.size} draws): {mean_gap:.2f} and {sd_gap:.2f} standard errors apart"
            )
            assert mean_gap < 3 and sd_gap < 3, (name, mean_gap, sd_gap)

    engine_timing = report.row(
        "  engine.monte_carlo(sensitivity=False)",
        timed(lambda: engine.monte_carlo(result.model, iterations, SEED, sensitivity=False), MC_REPEATS),
    )
    sensitivity_timing = report.row(
        "  engine.monte_carlo(sensitivity=True), for its cost, once",
        timed_once(lambda: engine.monte_carlo(result.model, iterations, SEED, sensitivity=True))[1],
    )
    limit_timing = report.row(
        f"  bare-numpy limit: {uncertain:,} lognormal draws and multiply-adds per iteration",
        timed(lambda: numpy_limit(network, iterations, SEED), MC_REPEATS),
    )
    network_note = stats.get("network")
    report.notes.append(
        f"  {processes:,} × {iterations:,}: engine mean {stats['mean']:.6g}, sd {stats['sd']:.4g}, static "
        f"{stats['static']:.6g}; network {network_note}; sensitivity costs "
        f"{sensitivity_timing['median'] - engine_timing['median']:.1f} ms more; "
        f"engine / numpy limit {engine_timing['median'] / limit_timing['median']:.2f}"
    )
    seconds_target = MONTE_CARLO_TARGET_SECONDS.get(processes)
    if seconds_target is not None:
        report.notes.append(
            f"  {processes:,} × {iterations:,}: target under {seconds_target} s: "
            f"{verdict(engine_timing['median'] < seconds_target * 1000)} ({engine_timing['median'] / 1000:.3f} s)"
        )
    for label, anchor in anchors:
        report.notes.append(
            f"  {processes:,} × {iterations:,}: engine {anchor['median'] / engine_timing['median']:,.1f}× faster than "
            f"{label} (the numpy limit {anchor['median'] / limit_timing['median']:,.1f}×)"
        )
    bw2calc_anchors = [(label, anchor) for label, anchor in anchors if label.startswith("bw2calc")]
    if bw2calc_anchors:
        # The target is against bw2calc's Monte Carlo (what MonteCarloLCA was: LCA with
        # distributions, a new factorisation per draw) in its best configuration, with pypardiso;
        # the fastest configuration measured (IterativeLCA may be) is printed beside it.
        label, anchor = bw2calc_anchors[0]
        ratio = anchor["median"] / engine_timing["median"]
        report.notes.append(
            f"  {processes:,} × {iterations:,}: target ≥{target_ratio}× faster than bw2calc's Monte Carlo ({label}): "
            f"{verdict(ratio >= target_ratio)} ({ratio:,.1f}×)"
        )
        label, anchor = min(bw2calc_anchors, key=lambda item: item[1]["median"])
        report.notes.append(
            f"  {processes:,} × {iterations:,}: the fastest bw2calc configuration measured ({label}): engine "
            f"{anchor['median'] / engine_timing['median']:,.1f}× faster, the numpy limit "
            f"{anchor['median'] / limit_timing['median']:,.1f}×"
        )


def network_case(report: Report, rule: dict, modules, quick: bool) -> None:
    data = network_dataset(NETWORK, np.random.default_rng([SEED, NETWORK]))
    assert datasets.validate(data) == []
    network = matrices(data)
    technosphere, demand = network.technosphere(), network.demand()
    lower = sparse.tril(technosphere, format="csr")
    report.row(
        f"b) Deterministic network of {NETWORK:,} processes: A has {technosphere.nnz:,} non-zeros, "
        f"{technosphere.nnz - lower.nnz:,} loop entries above the diagonal"
    )
    score = engine.calculate(rule, data).cfp_per_unit
    scaling = engine.solve(technosphere, demand)
    # The references, each timed once (no warm-up): they take seconds to minutes here.
    references = []  # (name, scaling, timing)
    if quick:
        solved, timing = timed_once(lambda: splu(technosphere, permc_spec="NATURAL").solve(demand))
        references.append(("scipy splu (NATURAL ordering)", solved, timing))
    else:
        solved, timing = timed_once(lambda: spsolve(technosphere, demand))
        references.append(("scipy spsolve, default ordering (COLAMD)", solved, timing))
        if modules is not None:
            (_, solved, lca), timing = timed_once(lambda: bw2calc_static(*modules, network))
            references.append((f"{bw2calc_solver_name(modules[0])}: datapackage → LCA.lci() + lcia()", solved, timing))
    for name, solved, _ in references:
        reference_score = float(network.emissions @ solved)
        assert abs(score - reference_score) <= 1e-9 * abs(reference_score), (name, score, reference_score)
        scaling_gap = np.abs(scaling - solved).max() / np.abs(solved).max()
        assert scaling_gap <= 1e-9, (name, scaling_gap)
        report.notes.append(
            f"  {NETWORK:,} processes: result {score:.9g} kg CO2e/t equals {name} to 1e-9 relative "
            f"(scaling: largest difference {scaling_gap:.1e} of the largest)"
        )
    solve_timing = report.row("  engine.solve(A, f)", timed(lambda: engine.solve(technosphere, demand), REPEATS))
    calculate_timing = report.row(
        "  engine.calculate (dataset → model → A, solve, C·B·s)", timed(lambda: engine.calculate(rule, data), REPEATS)
    )
    # The limit of one solve: one sparse triangular substitution of the lower triangle (in this
    # generator's numbering the suppliers come after their users, so the lower triangle is the
    # near-triangular part and no reordering is needed) — the faster of scipy's two.
    lower_csc = lower.tocsc()
    limits = {
        "spsolve_triangular(tril(A))": timed(lambda: spsolve_triangular(lower, demand, lower=True), REPEATS),
        "splu(tril(A), NATURAL) + solve": timed(
            lambda: splu(lower_csc, permc_spec="NATURAL", diag_pivot_thresh=0).solve(demand), REPEATS
        ),
    }
    limit_name = min(limits, key=lambda name: limits[name]["median"])
    for name, timing in limits.items():
        report.row(f"  limit candidate: {name}{' (the limit)' if name == limit_name else ''}", timing)
    limit = limits[limit_name]
    for name, _, timing in references:
        report.row(f"  {name}, once", timing)
    if not quick and modules is not None:
        report.row(
            f"  {bw2calc_solver_name(modules[0])}: solve_linear_system() again, same matrix (pypardiso keeps its factors)",
            timed(lca.solve_linear_system, REPEATS),
        )
    report.notes.append(
        f"  {NETWORK:,} processes: target engine.solve under 200 ms: {verdict(solve_timing['median'] < 200)} "
        f"({solve_timing['median']:.1f} ms; engine.calculate {calculate_timing['median']:.0f} ms); "
        f"engine.solve / limit ({limit_name}) {solve_timing['median'] / limit['median']:.1f}"
    )
    for name, _, timing in references:
        report.notes.append(
            f"  {NETWORK:,} processes: {name} / engine.solve {timing['median'] / solve_timing['median']:,.0f}, "
            f"/ engine.calculate {timing['median'] / calculate_timing['median']:,.2f}"
        )


def lines_case(report: Report, rule: dict, quick: bool) -> None:
    data = lines_dataset(LINES, np.random.default_rng([SEED, LINES]))
    assert datasets.validate(data) == []
    report.row(f"c) Flat trial of {LINES:,} lines, no processes")
    started = time.perf_counter()
    outcome = engine.calculate(rule, data, factor_lookup=LIBRARY.get)
    cold = (time.perf_counter() - started) * 1000
    amounts, conversions, factors = line_conversions(data)
    quantity = data["reference_flow"]["quantity"]

    def limit() -> float:
        return float((amounts * conversions) @ factors) / quantity

    expected = limit()
    assert abs(outcome.cfp_per_unit - expected) <= 1e-9 * abs(expected), (outcome.cfp_per_unit, expected)
    calculate_timing = report.row(
        f"  engine.calculate (cold first call {cold:.1f} ms)",
        timed(lambda: engine.calculate(rule, data, factor_lookup=LIBRARY.get), REPEATS),
    )
    thousand = report.row(
        "  numpy limit: (amounts × unit conversions) @ factors / n, one expression, 1,000 times",
        timed(lambda: [limit() for _ in range(1000)], REPEATS),  # a thousand at a time: timer resolution
    )
    limit_timing = {key: value / 1000 for key, value in thousand.items()}
    if not quick:
        report.row("  dataset.validate (jsonschema)", timed(lambda: datasets.validate(data), REPEATS))
        stats = engine.monte_carlo(outcome.model, 10_000, SEED, sensitivity=False)
        report.row(
            "  engine.monte_carlo, 10,000 iterations (sensitivity=False)",
            timed(lambda: engine.monte_carlo(outcome.model, 10_000, SEED, sensitivity=False), MC_REPEATS),
        )
        report.row(
            "  engine.compare (4 scenarios)",
            timed(lambda: engine.compare(rule, data, factor_lookup=LIBRARY.get), MC_REPEATS),
        )
        report.notes.append(
            f"  {LINES:,} lines Monte Carlo: static {stats['static']:.6g}, mean {stats['mean']:.6g}, "
            f"sd {stats['sd']:.4g}, 95 % [{stats['p2_5']:.6g}, {stats['p97_5']:.6g}]"
        )
    report.notes.append(
        f"  {LINES:,} lines: CFP {outcome.cfp_per_unit:.6g} {outcome.unit} equals a plain pint loop to 1e-9; "
        f"target under 10 ms: {verdict(calculate_timing['median'] < 10)}; engine / numpy limit "
        f"{calculate_timing['median'] / limit_timing['median']:,.0f} (limit {limit_timing['median'] * 1000:.1f} µs)"
    )


def main(quick: bool = False) -> None:
    print(f"date: {datetime.now().isoformat(timespec='minutes')}  {machine()}")
    print(f"at the start: {load()}")
    print(f"threads: {threads()}; the engine's Monte Carlo runs its chunks on up to min(4, CPUs) threads")
    modules = None if quick else import_bw2calc()
    if quick:
        print("--quick: the engine's cases and their numpy limits only")
    elif modules is None:
        print("bw2calc is not installed: the comparisons are with scipy (spsolve per draw, spsolve COLAMD)")
    else:
        print(
            f"anchor: {bw2calc_solver_name(modules[0])}"
            + ("" if modules[0].PYPARDISO else " (pypardiso not installed)")
        )
    rule = read_json_object(RULE_FILE)
    report = Report()
    for case in MONTE_CARLO_CASES:
        monte_carlo_case(report, rule, case, modules, quick)
    network_case(report, rule, modules, quick)
    lines_case(report, rule, quick)
    print(
        f"engine cases: once to warm up, then timed {REPEATS} times ({MC_REPEATS} for Monte Carlo); bw2calc and "
        "scipy per-draw Monte Carlo: timed once for fewer iterations, setup + per-iteration time × iterations; "
        "cpu: CPU time of this process, all threads"
    )
    report.print()
    print(f"at the end: {load()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the engine's cases and their numpy limits only")
    parser.add_argument(
        "--bw2calc-worker", nargs=3, metavar=("PROCESSES", "ITERATIONS", "KIND"), help=argparse.SUPPRESS
    )
    parser.add_argument("--without-pypardiso", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.bw2calc_worker:
        processes, iterations, kind = arguments.bw2calc_worker
        bw2calc_worker(int(processes), int(iterations), not arguments.without_pypardiso, kind)
    else:
        main(arguments.quick)
