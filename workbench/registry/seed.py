"""Reference data shipped with the workbench: the product catalogue and the real standards.

`data/priority-products-2024.csv` and `data/standards.csv` are unchanged copies of the public
reference files (the 19 key products of the 2024 implementation plan; 20 real carbon-footprint
standards). `data/products.csv` is the catalogue built from them: the 19 key products with their
category, plus the products named in the standards and in the demo projects, with aliases and
parents (a parent is a broader product of which the child is a kind: 平板玻璃 under 玻璃; 再生铝合金锭
is recycled aluminium, not a kind of 电解铝, and stands on its own).
"""

import csv
from datetime import date
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
    # 锂离子电池 is a kind of 锂电池 (the 2024 plan's product, which also takes in primary lithium cells).
    (Level.NATIONAL, "温室气体 产品碳足迹量化方法与要求 锂离子电池", "锂离子电池", Status.DRAFTING, "SAC/TC548", ""),
    (Level.NATIONAL, "温室气体 产品碳足迹量化方法与要求 水泥", "水泥", Status.PLANNED, "SAC/TC548", ""),
    (Level.NATIONAL, "温室气体 产品碳足迹量化方法与要求 光伏组件", "光伏组件", Status.CONSULTATION, "SAC/TC548", ""),
    (
        Level.GROUP,
        "温室气体 产品碳足迹量化方法与要求 再生铝合金锭",
        "再生铝合金锭",  # recycled aluminium: its own product, not 电解铝 (primary aluminium)
        Status.PLANNED,
        "",
        "中国有色金属工业协会",
    ),
]
DEMO_NOTE = "演示项目（不是真实的立项）"
# Earlier demos filed the recycled-aluminium project under 电解铝; loading again moves it.
RENAMED_PROJECTS = {"温室气体 产品碳足迹量化方法与要求 电解铝 再生铝合金锭": DEMO_PROJECTS[3]}

# A published industry standard that is not real, so that the withdrawal-due list (指引（十四）) has
# a row to show: published before GB/T 44905—2024 (2024-10-26), so registering it was allowed, and
# due since the national standard came into force (2025-05-01). Its note says it is demo data.
DEMO_STANDARDS = [
    (
        Level.INDUSTRY,
        "YS/T 9001—2023",
        "电解铝产品碳足迹核算技术规范（演示）",
        "电解铝",
        date(2023, 12, 20),
        date(2024, 7, 1),
    ),
]
DEMO_STANDARD_NOTE = "演示数据（不是真实的标准）：国家标准实施前发布的行业标准，用于展示应废止清单。"


def load_products(session: Session, by) -> list[Product]:
    """Create the catalogue's products that are missing (matched by name or alias); returns those created."""
    created = []
    with PRODUCTS_FILE.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    for row in rows:  # parents come first in the file
        if service.find_product(session, row["product"]) is not None:
            continue
        product = service.create_product(
            session,
            service.ProductInput(
                name=row["product"],
                aliases=row["aliases"],
                parent=service.find_product(session, row["parent"]) if row["parent"] else None,
                side=row["side"],
                end_use=row["end_use"],
                source=row["source"],
            ),
            by=by,
        )
        # The 2024 plan's category, as priority batch 1 (which the catalogue's seed publishes from
        # the same plan) sets it: nobody edits it on the product (see catalogue.lists.publish_batch).
        product.priority_category = row["category"] or None
        created.append(product)
    return created


def load_standards(session: Session, by) -> importing.ImportReport:
    return importing.import_csv(session, STANDARDS_FILE.read_bytes(), by=by)


def load_projects(session: Session, by) -> list[Standard]:
    """The demo projects and demo standards that are missing; returns those created."""
    for old_title, (level, title, product_name, _status, committee, association) in RENAMED_PROJECTS.items():
        old = session.scalar(select(Standard).where(Standard.title == old_title, Standard.note == DEMO_NOTE))
        if old is not None and session.scalar(select(Standard.id).where(Standard.title == title)) is None:
            service.update_standard(
                session,
                old,
                service.StandardInput(
                    level=level,
                    title=title,
                    status=old.status,
                    product=service.find_product(session, product_name),
                    committee=committee,
                    association=association,
                    note=DEMO_NOTE,
                ),
                by=by,
                reason="演示数据更正：再生铝合金锭不是电解铝",
            )
    created = []
    for level, number, title, product_name, published, implemented in DEMO_STANDARDS:
        if service.find_standard(session, number) is not None:
            continue
        standard, _findings = service.create_standard(
            session,
            service.StandardInput(
                level=level,
                numbers=number,
                title=title,
                status=Status.PUBLISHED,
                product=service.find_product(session, product_name),
                published_on=published,
                implemented_on=implemented,
                note=DEMO_STANDARD_NOTE,
            ),
            by=by,
        )
        created.append(standard)
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
