"""What a trial calculation costs: 1,000 activity lines, 10,000 Monte Carlo iterations, and a
2,000-process foreground network solved by the engine and by bw2calc on the same matrices.

Usage: python benchmarks/bench_engine.py [LINES] [PROCESSES]
Pure computation, no database. Each case runs once to warm up (pint's parsed units and the
conversion caches, numpy), then REPEATS times; the median and the slowest wall-clock times and
the median CPU time are printed in milliseconds (on a shared machine the CPU time is the steadier
figure). The first, cold call is printed too. Before timing, each result is checked against
an independent computation (a plain-Python sum for the lines, a dense or bw2calc solve for the
network), so a wrong answer cannot pass for a fast one.

bw2calc (the Brightway calculator) is a test-only extra; without it the network is compared with
scipy's dense LU solve (scipy.linalg.solve) instead, and the output says so.
"""

import gc
import os
import platform
import statistics
import sys
import time
import warnings
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import scipy.linalg  # noqa: E402
from scipy.sparse.linalg import spsolve  # noqa: E402

from workbench.drafting.cli import read_json_object  # noqa: E402
from workbench.trials import dataset as datasets  # noqa: E402
from workbench.trials import engine  # noqa: E402

LINES = 1_000
PROCESSES = 2_000
ITERATIONS = 10_000
REPEATS = 20
MC_REPEATS = 5
SEED = 2026
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


def independent_sum(data: dict) -> float:
    """The CFP by a plain loop with pint directly, for the check before timing."""
    from workbench.factors import units

    total = 0.0
    for line in data["lines"]:
        spec = LIBRARY[line["factor"]["id"]] if "id" in line["factor"] else line["factor"]
        parsed = units.factor_unit(spec["unit"])
        quantity = units.registry.Quantity(line["amount"], units.activity_unit(line["unit"])).to(parsed.activity)
        kg = units.registry.Quantity(spec["value"], parsed.mass).to("kg").magnitude
        total += quantity.magnitude * kg
    return total / data["reference_flow"]["quantity"]


def network_dataset(size: int, rng: np.random.Generator) -> dict:
    """A near-triangular foreground: each process takes about three upstream products, and one
    in twenty also takes a downstream one (a loop, as recycled scrap)."""
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
                "outputs": [{"product": f"p{j}", "amount": 1.0, "unit": "t"}],
                "inputs": [{"product": f"p{i}", "amount": amount, "unit": "t"} for i, amount in inputs.items()],
            }
        )
        lines.append(
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
    return {"reference_flow": {"quantity": 1, "unit": "t", "product": "p0"}, "processes": processes, "lines": lines}


def matrices(data: dict):
    """(A as COO triples, biosphere emissions per process) straight from the dataset."""
    index = {process["id"]: j for j, process in enumerate(data["processes"])}
    rows, cols, values = [], [], []
    for j, process in enumerate(data["processes"]):
        rows.append(j)
        cols.append(j)
        values.append(process["outputs"][0]["amount"])
        for item in process["inputs"]:
            rows.append(index["P" + item["product"][1:]])
            cols.append(j)
            values.append(-item["amount"])
    emissions = np.array([line["amount"] for line in data["lines"]])
    return np.array(rows), np.array(cols), np.array(values), emissions


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


def bw2calc_solver():
    """(name, function(rows, cols, values, emissions, demand index) -> (score, lca or None)), or
    None without bw2calc."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "pypardiso is not installed": we compare with spsolve anyway
            import bw2calc
            import bw_processing
    except ImportError:
        return None

    def solve(rows, cols, values, emissions, reference):
        offset = 10  # activity and product ids; biosphere flow id 1
        package = bw_processing.create_datapackage()
        package.add_persistent_vector(
            matrix="technosphere_matrix",
            indices_array=np.array(
                list(zip(rows + offset, cols + offset, strict=True)), dtype=bw_processing.INDICES_DTYPE
            ),
            data_array=values,
            flip_array=np.zeros(values.size, bool),
        )
        package.add_persistent_vector(
            matrix="biosphere_matrix",
            indices_array=np.array([(1, j + offset) for j in range(emissions.size)], dtype=bw_processing.INDICES_DTYPE),
            data_array=emissions,
        )
        package.add_persistent_vector(
            matrix="characterization_matrix",
            indices_array=np.array([(1, 1)], dtype=bw_processing.INDICES_DTYPE),
            data_array=np.array([1.0]),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lca = bw2calc.LCA({reference + offset: 1}, data_objs=[package])
            lca.lci()
            lca.lcia()
        return lca.score, lca

    return f"bw2calc {bw2calc.__version__}", solve


def main(lines: int = LINES, processes: int = PROCESSES) -> None:
    rng = np.random.default_rng(SEED)
    rule = read_json_object(RULE_FILE)
    results = {}

    data = lines_dataset(lines, rng)
    assert datasets.validate(data) == []
    started = time.perf_counter()
    outcome = engine.calculate(rule, data, factor_lookup=LIBRARY.get)
    cold = (time.perf_counter() - started) * 1000
    expected = independent_sum(data)
    assert abs(outcome.cfp_per_unit - expected) <= 1e-9 * abs(expected), (outcome.cfp_per_unit, expected)
    results[f"validate, {lines:,} lines (jsonschema)"] = timed(lambda: datasets.validate(data), REPEATS)
    results[f"calculate, {lines:,} lines (cold first call: {cold:.1f} ms)"] = timed(
        lambda: engine.calculate(rule, data, factor_lookup=LIBRARY.get), REPEATS
    )
    stats = engine.monte_carlo(outcome.model, ITERATIONS, SEED)
    assert stats["p2_5"] < stats["median"] < stats["p97_5"]
    results[f"Monte Carlo, {lines:,} lines × {ITERATIONS:,} iterations"] = timed(
        lambda: engine.monte_carlo(outcome.model, ITERATIONS, SEED), MC_REPEATS
    )
    results[f"scenarios (4 calculations), {lines:,} lines"] = timed(
        lambda: engine.compare(rule, data, factor_lookup=LIBRARY.get), MC_REPEATS
    )

    net = network_dataset(processes, rng)
    assert datasets.validate(net) == []
    rows, cols, values, emissions = matrices(net)
    from scipy import sparse

    technosphere = sparse.csc_array((values, (rows, cols)), shape=(processes, processes))
    demand = np.zeros(processes)
    demand[0] = 1.0
    network_score = engine.calculate(rule, net).cfp_per_unit
    results[f"calculate, network of {processes:,} processes (dataset → A, spsolve, C·B·s)"] = timed(
        lambda: engine.calculate(rule, net), REPEATS
    )
    solve_label = f"  engine.solve alone (supply order, spsolve NATURAL; A has {technosphere.nnz:,} non-zeros)"
    results[solve_label] = timed(lambda: engine.solve(technosphere, demand), REPEATS)
    results["  spsolve with its default ordering (COLAMD), for comparison"] = timed(
        lambda: spsolve(technosphere, demand), REPEATS
    )

    comparison = bw2calc_solver()
    if comparison is not None:
        name, solve = comparison
        score, lca = solve(rows, cols, values, emissions, 0)
        label_full = f"{name}: datapackage → LCA.lci() + lcia()"
        results[label_full] = timed(lambda: solve(rows, cols, values, emissions, 0), REPEATS)
        results[f"  {name}: solve_linear_system() alone"] = timed(lca.solve_linear_system, REPEATS)
    else:
        name = "scipy.linalg.solve (dense LU; bw2calc is not installed)"
        dense = technosphere.toarray()
        score = float(emissions @ scipy.linalg.solve(dense, demand))
        label_full = f"{name}"
        results[label_full] = timed(lambda: scipy.linalg.solve(dense, demand), REPEATS)
    assert abs(network_score - score) <= 1e-9 * abs(score), (network_score, score)

    print(f"date: {datetime.now().date()}  {machine()}")
    print(
        f"each case once to warm up, then timed {REPEATS} times ({MC_REPEATS} for Monte Carlo and scenarios); "
        f"load average {os.getloadavg()[0]:.2f}; cpu: median CPU time of this process (all its threads)"
    )
    print(
        f"CFP of the {lines:,}-line dataset: {outcome.cfp_per_unit:.6g} {outcome.unit}, equal to a plain pint loop to 1e-9"
    )
    print(
        f"Monte Carlo: static {stats['static']:.6g}, median {stats['median']:.6g}, mean {stats['mean']:.6g}, "
        f"sd {stats['sd']:.4g}, 95 % [{stats['p2_5']:.6g}, {stats['p97_5']:.6g}] (seed {SEED})"
    )
    print(f"network result {network_score:.9g} kg CO2e/t equals {name} to 1e-9 relative")
    print(f"  {'case':<78} {'median':>10} {'max':>10} {'cpu':>10}")
    for label, timing in results.items():
        print(f"  {label:<78} {timing['median']:>7.2f} ms {timing['max']:>7.2f} ms {timing['cpu']:>7.2f} ms")
    engine_full = results[f"calculate, network of {processes:,} processes (dataset → A, spsolve, C·B·s)"]["median"]
    print(f"ratio engine calculate / {name}: {engine_full / results[label_full]['median']:.2f}")
    if comparison is not None:
        solve_only = results[f"  {name}: solve_linear_system() alone"]["median"]
        print(f"ratio engine.solve / {name} solve_linear_system: {results[solve_label]['median'] / solve_only:.2f}")


if __name__ == "__main__":
    arguments = [int(argument) for argument in sys.argv[1:3]]
    main(*arguments)
