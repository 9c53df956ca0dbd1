"""Reference data shipped with the workbench: the product catalogue and the real standards.

`data/priority-products-2024.csv` and `data/standards.csv` are unchanged copies of the public
reference files (the 19 key products of the 2024 implementation plan; 20 real carbon-footprint
standards). `data/products.csv` is the catalogue built from them: the 19 key products with their
category, plus the products named in the standards, with aliases and parents.
"""

import csv
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.registry import importing, service
from workbench.registry.models import Level, Product, Standard, Status

DATA = Path(__file__).parent / "data"
PRODUCTS_FILE = DATA / "products.csv"
STANDARDS_FILE = DATA / "standards.csv"
PRIORITY_FILE = DATA / "priority-products-2024.csv"

# Projects a new user sees beside the published standards. They have no numbers (none is
# assigned before publication) and say in their note that they are demo data.
DEMO_PROJECTS = [
    (Level.NATIONAL, "温室气体 产品碳足迹量化方法与要求 锂离子电池", "锂电池", Status.DRAFTING, "SAC/TC548", ""),
    (Level.NATIONAL, "温室气体 产品碳足迹量化方法与要求 水泥", "水泥", Status.PLANNED, "SAC/TC548", ""),
    (Level.NATIONAL, "温室气体 产品碳足迹量化方法与要求 光伏组件", "光伏组件", Status.CONSULTATION, "SAC/TC548", ""),
    (
        Level.GROUP,
        "温室气体 产品碳足迹量化方法与要求 电解铝 再生铝合金锭",
        "电解铝",
        Status.PLANNED,
        "",
        "中国有色金属工业协会",
    ),
]
DEMO_NOTE = "演示项目（不是真实的立项）"


def load_products(session: Session, by) -> list[Product]:
    """Create the catalogue's products that are missing (matched by name or alias); returns those created."""
    created = []
    with PRODUCTS_FILE.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    for row in rows:  # parents come first in the file
        if service.find_product(session, row["product"]) is not None:
            continue
        created.append(
            service.create_product(
                session,
                service.ProductInput(
                    name=row["product"],
                    aliases=row["aliases"],
                    parent=service.find_product(session, row["parent"]) if row["parent"] else None,
                    priority_category=row["category"] or None,
                    side=row["side"],
                    end_use=row["end_use"],
                    source=row["source"],
                ),
                by=by,
            )
        )
    return created


def load_standards(session: Session, by) -> importing.ImportReport:
    return importing.import_csv(session, STANDARDS_FILE.read_bytes(), by=by)


def load_projects(session: Session, by) -> list[Standard]:
    created = []
    for level, title, product_name, status, committee, association in DEMO_PROJECTS:
        if session.scalar(select(Standard.id).where(Standard.title == title)) is not None:
            continue
        standard, _findings = service.create_standard(
            session,
            service.StandardInput(
                level=level,
                title=title,
                status=status,
                product=service.find_product(session, product_name),
                committee=committee,
                association=association,
                note=DEMO_NOTE,
            ),
            by=by,
        )
        created.append(standard)
    return created


# Relations stated in the reference data's notes.
REAL_RELATIONS = [("GB/T 24067-2024", "cites", "GB/T 32150-2015")]


def load_relations(session: Session, by) -> int:
    created = 0
    for source_number, kind, target_number in REAL_RELATIONS:
        source = service.find_standard(session, source_number)
        target = service.find_standard(session, target_number)
        if source is None or target is None or any(relation.target is target for relation in source.relations):
            continue
        service.add_relation(session, source, kind, target=target, by=by)
        created += 1
    return created
