"""Monte Carlo (`monte_carlo`): the spread of the CFP per unit from every uncertain line amount,
factor and process exchange of a prepared `Model`, and which of them drive it (`sensitivity`).

PURE: numpy, scipy and the standard library; no Flask, no database.

The distributions are those `reading` reads: the static value is a lognormal's median (so the mean
lies above it), a normal's mean, a triangular's mode. A library factor is drawn once per
iteration, whichever lines use it, so those lines vary together. An exchange of the foreground
network (a process's input or output, `model.Technosphere`) is drawn like a line amount, and the
network is solved again for every draw: all draws of a chunk at once, by substitution along the
supply order (`substitution.Substitution`); a draw whose loops do not converge is solved alone.

Decisions worth knowing:
- Draws come in chunks of at most MAX_CHUNK iterations (fewer for large models, so a chunk holds
  about CHUNK_VALUES numbers). Chunk k draws from its own stream, spawned from the seed, in a fixed
  order (exchanges, amounts, factors): the same seed gives the same numbers whatever the number of
  threads, and the chunks run on `workers` threads (numpy releases the GIL while it draws).
- Sensitivity: the squared Spearman rank correlation of each uncertain input with the result,
  normalised to 100 % (the "contribution to variance" of Crystal Ball and the LCA tools), each
  square less 1/(n−1), what independent draws give by chance, and the sum likewise: with
  thousands of inputs the chance squares would otherwise add up to more than the inputs that
  matter, and plain normalisation would hand a large share to whichever of a thousand equal
  inputs chance favoured. `below_noise` counts the inputs left at zero. It is computed on the
  first SENSITIVITY_DRAWS draws (fewer when a model has so many inputs that SENSITIVITY_VALUES
  numbers would be exceeded): a rank correlation from 2,000 draws is within about ±0.02, enough
  to rank the inputs. A line's amount and its own (unshared) lognormal factor
  are drawn as one lognormal (σ² = σa² + σf², exact, half the draws), so they are one input.
- A draw for which the network has no solution (singular A) is left out of the statistics and
  counted in `network.excluded_draws`; `excluded_draws` counts every draw left out, also those
  whose figures overflowed (a σ of hundreds).
"""

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from workbench.trials.engine.model import Model
from workbench.trials.engine.substitution import Substitution, solve

HISTOGRAM_BINS = 30
MAX_CHUNK = 1000  # iterations drawn at once
CHUNK_VALUES = 8_000_000  # numbers drawn per chunk at most (64 MB; the chunk holds about twice that)
SENSITIVITY_DRAWS = 2000
SENSITIVITY_VALUES = 10_000_000  # input draws kept for ranking at most (80 MB)
SENSITIVITY_TOP = 10
SENSITIVITY_METHOD = "spearman_squared"
RANK_BLOCK = 1000  # inputs ranked at once
SENSITIVITY_MIN_SHARE = 0.1  # percent: smaller shares are not listed (they stay in `others`)


@dataclass
class Sample:
    """The draws `monte_carlo` makes, as arrays (for tests and for checking by hand): the
    technosphere's entries per draw (entries × iterations) at rows/cols, the demand, the lines'
    matrix (lines × columns: unit ratio × allocation share / reference units, the identity's first
    column for a dataset without processes), the lines' values per draw (amount × factor, in kg
    CO2e per activity unit) and the totals: total_d = line_values[:, d] · (lines_matrix · s_d)."""

    rows: np.ndarray
    cols: np.ndarray
    technosphere: np.ndarray
    demand: np.ndarray
    lines_matrix: sparse.csr_array
    line_values: np.ndarray
    totals: np.ndarray


def monte_carlo(
    model: Model,
    iterations: int = 10_000,
    seed: int | None = None,
    *,
    sensitivity: bool = True,
    workers: int | None = None,
) -> dict:
    """Monte Carlo statistics of the CFP per unit (see the module's docstring). The same seed
    gives the same numbers; a missing seed is chosen and returned, and the static value is
    returned beside the statistics (with lognormal inputs the mean lies above it)."""
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % 2**63)
    plan = _Plan(model)
    chunks = plan.chunks(iterations)
    kept = _sensitivity_draws(plan, iterations) if sensitivity else 0
    streams = np.random.SeedSequence(seed).spawn(len(chunks))
    workers = workers or min(4, os.cpu_count() or 1)

    def run(k: int):
        start, size = chunks[k]
        return plan.run(np.random.default_rng(streams[k]), size, keep=max(0, min(size, kept - start)))

    if workers > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(workers) as pool:
            outcomes = list(pool.map(run, range(len(chunks))))
    else:
        outcomes = [run(k) for k in range(len(chunks))]
    totals = np.concatenate([outcome.totals for outcome in outcomes]) if outcomes else np.empty(0)
    solved = np.isfinite(totals)
    result = _statistics(totals[solved], iterations, seed, plan.static)
    result["excluded_draws"] = int((~solved).sum())  # no solution of the network, or an overflow
    result["network"] = (
        {
            "uncertain_exchanges": plan.uncertain_exchanges,
            "fallback_draws": sum(outcome.fallback for outcome in outcomes),
            "excluded_draws": sum(outcome.unsolved for outcome in outcomes),
        }
        if plan.network_uncertain
        else None
    )
    result["sensitivity"] = None
    if kept and plan.inputs:
        inputs = np.concatenate([outcome.inputs for outcome in outcomes if outcome.inputs is not None], axis=1)
        result["sensitivity"] = _sensitivity(plan, inputs, totals[: inputs.shape[1]])
    return result


def sample(model: Model, iterations: int, seed: int) -> Sample:
    """The same draws `monte_carlo(model, iterations, seed)` makes, kept whole (memory grows with
    iterations × entries: for tests and small models)."""
    plan = _Plan(model)
    chunks = plan.chunks(iterations) or [(0, 0)]
    streams = np.random.SeedSequence(seed).spawn(len(chunks))
    outcomes = [plan.run(np.random.default_rng(streams[k]), size, whole=True) for k, (_, size) in enumerate(chunks)]
    network = model.technosphere
    return Sample(
        rows=network.rows if network else np.zeros(1, np.intp),
        cols=network.columns if network else np.zeros(1, np.intp),
        technosphere=np.concatenate([outcome.technosphere for outcome in outcomes], axis=1),
        demand=network.demand if network else np.ones(1),
        lines_matrix=plan.lines_matrix,
        line_values=np.concatenate([outcome.line_values for outcome in outcomes], axis=1),
        totals=np.concatenate([outcome.totals for outcome in outcomes]),
    )


@dataclass
class _Outcome:
    totals: np.ndarray
    fallback: int = 0
    unsolved: int = 0  # draws for which the network has no solution
    inputs: np.ndarray | None = None  # the uncertain inputs' first draws, for the sensitivity
    technosphere: np.ndarray | None = None  # whole draws, for `sample`
    line_values: np.ndarray | None = None


class _Plan:
    """What is drawn and how it adds up, prepared once per model. Arrays are inputs × draws."""

    def __init__(self, model: Model):
        lines = [line for line in model.lines if line.counted]
        used = sorted({line.factor for line in lines})
        position = {factor: k for k, factor in enumerate(used)}
        self.lines = lines
        self.factors = [model.factors[k] for k in used]
        self.factor_of_line = np.array([position[line.factor] for line in lines], dtype=np.intp)
        self.raw = np.array([factor.raw for factor in self.factors], float)
        amount_specs = [line.uncertainty for line in lines]
        factor_specs = [factor.uncertainty for factor in self.factors]
        # A lognormal factor used by one line only folds into that line's lognormal (or certain)
        # amount: a product of independent lognormals is lognormal with σ² = σa² + σf². Exact, and
        # about half the draws for datasets whose factors are given inline.
        users = np.bincount(self.factor_of_line, minlength=len(used))
        self.folded = [False] * len(lines)
        for k, line_factor in enumerate(self.factor_of_line):
            amount_spec, factor_spec = amount_specs[k], factor_specs[line_factor]
            unshared_lognormal = users[line_factor] == 1 and factor_spec and factor_spec[0] == "lognormal"
            if unshared_lognormal and (amount_spec is None or amount_spec[0] == "lognormal"):
                amount_specs[k] = ("lognormal", math.hypot(amount_spec[1] if amount_spec else 0.0, factor_spec[1]))
                factor_specs[line_factor] = None
                self.folded[k] = True
        self.amount = np.array([line.amount for line in lines], float)
        self.amount_groups, self.factor_groups = _groups(amount_specs), _groups(factor_specs)
        self.amount_specs, self.factor_specs = amount_specs, factor_specs
        self.scale = np.array([self.factors[k].scale for k in self.factor_of_line], float)
        self.coefficient = np.array([line.coefficient for line in lines], float)  # with the static scaling
        self.uncertain_factor_lines = np.flatnonzero([factor_specs[k] is not None for k in self.factor_of_line])

        network = model.technosphere
        self.network = network
        self.uncertain_exchanges = sum(spec is not None for spec in network.uncertainty) if network else 0
        self.network_uncertain = self.uncertain_exchanges > 0
        if network is not None:
            entries = [
                (k, column, line.ratio * share)
                for k, line in enumerate(lines)
                for column, share in network.process_columns.get(line.process, ())
            ]
            self.lines_matrix = sparse.csr_array(
                (
                    np.array([value for *_, value in entries], float),
                    (np.array([k for k, *_ in entries], np.intp), np.array([c for _, c, _ in entries], np.intp)),
                ),
                shape=(len(lines), network.size),
            )
        else:
            self.lines_matrix = sparse.csr_array(self.coefficient[:, None])
        self.substitution = (
            Substitution(network.rows, network.columns, network.size) if self.network_uncertain else None
        )
        # The exchanges are drawn in the order the substitution reads the entries when each is one
        # entry (single-output processes): the draws are then the entries, with no gather.
        self.exchange_order, self.entry_gather, self.exchange_groups = np.zeros(0, np.intp), None, []
        if self.network_uncertain:
            entry_exchanges = network.exchange_of_entry[self.substitution.entry_order]
            one_to_one = entry_exchanges.size == network.amounts.size and np.array_equal(
                np.sort(entry_exchanges), np.arange(network.amounts.size)
            )
            self.exchange_order = entry_exchanges if one_to_one else np.arange(network.amounts.size)
            self.entry_gather = None if one_to_one else entry_exchanges
            self.exchange_static = network.amounts[self.exchange_order]
            self.exchange_groups = _groups([network.uncertainty[k] for k in self.exchange_order.tolist()])
            self.entry_multipliers = network.multipliers[self.substitution.entry_order, None]
        # the static scaling starts each draw's loop iteration near its answer
        self.static_scaling = solve(network.matrix, network.demand) if self.network_uncertain else None
        self.static = (
            float(self.amount * self.raw[self.factor_of_line] * self.scale @ self.coefficient) if lines else 0.0
        )
        self.inputs = self._inputs()

    def chunks(self, iterations: int) -> list[tuple[int, int]]:
        drawn = (
            len(self.amount) + len(self.raw) + (self.network.size + len(self.network.amounts) if self.network else 0)
        )
        size = max(1, min(MAX_CHUNK, CHUNK_VALUES // max(drawn, 1)))
        return [(start, min(size, iterations - start)) for start in range(0, iterations, size)]

    def run(self, rng: np.random.Generator, n: int, keep: int = 0, whole: bool = False) -> _Outcome:
        # A draw that overflows (a σ of hundreds) becomes inf or nan: left out and counted, not warned.
        with np.errstate(over="ignore", invalid="ignore"):
            return self._run(rng, n, keep, whole)

    def _run(self, rng: np.random.Generator, n: int, keep: int, whole: bool) -> _Outcome:
        network = self.network
        exchanges = _draw(rng, n, self.exchange_static, self.exchange_groups) if self.network_uncertain else None
        amounts = _draw(rng, n, self.amount, self.amount_groups)
        factors = _draw(rng, n, self.raw, self.factor_groups)
        # kg CO2e per activity unit of each line and draw; lines with a certain factor need no gather
        line_values = amounts * (self.raw[self.factor_of_line] * self.scale)[:, None]
        uncertain = self.uncertain_factor_lines
        if uncertain.size:
            line_values[uncertain] = amounts[uncertain] * factors[self.factor_of_line[uncertain]]
            line_values[uncertain] *= self.scale[uncertain, None]
        outcome = _Outcome(totals=np.empty(0))
        if keep:  # before the exchanges become entries (signed, converted) in place
            parts = [amounts[self._amount_inputs, :keep], factors[self._factor_inputs, :keep]]
            if exchanges is not None:
                parts.append(exchanges[self._exchange_inputs, :keep])
            outcome.inputs = np.concatenate(parts)
        values = None
        if self.network_uncertain:
            values = exchanges if self.entry_gather is None else exchanges[self.entry_gather]
            values *= self.entry_multipliers
            scaling, outcome.fallback, unsolved = self.substitution.solve(values, network.demand, self.static_scaling)
            outcome.unsolved = int(unsolved.sum())
            outcome.totals = np.einsum("ln,ln->n", line_values, self.lines_matrix @ scaling)
            outcome.totals[unsolved] = np.nan
        else:
            # einsum, not @: these products are too small for BLAS threads, whose spinning workers
            # halved the speed of the random draws on a busy 2-CPU machine.
            outcome.totals = np.einsum("l,ln->n", self.coefficient, line_values)
        if whole:
            if network is None:
                values = np.ones((1, n))
            elif values is None:
                values = np.repeat(network.values[:, None], n, axis=1)
            else:  # back to the technosphere's entry order
                values = values[np.argsort(self.substitution.entry_order)]
            outcome.technosphere, outcome.line_values = values, line_values
        return outcome

    def _inputs(self) -> list[dict]:
        """The uncertain inputs in the order `run` keeps them, each described for the sensitivity."""
        described = []
        self._amount_inputs = np.array([k for k, spec in enumerate(self.amount_specs) if spec], np.intp)
        for k in self._amount_inputs:
            line = self.lines[k]
            described.append(
                {
                    "kind": "amount_and_factor" if self.folded[k] else "amount",
                    "path": f"/lines/{line.index}",
                    "label": line.item,
                    "stage": line.stage,
                    "category": line.category,
                }
            )
        self._factor_inputs = np.array([k for k, spec in enumerate(self.factor_specs) if spec], np.intp)
        users_of: dict[int, list] = {}  # factor → the lines that use it, gathered once (not per factor)
        for line, factor in zip(self.lines, self.factor_of_line.tolist(), strict=True):
            users_of.setdefault(factor, []).append(line)
        for k in self._factor_inputs.tolist():
            users = users_of[k]
            factor = self.factors[k]
            shared = factor.key.startswith("id:")
            stages, categories = {line.stage for line in users}, {line.category for line in users}
            described.append(
                {
                    "kind": "factor",
                    "path": users[0].factor_path,
                    "label": factor.key.removeprefix("id:") if shared else users[0].item,
                    "stage": stages.pop() if len(stages) == 1 else None,
                    "category": categories.pop() if len(categories) == 1 else None,
                }
            )
        network = self.network
        drawn = self.exchange_order.tolist()  # row of the exchanges' draws → exchange
        self._exchange_inputs = np.array([row for row, k in enumerate(drawn) if network.uncertainty[k]], np.intp)
        for row in self._exchange_inputs.tolist():
            described.append(
                {
                    "kind": "exchange",
                    "path": network.paths[drawn[row]],
                    "label": network.labels[drawn[row]],
                    "stage": None,
                    "category": None,
                }
            )
        return described


def _sensitivity_draws(plan: _Plan, iterations: int) -> int:
    if iterations < 3 or not plan.inputs:
        return 0
    return min(iterations, SENSITIVITY_DRAWS, max(100, SENSITIVITY_VALUES // len(plan.inputs)))


def _sensitivity(plan: _Plan, inputs: np.ndarray, totals: np.ndarray) -> dict | None:
    """Squared Spearman rank correlations of the inputs with the result, less what chance gives,
    as shares of their sum (see the module's docstring)."""
    solved = np.isfinite(totals)
    inputs, totals = inputs[:, solved], totals[solved]
    draws = totals.size
    if draws < 3 or np.ptp(totals) == 0:
        return None
    result_ranks = _ranks(totals[None, :])[0]
    result_ranks /= np.linalg.norm(result_ranks)
    rho = np.empty(inputs.shape[0])
    for start in range(0, inputs.shape[0], RANK_BLOCK):  # ranks of a block of inputs at a time: bounded memory
        ranks = _ranks(inputs[start : start + RANK_BLOCK])
        norms = np.linalg.norm(ranks, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            rho[start : start + RANK_BLOCK] = np.where(norms > 0, (ranks @ result_ranks) / norms, 0.0)
    # Independent draws correlate by chance with E[ρ²] = 1/(n−1): taken off every input and off the
    # sum, so a thousand inputs that matter equally get about equal small shares, and thousands
    # that do not matter do not add up to a share of their own.
    chance = 1 / (draws - 1)
    adjusted = np.maximum(rho**2 - chance, 0.0)
    order = np.argsort(-adjusted, kind="stable")
    top = order[:SENSITIVITY_TOP].tolist()
    total = max(float((rho**2).sum()) - rho.size * chance, float(adjusted[top].sum()))
    if total <= 0:
        return None
    listed = [k for k in top if 100 * adjusted[k] / total >= SENSITIVITY_MIN_SHARE]
    shares = [100 * float(adjusted[k]) / total for k in listed]
    return {
        "method": SENSITIVITY_METHOD,
        "draws": int(draws),
        "count": len(plan.inputs),
        "below_noise": int((adjusted == 0).sum()),
        "inputs": [
            {**plan.inputs[k], "rho": float(rho[k]), "share": share} for k, share in zip(listed, shares, strict=True)
        ],
        "others": round(max(0.0, 100 - sum(shares)), 9),
    }


def _ranks(values: np.ndarray) -> np.ndarray:
    """The ranks of each row (0 … n−1), centred: a double argsort (draws are continuous, so ties
    do not occur; scipy's rankdata, which averages ties, took six times the time and memory)."""
    ranks = np.empty(values.shape)
    order = np.argsort(values, axis=1)
    np.put_along_axis(ranks, order, np.arange(values.shape[1], dtype=float)[None, :], axis=1)
    ranks -= (values.shape[1] - 1) / 2
    return ranks


def _statistics(totals: np.ndarray, iterations: int, seed: int, static: float) -> dict:
    drawn = totals.size
    p2_5, median, p97_5 = np.percentile(totals, [2.5, 50, 97.5]) if drawn else (math.nan,) * 3
    # The distribution's shape for a chart: 0.5 %–99.5 % in HISTOGRAM_BINS equal bins, so a few
    # extreme draws of a skewed lognormal do not squeeze the rest into one bar.
    counts, edges = (
        np.histogram(totals, bins=HISTOGRAM_BINS, range=tuple(np.percentile(totals, [0.5, 99.5])))
        if drawn > 1 and np.ptp(totals) > 0
        else (np.array([]), np.array([]))
    )
    return {
        "iterations": iterations,
        "seed": seed,
        "static": static,
        "mean": float(totals.mean()) if drawn else math.nan,
        "median": float(median),
        "sd": float(totals.std(ddof=1)) if drawn > 1 else 0.0,
        "p2_5": float(p2_5),
        "p97_5": float(p97_5),
        "histogram": {"edges": edges.tolist(), "counts": counts.tolist()},
    }


def _groups(specs: list[tuple | None]) -> list[tuple]:
    """Uncertain rows grouped by distribution: (kind, rows, parameter arrays …)."""
    groups = []
    for kind in ("lognormal", "normal", "triangular", "uniform"):
        rows = [k for k, spec in enumerate(specs) if spec is not None and spec[0] == kind]
        if rows:
            parameters = [np.array([specs[k][p] for k in rows], float)[:, None] for p in range(1, len(specs[rows[0]]))]
            groups.append((kind, np.array(rows, np.intp), *parameters))
    return groups


def _draw(rng: np.random.Generator, n: int, static: np.ndarray, groups: list[tuple]) -> np.ndarray:
    """n draws of every row (rows × n): the static value where certain. Drawn in place where the
    group's rows are contiguous (all of them, when every exchange is lognormal): at 10,000 × 2,500
    the copies cost as much as the draws."""
    values = np.empty((static.size, n))
    certain = np.ones(static.size, bool)
    for _, rows, *_ in groups:
        certain[rows] = False
    values[certain] = static[certain, None]
    for kind, rows, *parameters in groups:
        contiguous = rows[-1] - rows[0] + 1 == rows.size
        target = values[rows[0] : rows[-1] + 1] if contiguous else np.empty((rows.size, n))
        base = static[rows][:, None]
        if kind == "lognormal":
            rng.standard_normal(out=target)
            target *= parameters[0]
            np.exp(target, out=target)
            target *= base
        elif kind == "normal":
            rng.standard_normal(out=target)
            target *= parameters[0]
            target += base
        elif kind == "triangular":
            target[...] = rng.triangular(parameters[0], base, parameters[1], target.shape)
        else:
            target[...] = rng.uniform(parameters[0], parameters[1], target.shape)
        if not contiguous:
            values[rows] = target
    return values
