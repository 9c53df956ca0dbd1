"""A supplier's PACT v3 ProductFootprint, read into the workbench's terms.

PURE. A file is measured before it is parsed (`read_bytes`: MAX_BYTES, then the nesting depth
through workbench.json_input, then the JSON), the one limit of a PACT file for the import page and
the declarations. The document is checked against the project's schema first, with the
specification's own required list (pact_schema.check(incoming=True): every problem named by its
JSON path; a footprint with no geography is global, the factor's geography "全球");
referencePeriodEnd is exclusive, so an end at 00:00:00 means the day before is the last day; then the declared unit goes back from PACT's unit and amount to
a unit the workbench reads ("kilogram" × 1000 → "t", "kilowatt hour" × 1 → "kWh"; any other
amount: the value is scaled to one PACT unit). The value kept is pcfExcludingBiogenicUptake,
the figure a library factor of kind cfp_life_cycle stands for.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from workbench import json_input
from workbench.errors import InvalidInput
from workbench.exchange import pact_schema
from workbench.messages import N_, Message

# PACT's units in the workbench's words, and named multiples kept as such (a tonne stays "t").
WORKBENCH_UNITS = {
    "kilogram": "kg",
    "liter": "L",
    "cubic meter": "m3",
    "kilowatt hour": "kWh",
    "megajoule": "MJ",
    "ton kilometer": "t*km",
    "square meter": "m2",
    "piece": "piece",
    "hour": "h",
}
MULTIPLES = {
    ("kilogram", Decimal(1000)): "t",
    ("megajoule", Decimal(1000)): "GJ",
    ("kilowatt hour", Decimal(1000)): "MWh",
}
GEOGRAPHY = (
    ("geographyCountrySubdivision", "subdivision"),
    ("geographyCountry", "country"),
    ("geographyRegionOrSubregion", "region"),
)


MAX_BYTES = 512 * 1024  # a ProductFootprint is a few kilobytes; more is not one footprint
GLOBAL = "全球"


def read_bytes(content: bytes) -> dict:
    """A PACT file's JSON: its size, then its nesting depth, then the JSON itself; InvalidInput
    saying what is wrong (read at most MAX_BYTES + 1 bytes of an upload to call this)."""
    if len(content) > MAX_BYTES:
        raise InvalidInput(
            Message(
                N_("文件超过 %(size)d KB，不像一个 PACT 碳足迹：请只上传一个 ProductFootprint。"),
                {"size": MAX_BYTES // 1024},
            )
        )
    try:
        document = json_input.loads(content.decode("utf-8-sig"))
    except json_input.NestedTooDeeply as error:
        raise InvalidInput(Message(N_("文件的 JSON 嵌套超过 %(max)d 层，无法处理。"), {"max": error.limit})) from None
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput(
            Message(N_("文件不是 UTF-8 编码的 JSON：请上传供应商提供的 PACT 碳足迹 JSON 文件。"))
        ) from None
    if not isinstance(document, dict):
        raise InvalidInput(Message(N_("文件应是一个 PACT ProductFootprint（JSON 对象）。")))
    return document


def last_day(instant: str) -> date:
    """The last day of a period whose exclusive end is `instant`: midnight means the day before."""
    day = date.fromisoformat(instant[:10])
    return day - timedelta(days=1) if instant[11:19] == "00:00:00" else day


@dataclass(frozen=True)
class SupplierFootprint:
    pf_id: str
    company_name: str
    product_name: str
    declared_unit: str  # a unit the workbench reads: "t", "kWh", "kg"
    value_per_unit: float  # kg CO2e per declared unit
    period_start: date
    period_end: date
    geography_kind: str
    geography: str
    rule_numbers: list[str]
    verified: bool
    verification: dict | None
    status: str = "Active"
    company_ids: tuple[str, ...] = ()
    gwp_sets: tuple[str, ...] = ()
    standards: tuple[str, ...] = ()
    declared_as: str = ""  # the declared unit with its quantity, as pact.pact_unit reads it: "10 m2"


def read(document) -> SupplierFootprint:
    """The supplier's footprint; InvalidInput naming the JSON path of every problem."""
    pact_schema.check(document, incoming=True)
    pcf = document["pcf"]
    unit, amount = pcf["declaredUnitOfMeasurement"], Decimal(pcf["declaredUnitAmount"])
    value = Decimal(pcf["pcfExcludingBiogenicUptake"])
    named = MULTIPLES.get((unit, amount))
    if named:
        declared = named
    elif amount == 1:
        declared = WORKBENCH_UNITS.get(unit)
    else:
        declared, value = WORKBENCH_UNITS.get(unit), value / amount  # per one PACT unit
    if declared is None:
        raise InvalidInput(
            Message(N_("/pcf/declaredUnitOfMeasurement：单位“%(unit)s”无法换算为因子库的单位。"), {"unit": unit}),
            details={
                "problems": [
                    {
                        "path": "/pcf/declaredUnitOfMeasurement",
                        "message": Message(N_("单位“%(unit)s”无法换算为因子库的单位。"), {"unit": unit}),
                    }
                ]
            },
        )
    if value < 0:
        raise InvalidInput(
            Message(N_("/pcf/pcfExcludingBiogenicUptake：因子数值不能为负。")),
            details={
                "problems": [{"path": "/pcf/pcfExcludingBiogenicUptake", "message": Message(N_("因子数值不能为负。"))}]
            },
        )
    kind, geography = next(((kind, pcf[key]) for key, kind in GEOGRAPHY if key in pcf), ("global", GLOBAL))
    declared_as = named or (declared if amount == 1 else f"{_plain(amount)} {WORKBENCH_UNITS[unit]}")
    rules = [name for rule in pcf.get("productOrSectorSpecificRules", []) for name in rule.get("ruleNames", [])]
    verification = pcf.get("verification")
    return SupplierFootprint(
        pf_id=document["id"].lower(),
        company_name=document["companyName"],
        product_name=document["productNameCompany"],
        declared_unit=declared,
        value_per_unit=float(value),
        period_start=date.fromisoformat(pcf["referencePeriodStart"][:10]),
        period_end=max(last_day(pcf["referencePeriodEnd"]), date.fromisoformat(pcf["referencePeriodStart"][:10])),
        geography_kind=kind,
        geography=geography,
        rule_numbers=rules,
        verified=bool(verification),
        verification=dict(verification) if verification else None,
        status=document["status"],
        company_ids=tuple(document["companyIds"]),
        gwp_sets=tuple(pcf["ipccCharacterizationFactors"]),
        standards=tuple(pcf["crossSectoralStandards"]),
        declared_as=declared_as,
    )


def _plain(amount: Decimal) -> str:
    text = format(amount.normalize(), "f")
    return text
