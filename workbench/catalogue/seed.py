"""The lists as published: the 2024 implementation plan's priority products and the recommended
group-standard batches, loaded once (a batch that exists is left as it is: published batches never
change).

Sources: the plan (《关于建立碳足迹管理体系的实施方案》, 环气候〔2024〕30号, dated 2024-05-22, issued
by the MEE general office on 2024-06-04 for fifteen departments) names nineteen key products
(`registry/data/priority-products-2024.csv`); it fixes no lead ministry per product, and its
targets are for 2027. The recommended group-standard lists were published by MIIT, MEE, NDRC and
SAMR on 2025-01-15 (15 standards), 2025-06-27 (23) and 2026-01-26 (73); only the standards the
registry holds, those whose note in `registry/data/standards.csv` names the batch, are listed here.
"""

import csv
import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.catalogue import lists
from workbench.catalogue.models import ListBatch, ListKind
from workbench.errors import InvalidInput
from workbench.messages import N_
from workbench.registry import seed as registry_seed
from workbench.registry import service as registry
from workbench.registry.numbers import Level

# The batches' texts are stored in Chinese as published and marked with N_: the batch pages show
# them in the reader's language (`stored()`); a batch someone enters is shown as written.
PLAN = N_("关于建立碳足迹管理体系的实施方案 (2024)")  # as the CSV's source column names it
PLAN_ISSUERS = N_(
    "生态环境部、国家发展改革委、工业和信息化部、财政部、人力资源社会保障部、住房城乡建设部、交通运输部、"
    "商务部、中国人民银行、国务院国资委、海关总署、市场监管总局、金融监管总局、中国证监会、国家数据局"
)
PRIORITY_BATCH = {
    "kind": ListKind.PRIORITY,
    "number": 1,
    "title": N_("《关于建立碳足迹管理体系的实施方案》重点产品（第一批）"),
    "issued_on": date(2024, 6, 4),
    "issuers": PLAN_ISSUERS,
    "document_number": "环气候〔2024〕30号",
    "source": PLAN,
    "note": N_(
        "方案成文日期 2024 年 5 月 22 日，生态环境部办公厅 2024 年 6 月 4 日印发。方案提出优先聚焦这 19 类重点产品"
        "制定发布核算规则标准，到 2027 年制定发布 100 个左右重点产品碳足迹核算规则标准；方案未逐项规定牵头部门。"
    ),
}
PRIORITY_TARGET_YEAR = 2027

GROUP_ISSUERS = N_("工业和信息化部、生态环境部、国家发展改革委、市场监管总局")
GROUP_SOURCE = N_("工业和信息化部等四部门公布的工业领域团体标准推荐清单")
# Each batch: its date, its title and its note (how many standards the published list holds; only
# those the registry holds are listed here, as the batch's items show).
GROUP_BATCHES = {
    1: (
        date(2025, 1, 15),
        N_("团体标准推荐清单（第一批）"),
        N_("原清单共 15 项团体标准；这里只列入工作台标准体系中已登记的团体标准。文号未录入。"),
    ),
    2: (
        date(2025, 6, 27),
        N_("团体标准推荐清单（第二批）"),
        N_("原清单共 23 项团体标准；这里只列入工作台标准体系中已登记的团体标准。文号未录入。"),
    ),
    3: (
        date(2026, 1, 26),
        N_("团体标准推荐清单（第三批）"),
        N_("原清单共 73 项团体标准；这里只列入工作台标准体系中已登记的团体标准。文号未录入。"),
    ),
}
GROUP_NOTE = re.compile(r"团体标准推荐清单第 (\d+) 批")

# The notes of the reference standards (registry/data/standards.csv) and of the demo ones, in
# Chinese as stored; marked here so the standard's page shows them in the reader's language
# (`stored()`). A note someone writes is shown as written.
REFERENCE_NOTES = (
    N_("通用标准；参照 ISO 14067:2018 制定（MOD/NEQ）"),
    N_("声明单位 1 t；从摇篮到大门；取舍准则单项 1%、合计 5%"),
    N_("GB/T 24067-2024 的规范性引用文件"),
    N_("名称早于统一命名规则"),
    N_("团体标准推荐清单第 1 批"),
    N_("团体标准推荐清单第 2 批"),
    N_("团体标准推荐清单第 3 批"),
    N_("演示项目（不是真实的立项）"),
    N_("演示数据（不是真实的标准）：国家标准实施前发布的行业标准，用于展示应废止清单。"),
    N_("演示数据（不是真实的标准或项目）：由演示规则在工作台中起草"),
)


def _exists(session: Session, kind: ListKind, number: int) -> bool:
    return session.scalar(select(ListBatch.id).where(ListBatch.kind == kind, ListBatch.number == number)) is not None


def load_priority_list(session: Session, by) -> ListBatch | None:
    """Priority batch 1 from the plan, published; None when it is there already."""
    if _exists(session, ListKind.PRIORITY, 1):
        return None
    with registry_seed.PRIORITY_FILE.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    batch = lists.create_batch(session, lists.BatchInput(**PRIORITY_BATCH), by=by)
    for row in rows:
        product = registry.find_product(session, row["product"])
        if product is None:
            raise InvalidInput(f"产品目录中没有“{row['product']}”：请先加载产品目录 (load the product catalogue first)")
        lists.add_item(
            session,
            batch,
            lists.ItemInput(
                product=product,
                category=row["category"],
                side=row["side"],
                level=Level.NATIONAL,
                target_year=PRIORITY_TARGET_YEAR,
            ),
            by=by,
        )
    return lists.publish_batch(session, batch, by=by)


def load_group_lists(session: Session, by) -> list[ListBatch]:
    """Recommended group-standard batches 1–3, each with the registered standards its note names."""
    with registry_seed.STANDARDS_FILE.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    members: dict[int, list[str]] = {number: [] for number in GROUP_BATCHES}
    for row in rows:
        match = GROUP_NOTE.search(row.get("note") or "")
        if match and int(match.group(1)) in members:
            members[int(match.group(1))].append(row["number"])
    created = []
    for number, (issued_on, title, note) in GROUP_BATCHES.items():
        if _exists(session, ListKind.GROUP_RECOMMENDED, number):
            continue
        standards = [registry.find_standard(session, designation) for designation in members[number]]
        standards = [standard for standard in standards if standard is not None and standard.level == Level.GROUP]
        if not standards:
            continue  # a batch with nothing registered cannot be published (nor shown usefully)
        batch = lists.create_batch(
            session,
            lists.BatchInput(
                kind=ListKind.GROUP_RECOMMENDED,
                number=number,
                title=title,
                issued_on=issued_on,
                issuers=GROUP_ISSUERS,
                source=GROUP_SOURCE,
                note=note,
            ),
            by=by,
        )
        for standard in standards:
            lists.add_item(session, batch, lists.ItemInput(standard=standard), by=by)
        created.append(lists.publish_batch(session, batch, by=by))
    return created


def load(session: Session, by) -> int:
    """Both lists; the number of batches created now."""
    priority = load_priority_list(session, by)
    return (priority is not None) + len(load_group_lists(session, by))
