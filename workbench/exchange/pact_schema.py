"""The project's own JSON Schema of a PACT v3 ProductFootprint, and the problems a document has.

PURE. The schema (data/pact-product-footprint-3.0.schema.json, draft 2020-12) is written from the
PACT Technical Specifications v3 field list and its required properties; the specification's own
files stay outside the repository. What it holds the workbench to:

- every real number is a decimal string (^[+-]?\\d+(\\.\\d+)?$): a JSON number is refused, so no
  value goes through a binary float on its way between two systems;
- dates and times are ISO 8601 in UTC ("Z" or "+00:00");
- two strictnesses. What the workbench WRITES is held to the strict schema: the geography is
  exactly one of region, country (ISO 3166-1) or subdivision (ISO 3166-2) (a footprint under a
  Chinese product rule always names where it was made), and the "SHALL" booleans
  packagingEmissionsIncluded and ccsTechnologicalCO2CaptureIncluded are required. What it READS
  (`validate(document, incoming=True)`, used by pact_reading) asks only for the v3 OpenAPI's own
  required list (INCOMING_REQUIRED: no biogenicCarbonContent, no packaging flag) and accepts a
  footprint with no geography (global), never one with two;
- unknown properties are allowed at the top and in `pcf` (extensions of other systems), not in
  the small objects whose every key the specification lists;
- every string and list is bounded, so checking a hostile document costs little.

`validate(document)` lists the problems: a JSON pointer such as "/pcf/declaredUnitAmount" and a
`Message` saying what is wrong there, rendered in the reader's language where it is shown.
`check(document)` raises InvalidInput listing each with its path. The wording is this module's own,
not workbench.schema_errors': the reader always sees "path: sentence", so a sentence never names
the place again (a missing key is named by its own path, "/pcf/crossSectoralStandards: required"),
PACT's property names are what both sides read, and a pattern is explained in words
(PATTERN_HINTS), never shown as a regular expression.
"""

import copy
import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

from workbench import schema_errors
from workbench.errors import InvalidInput
from workbench.messages import N_, Joined, Message
from workbench.schema_errors import Problem

SCHEMA_PATH = Path(__file__).parent / "data" / "pact-product-footprint-3.0.schema.json"
MAX_LISTED = 200  # problems carried in a refusal; a document with more is beyond repair anyway

__all__ = ["INCOMING_REQUIRED", "SCHEMA_PATH", "Problem", "check", "schema", "validate"]


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


# The v3 OpenAPI's CarbonFootprint.required (spec/v3/openapi.yaml): what a supplier must send.
INCOMING_REQUIRED = (
    "declaredUnitOfMeasurement",
    "declaredUnitAmount",
    "productMassPerDeclaredUnit",
    "referencePeriodStart",
    "referencePeriodEnd",
    "pcfExcludingBiogenicUptake",
    "pcfIncludingBiogenicUptake",
    "fossilGhgEmissions",
    "fossilCarbonContent",
    "ipccCharacterizationFactors",
    "crossSectoralStandards",
    "exemptedEmissionsPercent",
)
GEOGRAPHY_KEYS = ("geographyRegionOrSubregion", "geographyCountry", "geographyCountrySubdivision")


def _incoming_schema() -> dict:
    loose = copy.deepcopy(schema())
    footprint = loose["$defs"]["carbonFootprint"]
    footprint["required"] = list(INCOMING_REQUIRED)
    footprint.pop("oneOf", None)  # none (global) or one, never two
    footprint["not"] = {
        "anyOf": [
            {"required": [first, second]}
            for index, first in enumerate(GEOGRAPHY_KEYS)
            for second in GEOGRAPHY_KEYS[index + 1 :]
        ]
    }
    return loose


@cache
def _validator(incoming: bool = False) -> Draft202012Validator:
    return Draft202012Validator(_incoming_schema() if incoming else schema())


# What a pattern asks for, in words: a regular expression is no help to whoever fixes the file.
PATTERN_HINTS = {
    r"^3\.\d+\.\d+(-\d{8})?$": N_("应为规范的版本号，如 3.0.0"),
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$": N_(
        "应为 UUID，如 12345678-9abc-def0-1234-56789abcdef0"
    ),
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]00:00)$": N_(
        "应为 ISO 8601 的 UTC 日期时间，如 2025-01-01T00:00:00Z"
    ),
    r"^[uU][rR][nN]:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+$": N_(
        "应为 URN，如 urn:pact:company:customcode:vendor-assigned:1234"
    ),
    r"^[+-]?\d+(\.\d+)?$": N_('应为写成文本的十进制数，如 "0.384"（不能用科学计数法）'),
    r"^[+]?\d+(\.\d+)?$": N_('应为写成文本的非负十进制数，如 "12.5"'),
    r"^(-\d+(\.\d+)?|0+(\.0+)?)$": N_('应为写成文本的零或负十进制数，如 "-1.61"'),
    r"^[+]?(0*[1-9]\d*(\.\d+)?|0+\.\d*[1-9]\d*)$": N_('应为写成文本的正十进制数，如 "1000"'),
    r"^[+]?(100(\.0+)?|\d{1,2}(\.\d+)?)$": N_('应为写成文本的 0 到 100 之间的百分数，如 "12.9"'),
    r"^[+]?[1-5](\.\d+)?$": N_('应为写成文本的 1 到 5 之间的数据质量评分，如 "2.4"'),
    r"^[A-Z]{2}$": N_("应为 ISO 3166-1 两位字母国家代码，如 CN"),
    r"^[A-Z]{2}-[A-Z0-9]{1,3}$": N_("应为 ISO 3166-2 地区代码，如 CN-BJ"),
    r"^AR\d+$": N_("应为 IPCC 评估报告代号，如 AR6"),
}
BOUNDS = {
    "minimum": N_("不应小于 %(limit)s，现为 %(shown)s。"),
    "exclusiveMinimum": N_("应大于 %(limit)s，现为 %(shown)s。"),
    "maximum": N_("不应大于 %(limit)s，现为 %(shown)s。"),
    "exclusiveMaximum": N_("应小于 %(limit)s，现为 %(shown)s。"),
}


def _rule(pattern: str) -> Message:
    hint = PATTERN_HINTS.get(pattern)
    return Message(hint) if hint else Message(N_("不符合 PACT 技术规范 v3 规定的格式"))


def _sentences(error) -> list[Problem]:
    """One jsonschema error as problems: the path names the place (a missing or unknown key by its
    own path), so the sentence only says what is wrong there. The reader sees "path: sentence"."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    parts = list(error.absolute_path)
    path = schema_errors.pointer(parts)
    kind, value, instance = error.validator, error.validator_value, error.instance
    shown = schema_errors.show(instance)

    def at(template: str, **params) -> list[Problem]:
        return [Problem(path, Message(template, params))]

    if kind == "required":
        return [
            Problem(schema_errors.pointer([*parts, key]), Message(N_("缺少必填项，请补上。")))
            for key in value
            if isinstance(instance, dict) and key not in instance
        ]
    if kind == "additionalProperties":
        known = schema.get("properties", {})
        return [
            Problem(
                schema_errors.pointer([*parts, key]),
                Message(N_("PACT 技术规范 v3 在这里没有这一属性：请检查拼写或删除它。")),
            )
            for key in (instance if isinstance(instance, dict) else {})
            if key not in known
        ]
    if kind == "type":
        expected = [value] if isinstance(value, str) else value
        hint = PATTERN_HINTS.get(schema.get("pattern", ""))
        if hint and isinstance(instance, int | float) and not isinstance(instance, bool):
            # PACT writes every number as text; say so rather than "should be text".
            return at(N_("%(rule)s；现为 JSON 数字 %(shown)s，请加上引号。"), rule=Message(hint), shown=shown)
        names = schema_errors.TYPE_NAMES
        return at(
            N_("应为%(expected)s，现为%(actual)s %(shown)s。"),
            expected=Joined(N_("或"), tuple(Message(names.get(name, name)) for name in expected)),
            actual=Message(names.get(schema_errors.type_of(instance), schema_errors.type_of(instance))),
            shown=shown,
        )
    if kind == "enum":
        allowed = Joined(N_("、"), tuple(schema_errors.show(item) for item in value))
        return at(N_("取值 %(shown)s 不在允许范围内，应为以下之一：%(allowed)s。"), shown=shown, allowed=allowed)
    if kind == "pattern":
        return at(N_("值 %(shown)s 格式不正确：%(rule)s。"), shown=shown, rule=_rule(value))
    if kind in BOUNDS:
        return at(BOUNDS[kind], limit=schema_errors.number(value), shown=shown)
    if kind == "minItems":
        return at(N_("不能为空，至少应列出 1 项。")) if value == 1 else at(N_("至少应列出 %(count)d 项。"), count=value)
    if kind == "maxItems":
        return at(N_("最多只能列出 %(count)d 项。"), count=value)
    if kind == "uniqueItems":
        return at(N_("有重复的项，每项只能列出一次。"))
    if kind in ("minLength", "minProperties") and value == 1:
        return at(N_("不能为空。"))
    if kind == "minLength":
        return at(N_("至少应有 %(count)d 个字符。"), count=value)
    if kind == "maxLength":
        return at(N_("最多只能有 %(count)d 个字符，现有 %(length)d 个。"), count=value, length=len(instance))
    if kind == "maxProperties":
        return at(N_("最多只能有 %(count)d 个属性。"), count=value)
    if kind in ("oneOf", "not") and isinstance(instance, dict) and set(GEOGRAPHY_KEYS) & set(instance):
        return at(N_("地理范围只能给出 %(keys)s 中的一个。"), keys=_either_key())
    if kind == "oneOf" and isinstance(instance, dict):
        return at(N_("应给出地理范围：%(keys)s 中的一个。"), keys=_either_key())
    return at(N_("不符合 PACT 技术规范 v3（%(keyword)s）。"), keyword=kind)


def _either_key() -> Joined:
    return Joined(N_("、"), GEOGRAPHY_KEYS)


def validate(document, *, incoming: bool = False) -> list[Problem]:
    """Every problem of `document` as a PACT v3 ProductFootprint, sorted by place; empty when it
    fits. `incoming`: a supplier's document, held to the specification's required list only."""
    found = {
        Problem(problem.path, Message(N_("应为有限的数值，不能是 NaN 或 Infinity。")))
        for problem in schema_errors.non_finite(document)
    }
    for error in _validator(incoming).iter_errors(document):
        found.update(_sentences(error))
    if not found and isinstance(document, dict):
        found.update(_between_fields(document))
    return sorted(found, key=lambda problem: (problem.path, problem.message))


def _between_fields(document: dict) -> list[Problem]:
    """What one property says about another (the schema checks each on its own)."""
    pcf = document.get("pcf") or {}
    start, end = pcf.get("referencePeriodStart", ""), pcf.get("referencePeriodEnd", "")
    if start and end and _instant(end) < _instant(start):
        return [
            Problem(
                "/pcf/referencePeriodEnd",
                Message(N_("早于 referencePeriodStart：数据期间的结束应不早于开始。")),
            )
        ]
    return []


def _instant(text: str) -> str:
    # Both are UTC (the schema's pattern); comparing the text up to the seconds orders them.
    return text[:19]


def check(document, *, incoming: bool = False) -> None:
    """Nothing when `document` fits; else InvalidInput listing each problem with its JSON path.
    details.problems: [{"path", "message"}], the message a `Message` that whoever shows it renders
    in the reader's language (workbench.i18n.say)."""
    problems = validate(document, incoming=incoming)
    if not problems:
        return
    listed = problems[:MAX_LISTED]
    lines = Joined(
        "\n",  # one problem a line, in every language (no catalogue entry: shown as it is)
        tuple(
            Message(N_("%(path)s：%(sentence)s"), {"path": problem.path or "/", "sentence": problem.sentence})
            for problem in listed
        ),
    )
    raise InvalidInput(
        Message(N_("PACT 文件有 %(count)d 处问题：\n%(lines)s"), {"count": len(problems), "lines": lines}),
        details={"problems": [{"path": problem.path or "/", "message": problem.sentence} for problem in listed]},
    )
