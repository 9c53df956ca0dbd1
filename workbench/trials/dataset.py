"""The trial dataset (试算数据): one enterprise's data for one rule revision, and its validation.

PURE: jsonschema and the standard library. `SCHEMA` is JSON Schema 2020-12 and says the shape;
keys are snake_case and keys beginning with `x_` are extensions, kept as they are. `validate`
adds the rules between fields (a line needs a factor unless it is electricity; a library factor
is its id alone, an inline one needs unit, tier and a value; each distribution needs its
parameters; lines and processes name each other) and gives every problem as (JSON pointer,
Chinese message naming the line), e.g. ("/lines/3/amount", "活动数据 /lines/3（“外购电力”）的
「数量」（amount）应为数值，现为文本 \"abc\"。").

The shape (see also workbench/trials/engine/ for what the calculation does with it):

    enterprise, period            who and which period (text)
    reference_flow                {quantity, unit, product?, price?}: output over the period, in a
                                  unit convertible to the rule's declared/functional unit
    lines[]                       activity data: stage, category, item, amount, unit, data_type,
                                  source, factor, uncertainty?, electricity?, process?,
                                  excluded? (left out under cut-off; the amount is an estimate),
                                  justification? (why a lower-priority secondary type is used)
    factor                        {id} from the factor library, or inline {value and/or gases,
                                  unit, tier, source, biogenic?, uncertainty?}
    uncertainty                   {distribution: lognormal (gsd | sigma) | normal (sd) |
                                  triangular (min, max) | uniform (min, max)} and/or
                                  {pedigree: [5 scores 1–5], basic_variance?}
    electricity                   {instrument?, evidence?, contract_factor (with an instrument)}
    co_products[]                 {product, amount, unit, price?}: other outputs of a
                                  single-process dataset, for allocation
    processes[]                   a foreground network: {id, name?, outputs[{product, amount,
                                  unit, price?}], inputs[{product, amount, unit}]}; then every
                                  line names its `process` and reference_flow names its `product`
"""

import json
import math

from jsonschema import Draft202012Validator

from workbench.drafting.checks import STAGES

CATEGORIES = ("raw_materials", "energy", "transport", "waste_treatment", "process_emissions")
DATA_TYPES = ("primary", "statistical", "literature", "estimated")
TIERS = ("measured_verified", "government", "industry", "literature")
INSTRUMENTS = ("green_certificate", "green_power_trading", "ppa")
DISTRIBUTIONS = ("lognormal", "normal", "triangular", "uniform")

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


_UNCERTAINTY = _object(
    {
        "distribution": {"enum": list(DISTRIBUTIONS)},
        "gsd": {"type": "number", "minimum": 1},
        "sigma": _NON_NEGATIVE,
        "sd": _NON_NEGATIVE,
        "min": _NUMBER,
        "max": _NUMBER,
        "pedigree": {
            "type": "array",
            "items": {"type": "integer", "minimum": 1, "maximum": 5},
            "minItems": 5,
            "maxItems": 5,
        },
        "basic_variance": _NON_NEGATIVE,
    },
)

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
        "stage": {"enum": list(STAGES)},
        "category": {"enum": list(CATEGORIES)},
        "item": _TEXT,
        "amount": _NUMBER,
        "unit": _TEXT,
        "data_type": {"enum": list(DATA_TYPES)},
        "source": {"type": "string"},
        "factor": _FACTOR,
        "uncertainty": _UNCERTAINTY,
        "electricity": _object(
            {"instrument": {"enum": list(INSTRUMENTS)}, "evidence": {"type": "string"}, "contract_factor": _FACTOR},
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
            "co_products": {"type": "array", "items": _OUTPUT},
            "processes": {
                "type": "array",
                "minItems": 1,
                "items": _object(
                    {
                        "id": _TEXT,
                        "name": {"type": "string"},
                        "outputs": {"type": "array", "items": _OUTPUT, "minItems": 1},
                        "inputs": {
                            "type": "array",
                            "items": _object(
                                {"product": _TEXT, "amount": _NON_NEGATIVE, "unit": _TEXT},
                                ["product", "amount", "unit"],
                            ),
                        },
                    },
                    ["id", "outputs"],
                ),
            },
        },
        ["reference_flow", "lines"],
    ),
}

FIELD_NAMES = {
    "enterprise": "实施主体",
    "period": "数据时间范围",
    "reference_flow": "基准流",
    "quantity": "数量",
    "unit": "单位",
    "product": "产品",
    "price": "价格",
    "lines": "活动数据",
    "stage": "生命周期阶段",
    "category": "排放类别",
    "item": "名称",
    "amount": "数量",
    "data_type": "数据类型",
    "source": "数据来源",
    "factor": "碳足迹因子",
    "id": "因子编号",
    "value": "数值",
    "tier": "因子层级",
    "gases": "分气体数值",
    "biogenic": "生物源部分",
    "uncertainty": "不确定性",
    "distribution": "分布",
    "gsd": "几何标准差",
    "sigma": "对数标准差",
    "sd": "标准差",
    "min": "下限",
    "max": "上限",
    "pedigree": "谱系矩阵评分",
    "basic_variance": "基本方差",
    "electricity": "电力",
    "instrument": "凭证类型",
    "evidence": "凭证",
    "contract_factor": "凭证对应的因子",
    "process": "所属过程",
    "excluded": "按取舍准则忽略",
    "justification": "说明",
    "co_products": "共生产品",
    "processes": "过程",
    "name": "名称",
    "outputs": "产出",
    "inputs": "中间产品输入",
}
_TYPE_NAMES = {
    "object": "对象（键值对）",
    "array": "列表",
    "string": "文本",
    "number": "数值",
    "integer": "整数",
    "boolean": "是或否（true/false）",
    "null": "空值（null）",
}
_VALIDATOR = Draft202012Validator(SCHEMA)


_UNCERTAINTY_VALIDATOR = Draft202012Validator({"type": "object", "properties": {"uncertainty": _UNCERTAINTY}})


def uncertainty_problems(uncertainty: dict) -> list[str]:
    """The messages for an uncertainty given on its own (a library factor's), worded as in a
    dataset; empty when it fits."""
    document = {"uncertainty": uncertainty}
    problems = sorted(
        {
            message
            for error in _UNCERTAINTY_VALIDATOR.iter_errors(document)
            for _path, message in _messages(error, document)
        }
    )
    return problems or [
        message for _path, message in _uncertainty_rules(uncertainty, "/uncertainty", _field("uncertainty"))
    ]


def validate(dataset) -> list[tuple[str, str]]:
    """Every problem with `dataset`: (JSON pointer, message), sorted by place."""
    problems = set(non_finite(dataset))
    for error in _VALIDATOR.iter_errors(dataset):
        problems.update(_messages(error, dataset))
    if isinstance(dataset, dict):
        problems.update(_between_fields(dataset))
        if not problems:
            problems.update(_references(dataset))
    return sorted(problems, key=lambda problem: (_path_key(problem[0]), problem[1]))


def non_finite(value) -> list[tuple[str, str]]:
    """NaN and Infinity: Python's JSON reader and JSON Schema's "number" both accept them, and
    neither a calculation nor PostgreSQL's JSON can use them."""
    found, pending = [], [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            found.append((path or "/", f"{path or '/'} 应为有限的数值，不能是 NaN 或 Infinity。"))
        elif isinstance(item, dict):
            pending.extend((f"{path}/{str(key).replace('~', '~0').replace('/', '~1')}", v) for key, v in item.items())
        elif isinstance(item, list):
            pending.extend((f"{path}/{index}", v) for index, v in enumerate(item))
    return found


def _between_fields(dataset: dict) -> list[tuple[str, str]]:
    """Rules between the fields of a factor or an uncertainty (kept out of SCHEMA: jsonschema's
    conditionals tripled the time to validate 1,000 lines, and these messages can be precise)."""
    problems = []
    lines = dataset.get("lines")
    for index, line in enumerate(lines if isinstance(lines, list) else []):
        if not isinstance(line, dict):
            continue
        parts = ["lines", index]
        places = [(line.get("factor"), [*parts, "factor"]), (line.get("uncertainty"), [*parts, "uncertainty"])]
        supply = line.get("electricity")
        if isinstance(supply, dict):
            places.append((supply.get("contract_factor"), [*parts, "electricity", "contract_factor"]))
        elif "factor" not in line:
            problems.append((f"/lines/{index}/factor", f"{_where(dataset, parts)}缺少{_field('factor')}，请补上。"))
        for value, where in list(places):
            if isinstance(value, dict) and where[-1] != "uncertainty":
                places.append((value.get("uncertainty"), [*where, "uncertainty"]))
        for value, where in places:
            if not isinstance(value, dict):
                continue
            check = _uncertainty_rules if where[-1] == "uncertainty" else _factor_rules
            problems.extend(check(value, "/" + "/".join(map(str, where)), _where(dataset, where)))
    return problems


def _factor_rules(factor: dict, path: str, where: str) -> list[tuple[str, str]]:
    """A library factor is named by id alone; an inline one gives its unit, tier and a value."""
    if "id" in factor:
        inline = [key for key in ("value", "unit", "tier", "gases", "biogenic") if key in factor]
        if inline:
            return [
                (path, f"{where}引用因子库（id）时不要同时给出{'、'.join(map(_field, inline))}：这些以因子库为准。")
            ]
        return []
    problems = [
        (f"{path}/{key}", f"{where}缺少{_field(key)}，请补上。") for key in ("unit", "tier") if key not in factor
    ]
    if "value" not in factor and "gases" not in factor:
        problems.append((f"{path}/value", f"{where}应给出{_field('value')}或{_field('gases')}。"))
    return problems


def _uncertainty_rules(uncertainty: dict, path: str, where: str) -> list[tuple[str, str]]:
    kind = uncertainty.get("distribution")
    if kind is None:
        if "pedigree" in uncertainty:
            return []
        return [(f"{path}/distribution", f"{where}应给出{_field('distribution')}或{_field('pedigree')}。")]
    if kind == "lognormal" and "gsd" not in uncertainty and "sigma" not in uncertainty:
        return [(f"{path}/gsd", f"{where}为对数正态分布，应给出{_field('gsd')}或{_field('sigma')}。")]
    needed = {"normal": ("sd",), "triangular": ("min", "max"), "uniform": ("min", "max")}.get(kind, ())
    name = {"normal": "正态", "triangular": "三角", "uniform": "均匀"}.get(kind, kind)
    return [(f"{path}/{key}", f"{where}为{name}分布，缺少{_field(key)}。") for key in needed if key not in uncertainty]


def _references(dataset: dict) -> list[tuple[str, str]]:
    """What the schema cannot say: lines and processes that must name each other."""
    problems = []
    processes = dataset.get("processes")
    lines = dataset["lines"]
    if processes is None:
        for index, line in enumerate(lines):
            if "process" in line:
                problems.append(
                    (
                        f"/lines/{index}/process",
                        f"{_where(dataset, ['lines', index])}给出了「所属过程」，但数据中没有「过程」（processes）。",
                    )
                )
        return problems
    if "co_products" in dataset:
        problems.append(("/co_products", "有「过程」（processes）时，共生产品应作为其过程的产出（outputs）填写。"))
    if "product" not in dataset["reference_flow"]:
        problems.append(("/reference_flow/product", "有「过程」（processes）时，基准流应给出其「产品」（product）。"))
    ids = set()
    for k, process in enumerate(processes):
        if process["id"] in ids:
            problems.append((f"/processes/{k}/id", f"过程编号“{process['id']}”重复。"))
        ids.add(process["id"])
    for index, line in enumerate(lines):
        if "process" not in line:
            problems.append(
                (f"/lines/{index}/process", f"{_where(dataset, ['lines', index])}应给出「所属过程」（process）。")
            )
        elif line["process"] not in ids:
            problems.append(
                (f"/lines/{index}/process", f"{_where(dataset, ['lines', index])}所属的过程“{line['process']}”不存在。")
            )
    return problems


def _messages(error, dataset) -> list[tuple[str, str]]:
    parts = list(error.absolute_path)
    path = "".join(f"/{part}" for part in parts)
    where = _where(dataset, parts)
    kind, value, instance = error.validator, error.validator_value, error.instance
    if kind == "required":
        missing = [key for key in value if isinstance(instance, dict) and key not in instance]
        return [(f"{path}/{key}", f"{_where(dataset, parts)}缺少{_field(key)}，请补上。") for key in missing]
    if kind == "dependentRequired":
        return [
            (f"{path}/{needed}", f"{_where(dataset, parts)}给出了{_field(key)}，还应给出{_field(needed)}。")
            for key, required in value.items()
            if isinstance(instance, dict) and key in instance
            for needed in required
            if needed not in instance
        ]
    if kind == "additionalProperties":
        known = error.schema.get("properties", {})
        extra = [key for key in instance if key not in known and not key.startswith("x_")]
        return [
            (
                f"{path}/{key}",
                f"{_where(dataset, parts)}中有不认识的键「{key}」：请检查拼写或删除；扩展内容请以 x_ 开头命名。",
            )
            for key in extra
        ]
    if kind == "type":
        expected = "或".join(_TYPE_NAMES.get(name, name) for name in ([value] if isinstance(value, str) else value))
        return [
            (
                path,
                f"{where}应为{expected}，现为{_TYPE_NAMES.get(_type(instance), _type(instance))} {_show(instance)}。",
            )
        ]
    if kind in ("enum", "const"):
        allowed = value if kind == "enum" else [value]
        return [(path, f"{where}应为 {'、'.join(map(str, allowed))} 之一，现为 {_show(instance)}。")]
    if kind == "minimum":
        return [(path, f"{where}应不小于 {value}，现为 {_show(instance)}。")]
    if kind == "maximum":
        return [(path, f"{where}应不大于 {value}，现为 {_show(instance)}。")]
    if kind == "exclusiveMinimum":
        return [(path, f"{where}应大于 {value}，现为 {_show(instance)}。")]
    if kind == "minLength":
        return [(path, f"{where}不能为空。")]
    if kind in ("minItems", "maxItems") and parts and parts[-1] == "pedigree":
        return [(path, f"{where}应恰好有 5 个评分（可靠性、完整性、时间、地理、技术相关性）。")]
    if kind == "minItems":
        return [(path, f"{where}至少应有 {value} 项。")]
    if kind == "minProperties":
        return [(path, f"{where}不能为空。")]
    return [(path, f"{where}不符合要求：{error.message}。")]


def _where(dataset, parts: list) -> str:
    """How a message names a place: 活动数据 /lines/3（“外购电力”）的「数量」（amount）, 过程
    /processes/2（“熟料煅烧”）的「单位」（unit）, 「基准流」（reference_flow）的「数量」（quantity）."""
    if not parts:
        return "试算数据"
    rest = [part for part in parts[2:] if not isinstance(part, int)]
    for section, label, key in (
        ("lines", "活动数据", "item"),
        ("processes", "过程", "id"),
        ("co_products", "共生产品", "product"),
    ):
        if parts[0] == section and len(parts) >= 2 and isinstance(parts[1], int):
            entry = _at(dataset, parts[:2])
            name = entry.get(key) if isinstance(entry, dict) else None
            named = f"{label} /{section}/{parts[1]}" + (f"（“{name}”）" if isinstance(name, str) and name else "")
            return named + (f"的{_field(rest[-1])}" if rest else "")
    last = parts[-1]
    return _field(parts[0]) + (f"的{_field(last)}" if last != parts[0] else "")


def _field(key) -> str:
    name = FIELD_NAMES.get(key)
    return f"「{name}」（{key}）" if name else f"「{key}」"


def _at(document, parts):
    for part in parts:
        try:
            document = document[part]
        except (KeyError, IndexError, TypeError):
            return None
    return document


def _type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), type(value).__name__)


def _show(value) -> str:
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 60 else shown[:57] + "…"


def _path_key(path: str):
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in path.split("/"))
