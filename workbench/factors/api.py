"""The factor library under /api/v1: the same services as the pages, documented in the OpenAPI
file.

Factors are public to read and kept by administrators and the secretariat; a change makes a new
version, and calculations keep naming the version they used. A factor's uncertainty has the shape
a trial dataset's factor has (`trials.dataset`), so a library factor and one written into a
dataset are described alike.
"""

from datetime import date

from flask import jsonify, url_for
from flask_babel import gettext as _

from workbench import schema_errors
from workbench.api.spec import PAGING, created, page_of, paginated, query_choice, ref, spec
from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action
from workbench.dates import iso
from workbench.db import db
from workbench.errors import InvalidInput, NotFound
from workbench.factors import service
from workbench.factors import uncertainty as uncertainties
from workbench.factors.models import Factor, FactorKind, Tier
from workbench.web import text_arg

# --- schemas ----------------------------------------------------------------------------------------

_timestamp = {"type": "string", "format": "date-time"}
_optional_timestamp = {"type": ["string", "null"], "format": "date-time"}
_gases = {
    "type": ["object", "null"],
    "additionalProperties": {"type": "number"},
    "description": "Per-gas values in the mass unit of the factor's unit per activity unit, e.g. "
    '{"CO2": 0.58, "CH4": 0.00001}; the CO2e value is then recomputed with the rule\'s GWP set',
}
# The same uncertainty shape a dataset's factor takes (distribution and/or pedigree scores).
_uncertainty = {
    **uncertainties.SCHEMA,
    "type": ["object", "null"],
}
_factor_fields = {
    "code": {
        "type": "string",
        "minLength": 1,
        "maxLength": 80,
        "description": 'Unique; datasets use it as {"id": code}',
    },
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "value": {"type": "number", "description": "Non-negative, in `unit`"},
    "unit": {"type": "string", "minLength": 1, "maxLength": 60, "examples": ["kgCO2e/kWh", "kgCO2/kg"]},
    "kind": {"enum": [kind.value for kind in FactorKind]},
    "tier": {
        "enum": [tier.value for tier in Tier],
        "description": "指引（五）: measured and verified > government > industry > literature",
    },
    "source": {"type": "string", "minLength": 1, "maxLength": 500, "description": "Document, number, page"},
    "geography": {"type": "string", "maxLength": 100},
    "data_year": {"type": ["integer", "null"]},
    "published_on": {
        "type": ["string", "null"],
        "anyOf": [{"format": "date"}, {"const": ""}],
        "description": "YYYY-MM-DD; empty or null when unknown",
    },
    "source_url": {"type": "string", "maxLength": 500},
    "database": {"type": "string", "maxLength": 200},
    "standards": {"type": "string", "maxLength": 300},
    "note": {"type": "string", "maxLength": 4000},
    "gases": _gases,
    "uncertainty": _uncertainty,
}
_version = {
    "type": "integer",
    "description": "The version the change was made against; 409 stale_version if changed since",
}
_reason = {"type": "string", "maxLength": 1000, "description": "Recorded in the audit trail"}

spec.add_components(
    {
        "Factor": {
            "type": "object",
            "required": [*_factor_fields, "id", "archived_at", "version"],
            "properties": {
                **_factor_fields,
                "id": {"type": "integer"},
                "archived_at": _optional_timestamp,
                "version": {"type": "integer"},
            },
        },
        "FactorWithVersions": {
            "allOf": [
                ref("Factor"),
                {
                    "type": "object",
                    "required": ["versions"],
                    "properties": {
                        "versions": {
                            "type": "array",
                            "description": "Every version the factor has had, oldest first",
                            "items": {
                                "type": "object",
                                "required": ["id", "version", "recorded_at", "snapshot"],
                                "properties": {
                                    "id": {"type": "integer"},
                                    "version": {"type": "integer"},
                                    "recorded_at": _timestamp,
                                    "snapshot": {"type": "object", "description": "The factor as it was"},
                                },
                            },
                        }
                    },
                },
            ]
        },
        "FactorCreate": {
            "type": "object",
            "required": ["code", "name", "value", "unit", "kind", "tier", "source"],
            "additionalProperties": False,
            "properties": _factor_fields,
        },
        "FactorUpdate": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": False,
            "properties": {**_factor_fields, "reason": _reason, "version": _version},
        },
    }
)

_FACTOR_FILTERS = [
    {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "Name, code or source text"},
    {"name": "unit", "in": "query", "schema": {"type": "string"}, "description": "Exactly, e.g. kgCO2e/kWh"},
    {"name": "geography", "in": "query", "schema": {"type": "string"}},
    {"name": "tier", "in": "query", "schema": {"enum": [tier.value for tier in Tier]}},
    {"name": "kind", "in": "query", "schema": {"enum": [kind.value for kind in FactorKind]}},
]

# --- shapes -----------------------------------------------------------------------------------------


def factor_json(factor: Factor, *, versions: bool = False) -> dict:
    shape = {
        "id": factor.id,
        "code": factor.code,
        "name": factor.name,
        "value": factor.value,
        "unit": factor.unit,
        "kind": factor.kind.value,
        "tier": factor.tier.value,
        "source": factor.source,
        "geography": factor.geography,
        "data_year": factor.data_year,
        "published_on": iso(factor.published_on),
        "source_url": factor.source_url,
        "database": factor.database,
        "standards": factor.standards,
        "note": factor.note,
        "gases": factor.gases,
        "uncertainty": factor.uncertainty,
        "archived_at": iso(factor.archived_at),
        "version": factor.version,
    }
    if versions:
        shape["versions"] = [
            {
                "id": item.id,
                "version": item.version,
                "recorded_at": item.recorded_at.isoformat(),
                "snapshot": item.snapshot,
            }
            for item in factor.versions
        ]
    return shape


# --- helpers ----------------------------------------------------------------------------------------


def _factor_or_404(factor_id: int) -> Factor:
    factor = db.session.get(Factor, factor_id)
    if factor is None:
        raise NotFound(_("因子 %(id)s 不存在。", id=factor_id))
    return factor


def _refuse_non_finite(body: dict) -> None:
    """Refuse NaN and Infinity in a factor body (Python's JSON reader and JSON Schema's "number"
    accept them); datasets get the same check, worded by line, from `dataset.validate`."""
    paths = [problem.path for problem in schema_errors.non_finite(body)]
    if not paths:
        return
    message = _("应为有限的数值，不能是 NaN 或 Infinity。")
    raise InvalidInput(
        _("请求体不符合接口要求：%(first)s", first=f"{paths[0]} {message}"),
        details={"errors": [{"pointer": path, "message": message} for path in paths]},
    )


def _published_on(body: dict, current: date | None) -> date | None:
    if "published_on" not in body:
        return current
    text = body["published_on"]
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        message = _("%(field)s 不是日期（YYYY-MM-DD）。", field="published_on")
        raise InvalidInput(message, details={"published_on": message}) from None


def _factor_input(body: dict, factor: Factor | None = None) -> service.FactorInput:
    """The factor's fields with the body's changes (all of them for a new factor)."""
    current = factor_json(factor) if factor is not None else {}

    def value(key, default=""):
        return body.get(key, current.get(key, default))

    return service.FactorInput(
        code=value("code"),
        name=value("name"),
        value=value("value", None),
        unit=value("unit"),
        kind=value("kind"),
        tier=value("tier"),
        source=value("source"),
        geography=value("geography"),
        data_year=value("data_year", None),
        published_on=_published_on(body, factor.published_on if factor is not None else None),
        source_url=value("source_url"),
        database=value("database"),
        standards=value("standards"),
        note=value("note"),
        gases=value("gases", None),
        uncertainty=value("uncertainty", None),
    )


# --- operations -------------------------------------------------------------------------------------


@spec.operation(
    "/factors",
    "GET",
    summary="The factor library, filtered like the factor list page",
    tag="factors",
    public=True,
    parameters=[*PAGING, *_FACTOR_FILTERS],
    responses={200: ("A page of factors (archived ones left out)", page_of("Factor"))},
)
def list_factors():
    require(Action.VIEW_FACTORS)
    filters = service.FactorFilters(
        text=text_arg("q"),
        unit=text_arg("unit", 60),
        geography=text_arg("geography", 100),
        tier=query_choice("tier", {tier.value for tier in Tier}) or "",
        kind=query_choice("kind", {kind.value for kind in FactorKind}) or "",
    )
    return paginated(service.search(filters), factor_json)


@spec.operation(
    "/factors/<id:factor_id>",
    "GET",
    summary="One factor with every version it has had",
    tag="factors",
    public=True,
    responses={200: ("The factor", ref("FactorWithVersions"))},
)
def get_factor(factor_id: int):
    require(Action.VIEW_FACTORS)
    return jsonify(factor_json(_factor_or_404(factor_id), versions=True))


@spec.operation(
    "/factors",
    "POST",
    summary="Add a factor to the library (a duplicate code is refused with 422)",
    tag="factors",
    body=ref("FactorCreate"),
    authorise=lambda: require(Action.MANAGE_FACTORS),
    responses={201: ("The new factor and its first version", ref("FactorWithVersions"))},
)
def create_factor(body: dict):
    require(Action.MANAGE_FACTORS)
    _refuse_non_finite(body)
    factor = service.create_factor(db.session, _factor_input(body), by=current_principal())
    return created(factor_json(factor, versions=True), url_for(".get_factor", factor_id=factor.id))


@spec.operation(
    "/factors/<id:factor_id>",
    "PATCH",
    summary="Change a factor: a new version; calculations keep naming the version they used",
    tag="factors",
    body=ref("FactorUpdate"),
    authorise=lambda factor_id: require(Action.MANAGE_FACTORS),
    responses={200: ("The changed factor", ref("FactorWithVersions"))},
)
def update_factor(factor_id: int, body: dict):
    require(Action.MANAGE_FACTORS)
    factor = _factor_or_404(factor_id)
    _refuse_non_finite(body)
    service.update_factor(
        db.session,
        factor,
        _factor_input(body, factor),
        by=current_principal(),
        reason=body.get("reason"),
        expected_version=body.get("version"),
    )
    db.session.flush()
    db.session.expire(factor, ["versions"])  # the version just written
    return jsonify(factor_json(factor, versions=True))
