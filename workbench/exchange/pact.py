"""A footprint in PACT's words: the v3 ProductFootprint JSON from plain facts.

PURE. `product_footprint(FootprintFacts)` builds the document; pact_schema checks it.

Decisions written down here:
- URNs. A company is `urn:pact:company:customcode:vendor-assigned:uscc-<18-character unified
  social credit code>` when the code is known, else
  `urn:pact:company:customcode:vendor-assigned:name-<its normalised name, percent-encoded>` (the
  organisation table holds no credit code yet). A product is
  `urn:pact:product:customcode:vendor-assigned:<company key>:<product name, percent-encoded>`:
  the same company and product give the same URN in every export, which is what a recipient
  matches on. Percent-encoding keeps Chinese names within RFC 8141.
- Units. PACT knows ten units of measurement; the rule's declared unit is read by pint
  (workbench.factors.units.registry) and expressed in the PACT unit of the same dimension, the
  factor going into `declaredUnitAmount`. "t" becomes kilogram × 1000: the declared unit stays
  one tonne, so every per-declared-unit value (pcf…, fossilGhgEmissions) is the rule's own figure
  per tonne, unscaled, and productMassPerDeclaredUnit is 1000. A unit of no PACT dimension is
  refused with UnitError.
- Numbers are decimal strings of at most 12 significant digits, never in exponent form.
- A declared quantity other than one ("1000 kg", "10 m2"): the quantity is multiplied into
  declaredUnitAmount (pact_unit("10 m2") → ("square meter", 10)); the per-declared-unit values
  stay the rule's own figures per "10 m2".
- referencePeriodEnd is exclusive in v3: a period whose last day is 31 December ends at
  00:00:00Z of the next 1 January.
- Biogenic carbon: `cfp_per_unit` is pcfExcludingBiogenicUptake (fossil + biogenic emissions,
  without the product's biogenic CO2 uptake); pcfIncludingBiogenicUptake adds `biogenic_uptake`
  (≤ 0). fossilGhgEmissions is never more than pcfExcludingBiogenicUptake. Unknown values of
  optional fields (biogenicCO2Uptake, biogenicCarbonContent) are left out, never written as "0";
  fossilGhgEmissions and fossilCarbonContent are required by v3 and are left out only when the
  fossil part is not known (such a document does not pass the project's strict schema).
- packagingEmissionsIncluded and ccsTechnologicalCO2CaptureIncluded ("SHALL" in v3) are written,
  false unless a calculation says otherwise (no rule counts packaging or CCS apart today).
- Rules: productOrSectorSpecificRules is one entry, operator "Other", otherOperatorName
  "SAC/TC548" (the national committee for carbon footprint standards), ruleNames the rule numbers.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import quote

from workbench.factors.units import UnitError, registry
from workbench.messages import N_

SPEC_VERSION = "3.0.0"
RULE_OPERATOR = "SAC/TC548"
COVERAGE = "product level"
# PACT's units of measurement and how pint reads each; ordered: the first of a dimension wins,
# except where `_pact_unit` chooses between two of the same dimension.
PACT_UNITS = {
    "kilogram": "kg",
    "liter": "L",
    "cubic meter": "m**3",
    "kilowatt hour": "kWh",
    "megajoule": "MJ",
    "ton kilometer": "t*km",
    "square meter": "m**2",
    "piece": "piece",
    "hour": "hour",
}
MAX_DIGITS = 12


@dataclass(frozen=True)
class FootprintFacts:
    """Everything a ProductFootprint says, in plain values. Per-unit amounts are per the rule's
    declared unit (`declared_unit`, e.g. "t")."""

    pf_id: str
    created: datetime  # aware
    status: str  # "Active" | "Deprecated"
    company_name: str
    company_ids: list[str]
    product_ids: list[str]
    product_name: str
    product_description: str
    declared_unit: str
    cfp_per_unit: float  # kg CO2e per declared unit, fossil + biogenic emissions, uptake excluded
    fossil: float | None  # kg CO2e per declared unit; None: not known
    period_start: date
    period_end: date
    geography_kind: str  # "region" | "country" | "subdivision"
    geography: str
    rule_numbers: list[str]
    biogenic_uptake: float | None = None  # kg CO2e per declared unit, ≤ 0; None: not known
    fossil_carbon_content: float | None = None  # kg C per declared unit
    biogenic_carbon_content: float | None = None  # kg C per declared unit
    mass_per_unit: float | None = None  # kg per declared unit
    gwp_set: str = "AR6"
    cross_sectoral_standards: list[str] = field(default_factory=lambda: ["ISO14067"])
    exempted_percent: float = 0.0
    primary_data_share: float | None = None  # percent
    dqi: dict | None = None  # PACT's keys: technologicalDQR, geographicalDQR, temporalDQR (1–5)
    secondary_sources: list[dict] = field(default_factory=list)  # {"name", "version"}
    boundary_description: str = ""
    comment: str = ""
    preceding_ids: list[str] = field(default_factory=list)
    verification: dict | None = None  # certificate_number, body, date (date), scope
    validity: tuple[date, date] | None = None  # a verified declaration's (verified on, valid until)
    packaging_included: bool = False


GEOGRAPHY_KEYS = {
    "region": "geographyRegionOrSubregion",
    "country": "geographyCountry",
    "subdivision": "geographyCountrySubdivision",
}


def decimal_string(value: float) -> str:
    """A number as PACT writes it: "1000", "0.384", "-1.61"; never "1e-05" nor "-0"."""
    number = Decimal(repr(float(value)))
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value}")
    rounded = round(number, max(0, MAX_DIGITS - number.adjusted() - 1)) if number else number
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def utc_instant(value: datetime | date, *, end: bool = False) -> str:
    """ISO 8601 UTC, seconds: a date is its first second; with `end` (an exclusive end, as v3's
    referencePeriodEnd and validityPeriodEnd are), the first second of the day after it."""
    if not isinstance(value, datetime):
        value = datetime.combine(value + timedelta(days=1) if end else value, time(0, 0, 0), tzinfo=UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _key(text: str) -> str:
    return quote(" ".join((text or "").split()).casefold(), safe="")


def company_urn(organisation_name: str, code: str | None = None) -> str:
    """The company's URN (see the module docstring)."""
    if code and code.strip():
        return "urn:pact:company:customcode:vendor-assigned:uscc-" + quote(code.strip().upper(), safe="")
    return "urn:pact:company:customcode:vendor-assigned:name-" + _key(organisation_name)


def product_urn(organisation_name: str, product_name: str, code: str | None = None) -> str:
    """The product's URN: the company's key and the product's name (see the module docstring)."""
    company = ("uscc-" + quote(code.strip().upper(), safe="")) if code and code.strip() else _key(organisation_name)
    return f"urn:pact:product:customcode:vendor-assigned:{company}:{_key(product_name) or 'product'}"


_QUANTITY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(.*)$")


def declared_quantity(unit: str) -> tuple[float, str]:
    """A declared unit's quantity and unit: "1000 kg" → (1000, "kg"), "t" → (1, "t")."""
    found = _QUANTITY.match(unit or "")
    if found and found.group(2).strip():
        return float(found.group(1)), found.group(2).strip()
    return 1.0, (unit or "").strip()


def pact_unit(unit: str, quantity: float | None = None) -> tuple[str, float]:
    """The PACT unit of measurement and amount for one of the rule's declared units:
    "t" → ("kilogram", 1000), "kWh" → ("kilowatt hour", 1), "GJ" → ("megajoule", 1000). A declared
    quantity other than one, given or written before the unit ("10 m2"), multiplies the amount."""
    written, unit = declared_quantity(unit)
    quantity = written if quantity is None else quantity * written
    if not quantity > 0:
        raise UnitError(N_("声明单位“%(unit)s”的数量应大于零。"), unit=unit)
    declared = quantity
    try:
        quantity = registry.Quantity(1, registry.Unit(_readable(unit)))
    except Exception:
        raise UnitError(N_("“%(unit)s”不是可识别的单位 (%(reason)s)"), unit=unit, reason="pint") from None
    candidates = [name for name, text in PACT_UNITS.items() if quantity.check(registry.Unit(text).dimensionality)]
    if not candidates:
        raise UnitError(N_("声明单位“%(unit)s”在 PACT 的计量单位中没有对应的量纲。"), unit=unit)
    name = candidates[0]
    if name == "liter" and quantity.to("m**3").magnitude >= 1:
        name = "cubic meter"  # a cubic metre or more is said in cubic metres
    if name == "kilowatt hour" and "Wh" not in unit:
        name = "megajoule"  # heat and fuel in joules; electricity in watt-hours
    amount = float(quantity.to(registry.Unit(PACT_UNITS[name])).magnitude)
    return name, amount * declared


def _readable(unit: str) -> str:
    text = (unit or "").strip().replace("·", "*").replace("×", "*").replace("tkm", "t*km")
    return {"吨": "t", "件": "piece", "个": "piece", "台": "piece", "m3": "m**3", "m2": "m**2"}.get(text, text)


def product_footprint(facts: FootprintFacts) -> dict:
    """The PACT v3 ProductFootprint of `facts`."""
    unit_name, amount = pact_unit(facts.declared_unit)
    # Mass does not apply to energy, transport or services: 0 there, as PACT asks.
    mass = amount if unit_name == "kilogram" else facts.mass_per_unit or 0.0
    uptake = None if facts.biogenic_uptake is None else min(facts.biogenic_uptake, 0.0)
    pcf: dict = {
        "declaredUnitOfMeasurement": unit_name,
        "declaredUnitAmount": decimal_string(amount),
        "productMassPerDeclaredUnit": decimal_string(mass),
        "referencePeriodStart": utc_instant(facts.period_start),
        "referencePeriodEnd": utc_instant(facts.period_end, end=True),
        GEOGRAPHY_KEYS[facts.geography_kind]: facts.geography,
        "pcfExcludingBiogenicUptake": decimal_string(facts.cfp_per_unit),
        "pcfIncludingBiogenicUptake": decimal_string(facts.cfp_per_unit + (uptake or 0.0)),
    }
    if facts.fossil is not None:  # the fossil part, never more than the whole
        pcf["fossilGhgEmissions"] = decimal_string(min(max(facts.fossil, 0.0), max(facts.cfp_per_unit, 0.0)))
        pcf["fossilCarbonContent"] = decimal_string(facts.fossil_carbon_content or 0.0)
    elif facts.fossil_carbon_content is not None:
        pcf["fossilCarbonContent"] = decimal_string(facts.fossil_carbon_content)
    if facts.biogenic_carbon_content is not None:
        pcf["biogenicCarbonContent"] = decimal_string(facts.biogenic_carbon_content)
    if uptake is not None:
        pcf["biogenicCO2Uptake"] = decimal_string(uptake)
    pcf.update(
        {
            "packagingEmissionsIncluded": bool(facts.packaging_included),
            "ccsTechnologicalCO2CaptureIncluded": False,
            "ipccCharacterizationFactors": [facts.gwp_set or "AR6"],
            "crossSectoralStandards": list(dict.fromkeys(facts.cross_sectoral_standards)) or ["ISO14067"],
            "exemptedEmissionsPercent": decimal_string(min(max(facts.exempted_percent, 0.0), 100.0)),
        }
    )
    if facts.rule_numbers:
        pcf["productOrSectorSpecificRules"] = [
            {
                "operator": "Other",
                "otherOperatorName": RULE_OPERATOR,
                "ruleNames": list(dict.fromkeys(facts.rule_numbers)),
            }
        ]
    if facts.boundary_description:
        pcf["boundaryProcessesDescription"] = facts.boundary_description
    sources = [source for source in facts.secondary_sources if source.get("name")]
    if sources:
        pcf["secondaryEmissionFactorSources"] = [
            {"name": source["name"][:500], "version": (source.get("version") or "-")[:500]} for source in sources
        ]
    if facts.primary_data_share is not None:
        pcf["primaryDataShare"] = decimal_string(min(max(facts.primary_data_share, 0.0), 100.0))
    if facts.dqi:
        pcf["dqi"] = {key: decimal_string(min(max(value, 1.0), 5.0)) for key, value in facts.dqi.items()}
    if facts.verification:
        pcf["verification"] = _verification(facts.verification)
    document = {
        "id": facts.pf_id,
        "specVersion": SPEC_VERSION,
        "created": utc_instant(facts.created),
        "status": facts.status,
        "companyName": facts.company_name,
        "companyIds": list(dict.fromkeys(facts.company_ids)),
        "productDescription": facts.product_description,
        "productIds": list(dict.fromkeys(facts.product_ids)),
        "productNameCompany": facts.product_name,
        "pcf": pcf,
    }
    if facts.validity:
        document["validityPeriodStart"] = utc_instant(facts.validity[0])
        document["validityPeriodEnd"] = utc_instant(facts.validity[1], end=True)
    if facts.preceding_ids:
        document["precedingPfIds"] = list(dict.fromkeys(facts.preceding_ids))
    if facts.comment:
        document["comment"] = facts.comment
    return document


def _verification(verification: dict) -> dict:
    shown = {"coverage": COVERAGE, "providerName": verification.get("body") or "-"}
    if verification.get("date"):
        shown["completedAt"] = utc_instant(verification["date"])
    if verification.get("standard"):
        shown["standardName"] = verification["standard"]
    comments = "; ".join(
        part
        for part in (
            f"certificate {verification['certificate_number']}" if verification.get("certificate_number") else "",
            f"scope: {verification['scope']}" if verification.get("scope") else "",
        )
        if part
    )
    if comments:
        shown["comments"] = comments
    return shown
