"""The foreground network: the dataset's processes as a technosphere matrix, solved for each
process's scaling, and each line's scaling with its process's allocation share.

PURE: numpy, scipy, the standard library and `model` (pint for unit conversions); no Flask, no
database.

Processes (each with outputs and intermediate inputs) form the technosphere matrix A (products ×
processes, outputs positive, inputs negative), the demand f is the reference flow, s = A⁻¹ f
(`substitution.solve`: supply order, where A is near triangular, its triangular factor, and the
loops by iteration). A multi-output process is split into one column per output, each carrying
its allocation share of the inputs and lines (ecoinvent's allocated system model), so A stays
square. Each entry keeps the exchange it comes from (`model.Technosphere`), so Monte Carlo can
draw the exchanges' amounts. A dataset without processes is one process whose outputs are the
reference flow and the co-products.

Allocation: physical by the outputs' amounts (converted to the first output's unit), economic by
amount × price. A rule method other than physical or economic (avoid, system expansion, other)
cannot be computed from a dataset: a multi-output process then gets a finding and physical
allocation, so the trial still runs.
"""

from dataclasses import dataclass

import numpy as np

from workbench.trials.engine.model import Technosphere, _dict, _distribution, _list, _ratio, _reason
from workbench.trials.engine.substitution import solve

REFERENCE_PRODUCT = "reference"  # the product of a single-process dataset


@dataclass
class _Process:
    id: str | None  # None for a single-process dataset
    path: str  # "/processes/3"; "" for a single-process dataset
    outputs: list[tuple[dict, str]]  # (output, its path)
    inputs: list[dict]


def _processes(dataset: dict) -> tuple[list[_Process], str]:
    """The foreground processes and the reference product. A dataset without processes is one
    process whose outputs are the reference flow and the co-products."""
    flow = dataset["reference_flow"]
    processes = _list(dataset.get("processes"))
    if processes:
        return [
            _Process(
                process.get("id"),
                f"/processes/{k}",
                [(output, f"/processes/{k}/outputs/{j}") for j, output in enumerate(_list(process.get("outputs")))],
                _list(process.get("inputs")),
            )
            for k, process in enumerate(processes)
        ], flow.get("product")
    reference = flow.get("product") or REFERENCE_PRODUCT
    main = {"product": reference, "amount": flow["quantity"], "unit": flow["unit"], "price": flow.get("price")}
    co_products = [(co, f"/co_products/{j}") for j, co in enumerate(_list(dataset.get("co_products")))]
    return [_Process(None, "", [(main, "/reference_flow"), *co_products], [])], reference


def _scaling(params, dataset, mode, report) -> tuple[dict, dict, list[dict] | None, Technosphere | None]:
    """({process id: line scaling}, allocation report, network report or None, the technosphere for
    Monte Carlo or None). A multi-output process is one column per output, each with its
    allocation share of the inputs and lines; a line's scaling is Σ over its process's columns of
    share × s."""
    processes, reference = _processes(dataset)
    rule_method = _dict(params.get("allocation")).get("method")
    method = rule_method if mode == "rule" else mode
    multi = [process for process in processes if len(process.outputs) > 1]
    if multi and method not in ("physical", "economic"):
        report.add(
            "allocation_method_unsupported",
            f"{multi[0].path}/outputs" if multi[0].path else "/co_products",
            method=str(rule_method),
        )
        method = "physical"
    allocation = {"rule_method": rule_method, "method": method, "processes": []}

    columns: list[tuple[int, dict, float]] = []  # (process position, output, allocation share)
    for position, process in enumerate(processes):
        shares = _shares(process.outputs, method, report) if len(process.outputs) > 1 else [1.0]
        if shares is None:
            continue
        if len(shares) > 1:
            products = [str(output["product"]) for output, _ in process.outputs]
            allocation["processes"].append({"process": process.id, "shares": dict(zip(products, shares, strict=True))})
        columns += [(position, output, share) for (output, _), share in zip(process.outputs, shares, strict=True)]
    if report.problems:  # without shares the network is incomplete; say first what to fix
        return {}, allocation, None, None

    technosphere = _technosphere(processes, reference, dataset["reference_flow"], columns, report)
    scaling = None if report.problems else _solve(technosphere, report)
    if scaling is None:
        return {}, allocation, None, None
    line_scaling: dict = {}
    for process_id, owned in technosphere.process_columns.items():
        line_scaling[process_id] = sum(share * scaling[column] for column, share in owned)
    network = None
    if dataset.get("processes"):
        network = [
            {"process": processes[position].id, "product": str(output["product"]), "share": share, "scaling": value}
            for (position, output, share), value in zip(columns, scaling.tolist(), strict=True)
        ]
    return line_scaling, allocation, network, technosphere


def _technosphere(processes, reference, flow, columns, report) -> Technosphere | None:
    """A (one row per product, one column per (process, output)) and f: outputs on the diagonal,
    inputs negative, converted to the unit of the producing output and shared by allocation; each
    entry kept with the exchange it comes from, for Monte Carlo."""
    producer: dict[str, int] = {}
    for column, (position, output, _) in enumerate(columns):
        product = str(output["product"])
        if product in producer:
            path = next(path for item, path in processes[position].outputs if item is output)
            report.add(
                "network_invalid",
                f"{path}/product",
                "producers",
                product=product,
            )
        producer.setdefault(product, column)
    if reference not in producer:
        report.add("network_invalid", "/reference_flow/product", "reference", product=str(reference))
        return None
    own: dict[int, list[tuple[int, float]]] = {}
    rows, cols, multipliers, sources = [], [], [], []
    amounts, uncertainty, paths, labels = [], [], [], []

    def exchange(item: dict, path: str, label: str) -> int:
        amounts.append(float(item["amount"]))
        uncertainty.append(_distribution(item.get("uncertainty"), amounts[-1], f"{path}/uncertainty", report))
        paths.append(path)
        labels.append(label)
        return len(amounts) - 1

    output_exchanges: dict[int, int] = {}  # id(output) → exchange
    for column, (position, output, share) in enumerate(columns):
        own.setdefault(position, []).append((column, share))
        process = processes[position]
        if id(output) not in output_exchanges:
            path = next(path for item, path in process.outputs if item is output)
            output_exchanges[id(output)] = exchange(output, path, f"{_process_label(process)} → {output['product']}")
        rows.append(column)
        cols.append(column)
        multipliers.append(1.0)
        sources.append(output_exchanges[id(output)])
    for position, process in enumerate(processes):
        for j, item in enumerate(process.inputs):
            product = str(item["product"])
            path = f"{process.path}/inputs/{j}"
            if product not in producer:
                report.add("network_invalid", f"{path}/product", "supplier", product=product)
                continue
            supplier_unit = str(columns[producer[product]][1]["unit"])
            try:
                ratio = _ratio(str(item["unit"]), supplier_unit)
            except ValueError as error:
                report.add(
                    "unit_not_convertible",
                    f"{path}/unit",
                    "intermediate",
                    product=product,
                    unit=str(item["unit"]),
                    supplier_unit=supplier_unit,
                    reason=_reason(error),
                )
                continue
            source = exchange(item, path, f"{_process_label(process)} ← {product}")
            for column, share in own.get(position, ()):
                rows.append(producer[product])
                cols.append(column)
                multipliers.append(-ratio * share)
                sources.append(source)
    demand = np.zeros(len(columns))
    output_unit = str(columns[producer[reference]][1]["unit"])
    try:
        demand[producer[reference]] = float(flow["quantity"]) * _ratio(str(flow["unit"]), output_unit)
    except ValueError as error:
        report.add(
            "unit_not_convertible",
            "/reference_flow/unit",
            "reference_product",
            unit=str(flow["unit"]),
            output_unit=output_unit,
            reason=_reason(error),
        )
    return Technosphere(
        size=len(columns),
        rows=np.array(rows, np.intp),
        columns=np.array(cols, np.intp),
        multipliers=np.array(multipliers, float),
        exchange_of_entry=np.array(sources, np.intp),
        amounts=np.array(amounts, float),
        uncertainty=uncertainty,
        paths=paths,
        labels=labels,
        demand=demand,
        process_columns={processes[position].id: owned for position, owned in own.items()},
    )


def _process_label(process: _Process) -> str:
    return str(process.id) if process.id is not None else ""


def _shares(outputs, method, report) -> list[float] | None:
    if method == "economic":
        missing = [path for output, path in outputs if output.get("price") is None]
        if missing:
            report.add("allocation_data_missing", f"{missing[0]}/price")
            return None
        basis = [float(output["amount"]) * float(output["price"]) for output, _ in outputs]
    else:
        first_unit = str(outputs[0][0]["unit"])
        basis = []
        for output, path in outputs:
            try:
                basis.append(float(output["amount"]) * _ratio(str(output["unit"]), first_unit))
            except ValueError as error:
                report.add(
                    "unit_not_convertible",
                    f"{path}/unit",
                    "allocation",
                    unit=str(output["unit"]),
                    first_unit=first_unit,
                    reason=_reason(error),
                )
                return None
    total = sum(basis)
    if total <= 0:
        report.add("allocation_data_missing", f"{outputs[0][1]}", "zero")
        return None
    return [value / total for value in basis]


def _solve(technosphere: Technosphere, report) -> np.ndarray | None:
    try:
        return solve(technosphere.matrix, technosphere.demand)
    except ValueError:
        report.add("network_invalid", "/processes")
        return None
