"""Monte Carlo (`monte_carlo`): the spread of the CFP per unit from the uncertain line amounts and
factors of a prepared `Model`.

PURE: numpy and the standard library; no Flask, no database.

The distributions are those `reading` reads: the static value is a lognormal's median (so the mean
lies above it), a normal's mean, a triangular's mode. A library factor is drawn once per
iteration, whichever lines use it, so those lines vary together.
"""

import math

import numpy as np

from workbench.trials.engine.model import Model

HISTOGRAM_BINS = 30
MONTE_CARLO_CHUNK = 1000  # iterations drawn at once: bounded memory, same numbers for the same seed


def monte_carlo(model: Model, iterations: int = 10_000, seed: int | None = None) -> dict:
    """Monte Carlo statistics of the CFP per unit: each uncertain line amount and factor drawn per
    iteration (a library factor once for all lines that use it), vectorised over iterations in
    chunks. The same seed gives the same numbers; a missing seed is chosen and returned, and the
    static value is returned beside the statistics (with lognormal inputs the mean lies above it)."""
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % 2**63)
    rng = np.random.default_rng(seed)
    lines = [line for line in model.lines if line.counted]
    used = sorted({line.factor for line in lines})
    position = {factor: k for k, factor in enumerate(used)}
    factor_of_line = np.array([position[line.factor] for line in lines], dtype=np.intp)
    raw = np.array([model.factors[k].raw for k in used], float)
    amount_specs = [line.uncertainty for line in lines]
    factor_specs = [model.factors[k].uncertainty for k in used]
    # A lognormal factor used by one line only folds into that line's lognormal (or certain)
    # amount: a product of independent lognormals is lognormal with σ² = σa² + σf². Exact, and
    # about half the draws for datasets whose factors are given inline.
    users = np.bincount(factor_of_line, minlength=len(used))
    for k, line_factor in enumerate(factor_of_line):
        amount_spec, factor_spec = amount_specs[k], factor_specs[line_factor]
        unshared_lognormal = users[line_factor] == 1 and factor_spec and factor_spec[0] == "lognormal"
        if unshared_lognormal and (amount_spec is None or amount_spec[0] == "lognormal"):
            amount_specs[k] = ("lognormal", math.hypot(amount_spec[1] if amount_spec else 0.0, factor_spec[1]))
            factor_specs[line_factor] = None
    # Lines whose factor is certain first: their sum is one matrix product with fixed weights;
    # only the rest need each iteration's factor draws gathered per line.
    order = sorted(range(len(lines)), key=lambda k: factor_specs[factor_of_line[k]] is not None)
    certain = sum(1 for k in order if factor_specs[factor_of_line[k]] is None)
    lines = [lines[k] for k in order]
    amount_specs = [amount_specs[k] for k in order]
    factor_of_line = factor_of_line[order] if lines else factor_of_line
    amount = np.array([line.amount for line in lines], float)
    # kg CO2e per unit for one unit of amount and of raw factor
    weight = np.array([line.coefficient * model.factors[line.factor].scale for line in lines], float)
    fixed = weight[:certain] * raw[factor_of_line[:certain]]
    amount_groups, factor_groups = _groups(amount_specs), _groups(factor_specs)

    totals = np.empty(iterations)
    for start in range(0, iterations, MONTE_CARLO_CHUNK):
        n = min(MONTE_CARLO_CHUNK, iterations - start)
        amounts = _draw(rng, n, amount, amount_groups)
        factors = _draw(rng, n, raw, factor_groups)
        # einsum, not @: these matrix-vector products are too small for BLAS threads, whose
        # spinning workers halved the speed of the random draws on a busy 2-CPU machine.
        totals[start : start + n] = np.einsum("nl,l->n", amounts[:, :certain], fixed)
        if certain < len(lines):
            tail = factors[:, factor_of_line[certain:]]
            totals[start : start + n] += np.einsum("nl,nl,l->n", amounts[:, certain:], tail, weight[certain:])
    static = float(np.dot(amount * weight, raw[factor_of_line])) if lines else 0.0
    p2_5, median, p97_5 = np.percentile(totals, [2.5, 50, 97.5]) if iterations else (math.nan,) * 3
    # The distribution's shape for a chart: 0.5 %–99.5 % in HISTOGRAM_BINS equal bins, so a few
    # extreme draws of a skewed lognormal do not squeeze the rest into one bar.
    counts, edges = (
        np.histogram(totals, bins=HISTOGRAM_BINS, range=tuple(np.percentile(totals, [0.5, 99.5])))
        if iterations > 1 and np.ptp(totals) > 0
        else (np.array([]), np.array([]))
    )
    return {
        "iterations": iterations,
        "seed": seed,
        "static": static,
        "mean": float(totals.mean()) if iterations else math.nan,
        "median": float(median),
        "sd": float(totals.std(ddof=1)) if iterations > 1 else 0.0,
        "p2_5": float(p2_5),
        "p97_5": float(p97_5),
        "histogram": {"edges": edges.tolist(), "counts": counts.tolist()},
    }


def _groups(specs: list[tuple | None]) -> list[tuple]:
    """Uncertain columns grouped by distribution: (kind, columns, parameter arrays …)."""
    groups = []
    for kind in ("lognormal", "normal", "triangular", "uniform"):
        columns = [k for k, spec in enumerate(specs) if spec is not None and spec[0] == kind]
        if columns:
            parameters = [np.array([specs[k][p] for k in columns], float) for p in range(1, len(specs[columns[0]]))]
            groups.append((kind, np.array(columns, int), *parameters))
    return groups


def _draw(rng: np.random.Generator, n: int, static: np.ndarray, groups: list[tuple]) -> np.ndarray:
    """n draws of every column: the static value where certain. In place where possible: at
    10,000 × 1,000 the temporaries cost as much as the draws."""
    if not groups:
        return np.broadcast_to(static, (n, static.size))
    values = np.tile(static, (n, 1))
    for kind, columns, *parameters in groups:
        base = static[columns]
        size = (n, columns.size)
        if kind == "lognormal":
            draw = rng.standard_normal(size)
            draw *= parameters[0]
            np.exp(draw, out=draw)
            draw *= base
        elif kind == "normal":
            draw = rng.standard_normal(size)
            draw *= parameters[0]
            draw += base
        elif kind == "triangular":
            draw = rng.triangular(parameters[0], base, parameters[1], size)
        else:
            draw = rng.uniform(parameters[0], parameters[1], size)
        values[:, columns] = draw
    return values
