"""PACT footprints in the JSON API (/api/v1): a calculation's ProductFootprint, a supplier's
footprint into the factor library, and the enterprise's shared footprints. The same services as
the pages (footprints.py).

The import's body is the ProductFootprint itself. The operation's schema only bounds it (an
object nested at most json_input.MAX_DEPTH levels, within the upload limit, its property names
short); at most MAX_PROPERTIES properties is checked by the operation itself, so that the
refusal names the limit instead of repeating the submitted object (as the schema validator's
"… has too many properties" would); the project's PACT schema then checks it, and a refusal answers 422
`invalid_input` with every problem's JSON path in `details.problems` — the paths a supplier's own
system names.
"""

from flask import jsonify, url_for
from flask_babel import gettext as _

from workbench.api.spec import PAGING, created, page_of, paginated, ref, spec
from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action
from workbench.db import db
from workbench.errors import InvalidInput, NotFound
from workbench.exchange import footprints
from workbench.exchange.models import FootprintStatus, SharedFootprint
from workbench.factors.models import Factor
from workbench.i18n import say
from workbench.trials.models import Calculation

MAX_PROPERTIES = 100  # a ProductFootprint has 20 or so; extensions of other systems besides

_product_footprint = {
    "type": "object",
    "maxProperties": MAX_PROPERTIES,
    "propertyNames": {"maxLength": 100},
    "description": "A PACT Technical Specifications v3 ProductFootprint (every real number a decimal string, "
    "dates ISO 8601 UTC), as the project's schema data/pact-product-footprint-3.0.schema.json describes it",
}

_import_body = {key: value for key, value in _product_footprint.items() if key != "maxProperties"} | {
    "description": _product_footprint["description"] + f"; at most {MAX_PROPERTIES} properties"
}

spec.add_components(
    {
        "ProductFootprint": _product_footprint,
        "ImportedFactor": {
            "type": "object",
            "required": ["id", "code", "name", "value", "unit", "kind", "tier", "source", "version"],
            "properties": {
                "id": {"type": "integer"},
                "code": {"type": "string"},
                "name": {"type": "string"},
                "value": {"type": "number"},
                "unit": {"type": "string"},
                "kind": {"type": "string"},
                "tier": {"type": "string"},
                "source": {"type": "string"},
                "geography": {"type": ["string", "null"]},
                "data_year": {"type": ["integer", "null"]},
                "database": {"type": ["string", "null"]},
                "standards": {"type": ["string", "null"]},
                "note": {"type": ["string", "null"]},
                "version": {"type": "integer"},
            },
        },
        "SharedFootprint": {
            "type": "object",
            "required": ["id", "pf_id", "status", "product_name", "calculation_id", "declaration_id", "created_at"],
            "properties": {
                "id": {"type": "integer"},
                "pf_id": {"type": "string", "format": "uuid"},
                "status": {"enum": [status.value for status in FootprintStatus]},
                "product_name": {"type": "string"},
                "calculation_id": {"type": ["integer", "null"]},
                "declaration_id": {"type": ["integer", "null"]},
                "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"},
                "document": ref("ProductFootprint"),
            },
        },
    }
)


def imported_factor_json(factor: Factor) -> dict:
    """The factor as a calculation sees it (its snapshot), with its id and version: the fields of
    the factors API's shape (its full shape, with every version, is at the Location given)."""
    return {"id": factor.id, **factor.snapshot(), "note": factor.note, "version": factor.version}


def shared_json(row: SharedFootprint) -> dict:
    return {
        "id": row.id,
        "pf_id": row.pf_id,
        "status": FootprintStatus(row.status).value,
        "product_name": row.product_name,
        "calculation_id": row.calculation_id,
        "declaration_id": row.declaration_id,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "document": row.document,
    }


def _calculation(calculation_id: int) -> Calculation:
    calculation = db.session.get(Calculation, calculation_id)
    if calculation is None:
        raise NotFound(_("没有这次计算。"))
    return calculation


def _own_footprint(footprint_id: int) -> SharedFootprint:
    footprint = db.session.get(SharedFootprint, footprint_id)
    # Another enterprise's footprint is "no such record": its existence is not told.
    if footprint is None or footprint.organisation_id != current_principal().organisation_id:
        raise NotFound(_("没有这一共享碳足迹。"))
    return footprint


@spec.operation(
    "/calculations/<id:calculation_id>/pact",
    "GET",
    summary="A calculation of record as a PACT v3 ProductFootprint (the same id every time)",
    tag="pact",
    responses={200: ("The ProductFootprint", ref("ProductFootprint"))},
)
def get_calculation_pact(calculation_id: int):
    calculation = _calculation(calculation_id)
    return jsonify(footprints.calculation_document(db.session, calculation, by=current_principal()))


@spec.operation(
    "/pact/import",
    "POST",
    summary="A supplier's PACT v3 ProductFootprint into the factor library (the same footprint id again: "
    "a new version of that factor); 422 lists each problem's JSON path",
    tag="pact",
    body=_import_body,
    authorise=lambda: require(Action.IMPORT_FOOTPRINT),
    responses={
        201: ("The factor created or updated (Location: its address in the factors API)", ref("ImportedFactor"))
    },
)
def import_pact(body: dict):
    if len(body) > MAX_PROPERTIES:
        raise InvalidInput(
            _(
                "PACT 碳足迹最多有 %(max)d 个属性，所提交的有 %(count)d 个：请只提交一个 ProductFootprint。",
                max=MAX_PROPERTIES,
                count=len(body),
            )
        )
    try:
        factor = footprints.import_as_factor(db.session, body, by=current_principal())
    except InvalidInput as error:
        problems = (error.details or {}).get("problems")
        if not problems:
            raise
        # Sentences in the reader's language; the paths as they are.
        raise InvalidInput(
            say(error.message),
            details={"problems": [{"path": item["path"], "message": say(item["message"])} for item in problems]},
        ) from None
    return created(imported_factor_json(factor), url_for(".get_factor", factor_id=factor.id))


@spec.operation(
    "/shared-footprints",
    "GET",
    summary="The footprints the caller's enterprise shares with its partners, newest first",
    tag="pact",
    parameters=PAGING,
    responses={200: ("A page of shared footprints", page_of("SharedFootprint"))},
)
def list_shared_footprints():
    require(Action.SHARE_FOOTPRINT)
    query = footprints.shared_footprints(db.session, current_principal().organisation_id)
    return paginated(query, shared_json)


@spec.operation(
    "/calculations/<id:calculation_id>/share",
    "POST",
    summary="Share a calculation of record of the enterprise's own trial (sharing it again answers the same "
    "row; the trial's footprint shared before is deprecated)",
    tag="pact",
    authorise=lambda calculation_id: require(Action.SHARE_FOOTPRINT),
    responses={201: ("The shared footprint", ref("SharedFootprint"))},
)
def share_calculation(calculation_id: int):
    row = footprints.share_calculation(db.session, _calculation(calculation_id), by=current_principal())
    return created(shared_json(row), url_for(".list_shared_footprints"))


@spec.operation(
    "/shared-footprints/<id:footprint_id>/deprecate",
    "POST",
    summary="Deprecate a shared footprint: partners see it as Deprecated",
    tag="pact",
    authorise=lambda footprint_id: require(Action.SHARE_FOOTPRINT),
    responses={200: ("The deprecated footprint", ref("SharedFootprint"))},
)
def deprecate_footprint(footprint_id: int):
    footprint = _own_footprint(footprint_id)
    footprints.deprecate(db.session, footprint, by=current_principal())
    return jsonify(shared_json(footprint))
