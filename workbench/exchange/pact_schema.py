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

`validate(document)` lists the problems (a JSON pointer such as "/pcf/declaredUnitAmount" and a
sentence saying what to fix, worded by workbench.schema_errors); `check(document)` raises
InvalidInput listing each with its path.
"""

import copy
import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

from workbench import schema_errors
from workbench.errors import InvalidInput
from workbench.messages import N_, Message
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


class _Places:
    """A place is named by its JSON pointer: PACT's property names are what both sides read."""

    def place(self, parts: list) -> Message:
        if not parts:
            return Message(N_("PACT 文件"))
        return Message(N_("%(path)s"), {"path": schema_errors.pointer(parts)})

    def field(self, parts: list, key: str) -> Message:
        return Message(N_("「%(key)s」"), {"key": key})

    def labels(self, parts: list, schema: dict) -> dict:
        return {}


def validate(document, *, incoming: bool = False) -> list[Problem]:
    """Every problem of `document` as a PACT v3 ProductFootprint, sorted by place; empty when it
    fits. `incoming`: a supplier's document, held to the specification's required list only."""
    places = _Places()
    found = set(schema_errors.non_finite(document))
    for error in _validator(incoming).iter_errors(document):
        found.update(schema_errors.problems(error, places))
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
                Message(N_("/pcf/referencePeriodEnd 早于 referencePeriodStart：数据期间的结束应不早于开始。")),
            )
        ]
    return []


def _instant(text: str) -> str:
    # Both are UTC (the schema's pattern); comparing the text up to the seconds orders them.
    return text[:19]


def check(document, *, incoming: bool = False) -> None:
    """Nothing when `document` fits; else InvalidInput listing each problem with its JSON path."""
    problems = validate(document, incoming=incoming)
    if not problems:
        return
    listed = problems[:MAX_LISTED]
    lines = "\n".join(f"{problem.path or '/'}: {problem.message}" for problem in listed)
    raise InvalidInput(
        Message(
            N_("PACT 文件有 %(count)d 处问题：\n%(lines)s"),
            {"count": len(problems), "lines": lines},
        ),
        details={"problems": [{"path": problem.path or "/", "message": problem.message} for problem in listed]},
    )
