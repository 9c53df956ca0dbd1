"""The trial dataset (试算数据): one enterprise's data for one rule revision, and its validation.

PURE: jsonschema and the standard library. `SCHEMA` is JSON Schema 2020-12 and says the shape;
keys are snake_case and keys beginning with `x_` are extensions, kept as they are. `validate`
adds the rules between fields (a line needs a factor unless it is electricity or a direct
emission in mass of a gas, "kg CF4"; a library factor
is its id alone, an inline one needs unit, tier and a value; each distribution needs its
parameters; lines and processes name each other) and gives every problem as a `Problem` (a
JSON pointer and a message naming the line, worded by workbench.schema_errors), e.g.
("/lines/3/amount", "活动数据 /lines/3（“外购电力”）的「数量」（amount）应为数值，现为文本 \"abc\"。").
Coded values come from the guideline's vocabulary; an uncertainty is the factor library's
(workbench.factors.uncertainty).

The shape (see also workbench/trials/engine/ for what the calculation does with it):

    enterprise, period            who and which period (text)
    reference_flow                {quantity, unit, product?, price?}: output over the period, in a
                                  unit convertible to the rule's declared/functional unit
    lines[]                       activity data: stage, category, item, amount, unit, data_type,
                                  source, factor, uncertainty?, electricity?, process?,
                                  excluded? (left out under cut-off; the amount is an estimate),
                                  justification? (why a lower-priority secondary type is used);
                                  a direct emission gives its unit as a mass of a gas of the GWP
                                  tables ("kg CF4", "t SF6") and no factor
    additional_reference_flows[]  {product, quantity, unit}: the output over the period of the
                                  reference product of one of the rule's additional units (matched
                                  by product), so the result is also given per that unit
    factor                        {id} from the factor library, or inline {value and/or gases,
                                  unit, tier, source, biogenic?, uncertainty?}
    uncertainty                   {distribution: lognormal (gsd | sigma) | normal (sd) |
                                  triangular (min, max) | uniform (min, max)} and/or
                                  {pedigree: [5 scores 1–5], basic_variance?}
    electricity                   {instrument?, evidence?, contract_factor (with an instrument)}
    co_products[]                 {product, amount, unit, price?}: other outputs of a
                                  single-process dataset, for allocation
    processes[]                   a foreground network: {id, name?, outputs[{product, amount,
                                  unit, price?, uncertainty?}], inputs[{product, amount, unit,
                                  uncertainty?}]}; then every line names its `process` and
                                  reference_flow names its `product`. An exchange's uncertainty is
                                  a line's (the same forms and rules) and describes its amount in
                                  its own unit; co_products and reference_flow stay certain
"""

from jsonschema import Draft202012Validator

from workbench import schema_errors
from workbench.factors import uncertainty as uncertainties
from workbench.factors import units
from workbench.guideline.vocabulary import (
    ACTIVITY_CATEGORIES,
    DATA_TYPES,
    FACTOR_TIERS,
    INSTRUMENTS,
    LIFE_CYCLE_STAGES,
    VOCABULARIES,
)
from workbench.messages import N_, Joined, Message
from workbench.schema_errors import Problem

CATEGORIES = ACTIVITY_CATEGORIES.codes
TIERS = FACTOR_TIERS.codes
DISTRIBUTIONS = uncertainties.DISTRIBUTIONS

_EXTENSIONS = {"^x_": {}}
_TEXT = {"type": "string", "minLength": 1}
_NUMBER = {"type": "number"}
_POSITIVE = {"type": "number", "exclusiveMinimum": 0}
_NON_NEGATIVE = {"type": "number", "minimum": 0}


def _object(properties: dict, required: list[str] = (), **more) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "patternProperties": _EXTENSIONS,
        "additionalProperties": False,
        "required": list(required),
        **more,
    }


_UNCERTAINTY = uncertainties.SCHEMA

_FACTOR = _object(
    {
        "id": _TEXT,
        "value": _NUMBER,
        "unit": _TEXT,
        "tier": {"enum": list(TIERS)},
        "source": {"type": "string"},
        "gases": {"type": "object", "additionalProperties": _NUMBER, "minProperties": 1},
        "biogenic": _NUMBER,
        "uncertainty": _UNCERTAINTY,
    },
)

_LINE = _object(
    {
        "stage": {"enum": list(LIFE_CYCLE_STAGES.codes)},
        "category": {"enum": list(CATEGORIES)},
        "item": _TEXT,
        "amount": _NUMBER,
        "unit": _TEXT,
        "data_type": {"enum": list(DATA_TYPES.codes)},
        "source": {"type": "string"},
        "factor": _FACTOR,
        "uncertainty": _UNCERTAINTY,
        "electricity": _object(
            {
                "instrument": {"enum": list(INSTRUMENTS.codes)},
                "evidence": {"type": "string"},
                "contract_factor": _FACTOR,
            },
            dependentRequired={"instrument": ["contract_factor"]},
        ),
        "process": _TEXT,
        "excluded": {"type": "boolean"},
        "justification": {"type": "string"},
    },
    ["stage", "category", "item", "amount", "unit", "data_type"],
)

_OUTPUT = _object(
    {"product": _TEXT, "amount": _POSITIVE, "unit": _TEXT, "price": _NON_NEGATIVE}, ["product", "amount", "unit"]
)
# A process's exchanges may be uncertain like a line's amount; co-products (single-process data) stay certain.
_PROCESS_OUTPUT = _object({**_OUTPUT["properties"], "uncertainty": _UNCERTAINTY}, _OUTPUT["required"])
_PROCESS_INPUT = _object(
    {"product": _TEXT, "amount": _NON_NEGATIVE, "unit": _TEXT, "uncertainty": _UNCERTAINTY},
    ["product", "amount", "unit"],
)

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://cfp-workbench.example/schemas/trial-dataset.json",
    "title": "试算数据 trial dataset",
    **_object(
        {
            "enterprise": {"type": "string"},
            "period": {"type": "string"},
            "reference_flow": _object(
                {"quantity": _POSITIVE, "unit": _TEXT, "product": _TEXT, "price": _NON_NEGATIVE}, ["quantity", "unit"]
            ),
            "lines": {"type": "array", "items": _LINE, "minItems": 1},
            "additional_reference_flows": {
                "type": "array",
                "items": _object(
                    {"product": _TEXT, "quantity": _POSITIVE, "unit": _TEXT}, ["product", "quantity", "unit"]
                ),
            },
            "co_products": {"type": "array", "items": _OUTPUT},
            "processes": {
                "type": "array",
                "minItems": 1,
                "items": _object(
                    {
                        "id": _TEXT,
                        "name": {"type": "string"},
                        "outputs": {"type": "array", "items": _PROCESS_OUTPUT, "minItems": 1},
                        "inputs": {"type": "array", "items": _PROCESS_INPUT},
                    },
                    ["id", "outputs"],
                ),
            },
        },
        ["reference_flow", "lines"],
    ),
}

FIELD_NAMES = {
    **uncertainties.FIELD_NAMES,
    "enterprise": N_("实施主体"),
    "period": N_("数据时间范围"),
    "reference_flow": N_("基准流"),
    "quantity": N_("数量"),
    "unit": N_("单位"),
    "product": N_("产品"),
    "price": N_("价格"),
    "lines": N_("活动数据"),
    "stage": N_("生命周期阶段"),
    "category": N_("排放类别"),
    "item": N_("名称"),
    "amount": N_("数量"),
    "data_type": N_("数据类型"),
    "source": N_("数据来源"),
    "factor": N_("碳足迹因子"),
    "id": N_("因子编号"),
    "value": N_("数值"),
    "tier": N_("因子层级"),
    "gases": N_("分气体数值"),
    "biogenic": N_("生物源部分"),
    "electricity": N_("电力"),
    "instrument": N_("凭证类型"),
    "evidence": N_("凭证"),
    "contract_factor": N_("凭证对应的因子"),
    "process": N_("所属过程"),
    "excluded": N_("按取舍准则忽略"),
    "justification": N_("说明"),
    "co_products": N_("共生产品"),
    "additional_reference_flows": N_("其他声明单位的基准流"),
    "processes": N_("过程"),
    "name": N_("名称"),
    "outputs": N_("产出"),
    "inputs": N_("中间产品输入"),
}
# Which vocabulary labels the values of a field (for enum messages).
_FIELD_VOCABULARY = {
    "stage": "stage",
    "category": "category",
    "data_type": "data_type",
    "tier": "tier",
    "instrument": "instrument",
}
_VALIDATOR = Draft202012Validator(SCHEMA)


def validate(dataset) -> list[Problem]:
    """Every problem with `dataset`, sorted by place."""
    places = _Places(dataset)
    problems = set(schema_errors.non_finite(dataset))
    for error in _VALIDATOR.iter_errors(dataset):
        problems.update(schema_errors.problems(error, places))
    if isinstance(dataset, dict):
        problems.update(_between_fields(dataset, places))
        if not problems:
            problems.update(_references(dataset, places))
    return sorted(problems, key=lambda problem: (_path_key(problem.path), problem.message))


# The exchanges of a process, as a message names them.
_EXCHANGES = {"outputs": N_("产出"), "inputs": N_("输入")}


class _Places:
    """How a message names a place: 活动数据 /lines/3（“外购电力”）的「数量」（amount）, 过程
    /processes/2（“熟料煅烧”）的「单位」（unit）, 过程 P2 的输入 /processes/2/inputs/0（“熟料”）的
    「数量」（amount）, 「基准流」（reference_flow）的「数量」（quantity）."""

    def __init__(self, dataset):
        self.dataset = dataset

    def place(self, parts: list) -> Message:
        if not parts:
            return Message(N_("试算数据"))
        if _is_exchange(parts):
            named = self._exchange(parts)
            rest = [part for part in parts[4:] if not isinstance(part, int)]
            return Message(N_("%(owner)s的%(field)s"), {"owner": named, "field": field(rest[-1])}) if rest else named
        rest = [part for part in parts[2:] if not isinstance(part, int)]
        for section, label, key in (
            ("lines", N_("活动数据"), "item"),
            ("processes", N_("过程"), "id"),
            ("co_products", N_("共生产品"), "product"),
        ):
            if parts[0] == section and len(parts) >= 2 and isinstance(parts[1], int):
                entry = _at(self.dataset, parts[:2])
                name = entry.get(key) if isinstance(entry, dict) else None
                params = {"entry": Message(label), "path": f"/{section}/{parts[1]}"}
                if isinstance(name, str) and name:
                    named = Message(N_("%(entry)s %(path)s（“%(name)s”）"), {**params, "name": name})
                else:
                    named = Message(N_("%(entry)s %(path)s"), params)
                return (
                    Message(N_("%(owner)s的%(field)s"), {"owner": named, "field": field(rest[-1])}) if rest else named
                )
        last = parts[-1]
        if isinstance(last, int) or last == parts[0]:
            return field(parts[0])
        return Message(N_("%(owner)s的%(field)s"), {"owner": field(parts[0]), "field": field(last)})

    def _exchange(self, parts: list) -> Message:
        """过程 P2 的输入 /processes/2/inputs/0（“熟料”）: the process by its id, the exchange by its path and product."""
        process = _at(self.dataset, parts[:2])
        identifier = process.get("id") if isinstance(process, dict) else None
        if isinstance(identifier, str) and identifier:
            owner = Message(N_("过程 %(id)s"), {"id": identifier})
        else:
            owner = Message(N_("过程 %(path)s"), {"path": f"/processes/{parts[1]}"})
        exchange = _at(self.dataset, parts[:4])
        product = exchange.get("product") if isinstance(exchange, dict) else None
        params = {
            "process": owner,
            "exchange": Message(_EXCHANGES[parts[2]]),
            "path": "/" + "/".join(map(str, parts[:4])),
        }
        if isinstance(product, str) and product:
            return Message(N_("%(process)s 的%(exchange)s %(path)s（“%(name)s”）"), {**params, "name": product})
        return Message(N_("%(process)s 的%(exchange)s %(path)s"), params)

    def field(self, parts: list, key: str) -> Message:
        return field(key)

    def labels(self, parts: list, schema: dict) -> dict:
        name = next((part for part in reversed(parts) if isinstance(part, str)), "")
        if name == "distribution":
            return uncertainties.DISTRIBUTION_NAMES
        vocabulary = VOCABULARIES.get(_FIELD_VOCABULARY.get(name, ""))
        return vocabulary.labels if vocabulary is not None else {}


def _is_exchange(parts: list) -> bool:
    """Whether `parts` point into an output or input of a process: ["processes", 2, "inputs", 0, ...]."""
    return (
        len(parts) >= 4
        and parts[0] == "processes"
        and isinstance(parts[1], int)
        and parts[2] in _EXCHANGES
        and isinstance(parts[3], int)
    )


def field(key) -> Message:
    """「数量」（amount）: how a message names a field of the dataset."""
    name = FIELD_NAMES.get(key)
    if name:
        return Message(N_("「%(name)s」（%(key)s）"), {"name": Message(name), "key": key})
    return Message(N_("「%(key)s」"), {"key": key})


def _problem(path: str, template: str, **params) -> Problem:
    return Problem(path, Message(template, params))


def _between_fields(dataset: dict, places: _Places) -> list[Problem]:
    """Rules between the fields of a factor or an uncertainty (kept out of SCHEMA: jsonschema's
    conditionals tripled the time to validate 1,000 lines, and these messages can be precise)."""
    problems = []
    lines = dataset.get("lines")
    for index, line in enumerate(lines if isinstance(lines, list) else []):
        if not isinstance(line, dict):
            continue
        parts = ["lines", index]
        spots = [(line.get("factor"), [*parts, "factor"]), (line.get("uncertainty"), [*parts, "uncertainty"])]
        supply = line.get("electricity")
        if isinstance(supply, dict):
            spots.append((supply.get("contract_factor"), [*parts, "electricity", "contract_factor"]))
        elif "factor" not in line and not (isinstance(line.get("unit"), str) and units.gas_mass(line["unit"])):
            problems.append(
                _problem(
                    f"/lines/{index}/factor",
                    N_("%(owner)s缺少必填项%(field)s，请补上。"),
                    owner=places.place(parts),
                    field=field("factor"),
                )
            )
        for value, where in list(spots):
            if isinstance(value, dict) and where[-1] != "uncertainty":
                spots.append((value.get("uncertainty"), [*where, "uncertainty"]))
        for value, where in spots:
            if not isinstance(value, dict):
                continue
            path = "/" + "/".join(map(str, where))
            if where[-1] == "uncertainty":
                problems.extend(uncertainties.rules(value, path, places.place(where)))
            else:
                problems.extend(_factor_rules(value, path, places.place(where)))
    return problems + _exchange_rules(dataset, places)


def _exchange_rules(dataset: dict, places: _Places) -> list[Problem]:
    """A process output's or input's uncertainty follows a line's rules. Whether a triangular or
    uniform range holds the amount is the calculation's check (uncertainty_invalid), as for lines."""
    problems = []
    processes = dataset.get("processes")
    for k, process in enumerate(processes if isinstance(processes, list) else []):
        for side in _EXCHANGES:
            exchanges = process.get(side) if isinstance(process, dict) else None
            for j, exchange in enumerate(exchanges if isinstance(exchanges, list) else []):
                uncertainty = exchange.get("uncertainty") if isinstance(exchange, dict) else None
                if isinstance(uncertainty, dict):
                    where = ["processes", k, side, j, "uncertainty"]
                    path = f"/processes/{k}/{side}/{j}/uncertainty"
                    problems.extend(uncertainties.rules(uncertainty, path, places.place(where)))
    return problems


def _factor_rules(factor: dict, path: str, place: Message) -> list[Problem]:
    """A library factor is named by id alone; an inline one gives its unit, tier and a value."""
    if "id" in factor:
        inline = [key for key in ("value", "unit", "tier", "gases", "biogenic") if key in factor]
        if inline:
            return [
                _problem(
                    path,
                    N_("%(place)s引用因子库（id）时不要同时给出%(fields)s：这些以因子库为准。"),
                    place=place,
                    fields=Joined(N_("、"), tuple(field(key) for key in inline)),
                )
            ]
        return []
    problems = [
        _problem(f"{path}/{key}", N_("%(owner)s缺少必填项%(field)s，请补上。"), owner=place, field=field(key))
        for key in ("unit", "tier")
        if key not in factor
    ]
    if "value" not in factor and "gases" not in factor:
        problems.append(
            _problem(
                f"{path}/value",
                N_("%(place)s应给出%(value)s或%(gases)s。"),
                place=place,
                value=field("value"),
                gases=field("gases"),
            )
        )
    return problems


def _references(dataset: dict, places: _Places) -> list[Problem]:
    """What the schema cannot say: lines and processes that must name each other."""
    problems = []
    processes = dataset.get("processes")
    lines = dataset["lines"]
    if processes is None:
        for index, line in enumerate(lines):
            if "process" in line:
                problems.append(
                    _problem(
                        f"/lines/{index}/process",
                        N_("%(place)s给出了「所属过程」，但数据中没有「过程」（processes）。"),
                        place=places.place(["lines", index]),
                    )
                )
        return problems
    if "co_products" in dataset:
        problems.append(
            _problem("/co_products", N_("有「过程」（processes）时，共生产品应作为其过程的产出（outputs）填写。"))
        )
    if "product" not in dataset["reference_flow"]:
        problems.append(
            _problem("/reference_flow/product", N_("有「过程」（processes）时，基准流应给出其「产品」（product）。"))
        )
    ids = set()
    for k, process in enumerate(processes):
        if process["id"] in ids:
            problems.append(_problem(f"/processes/{k}/id", N_("过程编号“%(id)s”重复。"), id=process["id"]))
        ids.add(process["id"])
    for index, line in enumerate(lines):
        place = places.place(["lines", index])
        if "process" not in line:
            problems.append(
                _problem(f"/lines/{index}/process", N_("%(place)s应给出「所属过程」（process）。"), place=place)
            )
        elif line["process"] not in ids:
            problems.append(
                _problem(
                    f"/lines/{index}/process",
                    N_("%(place)s所属的过程“%(process)s”不存在。"),
                    place=place,
                    process=line["process"],
                )
            )
    return problems


def _at(document, parts):
    for part in parts:
        try:
            document = document[part]
        except (KeyError, IndexError, TypeError):
            return None
    return document


def _path_key(path: str):
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in path.split("/"))
