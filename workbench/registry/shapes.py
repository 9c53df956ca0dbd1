"""The registry's records as JSON: one shape each, shared by the API and the CLI's --format json."""

from datetime import date

from workbench.dates import iso
from workbench.guideline import Finding
from workbench.i18n import article_text, finding_text
from workbench.registry import hierarchy, numbers
from workbench.registry.models import Product, Standard, StandardRelation


def number_json(number: numbers.StandardNumber) -> dict:
    return {
        "canonical": number.canonical,
        "key": number.key,
        "designation": number.designation,
        "level": number.level.value,
        "nature": number.nature.value,
        "code": number.code,
        "prefix": number.prefix,
        "sequence": number.sequence,
        "part": number.part,
        "year": number.year,
        "region": number.region,
        "with_adoption": number.with_adoption,
        "adopted": number_json(number.adopted) if number.adopted else None,
    }


def product_ref(product: Product | None) -> dict | None:
    return {"id": product.id, "name": product.name} if product is not None else None


def product_json(product: Product) -> dict:
    return {
        "id": product.id,
        "name": product.name,
        "aliases": product.alias_list,
        "name_en": product.name_en,
        "classification_code": product.classification_code,
        "parent": product_ref(product.parent),
        "side": product.side.value,
        "end_use": product.end_use.value,
        "priority_category": product.priority_category.value if product.priority_category else None,
        "source": product.source,
        "archived_at": iso(product.archived_at),
        "version": product.version,
    }


def relation_json(relation: StandardRelation) -> dict:
    target = relation.target
    return {
        "id": relation.id,
        "kind": relation.kind.value,
        "target": {"id": target.id, "numbers": target.number_list, "title": target.title} if target else None,
        "target_text": relation.target_text,
        "equivalence": relation.equivalence.value if relation.equivalence else None,
    }


def standard_json(standard: Standard, today: date, *, relations: bool = False) -> dict:
    shape = {
        "id": standard.id,
        "level": standard.level.value,
        "nature": standard.nature.value,
        "numbers": standard.number_list,
        "title": standard.title,
        "title_en": standard.title_en,
        "product": product_ref(standard.product),
        "status": standard.status.value,
        "display_status": standard.display_status(today),
        "issuer": standard.issuer,
        "committee": standard.committee,
        "association": standard.association,
        "region": standard.region,
        "year": standard.year,
        "published_on": iso(standard.published_on),
        "implemented_on": iso(standard.implemented_on),
        "withdrawn_on": iso(standard.withdrawn_on),
        "note": standard.note,
        "archived_at": iso(standard.archived_at),
        "version": standard.version,
    }
    if relations:
        shape["relations"] = [relation_json(relation) for relation in standard.relations]
        shape["replaced_by"] = [
            {"id": relation.standard.id, "numbers": relation.standard.number_list}
            for relation in standard.inverse_relations
            if relation.kind.value == "replaces"
        ]
    return shape


def finding_json(finding: Finding) -> dict:
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "article": article_text(finding.article),
        "message": finding_text(finding),
        "standards": list(finding.standard_ids),
    }


def due_json(item: hierarchy.WithdrawalDue, standard: Standard, national: Standard) -> dict:
    return {
        "standard": {
            "id": standard.id,
            "numbers": standard.number_list,
            "title": standard.title,
            "level": standard.level.value,
            "status": standard.status.value,
        },
        "product": product_ref(standard.product),
        "national": {"id": national.id, "numbers": national.number_list, "title": national.title},
        "since": item.since.isoformat(),
        "article": article_text(item.article),
    }
