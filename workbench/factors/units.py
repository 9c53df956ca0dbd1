"""Units for factors and activity data, read by pint (no hand-written conversion tables).

A factor unit is "<mass><gas>/<activity unit>", e.g. kgCO2e/kWh, kgCO2/kg, tCO2e/t·km, kgCF4/t:
the mass of a gas per unit of activity. The gas is CO2e or any formula of the GWP tables (CO2,
CH4_fossil, N2O, SF6, CF4, c-C4F8, HFC-134a …: `reference.gas_formulas`). The activity unit is
anything pint reads, plus piece (件、个) and t·km (tonne-kilometre of transport).

A mass of gas ("kg CF4", "t SF6", "g N2O", "kgCO2e") is the unit of a direct emission: `gas_mass`
reads it. The gas is matched as written (case matters: "CF4", not "cf4"), so no unit pint knows is
taken for a gas.
"""

import contextlib
import re
from dataclasses import dataclass
from functools import lru_cache

import pint

from workbench.factors.reference import gas_formulas
from workbench.messages import N_, Joined, Message

registry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True, on_redefinition="ignore")
registry.define("piece = [piece] = pc = pcs")
registry.define("件 = piece")
registry.define("个 = piece")
registry.define("台 = piece")
registry.define("吨 = t")
registry.define("千瓦时 = kWh")
# Units of Chinese statistics and energy accounts that pint does not know (or reads otherwise:
# pint's "kt" is a knot).
registry.define("kilotonne = 1000 * t = kt")
registry.define("tkm = t * km")
registry.define("万t = 10000 * t")
registry.define("万kWh = 10000 * kWh")
registry.define("Nm3 = m**3")  # normal cubic metre (0 °C, 101.325 kPa), as gas volumes are reported


class UnitError(ValueError):
    """A unit that cannot be read or converted; `message` says which, in the reader's language."""

    def __init__(self, template: str, **params):
        self.message = Message(template, params)
        super().__init__(self.message.render())


# Longest first, so that CO2e is not read as CO2 and CH4_fossil not as CH4.
GASES = ("CO2e", *sorted(gas_formulas(), key=lambda formula: (-len(formula), formula)))
_GAS = "|".join(re.escape(gas) for gas in GASES)
_FACTOR = re.compile(rf"^(?P<mass>[A-Za-zμ]*?)(?P<gas>{_GAS})?/(?P<activity>.+)$")
_GAS_MASS = re.compile(rf"^(?P<mass>[^\s/]*?)\s*(?P<gas>{_GAS})$")


@dataclass(frozen=True)
class FactorUnit:
    mass: pint.Unit  # of the gas, e.g. kg
    gas: str  # CO2e, CO2, …
    activity: pint.Unit  # per what, e.g. kWh


# What a refused unit's message offers instead: the units trial data and factors use most.
UNIT_EXAMPLES = Joined(N_("、"), ("t", "kg", "kWh", "MWh", "GJ", "MJ", "m3", "Nm3", "km", "t·km", Message(N_("件"))))


def _unit(text: str) -> pint.Unit:
    """The pint unit of `text`; UnitError naming the unit as written, with units to use instead
    (never pint's own English sentence)."""
    written = text.strip()
    with contextlib.suppress(Exception):
        return registry.Unit(written)  # a unit pint knows as written (Nm3, kWh, 万t)
    text = written.replace("·", "*").replace("•", "*").replace("×", "*").replace("²", "**2").replace("³", "**3")
    text = re.sub(r"(?<=[A-Za-z])([23])\b", r"**\1", text)  # m3, km2 as written in Chinese statistics
    try:
        return registry.Unit(text)
    except pint.errors.UndefinedUnitError:
        raise UnitError(
            N_("未知单位“%(unit)s”：请使用 %(examples)s 等单位"), unit=written, examples=UNIT_EXAMPLES
        ) from None
    except (pint.errors.DefinitionSyntaxError, AttributeError, TypeError, ValueError):
        raise UnitError(
            N_("单位“%(unit)s”的写法无法识别：请写作 %(examples)s 等单位，复合单位如 t·km"),
            unit=written,
            examples=UNIT_EXAMPLES,
        ) from None


@lru_cache(maxsize=1024)
def factor_unit(text: str) -> FactorUnit:
    """Read a factor unit; UnitError with a sentence when it cannot be read."""
    match = _FACTOR.match(" ".join(text.split()).replace(" ", ""))
    if match is None or not match["gas"]:
        raise UnitError(N_("因子单位应写作“质量+气体/活动单位”，如 kgCO2e/kWh、kgCO2/kg"))
    mass = _unit(match["mass"] or "kg")
    if mass.dimensionality != registry.kg.dimensionality:
        raise UnitError(N_("“%(unit)s”不是质量单位"), unit=match["mass"])
    return FactorUnit(mass, match["gas"], _unit(match["activity"]))


@lru_cache(maxsize=1024)
def gas_mass(text: str) -> tuple[float, str] | None:
    """(kilograms per unit, gas) when `text` is a mass of a gas ("kg CF4", "tSF6", "g N2O",
    "kgCO2e"); None otherwise."""
    match = _GAS_MASS.match(text.strip())
    if match is None or not match["mass"]:
        return None
    try:
        mass = _unit(match["mass"])
    except UnitError:
        return None
    if mass.dimensionality != registry.kg.dimensionality:
        return None
    return registry.Quantity(1, mass).to("kg").magnitude, match["gas"]


@lru_cache(maxsize=1024)
def activity_unit(text: str) -> pint.Unit:
    return _unit(text)


def conversion(from_unit: str, to_unit: pint.Unit) -> float:
    """How many `to_unit` one `from_unit` is; UnitError naming both when they do not convert."""
    source = activity_unit(from_unit)
    try:
        return registry.Quantity(1, source).to(to_unit).magnitude
    except pint.errors.DimensionalityError:
        raise UnitError(N_("“%(unit)s”不能换算为“%(target)s”"), unit=from_unit, target=f"{to_unit:~}") from None
