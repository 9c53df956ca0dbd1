"""Scenarios (`compare`): the same dataset calculated again with the other method choices, side by
side: grid vs contractual electricity, physical vs economic allocation.

PURE: what `calculation` uses; no Flask, no database.
"""

from collections.abc import Callable

from workbench.trials.engine.calculation import calculate
from workbench.trials.engine.model import DatasetError, _dict, _list


def compare(rule: dict, dataset: dict, *, factor_lookup: Callable[[str], dict | None] | None = None) -> dict:
    """The same dataset side by side: grid vs contractual electricity, physical vs economic
    allocation. A scenario that cannot be calculated (no prices for economic allocation) gives
    {"unavailable": reason}.

    The electricity choice applies to a dataset with purchased electricity (a line the calculation
    counts as electricity: with an `electricity` object or a library electricity factor);
    `instruments` says whether any line holds a contractual instrument: without one both
    scenarios give the same figure."""
    electricity_lines: list = []

    def run(**options) -> dict:
        try:
            result = calculate(rule, dataset, factor_lookup=factor_lookup, **options)
        except DatasetError as error:
            return {"unavailable": str(error)}
        if options.get("electricity") == "grid":
            electricity_lines.extend(result.electricity)
        return {"cfp_per_unit": result.cfp_per_unit, "by_stage": result.by_stage}

    lines = dataset.get("lines") or []
    multi_output = bool(dataset.get("co_products")) or any(
        len(_list(process.get("outputs"))) > 1 for process in _list(dataset.get("processes"))
    )
    grid = run(electricity="grid")
    contractual = run(electricity="contractual")
    instruments = any(_dict(line.get("electricity")).get("instrument") for line in lines)
    return {
        "electricity": {
            "applicable": bool(electricity_lines) or instruments,
            "instruments": instruments,
            "grid": grid,
            "contractual": contractual,
        },
        "allocation": {
            "applicable": multi_output,
            "physical": run(allocation="physical"),
            "economic": run(allocation="economic"),
        },
    }
