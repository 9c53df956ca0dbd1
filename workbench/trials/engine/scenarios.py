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
    {"unavailable": reason}."""

    def run(**options) -> dict:
        try:
            result = calculate(rule, dataset, factor_lookup=factor_lookup, **options)
        except DatasetError as error:
            return {"unavailable": str(error)}
        return {"cfp_per_unit": result.cfp_per_unit, "by_stage": result.by_stage}

    lines = dataset.get("lines") or []
    multi_output = bool(dataset.get("co_products")) or any(
        len(_list(process.get("outputs"))) > 1 for process in _list(dataset.get("processes"))
    )
    return {
        "electricity": {
            "applicable": any(_dict(line.get("electricity")).get("instrument") for line in lines),
            "grid": run(electricity="grid"),
            "contractual": run(electricity="contractual"),
        },
        "allocation": {
            "applicable": multi_output,
            "physical": run(allocation="physical"),
            "economic": run(allocation="economic"),
        },
    }
