"""The foreground network: the dataset's processes as a technosphere matrix, solved for each
process's scaling, and each line's scaling with its process's allocation share.

PURE: numpy, scipy, the standard library and `model` (pint for unit conversions); no Flask, no
database.

Processes (each with outputs and intermediate inputs) form the technosphere matrix A (products ×
processes, outputs positive, inputs negative), the demand f is the reference flow, s = A⁻¹ f by
scipy.sparse.linalg.spsolve (processes first put in supply order, where A is near triangular, then
the natural column ordering: see `solve`). A multi-output process is split into one column per
output, each carrying its allocation share of the inputs and lines (ecoinvent's allocated system
model), so A stays square. A dataset without processes is one process whose outputs are the
reference flow and the co-products.

Allocation: physical by the outputs' amounts (converted to the first output's unit), economic by
amount × price. A rule method other than physical or economic (avoid, system expansion, other)
cannot be computed from a dataset: a multi-output process then gets a finding and physical
allocation, so the trial still runs.
"""

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import MatrixRankWarning, spsolve

from workbench.trials.engine.model import _dict, _list, _ratio, _reason

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


def _scaling(params, dataset, mode, report) -> tuple[dict, dict, list[dict] | None]:
    """({process id: line scaling}, allocation report, network report or None). A multi-output
    process is one column per output, each with its allocation share of the inputs and lines; a
    line's scaling is Σ over its process's columns of share × s."""
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
        return {}, allocation, None

    technosphere, demand = _technosphere(processes, reference, dataset["reference_flow"], columns, report)
    scaling = None if report.problems else _solve(technosphere, demand, report)
    if scaling is None:
        return {}, allocation, None
    line_scaling: dict = {}
    for (position, _, share), value in zip(columns, scaling.tolist(), strict=True):
        process_id = processes[position].id
        line_scaling[process_id] = line_scaling.get(process_id, 0.0) + share * value
    network = None
    if dataset.get("processes"):
        network = [
            {"process": processes[position].id, "product": str(output["product"]), "share": share, "scaling": value}
            for (position, output, share), value in zip(columns, scaling.tolist(), strict=True)
        ]
    return line_scaling, allocation, network


def _technosphere(processes, reference, flow, columns, report):
    """(A, f): one row per product and one column per (process, output); outputs on the diagonal,
    inputs negative, converted to the unit of the producing output and shared by allocation."""
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
        return None, None
    own: dict[int, list[tuple[int, float]]] = {}
    rows, cols, data = [], [], []
    for column, (position, output, share) in enumerate(columns):
        own.setdefault(position, []).append((column, share))
        rows.append(column)
        cols.append(column)
        data.append(float(output["amount"]))
    for position, process in enumerate(processes):
        for j, item in enumerate(process.inputs):
            product = str(item["product"])
            if product not in producer:
                report.add(
                    "network_invalid",
                    f"{process.path}/inputs/{j}/product",
                    "supplier",
                    product=product,
                )
                continue
            supplier_unit = str(columns[producer[product]][1]["unit"])
            try:
                amount = float(item["amount"]) * _ratio(str(item["unit"]), supplier_unit)
            except ValueError as error:
                report.add(
                    "unit_not_convertible",
                    f"{process.path}/inputs/{j}/unit",
                    "intermediate",
                    product=product,
                    unit=str(item["unit"]),
                    supplier_unit=supplier_unit,
                    reason=_reason(error),
                )
                continue
            for column, share in own.get(position, ()):
                rows.append(producer[product])
                cols.append(column)
                data.append(-amount * share)
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
    return sparse.csc_array((data, (rows, cols)), shape=(len(columns), len(columns))), demand


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


def solve(technosphere, demand: np.ndarray) -> np.ndarray:
    """The scaling s with A·s = f (A square, sparse). A is first put in supply order, where it is
    near triangular: LU with the natural column ordering then has almost no fill-in (COLAMD,
    spsolve's default, was 30× slower on a 2,000-process foreground). Raises ValueError when A is
    singular."""
    technosphere = sparse.csc_array(technosphere)
    order = _supply_order(technosphere)
    permuted = technosphere[order, :][:, order].tocsc()
    with warnings.catch_warnings():
        warnings.simplefilter("error", MatrixRankWarning)
        try:
            solved = np.atleast_1d(spsolve(permuted, demand[order], permc_spec="NATURAL"))
        except (MatrixRankWarning, RuntimeError) as error:
            raise ValueError("singular technosphere matrix") from error
    if not np.all(np.isfinite(solved)):
        raise ValueError("singular technosphere matrix")
    scaling = np.empty_like(solved)
    scaling[order] = solved
    return scaling


def _solve(technosphere, demand, report) -> np.ndarray | None:
    try:
        return solve(technosphere, demand)
    except ValueError:
        report.add("network_invalid", "/processes")
        return None


def _supply_order(technosphere) -> np.ndarray:
    """Processes in reverse depth-first post-order of the supply graph: each process before the
    processes that supply it, as far as loops allow (a loop leaves a few entries above the
    diagonal)."""
    indptr, indices = technosphere.indptr.tolist(), technosphere.indices.tolist()  # CSC: suppliers per column
    size = len(indptr) - 1
    visited = [False] * size
    post = []
    for root in range(size):
        if visited[root]:
            continue
        visited[root] = True
        stack = [(root, indptr[root])]
        while stack:
            node, position = stack[-1]
            end = indptr[node + 1]
            while position < end and visited[indices[position]]:
                position += 1
            if position < end:
                supplier = indices[position]
                stack[-1] = (node, position + 1)
                visited[supplier] = True
                stack.append((supplier, indptr[supplier]))
            else:
                stack.pop()
                post.append(node)
    return np.array(post[::-1], dtype=np.intp)
