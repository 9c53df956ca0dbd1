"""The uncertainty of a quantity, as factors in the library and lines of a trial dataset give it:
a distribution with its parameters, and/or pedigree-matrix scores.

PURE: jsonschema and the standard library. `SCHEMA` is the JSON Schema of one uncertainty;
`rules` adds what the schema does not say (each distribution needs its parameters);
`problems` checks an uncertainty given on its own (a library factor's). The trial dataset
(workbench.trials.dataset) embeds the same schema and rules, so both read alike.

    {distribution: lognormal (gsd | sigma) | normal (sd) | triangular (min, max) | uniform (min, max)}
    and/or {pedigree: [5 scores 1–5], basic_variance?}
"""

from jsonschema import Draft202012Validator

from workbench import schema_errors
from workbench.messages import N_, Message
from workbench.schema_errors import Problem

DISTRIBUTIONS = ("lognormal", "normal", "triangular", "uniform")
DISTRIBUTION_NAMES = {
    "lognormal": N_("对数正态分布"),
    "normal": N_("正态分布"),
    "triangular": N_("三角分布"),
    "uniform": N_("均匀分布"),
}
FIELD_NAMES = {
    "uncertainty": N_("不确定性"),
    "distribution": N_("分布"),
    "gsd": N_("几何标准差"),
    "sigma": N_("对数标准差"),
    "sd": N_("标准差"),
    "min": N_("下限"),
    "max": N_("上限"),
    "pedigree": N_("谱系矩阵评分"),
    "basic_variance": N_("基本方差"),
}

_NUMBER = {"type": "number"}
_NON_NEGATIVE = {"type": "number", "minimum": 0}

SCHEMA = {
    "type": "object",
    "properties": {
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
    "patternProperties": {"^x_": {}},
    "additionalProperties": False,
    "required": [],
}
_VALIDATOR = Draft202012Validator({"type": "object", "properties": {"uncertainty": SCHEMA}})
NEEDED = {"normal": ("sd",), "triangular": ("min", "max"), "uniform": ("min", "max")}


def field(key) -> Message:
    """「标准差」（sd）: how a message names a field of an uncertainty."""
    name = FIELD_NAMES.get(key)
    if name:
        return Message(N_("「%(name)s」（%(key)s）"), {"name": Message(name), "key": key})
    return Message(N_("「%(key)s」"), {"key": key})


def rules(uncertainty: dict, path: str, place: Message) -> list[Problem]:
    """What the schema does not say: a distribution or pedigree scores, and each distribution's
    parameters. `place` names the uncertainty in messages."""
    kind = uncertainty.get("distribution")
    if kind is None:
        if "pedigree" in uncertainty:
            return []
        return [
            Problem(
                f"{path}/distribution",
                Message(
                    N_("%(place)s应给出%(distribution)s或%(pedigree)s。"),
                    {"place": place, "distribution": field("distribution"), "pedigree": field("pedigree")},
                ),
            )
        ]
    if kind == "lognormal" and "gsd" not in uncertainty and "sigma" not in uncertainty:
        return [
            Problem(
                f"{path}/gsd",
                Message(
                    N_("%(place)s为对数正态分布，应给出%(gsd)s或%(sigma)s。"),
                    {"place": place, "gsd": field("gsd"), "sigma": field("sigma")},
                ),
            )
        ]
    return [
        Problem(
            f"{path}/{key}",
            Message(
                N_("%(place)s为%(distribution)s，缺少%(field)s。"),
                {"place": place, "distribution": Message(DISTRIBUTION_NAMES.get(kind, kind)), "field": field(key)},
            ),
        )
        for key in NEEDED.get(kind, ())
        if key not in uncertainty
    ]


class _Places:
    def place(self, parts: list) -> Message:
        return field(parts[-1]) if parts else Message(N_("「%(name)s」"), {"name": Message(FIELD_NAMES["uncertainty"])})

    def field(self, parts: list, key: str) -> Message:
        return field(key)

    def labels(self, parts: list, schema: dict) -> dict:
        return DISTRIBUTION_NAMES if parts and parts[-1] == "distribution" else {}


def problems(uncertainty: dict) -> list[Problem]:
    """The problems of an uncertainty given on its own (a library factor's); empty when it fits."""
    document = {"uncertainty": uncertainty}
    found = sorted(
        {problem for error in _VALIDATOR.iter_errors(document) for problem in schema_errors.problems(error, _Places())},
        key=lambda problem: (problem.path, problem.message),
    )
    return found or rules(uncertainty, "/uncertainty", field("uncertainty"))
