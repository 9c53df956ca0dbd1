"""The lists and the calls for proposals under /api/v1: the same services as the pages."""

from datetime import date

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from workbench.api.spec import created, query_choice, ref, spec
from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action, can
from workbench.catalogue import lists
from workbench.catalogue.models import BatchStatus, ItemChange, ListBatch, ListKind
from workbench.catalogue.shapes import batch_json, call_json
from workbench.dates import today
from workbench.db import db
from workbench.errors import InvalidInput
from workbench.registry import service as registry
from workbench.registry.models import PriorityCategory, Product, Side, Standard

_levels = [level.value for level in lists.CHINESE_LEVELS]
_id = {"type": "integer", "minimum": 1, "maximum": 2147483647}
_date = {"type": ["string", "null"], "format": "date"}
_ref = {
    "oneOf": [
        {"type": "null"},
        {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
    ]
}
_item_fields = {
    "change": {
        "enum": [change.value for change in ItemChange],
        "description": "add, unless the batch corrects another: then change or remove what the list holds",
    },
    "product_id": {**_id, "description": "Priority list: a product of the catalogue"},
    "standard": {
        "type": "string",
        "minLength": 1,
        "maxLength": 60,
        "description": "Recommended list: a registered group standard's number, in any printed form",
    },
    "standard_id": {**_id, "description": "Recommended list: the registered group standard's id"},
    "category": {"enum": [category.value for category in PriorityCategory]},
    "side": {"enum": [side.value for side in Side], "description": "The product's own side when left out"},
    "level": {"enum": _levels, "description": "The intended level; national when left out"},
    "lead_ministry": {"type": "string", "maxLength": 100},
    "target_year": {"type": ["integer", "null"], "minimum": lists.FIRST_TARGET_YEAR, "maximum": lists.LAST_TARGET_YEAR},
    "note": {"type": "string", "maxLength": 2000},
}
_batch_fields = {
    "kind": {"enum": [kind.value for kind in ListKind]},
    "number": {"type": ["integer", "null"], "minimum": 1, "maximum": 999, "description": "The next one when left out"},
    "title": {"type": "string", "minLength": 1, "maxLength": 300},
    "issued_on": _date,
    "issuers": {"type": "string", "maxLength": 500},
    "document_number": {"type": "string", "maxLength": 100},
    "source": {"type": "string", "maxLength": 300},
    "note": {"type": "string", "maxLength": 4000},
    "corrects_id": {**_id, "type": ["integer", "null"], "description": "A published batch of the same list"},
}
_call_fields = {
    "title": {"type": "string", "minLength": 1, "maxLength": 300},
    "description": {"type": "string", "maxLength": 10000},
    "opens_on": {"type": "string", "format": "date"},
    "closes_on": {"type": "string", "format": "date", "description": "Inclusive; not before opens_on"},
    "levels": {"type": "array", "items": {"enum": _levels}, "minItems": 1, "maxItems": 5, "uniqueItems": True},
    "batch_ids": {"type": "array", "items": _id, "maxItems": 100, "description": "Published list batches"},
    "months_to_approval": {
        "type": "integer",
        "minimum": 1,
        "maximum": lists.MAX_MONTHS_TO_APPROVAL,
        "description": "指引（七） green channel: target months from the plan to 报批",
    },
}

spec.add_components(
    {
        "ListItem": {
            "type": "object",
            "required": ["id", "position", "change", "product", "standard", "note"],
            "properties": {
                "id": {"type": "integer"},
                "position": {"type": "integer"},
                "change": {"enum": [change.value for change in ItemChange]},
                "product": {
                    "oneOf": [
                        {"type": "null"},
                        {
                            "type": "object",
                            "required": ["id", "name"],
                            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                        },
                    ]
                },
                "standard": {
                    "oneOf": [
                        {"type": "null"},
                        {
                            "type": "object",
                            "required": ["id", "designation", "title"],
                            "properties": {
                                "id": {"type": "integer"},
                                "designation": {"type": "string"},
                                "title": {"type": "string"},
                            },
                        },
                    ]
                },
                "category": {"enum": [None, *(category.value for category in PriorityCategory)]},
                "side": {"enum": [None, *(side.value for side in Side)]},
                "level": {"enum": [None, *_levels]},
                "lead_ministry": {"type": "string"},
                "target_year": {"type": ["integer", "null"]},
                "note": {"type": "string"},
            },
        },
        "ListBatch": {
            "type": "object",
            "required": ["id", "kind", "number", "title", "status", "items", "version"],
            "properties": {
                **_batch_fields,
                "id": {"type": "integer"},
                "corrects_id": {"type": ["integer", "null"]},
                "status": {"enum": [status.value for status in BatchStatus]},
                "published_at": {"type": ["string", "null"], "format": "date-time"},
                "items": {"type": "array", "items": ref("ListItem")},
                "version": {"type": "integer"},
            },
        },
        "ListBatchCreate": {
            "type": "object",
            "required": ["kind", "title"],
            "additionalProperties": False,
            "properties": _batch_fields,
        },
        "ListItemCreate": {
            "type": "object",
            "additionalProperties": False,
            "properties": _item_fields,
            "description": "product_id for the priority list; standard or standard_id for the recommended list",
        },
        "Call": {
            "type": "object",
            "required": ["id", "title", "opens_on", "closes_on", "levels", "months_to_approval", "batches", "open"],
            "properties": {
                **_call_fields,
                "id": {"type": "integer"},
                "closed_at": {"type": ["string", "null"], "format": "date-time"},
                "batches": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "kind", "number", "title"],
                        "properties": {
                            "id": {"type": "integer"},
                            "kind": {"enum": [kind.value for kind in ListKind]},
                            "number": {"type": "integer"},
                            "title": {"type": "string"},
                        },
                    },
                },
                "open": {"type": "boolean", "description": "Whether it takes proposals today"},
                "version": {"type": "integer"},
            },
        },
        "CallCreate": {
            "type": "object",
            "required": ["title", "opens_on", "closes_on", "levels", "months_to_approval"],
            "additionalProperties": False,
            "properties": _call_fields,
        },
    }
)


def _day(body: dict, key: str) -> date | None:
    text = body.get(key)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("%(field)s 不是日期（YYYY-MM-DD）。", field=key), details={key: text}) from None


def _batch_or_404(batch_id: int) -> ListBatch:
    return lists.get_batch(db.session, batch_id, by=current_principal())  # NotFound: 404


def _batch_for_managers(batch_id: int) -> ListBatch:
    require(Action.MANAGE_LISTS)
    return _batch_or_404(batch_id)


@spec.operation(
    "/lists/batches",
    "GET",
    summary="The batches of the priority product list and of the recommended group-standard list, with their items",
    tag="catalogue",
    public=True,
    parameters=[
        {"name": "kind", "in": "query", "schema": {"enum": [kind.value for kind in ListKind]}},
        {
            "name": "drafts",
            "in": "query",
            "schema": {"type": "boolean"},
            "description": "Include drafts (SAMR/MEE only; ignored for anyone else)",
        },
    ],
    responses={200: ("Batches by list and number", {"type": "array", "items": ref("ListBatch")})},
)
def list_batches():
    require(Action.READ_PUBLISHED)
    kind = query_choice("kind", {kind.value for kind in ListKind})
    # Drafts only for whoever keeps the lists; anyone else gets the published batches.
    drafts = request.args.get("drafts") == "true" and can(current_principal(), Action.MANAGE_LISTS)
    found = lists.batches(db.session, kind=ListKind(kind) if kind else None, drafts=drafts)
    return jsonify([batch_json(batch) for batch in found])


@spec.operation(
    "/lists/batches/<id:batch_id>",
    "GET",
    summary="One batch with its items (a draft for SAMR/MEE only)",
    tag="catalogue",
    public=True,
    responses={200: ("The batch", ref("ListBatch"))},
)
def get_list_batch(batch_id: int):
    require(Action.READ_PUBLISHED)
    return jsonify(batch_json(_batch_or_404(batch_id)))


@spec.operation(
    "/lists/batches",
    "POST",
    summary="Draft a new batch of a list (publish it once its items are in)",
    tag="catalogue",
    body=ref("ListBatchCreate"),
    authorise=lambda: require(Action.MANAGE_LISTS),
    responses={201: ("The draft batch", ref("ListBatch"))},
)
def create_list_batch(body: dict):
    corrects = None
    if body.get("corrects_id") is not None:
        corrects = db.session.get(ListBatch, body["corrects_id"])
        if corrects is None:
            raise InvalidInput(_("批次 %(id)s 不存在。", id=body["corrects_id"]), details={"corrects_id": _("不存在")})
    batch = lists.create_batch(
        db.session,
        lists.BatchInput(
            kind=body["kind"],
            title=body["title"],
            number=body.get("number"),
            issued_on=_day(body, "issued_on"),
            issuers=body.get("issuers", ""),
            document_number=body.get("document_number", ""),
            source=body.get("source", ""),
            note=body.get("note", ""),
            corrects=corrects,
        ),
        by=current_principal(),
    )
    return created(batch_json(batch), url_for(".get_list_batch", batch_id=batch.id))


def _subject(body: dict) -> tuple[Product | None, Standard | None]:
    product = None
    if body.get("product_id") is not None:
        product = db.session.get(Product, body["product_id"])
        if product is None:
            raise InvalidInput(_("产品 %(id)s 不存在。", id=body["product_id"]), details={"product_id": _("不存在")})
    standard = None
    if body.get("standard_id") is not None:
        standard = db.session.get(Standard, body["standard_id"])
        if standard is None:
            raise InvalidInput(_("标准 %(id)s 不存在。", id=body["standard_id"]), details={"standard_id": _("不存在")})
    elif body.get("standard"):
        standard = registry.find_standard(db.session, body["standard"])
        if standard is None:
            raise InvalidInput(
                _("标准体系中没有“%(number)s”：请先登记该团体标准。", number=body["standard"]),
                details={"standard": _("未登记")},
            )
    return product, standard


@spec.operation(
    "/lists/batches/<id:batch_id>/items",
    "POST",
    summary="Add an item to a draft batch (a published batch refuses every change: 409)",
    tag="catalogue",
    body=ref("ListItemCreate"),
    authorise=_batch_for_managers,
    responses={201: ("The batch with the new item", ref("ListBatch"))},
)
def add_list_item(batch_id: int, body: dict):
    batch = _batch_or_404(batch_id)
    product, standard = _subject(body)
    lists.add_item(
        db.session,
        batch,
        lists.ItemInput(
            product=product,
            standard=standard,
            change=body.get("change", ItemChange.ADD.value),
            category=body.get("category"),
            side=body.get("side"),
            level=body.get("level"),
            lead_ministry=body.get("lead_ministry", ""),
            target_year=body.get("target_year"),
            note=body.get("note", ""),
        ),
        by=current_principal(),
    )
    return created(batch_json(batch), url_for(".get_list_batch", batch_id=batch.id))


@spec.operation(
    "/lists/batches/<id:batch_id>/publish",
    "POST",
    summary="Publish a draft batch; it never changes afterwards",
    tag="catalogue",
    body={
        "type": "object",
        "additionalProperties": False,
        "properties": {"reason": {"type": "string", "maxLength": 1000, "description": "Recorded in the audit trail"}},
    },
    authorise=_batch_for_managers,
    responses={200: ("The published batch", ref("ListBatch"))},
)
def publish_list_batch(batch_id: int, body: dict):
    batch = _batch_or_404(batch_id)
    lists.publish_batch(db.session, batch, by=current_principal(), reason=body.get("reason"))
    return jsonify(batch_json(batch))


@spec.operation(
    "/calls",
    "GET",
    summary="Calls for proposals open today (all calls for SAMR/MEE with ?all=true)",
    tag="catalogue",
    public=True,
    parameters=[{"name": "all", "in": "query", "schema": {"type": "boolean"}}],
    responses={200: ("Calls, the soonest to close first", {"type": "array", "items": ref("Call")})},
)
def list_calls():
    require(Action.READ_PUBLISHED)
    on = today()
    if request.args.get("all") == "true" and can(current_principal(), Action.MANAGE_CALLS):
        found = lists.all_calls(db.session)
    else:
        found = lists.open_calls(db.session, on)
    return jsonify([call_json(call, on) for call in found])


@spec.operation(
    "/calls/<id:call_id>",
    "GET",
    summary="One call for proposals",
    tag="catalogue",
    public=True,
    responses={200: ("The call", ref("Call"))},
)
def get_call(call_id: int):
    require(Action.READ_PUBLISHED)
    return jsonify(call_json(lists.get_call(db.session, call_id), today()))


@spec.operation(
    "/calls",
    "POST",
    summary="Open a call for proposals (征集立项建议)",
    tag="catalogue",
    body=ref("CallCreate"),
    authorise=lambda: require(Action.MANAGE_CALLS),
    responses={201: ("The call", ref("Call"))},
)
def create_call(body: dict):
    chosen = []
    for batch_id in body.get("batch_ids", []):
        batch = db.session.get(ListBatch, batch_id)
        if batch is None:
            raise InvalidInput(_("批次 %(id)s 不存在。", id=batch_id), details={"batch_ids": _("不存在")})
        chosen.append(batch)
    on = today()
    call = lists.create_call(
        db.session,
        lists.CallInput(
            title=body["title"],
            description=body.get("description", ""),
            opens_on=_day(body, "opens_on"),
            closes_on=_day(body, "closes_on"),
            levels=body["levels"],
            batches=chosen,
            months_to_approval=body["months_to_approval"],
        ),
        by=current_principal(),
        today=on,
    )
    return created(call_json(call, on), url_for(".get_call", call_id=call.id))
