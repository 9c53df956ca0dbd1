"""The registry under /api/v1: the same services as the pages, documented in the OpenAPI file."""

from datetime import date

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workbench.api.spec import PAGING, created, page_of, paginated, query_choice, ref, spec
from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action
from workbench.dates import today
from workbench.db import db
from workbench.errors import InvalidInput, NotFound
from workbench.guideline import Severity
from workbench.registry import numbers, service
from workbench.registry.models import (
    IN_FORCE,
    UPCOMING,
    EndUse,
    Level,
    Nature,
    PriorityCategory,
    Product,
    Side,
    Standard,
    StandardRelation,
    Status,
)
from workbench.registry.numbers import CHINESE_LEVELS
from workbench.registry.shapes import due_json, finding_json, number_json, product_json, standard_json
from workbench.web import id_arg, text_arg, year_arg

_date = {"type": ["string", "null"], "format": "date"}
_text = {"type": "string", "maxLength": 300}
_product_ref = {
    "oneOf": [
        {"type": "null"},
        {
            "type": "object",
            "required": ["id", "name"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
    ]
}
_finding = {
    "type": "object",
    "required": ["code", "severity", "article", "message", "standards"],
    "properties": {
        "code": {"type": "string"},
        "severity": {"enum": [severity.value for severity in Severity]},
        "article": {"type": "string", "description": "The article of the 2025 drafting guideline it enforces"},
        "message": {"type": "string"},
        "standards": {"type": "array", "items": {"type": "integer"}, "description": "Ids of the standards involved"},
    },
}
_standard_fields = {
    "level": {"enum": [level.value for level in Level]},
    "numbers": {
        "type": "array",
        "items": {"type": "string", "minLength": 1, "maxLength": 60},
        "maxItems": 5,
        "description": "In any printed form; several when issued jointly; empty for a project without one",
    },
    "title": {"type": "string", "minLength": 1, "maxLength": 300},
    "title_en": {"type": ["string", "null"], "maxLength": 500},
    "product_id": {
        "type": ["integer", "null"],
        "minimum": 1,
        "maximum": 2147483647,
        "description": "Product catalogue id; null for a general standard",
    },
    "status": {"enum": [status.value for status in Status]},
    "nature": {"enum": [nature.value for nature in Nature], "description": "Only used when there is no number"},
    "issuer": _text,
    "committee": {"type": "string", "maxLength": 200},
    "association": {"type": "string", "maxLength": 200},
    "region": {"type": "string", "maxLength": 100},
    "published_on": _date,
    "implemented_on": _date,
    "withdrawn_on": _date,
    "note": {"type": "string", "maxLength": 4000},
}

spec.add_components(
    {
        "Finding": _finding,
        "ParsedNumber": {
            "type": "object",
            "required": ["canonical", "key", "level", "nature", "code", "sequence", "part", "year", "region"],
            "properties": {
                "canonical": {
                    "type": "string",
                    "description": "As GB/T 1.1 prints it, with an em dash (international: colon, ISO 14067:2018); "
                    "a double number's national part alone",
                },
                "key": {
                    "type": "string",
                    "description": "Unique key: compact, leading zeros of the sequence dropped (DB3306/T69-2024)",
                },
                "with_adoption": {
                    "type": "string",
                    "description": "With the adopted international number: GB/T 24040—2008/ISO 14040:2006",
                },
                "adopted": {
                    "oneOf": [ref("ParsedNumber"), {"type": "null"}],
                    "description": "The international standard a double number adopts identically",
                },
                "designation": {"type": "string", "description": "Without the year"},
                "level": {"enum": [level.value for level in Level]},
                "nature": {"enum": [nature.value for nature in Nature]},
                "code": {"type": "string"},
                "prefix": {"type": "string"},
                "sequence": {"type": "string"},
                "part": {"type": ["string", "null"]},
                "year": {"type": "integer"},
                "region": {"type": ["string", "null"]},
            },
        },
        "Product": {
            "type": "object",
            "required": ["id", "name", "aliases", "side", "end_use", "priority_category", "parent"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "aliases": {"type": "array", "items": {"type": "string"}},
                "name_en": {"type": ["string", "null"]},
                "classification_code": {"type": ["string", "null"]},
                "parent": _product_ref,
                "side": {"enum": [side.value for side in Side]},
                "end_use": {"enum": [end_use.value for end_use in EndUse]},
                "priority_category": {
                    "enum": [None, *(category.value for category in PriorityCategory)],
                    "readOnly": True,
                    "description": "The category of the product's item in the priority list in force (null: "
                    "not listed). Set only by publishing a priority batch "
                    "(POST /api/v1/lists/batches/{batch_id}/publish), never on the product",
                },
                "source": {"type": "string"},
                "archived_at": {"type": ["string", "null"], "format": "date-time"},
                "version": {"type": "integer"},
            },
        },
        "Standard": {
            "type": "object",
            "required": ["id", "level", "nature", "numbers", "title", "product", "status", "display_status", "version"],
            "properties": {
                **_standard_fields,
                "id": {"type": "integer"},
                "numbers": {"type": "array", "items": {"type": "string"}, "description": "Canonical forms"},
                "product": _product_ref,
                "display_status": {
                    "enum": [*(status.value for status in Status), IN_FORCE, UPCOMING],
                    "description": "published becomes in_force or upcoming by the implementation date",
                },
                "year": {"type": ["integer", "null"]},
                "archived_at": {"type": ["string", "null"], "format": "date-time"},
                "version": {"type": "integer"},
                "relations": {"type": "array", "items": {"type": "object"}},
                "replaced_by": {"type": "array", "items": {"type": "object"}},
                "findings": {"type": "array", "items": ref("Finding")},
            },
        },
        "StandardCreate": {
            "type": "object",
            "required": ["level", "title", "status"],
            "additionalProperties": False,
            "properties": _standard_fields,
        },
        "StandardUpdate": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": False,
            "properties": {
                **_standard_fields,
                "reason": {"type": "string", "maxLength": 1000, "description": "Recorded in the audit trail"},
                "version": {"type": "integer", "description": "409 stale_version if the standard changed since"},
            },
        },
        "WithdrawalDue": {
            "type": "object",
            "required": ["standard", "product", "national", "since", "article"],
            "properties": {
                "standard": {"type": "object"},
                "product": _product_ref,
                "national": {"type": "object"},
                "since": {
                    "type": "string",
                    "format": "date",
                    "description": "When the national standard came into force",
                },
                "article": {"type": "string"},
            },
        },
    }
)

_FILTERS = [
    {
        "name": "q",
        "in": "query",
        "schema": {"type": "string"},
        "description": "Number in any printed form, or title text",
    },
    {"name": "product", "in": "query", "schema": {"type": "integer"}},
    {"name": "level", "in": "query", "schema": {"enum": [level.value for level in Level]}},
    {"name": "status", "in": "query", "schema": {"enum": [*(s.value for s in Status), IN_FORCE, UPCOMING]}},
    {"name": "committee", "in": "query", "schema": {"type": "string"}},
    {"name": "year", "in": "query", "schema": {"type": "integer"}},
    {"name": "include_archived", "in": "query", "schema": {"type": "boolean"}},
]


def _product(product_id) -> Product | None:
    if product_id is None:
        return None
    product = db.session.get(Product, product_id)
    if product is None:
        raise InvalidInput(_("产品 %(id)s 不存在。", id=product_id), details={"product_id": _("不存在")})
    return product


@spec.operation(
    "/standards",
    "GET",
    summary="Carbon-footprint standards, newest first, filtered",
    tag="registry",
    public=True,
    parameters=[*PAGING, *_FILTERS],
    responses={200: ("A page of standards", page_of("Standard"))},
)
def list_standards():
    require(Action.READ_REGISTRY)
    year = year_arg("year")
    if year is None and request.args.get("year"):
        raise InvalidInput(_("参数 year 应为四位年份。"), details={"year": request.args["year"]})
    product_id = id_arg("product")
    if product_id is None and request.args.get("product"):
        raise InvalidInput(_("参数 product 应为产品编号。"), details={"product": request.args["product"]})
    level = query_choice("level", {level.value for level in Level})
    filters = service.StandardFilters(
        text=text_arg("q"),
        product=_product(product_id),
        level=Level(level) if level else None,
        status=query_choice("status", {*(s.value for s in Status), IN_FORCE, UPCOMING}),
        committee=text_arg("committee"),
        year=year,
        include_archived=request.args.get("include_archived") == "true",
    )
    on = today()
    return paginated(service.search(filters, on=on), lambda standard: standard_json(standard, on))


def _standard_or_404(standard_id: int) -> Standard:
    standard = db.session.get(
        Standard,
        standard_id,
        options=[
            selectinload(Standard.relations).selectinload(StandardRelation.target),
            selectinload(Standard.inverse_relations),
        ],
    )
    if standard is None:
        raise NotFound(_("标准 %(id)s 不存在。", id=standard_id))
    return standard


def _with_findings(standard: Standard, findings=None) -> dict:
    shape = standard_json(standard, today(), relations=True)
    findings = service.findings_for(db.session, standard) if findings is None else findings
    shape["findings"] = [finding_json(finding) for finding in findings]
    return shape


@spec.operation(
    "/standards/<id:standard_id>",
    "GET",
    summary="One standard with its relations and level findings",
    tag="registry",
    public=True,
    responses={200: ("The standard", ref("Standard"))},
)
def get_standard(standard_id: int):
    require(Action.READ_REGISTRY)
    return jsonify(_with_findings(_standard_or_404(standard_id)))


def _input(body: dict, standard: Standard | None = None) -> service.StandardInput:
    def value(key, current):
        return body.get(key, current)

    def day(key, current):
        text = body.get(key, current.isoformat() if current else None)
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise InvalidInput(_("%(field)s 不是日期（YYYY-MM-DD）。", field=key), details={key: text}) from None

    old = standard
    return service.StandardInput(
        level=value("level", old.level.value if old else None),
        numbers="；".join(body["numbers"]) if "numbers" in body else ("；".join(old.number_list) if old else ""),
        title=value("title", old.title if old else ""),
        title_en=value("title_en", old.title_en if old else None),
        product=_product(body["product_id"]) if "product_id" in body else (old.product if old else None),
        status=value("status", old.status.value if old else None),
        nature=value("nature", old.nature.value if old else None),
        issuer=value("issuer", old.issuer if old else ""),
        committee=value("committee", old.committee if old else ""),
        association=value("association", old.association if old else ""),
        region=value("region", old.region if old else ""),
        published_on=day("published_on", old.published_on if old else None),
        implemented_on=day("implemented_on", old.implemented_on if old else None),
        withdrawn_on=day("withdrawn_on", old.withdrawn_on if old else None),
        note=value("note", old.note if old else ""),
    )


@spec.operation(
    "/standards",
    "POST",
    summary="Register a standard or project (refused when a level rule forbids it)",
    tag="registry",
    body=ref("StandardCreate"),
    authorise=lambda: require(Action.MANAGE_STANDARDS),
    responses={201: ("The new standard with its remaining findings (warnings, information)", ref("Standard"))},
)
def create_standard(body: dict):
    require(Action.MANAGE_STANDARDS)
    require(Action.MANAGE_STANDARDS, body["level"])  # associations: group level only
    standard, findings = service.create_standard(db.session, _input(body), by=current_principal())
    return created(_with_findings(standard, findings), url_for(".get_standard", standard_id=standard.id))


@spec.operation(
    "/standards/<id:standard_id>",
    "PATCH",
    summary="Change a standard",
    tag="registry",
    body=ref("StandardUpdate"),
    authorise=lambda standard_id: require(Action.MANAGE_STANDARDS, _standard_or_404(standard_id)),
    responses={200: ("The changed standard", ref("Standard"))},
)
def update_standard(standard_id: int, body: dict):
    standard = _standard_or_404(standard_id)
    require(Action.MANAGE_STANDARDS, standard)
    if "level" in body:
        require(Action.MANAGE_STANDARDS, body["level"])  # associations: group level only
    standard, findings = service.update_standard(
        db.session,
        standard,
        _input(body, standard),
        by=current_principal(),
        reason=body.get("reason"),
        expected_version=body.get("version"),
    )
    return jsonify(_with_findings(standard, findings))


@spec.operation(
    "/standards/parse",
    "GET",
    summary="Parse a standard number (or several issued jointly)",
    tag="registry",
    public=True,
    parameters=[{"name": "number", "in": "query", "required": True, "schema": {"type": "string"}}],
    responses={
        200: (
            "The parsed numbers",
            {
                "type": "object",
                "required": ["numbers"],
                "properties": {"numbers": {"type": "array", "items": ref("ParsedNumber")}},
            },
        )
    },
)
def parse_number():
    require(Action.READ_REGISTRY)
    try:
        parsed = numbers.parse_joint(text_arg("number"))
    except numbers.InvalidNumber as error:
        message = service.number_error(error)
        raise InvalidInput(message, details={"number": message}) from None
    return jsonify(numbers=[number_json(number) for number in parsed])


@spec.operation(
    "/hierarchy/check",
    "GET",
    summary="The level findings a new standard at a level for a product would get",
    tag="registry",
    public=True,
    parameters=[
        {
            "name": "product",
            "in": "query",
            "required": True,
            "schema": {"type": "string"},
            "description": "Id, name or alias",
        },
        {
            "name": "level",
            "in": "query",
            "required": True,
            "schema": {"enum": [level.value for level in CHINESE_LEVELS]},
            "description": "The level rules cover the Chinese levels; international standards are outside them",
        },
    ],
    responses={
        200: (
            "Findings, errors first",
            {
                "type": "object",
                "required": ["product", "level", "findings"],
                "properties": {
                    "product": _product_ref,
                    "level": {"type": "string"},
                    "findings": {"type": "array", "items": ref("Finding")},
                },
            },
        )
    },
)
def check_level():
    require(Action.READ_REGISTRY)
    wanted = text_arg("product", 100).strip()
    product_id = id_arg("product")
    product = db.session.get(Product, product_id) if product_id else service.find_product(db.session, wanted)
    if product is None:
        raise InvalidInput(_("产品目录中没有“%(name)s”。", name=wanted), details={"product": wanted})
    level = query_choice("level", {level.value for level in CHINESE_LEVELS})
    if level is None:
        raise InvalidInput(_("请给出级别（level）。"), details={"level": _("必填")})
    findings = service.check_level(db.session, product, level)
    return jsonify(
        product={"id": product.id, "name": product.name},
        level=level,
        findings=[finding_json(finding) for finding in findings],
    )


@spec.operation(
    "/hierarchy/due",
    "GET",
    summary="Industry and local standards due for withdrawal (their product has a national standard in force)",
    tag="registry",
    public=True,
    responses={
        200: ("The withdrawal-due list, longest overdue first", {"type": "array", "items": ref("WithdrawalDue")})
    },
)
def withdrawal_due():
    require(Action.READ_REGISTRY)
    return jsonify([due_json(*item) for item in service.withdrawal_due(db.session)])


@spec.operation(
    "/products",
    "GET",
    summary="The product catalogue",
    tag="registry",
    public=True,
    parameters=PAGING,
    responses={200: ("A page of products", page_of("Product"))},
)
def list_products():
    require(Action.READ_REGISTRY)
    query = select(Product).where(Product.archived_at.is_(None)).order_by(Product.name)
    return paginated(query, product_json)


@spec.operation(
    "/products/<id:product_id>",
    "GET",
    summary="One product",
    tag="registry",
    public=True,
    responses={200: ("The product", ref("Product"))},
)
def get_product(product_id: int):
    require(Action.READ_REGISTRY)
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound(_("产品 %(id)s 不存在。", id=product_id))
    return jsonify(product_json(product))
