"""A supplier's PACT v3 ProductFootprint, read into the workbench's terms.

PURE. The document is checked against the project's schema first (pact_schema.check: every
problem named by its JSON path); then the declared unit goes back from PACT's unit and amount to
a unit the workbench reads ("kilogram" × 1000 → "t", "kilowatt hour" × 1 → "kWh"; any other
amount: the value is scaled to one PACT unit). The value kept is pcfExcludingBiogenicUptake,
the figure a library factor of kind cfp_life_cycle stands for.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

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


def read(document) -> SupplierFootprint:
    """The supplier's footprint; InvalidInput naming the JSON path of every problem."""
    pact_schema.check(document)
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
            details={"problems": [{"path": "/pcf/declaredUnitOfMeasurement", "message": unit}]},
        )
    if value < 0:
        raise InvalidInput(
            Message(N_("/pcf/pcfExcludingBiogenicUptake：因子数值不能为负。")),
            details={"problems": [{"path": "/pcf/pcfExcludingBiogenicUptake", "message": str(value)}]},
        )
    kind, geography = next(((kind, pcf[key]) for key, kind in GEOGRAPHY if key in pcf), ("", ""))
    rules = [name for rule in pcf.get("productOrSectorSpecificRules", []) for name in rule.get("ruleNames", [])]
    verification = pcf.get("verification")
    return SupplierFootprint(
        pf_id=document["id"].lower(),
        company_name=document["companyName"],
        product_name=document["productNameCompany"],
        declared_unit=declared,
        value_per_unit=float(value),
        period_start=date.fromisoformat(pcf["referencePeriodStart"][:10]),
        period_end=date.fromisoformat(pcf["referencePeriodEnd"][:10]),
        geography_kind=kind,
        geography=geography,
        rule_numbers=rules,
        verified=bool(verification),
        verification=dict(verification) if verification else None,
        status=document["status"],
        company_ids=tuple(document["companyIds"]),
        gwp_sets=tuple(pcf["ipccCharacterizationFactors"]),
        standards=tuple(pcf["crossSectoralStandards"]),
    )
