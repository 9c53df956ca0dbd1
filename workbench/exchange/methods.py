"""The international comparison's table (指引（十八）): the methodological choices of ISO 14067,
the GHG Protocol Product Standard, the EU PEF method, the EU Battery Regulation and PACT v3, and
`compare`, which sets a rule's own choices beside them. PURE.

The table is data, kept in data/international_methods.json with the date it was last reviewed:
each cell holds the project's own short statement in Chinese and in English, a machine-comparable
`value` where the framework fixes one (null where it is silent or leaves the choice open) and
where to read it (document and clause). Only dimensions a rule document has a parameter for are
compared (unit, boundary, cut-off, allocation, electricity, GWP set, data quality method, primary
data share); biogenic carbon, land use change, recycling and verification are shown, not compared.

Decisions:
- A framework that leaves a dimension open (value null) never makes a difference: silence is not
  disagreement.
- "latest" GWP means the newest IPCC assessment report (LATEST_ASSESSMENT); horizons other than
  100 years differ from every framework, since all of them use GWP100.
- The rule's electricity choice is read as market-based when contractual instruments are allowed,
  location-based otherwise; the electricity not covered by an instrument is at the grid average
  (the rule's `grid_factor`), which differs from frameworks that ask for a residual mix.
- The data quality method is free text in a rule: it is read as "pedigree" or "DQR" when it says
  so, and not compared when it says neither.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from workbench.messages import N_, Joined, Term, Translate, identity

TABLE_FILE = Path(__file__).parent / "data" / "international_methods.json"
LATEST_ASSESSMENT = "AR6"  # the IPCC's newest assessment report with GWP values (2021)

# The finding code for a difference in each compared dimension (catalogue/international.py).
CODES = {
    "unit": "international_unit",
    "system_boundary": "international_boundary",
    "cut_off": "international_cut_off",
    "allocation": "international_allocation",
    "electricity": "international_electricity",
    "gwp_set": "international_gwp_set",
    "data_quality": "international_data_quality",
    "primary_data_share": "international_primary_data_share",
}

# Words the comparison shows for machine values (rendered in the reader's language).
VALUE_LABELS = {
    "functional_unit": N_("功能单位"),
    "declared_unit": N_("声明单位"),
    "cradle_to_gate": N_("摇篮到大门"),
    "cradle_to_grave": N_("摇篮到坟墓"),
    "partial": N_("部分生命周期"),
    "avoid": N_("避免分配（过程细分）"),
    "system_expansion": N_("系统扩展"),
    "physical": N_("物理关系分配"),
    "economic": N_("经济价值分配"),
    "other": N_("其他方法"),
    "location": N_("按地理位置（电网平均）"),
    "market": N_("按市场（合同凭证）"),
    "both": N_("两种都报告"),
    "residual_mix": N_("未覆盖电量用剩余混合电力"),
    "grid_average": N_("未覆盖电量用电网平均因子"),
    "pedigree": N_("谱系矩阵"),
    "DQR": N_("数据质量评级（DQR）"),
    "site_activity": N_("现场活动数据占比"),
    "activity_and_factor": N_("活动数据和因子均为初级数据"),
    "none": N_("不设"),
}


@dataclass(frozen=True)
class Cell:
    zh: str
    en: str
    value: object  # machine-comparable, or None where the framework is silent or leaves it open
    source: str


@dataclass(frozen=True)
class Framework:
    id: str
    name: str  # short, the same in every language
    zh: str
    en: str
    cells: dict[str, Cell]


@dataclass(frozen=True)
class Table:
    version: str
    reviewed: str  # ISO date
    dimensions: tuple[tuple[str, str, str], ...]  # (id, zh, en)
    frameworks: tuple[Framework, ...]

    def dimension_name(self, dimension: str, english: bool = False) -> str:
        for key, zh, en in self.dimensions:
            if key == dimension:
                return en if english else zh
        raise KeyError(dimension)


@dataclass(frozen=True)
class Difference:
    dimension: str
    framework: str  # the framework's id
    framework_name: str
    rule_value: object  # the rule's value, as compared (a code, a number, a list)
    framework_value: object
    source: str
    path: str  # JSON pointer into the rule document's parameters

    @property
    def code(self) -> str:
        return CODES[self.dimension]


@cache
def table() -> Table:
    """The maintained table, read once."""
    data = json.loads(TABLE_FILE.read_text(encoding="utf-8"))
    dimensions = tuple((item["id"], item["zh"], item["en"]) for item in data["dimensions"])
    frameworks = tuple(
        Framework(
            item["id"],
            item["name"],
            item["zh"],
            item["en"],
            {key: Cell(cell["zh"], cell["en"], cell["value"], cell["source"]) for key, cell in item["cells"].items()},
        )
        for item in data["frameworks"]
    )
    return Table(str(data["version"]), data["reviewed"], dimensions, frameworks)


@dataclass(frozen=True)
class Word(Term):
    """A value label inside a sentence: in English its first letter in lower case ("requires
    functional unit", not "requires Functional unit"), unless its first word is an abbreviation
    (capitals past the first letter: "DQR", "PEFCR"). Chinese is unaffected (no case)."""

    def render(self, translate: Translate = identity) -> str:
        text = super().render(translate)
        first = text.split(" ", 1)[0]
        if text[:1].isascii() and text[:1].isupper() and not any(letter.isupper() for letter in first[1:]):
            return text[0].lower() + text[1:]
        return text


NOT_SET = "none"  # the code a missing value is shown as: 不设 / "not set"


def shown(value) -> object:
    """A machine value as a comparison shows it inside a sentence: a Word for a known code
    (translated when rendered), numbers and other text as they are, lists joined, a missing
    value as 不设."""
    if isinstance(value, list | tuple):
        return Joined(" / ", tuple(shown(item) for item in value)) if value else shown(None)
    if isinstance(value, str) and value in VALUE_LABELS:
        return Word("international", value, VALUE_LABELS[value])
    if value is None:
        return Word("international", NOT_SET, VALUE_LABELS[NOT_SET])
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return value


# --- the rule's choices, read from its parameters --------------------------------------------------


def _gwp(parameters: dict) -> tuple[str, int] | None:
    text = str(parameters.get("gwp_set") or "")  # e.g. IPCC-AR6-GWP100
    parts = text.split("-")
    if len(parts) != 3 or not parts[2].startswith("GWP") or not parts[2][3:].isdigit():
        return None
    return parts[1], int(parts[2][3:])


def _electricity(parameters: dict) -> dict | None:
    electricity = parameters.get("electricity")
    if not isinstance(electricity, dict):
        return None
    method = "market" if electricity.get("contractual_instruments_allowed") else "location"
    return {"method": method, "untracked": "grid_average"}


def _data_quality(parameters: dict) -> str | None:
    text = str(parameters.get("data_quality_method") or "")
    if "DQR" in text.upper() or "数据质量评级" in text:
        return "DQR"
    if "谱系" in text or "pedigree" in text.lower():
        return "pedigree"
    return None


def rule_choices(parameters: dict) -> dict[str, tuple[object, str]]:
    """The rule's value in each compared dimension, with its JSON pointer; a dimension the rule
    leaves out is missing."""
    choices: dict[str, tuple[object, str]] = {}
    if "functional_unit" in parameters:
        choices["unit"] = ("functional_unit", "/parameters/functional_unit")
    elif "declared_unit" in parameters:
        choices["unit"] = ("declared_unit", "/parameters/declared_unit")
    boundary = (parameters.get("system_boundary") or {}).get("type")
    if boundary:
        choices["system_boundary"] = (boundary, "/parameters/system_boundary/type")
    cut_off = parameters.get("cut_off")
    if isinstance(cut_off, dict) and cut_off.get("total_percent") is not None:
        choices["cut_off"] = (cut_off, "/parameters/cut_off")
    method = (parameters.get("allocation") or {}).get("method")
    if method:
        choices["allocation"] = (method, "/parameters/allocation/method")
    if (electricity := _electricity(parameters)) is not None:
        choices["electricity"] = (electricity, "/parameters/electricity")
    if (gwp := _gwp(parameters)) is not None:
        choices["gwp_set"] = (gwp, "/parameters/gwp_set")
    if (quality := _data_quality(parameters)) is not None:
        choices["data_quality"] = (quality, "/parameters/data_quality_method")
    if parameters.get("primary_data_share"):
        choices["primary_data_share"] = (parameters["primary_data_share"], "/parameters/primary_data_share")
    return choices


# --- how each dimension differs: (rule value shown, framework value shown) or None -----------------


def _in_list(rule_value, framework_value):
    if rule_value in framework_value:
        return None
    return rule_value, list(framework_value)


def _cut_off(rule_value: dict, framework_value: dict):
    differs = any(
        framework_value.get(key) is not None and float(rule_value.get(key) or 0) != float(framework_value[key])
        for key in ("per_item_percent", "total_percent")
    )
    if not differs:
        return None

    def text(values: dict) -> list:  # shown as "1 % / 5 %", a missing side as 不设
        return [
            f"{float(values[key]):g} %" if values.get(key) is not None else None
            for key in ("per_item_percent", "total_percent")
        ]

    return text(rule_value), text(framework_value)


def _electricity_difference(rule_value: dict, framework_value: dict):
    parts = []
    for key in ("method", "untracked"):
        theirs = framework_value.get(key)
        if theirs is not None and theirs != rule_value.get(key):
            parts.append(key)
    if not parts:
        return None
    return [rule_value[key] for key in parts], [framework_value[key] for key in parts]


def _gwp_difference(rule_value: tuple[str, int], framework_value: str):
    report, horizon = rule_value
    expected = LATEST_ASSESSMENT if framework_value == "latest" else framework_value
    if report == expected and horizon == 100:
        return None
    theirs = f"{expected} GWP100" + (" (latest)" if framework_value == "latest" else "")
    return f"{report} GWP{horizon}", theirs


def _equal(rule_value, framework_value):
    return None if rule_value == framework_value else (rule_value, framework_value)


_COMPARE = {
    "unit": _in_list,
    "system_boundary": _in_list,
    "cut_off": _cut_off,
    "allocation": _in_list,
    "electricity": _electricity_difference,
    "gwp_set": _gwp_difference,
    "data_quality": _equal,
    "primary_data_share": _equal,
}


def compare(parameters: dict, frameworks: tuple[Framework, ...] | None = None) -> list[Difference]:
    """Where the rule's own choices (a rule document's `parameters`) differ from each framework's,
    in the table's order of frameworks, then of dimensions. A dimension the rule leaves out, or a
    framework leaves open, is not compared."""
    parameters = parameters if isinstance(parameters, dict) else {}
    choices = rule_choices(parameters)
    differences = []
    for framework in frameworks if frameworks is not None else table().frameworks:
        for dimension, judge in _COMPARE.items():
            cell = framework.cells.get(dimension)
            if dimension not in choices or cell is None or cell.value is None:
                continue
            rule_value, path = choices[dimension]
            found = judge(rule_value, cell.value)
            if found is not None:
                differences.append(
                    Difference(dimension, framework.id, framework.name, found[0], found[1], cell.source, path)
                )
    return differences


def agreements(parameters: dict) -> list[tuple[str, str]]:
    """(framework id, dimension) pairs that were compared and agree: the comparison's other half."""
    choices = rule_choices(parameters if isinstance(parameters, dict) else {})
    different = {(item.framework, item.dimension) for item in compare(parameters)}
    return [
        (framework.id, dimension)
        for framework in table().frameworks
        for dimension in _COMPARE
        if dimension in choices
        and framework.cells.get(dimension) is not None
        and framework.cells[dimension].value is not None
        and (framework.id, dimension) not in different
    ]
