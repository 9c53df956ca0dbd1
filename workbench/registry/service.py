"""Operations on the registry: products, standards, relations and level checks (the CSV import
is in importing.py).

Plain functions taking a session and shaped input, used by the pages, the API, the CLI and the
tests alike. They refuse bad input with `InvalidInput` naming the field (or CSV row) and never
commit. The level rules themselves live in the pure `hierarchy` module; this module gathers the
facts they need.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from workbench.audit import archiving, change_reason
from workbench.auth.permissions import Action, Role, keeps_group_standard, require
from workbench.dates import today
from workbench.db import expect_version
from workbench.errors import InvalidInput, refuse
from workbench.guideline import Finding, Severity
from workbench.i18n import article_text, finding_text, say
from workbench.inputs import choice_field, text_field
from workbench.registry import hierarchy, numbers
from workbench.registry.hierarchy import Entry, ProductTree
from workbench.registry.models import (
    IN_FORCE,
    LEVEL_LABELS,
    UPCOMING,
    EndUse,
    Equivalence,
    Level,
    Nature,
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


def number_error(error: numbers.InvalidNumber) -> str:
    """A parser refusal in the user's language (an item of a joint list with its own reason)."""
    return say(error.message)


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
    source: str = ""
    # No priority category: a product is on the priority list when a published priority batch
    # names it (workbench.catalogue.lists.publish_batch sets Product.priority_category), never by
    # editing the product.


def _product_values(session: Session, data: ProductInput, product: Product | None) -> dict:
    name = text_field(data.name, "name", _("名称"), 100, required=True)
    aliases = _split_aliases(data.aliases)
    for candidate in [name, *aliases]:
        owner = find_product(session, candidate)
        if owner is not None and owner is not product:
            field_name = "name" if candidate == name else "aliases"
            refuse(field_name, _("“%(name)s”已是产品“%(owner)s”的名称或别名。", name=candidate, owner=owner.name))
    if name in aliases:
        aliases.remove(name)
    if len("、".join(aliases)) > 500:
        refuse("aliases", _("别名合计不能超过 500 个字符。"))
    parent = data.parent
    if parent is not None and product is not None:
        ancestor = parent
        while ancestor is not None:
            if ancestor is product:
                refuse("parent", _("上级产品不能是该产品自身或其下级产品。"))
            ancestor = ancestor.parent
    if parent is not None and parent.is_archived and (product is None or parent is not product.parent):
        refuse("parent", _("“%(name)s”已归档，不能再选用。", name=parent.name))
    return {
        "name": name,
        "name_en": text_field(data.name_en, "name_en", _("英文名称"), 200) or None,
        "aliases": "、".join(aliases),
        "classification_code": text_field(data.classification_code, "classification_code", _("分类代码"), 32) or None,
        "parent": parent,
        "side": choice_field(Side, data.side, "side", _("生产侧/消费侧")),
        "end_use": choice_field(EndUse, data.end_use, "end_use", _("最终用途")),
        "source": text_field(data.source, "source", _("来源"), 300),
    }


def create_product(session: Session, data: ProductInput, *, by) -> Product:
    require(by, Action.MANAGE_PRODUCTS)
    product = Product(**_product_values(session, data, None))
    session.add(product)
    session.flush()
    return product


def update_product(
    session: Session, product: Product, data: ProductInput, *, by, reason: str | None = None, expected_version=None
) -> Product:
    require(by, Action.MANAGE_PRODUCTS, product)
    expect_version(product, expected_version)
    values = _product_values(session, data, product)
    with change_reason(session, reason):
        for key, value in values.items():
            setattr(product, key, value)
    return product


def product_tree(session: Session) -> ProductTree:
    """The catalogue's tree, with the products on the priority list: those whose priority category
    is set (the catalogue keeps it in step with the list batches it publishes)."""
    rows = session.execute(select(Product.id, Product.parent_id, Product.name, Product.priority_category)).all()
    return ProductTree(
        parents={row.id: row.parent_id for row in rows},
        names={row.id: row.name for row in rows},
        listed=frozenset(row.id for row in rows if row.priority_category is not None),
    )


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
        refuse(field_name, number_error(error))
    if len(parsed) > MAX_JOINT_NUMBERS:
        refuse(field_name, _("一项标准最多登记 %(max)d 个联合发布的编号。", max=MAX_JOINT_NUMBERS))
    for number in parsed:
        if level is not None and number.level != level:
            refuse(
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
    level = choice_field(Level, data.level, "level", _("级别"))
    status = choice_field(Status, data.status, "status", _("状态"))
    text = (data.numbers or "").strip()
    parsed = parse_numbers(text, level) if text else []
    if not parsed and status in NUMBERED:
        refuse("numbers", _("已发布、修订中或被代替的标准必须填写标准编号；尚无编号的请登记为计划或起草中。"))
    for number in parsed:
        owner = session.scalar(select(StandardNumber).where(StandardNumber.key == number.key))
        if owner is not None and owner.standard is not standard:
            refuse(
                "numbers",
                _("编号 %(number)s 已登记为“%(title)s”。", number=number.canonical, title=owner.standard.title),
            )
    nature = (
        parsed[0].nature if parsed else choice_field(Nature, data.nature or Nature.RECOMMENDED, "nature", _("性质"))
    )
    published, implemented, withdrawn = data.published_on, data.implemented_on, data.withdrawn_on
    if published and implemented and implemented < published:
        refuse("implemented_on", _("实施日期不能早于发布日期。"))
    if withdrawn and status != Status.WITHDRAWN:
        refuse("withdrawn_on", _("只有状态为“废止”的标准才填写废止日期。"))
    if withdrawn and published and withdrawn < published:
        refuse("withdrawn_on", _("废止日期不能早于发布日期。"))
    if status not in NUMBERED and status != Status.WITHDRAWN and (published or implemented):
        refuse("published_on", _("计划、起草中或征求意见的项目尚未发布：请清空发布和实施日期，或修改状态。"))
    region = text_field(data.region, "region", _("地区"), 100)
    if level == Level.LOCAL and parsed and not region:
        region = numbers.PROVINCES.get(parsed[0].region[:2], "") + (
            f"（{parsed[0].region}）" if len(parsed[0].region) == 4 else ""
        )
    product = data.product
    if product is not None and product.is_archived and (standard is None or product is not standard.product):
        refuse("product", _("“%(name)s”已归档，不能再选用。", name=product.name))
    return {
        "level": level,
        "nature": nature,
        "numbers": " / ".join(number.canonical for number in parsed),
        "title": text_field(data.title, "title", _("标准名称"), 300, required=True),
        "title_en": text_field(data.title_en, "title_en", _("英文名称"), 500) or None,
        "product": product,
        "status": status,
        "issuer": text_field(data.issuer, "issuer", _("发布机构"), 300),
        "committee": text_field(data.committee, "committee", _("技术委员会/归口单位"), 200),
        "association": text_field(data.association, "association", _("社会团体"), 200) if level == Level.GROUP else "",
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


def _record_adoptions(session: Session, standard: Standard, parsed: list[numbers.StandardNumber]) -> None:
    """A double number ("GB/T 24040—2008/ISO 14040:2006") is how an identical adoption (IDT) is
    printed: the adoption is recorded as a relation, to the international standard when the
    registry holds it, else by its number; one already recorded is left as it is."""
    for number in parsed:
        if number.adopted is None:
            continue
        target = find_standard(session, number.adopted.canonical)
        target_text = None if target is not None else number.adopted.canonical
        if any(
            relation.kind == RelationKind.ADOPTS_INTERNATIONAL
            and relation.target is target
            and relation.target_text == target_text
            for relation in standard.relations
        ):
            continue
        standard.relations.append(
            StandardRelation(
                kind=RelationKind.ADOPTS_INTERNATIONAL,
                target=target,
                target_text=target_text,
                equivalence=Equivalence.IDT,
            )
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
    level = choice_field(Level, level, "level", _("级别"))
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


def refuse_level_errors(findings: list[Finding]) -> None:
    errors = [finding for finding in findings if finding.severity == Severity.ERROR]
    if errors:
        message = "；".join(f"{article_text(found.article)}：{finding_text(found)}" for found in errors)
        raise InvalidInput(
            message,
            details={
                "level": message,
                "findings": [
                    {"code": found.code, "article": article_text(found.article), "message": finding_text(found)}
                    for found in errors
                ],
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


def set_archived(
    session: Session, record: Standard | Product, archived: bool, *, by, reason: str | None = None
) -> None:
    """Archive or restore a standard or a product. An archived standard comes back only if the
    level rules allow it now."""
    require(by, Action.MANAGE_STANDARDS if isinstance(record, Standard) else Action.MANAGE_PRODUCTS, record)
    if not archived and isinstance(record, Standard):
        refuse_level_errors(findings_for(session, record))
    archiving.set_archived(session, record, archived, reason=reason)


def _own_group_standard(data: StandardInput, by) -> StandardInput:
    """An association representative registers and keeps its own organisation's group standards
    only (指引（十）): the issuers named in `association` must include it; left empty, the field
    is filled with it."""
    if getattr(by, "role", None) != Role.ASSOCIATION or data.level != Level.GROUP:
        return data
    organisation = getattr(by, "organisation", None)
    if organisation is None:
        refuse(
            "association", _("您的账户没有所属组织：协会代表只能登记本组织的团体标准，请管理员为您的账户设置所属组织。")
        )
    if not (data.association or "").strip():
        return replace(data, association=organisation.name)
    if not keeps_group_standard(by, data.association):
        refuse(
            "association",
            _(
                "协会代表只能登记和维护本组织的团体标准：请在“社会团体”中写明“%(organisation)s”"
                "（联合发布的，各社会团体以空格或“、”分隔）。",
                organisation=organisation.name,
            ),
        )
    return data


def create_standard(
    session: Session, data: StandardInput, *, by, on: date | None = None, check: bool = True
) -> tuple[Standard, list[Finding]]:
    """Register a standard or project; refused when a level rule forbids it. Returns the standard
    and the findings it still has (warnings and information). `check=False` leaves the rules to
    the caller (the import checks every row once the whole file is in)."""
    require(by, Action.MANAGE_STANDARDS, data.level)
    data = _own_group_standard(data, by)
    return _register(session, data, on=on, check=check)


def register_rule_project(session: Session, data: StandardInput, *, by, on: date | None = None) -> Standard:
    """The national project a new rule is drafted as (workbench.drafting): whoever may create a
    rule registers its project with it, under the same level rules."""
    require(by, Action.CREATE_RULE)
    standard, _findings = _register(session, data, on=on, check=True)
    return standard


def register_follow_up_project(
    session: Session, data: StandardInput, *, evaluation, replaces: Sequence[Standard], by, on: date | None = None
) -> tuple[Standard, list[Finding]]:
    """The project an evaluation's conclusion creates (修订 or 整合, 指引（十二）), registered by
    the member of the evaluating organisation who concludes `evaluation`
    (workbench.evaluation.records; RECORD_EVALUATION on it): a planned project under the same
    level rules (an error refuses it), which REPLACES each of `replaces` (the evaluated standard
    and, for 整合, those it merges), so that they are editions of one standard and not
    duplicates. Returns the project and the findings it still has."""
    require(by, Action.RECORD_EVALUATION, evaluation)
    level = choice_field(Level, data.level, "level", _("级别"))
    replaced = list(dict.fromkeys(replaces))
    candidate = Entry(
        id=None,
        designation=data.title,
        level=level,
        status=Status.PLANNED.value,
        product_id=data.product.id if data.product is not None else None,
        related=frozenset(standard.id for standard in replaced),
    )
    findings = check_candidate(session, candidate, on=on)
    refuse_level_errors(findings)
    standard, _unchecked = _register(session, replace(data, status=Status.PLANNED), on=on, check=False)
    for target in replaced:
        standard.relations.append(StandardRelation(kind=RelationKind.REPLACES, target=target))
    session.flush()
    return standard, findings


def _register(session: Session, data: StandardInput, *, on: date | None, check: bool) -> tuple[Standard, list[Finding]]:
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
    refuse_level_errors(findings)
    standard = Standard(**values)
    session.add(standard)
    _set_number_rows(session, standard, parsed)
    _record_adoptions(session, standard, parsed)
    session.flush()
    return standard, findings


def update_standard(
    session: Session,
    standard: Standard,
    data: StandardInput,
    *,
    by,
    reason: str | None = None,
    expected_version: int | None = None,
    on: date | None = None,
) -> tuple[Standard, list[Finding]]:
    """Change a standard. The level rules are applied again when a fact they depend on changes
    (level, product, status, publication date); correcting a title or a note never is."""
    require(by, Action.MANAGE_STANDARDS, standard)
    require(by, Action.MANAGE_STANDARDS, data.level)  # an association keeps its standards at the group level
    data = _own_group_standard(data, by)  # … and among its own organisation's
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
        refuse_level_errors(check_candidate(session, candidate, on=on))
    with change_reason(session, reason):
        for key, value in values.items():
            setattr(standard, key, value)
        _set_number_rows(session, standard, parsed)
        _record_adoptions(session, standard, parsed)
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
    by,
) -> StandardRelation:
    require(by, Action.MANAGE_STANDARDS, standard)
    kind = choice_field(RelationKind, kind, "kind", _("关系"))
    if kind == RelationKind.REPLACES and target is not None:
        require(by, Action.MANAGE_STANDARDS, target)  # it will be marked replaced
    target_text = text_field(target_text, "target", _("对象标准"), 200) or None
    if (target is None) == (target_text is None):
        refuse("target", _("请填写对象标准：已登记标准的编号，或国际标准的编号（如 ISO 14067:2018）。"))
    if target is standard:
        refuse("target", _("标准不能与自身建立关系。"))
    if kind == RelationKind.ADOPTS_INTERNATIONAL:
        if not equivalence:
            refuse("equivalence", _("采用国际标准须注明一致性程度：IDT（等同）、MOD（修改）或 NEQ（非等效）。"))
        equivalence = choice_field(Equivalence, equivalence, "equivalence", _("一致性程度"))
    elif equivalence:
        refuse("equivalence", _("只有采用国际标准时才填写一致性程度。"))
    else:
        equivalence = None
    if kind == RelationKind.ADOPTS_GROUP and (target is None or target.level != Level.GROUP):
        refuse("target", _("采信的对象须是已登记的团体标准。"))
    if (
        kind == RelationKind.REPLACES
        and target is not None
        and (target.level != standard.level or target.product_id != standard.product_id)
    ):
        refuse("target", _("代替关系只存在于同一级别、同一产品的标准（同一标准的不同版本）之间。"))
    for existing in standard.relations:
        if existing.kind == kind and existing.target is target and existing.target_text == target_text:
            refuse("target", _("该关系已登记。"))
    relation = StandardRelation(kind=kind, target=target, target_text=target_text, equivalence=equivalence)
    standard.relations.append(relation)
    session.flush()
    _retire_replaced(standard)
    return relation


def remove_relation(session: Session, relation: StandardRelation, *, by) -> None:
    """Delete a relation; an edition that no other standard replaces any more is published again."""
    require(by, Action.MANAGE_STANDARDS, relation.standard)
    if relation.target is not None and relation.kind == RelationKind.REPLACES:
        require(by, Action.MANAGE_STANDARDS, relation.target)  # it may be published again
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
        # Keys drop leading zeros of the sequence; the printed number keeps them ("T/CPCIF 0391").
        compact_printed = func.upper(func.replace(func.replace(StandardNumber.number, " ", ""), "\u2014", "-"))
        number_match = select(StandardNumber.standard_id).where(
            or_(compact_key.contains(key, autoescape=True), compact_printed.contains(key, autoescape=True))
        )
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
