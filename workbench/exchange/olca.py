"""Library factors ⇄ openLCA JSON-LD (olca-schema 2), written and read with olca-schema's own
ZipWriter and ZipReader (指引（五）: a unified format aligned with international practice).

PURE: olca-schema, pint (through workbench.factors.units) and the standard library. A factor is
the dict of `Factor.snapshot()`; `write_zip` turns factors into a JSON-LD zip, `read_zip` turns
such a zip back into factor dicts, or raises `OlcaError` naming every bad entity.

The mapping (each factor one Process, "LCI_RESULT": an aggregated value):
- Process: name = the factor's name; category "CFP workbench/<kind>"; location = a Location
  named by the factor's geography (code "CN" for 全国/中国). Tags keep what olca has no field
  for, so it comes back exactly: `workbench:code=…`, `workbench:tier=…`, `workbench:kind=…`,
  `workbench:published_on=YYYY-MM-DD`, and for a lognormal given by σ `workbench:sigma=…`.
- Exchanges, by internal id: 1 = the quantitative reference, an output of 1 <activity unit> of
  a product flow named like the factor; 2 = the factor's value, an output of <value>
  <mass unit> of an elementary flow named by the unit's gas ("CO2e", "CO2" …); 3… = the per-gas
  values (`gases`), each an output of its gas (CO2, CH4_fossil …) in the same mass unit. The
  CO2e flow is the workbench's own (no LCIA method characterises it), so a method applied in
  openLCA counts the per-gas flows only once they are mapped. The factor's unit comes back as
  "<mass unit><gas>/<activity unit>" (kgCO2e/kWh), spaces dropped.
- Units: one unit group and flow property per dimension the factors need (mass: kg; energy:
  MJ; volume: m3; length: m; area: m2; items: piece; mass×distance: t*km; anything else: its
  first unit), each holding the units used with their pint conversion factor to the reference.
- Uncertainty on exchange 2 (the engine's meaning of each form, workbench.trials.engine):
  lognormal → LOG_NORMAL_DISTRIBUTION geomMean = value, geomSd = gsd (or e^σ, σ kept in a
  tag); normal → NORMAL_DISTRIBUTION mean = value, sd; triangular → TRIANGLE_DISTRIBUTION
  minimum, mode = value, maximum; uniform → UNIFORM_DISTRIBUTION minimum, maximum. Pedigree
  scores → the exchange's dqEntry "(r;c;t;g;tech)" under the exchange DQ system "Pedigree
  matrix (ecoinvent v3)" (five indicators, scores 1–5, with ecoinvent v3's variances), and the
  same entry as the process's dqEntry; basic_variance → the exchange's baseUncertainty.
  Extension keys (x_…) of an uncertainty are not carried.
- Provenance (ProcessDocumentation): publication and first source = a Source with name and
  textReference = the factor's source, url = source_url, year = the publication year; the
  database (数据库及版本) a second Source tagged `workbench:database`; validFrom/validUntil =
  the data year's first and last day; inventoryMethodDescription = the standards (依据的标准).
Ids are UUID v5 of the codes and texts, so exporting again gives the same ids. Writing is the
library's cost (5,000 factors: 10,000 entities): entities the factors share are made once per
export (`_Export`), and each entity's JSON is written directly (`entity_json`), the same text as
olca-schema's `to_json` in a third of the time; the entries are those of its ZipWriter.
"""

import hashlib
import io
import json
import math
import uuid
import zipfile
from dataclasses import dataclass

import olca_schema as o
from olca_schema import zipio

from workbench.factors import units
from workbench.messages import N_, Message
from workbench.trials.engine.reference import PEDIGREE_INDICATORS, pedigree_variances

NAMESPACE = uuid.UUID("6f1d8a52-3c1e-5b7a-9c43-2f5e0b9d7a11")
NAMESPACE_BYTES = NAMESPACE.bytes
TAG = "workbench:"
CATEGORY = "CFP workbench"
VALUE_ID, REFERENCE_ID, FIRST_GAS_ID = 2, 1, 3
DQ_SYSTEM_NAME = "Pedigree matrix (ecoinvent v3)"
INDICATOR_NAMES = {
    "reliability": "Reliability",
    "completeness": "Completeness",
    "temporal_correlation": "Temporal correlation",
    "geographical_correlation": "Geographical correlation",
    "technological_correlation": "Further technological correlation",
}
NATIONAL = {"全国", "中国"}
# Reference unit and flow property of the dimensions factors use; others take their first unit.
REFERENCE_UNITS = (
    ("kg", "Mass"),
    ("MJ", "Energy"),
    ("m**3", "Volume"),
    ("m", "Length"),
    ("m**2", "Area"),
    ("piece", "Number of items"),
    ("t*km", "Goods transport (mass*distance)"),
)
DIMENSIONS = {str(units.activity_unit(unit).dimensionality): (unit, name) for unit, name in REFERENCE_UNITS}


def _id(*parts) -> str:
    """str(uuid.uuid5(NAMESPACE, …)) without building a UUID object (the same digits, a third of
    the time): SHA-1 of the namespace and the name, version 5 and the RFC 4122 variant set."""
    digest = bytearray(hashlib.sha1(NAMESPACE_BYTES + "\x1f".join(str(part) for part in parts).encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    digits = digest.hex()
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


@dataclass
class OlcaError(Exception):
    """The zip cannot be read as factors: `problems` names each entity and what is wrong."""

    problems: list[Message]

    def __str__(self) -> str:
        return "\n".join(problem.render() for problem in self.problems)


def _split_unit(text: str) -> tuple[str, str, str]:
    """(mass unit, gas, activity unit) of a factor unit, as written (kgCO2e/t·km → kg, CO2e, t·km)."""
    parsed = units.factor_unit(text)
    compact = " ".join(text.split()).replace(" ", "")
    head, activity = compact.split("/", 1)
    return head[: len(head) - len(parsed.gas)] or "kg", parsed.gas, activity


class _Units:
    """The unit groups and flow properties the factors need, one per dimension. Each unit text is
    parsed by pint once, and each reference made once, per export."""

    def __init__(self):
        self.groups: dict[str, tuple[str, list[str]]] = {}  # dimension → (reference unit, units)
        self.dimensions: dict[str, str] = {}  # unit text → dimension
        self.refs: dict[tuple, o.Ref] = {}

    def add(self, text: str) -> str:
        dimension = self.dimensions.get(text)
        if dimension is None:
            dimension = self.dimensions[text] = str(units.activity_unit(text).dimensionality)
        reference, names = self.groups.setdefault(dimension, (DIMENSIONS.get(dimension, (text,))[0], []))
        if text not in names:
            names.append(text)
        return dimension

    def entities(self) -> list:
        made = []
        for dimension, (reference, names) in self.groups.items():
            base = units.activity_unit(reference)
            group = o.UnitGroup(id=_id("unit-group", dimension), name=f"Units of {self.property_name(dimension)}")
            group.units = [
                o.Unit(
                    id=_id("unit", dimension, name),
                    name=name,
                    conversion_factor=units.registry.Quantity(1, units.activity_unit(name)).to(base).magnitude,
                    is_ref_unit=name == reference,
                )
                for name in [reference, *[name for name in names if name != reference]]
            ]
            prop = o.FlowProperty(
                id=_id("flow-property", dimension),
                name=self.property_name(dimension),
                flow_property_type=o.FlowPropertyType.PHYSICAL_QUANTITY,
                unit_group=group.to_ref(),
            )
            group.default_flow_property = prop.to_ref()
            made += [group, prop]
        return made

    def property_name(self, dimension: str) -> str:
        return DIMENSIONS.get(dimension, ("", f"Quantity {dimension}"))[1]

    # The references are shared by every exchange that names them: nothing changes them once made.
    def unit_ref(self, dimension: str, name: str) -> o.Ref:
        key = ("unit", dimension, name)
        if key not in self.refs:
            self.refs[key] = o.Ref(ref_type=o.RefType.Unit, id=_id(*key), name=name)
        return self.refs[key]

    def property_ref(self, dimension: str) -> o.Ref:
        key = ("flow-property", dimension)
        if key not in self.refs:
            self.refs[key] = o.Ref(ref_type=o.RefType.FlowProperty, id=_id(*key), name=self.property_name(dimension))
        return self.refs[key]


def dq_system() -> o.DQSystem:
    variances = pedigree_variances()
    return o.DQSystem(
        id=_id("dq-system", "pedigree"),
        name=DQ_SYSTEM_NAME,
        has_uncertainties=True,
        indicators=[
            o.DQIndicator(
                name=INDICATOR_NAMES[name],
                position=position,
                scores=[
                    o.DQScore(position=score, label=str(score), uncertainty=variances[name][score - 1])
                    for score in range(1, 6)
                ],
            )
            for position, name in enumerate(PEDIGREE_INDICATORS, start=1)
        ],
    )


def _uncertainty(value: float, given: dict | None) -> tuple[o.Uncertainty | None, list[str]]:
    """The olca uncertainty of the factor's value exchange, and the tags that keep its form."""
    given = given or {}
    kind, tags = given.get("distribution"), []
    if kind == "lognormal":
        if "gsd" in given:
            return o.Uncertainty(o.UncertaintyType.LOG_NORMAL_DISTRIBUTION, geom_mean=value, geom_sd=given["gsd"]), tags
        tags.append(f"{TAG}sigma={given['sigma']!r}")
        return o.Uncertainty(
            o.UncertaintyType.LOG_NORMAL_DISTRIBUTION, geom_mean=value, geom_sd=math.exp(given["sigma"])
        ), tags
    if kind == "normal":
        return o.Uncertainty(o.UncertaintyType.NORMAL_DISTRIBUTION, mean=value, sd=given["sd"]), tags
    if kind == "triangular":
        return o.Uncertainty(
            o.UncertaintyType.TRIANGLE_DISTRIBUTION, minimum=given["min"], mode=value, maximum=given["max"]
        ), tags
    if kind == "uniform":
        return o.Uncertainty(o.UncertaintyType.UNIFORM_DISTRIBUTION, minimum=given["min"], maximum=given["max"]), tags
    return None, tags


def _dq_entry(scores) -> str:
    return "(" + ";".join(str(int(score)) for score in scores) + ")"


class _Export:
    """One `write_zip` call: the entities the processes share (units, gas flows, locations,
    sources, the DQ system), each made once and referred to by the same Ref, and each unit text
    split once. Nothing here outlives the call, so two exports never share state."""

    def __init__(self):
        self.table = _Units()
        self.entities: dict[str, object] = {}  # id → shared entity, in the order first met
        self.refs: dict[tuple, o.Ref] = {}
        self.split: dict[str, tuple[str, str, str]] = {}

    def _shared(self, key: tuple, make) -> o.Ref:
        ref = self.refs.get(key)
        if ref is None:
            entity = make()
            self.entities.setdefault(entity.id, entity)
            ref = self.refs[key] = entity.to_ref()
        return ref

    def split_unit(self, text: str) -> tuple[str, str, str]:
        if text not in self.split:
            self.split[text] = _split_unit(text)
        return self.split[text]

    def gas(self, formula: str, mass_dimension: str) -> o.Ref:
        return self._shared(
            ("gas", formula),
            lambda: o.Flow(
                id=_id("gas", formula),
                name=formula,
                flow_type=o.FlowType.ELEMENTARY_FLOW,
                category=f"{CATEGORY}/Emission to air",
                flow_properties=[
                    o.FlowPropertyFactor(
                        flow_property=self.table.property_ref(mass_dimension),
                        conversion_factor=1.0,
                        is_ref_flow_property=True,
                    )
                ],
            ),
        )

    def source(self, name: str, url: str, year: int | None, *tags: str) -> o.Ref:
        return self._shared(
            ("source", name, url, year, *tags),
            lambda: o.Source(
                id=_id("source", name, url, year, *tags),
                name=name[:500],
                text_reference=name,
                url=url or None,
                year=year,
                tags=list(tags) or None,
            ),
        )

    def location(self, geography: str) -> o.Ref:
        return self._shared(
            ("location", geography),
            lambda: o.Location(
                id=_id("location", geography), name=geography, code="CN" if geography in NATIONAL else geography
            ),
        )

    def dq_system(self) -> o.Ref:
        return self._shared(("dq-system",), dq_system)


def _process(factor: dict, export: _Export) -> o.Process:
    """The factor's process; its product flow and the entities it shares go into `export`."""
    table = export.table
    code, value = factor["code"], float(factor["value"])
    mass, gas, activity = export.split_unit(factor["unit"])
    activity_dimension, mass_dimension = table.add(activity), table.add(mass)
    mass_property = table.property_ref(mass_dimension)
    product = o.Flow(
        id=_id("product", code),
        name=factor["name"],
        flow_type=o.FlowType.PRODUCT_FLOW,
        category=f"{CATEGORY}/{factor['kind']}",
        flow_properties=[
            o.FlowPropertyFactor(
                flow_property=table.property_ref(activity_dimension), conversion_factor=1.0, is_ref_flow_property=True
            )
        ],
    )
    export.entities[product.id] = product  # before the shared entities this factor brings in first
    given = factor.get("uncertainty") or {}
    uncertainty, tags = _uncertainty(value, given)
    mass_unit = table.unit_ref(mass_dimension, mass)
    reference = o.Exchange(
        internal_id=REFERENCE_ID,
        flow=product.to_ref(),
        amount=1.0,
        unit=table.unit_ref(activity_dimension, activity),
        flow_property=table.property_ref(activity_dimension),
        is_input=False,
        is_quantitative_reference=True,
    )
    output = o.Exchange(
        internal_id=VALUE_ID,
        flow=export.gas(gas, mass_dimension),
        amount=value,
        unit=mass_unit,
        flow_property=mass_property,
        is_input=False,
        uncertainty=uncertainty,
    )
    exchanges = [reference, output]
    for offset, (formula, amount) in enumerate(sorted((factor.get("gases") or {}).items())):
        exchanges.append(
            o.Exchange(
                internal_id=FIRST_GAS_ID + offset,
                flow=export.gas(formula, mass_dimension),
                amount=float(amount),
                unit=mass_unit,
                flow_property=mass_property,
                is_input=False,
                description="per-gas value of the factor (分气体数值)",
            )
        )
    process = o.Process(
        id=_id("factor", code),
        name=factor["name"],
        category=f"{CATEGORY}/{factor['kind']}",
        description=f"Factor {code}: {value!r} {factor['unit']} ({factor['kind']}, tier {factor['tier']})",
        process_type=o.ProcessType.LCI_RESULT,
        exchanges=exchanges,
        last_internal_id=len(exchanges),
    )
    if "pedigree" in given:
        output.dq_entry = process.dq_entry = _dq_entry(given["pedigree"])
        process.dq_system = process.exchange_dq_system = export.dq_system()
    if "basic_variance" in given:
        output.base_uncertainty = float(given["basic_variance"])
    tags = [f"{TAG}code={code}", f"{TAG}tier={factor['tier']}", f"{TAG}kind={factor['kind']}", *tags]
    if factor.get("published_on"):
        tags.append(f"{TAG}published_on={factor['published_on']}")
    process.tags = tags
    if factor.get("geography"):
        process.location = export.location(factor["geography"])
    year = factor.get("data_year")
    published = factor.get("published_on")
    source = export.source(factor["source"], factor.get("source_url") or "", int(published[:4]) if published else None)
    sources = [source]
    if factor.get("database"):
        sources.append(export.source(factor["database"], "", None, f"{TAG}database"))
    process.process_documentation = o.ProcessDocumentation(
        publication=source,
        sources=sources,
        valid_from=f"{year:04d}-01-01" if year else None,
        valid_until=f"{year:04d}-12-31" if year else None,
        geography_description=factor.get("geography") or None,
        inventory_method_description=factor.get("standards") or None,
    )
    return process


# --- JSON as olca-schema writes it -------------------------------------------------------------------

_escape = json.encoder.encode_basestring_ascii
_INDENTS = ["\n" + "  " * level for level in range(32)]


def _encode(value, level: int, parts: list) -> None:
    """Append json.dumps(value, indent=2)'s text of `value` at nesting `level` to `parts`: the
    standard encoder falls back to pure Python when indenting (the export's single largest cost);
    this writes the same characters directly. Anything but JSON's own types raises TypeError."""
    kind = type(value)
    if kind is str:
        parts.append(_escape(value))
    elif kind is dict:
        if not value:
            parts.append("{}")
            return
        inner = _INDENTS[level + 1]
        separator = "{" + inner
        for key, item in value.items():
            if type(key) is not str:
                raise TypeError(key)
            parts.append(separator + _escape(key) + ": ")
            _encode(item, level + 1, parts)
            separator = "," + inner
        parts.append(_INDENTS[level] + "}")
    elif kind is list:
        if not value:
            parts.append("[]")
            return
        inner = _INDENTS[level + 1]
        separator = "[" + inner
        for item in value:
            parts.append(separator)
            _encode(item, level + 1, parts)
            separator = "," + inner
        parts.append(_INDENTS[level] + "]")
    elif kind is float:
        parts.append(repr(value) if -math.inf < value < math.inf else _FLOATS.get(value, "NaN"))
    elif kind is bool:
        parts.append("true" if value else "false")
    elif kind is int:
        parts.append(int.__repr__(value))
    elif value is None:
        parts.append("null")
    else:
        raise TypeError(kind)


_FLOATS = {math.inf: "Infinity", -math.inf: "-Infinity"}


def entity_json(entity) -> str:
    """The entity's JSON exactly as olca-schema's `to_json` writes it (json.dumps, indent 2)."""
    data = entity.to_dict()
    parts: list[str] = []
    try:
        _encode(data, 0, parts)
    except (TypeError, IndexError):  # a type or a depth the fast path does not know: the library's own
        return json.dumps(data, indent=2)
    return "".join(parts)


# The folders of olca-schema 2's zip (olca_schema.zipio) for the entities an export holds.
FOLDERS = {
    o.UnitGroup: "unit_groups",
    o.FlowProperty: "flow_properties",
    o.Flow: "flows",
    o.DQSystem: "dq_systems",
    o.Location: "locations",
    o.Source: "sources",
    o.Process: "processes",
}


def write_zip(factors: list[dict]) -> bytes:
    """The factors as an openLCA JSON-LD zip, laid out as olca-schema's ZipWriter does (the same
    entries in the same order, each entity's JSON as its `to_json`), only faster."""
    export = _Export()
    processes = [_process(factor, export) for factor in factors]
    # The order of the entries: the units, each factor's product flow followed by the shared
    # entities it brought in first, then the processes.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("olca-schema.json", '{"version": 2}')
        for entity in [*export.table.entities(), *export.entities.values(), *processes]:
            archive.writestr(f"{FOLDERS[type(entity)]}/{entity.id}.json", entity_json(entity))
    return buffer.getvalue()


# --- reading ----------------------------------------------------------------------------------------


def _tags(entity) -> dict[str, str]:
    found = {}
    for tag in entity.tags or []:
        if isinstance(tag, str) and tag.startswith(TAG):
            key, _, value = tag[len(TAG) :].partition("=")
            found[key] = value
    return found


def _read_uncertainty(exchange: o.Exchange, tags: dict) -> dict | None:
    found: dict = {}
    given = exchange.uncertainty
    kind = given.distribution_type if given else None
    if kind == o.UncertaintyType.LOG_NORMAL_DISTRIBUTION:
        sigma = tags.get("sigma")
        if sigma is not None and math.isclose(math.exp(float(sigma)), given.geom_sd, rel_tol=1e-12):
            found = {"distribution": "lognormal", "sigma": float(sigma)}
        elif sigma is not None:
            found = {"distribution": "lognormal", "sigma": math.log(given.geom_sd)}
        else:
            found = {"distribution": "lognormal", "gsd": given.geom_sd}
    elif kind == o.UncertaintyType.NORMAL_DISTRIBUTION:
        found = {"distribution": "normal", "sd": given.sd}
    elif kind == o.UncertaintyType.TRIANGLE_DISTRIBUTION:
        found = {"distribution": "triangular", "min": given.minimum, "max": given.maximum}
    elif kind == o.UncertaintyType.UNIFORM_DISTRIBUTION:
        found = {"distribution": "uniform", "min": given.minimum, "max": given.maximum}
    if exchange.dq_entry:
        found["pedigree"] = [int(score) for score in exchange.dq_entry.strip("()").split(";")]
    if exchange.base_uncertainty is not None:
        found["basic_variance"] = exchange.base_uncertainty
    return found or None


def _problem(process: o.Process, template: str, **params) -> Message:
    return Message(
        N_("过程“%(name)s”（%(id)s）：%(problem)s"),
        {"name": process.name or "", "id": process.id or "", "problem": Message(template, params)},
    )


def _factor(process: o.Process, reader: zipio.ZipReader) -> dict:
    tags = _tags(process)
    exchanges = {exchange.internal_id: exchange for exchange in process.exchanges or []}
    reference, output = exchanges.get(REFERENCE_ID), exchanges.get(VALUE_ID)
    if not tags.get("code"):
        raise ValueError(N_("缺少标记 workbench:code（因子编号）"))
    if not tags.get("tier") or not tags.get("kind"):
        raise ValueError(N_("缺少标记 workbench:tier（数据来源层级）或 workbench:kind（类型）"))
    if reference is None or not reference.is_quantitative_reference or not reference.amount:
        raise ValueError(N_("内部编号 1 的交换应为非零的参考流"))
    if output is None or output.amount is None or output.flow is None or output.unit is None:
        raise ValueError(N_("内部编号 2 的交换应为因子数值（气体的排放量）"))
    if reference.unit is None or not reference.unit.name:
        raise ValueError(N_("参考流缺少单位"))
    unit = f"{output.unit.name}{output.flow.name}/{reference.unit.name}"
    try:
        units.factor_unit(unit)
    except units.UnitError as error:
        raise ValueError(error.message.render()) from None
    scale = reference.amount
    gases = {
        exchange.flow.name: exchange.amount / scale
        for internal, exchange in sorted(exchanges.items())
        if internal >= FIRST_GAS_ID and exchange.flow is not None and exchange.amount is not None
    }
    documentation = process.process_documentation or o.ProcessDocumentation()
    source = url = database = ""
    if documentation.publication is not None:
        entity = reader.read_source(documentation.publication.id)
        source = (entity.text_reference or entity.name) if entity else (documentation.publication.name or "")
        url = (entity.url or "") if entity else ""
    for ref in documentation.sources or []:
        entity = reader.read_source(ref.id)
        if entity is not None and f"{TAG}database" in (entity.tags or []):
            database = entity.text_reference or entity.name or ""
    year = documentation.valid_from[:4] if documentation.valid_from else ""
    return {
        "code": tags["code"],
        "name": process.name or "",
        "value": output.amount / scale,
        "unit": unit,
        "gases": gases or None,
        "kind": tags["kind"],
        "geography": process.location.name if process.location and process.location.name else "",
        "data_year": int(year) if year.isdecimal() else None,
        "published_on": tags.get("published_on") or None,
        "tier": tags["tier"],
        "source": source,
        "source_url": url,
        "uncertainty": _read_uncertainty(output, tags),
        "database": database,
        "standards": documentation.inventory_method_description or "",
    }


def read_zip(content: bytes) -> list[dict]:
    """The factors of a JSON-LD zip (olca-schema's ZipReader), one per process, by code; OlcaError
    naming each process that cannot be read as a factor. The caller checks the zip's size first."""
    try:
        reader = zipio.ZipReader(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise OlcaError([Message(N_("文件不是有效的 zip 压缩包。"))]) from None
    factors, problems = [], []
    with reader:
        for uid in reader.ids_of(o.Process):
            try:
                process = reader.read_process(uid)
            except Exception as error:  # olca-schema raises whatever json and its from_dict meet
                problems.append(
                    Message(N_("processes/%(id)s.json 无法读取：%(reason)s"), {"id": uid, "reason": str(error)[:200]})
                )
                continue
            if process is None:
                continue
            try:
                factors.append(_factor(process, reader))
            except ValueError as error:
                problems.append(_problem(process, str(error)))
            except Exception as error:  # a referenced entity that olca-schema cannot read
                problems.append(_problem(process, N_("引用的实体无法读取：%(reason)s"), reason=str(error)[:200]))
    if problems:
        raise OlcaError(problems)
    if not factors:
        raise OlcaError([Message(N_("压缩包中没有过程（processes/*.json），没有可导入的因子。"))])
    return sorted(factors, key=lambda factor: factor["code"])
