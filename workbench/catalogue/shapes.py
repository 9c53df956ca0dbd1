"""The JSON of a list batch, its items and a call for proposals: one shape for the API
(/api/v1/lists/…, /api/v1/calls/…) and `workbench catalogue lists --format json`."""

from datetime import date

from workbench.catalogue.models import Call, ListBatch, ListItem
from workbench.dates import iso


def item_json(item: ListItem) -> dict:
    return {
        "id": item.id,
        "position": item.position,
        "change": item.change.value,
        "product": {"id": item.product.id, "name": item.product.name} if item.product else None,
        "standard": (
            {"id": item.standard.id, "designation": item.standard.designation, "title": item.standard.title}
            if item.standard
            else None
        ),
        "category": item.category.value if item.category else None,
        "side": item.side.value if item.side else None,
        "level": item.level.value if item.level else None,
        "lead_ministry": item.lead_ministry,
        "target_year": item.target_year,
        "note": item.note,
    }


def batch_json(batch: ListBatch) -> dict:
    return {
        "id": batch.id,
        "kind": batch.kind.value,
        "number": batch.number,
        "title": batch.title,
        "issued_on": iso(batch.issued_on),
        "issuers": batch.issuers,
        "document_number": batch.document_number,
        "source": batch.source,
        "note": batch.note,
        "corrects_id": batch.corrects_id,
        "status": batch.status.value,
        "published_at": iso(batch.published_at),
        "items": [item_json(item) for item in batch.items],
        "version": batch.version,
    }


def call_json(call: Call, on: date) -> dict:
    return {
        "id": call.id,
        "title": call.title,
        "description": call.description,
        "opens_on": iso(call.opens_on),
        "closes_on": iso(call.closes_on),
        "levels": list(call.levels),
        "batch_ids": [batch.id for batch in call.batches],
        "batches": [
            {"id": batch.id, "kind": batch.kind.value, "number": batch.number, "title": batch.title}
            for batch in call.batches
        ],
        "months_to_approval": call.months_to_approval,
        "closed_at": iso(call.closed_at),
        "open": call.is_open(on),
        "version": call.version,
    }
