"""Operations on the registry: products, standards, relations, level checks and CSV import.

Plain functions taking a session and shaped input, used by the pages, the API, the CLI and the
tests alike. They refuse bad input with `InvalidInput` naming the field (or CSV row) and never
commit. The level rules themselves live in the pure `hierarchy` module; this module gathers the
facts they need.
"""

import csv
import io
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from workbench.audit import change_reason
from workbench.db import expect_version
from workbench.errors import InvalidInput
from workbench.i18n import N_
from workbench.registry import hierarchy, numbers
from workbench.registry.hierarchy import Entry, Finding, ProductTree, Severity
from workbench.registry.models import (
    IN_FORCE,
    LEVEL_LABELS,
    UPCOMING,
    EndUse,
    Equivalence,
    Level,
    Nature,
    PriorityCategory,
    Product,
    RelationKind,
    Side,
    Standard,
    StandardNumber,
    StandardRelation,
    Status,
)

MAX_JOINT_NUMBERS = 5
# Statuses that only a published standard, and so a numbered one, can have. A project that is
# stopped before publication is "withdrawn" without a number.
NUMBERED = {Status.PUBLISHED, Status.UNDER_REVISION, Status.REPLACED}


def local_zone() -> ZoneInfo:
    """Where the standards apply: the app's time zone, Asia/Shanghai by default."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"] if has_app_context() else "Asia/Shanghai")


def today() -> date:
    """Today where the standards apply."""
    return datetime.now(local_zone()).date()


def _refuse(field_name: str, message: str):
    raise InvalidInput(message, details={field_name: message})


def _text(value: str | None, field_name: str, label: str, max_length: int, *, required: bool = False) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        _refuse(field_name, _("请填写%(label)s。", label=label))
    if len(value) > max_length:
        _refuse(field_name, _("%(label)s不能超过 %(max)d 个字符。", label=label, max=max_length))
    return value


def _choice(enum_class, value, field_name: str, label: str):
    try:
        return enum_class(value)
    except ValueError:
        allowed = "、".join(member.value for member in enum_class)
        _refuse(
            field_name, _("%(label)s“%(value)s”无效，可选：%(allowed)s。", label=label, value=value, allowed=allowed)
        )


def number_error(error: numbers.InvalidNumber) -> str:
    """A parser refusal in the user's language (an item of a joint list with its own reason)."""
    params = dict(error.params)
    if isinstance(error.__cause__, numbers.InvalidNumber):
        params["reason"] = number_error(error.__cause__)
    return _(error.template, **params)


def finding_message(finding: Finding) -> str:
    return _(
        finding.template, **{key: _(value) if key == "relation" else value for key, value in finding.params.items()}
    )


# --- products -------------------------------------------------------------------------------------


def _split_aliases(aliases: str | list[str] | None) -> list[str]:
    if isinstance(aliases, list):
        parts = aliases
    else:
        parts = (
            (aliases or "").replace("，", "、").replace(",", "、").replace(";", "、").replace("；", "、").split("、")
        )
    seen: list[str] = []
    for part in (" ".join(alias.split()) for alias in parts):
        if part and part not in seen:
            seen.append(part)
    return seen


def find_product(session: Session, name: str) -> Product | None:
    """The product called `name`, by its name or one of its aliases, whatever the case."""
    wanted = " ".join((name or "").split()).lower()
    if not wanted:
        return None
    by_name = session.scalar(select(Product).where(func.lower(Product.name) == wanted))
    if by_name is not None:
        return by_name
    candidates = session.scalars(select(Product).where(func.lower(Product.aliases).contains(wanted, autoescape=True)))
    return next((product for product in candidates if wanted in (a.lower() for a in product.alias_list)), None)


@dataclass
class ProductInput:
    name: str
    side: Side | str
    end_use: EndUse | str
    name_en: str | None = None
    aliases: str | list[str] | None = None
    classification_code: str | None = None
    parent: Product | None = None
    priority_category: PriorityCategory | str | None = None
    source: str = ""


def _product_values(session: Session, data: ProductInput, product: Product | None) -> dict:
    name = _text(data.name, "name", _("名称"), 100, required=True)
    aliases = _split_aliases(data.aliases)
    for candidate in [name, *aliases]:
        owner = find_product(session, candidate)
        if owner is not None and owner is not product:
            field_name = "name" if candidate == name else "aliases"
            _refuse(field_name, _("“%(name)s”已是产品“%(owner)s”的名称或别名。", name=candidate, owner=owner.name))
    if name in aliases:
        aliases.remove(name)
    if len("、".join(aliases)) > 500:
        _refuse("aliases", _("别名合计不能超过 500 个字符。"))
    parent = data.parent
    if parent is not None and product is not None:
        ancestor = parent
        while ancestor is not None:
            if ancestor is product:
                _refuse("parent", _("上级产品不能是该产品自身或其下级产品。"))
            ancestor = ancestor.parent
    if parent is not None and parent.is_archived and (product is None or parent is not product.parent):
        _refuse("parent", _("“%(name)s”已归档，不能再选用。", name=parent.name))
    category = data.priority_category or None
    return {
        "name": name,
        "name_en": _text(data.name_en, "name_en", _("英文名称"), 200) or None,
        "aliases": "、".join(aliases),
        "classification_code": _text(data.classification_code, "classification_code", _("分类代码"), 32) or None,
        "parent": parent,
        "side": _choice(Side, data.side, "side", _("生产侧/消费侧")),
        "end_use": _choice(EndUse, data.end_use, "end_use", _("最终用途")),
        "priority_category": _choice(PriorityCategory, category, "priority_category", _("重点产品类别"))
        if category
        else None,
        "source": _text(data.source, "source", _("来源"), 300),
    }


def create_product(session: Session, data: ProductInput) -> Product:
    product = Product(**_product_values(session, data, None))
    session.add(product)
    session.flush()
    return product


def update_product(
    session: Session, product: Product, data: ProductInput, *, reason: str | None = None, expected_version=None
) -> Product:
    expect_version(product, expected_version)
    values = _product_values(session, data, product)
    with change_reason(session, reason):
        for key, value in values.items():
            setattr(product, key, value)
    return product


def product_tree(session: Session) -> ProductTree:
    rows = session.execute(select(Product.id, Product.parent_id, Product.name)).all()
    return ProductTree(parents={row.id: row.parent_id for row in rows}, names={row.id: row.name for row in rows})


# --- standards ------------------------------------------------------------------------------------


@dataclass
class StandardInput:
    level: Level | str
    title: str
    status: Status | str
    numbers: str = ""
    nature: Nature | str | None = None  # taken from the number when there is one
    title_en: str | None = None
    product: Product | None = None
    issuer: str = ""
    committee: str = ""
    association: str = ""
    region: str = ""
    published_on: date | None = None
    implemented_on: date | None = None
    withdrawn_on: date | None = None
    note: str = ""


def parse_numbers(text: str, level: Level | None = None, field_name: str = "numbers") -> list[numbers.StandardNumber]:
    """The numbers in `text` (one, or several for a jointly issued standard), all of `level`."""
    try:
        parsed = numbers.parse_joint(text)
    except numbers.InvalidNumber as error:
        _refuse(field_name, number_error(error))
    if len(parsed) > MAX_JOINT_NUMBERS:
        _refuse(field_name, _("一项标准最多登记 %(max)d 个联合发布的编号。", max=MAX_JOINT_NUMBERS))
    for number in parsed:
        if level is not None and number.level != level:
            _refuse(
                field_name,
                _(
                    "编号 %(number)s 是%(actual)s的编号，与所选级别“%(level)s”不符。",
                    number=number.canonical,
                    actual=LEVEL_LABELS[number.level],
                    level=LEVEL_LABELS[level],
                ),
            )
    return parsed


def _standard_values(session: Session, data: StandardInput, standard: Standard | None) -> dict:
    level = _choice(Level, data.level, "level", _("级别"))
    status = _choice(Status, data.status, "status", _("状态"))
    text = (data.numbers or "").strip()
    parsed = parse_numbers(text, level) if text else []
    if not parsed and status in NUMBERED:
        _refuse("numbers", _("已发布、修订中或被代替的标准必须填写标准编号；尚无编号的请登记为计划或起草中。"))
    for number in parsed:
        owner = session.scalar(select(StandardNumber).where(StandardNumber.key == number.key))
        if owner is not None and owner.standard is not standard:
            _refuse(
                "numbers",
                _("编号 %(number)s 已登记为“%(title)s”。", number=number.canonical, title=owner.standard.title),
            )
    nature = parsed[0].nature if parsed else _choice(Nature, data.nature or Nature.RECOMMENDED, "nature", _("性质"))
    published, implemented, withdrawn = data.published_on, data.implemented_on, data.withdrawn_on
    if published and implemented and implemented < published:
        _refuse("implemented_on", _("实施日期不能早于发布日期。"))
    if withdrawn and status != Status.WITHDRAWN:
        _refuse("withdrawn_on", _("只有状态为“废止”的标准才填写废止日期。"))
    if withdrawn and published and withdrawn < published:
        _refuse("withdrawn_on", _("废止日期不能早于发布日期。"))
    if status not in NUMBERED and status != Status.WITHDRAWN and (published or implemented):
        _refuse("published_on", _("计划、起草中或征求意见的项目尚未发布：请清空发布和实施日期，或修改状态。"))
    region = _text(data.region, "region", _("地区"), 100)
    if level == Level.LOCAL and parsed and not region:
        region = numbers.PROVINCES.get(parsed[0].region[:2], "") + (
            f"（{parsed[0].region}）" if len(parsed[0].region) == 4 else ""
        )
    product = data.product
    if product is not None and product.is_archived and (standard is None or product is not standard.product):
        _refuse("product", _("“%(name)s”已归档，不能再选用。", name=product.name))
    return {
        "level": level,
        "nature": nature,
        "numbers": " / ".join(number.canonical for number in parsed),
        "title": _text(data.title, "title", _("标准名称"), 300, required=True),
        "title_en": _text(data.title_en, "title_en", _("英文名称"), 500) or None,
        "product": product,
        "status": status,
        "issuer": _text(data.issuer, "issuer", _("发布机构"), 300),
        "committee": _text(data.committee, "committee", _("技术委员会/归口单位"), 200),
        "association": _text(data.association, "association", _("社会团体"), 200) if level == Level.GROUP else "",
        "region": region if level == Level.LOCAL else "",
        "year": parsed[0].year if parsed else (published.year if published else None),
        "published_on": published,
        "implemented_on": implemented,
        "withdrawn_on": withdrawn,
        "note": (data.note or "").strip(),
        "_parsed": parsed,
    }


def _set_number_rows(session: Session, standard: Standard, parsed: list[numbers.StandardNumber]) -> None:
    wanted = [(number.canonical, number.key) for number in parsed]
    if [(row.number, row.key) for row in standard.number_rows] == wanted:
        return
    standard.number_rows.clear()
    session.flush()  # free the unique keys before they are written again
    standard.number_rows.extend(
        StandardNumber(position=position, number=number, key=key) for position, (number, key) in enumerate(wanted)
    )


def _related_ids(session: Session, standard_ids: list[int]) -> dict[int, set[int]]:
    """For each standard, the editions it replaces or is replaced by."""
    related: dict[int, set[int]] = {}
    if not standard_ids:
        return related
    rows = session.execute(
        select(StandardRelation.standard_id, StandardRelation.target_id).where(
            StandardRelation.kind == RelationKind.REPLACES,
            StandardRelation.target_id.is_not(None),
            or_(StandardRelation.standard_id.in_(standard_ids), StandardRelation.target_id.in_(standard_ids)),
        )
    )
    for source, target in rows:
        related.setdefault(source, set()).add(target)
        related.setdefault(target, set()).add(source)
    return related


def entry(standard: Standard, related: set[int] | frozenset[int] = frozenset()) -> Entry:
    return Entry(
        id=standard.id,
        designation=standard.designation,
        level=standard.level,
        status=standard.status.value,
        product_id=standard.product_id,
        published_on=standard.published_on,
        implemented_on=standard.implemented_on,
        related=frozenset(related),
    )


def _neighbourhood(session: Session, tree: ProductTree, product_id: int) -> list[Entry]:
    """The standards of `product_id` and of the products above and below it in the tree."""
    product_ids = [product_id, *tree.ancestors(product_id), *tree.descendants(product_id)]
    standards = session.scalars(
        select(Standard).where(
            Standard.product_id.in_(product_ids),
            Standard.archived_at.is_(None),
            Standard.status.in_([Status(status) for status in hierarchy.ACTIVE]),
        )
    ).all()
    related = _related_ids(session, [standard.id for standard in standards])
    return [entry(standard, related.get(standard.id, set())) for standard in standards]


def check_candidate(session: Session, candidate: Entry, *, on: date | None = None) -> list[Finding]:
    """The level findings for `candidate` against what the registry holds."""
    if candidate.product_id is None:
        return []
    tree = product_tree(session)
    return hierarchy.check(candidate, _neighbourhood(session, tree, candidate.product_id), tree, on or today())


def check_level(session: Session, product: Product, level: Level | str, *, on: date | None = None) -> list[Finding]:
    """What a new standard (a project registered today) at `level` for `product` would be told."""
    level = _choice(Level, level, "level", _("级别"))
    candidate = Entry(id=None, designation="", level=level, status=Status.PLANNED.value, product_id=product.id)
    return check_candidate(session, candidate, on=on)


def check_levels(session: Session, product: Product, levels, *, on: date | None = None) -> dict:
    """check_level for several levels at once (the product page), reading the registry once."""
    tree = product_tree(session)
    neighbourhood = _neighbourhood(session, tree, product.id)
    return {
        level: hierarchy.check(
            Entry(id=None, designation="", level=level, status=Status.PLANNED.value, product_id=product.id),
            neighbourhood,
            tree,
            on or today(),
        )
        for level in levels
    }


def findings_for(session: Session, standard: Standard, *, on: date | None = None) -> list[Finding]:
    related = _related_ids(session, [standard.id]).get(standard.id, set())
    return check_candidate(session, entry(standard, related), on=on)


def _refuse_level_errors(findings: list[Finding]) -> None:
    errors = [finding for finding in findings if finding.severity == Severity.ERROR]
    if errors:
        message = "；".join(f"{_(finding.article)}：{finding_message(finding)}" for finding in errors)
        raise InvalidInput(
            message,
            details={
                "level": message,
                "findings": [{"code": f.code, "article": _(f.article), "message": finding_message(f)} for f in errors],
            },
        )


def _retire_replaced(standard: Standard) -> None:
    """Once a standard is issued, the editions it replaces are "replaced"."""
    if standard.status not in (Status.PUBLISHED, Status.UNDER_REVISION):
        return
    for relation in standard.relations:
        target = relation.target
        if relation.kind == RelationKind.REPLACES and target is not None and target.status in hierarchy.ACTIVE:
            target.status = Status.REPLACED


def check_restorable(session: Session, standard: Standard, *, on: date | None = None) -> None:
    """An archived record comes back only if the level rules allow it now."""
    _refuse_level_errors(findings_for(session, standard, on=on))


def create_standard(
    session: Session, data: StandardInput, *, on: date | None = None, check: bool = True
) -> tuple[Standard, list[Finding]]:
    """Register a standard or project; refused when a level rule forbids it. Returns the standard
    and the findings it still has (warnings and notices). `check=False` leaves the rules to the
    caller (the import checks every row once the whole file is in)."""
    values = _standard_values(session, data, None)
    parsed = values.pop("_parsed")
    product = values["product"]
    candidate = Entry(
        id=None,
        designation=values["numbers"] or values["title"],
        level=values["level"],
        status=values["status"].value,
        product_id=product.id if product is not None else None,
        published_on=values["published_on"],
        implemented_on=values["implemented_on"],
    )
    findings = check_candidate(session, candidate, on=on) if check else []
    _refuse_level_errors(findings)
    standard = Standard(**values)
    session.add(standard)
    _set_number_rows(session, standard, parsed)
    session.flush()
    return standard, findings


def update_standard(
    session: Session,
    standard: Standard,
    data: StandardInput,
    *,
    reason: str | None = None,
    expected_version: int | None = None,
    on: date | None = None,
) -> tuple[Standard, list[Finding]]:
    """Change a standard. The level rules are applied again when a fact they depend on changes
    (level, product, status, publication date); correcting a title or a note never is."""
    expect_version(standard, expected_version)
    values = _standard_values(session, data, standard)
    parsed = values.pop("_parsed")
    new_product = values["product"]
    related = _related_ids(session, [standard.id]).get(standard.id, set())
    before = entry(standard, related)
    candidate = replace(
        before,
        level=values["level"],
        status=values["status"].value,
        product_id=new_product.id if new_product is not None else None,
        published_on=values["published_on"],
        implemented_on=values["implemented_on"],
    )
    facts = ("level", "product_id", "status", "published_on")
    if any(getattr(before, name) != getattr(candidate, name) for name in facts):
        _refuse_level_errors(check_candidate(session, candidate, on=on))
    with change_reason(session, reason):
        for key, value in values.items():
            setattr(standard, key, value)
        _set_number_rows(session, standard, parsed)
        _retire_replaced(standard)
    return standard, findings_for(session, standard, on=on)


def add_relation(
    session: Session,
    standard: Standard,
    kind: RelationKind | str,
    *,
    target: Standard | None = None,
    target_text: str | None = None,
    equivalence: Equivalence | str | None = None,
) -> StandardRelation:
    kind = _choice(RelationKind, kind, "kind", _("关系"))
    target_text = _text(target_text, "target", _("对象标准"), 200) or None
    if (target is None) == (target_text is None):
        _refuse("target", _("请填写对象标准：已登记标准的编号，或国际标准的编号（如 ISO 14067:2018）。"))
    if target is standard:
        _refuse("target", _("标准不能与自身建立关系。"))
    if kind == RelationKind.ADOPTS_INTERNATIONAL:
        if not equivalence:
            _refuse("equivalence", _("采用国际标准须注明一致性程度：IDT（等同）、MOD（修改）或 NEQ（非等效）。"))
        equivalence = _choice(Equivalence, equivalence, "equivalence", _("一致性程度"))
    elif equivalence:
        _refuse("equivalence", _("只有采用国际标准时才填写一致性程度。"))
    else:
        equivalence = None
    if kind == RelationKind.ADOPTS_GROUP and (target is None or target.level != Level.GROUP):
        _refuse("target", _("采信的对象须是已登记的团体标准。"))
    if (
        kind == RelationKind.REPLACES
        and target is not None
        and (target.level != standard.level or target.product_id != standard.product_id)
    ):
        _refuse("target", _("代替关系只存在于同一级别、同一产品的标准（同一标准的不同版本）之间。"))
    for existing in standard.relations:
        if existing.kind == kind and existing.target is target and existing.target_text == target_text:
            _refuse("target", _("该关系已登记。"))
    relation = StandardRelation(kind=kind, target=target, target_text=target_text, equivalence=equivalence)
    standard.relations.append(relation)
    session.flush()
    _retire_replaced(standard)
    return relation


def remove_relation(session: Session, relation: StandardRelation) -> None:
    """Delete a relation; an edition that no other standard replaces any more is published again."""
    standard, target = relation.standard, relation.target
    session.delete(relation)  # the audit trail records it, labelled with both ends
    session.flush()
    session.expire(standard, ["relations"])
    if target is not None and relation.kind == RelationKind.REPLACES and target.status == Status.REPLACED:
        session.expire(target, ["inverse_relations"])
        if not any(other.kind == RelationKind.REPLACES for other in target.inverse_relations):
            target.status = Status.PUBLISHED


def find_standard(session: Session, number: str) -> Standard | None:
    """The standard with `number` in any printed form, or None."""
    try:
        key = numbers.parse(number).key
    except numbers.InvalidNumber:
        return None
    return session.scalar(select(Standard).join(Standard.number_rows).where(StandardNumber.key == key))


def withdrawal_due(
    session: Session, *, on: date | None = None
) -> list[tuple[hierarchy.WithdrawalDue, Standard, Standard]]:
    """指引（十四）: the due list, each item with the two standard records it names."""
    on = on or today()
    nationals = (
        select(Standard.product_id)
        .where(
            Standard.level == Level.NATIONAL,
            Standard.status.in_([Status.PUBLISHED, Status.UNDER_REVISION]),
            Standard.implemented_on <= on,
            Standard.archived_at.is_(None),
        )
        .scalar_subquery()
    )
    standards = session.scalars(
        select(Standard)
        .options(selectinload(Standard.product))
        .where(Standard.product_id.in_(nationals), Standard.archived_at.is_(None))
    ).all()
    by_id = {standard.id: standard for standard in standards}
    due = hierarchy.withdrawal_due([entry(standard) for standard in standards], on)
    return [(item, by_id[item.standard.id], by_id[item.national.id]) for item in due]


# --- searching ------------------------------------------------------------------------------------


@dataclass
class StandardFilters:
    text: str = ""
    product: Product | None = None
    level: Level | None = None
    status: str | None = None  # a Status value, or "in_force" / "upcoming"
    committee: str = ""
    year: int | None = None
    include_archived: bool = False


def search(filters: StandardFilters, *, on: date | None = None):
    """The SELECT for the registry list: newest first. Numbers match in any printed form
    (half- or full-width, em dash or hyphen, with or without spaces), titles by substring."""
    on = on or today()
    query = (
        select(Standard)
        .options(selectinload(Standard.product))
        .order_by(Standard.year.desc().nulls_last(), Standard.id.desc())
    )
    text = " ".join(filters.text.split())
    if text:
        key = numbers.search_key(text)
        # Keys of group and enterprise numbers keep one space (numbers.StandardNumber.key).
        compact_key = func.replace(StandardNumber.key, " ", "")
        number_match = select(StandardNumber.standard_id).where(compact_key.contains(key, autoescape=True))
        query = query.where(
            or_(
                Standard.id.in_(number_match),
                func.lower(Standard.title).contains(text.lower(), autoescape=True),
                func.lower(Standard.title_en).contains(text.lower(), autoescape=True),
            )
        )
    if filters.product is not None:
        query = query.where(Standard.product_id == filters.product.id)
    if filters.level is not None:
        query = query.where(Standard.level == filters.level)
    if filters.status == IN_FORCE:
        query = query.where(Standard.status == Status.PUBLISHED, Standard.implemented_on <= on)
    elif filters.status == UPCOMING:
        query = query.where(Standard.status == Status.PUBLISHED, Standard.implemented_on > on)
    elif filters.status == Status.PUBLISHED:  # as displayed: published, implementation date unknown
        query = query.where(Standard.status == Status.PUBLISHED, Standard.implemented_on.is_(None))
    elif filters.status:
        query = query.where(Standard.status == Status(filters.status))
    if filters.committee.strip():
        query = query.where(func.lower(Standard.committee).contains(filters.committee.strip().lower(), autoescape=True))
    if filters.year is not None:
        query = query.where(Standard.year == filters.year)
    if not filters.include_archived:
        query = query.where(Standard.archived_at.is_(None))
    return query


# --- CSV import -----------------------------------------------------------------------------------

CSV_COLUMNS = (
    "level",
    "number",
    "title",
    "issuer",
    "committee",
    "published",
    "implemented",
    "status",
    "replaces",
    "note",
)
OPTIONAL_COLUMNS = ("product", "title_en")
MAX_IMPORT_ROWS = 5_000  # one transaction holds the write lock; larger files are split
MAX_REPORTED_ROWS = 20
LEVEL_WORDS = {"国家": "national", "行业": "industry", "地方": "local", "团体": "group", "企业": "enterprise"}
STATUS_WORDS = {
    "计划": "planned",
    "起草中": "drafting",
    "征求意见": "consultation",
    "已发布": "published",
    "现行": "published",
    "修订中": "under_revision",
    "被代替": "replaced",
    "废止": "withdrawn",
}
# Titles name their product after the fixed prefix (指引（二）) or, in older titles, after the last
# space or before "碳足迹". The name found is looked up exactly in the catalogue, never fuzzily.
TITLE_PREFIX = "温室气体 产品碳足迹量化方法与要求"


def product_named_in_title(title: str) -> str:
    title = " ".join(title.split())
    if title.startswith(TITLE_PREFIX):
        return title[len(TITLE_PREFIX) :].strip()
    if " " in title:
        return title.rsplit(" ", 1)[1]
    return title.split("碳足迹", 1)[0]


@dataclass
class ImportReport:
    created: list[Standard] = field(default_factory=list)
    unchanged: list[Standard] = field(default_factory=list)
    differing: list[tuple[int, Standard]] = field(default_factory=list)  # (row, existing) left as it was
    without_product: list[Standard] = field(default_factory=list)
    findings: list[tuple[Standard, Finding]] = field(default_factory=list)


class ImportRefused(InvalidInput):
    code = "import_refused"


def _csv_date(value: str, column: str, year: int | None) -> date | None:
    value = value.strip()
    if not value:
        return None
    if value.isdigit() and len(value) == 4:
        # Only the year is known (the number says so too): nothing to store beyond it.
        if year is not None and int(value) != year:
            raise ValueError(
                _("%(column)s“%(value)s”与编号中的年份 %(year)d 不符", column=column, value=value, year=year)
            )
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(_("%(column)s“%(value)s”不是日期，请写作 2024-08-23", column=column, value=value)) from None


def _row_input(session: Session, row: dict) -> tuple[StandardInput, list[str]]:
    level = (row.get("level") or "").strip()
    level = LEVEL_WORDS.get(level.removesuffix("标准"), level).lower()
    if level not in {member.value for member in Level}:
        raise ValueError(
            _("级别“%(value)s”无效，可选 national、industry、local、group、enterprise", value=row.get("level"))
        )
    status = (row.get("status") or "").strip()
    status = STATUS_WORDS.get(status, status).lower().replace(" ", "_") or "published"
    if status not in {member.value for member in Status}:
        raise ValueError(_("状态“%(value)s”无效", value=row.get("status")))
    number_text = (row.get("number") or "").strip()
    year = None
    if number_text:
        try:
            parsed = numbers.parse_joint(number_text)
        except numbers.InvalidNumber as error:
            raise ValueError(_("编号 %(number)s：%(reason)s", number=number_text, reason=number_error(error))) from None
        year = parsed[0].year
    title = (row.get("title") or "").strip()
    product_name = (row.get("product") or "").strip()
    explicit = bool(product_name)
    product = find_product(session, product_name or product_named_in_title(title))
    if explicit and product is None:
        raise ValueError(_("产品“%(name)s”不在产品目录中：请先在产品目录中登记", name=product_name))
    issuer = (row.get("issuer") or "").strip()
    data = StandardInput(
        level=level,
        numbers=number_text,
        title=title,
        title_en=row.get("title_en"),
        status=status,
        product=product,
        issuer=issuer,
        committee=(row.get("committee") or "").replace(";", "、").replace("；", "、"),
        association=issuer if level == Level.GROUP else "",
        published_on=_csv_date(row.get("published") or "", _("发布日期"), year),
        implemented_on=_csv_date(row.get("implemented") or "", _("实施日期"), None),
        note=row.get("note") or "",
    )
    replaces = [part for part in (row.get("replaces") or "").replace("；", ";").split(";") if part.strip()]
    return data, replaces


def _same(existing: Standard, data: StandardInput, parsed) -> bool:
    """Whether the registered standard says what the row says (a product the row leaves to the
    title is compared only when the title names one)."""

    def tidy(value):
        return " ".join((value or "").split())

    return (
        existing.level == data.level
        and existing.number_list == [number.canonical for number in parsed]
        and existing.title == tidy(data.title)
        and (existing.title_en or "") == tidy(data.title_en)
        and existing.status.value == data.status
        and existing.published_on == data.published_on
        and existing.implemented_on == data.implemented_on
        and (data.product is None or existing.product is data.product)
        and existing.issuer == tidy(data.issuer)
        and existing.committee == tidy(data.committee)
        and existing.note == (data.note or "").strip()
    )


def import_csv(session: Session, content: bytes | str, *, on: date | None = None) -> ImportReport:
    """Import standards from a CSV file in the format of data/standards.csv (optionally with
    `product` and `title_en` columns). All rows or none: every bad row is reported with its line
    number (the header is line 1) and nothing is written. A standard already registered (by its
    number, or a project by level, title and product) is left as it is, so importing a file twice
    changes nothing. The rows go in first and are then checked together, so neither the
    `replaces` column nor the level rules depend on the order of the rows."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRefused(_("文件不是 UTF-8 编码的 CSV：请在表格软件中另存为“CSV UTF-8”。")) from None
    content = content.lstrip("\ufeff").replace("\x00", "")
    if content.count("\n") > MAX_IMPORT_ROWS + 1:
        raise ImportRefused(_("一次最多导入 %(max)d 行，请拆分文件。", max=MAX_IMPORT_ROWS))
    reader = csv.DictReader(io.StringIO(content))
    try:
        header = [name.strip() for name in reader.fieldnames or []]
    except csv.Error as error:
        raise ImportRefused(_("第 1 行不是有效的 CSV：%(reason)s", reason=str(error))) from None
    missing = [column for column in CSV_COLUMNS if column not in header]
    if missing:
        raise ImportRefused(
            _(
                "文件缺少列：%(columns)s。第一行须为：%(header)s",
                columns="、".join(missing),
                header=",".join(CSV_COLUMNS),
            )
        )
    reader.fieldnames = header
    report, errors = ImportReport(), []
    created: list[tuple[int, Standard, list[str]]] = []
    seen_keys: dict[str, int] = {}

    def attempt(line: int, operation) -> None:
        try:
            operation()
        except ValueError as error:
            errors.append((line, str(error)))
        except InvalidInput as error:
            errors.append((line, str(error.message)))

    while len(errors) < MAX_REPORTED_ROWS:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append((reader.line_num, _("不是有效的 CSV：%(reason)s", reason=str(error))))
            break
        line = reader.line_num
        if None in row:
            errors.append((line, _("列数多于表头")))
        elif any((value or "").strip() for value in row.values()):
            attempt(line, lambda row=row, line=line: _import_row(session, row, line, report, seen_keys, created))

    # Then the links between rows and the level rules, against the registry with the whole file in.
    for line, standard, replaces in created:
        if len(errors) < MAX_REPORTED_ROWS:
            attempt(line, lambda standard=standard, replaces=replaces: _link_replaced(session, standard, replaces))
    for line, standard, _replaces in created:
        if len(errors) >= MAX_REPORTED_ROWS:
            break
        findings = findings_for(session, standard, on=on)
        attempt(line, lambda findings=findings: _refuse_level_errors(findings))
        report.findings.extend((standard, finding) for finding in findings if finding.severity != Severity.ERROR)
    if errors:
        lines = [_("第 %(row)d 行：%(reason)s", row=row, reason=reason) for row, reason in sorted(errors)]
        raise ImportRefused(
            _("导入已取消，没有写入任何数据。请修改以下各行后重新导入：") + "\n" + "\n".join(lines),
            details={"rows": [{"row": row, "message": reason} for row, reason in sorted(errors)]},
        )
    return report


def _existing(session: Session, data: StandardInput, parsed) -> Standard | None:
    if parsed:
        return find_standard(session, parsed[0].canonical)
    # A project has no number yet: the same level, title and product name it.
    return session.scalar(
        select(Standard).where(
            Standard.numbers == "",
            Standard.level == Level(data.level),
            Standard.title == " ".join(data.title.split()),
            Standard.product_id == (data.product.id if data.product else None),
            Standard.archived_at.is_(None),
        )
    )


def _import_row(session, row, line, report, seen_keys, created) -> None:
    data, replaces = _row_input(session, row)
    parsed = parse_numbers(data.numbers, Level(data.level)) if data.numbers else []
    for number in parsed:
        if number.key in seen_keys:
            raise ValueError(
                _("编号 %(number)s 与第 %(row)d 行重复", number=number.canonical, row=seen_keys[number.key])
            )
        seen_keys[number.key] = line
    existing = _existing(session, data, parsed)
    if existing is not None:
        if _same(existing, data, parsed):
            report.unchanged.append(existing)
        else:
            report.differing.append((line, existing))
        return
    with change_reason(session, N_("CSV 导入")):
        standard, _findings = create_standard(session, data, check=False)
    report.created.append(standard)
    created.append((line, standard, replaces))
    if standard.product is None:
        report.without_product.append(standard)


def _link_replaced(session: Session, standard: Standard, replaces: list[str]) -> None:
    for replaced_number in replaces:
        target = find_standard(session, replaced_number)
        if target is standard:
            raise ValueError(_("标准不能代替自身：%(number)s", number=replaced_number.strip()))
        if target is not None:
            add_relation(session, standard, RelationKind.REPLACES, target=target)
            continue
        try:
            target_text = numbers.parse(replaced_number).canonical
        except numbers.InvalidNumber as error:
            raise ValueError(
                _("被代替标准 %(number)s：%(reason)s", number=replaced_number.strip(), reason=number_error(error))
            ) from None
        add_relation(session, standard, RelationKind.REPLACES, target_text=target_text)
